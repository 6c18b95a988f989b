/* SPDX-License-Identifier: MIT
 * Tests for proto/smtp_mitm: the STARTTLS-stripping attacker (RFC 3207 6).
 * The EHLO reply loses its STARTTLS line and stays well-formed (RFC 5321
 * 4.2.1: the last line is "250 "), STARTTLS is answered 454 4.7.0 and never
 * forwarded, rewrite rules change lines in one direction only, message
 * content is not mistaken for commands, and after a 220 to STARTTLS bytes
 * pass unchanged. Every transcript is fed whole, byte by byte and split at
 * every point of each chunk: forwarded bytes and events must not change.
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_mitm.h"

typedef struct {
    SmtpMitmDir dir;
    const char *bytes;
} Chunk;

/* Feeds chunks (pieces of at most step bytes, or cut once at split) and
 * returns "C:"/"S:" forwarded bytes and the events, in order. */
static char *
run(const SmtpMitmConfig *cfg, const Chunk *chunks, guint n, gsize step, gsize split)
{
    g_autoptr(SmtpMitm) m = smtp_mitm_new(cfg);
    GString *fwd[2] = {g_string_new(NULL), g_string_new(NULL)};
    GString *evs = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        const guint8 *p = (const guint8 *)chunks[i].bytes;
        gsize len = strlen(chunks[i].bytes), off = 0;
        while (off < len) {
            gsize k = len - off;
            if (step && k > step)
                k = step;
            if (split && off < split && off + k > split)
                k = split - off;
            smtp_mitm_feed(m, chunks[i].dir, p + off, k);
            off += k;
            for (guint d = 0; d < 2; d++) {
                g_autoptr(GBytes) b = smtp_mitm_take(m, (SmtpMitmDir)d);
                if (b != NULL)
                    g_string_append_len(fwd[d], g_bytes_get_data(b, NULL), g_bytes_get_size(b));
            }
        }
        SmtpMitmEvent ev;
        while (smtp_mitm_poll(m, &ev)) {
            g_string_append_printf(evs, "%s %s", smtp_mitm_event_kind_name(ev.kind),
                                   smtp_mitm_dir_name(ev.dir));
            if (ev.text)
                g_string_append_printf(evs, " [%s]", ev.text);
            if (ev.kind == SMTP_MITM_EV_REWRITE) {
                g_string_append_printf(evs, " rule=%u count=%u [", ev.rule, ev.count);
                g_string_append_len(evs, g_bytes_get_data(ev.before, NULL),
                                    g_bytes_get_size(ev.before));
                g_string_append(evs, "] -> [");
                g_string_append_len(evs, g_bytes_get_data(ev.after, NULL),
                                    g_bytes_get_size(ev.after));
                g_string_append(evs, "]");
            }
            g_string_append_c(evs, '\n');
            smtp_mitm_event_clear(&ev);
        }
    }
    char *s = g_strdup_printf("C:%s\nS:%s\nE:%s", fwd[0]->str, fwd[1]->str, evs->str);
    g_string_free(fwd[0], TRUE);
    g_string_free(fwd[1], TRUE);
    g_string_free(evs, TRUE);
    return s;
}

/* Whole, byte by byte, and at every split point of every chunk. */
static void
check(const SmtpMitmConfig *cfg, const Chunk *chunks, guint n, const char *want)
{
    g_autofree char *whole = run(cfg, chunks, n, 0, 0);
    g_assert_cmpstr(whole, ==, want);
    g_autofree char *bytewise = run(cfg, chunks, n, 1, 0);
    g_assert_cmpstr(bytewise, ==, want);
    gsize longest = 0;
    for (guint i = 0; i < n; i++)
        longest = MAX(longest, strlen(chunks[i].bytes));
    for (gsize split = 1; split < longest; split++) {
        g_autofree char *s = run(cfg, chunks, n, 0, split);
        g_assert_cmpstr(s, ==, want);
    }
}

static const Chunk ehlo_dialogue[] = {
    {SMTP_MITM_S2C, "220 mx.b.test ESMTP\r\n"},
    {SMTP_MITM_C2S, "EHLO a.test\r\n"},
    {SMTP_MITM_S2C, "250-mx.b.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n"},
    {SMTP_MITM_C2S, "MAIL FROM:<a@a.test>\r\n"},
    {SMTP_MITM_S2C, "250 2.1.0 Ok\r\n"},
};

