/* SPDX-License-Identifier: MIT
 * smime_sign: S/MIME signing (RFC 8551 3.5) with OpenSSL's CMS SignedData
 * (RFC 5652 5): SHA-256 (RFC 8551 2.1), the signer's certificate included,
 * signed attributes contentType, messageDigest, smimeCapabilities and a
 * caller-given signingTime (2.5); clear (multipart/signed, RFC 1847 2.1,
 * micalg=sha-256 per RFC 8551 3.5.3.2) or opaque (signed-data, 3.5.2).
 * Without a signing time there are no signed attributes at all (OpenSSL
 * would otherwise read the wall clock). Ed25519 signing (RFC 8419) is not
 * offered: OpenSSL 3.0's CMS refuses it.
 */
#include "proto/smime-private.h"

#include <string.h>

#include <openssl/evp.h>

#include "proto/tls_autocleanups.h"

static void
smime_sign_attr_steps(CMS_SignerInfo *si, GArray *steps)
{
    int n = CMS_signed_get_attr_count(si);
    if (n <= 0) {
        smime_step_add(steps, "signed-attributes", 0,
                       "none: the signature covers the content digest directly (RFC 5652 5.4)");
        return;
    }
    GString *names = g_string_new(NULL);
    gsize total = 0;
    for (int i = 0; i < n; i++) {
        X509_ATTRIBUTE *a = CMS_signed_get_attr(si, i);
        char buf[80];
        OBJ_obj2txt(buf, sizeof buf, X509_ATTRIBUTE_get0_object(a), 0);
        g_string_append_printf(names, "%s%s", i > 0 ? ", " : "", buf);
        int len = i2d_X509_ATTRIBUTE(a, NULL);
        total += len > 0 ? (gsize)len : 0;
    }
    smime_step_add(steps, "signed-attributes", total,
                   "%d signed attributes (%s), DER-encoded and hashed with SHA-256 for the "
                   "signature (RFC 5652 5.4)",
                   n, names->str);
    g_string_free(names, TRUE);
}

static void
smime_sign_signature_step(CMS_SignerInfo *si, EVP_PKEY *pkey, X509 *cert, GArray *steps)
{
    X509_ALGOR *sig_alg = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sig_alg);
    char alg[80] = "?";
    if (sig_alg != NULL)
        OBJ_obj2txt(alg, sizeof alg, sig_alg->algorithm, 0);
    ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    g_autofree char *key = smime_key_describe(pkey);
    g_autofree char *subject = smime_cert_subject(cert);
    /* OpenSSL names PKCS #1 v1.5 signatures by the key's OID (RFC 3370 3.2). */
    const char *scheme = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA ? "RSASSA-PKCS1-v1_5 " : "";
    smime_step_add(steps, "signature", (gsize)ASN1_STRING_length(sig),
                   "%s%s%s%s over the %s with the %s key of %s: %d octets", scheme,
                   *scheme ? "(" : "", alg, *scheme ? ")" : "",
                   CMS_signed_get_attr_count(si) > 0 ? "signed attributes" : "content digest", key,
                   subject, ASN1_STRING_length(sig));
}

