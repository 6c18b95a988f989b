/* SPDX-License-Identifier: MIT
 * Tests for proto/smtp_reply (RFC 5321 4.2 reply grammar, RFC 2034 enhanced
 * codes) and proto/smtp_client (RFC 5321 3.8 421 handling, RFC 3207 4.2
 * client-side discard, greeting 554), each stream fed at every split point.
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_client.h"
#include "proto/smtp_reply.h"

/* Parses in chunks; returns "code/enh/line|line;..." or "ERR". */
static char *
parse_all(const char *in, gsize n, gsize chunk)
{
    g_autoptr(SmtpReplyParser) p = smtp_reply_parser_new();
    GString *out = g_string_new(NULL);
    gsize step = chunk ? chunk : MAX(n, 1);
    for (gsize off = 0; off < n; off += step) {
        smtp_reply_parser_feed(p, (const guint8 *)in + off, MIN(step, n - off));
        for (;;) {
            SmtpReply *r = NULL;
            SmtpReplyParseResult res = smtp_reply_parser_next(p, &r);
            if (res == SMTP_REPLY_PARSE_NONE)
                break;
            if (res == SMTP_REPLY_PARSE_ERROR) {
                g_string_append(out, "ERR");
                return g_string_free(out, FALSE);
            }
            g_string_append_printf(out, "%u/%s/", r->code, r->enhanced);
            for (guint i = 0; i < r->lines->len; i++)
                g_string_append_printf(out, "%s%s", i ? "|" : "",
                                       (char *)g_ptr_array_index(r->lines, i));
            g_string_append(out, ";");
            smtp_reply_free(r);
        }
    }
    return g_string_free(out, FALSE);
}

