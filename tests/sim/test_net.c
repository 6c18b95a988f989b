/* SPDX-License-Identifier: MIT
 * Tests for sim/net: handshake and transfer timing computed by hand, FIFO
 * per direction, FIN after data, half-close, refused and timed-out
 * connects, link down/up schedules, reset, jitter determinism, taps and
 * wire observers.
 */
#include <string.h>

#include <glib.h>

#include "helper_net.h"
#include "sim/net.h"

#define MS SIM_TIME_MS

static GBytes *
bytes_of(gsize n, char c)
{
    char *buf = g_malloc(n);
    memset(buf, c, n);
    return g_bytes_new_take(buf, n);
}

static void
write_two_and_close(TPeer *p)
{
    g_autoptr(GBytes) b1 = bytes_of(1000, 'x');
    g_autoptr(GBytes) b2 = bytes_of(1000, 'y');
    sim_stream_write(p->s, b1);
    sim_stream_write(p->s, b2);
    sim_stream_shutdown(p->s);
}

static void
server_reply_on_data(TPeer *p, GBytes *data)
{
    /* Deliveries target the receiving host (STYLE 9: events carry a node). */
    g_assert_cmpuint(sim_world_current_node(p->env->world), ==, sim_host_id(p->env->b));
    if (p->received->len == 2000) {
        sim_stream_write_data(p->s, "bye", 3);
        sim_stream_close(p->s);
        p->s = NULL;
    }
}

/* latency 10 ms, 1 Mbit/s: SYN-ACK back at 20 ms (one round trip), the
 * ACK reaches the server at 30 ms (accept). A 1000-byte write at 20 ms takes
 * 8 ms to serialize: it arrives at 20 + 8 + 10 = 38 ms; the second queues
 * behind it: 20 + 16 + 10 = 46 ms; the FIN (sent at 20 ms, behind the data
 * on the link) also at 46 ms, after the data, but the server closed on
 * the last byte so it gets no eof. "bye" (24 us) is back at 56.024 ms, and
 * the half-closed client still reads it. */
static void
test_timing_by_hand(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 1000000, 0);
    tenv_listen(&env, 25);
    env.client.on_connected = write_two_and_close;
    env.server.on_data = server_reply_on_data;
    tenv_connect(&env, 25);
    g_assert_cmpuint(sim_stream_local_port(env.client.s), ==, SIM_NET_EPHEMERAL_FIRST);
    g_assert_cmpuint(sim_stream_remote_port(env.client.s), ==, 25);
    env.client.close_on_eof = TRUE;
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;38000:s:data:1000B;46000:s:data:1000B;"
                    "56024:c:data:bye;56024:c:eof;");
    g_assert_cmpuint(env.server.received->len, ==, 2000);
    g_assert_cmpuint(env.server.received->str[999], ==, 'x');
    g_assert_cmpuint(env.server.received->str[1000], ==, 'y');
    g_assert_null(env.client.s);
    g_assert_cmpuint(sim_net_n_conns(env.net), ==, 0); /* both ends released */
    tenv_clear(&env);
}

/* A small write after a big one never overtakes it. */
static void
write_big_then_small(TPeer *p)
{
    g_autoptr(GBytes) big = bytes_of(10000, 'B');
    sim_stream_write(p->s, big);
    sim_stream_write_data(p->s, "s", 1);
}

static void
test_fifo_small_after_big(void)
{
    TEnv env;
    tenv_init(&env, 1, 1 * MS, 100000, 0);
    tenv_listen(&env, 25);
    env.client.on_connected = write_big_then_small;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    /* Connected at 2 ms; 10000 B at 100 kbit/s = 800 ms; then 80 us. */
    g_assert_cmpstr(env.log->str, ==,
                    "2000:c:connected;3000:s:accept;803000:s:data:10000B;803080:s:data:s;");
    tenv_clear(&env);
}

/* Writes before the handshake wait for it; close before connect still
 * delivers data then FIN. */
static void
test_write_before_connect(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_listen(&env, 25);
    tenv_connect(&env, 25);
    sim_stream_write_data(env.client.s, "EHLO\r\n", 6);
    sim_stream_close(env.client.s);
    env.client.s = NULL;
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "30000:s:accept;30000:s:data:EHLO\r\n;30000:s:eof;");
    tenv_clear(&env);
}