/* The CMS SignedData over data; detached for clear signing. */
static CMS_ContentInfo *
smime_sign_cms(GBytes *data, const SmimeSignConfig *cfg, gboolean detached, GArray *steps,
               GError **error)
{
    X509 *cert = tls_identity_get_cert(cfg->signer);
    EVP_PKEY *key = tls_identity_get_key(cfg->signer);
    unsigned int flags = CMS_BINARY | CMS_PARTIAL | (detached ? CMS_DETACHED : 0);
    if (cfg->signing_time == 0)
        flags |= CMS_NOATTR;
    g_autoptr(CMS_ContentInfo) cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
    if (cms == NULL)
        return smime_set_openssl_error(error, "cannot start SignedData");
    CMS_SignerInfo *si = CMS_add1_signer(cms, cert, key, EVP_sha256(), flags);
    if (si == NULL) {
        g_autofree char *k = smime_key_describe(key);
        g_autofree char *why = smime_openssl_reason();
        g_set_error(error, SMIME_ERROR, SMIME_ERROR_KEY, "cannot sign with a %s key: %s", k, why);
        return NULL;
    }
    if (cfg->signing_time != 0) {
        /* RFC 5652 11.3: UTCTime through 2049, as ASN1_TIME_set picks. */
        g_autoptr(ASN1_TIME) t = ASN1_TIME_set(NULL, (time_t)cfg->signing_time);
        if (t == NULL || !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t, -1))
            return smime_set_openssl_error(error, "cannot add signingTime");
    }
    g_autoptr(BIO) in = BIO_new_mem_buf(g_bytes_get_data(data, NULL), (int)g_bytes_get_size(data));
    if (!CMS_final(cms, in, NULL, flags))
        return smime_set_openssl_error(error, "cannot sign");
    smime_sign_attr_steps(si, steps);
    smime_sign_signature_step(si, key, cert, steps);
    return g_steal_pointer(&cms);
}

static gboolean
smime_sign_contains(GBytes *hay, const char *needle)
{
    gsize n;
    const guint8 *h = g_bytes_get_data(hay, &n);
    gsize k = strlen(needle);
    for (gsize i = 0; i + k <= n; i++)
        if (h[i] == (guint8)needle[0] && memcmp(h + i, needle, k) == 0)
            return TRUE;
    return FALSE;
}

/* A boundary from the content's digest: reproducible, and checked not to
 * occur in the content (RFC 2046 5.1.1). */
static char *
smime_sign_boundary(GBytes *entity, const guint8 digest[32])
{
    GString *b = g_string_new("smime-");
    for (int i = 0; i < 12; i++)
        g_string_append_printf(b, "%02x", digest[i]);
    for (;;) {
        g_autofree char *delim = g_strconcat("--", b->str, NULL);
        if (!smime_sign_contains(entity, delim))
            return g_string_free(b, FALSE);
        g_string_append_c(b, 'x');
    }
}

/* RFC 8551 3.5.3: the entity, then the signature as application/pkcs7-signature. */
static GBytes *
smime_sign_multipart(GBytes *entity, GBytes *der, const char *boundary, GArray *steps)
{
    g_autoptr(GBytes) b64 = smime_base64_encode(g_bytes_get_data(der, NULL), g_bytes_get_size(der));
    smime_step_add(steps, "transfer-encoding", g_bytes_get_size(b64),
                   "base64 (RFC 2045 6.8), %" G_GSIZE_FORMAT
                   " octets of DER become %" G_GSIZE_FORMAT " octets in %u-character lines",
                   g_bytes_get_size(der), g_bytes_get_size(b64), (guint)SMIME_BASE64_LINE);
    GString *e = g_string_new(NULL);
    g_string_append_printf(
        e,
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n"
        " micalg=sha-256; boundary=\"%s\"\r\n\r\n"
        "This is an S/MIME signed message.\r\n\r\n--%s\r\n",
        boundary, boundary);
    g_string_append_len(e, g_bytes_get_data(entity, NULL), (gssize)g_bytes_get_size(entity));
    g_string_append_printf(e,
                           "\r\n--%s\r\n"
                           "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                           "Content-Transfer-Encoding: base64\r\n"
                           "Content-Disposition: attachment; filename=smime.p7s\r\n\r\n",
                           boundary);
    g_string_append_len(e, g_bytes_get_data(b64, NULL), (gssize)g_bytes_get_size(b64));
    g_string_append_printf(e, "\r\n--%s--\r\n", boundary);
    gsize n = e->len;
    return g_bytes_new_take(g_string_free(e, FALSE), n);
}

