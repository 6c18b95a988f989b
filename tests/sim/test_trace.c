/* SPDX-License-Identifier: MIT
 * Tests for sim/trace: builder and kept records, JSON Lines byte-exact and
 * parseable by json-glib, text lines, printable escaping, the disabled
 * trace, file sinks, and byte-identical traces from identical runs.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "helper_net.h"
#include "sim/trace.h"

static void
emit_sample(SimTrace *tr)
{
    SimTraceRec *r = sim_trace_begin(tr, 1250000, "smtp.cmd", "mx1");
    sim_trace_str(r, "peer", "mta1");
    sim_trace_str(r, "line", "RCPT TO:<bob@b.example>");
    sim_trace_int(r, "size", 42);
    sim_trace_bool(r, "tls", FALSE);
    sim_trace_end(r);
    r = sim_trace_begin(tr, 2000001, "auth.attempt", "msa");
    sim_trace_bytes(r, "wire", (const guint8 *)"AUTH PLAIN \"x\"\\\r\n\x01\xff", 19);
    sim_trace_int(r, "neg", -7);
    sim_trace_bool(r, "ok", TRUE);
    sim_trace_str(r, "empty", "");
    sim_trace_end(r);
}

#define SAMPLE_JSONL                                                                               \
    "{\"t\":1.250000,\"ev\":\"smtp.cmd\",\"node\":\"mx1\",\"peer\":\"mta1\","                      \
    "\"line\":\"RCPT TO:<bob@b.example>\",\"size\":42,\"tls\":false}\n"                            \
    "{\"t\":2.000001,\"ev\":\"auth.attempt\",\"node\":\"msa\","                                    \
    "\"wire\":\"AUTH PLAIN \\\"x\\\"\\\\\\\\\\\\r\\\\n\\\\x01\\\\xFF\",\"neg\":-7,\"ok\":true,"    \
    "\"empty\":\"\"}\n"

#define SAMPLE_TEXT                                                                                \
    "t=1.250000 node=mx1 ev=smtp.cmd peer=mta1 line=\"RCPT TO:<bob@b.example>\" size=42 "          \
    "tls=false\n"                                                                                  \
    "t=2.000001 node=msa ev=auth.attempt wire=\"AUTH PLAIN \\\"x\\\"\\\\\\r\\n\\x01\\xFF\" "       \
    "neg=-7 ok=true empty=\"\"\n"

static void
test_jsonl_exact(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    GString *out = g_string_new(NULL);
    sim_trace_add_jsonl_string(tr, out);
    emit_sample(tr);
    g_assert_cmpstr(out->str, ==, SAMPLE_JSONL);

    /* Every line parses; t is the exact number and the fields are typed. */
    g_auto(GStrv) lines = g_strsplit(out->str, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, 3);
    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) error = NULL;
    g_assert_true(json_parser_load_from_data(p, lines[0], -1, &error));
    g_assert_no_error(error);
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    g_assert_cmpfloat(json_object_get_double_member(o, "t"), ==, 1.25);
    g_assert_cmpstr(json_object_get_string_member(o, "line"), ==, "RCPT TO:<bob@b.example>");
    g_assert_cmpint(json_object_get_int_member(o, "size"), ==, 42);
    g_assert_false(json_object_get_boolean_member(o, "tls"));
    g_assert_true(json_parser_load_from_data(p, lines[1], -1, &error));
    o = json_node_get_object(json_parser_get_root(p));
    g_assert_cmpstr(json_object_get_string_member(o, "wire"), ==,
                    "AUTH PLAIN \"x\"\\\\\\r\\n\\x01\\xFF");
    g_assert_cmpint(json_object_get_int_member(o, "neg"), ==, -7);
    g_string_free(out, TRUE);
}

static void
test_text_exact(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    GString *out = g_string_new(NULL);
    sim_trace_add_text_string(tr, out);
    emit_sample(tr);
    g_assert_cmpstr(out->str, ==, SAMPLE_TEXT);
    g_string_free(out, TRUE);
}

