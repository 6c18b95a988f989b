/* SPDX-License-Identifier: MIT
 * Tests for proto/pop3_server: transcripts (the .t files in tests/proto/pop3_server)
 * replayed whole, byte by byte and split at every point; the RFC 1939
 * section 10 session checked against the conformance vector; APOP; STLS
 * leftover discard; line limits.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "helper_pop3.h"
#include "proto/pop3_reply.h"
#include "proto/pop3_server.h"

typedef struct {
    Pop3Server *srv;
    gboolean show_cmd;
} SrvWrap;

static void
srv_feed(gpointer eng, const guint8 *buf, gsize len)
{
    pop3_server_feed(((SrvWrap *)eng)->srv, buf, len);
}

static void
srv_feed_eof(gpointer eng)
{
    pop3_server_feed_eof(((SrvWrap *)eng)->srv);
}

static gboolean
srv_poll(gpointer eng, GBytes **send, char **desc, guint32 *qid, gboolean *is_stls, GBytes **body)
{
    SrvWrap *w = eng;
    Pop3ServerAct act;
    (void)body;
    if (!pop3_server_poll(w->srv, &act))
        return FALSE;
    if (act.kind == POP3_SERVER_ACT_SEND)
        *send = g_bytes_ref(act.bytes);
    else if (act.kind != POP3_SERVER_ACT_CMD || w->show_cmd)
        *desc = pop3_server_act_to_string(&act);
    if (act.kind == POP3_SERVER_ACT_QUERY)
        *qid = act.query.id;
    *is_stls = act.kind == POP3_SERVER_ACT_STLS;
    if (act.kind == POP3_SERVER_ACT_CMD)
        g_assert_nonnull(act.line);
    pop3_server_act_clear(&act);
    return TRUE;
}

static Pop3AnswerVerdict
srv_verdict(const char *w)
{
    static const struct {
        const char *name;
        Pop3AnswerVerdict v;
    } tab[] = {{"OK", POP3_ANSWER_OK},
               {"DENY", POP3_ANSWER_DENY},
               {"IN_USE", POP3_ANSWER_IN_USE},
               {"SYS_TEMP", POP3_ANSWER_SYS_TEMP},
               {"SYS_PERM", POP3_ANSWER_SYS_PERM}};
    for (gsize i = 0; i < G_N_ELEMENTS(tab); i++)
        if (strcmp(w, tab[i].name) == 0)
            return tab[i].v;
    g_error("bad verdict %s", w);
}

/* "VERDICT [secret=S] [text=T] [msgs=size:uid,...] [message=REST]" */
static void
srv_answer(gpointer eng, guint32 qid, const char *qline)
{
    SrvWrap *w = eng;
    Pop3ServerAnswer ans = {0};
    g_autofree char *message = NULL;
    const char *m = strstr(qline, "message=");
    g_autofree char *head = m ? g_strndup(qline, (gsize)(m - qline)) : g_strdup(qline);
    if (m)
        message = g_strcompress(m + 8);
    g_auto(GStrv) words = g_strsplit(g_strstrip(head), " ", -1);
    g_autoptr(GArray) msgs = g_array_new(FALSE, TRUE, sizeof(Pop3MsgInfo));
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    ans.verdict = srv_verdict(words[0]);
    for (guint i = 1; words[i]; i++) {
        if (g_str_has_prefix(words[i], "secret="))
            ans.secret = words[i] + 7;
        else if (g_str_has_prefix(words[i], "text="))
            ans.text = words[i] + 5;
        else if (g_str_has_prefix(words[i], "msgs=")) {
            g_auto(GStrv) items = g_strsplit(words[i] + 5, ",", -1);
            for (guint k = 0; items[k]; k++) {
                char *colon = strchr(items[k], ':');
                Pop3MsgInfo mi = {g_ascii_strtoull(items[k], NULL, 10), NULL};
                if (colon) {
                    char *uid = g_strdup(colon + 1);
                    g_ptr_array_add(keep, uid);
                    mi.uid = uid;
                }
                g_array_append_val(msgs, mi);
            }
        } else {
            g_error("bad answer word %s", words[i]);
        }
    }
    ans.msgs = (const Pop3MsgInfo *)msgs->data;
    ans.n_msgs = msgs->len;
    g_autoptr(GBytes) bytes = message ? g_bytes_new(message, strlen(message)) : NULL;
    ans.message = bytes;
    pop3_server_answer(w->srv, qid, &ans);
}

