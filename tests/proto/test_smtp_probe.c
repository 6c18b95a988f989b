/* SPDX-License-Identifier: MIT
 * Tests for proto/smtp_probe: lock-step script, stop on a negative reply,
 * go-on steps, 554 greeting (RFC 5321 3.1), 421 (3.8), extra replies
 * after the script (a smuggled transaction), raw bytes sent unchanged,
 * STARTTLS steps (RFC 3207: the switch, bytes before it dropped),
 * results independent of how the server's bytes are split.
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_probe.h"

/* Drains the acts into a log: "S:<sent>" "R<step>:<code>" "D<step>,<c>" "C". */
static void
drain(SmtpProbe *p, GString *log)
{
    SmtpProbeAct a;
    while (smtp_probe_poll(p, &a)) {
        switch (a.kind) {
        case SMTP_PROBE_ACT_SEND: {
            gsize n;
            const char *d = g_bytes_get_data(a.bytes, &n);
            g_string_append(log, "S:");
            g_string_append_len(log, d, (gssize)n);
            break;
        }
        case SMTP_PROBE_ACT_REPLY:
            g_string_append_printf(log, "R%d:%u\n", a.step, a.reply->code);
            break;
        case SMTP_PROBE_ACT_DONE:
            g_string_append_printf(log, "D%d,%d\n", a.step, a.completed);
            break;
        case SMTP_PROBE_ACT_CLOSE:
            g_string_append(log, "C\n");
            break;
        case SMTP_PROBE_ACT_STARTTLS:
            g_string_append(log, "T\n");
            break;
        default:
            g_assert_not_reached();
        }
        smtp_probe_act_clear(&a);
    }
}

typedef SmtpProbe *(*MakeFunc)(void);

/* Feeds the server's replies (each answering one client write) at every
 * split point and byte by byte; the log must not change. */
static char *
run(MakeFunc make, const char *server, gsize split)
{
    SmtpProbe *p = make();
    GString *log = g_string_new(NULL);
    gsize n = strlen(server);
    if (split == 0) {
        for (gsize i = 0; i < n; i++) {
            smtp_probe_feed(p, (const guint8 *)server + i, 1);
            drain(p, log);
        }
    } else {
        gsize k = MIN(split, n);
        smtp_probe_feed(p, (const guint8 *)server, k);
        drain(p, log);
        smtp_probe_feed(p, (const guint8 *)server + k, n - k);
        drain(p, log);
    }
    smtp_probe_feed_eof(p);
    drain(p, log);
    smtp_probe_free(p);
    return g_string_free(log, FALSE);
}

static void
check_all_splits(MakeFunc make, const char *server, const char *want)
{
    for (gsize s = 0; s <= strlen(server) + 1; s++) {
        g_autofree char *got = run(make, server, s);
        g_assert_cmpstr(got, ==, want);
    }
}

static SmtpProbe *
make_relay(void)
{
    SmtpProbe *p = smtp_probe_new();
    smtp_probe_add_line(p, "EHLO client.example", FALSE);
    smtp_probe_add_line(p, "MAIL FROM:<a@b.example>", FALSE);
    smtp_probe_add_line(p, "RCPT TO:<relaytest@victim.example>", FALSE);
    return p;
}

static void
test_refused_rcpt(void)
{
    check_all_splits(make_relay,
                     "220 mx ESMTP\r\n250-mx\r\n250 PIPELINING\r\n250 2.1.0 Ok\r\n"
                     "554 5.7.1 <relaytest@victim.example>: Relay access denied\r\n221 Bye\r\n",
                     "R-1:220\nS:EHLO client.example\r\n"
                     "R0:250\nS:MAIL FROM:<a@b.example>\r\nR1:250\n"
                     "S:RCPT TO:<relaytest@victim.example>\r\nR2:554\nD2,0\nS:QUIT\r\n"
                     "R-2:221\nC\n");
}

static void
test_completed(void)
{
    check_all_splits(make_relay, "220 mx\r\n250 mx\r\n250 Ok\r\n250 Ok\r\n221 Bye\r\n",
                     "R-1:220\nS:EHLO client.example\r\nR0:250\n"
                     "S:MAIL FROM:<a@b.example>\r\nR1:250\n"
                     "S:RCPT TO:<relaytest@victim.example>\r\nR2:250\nD2,1\nS:QUIT\r\n"
                     "R-2:221\nC\n");
}

static void
test_greeting_554(void)
{
    check_all_splits(make_relay, "554 5.7.1 blocked\r\n221 Bye\r\n",
                     "R-1:554\nD-1,0\nS:QUIT\r\nR-2:221\nC\n");
}

static SmtpProbe *
make_go_on(void)
{
    SmtpProbe *p = smtp_probe_new();
    smtp_probe_add_line(p, "HELO @#$", TRUE);
    smtp_probe_add_line(p, "EHLO ok.example", FALSE);
    return p;
}

static void
test_go_on_and_421(void)
{
    /* 501 on a go-on step continues; 421 ends without QUIT. */
    check_all_splits(make_go_on, "220 mx\r\n501 5.5.2 bad\r\n421 4.3.2 closing\r\n",
                     "R-1:220\nS:HELO @#$\r\nR0:501\nS:EHLO ok.example\r\n"
                     "R1:421\nD1,0\nC\n");
}

static SmtpProbe *
make_smuggle(void)
{
    SmtpProbe *p = smtp_probe_new();
    smtp_probe_add_line(p, "DATA", FALSE);
    static const char raw[] = "Subject: x\r\n\r\nhi\n.\r\nMAIL FROM:<ceo@x>\r\n.\r\n";
    g_autoptr(GBytes) b = g_bytes_new_static(raw, sizeof raw - 1);
    smtp_probe_add_raw(p, b, FALSE);
    return p;
}

