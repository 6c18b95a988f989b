/* SPDX-License-Identifier: MIT
 * message_mime: RFC 2045 5.1 Content-Type (token "/" token *(";" parameter),
 * CFWS allowed between tokens as RFC 2045 says), RFC 2046 5.1.1 multipart
 * delimiters (the line break before "--boundary" belongs to it, transport
 * padding after it is ignored), RFC 2231 3-4 extended parameters, RFC 3464
 * delivery-status field groups, and a multipart body builder. No transfer
 * decoding.
 */
#include "proto/message_mime.h"

#include <string.h>

static void
mail_mime_skip_cfws(const char **pp)
{
    const char *p = *pp;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (*p != '(')
            break;
        /* RFC 5322 3.2.2: comments nest and may hold quoted-pairs. */
        int depth = 0;
        while (*p) {
            if (*p == '\\' && p[1]) {
                p += 2;
                continue;
            }
            if (*p == '(')
                depth++;
            else if (*p == ')' && --depth == 0) {
                p++;
                break;
            }
            p++;
        }
    }
    *pp = p;
}

/* RFC 2045 5.1: token := 1*<any CHAR except SPACE, CTLs, or tspecials> */
static gboolean
mail_mime_is_token_char(char c)
{
    return (guchar)c > 32 && (guchar)c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static char *
mail_mime_read_token(const char **pp)
{
    const char *s = *pp;
    const char *p = s;
    while (mail_mime_is_token_char(*p))
        p++;
    *pp = p;
    return p > s ? g_strndup(s, (gsize)(p - s)) : NULL;
}

static char *
mail_mime_read_quoted(const char **pp)
{
    const char *p = *pp + 1;
    GString *v = g_string_new(NULL);
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            p++;
        if (*p != '\r' && *p != '\n')
            g_string_append_c(v, *p);
        p++;
    }
    if (*p == '"')
        p++;
    *pp = p;
    return g_string_free(v, FALSE);
}

MailContentType *
mail_content_type_new(const char *type, const char *subtype)
{
    g_return_val_if_fail(type != NULL && subtype != NULL, NULL);
    MailContentType *ct = g_new0(MailContentType, 1);
    ct->type = g_ascii_strdown(type, -1);
    ct->subtype = g_ascii_strdown(subtype, -1);
    ct->param_names = g_ptr_array_new_with_free_func(g_free);
    ct->param_values = g_ptr_array_new_with_free_func(g_free);
    return ct;
}

void
mail_content_type_add_param(MailContentType *ct, const char *name, const char *value)
{
    g_return_if_fail(ct != NULL && name != NULL && value != NULL);
    g_ptr_array_add(ct->param_names, g_ascii_strdown(name, -1));
    g_ptr_array_add(ct->param_values, g_strdup(value));
}

void
mail_content_type_free(MailContentType *ct)
{
    if (ct == NULL)
        return;
    g_free(ct->type);
    g_free(ct->subtype);
    g_ptr_array_unref(ct->param_names);
    g_ptr_array_unref(ct->param_values);
    g_free(ct);
}