static void
test_refused(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_connect(&env, 25);
    sim_world_run(env.world, 100 * SIM_TIME_S);
    /* The RST comes back after one round trip; no timeout later. */
    g_assert_cmpstr(env.log->str, ==, "20000:c:refused;");
    /* A closed listener refuses too. */
    g_string_truncate(env.log, 0);
    tenv_listen(&env, 25);
    sim_listener_close(env.listener);
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "100020000:c:refused;");
    g_assert_cmpuint(sim_world_pending(env.world), ==, 0);
    g_assert_cmpuint(sim_net_n_conns(env.net), ==, 0);
    g_assert_cmpuint(sim_net_n_connects(env.net), ==, 2);
    tenv_clear(&env);
}

static void
test_timeout_link_down(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_listen(&env, 25);
    sim_link_set_up(env.link, FALSE);
    g_assert_false(sim_link_is_up(env.link));
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "30000000:c:timeout;");
    /* Configurable timeout; an unknown address times out as well. */
    g_string_truncate(env.log, 0);
    sim_net_set_connect_timeout(env.net, 5 * SIM_TIME_S);
    env.client.s = sim_net_connect(env.net, env.a, "10.9.9.9", 25, &tpeer_handler, &env.client);
    g_assert_null(sim_stream_remote_host(env.client.s));
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "35000000:c:timeout;");
    tenv_clear(&env);
}

static void
write_at(SimWorld *w, gpointer data)
{
    TPeer *p = data;
    sim_stream_write_data(p->s, "late", 4);
}

static void
connect_at(SimWorld *w, gpointer data)
{
    TEnv *env = data;
    TPeer *p = &env->client;
    if (p->s != NULL)
        sim_stream_close(p->s);
    tenv_connect(env, 25);
}

static void
test_link_schedule(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_listen(&env, 25);
    tenv_connect(&env, 25);
    sim_link_schedule(env.link, 100 * MS, FALSE);
    sim_link_schedule(env.link, 2 * SIM_TIME_S, TRUE);
    /* Written while down: waits, leaves when the link is back. */
    sim_world_schedule_at(env.world, 500 * MS, write_at, &env.client, NULL);
    sim_world_run(env.world, 3 * SIM_TIME_S);
    g_assert_cmpstr(env.log->str, ==, "20000:c:connected;30000:s:accept;2010000:s:data:late;");
    g_assert_true(sim_link_is_up(env.link));
    /* A connect while down times out; one after the link is up works. */
    g_string_truncate(env.log, 0);
    sim_stream_close(env.server.s);
    env.server.s = NULL;
    sim_link_schedule(env.link, 4 * SIM_TIME_S, FALSE);
    sim_link_schedule(env.link, 40 * SIM_TIME_S, TRUE);
    sim_world_schedule_at(env.world, 5 * SIM_TIME_S, connect_at, &env, NULL);
    sim_world_run(env.world, 39 * SIM_TIME_S);
    g_assert_true(g_str_has_suffix(env.log->str, "35000000:c:timeout;"));
    g_string_truncate(env.log, 0);
    sim_world_schedule_at(env.world, 41 * SIM_TIME_S, connect_at, &env, NULL);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "41020000:c:connected;41030000:s:accept;");
    tenv_clear(&env);
}

static void
reset_on_connect(TPeer *p)
{
    sim_stream_write_data(p->s, "abc", 3);
    sim_stream_reset(p->s);
    p->s = NULL;
}

static void
test_reset(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_listen(&env, 25);
    env.client.on_connected = reset_on_connect;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    /* Data sent before the RST still arrives first. */
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;30000:s:data:abc;30000:s:reset;");
    g_assert_null(env.server.s);
    g_assert_cmpuint(sim_net_n_conns(env.net), ==, 0);
    tenv_clear(&env);
}

static void
server_close_now(TPeer *p, GBytes *data)
{
    sim_stream_close(p->s);
    p->s = NULL;
}

