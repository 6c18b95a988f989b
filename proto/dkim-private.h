/* SPDX-License-Identifier: MIT
 * dkim-private: the pieces shared by the DKIM signer and verifier, and
 * exposed to the unit tests: raw header/body splitting, canonicalization
 * (RFC 6376 3.4), tag-lists (3.2), signature fields (3.5), key records
 * (3.6.1) and the crypto glue (3.3, RFC 8463). Not a public API.
 */
#ifndef PROTO_DKIM_PRIVATE_H
#define PROTO_DKIM_PRIVATE_H

#include <glib.h>

#include <openssl/evp.h>

#include "proto/dkim.h"

/* ---- raw message splitting (dkim_canon.c) ---- */

/* One header field exactly as in the message, folding and ending included. */
typedef struct {
    const char *raw; /* points into the message */
    gsize len;       /* whole field with its final line ending */
    gsize name_len;  /* octets before the ':' */
} DkimField;

typedef struct {
    GArray *fields;     /* DkimField, top to bottom */
    const guint8 *body; /* after the empty line (or end of message) */
    gsize body_len;
    gboolean is_truncated; /* more than DKIM_MAX_HEADER_FIELDS fields */
} DkimMsgParts;

/* Splits msg into fields and body. Line ends are CRLF or bare LF (bare LF
 * is kept in the raw bytes, so LF-only input hashes differently: callers
 * convert first). The parts point into msg. */
void dkim_msg_split(const guint8 *msg, gsize len, DkimMsgParts *out);
void dkim_msg_parts_clear(DkimMsgParts *p);
/* Case-insensitive field-name comparison (RFC 6376 3.4.2/5.4.2). */
gboolean dkim_field_name_is(const DkimField *f, const char *name);

/* Appends the canonical form of one raw field (name ':' value CRLF). */
void dkim_canon_header(DkimCanon c, const char *raw, gsize len, GString *out);
/* Appends the canonical form of a whole body (3.4.3, 3.4.4). */
void dkim_canon_body(DkimCanon c, const guint8 *body, gsize len, GString *out);
/* Base64 body hash over the canonical body, limited to limit octets when
 * limit >= 0. md: "sha256" or "sha1". canon_len: (out, nullable) length of
 * the whole canonical body. (transfer full) */
char *dkim_body_hash(DkimCanon c, const char *md, const guint8 *body, gsize len, gint64 limit,
                     gsize *canon_len);
/* Parses a c= value (NULL = absent = simple/simple). */
gboolean dkim_canon_parse(const char *value, DkimCanon *header, DkimCanon *body);

/* ---- tag-lists (dkim_tags.c) ---- */

typedef struct DkimTagList DkimTagList;

/* RFC 6376 3.2 tag-list; values have surrounding FWS removed, inner FWS
 * kept. NULL on syntax error, duplicate tag or over DKIM_MAX_TAG_LIST. */
DkimTagList *dkim_tag_list_parse(const char *text, gsize len);
const char *dkim_tag_list_get(const DkimTagList *tl, const char *name);
void dkim_tag_list_free(DkimTagList *tl);
/* Removes every FWS character (for base64 values such as b= and p=). */
char *dkim_strip_fws(const char *value);
/* Copy of a DKIM-Signature field with the value of its b= tag removed
 * (RFC 6376 3.7 step 2), everything else byte for byte. */
char *dkim_field_strip_b(const char *raw, gsize len, gsize *out_len);
/* RFC 6376 3.5 d=/s= syntax: dot-separated labels of letters, digits and
 * inner hyphens (s= allows the same, plus underscores for safety). */
gboolean dkim_domain_is_valid(const char *d);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DkimTagList, dkim_tag_list_free)

/* ---- signature fields (dkim_verify.c) ---- */

typedef struct {
    DkimReason reason; /* DKIM_REASON_NONE when usable */
    DkimAlg alg;
    DkimCanon header_canon, body_canon;
    char *domain, *selector, *identity;
    GPtrArray *headers; /* char*, h= names as written, trimmed */
    GBytes *b, *bh;     /* decoded */
    gboolean has_l, has_t, has_x;
    guint64 l;
    gint64 t, x;
} DkimSigInfo;

/* Parses and validates a DKIM-Signature value (3.5, 6.1.1). */
void dkim_sig_parse(const char *value, gsize len, gint64 now_unix, DkimSigInfo *out);
void dkim_sig_info_clear(DkimSigInfo *s);

/* Appends the header hash input (3.7 step 2): the fields named in names,
 * bottom-up per name, canonicalized, then sig_field (b= emptied) without its
 * final CRLF. */
void dkim_hash_input(const DkimMsgParts *parts, const GPtrArray *names, DkimCanon hc,
                     const char *sig_field, gsize sig_len, GString *out);

/* ---- key records (dkim_key.c) ---- */

typedef struct {
    DkimReason reason; /* DKIM_REASON_NONE when usable */
    gboolean is_ed25519;
    gboolean is_testing; /* t=y */
    gboolean is_strict;  /* t=s */
    EVP_PKEY *pkey;
    guint bits;
} DkimKeyRecord;

void dkim_key_record_parse(const char *txt, DkimKeyRecord *out);
void dkim_key_record_clear(DkimKeyRecord *k);
/* dkim_key_record_parse() through c (nullable: parse every time); out is
 * the caller's to clear either way. */
void dkim_key_cache_parse(DkimKeyCache *c, const char *txt, DkimKeyRecord *out);
/* p= decoding: SPKI DER, bare PKCS#1 RSAPublicKey, or raw Ed25519. */
EVP_PKEY *dkim_key_decode_public(const guint8 *der, gsize len, gboolean is_ed25519);

/* ---- crypto (dkim_sign.c) ---- */

/* SHA-256, or SHA-1 when is_sha1, of data into out (room for 32 octets);
 * returns the digest's length. OpenSSL's code: its assembly is several
 * times faster than GChecksum on every body and header hash. */
gsize dkim_digest(gboolean is_sha1, const guint8 *data, gsize len, guint8 *out);
/* RSA: PKCS#1 v1.5 over SHA-256 of data. Ed25519: pure Ed25519 over the
 * 32-octet SHA-256 of data (RFC 8463 3). */
GBytes *dkim_crypto_sign(EVP_PKEY *pkey, DkimAlg alg, const guint8 *data, gsize len);
gboolean dkim_crypto_verify(EVP_PKEY *pkey, DkimAlg alg, const guint8 *data, gsize len,
                            const guint8 *sig, gsize sig_len);

/* A private key around pkey (transfer full: freed on error too); NULL with
 * DKIM_ERROR_KEY unless it is RSA or Ed25519. */
DkimPrivateKey *dkim_private_key_new_pkey(EVP_PKEY *pkey, GError **error);

/* dkim_keygen.c, shared with proto/seed_key.c: n octets of the stream
 * SHA-256(seed || label || NUL || counter), and an RSA key of bits bits
 * whose primes are searched from that stream (transfer full). */
void dkim_keygen_stream(const guint8 *seed, gsize seed_len, const char *label, guint8 *out,
                        gsize n);
EVP_PKEY *dkim_keygen_rsa(const guint8 *seed, gsize seed_len, guint bits);

#endif