/* RFC 2231 4: charset'language'%XX-encoded value. */
static char *
mail_mime_decode_2231(const char *v, gboolean has_charset)
{
    if (has_charset) {
        const char *q1 = strchr(v, '\'');
        const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
        if (q2 != NULL)
            v = q2 + 1;
    }
    GString *out = g_string_new(NULL);
    for (const char *p = v; *p; p++) {
        if (*p == '%' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
            g_string_append_c(out,
                              (char)(g_ascii_xdigit_value(p[1]) * 16 + g_ascii_xdigit_value(p[2])));
            p += 2;
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}

/* Adds a parameter, joining RFC 2231 3 continuations (name*0, name*1*...)
 * and decoding RFC 2231 4 extended values (name*). */
static void
mail_content_type_add_extended(MailContentType *ct, const char *name, const char *val)
{
    const char *star = strchr(name, '*');
    if (star == NULL) {
        mail_content_type_add_param(ct, name, val);
        return;
    }
    g_autofree char *base = g_strndup(name, (gsize)(star - name));
    gboolean encoded = name[strlen(name) - 1] == '*';
    gboolean first =
        star[1] == '*' || star[1] == '\0' || (star[1] == '0' && !g_ascii_isdigit(star[2]));
    g_autofree char *dec = encoded ? mail_mime_decode_2231(val, first) : g_strdup(val);
    for (guint i = 0; i < ct->param_names->len; i++) {
        if (g_ascii_strcasecmp(ct->param_names->pdata[i], base) == 0 && !first) {
            char *joined = g_strconcat(ct->param_values->pdata[i], dec, NULL);
            g_free(ct->param_values->pdata[i]);
            ct->param_values->pdata[i] = joined;
            return;
        }
    }
    mail_content_type_add_param(ct, base, dec);
}

MailContentType *
mail_content_type_parse(const char *value)
{
    g_return_val_if_fail(value != NULL, NULL);
    const char *p = value;
    mail_mime_skip_cfws(&p);
    g_autofree char *type = mail_mime_read_token(&p);
    mail_mime_skip_cfws(&p);
    if (type == NULL || *p != '/')
        return NULL;
    p++;
    mail_mime_skip_cfws(&p);
    g_autofree char *subtype = mail_mime_read_token(&p);
    if (subtype == NULL)
        return NULL;
    MailContentType *ct = mail_content_type_new(type, subtype);
    for (;;) {
        mail_mime_skip_cfws(&p);
        if (*p != ';')
            break; /* junk after the parameters is ignored */
        p++;
        mail_mime_skip_cfws(&p);
        g_autofree char *name = mail_mime_read_token(&p);
        mail_mime_skip_cfws(&p);
        if (name == NULL || *p != '=')
            continue; /* an empty or broken parameter: skip to the next ';' */
        p++;
        mail_mime_skip_cfws(&p);
        g_autofree char *val = *p == '"' ? mail_mime_read_quoted(&p) : mail_mime_read_token(&p);
        if (val != NULL)
            mail_content_type_add_extended(ct, name, val);
        while (*p && *p != ';' && *p != ' ' && *p != '\t' && *p != '(')
            p++;
    }
    return ct;
}

const char *
mail_content_type_get_param(const MailContentType *ct, const char *name)
{
    g_return_val_if_fail(ct != NULL && name != NULL, NULL);
    for (guint i = 0; i < ct->param_names->len; i++)
        if (g_ascii_strcasecmp(ct->param_names->pdata[i], name) == 0)
            return ct->param_values->pdata[i];
    return NULL;
}

gboolean
mail_content_type_is(const MailContentType *ct, const char *type, const char *subtype)
{
    g_return_val_if_fail(ct != NULL && type != NULL, FALSE);
    return g_ascii_strcasecmp(ct->type, type) == 0 &&
           (subtype == NULL || g_ascii_strcasecmp(ct->subtype, subtype) == 0);
}

char *
mail_content_type_to_string(const MailContentType *ct)
{
    g_return_val_if_fail(ct != NULL, NULL);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s/%s", ct->type, ct->subtype);
    for (guint i = 0; i < ct->param_names->len; i++) {
        const char *v = ct->param_values->pdata[i];
        gboolean plain = *v != '\0';
        for (const char *q = v; *q; q++)
            if (!mail_mime_is_token_char(*q))
                plain = FALSE;
        g_string_append_printf(s, "; %s=", (const char *)ct->param_names->pdata[i]);
        if (plain) {
            g_string_append(s, v);
            continue;
        }
        g_string_append_c(s, '"');
        for (const char *q = v; *q; q++) {
            if (*q == '"' || *q == '\\')
                g_string_append_c(s, '\\');
            g_string_append_c(s, *q);
        }
        g_string_append_c(s, '"');
    }
    return g_string_free(s, FALSE);
}

MailContentType *
mail_message_get_content_type(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    const char *v = mail_message_get(msg, "Content-Type");
    MailContentType *ct = v ? mail_content_type_parse(v) : NULL;
    if (ct == NULL) {
        /* RFC 2045 5.2: the default is text/plain; charset=us-ascii. */
        ct = mail_content_type_new("text", "plain");
        mail_content_type_add_param(ct, "charset", "us-ascii");
    }
    return ct;
}

void
mail_multipart_free(MailMultipart *mp)
{
    if (mp == NULL)
        return;
    g_bytes_unref(mp->preamble);
    g_ptr_array_unref(mp->parts);
    g_bytes_unref(mp->epilogue);
    g_free(mp);
}

/* If the line at body[ls..] is a delimiter for b, returns 1 (delimiter) or 2
 * (close delimiter), else 0. *next gets the offset after the line. */
static int
mail_multipart_is_delimiter(const guint8 *body, gsize len, gsize ls, const char *b, gsize blen,
                            gsize *next)
{
    if (len - ls < blen + 2 || body[ls] != '-' || body[ls + 1] != '-' ||
        memcmp(body + ls + 2, b, blen) != 0)
        return 0;
    gsize p = ls + 2 + blen;
    int kind = 1;
    if (p + 1 < len && body[p] == '-' && body[p + 1] == '-') {
        kind = 2;
        p += 2;
    }
    /* RFC 2046 5.1.1: transport padding (LWSP) may follow. */
    while (p < len && (body[p] == ' ' || body[p] == '\t'))
        p++;
    if (p < len && body[p] == '\r' && p + 1 < len && body[p + 1] == '\n')
        p += 2;
    else if (p < len && body[p] == '\n')
        p++;
    else if (p < len)
        return 0;
    *next = p;
    return kind;
}

/* Start of the line break that precedes the line at ls (it belongs to the
 * delimiter), or ls at the start of the body. */
static gsize
mail_multipart_content_end(const guint8 *body, gsize ls, gsize floor)
{
    if (ls > floor && body[ls - 1] == '\n') {
        ls--;
        if (ls > floor && body[ls - 1] == '\r')
            ls--;
    }
    return ls;
}

MailMultipart *
mail_multipart_split(const guint8 *body, gsize len, const char *boundary)
{
    g_return_val_if_fail((body != NULL || len == 0) && boundary != NULL, NULL);
    gsize blen = strlen(boundary);
    /* Real mailers exceed RFC 2046's 70; accept up to four times that. */
    if (blen == 0 || blen > MAIL_MIME_BOUNDARY_MAX * 4)
        return NULL;
    MailMultipart *mp = NULL;
    gsize part_start = 0;
    for (gsize ls = 0; ls < len;) {
        const guint8 *nl = memchr(body + ls, '\n', len - ls);
        gsize line_end = nl ? (gsize)(nl - body) + 1 : len;
        gsize next = 0;
        int kind = mail_multipart_is_delimiter(body, len, ls, boundary, blen, &next);
        if (kind != 0) {
            gsize cend = mail_multipart_content_end(body, ls, mp ? part_start : 0);
            if (mp == NULL) {
                mp = g_new0(MailMultipart, 1);
                mp->parts = g_ptr_array_new_with_free_func((GDestroyNotify)mail_message_free);
                mp->preamble = g_bytes_new(body, cend);
            } else if (ls > part_start && mp->parts->len < MAIL_MIME_PARTS_MAX) {
                g_ptr_array_add(mp->parts,
                                mail_message_parse(body + part_start, cend - part_start, NULL));
            }
            part_start = next;
            if (kind == 2) {
                mp->is_closed = TRUE;
                mp->epilogue = g_bytes_new(body + next, len - next);
                return mp;
            }
            line_end = next;
        }
        ls = line_end;
    }
    if (mp == NULL)
        return NULL;
    /* No close delimiter: the last part runs to the end. */
    if (part_start < len && mp->parts->len < MAIL_MIME_PARTS_MAX)
        g_ptr_array_add(mp->parts, mail_message_parse(body + part_start, len - part_start, NULL));
    mp->epilogue = g_bytes_new(NULL, 0);
    return mp;
}

MailMultipart *
mail_message_split_multipart(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    g_autoptr(MailContentType) ct = mail_message_get_content_type(msg);
    const char *b = mail_content_type_get_param(ct, "boundary");
    if (!mail_content_type_is(ct, "multipart", NULL) || b == NULL)
        return NULL;
    gsize len;
    const guint8 *body = mail_message_get_body(msg, &len);
    return mail_multipart_split(body, len, b);
}

GPtrArray *
mail_mime_delivery_status_split(const guint8 *body, gsize len)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)mail_message_free);
    g_return_val_if_fail(body != NULL || len == 0, out);
    gsize pos = 0;
    while (pos < len && out->len < MAIL_MIME_PARTS_MAX) {
        /* Skip the empty lines between groups. */
        if (body[pos] == '\n' || (body[pos] == '\r' && pos + 1 < len && body[pos + 1] == '\n')) {
            pos += body[pos] == '\n' ? 1 : 2;
            continue;
        }
        MailMessage *group = mail_message_parse(body + pos, len - pos, NULL);
        gsize blen;
        mail_message_get_body(group, &blen);
        gsize used = len - pos - blen;
        if (mail_message_n_fields(group) == 0 || used == 0) {
            mail_message_free(group);
            break; /* not fields: stop rather than loop */
        }
        /* Keep the group's fields only; the rest is the next groups. */
        mail_message_set_body(group, NULL, 0);
        g_ptr_array_add(out, group);
        pos += used;
    }
    return out;
}