static void
srv_stls_done(gpointer eng)
{
    pop3_server_stls_done(((SrvWrap *)eng)->srv);
}

static Pop3Server *
srv_new_from(const Pop3Transcript *t)
{
    Pop3ServerConfig cfg = {0};
    cfg.hostname = pop3_test_setting(t, "hostname");
    cfg.apop_timestamp = pop3_test_setting(t, "timestamp");
    cfg.implementation = pop3_test_setting(t, "implementation");
    cfg.offer_stls = pop3_test_setting(t, "stls") != NULL;
    cfg.userpass_needs_tls = pop3_test_setting(t, "needtls") != NULL;
    const char *mb = pop3_test_setting(t, "max_bad");
    cfg.max_bad_commands = mb ? (guint)atoi(mb) : 0;
    return pop3_server_new(&cfg);
}

/* Runs one replay; checks the log and the discarded count if given. */
static void
srv_check_once(const Pop3Transcript *t, gsize chunk, gsize split, const char *what)
{
    SrvWrap w = {srv_new_from(t), pop3_test_setting(t, "cmd") != NULL};
    Pop3TestEngine e = {&w, srv_feed, srv_feed_eof, srv_poll, srv_answer, srv_stls_done};
    g_autofree char *got =
        split ? pop3_test_replay_split(t, &e, split) : pop3_test_replay(t, &e, chunk);
    if (strcmp(got, t->expected->str) != 0)
        g_test_message("%s (chunk %zu split %zu):\n--- expected\n%s--- got\n%s", what, chunk, split,
                       t->expected->str, got);
    g_assert_cmpstr(got, ==, t->expected->str);
    const char *disc = pop3_test_setting(t, "discarded");
    if (disc)
        g_assert_cmpuint(pop3_server_get_discarded(w.srv), ==, (guint64)atoi(disc));
    pop3_server_free(w.srv);
}

static void
test_transcript(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_strdup_printf("pop3_server/%s.t", name);
    g_autoptr(Pop3Transcript) t = pop3_test_transcript_load(rel);
    g_assert_cmpuint(t->expected->len, >, 0);
    srv_check_once(t, 0, 0, name);
    srv_check_once(t, 1, 0, name);
    gsize max = 0;
    for (guint s = 0; s < t->segments->len; s++)
        max = MAX(max, ((GByteArray *)t->segments->pdata[s])->len);
    for (gsize split = 1; split < max; split++)
        srv_check_once(t, 0, split, name);
}

/* The transcript holds the RFC 1939 section 10 session: every wire line of
 * the conformance vector appears in it, in order. */
