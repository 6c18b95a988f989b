/* SPDX-License-Identifier: MIT
 * expect_exposure: one party's row of a message's exposure table, under
 * one case, against what the scenario expects (read and/or alter; with
 * neither, that the party is on the message's path at all).
 */
#include "nodes/expect_exposure.h"

#include "nodes/exposure.h"

static void
expect_exposure_what(ExpectResult *res, const ExpectSpec *e, const char *cname)
{
    GString *w = g_string_new(NULL);
    g_string_append_printf(w, "%s under %s: %s", e->message, cname, e->party);
    if (e->has_read)
        g_string_append_printf(w, " %s", e->read ? "reads it" : "does not read it");
    if (e->has_alter)
        g_string_append_printf(w, "%s %s", e->has_read ? "," : "",
                               e->alter ? "can alter it" : "cannot alter it");
    if (!e->has_read && !e->has_alter)
        g_string_append(w, " is a party");
    res->what = g_string_free(w, FALSE);
}

ExpectResult *
expect_exposure_check(World *w, const ExpectSpec *e)
{
    ExpectResult *res = g_new0(ExpectResult, 1);
    res->spec = e;
    ExposureCase c = (ExposureCase)e->exposure_case;
    expect_exposure_what(res, e, exposure_case_name(c));
    const TrackMsg *m = tracker_find(world_tracker(w), e->message);
    g_autoptr(ExposureTable) t = m != NULL ? exposure_table_build(w, m) : NULL;
    if (t == NULL) {
        res->actual = g_strdup(m == NULL ? "the message was never sent" : "the message has no path");
        return res;
    }
    const ExposureRow *row = NULL;
    for (guint i = 0; i < t->rows->len && row == NULL; i++)
        if (g_ascii_strcasecmp(((ExposureRow *)t->rows->pdata[i])->party, e->party) == 0)
            row = t->rows->pdata[i];
    if (row == NULL) {
        res->actual = g_strdup_printf("%s is not on %s's path", e->party, e->message);
        return res;
    }
    res->held = (!e->has_read || row->read[c] == e->read) &&
                (!e->has_alter || row->alter[c] == e->alter);
    res->actual = g_strdup_printf("%s %s (%s), %s (%s)", e->party,
                                  row->read[c] ? "reads it" : "does not read it", row->read_why[c],
                                  row->alter[c] ? "can alter it" : "cannot alter it",
                                  row->alter_why[c]);
    return res;
}
