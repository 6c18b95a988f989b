/* SPDX-License-Identifier: MIT
 * dkim_sign: private keys, the signing and verifying primitives, and the
 * DKIM signer (RFC 6376 5; RFC 8463 3 for ed25519-sha256: pure Ed25519 over
 * the SHA-256 hash). Tags are written in the order v a c d i q s t x l h bh b,
 * the order RFC 8463 A.3 uses, so re-signing its example reproduces b=.
 * Not done: z= (copied header fields), rsa-sha1 (refused, RFC 8301 3.1).
 */
#include "proto/dkim-private.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* RFC 5322 2.1.1: lines SHOULD stay within 78 characters. */
#define DKIM_SIGN_FOLD_AT 78

struct DkimPrivateKey {
    EVP_PKEY *pkey;
    DkimAlg alg;
};

G_DEFINE_QUARK(dkim - error - quark, dkim_error)

static DkimPrivateKey *
dkim_sign_key_wrap(EVP_PKEY *pkey, GError **error)
{
    int id = EVP_PKEY_get_base_id(pkey);
    if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pkey);
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_KEY, "key is neither RSA nor Ed25519");
        return NULL;
    }
    DkimPrivateKey *k = g_new0(DkimPrivateKey, 1);
    k->pkey = pkey;
    k->alg = id == EVP_PKEY_RSA ? DKIM_ALG_RSA_SHA256 : DKIM_ALG_ED25519_SHA256;
    return k;
}

DkimPrivateKey *
dkim_private_key_new_pkey(EVP_PKEY *pkey, GError **error)
{
    g_return_val_if_fail(pkey != NULL, NULL);
    return dkim_sign_key_wrap(pkey, error);
}

DkimPrivateKey *
dkim_private_key_new_pem(const guint8 *pem, gsize len, GError **error)
{
    g_return_val_if_fail(pem != NULL, NULL);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        g_error("BIO_new_mem_buf failed");
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (pkey == NULL) {
        ERR_clear_error();
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_KEY, "not a PEM private key");
        return NULL;
    }
    return dkim_sign_key_wrap(pkey, error);
}

DkimPrivateKey *
dkim_private_key_new_ed25519_seed(const guint8 *seed, gsize len, GError **error)
{
    g_return_val_if_fail(seed != NULL, NULL);
    if (len != 32) {
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_KEY, "Ed25519 seed is %zu octets, not 32", len);
        return NULL;
    }
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, len);
    if (pkey == NULL)
        g_error("EVP_PKEY_new_raw_private_key failed");
    return dkim_sign_key_wrap(pkey, error);
}

DkimPrivateKey *
dkim_private_key_new_ed25519_b64(const char *b64, GError **error)
{
    g_return_val_if_fail(b64 != NULL, NULL);
    g_autofree char *bare = dkim_strip_fws(b64);
    gsize n = 0;
    g_autofree guchar *seed = g_base64_decode(bare, &n);
    DkimPrivateKey *k = dkim_private_key_new_ed25519_seed(seed, n, error);
    OPENSSL_cleanse(seed, n);
    return k;
}

DkimAlg
dkim_private_key_alg(const DkimPrivateKey *k)
{
    return k->alg;
}

char *
dkim_private_key_public_b64(const DkimPrivateKey *k)
{
    if (k->alg == DKIM_ALG_ED25519_SHA256) {
        guint8 raw[32];
        gsize n = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1)
            g_error("EVP_PKEY_get_raw_public_key failed");
        return g_base64_encode(raw, n);
    }
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->pkey, &der);
    if (n <= 0)
        g_error("i2d_PUBKEY failed");
    char *out = g_base64_encode(der, (gsize)n);
    OPENSSL_free(der);
    return out;
}

void
dkim_private_key_free(DkimPrivateKey *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey); /* OpenSSL wipes private key material */
    g_free(k);
}

gsize
dkim_digest(gboolean is_sha1, const guint8 *data, gsize len, guint8 *out)
{
    size_t n = 0;
    if (EVP_Q_digest(NULL, is_sha1 ? "SHA1" : "SHA256", NULL, data, len, out, &n) != 1)
        g_error("EVP_Q_digest failed"); /* the default provider always has both */
    return n;
}

/* What is actually signed: the data (RSA hashes it itself) or, for
 * Ed25519, its SHA-256 (RFC 8463 3). */
static void
dkim_sign_prehash(DkimAlg alg, const guint8 *data, gsize len, guint8 *h, const guint8 **in,
                  gsize *in_len, const EVP_MD **md)
{
    if (alg == DKIM_ALG_ED25519_SHA256) {
        *in = h;
        *in_len = dkim_digest(FALSE, data, len, h);
        *md = NULL;
    } else {
        *in = data;
        *in_len = len;
        *md = EVP_sha256();
    }
}

