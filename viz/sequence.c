/* SPDX-License-Identifier: MIT
 * sequence: SMTP and HTTP session sequence diagrams as hand-written SVG
 * 1.1 (see sequence.h). Commands (HTTP request lines) are drawn at the
 * time the server read them and replies (HTTP status lines) at the time
 * the client read them (RFC 5321 4.1 command/reply dialogue; pipelined
 * commands, RFC 2920, share a time). Reply colours follow the first digit
 * (RFC 5321 4.2.1; RFC 9110 15 uses the same classes). Long lines are
 * shortened.
 */
#include "viz/sequence.h"

#include <string.h>

#include "viz/viz_graph.h"

#define VIZ_SEQ_WIDTH 830
#define VIZ_SEQ_CLIENT_X 200
#define VIZ_SEQ_SERVER_X 720
#define VIZ_SEQ_TOP 90
#define VIZ_SEQ_ROW 30
#define VIZ_SEQ_LABEL_MAX 60

/* Text made safe for XML: markup escaped, control bytes replaced, long
 * text shortened to VIZ_SEQ_LABEL_MAX characters. */
static char *
viz_seq_text(const char *s)
{
    g_autofree char *clean = g_strdup(s ? s : "");
    for (char *p = clean; *p; p++)
        if ((guchar)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (!g_utf8_validate(clean, -1, NULL)) {
        for (char *p = clean; *p; p++)
            if ((guchar)*p >= 0x80)
                *p = '?';
    }
    if (g_utf8_strlen(clean, -1) > VIZ_SEQ_LABEL_MAX) {
        char *cut = g_utf8_offset_to_pointer(clean, VIZ_SEQ_LABEL_MAX - 3);
        strcpy(cut, "...");
    }
    return g_markup_escape_text(clean, -1);
}

/* Arrow colours; each has its own arrowhead marker (SVG 1.1 markers
 * cannot take the colour of the line). */
static const char *const viz_seq_colors[] = {"#1f5fbf", "#2e8b57", "#d2691e", "#cc0000"};

enum { VIZ_SEQ_CMD = 0, VIZ_SEQ_OK, VIZ_SEQ_TEMP, VIZ_SEQ_PERM };

static int
viz_seq_reply_color(gint code)
{
    switch (code / 100) {
    case 2:
    case 3:
        return VIZ_SEQ_OK;
    case 4:
        return VIZ_SEQ_TEMP;
    default:
        return VIZ_SEQ_PERM;
    }
}

static void
viz_seq_header(GString *out, const VizSession *s, int height)
{
    g_autofree char *client = viz_seq_text(s->client);
    g_autofree char *server = viz_seq_text(s->server ? s->server : "?");
    g_autofree char *msg = s->msg ? viz_seq_text(s->msg) : NULL;
    g_string_append_printf(out,
                           "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                           "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                           "font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\">\n",
                           VIZ_SEQ_WIDTH, height, VIZ_SEQ_WIDTH, height);
    g_string_append(out, "<defs>\n");
    for (guint i = 0; i < G_N_ELEMENTS(viz_seq_colors); i++)
        g_string_append_printf(out,
                               "<marker id=\"arrow%u\" markerWidth=\"10\" markerHeight=\"8\" "
                               "refX=\"9\" refY=\"4\" orient=\"auto\" "
                               "markerUnits=\"userSpaceOnUse\"><path d=\"M0,0 L10,4 L0,8 z\" "
                               "fill=\"%s\"/></marker>\n",
                               i, viz_seq_colors[i]);
    g_string_append(out, "</defs>\n");
    g_string_append_printf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
                           VIZ_SEQ_WIDTH, height);
    g_string_append_printf(
        out,
        "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" "
        "font-weight=\"bold\">%s session %" G_GINT64_FORMAT "%s%s (port %d)</text>\n",
        VIZ_SEQ_WIDTH / 2, s->proto ? s->proto : "SMTP", s->conn, msg ? ", message " : "",
        msg ? msg : "", s->port);
    const int xs[] = {VIZ_SEQ_CLIENT_X, VIZ_SEQ_SERVER_X};
    const char *names[] = {client, server};
    const char *roles[] = {"client", "server"};
    for (int i = 0; i < 2; i++) {
        g_string_append_printf(out,
                               "<rect x=\"%d\" y=\"36\" width=\"180\" height=\"34\" rx=\"4\" "
                               "fill=\"#eef2fa\" stroke=\"black\"/>\n"
                               "<text x=\"%d\" y=\"51\" text-anchor=\"middle\" "
                               "font-weight=\"bold\">%s</text>\n"
                               "<text x=\"%d\" y=\"65\" text-anchor=\"middle\" "
                               "font-size=\"10\">%s</text>\n"
                               "<line x1=\"%d\" y1=\"70\" x2=\"%d\" y2=\"%d\" stroke=\"gray\" "
                               "stroke-dasharray=\"4,3\"/>\n",
                               xs[i] - 90, xs[i], names[i], xs[i], roles[i], xs[i], xs[i],
                               height - 10);
    }
}

