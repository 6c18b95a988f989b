/* SPDX-License-Identifier: MIT
 * Tests for proto/http_parse, http_server, http_client and http_form:
 * requests and responses replayed whole, byte by byte and split at every
 * point (the transcript of actions must not change); the RFC 9112 limits
 * and their status codes (400, 413, 414, 431, 501, 505); persistent
 * connections and "Connection: close"; chunked bodies; HEAD; a client <->
 * server pair with no simulator; RFC 3986 percent-decoding and form bodies.
 */
#include <string.h>

#include <glib.h>

#include "proto/http_client.h"
#include "proto/http_form.h"
#include "proto/http_parse.h"
#include "proto/http_server.h"
#include "proto/http_sniff.h"

/* ------------------------------------------------------------------ */
/* server transcripts                                                 */

/* Runs a server over input cut at the given split points (ascending,
 * nsplits of them; nsplits == G_MAXUINT: byte by byte), answering every
 * request with 200 and "METHOD TARGET BODY". Returns every action as text,
 * SEND bytes in full. */
static char *
server_run(const char *input, gsize len, const gsize *splits, guint nsplits, gboolean eof)
{
    HttpServerConfig cfg = {.server_name = "mhs-test", .max_body = 64};
    g_autoptr(HttpServer) srv = http_server_new(&cfg);
    GString *out = g_string_new(NULL);
    gsize pos = 0;
    guint k = 0;
    for (;;) {
        gsize next = nsplits == G_MAXUINT ? MIN(pos + 1, len) : k < nsplits ? splits[k++] : len;
        if (next > pos)
            http_server_feed(srv, (const guint8 *)input + pos, next - pos);
        pos = next;
        if (pos == len && eof)
            http_server_feed_eof(srv);
        HttpServerAct act;
        while (http_server_poll(srv, &act)) {
            if (act.kind == HTTP_SERVER_ACT_SEND) {
                gsize n;
                const char *p = g_bytes_get_data(act.bytes, &n);
                g_string_append(out, "S: ");
                g_string_append_len(out, p, (gssize)n);
                g_string_append(out, "|\n");
            } else {
                g_autofree char *s = http_server_act_to_string(&act);
                g_string_append_printf(out, "A: %s\n", s);
            }
            if (act.kind == HTTP_SERVER_ACT_REQUEST) {
                gsize blen;
                const char *b = g_bytes_get_data(act.request->body, &blen);
                g_autofree char *text = g_strdup_printf("%s %s %.*s", act.request->method,
                                                        act.request->target, (int)blen, b);
                g_autoptr(GBytes) body = g_bytes_new(text, strlen(text));
                const char *fields[] = {"Content-Type", "text/plain", NULL};
                HttpResponse resp = {.status = 200, .fields = fields, .body = body};
                http_server_respond(srv, act.id, &resp);
            }
            http_server_act_clear(&act);
        }
        if (pos == len)
            break;
    }
    return g_string_free(out, FALSE);
}

/* The transcript must be the same whole, byte by byte and split at every
 * single point (http-parser test_scan). Returns the whole transcript. */
static char *
server_transcript(const char *input, gboolean eof)
{
    gsize len = strlen(input);
    char *whole = server_run(input, len, NULL, 0, eof);
    g_autofree char *bytewise = server_run(input, len, NULL, G_MAXUINT, eof);
    g_assert_cmpstr(bytewise, ==, whole);
    for (gsize i = 1; i < len; i++) {
        g_autofree char *split = server_run(input, len, &i, 1, eof);
        if (g_strcmp0(split, whole) != 0)
            g_error("split at %" G_GSIZE_FORMAT " differs:\n%s\n---\n%s", i, split, whole);
    }
    return whole;
}

static void
test_server_get(void)
{
    g_autofree char *t =
        server_transcript("GET /inbox HTTP/1.1\r\nHost: web.example\r\n\r\n", TRUE);
    g_assert_nonnull(strstr(t, "A: REQUEST 1 GET /inbox body=0\n"));
    g_assert_nonnull(strstr(t, "S: HTTP/1.1 200 OK\r\nServer: mhs-test\r\n"
                               "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\n"
                               "GET /inbox |\n"));
    /* HTTP/1.1 persists: no "Connection: close"; EOF then closes. */
    g_assert_null(strstr(t, "Connection: close"));
    g_assert_true(g_str_has_suffix(t, "A: CLOSE\n"));
}