GBytes *
dkim_crypto_sign(EVP_PKEY *pkey, DkimAlg alg, const guint8 *data, gsize len)
{
    guint8 h[32];
    const guint8 *in;
    gsize in_len, sig_len = 0;
    const EVP_MD *md;
    dkim_sign_prehash(alg, data, len, h, &in, &in_len, &md);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        g_error("EVP_MD_CTX_new failed");
    GBytes *out = NULL;
    if (EVP_DigestSignInit(ctx, NULL, md, NULL, pkey) == 1 &&
        EVP_DigestSign(ctx, NULL, &sig_len, in, in_len) == 1) {
        guint8 *sig = g_malloc(sig_len);
        if (EVP_DigestSign(ctx, sig, &sig_len, in, in_len) == 1)
            out = g_bytes_new_take(sig, sig_len);
        else
            g_free(sig);
    }
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return out;
}

gboolean
dkim_crypto_verify(EVP_PKEY *pkey, DkimAlg alg, const guint8 *data, gsize len, const guint8 *sig,
                   gsize sig_len)
{
    guint8 h[32];
    const guint8 *in;
    gsize in_len;
    const EVP_MD *md;
    dkim_sign_prehash(alg, data, len, h, &in, &in_len, &md);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        g_error("EVP_MD_CTX_new failed");
    gboolean ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
                  EVP_DigestVerify(ctx, sig, sig_len, in, in_len) == 1;
    EVP_MD_CTX_free(ctx);
    ERR_clear_error();
    return ok;
}

static const char *const dkim_sign_default_headers[] = {
    "From",       "To",           "Cc",           "Subject",
    "Date",       "Message-ID",   "Reply-To",     "In-Reply-To",
    "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    NULL,
};

/* h= names: the caller's, or each default present field as often as it
 * occurs plus once more (over-signing, RFC 6376 8.15). From always. */
static GPtrArray *
dkim_sign_header_names(const DkimMsgParts *parts, const char *const *want)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    gboolean has_from = FALSE;
    for (guint i = 0; want && want[i]; i++) {
        g_ptr_array_add(names, g_strdup(want[i]));
        has_from |= g_ascii_strcasecmp(want[i], "from") == 0;
    }
    if (want == NULL) {
        for (guint i = 0; dkim_sign_default_headers[i]; i++) {
            const char *name = dkim_sign_default_headers[i];
            guint count = 0;
            for (guint j = 0; j < parts->fields->len; j++)
                count += dkim_field_name_is(&g_array_index(parts->fields, DkimField, j), name);
            for (guint j = 0; count > 0 && j <= count; j++)
                g_ptr_array_add(names, g_strdup(name));
            has_from |= count > 0 && i == 0;
        }
    }
    if (!has_from)
        g_ptr_array_insert(names, 0, g_strdup("From"));
    return names;
}

/* Appends text, breaking the line at its spaces to stay near the limit. */
static void
dkim_sign_fold_append(GString *out, gsize *col, const char *text)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    for (guint i = 0; words[i]; i++) {
        gsize n = strlen(words[i]);
        if (i > 0) {
            if (*col + 1 + n > DKIM_SIGN_FOLD_AT) {
                g_string_append(out, "\r\n");
                *col = 0;
            }
            g_string_append_c(out, ' ');
            (*col)++;
        }
        g_string_append(out, words[i]);
        *col += n;
    }
}

/* The b= value, split with FWS so that no line passes the limit. */
static void
dkim_sign_fold_b64(GString *out, gsize col, const char *b64)
{
    gsize n = strlen(b64), off = 0;
    while (off < n) {
        gsize room = col < DKIM_SIGN_FOLD_AT ? DKIM_SIGN_FOLD_AT - col : 0;
        if (room == 0) {
            g_string_append(out, "\r\n ");
            col = 1;
            continue;
        }
        gsize take = MIN(room, n - off);
        g_string_append_len(out, b64 + off, (gssize)take);
        off += take;
        col += take;
    }
}

static gboolean
dkim_sign_check_config(const DkimSignConfig *cfg, GError **error)
{
    if (!dkim_domain_is_valid(cfg->domain) || !dkim_domain_is_valid(cfg->selector)) {
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_CONFIG, "invalid domain or selector");
        return FALSE;
    }
    if (cfg->identity != NULL) {
        const char *at = strrchr(cfg->identity, '@');
        const char *dom = at ? at + 1 : "";
        gsize dl = strlen(dom), n = strlen(cfg->domain);
        gboolean sub =
            dl > n && dom[dl - n - 1] == '.' && g_ascii_strcasecmp(dom + dl - n, cfg->domain) == 0;
        if (g_ascii_strcasecmp(dom, cfg->domain) != 0 && !sub) {
            g_set_error(error, DKIM_ERROR, DKIM_ERROR_CONFIG,
                        "i= %s is not in d= %s (RFC 6376 3.5)", cfg->identity, cfg->domain);
            return FALSE;
        }
    }
    return TRUE;
}

