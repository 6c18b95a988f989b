/* SPDX-License-Identifier: MIT
 * bridge_conn: one real TCP connection (a non-blocking GSocket) joined to
 * one simulated stream. Bytes from the real peer are written to the stream
 * at the virtual time the wall clock gives; bytes from the stream are sent
 * to the real peer as they arrive in virtual time, queued (up to a cap)
 * when it does not read. A FIN either way becomes a half-close the other
 * way; the connection ends when both directions are closed, on a reset
 * from either side, on the idle timeout or on overflow. The structure is
 * reference counted: the live list, a gateway's pending dial and each
 * callback in progress may hold it, so that it outlives its teardown.
 */
#include "app/bridge-private.h"

#include <string.h>

#include "nodes/session_timeout.h"

#define BRIDGE_CONN_READ_MAX 16384
/* Wall-clock time the node's goodbye may take to cross the simulated link
 * after an idle timeout before the bridge closes anyway. */
#define BRIDGE_CONN_IDLE_GRACE (2 * G_USEC_PER_SEC)

struct BridgeConn {
    guint refs;
    Bridge *b;
    GSocketConnection *gconn; /* NULL until a gateway's dial succeeds */
    GSocket *sock;            /* borrowed from gconn */
    GSource *in_src, *out_src;
    GCancellable *cancel; /* a gateway's dial */
    SimStream *stream;    /* NULL once released */
    GByteArray *out;      /* from the simulation, not yet sent to the real peer */
    gboolean real_eof;    /* the real peer closed its sending side */
    gboolean sim_eof;     /* the simulated side closed its sending side */
    gboolean out_shut;    /* FIN sent to the real peer */
    gboolean done;
    gboolean paused;    /* not reading: too much in flight toward the node */
    gint64 last_active; /* monotonic µs of the last byte from the real peer */
    gint64 idle_since;  /* monotonic µs the node was asked to time out; 0: not */
    char *node, *remote;
    guint64 conn_id;
    guint64 bytes_in, bytes_out; /* from / to the real peer */
};

static void bridge_conn_finish(BridgeConn *c, const char *reason, gboolean graceful);
static void bridge_conn_flush(BridgeConn *c);

static BridgeConn *
bridge_conn_ref(BridgeConn *c)
{
    c->refs++;
    return c;
}

static void
bridge_conn_unref(BridgeConn *c)
{
    if (--c->refs > 0)
        return;
    g_assert(c->done);
    g_byte_array_unref(c->out);
    g_free(c->node);
    g_free(c->remote);
    g_free(c);
}

static gboolean
bridge_conn_unref_idle(gpointer data)
{
    bridge_conn_unref(data);
    return G_SOURCE_REMOVE;
}

static BridgeConn *
bridge_conn_new(Bridge *b, const char *node)
{
    BridgeConn *c = g_new0(BridgeConn, 1);
    c->refs = 1; /* the live list's */
    c->b = b;
    c->out = g_byte_array_new();
    c->node = g_strdup(node);
    c->last_active = g_get_monotonic_time();
    b->conns = g_list_prepend(b->conns, c);
    b->n_conns++;
    return c;
}

static void
bridge_conn_trace_close(BridgeConn *c, const char *reason)
{
    SimTraceRec *r = bridge_trace(c->b, "bridge.close", c->node);
    sim_trace_int(r, "conn", (gint64)c->conn_id);
    sim_trace_str(r, "reason", reason);
    sim_trace_int(r, "bytes_in", (gint64)c->bytes_in);
    sim_trace_int(r, "bytes_out", (gint64)c->bytes_out);
    sim_trace_end(r);
}

static void
bridge_conn_drop_source(GSource **src)
{
    if (*src == NULL)
        return;
    g_source_destroy(*src);
    g_source_unref(*src);
    *src = NULL;
}

/* Ends the connection once: graceful sends FIN to the simulated side,
 * otherwise RST; the real socket is closed. */
