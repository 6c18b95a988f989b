/* SPDX-License-Identifier: MIT
 * cmd_viz: `mhs viz TRACE.jsonl [--message ID ...] [--session CONN] -o OUT` or
 * `--report F.html`
 * (DESIGN 7). The output format comes from OUT's extension (.svg .png
 * .pdf .dot). One --message: its path; several: an overlay; --session:
 * the SMTP or HTTP sequence view (SVG only); --campaign NAME: where that
 * spam campaign's messages stopped; none: every message, merged.
 * --report F.html: the HTML report (viz/report.h) instead of a diagram.
 * Given a scenario (.yaml) instead of a trace, it runs it first, quietly,
 * with the scenario's seed, and draws from the records in memory.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "app/cli.h"
#include "app/run_result_trace.h"
#include "app/scenario.h"
#include "nodes/world.h"
#include "viz/campaign_diagram.h"
#include "viz/path_diagram.h"
#include "viz/report.h"
#include "viz/sequence.h"
#include "viz/trace_reader.h"

typedef struct {
    char **messages;
    gint64 session;
    char *out;
    char *campaign;
    char *report;
} VizCmdOpts;

static int
mhs_viz_draw(const VizTrace *vt, const VizCmdOpts *o, VizFormat fmt)
{
    g_autoptr(GError) error = NULL;
    if (o->session >= 0) {
        if (fmt != VIZ_FORMAT_SVG)
            return mhs_usage_error("--session: the sequence view is written as SVG only");
        if (!viz_sequence_write(vt, o->session, o->out, &error))
            return mhs_usage_error("%s", error->message);
        return MHS_EXIT_OK;
    }
    if (o->campaign) {
        g_autoptr(GBytes) cb = viz_campaign_render(vt, o->campaign, fmt, &error);
        if (cb == NULL) {
            fprintf(stderr, "mhs: %s\n", error->message);
            return error->code == VIZ_ERROR_RENDER ? MHS_EXIT_FAIL : MHS_EXIT_USAGE;
        }
        if (!viz_write_bytes(o->out, cb, &error))
            return mhs_usage_error("-o: %s", error->message);
        return MHS_EXIT_OK;
    }
    guint n = o->messages ? g_strv_length(o->messages) : 0;
    if (n > VIZ_PATH_MAX_MESSAGES)
        return mhs_usage_error("--message: at most %d messages in one diagram",
                               VIZ_PATH_MAX_MESSAGES);
    g_autoptr(GBytes) out =
        n == 0 ? viz_overview_render(vt, fmt, &error)
               : viz_path_render(vt, (const char *const *)o->messages, n, fmt, &error);
    if (out == NULL) {
        fprintf(stderr, "mhs: %s\n", error->message);
        return error->code == VIZ_ERROR_RENDER ? MHS_EXIT_FAIL : MHS_EXIT_USAGE;
    }
    if (!viz_write_bytes(o->out, out, &error))
        return mhs_usage_error("-o: %s", error->message);
    return MHS_EXIT_OK;
}

static gboolean
mhs_viz_is_scenario(const char *path)
{
    return g_str_has_suffix(path, ".yaml") || g_str_has_suffix(path, ".yml");
}

/* Runs the scenario to the end and reads its records. NULL with the
 * scenario's FILE:LINE:COL message. */
static VizTrace *
mhs_viz_run_scenario(const char *path, GError **error)
{
    g_autoptr(WorldSpec) spec = scenario_load(path, error);
    if (spec == NULL)
        return NULL;
    SimTrace *trace = sim_trace_new();
    sim_trace_keep_records(trace);
    /* The world owns the trace; it stays valid until the world is freed. */
    g_autoptr(World) w = world_new(spec, trace, FALSE, 0, error);
    if (w == NULL)
        return NULL;
    world_run(w, SIM_TIME_NEVER, NULL, NULL);
    return viz_trace_new_from_sim(trace);
}

/* --report: the HTML report of a saved trace, or of a scenario run to its
 * end with its expectations checked (as `mhs run --report`). */
static int
mhs_viz_report(const char *input, const char *out)
{
    g_autoptr(GError) error = NULL;
    if (!mhs_viz_is_scenario(input)) {
        if (!viz_report_write_file(input, out, &error))
            return mhs_usage_error("%s", error->message);
        return MHS_EXIT_OK;
    }
    g_autoptr(WorldSpec) spec = scenario_load(input, &error);
    if (spec == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    SimTrace *trace = sim_trace_new();
    sim_trace_keep_records(trace);
    g_autoptr(World) w = world_new(spec, trace, FALSE, 0, &error);
    if (w == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    world_run(w, SIM_TIME_NEVER, NULL, NULL);
    g_autoptr(GPtrArray) results = world_check_expectations(w);
    run_result_trace(w, results);
    if (!viz_report_write_sim(trace, out, &error))
        return mhs_usage_error("--report: %s", error->message);
    return MHS_EXIT_OK;
}

int
mhs_cmd_viz(int argc, char **argv)
{
    VizCmdOpts o = {.session = -1};
    GOptionEntry entries[] = {
        {"message", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &o.messages,
         "Draw this message's path (twice: an overlay)", "ID"},
        {"session", 's', 0, G_OPTION_ARG_INT64, &o.session,
         "Draw the SMTP session of this connection as a sequence diagram", "CONN"},
        {"campaign", 'c', 0, G_OPTION_ARG_STRING, &o.campaign,
         "Draw where this spam campaign's messages stopped ('all': every campaign)", "NAME"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, "Output file (.svg .png .pdf .dot)",
         "OUT"},
        {"report", 0, 0, G_OPTION_ARG_FILENAME, &o.report,
         "Write the run's self-contained HTML report instead of a diagram", "F.html"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("TRACE.jsonl|SCENARIO - draw a run's mail paths");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    g_auto(GStrv) messages = o.messages;
    g_autofree char *out = o.out, *report = o.report;
    g_autofree char *campaign = o.campaign;
    if (argc != 2)
        return mhs_usage_error("viz needs exactly one TRACE.jsonl or SCENARIO");
    if (o.report && (o.out || o.messages || o.session >= 0 || o.campaign))
        return mhs_usage_error("--report cannot be used with -o, --message, --session or "
                               "--campaign");
    if (o.report)
        return mhs_viz_report(argv[1], o.report);
    if (o.out == NULL)
        return mhs_usage_error("viz needs -o OUT.svg|png|pdf|dot");
    if (o.messages && o.session >= 0)
        return mhs_usage_error("--message and --session cannot be used together");
    if (o.campaign && (o.messages || o.session >= 0))
        return mhs_usage_error("--campaign cannot be used with --message or --session");
    VizFormat fmt;
    if (!viz_format_from_path(o.out, &fmt, &error))
        return mhs_usage_error("-o %s", error->message);
    gboolean is_scenario = mhs_viz_is_scenario(argv[1]);
    g_autoptr(VizTrace) vt =
        is_scenario ? mhs_viz_run_scenario(argv[1], &error) : viz_trace_load_file(argv[1], &error);
    if (vt == NULL && is_scenario) {
        fprintf(stderr, "%s\n", error->message); /* FILE:LINE:COL: ..., as mhs run */
        return MHS_EXIT_USAGE;
    }
    if (vt == NULL)
        return mhs_usage_error("%s", error->message);
    return mhs_viz_draw(vt, &o, fmt);
}
