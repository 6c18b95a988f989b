/* SPDX-License-Identifier: MIT
 * cmd_run: `mhs run` and `mhs check`. Loads the scenario (bad input: a
 * FILE:LINE:COL message and exit 2, nothing runs), builds the world, runs
 * it in virtual time, prints one row per message with its hop path and
 * virtual times, then each expectation and whether it held.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "app/cli.h"
#include "app/maildir_export.h"
#include "app/run_report.h"
#include "app/run_result_trace.h"
#include "app/run_smime.h"
#include "app/scenario.h"
#include "app/scenario_value.h"
#include "nodes/world.h"
#include "viz/path_diagram.h"
#include "viz/report.h"
#include "sim/pcap_writer.h"

typedef struct {
    gint64 started;   /* monotonic µs */
    gint64 last;      /* last progress line */
    gboolean shown;
} RunProgress;

static void
run_progress(World *w, gpointer user_data)
{
    RunProgress *p = user_data;
    gint64 now = g_get_monotonic_time();
    if (now - p->started < G_USEC_PER_SEC || now - p->last < G_USEC_PER_SEC / 10)
        return;
    p->last = now;
    p->shown = TRUE;
    SimTime t = world_now(w);
    fprintf(stderr, "\rmhs: t=%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT "s  events=%" G_GUINT64_FORMAT
                    "  delivered=%" G_GUINT64_FORMAT "   ",
            t / 1000000, t % 1000000, sim_world_events_executed(world_sim(w)), world_delivered(w));
    fflush(stderr);
}

/* The key log file, closed on every way out of mhs_cmd_run(). */
typedef FILE RunFile;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RunFile, fclose)

static void
run_keylog_line(const char *line, gpointer user_data)
{
    fprintf(user_data, "%s\n", line);
}

static WorldSpec *
run_load(const char *path)
{
    g_autoptr(GError) error = NULL;
    WorldSpec *spec = scenario_load(path, &error);
    if (spec == NULL)
        fprintf(stderr, "%s\n", error->message);
    return spec;
}

int
mhs_cmd_check(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO - validate a scenario");
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 2)
        return mhs_usage_error("check needs exactly one SCENARIO");
    g_autoptr(WorldSpec) spec = run_load(argv[1]);
    if (spec == NULL)
        return MHS_EXIT_USAGE;
    g_autoptr(World) w = world_new(spec, NULL, FALSE, 0, &error);
    if (w == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    printf("ok: %s: %u nodes, %u events, %u expectations\n", argv[1], spec->nodes->len,
           spec->events->len, spec->expects->len);
    return MHS_EXIT_OK;
}