static void
test_records(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    sim_trace_keep_records(tr);
    g_assert_true(sim_trace_enabled(tr));
    emit_sample(tr);
    g_assert_cmpuint(sim_trace_n_records(tr), ==, 2);
    const SimTraceRec *r = sim_trace_record(tr, 0);
    g_assert_cmpint(sim_trace_rec_time(r), ==, 1250000);
    g_assert_cmpstr(sim_trace_rec_ev(r), ==, "smtp.cmd");
    g_assert_cmpstr(sim_trace_rec_node(r), ==, "mx1");
    g_assert_cmpuint(sim_trace_rec_n_fields(r), ==, 4);
    /* Insertion order is kept. */
    g_assert_cmpstr(sim_trace_rec_field_key(r, 0), ==, "peer");
    g_assert_cmpstr(sim_trace_rec_field_key(r, 3), ==, "tls");
    g_assert_cmpint(sim_trace_rec_field_type(r, 2), ==, SIM_TRACE_FIELD_INT);
    g_assert_cmpint(sim_trace_rec_field_int(r, 2), ==, 42);
    g_assert_false(sim_trace_rec_field_bool(r, 3));
    g_assert_cmpstr(sim_trace_rec_get_str(r, "peer"), ==, "mta1");
    g_assert_null(sim_trace_rec_get_str(r, "size"));
    g_assert_null(sim_trace_rec_get_str(r, "nope"));
    gint64 v = 0;
    g_assert_true(sim_trace_rec_get_int(r, "size", &v));
    g_assert_cmpint(v, ==, 42);
    g_assert_false(sim_trace_rec_get_int(r, "peer", &v));
    g_autofree char *json = sim_trace_rec_to_json(r);
    g_assert_true(g_str_has_prefix(SAMPLE_JSONL, json));
    sim_trace_clear_records(tr);
    g_assert_cmpuint(sim_trace_n_records(tr), ==, 0);
}

static void
test_disabled(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    g_assert_false(sim_trace_enabled(tr));
    g_assert_false(sim_trace_enabled(NULL));
    g_assert_null(sim_trace_begin(tr, 0, "x", "n"));
    g_assert_null(sim_trace_begin(NULL, 0, "x", "n"));
    /* The builder accepts NULL: callers need not test. */
    emit_sample(tr);
    g_assert_cmpuint(sim_trace_n_records(tr), ==, 0);
}

static void
test_null_node_and_utf8(void)
{
    g_autoptr(SimTrace) tr = sim_trace_new();
    GString *json = g_string_new(NULL), *text = g_string_new(NULL);
    sim_trace_add_jsonl_string(tr, json);
    sim_trace_add_text_string(tr, text);
    SimTraceRec *r = sim_trace_begin(tr, 0, "fault", NULL);
    sim_trace_str(r, "bad",
                  "a\xff"
                  "b");
    sim_trace_str(r, "utf8", "caf\xc3\xa9");
    sim_trace_end(r);
    g_assert_cmpstr(json->str, ==,
                    "{\"t\":0.000000,\"ev\":\"fault\",\"node\":null,\"bad\":\"a\\\\xFFb\","
                    "\"utf8\":\"caf\xc3\xa9\"}\n");
    g_assert_cmpstr(text->str, ==,
                    "t=0.000000 node=- ev=fault bad=\"a\\xFFb\" utf8=\"caf\\xC3\\xA9\"\n");
    g_string_free(json, TRUE);
    g_string_free(text, TRUE);
}

static void
test_printable(void)
{
    g_autofree char *p = sim_trace_printable((const guint8 *)"EHLO x\r\n\t\\\0\x7f~", 13);
    g_assert_cmpstr(p, ==, "EHLO x\\r\\n\\t\\\\\\x00\\x7F~");
    g_autofree char *e = sim_trace_printable(NULL, 0);
    g_assert_cmpstr(e, ==, "");
}

