/* SPDX-License-Identifier: MIT
 * smime: RFC 8551 S/MIME 4.0 messages over OpenSSL's CMS (RFC 5652):
 * clear-signed (multipart/signed, RFC 1847 2.1, RFC 8551 3.5.3),
 * opaque-signed (application/pkcs7-mime; smime-type=signed-data, 3.5.2),
 * enveloped (enveloped-data, or authEnveloped-data with AES-GCM, RFC 5083
 * and RFC 8551 3.3) and signed-then-encrypted (3.7); verification against
 * in-memory trust anchors with the From address checked against the
 * signer's rfc822Name (RFC 8550 3), and decryption. Inputs and outputs are
 * whole RFC 5322 messages in memory. No files, no clock (times are
 * parameters); keys and ciphertexts are random per run (OpenSSL's RNG).
 * Each operation can report its steps (SmimeStep) for teaching traces.
 */
#ifndef PROTO_SMIME_H
#define PROTO_SMIME_H

#include <glib.h>

#include "proto/tls_ca.h"

/* Not an RFC limit: largest message accepted, so hostile input stays small. */
#define SMIME_MESSAGE_MAX (32 * 1024 * 1024)
/* RFC 2045 6.8: encoded lines are no more than 76 characters. */
#define SMIME_BASE64_LINE 76

typedef enum {
    SMIME_ERROR_INPUT,   /* the message or a configuration value cannot be used */
    SMIME_ERROR_KEY,     /* a certificate or key is missing or of an unusable type */
    SMIME_ERROR_OPENSSL, /* a CMS operation failed (message carries OpenSSL's reason) */
} SmimeError;

#define SMIME_ERROR (smime_error_quark())
GQuark smime_error_quark(void);

/* One step of an operation, in order: name is a short token
 * ("canonicalize", "digest", "signature", "content-key", "encrypt",
 * "key-wrap", "transfer-encoding", ...), detail a sentence for people,
 * size the octets the step produced (0 when it produces none). */
typedef struct {
    char *name;
    char *detail;
    gsize size;
} SmimeStep;

/* A new empty array of SmimeStep that frees its elements' strings. */
GArray *smime_steps_new(void);

/* What a message is, from its outer Content-Type. */
typedef enum {
    SMIME_KIND_NONE = 0,       /* not S/MIME */
    SMIME_KIND_CLEAR_SIGNED,   /* multipart/signed; protocol=application/pkcs7-signature */
    SMIME_KIND_OPAQUE_SIGNED,  /* application/pkcs7-mime; smime-type=signed-data */
    SMIME_KIND_ENVELOPED,      /* application/pkcs7-mime; smime-type=enveloped-data */
    SMIME_KIND_AUTH_ENVELOPED, /* application/pkcs7-mime; smime-type=authEnveloped-data */
} SmimeKind;

SmimeKind smime_message_kind(const guint8 *msg, gsize len);
const char *smime_kind_name(SmimeKind kind); /* "none", "clear-signed", ... */

/* ---- Signing ---- */

typedef enum {
    SMIME_SIGN_CLEAR = 0, /* multipart/signed: readable without S/MIME */
    SMIME_SIGN_OPAQUE,    /* application/pkcs7-mime signed-data: content inside the CMS */
} SmimeSignForm;

typedef struct {
    TlsIdentity *signer; /* certificate and private key (required): RSA or EC, not
                            Ed25519 (tls_ca's default key type), which OpenSSL 3.0's
                            CMS cannot use */
    SmimeSignForm form;
    gint64 signing_time;  /* unix seconds for the signingTime attribute (RFC 5652
                             11.3); 0: no signingTime */
    const char *boundary; /* nullable: multipart boundary; default derived from the
                             content's digest, so output is reproducible */
} SmimeSignConfig;

/* Signs msg (an RFC 5322 message; LF-only lines are made CRLF). The outer
 * header fields (From, To, Subject, Date, ...) stay outside; the MIME
 * entity (Content-* fields and body) is canonicalised to CRLF and signed
 * with SHA-256 (RFC 8551 3.1.1, 2.1). steps (nullable) receives SmimeStep
 * items appended. Returns the signed message (transfer full), or NULL with
 * error set (no key, unusable key type, OpenSSL failure). */
GBytes *smime_sign(const guint8 *msg, gsize len, const SmimeSignConfig *cfg, GArray *steps,
                   GError **error);

/* ---- Encryption ---- */

typedef enum {
    SMIME_CIPHER_AES256_GCM = 0, /* default: AuthEnvelopedData (RFC 5083, RFC 5084) */
    SMIME_CIPHER_AES128_GCM,     /* RFC 8551 2.7: MUST support */
    SMIME_CIPHER_AES256_CBC,     /* EnvelopedData, readable by `openssl smime` too */
    SMIME_CIPHER_AES128_CBC,     /* RFC 8551 2.7: MUST- (legacy receivers) */
} SmimeCipher;

const char *smime_cipher_name(SmimeCipher c); /* "aes-256-gcm", ... */
gboolean smime_cipher_from_name(const char *name, SmimeCipher *out);