static void
bridge_conn_finish(BridgeConn *c, const char *reason, gboolean graceful)
{
    if (c->done)
        return;
    c->done = TRUE;
    Bridge *b = c->b;
    bridge_conn_trace_close(c, reason);
    bridge_conn_drop_source(&c->in_src);
    bridge_conn_drop_source(&c->out_src);
    if (c->cancel)
        g_cancellable_cancel(c->cancel);
    g_clear_object(&c->cancel);
    if (c->stream) {
        if (graceful)
            sim_stream_close(c->stream);
        else
            sim_stream_reset(c->stream);
        c->stream = NULL;
    }
    if (c->gconn) {
        g_io_stream_close(G_IO_STREAM(c->gconn), NULL, NULL);
        g_clear_object(&c->gconn);
        c->sock = NULL;
    }
    b->conns = g_list_remove(b->conns, c);
    b->n_conns--;
    g_idle_add(bridge_conn_unref_idle, c);
    bridge_rearm(b);
}

void
bridge_conn_abort(BridgeConn *c, const char *reason)
{
    bridge_conn_finish(c, reason, FALSE);
}

/* Both directions closed: the end of a clean conversation; or the node
 * said its goodbye after an idle timeout and closed. */
static void
bridge_conn_check_done(BridgeConn *c)
{
    if (!c->done && c->real_eof && c->out_shut)
        bridge_conn_finish(c, "done", TRUE);
    else if (!c->done && c->idle_since != 0 && c->out_shut)
        bridge_conn_finish(c, "idle", TRUE);
}

static gboolean
bridge_conn_on_writable(GSocket *sock, GIOCondition cond, gpointer data)
{
    BridgeConn *c = data;
    bridge_conn_flush(c);
    return G_SOURCE_CONTINUE;
}

/* Sends what the simulation said to the real peer, as far as it reads. */
static void
bridge_conn_flush(BridgeConn *c)
{
    if (c->done || c->sock == NULL)
        return;
    while (c->out->len > 0) {
        g_autoptr(GError) err = NULL;
        gssize n = g_socket_send(c->sock, (const char *)c->out->data, c->out->len, NULL, &err);
        if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            if (c->out_src == NULL) {
                c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
                g_source_set_callback(
                    c->out_src, (GSourceFunc)(void (*)(void))bridge_conn_on_writable, c, NULL);
                g_source_attach(c->out_src, NULL);
            }
            return;
        }
        if (n < 0) {
            bridge_conn_finish(c, "reset by peer", FALSE);
            return;
        }
        g_byte_array_remove_range(c->out, 0, (guint)n);
        c->bytes_out += (guint64)n;
    }
    bridge_conn_drop_source(&c->out_src);
    if (c->sim_eof && !c->out_shut) {
        g_socket_shutdown(c->sock, FALSE, TRUE, NULL);
        c->out_shut = TRUE;
        bridge_conn_check_done(c);
    }
}

static void
bridge_conn_on_data(SimStream *s, GBytes *data, gpointer user_data)
{
    BridgeConn *c = user_data;
    gsize n = 0;
    const guint8 *d = g_bytes_get_data(data, &n);
    if (c->done || n == 0)
        return;
    g_byte_array_append(c->out, d, (guint)n);
    if (c->out->len > c->b->limits.max_pending) {
        bridge_conn_finish(c, "overflow", FALSE);
        return;
    }
    bridge_conn_flush(c);
}

static void
bridge_conn_on_eof(SimStream *s, gpointer user_data)
{
    BridgeConn *c = user_data;
    c->sim_eof = TRUE;
    bridge_conn_flush(c);
}

static void
bridge_conn_on_reset(SimStream *s, gpointer user_data)
{
    bridge_conn_finish(user_data, "reset by node", TRUE);
}

static void
bridge_conn_on_refused(SimStream *s, gpointer user_data)
{
    bridge_conn_finish(user_data, "refused", TRUE);
}

static void
bridge_conn_on_timeout(SimStream *s, gpointer user_data)
{
    bridge_conn_finish(user_data, "timeout", TRUE);
}

