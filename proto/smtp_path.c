/* SPDX-License-Identifier: MIT
 * smtp_path: RFC 5321 4.1.2 Path / Mailbox grammar, 4.1.3 address literals
 * (syntax only), 4.5.3.1 size limits, esmtp-param lists and RFC 3461 xtext.
 * Source routes (A-d-l) are parsed and flagged; policy decides what to do.
 */
#include "proto/smtp_path.h"

#include <string.h>

/* RFC 5322 3.2.3 atext */
static gboolean
smtp_path_is_atext(guchar c)
{
    return g_ascii_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static gboolean
smtp_path_is_let_dig(guchar c)
{
    return g_ascii_isalnum(c);
}

/* sub-domain = Let-dig [Ldh-str]; returns octets used, 0 if none. */
static gsize
smtp_path_scan_subdomain(const char *s, gsize len)
{
    if (len == 0 || !smtp_path_is_let_dig((guchar)s[0]))
        return 0;
    gsize i = 1;
    while (i < len && (smtp_path_is_let_dig((guchar)s[i]) || s[i] == '-'))
        i++;
    while (i > 1 && s[i - 1] == '-') /* Ldh-str ends with Let-dig */
        i--;
    return i;
}

/* Domain = sub-domain *("." sub-domain) */
static gsize
smtp_path_scan_domain(const char *s, gsize len)
{
    gsize i = smtp_path_scan_subdomain(s, len);
    if (i == 0)
        return 0;
    while (i + 1 < len && s[i] == '.') {
        gsize n = smtp_path_scan_subdomain(s + i + 1, len - i - 1);
        if (n == 0)
            break;
        i += 1 + n;
    }
    return i;
}

/* address-literal = "[" ( IPv4 / IPv6 / General ) "]"; syntax is checked
 * loosely for the tagged forms: dcontent = %d33-90 / %d94-126. */
static gsize
smtp_path_scan_literal(const char *s, gsize len)
{
    if (len < 3 || s[0] != '[')
        return 0;
    gsize i = 1;
    while (i < len && s[i] != ']') {
        guchar c = (guchar)s[i];
        if (c < 33 || c > 126 || c == '[' || c == '\\')
            return 0;
        i++;
    }
    if (i >= len || i == 1)
        return 0;
    const char *in = s + 1;
    gsize il = i - 1;
    if (il > 5 && g_ascii_strncasecmp(in, "IPv6:", 5) == 0) {
        for (gsize k = 5; k < il; k++)
            if (!g_ascii_isxdigit(in[k]) && in[k] != ':' && in[k] != '.')
                return 0;
    } else if (g_ascii_isdigit(in[0])) {
        /* IPv4-address-literal: Snum 3("." Snum), Snum 0-255 */
        int parts = 0, val = -1;
        for (gsize k = 0; k <= il; k++) {
            if (k == il || in[k] == '.') {
                if (val < 0 || val > 255)
                    return 0;
                parts++;
                val = -1;
            } else if (g_ascii_isdigit(in[k])) {
                val = (val < 0 ? 0 : val * 10) + (in[k] - '0');
                if (val > 255)
                    return 0;
            } else {
                return 0;
            }
        }
        if (parts != 4)
            return 0;
    } else {
        /* General-address-literal = Standardized-tag ":" 1*dcontent */
        const char *colon = memchr(in, ':', il);
        if (colon == NULL || colon == in || colon + 1 == in + il)
            return 0;
    }
    return i + 1;
}

gboolean
smtp_path_is_domain(const char *s, gsize len, gboolean literal_ok)
{
    g_return_val_if_fail(s != NULL, FALSE);
    if (len > SMTP_PATH_DOMAIN_MAX)
        return FALSE;
    if (literal_ok && len > 0 && s[0] == '[')
        return smtp_path_scan_literal(s, len) == len;
    return len > 0 && smtp_path_scan_domain(s, len) == len;
}

/* Local-part = Dot-string / Quoted-string */
static gsize
smtp_path_scan_local(const char *s, gsize len, gboolean *quoted)
{
    *quoted = FALSE;
    if (len > 0 && s[0] == '"') {
        gsize i = 1;
        while (i < len && s[i] != '"') {
            guchar c = (guchar)s[i];
            if (c == '\\') {
                /* quoted-pairSMTP = %d92 %d32-126 */
                if (i + 1 >= len || (guchar)s[i + 1] < 32 || (guchar)s[i + 1] > 126)
                    return 0;
                i += 2;
                continue;
            }
            if (c < 32 || c > 126) /* qtextSMTP */
                return 0;
            i++;
        }
        if (i >= len)
            return 0;
        *quoted = TRUE;
        return i + 1;
    }
    /* Dot-string = Atom *("." Atom) */
    gsize i = 0;
    for (;;) {
        gsize start = i;
        while (i < len && smtp_path_is_atext((guchar)s[i]))
            i++;
        if (i == start)
            return 0;
        if (i + 1 < len && s[i] == '.' && smtp_path_is_atext((guchar)s[i + 1]))
            i++;
        else
            return i;
    }
}

/* A-d-l = At-domain *( "," At-domain ), followed by ":" */
static gsize
smtp_path_scan_adl(const char *s, gsize len)
{
    gsize i = 0;
    for (;;) {
        if (i >= len || s[i] != '@')
            return 0;
        gsize n = smtp_path_scan_domain(s + i + 1, len - i - 1);
        if (n == 0)
            return 0;
        i += 1 + n;
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        return i < len && s[i] == ':' ? i : 0;
    }
}

void
smtp_path_clear(SmtpPath *path)
{
    if (path == NULL)
        return;
    g_free(path->source_route);
    g_free(path->local); /* and the domain, in its block */
    memset(path, 0, sizeof *path);
}

static SmtpPathError
smtp_path_parse_mailbox(const char *s, gsize len, SmtpPath *path)
{
    gboolean quoted;
    gsize ll = smtp_path_scan_local(s, len, &quoted);
    if (ll == 0 || ll >= len || s[ll] != '@')
        return SMTP_PATH_ERR_SYNTAX;
    const char *d = s + ll + 1;
    gsize dl = len - ll - 1;
    gboolean literal = dl > 0 && d[0] == '[';
    gsize n = literal ? smtp_path_scan_literal(d, dl) : smtp_path_scan_domain(d, dl);
    if (n == 0 || n != dl)
        return SMTP_PATH_ERR_SYNTAX;
    if (ll > SMTP_PATH_LOCAL_MAX || dl > SMTP_PATH_DOMAIN_MAX)
        return SMTP_PATH_ERR_TOO_LONG;
    /* Both parts in one block (every MAIL and RCPT): domain after local. */
    char *block = g_malloc(ll + 1 + dl + 1);
    memcpy(block, s, ll);
    block[ll] = '\0';
    memcpy(block + ll + 1, d, dl);
    block[ll + 1 + dl] = '\0';
    path->local = block;
    path->domain = block + ll + 1;
    path->is_quoted = quoted;
    path->is_literal = literal;
    return SMTP_PATH_OK;
}

SmtpPathError
smtp_path_parse(const char *s, gsize len, gboolean reverse, gboolean postmaster_ok, SmtpPath *path,
                gsize *consumed)
{
    g_return_val_if_fail(s != NULL && path != NULL && consumed != NULL, SMTP_PATH_ERR_SYNTAX);
    memset(path, 0, sizeof *path);
    *consumed = 0;
    if (len < 2 || s[0] != '<')
        return SMTP_PATH_ERR_SYNTAX;
    /* The closing ">" is the first one outside a quoted string. */
    gsize end = 1;
    gboolean inq = FALSE;
    for (; end < len; end++) {
        if (inq && s[end] == '\\' && end + 1 < len) {
            end++;
            continue;
        }
        if (s[end] == '"')
            inq = !inq;
        else if (!inq && s[end] == '>')
            break;
    }
    if (end >= len)
        return SMTP_PATH_ERR_SYNTAX;
    *consumed = end + 1;
    if (end + 1 > SMTP_PATH_MAX)
        return SMTP_PATH_ERR_TOO_LONG;
    const char *in = s + 1;
    gsize il = end - 1;
    if (il == 0) {
        if (!reverse)
            return SMTP_PATH_ERR_NULL;
        path->is_null = TRUE;
        return SMTP_PATH_OK;
    }
    /* RFC 5321 4.1.1.3: "<Postmaster>" (case-insensitive) without a domain. */
    if (postmaster_ok && il == 10 && g_ascii_strncasecmp(in, "postmaster", 10) == 0) {
        path->is_postmaster = TRUE;
        path->local = g_strndup(in, il);
        return SMTP_PATH_OK;
    }
    gsize adl = smtp_path_scan_adl(in, il);
    if (adl > 0) {
        path->has_source_route = TRUE;
        path->source_route = g_strndup(in, adl);
        in += adl + 1;
        il -= adl + 1;
    }
    SmtpPathError e = smtp_path_parse_mailbox(in, il, path);
    if (e != SMTP_PATH_OK) {
        smtp_path_clear(path);
        *consumed = end + 1;
    }
    return e;
}

/* The address's parts: local (may be ""), and domain or NULL. */
static const char *
smtp_path_address_parts(const SmtpPath *path, const char **domain)
{
    *domain = path->is_null ? NULL : path->domain;
    return path->is_null || path->local == NULL ? "" : path->local;
}

gsize
smtp_path_address_size(const SmtpPath *path)
{
    g_return_val_if_fail(path != NULL, 0);
    const char *domain;
    const char *local = smtp_path_address_parts(path, &domain);
    return strlen(local) + (domain ? 1 + strlen(domain) : 0) + 1;
}

gsize
smtp_path_write_address(const SmtpPath *path, char *out)
{
    g_return_val_if_fail(path != NULL && out != NULL, 0);
    const char *domain;
    const char *local = smtp_path_address_parts(path, &domain);
    /* Lengths known once, no varargs walk: this runs for every MAIL and RCPT. */
    gsize ll = strlen(local);
    memcpy(out, local, ll);
    if (domain == NULL) {
        out[ll] = '\0';
        return ll + 1;
    }
    gsize dl = strlen(domain);
    out[ll] = '@';
    memcpy(out + ll + 1, domain, dl + 1);
    return ll + 1 + dl + 1;
}

char *
smtp_path_to_address(const SmtpPath *path)
{
    g_return_val_if_fail(path != NULL, NULL);
    char *a = g_malloc(smtp_path_address_size(path));
    smtp_path_write_address(path, a);
    return a;
}

/* A parameter and its strings in one allocation (freed with g_free): MAIL
 * and RCPT parameters are parsed for every transaction. */
static SmtpParam *
smtp_param_new(const char *k, gsize klen, const char *v, gsize vlen)
{
    SmtpParam *sp = g_malloc(sizeof *sp + klen + 1 + (v ? vlen + 1 : 0));
    char *t = (char *)(sp + 1);
    memcpy(t, k, klen);
    t[klen] = '\0';
    sp->keyword = t;
    sp->value = NULL;
    if (v != NULL) {
        sp->value = t + klen + 1;
        memcpy(sp->value, v, vlen);
        sp->value[vlen] = '\0';
    }
    return sp;
}

GPtrArray *
smtp_params_parse(const char *s)
{
    g_return_val_if_fail(s != NULL, NULL);
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    const char *p = s;
    while (*p != '\0') {
        if (*p != ' ')
            goto bad;
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        /* esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-") */
        const char *k = p;
        if (!g_ascii_isalnum(*p))
            goto bad;
        while (g_ascii_isalnum(*p) || *p == '-')
            p++;
        gsize klen = (gsize)(p - k);
        const char *v = NULL;
        if (*p == '=') {
            /* esmtp-value = 1*(%d33-60 / %d62-126) */
            v = ++p;
            while ((guchar)*p >= 33 && (guchar)*p <= 126 && *p != '=')
                p++;
            if (p == v)
                goto bad;
        }
        g_ptr_array_add(a, smtp_param_new(k, klen, v, v ? (gsize)(p - v) : 0));
    }
    return a;
bad:
    g_ptr_array_unref(a);
    return NULL;
}

const char *
smtp_params_get(const GPtrArray *params, const char *keyword, gboolean *found)
{
    if (found)
        *found = FALSE;
    if (params == NULL)
        return NULL;
    for (guint i = 0; i < params->len; i++) {
        const SmtpParam *sp = g_ptr_array_index(params, i);
        if (g_ascii_strcasecmp(sp->keyword, keyword) == 0) {
            if (found)
                *found = TRUE;
            return sp->value;
        }
    }
    return NULL;
}

char *
smtp_xtext_decode(const char *s)
{
    g_return_val_if_fail(s != NULL, NULL);
    GString *out = g_string_new(NULL);
    for (const char *p = s; *p; p++) {
        if (*p == '+') {
            if (!g_ascii_isxdigit(p[1]) || !g_ascii_isxdigit(p[2])) {
                g_string_free(out, TRUE);
                return NULL;
            }
            g_string_append_c(out, (char)(g_ascii_xdigit_value(p[1]) * 16 +
                                          g_ascii_xdigit_value(p[2])));
            p += 2;
        } else if ((guchar)*p < 33 || (guchar)*p > 126 || *p == '=') {
            g_string_free(out, TRUE);
            return NULL;
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}
