/* SPDX-License-Identifier: MIT
 * net_stream: TCP-like connections over SimLinks (DESIGN 3). The three-way
 * handshake (RFC 9293 3.5: SYN, SYN-ACK, ACK), RST answering a SYN to a
 * closed port (RFC 9293 3.10.7.1), FIN after the data, half-close, RST on
 * data reaching a closed end (RFC 9293 3.10.7.4). Segments in flight toward
 * an end sit in a ring in arrival order: arrival times are kept monotonic
 * per direction, so each delivery event pops the ring head and no event
 * needs a heap-allocated payload. Not modelled: loss, retransmission timing,
 * windows, TIME-WAIT.
 */
#include "sim/net.h"

#include <string.h>

#include "sim/net_private.h"

typedef struct {
    GBytes *data; /* nullable */
    SimSegKind kind;
} SimInSeg;

/* Segments in flight toward one end without a heap ring (a power of two):
 * an SMTP dialogue rarely has more, and most connections carry one
 * message, so the common connection allocates no ring at all. */
#define SIM_STREAM_RING_INLINE 8

struct SimStream {
    SimConn *conn;
    guint idx;     /* 0 client, 1 server */
    SimHost *host; /* nullable: a server end at an unknown address */
    guint32 addr;
    guint16 port;
    SimStreamHandler h;
    gpointer user_data;
    gboolean owned; /* the user holds this end */
    gboolean connected, dead, wr_shut, eof, rst_sent;
    guint64 sent, received;
    guint dir;      /* link direction of segments sent by this end */
    SimInSeg *ring; /* segments in flight toward this end: ring_inline, or
                     * the heap once more are in flight at once */
    guint head, len, cap;
    SimInSeg ring_inline[SIM_STREAM_RING_INLINE];
    SimTime last_arrival;
    GQueue pre; /* client: SimInSeg * written before the handshake ended */
};

struct SimConn {
    SimNet *net;
    guint64 id;
    SimLink *link; /* NULL: no route (unknown address) */
    SimStream end[2];
    guint pending; /* scheduled events and held segments referring to it */
    SimListener *listener;
    SimEventId timeout_ev;
    SimConn *prev, *next;
};

typedef struct {
    SimConn *conn;
    guint idx;
    SimSegKind kind;
    GBytes *data;
    gboolean injected; /* from sim_net_inject(): no taps */
} SimHeldSeg;

static void sim_stream_send(SimConn *c, guint idx, SimSegKind kind, GBytes *data);
static void sim_stream_send_ex(SimConn *c, guint idx, SimSegKind kind, GBytes *data,
                               gboolean injected);
static void sim_stream_trace(SimConn *c, guint idx, const char *ev);

/* --- rings --- */

static void
sim_stream_ring_push(SimStream *s, SimSegKind kind, GBytes *data)
{
    if (s->len == s->cap) {
        guint ncap = s->cap * 2;
        SimInSeg *n = g_new(SimInSeg, ncap);
        for (guint i = 0; i < s->len; i++)
            n[i] = s->ring[(s->head + i) & (s->cap - 1)];
        if (s->ring != s->ring_inline)
            g_free(s->ring);
        s->ring = n;
        s->head = 0;
        s->cap = ncap;
    }
    s->ring[(s->head + s->len) & (s->cap - 1)] = (SimInSeg){.data = data, .kind = kind};
    s->len++;
}

static SimInSeg
sim_stream_ring_pop(SimStream *s)
{
    g_assert(s->len > 0);
    SimInSeg seg = s->ring[s->head];
    s->head = (s->head + 1) & (s->cap - 1);
    s->len--;
    return seg;
}

static void
sim_stream_pre_free(gpointer p)
{
    SimInSeg *seg = p;
    if (seg->data != NULL)
        g_bytes_unref(seg->data);
    g_free(seg);
}

static void
sim_stream_end_clear(SimStream *s)
{
    while (s->len > 0) {
        SimInSeg seg = sim_stream_ring_pop(s);
        if (seg.data != NULL)
            g_bytes_unref(seg.data);
    }
    if (s->ring != s->ring_inline)
        g_free(s->ring);
    g_queue_clear_full(&s->pre, sim_stream_pre_free);
}

/* --- connection lifetime --- */

