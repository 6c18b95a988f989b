/* SPDX-License-Identifier: MIT
 * tls_ca: in-memory X.509 v3 certificates (RFC 5280) for simulated worlds:
 * a self-signed CA and leaves with subjectAltName dNSName (4.2.1.6) for TLS
 * servers (RFC 6125) or rfc822Name for S/MIME users (RFC 8550 3). Keys come
 * from OpenSSL's EVP_PKEY_Q_keygen. No CRLs, no OCSP, no intermediate CAs.
 */
#include "proto/tls_ca.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "proto/tls_autocleanups.h"

#define TLS_CA_DEFAULT_DAYS 365
#define TLS_CA_SECONDS_PER_DAY 86400

struct TlsIdentity {
    grefcount ref;
    X509 *cert;
    EVP_PKEY *key;       /* nullable */
    guint64 next_serial; /* serial for the next certificate this CA issues */
};

G_DEFINE_QUARK(tls - ca - error - quark, tls_ca_error)

/* Moves OpenSSL's error queue into a GError (STYLE 7: boundary error). */
static void
tls_ca_set_openssl_error(GError **error, TlsCaError code, const char *what)
{
    char buf[256] = "";
    unsigned long e = ERR_get_error();
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    g_set_error(error, TLS_CA_ERROR, code, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

const char *
tls_key_type_name(TlsKeyType type)
{
    switch (type) {
    case TLS_KEY_ED25519:
        return "ed25519";
    case TLS_KEY_P256:
        return "p256";
    case TLS_KEY_RSA2048:
        return "rsa2048";
    }
    return "?";
}

gboolean
tls_key_type_from_name(const char *name, TlsKeyType *out)
{
    g_return_val_if_fail(name != NULL && out != NULL, FALSE);
    static const struct {
        const char *name;
        TlsKeyType type;
    } names[] = {{"ed25519", TLS_KEY_ED25519}, {"p256", TLS_KEY_P256},
                 {"p-256", TLS_KEY_P256},      {"ecdsa", TLS_KEY_P256},
                 {"rsa", TLS_KEY_RSA2048},     {"rsa2048", TLS_KEY_RSA2048}};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        if (g_ascii_strcasecmp(name, names[i].name) == 0) {
            *out = names[i].type;
            return TRUE;
        }
    }
    return FALSE;
}

static EVP_PKEY *
tls_ca_keygen(TlsKeyType type)
{
    switch (type) {
    case TLS_KEY_ED25519:
        return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    case TLS_KEY_P256:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    case TLS_KEY_RSA2048:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    }
    return NULL;
}

/* The request's own key (a new reference) or a new one of its type. */
static EVP_PKEY *
tls_ca_req_key(const TlsCertRequest *req)
{
    if (req->key != NULL && EVP_PKEY_up_ref(req->key) == 1)
        return req->key;
    return tls_ca_keygen(req->key_type);
}

TlsIdentity *
tls_identity_new_take(X509 *cert, EVP_PKEY *key)
{
    g_return_val_if_fail(cert != NULL, NULL);
    TlsIdentity *id = g_new0(TlsIdentity, 1);
    g_ref_count_init(&id->ref);
    id->cert = cert;
    id->key = key;
    id->next_serial = 2;
    return id;
}

TlsIdentity *
tls_identity_ref(TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, NULL);
    g_ref_count_inc(&id->ref);
    return id;
}

void
tls_identity_unref(TlsIdentity *id)
{
    if (id == NULL || !g_ref_count_dec(&id->ref))
        return;
    X509_free(id->cert);
    EVP_PKEY_free(id->key);
    g_free(id);
}

static gboolean
tls_ca_add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    g_autoptr(X509_EXTENSION) ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    return ext != NULL && X509_add_ext(cert, ext, -1) == 1;
}

