/* SPDX-License-Identifier: MIT
 * net: hosts, links and TCP-like byte streams in virtual time (DESIGN 3).
 * A stream is a reliable, ordered byte pipe with TCP timing: connect costs
 * one round trip (SYN, SYN-ACK; the server accepts when the ACK arrives,
 * half a round trip later), is refused (RST) if nothing listens, and times
 * out if the link is down. Each write arrives after serialization
 * (size * 8 / bandwidth, queued behind earlier writes on the same link
 * direction) plus latency plus jitter; a direction is a FIFO, jitter never
 * reorders. Close is a FIN delivered after the data; reset is an RST.
 * Taps see (and may rewrite) every segment crossing; wire observers get a
 * timestamped record of every connection event and segment (pcap writer).
 *
 * Deliberately not modelled: packet loss and retransmission timing, windows,
 * congestion control, segmentation other than the link's mtu, a link
 * going down while a segment is in flight (it still arrives). Segments sent
 * while a link is down wait and leave, in order, when it comes back up.
 * All callbacks run from events, never inside the call that caused them.
 */
#ifndef SIM_NET_H
#define SIM_NET_H

#include <glib.h>

#include "sim/sim_time.h"
#include "sim/world.h"

typedef struct SimNet SimNet;
typedef struct SimHost SimHost;
typedef struct SimLink SimLink;
typedef struct SimListener SimListener;
typedef struct SimStream SimStream;

/* Link parameters; zero means "instant and unlimited". */
typedef struct {
    SimTime latency;   /* one-way propagation delay */
    guint64 bandwidth; /* bits per second; 0 = infinite */
    SimTime jitter;    /* extra one-way delay, uniform in [0, jitter] */
    guint mtu;         /* largest DATA payload per segment; 0 = a write is one
                        * segment. Larger writes are split (no copy), which
                        * exercises engines' split-invariance (STYLE 9). */
} SimLinkParams;

#define SIM_NET_CONNECT_TIMEOUT_DEFAULT (30 * SIM_TIME_S)
#define SIM_NET_EPHEMERAL_FIRST 49152

/* --- the network --- */
SimNet *sim_net_new(SimWorld *world);
/* Frees hosts, links, listeners and streams (every SimStream pointer becomes
 * invalid). Call when the world is no longer running events of this net. */
void sim_net_free(SimNet *net);
SimWorld *sim_net_world(const SimNet *net);
/* Parameters for host pairs without an explicit link (default: all zero). */
void sim_net_set_default(SimNet *net, const SimLinkParams *p);
/* Time a connect waits for SYN-ACK before on_timeout (default 30 s). */
void sim_net_set_connect_timeout(SimNet *net, SimTime timeout);

/* --- hosts --- */
/* Adds a host (transfer none: owned by net). The name must be new. */
SimHost *sim_net_add_host(SimNet *net, const char *name);
/* Adds an IPv4 address ("192.0.2.1"); FALSE if malformed or already used
 * by another host. The first address added is the primary one. */
gboolean sim_host_add_address(SimHost *host, const char *ipv4);
gboolean sim_host_add_address_u32(SimHost *host, guint32 addr);
const char *sim_host_name(const SimHost *host);
/* Dense id (0, 1, 2... in creation order). */
guint sim_host_id(const SimHost *host);
/* Primary address in host order, 0 if none. */
guint32 sim_host_address(const SimHost *host);
SimHost *sim_net_host_by_name(const SimNet *net, const char *name);
SimHost *sim_net_host_by_addr(const SimNet *net, guint32 addr);
/* A host by dotted IPv4 address or by name. NULL if unknown. */
SimHost *sim_net_lookup(const SimNet *net, const char *ip_or_name);
guint sim_net_n_hosts(const SimNet *net);
SimHost *sim_net_host(const SimNet *net, guint id);

/* Dotted-quad helpers (host byte order). */
gboolean sim_ipv4_parse(const char *s, guint32 *out);
/* Writes "a.b.c.d" into buf (16 bytes) and returns buf. */
char *sim_ipv4_format(guint32 addr, char buf[16]);

/* --- links --- */
/* The link between a and b (either order), created with the default
 * parameters if it does not exist. (transfer none) */
SimLink *sim_net_link(SimNet *net, SimHost *a, SimHost *b);
void sim_link_set_params(SimLink *link, const SimLinkParams *p);
const SimLinkParams *sim_link_params(const SimLink *link);
/* Takes the link down or up now. Down: new SYNs are lost (connects time
 * out), data waits until the link is up again. */