static void
test_server_post_length(void)
{
    g_autofree char *t = server_transcript("POST /login HTTP/1.1\r\nHost: w\r\n"
                                           "Content-Type: application/x-www-form-urlencoded\r\n"
                                           "Content-Length: 23\r\n\r\n"
                                           "user=a%40b&password=x+y",
                                           FALSE);
    g_assert_nonnull(strstr(t, "A: REQUEST 1 POST /login body=23\n"));
    g_assert_nonnull(strstr(t, "POST /login user=a%40b&password=x+y|"));
    g_assert_null(strstr(t, "CLOSE"));
}

static void
test_server_chunked(void)
{
    /* RFC 9112 7.1: chunk extensions ignored, trailers read and dropped. */
    g_autofree char *t = server_transcript("POST /send HTTP/1.1\r\nHost: w\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n"
                                           "5;name=val\r\nhello\r\n"
                                           "1\r\n \r\n"
                                           "A \r\nworld12345\r\n"
                                           "0\r\nX-Trailer: 1\r\n\r\n"
                                           "GET /next HTTP/1.1\r\nHost: w\r\n\r\n",
                                           TRUE);
    g_assert_nonnull(strstr(t, "A: REQUEST 1 POST /send body=16\n"));
    g_assert_nonnull(strstr(t, "POST /send hello world12345|"));
    g_assert_nonnull(strstr(t, "A: REQUEST 2 GET /next body=0\n"));
}

static void
test_server_pipelined(void)
{
    /* RFC 9112 9.3.2: answered in order; leading empty lines skipped (2.2);
     * a bare LF ends a line (2.2 MAY). */
    g_autofree char *t = server_transcript("\r\nGET /a HTTP/1.1\r\nHost: w\r\n\r\n"
                                           "GET /b HTTP/1.1\nHost: w\n\n"
                                           "GET /c HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n"
                                           "GET /never HTTP/1.1\r\nHost: w\r\n\r\n",
                                           FALSE);
    const char *a = strstr(t, "REQUEST 1 GET /a"), *b = strstr(t, "REQUEST 2 GET /b"),
               *c = strstr(t, "REQUEST 3 GET /c");
    g_assert_true(a && b && c && a < b && b < c);
    g_assert_null(strstr(t, "/never"));
    g_assert_nonnull(strstr(t, "Connection: close\r\n\r\nGET /c |\nA: CLOSE\n"));
}

static void
test_server_http10(void)
{
    g_autofree char *t1 = server_transcript("GET / HTTP/1.0\r\n\r\n", FALSE);
    g_assert_nonnull(strstr(t1, "Connection: close\r\n"));
    g_assert_true(g_str_has_suffix(t1, "A: CLOSE\n"));
    g_autofree char *t2 =
        server_transcript("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", FALSE);
    g_assert_nonnull(strstr(t2, "Connection: keep-alive\r\n"));
    g_assert_null(strstr(t2, "CLOSE"));
}

static void
test_server_head(void)
{
    /* RFC 9110 9.3.2: the head only, with the Content-Length of the GET. */
    g_autofree char *t = server_transcript("HEAD /x HTTP/1.1\r\nHost: w\r\n\r\n", FALSE);
    g_assert_nonnull(strstr(t, "Content-Length: 8\r\n\r\n|\n"));
}

typedef struct {
    const char *name;
    const char *input;
    guint status;
} BadCase;