int
mhs_cmd_run(int argc, char **argv)
{
    gint64 seed = -1;
    char *until_text = NULL, *trace_path = NULL, *text_path = NULL, *pcap_path = NULL;
    char *svg_dir = NULL, *keylog_path = NULL, *smime_dir = NULL, *maildir = NULL;
    char *report_path = NULL;
    g_autofree char *dump_dir = NULL;
    gboolean quiet = FALSE, exposure_all = FALSE;
    GOptionEntry entries[] = {
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the run (default: the scenario's)", "N"},
        {"until", 0, 0, G_OPTION_ARG_STRING, &until_text, "Stop at this virtual time", "T"},
        {"trace", 0, 0, G_OPTION_ARG_FILENAME, &trace_path, "Write the trace as JSON Lines",
         "F.jsonl"},
        {"trace-text", 0, 0, G_OPTION_ARG_FILENAME, &text_path, "Write the trace as text lines",
         "F"},
        {"pcap", 0, 0, G_OPTION_ARG_FILENAME, &pcap_path,
         "Write a packet capture (Ethernet/IPv4/TCP) of every connection", "F.pcap"},
        {"keylog", 0, 0, G_OPTION_ARG_FILENAME, &keylog_path,
         "Write TLS secrets in NSS key log format (for Wireshark)", "F"},
        {"svg", 0, 0, G_OPTION_ARG_FILENAME, &svg_dir,
         "Draw every message's path (and all.svg) into this directory", "DIR"},
        {"maildir", 0, 0, G_OPTION_ARG_FILENAME, &maildir,
         "Write every mailbox of every store as a Maildir into this directory", "DIR"},
        {"dump-messages", 0, 0, G_OPTION_ARG_FILENAME, &dump_dir,
         "Write every delivered copy as DIR/MSGID--RCPT.eml", "DIR"},
        {"report", 0, 0, G_OPTION_ARG_FILENAME, &report_path,
         "Write a self-contained HTML report of the run", "F.html"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the summary line", NULL},
        {"exposure", 0, 0, G_OPTION_ARG_NONE, &exposure_all,
         "Print who can read and alter every message (default: S/MIME ones)", NULL},
        {"smime-dir", 0, 0, G_OPTION_ARG_FILENAME, &smime_dir,
         "Write the CA, users' S/MIME certificates and keys, delivered copies here", "DIR"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO - run a scenario");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    g_autofree char *until_s = until_text, *trace_s = trace_path, *text_s = text_path,
                     *pcap_s = pcap_path, *svg_s = svg_dir,
                     *keylog_s = keylog_path, *smime_s = smime_dir, *maildir_s = maildir,
                     *report_s = report_path;
    if (argc != 2)
        return mhs_usage_error("run needs exactly one SCENARIO");
    gint64 until = G_MAXINT64;
    if (until_text && !scenario_parse_duration(until_text, &until))
        return mhs_usage_error("--until: '%s' is not a duration (e.g. 90s, 5m)", until_text);
    if (seed < -1)
        return mhs_usage_error("--seed must be a non-negative number");

    g_autoptr(WorldSpec) spec = run_load(argv[1]);
    if (spec == NULL)
        return MHS_EXIT_USAGE;
    /* An unusable DIR is known before anything runs. */
    if (maildir && !maildir_export_prepare(maildir, &error))
        return mhs_usage_error("--maildir: %s", error->message);
    SimTrace *trace = sim_trace_new();
    if (trace_path && !sim_trace_add_jsonl_file(trace, trace_path, &error)) {
        sim_trace_free(trace);
        return mhs_usage_error("--trace: %s", error->message);
    }
    if (text_path && !sim_trace_add_text_file(trace, text_path, &error)) {
        sim_trace_free(trace);
        return mhs_usage_error("--trace-text: %s", error->message);
    }
    if (svg_dir) {
        if (g_mkdir_with_parents(svg_dir, 0755) != 0) {
            sim_trace_free(trace);
            return mhs_usage_error("--svg: cannot create directory '%s'", svg_dir);
        }
        sim_trace_keep_records(trace); /* the diagrams are drawn from the records */
    }
    if (report_path)
        sim_trace_keep_records(trace); /* the report is written from the records */
    g_autoptr(World) w = world_new(spec, trace, seed >= 0, (guint64)seed, &error);
    if (w == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *ns = spec->nodes->pdata[i];
        if (ns->role == SPEC_ROLE_GATEWAY)
            fprintf(stderr, "mhs: gateway '%s' reaches %s only under 'mhs serve'; here its "
                            "connections are refused and its mail is deferred\n",
                    ns->name, ns->connect);
    }
    g_autoptr(RunFile) keylog = NULL;
    if (keylog_path) {
        keylog = fopen(keylog_path, "w");
        if (keylog == NULL)
            return mhs_usage_error("--keylog: cannot write '%s': %s", keylog_path,
                                   g_strerror(errno));
        world_set_keylog(w, run_keylog_line, keylog);
    }
    SimPcap *pcap = NULL;
    if (pcap_path) {
        pcap = sim_pcap_open(world_net(w), pcap_path, &error);
        if (pcap == NULL)
            return mhs_usage_error("--pcap: %s", error->message);
        sim_pcap_set_epoch(pcap, spec->epoch_unix);
    }
    /* The report shows the first rows' paths; the rest is in the trace. */
    world_forget_finished_hops(w, RUN_REPORT_MAX_ROWS);
    RunProgress prog = {.started = g_get_monotonic_time()};
    gboolean tty = isatty(STDERR_FILENO);
    world_run(w, until, tty ? run_progress : NULL, &prog);
    if (prog.shown)
        fprintf(stderr, "\r\033[K");
    if (pcap != NULL && !sim_pcap_finish(pcap, &error)) {
        fprintf(stderr, "mhs: --pcap: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    if (svg_dir && !viz_write_all(sim_world_trace(world_sim(w)), svg_dir, &error)) {
        fprintf(stderr, "mhs: --svg: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    if (dump_dir && !run_dump_messages(w, dump_dir, &error)) {
        fprintf(stderr, "mhs: --dump-messages: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    if (smime_dir && !run_smime_export(w, smime_dir, &error)) {
        fprintf(stderr, "mhs: --smime-dir: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    guint exported = 0;
    if (maildir && !maildir_export_world(w, maildir, &exported, &error)) {
        fprintf(stderr, "mhs: --maildir: %s (nothing written)\n", error->message);
        return MHS_EXIT_USAGE;
    }
    if (maildir && !quiet)
        fprintf(stderr, "mhs: --maildir: %u message%s written into %s\n", exported,
                exported == 1 ? "" : "s", maildir);
    g_autoptr(GPtrArray) results = world_check_expectations(w);
    run_result_trace(w, results);
    if (report_path && !viz_report_write_sim(sim_world_trace(world_sim(w)), report_path, &error)) {
        fprintf(stderr, "mhs: --report: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    run_report_print(stdout, w, results, quiet);
    if (!quiet)
        run_exposure_print(stdout, w, exposure_all);
    for (guint i = 0; i < results->len; i++)
        if (!((ExpectResult *)results->pdata[i])->held)
            return MHS_EXIT_FAIL;
    return MHS_EXIT_OK;
}
