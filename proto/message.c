/* SPDX-License-Identifier: MIT
 * message: RFC 5322 2.1-2.2 header section / body split, field folding and
 * unfolding (2.2.3), with the raw bytes of every field kept for byte-exact
 * re-serialisation. Tolerates LF-only files and the obsolete WSP before the
 * colon (4.5). Does not interpret field bodies or MIME.
 */
#include "proto/message.h"

#include <string.h>

typedef struct {
    char *raw; /* the whole field: name, colon, value, final line ending */
    gsize raw_len;
    char *name;      /* as written, WSP before the colon removed */
    char *raw_value; /* after the colon, without the final line ending */
    gsize raw_value_len;
    char *value; /* unfolded and trimmed */
} MailField;

struct MailMessage {
    GPtrArray *fields;  /* MailField* */
    GByteArray *prefix; /* an mbox "From " line before the header, kept as is */
    char sep[3];        /* the empty line ending the header: "\r\n", "\n" or "" */
    GBytes *body;
    guint defects;
    gboolean is_lf_only;
};

static void
mail_field_free(gpointer p)
{
    MailField *f = p;
    g_free(f->raw);
    g_free(f->name);
    g_free(f->raw_value);
    g_free(f->value);
    g_free(f);
}

static inline gboolean
mail_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static char *
mail_trim_wsp(const char *s)
{
    gsize len = strlen(s);
    gsize a = 0;
    while (a < len && (mail_is_wsp(s[a]) || s[a] == '\r' || s[a] == '\n'))
        a++;
    while (len > a && (mail_is_wsp(s[len - 1]) || s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    return g_strndup(s + a, len - a);
}

/* Builds a field from its raw bytes; name_len counts the name as written,
 * colon_off is the offset of the colon, content_len excludes the ending. */
static MailField *
mail_field_from_raw(const char *raw, gsize raw_len, gsize name_len, gsize colon_off,
                    gsize content_len)
{
    MailField *f = g_new0(MailField, 1);
    f->raw = g_malloc(raw_len + 1);
    memcpy(f->raw, raw, raw_len);
    f->raw[raw_len] = '\0';
    f->raw_len = raw_len;
    f->name = g_strndup(raw, name_len);
    f->raw_value_len = content_len - colon_off - 1;
    f->raw_value = g_strndup(raw + colon_off + 1, f->raw_value_len);
    g_autofree char *unfolded = mail_header_unfold(f->raw_value, f->raw_value_len);
    f->value = mail_trim_wsp(unfolded);
    return f;
}

static MailField *
mail_field_new(const char *name, const char *value)
{
    g_autofree char *raw = mail_header_fold(name, value, 0);
    gsize len = strlen(raw);
    gsize name_len = strlen(name);
    return mail_field_from_raw(raw, len, name_len, name_len, len - 2);
}

MailMessage *
mail_message_new(void)
{
    MailMessage *msg = g_new0(MailMessage, 1);
    msg->fields = g_ptr_array_new_with_free_func(mail_field_free);
    msg->prefix = g_byte_array_new();
    msg->body = g_bytes_new(NULL, 0);
    strcpy(msg->sep, "\r\n");
    return msg;
}

void
mail_message_free(MailMessage *msg)
{
    if (msg == NULL)
        return;
    g_ptr_array_unref(msg->fields);
    g_byte_array_unref(msg->prefix);
    g_bytes_unref(msg->body);
    g_free(msg);
}

MailMessage *
mail_message_copy(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    MailMessage *c = mail_message_new();
    for (guint i = 0; i < msg->fields->len; i++) {
        const MailField *f = msg->fields->pdata[i];
        MailField *n = g_new0(MailField, 1);
        n->raw = g_memdup2(f->raw, f->raw_len + 1);
        n->raw_len = f->raw_len;
        n->name = g_strdup(f->name);
        n->raw_value = g_memdup2(f->raw_value, f->raw_value_len + 1);
        n->raw_value_len = f->raw_value_len;
        n->value = g_strdup(f->value);
        g_ptr_array_add(c->fields, n);
    }
    g_byte_array_append(c->prefix, msg->prefix->data, msg->prefix->len);
    memcpy(c->sep, msg->sep, sizeof c->sep);
    g_bytes_unref(c->body);
    c->body = g_bytes_ref(msg->body);
    c->defects = msg->defects;
    c->is_lf_only = msg->is_lf_only;
    return c;
}

/* Length of the physical line at p (up to and including its LF, or to end). */
static gsize
mail_line_len(const char *p, gsize avail)
{
    const char *nl = memchr(p, '\n', avail);
    return nl ? (gsize)(nl - p) + 1 : avail;
}

/* Offset of ':' ending a valid field name in line[0..len), or -1. Sets
 * *name_len (the name without trailing WSP, obs-optional 4.5). */
static gssize
mail_find_colon(const char *line, gsize len, gsize *name_len, gboolean *wsp_before)
{
    gsize i = 0;
    /* RFC 5322 3.6.8: ftext = %d33-57 / %d59-126 */
    while (i < len && line[i] >= 33 && line[i] <= 126 && line[i] != ':')
        i++;
    *name_len = i;
    if (i == 0)
        return -1;
    gsize j = i;
    while (j < len && mail_is_wsp(line[j]))
        j++;
    if (j >= len || line[j] != ':')
        return -1;
    *wsp_before = j > i;
    return (gssize)j;
}

/* Checks one physical line of the header section for defects. */
static void
mail_message_scan_line(MailMessage *msg, const char *p, gsize n, gsize max_line, guint *lf,
                       guint *crlf)
{
    gsize content = n;
    if (n > 0 && p[n - 1] == '\n') {
        content--;
        if (content > 0 && p[content - 1] == '\r') {
            content--;
            (*crlf)++;
        } else {
            (*lf)++;
        }
    }
    if (content > max_line)
        msg->defects |= MAIL_MESSAGE_DEFECT_LINE_TOO_LONG;
    if (memchr(p, '\0', content) != NULL)
        msg->defects |= MAIL_MESSAGE_DEFECT_NUL;
    if (memchr(p, '\r', content) != NULL)
        msg->defects |= MAIL_MESSAGE_DEFECT_BARE_CR;
}

static gboolean
mail_line_is_empty(const char *p, gsize n)
{
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

/* Length of the line without its ending. */
static gsize
mail_line_content(const char *p, gsize n)
{
    if (n > 0 && p[n - 1] == '\n') {
        n--;
        if (n > 0 && p[n - 1] == '\r')
            n--;
    }
    return n;
}

/* Reads one field starting at pos; returns bytes consumed or 0 if the line
 * is not a field. */
static gsize
mail_message_read_field(MailMessage *msg, const char *d, gsize len, gsize pos, gsize max_line,
                        guint *lf, guint *crlf)
{
    gsize n = mail_line_len(d + pos, len - pos);
    gsize name_len;
    gboolean wsp_before = FALSE;
    gssize colon = mail_find_colon(d + pos, mail_line_content(d + pos, n), &name_len, &wsp_before);
    if (colon < 0)
        return 0;
    mail_message_scan_line(msg, d + pos, n, max_line, lf, crlf);
    gsize end = pos + n;
    /* RFC 5322 2.2.3: a line starting with WSP continues the field. */
    while (end < len && mail_is_wsp(d[end])) {
        gsize m = mail_line_len(d + end, len - end);
        mail_message_scan_line(msg, d + end, m, max_line, lf, crlf);
        end += m;
    }
    if (wsp_before)
        msg->defects |= MAIL_MESSAGE_DEFECT_WSP_BEFORE_COLON;
    gsize total = end - pos;
    gsize content = total;
    if (d[end - 1] == '\n') {
        content--;
        if (content > (gsize)colon + 1 && d[pos + content - 1] == '\r')
            content--;
    }
    g_ptr_array_add(msg->fields,
                    mail_field_from_raw(d + pos, total, name_len, (gsize)colon, content));
    return total;
}

MailMessage *
mail_message_parse(const guint8 *data, gsize len, const MailMessageLimits *limits)
{
    g_return_val_if_fail(data != NULL || len == 0, NULL);
    MailMessage *msg = mail_message_new();
    const char *d = (const char *)data;
    guint max_fields = limits && limits->max_fields ? limits->max_fields : MAIL_MESSAGE_FIELDS_MAX;
    gsize max_line = limits && limits->max_line ? limits->max_line : MAIL_MESSAGE_LINE_MAX;
    guint lf = 0, crlf = 0;
    gsize pos = 0;
    gsize first = len ? mail_line_len(d, len) : 0;
    gsize nl;
    gboolean wb;
    /* An mbox envelope line ("From addr date") is not a field: keep it aside. */
    if (len >= 5 && memcmp(d, "From ", 5) == 0 &&
        mail_find_colon(d, mail_line_content(d, first), &nl, &wb) < 0) {
        g_byte_array_append(msg->prefix, data, (guint)first);
        pos = first;
    }
    msg->sep[0] = '\0';
    while (pos < len) {
        gsize n = mail_line_len(d + pos, len - pos);
        if (mail_line_is_empty(d + pos, n)) {
            memcpy(msg->sep, d + pos, n);
            msg->sep[n] = '\0';
            if (n == 1)
                lf++;
            else
                crlf++;
            pos += n;
            break;
        }
        if (msg->fields->len >= max_fields) {
            msg->defects |=
                MAIL_MESSAGE_DEFECT_TOO_MANY_FIELDS | MAIL_MESSAGE_DEFECT_NO_BODY_SEPARATOR;
            break;
        }
        if (mail_is_wsp(d[pos]) && msg->fields->len == 0) {
            msg->defects |=
                MAIL_MESSAGE_DEFECT_FIRST_LINE_FOLDED | MAIL_MESSAGE_DEFECT_NO_BODY_SEPARATOR;
            break;
        }
        gsize used = mail_message_read_field(msg, d, len, pos, max_line, &lf, &crlf);
        if (used == 0) {
            /* CPython's MissingHeaderBodySeparatorDefect: the body starts here. */
            msg->defects |=
                MAIL_MESSAGE_DEFECT_MISSING_COLON | MAIL_MESSAGE_DEFECT_NO_BODY_SEPARATOR;
            if (memchr(d + pos, '\0', mail_line_content(d + pos, n)) != NULL)
                msg->defects |= MAIL_MESSAGE_DEFECT_NUL;
            break;
        }
        pos += used;
    }
    if (lf > 0)
        msg->defects |= MAIL_MESSAGE_DEFECT_LF_ONLY;
    msg->is_lf_only = lf > 0 && crlf == 0;
    g_bytes_unref(msg->body);
    msg->body = g_bytes_new(data + pos, len - pos);
    return msg;
}

MailMessage *
mail_message_parse_bytes(GBytes *bytes, const MailMessageLimits *limits)
{
    g_return_val_if_fail(bytes != NULL, NULL);
    gsize len;
    const guint8 *d = g_bytes_get_data(bytes, &len);
    return mail_message_parse(d, len, limits);
}

guint
mail_message_get_defects(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, 0);
    return msg->defects;
}

gboolean
mail_message_is_lf_only(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, FALSE);
    return msg->is_lf_only;
}

const guint8 *
mail_message_get_unix_from(const MailMessage *msg, gsize *len)
{
    g_return_val_if_fail(msg != NULL, NULL);
    if (len)
        *len = msg->prefix->len;
    return msg->prefix->len ? msg->prefix->data : NULL;
}

guint
mail_message_n_fields(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, 0);
    return msg->fields->len;
}

