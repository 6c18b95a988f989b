/* SPDX-License-Identifier: MIT
 * sasl_digest_md5: the RFC 2831 directive parser and digest computation used
 * by the DIGEST-MD5 client, server and cracking helper. Section 7.1 "#rule"
 * lists with linear white space, quoted-string values with quoted-pair,
 * token values; section 2.1.1 / 2.1.2 rules on repeated and required
 * directives. qop=auth only: no integrity or confidentiality layer.
 */
#ifndef PROTO_SASL_DIGEST_MD5_H
#define PROTO_SASL_DIGEST_MD5_H

#include <glib.h>

/* RFC 2831 2.1.1: a challenge is at most 2048 octets; 2.1.2: a response at most 4096. */
#define SASL_DIGEST_CHALLENGE_MAX 2048
#define SASL_DIGEST_RESPONSE_MAX 4096

/* A parsed directive list: name (lower-cased) -> value (unquoted). Repeated
 * directives other than realm are an error (realm may repeat in a
 * challenge, 2.1.1: the values are joined in `realms`). */
typedef struct {
    GHashTable *values; /* char* -> char*, owned */
    GPtrArray *realms;  /* every realm= value in order, owned */
} SaslDigestDirectives;

/* Parses "name=value,name="value",..." (RFC 2831 7.1). Returns NULL and sets
 * *why (static string) on a syntax error or a repeated directive. */
SaslDigestDirectives *sasl_digest_parse(const char *text, gsize len, const char **why);
void sasl_digest_directives_free(SaslDigestDirectives *d);
/* (transfer none) value or NULL. */
const char *sasl_digest_get(const SaslDigestDirectives *d, const char *name);
/* TRUE when the comma-separated qop (or other list) value contains item. */
gboolean sasl_digest_list_has(const char *list, const char *item);

/* Checks a server challenge per 2.1.1: nonce required, algorithm=md5-sess
 * required exactly once, charset at most utf-8. Returns NULL on success or
 * the reason (static string). */
const char *sasl_digest_check_challenge(const SaslDigestDirectives *d);

typedef struct {
    const char *username, *realm, *password;
    const char *nonce, *cnonce, *nc, *qop, *digest_uri;
    const char *authzid;   /* nullable or "" */
    gboolean charset_utf8; /* charset=utf-8 was negotiated: user name, realm and
                              password are hashed in ISO 8859-1 when they fit (2.1.2.1) */
} SaslDigestParams;

/* 32 lowercase hex digits of the response= value (is_rspauth FALSE) or of
 * the server's rspauth= value (TRUE), RFC 2831 2.1.2.1 and 2.1.3. */
char *sasl_digest_compute(const SaslDigestParams *p, gboolean is_rspauth);
/* Same from the raw 16-octet H(username:realm:password), so a server can
 * store the hash instead of the password (still a cleartext equivalent). */
char *sasl_digest_compute_from_hash(const SaslDigestParams *p, const guint8 urp_hash[16],
                                    gboolean is_rspauth);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SaslDigestDirectives, sasl_digest_directives_free)

#endif
