/* SPDX-License-Identifier: MIT
 * bridge: the clock, the listeners and the gateways of `mhs serve` (see
 * bridge.h). Virtual time is the wall time since bridge_start() times the
 * speed factor: a GSource becomes ready when the next event is due and
 * runs every event up to the wall clock's virtual now; every real input
 * first brings virtual time up to now, so bytes enter the simulation at
 * the moment they arrived. The scenario's own events keep their virtual
 * times.
 */
#include "app/bridge-private.h"

#include <string.h>

#include "nodes/gateway_node.h"

typedef struct {
    Bridge *b;
    char *node;
    char *service;
    char *listen;  /* the bound address, "ip:port" */
    guint16 port;  /* the node's port for the service */
    SimHost *from; /* where its clients appear from */
} BridgeListen;

static void
bridge_listen_free(gpointer data, GClosure *closure)
{
    BridgeListen *l = data;
    g_free(l->node);
    g_free(l->service);
    g_free(l->listen);
    g_free(l);
}

typedef struct {
    Bridge *b;
    char *node;
    char *target;
} BridgeGateway;

static void
bridge_gateway_free(gpointer data)
{
    BridgeGateway *g = data;
    g_free(g->node);
    g_free(g->target);
    g_free(g);
}

char *
bridge_address_string(GSocketAddress *sa)
{
    if (sa == NULL || !G_IS_INET_SOCKET_ADDRESS(sa))
        return g_strdup("?");
    GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS(sa);
    GInetAddress *ia = g_inet_socket_address_get_address(isa);
    g_autofree char *ip = g_inet_address_to_string(ia);
    gboolean v6 = g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV6;
    return g_strdup_printf(v6 ? "[%s]:%u" : "%s:%u", ip, g_inet_socket_address_get_port(isa));
}

SimTraceRec *
bridge_trace(Bridge *b, const char *ev, const char *node)
{
    return sim_trace_begin(sim_world_trace(b->sim), sim_world_now(b->sim), ev, node);
}

void
bridge_rearm(Bridge *b)
{
    if (b->clock == NULL || !b->started)
        return;
    SimTime next = sim_world_next_time(b->sim);
    if (next == SIM_TIME_NEVER) {
        g_source_set_ready_time(b->clock, -1);
        return;
    }
    /* A little late rather than early (rounding): the event is then due. */
    gint64 at = b->wall_start + (gint64)((double)next / b->speed) + 2;
    g_source_set_ready_time(b->clock, at);
}

void
bridge_sync(Bridge *b)
{
    if (!b->started)
        return;
    gint64 wall = g_get_monotonic_time() - b->wall_start;
    SimTime target = (SimTime)((double)wall * b->speed);
    if (target < sim_world_now(b->sim))
        target = sim_world_now(b->sim);
    sim_world_run(b->sim, target);
    bridge_conns_resume(b);
    bridge_rearm(b);
}

static gboolean
bridge_clock_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    return cb(data);
}

static GSourceFuncs bridge_clock_funcs = {
    .dispatch = bridge_clock_dispatch,
};

static gboolean
bridge_clock_fire(gpointer data)
{
    bridge_sync(data);
    return G_SOURCE_CONTINUE;
}

static gboolean
bridge_idle_fire(gpointer data)
{
    bridge_conns_reap_idle(data);
    return G_SOURCE_CONTINUE;
}

Bridge *
bridge_new(World *w, double speed, const char *client_ip, const BridgeLimits *limits,
           GError **error)
{
    g_return_val_if_fail(speed > 0, NULL);
    SimNet *net = world_net(w);
    guint32 addr = 0;
    if (!sim_ipv4_parse(client_ip, &addr)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not an IPv4 address",
                    client_ip);
        return NULL;
    }
    SimHost *other = sim_net_host_by_addr(net, addr);
    if (other != NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s is the address of node '%s'",
                    client_ip, sim_host_name(other));
        return NULL;
    }
    if (sim_net_host_by_name(net, BRIDGE_CLIENT_HOST) != NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                    "a node is called '" BRIDGE_CLIENT_HOST
                    "', the name of the real clients' host");
        return NULL;
    }
    Bridge *b = g_new0(Bridge, 1);
    b->world = w;
    b->sim = world_sim(w);
    b->net = net;
    b->speed = speed;
    b->client_host = sim_net_add_host(net, BRIDGE_CLIENT_HOST);
    sim_host_add_address_u32(b->client_host, addr);
    b->limits = limits ? *limits : (BridgeLimits){0};
    if (b->limits.max_conns == 0)
        b->limits.max_conns = BRIDGE_MAX_CONNS_DEFAULT;
    if (b->limits.idle_timeout <= 0)
        b->limits.idle_timeout = BRIDGE_IDLE_TIMEOUT_DEFAULT;
    if (b->limits.max_pending == 0)
        b->limits.max_pending = BRIDGE_MAX_PENDING_DEFAULT;
    b->services = g_ptr_array_new_with_free_func(g_object_unref);
    b->gateways = g_ptr_array_new_with_free_func(bridge_gateway_free);
    b->clock = g_source_new(&bridge_clock_funcs, sizeof(GSource));
    g_source_set_callback(b->clock, bridge_clock_fire, b, NULL);
    g_source_attach(b->clock, NULL);
    /* Check for idle connections at least twice per timeout. */
    guint every = (guint)MIN(b->limits.idle_timeout / 2000, 1000);
    GSource *idle = g_timeout_source_new(MAX(every, 10));
    g_source_set_callback(idle, bridge_idle_fire, b, NULL);
    g_source_attach(idle, NULL);
    b->idle = idle;
    return b;
}

