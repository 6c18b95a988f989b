/* SPDX-License-Identifier: MIT
 * smime_mime: the MIME side of S/MIME (RFC 8551 3): which kind of S/MIME a
 * message is (3.2.2 smime-type, 3.5.3 multipart/signed), the split into
 * outer fields and the MIME entity that gets protected (3.1), CRLF
 * canonicalisation (3.1.1), 7-bit transfer encoding of 8-bit bodies
 * (3.1.2), base64 (RFC 2045 6.8) and application/pkcs7-mime entities.
 * Also the steps list and OpenSSL error text shared by smime_*.c.
 */
#include "proto/smime-private.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "proto/message.h"
#include "proto/message_mime.h"
#include "proto/tls_autocleanups.h"

G_DEFINE_QUARK(smime - error - quark, smime_error)

static void
smime_step_clear(gpointer p)
{
    SmimeStep *s = p;
    g_free(s->name);
    g_free(s->detail);
}

GArray *
smime_steps_new(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SmimeStep));
    g_array_set_clear_func(a, smime_step_clear);
    return a;
}

void
smime_step_add(GArray *steps, const char *name, gsize size, const char *fmt, ...)
{
    if (steps == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    SmimeStep s = {.name = g_strdup(name), .detail = g_strdup_vprintf(fmt, ap), .size = size};
    va_end(ap);
    g_array_append_val(steps, s);
}

const char *
smime_kind_name(SmimeKind kind)
{
    switch (kind) {
    case SMIME_KIND_NONE:
        return "none";
    case SMIME_KIND_CLEAR_SIGNED:
        return "clear-signed";
    case SMIME_KIND_OPAQUE_SIGNED:
        return "opaque-signed";
    case SMIME_KIND_ENVELOPED:
        return "enveloped";
    case SMIME_KIND_AUTH_ENVELOPED:
        return "auth-enveloped";
    }
    g_assert_not_reached();
}

CMS_ContentInfo *
smime_cms_from_body(const MailMessage *m, gsize *der_len)
{
    g_autoptr(GBytes) body = mail_message_get_body_bytes(m);
    g_autoptr(GBytes) der =
        smime_base64_decode(g_bytes_get_data(body, NULL), g_bytes_get_size(body));
    if (der_len != NULL)
        *der_len = der != NULL ? g_bytes_get_size(der) : 0;
    if (der == NULL)
        return NULL;
    const unsigned char *p = g_bytes_get_data(der, NULL);
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)g_bytes_get_size(der));
    ERR_clear_error();
    return cms;
}

/* RFC 8551 3.2.2: without smime-type the CMS content type decides. */
static SmimeKind
smime_kind_from_body(const MailMessage *m)
{
    g_autoptr(CMS_ContentInfo) cms = smime_cms_from_body(m, NULL);
    if (cms == NULL)
        return SMIME_KIND_NONE;
    switch (OBJ_obj2nid(CMS_get0_type(cms))) {
    case NID_pkcs7_signed:
        return SMIME_KIND_OPAQUE_SIGNED;
    case NID_pkcs7_enveloped:
        return SMIME_KIND_ENVELOPED;
    case NID_id_smime_ct_authEnvelopedData:
        return SMIME_KIND_AUTH_ENVELOPED;
    default:
        return SMIME_KIND_NONE;
    }
}

SmimeKind
smime_kind_of_message(const MailMessage *m)
{
    g_autoptr(MailContentType) ct = mail_message_get_content_type(m);
    if (mail_content_type_is(ct, "multipart", "signed")) {
        /* RFC 8551 3.5.3; the x- form is what older agents wrote. */
        const char *proto = mail_content_type_get_param(ct, "protocol");
        if (proto != NULL && (g_ascii_strcasecmp(proto, "application/pkcs7-signature") == 0 ||
                              g_ascii_strcasecmp(proto, "application/x-pkcs7-signature") == 0))
            return SMIME_KIND_CLEAR_SIGNED;
        return SMIME_KIND_NONE;
    }
    if (!mail_content_type_is(ct, "application", "pkcs7-mime") &&
        !mail_content_type_is(ct, "application", "x-pkcs7-mime"))
        return SMIME_KIND_NONE;
    const char *st = mail_content_type_get_param(ct, "smime-type");
    if (st == NULL)
        return smime_kind_from_body(m);
    if (g_ascii_strcasecmp(st, "signed-data") == 0)
        return SMIME_KIND_OPAQUE_SIGNED;
    if (g_ascii_strcasecmp(st, "enveloped-data") == 0)
        return SMIME_KIND_ENVELOPED;
    if (g_ascii_strcasecmp(st, "authEnveloped-data") == 0)
        return SMIME_KIND_AUTH_ENVELOPED;
    return SMIME_KIND_NONE; /* certs-only, compressed-data: not handled here */
}