static void
test_reply_parse(void)
{
    struct {
        const char *in;
        const char *want;
    } cases[] = {
        {"220 mx ESMTP\r\n", "220//mx ESMTP;"},
        {"250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n", "250//mx|PIPELINING|8BITMIME;"},
        {"550 5.1.1 <b@x>: unknown\r\n", "550/5.1.1/<b@x>: unknown;"},
        {"451-4.3.0 one\r\n451 4.3.0 two\r\n", "451/4.3.0/one|two;"},
        {"250 2.1.0\r\n", "250/2.1.0/;"},
        {"334 \r\n", "334//;"},
        {"250\r\n", "250//;"},
        {"550 4.1.1 class mismatch\r\n", "550//4.1.1 class mismatch;"},
        {"250 ok\r\n221 bye\r\n", "250//ok;221//bye;"},
        {"250-a\r\n251 b\r\n", "ERR"}, /* code changed (4.2.1) */
        {"250 ok\n", "ERR"},           /* bare LF (2.3.8) */
        {"25 short\r\n", "ERR"},
        {"650 bad class\r\n", "ERR"},
        {"250+x\r\n", "ERR"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        gsize n = strlen(cases[i].in);
        for (gsize chunk = 0; chunk <= n; chunk++) {
            g_autofree char *got = parse_all(cases[i].in, n, chunk);
            g_assert_cmpstr(got, ==, cases[i].want);
        }
    }
}

static void
test_reply_limits(void)
{
    /* RFC 5321 4.5.3.1.5: 512 octets incl. CRLF is the longest reply line. */
    GString *ok = g_string_new("250 ");
    while (ok->len < 510)
        g_string_append_c(ok, 'x');
    g_string_append(ok, "\r\n");
    for (gsize chunk = 1; chunk <= 2; chunk++) {
        g_autofree char *a = parse_all(ok->str, ok->len, chunk);
        g_assert_true(g_str_has_prefix(a, "250//"));
    }
    g_string_insert_c(ok, 5, 'y');
    g_autofree char *b = parse_all(ok->str, ok->len, 1);
    g_assert_cmpstr(b, ==, "ERR");
    g_string_free(ok, TRUE);
    GString *many = g_string_new(NULL);
    for (int i = 0; i < SMTP_REPLY_LINES_MAX + 1; i++)
        g_string_append(many, "250-x\r\n");
    g_string_append(many, "250 x\r\n");
    g_autofree char *c = parse_all(many->str, many->len, 0);
    g_assert_cmpstr(c, ==, "ERR");
    g_string_free(many, TRUE);
}

static void
test_reply_format(void)
{
    g_autoptr(SmtpReply) r = smtp_reply_new(451, "4.3.0", "first");
    smtp_reply_add_line(r, "second");
    g_autofree char *s = smtp_reply_to_string(r);
    g_assert_cmpstr(s, ==, "451-4.3.0 first\r\n451 4.3.0 second\r\n");
    g_autoptr(GByteArray) b = g_byte_array_new();
    smtp_reply_format(r, FALSE, b);
    g_assert_cmpmem(b->data, b->len, "451-first\r\n451 second\r\n", 23);
    g_autoptr(SmtpReply) e = smtp_reply_new(334, NULL, "%s", "");
    g_autofree char *es = smtp_reply_to_string(e);
    g_assert_cmpstr(es, ==, "334 \r\n");
    g_autoptr(SmtpReply) p = smtp_reply_parse_string("250-a\r\n250 2.0.0 b");
    /* The first line decides whether an enhanced code is present (RFC 2034). */
    g_assert_nonnull(p);
    g_assert_cmpstr(p->enhanced, ==, "");
    g_assert_cmpstr(g_ptr_array_index(p->lines, 1), ==, "2.0.0 b");
    g_autoptr(SmtpReply) q = smtp_reply_parse_string("250 2.0.0 b");
    g_assert_nonnull(q);
    g_assert_true(smtp_reply_is_positive(q));
    g_assert_false(smtp_reply_is_transient(q));
    g_assert_cmpstr(q->enhanced, ==, "2.0.0");
}

/* smtp_reply_format_bytes() writes exactly what smtp_reply_format() does. */
static void
test_reply_format_bytes(void)
{
    g_autoptr(SmtpReply) r = smtp_reply_new(250, "2.0.0", "mx.example");
    smtp_reply_add_line(r, "PIPELINING");
    smtp_reply_add_line(r, "");
    g_autoptr(SmtpReply) bare = smtp_reply_new(354, NULL, "End data with <CR><LF>.<CR><LF>");
    g_autoptr(SmtpReply) empty = smtp_reply_new(334, "", "%s", "");
    const SmtpReply *all[] = {r, bare, empty};
    for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
        for (int enh = 0; enh < 2; enh++) {
            g_autoptr(GByteArray) want = g_byte_array_new();
            smtp_reply_format(all[i], enh, want);
            g_autoptr(GBytes) got = smtp_reply_format_bytes(all[i], enh);
            gsize n = 0;
            const guint8 *d = g_bytes_get_data(got, &n);
            g_assert_cmpmem(d, n, want->data, want->len);
        }
    }
    static const char want[] = "250-2.0.0 mx.example\r\n250-2.0.0 PIPELINING\r\n250 2.0.0\r\n";
    g_autoptr(GBytes) b = smtp_reply_format_bytes(r, TRUE);
    g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), want, sizeof want - 1);
}

/* smtp_reply_new(): a text without conversions is taken as is ("%" only
 * starts a conversion), a formatted one of any length is complete. */
static void
test_reply_new_text(void)
{
    g_autoptr(SmtpReply) plain = smtp_reply_new(250, "2.1.0", "Ok");
    g_assert_cmpstr(smtp_reply_text(plain), ==, "Ok");
    g_assert_cmpstr(plain->enhanced, ==, "2.1.0");
    g_autoptr(SmtpReply) pct = smtp_reply_new(250, NULL, "100%% sure %s", "x");
    g_assert_cmpstr(smtp_reply_text(pct), ==, "100% sure x");
    g_autoptr(SmtpReply) none = smtp_reply_new(250, NULL, NULL);
    g_assert_cmpstr(smtp_reply_text(none), ==, "");
    /* Longer than the stack buffer (a reply line's limit): still whole. */
    g_autofree char *big = g_strnfill(3 * SMTP_REPLY_LINE_MAX, 'a');
    g_autoptr(SmtpReply) longr = smtp_reply_new(550, "5.0.0", "<%s>", big);
    g_assert_cmpuint(strlen(smtp_reply_text(longr)), ==, 3 * SMTP_REPLY_LINE_MAX + 2);
    g_assert_true(g_str_has_suffix(smtp_reply_text(longr), "a>"));
    g_autofree char *edge = g_strnfill(SMTP_REPLY_LINE_MAX - 1, 'b');
    g_autoptr(SmtpReply) at = smtp_reply_new(550, NULL, "%s", edge);
    g_assert_cmpstr(smtp_reply_text(at), ==, edge);
    g_autofree char *over = g_strnfill(SMTP_REPLY_LINE_MAX, 'c');
    g_autoptr(SmtpReply) past = smtp_reply_new(550, NULL, "%s", over);
    g_assert_cmpstr(smtp_reply_text(past), ==, over);
}

