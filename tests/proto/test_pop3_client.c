/* SPDX-License-Identifier: MIT
 * Tests for proto/pop3_client: transcripts (the .t files in
 * tests/proto/pop3_client) replayed whole, byte by byte and split at every
 * point; client<->server pair runs with no simulator (keep=TRUE twice,
 * keep=FALSE, STLS, wrong password) over several chunk sizes.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "helper_pop3.h"
#include "proto/pop3_client.h"
#include "proto/pop3_server.h"

/* ---- transcript driver ---- */

static void
cli_feed(gpointer eng, const guint8 *buf, gsize len)
{
    pop3_client_feed(eng, buf, len);
}

static void
cli_feed_eof(gpointer eng)
{
    pop3_client_feed_eof(eng);
}

static gboolean
cli_poll(gpointer eng, GBytes **send, char **desc, guint32 *qid, gboolean *is_stls, GBytes **body)
{
    Pop3ClientAct act;
    (void)qid;
    if (!pop3_client_poll(eng, &act))
        return FALSE;
    if (act.kind == POP3_CLIENT_ACT_SEND)
        *send = g_bytes_ref(act.bytes);
    else
        *desc = pop3_client_act_to_string(&act);
    if (act.kind == POP3_CLIENT_ACT_MESSAGE)
        *body = g_bytes_ref(act.bytes);
    *is_stls = act.kind == POP3_CLIENT_ACT_STLS;
    pop3_client_act_clear(&act);
    return TRUE;
}

static void
cli_answer(gpointer eng, guint32 qid, const char *qline)
{
    (void)eng;
    (void)qid;
    g_error("the client never queries (%s)", qline);
}

static void
cli_stls_done(gpointer eng)
{
    pop3_client_stls_done(eng);
}

static Pop3Client *
cli_new_from(const Pop3Transcript *t, GStrv *seen_out)
{
    Pop3ClientConfig cfg = {0};
    cfg.user = pop3_test_setting(t, "user");
    cfg.password = pop3_test_setting(t, "password");
    cfg.use_apop = pop3_test_setting(t, "apop") != NULL;
    cfg.keep = pop3_test_setting(t, "keep") != NULL;
    cfg.want_stls = pop3_test_setting(t, "stls") != NULL;
    cfg.require_stls = pop3_test_setting(t, "require_stls") != NULL;
    const char *seen = pop3_test_setting(t, "seen");
    *seen_out = seen ? g_strsplit(seen, ",", -1) : NULL;
    cfg.seen_uids = (const char *const *)*seen_out;
    return pop3_client_new(&cfg);
}

static void
cli_check_once(const Pop3Transcript *t, gsize chunk, gsize split, const char *what)
{
    g_auto(GStrv) seen = NULL;
    Pop3Client *cli = cli_new_from(t, &seen);
    Pop3TestEngine e = {cli, cli_feed, cli_feed_eof, cli_poll, cli_answer, cli_stls_done};
    g_autofree char *got =
        split ? pop3_test_replay_split(t, &e, split) : pop3_test_replay(t, &e, chunk);
    if (strcmp(got, t->expected->str) != 0)
        g_test_message("%s (chunk %zu split %zu):\n--- expected\n%s--- got\n%s", what, chunk, split,
                       t->expected->str, got);
    g_assert_cmpstr(got, ==, t->expected->str);
    g_assert_true(pop3_client_is_done(cli));
    const char *disc = pop3_test_setting(t, "discarded");
    if (disc)
        g_assert_cmpuint(pop3_client_get_discarded(cli), ==, (guint64)atoi(disc));
    pop3_client_free(cli);
}

static void
test_transcript(gconstpointer data)
{
    const char *name = data;
    g_autofree char *rel = g_strdup_printf("pop3_client/%s.t", name);
    g_autoptr(Pop3Transcript) t = pop3_test_transcript_load(rel);
    g_assert_cmpuint(t->expected->len, >, 0);
    cli_check_once(t, 0, 0, name);
    cli_check_once(t, 1, 0, name);
    gsize max = 0;
    for (guint s = 0; s < t->segments->len; s++)
        max = MAX(max, ((GByteArray *)t->segments->pdata[s])->len);
    for (gsize split = 1; split < max; split++)
        cli_check_once(t, 0, split, name);
}

/* ---- pair: client and server engines wired back to back ---- */

typedef struct {
    char *uid;
    GBytes *bytes;
} PairMail;

static void
pair_mail_free(gpointer p)
{
    PairMail *m = p;
    g_free(m->uid);
    g_bytes_unref(m->bytes);
    g_free(m);
}

/* The node's side: one user's maildrop. */
typedef struct {
    const char *user, *password;
    GPtrArray *mails; /* PairMail* */
    gboolean locked;
    guint updates;
} PairBox;