SmimeKind
smime_message_kind(const guint8 *msg, gsize len)
{
    g_return_val_if_fail(msg != NULL || len == 0, SMIME_KIND_NONE);
    g_autoptr(MailMessage) m = mail_message_parse(msg, len, NULL);
    return smime_kind_of_message(m);
}

GBytes *
smime_to_crlf(const guint8 *data, gsize len)
{
    GByteArray *out = g_byte_array_sized_new((guint)(len + len / 32 + 2));
    gsize start = 0;
    for (gsize i = 0; i < len; i++) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) {
            g_byte_array_append(out, data + start, (guint)(i - start));
            g_byte_array_append(out, (const guint8 *)"\r\n", 2);
            start = i + 1;
        }
    }
    g_byte_array_append(out, data + start, (guint)(len - start));
    return g_byte_array_free_to_bytes(out);
}

void
smime_parts_clear(SmimeParts *p)
{
    g_clear_pointer(&p->outer, g_bytes_unref);
    g_clear_pointer(&p->entity, g_bytes_unref);
}

static gboolean
smime_is_content_field(const char *name)
{
    return g_ascii_strncasecmp(name, "Content-", 8) == 0;
}

/* RFC 8551 3.1.2: 8-bit data in signed content must be made 7-bit. */
static gboolean
smime_body_needs_encoding(const guint8 *body, gsize len, const char *cte)
{
    if (cte != NULL && g_ascii_strcasecmp(cte, "7bit") != 0 &&
        g_ascii_strcasecmp(cte, "8bit") != 0 && g_ascii_strcasecmp(cte, "binary") != 0)
        return FALSE; /* already quoted-printable or base64 */
    for (gsize i = 0; i < len; i++)
        if (body[i] >= 0x80 || body[i] == 0)
            return TRUE;
    return FALSE;
}

static void
smime_split_message(const guint8 *msg, gsize len, gboolean add_defaults, SmimeParts *out)
{
    g_autoptr(GBytes) crlf = smime_to_crlf(msg, len);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(crlf, NULL);
    GByteArray *outer = g_byte_array_new();
    GByteArray *entity = g_byte_array_new();
    gsize body_len;
    const guint8 *body = mail_message_get_body(m, &body_len);
    const char *cte = mail_message_get(m, "Content-Transfer-Encoding");
    gboolean encode = add_defaults && smime_body_needs_encoding(body, body_len, cte);
    if (add_defaults && mail_message_find(m, "Content-Type", 0) < 0) {
        const char *ct = encode ? "Content-Type: text/plain; charset=utf-8\r\n"
                                : "Content-Type: text/plain; charset=us-ascii\r\n";
        g_byte_array_append(entity, (const guint8 *)ct, (guint)strlen(ct));
    }
    for (guint i = 0; i < mail_message_n_fields(m); i++) {
        const char *name = mail_message_field_name(m, i);
        gsize flen;
        const char *raw = mail_message_field_raw(m, i, &flen);
        if (g_ascii_strcasecmp(name, "MIME-Version") == 0)
            continue;
        if (encode && g_ascii_strcasecmp(name, "Content-Transfer-Encoding") == 0)
            continue;
        GByteArray *dst = smime_is_content_field(name) ? entity : outer;
        g_byte_array_append(dst, (const guint8 *)raw, (guint)flen);
    }
    if (encode) {
        const char *f = "Content-Transfer-Encoding: base64\r\n\r\n";
        g_byte_array_append(entity, (const guint8 *)f, (guint)strlen(f));
        g_autoptr(GBytes) b64 = smime_base64_encode(body, body_len);
        g_byte_array_append(entity, g_bytes_get_data(b64, NULL), (guint)g_bytes_get_size(b64));
    } else {
        g_byte_array_append(entity, (const guint8 *)"\r\n", 2);
        g_byte_array_append(entity, body, (guint)body_len);
    }
    out->outer = g_byte_array_free_to_bytes(outer);
    out->entity = g_byte_array_free_to_bytes(entity);
}

void
smime_split(const guint8 *msg, gsize len, SmimeParts *out)
{
    smime_split_message(msg, len, TRUE, out);
}

void
smime_split_raw(const guint8 *msg, gsize len, SmimeParts *out)
{
    smime_split_message(msg, len, FALSE, out);
}