/* A shared reply lives until its last holder lets go; a copy is apart. */
static void
test_reply_ref(void)
{
    SmtpReply *r = smtp_reply_parse_string("250-first\r\n250 2.0.0 second\r\n");
    g_assert_nonnull(r);
    SmtpReply *shared = smtp_reply_ref(r);
    g_assert_true(shared == r);
    SmtpReply *copy = smtp_reply_copy(r);
    g_assert_true(copy != r);
    smtp_reply_free(r);
    /* Still readable through the other reference (ASan/valgrind would see a
     * use after free here if the first free had released it). */
    g_assert_cmpuint(shared->code, ==, 250);
    g_assert_cmpuint(shared->lines->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(shared->lines, 1), ==, "2.0.0 second");
    smtp_reply_free(shared);
    /* The copy owns its lines and may grow. */
    smtp_reply_add_line(copy, "third");
    g_assert_cmpuint(copy->lines->len, ==, 3);
    g_autofree char *s = smtp_reply_to_string(copy);
    g_assert_cmpstr(s, ==, "250-first\r\n250-2.0.0 second\r\n250 third\r\n");
    smtp_reply_free(copy);
    smtp_reply_free(NULL);
}

/* A reply's line table starts inside the reply and moves to the heap when
 * smtp_reply_add_line() outgrows it; lines read the same either way, through
 * the accessors and through g_ptr_array_index(). */
static void
test_reply_lines_grow(void)
{
    SmtpReply *r = smtp_reply_new(250, "2.0.0", "line %d", 0);
    g_assert_cmpuint(smtp_reply_n_lines(r), ==, 1);
    g_assert_cmpstr(smtp_reply_line(r, 0), ==, "line 0");
    for (guint i = 1; i < 40; i++) {
        g_autofree char *t = g_strdup_printf("line %u", i);
        smtp_reply_add_line(r, t);
        g_assert_cmpuint(smtp_reply_n_lines(r), ==, i + 1);
    }
    smtp_reply_add_line(r, NULL); /* an empty line */
    g_assert_cmpuint(r->lines->len, ==, 41);
    for (guint i = 0; i < 40; i++) {
        g_autofree char *t = g_strdup_printf("line %u", i);
        g_assert_cmpstr(smtp_reply_line(r, i), ==, t);
        g_assert_cmpstr(g_ptr_array_index(r->lines, i), ==, t);
    }
    g_assert_cmpstr(smtp_reply_line(r, 40), ==, "");
    SmtpReply *c = smtp_reply_copy(r);
    g_autofree char *a = smtp_reply_to_string(r);
    g_autofree char *b = smtp_reply_to_string(c);
    g_assert_cmpstr(a, ==, b);
    g_assert_true(g_str_has_suffix(a, "250-2.0.0 line 39\r\n250 2.0.0\r\n"));
    smtp_reply_free(r);
    /* A parsed reply of many lines has them all in its own block. */
    SmtpReply *p = smtp_reply_parse_string(b);
    g_assert_nonnull(p);
    g_assert_cmpuint(smtp_reply_n_lines(p), ==, 41);
    g_assert_cmpstr(smtp_reply_line(p, 39), ==, "line 39");
    smtp_reply_add_line(p, "more");
    g_assert_cmpstr(smtp_reply_line(p, 41), ==, "more");
    g_assert_cmpstr(smtp_reply_line(p, 0), ==, "line 0");
    smtp_reply_free(p);
    /* One parser, fed octet by octet, assembles a long reply twice (its text
     * buffer outgrows its first room, then is reused), then a short one. */
    g_autoptr(SmtpReplyParser) rp = smtp_reply_parser_new();
    g_autofree char *all = g_strconcat(b, b, "221 2.0.0 bye\r\n", NULL);
    GPtrArray *got = g_ptr_array_new_with_free_func((GDestroyNotify)smtp_reply_free);
    for (const char *q = all; *q; q++) {
        smtp_reply_parser_feed(rp, (const guint8 *)q, 1);
        SmtpReply *one = NULL;
        while (smtp_reply_parser_next(rp, &one) == SMTP_REPLY_PARSE_REPLY)
            g_ptr_array_add(got, one);
    }
    g_assert_cmpuint(got->len, ==, 3);
    for (guint i = 0; i < 2; i++) {
        g_autofree char *again = smtp_reply_to_string(g_ptr_array_index(got, i));
        g_assert_cmpstr(again, ==, b);
    }
    SmtpReply *bye = g_ptr_array_index(got, 2);
    g_assert_cmpuint(bye->code, ==, 221);
    g_assert_cmpstr(smtp_reply_text(bye), ==, "bye");
    g_ptr_array_unref(got);
    smtp_reply_free(c);
}