static char *
tls_ca_san_value(const TlsCertRequest *req)
{
    GString *san = g_string_new(NULL);
    for (guint i = 0; req->dns_names && req->dns_names[i]; i++)
        g_string_append_printf(san, "%sDNS:%s", san->len ? "," : "", req->dns_names[i]);
    for (guint i = 0; req->emails && req->emails[i]; i++)
        g_string_append_printf(san, "%semail:%s", san->len ? "," : "", req->emails[i]);
    if (san->len == 0) {
        g_string_free(san, TRUE);
        return NULL;
    }
    return g_string_free(san, FALSE);
}

/* Fills subject, validity, serial and public key of cert from req. */
static gboolean
tls_ca_fill(X509 *cert, const TlsCertRequest *req, EVP_PKEY *key, guint64 serial)
{
    guint days = req->days ? req->days : TLS_CA_DEFAULT_DAYS;
    X509_NAME *name = X509_get_subject_name(cert);
    if (X509_set_version(cert, 2) != 1 ||
        ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial) != 1 ||
        ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)req->not_before) == NULL ||
        ASN1_TIME_set(X509_getm_notAfter(cert),
                      (time_t)(req->not_before + (gint64)days * TLS_CA_SECONDS_PER_DAY)) == NULL ||
        X509_set_pubkey(cert, key) != 1)
        return FALSE;
    if (req->organization != NULL &&
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const guchar *)req->organization, -1,
                                   -1, 0) != 1)
        return FALSE;
    return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const guchar *)req->common_name,
                                      -1, -1, 0) == 1;
}

/* Ed25519 signs without a separate digest (RFC 8410 6). */
static const EVP_MD *
tls_ca_sign_md(EVP_PKEY *key)
{
    return EVP_PKEY_is_a(key, "ED25519") ? NULL : EVP_sha256();
}

