/* SPDX-License-Identifier: MIT
 * smtp_probe: scripted lock-step SMTP client (RFC 5321 4.2 one reply per
 * command, 4.1.1.10 QUIT/221, 3.8 the server may close after 421). Replies
 * are read with the shared bounded parser (proto/smtp_reply.h).
 */
#include "proto/smtp_probe.h"

#include <string.h>

typedef enum {
    SMTP_PROBE_STATE_GREETING = 0,
    SMTP_PROBE_STATE_STEP,
    SMTP_PROBE_STATE_QUIT,
    SMTP_PROBE_STATE_CLOSED,
    SMTP_PROBE_STATE_TLS, /* 220 to STARTTLS: waiting for the node's handshake */
} SmtpProbeState;

typedef struct {
    GBytes *bytes; /* what is sent, CRLF included for lines */
    gboolean go_on;
    gboolean starttls; /* a 2xx reply switches layers (RFC 3207) */
} SmtpProbeStep;

struct SmtpProbe {
    SmtpProbeState state;
    GPtrArray *steps; /* SmtpProbeStep* */
    guint cur;        /* STEP: the step waiting for its reply */
    int last;         /* last step answered */
    gboolean completed;
    gboolean done_sent;
    SmtpReplyParser *parser;
    GQueue acts; /* SmtpProbeAct* waiting for poll */
};

static void
smtp_probe_step_free(gpointer data)
{
    SmtpProbeStep *s = data;
    g_bytes_unref(s->bytes);
    g_free(s);
}

SmtpProbe *
smtp_probe_new(void)
{
    SmtpProbe *p = g_new0(SmtpProbe, 1);
    p->steps = g_ptr_array_new_with_free_func(smtp_probe_step_free);
    p->parser = smtp_reply_parser_new();
    p->last = SMTP_PROBE_STEP_GREETING;
    g_queue_init(&p->acts);
    return p;
}

static void
smtp_probe_act_free(gpointer data)
{
    smtp_probe_act_clear(data);
    g_free(data);
}

void
smtp_probe_free(SmtpProbe *p)
{
    if (p == NULL)
        return;
    g_ptr_array_unref(p->steps);
    smtp_reply_parser_free(p->parser);
    g_queue_clear_full(&p->acts, smtp_probe_act_free);
    g_free(p);
}

int
smtp_probe_add_raw(SmtpProbe *p, GBytes *data, gboolean go_on)
{
    g_return_val_if_fail(p != NULL && data != NULL, -1);
    SmtpProbeStep *s = g_new0(SmtpProbeStep, 1);
    s->bytes = g_bytes_ref(data);
    s->go_on = go_on;
    g_ptr_array_add(p->steps, s);
    return (int)p->steps->len - 1;
}

int
smtp_probe_add_line(SmtpProbe *p, const char *line, gboolean go_on)
{
    g_return_val_if_fail(p != NULL && line != NULL, -1);
    char *l = g_strdup_printf("%s\r\n", line);
    gsize n = strlen(l);
    g_autoptr(GBytes) b = g_bytes_new_take(l, n);
    return smtp_probe_add_raw(p, b, go_on);
}

int
smtp_probe_add_starttls(SmtpProbe *p, gboolean go_on)
{
    int step = smtp_probe_add_line(p, "STARTTLS", go_on);
    if (step >= 0)
        ((SmtpProbeStep *)p->steps->pdata[step])->starttls = TRUE;
    return step;
}

guint
smtp_probe_n_steps(const SmtpProbe *p)
{
    return p->steps->len;
}

static SmtpProbeAct *
smtp_probe_push(SmtpProbe *p, SmtpProbeActKind kind)
{
    SmtpProbeAct *a = g_new0(SmtpProbeAct, 1);
    a->kind = kind;
    g_queue_push_tail(&p->acts, a);
    return a;
}

static void
smtp_probe_send(SmtpProbe *p, GBytes *bytes)
{
    smtp_probe_push(p, SMTP_PROBE_ACT_SEND)->bytes = g_bytes_ref(bytes);
}

static void
smtp_probe_done(SmtpProbe *p)
{
    if (p->done_sent)
        return;
    p->done_sent = TRUE;
    SmtpProbeAct *a = smtp_probe_push(p, SMTP_PROBE_ACT_DONE);
    a->step = p->last;
    a->completed = p->completed;
}

static void
smtp_probe_close(SmtpProbe *p)
{
    if (p->state == SMTP_PROBE_STATE_CLOSED)
        return;
    smtp_probe_done(p);
    p->state = SMTP_PROBE_STATE_CLOSED;
    smtp_probe_push(p, SMTP_PROBE_ACT_CLOSE);
}