/* Client scripted against canned server bytes. Returns the client's actions
 * (SEND/REPLY/... strings joined by "\n"). */
/* A client that served another configuration (other names, two recipients
 * with DSN, 8BITMIME) up to the middle of its transaction, replies left
 * unread, then reused for cfg: it must behave exactly as a new one
 * (smtp_client_reuse). */
static SmtpClient *
client_used_engine(const SmtpClientConfig *cfg)
{
    static const char *const rcpts[] = {"x@y.example", "z@y.example", NULL};
    static const guint notify[] = {1, 2};
    static const char *const orcpt[] = {"rfc822;x@y.example", NULL};
    g_autoptr(GBytes) msg = g_bytes_new_static("Subject: s\r\n\r\nb\r\n", 17);
    SmtpClientConfig other = {.helo_name = "other.example",
                              .reverse_path = "o@other.example",
                              .recipients = rcpts,
                              .rcpt_notify = notify,
                              .rcpt_orcpt = orcpt,
                              .dsn_ret = SMTP_DSN_RET_HDRS,
                              .body_8bitmime = TRUE,
                              .message = msg};
    SmtpClient *c = smtp_client_new(&other);
    static const char server[] = "220 mx\r\n250-mx\r\n250-PIPELINING\r\n250-DSN\r\n250 8BITMIME\r\n"
                                 "250 ok\r\n550 5.1.1 no\r\n250 o";
    smtp_client_feed(c, (const guint8 *)server, sizeof server - 1);
    SmtpClientAct a;
    while (smtp_client_poll(c, &a))
        smtp_client_act_clear(&a);
    smtp_client_feed(c, (const guint8 *)"k\r\n354 go\r\n", 12);
    smtp_client_reuse(c, cfg);
    return c;
}

static char *
client_script_engine(const SmtpClientConfig *cfg, const char *const *server_chunks, gsize split,
                     gboolean reused)
{
    g_autoptr(SmtpClient) c = reused ? client_used_engine(cfg) : smtp_client_new(cfg);
    GString *out = g_string_new(NULL);
    for (guint i = 0; server_chunks[i]; i++) {
        const char *in = server_chunks[i];
        gsize n = strlen(in);
        gsize step = split ? split : MAX(n, 1);
        for (gsize off = 0; off <= n; off += step) {
            if (off < n)
                smtp_client_feed(c, (const guint8 *)in + off, MIN(step, n - off));
            SmtpClientAct a;
            while (smtp_client_poll(c, &a)) {
                if (a.kind != SMTP_CLIENT_ACT_REPLY) {
                    g_autofree char *s = smtp_client_act_to_string(&a);
                    g_string_append_printf(out, "%s\n", s);
                }
                if (a.kind == SMTP_CLIENT_ACT_STARTTLS) {
                    /* The rest of this server write would now go to the TLS
                     * layer, not to the engine: stop feeding it. */
                    smtp_client_starttls_done(c);
                    off = n;
                }
                smtp_client_act_clear(&a);
            }
            if (off >= n || step >= n)
                break;
        }
    }
    return g_string_free(out, FALSE);
}

