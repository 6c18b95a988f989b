/* SPDX-License-Identifier: MIT
 * pcap_writer: synthesized Ethernet II / IPv4 (RFC 791) / TCP (RFC 9293)
 * frames for every stream of a SimNet, written with libpcap. The observer
 * sees segments when they are decided; frames are buffered in a heap on
 * (time, order) and written once the clock has passed them, because a
 * segment queued behind others leaves later than it was decided and the
 * pure ACKs synthesized at arrival lie in the future. Sequence state is
 * kept per connection in output order, so seq and ack numbers are those a
 * capture on the link would show. Not modelled: retransmissions, delayed
 * ACKs, window updates, IP fragmentation, DNS (not on the wire here).
 */
#include "sim/pcap_writer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#define SIM_PCAP_ETH_LEN 14
#define SIM_PCAP_IP_LEN 20  /* RFC 791 3.1: no options */
#define SIM_PCAP_TCP_LEN 20 /* RFC 9293 3.1: no options */
#define SIM_PCAP_SYN_OPTS 8 /* MSS (RFC 9293 3.7.1) + NOP + window scale (RFC 7323 2.2) */
#define SIM_PCAP_FRAME_MAX                                                                         \
    (SIM_PCAP_ETH_LEN + SIM_PCAP_IP_LEN + SIM_PCAP_TCP_LEN + SIM_PCAP_SYN_OPTS + SIM_PCAP_MSS)
#define SIM_PCAP_SNAPLEN 65535
#define SIM_PCAP_TTL 64
/* RFC 9293 3.8.6.3 (RFC 1122 4.2.3.2): an ACK for data may be delayed, by
 * less than 0.5 s; a reply sent meanwhile carries it instead. A FIN is
 * acknowledged at once. XXX: no "ACK every second full-sized segment". */
#define SIM_PCAP_DELAYED_ACK (40 * SIM_TIME_MS)

typedef enum {
    SIM_PCAP_REC_SEG = 0, /* a segment the net sent */
    SIM_PCAP_REC_ARRIVAL, /* DATA or FIN arrived: the receiver acknowledges it */
} SimPcapRecKind;

typedef struct {
    SimTime time;
    guint64 order; /* observation order: ties keep it */
    SimPcapRecKind rec;
    SimSegKind kind; /* SEG: the segment's; ARRIVAL: DATA or FIN that arrived */
    guint64 conn_id;
    guint from;          /* end sending this frame: 0 client, 1 server */
    guint64 offset, ack; /* SEG: as observed; ARRIVAL: offset = peer bytes up to
                          * the end of the segment that arrived */
    GBytes *data;        /* SEG DATA only */
} SimPcapRec;

typedef struct {
    guint64 id;
    guint32 addr[2];
    guint16 port[2];
    guint32 isn[2];
    guint64 snd[2]; /* payload bytes end i has put on the wire */
    guint64 rcv[2]; /* payload bytes of the peer end i has acknowledged */
    gboolean fin_sent[2], fin_rcvd[2];
    gboolean rst_seen[2]; /* end i sent RST (observed), at rst_time[i] */
    SimTime rst_time[2];
    gboolean synack_sent, ack_sent, rst;
    guint pending; /* records of this connection in the heap */
} SimPcapConn;

struct SimPcap {
    SimNet *net;
    pcap_t *dead;
    pcap_dumper_t *dumper;
    char *path;
    gint64 epoch;
    GPtrArray *heap; /* SimPcapRec *, min-heap on (time, order) */
    guint64 next_order;
    GHashTable *conns; /* &id -> SimPcapConn * */
    guint16 ip_id;
    guint64 n_frames;
    gboolean finished;
};

/* Header fields of one frame. */
typedef struct {
    guint32 src, dst;
    guint16 sport, dport;
    guint32 seq, ack;
    guint8 flags;
    const guint8 *payload;
    gsize len;
} SimPcapTcp;

/* --- the record heap --- */

static gboolean
sim_pcap_rec_before(const SimPcapRec *a, const SimPcapRec *b)
{
    return a->time < b->time || (a->time == b->time && a->order < b->order);
}