static void
client_write_more(SimWorld *w, gpointer data)
{
    TPeer *p = data;
    sim_stream_write_data(p->s, "more", 4);
}

/* Data reaching an end its owner closed is answered with RST. */
static void
test_data_after_close_resets(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_listen(&env, 25);
    env.server.on_data = server_close_now;
    tenv_connect(&env, 25);
    sim_stream_write_data(env.client.s, "QUIT", 4);
    sim_world_schedule_at(env.world, 35 * MS, client_write_more, &env.client, NULL);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;30000:s:data:QUIT;40000:c:eof;"
                    "55000:c:reset;");
    tenv_clear(&env);
}

static void
client_shutdown(TPeer *p)
{
    sim_stream_write_data(p->s, "req", 3);
    sim_stream_shutdown(p->s);
    sim_stream_shutdown(p->s); /* idempotent */
}

static void
server_answer_after_eof(SimWorld *w, gpointer data)
{
    TPeer *p = data;
    sim_stream_write_data(p->s, "resp", 4);
    sim_stream_close(p->s);
    p->s = NULL;
}

/* Half-close: the client's FIN does not stop it from reading. */
static void
test_half_close(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    tenv_listen(&env, 25);
    env.client.on_connected = client_shutdown;
    tenv_connect(&env, 25);
    sim_world_run(env.world, 31 * MS);
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;30000:s:data:req;30000:s:eof;");
    sim_world_schedule_at(env.world, 50 * MS, server_answer_after_eof, &env.server, NULL);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_true(g_str_has_suffix(env.log->str, "60000:c:data:resp;60000:c:eof;"));
    g_assert_true(sim_stream_is_connected(env.client.s));
    tenv_clear(&env);
}

/* --- jitter --- */

static void
write_many(TPeer *p)
{
    for (int i = 0; i < 40; i++) {
        char buf[8];
        g_snprintf(buf, sizeof buf, "%02d|", i);
        sim_stream_write_data(p->s, buf, 3);
    }
}

static char *
jitter_run(guint64 seed)
{
    TEnv env;
    tenv_init(&env, seed, 10 * MS, 0, 5 * MS);
    tenv_listen(&env, 25);
    env.client.on_connected = write_many;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    /* Never reordered: the bytes arrive in write order. */
    GString *want = g_string_new(NULL);
    for (int i = 0; i < 40; i++)
        g_string_append_printf(want, "%02d|", i);
    g_assert_cmpstr(env.server.received->str, ==, want->str);
    g_string_free(want, TRUE);
    char *log = g_strdup(env.log->str);
    tenv_clear(&env);
    return log;
}

static void
test_jitter_determinism(void)
{
    g_autofree char *r1 = jitter_run(7);
    g_autofree char *r2 = jitter_run(7);
    g_autofree char *r3 = jitter_run(8);
    g_assert_cmpstr(r1, ==, r2);
    g_assert_cmpstr(r1, !=, r3);
    /* Times are non-decreasing and jitter is within [0, 5 ms]. */
    g_auto(GStrv) ev = g_strsplit(r1, ";", -1);
    gint64 last = 0;
    guint n = 0;
    for (guint i = 0; ev[i] != NULL && ev[i][0] != '\0'; i++) {
        gint64 t = g_ascii_strtoll(ev[i], NULL, 10);
        g_assert_cmpint(t, >=, last);
        last = t;
        if (strstr(ev[i], ":s:data:") != NULL) {
            g_assert_cmpint(t, >=, 20 * MS + 10 * MS);
            n++;
        }
    }
    g_assert_cmpuint(n, ==, 40);
    g_assert_cmpint(last, <=, 3 * 15 * MS);
}

/* --- taps and wire observers --- */

typedef struct {
    SimNet *net;
    GString *wire;
} InjectCtx;

/* Swallows "ask" from the client and answers "no" in the server's name. */
static GBytes *
tap_inject(const SimSegment *seg, gpointer ud)
{
    InjectCtx *t = ud;
    if (seg->kind != SIM_SEG_DATA || seg->src_port == 25)
        return NULL;
    gsize n;
    const char *d = g_bytes_get_data(seg->data, &n);
    if (n != 3 || memcmp(d, "ask", 3) != 0)
        return NULL;
    g_autoptr(GBytes) no = g_bytes_new_static("no", 2);
    sim_net_inject(t->net, seg->conn_id, FALSE, no);
    return g_bytes_new(NULL, 0);
}

