/* SPDX-License-Identifier: MIT
 * eavesdropper_node: a passive tap on one link (DESIGN 4). Every TCP
 * connection crossing the link gets an SmtpSniffer (proto/smtp_sniff.h);
 * what it learns becomes tap.observe trace records: clear-text SMTP lines,
 * message sizes, AUTH PLAIN/LOGIN credentials, CRAM-MD5 challenge and
 * response, and after STARTTLS (RFC 3207) only TLS record sizes. A
 * connection to a webmail node gets an HttpSniffer instead (proto/
 * http_sniff.h): request and status lines, and a login form's password in
 * clear over HTTP, only TLS record sizes over HTTPS. A connection to a
 * store's POP3 port is read as POP3 (the port tells, as it tells
 * Wireshark): USER/PASS in clear, or after STLS (RFC 2595) only TLS record
 * sizes. It never changes a byte and never sends one.
 */
#include <string.h>

#include "nodes/node.h"
#include "nodes/tap_seen.h"
#include "nodes/tap_trace.h"
#include "nodes/world_private.h"
#include "proto/http_sniff.h"
#include "proto/smtp_sniff.h"

typedef struct {
    SmtpSniffer *sniffer;
    HttpSniffer *http; /* instead of sniffer: the server is a webmail node */
    guint32 client_addr;
    const char *client, *server; /* host names (borrowed from the net) */
} EveConn;

typedef struct {
    GHashTable *conns; /* conn id (guint64 *) -> EveConn* */
} EveNode;

static void
eve_conn_free(gpointer p)
{
    EveConn *c = p;
    smtp_sniffer_free(c->sniffer);
    http_sniffer_free(c->http);
    g_free(c);
}

void
tap_trace_sniff(Node *node, guint64 conn_id, const char *client, const char *server,
                const SmtpSniffEvent *ev)
{
    tap_seen_note(node->world, node->name, smtp_sniff_event_kind_name(ev->kind),
                  ev->kind == SMTP_SNIFF_EV_CREDENTIALS || ev->kind == SMTP_SNIFF_EV_CRAM_MD5
                      ? ev->user
                      : NULL);
    SimTraceRec *r = world_trace(node->world, "tap.observe", node->name);
    if (r == NULL)
        return;
    gboolean c2s = ev->dir == SMTP_SNIFF_C2S;
    sim_trace_int(r, "conn", (gint64)conn_id);
    sim_trace_str(r, "from", c2s ? client : server);
    sim_trace_str(r, "to", c2s ? server : client);
    sim_trace_str(r, "what", smtp_sniff_event_kind_name(ev->kind));
    switch (ev->kind) {
    case SMTP_SNIFF_EV_LINE:
        sim_trace_bytes(r, "line", (const guint8 *)ev->text, strlen(ev->text));
        if (ev->truncated)
            sim_trace_bool(r, "truncated", TRUE);
        break;
    case SMTP_SNIFF_EV_MESSAGE:
        sim_trace_int(r, "size", (gint64)ev->size);
        break;
    case SMTP_SNIFF_EV_CREDENTIALS:
        /* The lab's point: what crossed the wire in clear is now known. */
        sim_trace_str(r, "mechanism", ev->mech);
        sim_trace_bytes(r, "user", (const guint8 *)ev->user, strlen(ev->user));
        sim_trace_bytes(r, "password", (const guint8 *)ev->password, strlen(ev->password));
        if (ev->authzid[0])
            sim_trace_bytes(r, "authzid", (const guint8 *)ev->authzid, strlen(ev->authzid));
        break;
    case SMTP_SNIFF_EV_CRAM_MD5:
        sim_trace_str(r, "mechanism", "CRAM-MD5");
        sim_trace_bytes(r, "user", (const guint8 *)ev->user, strlen(ev->user));
        sim_trace_bytes(r, "challenge", (const guint8 *)ev->challenge, strlen(ev->challenge));
        sim_trace_bytes(r, "response", (const guint8 *)ev->response, strlen(ev->response));
        break;
    case SMTP_SNIFF_EV_TLS_RECORDS: {
        GString *sizes = g_string_new(NULL);
        for (guint i = 0; i < ev->sizes->len; i++)
            g_string_append_printf(sizes, "%s%u", i ? " " : "", g_array_index(ev->sizes, guint, i));
        sim_trace_int(r, "records", ev->sizes->len);
        sim_trace_int(r, "bytes", (gint64)ev->size);
        sim_trace_str(r, "sizes", sizes->str);
        g_string_free(sizes, TRUE);
        break;
    }
    default:
        break;
    }
    sim_trace_end(r);
}