static void
smtp_probe_quit(SmtpProbe *p)
{
    static const char quit[] = "QUIT\r\n";
    g_autoptr(GBytes) b = g_bytes_new_static(quit, sizeof quit - 1);
    smtp_probe_done(p);
    p->state = SMTP_PROBE_STATE_QUIT;
    smtp_probe_send(p, b);
}

static void
smtp_probe_next_step(SmtpProbe *p)
{
    if (p->cur >= p->steps->len) {
        p->completed = TRUE;
        smtp_probe_quit(p);
        return;
    }
    p->state = SMTP_PROBE_STATE_STEP;
    smtp_probe_send(p, ((SmtpProbeStep *)p->steps->pdata[p->cur])->bytes);
}

static void
smtp_probe_on_reply(SmtpProbe *p, SmtpReply *r)
{
    int step = p->state == SMTP_PROBE_STATE_GREETING ? SMTP_PROBE_STEP_GREETING
               : p->state == SMTP_PROBE_STATE_STEP   ? (int)p->cur
                                                     : SMTP_PROBE_STEP_QUIT;
    SmtpProbeAct *a = smtp_probe_push(p, SMTP_PROBE_ACT_REPLY);
    a->step = step;
    a->reply = r;
    gboolean bad = r->code >= 400;
    switch (p->state) {
    case SMTP_PROBE_STATE_GREETING:
        p->last = step;
        p->cur = 0;
        if (bad)
            smtp_probe_quit(p); /* RFC 5321 3.1: only QUIT after a 554 greeting */
        else
            smtp_probe_next_step(p);
        break;
    case SMTP_PROBE_STATE_STEP: {
        p->last = step;
        const SmtpProbeStep *s = p->steps->pdata[p->cur];
        if (r->code == 421) {
            smtp_probe_close(p); /* RFC 5321 3.8: the server is closing */
        } else if (s->starttls && r->code >= 200 && r->code < 300) {
            /* RFC 3207 4: 220, then the TLS handshake begins at once. */
            p->state = SMTP_PROBE_STATE_TLS;
            smtp_probe_push(p, SMTP_PROBE_ACT_STARTTLS)->discarded =
                smtp_reply_parser_pending(p->parser);
        } else if (bad && !s->go_on) {
            smtp_probe_quit(p);
        } else {
            p->cur++;
            smtp_probe_next_step(p);
        }
        break;
    }
    case SMTP_PROBE_STATE_QUIT:
        if (r->code == 221)
            smtp_probe_close(p);
        break;
    case SMTP_PROBE_STATE_CLOSED:
    case SMTP_PROBE_STATE_TLS:
        break;
    }
}

gsize
smtp_probe_starttls_done(SmtpProbe *p)
{
    g_return_val_if_fail(p != NULL && p->state == SMTP_PROBE_STATE_TLS, 0);
    /* RFC 3207 4.2: nothing read before the handshake is acted on after it. */
    gsize dropped = smtp_reply_parser_discard(p->parser);
    p->cur++;
    smtp_probe_next_step(p);
    return dropped;
}

void
smtp_probe_feed(SmtpProbe *p, const guint8 *buf, gsize len)
{
    if (p->state == SMTP_PROBE_STATE_CLOSED)
        return;
    if (p->state == SMTP_PROBE_STATE_TLS) {
        /* Plaintext during the switch: kept only to be counted and dropped. */
        smtp_reply_parser_feed(p->parser, buf, len);
        return;
    }
    smtp_reply_parser_feed(p->parser, buf, len);
    for (;;) {
        SmtpReply *r = NULL;
        SmtpReplyParseResult res = smtp_reply_parser_next(p->parser, &r);
        if (res == SMTP_REPLY_PARSE_NONE)
            break;
        if (res == SMTP_REPLY_PARSE_ERROR) {
            smtp_probe_close(p);
            break;
        }
        smtp_probe_on_reply(p, r);
        if (p->state == SMTP_PROBE_STATE_CLOSED || p->state == SMTP_PROBE_STATE_TLS)
            break;
    }
}

void
smtp_probe_feed_eof(SmtpProbe *p)
{
    smtp_probe_close(p);
}

void
smtp_probe_abort(SmtpProbe *p)
{
    smtp_probe_close(p);
}

gboolean
smtp_probe_poll(SmtpProbe *p, SmtpProbeAct *act)
{
    SmtpProbeAct *a = g_queue_pop_head(&p->acts);
    if (a == NULL) {
        memset(act, 0, sizeof *act);
        return FALSE;
    }
    *act = *a;
    g_free(a);
    return TRUE;
}

void
smtp_probe_act_clear(SmtpProbeAct *act)
{
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->reply, smtp_reply_free);
    memset(act, 0, sizeof *act);
}

gboolean
smtp_probe_is_done(const SmtpProbe *p)
{
    return p->state == SMTP_PROBE_STATE_CLOSED;
}
