/* SPDX-License-Identifier: MIT
 * mitm_node: an active attacker on one link (DESIGN 4), the STARTTLS
 * stripper of RFC 3207 6. Every TCP connection crossing the link gets an
 * SmtpMitm (proto/smtp_mitm.h) that rewrites the clear-text dialogue:
 * STARTTLS removed from EHLO replies, STARTTLS answered 454 in the server's
 * name (sim_net_inject(), never forwarded), and the scenario's rewrite
 * rules. Each action is a tap.observe record; so is what it reads off the
 * wire after its changes (an SmtpSniffer, as the eavesdropper reports).
 * It cannot touch TLS: after a 220 to STARTTLS it only forwards.
 * XXX: bytes of a line still unfinished when their sender closes (FIN) are
 * held and never forwarded; SMTP peers end every line, so this stays
 * theoretical.
 */
#include <string.h>

#include "nodes/node.h"
#include "nodes/tap_seen.h"
#include "nodes/tap_trace.h"
#include "nodes/world_private.h"
#include "proto/smtp_mitm.h"
#include "proto/smtp_sniff.h"

typedef struct {
    SmtpMitm *mitm;
    SmtpSniffer *sniffer;
    guint32 client_addr;
    const char *client, *server; /* host names (borrowed from the net) */
} MitmConn;

typedef struct {
    GHashTable *conns; /* conn id (guint64 *) -> MitmConn* */
    SmtpMitmRule *rules;
    guint n_rules;
} MitmNode;

static void
mitm_conn_free(gpointer p)
{
    MitmConn *c = p;
    smtp_mitm_free(c->mitm);
    smtp_sniffer_free(c->sniffer);
    g_free(c);
}

/* tap.observe for one action of the attacker. */
static void
mitm_node_trace_action(Node *node, guint64 conn_id, MitmConn *c, const SmtpMitmEvent *ev)
{
    static const char *const whats[] = {
        [SMTP_MITM_EV_STRIPPED] = "starttls-stripped",
        [SMTP_MITM_EV_BLOCKED] = "starttls-blocked",
        [SMTP_MITM_EV_REWRITE] = "rewrite",
        [SMTP_MITM_EV_TLS] = "tls-passthrough",
    };
    if ((guint)ev->kind < G_N_ELEMENTS(whats) && whats[ev->kind] != NULL)
        tap_seen_note(node->world, node->name, whats[ev->kind], NULL);
    SimTraceRec *r = world_trace(node->world, "tap.observe", node->name);
    if (r == NULL)
        return;
    gboolean c2s = ev->dir == SMTP_MITM_C2S;
    sim_trace_int(r, "conn", (gint64)conn_id);
    sim_trace_str(r, "from", c2s ? c->client : c->server);
    sim_trace_str(r, "to", c2s ? c->server : c->client);
    switch (ev->kind) {
    case SMTP_MITM_EV_STRIPPED:
        sim_trace_str(r, "what", "starttls-stripped");
        sim_trace_bytes(r, "line", (const guint8 *)ev->text, strlen(ev->text));
        break;
    case SMTP_MITM_EV_BLOCKED:
        sim_trace_str(r, "what", "starttls-blocked");
        sim_trace_bytes(r, "reply", (const guint8 *)ev->text, strlen(ev->text));
        break;
    case SMTP_MITM_EV_REWRITE: {
        gsize nb, na;
        const guint8 *b = g_bytes_get_data(ev->before, &nb);
        const guint8 *a = g_bytes_get_data(ev->after, &na);
        sim_trace_str(r, "what", "rewrite");
        sim_trace_str(r, "direction", smtp_mitm_dir_name(ev->dir));
        sim_trace_int(r, "rule", ev->rule);
        sim_trace_int(r, "count", ev->count);
        sim_trace_bytes(r, "before", b ? b : (const guint8 *)"", nb);
        sim_trace_bytes(r, "after", a ? a : (const guint8 *)"", na);
        break;
    }
    case SMTP_MITM_EV_TLS:
        sim_trace_str(r, "what", "tls-passthrough");
        break;
    default:
        g_assert_not_reached();
    }
    sim_trace_end(r);
}

/* What crossed the wire after the attacker's changes, as a sniffer reads it. */
static void
mitm_node_sniff(Node *node, guint64 id, MitmConn *c, SmtpSniffDir dir, GBytes *bytes)
{
    if (bytes == NULL)
        return;
    gsize len;
    const guint8 *p = g_bytes_get_data(bytes, &len);
    smtp_sniffer_feed(c->sniffer, dir, p, len);
}