static void
test_server_errors(void)
{
    g_autofree char *long_target = g_strnfill(HTTP_REQUEST_LINE_MAX, 'a');
    g_autofree char *long_line =
        g_strdup_printf("GET /%s HTTP/1.1\r\nHost: w\r\n\r\n", long_target);
    g_autofree char *big_field = g_strnfill(HTTP_FIELD_LINE_MAX, 'b');
    g_autofree char *long_field =
        g_strdup_printf("GET / HTTP/1.1\r\nHost: w\r\nX: %s\r\n\r\n", big_field);
    GString *many = g_string_new("GET / HTTP/1.1\r\nHost: w\r\n");
    for (int i = 0; i < HTTP_FIELDS_MAX; i++)
        g_string_append_printf(many, "X-%d: y\r\n", i);
    g_string_append(many, "\r\n");
    GString *huge = g_string_new("GET / HTTP/1.1\r\nHost: w\r\n");
    for (int i = 0; huge->len <= HTTP_HEAD_MAX; i++)
        g_string_append_printf(huge, "X: %0500d\r\n", i);
    g_string_append(huge, "\r\n");
    const BadCase cases[] = {
        {"no Host (RFC 9112 3.2)", "GET / HTTP/1.1\r\n\r\n", 400},
        {"two Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"TE and CL (6.3)",
         "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n"
         "Content-Length: 3\r\n\r\n0\r\n\r\n",
         400},
        {"differing CL",
         "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 3\r\n"
         "Content-Length: 4\r\n\r\nabcd",
         400},
        {"CL list differs", "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 3, 4\r\n\r\nabcd", 400},
        {"CL not a number", "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: -1\r\n\r\n", 400},
        {"CL over the limit", "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 65\r\n\r\n", 413},
        {"CL overflow",
         "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
        {"chunks over the limit",
         "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n"
         "40\r\n"
         "0123456789012345678901234567890123456789012345678901234567890123"
         "\r\n1\r\nx\r\n0\r\n\r\n",
         413},
        {"bad chunk size", "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
         400},
        {"chunk without CRLF",
         "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n"
         "1\r\nxy\r\n0\r\n\r\n",
         400},
        {"gzip coding (501)", "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        {"chunked not last",
         "POST / HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
        {"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        {"request line too long (414)", long_line, 414},
        {"field line too long (431)", long_field, 431},
        {"too many fields (431)", many->str, 431},
        {"head too large (431)", huge->str, 431},
        {"obs-fold (5.2)", "GET / HTTP/1.1\r\nHost: w\r\nX: a\r\n b\r\n\r\n", 400},
        {"space before colon (5.1)", "GET / HTTP/1.1\r\nHost : w\r\n\r\n", 400},
        {"bare CR (2.2)", "GET / HTTP/1.1\r\nHost: w\rX: y\r\n\r\n", 400},
        {"control in value", "GET / HTTP/1.1\r\nHost: w\x01\r\n\r\n", 400},
        {"HTTP/2.0 (505)", "GET / HTTP/2.0\r\nHost: w\r\n\r\n", 505},
        {"bad version", "GET / HTTP/1.10\r\nHost: w\r\n\r\n", 400},
        {"lower-case version", "GET / http/1.1\r\nHost: w\r\n\r\n", 400},
        {"two spaces", "GET  / HTTP/1.1\r\nHost: w\r\n\r\n", 400},
        {"no target", "GET HTTP/1.1\r\n\r\n", 400},
        {"bad method", "G(T / HTTP/1.1\r\nHost: w\r\n\r\n", 400},
        {"EOF inside the head", "GET / HTTP/1.1\r\nHost: w\r\n", 400},
        {"EOF inside the body", "POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 5\r\n\r\nab", 400},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("case: %s", cases[i].name);
        gboolean whole_only = strlen(cases[i].input) > 2000;
        g_autofree char *t = whole_only
                                 ? server_run(cases[i].input, strlen(cases[i].input), NULL, 0, TRUE)
                                 : server_transcript(cases[i].input, TRUE);
        g_autofree char *want = g_strdup_printf("A: ERROR %u ", cases[i].status);
        g_autofree char *line = g_strdup_printf("S: HTTP/1.1 %u %s\r\n", cases[i].status,
                                                http_status_reason(cases[i].status));
        if (strstr(t, want) == NULL || strstr(t, line) == NULL)
            g_error("%s: expected %u, got:\n%s", cases[i].name, cases[i].status, t);
        g_assert_null(strstr(t, "REQUEST"));
        g_assert_nonnull(strstr(t, "Connection: close\r\n"));
        g_assert_true(g_str_has_suffix(t, "A: CLOSE\n"));
    }
    g_string_free(many, TRUE);
    g_string_free(huge, TRUE);
}

static void
test_server_limits_exact(void)
{
    /* A request line of exactly HTTP_REQUEST_LINE_MAX octets (CRLF included)
     * passes; one more octet is 414. */
    gsize fixed = strlen("GET / HTTP/1.1\r\n");
    g_autofree char *pad = g_strnfill(HTTP_REQUEST_LINE_MAX - fixed, 'a');
    g_autofree char *ok = g_strdup_printf("GET /%s HTTP/1.1\r\nHost: w\r\n\r\n", pad);
    g_autofree char *t1 = server_run(ok, strlen(ok), NULL, 0, FALSE);
    g_assert_nonnull(strstr(t1, "A: REQUEST 1 GET"));
    g_autofree char *bad = g_strdup_printf("GET /a%s HTTP/1.1\r\nHost: w\r\n\r\n", pad);
    g_autofree char *t2 = server_run(bad, strlen(bad), NULL, 0, FALSE);
    g_assert_nonnull(strstr(t2, "A: ERROR 414"));
    /* A body of exactly max_body (64) passes. */
    g_autofree char *b64 = g_strnfill(64, 'z');
    g_autofree char *post =
        g_strdup_printf("POST / HTTP/1.1\r\nHost: w\r\nContent-Length: 64\r\n\r\n%s", b64);
    g_autofree char *t3 = server_run(post, strlen(post), NULL, 0, FALSE);
    g_assert_nonnull(strstr(t3, "A: REQUEST 1 POST / body=64"));
}

static void
test_server_max_requests_and_abort(void)
{
    HttpServerConfig cfg = {.max_requests = 1};
    g_autoptr(HttpServer) srv = http_server_new(&cfg);
    const char *in = "GET / HTTP/1.1\r\nHost: w\r\n\r\nGET / HTTP/1.1\r\nHost: w\r\n\r\n";
    http_server_feed(srv, (const guint8 *)in, strlen(in));
    HttpServerAct act;
    g_assert_true(http_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, HTTP_SERVER_ACT_REQUEST);
    g_assert_false(http_server_wants_input(srv) &&
                   http_server_get_state(srv) != HTTP_SERVER_STATE_WAITING);
    HttpResponse resp = {.status = 404};
    http_server_respond(srv, act.id, &resp);
    http_server_act_clear(&act);
    g_assert_true(http_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, HTTP_SERVER_ACT_SEND);
    g_assert_nonnull(g_strstr_len(g_bytes_get_data(act.bytes, NULL), -1, "Connection: close"));
    http_server_act_clear(&act);
    g_assert_true(http_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, HTTP_SERVER_ACT_CLOSE);
    g_assert_false(http_server_poll(srv, &act));
    g_assert_true(http_server_is_done(srv));
    g_assert_cmpuint(http_server_get_requests(srv), ==, 1);
}

static void
test_server_pipeline_overflow(void)
{
    /* While a request waits, at most HTTP_HEAD_MAX + max_body more octets
     * are kept; beyond that the connection closes after the response. */
    HttpServerConfig cfg = {.max_body = 16};
    g_autoptr(HttpServer) srv = http_server_new(&cfg);
    const char *req = "GET / HTTP/1.1\r\nHost: w\r\n\r\n";
    http_server_feed(srv, (const guint8 *)req, strlen(req));
    HttpServerAct act;
    g_assert_true(http_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, HTTP_SERVER_ACT_REQUEST);
    guint32 id = act.id;
    http_server_act_clear(&act);
    g_autofree char *flood = g_strnfill(HTTP_HEAD_MAX + 17, 'x');
    http_server_feed(srv, (const guint8 *)flood, strlen(flood));
    HttpResponse resp = {.status = 200};
    http_server_respond(srv, id, &resp);
    g_assert_true(http_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, HTTP_SERVER_ACT_SEND);
    g_assert_nonnull(g_strstr_len(g_bytes_get_data(act.bytes, NULL), -1, "Connection: close"));
    http_server_act_clear(&act);
    g_assert_true(http_server_poll(srv, &act));
    g_assert_cmpint(act.kind, ==, HTTP_SERVER_ACT_CLOSE);
    /* Exactly the limit is still kept (and then parsed: here a 400). */
    g_autoptr(HttpServer) srv2 = http_server_new(&cfg);
    http_server_feed(srv2, (const guint8 *)req, strlen(req));
    g_assert_true(http_server_poll(srv2, &act));
    id = act.id;
    http_server_act_clear(&act);
    flood[HTTP_HEAD_MAX + 16] = '\0';
    http_server_feed(srv2, (const guint8 *)flood, strlen(flood));
    http_server_respond(srv2, id, &resp);
    g_assert_true(http_server_poll(srv2, &act));
    g_assert_null(g_strstr_len(g_bytes_get_data(act.bytes, NULL), -1, "Connection: close"));
    http_server_act_clear(&act);
    g_assert_true(http_server_poll(srv2, &act));
    g_assert_cmpint(act.kind, ==, HTTP_SERVER_ACT_ERROR);
    http_server_act_clear(&act);
}

/* ------------------------------------------------------------------ */
/* client                                                             */

/* One GET (or HEAD when head), then the server's bytes split at split
 * (len: whole); returns the actions as text. */
static char *
client_run(const char *method, const char *input, gsize split, gboolean eof)
{
    HttpClientConfig cfg = {.host = "web.example"};
    g_autoptr(HttpClient) cli = http_client_new(&cfg);
    HttpRequest req = {.method = method, .target = "/inbox"};
    g_assert_cmpuint(http_client_request(cli, &req), ==, 1);
    HttpRequest req2 = {.method = "GET", .target = "/two"};
    g_assert_cmpuint(http_client_request(cli, &req2), ==, 2);
    GString *out = g_string_new(NULL);
    gsize len = strlen(input);
    for (int pass = 0; pass < 2; pass++) {
        gsize from = pass == 0 ? 0 : split, to = pass == 0 ? split : len;
        if (to > from)
            http_client_feed(cli, (const guint8 *)input + from, to - from);
        if (pass == 1 && eof)
            http_client_feed_eof(cli);
        HttpClientAct act;
        while (http_client_poll(cli, &act)) {
            g_autofree char *s = http_client_act_to_string(&act);
            g_string_append_printf(out, "%s\n", s);
            if (act.kind == HTTP_CLIENT_ACT_RESPONSE)
                g_string_append_printf(out, "body=%.*s\n",
                                       (int)g_bytes_get_size(act.response->body),
                                       (const char *)g_bytes_get_data(act.response->body, NULL));
            http_client_act_clear(&act);
        }
    }
    return g_string_free(out, FALSE);
}

static char *
client_transcript(const char *method, const char *input, gboolean eof)
{
    gsize len = strlen(input);
    char *whole = client_run(method, input, len, eof);
    for (gsize i = 0; i < len; i++) {
        g_autofree char *t = client_run(method, input, i, eof);
        if (strcmp(t, whole) != 0)
            g_error("client split at %" G_GSIZE_FORMAT " differs:\n%s\n---\n%s", i, t, whole);
    }
    return whole;
}

static void
test_client_responses(void)
{
    g_autofree char *t1 =
        client_transcript("GET",
                          "HTTP/1.1 100 Continue\r\n\r\n"
                          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                          "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "3\r\nabc\r\n0\r\n\r\n",
                          FALSE);
    g_assert_cmpstr(t1, ==,
                    "SEND 42 GET /inbox HTTP/1.1\nSEND 40 GET /two HTTP/1.1\n"
                    "RESPONSE 1 200 OK body=5\nbody=hello\n"
                    "RESPONSE 2 404 Not Found body=3\nbody=abc\n");
    /* HEAD: no body even with Content-Length (RFC 9112 6.3 rule 1). */
    g_autofree char *t2 = client_transcript("HEAD",
                                            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                                            "HTTP/1.1 204 No Content\r\n\r\n",
                                            FALSE);
    g_assert_nonnull(strstr(t2, "RESPONSE 1 200 OK body=0\n"));
    g_assert_nonnull(strstr(t2, "RESPONSE 2 204 No Content body=0\n"));
    /* Body up to the close (6.3 rule 8); the second request fails. */
    g_autofree char *t3 = client_transcript("GET", "HTTP/1.0 200 OK\r\n\r\nall of it", TRUE);
    g_assert_nonnull(strstr(t3, "RESPONSE 1 200 OK body=9\nbody=all of it\nFAILED 2 "));
    g_assert_true(g_str_has_suffix(t3, "CLOSE\n"));
    /* Connection: close: the rest fails at once. */
    g_autofree char *t4 = client_transcript(
        "GET",
        "HTTP/1.1 303 See Other\r\nLocation: /x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        FALSE);
    g_assert_nonnull(strstr(t4, "RESPONSE 1 303 See Other body=0\nbody=\nFAILED 2 "));
    /* Malformed status line. */
    g_autofree char *t5 = client_transcript("GET", "HTTP/1.1 2x0 OK\r\n\r\n", FALSE);
    g_assert_nonnull(strstr(t5, "FAILED 1 malformed status line\nFAILED 2 "));
}

static void
test_client_closed_refuses(void)
{
    HttpClientConfig cfg = {.host = "w"};
    g_autoptr(HttpClient) cli = http_client_new(&cfg);
    HttpRequest req = {.method = "GET", .target = "/", .close = TRUE};
    g_assert_cmpuint(http_client_request(cli, &req), ==, 1);
    g_assert_cmpuint(http_client_request(cli, &req), ==, 0);
    http_client_abort(cli, "timeout");
    HttpClientAct act;
    g_assert_true(http_client_poll(cli, &act));
    g_assert_cmpint(act.kind, ==, HTTP_CLIENT_ACT_SEND);
    g_assert_nonnull(g_strstr_len(g_bytes_get_data(act.bytes, NULL), -1, "Connection: close\r\n"));
    http_client_act_clear(&act);
    g_assert_true(http_client_poll(cli, &act));
    g_assert_cmpint(act.kind, ==, HTTP_CLIENT_ACT_FAILED);
    g_assert_cmpstr(act.text, ==, "timeout");
    http_client_act_clear(&act);
    g_assert_true(http_client_poll(cli, &act));
    g_assert_cmpint(act.kind, ==, HTTP_CLIENT_ACT_CLOSE);
    g_assert_true(http_client_is_closed(cli));
}

/* Client and server engines wired together, no simulator (h11 ConnectionPair). */
static void
test_pair(void)
{
    HttpClientConfig ccfg = {.host = "webmail.example", .user_agent = "mhs-browser"};
    HttpServerConfig scfg = {.server_name = "mhs-webmail"};
    g_autoptr(HttpClient) cli = http_client_new(&ccfg);
    g_autoptr(HttpServer) srv = http_server_new(&scfg);
    const char *pairs[] = {"user", "alice@a.example", "password", "p&ss w=rd%", NULL};
    g_autofree char *form = http_form_encode(pairs);
    g_autoptr(GBytes) body = g_bytes_new(form, strlen(form));
    const char *fields[] = {"Content-Type", "application/x-www-form-urlencoded", NULL};
    HttpRequest req = {.method = "POST", .target = "/login", .fields = fields, .body = body};
    guint32 id = http_client_request(cli, &req);
    gboolean got = FALSE;
    for (int round = 0; round < 4 && !got; round++) {
        HttpClientAct ca;
        while (http_client_poll(cli, &ca)) {
            if (ca.kind == HTTP_CLIENT_ACT_SEND)
                http_server_feed(srv, g_bytes_get_data(ca.bytes, NULL), g_bytes_get_size(ca.bytes));
            if (ca.kind == HTTP_CLIENT_ACT_RESPONSE) {
                g_assert_cmpuint(ca.id, ==, id);
                g_assert_cmpuint(ca.response->status, ==, 303);
                g_assert_cmpstr(http_message_get(ca.response, "set-cookie"), ==, "sid=abc");
                got = TRUE;
            }
            http_client_act_clear(&ca);
        }
        HttpServerAct sa;
        while (http_server_poll(srv, &sa)) {
            if (sa.kind == HTTP_SERVER_ACT_SEND)
                http_client_feed(cli, g_bytes_get_data(sa.bytes, NULL), g_bytes_get_size(sa.bytes));
            if (sa.kind == HTTP_SERVER_ACT_REQUEST) {
                g_assert_cmpstr(http_message_get(sa.request, "host"), ==, "webmail.example");
                g_autoptr(GPtrArray) f = http_form_decode(g_bytes_get_data(sa.request->body, NULL),
                                                          g_bytes_get_size(sa.request->body));
                g_assert_cmpstr(http_form_get(f, "user"), ==, "alice@a.example");
                g_assert_cmpstr(http_form_get(f, "password"), ==, "p&ss w=rd%");
                const char *rf[] = {"Location", "/inbox", "Set-Cookie", "sid=abc", NULL};
                HttpResponse resp = {.status = 303, .fields = rf};
                http_server_respond(srv, sa.id, &resp);
            }
            http_server_act_clear(&sa);
        }
    }
    g_assert_true(got);
    g_assert_cmpuint(http_client_outstanding(cli), ==, 0);
    g_assert_false(http_client_is_closed(cli));
}

/* ------------------------------------------------------------------ */
/* forms                                                              */

static void
test_percent_decode(void)
{
    /* RFC 3986 2.1: %XX of either case; a lone or bad '%' stays. */
    gsize n;
    g_autofree char *a = http_percent_decode("a%20b%2fc%2Fd%", 15, FALSE, &n);
    g_assert_cmpstr(a, ==, "a b/c/d%");
    g_autofree char *b = http_percent_decode("%zz%4+x+", 8, TRUE, &n);
    g_assert_cmpstr(b, ==, "%zz%4 x ");
    g_autofree char *c = http_percent_decode("a%00b", 5, FALSE, &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpint(c[1], ==, 0);
    g_autofree char *d = http_percent_decode("%C3%A9t%C3%A9", 13, FALSE, &n);
    g_assert_cmpstr(d, ==, "\xc3\xa9t\xc3\xa9");
}

static void
test_form(void)
{
    const char *body = "to=bob%40b.example&&subject=Hi+there&empty=&flag&to=second";
    g_autoptr(GPtrArray) f = http_form_decode((const guint8 *)body, strlen(body));
    g_assert_cmpuint(f->len, ==, 5);
    g_assert_cmpstr(http_form_get(f, "to"), ==, "bob@b.example"); /* the first */
    g_assert_cmpstr(http_form_get(f, "subject"), ==, "Hi there");
    g_assert_cmpstr(http_form_get(f, "empty"), ==, "");
    g_assert_cmpstr(http_form_get(f, "flag"), ==, "");
    g_assert_null(http_form_get(f, "missing"));
    const char *pairs[] = {"body", "line 1\r\nline 2 & 100% ~ok", "k=", "v+", NULL};
    g_autofree char *enc = http_form_encode(pairs);
    g_assert_cmpstr(enc, ==, "body=line+1%0D%0Aline+2+%26+100%25+~ok&k%3D=v%2B");
    g_autoptr(GPtrArray) back = http_form_decode((const guint8 *)enc, strlen(enc));
    g_assert_cmpstr(http_form_get(back, "body"), ==, pairs[1]);
    g_assert_cmpstr(http_form_get(back, "k="), ==, "v+");
}

static void
test_cookie(void)
{
    g_autofree char *a = http_cookie_get("theme=dark; sid=42abc ;x=y", "sid");
    g_assert_cmpstr(a, ==, "42abc");
    g_autofree char *b = http_cookie_get("sidx=1; xsid=2", "sid");
    g_assert_null(b);
    g_assert_null(http_cookie_get(NULL, "sid"));
}

/* ------------------------------------------------------------------ */
/* sniffer                                                            */

static char *
sniff_run(const char *c2s, const char *s2c, gsize step)
{
    g_autoptr(HttpSniffer) sn = http_sniffer_new();
    GString *out = g_string_new(NULL);
    const char *dirs[] = {c2s, s2c};
    for (int d = 0; d < 2; d++) {
        gsize len = strlen(dirs[d]);
        for (gsize i = 0; i < len; i += step)
            http_sniffer_feed(sn, d, (const guint8 *)dirs[d] + i, MIN(step, len - i));
    }
    SmtpSniffEvent ev;
    while (http_sniffer_poll(sn, &ev)) {
        g_string_append_printf(out, "%d %s", ev.dir, smtp_sniff_event_kind_name(ev.kind));
        if (ev.text)
            g_string_append_printf(out, " [%s]", ev.text);
        if (ev.kind == SMTP_SNIFF_EV_CREDENTIALS)
            g_string_append_printf(out, " %s %s %s", ev.mech, ev.user, ev.password);
        if (ev.kind == SMTP_SNIFF_EV_MESSAGE || ev.kind == SMTP_SNIFF_EV_TLS_RECORDS)
            g_string_append_printf(out, " %" G_GSIZE_FORMAT, ev.size);
        g_string_append_c(out, '\n');
        smtp_sniff_event_clear(&ev);
    }
    return g_string_free(out, FALSE);
}

static void
test_sniff(void)
{
    const char *c2s =
        "POST /login HTTP/1.1\r\nHost: w\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 35\r\n\r\n"
        "user=a%40b.example&password=s3cr%21"
        "HEAD /inbox HTTP/1.1\r\nHost: w\r\nCookie: sid=1\r\n\r\n";
    const char *s2c = "HTTP/1.1 303 See Other\r\nSet-Cookie: sid=1\r\nContent-Length: 0\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
    g_autofree char *whole = sniff_run(c2s, s2c, 100000);
    g_assert_cmpstr(whole, ==,
                    "0 line [POST /login HTTP/1.1]\n0 message 35\n"
                    "0 credentials FORM a@b.example s3cr!\n"
                    "0 line [HEAD /inbox HTTP/1.1]\n0 line [Cookie: sid=1]\n"
                    "1 line [HTTP/1.1 303 See Other]\n1 line [Set-Cookie: sid=1]\n"
                    "1 line [HTTP/1.1 200 OK]\n");
    g_autofree char *bytewise = sniff_run(c2s, s2c, 1);
    g_assert_cmpstr(bytewise, ==, whole);
    /* RFC 8446 5.1: a connection that starts with a handshake record is TLS. */
    const guint8 tls[] = {0x16, 3, 1, 0, 2, 'h', 'i', 0x17, 3, 3, 0, 1, 'x'};
    g_autoptr(HttpSniffer) sn = http_sniffer_new();
    for (gsize i = 0; i < sizeof tls; i += 3)
        http_sniffer_feed(sn, SMTP_SNIFF_C2S, tls + i, MIN(3, sizeof tls - i));
    g_assert_true(http_sniffer_is_tls(sn));
    gsize total = 0;
    guint events = 0;
    SmtpSniffEvent ev;
    while (http_sniffer_poll(sn, &ev)) {
        g_assert_cmpint(ev.kind, ==, SMTP_SNIFF_EV_TLS_RECORDS);
        total += ev.size;
        events++;
        smtp_sniff_event_clear(&ev);
    }
    g_assert_cmpuint(total, ==, sizeof tls); /* 7 + 6: lengths only */
    g_assert_cmpuint(events, ==, 2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/http-server/get", test_server_get);
    g_test_add_func("/proto/http-server/post-length", test_server_post_length);
    g_test_add_func("/proto/http-server/chunked", test_server_chunked);
    g_test_add_func("/proto/http-server/pipelined", test_server_pipelined);
    g_test_add_func("/proto/http-server/http10", test_server_http10);
    g_test_add_func("/proto/http-server/head", test_server_head);
    g_test_add_func("/proto/http-server/errors", test_server_errors);
    g_test_add_func("/proto/http-server/limits-exact", test_server_limits_exact);
    g_test_add_func("/proto/http-server/max-requests", test_server_max_requests_and_abort);
    g_test_add_func("/proto/http-server/pipeline-overflow", test_server_pipeline_overflow);
    g_test_add_func("/proto/http-client/responses", test_client_responses);
    g_test_add_func("/proto/http-client/closed", test_client_closed_refuses);
    g_test_add_func("/proto/http/pair", test_pair);
    g_test_add_func("/proto/http-form/percent-decode", test_percent_decode);
    g_test_add_func("/proto/http-form/form", test_form);
    g_test_add_func("/proto/http-form/cookie", test_cookie);
    g_test_add_func("/proto/http-sniff/form-and-tls", test_sniff);
    return g_test_run();
}
