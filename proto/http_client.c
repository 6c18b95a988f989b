/* SPDX-License-Identifier: MIT
 * http_client: the HTTP/1.1 client state machine. Responses are matched to
 * requests in order (RFC 9112 9.3: responses come in the order of the
 * requests on one connection); the reader is told before each response
 * whether it answers HEAD (RFC 9112 6.3 rule 1).
 */
#include "proto/http_client.h"

#include <string.h>

#include "proto/act_queue.h"

typedef struct {
    guint32 id;
    gboolean is_head;
} HttpClientPending;

struct HttpClient {
    char *host;
    char *user_agent;
    HttpReader *reader;
    ActQueue acts;
    GQueue pending; /* HttpClientPending*, oldest first */
    guint32 next_id;
    gboolean closing; /* no new requests: the server or we said close */
    gboolean closed;  /* CLOSE queued */
};

HttpClient *
http_client_new(const HttpClientConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL && cfg->host != NULL, NULL);
    HttpClient *cli = g_new0(HttpClient, 1);
    cli->host = g_strdup(cfg->host);
    cli->user_agent = g_strdup(cfg->user_agent);
    cli->reader = http_reader_new(HTTP_ROLE_RESPONSE, cfg->max_body);
    act_queue_init(&cli->acts, sizeof(HttpClientAct));
    g_queue_init(&cli->pending);
    return cli;
}

void
http_client_act_clear(HttpClientAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->response, http_message_free);
    memset(act, 0, sizeof *act);
}

void
http_client_free(HttpClient *cli)
{
    if (cli == NULL)
        return;
    act_queue_clear(&cli->acts, (GDestroyNotify)http_client_act_clear, TRUE);
    g_queue_clear_full(&cli->pending, g_free);
    http_reader_free(cli->reader);
    g_free(cli->host);
    g_free(cli->user_agent);
    g_free(cli);
}

static gboolean
http_client_field_ok(const char *name, const char *value)
{
    if (name == NULL || *name == '\0' || value == NULL || !http_field_value_ok(value))
        return FALSE;
    for (const char *p = name; *p; p++)
        if (!http_is_tchar((guchar)*p))
            return FALSE;
    static const char *const owned[] = {"Host", "Content-Length", "Transfer-Encoding",
                                        "Connection"};
    for (guint i = 0; i < G_N_ELEMENTS(owned); i++)
        if (g_ascii_strcasecmp(name, owned[i]) == 0)
            return FALSE;
    return TRUE;
}

GBytes *
http_request_serialize(const HttpRequest *req, const char *host, const char *user_agent)
{
    g_return_val_if_fail(req != NULL && req->method != NULL && req->target != NULL, NULL);
    for (const char *p = req->method; *p; p++)
        g_return_val_if_fail(http_is_tchar((guchar)*p), NULL);
    for (const char *p = req->target; *p; p++)
        g_return_val_if_fail((guchar)*p > 0x20 && (guchar)*p < 0x7f, NULL);
    g_return_val_if_fail(host != NULL && http_field_value_ok(host), NULL);
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "%s %s HTTP/1.1\r\nHost: %s\r\n", req->method, req->target, host);
    if (user_agent)
        g_string_append_printf(out, "User-Agent: %s\r\n", user_agent);
    for (guint i = 0; req->fields && req->fields[i]; i += 2) {
        g_return_val_if_fail(http_client_field_ok(req->fields[i], req->fields[i + 1]), NULL);
        g_string_append_printf(out, "%s: %s\r\n", req->fields[i], req->fields[i + 1]);
    }
    gsize blen = req->body ? g_bytes_get_size(req->body) : 0;
    /* RFC 9110 8.6: a user agent sends Content-Length with a body, and
     * SHOULD with a POST or PUT that has none. */
    if (blen > 0 || strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0)
        g_string_append_printf(out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", blen);
    if (req->close)
        g_string_append(out, "Connection: close\r\n");
    g_string_append(out, "\r\n");
    if (blen > 0)
        g_string_append_len(out, g_bytes_get_data(req->body, NULL), (gssize)blen);
    gsize len = out->len;
    return g_bytes_new_take(g_string_free(out, FALSE), len);
}

guint32
http_client_request(HttpClient *cli, const HttpRequest *req)
{
    g_return_val_if_fail(cli != NULL && req != NULL, 0);
    if (cli->closing || cli->closed)
        return 0;
    GBytes *bytes = http_request_serialize(req, cli->host, cli->user_agent);
    g_return_val_if_fail(bytes != NULL, 0);
    HttpClientAct *a = act_queue_push(&cli->acts);
    a->kind = HTTP_CLIENT_ACT_SEND;
    a->bytes = bytes;
    HttpClientPending *p = g_new0(HttpClientPending, 1);
    p->id = ++cli->next_id;
    p->is_head = strcmp(req->method, "HEAD") == 0;
    g_queue_push_tail(&cli->pending, p);
    if (req->close)
        cli->closing = TRUE;
    return p->id;
}