static const MailField *
mail_message_field(const MailMessage *msg, guint i)
{
    g_return_val_if_fail(msg != NULL, NULL);
    g_return_val_if_fail(i < msg->fields->len, NULL);
    return msg->fields->pdata[i];
}

const char *
mail_message_field_name(const MailMessage *msg, guint i)
{
    const MailField *f = mail_message_field(msg, i);
    return f ? f->name : NULL;
}

const char *
mail_message_field_raw_value(const MailMessage *msg, guint i, gsize *len)
{
    const MailField *f = mail_message_field(msg, i);
    if (f && len)
        *len = f->raw_value_len;
    return f ? f->raw_value : NULL;
}

const char *
mail_message_field_raw(const MailMessage *msg, guint i, gsize *len)
{
    const MailField *f = mail_message_field(msg, i);
    if (f && len)
        *len = f->raw_len;
    return f ? f->raw : NULL;
}

const char *
mail_message_field_value(const MailMessage *msg, guint i)
{
    const MailField *f = mail_message_field(msg, i);
    return f ? f->value : NULL;
}

gint
mail_message_find(const MailMessage *msg, const char *name, guint start)
{
    g_return_val_if_fail(msg != NULL && name != NULL, -1);
    for (guint i = start; i < msg->fields->len; i++) {
        const MailField *f = msg->fields->pdata[i];
        if (g_ascii_strcasecmp(f->name, name) == 0)
            return (gint)i;
    }
    return -1;
}

