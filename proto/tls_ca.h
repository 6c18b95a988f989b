/* SPDX-License-Identifier: MIT
 * tls_ca: an in-memory certificate authority for simulated worlds and tests.
 * Makes a self-signed CA and leaf certificates signed by it (RFC 5280 X.509
 * v3: basicConstraints, keyUsage, subjectAltName dNSName for servers,
 * rfc822Name for S/MIME users), loads and exports PEM from memory. Keys are
 * Ed25519 (default), P-256 or RSA-2048. No files, no clock: validity starts
 * at a caller-given unix time. Keys and signatures are random per run.
 */
#ifndef PROTO_TLS_CA_H
#define PROTO_TLS_CA_H

#include <glib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

typedef enum {
    TLS_KEY_ED25519 = 0, /* default: small and fast */
    TLS_KEY_P256,        /* ECDSA over secp256r1 (signature length varies 70-72 octets) */
    TLS_KEY_RSA2048,
} TlsKeyType;

typedef enum {
    TLS_CA_ERROR_OPENSSL,  /* an OpenSSL call failed (message carries its error queue) */
    TLS_CA_ERROR_PEM,      /* PEM input could not be parsed */
    TLS_CA_ERROR_MISMATCH, /* the key does not belong to the certificate */
} TlsCaError;

#define TLS_CA_ERROR (tls_ca_error_quark())
GQuark tls_ca_error_quark(void);

typedef struct {
    const char *common_name;      /* subject CN (required) */
    const char *organization;     /* nullable subject O */
    const char *const *dns_names; /* nullable, NULL-terminated: subjectAltName dNSName */
    const char *const *emails;    /* nullable, NULL-terminated: subjectAltName rfc822Name */
    TlsKeyType key_type;
    gint64 not_before; /* unix seconds */
    guint days;        /* validity; 0 = 365 */
    guint64 serial;    /* 0 = the issuing CA's next serial (CA itself: 1) */
    EVP_PKEY *key;     /* nullable: the subject's key pair (a reference is taken), e.g.
                          one derived from a seed (proto/seed_key.h); NULL: a new random
                          key of key_type */
} TlsCertRequest;

/* A certificate with (optionally) its private key. Refcounted: contexts and
 * nodes share one. */
typedef struct TlsIdentity TlsIdentity;

const char *tls_key_type_name(TlsKeyType type); /* "ed25519", "p256", "rsa2048" */
/* Parses "ed25519", "p256"/"p-256"/"ecdsa", "rsa"/"rsa2048"; FALSE if unknown. */
gboolean tls_key_type_from_name(const char *name, TlsKeyType *out);

/* A self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign). */
TlsIdentity *tls_ca_new(const TlsCertRequest *req, GError **error);
/* A leaf signed by ca (which must hold its key): CA:FALSE, digitalSignature
 * (+keyEncipherment for RSA), extendedKeyUsage serverAuth+clientAuth when
 * dns_names is set, emailProtection when emails is set. */
TlsIdentity *tls_ca_issue(TlsIdentity *ca, const TlsCertRequest *req, GError **error);

/* Loads a PEM certificate and an optional PEM private key (key_pem NULL:
 * certificate only, e.g. a trust anchor). Checks that they match. */
TlsIdentity *tls_identity_new_from_pem(const char *cert_pem, gsize cert_len, const char *key_pem,
                                       gsize key_len, GError **error);
/* Takes ownership of cert and key (key nullable). */
TlsIdentity *tls_identity_new_take(X509 *cert, EVP_PKEY *key);
TlsIdentity *tls_identity_ref(TlsIdentity *id);
void tls_identity_unref(TlsIdentity *id);

/* (transfer none) valid while id lives. */
X509 *tls_identity_get_cert(const TlsIdentity *id);
EVP_PKEY *tls_identity_get_key(const TlsIdentity *id); /* nullable */
gboolean tls_identity_has_key(const TlsIdentity *id);
/* PEM text (transfer full). key: NULL when there is no key (unencrypted PKCS#8). */
char *tls_identity_cert_pem(const TlsIdentity *id);
char *tls_identity_key_pem(const TlsIdentity *id);
/* One-line RFC 2253 subject, e.g. "CN=mx.example.com,O=Example" (transfer full). */
char *tls_identity_subject(const TlsIdentity *id);
/* DER length of the certificate (what goes on the wire in a TLS Certificate). */
gsize tls_identity_cert_der_len(const TlsIdentity *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsIdentity, tls_identity_unref)

#endif
