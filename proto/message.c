/* SPDX-License-Identifier: MIT
 * message: RFC 5322 2.1-2.2 header section / body split, field folding and
 * unfolding (2.2.3), with the raw bytes of every field kept for byte-exact
 * re-serialisation. Tolerates LF-only files and the obsolete WSP before the
 * colon (4.5). Does not interpret field bodies or MIME.
 */
#include "proto/message.h"

#include <string.h>

#include "proto/gstring_put.h"
#include "proto/message_lines.h"

/* A field's strings live in the message's text blocks, which never move or
 * change once written: raw, name and raw_value are NUL-terminated copies
 * side by side. The unfolded value is worked out on first use. */
typedef struct {
    const char *raw; /* the whole field: name, colon, value, final line ending */
    gsize raw_len;
    const char *name; /* as written, WSP before the colon removed */
    gsize name_len;
    const char *raw_value; /* after the colon, without the final line ending */
    gsize raw_value_len;
    const char *value; /* unfolded and trimmed; NULL until asked for */
    char *value_owned; /* value, when it could not point into raw_value */
} MailField;

struct MailMessage {
    GArray *fields;     /* MailField */
    GPtrArray *text;    /* the blocks the fields point into */
    GString *scratch;   /* (nullable) reused to fold new fields */
    GByteArray *prefix; /* (nullable) an mbox "From " line before the header, kept as is */
    char sep[3];        /* the empty line ending the header: "\r\n", "\n" or "" */
    GBytes *body;
    guint defects;
    gboolean is_lf_only;
};

static void
mail_field_clear(gpointer p)
{
    MailField *f = p;
    g_free(f->value_owned);
}

static inline gboolean
mail_is_trim(char c)
{
    return mail_is_wsp(c) || c == '\r' || c == '\n';
}

/* The unfolded value (RFC 5322 2.2.3), trimmed of WSP, CR and LF at both
 * ends and cut at a NUL. Points into raw_value when that needs no change. */
static const char *
mail_field_value(MailField *f)
{
    if (f->value != NULL)
        return f->value;
    const char *rv = f->raw_value;
    gsize len = strlen(rv); /* a NUL ends the value (as it always did) */
    gsize a = 0;
    while (a < len && mail_is_trim(rv[a]))
        a++;
    gboolean folded = memchr(rv + a, '\n', len - a) != NULL || memchr(rv + a, '\r', len - a);
    if (!folded && (len == a || !mail_is_trim(rv[len - 1]))) {
        f->value = rv + a;
        return f->value;
    }
    char *v = mail_header_unfold(rv + a, len - a);
    gsize vl = strlen(v);
    while (vl > 0 && mail_is_trim(v[vl - 1]))
        vl--;
    v[vl] = '\0';
    f->value = f->value_owned = v;
    return f->value;
}

/* Size of a field's strings in a text block. */
static gsize
mail_field_text_size(const MailField *f)
{
    return f->raw_len + 1 + f->name_len + 1 + f->raw_value_len + 1;
}

/* Copies the field's strings (which may point anywhere, unterminated) to t
 * and points f at the copies; returns the octets used. */
static gsize
mail_field_put(MailField *f, char *t)
{
    char *p = t;
    memcpy(p, f->raw, f->raw_len);
    p[f->raw_len] = '\0';
    f->raw = p;
    p += f->raw_len + 1;
    memcpy(p, f->name, f->name_len);
    p[f->name_len] = '\0';
    f->name = p;
    p += f->name_len + 1;
    memcpy(p, f->raw_value, f->raw_value_len);
    p[f->raw_value_len] = '\0';
    f->raw_value = p;
    p += f->raw_value_len + 1;
    return (gsize)(p - t);
}

static void mail_header_fold_into(GString *out, const char *name, const char *value, guint width);

