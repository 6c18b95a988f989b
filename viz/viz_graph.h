/* SPDX-License-Identifier: MIT
 * viz_graph: a thin wrapper over a cgraph directed graph and its gvc
 * rendering ("dot" layout) to SVG, PNG, PDF or DOT bytes. Output is
 * deterministic: same graph, same bytes (the PDF creation date cairo
 * writes is pinned, see viz_graph.c). Node shape follows the node's role.
 */
#ifndef VIZ_VIZ_GRAPH_H
#define VIZ_VIZ_GRAPH_H

#include <glib.h>

#include "viz/trace_reader.h"

typedef enum {
    VIZ_FORMAT_SVG = 0,
    VIZ_FORMAT_PNG,
    VIZ_FORMAT_PDF,
    VIZ_FORMAT_DOT,
} VizFormat;

/* The format named by path's extension (.svg .png .pdf .dot/.gv, any
 * case). FALSE with VIZ_ERROR_FORMAT otherwise. */
gboolean viz_format_from_path(const char *path, VizFormat *out, GError **error);
const char *viz_format_name(VizFormat fmt);

typedef struct VizGraph VizGraph;

typedef struct {
    const char *color; /* NULL: black */
    const char *style; /* NULL: solid; "dashed", "dotted", "bold" */
    const char *label; /* NULL: none; Graphviz escapes are neutralised */
    guint penwidth;    /* 0: 1 */
} VizEdgeStyle;

/* A directed graph called name (transfer full). */
VizGraph *viz_graph_new(const char *name);
void viz_graph_free(VizGraph *g);
/* A graph attribute (e.g. "rankdir", "LR"). */
void viz_graph_set(VizGraph *g, const char *attr, const char *value);
/* Adds the node once (later calls are no-ops); shape by role: mua note,
 * msa/mta box, ms cylinder, dns ellipse. */
void viz_graph_add_node(VizGraph *g, const char *name, VizRole role);
/* Adds a node once with its own label, shape and (nullable) colour, for
 * things that are not hosts (a spam campaign's outcomes) or hosts drawn
 * apart (the spammer). */
void viz_graph_add_box(VizGraph *g, const char *name, const char *label, const char *shape,
                       const char *color);
/* Adds a new edge (parallel edges are kept); both nodes must exist. */
void viz_graph_add_edge(VizGraph *g, const char *from, const char *to, const VizEdgeStyle *st);
/* A legend box: n rows, a colour swatch and a text each. */
void viz_graph_add_legend(VizGraph *g, const char *const *colors, const char *const *texts,
                          guint n);
/* Lays the graph out with "dot" and renders it. NULL with VIZ_ERROR_RENDER.
 * (transfer full) */
GBytes *viz_graph_render(VizGraph *g, VizFormat fmt, GError **error);

/* Writes bytes to path. FALSE with VIZ_ERROR_IO. */
gboolean viz_write_bytes(const char *path, GBytes *bytes, GError **error);

/* "1.045047s" (integer arithmetic, STYLE 9). (transfer full) */
char *viz_time_label(SimTime t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VizGraph, viz_graph_free)

#endif