static void
sim_pcap_heap_push(SimPcap *pc, SimPcapRec *r)
{
    GPtrArray *h = pc->heap;
    g_ptr_array_add(h, r);
    for (guint i = h->len - 1; i > 0;) {
        guint parent = (i - 1) / 2;
        if (!sim_pcap_rec_before(h->pdata[i], h->pdata[parent]))
            break;
        gpointer t = h->pdata[i];
        h->pdata[i] = h->pdata[parent];
        h->pdata[parent] = t;
        i = parent;
    }
}

static SimPcapRec *
sim_pcap_heap_pop(SimPcap *pc)
{
    GPtrArray *h = pc->heap;
    SimPcapRec *top = h->pdata[0];
    gpointer last = g_ptr_array_steal_index(h, h->len - 1);
    if (h->len > 0)
        h->pdata[0] = last;
    for (guint i = 0;;) {
        guint l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->len && sim_pcap_rec_before(h->pdata[l], h->pdata[m]))
            m = l;
        if (r < h->len && sim_pcap_rec_before(h->pdata[r], h->pdata[m]))
            m = r;
        if (m == i)
            break;
        gpointer t = h->pdata[i];
        h->pdata[i] = h->pdata[m];
        h->pdata[m] = t;
        i = m;
    }
    return top;
}

static void
sim_pcap_rec_free(gpointer p)
{
    SimPcapRec *r = p;
    if (r->data != NULL)
        g_bytes_unref(r->data);
    g_free(r);
}

/* --- frame synthesis --- */

guint16
sim_pcap_checksum(const guint8 *data, gsize len, guint32 sum)
{
    guint64 s = sum;
    for (gsize i = 0; i + 1 < len; i += 2)
        s += (guint32)data[i] << 8 | data[i + 1];
    if (len % 2 == 1)
        s += (guint32)data[len - 1] << 8; /* RFC 1071: pad with a zero octet */
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (guint16)~s;
}

