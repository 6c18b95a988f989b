/* SPDX-License-Identifier: MIT
 * Conformance vectors for proto/sasl: every case of sasl/plain.yaml,
 * login.yaml, cram-md5.yaml and digest-md5.yaml. Clients must produce the
 * published responses exactly; servers must accept them and refuse the
 * negative and malformed cases. RFC 4954 transcripts are replayed with both
 * engines. The key RFC vectors are restated as literals in test_sasl.c.
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/sasl.h"
#include "proto/sasl_digest_md5.h"

typedef struct {
    guint total, passed;
} Tally;

static void
tally(Tally *t, gboolean ok, const char *file, const char *id, const char *why)
{
    t->total++;
    if (ok)
        t->passed++;
    else
        g_test_message("FAIL %s %s: %s", file, id, why);
}

static const char *
secret_of(const char *user)
{
    static const char *const db[][2] = {
        {"tim", "tanstaaftanstaaf"}, {"test", "1234"},      {"rjs3", "1234"},
        {"chris", "secret"},         {"Kurt", "xipj3plmq"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(db); i++)
        if (strcmp(db[i][0], user) == 0)
            return db[i][1];
    return NULL;
}

static char *
enc(GBytes *b)
{
    return sasl_line_encode(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

static char *
b64_text(const char *s)
{
    GBytes *out = NULL;
    if (sasl_line_decode(s, strlen(s), FALSE, &out) != SASL_LINE_DATA)
        return NULL;
    gsize n;
    const char *p = g_bytes_get_data(out, &n);
    char *r = g_strndup(p ? p : "", n);
    g_bytes_unref(out);
    return r;
}

/* Answers NEED_SECRET from the user table (no proxy authorization). */
static void
resolve(SaslServer *srv, SaslServerAct *act)
{
    while (act->kind == SASL_SERVER_ACT_NEED_SECRET) {
        const char *s = secret_of(act->authcid);
        sasl_server_act_clear(act);
        sasl_server_answer_secret(srv, s, FALSE, act);
    }
}

typedef struct {
    SaslServer *srv;
    SaslClient *cl;
    SaslServerAct act;
    gboolean line_invalid;
    char *client_line;     /* what our client would send next (base64) */
    char *first_challenge; /* decoded first server challenge: CRAM-MD5 servers replay it */
} Replay;

static gboolean
replay_auth(Replay *r, const char *args, const char *const who[3], const char **why)
{
    g_auto(GStrv) w = g_strsplit(args, " ", 2);
    SaslMech mech = sasl_mech_from_name(w[0]);
    if (mech == SASL_MECH_NONE)
        return *why = "unknown mechanism", FALSE;
    SaslServerConfig cfg = {.hostname = "localhost", .fixed_challenge = r->first_challenge};
    r->srv = sasl_server_new(mech, &cfg);
    r->cl = sasl_client_new(mech, who[0], who[1], who[2], NULL);
    if (w[1] == NULL) {
        sasl_server_start(r->srv, NULL, 0, &r->act);
        return TRUE;
    }
    GBytes *ir = NULL, *mine = NULL;
    if (sasl_line_decode(w[1], strlen(w[1]), TRUE, &ir) != SASL_LINE_DATA)
        return *why = "initial response not base64", FALSE;
    sasl_client_set_login_initial(r->cl, TRUE);
    gboolean same = sasl_client_initial_response(r->cl, &mine) && g_bytes_equal(mine, ir);
    sasl_server_start(r->srv, g_bytes_get_data(ir, NULL), g_bytes_get_size(ir), &r->act);
    resolve(r->srv, &r->act);
    g_bytes_unref(ir);
    g_clear_pointer(&mine, g_bytes_unref);
    return same ? TRUE : (*why = "client initial response differs", FALSE);
}

