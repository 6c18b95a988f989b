/* SPDX-License-Identifier: MIT
 * smime_encrypt: S/MIME encryption and decryption (RFC 8551 3.3, 3.7) with
 * OpenSSL's CMS: EnvelopedData (RFC 5652 6) for AES-CBC and
 * AuthEnvelopedData (RFC 5083, AES-GCM per RFC 5084) for AES-GCM. Each
 * recipient gets the content-encryption key wrapped for its certificate:
 * RSA key transport (RSAES-OAEP with SHA-256, RFC 4055, or PKCS #1 v1.5,
 * RFC 3370 4.2.1), or EC key agreement (ECDH, RFC 5753) with AES key wrap.
 * Compression (RFC 8551 3.6) is not done.
 */
#include "proto/smime-private.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "proto/tls_autocleanups.h"

static const struct {
    SmimeCipher cipher;
    const char *name;
} smime_ciphers[] = {
    {SMIME_CIPHER_AES256_GCM, "aes-256-gcm"},
    {SMIME_CIPHER_AES128_GCM, "aes-128-gcm"},
    {SMIME_CIPHER_AES256_CBC, "aes-256-cbc"},
    {SMIME_CIPHER_AES128_CBC, "aes-128-cbc"},
};

const char *
smime_cipher_name(SmimeCipher c)
{
    for (gsize i = 0; i < G_N_ELEMENTS(smime_ciphers); i++)
        if (smime_ciphers[i].cipher == c)
            return smime_ciphers[i].name;
    g_return_val_if_reached("?");
}

gboolean
smime_cipher_from_name(const char *name, SmimeCipher *out)
{
    for (gsize i = 0; i < G_N_ELEMENTS(smime_ciphers); i++)
        if (g_ascii_strcasecmp(smime_ciphers[i].name, name) == 0) {
            *out = smime_ciphers[i].cipher;
            return TRUE;
        }
    return FALSE;
}

static const EVP_CIPHER *
smime_cipher_evp(SmimeCipher c)
{
    switch (c) {
    case SMIME_CIPHER_AES256_GCM:
        return EVP_aes_256_gcm();
    case SMIME_CIPHER_AES128_GCM:
        return EVP_aes_128_gcm();
    case SMIME_CIPHER_AES256_CBC:
        return EVP_aes_256_cbc();
    case SMIME_CIPHER_AES128_CBC:
        return EVP_aes_128_cbc();
    }
    g_return_val_if_reached(NULL);
}

static gboolean
smime_cipher_is_gcm(SmimeCipher c)
{
    return c == SMIME_CIPHER_AES256_GCM || c == SMIME_CIPHER_AES128_GCM;
}

/* Adds one recipient; RSA with OAEP needs its parameters set before the
 * key is wrapped (CMS_KEY_PARAM, as `openssl cms -keyopt` does). */
static gboolean
smime_encrypt_add_recipient(CMS_ContentInfo *cms, TlsIdentity *rcpt, SmimeRsaPadding padding,
                            GError **error)
{
    X509 *cert = tls_identity_get_cert(rcpt);
    EVP_PKEY *pk = X509_get0_pubkey(cert);
    int type = pk != NULL ? EVP_PKEY_get_base_id(pk) : 0;
    g_autofree char *subject = smime_cert_subject(cert);
    if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
        g_autofree char *k = pk != NULL ? smime_key_describe(pk) : g_strdup("no");
        g_set_error(error, SMIME_ERROR, SMIME_ERROR_KEY,
                    "%s: a %s key cannot receive encrypted mail (RSA or EC needed)", subject, k);
        return FALSE;
    }
    gboolean oaep = type == EVP_PKEY_RSA && padding == SMIME_RSA_OAEP;
    CMS_RecipientInfo *ri = CMS_add1_recipient_cert(cms, cert, oaep ? CMS_KEY_PARAM : 0);
    if (ri == NULL) {
        g_autofree char *what = g_strdup_printf("cannot add recipient %s", subject);
        smime_set_openssl_error(error, what);
        return FALSE;
    }
    if (oaep) {
        EVP_PKEY_CTX *pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
        if (pctx == NULL || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) <= 0 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0) {
            smime_set_openssl_error(error, "cannot set RSAES-OAEP");
            return FALSE;
        }
    }
    return TRUE;
}