static void
test_section10_vector(void)
{
    g_autofree char *path = test_conformance_path("sasl/pop3-rfc1939.yaml");
    if (path == NULL) {
        g_test_message("conformance folder absent: skipping the YAML cross-check");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, &err);
    g_assert_no_error(err);
    TestYaml *sess = test_yaml_get(doc, "session_rfc1939_section10");
    g_assert_cmpuint(test_yaml_len(sess), ==, 24);
    g_autoptr(Pop3Transcript) t = pop3_test_transcript_load("pop3_server/rfc1939_section10.t");
    g_autofree char *rel =
        g_build_filename("tests", "proto", "pop3_server", "rfc1939_section10.t", NULL);
    g_autofree char *tpath = test_source_path(rel);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(tpath, &text, NULL, NULL));
    const char *pos = text;
    guint matched = 0;
    for (guint i = 0; i < test_yaml_len(sess); i++) {
        const char *line = test_yaml_at(sess, i)->value;
        if (strstr(line, "<the POP3 server sends") != NULL)
            continue; /* annotation, not wire data */
        g_autofree char *needle = g_strdup_printf("\n%s\n", line);
        const char *hit = strstr(pos, needle);
        if (hit == NULL)
            g_test_message("vector line not found in order: %s", line);
        g_assert_nonnull(hit);
        pos = hit + 1;
        matched++;
    }
    g_assert_cmpuint(matched, ==, 22);
    /* The APOP vector, too. */
    TestYaml *apop = test_yaml_at(test_yaml_get(doc, "apop"), 0);
    char digest[POP3_APOP_DIGEST_LEN + 1];
    pop3_reply_apop_digest(test_yaml_str(apop, "timestamp"), test_yaml_str(apop, "secret"), digest);
    g_assert_cmpstr(digest, ==, test_yaml_str(apop, "digest_hex"));
}

/* STLS with the leftover in the same chunk: the STLS action reports the
 * bytes it dropped, and none of them is ever parsed. */
static void
test_stls_leftover(void)
{
    Pop3ServerConfig cfg = {.offer_stls = TRUE};
    g_autoptr(Pop3Server) srv = pop3_server_new(&cfg);
    Pop3ServerAct act;
    g_assert_true(pop3_server_poll(srv, &act)); /* greeting */
    pop3_server_act_clear(&act);
    const char *in = "STLS\r\nUSER mallory\r\n";
    pop3_server_feed(srv, (const guint8 *)in, strlen(in));
    g_assert_true(pop3_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, POP3_SERVER_ACT_CMD);
    pop3_server_act_clear(&act);
    g_assert_true(pop3_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, POP3_SERVER_ACT_SEND);
    pop3_server_act_clear(&act);
    g_assert_true(pop3_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, POP3_SERVER_ACT_STLS);
    g_assert_cmpuint(act.discarded, ==, 14);
    pop3_server_act_clear(&act);
    g_assert_false(pop3_server_wants_input(srv));
    pop3_server_feed(srv, (const guint8 *)"xx", 2); /* TLS bytes never reach us */
    g_assert_false(pop3_server_poll(srv, &act));
    pop3_server_stls_done(srv);
    g_assert_true(pop3_server_is_secure(srv));
    g_assert_false(pop3_server_poll(srv, &act));
    g_assert_cmpuint(pop3_server_get_discarded(srv), ==, 16);
    g_assert_null(pop3_server_get_user(srv));
}

/* The raw CMD line keeps the password for the trace to decide; the safe
 * one masks it. */
static void
test_cmd_masking(void)
{
    Pop3ServerConfig cfg = {0};
    g_autoptr(Pop3Server) srv = pop3_server_new(&cfg);
    Pop3ServerAct act;
    g_assert_true(pop3_server_poll(srv, &act));
    pop3_server_act_clear(&act);
    pop3_server_feed(srv, (const guint8 *)"USER a\r\npass s3cret\r\n", 21);
    gboolean seen = FALSE;
    while (pop3_server_poll(srv, &act)) {
        if (act.kind == POP3_SERVER_ACT_CMD && g_str_has_prefix(act.line, "pass")) {
            g_assert_cmpstr(act.line, ==, "pass s3cret");
            g_assert_cmpstr(act.safe_line, ==, "pass ****");
            g_autofree char *s = pop3_server_act_to_string(&act);
            g_assert_null(strstr(s, "s3cret"));
            seen = TRUE;
        }
        if (act.kind == POP3_SERVER_ACT_QUERY) {
            g_assert_cmpstr(act.query.password, ==, "s3cret");
            g_autofree char *s = pop3_server_act_to_string(&act);
            g_assert_null(strstr(s, "s3cret"));
        }
        pop3_server_act_clear(&act);
    }
    g_assert_true(seen);
}