static void
sim_conn_free(SimConn *c)
{
    SimNet *net = c->net;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        net->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    net->n_conns--;
    for (guint i = 0; i < 2; i++) {
        SimStream *s = &c->end[i];
        /* Only at teardown is a held end freed: tell its holder once. */
        if (s->owned && s->h.on_drop != NULL) {
            s->owned = FALSE;
            s->h.on_drop(s, s->user_data);
        }
    }
    sim_stream_end_clear(&c->end[0]);
    sim_stream_end_clear(&c->end[1]);
    g_free(c);
}

static void
sim_conn_maybe_free(SimConn *c)
{
    if (c->pending == 0 && !c->end[0].owned && !c->end[1].owned)
        sim_conn_free(c);
}

void
sim_net_free_conns(SimNet *net)
{
    while (net->conns != NULL)
        sim_conn_free(net->conns);
}

/* --- segments --- */

static void
sim_stream_header(SimConn *c, guint idx, SimSegKind kind, SimSegment *seg)
{
    SimStream *src = &c->end[idx], *dst = &c->end[1 - idx];
    *seg = (SimSegment){.time = sim_world_now(c->net->world),
                        .kind = kind,
                        .conn_id = c->id,
                        .src_host = src->host,
                        .dst_host = dst->host,
                        .src_addr = src->addr,
                        .dst_addr = dst->addr,
                        .src_port = src->port,
                        .dst_port = dst->port,
                        .offset = src->sent,
                        .ack = src->received};
}

static void sim_stream_deliver(SimWorld *w, gpointer data);

static SimTime
sim_stream_tx_time(const SimLinkParams *p, gsize size)
{
    if (size == 0 || p->bandwidth == 0)
        return 0;
    /* Round up: a partial microsecond still occupies the link. */
    return (SimTime)(((guint64)size * 8u * 1000000u + p->bandwidth - 1) / p->bandwidth);
}

static void
sim_stream_hold(SimConn *c, guint idx, SimSegKind kind, GBytes *data, gboolean injected)
{
    SimHeldSeg *h = g_new(SimHeldSeg, 1);
    h->conn = c;
    h->idx = idx;
    h->kind = kind;
    h->injected = injected;
    h->data = data != NULL ? g_bytes_ref(data) : NULL;
    c->pending++;
    g_queue_push_tail(&c->link->held, h);
}

static void sim_stream_send_one(SimConn *c, guint idx, SimSegKind kind, GBytes *data,
                                gboolean injected);

/* Sends from end idx (data: transfer none, DATA only), split at the mtu. */
static void
sim_stream_send(SimConn *c, guint idx, SimSegKind kind, GBytes *data)
{
    sim_stream_send_ex(c, idx, kind, data, FALSE);
}

/* As sim_stream_send(); injected segments skip the taps. */
static void
sim_stream_send_ex(SimConn *c, guint idx, SimSegKind kind, GBytes *data, gboolean injected)
{
    guint mtu = c->link != NULL && c->link->up ? sim_link_effective(c->link)->mtu : 0;
    gsize size = data != NULL ? g_bytes_get_size(data) : 0;
    if (kind != SIM_SEG_DATA || mtu == 0 || size <= mtu) {
        sim_stream_send_one(c, idx, kind, data, injected);
        return;
    }
    for (gsize off = 0; off < size; off += mtu) {
        GBytes *part = g_bytes_new_from_bytes(data, off, MIN(mtu, size - off));
        sim_stream_send_one(c, idx, kind, part, injected);
        g_bytes_unref(part);
    }
}