static void
pair_box_add(PairBox *b, const char *uid, const char *text)
{
    PairMail *m = g_new0(PairMail, 1);
    m->uid = g_strdup(uid);
    m->bytes = g_bytes_new(text, strlen(text));
    g_ptr_array_add(b->mails, m);
}

static void
pair_answer(Pop3Server *srv, PairBox *b, const Pop3ServerQuery *q)
{
    Pop3ServerAnswer ans = {.verdict = POP3_ANSWER_DENY};
    g_autoptr(GArray) infos = g_array_new(FALSE, TRUE, sizeof(Pop3MsgInfo));
    gboolean user_ok = g_strcmp0(q->user, b->user) == 0;
    switch (q->kind) {
    case POP3_QUERY_AUTH_USERPASS:
        if (user_ok && g_strcmp0(q->password, b->password) == 0)
            ans.verdict = POP3_ANSWER_OK;
        break;
    case POP3_QUERY_AUTH_APOP:
        if (user_ok) {
            ans.verdict = POP3_ANSWER_OK;
            ans.secret = b->password; /* the engine checks the digest */
        }
        break;
    case POP3_QUERY_LOCK_MAILDROP:
        if (b->locked) {
            ans.verdict = POP3_ANSWER_IN_USE;
            break;
        }
        b->locked = TRUE;
        for (guint i = 0; i < b->mails->len; i++) {
            PairMail *m = b->mails->pdata[i];
            Pop3MsgInfo mi = {g_bytes_get_size(m->bytes), m->uid};
            g_array_append_val(infos, mi);
        }
        ans.verdict = POP3_ANSWER_OK;
        ans.msgs = (const Pop3MsgInfo *)infos->data;
        ans.n_msgs = infos->len;
        break;
    case POP3_QUERY_MESSAGE:
        g_assert_cmpuint(q->msg, >=, 1);
        g_assert_cmpuint(q->msg, <=, b->mails->len);
        ans.verdict = POP3_ANSWER_OK;
        ans.message = ((PairMail *)b->mails->pdata[q->msg - 1])->bytes;
        break;
    case POP3_QUERY_UPDATE:
        for (guint i = q->deleted->len; i > 0; i--)
            g_ptr_array_remove_index(b->mails, g_array_index(q->deleted, guint, i - 1) - 1);
        b->updates++;
        b->locked = FALSE;
        ans.verdict = POP3_ANSWER_OK;
        break;
    case POP3_QUERY_NONE:
    default:
        g_assert_not_reached();
    }
    pop3_server_answer(srv, q->id, &ans);
}

typedef struct {
    gboolean ok;
    guint retrieved, deleted;
    char *reason;
    GPtrArray *uids;     /* char*: MESSAGE uids, in order */
    GPtrArray *messages; /* GBytes*: MESSAGE bytes, in order */
} PairResult;

static void
pair_result_clear(PairResult *r)
{
    g_free(r->reason);
    g_ptr_array_unref(r->uids);
    g_ptr_array_unref(r->messages);
}

static void
pair_move(GByteArray *from, gsize mtu, gpointer to, gboolean to_server)
{
    if (from->len == 0)
        return;
    gsize n = mtu ? MIN(mtu, from->len) : from->len;
    if (to_server)
        pop3_server_feed(to, from->data, n);
    else
        pop3_client_feed(to, from->data, n);
    g_byte_array_remove_range(from, 0, (guint)n);
}

static gboolean
pair_poll_server(Pop3Server *srv, PairBox *box, GByteArray *to_cli, gboolean *tls, gboolean *closed)
{
    Pop3ServerAct a;
    gboolean any = FALSE;
    while (pop3_server_poll(srv, &a)) {
        any = TRUE;
        if (a.kind == POP3_SERVER_ACT_SEND)
            g_byte_array_append(to_cli, g_bytes_get_data(a.bytes, NULL),
                                (guint)g_bytes_get_size(a.bytes));
        else if (a.kind == POP3_SERVER_ACT_QUERY)
            pair_answer(srv, box, &a.query);
        else if (a.kind == POP3_SERVER_ACT_STLS)
            *tls = TRUE;
        else if (a.kind == POP3_SERVER_ACT_CLOSE) {
            *closed = TRUE;
            box->locked = FALSE; /* the node unlocks on close */
        }
        pop3_server_act_clear(&a);
    }
    return any;
}