static gboolean
replay_challenge(Replay *r, const char *b64, const char **why)
{
    if (r->act.kind != SASL_SERVER_ACT_CHALLENGE)
        return *why = "server did not challenge", FALSE;
    g_autofree char *got = enc(r->act.data);
    if (strcmp(got, b64) != 0)
        return *why = "challenge differs", FALSE;
    GBytes *resp = NULL;
    g_clear_pointer(&r->client_line, g_free);
    if (sasl_client_step(r->cl, g_bytes_get_data(r->act.data, NULL), g_bytes_get_size(r->act.data),
                         &resp) == SASL_CLIENT_CONTINUE)
        r->client_line = enc(resp);
    g_clear_pointer(&resp, g_bytes_unref);
    return TRUE;
}

static gboolean
replay_client_line(Replay *r, const char *line, const char **why)
{
    GBytes *data = NULL;
    SaslLineResult lr = sasl_line_decode(line, strlen(line), FALSE, &data);
    if (lr == SASL_LINE_CANCEL) {
        sasl_server_act_clear(&r->act);
        sasl_server_cancel(r->srv, &r->act);
        return TRUE;
    }
    if (lr == SASL_LINE_INVALID) {
        r->line_invalid = TRUE;
        return TRUE;
    }
    gboolean same = r->client_line != NULL && strcmp(r->client_line, line) == 0;
    sasl_server_act_clear(&r->act);
    sasl_server_step(r->srv, g_bytes_get_data(data, NULL), g_bytes_get_size(data), &r->act);
    resolve(r->srv, &r->act);
    g_bytes_unref(data);
    return same ? TRUE : (*why = "client response differs", FALSE);
}

static gboolean
replay_outcome(Replay *r, const char *reply, const char **why)
{
    if (g_str_has_prefix(reply, "235") || strstr(reply, " OK ") != NULL) {
        if (r->act.kind != SASL_SERVER_ACT_SUCCESS)
            return *why = "server did not succeed", FALSE;
        return TRUE;
    }
    if (g_str_has_prefix(reply, "501"))
        return r->line_invalid ||
               (r->act.kind == SASL_SERVER_ACT_FAILURE && r->act.reason != SASL_FAIL_CREDENTIALS) ||
               (*why = "expected a 501-class failure", FALSE);
    if (g_str_has_prefix(reply, "535"))
        return (r->act.kind == SASL_SERVER_ACT_FAILURE &&
                (r->act.reason == SASL_FAIL_CREDENTIALS || r->act.reason == SASL_FAIL_AUTHZID)) ||
               (*why = "expected 535", FALSE);
    return TRUE;
}

/* Replays "C:"/"S:" lines (SMTP "AUTH"/"334" or IMAP "AUTHENTICATE"/"+"). */
static gboolean
replay(const TestYaml *lines, const char *user, const char *pass, const char *authzid,
       const char **why)
{
    const char *const who[3] = {user, pass, authzid};
    Replay r = {0};
    gboolean ok = TRUE, started = FALSE;
    for (guint i = 0; r.first_challenge == NULL && i < test_yaml_len(lines); i++) {
        const char *l = test_yaml_at(lines, i)->value;
        if (g_str_has_prefix(l, "S: 334 ") || g_str_has_prefix(l, "S: + "))
            r.first_challenge = b64_text(strchr(l + 3, ' ') + 1);
    }
    for (guint i = 0; ok && i < test_yaml_len(lines); i++) {
        const char *l = test_yaml_at(lines, i)->value;
        const char *auth = strstr(l, "AUTHENTICATE ");
        if (g_str_has_prefix(l, "C: AUTH "))
            ok = started = replay_auth(&r, l + 8, who, why);
        else if (g_str_has_prefix(l, "C: ") && auth != NULL)
            ok = started = replay_auth(&r, auth + 13, who, why);
        else if (!started)
            continue;
        else if (g_str_has_prefix(l, "S: 334 ") || g_str_has_prefix(l, "S: + "))
            ok = replay_challenge(&r, strchr(l + 3, ' ') + 1, why);
        else if (g_str_has_prefix(l, "C: "))
            ok = replay_client_line(&r, l + 3, why);
        else if (g_str_has_prefix(l, "S: "))
            ok = replay_outcome(&r, l + 3, why);
    }
    if (ok && !started)
        ok = (*why = "no AUTH in transcript", FALSE);
    sasl_server_act_clear(&r.act);
    sasl_server_free(r.srv);
    sasl_client_free(r.cl);
    g_free(r.client_line);
    g_free(r.first_challenge);
    return ok;
}