/* Sends one segment from end idx. */
static void
sim_stream_send_one(SimConn *c, guint idx, SimSegKind kind, GBytes *data, gboolean injected)
{
    SimNet *net = c->net;
    SimLink *link = c->link;
    SimStream *src = &c->end[idx], *dst = &c->end[1 - idx];
    if (link == NULL)
        return; /* no route: lost, the connect times out */
    if (!link->up) {
        /* A handshake segment on a dead link is lost (the connect times
         * out); later segments wait for the link, as retransmission would. */
        if (kind != SIM_SEG_SYN && kind != SIM_SEG_SYNACK)
            sim_stream_hold(c, idx, kind, data, injected);
        return;
    }
    if (kind == SIM_SEG_FIN)
        sim_stream_trace(c, idx, "conn.close");
    else if (kind == SIM_SEG_RST && src->connected)
        sim_stream_trace(c, idx, "conn.reset");
    /* The segment's header is built only for those who look at it: taps
     * and wire observers (pcap, the trace of segments). */
    gboolean watched = link->taps->len > 0 || net->taps->len > 0 || net->observers->len > 0;
    SimTime now = sim_world_now(net->world);
    SimSegment seg;
    GBytes *payload = data != NULL ? g_bytes_ref(data) : NULL;
    if (watched && !injected) {
        sim_stream_header(c, idx, kind, &seg);
        seg.data = data;
        g_clear_pointer(&payload, g_bytes_unref);
        payload = sim_net_run_taps(net, link, &seg);
    }
    if (kind == SIM_SEG_FIN && payload != NULL) {
        /* A tap's held bytes go first; the FIN follows them. */
        sim_stream_send_ex(c, idx, SIM_SEG_DATA, payload, TRUE);
        g_bytes_unref(payload);
        payload = NULL;
    }
    gsize size = payload != NULL ? g_bytes_get_size(payload) : 0;
    if (kind == SIM_SEG_DATA && size == 0) {
        /* A tap removed every byte: nothing crosses the wire. */
        g_bytes_unref(payload);
        return;
    }
    const SimLinkParams *p = sim_link_effective(link);
    SimTime start = MAX(now, link->busy_until[src->dir]);
    SimTime done = start + sim_stream_tx_time(p, size);
    link->busy_until[src->dir] = done;
    SimTime jitter = 0;
    if (p->jitter > 0)
        jitter = g_rand_int_range(sim_link_rng(link), 0, (gint32)MIN(p->jitter, G_MAXINT32 - 1) + 1);
    /* A direction is a FIFO: jitter delays, never reorders. */
    SimTime arrive = MAX(done + p->latency + jitter, dst->last_arrival);
    dst->last_arrival = arrive;
    if (net->observers->len > 0) {
        /* After a FIN's held bytes went out, its offset is past them. */
        sim_stream_header(c, idx, kind, &seg);
        seg.time = start;
        seg.arrive = arrive;
        seg.data = payload;
        sim_net_notify_wire(net, SIM_WIRE_SEGMENT, &seg);
    }
    src->sent += size;
    sim_stream_ring_push(dst, kind, payload);
    c->pending++;
    sim_world_schedule_node(net->world, arrive, dst->host != NULL ? dst->host->id : SIM_NODE_NONE,
                            sim_stream_deliver, dst, NULL);
}

void
sim_net_resend_held(gpointer p)
{
    SimHeldSeg *h = p;
    h->conn->pending--;
    sim_stream_send_ex(h->conn, h->idx, h->kind, h->data, h->injected);
    sim_conn_maybe_free(h->conn);
    sim_net_free_held(h);
}

void
sim_net_free_held(gpointer p)
{
    SimHeldSeg *h = p;
    if (h->data != NULL)
        g_bytes_unref(h->data);
    g_free(h);
}

/* conn.* trace records (sim_net_set_trace_conns): node is the host of end
 * idx, local/remote are seen from it. */
static void
sim_stream_trace(SimConn *c, guint idx, const char *ev)
{
    SimTrace *tr = sim_world_trace(c->net->world);
    if (!c->net->trace_conns || !sim_trace_enabled(tr))
        return;
    SimStream *me = &c->end[idx], *peer = &c->end[1 - idx];
    char la[16], ra[16], buf[32];
    SimTraceRec *r = sim_trace_begin(tr, sim_world_now(c->net->world), ev,
                                     me->host != NULL ? me->host->name : NULL);
    sim_trace_int(r, "conn", (gint64)c->id);
    g_snprintf(buf, sizeof buf, "%s:%u", sim_ipv4_format(me->addr, la), me->port);
    sim_trace_str(r, "local", buf);
    g_snprintf(buf, sizeof buf, "%s:%u", sim_ipv4_format(peer->addr, ra), peer->port);
    sim_trace_str(r, "remote", buf);
    if (peer->host != NULL)
        sim_trace_str(r, "peer", peer->host->name);
    sim_trace_end(r);
}