/* A new field "name: value" (folded), in a text block of its own. */
static MailField
mail_field_new(MailMessage *msg, const char *name, const char *value)
{
    if (msg->scratch == NULL)
        msg->scratch = g_string_sized_new(256);
    GString *raw = msg->scratch;
    g_string_truncate(raw, 0);
    mail_header_fold_into(raw, name, value, 0);
    gsize name_len = strlen(name);
    MailField f = {
        .raw_len = raw->len,
        .name = name,
        .name_len = name_len,
        .raw_value_len = raw->len - 2 - name_len - 1, /* after the colon, before CRLF */
    };
    char *t = g_malloc(mail_field_text_size(&f));
    f.raw = raw->str;
    f.raw_value = raw->str + name_len + 1;
    mail_field_put(&f, t);
    g_ptr_array_add(msg->text, t);
    return f;
}

/* A message without its body yet (the parser sets it last). */
static MailMessage *
mail_message_alloc(void)
{
    MailMessage *msg = g_new0(MailMessage, 1);
    msg->fields = g_array_sized_new(FALSE, FALSE, sizeof(MailField), 16);
    g_array_set_clear_func(msg->fields, mail_field_clear);
    msg->text = g_ptr_array_new_with_free_func(g_free);
    strcpy(msg->sep, "\r\n");
    return msg;
}

MailMessage *
mail_message_new(void)
{
    MailMessage *msg = mail_message_alloc();
    msg->body = g_bytes_new(NULL, 0);
    return msg;
}

void
mail_message_free(MailMessage *msg)
{
    if (msg == NULL)
        return;
    g_array_unref(msg->fields);
    g_ptr_array_unref(msg->text);
    if (msg->scratch)
        g_string_free(msg->scratch, TRUE);
    if (msg->prefix)
        g_byte_array_unref(msg->prefix);
    g_bytes_unref(msg->body);
    g_free(msg);
}

static MailField *
mail_message_field_at(const MailMessage *msg, guint i)
{
    return &g_array_index(msg->fields, MailField, i);
}

/* Copies the strings of every field of msg, which point anywhere, into one
 * new text block of msg. */
static void
mail_message_own_fields(MailMessage *msg)
{
    gsize need = 1;
    for (guint i = 0; i < msg->fields->len; i++)
        need += mail_field_text_size(mail_message_field_at(msg, i));
    char *t = g_malloc(need);
    gsize off = 0;
    for (guint i = 0; i < msg->fields->len; i++)
        off += mail_field_put(mail_message_field_at(msg, i), t + off);
    g_ptr_array_add(msg->text, t);
}

MailMessage *
mail_message_copy(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    MailMessage *c = mail_message_new();
    for (guint i = 0; i < msg->fields->len; i++) {
        MailField f = *mail_message_field_at(msg, i);
        f.value = NULL;
        f.value_owned = NULL;
        g_array_append_val(c->fields, f);
    }
    mail_message_own_fields(c);
    if (msg->prefix) {
        c->prefix = g_byte_array_new();
        g_byte_array_append(c->prefix, msg->prefix->data, msg->prefix->len);
    }
    memcpy(c->sep, msg->sep, sizeof c->sep);
    g_bytes_unref(c->body);
    c->body = g_bytes_ref(msg->body);
    c->defects = msg->defects;
    c->is_lf_only = msg->is_lf_only;
    return c;
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
    /* Pointing into the input for now: mail_message_own_fields() copies. */
    MailField f = {
        .raw = d + pos,
        .raw_len = total,
        .name = d + pos,
        .name_len = name_len,
        .raw_value = d + pos + colon + 1,
        .raw_value_len = content - (gsize)colon - 1,
    };
    g_array_append_val(msg->fields, f);
    return total;
}

/* Parses data; the body is a slice of bytes when given (no copy). */
static MailMessage *
mail_message_parse_full(const guint8 *data, gsize len, GBytes *bytes,
                        const MailMessageLimits *limits)
{
    MailMessage *msg = mail_message_alloc();
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
        msg->prefix = g_byte_array_new();
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
    mail_message_own_fields(msg);
    msg->body =
        bytes ? g_bytes_new_from_bytes(bytes, pos, len - pos) : g_bytes_new(data + pos, len - pos);
    return msg;
}

MailMessage *
mail_message_parse(const guint8 *data, gsize len, const MailMessageLimits *limits)
{
    g_return_val_if_fail(data != NULL || len == 0, NULL);
    return mail_message_parse_full(data, len, NULL, limits);
}

