/* SPDX-License-Identifier: MIT
 * Tests for sim/pcap_writer: tiny stream exchanges captured and read back
 * with libpcap's pcap_open_offline. Checks frame count and order, TCP
 * flags, sequence and acknowledgement arithmetic (RFC 9293 3.4: SYN and
 * FIN take one sequence number each), MSS splitting, RST answering a SYN
 * (RFC 9293 3.10.7.1), IPv4 and TCP checksums recomputed here
 * independently (RFC 791 3.1, RFC 1071, RFC 9293 3.1 pseudo-header),
 * timestamps (epoch + virtual send time) and byte-identical reruns.
 */
#include "sim/pcap_writer.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <pcap/pcap.h>

#include "helper_net.h"

#define MS SIM_TIME_MS

typedef struct {
    gint64 sec, usec;
    guint32 src, dst;
    guint16 sport, dport, ip_id;
    guint32 seq, ack;
    guint8 flags, ttl;
    GBytes *payload;
} TFrame;

static void
tframe_clear(gpointer p)
{
    TFrame *f = p;
    g_bytes_unref(f->payload);
}

static guint16
t_get16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

static guint32
t_get32(const guint8 *p)
{
    return (guint32)t_get16(p) << 16 | t_get16(p + 2);
}

/* Ones' complement sum (RFC 1071), written apart from the writer's. */
static guint32
t_sum(const guint8 *p, gsize n, guint32 acc)
{
    for (gsize i = 0; i < n; i++)
        acc += i % 2 == 0 ? (guint32)p[i] << 8 : p[i];
    return acc;
}

static guint16
t_fold(guint32 acc)
{
    while (acc > 0xffff)
        acc = (acc & 0xffff) + (acc >> 16);
    return (guint16)acc;
}

/* Parses one frame, asserting the Ethernet, IPv4 and TCP invariants. */
static TFrame
t_parse(const struct pcap_pkthdr *h, const guint8 *d)
{
    TFrame f = {.sec = h->ts.tv_sec, .usec = h->ts.tv_usec};
    g_assert_cmpuint(h->caplen, ==, h->len);
    g_assert_cmpuint(h->len, >=, 14 + 20 + 20);
    g_assert_cmpuint(t_get16(d + 12), ==, 0x0800);
    const guint8 *ip = d + 14;
    g_assert_cmphex(ip[0], ==, 0x45);
    g_assert_cmpuint(t_get16(ip + 2), ==, h->len - 14);
    g_assert_cmpuint(ip[9], ==, 6);
    f.ttl = ip[8];
    f.ip_id = t_get16(ip + 4);
    f.src = t_get32(ip + 12);
    f.dst = t_get32(ip + 16);
    /* MACs 02:00:a.b.c.d from the addresses. */
    g_assert_cmphex(d[0], ==, 0x02);
    g_assert_cmphex(d[1], ==, 0x00);
    g_assert_cmphex(t_get32(d + 2), ==, f.dst);
    g_assert_cmphex(d[6], ==, 0x02);
    g_assert_cmphex(t_get32(d + 8), ==, f.src);
    /* A correct header sums to 0xffff, checksum included. */
    g_assert_cmphex(t_fold(t_sum(ip, 20, 0)), ==, 0xffff);
    const guint8 *tcp = ip + 20;
    gsize tlen = h->len - 14 - 20;
    guint32 pseudo = t_sum(ip + 12, 8, 0) + 6 + (guint32)tlen;
    g_assert_cmphex(t_fold(t_sum(tcp, tlen, pseudo)), ==, 0xffff);
    f.sport = t_get16(tcp);
    f.dport = t_get16(tcp + 2);
    f.seq = t_get32(tcp + 4);
    f.ack = t_get32(tcp + 8);
    gsize hlen = (tcp[12] >> 4) * 4u;
    f.flags = tcp[13];
    g_assert_cmpuint(hlen, ==, (f.flags & SIM_PCAP_TCP_SYN) ? 28 : 20);
    f.payload = g_bytes_new(tcp + hlen, tlen - hlen);
    return f;
}

/* Reads a capture back: frames in time order, ip ids consecutive. */
static GArray *
t_read(const char *path)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    g_assert_nonnull(p);
    g_assert_cmpint(pcap_datalink(p), ==, DLT_EN10MB);
    GArray *frames = g_array_new(FALSE, TRUE, sizeof(TFrame));
    g_array_set_clear_func(frames, tframe_clear);
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pcap_next_ex(p, &h, &d) == 1) {
        TFrame f = t_parse(h, d);
        if (frames->len > 0) {
            TFrame *prev = &g_array_index(frames, TFrame, frames->len - 1);
            g_assert_true(prev->sec < f.sec || (prev->sec == f.sec && prev->usec <= f.usec));
            g_assert_cmpuint(f.ip_id, ==, (guint16)(prev->ip_id + 1));
        }
        g_assert_cmpuint(f.ttl, ==, 64);
        g_array_append_val(frames, f);
    }
    pcap_close(p);
    return frames;
}

