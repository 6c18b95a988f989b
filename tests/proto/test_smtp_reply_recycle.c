/* SPDX-License-Identifier: MIT
 * Tests for the reply parser's recycled storage (proto/smtp_reply.c): a reply
 * released by its taker lends its block to the next reply, a reply still
 * held is never written to, and every reply reads as from a new parser
 * (RFC 5321 4.2: code, enhanced code of RFC 2034, lines), whatever the
 * order of sizes (a multi-line EHLO answer, one-line replies, a long one).
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_reply.h"

static const char *const wire[] = {
    "220 mx.example ESMTP\r\n",
    "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-ENHANCEDSTATUSCODES\r\n250 "
    "8BITMIME\r\n",
    "250 2.1.0 Ok\r\n",
    "250 2.1.5 Ok\r\n",
    "354 End data with <CR><LF>.<CR><LF>\r\n",
    "250 2.0.0 Ok: queued as 12345ABCDE and a text longer than any before it, "
    "to outgrow the room of the block the earlier replies were written into, "
    "and more words again to pass two hundred and fifty six octets of text in "
    "one reply line xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
    "221 2.0.0 Bye\r\n",
    "550-5.1.1 first\r\n550 5.1.1 second\r\n",
};

/* The reply of wire[i] from a parser of its own, as text. */
static char *
fresh_text(guint i)
{
    g_autoptr(SmtpReplyParser) p = smtp_reply_parser_new();
    smtp_reply_parser_feed(p, (const guint8 *)wire[i], strlen(wire[i]));
    SmtpReply *r = NULL;
    g_assert_cmpint(smtp_reply_parser_next(p, &r), ==, SMTP_REPLY_PARSE_REPLY);
    char *t = smtp_reply_to_string(r);
    smtp_reply_free(r);
    return t;
}

static SmtpReply *
next_reply(SmtpReplyParser *p, guint i)
{
    smtp_reply_parser_feed(p, (const guint8 *)wire[i], strlen(wire[i]));
    SmtpReply *r = NULL;
    g_assert_cmpint(smtp_reply_parser_next(p, &r), ==, SMTP_REPLY_PARSE_REPLY);
    return r;
}

/* Released at once: each reply reads as from a new parser; a short reply
 * after a longer one reuses the block. */
static void
test_recycle_released(void)
{
    g_autoptr(SmtpReplyParser) p = smtp_reply_parser_new();
    SmtpReply *prev = NULL;
    guint reused = 0;
    for (guint round = 0; round < 2; round++) {
        for (guint i = 0; i < G_N_ELEMENTS(wire); i++) {
            SmtpReply *r = next_reply(p, i);
            reused += r == prev;
            g_autofree char *got = smtp_reply_to_string(r);
            g_autofree char *want = fresh_text(i);
            g_assert_cmpstr(got, ==, want);
            prev = r;
            smtp_reply_free(r);
        }
    }
    /* "250 2.1.5" after "250 2.1.0", "221" after "354", ...: most reuse. */
    g_assert_cmpuint(reused, >=, 8);
    g_assert_cmpstr(smtp_reply_parser_error(p), ==, NULL);
}

/* Held replies keep their text while later ones are parsed; once all are
 * released the parser works on. The parser may go first. */
static void
test_recycle_held(void)
{
    SmtpReplyParser *p = smtp_reply_parser_new();
    SmtpReply *held[G_N_ELEMENTS(wire)];
    for (guint i = 0; i < G_N_ELEMENTS(wire); i++)
        held[i] = next_reply(p, i);
    for (guint i = 0; i < G_N_ELEMENTS(wire); i++) {
        for (guint k = 0; k < i; k++)
            g_assert_true(held[k] != held[i]);
        g_autofree char *got = smtp_reply_to_string(held[i]);
        g_autofree char *want = fresh_text(i);
        g_assert_cmpstr(got, ==, want);
    }
    /* A shared reference (smtp_reply_ref) also keeps a reply from reuse. */
    SmtpReply *shared = smtp_reply_ref(held[2]);
    for (guint i = 0; i < G_N_ELEMENTS(wire); i++)
        smtp_reply_free(held[i]);
    SmtpReply *next = next_reply(p, 3);
    g_assert_true(next != shared);
    g_assert_cmpstr(smtp_reply_text(shared), ==, "Ok");
    g_assert_cmpstr(shared->enhanced, ==, "2.1.0");
    g_assert_cmpstr(next->enhanced, ==, "2.1.5");
    /* The parser freed first: the replies it returned stay valid. */
    smtp_reply_parser_free(p);
    g_assert_cmpuint(next->code, ==, 250);
    g_assert_cmpstr(smtp_reply_text(next), ==, "Ok");
    smtp_reply_free(next);
    smtp_reply_free(shared);
}

/* A reset parser recycles as a new one would allocate. */
static void
test_recycle_after_reset(void)
{
    g_autoptr(SmtpReplyParser) p = smtp_reply_parser_new();
    smtp_reply_free(next_reply(p, 1));
    smtp_reply_parser_feed(p, (const guint8 *)"250-partial\r\n", 13);
    smtp_reply_parser_reset(p);
    SmtpReply *r = next_reply(p, 6);
    g_assert_cmpuint(r->code, ==, 221);
    g_assert_cmpuint(smtp_reply_n_lines(r), ==, 1);
    g_assert_cmpstr(smtp_reply_text(r), ==, "Bye");
    smtp_reply_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp_reply_recycle/released", test_recycle_released);
    g_test_add_func("/proto/smtp_reply_recycle/held", test_recycle_held);
    g_test_add_func("/proto/smtp_reply_recycle/after_reset", test_recycle_after_reset);
    return g_test_run();
}