static void write_ask(TPeer *p);

typedef struct {
    GString *log;
    GString *wire;
} TapCtx;

static GBytes *
tap_rewrite(const SimSegment *seg, gpointer ud)
{
    TapCtx *t = ud;
    g_string_append_printf(t->log, "L%s%s;", sim_seg_kind_name(seg->kind),
                           seg->src_port == 25 ? "<" : ">");
    if (seg->kind == SIM_SEG_DATA) {
        gsize n;
        const char *d = g_bytes_get_data(seg->data, &n);
        if (n == 6 && memcmp(d, "secret", 6) == 0)
            return g_bytes_new_static("XXXXXXXXXX", 10);
    }
    return NULL;
}

static GBytes *
tap_global(const SimSegment *seg, gpointer ud)
{
    TapCtx *t = ud;
    if (seg->kind == SIM_SEG_DATA) {
        gsize n;
        const char *d = g_bytes_get_data(seg->data, &n);
        g_string_append_printf(t->log, "G%.*s;", (int)n, d);
    }
    return NULL;
}

static void
wire_observe(const SimWireEvent *ev, gpointer ud)
{
    TapCtx *t = ud;
    static const char *const kinds[] = {"connect", "accept", "refused", "timeout", "seg"};
    const SimSegment *s = ev->seg;
    char src[16], dst[16];
    g_string_append_printf(t->wire, "%s %s:%u>%s:%u", kinds[ev->kind],
                           sim_ipv4_format(s->src_addr, src), s->src_port,
                           sim_ipv4_format(s->dst_addr, dst), s->dst_port);
    if (ev->kind == SIM_WIRE_SEGMENT)
        g_string_append_printf(t->wire,
                               " %s %" G_GINT64_FORMAT "->%" G_GINT64_FORMAT
                               " off=%" G_GUINT64_FORMAT " ack=%" G_GUINT64_FORMAT
                               " len=%" G_GSIZE_FORMAT,
                               sim_seg_kind_name(s->kind), s->time, s->arrive, s->offset, s->ack,
                               s->data != NULL ? g_bytes_get_size(s->data) : 0);
    g_string_append(t->wire, "\n");
}

static void
write_secret(TPeer *p)
{
    sim_stream_write_data(p->s, "secret", 6);
    sim_stream_write_data(p->s, "ok", 2);
    sim_stream_close(p->s);
    p->s = NULL;
}

static void
write_ask(TPeer *p)
{
    sim_stream_write_data(p->s, "ask", 3);
    sim_stream_write_data(p->s, "ok", 2);
}

static void
test_inject(void)
{
    TEnv env;
    TapCtx t = {g_string_new(NULL), g_string_new(NULL)};
    tenv_init(&env, 1, 10 * MS, 8000, 0); /* 1 byte per ms */
    tenv_listen(&env, 25);
    InjectCtx ic = {env.net, NULL};
    sim_link_add_tap(env.link, tap_inject, &ic, NULL);
    sim_net_add_wire_observer(env.net, wire_observe, &t, NULL);
    env.client.on_connected = write_ask;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    /* The server never saw "ask"; the client got "no" from the tap. */
    g_assert_cmpstr(env.server.received->str, ==, "ok");
    g_assert_cmpstr(env.client.received->str, ==, "no");
    /* No empty segment, and sequence numbers count the wire bytes only:
     * "ok" is the client's first payload byte, "no" the server's. */
    g_assert_cmpstr(t.wire->str, ==,
                    "connect 10.0.0.1:49152>10.0.0.2:25\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 SYN 0->10000 off=0 ack=0 len=0\n"
                    "seg 10.0.0.2:25>10.0.0.1:49152 SYNACK 10000->20000 off=0 ack=0 len=0\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 ACK 20000->30000 off=0 ack=0 len=0\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 DATA 20000->32000 off=0 ack=0 len=2\n"
                    "seg 10.0.0.2:25>10.0.0.1:49152 DATA 20000->32000 off=0 ack=0 len=2\n"
                    "accept 10.0.0.1:49152>10.0.0.2:25\n");
    tenv_clear(&env);
    g_string_free(t.log, TRUE);
    g_string_free(t.wire, TRUE);
}

