/* SPDX-License-Identifier: MIT
 * viz_graph: cgraph graph building and gvc rendering. Graphviz's SVG, PNG
 * and DOT output are stable for a given graph (ids are "node1", "edge1"...,
 * in creation order); cairo's PDF writer stamps a wall-clock CreationDate,
 * which is overwritten in place with the epoch so that a run renders the
 * same bytes every time. Does not choose colours or labels: callers do.
 */
#include "viz/viz_graph.h"

#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

struct VizGraph {
    Agraph_t *g;
};

#if defined(__SANITIZE_ADDRESS__)
/* Graphviz 2.43 leaks while sizing HTML labels, and fontconfig and pango
 * keep caches for the life of the process: not ours to fix, and they
 * would fail every sanitizer run that draws. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
    return "leak:libgvc.so\nleak:libcgraph.so\nleak:libgvplugin_\nleak:libfontconfig.so\n"
           "leak:libpango\nleak:libcairo.so\nleak:libharfbuzz.so\n";
}
#endif

/* cgraph's API predates const. */
#define VIZ_S(s) ((char *)(s))

VizGraph *
viz_graph_new(const char *name)
{
    VizGraph *vg = g_new0(VizGraph, 1);
    vg->g = agopen(VIZ_S(name), Agdirected, NULL);
    if (vg->g == NULL)
        g_error("viz: agopen failed");
    agattr(vg->g, AGRAPH, VIZ_S("fontname"), VIZ_S("Helvetica"));
    agattr(vg->g, AGNODE, VIZ_S("fontname"), VIZ_S("Helvetica"));
    agattr(vg->g, AGEDGE, VIZ_S("fontname"), VIZ_S("Helvetica"));
    agattr(vg->g, AGEDGE, VIZ_S("fontsize"), VIZ_S("10"));
    return vg;
}

void
viz_graph_free(VizGraph *vg)
{
    if (vg == NULL)
        return;
    agclose(vg->g);
    g_free(vg);
}

void
viz_graph_set(VizGraph *vg, const char *attr, const char *value)
{
    agsafeset(vg->g, VIZ_S(attr), VIZ_S(value), VIZ_S(""));
}

static const char *
viz_graph_shape(VizRole role)
{
    switch (role) {
    case VIZ_ROLE_MUA:
        return "note";
    case VIZ_ROLE_MS:
        return "cylinder";
    case VIZ_ROLE_DNS:
        return "ellipse";
    case VIZ_ROLE_MSA:
    case VIZ_ROLE_MTA:
    case VIZ_ROLE_UNKNOWN:
    case VIZ_ROLE_OTHER:
        return "box";
    case VIZ_ROLE_SPAMMER:
        return "box3d";
    }
    g_assert_not_reached();
}

