/* SPDX-License-Identifier: MIT
 * fuzz_http_server: whole HTTP/1.1 connections (RFC 9112) through the
 * server engine. Input: a config byte, a 16-bit split point, then the
 * client's bytes fed in two pieces. Every request is answered (status and
 * body chosen by the config byte; close on request when bit 0x08), EOF
 * ends the connection. Properties: the engine ends after EOF; every SEND
 * starts with a status line; every ERROR is one of the codes the engine
 * documents and is followed by a response with that code and
 * "Connection: close"; a request's body never exceeds the limit.
 */
#include <string.h>

#include "proto/http_server.h"

#include "fuzz_common.h"

#define FUZZ_HTTP_MAX_BODY 256

static void
fuzz_http_server_drain(HttpServer *srv, guint8 flags)
{
    guint expect_error = 0;
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        HttpServerAct act = {0};
        if (!http_server_poll(srv, &act))
            return;
        g_free(http_server_act_to_string(&act));
        switch (act.kind) {
        case HTTP_SERVER_ACT_SEND: {
            gsize len;
            const char *p = g_bytes_get_data(act.bytes, &len);
            g_assert_true(len >= 17 && memcmp(p, "HTTP/1.1 ", 9) == 0);
            if (expect_error) {
                char want[16];
                g_snprintf(want, sizeof want, "HTTP/1.1 %u ", expect_error);
                g_assert_true(memcmp(p, want, strlen(want)) == 0);
                g_assert_nonnull(g_strstr_len(p, (gssize)len, "\r\nConnection: close\r\n"));
                expect_error = 0;
            }
            break;
        }
        case HTTP_SERVER_ACT_REQUEST: {
            g_assert_cmpuint(g_bytes_get_size(act.request->body), <=, FUZZ_HTTP_MAX_BODY);
            g_assert_nonnull(act.request->method);
            g_assert_nonnull(act.request->target);
            static const guint statuses[] = {200, 303, 404, 500};
            g_autoptr(GBytes) body = g_bytes_new_static("<p>ok</p>\n", 10);
            const char *fields[] = {"Content-Type", "text/html", NULL};
            HttpResponse resp = {.status = statuses[flags & 0x03],
                                 .fields = fields,
                                 .body = (flags & 0x04) ? NULL : body,
                                 .close = (flags & 0x08) != 0};
            http_server_respond(srv, act.id, &resp);
            break;
        }
        case HTTP_SERVER_ACT_ERROR:
            g_assert_true(act.status == 400 || act.status == 413 || act.status == 414 ||
                          act.status == 431 || act.status == 501 || act.status == 505);
            expect_error = act.status;
            break;
        case HTTP_SERVER_ACT_CLOSE:
            g_assert_cmpint(http_server_get_state(srv), ==, HTTP_SERVER_STATE_CLOSED);
            break;
        case HTTP_SERVER_ACT_NONE:
            g_assert_not_reached();
        }
        http_server_act_clear(&act);
    }
    g_error("http_server: more than %d actions without input", FUZZ_ACTIONS_MAX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    gsize split = fuzz_take_u16(&in);
    split = MIN(split, in.n);
    HttpServerConfig cfg = {
        .server_name = "fuzz",
        .max_body = FUZZ_HTTP_MAX_BODY,
        .max_requests = (flags & 0x10) ? 3 : 0,
    };
    g_autoptr(HttpServer) srv = http_server_new(&cfg);
    http_server_feed(srv, in.p, split);
    fuzz_http_server_drain(srv, flags);
    http_server_feed(srv, in.p + split, in.n - split);
    fuzz_http_server_drain(srv, flags);
    http_server_feed_eof(srv);
    fuzz_http_server_drain(srv, flags);
    g_assert_true(http_server_is_done(srv));
    return 0;
}