GBytes *
smime_build_message(GBytes *outer, const guint8 *entity, gsize len)
{
    static const char mv[] = "MIME-Version: 1.0\r\n";
    GByteArray *m = g_byte_array_sized_new((guint)(g_bytes_get_size(outer) + len + 32));
    g_byte_array_append(m, g_bytes_get_data(outer, NULL), (guint)g_bytes_get_size(outer));
    g_byte_array_append(m, (const guint8 *)mv, sizeof mv - 1);
    g_byte_array_append(m, entity, (guint)len);
    return g_byte_array_free_to_bytes(m);
}

GBytes *
smime_base64_encode(const guint8 *data, gsize len)
{
    g_autofree char *flat = g_base64_encode(data, len);
    gsize n = strlen(flat);
    GString *s = g_string_sized_new(n + n / SMIME_BASE64_LINE * 2 + 2);
    for (gsize i = 0; i < n; i += SMIME_BASE64_LINE) {
        g_string_append_len(s, flat + i, (gssize)MIN(SMIME_BASE64_LINE, n - i));
        g_string_append(s, "\r\n");
    }
    gsize out_len = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), out_len);
}

GBytes *
smime_base64_decode(const guint8 *data, gsize len)
{
    GString *clean = g_string_sized_new(len);
    for (gsize i = 0; i < len; i++) {
        guint8 c = data[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (!g_ascii_isalnum(c) && c != '+' && c != '/' && c != '=') {
            g_string_free(clean, TRUE);
            return NULL;
        }
        g_string_append_c(clean, (char)c);
    }
    if (clean->len == 0 || clean->len % 4 != 0) {
        g_string_free(clean, TRUE);
        return NULL;
    }
    gsize out_len;
    guchar *out = g_base64_decode(clean->str, &out_len);
    g_string_free(clean, TRUE);
    return g_bytes_new_take(out, out_len);
}

GBytes *
smime_cms_to_der(CMS_ContentInfo *cms)
{
    unsigned char *der = NULL;
    int n = i2d_CMS_ContentInfo(cms, &der);
    g_assert(n > 0);
    GBytes *b = g_bytes_new(der, (gsize)n);
    OPENSSL_free(der);
    return b;
}

GBytes *
smime_pkcs7_mime_entity(const char *smime_type, GBytes *der, GArray *steps)
{
    g_autoptr(GBytes) b64 = smime_base64_encode(g_bytes_get_data(der, NULL), g_bytes_get_size(der));
    smime_step_add(steps, "transfer-encoding", g_bytes_get_size(b64),
                   "base64 (RFC 2045 6.8), %" G_GSIZE_FORMAT
                   " octets of DER become %" G_GSIZE_FORMAT " octets in %u-character lines",
                   g_bytes_get_size(der), g_bytes_get_size(b64), (guint)SMIME_BASE64_LINE);
    GString *e = g_string_new(NULL);
    /* RFC 8551 3.2.1: name=smime.p7m and a matching filename for agents
     * that go by file names. */
    g_string_append_printf(e,
                           "Content-Type: application/pkcs7-mime; smime-type=%s;\r\n"
                           " name=smime.p7m\r\n"
                           "Content-Transfer-Encoding: base64\r\n"
                           "Content-Disposition: attachment; filename=smime.p7m\r\n\r\n",
                           smime_type);
    g_string_append_len(e, g_bytes_get_data(b64, NULL), (gssize)g_bytes_get_size(b64));
    gsize n = e->len;
    return g_bytes_new_take(g_string_free(e, FALSE), n);
}

char *
smime_openssl_reason(void)
{
    unsigned long code;
    GString *s = g_string_new(NULL);
    while ((code = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        if (s->len > 0)
            g_string_append(s, "; ");
        const char *reason = ERR_reason_error_string(code);
        g_string_append(s, reason != NULL ? reason : buf);
    }
    if (s->len == 0)
        g_string_append(s, "unknown reason");
    return g_string_free(s, FALSE);
}

gpointer
smime_set_openssl_error(GError **error, const char *what)
{
    g_autofree char *why = smime_openssl_reason();
    g_set_error(error, SMIME_ERROR, SMIME_ERROR_OPENSSL, "%s: %s", what, why);
    return NULL;
}

char *
smime_cert_subject(X509 *cert)
{
    g_autoptr(BIO) mem = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(mem, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char *p;
    long n = BIO_get_mem_data(mem, &p);
    return g_strndup(p, (gsize)n);
}

char *
smime_key_describe(EVP_PKEY *pkey)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
        return g_strdup_printf("RSA %d-bit", EVP_PKEY_get_bits(pkey));
    case EVP_PKEY_EC: {
        char group[64] = "";
        EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof group, NULL);
        return g_strdup_printf("EC %s", group[0] != '\0' ? group : "(unknown curve)");
    }
    case EVP_PKEY_ED25519:
        return g_strdup("Ed25519");
    default:
        return g_strdup(OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
    }
}
