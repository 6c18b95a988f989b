/* SPDX-License-Identifier: MIT
 * fuzz_pop3_server: whole POP3 sessions (RFC 1939, RFC 2449, RFC 2595 STLS)
 * through the server engine. Input: a config byte, a 16-bit split point,
 * then the client's bytes fed in two pieces. Queries are answered from a
 * fixed maildrop of three messages (credentials accepted unless the config
 * byte says deny), STLS is completed at once, and EOF ends the session.
 */
#include "proto/pop3_server.h"

#include "fuzz_common.h"

static const char fuzz_pop3_msg[] = "Subject: one\r\n"
                                    "From: a@b.example\r\n"
                                    "\r\n"
                                    ".a line starting with a dot\r\n"
                                    "..two dots\r\n"
                                    "\r\n"
                                    "last line\r\n";

static void
fuzz_pop3_server_answer(Pop3Server *srv, const Pop3ServerQuery *q, guint8 flags)
{
    static const Pop3MsgInfo msgs[] = {
        {120, "whqtswO00WBw418f9t5JxYwZ"},
        {200, NULL},
        {sizeof fuzz_pop3_msg - 1, "QhdPYR:00WBw1Ph7x7"},
    };
    Pop3ServerAnswer ans = {.verdict = POP3_ANSWER_OK};
    g_autoptr(GBytes) message = NULL;
    switch (q->kind) {
    case POP3_QUERY_AUTH_USERPASS:
        ans.verdict = (flags & 0x08) ? POP3_ANSWER_DENY : POP3_ANSWER_OK;
        break;
    case POP3_QUERY_AUTH_APOP:
        ans.secret = "tanstaaf";
        break;
    case POP3_QUERY_LOCK_MAILDROP:
        ans.verdict = (flags & 0x10) ? POP3_ANSWER_IN_USE : POP3_ANSWER_OK;
        ans.msgs = msgs;
        ans.n_msgs = G_N_ELEMENTS(msgs);
        break;
    case POP3_QUERY_MESSAGE:
        message = g_bytes_new_static(fuzz_pop3_msg, sizeof fuzz_pop3_msg - 1);
        ans.message = message;
        if (flags & 0x20)
            ans.verdict = POP3_ANSWER_SYS_TEMP;
        break;
    case POP3_QUERY_UPDATE:
        ans.verdict = (flags & 0x40) ? POP3_ANSWER_SYS_PERM : POP3_ANSWER_OK;
        break;
    case POP3_QUERY_NONE:
        g_assert_not_reached();
    }
    pop3_server_answer(srv, q->id, &ans);
}

static void
fuzz_pop3_server_drain(Pop3Server *srv, guint8 flags)
{
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        Pop3ServerAct act = {0};
        if (!pop3_server_poll(srv, &act))
            return;
        g_free(pop3_server_act_to_string(&act));
        if (act.kind == POP3_SERVER_ACT_QUERY)
            fuzz_pop3_server_answer(srv, &act.query, flags);
        else if (act.kind == POP3_SERVER_ACT_STLS)
            pop3_server_stls_done(srv);
        pop3_server_act_clear(&act);
    }
    g_error("pop3_server: more than %d actions without input", FUZZ_ACTIONS_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    gsize split = fuzz_take_u16(&in);
    split = MIN(split, in.n);

    Pop3ServerConfig cfg = {0};
    cfg.hostname = "pop.example";
    cfg.apop_timestamp = (flags & 0x01) ? "<1896.697170952@dbc.mtview.ca.us>" : NULL;
    cfg.implementation = "mhs";
    cfg.offer_stls = (flags & 0x02) != 0;
    cfg.userpass_needs_tls = (flags & 0x04) != 0;
    cfg.is_secure = (flags & 0x80) != 0;
    g_autoptr(Pop3Server) srv = pop3_server_new(&cfg);
    fuzz_pop3_server_drain(srv, flags);
    pop3_server_feed(srv, in.p, split);
    fuzz_pop3_server_drain(srv, flags);
    pop3_server_feed(srv, in.p + split, in.n - split);
    fuzz_pop3_server_drain(srv, flags);
    pop3_server_feed_eof(srv);
    fuzz_pop3_server_drain(srv, flags);
    g_assert_true(pop3_server_is_done(srv));
    return 0;
}
