/* SPDX-License-Identifier: MIT
 * http_sniff: one HttpReader per direction (requests client to server,
 * responses back). Form fields named like a password (password, pass,
 * passwd) are the credentials; user, username, login or email the user.
 * What the reader cannot parse stops the observation of that direction.
 */
#include "proto/http_sniff.h"

#include <string.h>

#include "proto/http_form.h"
#include "proto/http_parse.h"
#include "proto/tls_pipe.h"

/* A tap keeps whole bodies to read forms: allow big ones. */
#define HTTP_SNIFF_BODY_MAX (16 * 1024 * 1024)

struct HttpSniffer {
    HttpReader *reader[2];
    GByteArray *tls[2];
    gboolean decided; /* the first octet told clear text from TLS */
    gboolean is_tls;
    gboolean stopped[2];
    GQueue heads;  /* per request not yet answered: GINT_TO_POINTER(is HEAD) */
    GQueue events; /* SmtpSniffEvent* */
};

HttpSniffer *
http_sniffer_new(void)
{
    HttpSniffer *sn = g_new0(HttpSniffer, 1);
    sn->reader[SMTP_SNIFF_C2S] = http_reader_new(HTTP_ROLE_REQUEST, HTTP_SNIFF_BODY_MAX);
    sn->reader[SMTP_SNIFF_S2C] = http_reader_new(HTTP_ROLE_RESPONSE, HTTP_SNIFF_BODY_MAX);
    sn->tls[0] = g_byte_array_new();
    sn->tls[1] = g_byte_array_new();
    g_queue_init(&sn->events);
    g_queue_init(&sn->heads);
    return sn;
}

static void
http_sniff_event_free(gpointer p)
{
    smtp_sniff_event_clear(p);
    g_free(p);
}

void
http_sniffer_free(HttpSniffer *sn)
{
    if (sn == NULL)
        return;
    for (guint i = 0; i < 2; i++) {
        http_reader_free(sn->reader[i]);
        g_byte_array_unref(sn->tls[i]);
    }
    g_queue_clear_full(&sn->events, http_sniff_event_free);
    g_queue_clear(&sn->heads);
    g_free(sn);
}

static SmtpSniffEvent *
http_sniff_push(HttpSniffer *sn, SmtpSniffEventKind kind, SmtpSniffDir dir)
{
    SmtpSniffEvent *ev = g_new0(SmtpSniffEvent, 1);
    ev->kind = kind;
    ev->dir = dir;
    g_queue_push_tail(&sn->events, ev);
    return ev;
}

static void
http_sniff_line(HttpSniffer *sn, SmtpSniffDir dir, char *text)
{
    http_sniff_push(sn, SMTP_SNIFF_EV_LINE, dir)->text = text;
}

static const char *
http_sniff_first(const GPtrArray *form, const char *const *names)
{
    for (; *names; names++) {
        const char *v = http_form_get(form, *names);
        if (v != NULL)
            return v;
    }
    return NULL;
}