/* RFC 1939 section 7 vector, digest sent in upper case: hex compares
 * case-insensitively, the secret path leads to LOCK_MAILDROP. */
static void
test_apop_upper_case(void)
{
    Pop3ServerConfig cfg = {.apop_timestamp = "<1896.697170952@dbc.mtview.ca.us>"};
    g_autoptr(Pop3Server) srv = pop3_server_new(&cfg);
    const char *in = "APOP mrose C4C9334BAC560ECC979E58001B3E22FB\r\n";
    pop3_server_feed(srv, (const guint8 *)in, strlen(in));
    Pop3ServerAct act;
    Pop3QueryKind last = POP3_QUERY_NONE;
    while (pop3_server_poll(srv, &act)) {
        if (act.kind == POP3_SERVER_ACT_QUERY) {
            last = act.query.kind;
            if (last == POP3_QUERY_AUTH_APOP) {
                Pop3ServerAnswer ans = {.verdict = POP3_ANSWER_OK, .secret = "tanstaaf"};
                pop3_server_answer(srv, act.query.id, &ans);
            }
        }
        pop3_server_act_clear(&act);
    }
    g_assert_cmpint(last, ==, POP3_QUERY_LOCK_MAILDROP);
}

/* A stale answer (after the peer went away) is ignored. */
static void
test_stale_answer(void)
{
    Pop3ServerConfig cfg = {0};
    g_autoptr(Pop3Server) srv = pop3_server_new(&cfg);
    Pop3ServerAct act;
    guint32 qid = 0;
    pop3_server_feed(srv, (const guint8 *)"USER a\r\nPASS b\r\n", 16);
    while (pop3_server_poll(srv, &act)) {
        if (act.kind == POP3_SERVER_ACT_QUERY)
            qid = act.query.id;
        pop3_server_act_clear(&act);
    }
    g_assert_cmpuint(qid, !=, 0);
    pop3_server_abort(srv);
    g_assert_true(pop3_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, POP3_SERVER_ACT_CLOSE);
    pop3_server_act_clear(&act);
    Pop3ServerAnswer ans = {.verdict = POP3_ANSWER_OK};
    pop3_server_answer(srv, qid, &ans);
    g_assert_false(pop3_server_poll(srv, &act));
    g_assert_true(pop3_server_is_done(srv));
}

/* Collects what the engine sends until it wants more; the last action's
 * kind goes to *last. */
static GString *
srv_drain(Pop3Server *srv, guint32 *qid, Pop3ServerActKind *last)
{
    GString *out = g_string_new(NULL);
    Pop3ServerAct act;
    while (pop3_server_poll(srv, &act)) {
        if (act.kind == POP3_SERVER_ACT_SEND)
            g_string_append_len(out, g_bytes_get_data(act.bytes, NULL),
                                (gssize)g_bytes_get_size(act.bytes));
        if (act.kind == POP3_SERVER_ACT_QUERY && qid)
            *qid = act.query.id;
        if (last)
            *last = act.kind;
        pop3_server_act_clear(&act);
    }
    return out;
}

/* A refused login answered with close (the node's failure limit): the
 * -ERR [AUTH] goes out (RFC 2449 8.1.2), then CLOSE, for USER/PASS and
 * APOP alike; without close the session stays in AUTHORIZATION. */