static char *
client_script(const SmtpClientConfig *cfg, const char *const *server_chunks, gsize split)
{
    return client_script_engine(cfg, server_chunks, split, FALSE);
}

static void
check_client(const SmtpClientConfig *cfg, const char *const *chunks, const char *want)
{
    for (gsize split = 0; split <= 5; split++) {
        g_autofree char *got = client_script(cfg, chunks, split);
        g_assert_cmpstr(got, ==, want);
    }
    for (gsize split = 0; split <= 1; split++) {
        g_autofree char *got = client_script_engine(cfg, chunks, split, TRUE);
        g_assert_cmpstr(got, ==, want);
    }
}

static const char *const rcpts1[] = {"b@x.example", NULL};

static void
test_client_greeting_554(void)
{
    SmtpClientConfig cfg = {.helo_name = "c", .reverse_path = "a@c", .recipients = rcpts1};
    const char *const chunks[] = {"554 5.7.1 go away\r\n", "221 bye\r\n", NULL};
    check_client(&cfg, chunks,
                 "DONE permfail stage=CONNECT connection 554 5.7.1 go away\n"
                 "SEND QUIT\\r\\n\nCLOSE\n");
}

static void
test_client_421(void)
{
    SmtpClientConfig cfg = {.helo_name = "c", .reverse_path = "a@c", .recipients = rcpts1};
    const char *const chunks[] = {"220 mx\r\n", "250 mx\r\n", "421 4.3.2 shutting down\r\n", NULL};
    check_client(&cfg, chunks,
                 "SEND EHLO c\\r\\n\n"
                 "SEND MAIL FROM:<a@c>\\r\\n\n"
                 "DONE tempfail stage=MAIL connection 421 4.3.2 shutting down\nCLOSE\n");
}

static void
test_client_pipelined_rcpt_fail(void)
{
    SmtpClientConfig cfg = {.helo_name = "c", .reverse_path = "", .recipients = rcpts1};
    const char *const chunks[] = {"220 mx\r\n", "250-mx\r\n250 PIPELINING\r\n",
                                  "250 ok\r\n550 5.1.1 no\r\n554 5.5.1 no valid recipients\r\n",
                                  "221 bye\r\n", NULL};
    check_client(&cfg, chunks,
                 "SEND EHLO c\\r\\n\n"
                 "SEND MAIL FROM:<>\\r\\nRCPT TO:<b@x.example>\\r\\nDATA\\r\\n\n"
                 "RCPT_RESULT b@x.example 550 5.1.1 no\n"
                 "DONE permfail stage=RCPT 550 5.1.1 no (no recipient accepted)\n"
                 "SEND QUIT\\r\\n\nCLOSE\n");
}

static void
test_client_starttls_injection(void)
{
    /* starttls-injection.yaml client-injected-response: the bytes after the
     * 220 are discarded and the post-TLS EHLO alone is trusted. */
    SmtpClientConfig cfg = {
        .helo_name = "c", .reverse_path = "a@c", .recipients = rcpts1, .want_starttls = TRUE};
    const char *const chunks[] = {"220 mx\r\n", "250-mx\r\n250 STARTTLS\r\n",
                                  "220 Ready to start TLS\r\n250-injected\r\n250 AUTH PLAIN\r\n",
                                  "250 mx\r\n", NULL};
    for (gsize split = 0; split <= 3; split++) {
        g_autofree char *got = client_script(&cfg, chunks, split);
        g_assert_true(strstr(got, "SEND STARTTLS\\r\\n\nSTARTTLS discarded=") != NULL);
        /* After TLS: EHLO again, then MAIL on the fresh 250 (not the injected lines). */
        g_assert_true(g_str_has_suffix(got, "SEND EHLO c\\r\\n\nSEND MAIL FROM:<a@c>\\r\\n\n"));
    }
    g_autofree char *whole = client_script(&cfg, chunks, 0);
    g_assert_nonnull(strstr(whole, "STARTTLS discarded=30\n"));
}

