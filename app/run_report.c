/* SPDX-License-Identifier: MIT
 * run_report: the run's table and expectation lines, for people.
 */
#include "app/run_report.h"

#include <string.h>

#include "nodes/copies.h"

static void
run_report_time(GString *s, SimTime t)
{
    sim_time_append(s, t);
}

static char *
run_report_path(const TrackMsg *m)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < m->hops->len; i++) {
        const TrackHop *h = m->hops->pdata[i];
        if (i)
            g_string_append(s, " > ");
        g_string_append_printf(s, "%s@", h->node);
        run_report_time(s, h->t_in);
        if (strcmp(h->action, "accept") != 0 && strcmp(h->action, "submit") != 0 &&
            strcmp(h->action, "deliver") != 0)
            g_string_append_printf(s, "(%s)", h->action);
    }
    return g_string_free(s, FALSE);
}

static void
run_report_row(FILE *out, const TrackMsg *m)
{
    g_autofree char *path = run_report_path(m);
    for (guint k = 0; k < MAX(m->rcpts->len, 1u); k++) {
        const TrackRcpt *r = k < m->rcpts->len ? m->rcpts->pdata[k] : NULL;
        GString *status = g_string_new(r ? track_status_name(r->status) : "-");
        if (r && r->code && r->status != TRACK_STATUS_DELIVERED)
            g_string_append_printf(status, " %u", r->code);
        fprintf(out, "%-10s %-24s %-24s %-14s %s\n", k == 0 ? m->id : "",
                k == 0 && m->from ? m->from : "", r ? r->address : "-", status->str,
                k == 0 ? path : "\"");
        g_string_free(status, TRUE);
    }
}

/* Who holds a copy of each message when the run ends (nodes/copies.h). */
static void
run_report_copies(FILE *out, World *w)
{
    g_autoptr(GPtrArray) msgs = world_copies_messages(w);
    if (msgs->len == 0)
        return;
    fprintf(out, "\ncopies at the end (node kind where):\n");
    for (guint i = 0; i < msgs->len && i < RUN_REPORT_MAX_ROWS; i++) {
        g_autoptr(GPtrArray) held = world_copies_held(w, msgs->pdata[i]);
        GString *s = g_string_new(NULL);
        for (guint k = 0; k < held->len; k++) {
            const CopyHeld *h = held->pdata[k];
            g_string_append_printf(s, "%s%s %s%s%s", k ? "; " : "", h->node,
                                   copy_kind_name(h->kind), h->where[0] ? " " : "", h->where);
        }
        fprintf(out, "%-10s %s\n", (const char *)msgs->pdata[i], s->len ? s->str : "(none left)");
        g_string_free(s, TRUE);
    }
    if (msgs->len > RUN_REPORT_MAX_ROWS)
        fprintf(out, "... %u more messages (the trace has them all)\n",
                msgs->len - RUN_REPORT_MAX_ROWS);
}

void
run_report_print(FILE *out, World *w, GPtrArray *results, gboolean quiet)
{
    const WorldSpec *spec = world_spec(w);
    const GPtrArray *msgs = tracker_messages(world_tracker(w));
    guint counts[5] = {0};
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *m = msgs->pdata[i];
        for (guint k = 0; k < m->rcpts->len; k++)
            counts[((TrackRcpt *)m->rcpts->pdata[k])->status]++;
    }
    guint held = 0;
    for (guint i = 0; i < results->len; i++)
        held += ((ExpectResult *)results->pdata[i])->held;
    GString *t = g_string_new(NULL);
    run_report_time(t, world_now(w));
    fprintf(out, "%s: seed %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " events, virtual time %ss\n",
            spec->name ? spec->name : spec->file, world_seed(w),
            sim_world_events_executed(world_sim(w)), t->str);
    g_string_free(t, TRUE);
    fprintf(out, "messages: %u; recipients: %u delivered, %u rejected, %u bounced, %u queued\n",
            msgs->len, counts[TRACK_STATUS_DELIVERED], counts[TRACK_STATUS_REJECTED],
            counts[TRACK_STATUS_BOUNCED], counts[TRACK_STATUS_QUEUED] + counts[TRACK_STATUS_PENDING]);
    if (!quiet) {
        fprintf(out, "\n%-10s %-24s %-24s %-14s %s\n", "MESSAGE", "FROM", "TO", "STATUS",
                "PATH (node@virtual time)");
        for (guint i = 0; i < msgs->len && i < RUN_REPORT_MAX_ROWS; i++)
            run_report_row(out, msgs->pdata[i]);
        if (msgs->len > RUN_REPORT_MAX_ROWS)
            fprintf(out, "... %u more messages (the trace has them all)\n",
                    msgs->len - RUN_REPORT_MAX_ROWS);
        run_report_copies(out, w);
    }
    if (results->len > 0 && !quiet)
        fprintf(out, "\nexpectations:\n");
    for (guint i = 0; i < results->len; i++) {
        const ExpectResult *r = results->pdata[i];
        if (quiet && r->held)
            continue;
        g_autofree char *loc = spec_loc_to_string(&r->spec->loc);
        fprintf(out, "  %-4s %s", r->held ? "ok" : "FAIL", r->what);
        if (!r->held)
            fprintf(out, "\n       got: %s  (%s)", r->actual, loc);
        fprintf(out, "\n");
    }
    fprintf(out, "%s: %u of %u expectations held\n", held == results->len ? "pass" : "fail", held,
            results->len);
}