static void
test_taps(void)
{
    TEnv env;
    TapCtx t = {g_string_new(NULL), g_string_new(NULL)};
    tenv_init(&env, 1, 10 * MS, 8000, 0); /* 1 byte per ms */
    tenv_listen(&env, 25);
    sim_link_add_tap(env.link, tap_rewrite, &t, NULL);
    SimTapId g = sim_net_add_tap(env.net, tap_global, &t, NULL);
    sim_net_add_wire_observer(env.net, wire_observe, &t, NULL);
    env.client.on_connected = write_secret;
    env.server.close_on_eof = TRUE;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    /* The link tap saw the original, the global tap the rewrite. */
    g_assert_cmpstr(t.log->str, ==,
                    "LSYN>;LSYNACK<;LACK>;LDATA>;GXXXXXXXXXX;LDATA>;Gok;LFIN>;LFIN<;");
    g_assert_cmpstr(env.server.received->str, ==, "XXXXXXXXXXok");
    /* The rewrite's size sets the timing: 10 bytes = 10 ms on the wire. */
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;40000:s:data:XXXXXXXXXX;"
                    "42000:s:data:ok;42000:s:eof;");
    g_assert_cmpstr(t.wire->str, ==,
                    "connect 10.0.0.1:49152>10.0.0.2:25\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 SYN 0->10000 off=0 ack=0 len=0\n"
                    "seg 10.0.0.2:25>10.0.0.1:49152 SYNACK 10000->20000 off=0 ack=0 len=0\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 ACK 20000->30000 off=0 ack=0 len=0\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 DATA 20000->40000 off=0 ack=0 len=10\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 DATA 30000->42000 off=10 ack=0 len=2\n"
                    "seg 10.0.0.1:49152>10.0.0.2:25 FIN 32000->42000 off=12 ack=0 len=0\n"
                    "accept 10.0.0.1:49152>10.0.0.2:25\n"
                    "seg 10.0.0.2:25>10.0.0.1:49152 FIN 42000->52000 off=0 ack=12 len=0\n"
                    "");
    g_assert_true(sim_net_remove_tap(env.net, g));
    g_assert_false(sim_net_remove_tap(env.net, g));
    g_string_free(t.log, TRUE);
    g_string_free(t.wire, TRUE);
    tenv_clear(&env);
}

/* Holds every client byte, as a line rewriter holds an unfinished line,
 * and gives them back when the client sends FIN. */
typedef struct {
    GByteArray *held;
} HoldCtx;

static GBytes *
tap_hold(const SimSegment *seg, gpointer ud)
{
    HoldCtx *h = ud;
    if (seg->src_port == 25)
        return NULL;
    if (seg->kind == SIM_SEG_DATA) {
        gsize n;
        const guint8 *d = g_bytes_get_data(seg->data, &n);
        g_byte_array_append(h->held, d, (guint)n);
        return g_bytes_new(NULL, 0);
    }
    if (seg->kind == SIM_SEG_FIN && h->held->len > 0) {
        GBytes *b = g_bytes_new(h->held->data, h->held->len);
        g_byte_array_set_size(h->held, 0);
        return b;
    }
    return NULL;
}

static void
write_partial_and_close(TPeer *p)
{
    sim_stream_write_data(p->s, "par", 3);
    sim_stream_write_data(p->s, "tial", 4);
    sim_stream_shutdown(p->s);
}

