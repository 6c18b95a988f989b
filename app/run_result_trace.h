/* SPDX-License-Identifier: MIT
 * run_result_trace: the run's outcome written into its trace once the run
 * is over (kinds run.message, run.rcpt, run.expect, run.end; see
 * docs/trace.md), so that a saved trace holds everything the HTML report
 * shows: each message's subject and final status per recipient, and each
 * expectation and whether it held.
 */
#ifndef APP_RUN_RESULT_TRACE_H
#define APP_RUN_RESULT_TRACE_H

#include <glib.h>

#include "nodes/world.h"

/* Appends the records to w's trace at the current virtual time. results
 * holds ExpectResult (transfer none). A no-op when nothing is traced. */
void run_result_trace(World *w, const GPtrArray *results);

#endif
