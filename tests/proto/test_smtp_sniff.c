/* SPDX-License-Identifier: MIT
 * Tests for proto/smtp_sniff: what a passive observer learns from one SMTP
 * connection. RFC 4616 (PLAIN "\0user\0pass"), LOGIN, RFC 2195 (CRAM-MD5
 * challenge and "user digest"), RFC 3207 (after the 220 to STARTTLS only
 * TLS record sizes, RFC 8446 5.1), RFC 5321 4.1.1.4 (content to "."). Every
 * transcript is fed whole, byte by byte, and split at every point of each
 * chunk: the events must not change.
 */
#include <string.h>

#include <glib.h>

#include "helper_sniff.h"
#include "proto/smtp_sniff.h"

typedef SniffChunk Chunk;

static char *
run(const Chunk *chunks, guint n, gsize step, gsize split)
{
    return sniff_run(smtp_sniffer_new, chunks, n, step, split);
}

static void
check(const Chunk *chunks, guint n, const char *want)
{
    sniff_check(smtp_sniffer_new, chunks, n, want);
}

/* "\0alice@a.test\0s3cret" and "alice@a.test", "s3cret" in base64. */
#define PLAIN_B64 "AGFsaWNlQGEudGVzdABzM2NyZXQ="

static void
test_plain_initial(void)
{
    static const Chunk c[] = {
        {SMTP_SNIFF_S2C, "220 mx ESMTP\r\n", 0},
        {SMTP_SNIFF_C2S, "EHLO pc\r\n", 0},
        {SMTP_SNIFF_S2C, "250-mx\r\n250 AUTH PLAIN LOGIN\r\n", 0},
        {SMTP_SNIFF_C2S, "AUTH PLAIN " PLAIN_B64 "\r\n", 0},
        {SMTP_SNIFF_S2C, "235 2.7.0 Authentication successful\r\n", 0},
        {SMTP_SNIFF_C2S, "MAIL FROM:<alice@a.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n", 0},
        {SMTP_SNIFF_S2C, "250 Ok\r\n250 Ok\r\n354 Go\r\n", 0},
        {SMTP_SNIFF_C2S, "Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n", 0},
        {SMTP_SNIFF_S2C, "250 queued\r\n221 Bye\r\n", 0},
    };
    check(c, G_N_ELEMENTS(c),
          "LINE S 220 mx ESMTP\nLINE C EHLO pc\nLINE S 250-mx\nLINE S 250 AUTH PLAIN LOGIN\n"
          "LINE C AUTH PLAIN " PLAIN_B64 "\nCREDENTIALS PLAIN [] alice@a.test s3cret\n"
          "LINE S 235 2.7.0 Authentication successful\n"
          "LINE C MAIL FROM:<alice@a.test>\nLINE C RCPT TO:<b@b.test>\nLINE C DATA\n"
          "LINE S 250 Ok\nLINE S 250 Ok\nLINE S 354 Go\n"
          "MESSAGE 21\nLINE C QUIT\nLINE S 250 queued\nLINE S 221 Bye\n");
}

static void
test_login_and_plain_continued(void)
{
    static const Chunk c[] = {
        {SMTP_SNIFF_C2S, "AUTH LOGIN\r\n", 0},
        {SMTP_SNIFF_S2C, "334 VXNlcm5hbWU6\r\n", 0},
        {SMTP_SNIFF_C2S, "YWxpY2VAYS50ZXN0\r\n", 0},
        {SMTP_SNIFF_S2C, "334 UGFzc3dvcmQ6\r\n", 0},
        {SMTP_SNIFF_C2S, "czNjcmV0\r\n", 0},
        {SMTP_SNIFF_S2C, "535 5.7.8 Error: authentication failed\r\n", 0},
        {SMTP_SNIFF_C2S, "AUTH PLAIN\r\n", 0},
        {SMTP_SNIFF_S2C, "334 \r\n", 0},
        {SMTP_SNIFF_C2S, PLAIN_B64 "\r\n", 0},
        {SMTP_SNIFF_S2C, "235 ok\r\n", 0},
    };
    check(c, G_N_ELEMENTS(c),
          "LINE C AUTH LOGIN\nLINE S 334 VXNlcm5hbWU6\nLINE C YWxpY2VAYS50ZXN0\n"
          "LINE S 334 UGFzc3dvcmQ6\nLINE C czNjcmV0\nCREDENTIALS LOGIN [] alice@a.test s3cret\n"
          "LINE S 535 5.7.8 Error: authentication failed\nLINE C AUTH PLAIN\nLINE S 334 \n"
          "LINE C " PLAIN_B64 "\nCREDENTIALS PLAIN [] alice@a.test s3cret\nLINE S 235 ok\n");
}

