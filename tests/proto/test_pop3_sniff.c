/* SPDX-License-Identifier: MIT
 * Tests for the POP3 mode of proto/smtp_sniff: what a passive observer of
 * a POP3 connection learns. RFC 1939 7 (USER name, PASS string: the
 * password in clear), RFC 1939 3 (a multi-line RETR/TOP response ends
 * with "."), RFC 2595 4 (after the +OK to STLS only TLS record sizes).
 * Every transcript is fed whole, byte by byte, and split at every point.
 */
#include <string.h>

#include <glib.h>

#include "helper_sniff.h"
#include "proto/smtp_sniff.h"

typedef SniffChunk Chunk;

static char *
run(const Chunk *chunks, guint n, gsize step, gsize split)
{
    return sniff_run(smtp_sniffer_new_pop3, chunks, n, step, split);
}

static void
check(const Chunk *chunks, guint n, const char *want)
{
    sniff_check(smtp_sniffer_new_pop3, chunks, n, want);
}

static void
test_userpass(void)
{
    static const Chunk c[] = {
        {SMTP_SNIFF_S2C, "+OK POP3 server ready <1.2@ms>\r\n", 0},
        {SMTP_SNIFF_C2S, "USER bob@example.com\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK send PASS\r\n", 0},
        {SMTP_SNIFF_C2S, "PASS pass with spaces\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK maildrop has 1 message\r\n", 0},
        {SMTP_SNIFF_C2S, "RETR 1\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK 20 octets\r\nSubject: x\r\n\r\n..hi\r\n.\r\n", 0},
        {SMTP_SNIFF_C2S, "RETR 9\r\n", 0},
        {SMTP_SNIFF_S2C, "-ERR no such message\r\n", 0},
        {SMTP_SNIFF_C2S, "QUIT\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK bye\r\n", 0},
    };
    check(c, G_N_ELEMENTS(c),
          "LINE S +OK POP3 server ready <1.2@ms>\nLINE C USER bob@example.com\n"
          "LINE S +OK send PASS\nLINE C PASS pass with spaces\n"
          "CREDENTIALS USER/PASS [] bob@example.com pass with spaces\n"
          "LINE S +OK maildrop has 1 message\nLINE C RETR 1\nLINE S +OK 20 octets\n"
          "MESSAGE 20\nLINE C RETR 9\nLINE S -ERR no such message\nLINE C QUIT\n"
          "LINE S +OK bye\n");
}

/* The content of a multi-line LIST is shown, a TOP is summed up. */
static void
test_list_and_top(void)
{
    static const Chunk c[] = {
        {SMTP_SNIFF_C2S, "LIST\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK 1 messages\r\n1 120\r\n.\r\n", 0},
        {SMTP_SNIFF_C2S, "TOP 1 0\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK\r\nFrom: a\r\n\r\n.\r\n", 0},
    };
    check(c, G_N_ELEMENTS(c),
          "LINE C LIST\nLINE S +OK 1 messages\nLINE S 1 120\nLINE S .\nLINE C TOP 1 0\n"
          "LINE S +OK\nMESSAGE 11\n");
}

static const guint8 tls_hello[] = {0x16, 0x03, 0x01, 0x00, 0x03, 'a', 'b', 'c'};

/* RFC 2595 4: "-ERR" to STLS leaves the session in clear (the PASS that
 * follows is read); "+OK" turns both directions into TLS records. */
static void
test_stls(void)
{
    static const Chunk refused[] = {
        {SMTP_SNIFF_C2S, "STLS\r\n", 0},
        {SMTP_SNIFF_S2C, "-ERR STLS not available\r\n", 0},
        {SMTP_SNIFF_C2S, "USER u\r\nPASS p\r\n", 0},
    };
    check(refused, G_N_ELEMENTS(refused),
          "LINE C STLS\nLINE S -ERR STLS not available\nLINE C USER u\nLINE C PASS p\n"
          "CREDENTIALS USER/PASS [] u p\n");
    const Chunk c[] = {
        {SMTP_SNIFF_C2S, "CAPA\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK\r\nSTLS\r\n.\r\n", 0},
        {SMTP_SNIFF_C2S, "STLS\r\n", 0},
        {SMTP_SNIFF_S2C, "+OK Begin TLS negotiation\r\n", 0},
        {SMTP_SNIFF_C2S, (const char *)tls_hello, sizeof tls_hello},
        {SMTP_SNIFF_S2C, "\x17\x03\x03\x00\x02hi", 7},
    };
    const char *want = "LINE C CAPA\nLINE S +OK\nLINE S STLS\nLINE S .\nLINE C STLS\n"
                       "LINE S +OK Begin TLS negotiation\nSTARTTLS\nTLS C 8\nTLS S 7\n";
    g_autofree char *got = run(c, G_N_ELEMENTS(c), 0, 0);
    g_assert_cmpstr(got, ==, want);
    g_autofree char *bytes = run(c, G_N_ELEMENTS(c), 1, 0);
    g_assert_cmpstr(bytes, ==, want);
    for (gsize split = 1; split < 30; split++) {
        g_autofree char *s = run(c, G_N_ELEMENTS(c), 0, split);
        g_assert_cmpstr(s, ==, want);
    }
}

/* The SMTP observer, fed the same POP3 bytes, finds no credentials: the
 * mode matters. */
static void
test_smtp_mode_differs(void)
{
    g_autoptr(SmtpSniffer) sn = smtp_sniffer_new();
    const char *c = "USER u\r\nPASS p\r\n";
    smtp_sniffer_feed(sn, SMTP_SNIFF_C2S, (const guint8 *)c, strlen(c));
    SmtpSniffEvent ev;
    guint lines = 0;
    while (smtp_sniffer_poll(sn, &ev)) {
        g_assert_cmpint(ev.kind, ==, SMTP_SNIFF_EV_LINE);
        lines++;
        smtp_sniff_event_clear(&ev);
    }
    g_assert_cmpuint(lines, ==, 2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/pop3-sniff/userpass", test_userpass);
    g_test_add_func("/proto/pop3-sniff/list-and-top", test_list_and_top);
    g_test_add_func("/proto/pop3-sniff/stls", test_stls);
    g_test_add_func("/proto/pop3-sniff/smtp-mode-differs", test_smtp_mode_differs);
    return g_test_run();
}
