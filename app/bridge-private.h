/* SPDX-License-Identifier: MIT
 * bridge-private: what bridge.c (clock, listeners, gateways) and
 * bridge_conn.c (one real connection joined to one simulated stream)
 * share. Not for use outside app/bridge*.c.
 */
#ifndef APP_BRIDGE_PRIVATE_H
#define APP_BRIDGE_PRIVATE_H

#include <gio/gio.h>

#include "app/bridge.h"
#include "sim/net.h"

typedef struct BridgeConn BridgeConn;

/* Bytes from a real peer in flight toward the node before the bridge stops
 * reading that peer (it reads again below half of it). */
#define BRIDGE_IN_FLIGHT_MAX (256 * 1024)

struct Bridge {
    World *world;
    SimWorld *sim;
    SimNet *net;
    SimHost *client_host; /* "bridge": where real clients appear from */
    double speed;
    BridgeLimits limits;
    gint64 wall_start; /* monotonic µs of virtual time 0 */
    gboolean started;
    GSource *clock;      /* ready when the next event is due */
    GSource *idle;       /* the idle-timeout sweep */
    GPtrArray *services; /* GSocketService*, one per --listen */
    GPtrArray *gateways; /* listener data of the gateways' stand-in hosts */
    GList *conns;        /* BridgeConn*, live */
    guint n_conns;
};

/* "ip:port", "[v6]:port" (transfer full; "?" for NULL or another kind). */
char *bridge_address_string(GSocketAddress *sa);
/* Trace shortcut (NULL when tracing is off); virtual time now. */
SimTraceRec *bridge_trace(Bridge *b, const char *ev, const char *node);
/* Re-arms the clock after events were scheduled. */
void bridge_rearm(Bridge *b);

/* A real client accepted for node:port: connects from host (the host
 * "bridge" or a listener's `from` node) to it. */
void bridge_conn_accept(Bridge *b, GSocketConnection *conn, SimHost *from, const char *node,
                        guint16 port, const char *service, const char *listen);
/* A node connected to a gateway's stand-in host: dial the real server. */
void bridge_conn_gateway(Bridge *b, SimStream *s, const char *node, const char *target);
/* Closes connections idle for longer than the limit (FIN to the node, so
 * that its engine ends the session as on a client's close). */
void bridge_conns_reap_idle(Bridge *b);
/* Reads again from paused peers whose bytes have drained. */
void bridge_conns_resume(Bridge *b);
/* Closes a live connection now (bridge teardown): reset both ways. */
void bridge_conn_abort(BridgeConn *c, const char *reason);

#endif