static void
test_strip_middle(void)
{
    SmtpMitmConfig cfg = {.strip_starttls = TRUE, .block_starttls = TRUE};
    check(&cfg, ehlo_dialogue, G_N_ELEMENTS(ehlo_dialogue),
          "C:EHLO a.test\r\nMAIL FROM:<a@a.test>\r\n\n"
          "S:220 mx.b.test ESMTP\r\n250-mx.b.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
          "250 2.1.0 Ok\r\n\n"
          "E:stripped to_client [250-STARTTLS]\n");
}

static void
test_strip_last_line(void)
{
    /* The removed line was the last: the line before it must end the reply. */
    static const Chunk c[] = {
        {SMTP_MITM_S2C, "220 mx\r\n"},
        {SMTP_MITM_C2S, "ehlo a\r\n"},
        {SMTP_MITM_S2C, "250-mx\r\n250-SIZE 1000\r\n250 starttls\r\n"},
    };
    SmtpMitmConfig cfg = {.strip_starttls = TRUE};
    check(&cfg, c, G_N_ELEMENTS(c),
          "C:ehlo a\r\n\nS:220 mx\r\n250-mx\r\n250 SIZE 1000\r\n\n"
          "E:stripped to_client [250 starttls]\n");
}

static void
test_passive(void)
{
    /* A zero config changes nothing (and STARTTLS-like text elsewhere stays). */
    SmtpMitmConfig cfg = {0};
    check(&cfg, ehlo_dialogue, G_N_ELEMENTS(ehlo_dialogue),
          "C:EHLO a.test\r\nMAIL FROM:<a@a.test>\r\n\n"
          "S:220 mx.b.test ESMTP\r\n250-mx.b.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
          "250 8BITMIME\r\n250 2.1.0 Ok\r\n\nE:");
}

static void
test_block(void)
{
    /* RFC 3207 4: 454 from the attacker; the server never sees STARTTLS. */
    static const Chunk c[] = {
        {SMTP_MITM_S2C, "220 mx\r\n"},
        {SMTP_MITM_C2S, "EHLO a\r\n"},
        {SMTP_MITM_S2C, "250-mx\r\n250 STARTTLS\r\n"},
        {SMTP_MITM_C2S, "STARTTLS\r\n"},
        {SMTP_MITM_C2S, "MAIL FROM:<a@a>\r\n"},
    };
    SmtpMitmConfig cfg = {.block_starttls = TRUE};
    check(&cfg, c, G_N_ELEMENTS(c),
          "C:EHLO a\r\nMAIL FROM:<a@a>\r\n\n"
          "S:220 mx\r\n250-mx\r\n250 STARTTLS\r\n" SMTP_MITM_REPLY_454 "\n"
          "E:blocked to_server [454 4.7.0 TLS not available due to temporary reason]\n");
}

static void
test_tls_passthrough(void)
{
    /* Not blocking: after the 220 the bytes are TLS and pass unchanged,
     * even where a rule would match. */
    static const Chunk c[] = {
        {SMTP_MITM_C2S, "STARTTLS\r\n"},
        {SMTP_MITM_S2C, "220 2.0.0 Ready\r\n\x16\x03\x03 Ready"},
        {SMTP_MITM_C2S, "\x16\x03\x01 Ready\n"},
    };
    SmtpMitmRule rules[] = {{"Ready", "Gone", SMTP_MITM_S2C}};
    SmtpMitmConfig cfg = {.strip_starttls = TRUE, .rules = rules, .n_rules = 1};
    check(&cfg, c, G_N_ELEMENTS(c),
          "C:STARTTLS\r\n\x16\x03\x01 Ready\n\nS:220 2.0.0 Gone\r\n\x16\x03\x03 Ready\n"
          "E:rewrite to_client rule=0 count=1 [220 2.0.0 Ready] -> [220 2.0.0 Gone]\n"
          "tls to_client\n");
}

static void
test_rewrite(void)
{
    /* Rules apply per direction, to every occurrence, to message lines too;
     * a body line "STARTTLS" is content, not a command. */
    static const Chunk c[] = {
        {SMTP_MITM_C2S, "DATA\r\n"},
        {SMTP_MITM_S2C, "354 go\r\n"},
        {SMTP_MITM_C2S, "Subject: pay 100 EUR\r\n\r\nSTARTTLS\r\n100 EUR, 100 EUR\r\n.\r\n"},
        {SMTP_MITM_S2C, "250 2.0.0 queued as 100\r\n"},
    };
    SmtpMitmRule rules[] = {
        {"100 EUR", "9999 EUR", SMTP_MITM_C2S},
        {"EUR", "USD", SMTP_MITM_C2S},
    };
    SmtpMitmConfig cfg = {.block_starttls = TRUE, .rules = rules, .n_rules = 2};
    check(&cfg, c, G_N_ELEMENTS(c),
          "C:DATA\r\nSubject: pay 9999 USD\r\n\r\nSTARTTLS\r\n9999 USD, 9999 USD\r\n.\r\n\n"
          "S:354 go\r\n250 2.0.0 queued as 100\r\n\n"
          "E:rewrite to_server rule=0 count=1 [Subject: pay 100 EUR] -> [Subject: pay 9999 EUR]\n"
          "rewrite to_server rule=1 count=1 [Subject: pay 9999 EUR] -> [Subject: pay 9999 USD]\n"
          "rewrite to_server rule=0 count=2 [100 EUR, 100 EUR] -> [9999 EUR, 9999 EUR]\n"
          "rewrite to_server rule=1 count=2 [9999 EUR, 9999 EUR] -> [9999 USD, 9999 USD]\n");
}

