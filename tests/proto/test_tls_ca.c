/* SPDX-License-Identifier: MIT
 * Tests for proto/tls_ca: CA and leaf generation for each key type, RFC 5280
 * extensions (basicConstraints, subjectAltName DNS and email), validity
 * from the given unix time, PEM export and reload, key mismatch errors.
 */
#include <string.h>

#include <glib.h>

#include <openssl/x509v3.h>

#include "proto/tls_autocleanups.h"
#include "proto/tls_ca.h"

#define NOT_BEFORE 1700000000 /* 2023-11-14T22:13:20Z */

static void
test_leaf_each_key_type(void)
{
    for (TlsKeyType t = TLS_KEY_ED25519; t <= TLS_KEY_RSA2048; t++) {
        GError *error = NULL;
        TlsCertRequest careq = {.common_name = "Test Root CA",
                                .organization = "mhs",
                                .key_type = t,
                                .not_before = NOT_BEFORE,
                                .days = 3650};
        g_autoptr(TlsIdentity) ca = tls_ca_new(&careq, &error);
        g_assert_no_error(error);
        const char *dns[] = {"mx.example.com", "smtp.example.com", NULL};
        TlsCertRequest req = {.common_name = "mx.example.com",
                              .dns_names = dns,
                              .key_type = t,
                              .not_before = NOT_BEFORE};
        g_autoptr(TlsIdentity) leaf = tls_ca_issue(ca, &req, &error);
        g_assert_no_error(error);
        X509 *x = tls_identity_get_cert(leaf);
        g_assert_cmpint(X509_check_host(x, "smtp.example.com", 0, 0, NULL), ==, 1);
        g_assert_cmpint(X509_check_host(x, "evil.example.com", 0, 0, NULL), ==, 0);
        g_assert_cmpint(X509_check_ca(x), ==, 0);
        g_assert_cmpint(X509_check_ca(tls_identity_get_cert(ca)), !=, 0);
        g_assert_cmpint(X509_check_issued(tls_identity_get_cert(ca), x), ==, X509_V_OK);
        g_assert_cmpint(X509_verify(x, tls_identity_get_key(ca)), ==, 1);
        /* Validity starts at the given time and lasts 365 days by default. */
        g_autoptr(ASN1_TIME) nb = ASN1_TIME_set(NULL, NOT_BEFORE);
        g_autoptr(ASN1_TIME) na = ASN1_TIME_set(NULL, NOT_BEFORE + 365 * 86400);
        g_assert_cmpint(ASN1_TIME_compare(X509_get0_notBefore(x), nb), ==, 0);
        g_assert_cmpint(ASN1_TIME_compare(X509_get0_notAfter(x), na), ==, 0);
        g_assert_cmpint(ASN1_INTEGER_get(X509_get0_serialNumber(x)), ==, 2);
        g_autofree char *subj = tls_identity_subject(leaf);
        g_assert_cmpstr(subj, ==, "CN=mx.example.com");
        g_autofree char *csubj = tls_identity_subject(ca);
        g_assert_cmpstr(csubj, ==, "CN=Test Root CA,O=mhs");
        g_assert_cmpuint(tls_identity_cert_der_len(leaf), >, 200);
        g_test_message("%s leaf certificate: %" G_GSIZE_FORMAT " octets DER", tls_key_type_name(t),
                       tls_identity_cert_der_len(leaf));
    }
}

static void
test_email_leaf_and_pem(void)
{
    GError *error = NULL;
    TlsCertRequest careq = {.common_name = "Mail CA", .not_before = NOT_BEFORE};
    g_autoptr(TlsIdentity) ca = tls_ca_new(&careq, &error);
    g_assert_no_error(error);
    const char *emails[] = {"alice@polito.it", NULL};
    TlsCertRequest req = {.common_name = "Alice",
                          .emails = emails,
                          .key_type = TLS_KEY_P256,
                          .not_before = NOT_BEFORE,
                          .serial = 77};
    g_autoptr(TlsIdentity) alice = tls_ca_issue(ca, &req, &error);
    g_assert_no_error(error);
    X509 *x = tls_identity_get_cert(alice);
    g_assert_cmpint(X509_check_email(x, "alice@polito.it", 0, 0), ==, 1);
    g_assert_cmpint(X509_check_email(x, "bob@polito.it", 0, 0), ==, 0);
    g_assert_cmpint(ASN1_INTEGER_get(X509_get0_serialNumber(x)), ==, 77);
    g_assert_true(X509_get_extended_key_usage(x) & XKU_SMIME);

    g_autofree char *cpem = tls_identity_cert_pem(alice);
    g_autofree char *kpem = tls_identity_key_pem(alice);
    g_assert_true(g_str_has_prefix(cpem, "-----BEGIN CERTIFICATE-----\n"));
    g_assert_true(g_str_has_prefix(kpem, "-----BEGIN PRIVATE KEY-----\n"));
    g_autoptr(TlsIdentity) back =
        tls_identity_new_from_pem(cpem, strlen(cpem), kpem, strlen(kpem), &error);
    g_assert_no_error(error);
    g_assert_cmpint(X509_cmp(tls_identity_get_cert(back), x), ==, 0);
    g_assert_true(tls_identity_has_key(back));

    /* certificate only (a trust anchor) */
    g_autofree char *capem = tls_identity_cert_pem(ca);
    g_autoptr(TlsIdentity) anchor =
        tls_identity_new_from_pem(capem, strlen(capem), NULL, 0, &error);
    g_assert_no_error(error);
    g_assert_false(tls_identity_has_key(anchor));
    g_assert_null(tls_identity_key_pem(anchor));

    /* the CA's key does not match Alice's certificate */
    g_autofree char *cakpem = tls_identity_key_pem(ca);
    g_assert_null(tls_identity_new_from_pem(cpem, strlen(cpem), cakpem, strlen(cakpem), &error));
    g_assert_error(error, TLS_CA_ERROR, TLS_CA_ERROR_MISMATCH);
    g_clear_error(&error);
    g_assert_null(tls_identity_new_from_pem("junk", 4, NULL, 0, &error));
    g_assert_error(error, TLS_CA_ERROR, TLS_CA_ERROR_PEM);
    g_clear_error(&error);
}

static void
test_key_type_names(void)
{
    TlsKeyType t;
    g_assert_true(tls_key_type_from_name("RSA", &t));
    g_assert_cmpint(t, ==, TLS_KEY_RSA2048);
    g_assert_true(tls_key_type_from_name("p-256", &t));
    g_assert_cmpint(t, ==, TLS_KEY_P256);
    g_assert_false(tls_key_type_from_name("dsa", &t));
    g_assert_cmpstr(tls_key_type_name(TLS_KEY_ED25519), ==, "ed25519");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/tls-ca/leaf-each-key-type", test_leaf_each_key_type);
    g_test_add_func("/proto/tls-ca/email-leaf-and-pem", test_email_leaf_and_pem);
    g_test_add_func("/proto/tls-ca/key-type-names", test_key_type_names);
    return g_test_run();
}
