/* SPDX-License-Identifier: MIT
 * bridge: the real-socket bridge of `mhs serve` (DESIGN 1, 2): real TCP
 * connections (GIO) joined to simulated streams, with virtual time paced
 * to the wall clock. Nothing below app/ knows about it: a real client
 * appears in the simulation as the host "bridge" (or, for a listener
 * given a `from` node, as that node) connecting to a node's port, so the
 * very engines and sessions of `mhs run` answer it; a
 * gateway's real server appears as its stand-in host (nodes/gateway_node.h)
 * on which the bridge listens and whose connections it carries out to the
 * real host:port. Bytes are copied both ways unchanged (STARTTLS included:
 * the TLS engine runs in the node).
 *
 * Hardening (limits below): a cap on concurrent real connections (over
 * it, the service's busy line and close), an idle timeout per connection,
 * a cap on bytes queued toward a real peer that does not read, and flow
 * control the other way (a peer is not read while more than
 * BRIDGE_IN_FLIGHT_MAX of its bytes cross the simulated link); protocol
 * limits (line length, message size, recipients, AUTH failures) are the
 * engines' and the scenario's. Half-close is passed on as a FIN, a reset
 * as an RST, either way.
 */
#ifndef APP_BRIDGE_H
#define APP_BRIDGE_H

#include <glib.h>

#include "nodes/world.h"

#define BRIDGE_MAX_CONNS_DEFAULT 64
#define BRIDGE_IDLE_TIMEOUT_DEFAULT (300 * G_USEC_PER_SEC)
#define BRIDGE_MAX_PENDING_DEFAULT (4 * 1024 * 1024)
/* The simulated host real clients connect from. */
#define BRIDGE_CLIENT_HOST "bridge"
#define BRIDGE_CLIENT_IP_DEFAULT "127.0.0.1"

/* Zero-initialisable; zero means the default. */
typedef struct {
    guint max_conns;     /* concurrent real connections, all listeners together */
    gint64 idle_timeout; /* wall-clock µs without a byte from the real peer */
    gsize max_pending;   /* bytes queued toward a real peer that does not read */
} BridgeLimits;

/* A service a listener can be bridged to (the table is in bridge_service.c). */
typedef struct {
    const char *name;                      /* "submission", "smtp", "pop3", "http", "https" */
    guint16 (*port)(const NodeSpec *node); /* the node's port for it */
    const SpecRole roles[4];               /* roles it is the default for (0-ended) */
    const char *busy; /* sent to a client over the connection cap (nullable: close only) */
    gboolean (*offered)(const NodeSpec *node); /* nullable: every node offers it */
} BridgeService;

/* (transfer none) The service called name, or NULL. */
const BridgeService *bridge_service_find(const char *name);
/* (transfer none) The default service of a node of role, or NULL. */
const BridgeService *bridge_service_for_role(SpecRole role);
/* Whether node offers svc (a webmail node: http or https, by its `https`). */
gboolean bridge_service_offered(const BridgeService *svc, const NodeSpec *node);
/* (transfer none) The default service of node (by its role and what it
 * offers), or NULL. */
const BridgeService *bridge_service_for_node(const NodeSpec *node);
/* Every service node listens on, in table order, into out (at most max;
 * transfer none); returns how many. */
guint bridge_services_of_node(const NodeSpec *node, const BridgeService **out, guint max);
#define BRIDGE_SERVICES_MAX 8
/* "submission, smtp, pop3, http, https" (transfer none). */
const char *bridge_service_names(void);

typedef struct Bridge Bridge;

/* A bridge over w (borrowed; outlives the bridge). speed: virtual seconds
 * per wall second (> 0). client_ip: the address of the host "bridge". */
Bridge *bridge_new(World *w, double speed, const char *client_ip, const BridgeLimits *limits,
                   GError **error);
/* Closes every real connection (reset) and releases its stream. */
void bridge_free(Bridge *b);
/* Starts the clock: virtual time now is wall time now. */
void bridge_start(Bridge *b);
/* Listens on address ("HOST:PORT", port 0: any free one) and bridges each
 * connection to node's service. Real clients appear from the host
 * "bridge", or, with from (nullable) naming another node, from that
 * node's host and address: a real program then sits where a simulated
 * client does (inside a relay's networks, say). The bound address is
 * returned in *bound (transfer full). */
gboolean bridge_listen(Bridge *b, const char *address, const char *node,
                       const BridgeService *service, const char *from, char **bound,
                       GError **error);
/* Carries the connections of gateway node to its real server. */
gboolean bridge_attach_gateway(Bridge *b, const char *node, GError **error);
/* Runs the events due by the wall clock (call before reading the world). */
void bridge_sync(Bridge *b);
guint bridge_n_conns(const Bridge *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Bridge, bridge_free)

#endif