static gboolean
pair_poll_client(Pop3Client *cli, PairResult *r, GByteArray *to_srv, gboolean *tls,
                 gboolean *closed)
{
    Pop3ClientAct a;
    gboolean any = FALSE;
    while (pop3_client_poll(cli, &a)) {
        any = TRUE;
        if (a.kind == POP3_CLIENT_ACT_SEND)
            g_byte_array_append(to_srv, g_bytes_get_data(a.bytes, NULL),
                                (guint)g_bytes_get_size(a.bytes));
        else if (a.kind == POP3_CLIENT_ACT_MESSAGE) {
            g_ptr_array_add(r->uids, g_strdup(a.uid));
            g_ptr_array_add(r->messages, g_bytes_ref(a.bytes));
        } else if (a.kind == POP3_CLIENT_ACT_DONE) {
            r->ok = a.ok;
            r->retrieved = a.retrieved;
            r->deleted = a.deleted;
            r->reason = g_strdup(a.text);
        } else if (a.kind == POP3_CLIENT_ACT_STLS)
            *tls = TRUE;
        else if (a.kind == POP3_CLIENT_ACT_CLOSE)
            *closed = TRUE;
        pop3_client_act_clear(&a);
    }
    return any;
}

/* Runs one session; mtu: octets per delivery (0: all buffered at once). */
static void
pair_run(PairBox *box, const Pop3ClientConfig *ccfg, const Pop3ServerConfig *scfg, gsize mtu,
         PairResult *r)
{
    memset(r, 0, sizeof *r);
    r->uids = g_ptr_array_new_with_free_func(g_free);
    r->messages = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_autoptr(Pop3Server) srv = pop3_server_new(scfg);
    g_autoptr(Pop3Client) cli = pop3_client_new(ccfg);
    g_autoptr(GByteArray) to_cli = g_byte_array_new();
    g_autoptr(GByteArray) to_srv = g_byte_array_new();
    gboolean s_tls = FALSE, c_tls = FALSE, s_closed = FALSE, c_closed = FALSE;
    gboolean s_eof = FALSE, c_eof = FALSE;
    for (guint round = 0; round < 100000; round++) {
        gboolean any = pair_poll_server(srv, box, to_cli, &s_tls, &s_closed);
        any |= pair_poll_client(cli, r, to_srv, &c_tls, &c_closed);
        if (s_tls && c_tls) {
            /* Both ends switched: the TLS layer would run here. */
            pop3_server_stls_done(srv);
            pop3_client_stls_done(cli);
            s_tls = c_tls = FALSE;
            any = TRUE;
        }
        if (to_srv->len > 0 && !s_tls) {
            pair_move(to_srv, mtu, srv, TRUE);
            any = TRUE;
        }
        if (to_cli->len > 0 && !c_tls) {
            pair_move(to_cli, mtu, cli, FALSE);
            any = TRUE;
        }
        if (s_closed && to_cli->len == 0 && !c_eof) {
            pop3_client_feed_eof(cli);
            c_eof = any = TRUE;
        }
        if (c_closed && to_srv->len == 0 && !s_eof) {
            pop3_server_feed_eof(srv);
            s_eof = any = TRUE;
        }
        if (!any)
            break;
    }
    g_assert_true(pop3_client_is_done(cli));
    g_assert_true(pop3_server_is_done(srv));
    if (ccfg->want_stls && scfg->offer_stls) {
        g_assert_true(pop3_client_is_secure(cli));
        g_assert_true(pop3_server_is_secure(srv));
    }
    g_assert_false(box->locked);
}

static const char *const pair_texts[] = {
    "From: a@x\r\nSubject: one\r\n\r\nhello\r\n.\r\n",
    "From: b@x\r\nSubject: two\r\n\r\n.leading dot\r\n..two\r\n\r\nend\r\n",
    "From: c@x\r\nSubject: three\r\n\r\nthird\r\n",
};

static void
pair_box_init(PairBox *b)
{
    b->user = "bob";
    b->password = "tanstaaf";
    b->mails = g_ptr_array_new_with_free_func(pair_mail_free);
    pair_box_add(b, "uid-1", pair_texts[0]);
    pair_box_add(b, "uid-2", pair_texts[1]);
    pair_box_add(b, "uid-3", pair_texts[2]);
}

static const gsize pair_mtus[] = {0, 1, 3, 7, 64};

/* keep=TRUE twice: the second fetch finds nothing new thanks to UIDL; a
 * new message is then the only one fetched. */