static const SimStreamHandler bridge_conn_handler = {
    .on_data = bridge_conn_on_data,
    .on_eof = bridge_conn_on_eof,
    .on_reset = bridge_conn_on_reset,
    .on_refused = bridge_conn_on_refused,
    .on_timeout = bridge_conn_on_timeout,
};

/* Bytes (or EOF, or an error) from the real peer. */
static gboolean
bridge_conn_on_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
    BridgeConn *c = bridge_conn_ref(data);
    gboolean keep = G_SOURCE_CONTINUE;
    bridge_sync(c->b); /* the bytes arrive now in virtual time too */
    if (c->done) {
        bridge_conn_unref(c);
        return G_SOURCE_REMOVE;
    }
    guint8 buf[BRIDGE_CONN_READ_MAX];
    g_autoptr(GError) err = NULL;
    gssize n = g_socket_receive(sock, (char *)buf, sizeof buf, NULL, &err);
    if (n > 0) {
        c->bytes_in += (guint64)n;
        c->last_active = g_get_monotonic_time();
        if (c->stream)
            sim_stream_write_data(c->stream, buf, (gsize)n);
        /* Flow control: the simulated link drains at its bandwidth in
         * virtual time; hold the real peer back meanwhile (TCP's window). */
        if (c->stream && sim_stream_bytes_in_flight(c->stream) > BRIDGE_IN_FLIGHT_MAX) {
            c->paused = TRUE;
            g_source_unref(c->in_src);
            c->in_src = NULL;
            keep = G_SOURCE_REMOVE;
        }
        bridge_rearm(c->b);
    } else if (n == 0) {
        /* A half-close: pass the FIN on, keep sending what the node says. */
        c->real_eof = TRUE;
        if (c->stream)
            sim_stream_shutdown(c->stream);
        g_source_unref(c->in_src);
        c->in_src = NULL;
        keep = G_SOURCE_REMOVE;
        bridge_rearm(c->b);
        bridge_conn_check_done(c);
    } else if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        bridge_conn_finish(c, "reset by peer", FALSE);
        keep = G_SOURCE_REMOVE;
    }
    bridge_conn_unref(c);
    return keep;
}

static void
bridge_conn_watch_input(BridgeConn *c)
{
    c->in_src = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_callback(c->in_src, (GSourceFunc)(void (*)(void))bridge_conn_on_readable, c, NULL);
    g_source_attach(c->in_src, NULL);
}

static void
bridge_conn_start_reading(BridgeConn *c)
{
    c->sock = g_socket_connection_get_socket(c->gconn);
    g_socket_set_blocking(c->sock, FALSE);
    bridge_conn_watch_input(c);
}

void
bridge_conns_resume(Bridge *b)
{
    for (GList *l = b->conns; l; l = l->next) {
        BridgeConn *c = l->data;
        if (c->paused && c->stream &&
            sim_stream_bytes_in_flight(c->stream) <= BRIDGE_IN_FLIGHT_MAX / 2) {
            c->paused = FALSE;
            bridge_conn_watch_input(c);
        }
    }
}

void
bridge_conn_accept(Bridge *b, GSocketConnection *conn, SimHost *from, const char *node,
                   guint16 port, const char *service, const char *listen)
{
    g_autoptr(GSocketAddress) ra = g_socket_connection_get_remote_address(conn, NULL);
    g_autofree char *remote = bridge_address_string(ra);
    bridge_sync(b);
    if (b->n_conns >= b->limits.max_conns) {
        const BridgeService *svc = bridge_service_find(service);
        GSocket *sock = g_socket_connection_get_socket(conn);
        g_socket_set_blocking(sock, FALSE);
        if (svc && svc->busy)
            g_socket_send(sock, svc->busy, strlen(svc->busy), NULL, NULL);
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
        SimTraceRec *r = bridge_trace(b, "bridge.refuse", node);
        sim_trace_str(r, "service", service);
        sim_trace_str(r, "listen", listen);
        sim_trace_str(r, "remote", remote);
        sim_trace_str(r, "reason", "too many connections");
        sim_trace_end(r);
        return;
    }
    BridgeConn *c = bridge_conn_new(b, node);
    c->gconn = g_object_ref(conn);
    c->remote = g_steal_pointer(&remote);
    c->stream = sim_net_connect(b->net, from, node, port, &bridge_conn_handler, c);
    c->conn_id = sim_stream_conn_id(c->stream);
    SimTraceRec *r = bridge_trace(b, "bridge.accept", node);
    sim_trace_int(r, "conn", (gint64)c->conn_id);
    sim_trace_str(r, "service", service);
    sim_trace_int(r, "port", port);
    sim_trace_str(r, "listen", listen);
    sim_trace_str(r, "remote", c->remote);
    if (from != b->client_host)
        sim_trace_str(r, "from", sim_host_name(from));
    sim_trace_end(r);
    bridge_conn_start_reading(c);
    bridge_rearm(b);
}

