/* SPDX-License-Identifier: MIT
 * path_diagram: Graphviz diagrams of where mail went. One message: its
 * numbered hops ("1: 1.045047s ESMTP"); two or more: an overlay, one
 * colour each, with a legend (a forward message and its reply); none:
 * every message, repeated edges merged with a count. Refusals are red
 * edges, failed connections dotted grey, DSNs about a drawn message
 * dashed red. Reads the trace model only.
 */
#ifndef VIZ_PATH_DIAGRAM_H
#define VIZ_PATH_DIAGRAM_H

#include <glib.h>

#include "viz/trace_reader.h"
#include "viz/viz_graph.h"

/* Most messages one overlay draws (one colour each). */
#define VIZ_PATH_MAX_MESSAGES 6

/* The graph of messages ids[0..n) (1 <= n <= VIZ_PATH_MAX_MESSAGES) and of
 * the DSNs about them. NULL with VIZ_ERROR_NOT_FOUND naming an unknown id.
 * (transfer full) */
VizGraph *viz_path_graph(const VizTrace *vt, const char *const *ids, guint n, GError **error);
/* The graph of every message, repeated edges merged. (transfer full) */
VizGraph *viz_overview_graph(const VizTrace *vt);

/* Renders either graph in fmt. (transfer full) */
GBytes *viz_path_render(const VizTrace *vt, const char *const *ids, guint n, VizFormat fmt,
                        GError **error);
GBytes *viz_overview_render(const VizTrace *vt, VizFormat fmt, GError **error);

/* For `mhs run --svg DIR`: writes DIR/all.svg (the overview) and
 * DIR/ID.svg for every message of the kept records of trace
 * (sim_trace_keep_records()), DSNs drawn in their message's diagram,
 * and DIR/campaign-NAME.svg for every spam campaign (campaign_diagram.h).
 * Characters of ID outside [A-Za-z0-9._-] become '_'. Creates DIR.
 * FALSE with VIZ_ERROR_IO or VIZ_ERROR_RENDER. */
gboolean viz_write_all(const SimTrace *trace, const char *dir, GError **error);

#endif