/* One "key-wrap" step per RecipientInfo. The wrapped key itself is not
 * exposed by OpenSSL: its size is the RSA modulus (key transport) or the
 * content key plus the 8-octet AES key wrap block (RFC 3394). */
static void
smime_encrypt_recipient_steps(CMS_ContentInfo *cms, gsize key_len, GArray *steps)
{
    STACK_OF(CMS_RecipientInfo) *ris = CMS_get0_RecipientInfos(cms);
    for (int i = 0; i < sk_CMS_RecipientInfo_num(ris); i++) {
        CMS_RecipientInfo *ri = sk_CMS_RecipientInfo_value(ris, i);
        char alg[80] = "?";
        if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
            EVP_PKEY *pk = NULL;
            X509_ALGOR *palg = NULL;
            CMS_RecipientInfo_ktri_get0_algs(ri, &pk, NULL, &palg);
            if (palg != NULL)
                OBJ_obj2txt(alg, sizeof alg, palg->algorithm, 0);
            g_autofree char *k = pk != NULL ? smime_key_describe(pk) : g_strdup("?");
            gsize n = pk != NULL ? (gsize)EVP_PKEY_get_size(pk) : 0;
            smime_step_add(steps, "key-wrap", n,
                           "recipient %d: KeyTransRecipientInfo, content key encrypted with "
                           "%s under the recipient's %s public key: %" G_GSIZE_FORMAT " octets",
                           i + 1, alg, k, n);
        } else if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_AGREE) {
            X509_ALGOR *palg = NULL;
            CMS_RecipientInfo_kari_get0_alg(ri, &palg, NULL);
            if (palg != NULL)
                OBJ_obj2txt(alg, sizeof alg, palg->algorithm, 0);
            smime_step_add(steps, "key-wrap", key_len + 8,
                           "recipient %d: KeyAgreeRecipientInfo, ephemeral-static ECDH (%s), "
                           "content key wrapped with AES key wrap (RFC 3394): %" G_GSIZE_FORMAT
                           " octets",
                           i + 1, alg, key_len + 8);
        }
    }
}

static CMS_ContentInfo *
smime_encrypt_cms(GBytes *entity, const SmimeEncryptConfig *cfg, GError **error)
{
    unsigned int flags = CMS_BINARY | CMS_PARTIAL;
    g_autoptr(CMS_ContentInfo) cms = CMS_encrypt(NULL, NULL, smime_cipher_evp(cfg->cipher), flags);
    if (cms == NULL)
        return smime_set_openssl_error(error, "cannot start EnvelopedData");
    for (TlsIdentity *const *r = cfg->recipients; *r != NULL; r++)
        if (!smime_encrypt_add_recipient(cms, *r, cfg->rsa_padding, error))
            return NULL;
    g_autoptr(BIO) in =
        BIO_new_mem_buf(g_bytes_get_data(entity, NULL), (int)g_bytes_get_size(entity));
    if (!CMS_final(cms, in, NULL, flags))
        return smime_set_openssl_error(error, "cannot encrypt");
    return g_steal_pointer(&cms);
}

