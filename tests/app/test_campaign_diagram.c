/* SPDX-License-Identifier: MIT
 * Tests for viz/campaign_diagram: spam.verdict records (built in memory,
 * as a run writes them) become counted edges and outcome boxes; a
 * hundred messages draw the same handful of edges as three; recipients'
 * addresses are folded out of refusal texts; backscatter is its own
 * dashed edge; unknown campaigns are an error; the output is stable.
 */
#include <string.h>

#include <glib.h>

#include "sim/trace.h"
#include "viz/campaign_diagram.h"
#include "viz/trace_reader.h"

static void
add_verdict(SimTrace *tr, const char *msg, const char *campaign, const char *node,
            const char *verdict, gint64 code, const char *reason, const char *stage,
            const char *path, const char *dsn_to, const char *dsn_node)
{
    SimTraceRec *r = sim_trace_begin(tr, 5 * G_USEC_PER_SEC, "spam.verdict", node);
    sim_trace_str(r, "msg", msg);
    sim_trace_str(r, "campaign", campaign);
    sim_trace_str(r, "spammer", "spammer");
    sim_trace_str(r, "rcpt", "x@victims.example");
    sim_trace_str(r, "verdict", verdict);
    sim_trace_int(r, "code", code);
    sim_trace_str(r, "reason", reason);
    if (stage)
        sim_trace_str(r, "stage", stage);
    sim_trace_str(r, "path", path);
    if (dsn_to) {
        sim_trace_str(r, "dsn_to", dsn_to);
        sim_trace_str(r, "dsn_node", dsn_node);
    }
    sim_trace_end(r);
}

/* n messages: every third delivered, every third refused at RCPT by the
 * relay (each naming its own recipient), every third bounced by the MX
 * with a DSN to the forged sender; plus one of another campaign. */
static VizTrace *
make_trace(guint n)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    for (guint i = 0; i < n; i++) {
        g_autofree char *id = g_strdup_printf("s%u", i + 1);
        g_autofree char *why =
            g_strdup_printf("554 5.7.1 <u%u@victims.example>: Relay access denied", i);
        if (i % 3 == 0)
            add_verdict(tr, id, "pills", "ms.victims", "delivered", 250, "delivered to mailbox",
                        NULL, "spammer,relay,mx.victims,ms.victims", NULL, NULL);
        else if (i % 3 == 1)
            add_verdict(tr, id, "pills", "relay", "rejected", 554, why, "RCPT", "spammer", NULL,
                        NULL);
        else
            add_verdict(tr, id, "pills", "mx.victims", "bounced", 550,
                        "550 5.1.1 <nobody@victims.example>: User unknown", NULL,
                        "spammer,relay,mx.victims", "ceo@innocent.example", "ms.innocent");
    }
    add_verdict(tr, "w1", "watches", "mx.other", "rejected", 554,
                "554 Service unavailable; client [192.0.2.99] blocked using bl.test", "CONNECT",
                "spammer", NULL, NULL);
    return viz_trace_new_from_sim(tr);
}

static char *
render_dot(const VizTrace *vt, const char *name)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) b = viz_campaign_render(vt, name, VIZ_FORMAT_DOT, &error);
    g_assert_no_error(error);
    gsize n;
    const char *d = g_bytes_get_data(b, &n);
    return g_strndup(d, n);
}

static guint
count_edges(const char *dot)
{
    guint n = 0;
    for (const char *p = dot; (p = strstr(p, " -> ")) != NULL; p += 4)
        n++;
    return n;
}

static void
test_reason(void)
{
    g_autofree char *a = viz_campaign_reason("554 5.7.1 <a@b.example>: Relay access denied");
    g_assert_cmpstr(a, ==, "554 5.7.1 Relay access denied");
    g_autofree char *b = viz_campaign_reason("550 <x>: <y>: two");
    g_assert_cmpstr(b, ==, "550 two");
    g_autofree char *c = viz_campaign_reason("554 client [192.0.2.1] <not a prefix");
    g_assert_cmpstr(c, ==, "554 client [192.0.2.1] <not a prefix");
}

static void
test_aggregated(void)
{
    g_autoptr(VizTrace) vt = make_trace(99);
    g_assert_cmpuint(viz_trace_n_verdicts(vt), ==, 100);
    g_autofree char *dot = render_dot(vt, "pills");
    /* spammer->relay, relay->mx, mx->ms, three outcomes, one backscatter. */
    g_assert_cmpuint(count_edges(dot), ==, 7);
    g_assert_nonnull(strstr(dot, "spammer -> relay\t[label=\"99 messages\""));
    g_assert_nonnull(strstr(dot, "relay -> \"mx.victims\"\t[label=\"66 messages\""));
    g_assert_nonnull(strstr(dot, "label=\"33 rejected\""));
    g_assert_nonnull(strstr(dot, "label=\"rejected at RCPT\\n554 5.7.1 Relay access denied\""));
    g_assert_nonnull(strstr(dot, "label=\"33 DSN to ceo@innocent.example (backscatter)\""));
    g_assert_nonnull(strstr(dot, "style=dashed"));
    g_assert_nonnull(strstr(dot, "99 messages, 33 delivered, 33 rejected, 33 bounced"));
    g_assert_null(strstr(dot, "mx.other")); /* the other campaign */
    /* Three messages: the same edges, other counts. */
    g_autoptr(VizTrace) small = make_trace(3);
    g_autofree char *dot3 = render_dot(small, "pills");
    g_assert_cmpuint(count_edges(dot3), ==, 7);
    g_assert_nonnull(strstr(dot3, "label=\"1 rejected\""));
    /* Same records, same bytes. (Compared after a first layout: Graphviz
     * declares the default node label only once a graph was laid out in
     * the process, a difference in DOT output only.) */
    g_autoptr(VizTrace) again = make_trace(99);
    g_autofree char *dot2 = render_dot(again, "pills");
    g_autofree char *dot4 = render_dot(vt, "pills");
    g_assert_cmpstr(dot4, ==, dot2);
}

static void
test_select(void)
{
    g_autoptr(VizTrace) vt = make_trace(3);
    g_autoptr(GPtrArray) names = viz_campaign_names(vt);
    g_assert_cmpuint(names->len, ==, 2);
    g_assert_cmpstr(names->pdata[0], ==, "pills");
    g_assert_cmpstr(names->pdata[1], ==, "watches");
    g_autofree char *all = render_dot(vt, "all");
    g_assert_nonnull(strstr(all, "rejected at CONNECT\\n554 Service unavailable"));
    g_assert_nonnull(strstr(all, "spam (every campaign): 4 messages"));
    g_autoptr(GError) error = NULL;
    g_assert_null(viz_campaign_graph(vt, "nosuch", &error));
    g_assert_error(error, VIZ_ERROR, VIZ_ERROR_NOT_FOUND);
    g_autoptr(SimTrace) empty = sim_trace_new();
    sim_trace_keep_records(empty);
    g_autoptr(VizTrace) none = viz_trace_new_from_sim(empty);
    g_autoptr(GError) e2 = NULL;
    g_assert_null(viz_campaign_graph(none, NULL, &e2));
    g_assert_error(e2, VIZ_ERROR, VIZ_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/viz/campaign/reason", test_reason);
    g_test_add_func("/viz/campaign/aggregated", test_aggregated);
    g_test_add_func("/viz/campaign/select", test_select);
    return g_test_run();
}