GBytes *
mail_multipart_build(const char *boundary, const char *preamble, MailMessage *const *parts,
                     guint n_parts)
{
    g_return_val_if_fail(boundary != NULL && *boundary != '\0', NULL);
    g_return_val_if_fail(parts != NULL || n_parts == 0, NULL);
    GByteArray *out = g_byte_array_new();
    if (preamble != NULL) {
        g_byte_array_append(out, (const guint8 *)preamble, (guint)strlen(preamble));
        g_byte_array_append(out, (const guint8 *)"\r\n", 2);
    }
    for (guint i = 0; i < n_parts; i++) {
        if (i > 0)
            g_byte_array_append(out, (const guint8 *)"\r\n", 2);
        g_byte_array_append(out, (const guint8 *)"--", 2);
        g_byte_array_append(out, (const guint8 *)boundary, (guint)strlen(boundary));
        g_byte_array_append(out, (const guint8 *)"\r\n", 2);
        g_autoptr(GBytes) b = mail_message_serialize_crlf(parts[i]);
        gsize len;
        const guint8 *d = g_bytes_get_data(b, &len);
        g_byte_array_append(out, d, (guint)len);
    }
    g_byte_array_append(out, (const guint8 *)"\r\n--", 4);
    g_byte_array_append(out, (const guint8 *)boundary, (guint)strlen(boundary));
    g_byte_array_append(out, (const guint8 *)"--\r\n", 4);
    return g_byte_array_free_to_bytes(out);
}