GBytes *
smime_encrypt_entity(GBytes *entity, const SmimeEncryptConfig *cfg, GArray *steps, GError **error)
{
    if (cfg->recipients == NULL || cfg->recipients[0] == NULL) {
        g_set_error(error, SMIME_ERROR, SMIME_ERROR_INPUT, "no recipient certificate");
        return NULL;
    }
    gsize len = g_bytes_get_size(entity);
    smime_step_add(
        steps, "canonicalize", len,
        "MIME entity with CRLF line endings (RFC 8551 3.1.1): %" G_GSIZE_FORMAT " octets", len);
    g_autoptr(CMS_ContentInfo) cms = smime_encrypt_cms(entity, cfg, error);
    if (cms == NULL)
        return NULL;
    const EVP_CIPHER *c = smime_cipher_evp(cfg->cipher);
    gsize key_len = (gsize)EVP_CIPHER_get_key_length(c);
    gboolean gcm = smime_cipher_is_gcm(cfg->cipher);
    smime_step_add(steps, "content-key", key_len,
                   "random %" G_GSIZE_FORMAT "-octet %s content-encryption key and %d-octet %s",
                   key_len, smime_cipher_name(cfg->cipher), gcm ? 12 : 16, gcm ? "nonce" : "IV");
    ASN1_OCTET_STRING **ct = CMS_get0_content(cms);
    gsize ct_len = ct != NULL && *ct != NULL ? (gsize)ASN1_STRING_length(*ct) : 0;
    smime_step_add(steps, "encrypt", ct_len,
                   "%s over %" G_GSIZE_FORMAT " octets: %" G_GSIZE_FORMAT " octets of ciphertext%s",
                   smime_cipher_name(cfg->cipher), len, ct_len,
                   gcm ? " and a 16-octet authentication tag (RFC 5084)"
                       : " (PKCS #7 padding to 16-octet blocks)");
    smime_encrypt_recipient_steps(cms, key_len, steps);
    g_autoptr(GBytes) der = smime_cms_to_der(cms);
    guint n_rcpt = (guint)sk_CMS_RecipientInfo_num(CMS_get0_RecipientInfos(cms));
    smime_step_add(steps, "cms", g_bytes_get_size(der),
                   "CMS %s with %u RecipientInfo%s: %" G_GSIZE_FORMAT " octets DER",
                   gcm ? "AuthEnvelopedData (RFC 5083)" : "EnvelopedData (RFC 5652 6.1)", n_rcpt,
                   n_rcpt == 1 ? "" : "s", g_bytes_get_size(der));
    /* RFC 8551 3.2.2: authEnveloped-data for AuthEnvelopedData. */
    GBytes *out =
        smime_pkcs7_mime_entity(gcm ? "authEnveloped-data" : "enveloped-data", der, steps);
    smime_step_add(steps, "mime", g_bytes_get_size(out),
                   "application/pkcs7-mime; smime-type=%s (RFC 8551 3.3): %" G_GSIZE_FORMAT
                   " octets",
                   gcm ? "authEnveloped-data" : "enveloped-data", g_bytes_get_size(out));
    return out;
}

static gboolean
smime_encrypt_check(gsize len, GError **error)
{
    if (len <= SMIME_MESSAGE_MAX)
        return TRUE;
    g_set_error(error, SMIME_ERROR, SMIME_ERROR_INPUT, "message larger than %d octets",
                SMIME_MESSAGE_MAX);
    return FALSE;
}

GBytes *
smime_encrypt(const guint8 *msg, gsize len, const SmimeEncryptConfig *cfg, GArray *steps,
              GError **error)
{
    g_return_val_if_fail(msg != NULL || len == 0, NULL);
    g_return_val_if_fail(cfg != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    if (!smime_encrypt_check(len, error))
        return NULL;
    SmimeParts parts = {0};
    smime_split(msg, len, &parts);
    g_autoptr(GBytes) entity = smime_encrypt_entity(parts.entity, cfg, steps, error);
    GBytes *out = NULL;
    if (entity != NULL)
        out = smime_build_message(parts.outer, g_bytes_get_data(entity, NULL),
                                  g_bytes_get_size(entity));
    smime_parts_clear(&parts);
    return out;
}

GBytes *
smime_sign_encrypt(const guint8 *msg, gsize len, const SmimeSignConfig *sign,
                   const SmimeEncryptConfig *enc, GArray *steps, GError **error)
{
    g_return_val_if_fail(msg != NULL || len == 0, NULL);
    g_return_val_if_fail(sign != NULL && sign->signer != NULL && enc != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    if (!smime_encrypt_check(len, error))
        return NULL;
    SmimeParts parts = {0};
    smime_split(msg, len, &parts);
    GBytes *out = NULL;
    g_autoptr(GBytes) signed_entity = smime_sign_entity(parts.entity, sign, steps, error);
    if (signed_entity != NULL) {
        g_autoptr(GBytes) entity = smime_encrypt_entity(signed_entity, enc, steps, error);
        if (entity != NULL)
            out = smime_build_message(parts.outer, g_bytes_get_data(entity, NULL),
                                      g_bytes_get_size(entity));
    }
    smime_parts_clear(&parts);
    return out;
}