static void
sim_stream_notify(SimConn *c, SimWireKind kind)
{
    static const char *const evs[] = {"conn.open", "conn.accept", "conn.refused", "conn.timeout"};
    g_assert((guint)kind < G_N_ELEMENTS(evs));
    sim_stream_trace(c, kind == SIM_WIRE_ACCEPT ? 1 : 0, evs[kind]);
    if (c->net->observers->len == 0)
        return;
    SimSegment seg;
    sim_stream_header(c, 0, SIM_SEG_SYN, &seg);
    sim_net_notify_wire(c->net, kind, &seg);
}

/* --- arrivals --- */

static void
sim_stream_cancel_timeout(SimConn *c)
{
    if (sim_world_cancel(c->net->world, c->timeout_ev))
        c->pending--;
    c->timeout_ev = SIM_EVENT_ID_NONE;
}

static void
sim_stream_on_syn(SimConn *c, SimStream *srv)
{
    if (srv->host != NULL && srv->host->down)
        return; /* a crashed host answers nothing: the connect times out */
    SimListener *l = srv->host != NULL ? sim_net_find_listener(c->net, srv->host, srv->port) : NULL;
    if (l == NULL) {
        /* RFC 9293 3.10.7.1: a SYN to a closed port is answered by RST. */
        srv->dead = TRUE;
        srv->rst_sent = TRUE;
        sim_stream_send(c, 1, SIM_SEG_RST, NULL);
        return;
    }
    c->listener = l;
    sim_stream_send(c, 1, SIM_SEG_SYNACK, NULL);
}

static void
sim_stream_on_synack(SimConn *c, SimStream *cli)
{
    sim_stream_cancel_timeout(c);
    if (cli->dead) {
        /* Reset or timed out meanwhile: refuse the late handshake. */
        if (!cli->rst_sent) {
            cli->rst_sent = TRUE;
            sim_stream_send(c, 0, SIM_SEG_RST, NULL);
        }
        return;
    }
    cli->connected = TRUE;
    sim_stream_send(c, 0, SIM_SEG_ACK, NULL);
    while (!g_queue_is_empty(&cli->pre)) {
        SimInSeg *seg = g_queue_pop_head(&cli->pre);
        sim_stream_send(c, 0, seg->kind, seg->data);
        sim_stream_pre_free(seg);
    }
    if (cli->owned && cli->h.on_connected != NULL)
        cli->h.on_connected(cli, cli->user_data);
}

static void
sim_stream_on_ack(SimConn *c, SimStream *srv)
{
    SimListener *l = c->listener;
    if (srv->dead)
        return;
    if (l == NULL || l->closed || (srv->host != NULL && srv->host->down)) {
        srv->dead = TRUE;
        srv->rst_sent = TRUE;
        sim_stream_send(c, 1, SIM_SEG_RST, NULL);
        return;
    }
    srv->connected = TRUE;
    srv->owned = TRUE;
    sim_stream_notify(c, SIM_WIRE_ACCEPT);
    l->fn(l, srv, l->user_data);
}

static void
sim_stream_on_data(SimConn *c, SimStream *s, GBytes *data)
{
    if (s->dead)
        return;
    if (!s->owned) {
        /* RFC 9293 3.10.7.4: data for a closed socket is answered by RST. */
        s->dead = TRUE;
        s->rst_sent = TRUE;
        sim_stream_send(c, s->idx, SIM_SEG_RST, NULL);
        return;
    }
    s->received += g_bytes_get_size(data);
    if (s->h.on_data != NULL)
        s->h.on_data(s, data, s->user_data);
}

static void
sim_stream_on_rst(SimConn *c, SimStream *s)
{
    if (s->dead)
        return;
    s->dead = TRUE;
    if (s->idx == 0 && !s->connected) {
        sim_stream_cancel_timeout(c);
        sim_stream_notify(c, SIM_WIRE_REFUSED);
        if (s->owned && s->h.on_refused != NULL)
            s->h.on_refused(s, s->user_data);
        return;
    }
    if (s->owned && s->h.on_reset != NULL)
        s->h.on_reset(s, s->user_data);
}