static void
bridge_conn_dialed(GObject *source, GAsyncResult *res, gpointer data)
{
    BridgeConn *c = data;
    g_autoptr(GError) err = NULL;
    GSocketConnection *conn =
        g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), res, &err);
    if (c->done) {
        if (conn)
            g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
        g_clear_object(&conn);
        bridge_conn_unref(c);
        return;
    }
    bridge_sync(c->b);
    SimTraceRec *r = bridge_trace(c->b, "bridge.connect", c->node);
    sim_trace_int(r, "conn", (gint64)c->conn_id);
    sim_trace_str(r, "target", c->remote);
    sim_trace_str(r, "result", conn ? "ok" : "failed");
    if (conn == NULL)
        sim_trace_str(r, "error", err->message);
    sim_trace_end(r);
    if (conn == NULL) {
        /* The node's client sees a reset and defers, as for a dead peer. */
        bridge_conn_finish(c, "connect failed", FALSE);
    } else if (!c->done) {
        c->gconn = conn;
        c->last_active = g_get_monotonic_time();
        bridge_conn_start_reading(c);
        bridge_conn_flush(c);
    } else {
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
        g_object_unref(conn);
    }
    bridge_conn_unref(c);
}

void
bridge_conn_gateway(Bridge *b, SimStream *s, const char *node, const char *target)
{
    BridgeConn *c = bridge_conn_new(b, node);
    c->stream = s;
    c->remote = g_strdup(target);
    c->conn_id = sim_stream_conn_id(s);
    sim_stream_set_handler(s, &bridge_conn_handler, c);
    c->cancel = g_cancellable_new();
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_socket_client_set_timeout(client, 30);
    g_socket_client_connect_to_host_async(client, target, 25, c->cancel, bridge_conn_dialed,
                                          bridge_conn_ref(c));
}

/* An idle connection: its node's session says goodbye in its protocol
 * (through TLS if on) and closes, which ends the connection once the
 * bytes and the FIN have crossed; without such a session (or after the
 * grace time) the bridge closes it, FIN to the node. */
static void
bridge_conn_idle(BridgeConn *c, gint64 now)
{
    if (c->idle_since == 0 && c->stream != NULL && !c->sim_eof &&
        world_conn_timeout(c->b->world, c->conn_id)) {
        c->idle_since = now;
        bridge_rearm(c->b);
        return;
    }
    if (c->idle_since == 0 || now - c->idle_since >= BRIDGE_CONN_IDLE_GRACE)
        bridge_conn_finish(c, "idle", TRUE);
}

void
bridge_conns_reap_idle(Bridge *b)
{
    gint64 now = g_get_monotonic_time();
    GList *idle = NULL;
    for (GList *l = b->conns; l; l = l->next) {
        BridgeConn *c = l->data;
        if (c->idle_since != 0 || now - c->last_active >= b->limits.idle_timeout)
            idle = g_list_prepend(idle, bridge_conn_ref(c));
    }
    if (idle)
        bridge_sync(b);
    for (GList *l = idle; l; l = l->next) {
        BridgeConn *c = l->data;
        if (!c->done)
            bridge_conn_idle(c, now);
        bridge_conn_unref(c);
    }
    g_list_free(idle);
}