static void
test_client_eof(void)
{
    SmtpClientConfig cfg = {.helo_name = "c", .reverse_path = "a@c", .recipients = rcpts1};
    g_autoptr(SmtpClient) c = smtp_client_new(&cfg);
    smtp_client_feed(c, (const guint8 *)"220 mx\r\n", 8);
    smtp_client_feed_eof(c);
    SmtpClientAct a;
    GString *s = g_string_new(NULL);
    while (smtp_client_poll(c, &a)) {
        g_autofree char *t = smtp_client_act_to_string(&a);
        g_string_append_printf(s, "%s\n", t);
        smtp_client_act_clear(&a);
    }
    g_assert_cmpstr(s->str, ==,
                    "DONE tempfail stage=CONNECT connection - (connection closed)\nCLOSE\n");
    g_assert_true(smtp_client_is_done(c));
    g_string_free(s, TRUE);
}

/* RFC 5321 4.1.1.1: EHLO keywords are case-insensitive; the ones the
 * client acts on (PIPELINING, SIZE, 8BITMIME, DSN) are found in any case,
 * and look-alikes with a shared prefix or first letter are not taken. */
static void
test_client_ehlo_keywords(void)
{
    static const guint notify[] = {SMTP_DSN_NOTIFY_NEVER};
    SmtpClientConfig cfg = {.helo_name = "c",
                            .reverse_path = "a@x.example",
                            .recipients = rcpts1,
                            .body_8bitmime = TRUE,
                            .rcpt_notify = notify,
                            .message = NULL};
    const char *const chunks[] = {"220 mx\r\n",
                                  "250-mx\r\n250-pipelininG\r\n250-size 1000\r\n"
                                  "250-8bitmime\r\n250 dsn\r\n",
                                  "250 ok\r\n250 ok\r\n354 go\r\n",
                                  "250 queued\r\n",
                                  "221 bye\r\n",
                                  NULL};
    check_client(&cfg, chunks,
                 "SEND EHLO c\\r\\n\n"
                 "SEND MAIL FROM:<a@x.example> SIZE=0 BODY=8BITMIME\\r\\n"
                 "RCPT TO:<b@x.example> NOTIFY=NEVER\\r\\nDATA\\r\\n\n"
                 "RCPT_RESULT b@x.example 250 ok\n"
                 "SEND .\\r\\n\n"
                 "DONE delivered stage=DOT 250 queued\n"
                 "SEND QUIT\\r\\n\nCLOSE\n");
    const char *const near[] = {"220 mx\r\n",
                                "250-mx\r\n250-PIPELINE\r\n250-SIZES 1000\r\n250-DSNX\r\n"
                                "250 STARTTLSX\r\n",
                                "250 ok\r\n",
                                "250 ok\r\n",
                                "354 go\r\n",
                                "250 queued\r\n",
                                "221 bye\r\n",
                                NULL};
    SmtpClientConfig lock = cfg;
    lock.want_starttls = TRUE;
    check_client(&lock, near,
                 "SEND EHLO c\\r\\n\n"
                 "SEND MAIL FROM:<a@x.example>\\r\\n\n"
                 "SEND RCPT TO:<b@x.example>\\r\\n\n"
                 "RCPT_RESULT b@x.example 250 ok\n"
                 "SEND DATA\\r\\n\n"
                 "SEND .\\r\\n\n"
                 "DONE delivered stage=DOT 250 queued\n"
                 "SEND QUIT\\r\\n\nCLOSE\n");
}

/* smtp_reply_new_text() gives what smtp_reply_new() gives for the same
 * text, with no printf conversion of it; to_string() is the wire form. */