const char *
mail_message_get(const MailMessage *msg, const char *name)
{
    gint i = mail_message_find(msg, name, 0);
    return i < 0 ? NULL : mail_message_field_value(msg, (guint)i);
}

GPtrArray *
mail_message_get_all(const MailMessage *msg, const char *name)
{
    GPtrArray *out = g_ptr_array_new();
    g_return_val_if_fail(msg != NULL && name != NULL, out);
    for (gint i = mail_message_find(msg, name, 0); i >= 0;
         i = mail_message_find(msg, name, (guint)i + 1))
        g_ptr_array_add(out, (gpointer)mail_message_field_value(msg, (guint)i));
    return out;
}

guint
mail_message_count(const MailMessage *msg, const char *name)
{
    guint n = 0;
    for (gint i = mail_message_find(msg, name, 0); i >= 0;
         i = mail_message_find(msg, name, (guint)i + 1))
        n++;
    return n;
}

void
mail_message_insert(MailMessage *msg, guint i, const char *name, const char *value)
{
    g_return_if_fail(msg != NULL && value != NULL);
    g_return_if_fail(mail_header_name_is_valid(name));
    g_return_if_fail(i <= msg->fields->len);
    g_ptr_array_insert(msg->fields, (gint)i, mail_field_new(name, value));
}

