/* SPDX-License-Identifier: MIT
 * report: a run's HTML report, one self-contained file (inline CSS and
 * SVG, no external resources): summary, expectations, diagrams, each
 * message's journey, security verdicts, session transcripts and every
 * other trace record grouped by kind. Built from trace records only
 * (DESIGN 6), so a saved trace gives the same report as the run. Every
 * text from the trace is HTML-escaped: messages are hostile input.
 * Kinds it does not know are listed generically, never dropped.
 */
#ifndef VIZ_REPORT_H
#define VIZ_REPORT_H

#include <glib.h>

#include "sim/trace.h"

/* Rows of one record table before it is cut short (the trace has them
 * all); messages drawn as path diagrams; sessions given a transcript. */
#define VIZ_REPORT_MAX_ROWS 300
#define VIZ_REPORT_MAX_DIAGRAMS 60
#define VIZ_REPORT_MAX_SESSIONS 200

/* The report of records recs[0..n), in trace order (borrowed). Same
 * records, same bytes. (transfer full) */
GBytes *viz_report_render(const SimTraceRec *const *recs, guint n);
/* The report of trace's kept records (sim_trace_keep_records()) into
 * path. FALSE with VIZ_ERROR_IO. */
gboolean viz_report_write_sim(const SimTrace *trace, const char *path, GError **error);
/* The report of a JSON Lines trace file into path. FALSE with
 * VIZ_ERROR_IO or VIZ_ERROR_PARSE. */
gboolean viz_report_write_file(const char *trace_path, const char *path, GError **error);

/* s with & < > " ' replaced by entities, invalid UTF-8 and control
 * characters (but tab and newline) replaced by U+FFFD. (transfer full) */
char *viz_html_escape(const char *s);

#endif
