/* SPDX-License-Identifier: MIT
 * spf_macro: macro-string syntax and expansion (RFC 7208 7): the letters
 * s l o d i p h v (and c r t in exp= text only), the transformers (a
 * number of right-hand parts, "r" to reverse), the delimiters . - + , / _ =,
 * the escapes %% %_ %-, URL escaping for upper-case letters (7.3) and the
 * 253-octet truncation of domain names (7.3). Output is bounded by
 * SPF_MACRO_OUT_MAX. The p value is resolved by the engine beforehand.
 */
#include "proto/spf-private.h"

#include <arpa/inet.h>
#include <string.h>

#define SPF_MACRO_DELIMITERS ".-+,/_="

/* Parses the body of "%{...}" starting after the brace. On success fills
 * letter, digits (0 = all), reverse, delimiters (into delims, NUL-ended)
 * and returns the position after '}'; NULL on a syntax error. */
static const char *
spf_macro_parse_expand(const char *p, gboolean is_exp, char *letter, guint *digits,
                       gboolean *reverse, char delims[8])
{
    char l = g_ascii_tolower(*p);
    if (l == '\0' || strchr("slodiphv", l) == NULL) {
        if (!(is_exp && l != '\0' && strchr("crt", l) != NULL))
            return NULL;
    }
    *letter = *p++;
    *digits = 0;
    gboolean has_digits = FALSE;
    while (g_ascii_isdigit(*p)) {
        /* Saturate: any count above the number of labels means "all". */
        if (*digits < 1000)
            *digits = *digits * 10 + (guint)(*p - '0');
        has_digits = TRUE;
        p++;
    }
    /* RFC 7208 7.1: a DIGIT transformer must be nonzero. */
    if (has_digits && *digits == 0)
        return NULL;
    *reverse = FALSE;
    if (*p == 'r' || *p == 'R') {
        *reverse = TRUE;
        p++;
    }
    gsize nd = 0;
    while (*p != '\0' && strchr(SPF_MACRO_DELIMITERS, *p) != NULL) {
        if (nd < 7 && memchr(delims, *p, nd) == NULL)
            delims[nd++] = *p;
        p++;
    }
    delims[nd] = '\0';
    if (*p != '}')
        return NULL;
    return p + 1;
}

gboolean
spf_macro_is_valid(const char *s, gboolean is_exp)
{
    for (const char *p = s; *p;) {
        if (*p == '%') {
            p++;
            if (*p == '%' || *p == '_' || *p == '-') {
                p++;
                continue;
            }
            if (*p != '{')
                return FALSE;
            char letter, delims[8];
            guint digits;
            gboolean reverse;
            p = spf_macro_parse_expand(p + 1, is_exp, &letter, &digits, &reverse, delims);
            if (p == NULL)
                return FALSE;
            continue;
        }
        /* macro-literal = %x21-24 / %x26-7E; exp text also has SP (6.2). */
        if (((guchar)*p < 0x21 || (guchar)*p > 0x7e) && !(is_exp && *p == ' '))
            return FALSE;
        p++;
    }
    return TRUE;
}

gboolean
spf_macro_uses_p(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (p[0] == '%' && p[1] == '%') {
            p++;
            continue;
        }
        if (p[0] == '%' && p[1] == '{' && (p[2] == 'p' || p[2] == 'P'))
            return TRUE;
    }
    return FALSE;
}

static char *
spf_macro_ip_dotted(const SpfMacroContext *ctx)
{
    const guint8 *b = ctx->ip;
    if (!ctx->is_v6)
        return g_strdup_printf("%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    /* RFC 7208 7.3: IPv6 %{i} is dot-separated nibbles. The RFC's examples
     * write them in lower case; the openspf suite (and pyspf) in upper case
     * for an address given as "CAFE:BABE::1". DNS ignores the case, so only
     * explanations see it: we follow the case the address was written in. */
    const char *hex = ctx->hex_upper ? "0123456789ABCDEF" : "0123456789abcdef";
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 16; i++) {
        if (i > 0)
            g_string_append_c(s, '.');
        g_string_append_c(s, hex[b[i] >> 4]);
        g_string_append_c(s, '.');
        g_string_append_c(s, hex[b[i] & 0xf]);
    }
    return g_string_free(s, FALSE);
}