static TFrame *
t_frame(GArray *frames, guint i)
{
    g_assert_cmpuint(i, <, frames->len);
    return &g_array_index(frames, TFrame, i);
}

/* Asserts frame i: time (ms after the epoch), direction (TRUE: client to
 * server), flags, seq and ack, payload length. */
static void
t_check(GArray *frames, guint i, gint64 ms, gboolean from_client, guint8 flags, guint32 seq,
        guint32 ack, gsize len)
{
    TFrame *f = t_frame(frames, i);
    g_test_message("frame %u: t=%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT " flags=%02x seq=%u "
                   "ack=%u len=%" G_GSIZE_FORMAT,
                   i, f->sec, f->usec, f->flags, f->seq, f->ack, g_bytes_get_size(f->payload));
    g_assert_cmpint(f->sec * 1000 + f->usec / 1000, ==, ms);
    g_assert_cmphex(f->src, ==, from_client ? 0x0a000001 : 0x0a000002);
    g_assert_cmpuint(f->sport, ==, from_client ? SIM_NET_EPHEMERAL_FIRST : 25);
    g_assert_cmpuint(f->dport, ==, from_client ? 25 : SIM_NET_EPHEMERAL_FIRST);
    g_assert_cmphex(f->flags, ==, flags);
    g_assert_cmpuint(f->seq, ==, seq);
    g_assert_cmpuint(f->ack, ==, ack);
    g_assert_cmpuint(g_bytes_get_size(f->payload), ==, len);
}

typedef struct {
    char *dir;
    char *path;
} TFiles;

static void
t_files_init(TFiles *t)
{
    t->dir = g_dir_make_tmp("pcap-XXXXXX", NULL);
    g_assert_nonnull(t->dir);
    t->path = g_build_filename(t->dir, "c.pcap", NULL);
}

static void
t_files_clear(TFiles *t)
{
    g_unlink(t->path);
    g_rmdir(t->dir);
    g_free(t->path);
    g_free(t->dir);
}