static TestYaml *
load(const char *name)
{
    g_autofree char *rel = g_build_filename("sasl", name, NULL);
    g_autofree char *path = test_conformance_path(rel);
    if (path == NULL) {
        g_test_message("conformance folder absent: skipping sasl/%s", name);
        g_test_skip("conformance folder absent");
        return NULL;
    }
    GError *error = NULL;
    TestYaml *y = test_yaml_load_one(path, &error);
    g_assert_no_error(error);
    return y;
}

static void
report(const char *file, const Tally *t)
{
    g_test_message("conformance sasl/%s: %u/%u passed", file, t->passed, t->total);
    g_assert_cmpuint(t->total, >, 0);
    g_assert_cmpuint(t->passed, ==, t->total);
}

static gboolean
plain_vector(const TestYaml *v, const char **why)
{
    const char *authcid = test_yaml_str(v, "authcid");
    const char *b64 = test_yaml_str(v, "message_b64");
    const char *expect = test_yaml_str(v, "expect");
    if (authcid == NULL)
        return TRUE; /* transcript-only vector: replayed by the caller */
    g_autoptr(SaslClient) cl = sasl_client_new(SASL_MECH_PLAIN, authcid, test_yaml_str(v, "passwd"),
                                               test_yaml_str(v, "authzid"), NULL);
    g_autoptr(GBytes) ir = NULL;
    sasl_client_initial_response(cl, &ir);
    g_autofree char *got =
        sasl_line_encode_initial(g_bytes_get_data(ir, NULL), g_bytes_get_size(ir));
    if (strcmp(got, b64) != 0)
        return *why = "client message differs", FALSE;
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_PLAIN, NULL);
    SaslServerAct act;
    sasl_server_start(srv, g_bytes_get_data(ir, NULL), g_bytes_get_size(ir), &act);
    resolve(srv, &act);
    gboolean refused = expect != NULL && strstr(expect, "refused") != NULL;
    if (refused)
        return (act.kind == SASL_SERVER_ACT_FAILURE && act.reason == SASL_FAIL_AUTHZID) ||
               (*why = "authzid not refused", FALSE);
    return act.kind == SASL_SERVER_ACT_SUCCESS || (*why = "server refused", FALSE);
}

static gboolean
plain_malformed(const TestYaml *m, const char **why)
{
    const char *line = test_yaml_str(m, "client_line");
    if (line == NULL)
        line = test_yaml_str(m, "b64");
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_PLAIN, NULL);
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    sasl_server_act_clear(&act);
    GBytes *data = NULL;
    SaslLineResult lr = sasl_line_decode(line, strlen(line), FALSE, &data);
    if (lr == SASL_LINE_INVALID)
        return TRUE; /* 501 5.5.2 */
    if (lr == SASL_LINE_CANCEL) {
        sasl_server_cancel(srv, &act);
        return act.reason == SASL_FAIL_CANCELLED;
    }
    const TestYaml *esc = test_yaml_get(m, "message_escaped");
    if (esc != NULL && (esc->len != g_bytes_get_size(data) ||
                        memcmp(esc->value, g_bytes_get_data(data, NULL), esc->len) != 0)) {
        g_bytes_unref(data);
        return *why = "b64 and message_escaped disagree", FALSE;
    }
    sasl_server_step(srv, g_bytes_get_data(data, NULL), g_bytes_get_size(data), &act);
    g_bytes_unref(data);
    resolve(srv, &act);
    return (act.kind == SASL_SERVER_ACT_FAILURE && act.reason == SASL_FAIL_MALFORMED) ||
           (*why = "server did not refuse as malformed", FALSE);
}