static void
sim_stream_deliver(SimWorld *w, gpointer data)
{
    SimStream *s = data;
    SimConn *c = s->conn;
    SimInSeg in = sim_stream_ring_pop(s);
    /* c->pending still counts this event: callbacks may release s safely. */
    switch (in.kind) {
    case SIM_SEG_SYN:
        sim_stream_on_syn(c, s);
        break;
    case SIM_SEG_SYNACK:
        sim_stream_on_synack(c, s);
        break;
    case SIM_SEG_ACK:
        sim_stream_on_ack(c, s);
        break;
    case SIM_SEG_DATA:
        sim_stream_on_data(c, s, in.data);
        break;
    case SIM_SEG_FIN:
        if (!s->dead && !s->eof) {
            s->eof = TRUE;
            if (s->owned && s->h.on_eof != NULL)
                s->h.on_eof(s, s->user_data);
        }
        break;
    case SIM_SEG_RST:
        sim_stream_on_rst(c, s);
        break;
    default:
        g_assert_not_reached();
    }
    if (in.data != NULL)
        g_bytes_unref(in.data);
    c->pending--;
    sim_conn_maybe_free(c);
}

static void
sim_stream_on_timeout(SimWorld *w, gpointer data)
{
    SimConn *c = data;
    SimStream *cli = &c->end[0];
    c->timeout_ev = SIM_EVENT_ID_NONE;
    if (!cli->connected && !cli->dead) {
        cli->dead = TRUE;
        g_queue_clear_full(&cli->pre, sim_stream_pre_free);
        sim_stream_notify(c, SIM_WIRE_TIMEOUT);
        if (cli->owned && cli->h.on_timeout != NULL)
            cli->h.on_timeout(cli, cli->user_data);
    }
    c->pending--;
    sim_conn_maybe_free(c);
}

/* --- connect --- */

static guint16
sim_stream_ephemeral_port(SimHost *h)
{
    guint16 port = h->next_port;
    h->next_port = port == 65535 ? SIM_NET_EPHEMERAL_FIRST : (guint16)(port + 1);
    return port;
}

SimStream *
sim_net_connect_addr(SimNet *net, SimHost *from, guint32 addr, guint16 port,
                     const SimStreamHandler *handler, gpointer user_data)
{
    g_return_val_if_fail(net != NULL && from != NULL, NULL);
    SimConn *c = g_new0(SimConn, 1);
    SimHost *dst = sim_net_host_by_addr(net, addr);
    c->net = net;
    c->id = net->next_conn_id++;
    c->link = dst != NULL ? sim_net_link(net, from, dst) : NULL;
    for (guint i = 0; i < 2; i++) {
        c->end[i].conn = c;
        c->end[i].idx = i;
        c->end[i].ring = c->end[i].ring_inline;
        c->end[i].cap = SIM_STREAM_RING_INLINE;
        g_queue_init(&c->end[i].pre);
    }
    SimStream *cli = &c->end[0], *srv = &c->end[1];
    cli->host = from;
    cli->addr = sim_host_address(from);
    cli->port = sim_stream_ephemeral_port(from);
    cli->owned = TRUE;
    if (handler != NULL)
        cli->h = *handler;
    cli->user_data = user_data;
    srv->host = dst;
    srv->addr = addr;
    srv->port = port;
    if (c->link != NULL && c->link->a == c->link->b) {
        cli->dir = 0; /* loopback: one direction per end */
        srv->dir = 1;
    } else if (c->link != NULL) {
        cli->dir = from == c->link->a ? 0 : 1;
        srv->dir = 1 - cli->dir;
    }
    c->next = net->conns;
    if (net->conns != NULL)
        net->conns->prev = c;
    net->conns = c;
    net->n_conns++;
    c->timeout_ev =
        sim_world_schedule_node(net->world, sim_world_now(net->world) + net->connect_timeout,
                                from->id, sim_stream_on_timeout, c, NULL);
    c->pending++;
    sim_stream_notify(c, SIM_WIRE_CONNECT);
    sim_stream_send(c, 0, SIM_SEG_SYN, NULL);
    return cli;
}

SimStream *
sim_net_connect(SimNet *net, SimHost *from, const char *ip_or_name, guint16 port,
                const SimStreamHandler *handler, gpointer user_data)
{
    g_return_val_if_fail(net != NULL && from != NULL && ip_or_name != NULL, NULL);
    guint32 addr = 0;
    if (!sim_ipv4_parse(ip_or_name, &addr)) {
        SimHost *h = sim_net_host_by_name(net, ip_or_name);
        addr = h != NULL ? sim_host_address(h) : 0;
    }
    return sim_net_connect_addr(net, from, addr, port, handler, user_data);
}