/* The field up to "b=", without the value: what 3.7 step 2 hashes. */
static GString *
dkim_sign_unsigned_field(const DkimSignConfig *cfg, DkimAlg alg, const GPtrArray *names,
                         const char *bh, gsize canon_len, gsize *col)
{
    GString *tags = g_string_new(NULL);
    g_string_append_printf(tags, "v=1; a=%s; c=%s/%s; d=%s;", dkim_alg_name(alg),
                           cfg->header_canon == DKIM_CANON_RELAXED ? "relaxed" : "simple",
                           cfg->body_canon == DKIM_CANON_RELAXED ? "relaxed" : "simple",
                           cfg->domain);
    if (cfg->identity)
        g_string_append_printf(tags, " i=%s;", cfg->identity);
    if (cfg->include_query)
        g_string_append(tags, " q=dns/txt;");
    g_string_append_printf(tags, " s=%s;", cfg->selector);
    if (!cfg->omit_timestamp)
        g_string_append_printf(tags, " t=%" G_GINT64_FORMAT ";", cfg->now_unix);
    if (cfg->expire_after > 0)
        g_string_append_printf(tags, " x=%" G_GINT64_FORMAT ";", cfg->now_unix + cfg->expire_after);
    if (cfg->body_length)
        g_string_append_printf(tags, " l=%zu;", canon_len);
    g_string_append(tags, " h=");
    const char *sep = cfg->h_separator ? cfg->h_separator : ":";
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(tags, "%s%s", i ? sep : "", (const char *)names->pdata[i]);
    g_string_append_printf(tags, "; bh=%s; b=", bh);
    g_string_prepend_c(tags, ' ');
    GString *field = g_string_new("DKIM-Signature:");
    *col = field->len;
    dkim_sign_fold_append(field, col, tags->str);
    g_string_free(tags, TRUE);
    return field;
}

char *
dkim_sign(const guint8 *msg, gsize len, const DkimSignConfig *cfg, const DkimPrivateKey *key,
          GError **error)
{
    g_return_val_if_fail(msg != NULL && cfg != NULL && key != NULL, NULL);
    if (!dkim_sign_check_config(cfg, error))
        return NULL;
    DkimMsgParts parts;
    dkim_msg_split(msg, len, &parts);
    gboolean has_from = FALSE;
    for (guint i = 0; i < parts.fields->len; i++)
        has_from |= dkim_field_name_is(&g_array_index(parts.fields, DkimField, i), "From");
    if (!has_from) {
        dkim_msg_parts_clear(&parts);
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_MESSAGE,
                    "no From field: it must be signed (RFC 6376 5.4)");
        return NULL;
    }
    g_autoptr(GPtrArray) names = dkim_sign_header_names(&parts, cfg->headers);
    gsize canon_len = 0, col = 0;
    g_autofree char *bh =
        dkim_body_hash(cfg->body_canon, "sha256", parts.body, parts.body_len, -1, &canon_len);
    GString *field = dkim_sign_unsigned_field(cfg, key->alg, names, bh, canon_len, &col);
    g_string_append(field, "\r\n");
    g_autoptr(GString) input = g_string_new(NULL);
    dkim_hash_input(&parts, names, cfg->header_canon, field->str, field->len, input);
    g_string_truncate(field, field->len - 2);
    dkim_msg_parts_clear(&parts);
    g_autoptr(GBytes) sig =
        dkim_crypto_sign(key->pkey, key->alg, (const guint8 *)input->str, input->len);
    if (sig == NULL) {
        g_string_free(field, TRUE);
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_KEY, "signing failed");
        return NULL;
    }
    gsize sig_len;
    const guint8 *sig_data = g_bytes_get_data(sig, &sig_len);
    g_autofree char *b64 = g_base64_encode(sig_data, sig_len);
    dkim_sign_fold_b64(field, col, b64);
    g_string_append(field, "\r\n");
    return g_string_free(field, FALSE);
}

GBytes *
dkim_message_to_crlf(const guint8 *msg, gsize len)
{
    GByteArray *out = g_byte_array_sized_new((guint)len + 64);
    for (gsize i = 0; i < len; i++) {
        if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
            g_byte_array_append(out, (const guint8 *)"\r", 1);
        g_byte_array_append(out, msg + i, 1);
    }
    return g_byte_array_free_to_bytes(out);
}