/* RFC 2195 2's example: challenge <1896.697170952@postoffice.reston.mci.net>,
 * user tim, digest b913a602c7eda7a495b4e6e7334d3890. */
static void
test_cram_md5(void)
{
    static const Chunk c[] = {
        {SMTP_SNIFF_C2S, "AUTH CRAM-MD5\r\n", 0},
        {SMTP_SNIFF_S2C, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n", 0},
        {SMTP_SNIFF_C2S, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n", 0},
        {SMTP_SNIFF_S2C, "235 ok\r\n", 0},
        {SMTP_SNIFF_C2S, "AUTH CRAM-MD5\r\n", 0},
        {SMTP_SNIFF_S2C, "334 PGFAYj4=\r\n", 0},
        {SMTP_SNIFF_C2S, "*\r\n", 0},
        {SMTP_SNIFF_S2C, "501 5.7.0 Authentication aborted\r\n", 0},
    };
    check(c, G_N_ELEMENTS(c),
          "LINE C AUTH CRAM-MD5\n"
          "LINE S 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\n"
          "LINE C dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\n"
          "CRAM tim <1896.697170952@postoffice.reston.mci.net> b913a602c7eda7a495b4e6e7334d3890\n"
          "LINE S 235 ok\nLINE C AUTH CRAM-MD5\nLINE S 334 PGFAYj4=\nLINE C *\n"
          "LINE S 501 5.7.0 Authentication aborted\n");
}

/* RFC 2831 4's example (user chris, password secret): the digest-challenge
 * in the first 334, the digest-response in the client's answer; the 334
 * rspauth and the empty client line after it add nothing. A cancelled
 * exchange and a response without username are no capture. */
#define DIGEST_CHAL                                                                                \
    "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,"      \
    "charset=utf-8"
#define DIGEST_RESP                                                                                \
    "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\","     \
    "nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","               \
    "response=d388dad90d4bbd760a152321f2143af7,qop=auth"
#define DIGEST_CHAL_B64                                                                            \
    "cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0" \
    "aG09bWQ1LXNlc3MsY2hhcnNldD11dGYtOA=="
#define DIGEST_RESP_B64                                                                            \
    "Y2hhcnNldD11dGYtOCx1c2VybmFtZT0iY2hyaXMiLHJlYWxtPSJlbHdvb2QuaW5ub3NvZnQuY29tIixub25jZT0iT0E2" \
    "TUc5dEVRR20yaGgiLG5jPTAwMDAwMDAxLGNub25jZT0iT0E2TUhYaDZWcVRyUmsiLGRpZ2VzdC11cmk9ImltYXAvZWx3" \
    "b29kLmlubm9zb2Z0LmNvbSIscmVzcG9uc2U9ZDM4OGRhZDkwZDRiYmQ3NjBhMTUyMzIxZjIxNDNhZjcscW9wPWF1dGg="

static void
test_digest_md5(void)
{
    static const Chunk c[] = {
        {SMTP_SNIFF_C2S, "AUTH DIGEST-MD5\r\n", 0},
        {SMTP_SNIFF_S2C, "334 " DIGEST_CHAL_B64 "\r\n", 0},
        {SMTP_SNIFF_C2S, DIGEST_RESP_B64 "\r\n", 0},
        {SMTP_SNIFF_S2C, "334 cnNwYXV0aD1lYTQwZjYwMzM1YzQyN2I1NTI3Yjg0ZGJhYmNkZmZmZA==\r\n", 0},
        {SMTP_SNIFF_C2S, "\r\n", 0},
        {SMTP_SNIFF_S2C, "235 ok\r\n", 0},
        {SMTP_SNIFF_C2S, "AUTH DIGEST-MD5\r\n", 0},
        {SMTP_SNIFF_S2C, "334 " DIGEST_CHAL_B64 "\r\n", 0},
        {SMTP_SNIFF_C2S, "*\r\n", 0},
        {SMTP_SNIFF_S2C, "501 5.7.0 Authentication aborted\r\n", 0},
        {SMTP_SNIFF_C2S, "AUTH DIGEST-MD5\r\n", 0},
        {SMTP_SNIFF_S2C, "334 " DIGEST_CHAL_B64 "\r\n", 0},
        {SMTP_SNIFF_C2S, "bm9uY2U9IngiCg==\r\n", 0}, /* nonce="x": no username */
        {SMTP_SNIFF_S2C, "535 no\r\n", 0},
    };
    check(c, G_N_ELEMENTS(c),
          "LINE C AUTH DIGEST-MD5\n"
          "LINE S 334 " DIGEST_CHAL_B64 "\n"
          "LINE C " DIGEST_RESP_B64 "\n"
          "DIGEST chris [" DIGEST_CHAL "] [" DIGEST_RESP "]\n"
          "LINE S 334 cnNwYXV0aD1lYTQwZjYwMzM1YzQyN2I1NTI3Yjg0ZGJhYmNkZmZmZA==\n"
          "LINE C \n"
          "LINE S 235 ok\n"
          "LINE C AUTH DIGEST-MD5\nLINE S 334 " DIGEST_CHAL_B64 "\nLINE C *\n"
          "LINE S 501 5.7.0 Authentication aborted\n"
          "LINE C AUTH DIGEST-MD5\nLINE S 334 " DIGEST_CHAL_B64 "\nLINE C bm9uY2U9IngiCg==\n"
          "LINE S 535 no\n");
}

/* After "220" to STARTTLS the observer reads only record headers; bytes in
 * the same segment after the 220 are already TLS. A refused STARTTLS
 * leaves the session in clear. */
static const guint8 tls_c1[] = {0x16, 0x03, 0x01, 0x00, 0x03, 'a', 'b',
                                'c',  0x17, 0x03, 0x03, 0x00, 0x01};
static const guint8 tls_c2[] = {'z', 0x17, 0x03, 0x03, 0x00, 0x00};

static void
test_starttls(void)
{
    static const Chunk refused[] = {
        {SMTP_SNIFF_C2S, "STARTTLS\r\n", 0},
        {SMTP_SNIFF_S2C, "502 5.5.1 Error: command not implemented\r\n", 0},
        {SMTP_SNIFF_C2S, "AUTH PLAIN " PLAIN_B64 "\r\n", 0},
    };
    check(refused, G_N_ELEMENTS(refused),
          "LINE C STARTTLS\nLINE S 502 5.5.1 Error: command not implemented\n"
          "LINE C AUTH PLAIN " PLAIN_B64 "\nCREDENTIALS PLAIN [] alice@a.test s3cret\n");
    const Chunk c[] = {
        {SMTP_SNIFF_C2S, "STARTTLS\r\n", 0},
        {SMTP_SNIFF_S2C, "220 2.0.0 Ready to start TLS\r\n", 0},
        {SMTP_SNIFF_C2S, (const char *)tls_c1, sizeof tls_c1},
        {SMTP_SNIFF_C2S, (const char *)tls_c2, sizeof tls_c2},
        {SMTP_SNIFF_S2C, "\x16\x03\x03\x00\x02hi", 7},
    };
    g_autofree char *got = run(c, G_N_ELEMENTS(c), 0, 0);
    g_assert_cmpstr(got, ==,
                    "LINE C STARTTLS\nLINE S 220 2.0.0 Ready to start TLS\nSTARTTLS\n"
                    "TLS C 8\nTLS C 6 5\nTLS S 7\n");
    /* Byte by byte: the same records, one event each. */
    g_autofree char *bytes = run(c, G_N_ELEMENTS(c), 1, 0);
    g_assert_cmpstr(bytes, ==,
                    "LINE C STARTTLS\nLINE S 220 2.0.0 Ready to start TLS\nSTARTTLS\n"
                    "TLS C 8\nTLS C 6\nTLS C 5\nTLS S 7\n");
}

static void
test_long_line(void)
{
    g_autoptr(SmtpSniffer) sn = smtp_sniffer_new();
    g_autofree char *big = g_strnfill(SMTP_SNIFF_LINE_MAX + 10, 'x');
    smtp_sniffer_feed(sn, SMTP_SNIFF_C2S, (const guint8 *)big, strlen(big));
    smtp_sniffer_feed(sn, SMTP_SNIFF_C2S, (const guint8 *)"\r\n", 2);
    SmtpSniffEvent ev;
    g_assert_true(smtp_sniffer_poll(sn, &ev));
    g_assert_cmpint(ev.kind, ==, SMTP_SNIFF_EV_LINE);
    g_assert_true(ev.truncated);
    g_assert_cmpuint(strlen(ev.text), ==, SMTP_SNIFF_LINE_MAX);
    smtp_sniff_event_clear(&ev);
    g_assert_false(smtp_sniffer_poll(sn, &ev));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-sniff/plain-initial", test_plain_initial);
    g_test_add_func("/proto/smtp-sniff/login-and-plain", test_login_and_plain_continued);
    g_test_add_func("/proto/smtp-sniff/cram-md5", test_cram_md5);
    g_test_add_func("/proto/smtp-sniff/digest-md5", test_digest_md5);
    g_test_add_func("/proto/smtp-sniff/starttls", test_starttls);
    g_test_add_func("/proto/smtp-sniff/long-line", test_long_line);
    return g_test_run();
}