static void
mitm_node_drain(Node *node, guint64 id, MitmConn *c)
{
    SmtpMitmEvent ev;
    while (smtp_mitm_poll(c->mitm, &ev)) {
        mitm_node_trace_action(node, id, c, &ev);
        smtp_mitm_event_clear(&ev);
    }
    SmtpSniffEvent sev;
    while (smtp_sniffer_poll(c->sniffer, &sev)) {
        tap_trace_sniff(node, id, c->client, c->server, &sev);
        smtp_sniff_event_clear(&sev);
    }
}

static GBytes *
mitm_node_tap(const SimSegment *seg, gpointer user_data)
{
    Node *node = user_data;
    MitmNode *mn = node->priv;
    guint64 id = seg->conn_id;
    MitmConn *c = g_hash_table_lookup(mn->conns, &id);
    if (seg->kind == SIM_SEG_SYN && c == NULL) {
        const NodeSpec *spec = node->spec;
        SmtpMitmConfig cfg = {
            .strip_starttls = spec->mitm.strip_starttls,
            .block_starttls = spec->mitm.block_starttls,
            .rules = mn->rules,
            .n_rules = mn->n_rules,
        };
        c = g_new0(MitmConn, 1);
        c->mitm = smtp_mitm_new(&cfg);
        c->sniffer = smtp_sniffer_new();
        c->client_addr = seg->src_addr;
        c->client = sim_host_name(seg->src_host);
        c->server = seg->dst_host ? sim_host_name(seg->dst_host) : "?";
        g_hash_table_insert(mn->conns, g_memdup2(&id, sizeof id), c);
        return NULL;
    }
    if (c == NULL || seg->kind != SIM_SEG_DATA || seg->data == NULL)
        return NULL;
    gsize len;
    const guint8 *p = g_bytes_get_data(seg->data, &len);
    SmtpMitmDir dir = seg->src_addr == c->client_addr ? SMTP_MITM_C2S : SMTP_MITM_S2C;
    SmtpMitmDir back = dir == SMTP_MITM_C2S ? SMTP_MITM_S2C : SMTP_MITM_C2S;
    smtp_mitm_feed(c->mitm, dir, p, len);
    GBytes *fwd = smtp_mitm_take(c->mitm, dir);
    g_autoptr(GBytes) answer = smtp_mitm_take(c->mitm, back);
    mitm_node_sniff(node, id, c, (SmtpSniffDir)dir, fwd);
    if (answer != NULL) {
        /* Our own reply, in the other end's name (RFC 3207 6 attack). */
        sim_net_inject(node->world->net, id, back == SMTP_MITM_C2S, answer);
        mitm_node_sniff(node, id, c, (SmtpSniffDir)back, answer);
    }
    mitm_node_drain(node, id, c);
    return fwd != NULL ? fwd : g_bytes_new(NULL, 0);
}

static void
mitm_node_start(Node *node)
{
    World *w = node->world;
    char **tap = node->spec->tap;
    Node *a = world_node(w, tap[0]), *b = world_node(w, tap[1]);
    SimLink *link = sim_net_link(w->net, a->host, b->host);
    sim_link_add_tap(link, mitm_node_tap, node, NULL);
}

static void
mitm_node_free(Node *node)
{
    MitmNode *mn = node->priv;
    g_hash_table_unref(mn->conns);
    g_free(mn->rules);
    g_free(mn);
}

static const NodeClass mitm_node_class = {
    .kind = "mitm",
    .start = mitm_node_start,
    .free = mitm_node_free,
};

Node *
mitm_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &mitm_node_class, spec);
    MitmNode *mn = g_new0(MitmNode, 1);
    mn->conns = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, mitm_conn_free);
    /* Rules borrow the spec's strings, which outlive the node. */
    GPtrArray *rules = spec->mitm.rules;
    mn->n_rules = rules ? rules->len : 0;
    mn->rules = g_new0(SmtpMitmRule, MAX(mn->n_rules, 1));
    for (guint i = 0; i < mn->n_rules; i++) {
        const MitmRuleSpec *r = rules->pdata[i];
        mn->rules[i] =
            (SmtpMitmRule){r->match, r->replace, r->to_client ? SMTP_MITM_S2C : SMTP_MITM_C2S};
    }
    node->priv = mn;
    return node;
}
