/* SPDX-License-Identifier: MIT
 * message_lines: the line and field-name rules of a header section
 * (RFC 5322 2.1, 2.2, 3.6.8), shared by the message parser (message.c)
 * and the scanner that counts fields on raw bytes (message_scan.c).
 * Private to proto/.
 */
#ifndef PROTO_MESSAGE_LINES_H
#define PROTO_MESSAGE_LINES_H

#include <glib.h>
#include <string.h>

static inline gboolean
mail_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of the physical line at p (up to and including its LF, or to end). */
static inline gsize
mail_line_len(const char *p, gsize avail)
{
    const char *nl = memchr(p, '\n', avail);
    return nl ? (gsize)(nl - p) + 1 : avail;
}

/* Length of the line without its LF or CRLF. */
static inline gsize
mail_line_content(const char *p, gsize n)
{
    if (n > 0 && p[n - 1] == '\n') {
        n--;
        if (n > 0 && p[n - 1] == '\r')
            n--;
    }
    return n;
}

/* TRUE for the empty line that ends the header section (2.1). */
static inline gboolean
mail_line_is_empty(const char *p, gsize n)
{
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

/* Offset of ':' ending a valid field name in line[0..len), or -1. Sets
 * *name_len (the name without trailing WSP, obs-optional 4.5) and
 * *wsp_before (WSP between name and colon). */
static inline gssize
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

#endif
