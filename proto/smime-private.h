/* SPDX-License-Identifier: MIT
 * smime-private: what the smime_*.c files share: splitting a message into
 * its outer header fields and its MIME entity (RFC 8551 3.1), CRLF
 * canonicalisation (3.1.1), base64 transfer encoding (RFC 2045 6.8),
 * application/pkcs7-mime wrapping (3.2), steps, OpenSSL error text.
 */
#ifndef PROTO_SMIME_PRIVATE_H
#define PROTO_SMIME_PRIVATE_H

#include <glib.h>

#include <openssl/cms.h>

#include "proto/message.h"
#include "proto/smime.h"

/* A message cut in two: the outer fields (everything but MIME-Version and
 * Content-*) and the MIME entity (Content-* fields, empty line, body). */
typedef struct {
    GBytes *outer;  /* header fields, each ending in CRLF, no empty line */
    GBytes *entity; /* canonical (CRLF) MIME entity */
} SmimeParts;

void smime_parts_clear(SmimeParts *p);

/* Every bare LF made CRLF (RFC 5322 2.1; RFC 8551 3.1.1) (transfer full). */
GBytes *smime_to_crlf(const guint8 *data, gsize len);

/* Splits msg (made CRLF first). A missing Content-Type becomes text/plain
 * (RFC 2045 5.2); a body with 8-bit octets and no transfer encoding gets
 * base64 (RFC 8551 3.1.2: signed content must be 7-bit). */
void smime_split(const guint8 *msg, gsize len, SmimeParts *out);
/* The same for a message that is already S/MIME: its entity is taken as
 * is, without the defaults above. */
void smime_split_raw(const guint8 *msg, gsize len, SmimeParts *out);

/* The kind of a parsed message (smime_message_kind on a MailMessage). */
SmimeKind smime_kind_of_message(const MailMessage *m);
/* The CMS held base64 in m's body; NULL when it does not parse. */
CMS_ContentInfo *smime_cms_from_body(const MailMessage *m, gsize *der_len);

/* outer + "MIME-Version: 1.0" + entity (transfer full). */
GBytes *smime_build_message(GBytes *outer, const guint8 *entity, gsize len);

/* base64 in lines of SMIME_BASE64_LINE ending in CRLF (transfer full). */
GBytes *smime_base64_encode(const guint8 *data, gsize len);
/* base64 ignoring whitespace; NULL on a bad character (transfer full). */
GBytes *smime_base64_decode(const guint8 *data, gsize len);

/* The DER of cms (transfer full). */
GBytes *smime_cms_to_der(CMS_ContentInfo *cms);
/* An application/pkcs7-mime entity (RFC 8551 3.2) holding der, base64;
 * adds the transfer-encoding step (transfer full). */
GBytes *smime_pkcs7_mime_entity(const char *smime_type, GBytes *der, GArray *steps);

/* Appends a step (steps nullable). */
void smime_step_add(GArray *steps, const char *name, gsize size, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* OpenSSL's error queue as one line, queue emptied (transfer full). */
char *smime_openssl_reason(void);
/* Sets SMIME_ERROR_OPENSSL with what and OpenSSL's reason; returns NULL. */
gpointer smime_set_openssl_error(GError **error, const char *what);

/* "CN=...": the subject of cert (transfer full). */
char *smime_cert_subject(X509 *cert);
/* A key's description: "RSA 2048-bit", "EC P-256" (transfer full). */
char *smime_key_describe(EVP_PKEY *pkey);

/* Signs entity (canonical MIME entity) and returns the new entity
 * (multipart/signed or pkcs7-mime signed-data) (transfer full). */
GBytes *smime_sign_entity(GBytes *entity, const SmimeSignConfig *cfg, GArray *steps,
                          GError **error);
/* Encrypts entity for cfg's recipients; returns the pkcs7-mime entity. */
GBytes *smime_encrypt_entity(GBytes *entity, const SmimeEncryptConfig *cfg, GArray *steps,
                             GError **error);

#endif
