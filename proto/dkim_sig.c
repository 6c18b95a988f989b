/* SPDX-License-Identifier: MIT
 * dkim_sig: DKIM-Signature field parsing and validation (RFC 6376 3.5,
 * 6.1.1), the header hash input (3.7 step 2, 5.4.2 bottom-up selection and
 * over-signing) and the name tables of dkim.h.
 * RFC 8301: rsa-sha1 is refused; the g= tag of RFC 4871 is not read.
 */
#include "proto/dkim-private.h"

#include <string.h>

/* RFC 6376 3.5: l=, t= and x= have at most 76 (l) / 12 (t, x) digits. */
#define DKIM_SIG_MAX_DIGITS 19

static gboolean
dkim_sig_number(const char *s, guint64 *out)
{
    gsize n = strlen(s);
    if (n == 0 || n > DKIM_SIG_MAX_DIGITS)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
    *out = g_ascii_strtoull(s, NULL, 10);
    return TRUE;
}

static GBytes *
dkim_sig_b64(const char *value)
{
    g_autofree char *s = dkim_strip_fws(value);
    gsize n = strlen(s);
    gsize pad = 0;
    for (gsize i = 0; i < n; i++) {
        if (s[i] == '=') {
            pad++;
            continue;
        }
        if (pad > 0 || !(g_ascii_isalnum(s[i]) || s[i] == '+' || s[i] == '/'))
            return NULL;
    }
    if (n == 0 || n % 4 != 0 || pad > 2)
        return NULL;
    gsize out_len = 0;
    guchar *out = g_base64_decode(s, &out_len);
    return g_bytes_new_take(out, out_len);
}

static DkimReason
dkim_sig_read_alg(const DkimTagList *tl, DkimSigInfo *out)
{
    const char *a = dkim_tag_list_get(tl, "a");
    if (strcmp(a, "rsa-sha256") == 0)
        out->alg = DKIM_ALG_RSA_SHA256;
    else if (strcmp(a, "ed25519-sha256") == 0)
        out->alg = DKIM_ALG_ED25519_SHA256;
    else if (strcmp(a, "rsa-sha1") == 0) {
        out->alg = DKIM_ALG_RSA_SHA1;
        return DKIM_REASON_SIG_ALGORITHM; /* RFC 8301 3.1 */
    } else
        return DKIM_REASON_SIG_ALGORITHM;
    if (!dkim_canon_parse(dkim_tag_list_get(tl, "c"), &out->header_canon, &out->body_canon))
        return DKIM_REASON_SIG_CANON;
    const char *q = dkim_tag_list_get(tl, "q");
    if (q != NULL) {
        g_autofree char *bare = dkim_strip_fws(q);
        g_auto(GStrv) methods = g_strsplit(bare, ":", -1);
        if (!g_strv_contains((const char *const *)methods, "dns/txt"))
            return DKIM_REASON_SIG_QUERY_METHOD;
    }
    return DKIM_REASON_NONE;
}

static DkimReason
dkim_sig_read_names(const DkimTagList *tl, DkimSigInfo *out)
{
    out->domain = g_strdup(dkim_tag_list_get(tl, "d"));
    out->selector = dkim_strip_fws(dkim_tag_list_get(tl, "s"));
    if (!dkim_domain_is_valid(out->domain) || !dkim_domain_is_valid(out->selector))
        return DKIM_REASON_SIG_DOMAIN;
    const char *i = dkim_tag_list_get(tl, "i");
    out->identity = i ? g_strdup(i) : g_strconcat("@", out->domain, NULL);
    const char *at = strrchr(out->identity, '@');
    if (at == NULL)
        return DKIM_REASON_SIG_SYNTAX;
    /* 6.1.1: the i= domain is d= or a subdomain of it */
    const char *idom = at + 1;
    gsize il = strlen(idom), dl = strlen(out->domain);
    gboolean same = g_ascii_strcasecmp(idom, out->domain) == 0;
    gboolean sub =
        il > dl && idom[il - dl - 1] == '.' && g_ascii_strcasecmp(idom + il - dl, out->domain) == 0;
    if (!same && !sub)
        return DKIM_REASON_SIG_IDENTITY;
    g_autofree char *h = dkim_strip_fws(dkim_tag_list_get(tl, "h"));
    g_auto(GStrv) names = g_strsplit(h, ":", -1);
    gboolean has_from = FALSE;
    out->headers = g_ptr_array_new_with_free_func(g_free);
    for (guint k = 0; names[k]; k++) {
        if (names[k][0] == '\0' || k >= DKIM_MAX_SIGNED_HEADERS)
            return DKIM_REASON_SIG_SYNTAX;
        has_from |= g_ascii_strcasecmp(names[k], "from") == 0;
        g_ptr_array_add(out->headers, g_strdup(names[k]));
    }
    return has_from ? DKIM_REASON_NONE : DKIM_REASON_SIG_FROM_UNSIGNED; /* 5.4 */
}

static DkimReason
dkim_sig_read_numbers(const DkimTagList *tl, gint64 now_unix, DkimSigInfo *out)
{
    const char *l = dkim_tag_list_get(tl, "l"), *t = dkim_tag_list_get(tl, "t");
    const char *x = dkim_tag_list_get(tl, "x");
    guint64 v;
    if (l != NULL) {
        if (!dkim_sig_number(l, &out->l))
            return DKIM_REASON_SIG_SYNTAX;
        out->has_l = TRUE;
    }
    if (t != NULL) {
        if (!dkim_sig_number(t, &v) || v > G_MAXINT64)
            return DKIM_REASON_SIG_SYNTAX;
        out->t = (gint64)v;
        out->has_t = TRUE;
    }
    if (x != NULL) {
        if (!dkim_sig_number(x, &v) || v > G_MAXINT64)
            return DKIM_REASON_SIG_SYNTAX;
        out->x = (gint64)v;
        out->has_x = TRUE;
        if (out->has_t && out->x < out->t)
            return DKIM_REASON_SIG_X_BEFORE_T; /* 3.5 x= MUST be greater than t= */
        if (out->x < now_unix)
            return DKIM_REASON_SIG_EXPIRED; /* 6.1.1 */
    }
    return DKIM_REASON_NONE;
}

