/* SPDX-License-Identifier: MIT
 * run_result_trace: the tracker's final view of each message and the
 * expectation results as trace records, in tracker order (deterministic).
 * Scenario locations are given as line and column only: the same scenario
 * read from another directory gives the same trace.
 */
#include "app/run_result_trace.h"

#include <string.h>

#include "nodes/expect.h"
#include "sim/trace.h"

/* A header or reply text: kept as is when it is UTF-8, else escaped the
 * way wire data is (docs/trace.md). */
static void
run_result_trace_text(SimTraceRec *r, const char *key, const char *value)
{
    if (value == NULL)
        return;
    if (g_utf8_validate(value, -1, NULL))
        sim_trace_str(r, key, value);
    else
        sim_trace_bytes(r, key, (const guint8 *)value, strlen(value));
}

static void
run_result_trace_message(SimTrace *tr, SimTime now, const TrackMsg *m)
{
    SimTraceRec *r = sim_trace_begin(tr, now, "run.message", NULL);
    sim_trace_str(r, "msg", m->id);
    sim_trace_str(r, "kind", m->kind ? m->kind : "");
    if (m->parent)
        sim_trace_str(r, "parent", m->parent);
    run_result_trace_text(r, "from", m->from ? m->from : m->envelope_from);
    run_result_trace_text(r, "subject", m->subject);
    sim_trace_int(r, "rcpts", m->rcpts->len);
    sim_trace_end(r);
    for (guint k = 0; k < m->rcpts->len; k++) {
        const TrackRcpt *rc = m->rcpts->pdata[k];
        r = sim_trace_begin(tr, now, "run.rcpt", NULL);
        sim_trace_str(r, "msg", m->id);
        run_result_trace_text(r, "rcpt", rc->address);
        sim_trace_str(r, "status", track_status_name(rc->status));
        sim_trace_int(r, "code", rc->code);
        run_result_trace_text(r, "reply", rc->reply ? rc->reply : "");
        sim_trace_str(r, "where", rc->where ? rc->where : "");
        sim_trace_end(r);
    }
}

void
run_result_trace(World *w, const GPtrArray *results)
{
    SimTrace *tr = sim_world_trace(world_sim(w));
    if (!sim_trace_enabled(tr))
        return;
    SimTime now = world_now(w);
    const GPtrArray *msgs = tracker_messages(world_tracker(w));
    for (guint i = 0; i < msgs->len; i++)
        run_result_trace_message(tr, now, msgs->pdata[i]);
    guint held = 0;
    for (guint i = 0; i < results->len; i++) {
        const ExpectResult *e = results->pdata[i];
        held += e->held;
        SimTraceRec *r = sim_trace_begin(tr, now, "run.expect", NULL);
        sim_trace_int(r, "index", i + 1);
        run_result_trace_text(r, "what", e->what);
        sim_trace_bool(r, "held", e->held);
        run_result_trace_text(r, "actual", e->actual ? e->actual : "");
        sim_trace_int(r, "line", e->spec->loc.line);
        sim_trace_int(r, "col", e->spec->loc.col);
        sim_trace_end(r);
    }
    const WorldSpec *spec = world_spec(w);
    SimTraceRec *r = sim_trace_begin(tr, now, "run.end", NULL);
    run_result_trace_text(r, "name", spec->name ? spec->name : "");
    sim_trace_int(r, "seed", (gint64)world_seed(w));
    sim_trace_int(r, "events", (gint64)sim_world_events_executed(world_sim(w)));
    sim_trace_int(r, "messages", msgs->len);
    sim_trace_int(r, "expectations", results->len);
    sim_trace_int(r, "held", held);
    sim_trace_end(r);
    sim_trace_flush(tr);
}