typedef enum {
    SMIME_RSA_OAEP = 0, /* default: RSAES-OAEP with SHA-256 (RFC 8551 2.3, RFC 4055) */
    SMIME_RSA_PKCS1,    /* RSAES-PKCS1-v1_5 (RFC 3370 4.2.1), for older readers */
} SmimeRsaPadding;

typedef struct {
    TlsIdentity *const *recipients; /* NULL-terminated, at least one: RSA (key transport)
                                       or EC (ECDH key agreement) certificates */
    SmimeCipher cipher;
    SmimeRsaPadding rsa_padding;
} SmimeEncryptConfig;

/* Encrypts msg's MIME entity for every recipient (RFC 8551 3.3); the outer
 * header fields stay in the clear. Returns the message (transfer full) or
 * NULL with error set. steps nullable. */
GBytes *smime_encrypt(const guint8 *msg, gsize len, const SmimeEncryptConfig *cfg, GArray *steps,
                      GError **error);

/* Signs then encrypts (RFC 8551 3.7): the signed entity (clear or opaque,
 * per sign->form) becomes the plaintext of the envelope. */
GBytes *smime_sign_encrypt(const guint8 *msg, gsize len, const SmimeSignConfig *sign,
                           const SmimeEncryptConfig *enc, GArray *steps, GError **error);

/* ---- Verification ---- */

typedef enum {
    SMIME_VERIFY_VALID = 0,
    SMIME_VERIFY_CONTENT_ALTERED,  /* digest or signature does not match the content */
    SMIME_VERIFY_UNKNOWN_SIGNER,   /* no chain to a trust anchor (or no signer certificate) */
    SMIME_VERIFY_ADDRESS_MISMATCH, /* no From (or Sender) address among the signer's
                                      rfc822Name SANs */
    SMIME_VERIFY_EXPIRED,          /* a certificate is expired or not yet valid */
    SMIME_VERIFY_NOT_SIGNED,       /* not a signed S/MIME message (maybe encrypted) */
    SMIME_VERIFY_MALFORMED,        /* S/MIME structure or CMS DER cannot be parsed */
} SmimeVerifyStatus;

/* "valid", "content altered", "unknown signer", "address mismatch",
 * "expired", "not signed", "malformed". */
const char *smime_verify_status_name(SmimeVerifyStatus s);

typedef struct {
    TlsIdentity *const *anchors; /* NULL-terminated trust anchors (certificates) */
    gint64 now_unix;             /* time for certificate validity; 0: the signingTime attribute,
                                    and no validity check when there is none */
} SmimeVerifyConfig;

/* Caller-allocated, zero-initialised; smime_verify_result_clear() after. */
typedef struct {
    SmimeVerifyStatus status;
    char *detail;             /* nullable: why, in words (OpenSSL's reason, the addresses) */
    char *from_address;       /* nullable: the From addr-spec that was checked */
    char *signer_subject;     /* nullable: RFC 2253 subject of the signer's certificate */
    GPtrArray *signer_emails; /* nullable: char*, the signer's rfc822Name SANs */
    gint64 signing_time;      /* 0 when absent */
    GBytes *message;          /* nullable: the signed content as a whole message (outer
                                 fields + signed entity), set whenever the CMS parsed */
} SmimeVerifyResult;

/* Verifies the signature of msg (clear or opaque): the CMS signature over
 * the content, then the signer's chain to cfg->anchors (purpose
 * smimesign), then the From address against its rfc822Names. Never
 * fails: the outcome is in out. steps (nullable) receives the steps. */
void smime_verify(const guint8 *msg, gsize len, const SmimeVerifyConfig *cfg, GArray *steps,
                  SmimeVerifyResult *out);
void smime_verify_result_clear(SmimeVerifyResult *r);

/* ---- Decryption ---- */

typedef enum {
    SMIME_DECRYPT_OK = 0,
    SMIME_DECRYPT_NOT_RECIPIENT, /* no RecipientInfo for this certificate, or its key fails */
    SMIME_DECRYPT_NOT_ENCRYPTED, /* not an enveloped S/MIME message */
    SMIME_DECRYPT_MALFORMED,     /* the CMS cannot be parsed */
    SMIME_DECRYPT_FAILED,        /* content decryption failed (GCM tag: altered ciphertext) */
} SmimeDecryptStatus;

const char *smime_decrypt_status_name(SmimeDecryptStatus s); /* "ok", "not a recipient", ... */

typedef struct {
    SmimeDecryptStatus status;
    SmimeKind kind;  /* what the message was (enveloped or auth-enveloped when encrypted) */
    char *detail;    /* nullable: why, in words */
    GBytes *message; /* set on OK: outer fields + decrypted entity, CRLF */
} SmimeDecryptResult;

/* Decrypts msg with recipient (certificate and private key). Never fails:
 * the outcome is in out. steps (nullable) receives the steps taken. */
void smime_decrypt(const guint8 *msg, gsize len, TlsIdentity *recipient, GArray *steps,
                   SmimeDecryptResult *out);
void smime_decrypt_result_clear(SmimeDecryptResult *r);

#endif
