/* SPDX-License-Identifier: MIT
 * tap_seen: the notes of what the taps read, and the `tap` expectation.
 */
#include "nodes/tap_seen.h"

#include <string.h>

#include "nodes/world_private.h"

typedef struct {
    char *tap;
    char *what;
    char *user; /* nullable */
} TapSeen;

const char *const tap_seen_whats[] = {
    "line",          "message",          "credentials",       "cram-md5",
    "starttls",      "tls-records",      "starttls-stripped", "starttls-blocked",
    "rewrite",       "tls-passthrough",  NULL,
};

static void
tap_seen_item_free(gpointer p)
{
    TapSeen *s = p;
    g_free(s->tap);
    g_free(s->what);
    g_free(s->user);
    g_free(s);
}

void
tap_seen_free(GPtrArray *seen)
{
    if (seen != NULL)
        g_ptr_array_unref(seen);
}

void
tap_seen_note(World *w, const char *tap, const char *what, const char *user)
{
    if (w->tap_seen == NULL)
        w->tap_seen = g_ptr_array_new_with_free_func(tap_seen_item_free);
    TapSeen *s = g_new0(TapSeen, 1);
    s->tap = g_strdup(tap);
    s->what = g_strdup(what);
    s->user = user != NULL && user[0] != '\0' ? g_strdup(user) : NULL;
    g_ptr_array_add(w->tap_seen, s);
}

ExpectResult *
tap_seen_check(World *w, const ExpectSpec *e)
{
    ExpectResult *res = g_new0(ExpectResult, 1);
    res->spec = e;
    guint n = 0;
    GString *users = g_string_new(NULL);
    for (guint i = 0; w->tap_seen != NULL && i < w->tap_seen->len; i++) {
        const TapSeen *s = w->tap_seen->pdata[i];
        if (strcmp(s->tap, e->tap) != 0 || strcmp(s->what, e->saw) != 0)
            continue;
        if (e->user != NULL && (s->user == NULL || g_ascii_strcasecmp(s->user, e->user) != 0))
            continue;
        n++;
        if (s->user != NULL && strstr(users->str, s->user) == NULL)
            g_string_append_printf(users, "%s%s", users->len ? ", " : "", s->user);
    }
    res->held = (n > 0) == e->present;
    res->what = g_strdup_printf("%s %s %s%s%s", e->tap, e->present ? "sees" : "does not see",
                                e->saw, e->user ? " of " : "", e->user ? e->user : "");
    if (n == 0)
        res->actual = g_strdup_printf("%s saw no %s", e->tap, e->saw);
    else if (users->len > 0)
        res->actual = g_strdup_printf("%s saw %s %u time%s (%s)", e->tap, e->saw, n,
                                      n == 1 ? "" : "s", users->str);
    else
        res->actual =
            g_strdup_printf("%s saw %s %u time%s", e->tap, e->saw, n, n == 1 ? "" : "s");
    g_string_free(users, TRUE);
    return res;
}
