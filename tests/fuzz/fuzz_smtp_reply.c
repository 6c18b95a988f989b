/* SPDX-License-Identifier: MIT
 * fuzz_smtp_reply: hostile SMTP server output. The first byte picks the
 * reader: the bounded multi-line reply parser (RFC 5321 4.2, 4.2.1) fed in
 * chunks whose lengths come from the input, or the whole client engine
 * (RFC 5321 3.3, 2920, 3207, 4954) reading the input as the server's bytes.
 * Every reply read is formatted again and must parse to the same code.
 */
#include <string.h>

#include "proto/smtp_client.h"
#include "proto/smtp_reply.h"

#include "fuzz_common.h"

static void
fuzz_smtp_reply_check(const SmtpReply *r)
{
    g_assert_true(r->code >= 200 && r->code <= 599);
    g_assert_true(r->lines != NULL && r->lines->len >= 1);
    g_autoptr(SmtpReply) copy = smtp_reply_copy(r);
    g_autofree char *text = smtp_reply_to_string(copy);
    g_autoptr(SmtpReply) again = smtp_reply_parse_string(text);
    g_assert_nonnull(again);
    g_assert_cmpuint(again->code, ==, r->code);
    g_assert_cmpuint(again->lines->len, ==, r->lines->len);
}

static void
fuzz_smtp_reply_parser(FuzzInput *in)
{
    g_autoptr(SmtpReplyParser) p = smtp_reply_parser_new();
    const guint8 *chunk;
    gsize len;
    while (fuzz_take_chunk(in, &chunk, &len)) {
        smtp_reply_parser_feed(p, chunk, len);
        for (;;) {
            SmtpReply *r = NULL;
            SmtpReplyParseResult res = smtp_reply_parser_next(p, &r);
            if (res == SMTP_REPLY_PARSE_ERROR) {
                g_assert_nonnull(smtp_reply_parser_error(p));
                return;
            }
            if (res == SMTP_REPLY_PARSE_NONE)
                break;
            fuzz_smtp_reply_check(r);
            smtp_reply_free(r);
        }
    }
    smtp_reply_parser_discard(p);
    g_assert_cmpuint(smtp_reply_parser_pending(p), ==, 0);
}

static void
fuzz_smtp_reply_client_drain(SmtpClient *c)
{
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        SmtpClientAct act = {0};
        if (!smtp_client_poll(c, &act))
            return;
        g_free(smtp_client_act_to_string(&act));
        if (act.reply != NULL)
            fuzz_smtp_reply_check(act.reply);
        if (act.kind == SMTP_CLIENT_ACT_QUERY) {
            g_autoptr(GBytes) resp = g_bytes_new_static("\0tim\0tanstaaf", 13);
            smtp_client_answer_auth(c, act.query_id, resp, FALSE);
        } else if (act.kind == SMTP_CLIENT_ACT_STARTTLS) {
            smtp_client_starttls_done(c);
        }
        smtp_client_act_clear(&act);
    }
    g_error("smtp_client: more than %d actions without input", FUZZ_ACTIONS_MAX);
}

static void
fuzz_smtp_reply_client(FuzzInput *in, guint8 flags)
{
    static const char *const rcpts[] = {"bob@b.example", "carol@c.example", NULL};
    g_autoptr(GBytes) msg = g_bytes_new_static("Subject: x\r\n\r\n.dot\r\nbody\r\n", 27);
    SmtpClientConfig cfg = {0};
    cfg.helo_name = "client.example";
    cfg.use_helo = (flags & 0x02) != 0;
    cfg.no_pipelining = (flags & 0x04) != 0;
    cfg.want_starttls = (flags & 0x08) != 0;
    cfg.require_starttls = (flags & 0x10) != 0;
    cfg.auth_mech = (flags & 0x20) ? "PLAIN" : NULL;
    cfg.require_auth = (flags & 0x40) != 0;
    cfg.body_8bitmime = (flags & 0x80) != 0;
    cfg.reverse_path = "alice@a.example";
    cfg.recipients = rcpts;
    cfg.message = msg;
    cfg.mail_auth_param = "alice@a.example";
    g_autoptr(SmtpClient) c = smtp_client_new(&cfg);
    fuzz_smtp_reply_client_drain(c);
    const guint8 *chunk;
    gsize len;
    while (fuzz_take_chunk(in, &chunk, &len)) {
        smtp_client_feed(c, chunk, len);
        fuzz_smtp_reply_client_drain(c);
    }
    smtp_client_feed_eof(c);
    fuzz_smtp_reply_client_drain(c);
    g_assert_true(smtp_client_is_done(c));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    if (flags & 0x01)
        fuzz_smtp_reply_client(&in, flags);
    else
        fuzz_smtp_reply_parser(&in);
    return 0;
}