static void
test_auth_close(void)
{
    static const char *const logins[] = {"USER a\r\nPASS b\r\n",
                                         "APOP a c4c9334bac560ecc979e58001b3e22fb\r\n"};
    for (gsize i = 0; i < G_N_ELEMENTS(logins); i++) {
        for (int close = 0; close <= 1; close++) {
            Pop3ServerConfig cfg = {.apop_timestamp = "<1896.697170952@dbc.mtview.ca.us>"};
            g_autoptr(Pop3Server) srv = pop3_server_new(&cfg);
            guint32 qid = 0;
            Pop3ServerActKind last = POP3_SERVER_ACT_NONE;
            g_string_free(srv_drain(srv, NULL, NULL), TRUE); /* greeting */
            pop3_server_feed(srv, (const guint8 *)logins[i], strlen(logins[i]));
            g_string_free(srv_drain(srv, &qid, NULL), TRUE);
            g_assert_cmpuint(qid, !=, 0);
            Pop3ServerAnswer ans = {.verdict = POP3_ANSWER_DENY, .close = close};
            pop3_server_answer(srv, qid, &ans);
            g_autoptr(GString) out = srv_drain(srv, NULL, &last);
            g_assert_true(g_str_has_prefix(out->str, "-ERR [AUTH] "));
            g_assert_true(g_str_has_suffix(out->str, "\r\n"));
            g_assert_cmpint(last, ==, close ? POP3_SERVER_ACT_CLOSE : POP3_SERVER_ACT_SEND);
            g_assert_cmpint(pop3_server_is_done(srv), ==, close);
            g_assert_cmpint(pop3_server_get_state(srv), ==,
                            close ? POP3_SERVER_STATE_CLOSED : POP3_SERVER_STATE_AUTHORIZATION);
        }
    }
}

/* The node's idle timer: one -ERR line, then CLOSE, nothing committed
 * (no UPDATE query, RFC 1939 section 3); nothing after. */
static void
test_timeout(void)
{
    Pop3ServerConfig cfg = {0};
    g_autoptr(Pop3Server) srv = pop3_server_new(&cfg);
    g_string_free(srv_drain(srv, NULL, NULL), TRUE);
    pop3_server_timeout(srv);
    Pop3ServerActKind last = POP3_SERVER_ACT_NONE;
    g_autoptr(GString) out = srv_drain(srv, NULL, &last);
    g_assert_cmpstr(out->str, ==, "-ERR Disconnected for inactivity\r\n");
    g_assert_cmpint(last, ==, POP3_SERVER_ACT_CLOSE);
    g_assert_true(pop3_server_is_done(srv));
    pop3_server_timeout(srv);
    g_autoptr(GString) again = srv_drain(srv, NULL, NULL);
    g_assert_cmpuint(again->len, ==, 0);

    /* While STLS is due the peer reads a handshake: no line then. */
    Pop3ServerConfig tcfg = {.offer_stls = TRUE};
    g_autoptr(Pop3Server) t = pop3_server_new(&tcfg);
    g_string_free(srv_drain(t, NULL, NULL), TRUE);
    pop3_server_feed(t, (const guint8 *)"STLS\r\n", 6);
    g_string_free(srv_drain(t, NULL, NULL), TRUE);
    pop3_server_timeout(t);
    g_autoptr(GString) none = srv_drain(t, NULL, &last);
    g_assert_cmpuint(none->len, ==, 0);
    g_assert_cmpint(last, ==, POP3_SERVER_ACT_CLOSE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const char *const names[] = {"rfc1939_section10", "uidl",        "dele_rset", "top",
                                        "auth_errors",       "limits",      "capa_stls", "eof",
                                        "eof_no_quit",       "apop_verdict"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *p = g_strdup_printf("/proto/pop3-server/transcript/%s", names[i]);
        g_test_add_data_func(p, names[i], test_transcript);
    }
    g_test_add_func("/proto/pop3-server/rfc1939/section10-vector", test_section10_vector);
    g_test_add_func("/proto/pop3-server/stls/leftover", test_stls_leftover);
    g_test_add_func("/proto/pop3-server/cmd/masking", test_cmd_masking);
    g_test_add_func("/proto/pop3-server/answer/stale", test_stale_answer);
    g_test_add_func("/proto/pop3-server/apop/upper-case", test_apop_upper_case);
    g_test_add_func("/proto/pop3-server/auth/close", test_auth_close);
    g_test_add_func("/proto/pop3-server/timeout", test_timeout);
    return g_test_run();
}
