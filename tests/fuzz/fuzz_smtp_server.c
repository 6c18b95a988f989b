/* SPDX-License-Identifier: MIT
 * fuzz_smtp_server: whole ESMTP sessions (RFC 5321, 3207, 4954) through the
 * server engine. Input: two config bytes, an answer-policy byte, a 16-bit
 * split point, then the client's bytes, fed in two pieces split there.
 * Every action is drained, queries are answered by the chosen policy
 * (policy 0: the engine's default replies), STARTTLS is completed at once,
 * and EOF ends the session.
 */
#include "proto/smtp_server.h"

#include "fuzz_common.h"

typedef enum {
    FUZZ_SMTP_ANSWER_DEFAULT = 0, /* NULL: the engine's positive reply */
    FUZZ_SMTP_ANSWER_AUTH_334,    /* AUTH -> 334, then 235; others NULL */
    FUZZ_SMTP_ANSWER_MIXED,       /* NULL, 550, 451 in turn */
    FUZZ_SMTP_ANSWER_REJECT,      /* 554 greeting (RFC 5321 3.1), then NULL */
} FuzzSmtpAnswer;

static SmtpReply *
fuzz_smtp_server_reply(FuzzSmtpAnswer policy, SmtpServerQueryKind kind, guint n)
{
    switch (policy) {
    case FUZZ_SMTP_ANSWER_DEFAULT:
        return NULL;
    case FUZZ_SMTP_ANSWER_AUTH_334:
        if (kind == SMTP_SERVER_QUERY_AUTH)
            return smtp_reply_new(334, NULL, "%s", n % 2 ? "" : "VXNlcm5hbWU6");
        return NULL;
    case FUZZ_SMTP_ANSWER_MIXED:
        if (kind == SMTP_SERVER_QUERY_CONNECT || n % 3 == 0)
            return NULL;
        return n % 3 == 1 ? smtp_reply_new(550, "5.7.1", "Rejected")
                          : smtp_reply_new(451, "4.3.0", "Try later");
    case FUZZ_SMTP_ANSWER_REJECT:
        if (kind == SMTP_SERVER_QUERY_CONNECT)
            return smtp_reply_new(554, "5.7.1", "No service");
        return NULL;
    }
    return NULL;
}

static void
fuzz_smtp_server_drain(SmtpServer *srv, FuzzSmtpAnswer policy, guint *n_queries)
{
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        SmtpServerAct act = {0};
        if (!smtp_server_poll(srv, &act))
            return;
        g_free(smtp_server_act_to_string(&act));
        if (act.kind == SMTP_SERVER_ACT_QUERY) {
            SmtpReply *r = fuzz_smtp_server_reply(policy, act.query.kind, (*n_queries)++);
            smtp_server_answer(srv, act.query.id, r);
            g_clear_pointer(&r, smtp_reply_free);
        } else if (act.kind == SMTP_SERVER_ACT_STARTTLS) {
            smtp_server_starttls_done(srv);
        } else if (act.kind == SMTP_SERVER_ACT_CLOSE) {
            g_assert_true(smtp_server_is_done(srv));
        }
        smtp_server_act_clear(&act);
    }
    g_error("smtp_server: more than %d actions without input", FUZZ_ACTIONS_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const mechs[] = {"PLAIN", "LOGIN", "CRAM-MD5", NULL};
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    guint8 more = fuzz_take_u8(&in);
    guint8 answer = fuzz_take_u8(&in);
    gsize split = fuzz_take_u16(&in);
    split = MIN(split, in.n);

    SmtpServerConfig cfg = {0};
    cfg.hostname = "mx.example";
    cfg.starttls_offered = (flags & 0x01) != 0;
    cfg.auth_mechs = (flags & 0x02) ? mechs : NULL;
    cfg.auth_requires_tls = (flags & 0x04) != 0;
    cfg.auth_required = (flags & 0x08) != 0;
    cfg.data_end = (SmtpDataEndMode)((flags >> 4) & 0x03);
    cfg.accept_source_routes = (flags & 0x40) != 0;
    cfg.tls_active = (flags & 0x80) != 0;
    /* Small limits reach the over-limit replies with short inputs. */
    if (more & 0x01)
        cfg.max_rcpts = 2;
    if (more & 0x02)
        cfg.max_size = 64;
    if (more & 0x04)
        cfg.max_line = 80;
    if (more & 0x08)
        cfg.max_errors = 3;
    cfg.ext_off = (more >> 4) & 0x0f;
    FuzzSmtpAnswer policy = (FuzzSmtpAnswer)(answer & 0x03);
    cfg.dsn_offered = (answer & 0x04) != 0; /* RFC 3461 parameters */

    guint n_queries = 0;
    SmtpServer *srv = smtp_server_new(&cfg);
    fuzz_smtp_server_drain(srv, policy, &n_queries);
    smtp_server_feed(srv, in.p, split);
    fuzz_smtp_server_drain(srv, policy, &n_queries);
    smtp_server_feed(srv, in.p + split, in.n - split);
    fuzz_smtp_server_drain(srv, policy, &n_queries);
    smtp_server_feed_eof(srv);
    fuzz_smtp_server_drain(srv, policy, &n_queries);
    g_assert_true(smtp_server_is_done(srv));
    smtp_server_free(srv);
    return 0;
}