/* A tap's bytes returned for a FIN leave as DATA just before that FIN. */
static void
test_tap_fin_flush(void)
{
    TEnv env;
    TapCtx t = {g_string_new(NULL), g_string_new(NULL)};
    HoldCtx h = {g_byte_array_new()};
    tenv_init(&env, 1, 10 * MS, 8000, 0); /* 1 byte per ms */
    tenv_listen(&env, 25);
    sim_link_add_tap(env.link, tap_hold, &h, NULL);
    sim_net_add_wire_observer(env.net, wire_observe, &t, NULL);
    env.client.on_connected = write_partial_and_close;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.server.received->str, ==, "partial");
    /* The data (7 bytes = 7 ms) arrives, then the eof behind it. */
    g_assert_cmpstr(env.log->str, ==, "20000:c:connected;30000:s:accept;37000:s:data:partial;"
                                      "37000:s:eof;");
    g_assert_nonnull(strstr(t.wire->str, "DATA 20000->37000 off=0 ack=0 len=7\n"
                                         "seg 10.0.0.1:49152>10.0.0.2:25 FIN 27000->37000 "
                                         "off=7 ack=0 len=0\n"));
    g_byte_array_unref(h.held);
    g_string_free(t.log, TRUE);
    g_string_free(t.wire, TRUE);
    tenv_clear(&env);
}

static void
test_hosts_and_addresses(void)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    g_autoptr(SimNet) net = sim_net_new(w);
    guint32 a;
    g_assert_true(sim_ipv4_parse("130.192.5.5", &a));
    g_assert_cmphex(a, ==, 0x82c00505);
    g_assert_false(sim_ipv4_parse("1.2.3", NULL));
    g_assert_false(sim_ipv4_parse("1.2.3.256", NULL));
    g_assert_false(sim_ipv4_parse("1.2.3.04", NULL));
    g_assert_false(sim_ipv4_parse("1.2.3.4 ", NULL));
    g_assert_false(sim_ipv4_parse("mx.example", NULL));
    /* Formatting gives back what parses, for every octet width. */
    char buf[16];
    g_assert_cmpstr(sim_ipv4_format(0x82c00505, buf), ==, "130.192.5.5");
    g_assert_cmpstr(sim_ipv4_format(0, buf), ==, "0.0.0.0");
    g_assert_cmpstr(sim_ipv4_format(0xffffffff, buf), ==, "255.255.255.255");
    for (guint32 v = 0; v < 256; v++) {
        guint32 x = v << 24 | (255 - v) << 16 | (v * 7 % 256) << 8 | (v % 100);
        g_autofree char *want =
            g_strdup_printf("%u.%u.%u.%u", x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255);
        g_assert_cmpstr(sim_ipv4_format(x, buf), ==, want);
        g_assert_true(sim_ipv4_parse(buf, &a));
        g_assert_cmphex(a, ==, x);
    }
    SimHost *h = sim_net_add_host(net, "mx");
    g_assert_true(sim_host_add_address(h, "192.0.2.1"));
    g_assert_true(sim_host_add_address(h, "192.0.2.2"));
    g_assert_false(sim_host_add_address(h, "192.0.2.1"));
    g_assert_true(sim_net_lookup(net, "192.0.2.2") == h);
    g_assert_true(sim_net_lookup(net, "mx") == h);
    g_assert_null(sim_net_lookup(net, "nope"));
    g_assert_cmphex(sim_host_address(h), ==, 0xc0000201);
    g_assert_cmpuint(sim_host_id(h), ==, 0);
    /* Links are symmetric and use the default until given parameters. */
    SimHost *g = sim_net_add_host(net, "gw");
    SimLink *l = sim_net_link(net, g, h);
    g_assert_true(sim_net_link(net, h, g) == l);
    SimLinkParams def = {.latency = 5 * MS};
    sim_net_set_default(net, &def);
    g_assert_cmpint(sim_link_params(l)->latency, ==, 5 * MS);
}

static void
loop_accept(SimListener *l, SimStream *s, gpointer ud)
{
    TPeer *p = ud;
    p->s = s;
    sim_stream_set_handler(s, &tpeer_handler, p);
    sim_stream_write_data(s, "220 hi", 6);
}