static void
sim_pcap_put16(guint8 *p, guint16 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

static void
sim_pcap_put32(guint8 *p, guint32 v)
{
    sim_pcap_put16(p, (guint16)(v >> 16));
    sim_pcap_put16(p + 2, (guint16)v);
}

/* A locally administered MAC derived from the address: 02:00:a:b:c:d. */
static void
sim_pcap_mac(guint8 *p, guint32 addr)
{
    p[0] = 0x02;
    p[1] = 0x00;
    sim_pcap_put32(p + 2, addr);
}

/* Builds the TCP header, options and payload at tcp; returns its length. */
static gsize
sim_pcap_build_tcp(guint8 *tcp, const SimPcapTcp *f)
{
    gsize opts = (f->flags & SIM_PCAP_TCP_SYN) ? SIM_PCAP_SYN_OPTS : 0;
    gsize hlen = SIM_PCAP_TCP_LEN + opts;
    sim_pcap_put16(tcp, f->sport);
    sim_pcap_put16(tcp + 2, f->dport);
    sim_pcap_put32(tcp + 4, f->seq);
    sim_pcap_put32(tcp + 8, (f->flags & SIM_PCAP_TCP_ACK) ? f->ack : 0);
    tcp[12] = (guint8)(hlen / 4 << 4);
    tcp[13] = f->flags;
    /* RFC 7323 2.2: the window field of a SYN is never scaled. */
    sim_pcap_put16(tcp + 14, SIM_PCAP_WINDOW);
    sim_pcap_put16(tcp + 16, 0);
    sim_pcap_put16(tcp + 18, 0);
    if (opts > 0) {
        guint8 *o = tcp + SIM_PCAP_TCP_LEN;
        o[0] = 2; /* MSS, length 4 */
        o[1] = 4;
        sim_pcap_put16(o + 2, SIM_PCAP_MSS);
        o[4] = 1; /* NOP, then window scale, length 3 */
        o[5] = 3;
        o[6] = 3;
        o[7] = SIM_PCAP_WSCALE;
    }
    if (f->len > 0)
        memcpy(tcp + hlen, f->payload, f->len);
    gsize tlen = hlen + f->len;
    /* RFC 9293 3.1: the checksum covers a pseudo-header of the addresses,
     * the protocol and the TCP length. */
    guint32 pseudo =
        (f->src >> 16) + (f->src & 0xffff) + (f->dst >> 16) + (f->dst & 0xffff) + 6 + (guint32)tlen;
    sim_pcap_put16(tcp + 16, sim_pcap_checksum(tcp, tlen, pseudo));
    return tlen;
}

static void
sim_pcap_emit(SimPcap *pc, SimTime t, const SimPcapTcp *f)
{
    guint8 frame[SIM_PCAP_FRAME_MAX];
    g_assert(f->len <= SIM_PCAP_MSS);
    guint8 *ip = frame + SIM_PCAP_ETH_LEN;
    sim_pcap_mac(frame, f->dst);
    sim_pcap_mac(frame + 6, f->src);
    sim_pcap_put16(frame + 12, 0x0800); /* IPv4 */
    gsize tlen = sim_pcap_build_tcp(ip + SIM_PCAP_IP_LEN, f);
    ip[0] = 0x45; /* RFC 791 3.1: version 4, IHL 5 */
    ip[1] = 0;
    sim_pcap_put16(ip + 2, (guint16)(SIM_PCAP_IP_LEN + tlen));
    sim_pcap_put16(ip + 4, pc->ip_id++);
    sim_pcap_put16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = SIM_PCAP_TTL;
    ip[9] = 6; /* TCP */
    sim_pcap_put16(ip + 10, 0);
    sim_pcap_put32(ip + 12, f->src);
    sim_pcap_put32(ip + 16, f->dst);
    sim_pcap_put16(ip + 10, sim_pcap_checksum(ip, SIM_PCAP_IP_LEN, 0));

    struct pcap_pkthdr hdr = {0};
    hdr.ts.tv_sec = (time_t)(pc->epoch + t / SIM_TIME_S);
    hdr.ts.tv_usec = (suseconds_t)(t % SIM_TIME_S);
    hdr.caplen = hdr.len = (bpf_u_int32)(SIM_PCAP_ETH_LEN + SIM_PCAP_IP_LEN + tlen);
    pcap_dump((u_char *)pc->dumper, &hdr, frame);
    pc->n_frames++;
}

/* --- sequence state --- */

/* RFC 9293 3.4: the ISN is a 32-bit number; derive it from the connection
 * id and the end, so that runs are reproducible. */
static guint32
sim_pcap_isn(guint64 conn_id, guint end)
{
    guint64 x = conn_id * 2 + end + 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return (guint32)(x ^ (x >> 31));
}

/* Next sequence number of end e: SYN and FIN each take one (RFC 9293 3.4). */
static guint32
sim_pcap_next_seq(const SimPcapConn *c, guint e)
{
    return c->isn[e] + 1 + (guint32)c->snd[e] + (c->fin_sent[e] ? 1 : 0);
}

static guint32
sim_pcap_ack_of(const SimPcapConn *c, guint e)
{
    return c->isn[1 - e] + 1 + (guint32)c->rcv[e] + (c->fin_rcvd[e] ? 1 : 0);
}

static SimPcapTcp
sim_pcap_tcp_from(const SimPcapConn *c, guint e, guint32 seq, guint32 ack, guint8 flags)
{
    return (SimPcapTcp){.src = c->addr[e],
                        .dst = c->addr[1 - e],
                        .sport = c->port[e],
                        .dport = c->port[1 - e],
                        .seq = seq,
                        .ack = ack,
                        .flags = flags};
}

/* DATA: one frame per SIM_PCAP_MSS bytes, PSH on the last one. */
static void
sim_pcap_write_data(SimPcap *pc, SimPcapConn *c, const SimPcapRec *r)
{
    gsize size = 0;
    const guint8 *p = g_bytes_get_data(r->data, &size);
    guint32 base = c->isn[r->from] + 1 + (guint32)r->offset;
    for (gsize off = 0; off < size; off += SIM_PCAP_MSS) {
        gsize n = MIN(SIM_PCAP_MSS, size - off);
        guint8 flags = SIM_PCAP_TCP_ACK | (off + n == size ? SIM_PCAP_TCP_PSH : 0);
        SimPcapTcp f =
            sim_pcap_tcp_from(c, r->from, base + (guint32)off, sim_pcap_ack_of(c, r->from), flags);
        f.payload = p + off;
        f.len = n;
        sim_pcap_emit(pc, r->time, &f);
    }
    c->snd[r->from] = r->offset + size;
}

/* RFC 9293 3.10.7.1: a RST answering a segment without ACK (the SYN) has
 * seq 0 and acknowledges it; one answering an ACK takes its seq from it. */
static void
sim_pcap_write_rst(SimPcap *pc, SimPcapConn *c, const SimPcapRec *r)
{
    guint e = r->from;
    SimPcapTcp f;
    if (e == 1 && !c->synack_sent)
        f = sim_pcap_tcp_from(c, e, 0, c->isn[0] + 1, SIM_PCAP_TCP_RST | SIM_PCAP_TCP_ACK);
    else if (e == 0 && !c->ack_sent)
        f = sim_pcap_tcp_from(c, e, c->isn[0] + 1, 0, SIM_PCAP_TCP_RST);
    else
        f = sim_pcap_tcp_from(c, e, sim_pcap_next_seq(c, e), sim_pcap_ack_of(c, e),
                              SIM_PCAP_TCP_RST | SIM_PCAP_TCP_ACK);
    c->rst = TRUE;
    sim_pcap_emit(pc, r->time, &f);
}

static void
sim_pcap_write_seg(SimPcap *pc, SimPcapConn *c, const SimPcapRec *r)
{
    guint e = r->from;
    SimPcapTcp f;
    c->rcv[e] = MAX(c->rcv[e], r->ack);
    switch (r->kind) {
    case SIM_SEG_SYN:
        f = sim_pcap_tcp_from(c, 0, c->isn[0], 0, SIM_PCAP_TCP_SYN);
        break;
    case SIM_SEG_SYNACK:
        c->synack_sent = TRUE;
        f = sim_pcap_tcp_from(c, 1, c->isn[1], c->isn[0] + 1, SIM_PCAP_TCP_SYN | SIM_PCAP_TCP_ACK);
        break;
    case SIM_SEG_ACK:
        c->ack_sent = TRUE;
        f = sim_pcap_tcp_from(c, 0, c->isn[0] + 1, c->isn[1] + 1, SIM_PCAP_TCP_ACK);
        break;
    case SIM_SEG_DATA:
        sim_pcap_write_data(pc, c, r);
        return;
    case SIM_SEG_FIN:
        f = sim_pcap_tcp_from(c, e, sim_pcap_next_seq(c, e), sim_pcap_ack_of(c, e),
                              SIM_PCAP_TCP_FIN | SIM_PCAP_TCP_ACK);
        c->fin_sent[e] = TRUE;
        break;
    case SIM_SEG_RST:
        sim_pcap_write_rst(pc, c, r);
        return;
    default:
        g_assert_not_reached();
    }
    sim_pcap_emit(pc, r->time, &f);
}

/* The receiver of data or a FIN acknowledges it after it arrived, unless
 * the connection was reset, the receiver resets it now, or a segment it
 * sent meanwhile already carried the acknowledgement. */
static void
sim_pcap_write_arrival(SimPcap *pc, SimPcapConn *c, const SimPcapRec *r)
{
    guint e = r->from;
    gboolean fin = r->kind == SIM_SEG_FIN;
    if (c->rst || (c->rst_seen[e] && c->rst_time[e] <= r->time))
        return;
    if (r->offset <= c->rcv[e] && (!fin || c->fin_rcvd[e]))
        return;
    c->rcv[e] = MAX(c->rcv[e], r->offset);
    if (fin)
        c->fin_rcvd[e] = TRUE;
    SimPcapTcp f =
        sim_pcap_tcp_from(c, e, sim_pcap_next_seq(c, e), sim_pcap_ack_of(c, e), SIM_PCAP_TCP_ACK);
    sim_pcap_emit(pc, r->time, &f);
}

static void
sim_pcap_write_rec(SimPcap *pc, SimPcapRec *r)
{
    SimPcapConn *c = g_hash_table_lookup(pc->conns, &r->conn_id);
    g_assert(c != NULL && c->pending > 0);
    c->pending--;
    if (r->rec == SIM_PCAP_REC_ARRIVAL)
        sim_pcap_write_arrival(pc, c, r);
    else
        sim_pcap_write_seg(pc, c, r);
    /* Both FINs acknowledged: nothing more can be sent. */
    if (c->pending == 0 && c->fin_rcvd[0] && c->fin_rcvd[1])
        g_hash_table_remove(pc->conns, &c->id);
}

/* Writes every buffered record before time t (no later observation can
 * precede them: segments leave at or after the clock). */
static void
sim_pcap_flush_before(SimPcap *pc, SimTime t)
{
    while (pc->heap->len > 0 && ((SimPcapRec *)pc->heap->pdata[0])->time < t) {
        SimPcapRec *r = sim_pcap_heap_pop(pc);
        sim_pcap_write_rec(pc, r);
        sim_pcap_rec_free(r);
    }
}

/* --- the observer --- */

static void
sim_pcap_on_connect(SimPcap *pc, const SimSegment *seg)
{
    SimPcapConn *c = g_new0(SimPcapConn, 1);
    c->id = seg->conn_id;
    c->addr[0] = seg->src_addr;
    c->addr[1] = seg->dst_addr;
    c->port[0] = seg->src_port;
    c->port[1] = seg->dst_port;
    c->isn[0] = sim_pcap_isn(c->id, 0);
    c->isn[1] = sim_pcap_isn(c->id, 1);
    g_hash_table_replace(pc->conns, &c->id, c);
}

/* A connection that failed: its state goes once its frames are written. */
static void
sim_pcap_forget(SimPcap *pc, guint64 conn_id)
{
    SimPcapConn *c = g_hash_table_lookup(pc->conns, &conn_id);
    if (c != NULL && c->pending == 0)
        g_hash_table_remove(pc->conns, &conn_id);
}

static void
sim_pcap_push(SimPcap *pc, SimPcapConn *c, SimPcapRec *r)
{
    r->order = pc->next_order++;
    r->conn_id = c->id;
    c->pending++;
    sim_pcap_heap_push(pc, r);
}

static void
sim_pcap_on_segment(SimPcap *pc, const SimSegment *seg, SimTime now)
{
    SimPcapConn *c = g_hash_table_lookup(pc->conns, &seg->conn_id);
    if (c == NULL) {
        g_debug("pcap: segment of finished connection %" G_GUINT64_FORMAT " not written",
                seg->conn_id);
        return;
    }
    guint from = seg->src_addr == c->addr[0] && seg->src_port == c->port[0] ? 0 : 1;
    gsize size = seg->data != NULL ? g_bytes_get_size(seg->data) : 0;
    if (seg->kind == SIM_SEG_DATA && size == 0)
        return;
    if (seg->kind == SIM_SEG_RST && !c->rst_seen[from]) {
        c->rst_seen[from] = TRUE;
        c->rst_time[from] = now;
    }
    SimPcapRec *r = g_new0(SimPcapRec, 1);
    r->time = seg->time;
    r->rec = SIM_PCAP_REC_SEG;
    r->kind = seg->kind;
    r->from = from;
    r->offset = seg->offset;
    r->ack = seg->ack;
    r->data = seg->kind == SIM_SEG_DATA ? g_bytes_ref(seg->data) : NULL;
    sim_pcap_push(pc, c, r);
    if (seg->kind != SIM_SEG_DATA && seg->kind != SIM_SEG_FIN)
        return;
    SimPcapRec *a = g_new0(SimPcapRec, 1);
    a->time = seg->arrive + (seg->kind == SIM_SEG_DATA ? SIM_PCAP_DELAYED_ACK : 0);
    a->rec = SIM_PCAP_REC_ARRIVAL;
    a->kind = seg->kind;
    a->from = 1 - from;
    a->offset = seg->offset + size;
    sim_pcap_push(pc, c, a);
}

static void
sim_pcap_on_wire(const SimWireEvent *ev, gpointer user_data)
{
    SimPcap *pc = user_data;
    if (pc->finished)
        return;
    SimTime now = sim_world_now(sim_net_world(pc->net));
    sim_pcap_flush_before(pc, now);
    if (ev->kind == SIM_WIRE_CONNECT)
        sim_pcap_on_connect(pc, ev->seg);
    else if (ev->kind == SIM_WIRE_SEGMENT)
        sim_pcap_on_segment(pc, ev->seg, now);
    else if (ev->kind == SIM_WIRE_REFUSED || ev->kind == SIM_WIRE_TIMEOUT)
        sim_pcap_forget(pc, ev->seg->conn_id);
    /* ACCEPT: the handshake segments tell it. */
}

/* --- lifetime --- */

static void
sim_pcap_free(gpointer p)
{
    SimPcap *pc = p;
    g_autoptr(GError) error = NULL;
    if (!sim_pcap_finish(pc, &error))
        g_warning("%s", error->message);
    g_ptr_array_free(pc->heap, TRUE);
    g_hash_table_destroy(pc->conns);
    g_free(pc->path);
    g_free(pc);
}

SimPcap *
sim_pcap_open(SimNet *net, const char *path, GError **error)
{
    g_return_val_if_fail(net != NULL && path != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, SIM_PCAP_SNAPLEN);
    if (dead == NULL)
        g_error("pcap_open_dead failed");
    errno = 0;
    pcap_dumper_t *d = pcap_dump_open(dead, path);
    if (d == NULL) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, e != 0 ? g_file_error_from_errno(e) : G_FILE_ERROR_FAILED,
                    "%s: %s", path, e != 0 ? g_strerror(e) : pcap_geterr(dead));
        pcap_close(dead);
        return NULL;
    }
    SimPcap *pc = g_new0(SimPcap, 1);
    pc->net = net;
    pc->dead = dead;
    pc->dumper = d;
    pc->path = g_strdup(path);
    pc->heap = g_ptr_array_new_with_free_func(sim_pcap_rec_free);
    pc->next_order = 1;
    pc->conns = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    sim_net_add_wire_observer(net, sim_pcap_on_wire, pc, sim_pcap_free);
    return pc;
}