/* --- injection --- */

typedef struct {
    SimConn *conn;
    guint idx;
    GBytes *data;
} SimInject;

static void
sim_stream_on_inject(SimWorld *w, gpointer data)
{
    SimInject *in = data;
    SimConn *c = in->conn;
    SimStream *src = &c->end[in->idx];
    c->pending--;
    /* Only while that end could still have sent it (no FIN, no RST). */
    if (!src->dead && !src->wr_shut && !src->rst_sent)
        sim_stream_send_ex(c, in->idx, SIM_SEG_DATA, in->data, TRUE);
    g_bytes_unref(in->data);
    g_free(in);
    sim_conn_maybe_free(c);
}

void
sim_net_inject(SimNet *net, guint64 conn_id, gboolean from_client, GBytes *data)
{
    g_return_if_fail(net != NULL && data != NULL);
    if (g_bytes_get_size(data) == 0)
        return;
    SimConn *c = net->conns;
    while (c != NULL && c->id != conn_id)
        c = c->next;
    if (c == NULL)
        return;
    SimInject *in = g_new(SimInject, 1);
    in->conn = c;
    in->idx = from_client ? 0 : 1;
    in->data = g_bytes_ref(data);
    c->pending++;
    SimStream *src = &c->end[in->idx];
    sim_world_schedule_node(net->world, sim_world_now(net->world),
                            src->host != NULL ? src->host->id : SIM_NODE_NONE, sim_stream_on_inject,
                            in, NULL);
}

void
sim_net_set_trace_conns(SimNet *net, gboolean on)
{
    g_return_if_fail(net != NULL);
    net->trace_conns = on;
}

guint
sim_net_n_conns(const SimNet *net)
{
    return net->n_conns;
}

guint64
sim_net_n_connects(const SimNet *net)
{
    return net->next_conn_id - 1;
}

/* --- user calls --- */

void
sim_stream_set_handler(SimStream *s, const SimStreamHandler *handler, gpointer user_data)
{
    g_return_if_fail(s != NULL && s->owned);
    if (handler != NULL)
        s->h = *handler;
    else
        memset(&s->h, 0, sizeof s->h);
    s->user_data = user_data;
}

static void
sim_stream_queue(SimStream *s, SimSegKind kind, GBytes *data)
{
    if (s->connected) {
        sim_stream_send(s->conn, s->idx, kind, data);
        return;
    }
    SimInSeg *seg = g_new(SimInSeg, 1);
    seg->kind = kind;
    seg->data = data != NULL ? g_bytes_ref(data) : NULL;
    g_queue_push_tail(&s->pre, seg);
}

void
sim_stream_write(SimStream *s, GBytes *data)
{
    g_return_if_fail(s != NULL && s->owned && data != NULL);
    g_return_if_fail(!s->wr_shut);
    if (s->dead || g_bytes_get_size(data) == 0)
        return;
    sim_stream_queue(s, SIM_SEG_DATA, data);
}

void
sim_stream_write_data(SimStream *s, const void *data, gsize len)
{
    g_autoptr(GBytes) b = g_bytes_new(data, len);
    sim_stream_write(s, b);
}

void
sim_stream_shutdown(SimStream *s)
{
    g_return_if_fail(s != NULL && s->owned);
    if (s->dead || s->wr_shut)
        return;
    s->wr_shut = TRUE;
    sim_stream_queue(s, SIM_SEG_FIN, NULL);
}

static void
sim_stream_release(SimStream *s)
{
    SimConn *c = s->conn;
    s->owned = FALSE;
    memset(&s->h, 0, sizeof s->h);
    s->user_data = NULL;
    /* A dead client needs no timeout any more. */
    if (s->idx == 0 && s->dead)
        sim_stream_cancel_timeout(c);
    sim_conn_maybe_free(c);
}

void
sim_stream_close(SimStream *s)
{
    g_return_if_fail(s != NULL && s->owned);
    sim_stream_shutdown(s);
    sim_stream_release(s);
}

