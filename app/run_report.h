/* SPDX-License-Identifier: MIT
 * run_report: the text summary of a run: a row per message (id, from, to,
 * status, the hop path with virtual times) and the expectations.
 */
#ifndef APP_RUN_REPORT_H
#define APP_RUN_REPORT_H

#include <stdio.h>

#include <glib.h>

#include "nodes/world.h"

/* Rows shown before the table is cut short (the trace has everything). */
#define RUN_REPORT_MAX_ROWS 200

void run_report_print(FILE *out, World *w, GPtrArray *results, gboolean quiet);

/* Writes every delivered copy of the run as DIR/MSGID--RCPT.eml (the
 * directory is created; '/' in names becomes '_'). app/run_dump.c */
gboolean run_dump_messages(World *w, const char *dir, GError **error);

#endif