static SimPcap *
t_open(TEnv *env, const char *path)
{
    g_autoptr(GError) error = NULL;
    SimPcap *pc = sim_pcap_open(env->net, path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(pc);
    return pc;
}

static void
t_finish(SimPcap *pc)
{
    g_autoptr(GError) error = NULL;
    g_assert_true(sim_pcap_finish(pc, &error));
    g_assert_no_error(error);
}

/* --- a HELO / 250 exchange, both ends closing --- */

static void
t_client_helo(TPeer *p)
{
    sim_stream_write_data(p->s, "HELO a\r\n", 8);
}

static void
t_server_reply_close(TPeer *p, GBytes *data)
{
    sim_stream_write_data(p->s, "250 ok\r\n", 8);
    sim_stream_close(p->s);
    p->s = NULL;
}

static void
t_run_exchange(const char *path, gint64 epoch)
{
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    SimPcap *pc = t_open(&env, path);
    sim_pcap_set_epoch(pc, epoch);
    tenv_listen(&env, 25);
    env.client.on_connected = t_client_helo;
    env.client.close_on_eof = TRUE;
    env.server.on_data = t_server_reply_close;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(env.server.received->str, ==, "HELO a\r\n");
    t_finish(pc);
    g_assert_cmpuint(sim_pcap_n_frames(pc), ==, 9);
    tenv_clear(&env);
}

static void
test_exchange(void)
{
    TFiles t;
    t_files_init(&t);
    t_run_exchange(t.path, 0);
    g_autoptr(GArray) fr = t_read(t.path);
    g_assert_cmpuint(fr->len, ==, 9);
    guint32 ic = t_frame(fr, 0)->seq, is = t_frame(fr, 1)->seq;
    g_assert_cmpuint(ic, !=, is);
    const guint8 A = SIM_PCAP_TCP_ACK, F = SIM_PCAP_TCP_FIN, P = SIM_PCAP_TCP_PSH;
    /* Handshake: SYN at 0, SYN-ACK at 10 ms, ACK at 20 ms (latency 10 ms). */
    t_check(fr, 0, 0, TRUE, SIM_PCAP_TCP_SYN, ic, 0, 0);
    t_check(fr, 1, 10, FALSE, SIM_PCAP_TCP_SYN | A, is, ic + 1, 0);
    t_check(fr, 2, 20, TRUE, A, ic + 1, is + 1, 0);
    /* Data at connect time; the reply piggybacks the ACK for it. */
    t_check(fr, 3, 20, TRUE, P | A, ic + 1, is + 1, 8);
    t_check(fr, 4, 30, FALSE, P | A, is + 1, ic + 9, 8);
    t_check(fr, 5, 30, FALSE, F | A, is + 9, ic + 9, 0);
    /* The client acknowledges the FIN at once (its seq takes one), closes. */
    t_check(fr, 6, 40, TRUE, A, ic + 9, is + 10, 0);
    t_check(fr, 7, 40, TRUE, F | A, ic + 9, is + 10, 0);
    t_check(fr, 8, 50, FALSE, A, is + 10, ic + 10, 0);
    g_assert_cmpmem(g_bytes_get_data(t_frame(fr, 3)->payload, NULL), 8, "HELO a\r\n", 8);
    g_assert_cmpmem(g_bytes_get_data(t_frame(fr, 4)->payload, NULL), 8, "250 ok\r\n", 8);
    t_files_clear(&t);
}

static void
test_epoch(void)
{
    TFiles t;
    t_files_init(&t);
    t_run_exchange(t.path, G_GINT64_CONSTANT(1767225600));
    g_autoptr(GArray) fr = t_read(t.path);
    g_assert_cmpint(t_frame(fr, 0)->sec, ==, 1767225600);
    g_assert_cmpint(t_frame(fr, 0)->usec, ==, 0);
    g_assert_cmpint(t_frame(fr, 1)->sec, ==, 1767225600);
    g_assert_cmpint(t_frame(fr, 1)->usec, ==, 10000);
    t_files_clear(&t);
}

static void
test_deterministic(void)
{
    TFiles a, b;
    t_files_init(&a);
    t_files_init(&b);
    t_run_exchange(a.path, 0);
    t_run_exchange(b.path, 0);
    g_autofree char *da = NULL, *db = NULL;
    gsize na = 0, nb = 0;
    g_assert_true(g_file_get_contents(a.path, &da, &na, NULL));
    g_assert_true(g_file_get_contents(b.path, &db, &nb, NULL));
    g_assert_cmpuint(na, >, 24);
    g_assert_cmpmem(da, na, db, nb);
    t_files_clear(&a);
    t_files_clear(&b);
}

/* --- a 4000-byte write: three frames, one delayed ACK --- */

static void
t_client_bulk(TPeer *p)
{
    guint8 buf[4000];
    for (guint i = 0; i < sizeof buf; i++)
        buf[i] = (guint8)i;
    sim_stream_write_data(p->s, buf, sizeof buf);
}

static void
test_segmentation(void)
{
    TFiles t;
    t_files_init(&t);
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    SimPcap *pc = t_open(&env, t.path);
    tenv_listen(&env, 25);
    env.client.on_connected = t_client_bulk;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpuint(env.server.received->len, ==, 4000);
    t_finish(pc);
    tenv_clear(&env);

    g_autoptr(GArray) fr = t_read(t.path);
    g_assert_cmpuint(fr->len, ==, 7);
    guint32 ic = t_frame(fr, 0)->seq, is = t_frame(fr, 1)->seq;
    const guint8 A = SIM_PCAP_TCP_ACK, P = SIM_PCAP_TCP_PSH;
    t_check(fr, 3, 20, TRUE, A, ic + 1, is + 1, SIM_PCAP_MSS);
    t_check(fr, 4, 20, TRUE, A, ic + 1 + 1460, is + 1, SIM_PCAP_MSS);
    t_check(fr, 5, 20, TRUE, P | A, ic + 1 + 2920, is + 1, 4000 - 2920);
    /* RFC 9293 3.8.6.3: the receiver (nothing to send) ACKs 40 ms after
     * the data arrived at 30 ms. */
    t_check(fr, 6, 70, FALSE, A, is + 1, ic + 1 + 4000, 0);
    const guint8 *d = g_bytes_get_data(t_frame(fr, 4)->payload, NULL);
    g_assert_cmpuint(d[0], ==, (guint8)1460);
    t_files_clear(&t);
}

/* --- nothing listens: SYN, RST|ACK with seq 0 --- */

static void
test_refused(void)
{
    TFiles t;
    t_files_init(&t);
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    SimPcap *pc = t_open(&env, t.path);
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_nonnull(strstr(env.log->str, "refused"));
    t_finish(pc);
    tenv_clear(&env);

    g_autoptr(GArray) fr = t_read(t.path);
    g_assert_cmpuint(fr->len, ==, 2);
    guint32 ic = t_frame(fr, 0)->seq;
    t_check(fr, 0, 0, TRUE, SIM_PCAP_TCP_SYN, ic, 0, 0);
    t_check(fr, 1, 10, FALSE, SIM_PCAP_TCP_RST | SIM_PCAP_TCP_ACK, 0, ic + 1, 0);
    t_files_clear(&t);
}

/* --- the client writes one byte and aborts: RST after the data --- */

static void
t_client_write_reset(TPeer *p)
{
    sim_stream_write_data(p->s, "x", 1);
    sim_stream_reset(p->s);
    p->s = NULL;
}

static void
test_reset(void)
{
    TFiles t;
    t_files_init(&t);
    TEnv env;
    tenv_init(&env, 1, 10 * MS, 0, 0);
    SimPcap *pc = t_open(&env, t.path);
    tenv_listen(&env, 25);
    env.client.on_connected = t_client_write_reset;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_nonnull(strstr(env.log->str, "s:reset"));
    t_finish(pc);
    tenv_clear(&env);

    g_autoptr(GArray) fr = t_read(t.path);
    /* No ACK for the byte: the connection was reset before it was due. */
    g_assert_cmpuint(fr->len, ==, 5);
    guint32 ic = t_frame(fr, 0)->seq, is = t_frame(fr, 1)->seq;
    const guint8 A = SIM_PCAP_TCP_ACK;
    t_check(fr, 3, 20, TRUE, SIM_PCAP_TCP_PSH | A, ic + 1, is + 1, 1);
    t_check(fr, 4, 20, TRUE, SIM_PCAP_TCP_RST | A, ic + 2, is + 1, 0);
    t_files_clear(&t);
}

/* --- a shared slow link: frames leave in time order, not decision order --- */

static void
t_client_two_writes(TPeer *p)
{
    guint8 buf[3000] = {0};
    sim_stream_write_data(p->s, buf, sizeof buf);
    sim_stream_write_data(p->s, "end\r\n", 5);
    sim_stream_shutdown(p->s);
}

static void
test_queued(void)
{
    TFiles t;
    t_files_init(&t);
    TEnv env;
    /* 1 Mbit/s: 3000 bytes occupy the link 24 ms, the second write waits. */
    tenv_init(&env, 1, 10 * MS, 1000000, 0);
    SimPcap *pc = t_open(&env, t.path);
    tenv_listen(&env, 25);
    env.client.on_connected = t_client_two_writes;
    env.server.close_on_eof = TRUE;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpuint(env.server.received->len, ==, 3005);
    t_finish(pc);
    tenv_clear(&env);

    g_autoptr(GArray) fr = t_read(t.path); /* asserts time order */
    guint32 ic = t_frame(fr, 0)->seq, is = t_frame(fr, 1)->seq;
    const guint8 A = SIM_PCAP_TCP_ACK, P = SIM_PCAP_TCP_PSH, F = SIM_PCAP_TCP_FIN;
    t_check(fr, 5, 20, TRUE, P | A, ic + 1 + 2920, is + 1, 80);
    t_check(fr, 6, 44, TRUE, P | A, ic + 3001, is + 1, 5);
    t_check(fr, 7, 44, TRUE, F | A, ic + 3006, is + 1, 0);
    /* All data arrived by the FIN (54 ms): one ACK for data and FIN, then
     * the server's FIN; the client acknowledges it. */
    t_check(fr, 8, 54, FALSE, A, is + 1, ic + 3007, 0);
    t_check(fr, 9, 54, FALSE, F | A, is + 1, ic + 3007, 0);
    t_check(fr, 10, 64, TRUE, A, ic + 3007, is + 2, 0);
    g_assert_cmpuint(fr->len, ==, 11);
    t_files_clear(&t);
}

static void
test_open_error(void)
{
    g_autoptr(SimWorld) w = sim_world_new(1);
    g_autoptr(SimNet) net = sim_net_new(w);
    g_autoptr(GError) error = NULL;
    SimPcap *pc = sim_pcap_open(net, "/nonexistent-dir/x.pcap", &error);
    g_assert_null(pc);
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_nonnull(strstr(error->message, "/nonexistent-dir/x.pcap"));
}

static void
test_checksum(void)
{
    /* RFC 1071 3: the example bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2,
     * so the checksum is its complement 220d. */
    static const guint8 v[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    g_assert_cmphex(sim_pcap_checksum(v, sizeof v, 0), ==, 0x220d);
    /* Odd length: the last octet is padded with zero. */
    static const guint8 odd[] = {0x12, 0x34, 0x56};
    g_assert_cmphex(sim_pcap_checksum(odd, sizeof odd, 0), ==, (guint16) ~(0x1234 + 0x5600));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/pcap/checksum", test_checksum);
    g_test_add_func("/sim/pcap/exchange", test_exchange);
    g_test_add_func("/sim/pcap/epoch", test_epoch);
    g_test_add_func("/sim/pcap/deterministic", test_deterministic);
    g_test_add_func("/sim/pcap/segmentation", test_segmentation);
    g_test_add_func("/sim/pcap/refused", test_refused);
    g_test_add_func("/sim/pcap/reset", test_reset);
    g_test_add_func("/sim/pcap/queued", test_queued);
    g_test_add_func("/sim/pcap/open-error", test_open_error);
    return g_test_run();
}