static void
test_plain(void)
{
    g_autoptr(TestYaml) y = load("plain.yaml");
    if (y == NULL)
        return;
    Tally t = {0};
    const TestYaml *vs = test_yaml_get(y, "vectors");
    for (guint i = 0; i < test_yaml_len(vs); i++) {
        const TestYaml *v = test_yaml_at(vs, i);
        const char *why = "?";
        gboolean ok = plain_vector(v, &why);
        const TestYaml *tr = test_yaml_get(v, "transcript");
        if (ok && tr != NULL)
            ok = replay(tr, "test", "1234", "test", &why);
        tally(&t, ok, "plain", test_yaml_str(v, "id"), why);
    }
    const TestYaml *ms = test_yaml_get(y, "malformed");
    for (guint i = 0; i < test_yaml_len(ms); i++) {
        const char *why = "?";
        tally(&t, plain_malformed(test_yaml_at(ms, i), &why), "plain",
              test_yaml_str(test_yaml_at(ms, i), "id"), why);
    }
    report("plain.yaml", &t);
}

static void
test_login(void)
{
    g_autoptr(TestYaml) y = load("login.yaml");
    if (y == NULL)
        return;
    Tally t = {0};
    const TestYaml *vs = test_yaml_get(y, "vectors");
    for (guint i = 0; i < test_yaml_len(vs); i++) {
        const TestYaml *v = test_yaml_at(vs, i);
        const char *why = "?";
        const char *u = test_yaml_str(v, "username");
        const char *p = test_yaml_str(v, "password");
        gboolean ok = replay(test_yaml_get(v, "transcript"), u ? u : "tim",
                             p ? p : "tanstaaftanstaaf", NULL, &why);
        tally(&t, ok, "login", test_yaml_str(v, "id"), why);
    }
    report("login.yaml", &t);
}

static gboolean
cram_vector(const TestYaml *v, const char **why)
{
    const char *user = test_yaml_str(v, "username");
    const char *secret = test_yaml_str(v, "secret");
    const char *ch = test_yaml_str(v, "challenge");
    g_autofree char *hex = sasl_cram_md5_digest_hex(secret, (const guint8 *)ch, strlen(ch));
    if (strcmp(hex, test_yaml_str(v, "digest_hex")) != 0)
        return *why = "digest differs", FALSE;
    g_autoptr(SaslClient) cl = sasl_client_new(SASL_MECH_CRAM_MD5, user, secret, NULL, NULL);
    g_autoptr(GBytes) resp = NULL;
    sasl_client_step(cl, (const guint8 *)ch, strlen(ch), &resp);
    g_autofree char *rb = enc(resp);
    if (strcmp(rb, test_yaml_str(v, "response_b64")) != 0)
        return *why = "client response differs", FALSE;
    SaslServerConfig cfg = {.fixed_challenge = ch};
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_CRAM_MD5, &cfg);
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    g_autofree char *cb = enc(act.data);
    sasl_server_act_clear(&act);
    if (strcmp(cb, test_yaml_str(v, "challenge_b64")) != 0)
        return *why = "challenge b64 differs", FALSE;
    sasl_server_step(srv, g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), &act);
    resolve(srv, &act);
    if (act.kind != SASL_SERVER_ACT_SUCCESS)
        return *why = "server refused", FALSE;
    /* The captured exchange falls to a dictionary that holds the secret. */
    const char *words[] = {"password", secret, NULL};
    g_autofree char *resp_text = b64_text(rb);
    g_autofree char *cracked = sasl_crack_cram_md5(user, ch, resp_text, words);
    if (g_strcmp0(cracked, secret) != 0)
        return *why = "crack failed", FALSE;
    return replay(test_yaml_get(v, "transcript"), user, secret, NULL, why);
}