static void
test_raw_and_extra_replies(void)
{
    /* Raw bytes leave unchanged (bare LF kept); replies after the script
     * and before 221 are reported as QUIT-step extras. */
    check_all_splits(make_smuggle, "220 mx\r\n354 go\r\n250 one\r\n250 two\r\n221 Bye\r\n",
                     "R-1:220\nS:DATA\r\nR0:354\n"
                     "S:Subject: x\r\n\r\nhi\n.\r\nMAIL FROM:<ceo@x>\r\n.\r\nR1:250\nD1,1\n"
                     "S:QUIT\r\nR-2:250\nR-2:221\nC\n");
}

static void
test_eof_and_bad_reply(void)
{
    SmtpProbe *p = make_relay();
    GString *log = g_string_new(NULL);
    smtp_probe_feed(p, (const guint8 *)"220 mx\r\nxyz\r\n", 13);
    drain(p, log);
    g_assert_true(smtp_probe_is_done(p));
    g_assert_nonnull(strstr(log->str, "D-1,0\nC\n"));
    smtp_probe_feed_eof(p); /* no second DONE or CLOSE */
    g_string_truncate(log, 0);
    drain(p, log);
    g_assert_cmpstr(log->str, ==, "");
    g_string_free(log, TRUE);
    smtp_probe_free(p);
}

static SmtpProbe *
make_starttls(void)
{
    SmtpProbe *p = smtp_probe_new();
    smtp_probe_add_line(p, "EHLO client.example", FALSE);
    smtp_probe_add_starttls(p, FALSE);
    smtp_probe_add_line(p, "EHLO client.example", FALSE);
    smtp_probe_add_line(p, "AUTH PLAIN AGJvYgBzZWNyZXQ=", FALSE);
    return p;
}

/* The cleartext part (up to and including the 220 to STARTTLS and
 * anything the server pipelined after it) at split point k, then the
 * node's switch, then the "TLS" part byte by byte. */
static char *
run_starttls(const char *clear, gsize k, const char *after)
{
    SmtpProbe *p = make_starttls();
    GString *log = g_string_new(NULL);
    gsize n = strlen(clear);
    k = MIN(k, n);
    smtp_probe_feed(p, (const guint8 *)clear, k);
    drain(p, log);
    smtp_probe_feed(p, (const guint8 *)clear + k, n - k);
    drain(p, log);
    g_string_append_printf(log, "dropped %" G_GSIZE_FORMAT "\n", smtp_probe_starttls_done(p));
    drain(p, log);
    for (const char *c = after; *c; c++) {
        smtp_probe_feed(p, (const guint8 *)c, 1);
        drain(p, log);
    }
    smtp_probe_free(p);
    return g_string_free(log, FALSE);
}

/* RFC 3207 4: 220 to STARTTLS hands the layer switch to the node; the
 * script goes on under TLS with a new EHLO. */
static void
test_starttls(void)
{
    const char *clear = "220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 2.0.0 Ready\r\n";
    const char *want = "R-1:220\nS:EHLO client.example\r\nR0:250\nS:STARTTLS\r\nR1:220\nT\n"
                       "dropped 0\nS:EHLO client.example\r\nR2:250\n"
                       "S:AUTH PLAIN AGJvYgBzZWNyZXQ=\r\nR3:235\nD3,1\nS:QUIT\r\nR-2:221\nC\n";
    for (gsize k = 0; k <= strlen(clear); k++) {
        g_autofree char *got = run_starttls(clear, k, "250 mx\r\n235 2.7.0 ok\r\n221 Bye\r\n");
        g_assert_cmpstr(got, ==, want);
    }
}

/* RFC 3207 4.2 (CVE-2011-0411 pattern, client side): a reply the server
 * sent after its 220, before the handshake, is dropped, never read as the
 * answer to the first command under TLS. */
static void
test_starttls_injection(void)
{
    const char *clear = "220 mx\r\n250 mx\r\n220 Ready\r\n235 2.7.0 injected\r\n";
    for (gsize k = 0; k <= strlen(clear); k++) {
        g_autofree char *got = run_starttls(clear, k, "250 mx\r\n535 5.7.8 no\r\n221 Bye\r\n");
        g_assert_nonnull(strstr(got, "dropped 20\n"));
        g_assert_nonnull(strstr(got, "R3:535\n"));
        g_assert_null(strstr(got, "235"));
    }
}

/* A refused STARTTLS is an ordinary negative reply: no switch. */
static void
test_starttls_refused(void)
{
    check_all_splits(make_starttls, "220 mx\r\n250 mx\r\n503 5.5.1 not now\r\n221 Bye\r\n",
                     "R-1:220\nS:EHLO client.example\r\nR0:250\nS:STARTTLS\r\nR1:503\n"
                     "D1,0\nS:QUIT\r\nR-2:221\nC\n");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-probe/refused-rcpt", test_refused_rcpt);
    g_test_add_func("/proto/smtp-probe/completed", test_completed);
    g_test_add_func("/proto/smtp-probe/greeting-554", test_greeting_554);
    g_test_add_func("/proto/smtp-probe/go-on-and-421", test_go_on_and_421);
    g_test_add_func("/proto/smtp-probe/raw-and-extra", test_raw_and_extra_replies);
    g_test_add_func("/proto/smtp-probe/eof-and-bad-reply", test_eof_and_bad_reply);
    g_test_add_func("/proto/smtp-probe/starttls", test_starttls);
    g_test_add_func("/proto/smtp-probe/starttls/injection", test_starttls_injection);
    g_test_add_func("/proto/smtp-probe/starttls/refused", test_starttls_refused);
    return g_test_run();
}