void
mail_message_prepend(MailMessage *msg, const char *name, const char *value)
{
    mail_message_insert(msg, 0, name, value);
}

void
mail_message_append(MailMessage *msg, const char *name, const char *value)
{
    g_return_if_fail(msg != NULL);
    mail_message_insert(msg, msg->fields->len, name, value);
}

void
mail_message_remove_at(MailMessage *msg, guint i)
{
    g_return_if_fail(msg != NULL && i < msg->fields->len);
    g_ptr_array_remove_index(msg->fields, i);
}

guint
mail_message_remove_all(MailMessage *msg, const char *name)
{
    guint n = 0;
    gint i;
    while ((i = mail_message_find(msg, name, 0)) >= 0) {
        g_ptr_array_remove_index(msg->fields, (guint)i);
        n++;
    }
    return n;
}

void
mail_message_set(MailMessage *msg, const char *name, const char *value)
{
    gint first = mail_message_find(msg, name, 0);
    if (first < 0) {
        mail_message_append(msg, name, value);
        return;
    }
    mail_message_remove_all(msg, name);
    mail_message_insert(msg, (guint)first, name, value);
}

const guint8 *
mail_message_get_body(const MailMessage *msg, gsize *len)
{
    g_return_val_if_fail(msg != NULL, NULL);
    return g_bytes_get_data(msg->body, len);
}

GBytes *
mail_message_get_body_bytes(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    return g_bytes_ref(msg->body);
}

void
mail_message_set_body(MailMessage *msg, const guint8 *data, gsize len)
{
    g_return_if_fail(msg != NULL && (data != NULL || len == 0));
    g_bytes_unref(msg->body);
    msg->body = g_bytes_new(data, len);
    /* RFC 5322 2.1: the body follows an empty line. */
    if (msg->sep[0] == '\0' && len > 0)
        strcpy(msg->sep, msg->is_lf_only ? "\n" : "\r\n");
}

GBytes *
mail_message_serialize(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, msg->prefix->data, msg->prefix->len);
    for (guint i = 0; i < msg->fields->len; i++) {
        const MailField *f = msg->fields->pdata[i];
        g_byte_array_append(out, (const guint8 *)f->raw, (guint)f->raw_len);
        /* A last field parsed without a line ending needs one before more. */
        if (f->raw_len && f->raw[f->raw_len - 1] != '\n' &&
            (i + 1 < msg->fields->len || msg->sep[0]))
            g_byte_array_append(out, (const guint8 *)"\r\n", 2);
    }
    g_byte_array_append(out, (const guint8 *)msg->sep, (guint)strlen(msg->sep));
    gsize blen;
    const guint8 *b = g_bytes_get_data(msg->body, &blen);
    g_byte_array_append(out, b, (guint)blen);
    return g_byte_array_free_to_bytes(out);
}

