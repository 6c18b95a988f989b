/* SPDX-License-Identifier: MIT
 * message_scan: header-field questions answered on the raw bytes (RFC 5322
 * 2.2 fields, 2.2.3 folding, 3.6.8 field names, 4.5 obsolete WSP before
 * the colon), by the rules of message.c's parser with default limits. It
 * keeps nothing and allocates nothing; it does not unfold or decode values.
 */
#include "proto/message_scan.h"

#include <string.h>

#include "proto/ascii_case.h"
#include "proto/message.h"

static inline gboolean
mail_scan_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of the physical line at p, its LF included (or to the end). */
static gsize
mail_scan_line_len(const char *p, gsize avail)
{
    const char *nl = memchr(p, '\n', avail);
    return nl ? (gsize)(nl - p) + 1 : avail;
}

/* Length of a line without its LF or CRLF. */
static gsize
mail_scan_line_content(const char *p, gsize n)
{
    if (n > 0 && p[n - 1] == '\n') {
        n--;
        if (n > 0 && p[n - 1] == '\r')
            n--;
    }
    return n;
}

/* Length of the field name ending at a colon (RFC 5322 3.6.8 ftext, WSP
 * allowed before the colon by 4.5), or 0 when the line is not a field. */
static gsize
mail_scan_field_name(const char *line, gsize len)
{
    gsize i = 0;
    while (i < len && line[i] >= 33 && line[i] <= 126 && line[i] != ':')
        i++;
    if (i == 0)
        return 0;
    gsize j = i;
    while (j < len && mail_scan_is_wsp(line[j]))
        j++;
    return j < len && line[j] == ':' ? i : 0;
}

static gboolean
mail_scan_is_empty_line(const char *p, gsize n)
{
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

gboolean
mail_message_scan_has_unix_from(const guint8 *data, gsize len)
{
    g_return_val_if_fail(data != NULL || len == 0, FALSE);
    const char *d = (const char *)data;
    if (len < 5 || memcmp(d, "From ", 5) != 0)
        return FALSE;
    gsize first = mail_scan_line_len(d, len);
    return mail_scan_field_name(d, mail_scan_line_content(d, first)) == 0;
}

guint
mail_message_scan_count(const guint8 *data, gsize len, const char *name)
{
    g_return_val_if_fail(name != NULL, 0);
    guint count = 0;
    mail_message_scan_count_all(data, len, &name, 1, &count);
    return count;
}

void
mail_message_scan_count_all(const guint8 *data, gsize len, const char *const *names, guint n,
                            guint *counts)
{
    g_return_if_fail((data != NULL || len == 0) && (names != NULL || n == 0));
    g_return_if_fail((counts != NULL || n == 0) && n <= MAIL_MESSAGE_SCAN_NAMES_MAX);
    const char *d = (const char *)data;
    gsize pos = 0, lens[MAIL_MESSAGE_SCAN_NAMES_MAX];
    guint fields = 0;
    for (guint k = 0; k < n; k++) {
        counts[k] = 0;
        lens[k] = strlen(names[k]);
    }
    /* An mbox envelope line ("From addr date") is not a field. */
    if (mail_message_scan_has_unix_from(data, len))
        pos = mail_scan_line_len(d, len);
    while (pos < len) {
        gsize line = mail_scan_line_len(d + pos, len - pos);
        if (mail_scan_is_empty_line(d + pos, line))
            break;
        /* The parser makes the rest body past its field limit, or when
         * the first line is folded or is not a field. */
        if (fields >= MAIL_MESSAGE_FIELDS_MAX || (fields == 0 && mail_scan_is_wsp(d[pos])))
            break;
        gsize name_len = mail_scan_field_name(d + pos, mail_scan_line_content(d + pos, line));
        if (name_len == 0)
            break;
        fields++;
        for (guint k = 0; k < n; k++)
            if (name_len == lens[k] && ascii_case_equal_n(d + pos, names[k], name_len))
                counts[k]++;
        pos += line;
        /* RFC 5322 2.2.3: a line starting with WSP continues the field. */
        while (pos < len && mail_scan_is_wsp(d[pos]))
            pos += mail_scan_line_len(d + pos, len - pos);
    }
}
