/* SPDX-License-Identifier: MIT
 * campaign_diagram: where the messages of a spam campaign stopped, drawn
 * from the trace's spam.verdict records only. Hops are merged into one
 * edge per pair of nodes, labelled with the count, so a 100-message
 * campaign draws a handful of arrows; each way a message stopped (the
 * node, the verdict, the SMTP stage and the reply with addresses taken
 * out) is one outcome box with the count on its edge; DSNs sent back to a
 * forged sender are a dashed "backscatter" edge to where they ended.
 */
#ifndef VIZ_CAMPAIGN_DIAGRAM_H
#define VIZ_CAMPAIGN_DIAGRAM_H

#include <glib.h>

#include "viz/trace_reader.h"
#include "viz/viz_graph.h"

/* Campaign names in order of first appearance (transfer full; the
 * strings are copies). */
GPtrArray *viz_campaign_names(const VizTrace *vt);

/* The diagram of campaign name: the campaign of that name, or with name
 * NULL or "all" (when no campaign has that name) every spam message.
 * NULL with VIZ_ERROR_NOT_FOUND when nothing matches. (transfer full) */
VizGraph *viz_campaign_graph(const VizTrace *vt, const char *name, GError **error);
GBytes *viz_campaign_render(const VizTrace *vt, const char *name, VizFormat fmt, GError **error);

/* For `mhs run --svg DIR`: DIR/campaign-NAME.svg for every campaign (none
 * when the run had no spam). NAME's characters outside [A-Za-z0-9._-]
 * become '_'. FALSE with VIZ_ERROR_IO or VIZ_ERROR_RENDER. */
gboolean viz_campaign_write_all(const VizTrace *vt, const char *dir, GError **error);

/* The reply text with "<address>: " parts removed, so that the refusals
 * of a hundred recipients read as one reason (transfer full). */
char *viz_campaign_reason(const char *reason);

#endif