/* A host connecting to itself (by name, on its second address). */
static void
test_loopback(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    g_assert_true(sim_host_add_address(env.a, "10.0.1.1"));
    SimLinkParams lo = {.latency = 1};
    sim_link_set_params(sim_net_link(env.net, env.a, env.a), &lo);
    g_assert_nonnull(sim_net_listen(env.net, env.a, 2525, loop_accept, &env.server, NULL));
    g_assert_null(sim_net_listen(env.net, env.a, 2525, loop_accept, &env.server, NULL));
    env.client.s = sim_net_connect(env.net, env.a, "10.0.1.1", 2525, &tpeer_handler, &env.client);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==, "2:c:connected;4:c:data:220 hi;");
    g_assert_true(sim_stream_local_host(env.server.s) == env.a);
    g_assert_cmphex(sim_stream_local_addr(env.server.s), ==, 0x0a000101);
    g_assert_cmphex(sim_stream_remote_addr(env.server.s), ==, 0x0a000001);
    g_assert_cmpuint(sim_stream_remote_port(env.server.s), ==, SIM_NET_EPHEMERAL_FIRST);
    g_assert_false(sim_stream_is_client(env.server.s));
    g_assert_cmpuint(sim_stream_bytes_sent(env.server.s), ==, 6);
    g_assert_cmpuint(sim_stream_bytes_received(env.client.s), ==, 6);
    tenv_clear(&env);
}

/* Two connections on one link direction share its bandwidth. */
static void
test_shared_bandwidth(void)
{
    TEnv env;
    tenv_init(&env, 1, 0, 8000, 0); /* 1 byte per ms, no latency */
    tenv_listen(&env, 25);
    SimStream *s1 = sim_net_connect(env.net, env.a, "b", 25, NULL, NULL);
    SimStream *s2 = sim_net_connect(env.net, env.a, "b", 25, NULL, NULL);
    sim_world_run(env.world, 0);
    g_assert_true(sim_stream_is_connected(s1) && sim_stream_is_connected(s2));
    g_string_truncate(env.log, 0);
    g_autoptr(GBytes) ten = bytes_of(10, 'z');
    sim_stream_write(s1, ten);
    sim_stream_write(s2, ten);
    sim_world_run(env.world, SIM_TIME_NEVER);
    /* The second stream's data waits for the first's 10 ms on the link. */
    g_assert_true(strstr(env.log->str, "10000:s:data:zzzzzzzzzz;20000:s:data:zzzzzzzzzz;") != NULL);
    sim_stream_close(s1);
    sim_stream_close(s2);
    tenv_clear(&env);
}

static void
write_hello(TPeer *p)
{
    sim_stream_write_data(p->s, "HELLO WORLD", 11);
}

/* An mtu splits writes into segments, each with its own timing. */
static void
test_mtu(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 8000, 0);
    SimLinkParams p = {.latency = 10 * MS, .bandwidth = 8000, .mtu = 4};
    sim_link_set_params(env.link, &p);
    tenv_listen(&env, 25);
    env.client.on_connected = write_hello;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.log->str, ==,
                    "20000:c:connected;30000:s:accept;34000:s:data:HELL;38000:s:data:O WO;"
                    "41000:s:data:RLD;");
    g_assert_cmpstr(env.server.received->str, ==, "HELLO WORLD");
    tenv_clear(&env);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/net/timing", test_timing_by_hand);
    g_test_add_func("/sim/net/fifo-small-after-big", test_fifo_small_after_big);
    g_test_add_func("/sim/net/write-before-connect", test_write_before_connect);
    g_test_add_func("/sim/net/refused", test_refused);
    g_test_add_func("/sim/net/timeout", test_timeout_link_down);
    g_test_add_func("/sim/net/link-schedule", test_link_schedule);
    g_test_add_func("/sim/net/reset", test_reset);
    g_test_add_func("/sim/net/data-after-close", test_data_after_close_resets);
    g_test_add_func("/sim/net/half-close", test_half_close);
    g_test_add_func("/sim/net/jitter", test_jitter_determinism);
    g_test_add_func("/sim/net/taps", test_taps);
    g_test_add_func("/sim/net/inject", test_inject);
    g_test_add_func("/sim/net/hosts", test_hosts_and_addresses);
    g_test_add_func("/sim/net/loopback", test_loopback);
    g_test_add_func("/sim/net/shared-bandwidth", test_shared_bandwidth);
    g_test_add_func("/sim/net/mtu", test_mtu);
    g_test_add_func("/sim/net/tap-fin-flush", test_tap_fin_flush);
    return g_test_run();
}