void
sim_stream_reset(SimStream *s)
{
    g_return_if_fail(s != NULL && s->owned);
    if (!s->dead) {
        g_queue_clear_full(&s->pre, sim_stream_pre_free);
        if (s->connected) {
            s->rst_sent = TRUE;
            sim_stream_send(s->conn, s->idx, SIM_SEG_RST, NULL);
        }
        /* Not connected yet: the SYN-ACK, if any, is answered by RST. */
        s->dead = TRUE;
    }
    sim_stream_release(s);
}

/* --- accessors --- */

gboolean
sim_stream_is_connected(const SimStream *s)
{
    return s->connected && !s->dead;
}

gboolean
sim_stream_is_dead(const SimStream *s)
{
    return s->dead;
}

SimHost *
sim_stream_local_host(const SimStream *s)
{
    return s->host;
}

SimHost *
sim_stream_remote_host(const SimStream *s)
{
    return s->conn->end[1 - s->idx].host;
}

guint32
sim_stream_local_addr(const SimStream *s)
{
    return s->addr;
}

guint32
sim_stream_remote_addr(const SimStream *s)
{
    return s->conn->end[1 - s->idx].addr;
}

guint16
sim_stream_local_port(const SimStream *s)
{
    return s->port;
}

guint16
sim_stream_remote_port(const SimStream *s)
{
    return s->conn->end[1 - s->idx].port;
}

guint64
sim_stream_conn_id(const SimStream *s)
{
    return s->conn->id;
}

gboolean
sim_stream_is_client(const SimStream *s)
{
    return s->idx == 0;
}

guint64
sim_stream_bytes_sent(const SimStream *s)
{
    return s->sent;
}

guint64
sim_stream_bytes_in_flight(const SimStream *s)
{
    const SimStream *peer = &s->conn->end[1 - s->idx];
    guint64 waiting = 0; /* written before the handshake, not sent yet */
    for (const GList *l = s->pre.head; l != NULL; l = l->next) {
        const SimInSeg *seg = l->data;
        waiting += seg->data != NULL ? g_bytes_get_size(seg->data) : 0;
    }
    return waiting + (s->sent > peer->received ? s->sent - peer->received : 0);
}

guint64
sim_stream_bytes_received(const SimStream *s)
{
    return s->received;
}

SimNet *
sim_stream_net(const SimStream *s)
{
    return s->conn->net;
}

/* --- host crash (sim_host_crash) --- */

typedef struct {
    SimConn *conn;
    guint idx;
} SimCrashKill;

static void
sim_stream_on_crash(SimWorld *w, gpointer data)
{
    SimCrashKill *k = data;
    SimConn *c = k->conn;
    SimStream *s = &c->end[k->idx];
    if (!s->dead) {
        gboolean refused = s->idx == 0 && !s->connected;
        s->dead = TRUE;
        g_queue_clear_full(&s->pre, sim_stream_pre_free);
        if (refused)
            sim_stream_cancel_timeout(c);
        if (s->owned && refused && s->h.on_refused != NULL)
            s->h.on_refused(s, s->user_data);
        else if (s->owned && !refused && s->h.on_reset != NULL)
            s->h.on_reset(s, s->user_data);
    }
    c->pending--;
    sim_conn_maybe_free(c);
}

guint
sim_host_crash(SimHost *host)
{
    g_return_val_if_fail(host != NULL, 0);
    SimNet *net = host->net;
    guint killed = 0;
    host->down = TRUE;
    for (SimConn *c = net->conns; c != NULL; c = c->next) {
        for (guint idx = 0; idx < 2; idx++) {
            SimStream *s = &c->end[idx];
            if (s->host != host || s->dead || !s->owned)
                continue;
            /* The peer learns at once (RST), the local owner in an event:
             * callbacks never run inside the call that caused them. */
            if (s->connected && !s->rst_sent) {
                s->rst_sent = TRUE;
                sim_stream_send(c, idx, SIM_SEG_RST, NULL);
            }
            SimCrashKill *k = g_new(SimCrashKill, 1);
            k->conn = c;
            k->idx = idx;
            c->pending++;
            sim_world_schedule_in(net->world, 0, sim_stream_on_crash, k, g_free);
            killed++;
        }
    }
    return killed;
}

void
sim_host_restart(SimHost *host)
{
    g_return_if_fail(host != NULL);
    host->down = FALSE;
}

gboolean
sim_host_is_down(const SimHost *host)
{
    return host->down;
}