MailMessage *
mail_message_parse_bytes(GBytes *bytes, const MailMessageLimits *limits)
{
    g_return_val_if_fail(bytes != NULL, NULL);
    gsize len;
    const guint8 *d = g_bytes_get_data(bytes, &len);
    return mail_message_parse_full(d, len, bytes, limits);
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
    gsize n = msg->prefix ? msg->prefix->len : 0;
    if (len)
        *len = n;
    return n ? msg->prefix->data : NULL;
}

guint
mail_message_n_fields(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, 0);
    return msg->fields->len;
}

/* Not const: the value is a cache filled on first use. */
static MailField *
mail_message_field(const MailMessage *msg, guint i)
{
    g_return_val_if_fail(msg != NULL, NULL);
    g_return_val_if_fail(i < msg->fields->len, NULL);
    return mail_message_field_at(msg, i);
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
    MailField *f = mail_message_field(msg, i);
    return f ? mail_field_value(f) : NULL;
}

gint
mail_message_find(const MailMessage *msg, const char *name, guint start)
{
    g_return_val_if_fail(msg != NULL && name != NULL, -1);
    gsize name_len = strlen(name);
    for (guint i = start; i < msg->fields->len; i++) {
        const MailField *f = mail_message_field_at(msg, i);
        if (f->name_len == name_len && g_ascii_strcasecmp(f->name, name) == 0)
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
    MailField f = mail_field_new(msg, name, value);
    g_array_insert_val(msg->fields, i, f);
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
    g_array_remove_index(msg->fields, i);
}

guint
mail_message_remove_all(MailMessage *msg, const char *name)
{
    guint n = 0;
    gint i;
    while ((i = mail_message_find(msg, name, 0)) >= 0) {
        g_array_remove_index(msg->fields, (guint)i);
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

/* A last field parsed without a line ending needs one before more. */
static gboolean
mail_message_needs_eol(const MailMessage *msg, guint i)
{
    const MailField *f = mail_message_field_at(msg, i);
    return f->raw_len && f->raw[f->raw_len - 1] != '\n' &&
           (i + 1 < msg->fields->len || msg->sep[0]);
}

GBytes *
mail_message_serialize(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, NULL);
    gsize plen = msg->prefix ? msg->prefix->len : 0, slen = strlen(msg->sep), blen;
    const guint8 *b = g_bytes_get_data(msg->body, &blen);
    gsize total = plen + slen + blen;
    for (guint i = 0; i < msg->fields->len; i++)
        total += mail_message_field_at(msg, i)->raw_len + (mail_message_needs_eol(msg, i) ? 2 : 0);
    /* One allocation of the exact size: this runs at every hop. */
    guint8 *out = g_malloc(total + 1), *p = out;
    if (plen) {
        memcpy(p, msg->prefix->data, plen);
        p += plen;
    }
    for (guint i = 0; i < msg->fields->len; i++) {
        const MailField *f = mail_message_field_at(msg, i);
        memcpy(p, f->raw, f->raw_len);
        p += f->raw_len;
        if (mail_message_needs_eol(msg, i)) {
            memcpy(p, "\r\n", 2);
            p += 2;
        }
    }
    memcpy(p, msg->sep, slen);
    p += slen;
    if (blen)
        memcpy(p, b, blen);
    return g_bytes_new_take(out, total);
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
    return mail_message_bytes_prepend_fields(msg, &name, &value, 1);
}

GBytes *
mail_message_bytes_prepend_fields(GBytes *msg, const char *const *names, const char *const *values,
                                  guint n)
{
    g_return_val_if_fail(msg != NULL && (n == 0 || (names != NULL && values != NULL)), NULL);
    gsize mlen = 0;
    const guint8 *m = g_bytes_get_data(msg, &mlen);
    /* The fields are folded straight into the new message's buffer: one
     * allocation and one copy of the message per hop. Room for each field
     * with a fold every few words; GString grows if a value folds more. */
    gsize size = mlen;
    for (guint i = 0; i < n; i++) {
        g_return_val_if_fail(names[i] != NULL && values[i] != NULL, NULL);
        gsize vlen = strlen(values[i]);
        size += strlen(names[i]) + vlen + vlen / 16 + 8;
    }
    GString *out = g_string_sized_new(size);
    for (guint i = 0; i < n; i++)
        mail_header_fold_into(out, names[i], values[i], 0);
    if (mlen > 0) /* an empty GBytes may have no data pointer */
        gstring_put_len(out, (const char *)m, mlen);
    return g_string_free_to_bytes(out);
}

/* CR and LF in a caller's value would inject fields: they are written as
 * spaces, so they count as WSP here. */
static inline gboolean
mail_fold_is_wsp(char c)
{
    return mail_is_wsp(c) || c == '\r' || c == '\n';
}

/* Octets as mail_header_fold_into() sees them: one table look-up per octet
 * instead of four comparisons (every relay folds its Received field). */
enum { MAIL_FOLD_WORD = 0, MAIL_FOLD_WSP, MAIL_FOLD_END };
static const guint8 mail_fold_class[256] = {
    ['\0'] = MAIL_FOLD_END, [' '] = MAIL_FOLD_WSP,  ['\t'] = MAIL_FOLD_WSP,
    ['\r'] = MAIL_FOLD_WSP, ['\n'] = MAIL_FOLD_WSP,
};

/* Appends value[0, n) with CR and LF made spaces when has_crlf. */
static void
mail_fold_append(GString *out, const char *value, gsize n, gboolean has_crlf)
{
    gstring_put_len(out, value, n);
    for (gsize k = out->len - n; has_crlf && k < out->len; k++)
        if (out->str[k] == '\r' || out->str[k] == '\n')
            out->str[k] = ' ';
}

static void
mail_header_fold_into(GString *out, const char *name, const char *value, guint width)
{
    if (width == 0)
        width = MAIL_MESSAGE_FOLD_WIDTH;
    gsize start = out->len;
    gstring_put(out, name);
    g_string_append_c(out, ':');
    gsize line_len = out->len - start;
    gsize vlen = strcspn(value, "\r\n");
    gboolean has_crlf = value[vlen] != '\0';
    if (!has_crlf && line_len + 1 + vlen <= width) {
        /* It fits on one line: no fold can be needed (most fields). */
        if (*value && !mail_fold_is_wsp(*value))
            g_string_append_c(out, ' ');
        gstring_put_len(out, value, vlen);
        gstring_put_len(out, "\r\n", 2);
        return;
    }
    gboolean line_has_word = FALSE;
    const char *p = value;
    const char *done = value; /* value before this is in out */
    if (*p && !mail_fold_is_wsp(*p)) {
        g_string_append_c(out, ' ');
        line_len++;
    }
    while (*p) {
        /* A segment is a WSP run followed by a word; folds go before the WSP. */
        const char *s = p;
        while (mail_fold_class[(guchar)*p] == MAIL_FOLD_WSP)
            p++;
        while (mail_fold_class[(guchar)*p] == MAIL_FOLD_WORD)
            p++;
        gsize seg = (gsize)(p - s);
        if (line_has_word && mail_fold_is_wsp(*s) && line_len + seg > width) {
            mail_fold_append(out, done, (gsize)(s - done), has_crlf);
            gstring_put(out, "\r\n");
            done = s;
            line_len = 0;
        }
        line_len += seg;
        line_has_word = TRUE;
    }
    mail_fold_append(out, done, (gsize)(p - done), has_crlf);
    gstring_put(out, "\r\n");
}

char *
mail_header_fold(const char *name, const char *value, guint width)
{
    g_return_val_if_fail(name != NULL && value != NULL, NULL);
    GString *out = g_string_sized_new(strlen(name) + strlen(value) + 16);
    mail_header_fold_into(out, name, value, width);
    return g_string_free(out, FALSE);
}

char *
mail_header_unfold(const char *raw, gsize len)
{
    g_return_val_if_fail(raw != NULL || len == 0, NULL);
    char *out = g_malloc(len + 1);
    gsize n = 0;
    for (gsize i = 0; i < len; i++) {
        if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
            continue; /* the LF decides */
        if (raw[i] == '\n')
            continue; /* RFC 5322 2.2.3: unfolding removes CRLF before WSP */
        out[n++] = raw[i];
    }
    out[n] = '\0';
    return out;
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
