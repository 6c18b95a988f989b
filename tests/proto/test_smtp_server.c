/* SPDX-License-Identifier: MIT
 * Tests for proto/smtp_server: transcript files (tests/proto/smtp_server/NAME.t)
 * replayed whole, byte by byte and split at every point; limits; STARTTLS
 * leftovers (RFC 3207 4.2); the SMTP smuggling vectors (RFC 5321 4.1.1.4).
 *
 * Transcript lines: "C: " a line fed with CRLF added; "R: " raw bytes fed
 * (C escapes, nothing added); "S: " an expected reply line; "A: " an expected
 * other action (smtp_server_act_to_string(); CMD actions are not listed);
 * "Q: " the answer to the last query ("-" = NULL, "\n" separates lines);
 * "T: N" starttls_done(), N octets discarded in all (STARTTLS action + late); "E:" end of input from the peer;
 * "! key value" configuration (before the first C:); "#" comments.
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/smtp_path.h"
#include "proto/smtp_server.h"

typedef struct {
    char kind; /* C R S A Q T E */
    char *text;
    gsize len; /* C/R: bytes */
} TEntry;

typedef struct {
    SmtpServerConfig cfg;
    GStrv auth;
    char *hostname;
    GArray *entries; /* TEntry */
    gsize input_len;
} Transcript;

static void
tentry_clear(gpointer p)
{
    g_free(((TEntry *)p)->text);
}

static void
transcript_free(Transcript *t)
{
    g_strfreev(t->auth);
    g_free(t->hostname);
    g_array_unref(t->entries);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Transcript, transcript_free)

static void
transcript_config(Transcript *t, const char *key, const char *val)
{
    if (strcmp(key, "starttls") == 0)
        t->cfg.starttls_offered = TRUE;
    else if (strcmp(key, "auth") == 0) {
        t->auth = g_strsplit(val, " ", -1);
        t->cfg.auth_mechs = (const char *const *)t->auth;
    } else if (strcmp(key, "auth_requires_tls") == 0)
        t->cfg.auth_requires_tls = TRUE;
    else if (strcmp(key, "auth_required") == 0)
        t->cfg.auth_required = TRUE;
    else if (strcmp(key, "tls_required") == 0)
        t->cfg.tls_required = TRUE;
    else if (strcmp(key, "max_rcpts") == 0)
        t->cfg.max_rcpts = (guint)atoi(val);
    else if (strcmp(key, "max_size") == 0)
        t->cfg.max_size = g_ascii_strtoull(val, NULL, 10);
    else if (strcmp(key, "max_errors") == 0)
        t->cfg.max_errors = (guint)atoi(val);
    else if (strcmp(key, "ext_off") == 0)
        t->cfg.ext_off = (guint)atoi(val);
    else if (strcmp(key, "data_end") == 0)
        g_assert_true(smtp_data_end_mode_from_string(val, &t->cfg.data_end));
    else if (strcmp(key, "dsn") == 0)
        t->cfg.dsn_offered = TRUE;
    else
        g_error("unknown transcript config %s", key);
}