void
sim_pcap_set_epoch(SimPcap *pc, gint64 unix_seconds)
{
    g_return_if_fail(pc != NULL);
    pc->epoch = unix_seconds;
}

gboolean
sim_pcap_finish(SimPcap *pc, GError **error)
{
    g_return_val_if_fail(pc != NULL, FALSE);
    if (pc->finished)
        return TRUE;
    sim_pcap_flush_before(pc, SIM_TIME_NEVER);
    while (pc->heap->len > 0) { /* records at SIM_TIME_NEVER, if any */
        SimPcapRec *r = sim_pcap_heap_pop(pc);
        sim_pcap_write_rec(pc, r);
        sim_pcap_rec_free(r);
    }
    pc->finished = TRUE;
    gboolean ok = pcap_dump_flush(pc->dumper) == 0 && !ferror(pcap_dump_file(pc->dumper));
    int e = errno;
    pcap_dump_close(pc->dumper);
    pcap_close(pc->dead);
    pc->dumper = NULL;
    pc->dead = NULL;
    g_hash_table_remove_all(pc->conns);
    if (!ok)
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", pc->path,
                    g_strerror(e));
    return ok;
}

guint64
sim_pcap_n_frames(const SimPcap *pc)
{
    g_return_val_if_fail(pc != NULL, 0);
    return pc->n_frames;
}