/* A label with Graphviz's escapes (\N, \G, \l...) made literal. */
static char *
viz_graph_escape(const char *s)
{
    GString *out = g_string_sized_new(strlen(s) + 8);
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

void
viz_graph_add_node(VizGraph *vg, const char *name, VizRole role)
{
    if (agnode(vg->g, VIZ_S(name), 0) != NULL)
        return;
    Agnode_t *n = agnode(vg->g, VIZ_S(name), 1);
    agsafeset(n, VIZ_S("shape"), VIZ_S(viz_graph_shape(role)), VIZ_S(""));
    if (role == VIZ_ROLE_MSA || role == VIZ_ROLE_MTA) {
        agsafeset(n, VIZ_S("style"), VIZ_S("rounded"), VIZ_S(""));
    }
    g_autofree char *label = viz_graph_escape(name);
    g_autofree char *full = role == VIZ_ROLE_UNKNOWN
                                ? g_strdup(label)
                                : g_strdup_printf("%s\\n(%s)", label, viz_role_name(role));
    agsafeset(n, VIZ_S("label"), full, VIZ_S(""));
}

void
viz_graph_add_box(VizGraph *vg, const char *name, const char *label, const char *shape,
                  const char *color)
{
    if (agnode(vg->g, VIZ_S(name), 0) != NULL)
        return;
    Agnode_t *n = agnode(vg->g, VIZ_S(name), 1);
    agsafeset(n, VIZ_S("shape"), VIZ_S(shape), VIZ_S(""));
    if (color) {
        agsafeset(n, VIZ_S("color"), VIZ_S(color), VIZ_S(""));
        agsafeset(n, VIZ_S("fontcolor"), VIZ_S(color), VIZ_S(""));
    }
    /* Escapes made literal, then each newline of label a Graphviz line break. */
    g_autofree char *escaped = viz_graph_escape(label);
    g_auto(GStrv) lines = g_strsplit(escaped, "\n", -1);
    g_autofree char *full = g_strjoinv("\\n", lines);
    agsafeset(n, VIZ_S("label"), full, VIZ_S(""));
}

void
viz_graph_add_edge(VizGraph *vg, const char *from, const char *to, const VizEdgeStyle *st)
{
    Agnode_t *t = agnode(vg->g, VIZ_S(from), 0), *h = agnode(vg->g, VIZ_S(to), 0);
    g_return_if_fail(t != NULL && h != NULL);
    Agedge_t *e = agedge(vg->g, t, h, NULL, 1);
    if (st->color)
        agsafeset(e, VIZ_S("color"), VIZ_S(st->color), VIZ_S(""));
    if (st->color)
        agsafeset(e, VIZ_S("fontcolor"), VIZ_S(st->color), VIZ_S(""));
    if (st->style)
        agsafeset(e, VIZ_S("style"), VIZ_S(st->style), VIZ_S(""));
    if (st->label) {
        g_autofree char *label = viz_graph_escape(st->label);
        agsafeset(e, VIZ_S("label"), label, VIZ_S(""));
    }
    if (st->penwidth > 1) {
        char pw[16];
        g_snprintf(pw, sizeof pw, "%u", st->penwidth);
        agsafeset(e, VIZ_S("penwidth"), pw, VIZ_S(""));
    }
}

void
viz_graph_add_legend(VizGraph *vg, const char *const *colors, const char *const *texts, guint n)
{
    GString *html = g_string_new("<TABLE BORDER=\"1\" CELLBORDER=\"0\" CELLSPACING=\"4\">"
                                 "<TR><TD COLSPAN=\"2\"><B>legend</B></TD></TR>");
    for (guint i = 0; i < n; i++) {
        g_autofree char *text = g_markup_escape_text(texts[i], -1);
        g_autofree char *color = g_markup_escape_text(colors[i], -1);
        g_string_append_printf(html,
                               "<TR><TD BGCOLOR=\"%s\" WIDTH=\"24\"> </TD>"
                               "<TD ALIGN=\"LEFT\">%s</TD></TR>",
                               color, text);
    }
    g_string_append(html, "</TABLE>");
    Agnode_t *node = agnode(vg->g, VIZ_S("mhs_legend"), 1);
    agsafeset(node, VIZ_S("shape"), VIZ_S("plaintext"), VIZ_S(""));
    char *h = agstrdup_html(vg->g, html->str);
    agsafeset(node, VIZ_S("label"), h, VIZ_S(""));
    agstrfree(vg->g, h);
    g_string_free(html, TRUE);
}

/* cairo writes "/CreationDate (D:YYYYMMDDHHMMSS..." from the wall clock. */
static void
viz_graph_pin_pdf_date(char *buf, gsize len)
{
    static const char key[] = "/CreationDate (D:";
    static const char epoch[] = "19700101000000";
    gsize klen = sizeof key - 1, elen = sizeof epoch - 1;
    for (gsize i = 0; i + klen + elen <= len; i++) {
        if (memcmp(buf + i, key, klen) != 0)
            continue;
        char *d = buf + i + klen;
        for (gsize j = 0; j < elen && g_ascii_isdigit(d[j]); j++)
            d[j] = epoch[j];
    }
}

/* XXX: Graphviz 2.43's pango plugin keeps a static pointer to the last
 * font name, which the context owns: freeing a context and laying out
 * with a new one reads freed memory (seen with ASan). So one context
 * serves the whole process and is never freed. */
static GVC_t *
viz_graph_gvc(void)
{
    static GVC_t *gvc;
    if (g_once_init_enter(&gvc)) {
        GVC_t *c = gvContext();
        if (c == NULL)
            g_error("viz: gvContext failed");
        g_once_init_leave(&gvc, c);
    }
    return gvc;
}

GBytes *
viz_graph_render(VizGraph *vg, VizFormat fmt, GError **error)
{
    GVC_t *gvc = viz_graph_gvc();
    if (gvLayout(gvc, vg->g, "dot") != 0) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_RENDER, "Graphviz could not lay out the graph");
        return NULL;
    }
    char *buf = NULL;
    unsigned int len = 0;
    int rc = gvRenderData(gvc, vg->g, viz_format_name(fmt), &buf, &len);
    GBytes *out = NULL;
    if (rc != 0 || buf == NULL) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_RENDER, "Graphviz could not render %s",
                    viz_format_name(fmt));
    } else {
        if (fmt == VIZ_FORMAT_PDF)
            viz_graph_pin_pdf_date(buf, len);
        out = g_bytes_new(buf, len);
    }
    if (buf)
        gvFreeRenderData(buf);
    gvFreeLayout(gvc, vg->g);
    return out;
}

gboolean
viz_format_from_path(const char *path, VizFormat *out, GError **error)
{
    static const struct {
        const char *ext;
        VizFormat fmt;
    } exts[] = {{".svg", VIZ_FORMAT_SVG},
                {".png", VIZ_FORMAT_PNG},
                {".pdf", VIZ_FORMAT_PDF},
                {".dot", VIZ_FORMAT_DOT},
                {".gv", VIZ_FORMAT_DOT}};
    const char *dot = path ? strrchr(path, '.') : NULL;
    for (gsize i = 0; dot && i < G_N_ELEMENTS(exts); i++) {
        if (g_ascii_strcasecmp(dot, exts[i].ext) == 0) {
            *out = exts[i].fmt;
            return TRUE;
        }
    }
    g_set_error(error, VIZ_ERROR, VIZ_ERROR_FORMAT,
                "%s: unknown output format (use .svg, .png, .pdf or .dot)", path ? path : "");
    return FALSE;
}

const char *
viz_format_name(VizFormat fmt)
{
    static const char *const names[] = {
        [VIZ_FORMAT_SVG] = "svg",
        [VIZ_FORMAT_PNG] = "png",
        [VIZ_FORMAT_PDF] = "pdf",
        [VIZ_FORMAT_DOT] = "dot",
    };
    g_return_val_if_fail((guint)fmt < G_N_ELEMENTS(names), "svg");
    return names[fmt];
}

gboolean
viz_write_bytes(const char *path, GBytes *bytes, GError **error)
{
    gsize len;
    const char *data = g_bytes_get_data(bytes, &len);
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(path, data ? data : "", (gssize)len, &err)) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_IO, "%s", err->message);
        return FALSE;
    }
    return TRUE;
}

char *
viz_time_label(SimTime t)
{
    char buf[SIM_TIME_FORMAT_MAX];
    return g_strdup_printf("%ss", sim_time_format(t, buf, NULL));
}