static Transcript *
transcript_parse(const char *text)
{
    Transcript *t = g_new0(Transcript, 1);
    t->hostname = g_strdup("mx.example");
    t->cfg.hostname = t->hostname;
    t->entries = g_array_new(FALSE, TRUE, sizeof(TEntry));
    g_array_set_clear_func(t->entries, tentry_clear);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        const char *l = lines[i];
        if (l[0] == '\0' || l[0] == '#')
            continue;
        if (l[0] == '!') {
            g_auto(GStrv) kv = g_strsplit(l + 2, " ", 2);
            transcript_config(t, kv[0], kv[1] ? kv[1] : "");
            continue;
        }
        g_assert_true(l[1] == ':');
        TEntry e = {.kind = l[0]};
        const char *body = l[2] == ' ' ? l + 3 : l + 2;
        if (e.kind == 'C' || e.kind == 'R') {
            /* g_strcompress stops at "\0": split around it. */
            GString *b = g_string_new(NULL);
            for (const char *p = body; *p; p++) {
                if (p[0] == '\\' && p[1] == '0') {
                    g_string_append_c(b, '\0');
                    p++;
                } else {
                    const char *q = p;
                    while (q[0] && !(q[0] == '\\' && q[1] == '0'))
                        q++;
                    g_autofree char *part = g_strndup(p, (gsize)(q - p));
                    g_autofree char *c = g_strcompress(part);
                    g_string_append(b, c);
                    p = q - 1;
                }
            }
            if (e.kind == 'C')
                g_string_append(b, "\r\n");
            e.len = b->len;
            e.text = g_string_free(b, FALSE);
            t->input_len += e.len;
        } else if (e.kind == 'Q') {
            e.text = g_strcompress(body);
        } else {
            e.text = g_strdup(body);
        }
        g_array_append_val(t->entries, e);
    }
    return t;
}

/* Replays the transcript. split == 0: whole segments; split == 1: byte by
 * byte; split >= 2: input split once at global offset split - 1. */
typedef struct {
    SmtpServer *srv;
    GPtrArray *got; /* "S: ..." / "A: ..." strings */
    GString *sendbuf;
    guint32 last_query;
    gsize tls_discarded; /* STARTTLS discards: chunking decides how they are split
                            between the action and starttls_done(), the sum is fixed */
    gboolean closed;
} Replay;

static void
replay_drain(Replay *r)
{
    SmtpServerAct act;
    while (smtp_server_poll(r->srv, &act)) {
        if (act.kind == SMTP_SERVER_ACT_SEND) {
            gsize n;
            const char *p = g_bytes_get_data(act.bytes, &n);
            g_string_append_len(r->sendbuf, p, (gssize)n);
            char *nl;
            while ((nl = strstr(r->sendbuf->str, "\r\n")) != NULL) {
                g_ptr_array_add(r->got, g_strdup_printf("S: %.*s", (int)(nl - r->sendbuf->str),
                                                        r->sendbuf->str));
                g_string_erase(r->sendbuf, 0, nl - r->sendbuf->str + 2);
            }
        } else if (act.kind != SMTP_SERVER_ACT_CMD) {
            if (act.kind == SMTP_SERVER_ACT_QUERY)
                r->last_query = act.query.id;
            if (act.kind == SMTP_SERVER_ACT_CLOSE)
                r->closed = TRUE;
            if (act.kind == SMTP_SERVER_ACT_STARTTLS) {
                r->tls_discarded += act.discarded;
                g_ptr_array_add(r->got, g_strdup("A: STARTTLS"));
            } else {
                g_autofree char *s = smtp_server_act_to_string(&act);
                g_ptr_array_add(r->got, g_strdup_printf("A: %s", s));
            }
        }
        smtp_server_act_clear(&act);
    }
}

static void
replay_feed(Replay *r, const char *buf, gsize len, gsize base, gsize split)
{
    if (split == 1) {
        for (gsize i = 0; i < len; i++) {
            smtp_server_feed(r->srv, (const guint8 *)buf + i, 1);
            replay_drain(r);
        }
        return;
    }
    gsize cut = split >= 2 ? split - 1 : G_MAXSIZE;
    if (cut > base && cut < base + len) {
        smtp_server_feed(r->srv, (const guint8 *)buf, cut - base);
        replay_drain(r);
        smtp_server_feed(r->srv, (const guint8 *)buf + (cut - base), len - (cut - base));
    } else {
        smtp_server_feed(r->srv, (const guint8 *)buf, len);
    }
    replay_drain(r);
}

