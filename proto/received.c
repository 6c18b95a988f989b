/* SPDX-License-Identifier: MIT
 * received: RFC 5321 4.4 Stamp ("from" Extended-Domain with its TCP-info
 * comment, "by", "via", "with" (RFC 3848 protocol types), "id", "for",
 * ";" date-time) built for a hop and parsed back, leniently, for trace
 * analysis (RFC 5322 3.6.7 received-token lists are looser than 5321).
 */
#include "proto/received.h"

#include <string.h>

const char *
mail_received_protocol(gboolean is_esmtp, gboolean is_tls, gboolean is_auth)
{
    /* RFC 3848 section 1: ESMTPA and ESMTPS imply ESMTP. */
    if (is_tls && is_auth)
        return "ESMTPSA";
    if (is_tls)
        return "ESMTPS";
    if (is_auth)
        return "ESMTPA";
    return is_esmtp ? "ESMTP" : "SMTP";
}

/* Peer-chosen names (HELO) go into a header: keep printable ASCII that
 * cannot end a comment or the field, replace the rest by '?'. */
static gboolean
mail_received_is_unsafe(char c)
{
    return (guchar)c <= ' ' || (guchar)c >= 127 || c == '(' || c == ')' || c == ';' || c == '\\';
}

/* The pieces of a Received value, in order: measured first, then copied
 * into one allocation of the exact size (every hop builds one). */
typedef struct {
    const char *text;
    gsize len;
    gboolean sanitize; /* a peer's name: see mail_received_is_unsafe() */
} MailReceivedPiece;

#define MAIL_RECEIVED_PIECES_MAX 32

typedef struct {
    MailReceivedPiece piece[MAIL_RECEIVED_PIECES_MAX];
    guint n;
    gsize len;
} MailReceivedPieces;

static void
mail_received_add(MailReceivedPieces *ps, const char *text, gboolean sanitize)
{
    g_assert(ps->n < MAIL_RECEIVED_PIECES_MAX);
    MailReceivedPiece *pc = &ps->piece[ps->n++];
    pc->text = text;
    pc->len = strlen(text);
    pc->sanitize = sanitize;
    ps->len += pc->len;
}

/* " keyword value" */
static void
mail_received_add_clause(MailReceivedPieces *ps, const char *keyword, const char *value)
{
    mail_received_add(ps, " ", FALSE);
    mail_received_add(ps, keyword, FALSE);
    mail_received_add(ps, " ", FALSE);
    mail_received_add(ps, value, FALSE);
}

char *
mail_received_build(const MailReceivedInfo *info)
{
    g_return_val_if_fail(info != NULL && info->by != NULL, NULL);
    MailReceivedPieces ps = {.n = 0, .len = 0};
    if (info->helo != NULL || info->client_ip != NULL) {
        mail_received_add(&ps, "from ", FALSE);
        if (info->helo != NULL) {
            mail_received_add(&ps, info->helo, TRUE);
        } else {
            mail_received_add(&ps, "[", FALSE);
            mail_received_add(&ps, info->client_ip, FALSE);
            mail_received_add(&ps, "]", FALSE);
        }
        /* RFC 5321 4.4 TCP-info: the name and address the server saw. */
        if (info->client_ip != NULL) {
            mail_received_add(&ps, " (", FALSE);
            mail_received_add(&ps, info->client_name ? info->client_name : "unknown", TRUE);
            mail_received_add(&ps, " [", FALSE);
            mail_received_add(&ps, info->client_ip, FALSE);
            mail_received_add(&ps, "])", FALSE);
        }
        mail_received_add(&ps, " ", FALSE);
    }
    mail_received_add(&ps, "by ", FALSE);
    mail_received_add(&ps, info->by, FALSE);
    if (info->via != NULL)
        mail_received_add_clause(&ps, "via", info->via);
    const char *with = info->with
                           ? info->with
                           : mail_received_protocol(info->is_esmtp, info->is_tls, info->is_auth);
    mail_received_add_clause(&ps, "with", with);
    if (info->id != NULL)
        mail_received_add_clause(&ps, "id", info->id);
    if (info->for_rcpt != NULL) {
        mail_received_add(&ps, " for <", FALSE);
        mail_received_add(&ps, info->for_rcpt, FALSE);
        mail_received_add(&ps, ">", FALSE);
    }
    mail_received_add(&ps, "; ", FALSE);
    char date[MAIL_DATE_MAX];
    gsize dlen = mail_date_write(date, info->time_unix, info->offset_min);
    char *out = g_malloc(ps.len + dlen + 1), *p = out;
    for (guint i = 0; i < ps.n; i++) {
        const MailReceivedPiece *pc = &ps.piece[i];
        memcpy(p, pc->text, pc->len);
        for (gsize k = 0; pc->sanitize && k < pc->len; k++)
            if (mail_received_is_unsafe(p[k]))
                p[k] = '?';
        p += pc->len;
    }
    memcpy(p, date, dlen + 1);
    return out;
}