/* A form post: what the server will read, the tap reads too. */
static void
http_sniff_form(HttpSniffer *sn, const HttpMessage *m)
{
    const char *ct = http_message_get(m, "Content-Type");
    if (ct == NULL || g_ascii_strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return;
    gsize len;
    const guint8 *p = g_bytes_get_data(m->body, &len);
    g_autoptr(GPtrArray) form = http_form_decode(p, len);
    static const char *const pass_names[] = {"password", "pass", "passwd", NULL};
    static const char *const user_names[] = {"user", "username", "login", "email", NULL};
    const char *password = http_sniff_first(form, pass_names);
    if (password == NULL)
        return;
    const char *user = http_sniff_first(form, user_names);
    SmtpSniffEvent *ev = http_sniff_push(sn, SMTP_SNIFF_EV_CREDENTIALS, SMTP_SNIFF_C2S);
    ev->mech = g_strdup("FORM");
    ev->user = g_strdup(user ? user : "");
    ev->password = g_strdup(password);
    ev->authzid = g_strdup("");
}

static void
http_sniff_message(HttpSniffer *sn, SmtpSniffDir dir, const HttpMessage *m)
{
    if (dir == SMTP_SNIFF_C2S)
        http_sniff_line(sn, dir,
                        g_strdup_printf("%s %s HTTP/1.%u", m->method, m->target, m->minor));
    else
        http_sniff_line(sn, dir,
                        g_strdup_printf("HTTP/1.%u %u %s", m->minor, m->status, m->reason));
    const char *cookie = http_message_get(m, dir == SMTP_SNIFF_C2S ? "Cookie" : "Set-Cookie");
    if (cookie)
        http_sniff_line(
            sn, dir,
            g_strdup_printf("%s: %s", dir == SMTP_SNIFF_C2S ? "Cookie" : "Set-Cookie", cookie));
    gsize len = g_bytes_get_size(m->body);
    if (len > 0)
        http_sniff_push(sn, SMTP_SNIFF_EV_MESSAGE, dir)->size = len;
    if (dir == SMTP_SNIFF_C2S) {
        http_sniff_form(sn, m);
        g_queue_push_tail(&sn->heads, GINT_TO_POINTER(strcmp(m->method, "HEAD") == 0));
    } else if (m->status >= 200) {
        g_queue_pop_head(&sn->heads);
    }
}

static void
http_sniff_tls(HttpSniffer *sn, SmtpSniffDir dir, const guint8 *data, gsize len)
{
    gsize used = 0;
    GArray *sizes = tls_records_take(sn->tls[dir], data, len, &used);
    if (sizes == NULL)
        return;
    SmtpSniffEvent *ev = http_sniff_push(sn, SMTP_SNIFF_EV_TLS_RECORDS, dir);
    ev->sizes = sizes;
    ev->size = used;
}

void
http_sniffer_feed(HttpSniffer *sn, SmtpSniffDir dir, const guint8 *data, gsize len)
{
    g_return_if_fail(sn != NULL && (dir == SMTP_SNIFF_C2S || dir == SMTP_SNIFF_S2C));
    if (len == 0)
        return;
    if (!sn->decided) {
        /* RFC 8446 5.1: a handshake record starts 0x16; no HTTP method does. */
        sn->decided = TRUE;
        sn->is_tls = data[0] == 0x16;
    }
    if (sn->is_tls) {
        http_sniff_tls(sn, dir, data, len);
        return;
    }
    if (sn->stopped[dir])
        return;
    HttpReader *r = sn->reader[dir];
    http_reader_feed(r, data, len);
    for (;;) {
        /* The response to HEAD has no body (RFC 9112 6.3 rule 1). */
        if (dir == SMTP_SNIFF_S2C)
            http_reader_expect_head_response(r, GPOINTER_TO_INT(g_queue_peek_head(&sn->heads)));
        HttpMessage *m = NULL;
        HttpReaderResult res = http_reader_next(r, &m);
        if (res == HTTP_READER_MESSAGE) {
            http_sniff_message(sn, dir, m);
            http_message_free(m);
            continue;
        }
        if (res == HTTP_READER_ERROR) {
            const char *why = NULL;
            http_reader_get_error(r, &why);
            http_sniff_line(sn, dir, g_strdup_printf("(not HTTP: %s)", why));
            sn->stopped[dir] = TRUE;
        }
        break;
    }
}

gboolean
http_sniffer_poll(HttpSniffer *sn, SmtpSniffEvent *ev)
{
    g_return_val_if_fail(sn != NULL && ev != NULL, FALSE);
    SmtpSniffEvent *head = g_queue_pop_head(&sn->events);
    if (head == NULL)
        return FALSE;
    *ev = *head;
    g_free(head);
    return TRUE;
}

gboolean
http_sniffer_is_tls(const HttpSniffer *sn)
{
    return sn->is_tls;
}
