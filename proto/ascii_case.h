/* SPDX-License-Identifier: MIT
 * ascii_case: an inline ASCII case-insensitive comparison of a known length,
 * for the keyword matches done on every command, reply and header field
 * (RFC 5321 2.4: verbs and EHLO keywords are case-insensitive; RFC 5322
 * 1.2.2: so are field names). Same result as g_ascii_strncasecmp() == 0,
 * without a library call and a table look-up per octet.
 */
#ifndef PROTO_ASCII_CASE_H
#define PROTO_ASCII_CASE_H

#include <glib.h>

static inline char
ascii_case_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* TRUE when a and b agree, ignoring ASCII case, on their first n octets or
 * up to a NUL both have at the same place. */
static inline gboolean
ascii_case_equal_n(const char *a, const char *b, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        char x = ascii_case_lower(a[i]);
        if (x != ascii_case_lower(b[i]))
            return FALSE;
        if (x == '\0')
            return TRUE;
    }
    return TRUE;
}

#endif