static gboolean
cram_negative(const TestYaml *n, const char **why)
{
    const char *ch = test_yaml_str(n, "challenge");
    if (ch == NULL)
        ch = "<1896.697170952@postoffice.reston.mci.net>";
    const char *resp = test_yaml_str(n, "response");
    g_autofree char *made = NULL;
    if (resp == NULL) {
        made = sasl_cram_md5_response(test_yaml_str(n, "username"), test_yaml_str(n, "secret"), ch);
        if (strstr(made, test_yaml_str(n, "must_not_equal_digest_hex")) != NULL)
            return *why = "wrong secret gave the right digest", FALSE;
        resp = made;
    }
    SaslServerConfig cfg = {.fixed_challenge = ch};
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_CRAM_MD5, &cfg);
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    sasl_server_act_clear(&act);
    sasl_server_step(srv, (const guint8 *)resp, strlen(resp), &act);
    resolve(srv, &act);
    /* Our recorded choice for upper-case hex: refuse (malformed). */
    return act.kind == SASL_SERVER_ACT_FAILURE || (*why = "server accepted", FALSE);
}

static void
test_cram_md5(void)
{
    g_autoptr(TestYaml) y = load("cram-md5.yaml");
    if (y == NULL)
        return;
    Tally t = {0};
    const TestYaml *vs = test_yaml_get(y, "vectors");
    for (guint i = 0; i < test_yaml_len(vs); i++) {
        const char *why = "?";
        tally(&t, cram_vector(test_yaml_at(vs, i), &why), "cram-md5",
              test_yaml_str(test_yaml_at(vs, i), "id"), why);
    }
    const TestYaml *ns = test_yaml_get(y, "negative");
    for (guint i = 0; i < test_yaml_len(ns); i++) {
        const char *why = "?";
        tally(&t, cram_negative(test_yaml_at(ns, i), &why), "cram-md5",
              test_yaml_str(test_yaml_at(ns, i), "id"), why);
    }
    report("cram-md5.yaml", &t);
}

static gboolean
str_b64_is(const char *text, const TestYaml *v, const char *key)
{
    const char *want = test_yaml_str(v, key);
    if (want == NULL)
        return TRUE;
    g_autofree char *got = sasl_line_encode((const guint8 *)text, strlen(text));
    return strcmp(got, want) == 0;
}

static gboolean
digest_vector(const TestYaml *v, const char **why)
{
    g_auto(GStrv) uri = g_strsplit(test_yaml_str(v, "digest_uri"), "/", 2);
    SaslServerConfig cfg = {.service = uri[0],
                            .hostname = uri[1],
                            .realm = test_yaml_str(v, "realm"),
                            .fixed_challenge = test_yaml_str(v, "nonce")};
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_DIGEST_MD5, &cfg);
    g_autoptr(SaslClient) cl = sasl_client_new(SASL_MECH_DIGEST_MD5, test_yaml_str(v, "username"),
                                               test_yaml_str(v, "password"), NULL, NULL);
    sasl_client_set_service(cl, uri[0], uri[1]);
    sasl_client_set_cnonce(cl, test_yaml_str(v, "cnonce"));
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    g_autofree char *ch = g_strndup(g_bytes_get_data(act.data, NULL), g_bytes_get_size(act.data));
    sasl_server_act_clear(&act);
    if (strcmp(ch, test_yaml_str(v, "server_challenge")) != 0 ||
        !str_b64_is(ch, v, "server_challenge_b64"))
        return *why = "server challenge differs", FALSE;
    g_autoptr(GBytes) resp = NULL;
    if (sasl_client_step(cl, (const guint8 *)ch, strlen(ch), &resp) != SASL_CLIENT_CONTINUE)
        return *why = "client refused the challenge", FALSE;
    g_autofree char *rs = g_strndup(g_bytes_get_data(resp, NULL), g_bytes_get_size(resp));
    if (strcmp(rs, test_yaml_str(v, "client_response")) != 0 ||
        !str_b64_is(rs, v, "client_response_b64"))
        return *why = "client response differs", FALSE;
    sasl_server_step(srv, (const guint8 *)rs, strlen(rs), &act);
    resolve(srv, &act);
    if (act.kind != SASL_SERVER_ACT_CHALLENGE)
        return *why = "server did not send rspauth", FALSE;
    g_autofree char *fin = g_strndup(g_bytes_get_data(act.data, NULL), g_bytes_get_size(act.data));
    sasl_server_act_clear(&act);
    g_autofree char *want_fin = g_strdup_printf("rspauth=%s", test_yaml_str(v, "expected_rspauth"));
    if (strcmp(fin, want_fin) != 0 || !str_b64_is(fin, v, "server_final_b64"))
        return *why = "rspauth differs", FALSE;
    g_autoptr(GBytes) ack = NULL;
    if (sasl_client_step(cl, (const guint8 *)fin, strlen(fin), &ack) != SASL_CLIENT_CONTINUE ||
        !sasl_client_server_verified(cl))
        return *why = "client did not verify rspauth", FALSE;
    sasl_server_step(srv, NULL, 0, &act);
    if (act.kind != SASL_SERVER_ACT_SUCCESS)
        return *why = "no success after the empty response", FALSE;
    const char *words[] = {"Secret", "secret", NULL};
    g_autofree char *cracked = sasl_crack_digest_md5(ch, rs, words);
    return g_strcmp0(cracked, "secret") == 0 || (*why = "crack failed", FALSE);
}

