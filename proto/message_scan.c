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
#include "proto/message_lines.h"

/* Length of the field name ending at a colon, or 0 when the line is not
 * a field. */
static gsize
mail_scan_field_name(const char *line, gsize len)
{
    gsize name_len;
    gboolean wsp_before;
    return mail_find_colon(line, len, &name_len, &wsp_before) < 0 ? 0 : name_len;
}

gboolean
mail_message_scan_has_unix_from(const guint8 *data, gsize len)
{
    g_return_val_if_fail(data != NULL || len == 0, FALSE);
    const char *d = (const char *)data;
    if (len < 5 || memcmp(d, "From ", 5) != 0)
        return FALSE;
    gsize first = mail_line_len(d, len);
    return mail_scan_field_name(d, mail_line_content(d, first)) == 0;
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
        pos = mail_line_len(d, len);
    while (pos < len) {
        gsize line = mail_line_len(d + pos, len - pos);
        if (mail_line_is_empty(d + pos, line))
            break;
        /* The parser makes the rest body past its field limit, or when
         * the first line is folded or is not a field. */
        if (fields >= MAIL_MESSAGE_FIELDS_MAX || (fields == 0 && mail_is_wsp(d[pos])))
            break;
        gsize name_len = mail_scan_field_name(d + pos, mail_line_content(d + pos, line));
        if (name_len == 0)
            break;
        fields++;
        for (guint k = 0; k < n; k++)
            if (name_len == lens[k] && ascii_case_equal_n(d + pos, names[k], name_len))
                counts[k]++;
        pos += line;
        /* RFC 5322 2.2.3: a line starting with WSP continues the field. */
        while (pos < len && mail_is_wsp(d[pos]))
            pos += mail_line_len(d + pos, len - pos);
    }
}
