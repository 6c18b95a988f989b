/* SPDX-License-Identifier: MIT
 * http_form: percent-decoding (RFC 3986 2.1), form bodies
 * (application/x-www-form-urlencoded) and Cookie header values (RFC 6265
 * 5.4). Octets are kept as octets: decoding never assumes UTF-8.
 */
#include "proto/http_form.h"

#include <string.h>

char *
http_percent_decode(const char *s, gsize len, gboolean plus_is_space, gsize *out_len)
{
    GString *out = g_string_sized_new(len);
    for (gsize i = 0; i < len; i++) {
        char c = s[i];
        /* RFC 3986 2.1: pct-encoded = "%" HEXDIG HEXDIG. */
        if (c == '%' && i + 2 < len && g_ascii_isxdigit(s[i + 1]) && g_ascii_isxdigit(s[i + 2])) {
            g_string_append_c(
                out, (char)(g_ascii_xdigit_value(s[i + 1]) * 16 + g_ascii_xdigit_value(s[i + 2])));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            g_string_append_c(out, ' ');
        } else {
            g_string_append_c(out, c);
        }
    }
    if (out_len)
        *out_len = out->len;
    return g_string_free(out, FALSE);
}

static void
http_form_field_free(HttpFormField *f)
{
    g_free(f->name);
    if (f->value)
        memset(f->value, 0, strlen(f->value)); /* passwords travel in forms */
    g_free(f->value);
    g_free(f);
}

GPtrArray *
http_form_decode(const guint8 *data, gsize len)
{
    GPtrArray *form = g_ptr_array_new_with_free_func((GDestroyNotify)http_form_field_free);
    const char *p = (const char *)data, *end = p + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (gsize)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            const char *eq = memchr(p, '=', (gsize)(stop - p));
            const char *name_end = eq ? eq : stop;
            HttpFormField *f = g_new0(HttpFormField, 1);
            f->name = http_percent_decode(p, (gsize)(name_end - p), TRUE, NULL);
            f->value =
                eq ? http_percent_decode(eq + 1, (gsize)(stop - eq - 1), TRUE, NULL) : g_strdup("");
            g_ptr_array_add(form, f);
        }
        p = amp ? amp + 1 : end;
    }
    return form;
}

const char *
http_form_get(const GPtrArray *form, const char *name)
{
    for (guint i = 0; form && i < form->len; i++) {
        const HttpFormField *f = form->pdata[i];
        if (strcmp(f->name, name) == 0)
            return f->value;
    }
    return NULL;
}

static void
http_form_append(GString *out, const char *s)
{
    for (const guchar *p = (const guchar *)s; *p; p++) {
        /* RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
        if (g_ascii_isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
            g_string_append_c(out, (char)*p);
        else if (*p == ' ')
            g_string_append_c(out, '+');
        else
            g_string_append_printf(out, "%%%02X", *p);
    }
}

char *
http_form_encode(const char *const *pairs)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2) {
        if (i > 0)
            g_string_append_c(out, '&');
        http_form_append(out, pairs[i]);
        g_string_append_c(out, '=');
        http_form_append(out, pairs[i + 1]);
    }
    return g_string_free(out, FALSE);
}

char *
http_cookie_get(const char *header, const char *name)
{
    if (header == NULL || name == NULL)
        return NULL;
    g_auto(GStrv) pairs = g_strsplit(header, ";", -1);
    for (char **p = pairs; *p; p++) {
        char *pair = g_strstrip(*p);
        char *eq = strchr(pair, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        if (strcmp(g_strstrip(pair), name) == 0)
            return g_strdup(g_strstrip(eq + 1));
    }
    return NULL;
}