void
bridge_start(Bridge *b)
{
    b->wall_start = g_get_monotonic_time() - (gint64)((double)sim_world_now(b->sim) / b->speed);
    b->started = TRUE;
    bridge_rearm(b);
}

void
bridge_free(Bridge *b)
{
    if (b == NULL)
        return;
    for (guint i = 0; i < b->services->len; i++) {
        GSocketService *svc = b->services->pdata[i];
        g_socket_service_stop(svc);
        g_socket_listener_close(G_SOCKET_LISTENER(svc));
    }
    g_ptr_array_unref(b->services);
    g_ptr_array_unref(b->gateways);
    /* No more virtual time from here: the world has finished its run. */
    g_source_destroy(b->clock);
    g_clear_pointer(&b->clock, g_source_unref);
    g_source_destroy(b->idle);
    g_clear_pointer(&b->idle, g_source_unref);
    b->started = FALSE;
    while (b->conns)
        bridge_conn_abort(b->conns->data, "shutdown");
    /* Run the conns' deferred unrefs (and cancelled dials) queued above. */
    while (g_main_context_iteration(NULL, FALSE))
        ;
    g_free(b);
}

guint
bridge_n_conns(const Bridge *b)
{
    return b->n_conns;
}

static gboolean
bridge_on_incoming(GSocketService *svc, GSocketConnection *conn, GObject *source, gpointer data)
{
    BridgeListen *l = data;
    bridge_conn_accept(l->b, conn, l->from, l->node, l->port, l->service, l->listen);
    return TRUE;
}

/* "HOST:PORT" with HOST an IP literal (IPv6 in brackets) or localhost. */
static GSocketAddress *
bridge_parse_address(const char *address, GError **error)
{
    const char *colon = strrchr(address, ':');
    guint64 port = 0;
    if (colon == NULL || !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "'%s' is not HOST:PORT",
                    address);
        return NULL;
    }
    g_autofree char *host = g_strndup(address, (gsize)(colon - address));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        host[strlen(host) - 1] = '\0';
        memmove(host, host + 1, strlen(host));
    }
    if (host[0] == '\0' || strcmp(host, "localhost") == 0) {
        g_free(host);
        host = g_strdup("127.0.0.1");
    }
    g_autoptr(GInetAddress) ia = g_inet_address_new_from_string(host);
    if (ia == NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "'%s' is not an IP address to listen on", host);
        return NULL;
    }
    return g_inet_socket_address_new(ia, (guint16)port);
}

gboolean
bridge_listen(Bridge *b, const char *address, const char *node, const BridgeService *service,
              const char *from, char **bound, GError **error)
{
    const NodeSpec *ns = world_spec_find_node(world_spec(b->world), node);
    if (ns == NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no node '%s' in the scenario", node);
        return FALSE;
    }
    SimHost *from_host = b->client_host;
    if (from != NULL) {
        from_host = world_spec_find_node(world_spec(b->world), from) != NULL
                        ? sim_net_host_by_name(b->net, from)
                        : NULL;
        if (from_host == NULL) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no node '%s' in the scenario",
                        from);
            return FALSE;
        }
        if (strcmp(from, node) == 0) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "clients of node '%s' cannot appear from that node itself", node);
            return FALSE;
        }
    }
    g_autoptr(GSocketAddress) sa = bridge_parse_address(address, error);
    if (sa == NULL)
        return FALSE;
    GSocketService *svc = g_socket_service_new();
    g_socket_listener_set_backlog(G_SOCKET_LISTENER(svc), 512);
    g_autoptr(GSocketAddress) effective = NULL;
    if (!g_socket_listener_add_address(G_SOCKET_LISTENER(svc), sa, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL, &effective, error)) {
        g_object_unref(svc);
        return FALSE;
    }
    BridgeListen *l = g_new0(BridgeListen, 1);
    l->b = b;
    l->node = g_strdup(node);
    l->service = g_strdup(service->name);
    l->listen = bridge_address_string(effective);
    l->port = service->port(ns);
    l->from = from_host;
    g_signal_connect_data(svc, "incoming", G_CALLBACK(bridge_on_incoming), l, bridge_listen_free,
                          0);
    g_ptr_array_add(b->services, svc);
    g_socket_service_start(svc);
    SimTraceRec *r = bridge_trace(b, "bridge.listen", node);
    sim_trace_str(r, "service", service->name);
    sim_trace_int(r, "port", l->port);
    sim_trace_str(r, "listen", l->listen);
    if (from != NULL)
        sim_trace_str(r, "from", from);
    sim_trace_end(r);
    *bound = g_strdup(l->listen);
    return TRUE;
}

static void
bridge_gateway_accept(SimListener *l, SimStream *s, gpointer user_data)
{
    BridgeGateway *g = user_data;
    bridge_conn_gateway(g->b, s, g->node, g->target);
}

gboolean
bridge_attach_gateway(Bridge *b, const char *node, GError **error)
{
    SimHost *peer = world_gateway_peer(b->world, node);
    if (peer == NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "'%s' is not a gateway node", node);
        return FALSE;
    }
    BridgeGateway *g = g_new0(BridgeGateway, 1);
    g->b = b;
    g->node = g_strdup(node);
    g->target = g_strdup(sim_host_name(peer));
    /* NULL when another gateway with the same real server listens already. */
    if (sim_net_listen(b->net, peer, GATEWAY_PEER_PORT, bridge_gateway_accept, g, NULL) == NULL) {
        bridge_gateway_free(g);
        return TRUE;
    }
    g_ptr_array_add(b->gateways, g);
    return TRUE;
}