static void
test_injection_rule(void)
{
    /* CVE-2011-0411 staged by a rule: a command appended after STARTTLS. */
    static const Chunk c[] = {
        {SMTP_MITM_C2S, "STARTTLS\r\n"},
    };
    SmtpMitmRule rules[] = {{"STARTTLS", "STARTTLS\r\nRSET", SMTP_MITM_C2S}};
    SmtpMitmConfig cfg = {.rules = rules, .n_rules = 1};
    check(&cfg, c, G_N_ELEMENTS(c),
          "C:STARTTLS\r\nRSET\r\n\nS:\n"
          "E:rewrite to_server rule=0 count=1 [STARTTLS] -> [STARTTLS\r\nRSET]\n");
}

static void
test_long_line(void)
{
    /* Longer than SMTP_MITM_LINE_MAX: forwarded as is, no rule applied. */
    gsize n = SMTP_MITM_LINE_MAX + 10;
    char *big = g_malloc(n + 3);
    memset(big, 'x', n);
    memcpy(big + n, "\r\n", 3);
    SmtpMitmRule rules[] = {{"x", "y", SMTP_MITM_C2S}};
    SmtpMitmConfig cfg = {.rules = rules, .n_rules = 1};
    g_autoptr(SmtpMitm) m = smtp_mitm_new(&cfg);
    smtp_mitm_feed(m, SMTP_MITM_C2S, (const guint8 *)big, n + 2);
    smtp_mitm_feed(m, SMTP_MITM_C2S, (const guint8 *)"ax\r\n", 4);
    g_autoptr(GBytes) out = smtp_mitm_take(m, SMTP_MITM_C2S);
    g_assert_cmpuint(g_bytes_get_size(out), ==, n + 6);
    g_assert_cmpmem(g_bytes_get_data(out, NULL), n + 2, big, n + 2);
    g_assert_cmpmem((const char *)g_bytes_get_data(out, NULL) + n + 2, 4, "ay\r\n", 4);
    g_free(big);
}

static void
test_flush(void)
{
    /* An unfinished reply is held, then forwarded unchanged on flush. */
    SmtpMitmConfig cfg = {.strip_starttls = TRUE};
    g_autoptr(SmtpMitm) m = smtp_mitm_new(&cfg);
    static const char held[] = "250-mx\r\n250-STARTTLS\r\n250";
    smtp_mitm_feed(m, SMTP_MITM_S2C, (const guint8 *)held, strlen(held));
    g_assert_null(smtp_mitm_take(m, SMTP_MITM_S2C));
    smtp_mitm_flush(m, SMTP_MITM_S2C);
    g_autoptr(GBytes) out = smtp_mitm_take(m, SMTP_MITM_S2C);
    g_assert_cmpmem(g_bytes_get_data(out, NULL), g_bytes_get_size(out), held, strlen(held));
    SmtpMitmDir d;
    g_assert_true(smtp_mitm_dir_from_name("to_client", &d) && d == SMTP_MITM_S2C);
    g_assert_false(smtp_mitm_dir_from_name("sideways", &d));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-mitm/strip-middle", test_strip_middle);
    g_test_add_func("/proto/smtp-mitm/strip-last-line", test_strip_last_line);
    g_test_add_func("/proto/smtp-mitm/passive", test_passive);
    g_test_add_func("/proto/smtp-mitm/block", test_block);
    g_test_add_func("/proto/smtp-mitm/tls-passthrough", test_tls_passthrough);
    g_test_add_func("/proto/smtp-mitm/rewrite", test_rewrite);
    g_test_add_func("/proto/smtp-mitm/injection-rule", test_injection_rule);
    g_test_add_func("/proto/smtp-mitm/long-line", test_long_line);
    g_test_add_func("/proto/smtp-mitm/flush", test_flush);
    return g_test_run();
}