TlsIdentity *
tls_ca_new(const TlsCertRequest *req, GError **error)
{
    g_return_val_if_fail(req != NULL && req->common_name != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    g_autoptr(EVP_PKEY) key = tls_ca_req_key(req);
    g_autoptr(X509) cert = X509_new();
    if (key == NULL || cert == NULL) {
        tls_ca_set_openssl_error(error, TLS_CA_ERROR_OPENSSL, "CA key generation failed");
        return NULL;
    }
    if (!tls_ca_fill(cert, req, key, req->serial ? req->serial : 1) ||
        X509_set_issuer_name(cert, X509_get_subject_name(cert)) != 1 ||
        !tls_ca_add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") ||
        !tls_ca_add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !tls_ca_add_ext(cert, cert, NID_subject_key_identifier, "hash") ||
        X509_sign(cert, key, tls_ca_sign_md(key)) <= 0) {
        tls_ca_set_openssl_error(error, TLS_CA_ERROR_OPENSSL, "CA certificate creation failed");
        return NULL;
    }
    return tls_identity_new_take(g_steal_pointer(&cert), g_steal_pointer(&key));
}

static gboolean
tls_ca_leaf_extensions(X509 *cert, X509 *issuer, const TlsCertRequest *req, EVP_PKEY *key)
{
    gboolean rsa = EVP_PKEY_is_a(key, "RSA");
    g_autofree char *san = tls_ca_san_value(req);
    GString *eku = g_string_new(NULL);
    if (req->dns_names != NULL)
        g_string_append(eku, "serverAuth,clientAuth");
    if (req->emails != NULL)
        g_string_append_printf(eku, "%semailProtection", eku->len ? "," : "");
    gboolean ok = tls_ca_add_ext(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
                  tls_ca_add_ext(cert, issuer, NID_key_usage,
                                 rsa ? "critical,digitalSignature,keyEncipherment"
                                 /* RFC 8550 4.4.2: ECDH key agreement for S/MIME. */
                                 : req->emails ? "critical,digitalSignature,keyAgreement"
                                               : "critical,digitalSignature") &&
                  tls_ca_add_ext(cert, issuer, NID_subject_key_identifier, "hash") &&
                  tls_ca_add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always") &&
                  (san == NULL || tls_ca_add_ext(cert, issuer, NID_subject_alt_name, san)) &&
                  (eku->len == 0 || tls_ca_add_ext(cert, issuer, NID_ext_key_usage, eku->str));
    g_string_free(eku, TRUE);
    return ok;
}

TlsIdentity *
tls_ca_issue(TlsIdentity *ca, const TlsCertRequest *req, GError **error)
{
    g_return_val_if_fail(ca != NULL && ca->key != NULL, NULL);
    g_return_val_if_fail(req != NULL && req->common_name != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    g_autoptr(EVP_PKEY) key = tls_ca_req_key(req);
    g_autoptr(X509) cert = X509_new();
    if (key == NULL || cert == NULL) {
        tls_ca_set_openssl_error(error, TLS_CA_ERROR_OPENSSL, "leaf key generation failed");
        return NULL;
    }
    guint64 serial = req->serial ? req->serial : ca->next_serial++;
    if (!tls_ca_fill(cert, req, key, serial) ||
        X509_set_issuer_name(cert, X509_get_subject_name(ca->cert)) != 1 ||
        !tls_ca_leaf_extensions(cert, ca->cert, req, key) ||
        X509_sign(cert, ca->key, tls_ca_sign_md(ca->key)) <= 0) {
        tls_ca_set_openssl_error(error, TLS_CA_ERROR_OPENSSL, "leaf certificate creation failed");
        return NULL;
    }
    return tls_identity_new_take(g_steal_pointer(&cert), g_steal_pointer(&key));
}

TlsIdentity *
tls_identity_new_from_pem(const char *cert_pem, gsize cert_len, const char *key_pem, gsize key_len,
                          GError **error)
{
    g_return_val_if_fail(cert_pem != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    g_autoptr(BIO) cb = BIO_new_mem_buf(cert_pem, (int)cert_len);
    g_autoptr(X509) cert = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    if (cert == NULL) {
        tls_ca_set_openssl_error(error, TLS_CA_ERROR_PEM, "no PEM certificate");
        return NULL;
    }
    g_autoptr(EVP_PKEY) key = NULL;
    if (key_pem != NULL) {
        g_autoptr(BIO) kb = BIO_new_mem_buf(key_pem, (int)key_len);
        key = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
        if (key == NULL) {
            tls_ca_set_openssl_error(error, TLS_CA_ERROR_PEM, "no PEM private key");
            return NULL;
        }
        if (X509_check_private_key(cert, key) != 1) {
            tls_ca_set_openssl_error(error, TLS_CA_ERROR_MISMATCH,
                                     "private key does not match the certificate");
            return NULL;
        }
    }
    return tls_identity_new_take(g_steal_pointer(&cert), g_steal_pointer(&key));
}

X509 *
tls_identity_get_cert(const TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, NULL);
    return id->cert;
}

EVP_PKEY *
tls_identity_get_key(const TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, NULL);
    return id->key;
}

gboolean
tls_identity_has_key(const TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, FALSE);
    return id->key != NULL;
}

static char *
tls_ca_bio_text(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    return g_strndup(data ? data : "", n > 0 ? (gsize)n : 0);
}

char *
tls_identity_cert_pem(const TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, NULL);
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_X509(bio, id->cert) != 1)
        g_error("tls_ca: PEM_write_bio_X509 failed");
    return tls_ca_bio_text(bio);
}

char *
tls_identity_key_pem(const TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, NULL);
    if (id->key == NULL)
        return NULL;
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PrivateKey(bio, id->key, NULL, NULL, 0, NULL, NULL) != 1)
        g_error("tls_ca: PEM_write_bio_PrivateKey failed");
    return tls_ca_bio_text(bio);
}

char *
tls_identity_subject(const TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, NULL);
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        g_error("tls_ca: BIO_new failed");
    X509_NAME_print_ex(bio, X509_get_subject_name(id->cert), 0, XN_FLAG_RFC2253);
    return tls_ca_bio_text(bio);
}

gsize
tls_identity_cert_der_len(const TlsIdentity *id)
{
    g_return_val_if_fail(id != NULL, 0);
    int n = i2d_X509(id->cert, NULL);
    return n > 0 ? (gsize)n : 0;
}