void sim_link_set_up(SimLink *link, gboolean up);
gboolean sim_link_is_up(const SimLink *link);
/* Schedules sim_link_set_up(link, up) at absolute time at. */
void sim_link_schedule(SimLink *link, SimTime at, gboolean up);
SimHost *sim_link_host_a(const SimLink *link);
SimHost *sim_link_host_b(const SimLink *link);

/* --- segments, taps and wire observers --- */
typedef enum {
    SIM_SEG_SYN = 0, /* connect request */
    SIM_SEG_SYNACK,  /* connect accepted */
    SIM_SEG_ACK,     /* handshake completion */
    SIM_SEG_DATA,
    SIM_SEG_FIN,
    SIM_SEG_RST,
} SimSegKind;

const char *sim_seg_kind_name(SimSegKind kind);

/* One segment leaving src for dst (host byte order). offset is the number of
 * payload bytes sent in this direction before this segment (a relative TCP
 * sequence number); ack the payload bytes src has received so far. */
typedef struct {
    SimTime time;   /* taps: now; observers: when its first bit leaves src,
                     * after queueing behind earlier segments on the link */
    SimTime arrive; /* when it reaches dst (0 in taps: not yet known) */
    SimSegKind kind;
    guint64 conn_id; /* 1, 2, 3... in connect order */
    const SimHost *src_host, *dst_host;
    guint32 src_addr, dst_addr;
    guint16 src_port, dst_port;
    guint64 offset, ack;
    GBytes *data; /* payload (DATA only, else NULL), transfer none */
} SimSegment;

/* A tap sees a segment before it is scheduled. For DATA it may return a
 * replacement payload (transfer full; may differ in size, may be empty) or
 * NULL to keep seg->data. Its return is ignored for other kinds. An empty
 * payload sends nothing (no segment, no sequence space). Sequence numbers
 * (offset, ack) count the bytes as they crossed the wire, after taps. */
typedef GBytes *(*SimTapFunc)(const SimSegment *seg, gpointer user_data);
typedef guint SimTapId;

/* Tap on one link (both directions) / on every link. Link taps run before
 * global taps, each in the order added; a rewrite is seen by later taps. */
SimTapId sim_link_add_tap(SimLink *link, SimTapFunc fn, gpointer user_data, GDestroyNotify destroy);
SimTapId sim_net_add_tap(SimNet *net, SimTapFunc fn, gpointer user_data, GDestroyNotify destroy);
/* Removes a tap by id (link or global). FALSE if unknown. */
gboolean sim_net_remove_tap(SimNet *net, SimTapId id);

/* Sends data on connection conn_id (a SimSegment's conn_id) in the name of
 * its client end (from_client) or its server end: a tap's own bytes, such
 * as a man in the middle answering for the server. The segment leaves in an
 * event at the current time, behind what that end already sent; it skips
 * the taps (the injecting tap knows it), wire observers see it and the
 * direction's sequence numbers count it. Dropped when the connection is
 * gone or that end has sent FIN or RST. data: transfer none. */
void sim_net_inject(SimNet *net, guint64 conn_id, gboolean from_client, GBytes *data);

typedef enum {
    SIM_WIRE_CONNECT = 0, /* SYN sent */
    SIM_WIRE_ACCEPT,      /* server accepted (ACK arrived) */
    SIM_WIRE_REFUSED,     /* RST answering a SYN: nothing listens */
    SIM_WIRE_TIMEOUT,     /* connect timed out (client side) */
    SIM_WIRE_SEGMENT,     /* a segment left: see seg */
} SimWireKind;

typedef struct {
    SimWireKind kind;
    const SimSegment *seg; /* SEGMENT: the segment after taps; else the
                            * SYN-like header with endpoints (client = src) */
} SimWireEvent;

typedef void (*SimWireFunc)(const SimWireEvent *ev, gpointer user_data);
void sim_net_add_wire_observer(SimNet *net, SimWireFunc fn, gpointer user_data,
                               GDestroyNotify destroy);

/* --- streams --- */
/* Callbacks of one stream end, all optional (NULL = ignore). Each is called
 * from an event; inside it the stream may be written, closed or reset. */
typedef struct {
    void (*on_connected)(SimStream *s, gpointer user_data);          /* client: SYN-ACK came */
    void (*on_data)(SimStream *s, GBytes *data, gpointer user_data); /* transfer none */
    void (*on_eof)(SimStream *s, gpointer user_data);                /* peer FIN: no more data */
    void (*on_reset)(SimStream *s, gpointer user_data);              /* peer RST: stream dead */
    void (*on_refused)(SimStream *s, gpointer user_data);            /* connect refused: dead */
    void (*on_timeout)(SimStream *s, gpointer user_data);            /* connect timed out: dead */
    /* The net is freed (end of the run) while this end is still held:
     * free what user_data holds for the stream. s is going away: call
     * nothing on it or on the net. */
    void (*on_drop)(SimStream *s, gpointer user_data);
} SimStreamHandler;