static DkimReason
dkim_sig_check(const char *value, gsize len, gint64 now_unix, DkimSigInfo *out)
{
    g_autoptr(DkimTagList) tl = dkim_tag_list_parse(value, len);
    if (tl == NULL)
        return DKIM_REASON_SIG_SYNTAX;
    static const char *const required[] = {"v", "a", "b", "bh", "d", "h", "s"};
    for (guint i = 0; i < G_N_ELEMENTS(required); i++)
        if (dkim_tag_list_get(tl, required[i]) == NULL)
            return DKIM_REASON_SIG_MISSING_TAG; /* 6.1.1 */
    if (strcmp(dkim_tag_list_get(tl, "v"), "1") != 0)
        return DKIM_REASON_SIG_VERSION;
    DkimReason r = dkim_sig_read_alg(tl, out);
    if (r == DKIM_REASON_NONE)
        r = dkim_sig_read_names(tl, out);
    if (r == DKIM_REASON_NONE)
        r = dkim_sig_read_numbers(tl, now_unix, out);
    if (r != DKIM_REASON_NONE)
        return r;
    out->b = dkim_sig_b64(dkim_tag_list_get(tl, "b"));
    out->bh = dkim_sig_b64(dkim_tag_list_get(tl, "bh"));
    if (out->b == NULL || out->bh == NULL)
        return DKIM_REASON_SIG_SYNTAX;
    return DKIM_REASON_NONE;
}

void
dkim_sig_parse(const char *value, gsize len, gint64 now_unix, DkimSigInfo *out)
{
    g_return_if_fail(out != NULL);
    memset(out, 0, sizeof *out);
    out->reason = dkim_sig_check(value, len, now_unix, out);
}

void
dkim_sig_info_clear(DkimSigInfo *s)
{
    g_free(s->domain);
    g_free(s->selector);
    g_free(s->identity);
    if (s->headers)
        g_ptr_array_unref(s->headers);
    if (s->b)
        g_bytes_unref(s->b);
    if (s->bh)
        g_bytes_unref(s->bh);
    memset(s, 0, sizeof *s);
}

void
dkim_hash_input(const DkimMsgParts *parts, const GPtrArray *names, DkimCanon hc,
                const char *sig_field, gsize sig_len, GString *out)
{
    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        guint seen = 0; /* earlier uses of this name take the lower instances */
        for (guint j = 0; j < i; j++)
            seen += g_ascii_strcasecmp(names->pdata[j], name) == 0;
        /* 5.4.2: instances are taken from the bottom up; a name listed more
         * often than it occurs contributes nothing (over-signing, 8.15). */
        for (guint k = parts->fields->len; k-- > 0;) {
            const DkimField *f = &g_array_index(parts->fields, DkimField, k);
            if (!dkim_field_name_is(f, name))
                continue;
            if (seen-- == 0) {
                dkim_canon_header(hc, f->raw, f->len, out);
                break;
            }
        }
    }
    gsize start = out->len;
    gsize stripped_len;
    g_autofree char *stripped = dkim_field_strip_b(sig_field, sig_len, &stripped_len);
    dkim_canon_header(hc, stripped, stripped_len, out);
    /* 3.7: the signature field itself goes in without its final CRLF */
    if (out->len > start && out->str[out->len - 1] == '\n')
        g_string_truncate(out, out->len - 1);
    if (out->len > start && out->str[out->len - 1] == '\r')
        g_string_truncate(out, out->len - 1);
}

const char *
dkim_result_name(DkimResult r)
{
    static const char *const names[] = {"none",    "pass",      "fail",     "policy",
                                        "neutral", "temperror", "permerror"};
    return (guint)r < G_N_ELEMENTS(names) ? names[r] : "?";
}

const char *
dkim_reason_name(DkimReason r)
{
    static const char *const names[] = {
        "",
        "body hash mismatch",
        "signature mismatch",
        "signature syntax error",
        "signature lacks a required tag",
        "signature version is not 1",
        "unsupported signature algorithm",
        "unknown canonicalization",
        "unsupported query method",
        "invalid d= or s=",
        "i= is not in d=",
        "From is not signed",
        "x= is earlier than t=",
        "signature expired",
        "l= exceeds the body length",
        "no key for signature",
        "key record syntax error",
        "key record version is not DKIM1",
        "key type unknown or not matching a=",
        "key does not allow sha256",
        "key not for e-mail (s=)",
        "key revoked",
        "key does not decode",
        "RSA key shorter than allowed",
        "key requires i= domain to equal d= (t=s)",
        "key lookup failed",
        "too many signatures",
    };
    return (guint)r < G_N_ELEMENTS(names) ? names[r] : "?";
}

const char *
dkim_alg_name(DkimAlg a)
{
    switch (a) {
    case DKIM_ALG_RSA_SHA256:
        return "rsa-sha256";
    case DKIM_ALG_ED25519_SHA256:
        return "ed25519-sha256";
    case DKIM_ALG_RSA_SHA1:
        return "rsa-sha1";
    }
    return "?";
}
