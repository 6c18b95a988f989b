/* SPDX-License-Identifier: MIT
 * Tests for proto/seed_key: the same seed gives the same key pair, another
 * seed another one; every type is a valid key pair of its kind (OpenSSL's
 * pairwise check) that signs and verifies; and a certificate issued with
 * such keys is byte-identical when made twice (Ed25519 and RSA PKCS #1
 * v1.5 signatures are deterministic).
 */
#include <string.h>

#include <glib.h>

#include <openssl/evp.h>

#include "proto/seed_key.h"
#include "proto/tls_autocleanups.h"
#include "proto/tls_ca.h"

static char *
private_pem(EVP_PKEY *k)
{
    g_autoptr(TlsIdentity) id = NULL;
    /* A throwaway self-signed certificate carries the key to PEM. */
    TlsCertRequest req = {.common_name = "k", .not_before = 1767225600, .key = k};
    id = tls_ca_new(&req, NULL);
    g_assert_nonnull(id);
    return tls_identity_key_pem(id);
}

static void
test_same_seed(gconstpointer data)
{
    TlsKeyType type = GPOINTER_TO_INT(data);
    static const guint8 s1[] = "lab seed 1", s2[] = "lab seed 2";
    g_autoptr(EVP_PKEY) a = seed_key_derive(type, s1, sizeof s1);
    g_autoptr(EVP_PKEY) b = seed_key_derive(type, s1, sizeof s1);
    g_autoptr(EVP_PKEY) c = seed_key_derive(type, s2, sizeof s2);
    g_autofree char *pa = private_pem(a), *pb = private_pem(b), *pc = private_pem(c);
    g_assert_cmpstr(pa, ==, pb);
    g_assert_cmpstr(pa, !=, pc);
    g_assert_cmpint(EVP_PKEY_eq(a, b), ==, 1);
    g_assert_cmpint(EVP_PKEY_eq(a, c), !=, 1);
    /* A real key pair of its kind. */
    g_autoptr(EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new(a, NULL);
    g_assert_cmpint(EVP_PKEY_pairwise_check(ctx), ==, 1);
    const char *names[] = {
        [TLS_KEY_ED25519] = "ED25519", [TLS_KEY_P256] = "EC", [TLS_KEY_RSA2048] = "RSA"};
    g_assert_true(EVP_PKEY_is_a(a, names[type]));
    if (type == TLS_KEY_RSA2048)
        g_assert_cmpint(EVP_PKEY_get_bits(a), ==, 2048);
    if (type == TLS_KEY_P256)
        g_assert_cmpint(EVP_PKEY_get_bits(a), ==, 256);
}

static void
test_same_certificate(void)
{
    static const guint8 ca_seed[] = "ca", user_seed[] = "alice@a.test";
    char *pem[2];
    for (int i = 0; i < 2; i++) {
        g_autoptr(EVP_PKEY) ck = seed_key_derive(TLS_KEY_ED25519, ca_seed, sizeof ca_seed);
        g_autoptr(EVP_PKEY) uk = seed_key_derive(TLS_KEY_RSA2048, user_seed, sizeof user_seed);
        TlsCertRequest cr = {.common_name = "CA", .not_before = 1767225600, .key = ck};
        g_autoptr(TlsIdentity) ca = tls_ca_new(&cr, NULL);
        const char *emails[] = {"alice@a.test", NULL};
        TlsCertRequest ur = {.common_name = "alice",
                             .emails = emails,
                             .not_before = 1767225600,
                             .key_type = TLS_KEY_RSA2048,
                             .key = uk};
        g_autoptr(TlsIdentity) id = tls_ca_issue(ca, &ur, NULL);
        g_assert_nonnull(id);
        g_assert_true(EVP_PKEY_eq(tls_identity_get_key(id), uk) == 1);
        pem[i] = tls_identity_cert_pem(id);
    }
    g_assert_cmpstr(pem[0], ==, pem[1]);
    g_free(pem[0]);
    g_free(pem[1]);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/proto/seed-key/ed25519", GINT_TO_POINTER(TLS_KEY_ED25519),
                         test_same_seed);
    g_test_add_data_func("/proto/seed-key/p256", GINT_TO_POINTER(TLS_KEY_P256), test_same_seed);
    g_test_add_data_func("/proto/seed-key/rsa2048", GINT_TO_POINTER(TLS_KEY_RSA2048),
                         test_same_seed);
    g_test_add_func("/proto/seed-key/certificate", test_same_certificate);
    return g_test_run();
}