static void
test_reply_new_concat(void)
{
    g_autoptr(SmtpReply) a = smtp_reply_new_text(250, "2.0.0", "Ok: queued as ", "4F2A1.7");
    g_autoptr(SmtpReply) b = smtp_reply_new(250, "2.0.0", "Ok: queued as %s", "4F2A1.7");
    g_assert_cmpuint(a->code, ==, 250);
    g_assert_cmpstr(a->enhanced, ==, "2.0.0");
    g_assert_cmpuint(a->lines->len, ==, 1);
    g_assert_cmpstr(smtp_reply_text(a), ==, "Ok: queued as 4F2A1.7");
    g_autofree char *sa = smtp_reply_to_string(a);
    g_autofree char *sb = smtp_reply_to_string(b);
    g_assert_cmpstr(sa, ==, "250 2.0.0 Ok: queued as 4F2A1.7\r\n");
    g_assert_cmpstr(sa, ==, sb);
    /* "%" is text here, and the suffix may be left out. */
    g_autoptr(SmtpReply) c = smtp_reply_new_text(550, NULL, "100% full", NULL);
    g_assert_cmpstr(smtp_reply_text(c), ==, "100% full");
    g_autofree char *sc = smtp_reply_to_string(c);
    g_assert_cmpstr(sc, ==, "550 100% full\r\n");
    /* A multi-line reply as a string: every line with its code. */
    smtp_reply_add_line(c, "try later");
    g_autofree char *sm = smtp_reply_to_string(c);
    g_assert_cmpstr(sm, ==, "550-100% full\r\n550 try later\r\n");
}

/* The enhanced code is kept as given, cut to SMTP_REPLY_ENHANCED_MAX - 1
 * octets (RFC 3463 codes are at most 9: "5.999.999"). */
static void
test_reply_enhanced_copy(void)
{
    SmtpReply *a = smtp_reply_new(250, "2.1.5", "Ok");
    g_assert_cmpstr(a->enhanced, ==, "2.1.5");
    smtp_reply_free(a);
    SmtpReply *b = smtp_reply_new(550, "5.999.999", "No");
    g_assert_cmpstr(b->enhanced, ==, "5.999.999");
    smtp_reply_free(b);
    SmtpReply *c = smtp_reply_new(550, "5.1234567.8901", "Long");
    g_assert_cmpuint(strlen(c->enhanced), ==, SMTP_REPLY_ENHANCED_MAX - 1);
    g_assert_cmpstr(c->enhanced, ==, "5.1234567.8");
    smtp_reply_free(c);
    SmtpReply *d = smtp_reply_new(250, NULL, "Ok");
    g_assert_cmpstr(d->enhanced, ==, "");
    smtp_reply_free(d);
    SmtpReply *e = smtp_reply_new(250, "", "Ok");
    g_assert_cmpstr(e->enhanced, ==, "");
    smtp_reply_free(e);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp-reply/parse", test_reply_parse);
    g_test_add_func("/proto/smtp-reply/enhanced-copy", test_reply_enhanced_copy);
    g_test_add_func("/proto/smtp-reply/limits", test_reply_limits);
    g_test_add_func("/proto/smtp-reply/format", test_reply_format);
    g_test_add_func("/proto/smtp-reply/new-text", test_reply_new_text);
    g_test_add_func("/proto/smtp-reply/format-bytes", test_reply_format_bytes);
    g_test_add_func("/proto/smtp-reply/new-concat", test_reply_new_concat);
    g_test_add_func("/proto/smtp-reply/ref", test_reply_ref);
    g_test_add_func("/proto/smtp-reply/lines-grow", test_reply_lines_grow);
    g_test_add_func("/proto/smtp-client/greeting-554", test_client_greeting_554);
    g_test_add_func("/proto/smtp-client/421", test_client_421);
    g_test_add_func("/proto/smtp-client/pipelined-rcpt-fail", test_client_pipelined_rcpt_fail);
    g_test_add_func("/proto/smtp-client/ehlo-keywords", test_client_ehlo_keywords);
    g_test_add_func("/proto/smtp-client/starttls-injection", test_client_starttls_injection);
    g_test_add_func("/proto/smtp-client/eof", test_client_eof);
    return g_test_run();
}
