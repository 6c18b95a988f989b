/* SPDX-License-Identifier: MIT
 * smime_verify: checking a signed S/MIME message (RFC 8551 3.5, 3.1):
 * the CMS signature over the exact signed octets (RFC 5652 5.6), the
 * signer's certificate chain to in-memory trust anchors with the S/MIME
 * signing purpose (RFC 8550 4), and the From address against the
 * certificate's rfc822Name subjectAltNames (RFC 8550 3, RFC 8551 3.1;
 * the Sender field is accepted too).
 * Only the first SignerInfo is judged; revocation is not checked.
 */
#include "proto/smime-private.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "proto/address.h"
#include "proto/message_mime.h"
#include "proto/tls_autocleanups.h"

const char *
smime_verify_status_name(SmimeVerifyStatus s)
{
    switch (s) {
    case SMIME_VERIFY_VALID:
        return "valid";
    case SMIME_VERIFY_CONTENT_ALTERED:
        return "content altered";
    case SMIME_VERIFY_UNKNOWN_SIGNER:
        return "unknown signer";
    case SMIME_VERIFY_ADDRESS_MISMATCH:
        return "address mismatch";
    case SMIME_VERIFY_EXPIRED:
        return "expired";
    case SMIME_VERIFY_NOT_SIGNED:
        return "not signed";
    case SMIME_VERIFY_MALFORMED:
        return "malformed";
    }
    g_assert_not_reached();
}

void
smime_verify_result_clear(SmimeVerifyResult *r)
{
    g_free(r->detail);
    g_free(r->from_address);
    g_free(r->signer_subject);
    g_clear_pointer(&r->signer_emails, g_ptr_array_unref);
    g_clear_pointer(&r->message, g_bytes_unref);
    memset(r, 0, sizeof *r);
}

static void
smime_verify_set(SmimeVerifyResult *out, SmimeVerifyStatus st, char *detail)
{
    out->status = st;
    g_free(out->detail);
    out->detail = detail;
}

/* RFC 1847 2.1: the first part's octets exactly as received are the
 * signed content; the second holds the signature. */
static gboolean
smime_verify_clear_parts(const MailMessage *m, GBytes **content, CMS_ContentInfo **cms,
                         SmimeVerifyResult *out)
{
    g_autoptr(MailMultipart) mp = mail_message_split_multipart(m);
    if (mp == NULL || mp->parts->len < 2) {
        smime_verify_set(out, SMIME_VERIFY_MALFORMED,
                         g_strdup("multipart/signed without two parts"));
        return FALSE;
    }
    *content = mail_message_serialize(mp->parts->pdata[0]);
    *cms = smime_cms_from_body(mp->parts->pdata[1], NULL);
    if (*cms == NULL) {
        smime_verify_set(out, SMIME_VERIFY_MALFORMED,
                         g_strdup("the signature part does not hold a CMS SignedData"));
        return FALSE;
    }
    return TRUE;
}

static gint64
smime_verify_signing_time(CMS_SignerInfo *si)
{
    int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (idx < 0)
        return 0;
    ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
    if (t == NULL || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME))
        return 0;
    g_autoptr(ASN1_TIME) epoch = ASN1_TIME_set(NULL, 0);
    int days = 0, secs = 0;
    if (!ASN1_TIME_diff(&days, &secs, epoch, (const ASN1_TIME *)t->value.ptr))
        return 0;
    return (gint64)days * 86400 + secs;
}

static GPtrArray *
smime_verify_cert_emails(X509 *cert)
{
    GPtrArray *emails = g_ptr_array_new_with_free_func(g_free);
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type == GEN_EMAIL)
            g_ptr_array_add(emails, g_strndup((const char *)ASN1_STRING_get0_data(gn->d.rfc822Name),
                                              (gsize)ASN1_STRING_length(gn->d.rfc822Name)));
    }
    GENERAL_NAMES_free(names);
    return emails;
}

/* CMS_verify without the chain: the signature over the content. */
static gboolean
smime_verify_signature(CMS_ContentInfo *cms, GBytes *content, BIO *opaque_out,
                       SmimeVerifyResult *out)
{
    g_autoptr(BIO) dcont = content != NULL ? BIO_new_mem_buf(g_bytes_get_data(content, NULL),
                                                             (int)g_bytes_get_size(content))
                                           : NULL;
    if (CMS_verify(cms, NULL, NULL, dcont, opaque_out, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY))
        return TRUE;
    SmimeVerifyStatus st = SMIME_VERIFY_MALFORMED;
    unsigned long code;
    GString *s = g_string_new(NULL);
    while ((code = ERR_get_error()) != 0) {
        int r = ERR_GET_LIB(code) == ERR_LIB_CMS ? ERR_GET_REASON(code) : 0;
        if (r == CMS_R_CONTENT_VERIFY_ERROR || r == CMS_R_VERIFICATION_FAILURE)
            st = SMIME_VERIFY_CONTENT_ALTERED;
        else if (r == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND && st == SMIME_VERIFY_MALFORMED)
            st = SMIME_VERIFY_UNKNOWN_SIGNER;
        const char *reason = ERR_reason_error_string(code);
        g_string_append_printf(s, "%s%s", s->len > 0 ? "; " : "",
                               reason != NULL ? reason : "unknown");
    }
    smime_verify_set(out, st, g_string_free(s, FALSE));
    return FALSE;
}