/* The port says POP3 when it is the POP3 port of the store it reaches. */
static gboolean
eavesdropper_node_is_pop3(Node *node, const SimSegment *seg)
{
    Node *dst = world_node(node->world, sim_host_name(seg->dst_host));
    if (dst == NULL || dst->spec->role != SPEC_ROLE_MS)
        return FALSE;
    return seg->dst_port == (dst->spec->pop3_port ? dst->spec->pop3_port : 110);
}

static GBytes *
eavesdropper_node_tap(const SimSegment *seg, gpointer user_data)
{
    Node *node = user_data;
    EveNode *eve = node->priv;
    guint64 id = seg->conn_id;
    EveConn *c = g_hash_table_lookup(eve->conns, &id);
    if (seg->kind == SIM_SEG_SYN && c == NULL) {
        c = g_new0(EveConn, 1);
        Node *server = world_node(node->world, sim_host_name(seg->dst_host));
        if (server != NULL && server->spec->role == SPEC_ROLE_WEBMAIL)
            c->http = http_sniffer_new();
        else if (eavesdropper_node_is_pop3(node, seg))
            c->sniffer = smtp_sniffer_new_pop3();
        else
            c->sniffer = smtp_sniffer_new();
        c->client_addr = seg->src_addr;
        c->client = sim_host_name(seg->src_host);
        c->server = sim_host_name(seg->dst_host);
        g_hash_table_insert(eve->conns, g_memdup2(&id, sizeof id), c);
        return NULL;
    }
    if (c == NULL || seg->kind != SIM_SEG_DATA || seg->data == NULL)
        return NULL;
    gsize len;
    const guint8 *p = g_bytes_get_data(seg->data, &len);
    SmtpSniffDir dir = seg->src_addr == c->client_addr ? SMTP_SNIFF_C2S : SMTP_SNIFF_S2C;
    if (c->http)
        http_sniffer_feed(c->http, dir, p, len);
    else
        smtp_sniffer_feed(c->sniffer, dir, p, len);
    SmtpSniffEvent ev;
    while (c->http ? http_sniffer_poll(c->http, &ev) : smtp_sniffer_poll(c->sniffer, &ev)) {
        tap_trace_sniff(node, id, c->client, c->server, &ev);
        smtp_sniff_event_clear(&ev);
    }
    return NULL;
}

static void
eavesdropper_node_start(Node *node)
{
    World *w = node->world;
    char **tap = node->spec->tap;
    Node *a = world_node(w, tap[0]), *b = world_node(w, tap[1]);
    SimLink *link = sim_net_link(w->net, a->host, b->host);
    sim_link_add_tap(link, eavesdropper_node_tap, node, NULL);
}

static void
eavesdropper_node_free(Node *node)
{
    EveNode *eve = node->priv;
    g_hash_table_unref(eve->conns);
    g_free(eve);
}

static const NodeClass eavesdropper_node_class = {
    .kind = "eavesdropper",
    .start = eavesdropper_node_start,
    .free = eavesdropper_node_free,
};

Node *
eavesdropper_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &eavesdropper_node_class, spec);
    EveNode *eve = g_new0(EveNode, 1);
    eve->conns = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, eve_conn_free);
    node->priv = eve;
    return node;
}