static void
test_file_sinks(void)
{
    g_autofree char *dir = g_dir_make_tmp("simtraceXXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *jpath = g_build_filename(dir, "t.jsonl", NULL);
    g_autofree char *tpath = g_build_filename(dir, "t.txt", NULL);
    SimTrace *tr = sim_trace_new();
    g_assert_true(sim_trace_add_jsonl_file(tr, jpath, NULL));
    g_assert_true(sim_trace_add_text_file(tr, tpath, NULL));
    emit_sample(tr);
    sim_trace_free(tr);
    g_autofree char *j = NULL, *t = NULL;
    g_assert_true(g_file_get_contents(jpath, &j, NULL, NULL));
    g_assert_true(g_file_get_contents(tpath, &t, NULL, NULL));
    g_assert_cmpstr(j, ==, SAMPLE_JSONL);
    g_assert_cmpstr(t, ==, SAMPLE_TEXT);
    g_autoptr(GError) error = NULL;
    g_autofree char *bad = g_build_filename(dir, "no", "such", "x.jsonl", NULL);
    g_autoptr(SimTrace) tr2 = sim_trace_new();
    g_assert_false(sim_trace_add_jsonl_file(tr2, bad, &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_unlink(jpath);
    g_unlink(tpath);
    g_rmdir(dir);
}

/* --- whole runs --- */

static void
trace_wire(const SimWireEvent *ev, gpointer ud)
{
    SimNet *net = ud;
    SimTrace *tr = sim_world_trace(sim_net_world(net));
    const SimSegment *s = ev->seg;
    if (!sim_trace_enabled(tr) || ev->kind != SIM_WIRE_SEGMENT)
        return;
    SimTraceRec *r = sim_trace_begin(tr, s->time, "tap.observe", sim_host_name(s->src_host));
    sim_trace_str(r, "kind", sim_seg_kind_name(s->kind));
    sim_trace_int(r, "arrive_us", s->arrive);
    if (s->data != NULL) {
        gsize n;
        const guint8 *d = g_bytes_get_data(s->data, &n);
        sim_trace_bytes(r, "data", d, n);
    }
    sim_trace_end(r);
}

static void
chatter(TPeer *p)
{
    for (int i = 0; i < 10; i++)
        sim_stream_write_data(p->s, "HELO x\r\n", 8);
    sim_stream_shutdown(p->s);
}

static char *
traced_run(guint64 seed)
{
    TEnv env;
    tenv_init(&env, seed, 10 * SIM_TIME_MS, 1000000, 3 * SIM_TIME_MS);
    SimTrace *tr = sim_trace_new();
    GString *out = g_string_new(NULL);
    sim_trace_add_jsonl_string(tr, out);
    sim_world_set_trace(env.world, tr);
    sim_net_add_wire_observer(env.net, trace_wire, env.net, NULL);
    tenv_listen(&env, 25);
    env.client.on_connected = chatter;
    env.server.close_on_eof = TRUE;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    tenv_clear(&env);
    return g_string_free(out, FALSE);
}

static void
test_identical_runs(void)
{
    g_autofree char *a = traced_run(3);
    g_autofree char *b = traced_run(3);
    g_autofree char *c = traced_run(4);
    g_assert_true(strstr(a, "HELO x\\\\r\\\\n") != NULL);
    g_assert_cmpuint(strlen(a), >, 1000);
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpstr(a, !=, c);
}

static void
reset_after_data(TPeer *p, GBytes *data)
{
    sim_stream_reset(p->s);
    p->s = NULL;
}

static void
test_conn_records(void)
{
    TEnv env;
    tenv_init(&env, 1, 10 * SIM_TIME_MS, 0, 0);
    SimTrace *tr = sim_trace_new();
    GString *out = g_string_new(NULL);
    sim_trace_add_text_string(tr, out);
    sim_world_set_trace(env.world, tr);
    sim_net_set_trace_conns(env.net, TRUE);
    tenv_listen(&env, 25);
    env.client.on_connected = chatter;
    env.server.on_data = reset_after_data;
    tenv_connect(&env, 25);
    sim_world_run(env.world, SIM_TIME_NEVER);
    /* A port nobody listens on. */
    env.client.s = sim_net_connect(env.net, env.a, "b", 26, &tpeer_handler, &env.client);
    sim_world_run(env.world, SIM_TIME_NEVER);
    g_assert_cmpstr(out->str, ==,
                    "t=0.000000 node=a ev=conn.open conn=1 local=10.0.0.1:49152 "
                    "remote=10.0.0.2:25 peer=b\n"
                    "t=0.020000 node=a ev=conn.close conn=1 local=10.0.0.1:49152 "
                    "remote=10.0.0.2:25 peer=b\n"
                    "t=0.030000 node=b ev=conn.accept conn=1 local=10.0.0.2:25 "
                    "remote=10.0.0.1:49152 peer=a\n"
                    "t=0.030000 node=b ev=conn.reset conn=1 local=10.0.0.2:25 "
                    "remote=10.0.0.1:49152 peer=a\n"
                    "t=0.040000 node=a ev=conn.open conn=2 local=10.0.0.1:49153 "
                    "remote=10.0.0.2:26 peer=b\n"
                    "t=0.060000 node=a ev=conn.refused conn=2 local=10.0.0.1:49153 "
                    "remote=10.0.0.2:26 peer=b\n");
    tenv_clear(&env);
    g_string_free(out, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/trace/jsonl-exact", test_jsonl_exact);
    g_test_add_func("/sim/trace/text-exact", test_text_exact);
    g_test_add_func("/sim/trace/records", test_records);
    g_test_add_func("/sim/trace/disabled", test_disabled);
    g_test_add_func("/sim/trace/null-node-utf8", test_null_node_and_utf8);
    g_test_add_func("/sim/trace/printable", test_printable);
    g_test_add_func("/sim/trace/file-sinks", test_file_sinks);
    g_test_add_func("/sim/trace/identical-runs", test_identical_runs);
    g_test_add_func("/sim/trace/conn-records", test_conn_records);
    return g_test_run();
}