/* RFC 8550 4: a chain to a trust anchor, valid at the given time, for
 * S/MIME signing (keyUsage, extendedKeyUsage emailProtection). */
static gboolean
smime_verify_chain(CMS_ContentInfo *cms, X509 *signer, const SmimeVerifyConfig *cfg, gint64 at,
                   SmimeVerifyResult *out, GArray *steps)
{
    g_autoptr(X509_STORE) store = X509_STORE_new();
    for (TlsIdentity *const *a = cfg->anchors; a != NULL && *a != NULL; a++)
        X509_STORE_add_cert(store, tls_identity_get_cert(*a));
    STACK_OF(X509) *untrusted = CMS_get1_certs(cms);
    g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new();
    gboolean ok = X509_STORE_CTX_init(ctx, store, signer, untrusted) == 1 &&
                  X509_STORE_CTX_set_default(ctx, "smime_sign") == 1;
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    if (at != 0)
        X509_VERIFY_PARAM_set_time(param, (time_t)at);
    else
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
    ok = ok && X509_verify_cert(ctx) == 1;
    int err = X509_STORE_CTX_get_error(ctx);
    int depth = ok ? sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) : 0;
    sk_X509_pop_free(untrusted, X509_free);
    ERR_clear_error();
    if (ok) {
        smime_step_add(steps, "chain", (gsize)depth,
                       "certificate chain of %d to a trust anchor, S/MIME signing purpose "
                       "(RFC 8550 4)%s",
                       depth, at != 0 ? "" : ", validity times not checked");
        return TRUE;
    }
    gboolean expired = err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID;
    smime_verify_set(out, expired ? SMIME_VERIFY_EXPIRED : SMIME_VERIFY_UNKNOWN_SIGNER,
                     g_strdup(X509_verify_cert_error_string(err)));
    smime_step_add(steps, "chain", 0, "certificate chain rejected: %s", out->detail);
    return FALSE;
}

/* The first mailbox of field name that the certificate holds, else the
 * first mailbox at all (*matched FALSE); NULL when there is none. */
static char *
smime_verify_field_address(const MailMessage *m, const char *name, X509 *signer, gboolean *matched)
{
    const char *value = mail_message_get(m, name);
    g_autoptr(GPtrArray) boxes = value != NULL ? mail_mailbox_list_parse(value, NULL) : NULL;
    *matched = FALSE;
    if (boxes == NULL || boxes->len == 0)
        return NULL;
    for (guint i = 0; i < boxes->len; i++) {
        const MailMailbox *mb = boxes->pdata[i];
        if (mb->addr != NULL && X509_check_email(signer, mb->addr, 0, 0) == 1) {
            *matched = TRUE;
            return g_strdup(mb->addr);
        }
    }
    return g_strdup(((const MailMailbox *)boxes->pdata[0])->addr);
}

/* RFC 8550 3: the address in the From or Sender field must be an
 * rfc822Name of the signer's certificate (RFC 8551 3.1: the outer
 * fields themselves are not signed, so this is what ties them). */
static gboolean
smime_verify_address(const MailMessage *m, X509 *signer, SmimeVerifyResult *out, GArray *steps)
{
    gboolean matched = FALSE;
    const char *field = "From";
    out->from_address = smime_verify_field_address(m, "From", signer, &matched);
    if (!matched && mail_message_find(m, "Sender", 0) >= 0) {
        g_autofree char *sender = smime_verify_field_address(m, "Sender", signer, &matched);
        if (matched) {
            g_free(out->from_address);
            out->from_address = g_steal_pointer(&sender);
            field = "Sender";
        }
    }
    if (matched) {
        smime_step_add(steps, "address", 0, "%s <%s> is an rfc822Name of the signer's certificate",
                       field, out->from_address);
        return TRUE;
    }
    GString *have = g_string_new(NULL);
    for (guint i = 0; i < out->signer_emails->len; i++)
        g_string_append_printf(have, "%s%s", i > 0 ? ", " : "",
                               (const char *)out->signer_emails->pdata[i]);
    if (have->len == 0)
        g_string_append(have, "none");
    if (out->from_address == NULL)
        smime_verify_set(out, SMIME_VERIFY_ADDRESS_MISMATCH,
                         g_strdup_printf("no usable From field; certificate holds %s", have->str));
    else
        smime_verify_set(
            out, SMIME_VERIFY_ADDRESS_MISMATCH,
            g_strdup_printf("From <%s>, certificate holds %s", out->from_address, have->str));
    g_string_free(have, TRUE);
    smime_step_add(steps, "address", 0, "address mismatch: %s", out->detail);
    return FALSE;
}