static gboolean
digest_parser_case(const TestYaml *c, const char **why)
{
    const char *in = test_yaml_str(c, "input");
    const TestYaml *expect = test_yaml_get(c, "expect");
    g_autoptr(SaslDigestDirectives) d = sasl_digest_parse(in, strlen(in), why);
    gboolean want_error = expect->kind == TEST_YAML_SCALAR && strcmp(expect->value, "error") == 0;
    if (want_error)
        return d == NULL || sasl_digest_check_challenge(d) != NULL || (*why = "accepted", FALSE);
    if (d == NULL || sasl_digest_check_challenge(d) != NULL)
        return *why = "refused", FALSE;
    for (guint i = 0; i < expect->keys->len; i++) {
        const char *k = g_ptr_array_index(expect->keys, i);
        const TestYaml *ev = g_ptr_array_index(expect->items, i);
        const char *got = sasl_digest_get(d, k);
        if (ev->kind == TEST_YAML_SEQ) {
            for (guint j = 0; j < test_yaml_len(ev); j++)
                if (!sasl_digest_list_has(got, test_yaml_at(ev, j)->value))
                    return *why = "list item missing", FALSE;
        } else if (g_strcmp0(got, ev->value) != 0) {
            return *why = "value differs", FALSE;
        }
    }
    return TRUE;
}

static void
test_digest_md5(void)
{
    g_autoptr(TestYaml) y = load("digest-md5.yaml");
    if (y == NULL)
        return;
    Tally t = {0};
    const TestYaml *vs = test_yaml_get(y, "vectors");
    for (guint i = 0; i < test_yaml_len(vs); i++) {
        const char *why = "?";
        tally(&t, digest_vector(test_yaml_at(vs, i), &why), "digest-md5",
              test_yaml_str(test_yaml_at(vs, i), "id"), why);
    }
    const TestYaml *ps = test_yaml_get(y, "parser_cases");
    for (guint i = 0; i < test_yaml_len(ps); i++) {
        const char *why = "?";
        tally(&t, digest_parser_case(test_yaml_at(ps, i), &why), "digest-md5",
              test_yaml_str(test_yaml_at(ps, i), "input"), why);
    }
    report("digest-md5.yaml", &t);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/sasl-conformance/plain", test_plain);
    g_test_add_func("/proto/sasl-conformance/login", test_login);
    g_test_add_func("/proto/sasl-conformance/cram-md5", test_cram_md5);
    g_test_add_func("/proto/sasl-conformance/digest-md5", test_digest_md5);
    return g_test_run();
}