GBytes *
mail_message_serialize_crlf(const MailMessage *msg)
{
    g_autoptr(GBytes) raw = mail_message_serialize(msg);
    gsize len;
    const guint8 *d = g_bytes_get_data(raw, &len);
    if (len == 0)
        return g_bytes_ref(raw); /* d may be NULL: not for memchr */
    /* RFC 5322 2.1 / RFC 5321 2.3.8: CR and LF only as CRLF. Copy the
     * runs between bare LFs whole; most messages have none. */
    const guint8 *lf = memchr(d, '\n', len);
    while (lf != NULL && lf > d && lf[-1] == '\r')
        lf = memchr(lf + 1, '\n', len - (gsize)(lf + 1 - d));
    if (lf == NULL && !(len > 0 && d[0] == '\n'))
        return g_bytes_ref(raw);
    GByteArray *out = g_byte_array_sized_new((guint)len + 16);
    gsize start = 0;
    for (gsize i = 0; i < len; i++) {
        if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r')) {
            g_byte_array_append(out, d + start, (guint)(i - start));
            g_byte_array_append(out, (const guint8 *)"\r", 1);
            start = i;
        }
    }
    g_byte_array_append(out, d + start, (guint)(len - start));
    return g_byte_array_free_to_bytes(out);
}

GBytes *
mail_message_bytes_prepend(GBytes *msg, const char *name, const char *value)
{
    g_return_val_if_fail(msg != NULL && name != NULL && value != NULL, NULL);
    g_autofree char *field = mail_header_fold(name, value, 0);
    gsize flen = strlen(field), mlen = 0;
    const guint8 *m = g_bytes_get_data(msg, &mlen);
    guint8 *out = g_malloc(flen + mlen + 1);
    memcpy(out, field, flen);
    if (mlen > 0)
        memcpy(out + flen, m, mlen);
    return g_bytes_new_take(out, flen + mlen);
}

char *
mail_header_fold(const char *name, const char *value, guint width)
{
    g_return_val_if_fail(name != NULL && value != NULL, NULL);
    if (width == 0)
        width = MAIL_MESSAGE_FOLD_WIDTH;
    /* CR and LF in a caller's value would inject fields: make them spaces. */
    g_autofree char *v = g_strdup(value);
    for (char *p = v; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    GString *out = g_string_new(name);
    g_string_append_c(out, ':');
    gsize line_len = out->len;
    gboolean line_has_word = FALSE;
    const char *p = v;
    if (*p && !mail_is_wsp(*p)) {
        g_string_append_c(out, ' ');
        line_len++;
    }
    while (*p) {
        /* A segment is a WSP run followed by a word; folds go before the WSP. */
        const char *s = p;
        while (*p && mail_is_wsp(*p))
            p++;
        while (*p && !mail_is_wsp(*p))
            p++;
        gsize seg = (gsize)(p - s);
        if (line_has_word && mail_is_wsp(*s) && line_len + seg > width) {
            g_string_append(out, "\r\n");
            line_len = 0;
        }
        g_string_append_len(out, s, (gssize)seg);
        line_len += seg;
        line_has_word = TRUE;
    }
    g_string_append(out, "\r\n");
    return g_string_free(out, FALSE);
}

char *
mail_header_unfold(const char *raw, gsize len)
{
    g_return_val_if_fail(raw != NULL || len == 0, NULL);
    GString *out = g_string_sized_new(len);
    for (gsize i = 0; i < len; i++) {
        if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
            continue; /* the LF decides */
        if (raw[i] == '\n')
            continue; /* RFC 5322 2.2.3: unfolding removes CRLF before WSP */
        g_string_append_c(out, raw[i]);
    }
    return g_string_free(out, FALSE);
}

gboolean
mail_header_name_is_valid(const char *name)
{
    if (name == NULL || *name == '\0')
        return FALSE;
    for (const char *p = name; *p; p++)
        if ((guchar)*p < 33 || (guchar)*p > 126 || *p == ':')
            return FALSE;
    return TRUE;
}