/* A new stream accepted on a listener. s (transfer full: release it with
 * sim_stream_close() or sim_stream_reset()) has no handler yet: set one with
 * sim_stream_set_handler() inside this call, or data is dropped. */
typedef void (*SimAcceptFunc)(SimListener *l, SimStream *s, gpointer user_data);

/* Listens on host:port (all its addresses). NULL if the port is taken.
 * (transfer none: owned by net until sim_listener_close()) */
SimListener *sim_net_listen(SimNet *net, SimHost *host, guint16 port, SimAcceptFunc fn,
                            gpointer user_data, GDestroyNotify destroy);
/* Stops listening: later SYNs are refused; accepted streams live on. */
void sim_listener_close(SimListener *l);

/* Connects from host to ip_or_name:port (a dotted address or a host name;
 * an unknown destination times out). Returns the client end (transfer full:
 * release with sim_stream_close() or sim_stream_reset(); after on_refused,
 * on_timeout or on_reset it must still be released). handler is copied. */
SimStream *sim_net_connect(SimNet *net, SimHost *from, const char *ip_or_name, guint16 port,
                           const SimStreamHandler *handler, gpointer user_data);
SimStream *sim_net_connect_addr(SimNet *net, SimHost *from, guint32 addr, guint16 port,
                                const SimStreamHandler *handler, gpointer user_data);

void sim_stream_set_handler(SimStream *s, const SimStreamHandler *handler, gpointer user_data);
/* Sends data (a reference is taken, never copied). Legal until shutdown,
 * close or reset; writes before on_connected wait for the handshake; writes
 * on a dead stream (refused, reset...) are dropped. */
void sim_stream_write(SimStream *s, GBytes *data);
/* Convenience: copies len bytes into a GBytes and writes it. */
void sim_stream_write_data(SimStream *s, const void *data, gsize len);
/* Half-close: sends FIN after the data already written. Reading goes on
 * (on_data, on_eof still come). Idempotent. */
void sim_stream_shutdown(SimStream *s);
/* Shuts down (FIN after data) and releases s: no more callbacks, s is
 * invalid after the call. Data arriving later is answered with RST. */
void sim_stream_close(SimStream *s);
/* Aborts: sends RST now (queued data is discarded unless already sent)
 * and releases s: no more callbacks, s is invalid after the call. */
void sim_stream_reset(SimStream *s);

gboolean sim_stream_is_connected(const SimStream *s); /* handshake done, not dead */
gboolean sim_stream_is_dead(const SimStream *s);      /* refused, timed out or reset */
SimHost *sim_stream_local_host(const SimStream *s);
SimHost *sim_stream_remote_host(const SimStream *s); /* NULL if unknown address */
guint32 sim_stream_local_addr(const SimStream *s);
guint32 sim_stream_remote_addr(const SimStream *s);
guint16 sim_stream_local_port(const SimStream *s);
guint16 sim_stream_remote_port(const SimStream *s);
guint64 sim_stream_conn_id(const SimStream *s);
gboolean sim_stream_is_client(const SimStream *s);
/* Payload bytes written / received so far on this end. */
guint64 sim_stream_bytes_sent(const SimStream *s);
guint64 sim_stream_bytes_received(const SimStream *s);
SimNet *sim_stream_net(const SimStream *s);
/* Payload bytes written on this end that the other end has not received
 * yet (0 once it has received as many, which a tap changing sizes can
 * skew): lets a writer fed from outside hold back (flow control). */
guint64 sim_stream_bytes_in_flight(const SimStream *s);

/* Emits conn.open (connect), conn.accept, conn.refused, conn.timeout,
 * conn.close (FIN sent) and conn.reset (RST sent on an established end)
 * to the world's trace, with fields conn (id), local and remote
 * ("ip:port" seen from node), peer (remote host name, when known).
 * Off by default. A FIN or RST sent while the link is down is traced
 * when it actually leaves. */
void sim_net_set_trace_conns(SimNet *net, gboolean on);

/* Connections still held (by a user or by segments in flight); for leak
 * checks and statistics. */
guint sim_net_n_conns(const SimNet *net);
/* Connections made since the net was created. */
guint64 sim_net_n_connects(const SimNet *net);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimNet, sim_net_free)

#endif
