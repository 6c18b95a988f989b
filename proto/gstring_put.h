/* SPDX-License-Identifier: MIT
 * gstring_put: appends to a GString that copy into the room it already has
 * and call GLib only to grow it. The commands a client writes and the fields
 * a relay folds are built from a dozen short pieces per message per hop;
 * g_string_append() costs a library call and a length check for each.
 */
#ifndef PROTO_GSTRING_PUT_H
#define PROTO_GSTRING_PUT_H

#include <string.h>

#include <glib.h>

/* Appends p[0, n) to s, like g_string_append_len(). */
static inline void
gstring_put_len(GString *s, const char *p, gsize n)
{
    if (s->len + n < s->allocated_len) {
        memcpy(s->str + s->len, p, n);
        s->len += n;
        s->str[s->len] = '\0';
    } else {
        g_string_append_len(s, p, (gssize)n);
    }
}

/* Appends the string p to s, like g_string_append(). */
static inline void
gstring_put(GString *s, const char *p)
{
    gstring_put_len(s, p, strlen(p));
}

#endif