static void
viz_seq_arrow(GString *out, int y, gboolean to_server, int color, const char *label)
{
    int x1 = to_server ? VIZ_SEQ_CLIENT_X : VIZ_SEQ_SERVER_X;
    int x2 = to_server ? VIZ_SEQ_SERVER_X - 2 : VIZ_SEQ_CLIENT_X + 2;
    g_string_append_printf(out,
                           "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                           "stroke-width=\"1.5\" marker-end=\"url(#arrow%d)\"/>\n"
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" "
                           "font-family=\"monospace\">%s</text>\n",
                           x1, y, x2, y, viz_seq_colors[color], color,
                           (VIZ_SEQ_CLIENT_X + VIZ_SEQ_SERVER_X) / 2, y - 5, viz_seq_colors[color],
                           label);
}

static void
viz_seq_note(GString *out, int y, const char *text)
{
    g_string_append_printf(out,
                           "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"gray\" "
                           "font-style=\"italic\">%s</text>\n",
                           (VIZ_SEQ_CLIENT_X + VIZ_SEQ_SERVER_X) / 2, y, text);
}

static void
viz_seq_line(GString *out, const VizLine *l, int y)
{
    g_autofree char *t = viz_time_label(l->t);
    g_string_append_printf(out, "<text x=\"10\" y=\"%d\" font-family=\"monospace\">%s</text>\n",
                           y - 5, t);
    g_autofree char *text = viz_seq_text(l->text);
    switch (l->kind) {
    case VIZ_LINE_CMD:
        viz_seq_arrow(out, y, TRUE, VIZ_SEQ_CMD, text);
        break;
    case VIZ_LINE_REPLY: {
        g_autofree char *label = g_strdup_printf("%d %s", l->code, text);
        viz_seq_arrow(out, y, FALSE, viz_seq_reply_color(l->code), label);
        break;
    }
    case VIZ_LINE_OPEN:
        viz_seq_note(out, y - 5, "connection established");
        break;
    case VIZ_LINE_CLOSE: {
        g_autofree char *note = g_strdup_printf("closed (%s)", text);
        viz_seq_note(out, y - 5, note);
        break;
    }
    }
}

GBytes *
viz_sequence_render(const VizSession *s)
{
    g_return_val_if_fail(s != NULL, NULL);
    int height = VIZ_SEQ_TOP + (int)s->lines->len * VIZ_SEQ_ROW + 20;
    GString *out = g_string_new(NULL);
    viz_seq_header(out, s, height);
    for (guint i = 0; i < s->lines->len; i++)
        viz_seq_line(out, s->lines->pdata[i], VIZ_SEQ_TOP + (int)(i + 1) * VIZ_SEQ_ROW);
    g_string_append(out, "</svg>\n");
    gsize len = out->len;
    return g_bytes_new_take(g_string_free(out, FALSE), len);
}

gboolean
viz_sequence_write(const VizTrace *vt, gint64 conn, const char *path, GError **error)
{
    const VizSession *s = viz_trace_find_session(vt, conn);
    if (s == NULL) {
        g_set_error(error, VIZ_ERROR, VIZ_ERROR_NOT_FOUND,
                    "no session (connection) %" G_GINT64_FORMAT " in the trace", conn);
        return FALSE;
    }
    g_autoptr(GBytes) svg = viz_sequence_render(s);
    return viz_write_bytes(path, svg, error);
}