static void
replay_check(Replay *r, GPtrArray *want, const char *name, gsize split)
{
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    for (guint i = 0; i < r->got->len; i++)
        g_string_append_printf(a, "%s\n", (char *)g_ptr_array_index(r->got, i));
    for (guint i = 0; i < want->len; i++)
        g_string_append_printf(b, "%s\n", (char *)g_ptr_array_index(want, i));
    if (strcmp(a->str, b->str) != 0) {
        g_printerr("transcript %s (split mode %" G_GSIZE_FORMAT ") differs:\n--- got\n%s--- want\n%s",
                   name, split, a->str, b->str);
    }
    g_assert_cmpstr(a->str, ==, b->str);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    g_ptr_array_set_size(r->got, 0);
    g_ptr_array_set_size(want, 0);
}

/* An engine that served another configuration (DSN and AUTH offered, lenient
 * end of data) up to the middle of a message, its queries accepted, then
 * reused for cfg: it must behave exactly as a new one (smtp_server_reuse). */
static SmtpServer *
replay_used_engine(const SmtpServerConfig *cfg)
{
    static const char *const mechs[] = {"PLAIN", NULL};
    SmtpServerConfig other = {.hostname = "other.example",
                              .greeting = "other",
                              .dsn_offered = TRUE,
                              .auth_mechs = mechs,
                              .max_rcpts = 2,
                              .max_size = 100,
                              .data_end = SMTP_DATA_END_LENIENT_LF};
    SmtpServer *srv = smtp_server_new(&other);
    static const char dialogue[] = "EHLO a.example\r\n"
                                   "MAIL FROM:<a@a.example> RET=HDRS ENVID=e1\r\n"
                                   "RCPT TO:<b@b.example> NOTIFY=NEVER ORCPT=rfc822;b@b.example\r\n"
                                   "DATA\r\n"
                                   "Subject: one\r\n\r\nbody\r\n.\r\n"
                                   "MAIL FROM:<c@c.example>\r\n"
                                   "RCPT TO:<d@d.example>\r\n"
                                   "RCPT TO:<e@e.example> NOTIFY=NEVER\r\n"
                                   "NOOP\r\n";
    smtp_server_feed(srv, (const guint8 *)dialogue, sizeof dialogue - 1);
    /* CONNECT, EHLO, MAIL, RCPT, the message, MAIL, RCPT accepted; the
     * last RCPT left waiting for its answer, NOOP unread, a recipient in
     * the transaction, replies not taken. */
    guint answered = 0;
    gboolean progress = TRUE;
    while (progress) {
        progress = FALSE;
        SmtpServerAct act;
        while (smtp_server_poll(srv, &act)) {
            guint32 query = act.kind == SMTP_SERVER_ACT_QUERY ? act.query.id : 0;
            smtp_server_act_clear(&act);
            if (query != 0 && answered < 7) {
                smtp_server_answer(srv, query, NULL);
                answered++;
                progress = TRUE;
            }
        }
    }
    g_assert_cmpuint(answered, ==, 7);
    smtp_server_feed(srv, (const guint8 *)"RSET\r\n", 6);
    smtp_server_reuse(srv, cfg);
    return srv;
}

static void
transcript_replay_engine(const Transcript *t, const char *name, gsize split, gboolean reused)
{
    Replay r = {0};
    r.srv = reused ? replay_used_engine(&t->cfg) : smtp_server_new(&t->cfg);
    r.got = g_ptr_array_new_with_free_func(g_free);
    r.sendbuf = g_string_new(NULL);
    g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
    GString *in = g_string_new(NULL);
    gsize base = 0;
    replay_drain(&r);
    for (guint i = 0; i <= t->entries->len; i++) {
        const TEntry *e = i < t->entries->len ? &g_array_index(t->entries, TEntry, i) : NULL;
        if (e && (e->kind == 'C' || e->kind == 'R')) {
            g_string_append_len(in, e->text, (gssize)e->len);
            continue;
        }
        if (e && (e->kind == 'S' || e->kind == 'A')) {
            g_ptr_array_add(want, g_strdup_printf("%c: %s", e->kind, e->text));
            continue;
        }
        /* A control entry (or the end): feed, then compare. */
        replay_feed(&r, in->str, in->len, base, split);
        base += in->len;
        g_string_truncate(in, 0);
        replay_check(&r, want, name, split);
        if (e == NULL)
            break;
        if (e->kind == 'Q') {
            g_autoptr(SmtpReply) rep = strcmp(e->text, "-") == 0 ? NULL
                                                                 : smtp_reply_parse_string(e->text);
            g_assert_true(rep != NULL || strcmp(e->text, "-") == 0);
            smtp_server_answer(r.srv, r.last_query, rep);
        } else if (e->kind == 'T') {
            gsize late = smtp_server_starttls_done(r.srv);
            g_assert_cmpuint(r.tls_discarded + late, ==, g_ascii_strtoull(e->text, NULL, 10));
            r.tls_discarded = 0;
        } else if (e->kind == 'E') {
            smtp_server_feed_eof(r.srv);
        }
        replay_drain(&r);
    }
    g_assert_cmpuint(r.sendbuf->len, ==, 0);
    g_string_free(in, TRUE);
    g_string_free(r.sendbuf, TRUE);
    g_ptr_array_unref(r.got);
    smtp_server_free(r.srv);
}