static void
test_pair_keep(void)
{
    for (gsize k = 0; k < G_N_ELEMENTS(pair_mtus); k++) {
        PairBox box = {0};
        pair_box_init(&box);
        Pop3ServerConfig scfg = {.hostname = "ms.example", .apop_timestamp = "<7.1@ms.example>"};
        Pop3ClientConfig ccfg = {
            .user = "bob", .password = "tanstaaf", .use_apop = TRUE, .keep = TRUE};
        PairResult r;
        pair_run(&box, &ccfg, &scfg, pair_mtus[k], &r);
        g_assert_true(r.ok);
        g_assert_cmpuint(r.retrieved, ==, 3);
        g_assert_cmpuint(r.deleted, ==, 0);
        g_assert_cmpuint(r.messages->len, ==, 3);
        for (guint i = 0; i < 3; i++) {
            gsize n;
            const char *p = g_bytes_get_data(r.messages->pdata[i], &n);
            g_assert_cmpmem(p, n, pair_texts[i], strlen(pair_texts[i]));
        }
        g_assert_cmpuint(box.mails->len, ==, 3);
        g_assert_cmpuint(box.updates, ==, 1);

        g_ptr_array_add(r.uids, NULL);
        ccfg.seen_uids = (const char *const *)r.uids->pdata;
        PairResult r2;
        pair_run(&box, &ccfg, &scfg, pair_mtus[k], &r2);
        g_assert_true(r2.ok);
        g_assert_cmpuint(r2.retrieved, ==, 0);
        g_assert_cmpuint(box.mails->len, ==, 3);

        pair_box_add(&box, "uid-4", "Subject: four\r\n\r\nnew\r\n");
        PairResult r3;
        pair_run(&box, &ccfg, &scfg, pair_mtus[k], &r3);
        g_assert_true(r3.ok);
        g_assert_cmpuint(r3.retrieved, ==, 1);
        g_assert_cmpstr(r3.uids->pdata[0], ==, "uid-4");
        pair_result_clear(&r);
        pair_result_clear(&r2);
        pair_result_clear(&r3);
        g_ptr_array_unref(box.mails);
    }
}

/* keep=FALSE with USER/PASS over STLS: everything fetched and deleted, the
 * maildrop is empty after, a second fetch gets nothing. */
static void
test_pair_delete(void)
{
    for (gsize k = 0; k < G_N_ELEMENTS(pair_mtus); k++) {
        PairBox box = {0};
        pair_box_init(&box);
        Pop3ServerConfig scfg = {.offer_stls = TRUE, .userpass_needs_tls = TRUE};
        Pop3ClientConfig ccfg = {.user = "bob", .password = "tanstaaf", .want_stls = TRUE};
        PairResult r;
        pair_run(&box, &ccfg, &scfg, pair_mtus[k], &r);
        g_assert_true(r.ok);
        g_assert_cmpuint(r.retrieved, ==, 3);
        g_assert_cmpuint(r.deleted, ==, 3);
        g_assert_cmpuint(box.mails->len, ==, 0);
        g_assert_cmpstr(r.uids->pdata[1], ==, "uid-2");
        gsize n;
        const char *p = g_bytes_get_data(r.messages->pdata[1], &n);
        g_assert_cmpmem(p, n, pair_texts[1], strlen(pair_texts[1]));
        PairResult r2;
        pair_run(&box, &ccfg, &scfg, pair_mtus[k], &r2);
        g_assert_true(r2.ok);
        g_assert_cmpuint(r2.retrieved, ==, 0);
        g_assert_cmpuint(r2.deleted, ==, 0);
        pair_result_clear(&r);
        pair_result_clear(&r2);
        g_ptr_array_unref(box.mails);
    }
}

/* A wrong APOP secret and a wrong password: nothing fetched, nothing lost. */
static void
test_pair_bad_auth(void)
{
    PairBox box = {0};
    pair_box_init(&box);
    Pop3ServerConfig scfg = {.apop_timestamp = "<9.9@ms.example>"};
    Pop3ClientConfig ccfg = {.user = "bob", .password = "wrong", .use_apop = TRUE};
    PairResult r;
    pair_run(&box, &ccfg, &scfg, 5, &r);
    g_assert_false(r.ok);
    g_assert_cmpstr(r.reason, ==, "authentication failed: [AUTH] authentication failed");
    g_assert_cmpuint(r.retrieved, ==, 0);
    ccfg.use_apop = FALSE;
    PairResult r2;
    pair_run(&box, &ccfg, &scfg, 0, &r2);
    g_assert_false(r2.ok);
    g_assert_cmpuint(box.mails->len, ==, 3);
    g_assert_cmpuint(box.updates, ==, 0);
    pair_result_clear(&r);
    pair_result_clear(&r2);
    g_ptr_array_unref(box.mails);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    static const char *const names[] = {
        "apop_keep", "userpass_delete", "auth_fail",    "stls",    "stls_required",
        "quit_fail", "eof_mid",         "bad_greeting", "refused", "limits"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *p = g_strdup_printf("/proto/pop3-client/transcript/%s", names[i]);
        g_test_add_data_func(p, names[i], test_transcript);
    }
    g_test_add_func("/proto/pop3-client/pair/keep-twice", test_pair_keep);
    g_test_add_func("/proto/pop3-client/pair/delete-all", test_pair_delete);
    g_test_add_func("/proto/pop3-client/pair/bad-auth", test_pair_bad_auth);
    return g_test_run();
}