void
mail_received_free(MailReceived *r)
{
    if (r == NULL)
        return;
    g_free(r->from);
    g_free(r->from_info);
    g_free(r->from_ip);
    g_free(r->from_rdns);
    g_free(r->by);
    g_free(r->by_info);
    g_free(r->via);
    g_free(r->with);
    g_free(r->id);
    g_free(r->for_addr);
    g_free(r->date_text);
    g_free(r);
}

/* Reads a comment at *pp ('('); returns its text without the outer
 * parentheses (folding whitespace made single spaces). */
static char *
mail_received_read_comment(const char **pp)
{
    const char *p = *pp;
    GString *s = g_string_new(NULL);
    int depth = 0;
    while (*p) {
        if (*p == '\\' && p[1]) {
            g_string_append_c(s, p[1]);
            p += 2;
            continue;
        }
        if (*p == '(' && depth++ == 0) {
            p++;
            continue;
        }
        if (*p == ')' && --depth == 0) {
            p++;
            break;
        }
        char c = (*p == '\r' || *p == '\n' || *p == '\t') ? ' ' : *p;
        if (!(c == ' ' && s->len > 0 && s->str[s->len - 1] == ' '))
            g_string_append_c(s, c);
        p++;
    }
    *pp = p;
    return g_strstrip(g_string_free(s, FALSE));
}

/* The text inside the first "[...]" of s, or NULL. */
static char *
mail_received_literal(const char *s)
{
    const char *a = s ? strchr(s, '[') : NULL;
    const char *b = a ? strchr(a, ']') : NULL;
    return b ? g_strndup(a + 1, (gsize)(b - a - 1)) : NULL;
}

static const char *const mail_received_order[] = {"from", "by", "via", "with", "id", "for"};

static gint
mail_received_keyword(const char *w)
{
    for (guint i = 0; i < G_N_ELEMENTS(mail_received_order); i++)
        if (g_ascii_strcasecmp(w, mail_received_order[i]) == 0)
            return (gint)i;
    return -1;
}

static char **
mail_received_slot(MailReceived *r, gint kw)
{
    char **slots[] = {&r->from, &r->by, &r->via, &r->with, &r->id, &r->for_addr};
    return slots[kw];
}

/* A comment after "from" or "by" is its TCP-info / server info. */
static void
mail_received_take_comment(MailReceived *r, gint kw, char *comment)
{
    if (kw == 0 && r->from_info == NULL)
        r->from_info = comment;
    else if (kw == 1 && r->by_info == NULL)
        r->by_info = comment;
    else
        g_free(comment);
}

static void
mail_received_parse_clauses(MailReceived *r, const char *p)
{
    gint last_kw = -1, cur_kw = -1;
    gboolean want_value = FALSE;
    while (*p) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            p++;
            continue;
        }
        if (*p == '(') {
            mail_received_take_comment(r, cur_kw, mail_received_read_comment(&p));
            continue;
        }
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '(')
            p++;
        g_autofree char *word = g_strndup(s, (gsize)(p - s));
        if (want_value) {
            char **slot = mail_received_slot(r, cur_kw);
            g_free(*slot);
            *slot = g_steal_pointer(&word);
            want_value = FALSE;
            continue;
        }
        gint kw = mail_received_keyword(word);
        if (kw < 0 || kw <= last_kw || *mail_received_slot(r, kw) != NULL)
            r->is_well_formed = FALSE; /* unknown word, repeated or out of order */
        if (kw >= 0) {
            last_kw = MAX(last_kw, kw);
            want_value = TRUE;
        }
        cur_kw = kw;
    }
    if (want_value)
        r->is_well_formed = FALSE;
}

MailReceived *
mail_received_parse(const char *value)
{
    g_return_val_if_fail(value != NULL, NULL);
    MailReceived *r = g_new0(MailReceived, 1);
    r->is_well_formed = TRUE;
    /* RFC 5322 3.6.7: received = *received-token ";" date-time */
    const char *semi = strrchr(value, ';');
    g_autofree char *clauses = semi ? g_strndup(value, (gsize)(semi - value)) : g_strdup(value);
    if (semi != NULL) {
        r->date_text = g_strstrip(g_strdup(semi + 1));
        r->has_date = mail_date_parse(r->date_text, &r->date);
    }
    mail_received_parse_clauses(r, clauses);
    /* RFC 5321 4.4 requires from and by, and the date. */
    if (r->from == NULL || r->by == NULL || !r->has_date)
        r->is_well_formed = FALSE;
    r->from_ip = mail_received_literal(r->from_info);
    if (r->from_ip == NULL)
        r->from_ip = mail_received_literal(r->from);
    if (r->from_info != NULL && r->from_info[0] != '[') {
        const char *sp = strchr(r->from_info, ' ');
        if (sp != NULL && sp[1] == '[')
            r->from_rdns = g_strndup(r->from_info, (gsize)(sp - r->from_info));
    }
    return r;
}