GBytes *
smime_sign_entity(GBytes *entity, const SmimeSignConfig *cfg, GArray *steps, GError **error)
{
    if (!tls_identity_has_key(cfg->signer)) {
        g_set_error(error, SMIME_ERROR, SMIME_ERROR_KEY, "the signer has no private key");
        return NULL;
    }
    /* RFC 8419 3.1 wants SHA-512 with Ed25519 and OpenSSL 3.0's CMS cannot
     * sign with it at all: refuse clearly rather than half-way. */
    int key_type = EVP_PKEY_get_base_id(tls_identity_get_key(cfg->signer));
    if (key_type != EVP_PKEY_RSA && key_type != EVP_PKEY_EC) {
        g_autofree char *k = smime_key_describe(tls_identity_get_key(cfg->signer));
        g_set_error(error, SMIME_ERROR, SMIME_ERROR_KEY,
                    "cannot sign S/MIME with a %s key (RSA or EC needed)", k);
        return NULL;
    }
    gsize len = g_bytes_get_size(entity);
    smime_step_add(
        steps, "canonicalize", len,
        "MIME entity with CRLF line endings (RFC 8551 3.1.1): %" G_GSIZE_FORMAT " octets", len);
    guint8 digest[32];
    EVP_Digest(g_bytes_get_data(entity, NULL), len, digest, NULL, EVP_sha256(), NULL);
    smime_step_add(steps, "digest", sizeof digest,
                   "SHA-256 of the canonical entity (RFC 8551 2.1): %02x%02x%02x%02x...", digest[0],
                   digest[1], digest[2], digest[3]);
    gboolean clear = cfg->form == SMIME_SIGN_CLEAR;
    g_autoptr(CMS_ContentInfo) cms = smime_sign_cms(entity, cfg, clear, steps, error);
    if (cms == NULL)
        return NULL;
    g_autoptr(GBytes) der = smime_cms_to_der(cms);
    smime_step_add(
        steps, "cms", g_bytes_get_size(der),
        "CMS SignedData (RFC 5652 5.1), %s, signer certificate included: %" G_GSIZE_FORMAT
        " octets DER",
        clear ? "content detached" : "content encapsulated", g_bytes_get_size(der));
    GBytes *out;
    if (clear) {
        g_autofree char *boundary =
            cfg->boundary != NULL ? g_strdup(cfg->boundary) : smime_sign_boundary(entity, digest);
        out = smime_sign_multipart(entity, der, boundary, steps);
        smime_step_add(steps, "mime", g_bytes_get_size(out),
                       "multipart/signed; protocol=\"application/pkcs7-signature\"; "
                       "micalg=sha-256 (RFC 8551 3.5.3): %" G_GSIZE_FORMAT " octets",
                       g_bytes_get_size(out));
    } else {
        out = smime_pkcs7_mime_entity("signed-data", der, steps);
        smime_step_add(steps, "mime", g_bytes_get_size(out),
                       "application/pkcs7-mime; smime-type=signed-data (RFC 8551 3.5.2): "
                       "%" G_GSIZE_FORMAT " octets",
                       g_bytes_get_size(out));
    }
    return out;
}

GBytes *
smime_sign(const guint8 *msg, gsize len, const SmimeSignConfig *cfg, GArray *steps, GError **error)
{
    g_return_val_if_fail(msg != NULL || len == 0, NULL);
    g_return_val_if_fail(cfg != NULL && cfg->signer != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    if (len > SMIME_MESSAGE_MAX) {
        g_set_error(error, SMIME_ERROR, SMIME_ERROR_INPUT, "message larger than %d octets",
                    SMIME_MESSAGE_MAX);
        return NULL;
    }
    SmimeParts parts = {0};
    smime_split(msg, len, &parts);
    g_autoptr(GBytes) entity = smime_sign_entity(parts.entity, cfg, steps, error);
    GBytes *out = NULL;
    if (entity != NULL)
        out = smime_build_message(parts.outer, g_bytes_get_data(entity, NULL),
                                  g_bytes_get_size(entity));
    smime_parts_clear(&parts);
    return out;
}