static void
transcript_replay(const Transcript *t, const char *name, gsize split)
{
    transcript_replay_engine(t, name, split, FALSE);
}

static void
transcript_run_all_modes(const char *text, const char *name)
{
    g_autoptr(Transcript) t = transcript_parse(text);
    transcript_replay(t, name, 0);
    transcript_replay_engine(t, name, 0, TRUE);
    transcript_replay_engine(t, name, 1, TRUE);
    transcript_replay(t, name, 1);
    for (gsize p = 1; p < t->input_len; p++)
        transcript_replay(t, name, p + 1);
}

static void
test_transcript_file(gconstpointer data)
{
    const char *path = data;
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, &err));
    g_autofree char *base = g_path_get_basename(path);
    transcript_run_all_modes(text, base);
}

static gint
test_strcmp_ptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Poll until a query and return it (the act is the caller's to clear). */
static void
test_poll_query(SmtpServer *srv, SmtpServerAct *act)
{
    for (;;) {
        g_assert_true(smtp_server_poll(srv, act));
        if (act->kind == SMTP_SERVER_ACT_QUERY)
            return;
        smtp_server_act_clear(act);
    }
}

/* RFC 4954 5: AUTH= given twice in one MAIL; the last value is the one
 * passed on, as for SIZE= and BODY= (the first was leaked, found by
 * fuzz_smtp_server). */
static void
test_mail_auth_param_twice(void)
{
    static const char *const mechs[] = {"PLAIN", NULL};
    SmtpServerConfig cfg = {.hostname = "mx.example", .auth_mechs = mechs};
    g_autoptr(SmtpServer) srv = smtp_server_new(&cfg);
    SmtpServerAct act = {0};
    test_poll_query(srv, &act);
    smtp_server_answer(srv, act.query.id, NULL);
    smtp_server_act_clear(&act);
    static const char in[] = "EHLO c.example\r\nMAIL FROM:<> AUTH=<> AUTH=a+2Bb\r\n";
    smtp_server_feed(srv, (const guint8 *)in, sizeof in - 1);
    test_poll_query(srv, &act);
    g_assert_cmpint(act.query.kind, ==, SMTP_SERVER_QUERY_EHLO);
    smtp_server_answer(srv, act.query.id, NULL);
    smtp_server_act_clear(&act);
    test_poll_query(srv, &act);
    g_assert_cmpint(act.query.kind, ==, SMTP_SERVER_QUERY_MAIL);
    g_assert_cmpstr(act.query.auth_param, ==, "a+b");
    smtp_server_act_clear(&act);
}

/* RFC 5321 4.1.2 Mail-parameters: keywords and values as sent, in order;
 * a value may be absent; empty input is no parameter; bad forms are NULL. */
static void
test_params_parse(void)
{
    g_autoptr(GPtrArray) a = smtp_params_parse(" SIZE=1234  BODY=8BITMIME SMTPUTF8 X-Y=a+2Bb");
    g_assert_nonnull(a);
    g_assert_cmpuint(a->len, ==, 4);
    static const char *const want[][2] = {
        {"SIZE", "1234"}, {"BODY", "8BITMIME"}, {"SMTPUTF8", NULL}, {"X-Y", "a+2Bb"}};
    for (guint i = 0; i < a->len; i++) {
        const SmtpParam *p = g_ptr_array_index(a, i);
        g_assert_cmpstr(p->keyword, ==, want[i][0]);
        g_assert_cmpstr(p->value, ==, want[i][1]);
    }
    gboolean found = FALSE;
    g_assert_cmpstr(smtp_params_get(a, "body", &found), ==, "8BITMIME");
    g_assert_true(found);
    g_autoptr(GPtrArray) none = smtp_params_parse("");
    g_assert_nonnull(none);
    g_assert_cmpuint(none->len, ==, 0);
    g_autoptr(GPtrArray) spaces = smtp_params_parse("   ");
    g_assert_nonnull(spaces);
    g_assert_cmpuint(spaces->len, ==, 0);
    g_assert_null(smtp_params_parse("SIZE=1"));     /* no space before it */
    g_assert_null(smtp_params_parse(" SIZE="));     /* empty value */
    g_assert_null(smtp_params_parse(" -X=1"));      /* keyword starts with "-" */
    g_assert_null(smtp_params_parse(" A=1 B=x=y")); /* "=" inside a value */
}

/* RCPT with and without parameters: the query carries them only when sent. */
static void
test_rcpt_params_query(void)
{
    SmtpServerConfig cfg = {.hostname = "mx.example", .dsn_offered = TRUE};
    g_autoptr(SmtpServer) srv = smtp_server_new(&cfg);
    SmtpServerAct act = {0};
    test_poll_query(srv, &act);
    smtp_server_answer(srv, act.query.id, NULL);
    smtp_server_act_clear(&act);
    static const char in[] = "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n"
                             "RCPT TO:<c@d.example>\r\nRCPT TO:<e@d.example> NOTIFY=NEVER\r\n";
    smtp_server_feed(srv, (const guint8 *)in, sizeof in - 1);
    static const SmtpServerQueryKind kinds[] = {SMTP_SERVER_QUERY_EHLO, SMTP_SERVER_QUERY_MAIL,
                                                SMTP_SERVER_QUERY_RCPT, SMTP_SERVER_QUERY_RCPT};
    for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
        test_poll_query(srv, &act);
        g_assert_cmpint(act.query.kind, ==, kinds[i]);
        if (i == 2) {
            g_assert_cmpstr(act.query.addr, ==, "c@d.example");
            g_assert_null(act.query.params);
            g_assert_cmpuint(act.query.dsn_notify, ==, 0);
        } else if (i == 3) {
            g_assert_cmpstr(act.query.path, ==, "<e@d.example>");
            g_assert_nonnull(act.query.params);
            g_assert_cmpuint(act.query.params->len, ==, 1);
            g_assert_cmpuint(act.query.dsn_notify, ==, SMTP_DSN_NOTIFY_NEVER);
        }
        smtp_server_answer(srv, act.query.id, NULL);
        smtp_server_act_clear(&act);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-server/mail/auth-param-twice", test_mail_auth_param_twice);
    g_test_add_func("/proto/smtp-server/params/parse", test_params_parse);
    g_test_add_func("/proto/smtp-server/params/rcpt-query", test_rcpt_params_query);
    g_autofree char *dir = test_source_path("tests/proto/smtp_server");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(n, ".t"))
            g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, test_strcmp_ptr);
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *stem = g_strndup(name, strlen(name) - 2);
        g_autofree char *tp = g_strdup_printf("/proto/smtp-server/transcript/%s", stem);
        g_test_add_data_func_full(tp, g_build_filename(dir, name, NULL), test_transcript_file, g_free);
    }
    return g_test_run();
}