static void
smime_verify_signer_info(CMS_ContentInfo *cms, X509 *signer, SmimeVerifyResult *out)
{
    out->signer_subject = smime_cert_subject(signer);
    out->signer_emails = smime_verify_cert_emails(signer);
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(sis) > 0)
        out->signing_time = smime_verify_signing_time(sk_CMS_SignerInfo_value(sis, 0));
}

/* The signature, then the chain, then the address. */
static void
smime_verify_cms(const MailMessage *m, CMS_ContentInfo *cms, GBytes *content,
                 const SmimeVerifyConfig *cfg, GBytes *outer, GArray *steps, SmimeVerifyResult *out)
{
    g_autoptr(BIO) opaque = content == NULL ? BIO_new(BIO_s_mem()) : NULL;
    gboolean sig_ok = smime_verify_signature(cms, content, opaque, out);
    STACK_OF(X509) *signers = CMS_get0_signers(cms);
    X509 *signer = sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : NULL;
    if (signer != NULL)
        smime_verify_signer_info(cms, signer, out);
    if (content != NULL) {
        out->message =
            smime_build_message(outer, g_bytes_get_data(content, NULL), g_bytes_get_size(content));
    } else if (sig_ok) {
        char *p;
        long n = BIO_get_mem_data(opaque, &p);
        out->message = smime_build_message(outer, (const guint8 *)p, (gsize)n);
    }
    if (out->message != NULL)
        smime_step_add(steps, "digest", 32, "SHA-256 recomputed over the signed entity");
    if (!sig_ok) {
        smime_step_add(steps, "signature", 0, "signature check failed: %s", out->detail);
    } else {
        smime_step_add(steps, "signature", 0, "signature by %s matches the content",
                       out->signer_subject != NULL ? out->signer_subject : "?");
        gint64 at = cfg->now_unix != 0 ? cfg->now_unix : out->signing_time;
        if (signer != NULL && smime_verify_chain(cms, signer, cfg, at, out, steps) &&
            smime_verify_address(m, signer, out, steps))
            smime_verify_set(out, SMIME_VERIFY_VALID, NULL);
    }
    sk_X509_free(signers);
}

void
smime_verify(const guint8 *msg, gsize len, const SmimeVerifyConfig *cfg, GArray *steps,
             SmimeVerifyResult *out)
{
    g_return_if_fail(msg != NULL || len == 0);
    g_return_if_fail(cfg != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    if (len > SMIME_MESSAGE_MAX) {
        smime_verify_set(out, SMIME_VERIFY_MALFORMED,
                         g_strdup_printf("message larger than %d octets", SMIME_MESSAGE_MAX));
        return;
    }
    g_autoptr(GBytes) crlf = smime_to_crlf(msg, len);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(crlf, NULL);
    SmimeKind kind = smime_kind_of_message(m);
    g_autoptr(GBytes) content = NULL;
    g_autoptr(CMS_ContentInfo) cms = NULL;
    gsize der_len = 0;
    if (kind == SMIME_KIND_CLEAR_SIGNED) {
        if (!smime_verify_clear_parts(m, &content, &cms, out))
            return;
    } else if (kind == SMIME_KIND_OPAQUE_SIGNED) {
        cms = smime_cms_from_body(m, &der_len);
        if (cms == NULL) {
            smime_verify_set(out, SMIME_VERIFY_MALFORMED, g_strdup("the CMS does not parse"));
            return;
        }
    } else {
        smime_verify_set(out, SMIME_VERIFY_NOT_SIGNED,
                         g_strdup_printf("the message is %s", smime_kind_name(kind)));
        return;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
        smime_verify_set(out, SMIME_VERIFY_MALFORMED, g_strdup("the CMS is not SignedData"));
        return;
    }
    smime_step_add(steps, "transfer-decoding", der_len,
                   "%s: base64 CMS SignedData decoded (RFC 2045 6.8)", smime_kind_name(kind));
    SmimeParts parts = {0};
    smime_split_raw(g_bytes_get_data(crlf, NULL), g_bytes_get_size(crlf), &parts);
    smime_verify_cms(m, cms, content, cfg, parts.outer, steps, out);
    smime_parts_clear(&parts);
}