static char *
spf_macro_value(char letter, const SpfMacroContext *ctx)
{
    switch (g_ascii_tolower(letter)) {
    case 's':
        return g_strdup(ctx->sender);
    case 'l':
        return g_strdup(ctx->local);
    case 'o':
        return g_strdup(ctx->sender_domain);
    case 'd':
        return g_strdup(ctx->domain);
    case 'i':
        return spf_macro_ip_dotted(ctx);
    case 'p':
        return g_strdup(ctx->validated ? ctx->validated : "unknown");
    case 'h':
        return g_strdup(ctx->helo);
    case 'v':
        return g_strdup(ctx->is_v6 ? "ip6" : "in-addr");
    case 'r':
        return g_strdup(ctx->receiver ? ctx->receiver : "unknown");
    case 't':
        return g_strdup_printf("%" G_GINT64_FORMAT, ctx->now_unix);
    case 'c': {
        char buf[INET6_ADDRSTRLEN];
        inet_ntop(ctx->is_v6 ? AF_INET6 : AF_INET, ctx->ip, buf, sizeof buf);
        return g_strdup(buf);
    }
    default:
        g_assert_not_reached();
    }
}

/* Applies the transformers of RFC 7208 7.3: split on the delimiters,
 * optionally reverse, keep the right-most digits parts, join with ".". */
static char *
spf_macro_transform(const char *value, guint digits, gboolean reverse, const char *delims)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    const char *start = value;
    for (const char *p = value;; p++) {
        if (*p == '\0' || strchr(delims, *p) != NULL) {
            g_ptr_array_add(parts, g_strndup(start, (gsize)(p - start)));
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    if (reverse) {
        for (guint i = 0, j = parts->len - 1; i < j; i++, j--) {
            gpointer t = parts->pdata[i];
            parts->pdata[i] = parts->pdata[j];
            parts->pdata[j] = t;
        }
    }
    guint first = digits > 0 && digits < parts->len ? parts->len - digits : 0;
    GString *out = g_string_new(NULL);
    for (guint i = first; i < parts->len; i++) {
        if (i > first)
            g_string_append_c(out, '.');
        g_string_append(out, parts->pdata[i]);
    }
    g_ptr_array_unref(parts);
    return g_string_free(out, FALSE);
}

/* RFC 7208 7.3: upper-case macro letters are URL-escaped (RFC 3986 2.3:
 * everything but unreserved characters). */
static void
spf_macro_append_escaped(GString *out, const char *v)
{
    for (const char *p = v; *p; p++) {
        guchar ch = (guchar)*p;
        if (g_ascii_isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')
            g_string_append_c(out, (char)ch);
        else
            g_string_append_printf(out, "%%%02X", ch);
    }
}

static void
spf_macro_truncate_domain(GString *out)
{
    /* RFC 7208 7.3: drop left labels until it fits in 253 octets. */
    while (out->len > SPF_DOMAIN_MAX) {
        const char *dot = strchr(out->str, '.');
        if (dot == NULL)
            break;
        g_string_erase(out, 0, (gssize)(dot + 1 - out->str));
    }
}

SpfMacroStatus
spf_macro_expand(const char *s, const SpfMacroContext *ctx, gboolean is_exp, gboolean is_domain,
                 char **out)
{
    g_return_val_if_fail(s != NULL && ctx != NULL && out != NULL, SPF_MACRO_SYNTAX);
    if (!spf_macro_is_valid(s, is_exp))
        return SPF_MACRO_SYNTAX;
    g_autoptr(GString) o = g_string_new(NULL);
    for (const char *p = s; *p;) {
        if (o->len > SPF_MACRO_OUT_MAX)
            return SPF_MACRO_TOO_LONG;
        if (*p != '%') {
            g_string_append_c(o, *p++);
            continue;
        }
        p++;
        if (*p == '%' || *p == '_' || *p == '-') {
            g_string_append(o, *p == '%' ? "%" : *p == '_' ? " " : "%20");
            p++;
            continue;
        }
        char letter, delims[8];
        guint digits;
        gboolean reverse;
        p = spf_macro_parse_expand(p + 1, is_exp, &letter, &digits, &reverse, delims);
        g_assert(p != NULL); /* checked by spf_macro_is_valid() */
        g_autofree char *value = spf_macro_value(letter, ctx);
        g_autofree char *t = spf_macro_transform(value, digits, reverse, delims[0] ? delims : ".");
        if (g_ascii_isupper(letter))
            spf_macro_append_escaped(o, t);
        else
            g_string_append(o, t);
    }
    if (o->len > SPF_MACRO_OUT_MAX)
        return SPF_MACRO_TOO_LONG;
    if (is_domain)
        spf_macro_truncate_domain(o);
    *out = g_string_free(g_steal_pointer(&o), FALSE);
    return SPF_MACRO_OK;
}