void
http_client_feed(HttpClient *cli, const guint8 *buf, gsize len)
{
    g_return_if_fail(cli != NULL && (buf != NULL || len == 0));
    if (!cli->closed)
        http_reader_feed(cli->reader, buf, len);
}

void
http_client_feed_eof(HttpClient *cli)
{
    g_return_if_fail(cli != NULL);
    http_reader_feed_eof(cli->reader);
}

/* Every outstanding request fails with why, then CLOSE. */
static void
http_client_close(HttpClient *cli, const char *why)
{
    HttpClientPending *p;
    while ((p = g_queue_pop_head(&cli->pending)) != NULL) {
        HttpClientAct *a = act_queue_push(&cli->acts);
        a->kind = HTTP_CLIENT_ACT_FAILED;
        a->id = p->id;
        a->text = why;
        g_free(p);
    }
    HttpClientAct *a = act_queue_push(&cli->acts);
    a->kind = HTTP_CLIENT_ACT_CLOSE;
    cli->closing = cli->closed = TRUE;
}

void
http_client_abort(HttpClient *cli, const char *why)
{
    g_return_if_fail(cli != NULL);
    if (!cli->closed)
        http_client_close(cli, why ? why : "aborted");
}

/* Reads one response if a whole one is buffered. */
static void
http_client_read(HttpClient *cli)
{
    HttpClientPending *p = g_queue_peek_head(&cli->pending);
    http_reader_expect_head_response(cli->reader, p && p->is_head);
    HttpMessage *resp = NULL;
    switch (http_reader_next(cli->reader, &resp)) {
    case HTTP_READER_NONE:
        return;
    case HTTP_READER_EOF:
        http_client_close(cli, "connection closed before the response");
        return;
    case HTTP_READER_ERROR: {
        const char *why = NULL;
        http_reader_get_error(cli->reader, &why);
        http_client_close(cli, why);
        return;
    }
    case HTTP_READER_MESSAGE:
        break;
    }
    /* RFC 9110 15.2: 1xx responses are interim; the final one follows. */
    if (resp->status < 200 || p == NULL) {
        gboolean unsolicited = p == NULL;
        http_message_free(resp);
        if (unsolicited)
            http_client_close(cli, "response without a request");
        return;
    }
    g_queue_pop_head(&cli->pending);
    gboolean keep = http_message_keeps_alive(resp) && !resp->until_close;
    HttpClientAct *a = act_queue_push(&cli->acts);
    a->kind = HTTP_CLIENT_ACT_RESPONSE;
    a->id = p->id;
    a->response = resp;
    g_free(p);
    if (!keep || (cli->closing && g_queue_is_empty(&cli->pending)))
        http_client_close(cli, "the server closed the connection");
}

gboolean
http_client_poll(HttpClient *cli, HttpClientAct *act)
{
    g_return_val_if_fail(cli != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    while (act_queue_is_empty(&cli->acts) && !cli->closed) {
        gsize before = http_reader_pending(cli->reader);
        guint outstanding = g_queue_get_length(&cli->pending);
        http_client_read(cli);
        if (act_queue_is_empty(&cli->acts) && before == http_reader_pending(cli->reader) &&
            outstanding == g_queue_get_length(&cli->pending))
            break;
    }
    if (act_queue_is_empty(&cli->acts))
        return FALSE;
    act_queue_pop(&cli->acts, act);
    return TRUE;
}

char *
http_client_act_to_string(const HttpClientAct *act)
{
    switch (act->kind) {
    case HTTP_CLIENT_ACT_SEND: {
        gsize len;
        const char *p = g_bytes_get_data(act->bytes, &len);
        const char *eol = memchr(p, '\r', len);
        return g_strdup_printf("SEND %" G_GSIZE_FORMAT " %.*s", len,
                               (int)(eol ? (gsize)(eol - p) : len), p);
    }
    case HTTP_CLIENT_ACT_RESPONSE:
        return g_strdup_printf("RESPONSE %u %u %s body=%" G_GSIZE_FORMAT, act->id,
                               act->response->status, act->response->reason,
                               g_bytes_get_size(act->response->body));
    case HTTP_CLIENT_ACT_FAILED:
        return g_strdup_printf("FAILED %u %s", act->id, act->text);
    case HTTP_CLIENT_ACT_CLOSE:
        return g_strdup("CLOSE");
    case HTTP_CLIENT_ACT_NONE:
        break;
    }
    return g_strdup("NONE");
}

guint
http_client_outstanding(const HttpClient *cli)
{
    return g_queue_get_length((GQueue *)&cli->pending);
}

gboolean
http_client_is_closed(const HttpClient *cli)
{
    return cli->closed;
}
