/* SPDX-License-Identifier: MIT
 * net_private: structures shared by net.c (hosts, links, taps) and
 * net_stream.c (connections). Not part of the public API.
 */
#ifndef SIM_NET_PRIVATE_H
#define SIM_NET_PRIVATE_H

#include "sim/net.h"

typedef struct SimConn SimConn;

typedef struct {
    SimTapId id;
    SimTapFunc fn;
    gpointer user_data;
    GDestroyNotify destroy;
} SimTap;

typedef struct {
    SimWireFunc fn;
    gpointer user_data;
    GDestroyNotify destroy;
} SimWireObserver;

struct SimHost {
    SimNet *net;
    char *name;
    guint id;
    GArray *addrs; /* guint32 */
    guint16 next_port;
    gboolean down; /* crashed: SYNs to it are lost (sim_host_crash) */
};

struct SimLink {
    SimNet *net;
    SimHost *a, *b; /* a->id <= b->id */
    guint64 key;
    gboolean has_params; /* else the net default applies */
    SimLinkParams params;
    gboolean up;
    SimTime busy_until[2]; /* per direction: 0 = a->b, 1 = b->a */
    GRand *rng;            /* jitter draws: read with sim_link_rng() (made on first use) */
    GArray *taps;          /* SimTap */
    GQueue held;           /* SimHeldSeg: sent while down */
};

struct SimListener {
    SimNet *net;
    SimHost *host;
    guint16 port;
    gboolean closed;
    SimAcceptFunc fn;
    gpointer user_data;
    GDestroyNotify destroy;
};

struct SimNet {
    SimWorld *world;
    SimLinkParams def;
    SimTime connect_timeout;
    GPtrArray *hosts;         /* SimHost, by id */
    GHashTable *by_name;      /* name -> SimHost */
    GHashTable *by_addr;      /* GUINT_TO_POINTER(addr) -> SimHost */
    GHashTable *links;        /* &link->key -> SimLink */
    GHashTable *listeners;    /* GUINT_TO_POINTER(host id << 16 | port) -> SimListener */
    GPtrArray *all_listeners; /* every listener ever made, freed with the net */
    GArray *taps;             /* SimTap, global */
    GArray *observers;        /* SimWireObserver */
    SimTapId next_tap_id;
    guint64 next_conn_id;
    SimConn *conns; /* live connections (doubly linked) */
    guint n_conns;
    gboolean trace_conns;
};

/* Effective parameters of a link (its own or the net default). */
const SimLinkParams *sim_link_effective(const SimLink *link);
/* Runs link then global taps on seg; returns the payload to send
 * (transfer full, NULL for non-DATA). */
GBytes *sim_net_run_taps(SimNet *net, SimLink *link, SimSegment *seg);
void sim_net_notify_wire(SimNet *net, SimWireKind kind, const SimSegment *seg);
SimListener *sim_net_find_listener(SimNet *net, SimHost *host, guint16 port);
/* net_stream.c: frees every connection (net teardown). */
void sim_net_free_conns(SimNet *net);
/* net_stream.c: sends a segment held while the link was down. */
void sim_net_resend_held(gpointer held);
void sim_net_free_held(gpointer held);

/* The link's jitter stream (transfer none: the world's), made on first use. */
GRand *sim_link_rng(SimLink *l);

#endif
