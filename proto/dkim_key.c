/* SPDX-License-Identifier: MIT
 * dkim_key: DKIM public key records (RFC 6376 3.6.1) and p= decoding:
 * SubjectPublicKeyInfo (what everybody publishes), bare PKCS#1
 * RSAPublicKey (what 3.6.1 literally says), raw 32-octet Ed25519 (RFC 8463
 * 4). Tags v h k n p s t; unknown tags are ignored (3.6.1).
 */
#include "proto/dkim-private.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

/* Is word one of the colon-separated entries of list (FWS around them)? */
static gboolean
dkim_key_list_has(const char *list, const char *word)
{
    g_auto(GStrv) items = g_strsplit(list, ":", -1);
    for (guint i = 0; items[i]; i++) {
        g_strstrip(items[i]);
        if (g_ascii_strcasecmp(items[i], word) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Strict base64 (RFC 6376 2.4 base64string) after FWS removal. */
static GBytes *
dkim_key_b64(const char *value)
{
    g_autofree char *s = dkim_strip_fws(value);
    gsize n = strlen(s), pad = 0;
    for (gsize i = 0; i < n; i++) {
        char c = s[i];
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad > 0 || !(g_ascii_isalnum(c) || c == '+' || c == '/'))
            return NULL;
    }
    if (n % 4 != 0 || pad > 2)
        return NULL;
    gsize out_len = 0;
    guchar *out = g_base64_decode(s, &out_len);
    return g_bytes_new_take(out, out_len);
}

EVP_PKEY *
dkim_key_decode_public(const guint8 *der, gsize len, gboolean is_ed25519)
{
    if (is_ed25519 && len == 32)
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
    const unsigned char *p = der;
    EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)len);
    if (pk != NULL && p != der + len) {
        EVP_PKEY_free(pk); /* trailing garbage after the DER */
        pk = NULL;
    }
    if (pk != NULL) {
        int want = is_ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_RSA;
        if (EVP_PKEY_get_base_id(pk) != want) {
            EVP_PKEY_free(pk);
            return NULL;
        }
        return pk;
    }
    ERR_clear_error(); /* keep the thread's error queue clean for TLS */
    if (is_ed25519)
        return NULL;
    p = der;
    pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len); /* PKCS#1 RSAPublicKey */
    if (pk != NULL && p != der + len) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    ERR_clear_error();
    return pk;
}

static DkimReason
dkim_key_check_tags(const DkimTagList *tl, DkimKeyRecord *out)
{
    const char *v = dkim_tag_list_get(tl, "v");
    if (v != NULL && strcmp(v, "DKIM1") != 0)
        return DKIM_REASON_KEY_VERSION; /* 3.6.1 v= */
    const char *h = dkim_tag_list_get(tl, "h");
    if (h != NULL && !dkim_key_list_has(h, "sha256"))
        return DKIM_REASON_KEY_HASH;
    const char *k = dkim_tag_list_get(tl, "k");
    if (k == NULL || strcmp(k, "rsa") == 0)
        out->is_ed25519 = FALSE; /* 3.6.1 k=: rsa is the default */
    else if (strcmp(k, "ed25519") == 0)
        out->is_ed25519 = TRUE; /* RFC 8463 4 */
    else
        return DKIM_REASON_KEY_TYPE;
    const char *s = dkim_tag_list_get(tl, "s");
    if (s != NULL && !dkim_key_list_has(s, "*") && !dkim_key_list_has(s, "email"))
        return DKIM_REASON_KEY_SERVICE; /* e.g. s=tlsrpt (RFC 8460 3.3) */
    const char *t = dkim_tag_list_get(tl, "t");
    if (t != NULL) {
        out->is_testing = dkim_key_list_has(t, "y");
        out->is_strict = dkim_key_list_has(t, "s");
    }
    return DKIM_REASON_NONE;
}

void
dkim_key_record_parse(const char *txt, DkimKeyRecord *out)
{
    g_return_if_fail(txt != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    g_autoptr(DkimTagList) tl = dkim_tag_list_parse(txt, strlen(txt));
    if (tl == NULL) {
        out->reason = DKIM_REASON_KEY_SYNTAX;
        return;
    }
    out->reason = dkim_key_check_tags(tl, out);
    if (out->reason != DKIM_REASON_NONE)
        return;
    const char *p = dkim_tag_list_get(tl, "p");
    if (p == NULL) {
        out->reason = DKIM_REASON_KEY_SYNTAX; /* p= is required */
        return;
    }
    g_autofree char *bare = dkim_strip_fws(p);
    if (*bare == '\0') {
        out->reason = DKIM_REASON_KEY_REVOKED; /* 3.6.1: empty p= */
        return;
    }
    g_autoptr(GBytes) der = dkim_key_b64(p);
    if (der == NULL) {
        out->reason = DKIM_REASON_KEY_INVALID;
        return;
    }
    gsize n;
    const guint8 *d = g_bytes_get_data(der, &n);
    out->pkey = dkim_key_decode_public(d, n, out->is_ed25519);
    if (out->pkey == NULL) {
        out->reason = DKIM_REASON_KEY_INVALID;
        return;
    }
    out->bits = (guint)EVP_PKEY_get_bits(out->pkey);
}

void
dkim_key_record_clear(DkimKeyRecord *k)
{
    if (k->pkey)
        EVP_PKEY_free(k->pkey);
    memset(k, 0, sizeof *k);
}
