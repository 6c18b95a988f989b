/* SPDX-License-Identifier: MIT
 * smime_decrypt: opening an enveloped S/MIME message (RFC 8551 3.3) at a
 * recipient: base64 decoding, the RecipientInfo for the recipient's
 * certificate (RFC 5652 6.2), key unwrapping, content decryption
 * (EnvelopedData or AuthEnvelopedData with its GCM tag check, RFC 5083).
 * The result is the whole message again: the outer fields and the
 * decrypted MIME entity (which may itself be signed, RFC 8551 3.7).
 */
#include "proto/smime-private.h"

#include <string.h>

#include <openssl/err.h>

#include "proto/tls_autocleanups.h"

const char *
smime_decrypt_status_name(SmimeDecryptStatus s)
{
    switch (s) {
    case SMIME_DECRYPT_OK:
        return "ok";
    case SMIME_DECRYPT_NOT_RECIPIENT:
        return "not a recipient";
    case SMIME_DECRYPT_NOT_ENCRYPTED:
        return "not encrypted";
    case SMIME_DECRYPT_MALFORMED:
        return "malformed";
    case SMIME_DECRYPT_FAILED:
        return "decryption failed";
    }
    g_assert_not_reached();
}

void
smime_decrypt_result_clear(SmimeDecryptResult *r)
{
    g_clear_pointer(&r->detail, g_free);
    g_clear_pointer(&r->message, g_bytes_unref);
    memset(r, 0, sizeof *r);
}

/* Which failure, once a RecipientInfo names the certificate: a key that
 * does not unwrap the content key, or a content that does not decrypt
 * (GCM tag). Empties the error queue. */
static SmimeDecryptStatus
smime_decrypt_classify(char **detail)
{
    SmimeDecryptStatus st = SMIME_DECRYPT_FAILED;
    unsigned long code;
    GString *s = g_string_new(NULL);
    while ((code = ERR_get_error()) != 0) {
        if (ERR_GET_LIB(code) == ERR_LIB_CMS &&
            (ERR_GET_REASON(code) == CMS_R_NO_MATCHING_RECIPIENT ||
             ERR_GET_REASON(code) == CMS_R_DECRYPT_ERROR))
            st = SMIME_DECRYPT_NOT_RECIPIENT;
        const char *reason = ERR_reason_error_string(code);
        g_string_append_printf(s, "%s%s", s->len > 0 ? "; " : "",
                               reason != NULL ? reason : "unknown");
    }
    *detail = g_string_free(s, FALSE);
    return st;
}

/* TRUE when a RecipientInfo names cert (issuer and serial or subject key
 * identifier, RFC 5652 6.2.1, 6.2.2). Checked here because OpenSSL 3.0
 * leaves no error behind when none matches. */
static gboolean
smime_decrypt_is_recipient(CMS_ContentInfo *cms, X509 *cert)
{
    STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
    for (int i = 0; i < sk_CMS_RecipientInfo_num(ris); i++) {
        CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(ris, i);
        if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS &&
            CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0)
            return TRUE;
        if (CMS_RecipientInfo_type(ri) != CMS_RECIPINFO_AGREE)
            continue;
        STACK_OF(CMS_RecipientEncryptedKey) *reks = CMS_RecipientInfo_kari_get0_reks(ri);
        for (int j = 0; j < sk_CMS_RecipientEncryptedKey_num(reks); j++)
            if (CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(reks, j),
                                                   cert) == 0)
                return TRUE;
    }
    return FALSE;
}

static void
smime_decrypt_cms(CMS_ContentInfo *cms, TlsIdentity *recipient, GBytes *outer, GArray *steps,
                  SmimeDecryptResult *out)
{
    X509 *cert = tls_identity_get_cert(recipient);
    g_autofree char *subject = smime_cert_subject(cert);
    int n_ri = sk_CMS_RecipientInfo_num(CMS_get0_RecipientInfos(cms));
    if (!smime_decrypt_is_recipient(cms, cert)) {
        out->status = SMIME_DECRYPT_NOT_RECIPIENT;
        out->detail = g_strdup_printf("none of the %d RecipientInfos names %s", n_ri, subject);
        smime_step_add(steps, "key-unwrap", 0, "%s", out->detail);
        return;
    }
    g_autoptr(BIO) plain = BIO_new(BIO_s_mem());
    /* With the certificate given, OpenSSL tries only the RecipientInfo
     * that names it (issuer and serial, or key identifier). */
    if (!CMS_decrypt(cms, tls_identity_get_key(recipient), cert, NULL, plain, CMS_BINARY)) {
        out->status = smime_decrypt_classify(&out->detail);
        smime_step_add(steps, "key-unwrap", 0, "the RecipientInfo for %s did not open: %s", subject,
                       out->detail);
        return;
    }
    char *p;
    long n = BIO_get_mem_data(plain, &p);
    smime_step_add(steps, "key-unwrap", 0,
                   "the RecipientInfo for %s (one of %d) gave the content-encryption key", subject,
                   n_ri);
    smime_step_add(steps, "decrypt", (gsize)n, "%s: %ld octets of plaintext MIME entity",
                   out->kind == SMIME_KIND_AUTH_ENVELOPED
                       ? "AES-GCM content decrypted, authentication tag checked"
                       : "content decrypted, padding removed",
                   n);
    out->status = SMIME_DECRYPT_OK;
    out->message = smime_build_message(outer, (const guint8 *)p, (gsize)n);
}

void
smime_decrypt(const guint8 *msg, gsize len, TlsIdentity *recipient, GArray *steps,
              SmimeDecryptResult *out)
{
    g_return_if_fail(msg != NULL || len == 0);
    g_return_if_fail(recipient != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    if (len > SMIME_MESSAGE_MAX) {
        out->status = SMIME_DECRYPT_MALFORMED;
        out->detail = g_strdup_printf("message larger than %d octets", SMIME_MESSAGE_MAX);
        return;
    }
    g_autoptr(GBytes) crlf = smime_to_crlf(msg, len);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(crlf, NULL);
    out->kind = smime_kind_of_message(m);
    if (out->kind != SMIME_KIND_ENVELOPED && out->kind != SMIME_KIND_AUTH_ENVELOPED) {
        out->status = SMIME_DECRYPT_NOT_ENCRYPTED;
        out->detail = g_strdup_printf("the message is %s", smime_kind_name(out->kind));
        return;
    }
    if (!tls_identity_has_key(recipient)) {
        out->status = SMIME_DECRYPT_NOT_RECIPIENT;
        out->detail = g_strdup("no private key");
        return;
    }
    gsize der_len = 0;
    g_autoptr(CMS_ContentInfo) cms = smime_cms_from_body(m, &der_len);
    if (cms == NULL) {
        out->status = SMIME_DECRYPT_MALFORMED;
        out->detail = g_strdup(der_len == 0 ? "the body is not base64" : "the CMS does not parse");
        return;
    }
    smime_step_add(steps, "transfer-decoding", der_len,
                   "base64 body decoded (RFC 2045 6.8): %" G_GSIZE_FORMAT " octets of %s DER",
                   der_len,
                   out->kind == SMIME_KIND_AUTH_ENVELOPED ? "AuthEnvelopedData" : "EnvelopedData");
    SmimeParts parts = {0};
    smime_split_raw(g_bytes_get_data(crlf, NULL), g_bytes_get_size(crlf), &parts);
    smime_decrypt_cms(cms, recipient, parts.outer, steps, out);
    smime_parts_clear(&parts);
}
