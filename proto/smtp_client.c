/* SPDX-License-Identifier: MIT
 * smtp_client: the ESMTP client engine (RFC 5321 3.3 and 4.1; PIPELINING RFC
 * 2920 3.1; SIZE RFC 1870; 8BITMIME RFC 6152; STARTTLS RFC 3207 4.2, with
 * the client-side leftover discard; AUTH RFC 4954 4). Every command sent
 * pushes the reply it expects onto a queue, so pipelined and lock-step
 * sessions share one reply handler.
 */
#include "proto/smtp_client.h"

#include <string.h>

#include "proto/act_queue.h"
#include "proto/ascii_case.h"
#include "proto/gstring_put.h"
#include "proto/smtp_data.h"

typedef enum {
    SMTP_CLIENT_EXP_GREETING = 0,
    SMTP_CLIENT_EXP_EHLO,
    SMTP_CLIENT_EXP_HELO,
    SMTP_CLIENT_EXP_STARTTLS,
    SMTP_CLIENT_EXP_AUTH,
    SMTP_CLIENT_EXP_MAIL,
    SMTP_CLIENT_EXP_RCPT,
    SMTP_CLIENT_EXP_DATA,
    SMTP_CLIENT_EXP_DOT,
    SMTP_CLIENT_EXP_QUIT,
} SmtpClientExpect;

typedef enum {
    SMTP_CLIENT_RCPT_PENDING = 0,
    SMTP_CLIENT_RCPT_ACCEPTED,
    SMTP_CLIENT_RCPT_REJECTED,
} SmtpClientRcptState;

/* What the engine keeps per recipient (one array: a session per message). */
typedef struct {
    SmtpClientRcptState state;
    SmtpReply *reply; /* the refusal that decides it (nullable) */
    guint notify;     /* DSN NOTIFY= bits, 0 none */
} SmtpClientRcpt;

struct SmtpClient {
    /* helo_name, auth_mech, mail_auth_param, dsn_envid and reverse_path are
     * read only and point into config_strings (one allocation per client). */
    char *config_strings;
    const char *helo_name;
    gboolean use_helo, no_pipelining, want_starttls, require_starttls, require_auth, force_auth;
    gboolean no_size_param, no_fallback_helo, body_8bitmime;
    const char *auth_mech;
    const char *mail_auth_param;
    SmtpDsnRet dsn_ret;
    const char *dsn_envid;
    GStrv rcpt_orcpt; /* (nullable) parallel to rcpts, "" for none; in rcpt's block */
    const char *reverse_path;
    GStrv rcpts; /* moved into the outcome once decided (NULL then) */
    guint nrcpts;
    GBytes *message;

    SmtpReplyParser *rp;
    ActQueue acts;   /* SmtpClientAct */
    ActQueue expect; /* guint8 SmtpClientExpect, in sending order */
    char *ext_lines; /* (nullable) the EHLO lines after the first, each ended by '\n' */
    guint ext_bits;  /* SmtpClientExt: the extensions the engine itself uses */
    GStrv auth_mechs;
    SmtpClientRcpt *rcpt; /* parallel to rcpts */
    guint rcpt_next;  /* next RCPT reply index */
    guint naccepted;
    gboolean is_tls, is_authed, auth_started, starttls_refused, waiting_tls;
    gboolean replies_off; /* no REPLY actions: smtp_client_set_reply_actions() */
    gboolean decided, quit_sent, closed;
    gboolean query_pending;
    guint32 query_id, next_id;
    gboolean dot_pending; /* the end of data is sent, its reply not read (RFC 1047) */
    GBytes *quit;         /* (nullable) "QUIT\r\n", made once, shared by every session (reuse) */
    GString *line;        /* (nullable) where commands are built, kept likewise */
};

static void smtp_client_after_ehlo(SmtpClient *c);
static void smtp_client_expect(SmtpClient *c, SmtpClientExpect exp);

/* Extensions the engine looks at on every transaction, found once per EHLO. */
typedef enum {
    SMTP_CLIENT_EXT_PIPELINING = 1 << 0, /* RFC 2920 */
    SMTP_CLIENT_EXT_SIZE = 1 << 1,       /* RFC 1870 */
    SMTP_CLIENT_EXT_8BITMIME = 1 << 2,   /* RFC 6152 */
    SMTP_CLIENT_EXT_STARTTLS = 1 << 3,   /* RFC 3207 */
    SMTP_CLIENT_EXT_DSN = 1 << 4,        /* RFC 3461 */
} SmtpClientExt;

static const struct {
    const char *keyword; /* upper case */
    gsize len;
    SmtpClientExt bit;
} smtp_client_exts[] = {
    {"PIPELINING", 10, SMTP_CLIENT_EXT_PIPELINING},
    {"SIZE", 4, SMTP_CLIENT_EXT_SIZE},
    {"8BITMIME", 8, SMTP_CLIENT_EXT_8BITMIME},
    {"STARTTLS", 8, SMTP_CLIENT_EXT_STARTTLS},
    {"DSN", 3, SMTP_CLIENT_EXT_DSN},
};

static gboolean
smtp_client_has(const SmtpClient *c, SmtpClientExt bit)
{
    return (c->ext_bits & bit) != 0;
}

static void
smtp_client_forget_exts(SmtpClient *c)
{
    g_clear_pointer(&c->ext_lines, g_free);
    c->ext_bits = 0;
}

/* Copies the n strings (nullable) into c->config_strings, one allocation,
 * and points *fields[i] at the copy of strings[i] (NULL stays NULL): every
 * message a node relays makes a client. */
static void
smtp_client_copy_strings(SmtpClient *c, const char *const *strings, const char **fields[], guint n)
{
    gsize size = 0;
    for (guint i = 0; i < n; i++)
        size += strings[i] ? strlen(strings[i]) + 1 : 0;
    char *p = c->config_strings = g_malloc(MAX(size, 1));
    for (guint i = 0; i < n; i++) {
        *fields[i] = NULL;
        if (strings[i] == NULL)
            continue;
        gsize len = strlen(strings[i]) + 1;
        memcpy(p, strings[i], len);
        *fields[i] = p;
        p += len;
    }
}

/* A NULL-terminated copy of v (nullable: empty) in one block, the array
 * then the strings: freed with g_free(). */
static char **
smtp_client_copy_strv(const char *const *v)
{
    guint n = 0;
    gsize size = 0;
    for (; v != NULL && v[n] != NULL; n++)
        size += strlen(v[n]) + 1;
    char **out = g_malloc((n + 1) * sizeof(char *) + size);
    char *w = (char *)(out + n + 1);
    for (guint i = 0; i < n; i++) {
        gsize l = strlen(v[i]) + 1;
        out[i] = memcpy(w, v[i], l);
        w += l;
    }
    out[n] = NULL;
    return out;
}

/* Sets c up as a new engine for cfg. c is zero but for the storage a
 * reused engine keeps: the reply parser and the two queues, made here
 * when absent. */
static void
smtp_client_setup(SmtpClient *c, const SmtpClientConfig *cfg)
{
    const char *const strings[] = {cfg->helo_name ? cfg->helo_name : "localhost", cfg->auth_mech,
                                   cfg->mail_auth_param,
                                   cfg->reverse_path ? cfg->reverse_path : "", cfg->dsn_envid};
    const char **fields[] = {&c->helo_name, &c->auth_mech, &c->mail_auth_param, &c->reverse_path,
                             &c->dsn_envid};
    smtp_client_copy_strings(c, strings, fields, G_N_ELEMENTS(strings));
    c->use_helo = cfg->use_helo;
    c->no_pipelining = cfg->no_pipelining;
    c->want_starttls = cfg->want_starttls || cfg->require_starttls;
    c->require_starttls = cfg->require_starttls;
    c->require_auth = cfg->require_auth;
    c->force_auth = cfg->force_auth;
    c->no_size_param = cfg->no_size_param;
    c->no_fallback_helo = cfg->no_fallback_helo;
    c->body_8bitmime = cfg->body_8bitmime;
    c->rcpts = smtp_client_copy_strv(cfg->recipients);
    c->nrcpts = g_strv_length(c->rcpts);
    c->dsn_ret = cfg->dsn_ret;
    /* The recipients' states, then their ORCPT texts (RFC 3461 4.2) when
     * given, in one block: one per connection. */
    gsize head = (c->nrcpts + 1) * sizeof(SmtpClientRcpt), ptrs = 0, osize = 0;
    if (cfg->rcpt_orcpt != NULL) {
        ptrs = (c->nrcpts + 1) * sizeof(char *);
        for (guint i = 0; i < c->nrcpts; i++)
            osize += strlen(cfg->rcpt_orcpt[i] ? cfg->rcpt_orcpt[i] : "") + 1;
    }
    c->rcpt = g_malloc0(head + ptrs + osize);
    for (guint i = 0; cfg->rcpt_notify && i < c->nrcpts; i++)
        c->rcpt[i].notify = cfg->rcpt_notify[i];
    if (cfg->rcpt_orcpt != NULL) {
        c->rcpt_orcpt = (char **)((char *)c->rcpt + head);
        char *w = (char *)c->rcpt_orcpt + ptrs;
        for (guint i = 0; i < c->nrcpts; i++) {
            const char *o = cfg->rcpt_orcpt[i] ? cfg->rcpt_orcpt[i] : "";
            gsize l = strlen(o) + 1;
            c->rcpt_orcpt[i] = memcpy(w, o, l);
            w += l;
        }
    }
    c->message = cfg->message ? g_bytes_ref(cfg->message) : g_bytes_new(NULL, 0);
    if (c->rp == NULL)
        c->rp = smtp_reply_parser_new();
    if (c->acts.item_size == 0)
        act_queue_init(&c->acts, sizeof(SmtpClientAct));
    if (c->expect.item_size == 0)
        act_queue_init(&c->expect, sizeof(guint8));
    c->next_id = 1;
    smtp_client_expect(c, SMTP_CLIENT_EXP_GREETING);
}

SmtpClient *
smtp_client_new(const SmtpClientConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL, NULL);
    SmtpClient *c = g_new0(SmtpClient, 1);
    smtp_client_setup(c, cfg);
    return c;
}

/* Frees what c owns; with keep, not the storage smtp_client_reuse() keeps
 * (the reply parser, the queues' arrays), which stays as it was. */
static void
smtp_client_clear(SmtpClient *c, gboolean keep)
{
    g_free(c->config_strings);
    g_free(c->rcpts); /* one block: smtp_client_copy_strv() */
    g_bytes_unref(c->message);
    if (!keep) {
        smtp_reply_parser_free(c->rp);
        g_clear_pointer(&c->quit, g_bytes_unref);
        if (c->line != NULL)
            g_string_free(c->line, TRUE);
    }
    act_queue_clear(&c->acts, (GDestroyNotify)smtp_client_act_clear, !keep);
    act_queue_clear(&c->expect, NULL, !keep);
    g_free(c->ext_lines);
    g_strfreev(c->auth_mechs);
    for (guint i = 0; i < c->nrcpts; i++)
        smtp_reply_free(c->rcpt[i].reply);
    g_free(c->rcpt);
}

void
smtp_client_free(SmtpClient *c)
{
    if (c == NULL)
        return;
    smtp_client_clear(c, FALSE);
    g_free(c);
}

void
smtp_client_reuse(SmtpClient *c, const SmtpClientConfig *cfg)
{
    g_return_if_fail(c != NULL && cfg != NULL);
    smtp_client_clear(c, TRUE);
    /* Everything else starts from zero, as in a new engine. */
    SmtpReplyParser *rp = c->rp;
    ActQueue acts = c->acts, expect = c->expect;
    GBytes *quit = c->quit;
    GString *line = c->line;
    memset(c, 0, sizeof *c);
    smtp_reply_parser_reset(rp);
    c->rp = rp;
    c->quit = quit;
    c->line = line;
    c->acts = acts;
    c->expect = expect;
    smtp_client_setup(c, cfg);
}

void
smtp_client_outcome_free(SmtpClientOutcome *o)
{
    if (o == NULL)
        return;
    smtp_reply_free(o->reply);
    g_free(o->detail);
    guint n = o->recipients ? g_strv_length(o->recipients) : 0;
    for (guint i = 0; i < n; i++)
        smtp_reply_free(o->rcpt_replies[i]);
    g_free(o->recipients); /* one block: smtp_client_copy_strv() */
    g_free(o);             /* rcpt_results and rcpt_replies are in its block */
}

void
smtp_client_act_clear(SmtpClientAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->reply, smtp_reply_free);
    g_clear_pointer(&act->rcpt, g_free);
    g_clear_pointer(&act->challenge, g_bytes_unref);
    g_clear_pointer(&act->outcome, smtp_client_outcome_free);
    memset(act, 0, sizeof *act);
}

/* The returned act is valid until the next push. */
static SmtpClientAct *
smtp_client_push(SmtpClient *c, SmtpClientActKind kind)
{
    SmtpClientAct *a = act_queue_push(&c->acts);
    a->kind = kind;
    return a;
}

static void
smtp_client_expect(SmtpClient *c, SmtpClientExpect exp)
{
    guint8 *e = act_queue_push(&c->expect);
    *e = (guint8)exp;
}

static gboolean
smtp_client_expect_empty(const SmtpClient *c)
{
    return act_queue_is_empty(&c->expect);
}

static SmtpClientExpect
smtp_client_expect_pop(SmtpClient *c)
{
    guint8 e;
    act_queue_pop(&c->expect, &e);
    return e;
}

static void
smtp_client_expect_clear(SmtpClient *c)
{
    act_queue_clear(&c->expect, NULL, FALSE);
}

/* Sends s, whose buffer becomes the bytes. */
static void
smtp_client_send(SmtpClient *c, GString *s)
{
    SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_SEND);
    a->bytes = g_bytes_new(s->str, s->len);
}

/* The engine's empty command buffer, for smtp_client_send(): one per engine
 * rather than one per command group. */
static GString *
smtp_client_line(SmtpClient *c)
{
    if (c->line == NULL)
        c->line = g_string_sized_new(128);
    g_string_truncate(c->line, 0);
    return c->line;
}

/* Sends one command line, the concatenation of the NULL-terminated
 * strings given, and expects its reply. */
static void smtp_client_cmd(SmtpClient *c, SmtpClientExpect exp, const char *part,
                            ...) G_GNUC_NULL_TERMINATED;
static void
smtp_client_cmd(SmtpClient *c, SmtpClientExpect exp, const char *part, ...)
{
    /* Measured first: the line is one exact allocation, moved into the bytes. */
    gsize n = 2;
    va_list ap;
    va_start(ap, part);
    for (const char *p = part; p != NULL; p = va_arg(ap, const char *))
        n += strlen(p);
    va_end(ap);
    char *line = g_malloc(n), *w = line;
    va_start(ap, part);
    for (const char *p = part; p != NULL; p = va_arg(ap, const char *)) {
        gsize pl = strlen(p);
        memcpy(w, p, pl);
        w += pl;
    }
    va_end(ap);
    memcpy(w, "\r\n", 2);
    SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_SEND);
    a->bytes = g_bytes_new_take(line, n);
    smtp_client_expect(c, exp);
}

static void
smtp_client_close(SmtpClient *c)
{
    if (c->closed)
        return;
    c->closed = TRUE;
    smtp_client_expect_clear(c);
    smtp_client_push(c, SMTP_CLIENT_ACT_CLOSE);
}

static SmtpClientResult
smtp_client_classify(const SmtpReply *r)
{
    if (r == NULL || !smtp_reply_is_permanent(r))
        return r != NULL && smtp_reply_is_positive(r) ? SMTP_CLIENT_RESULT_DELIVERED
                                                       : SMTP_CLIENT_RESULT_TEMPFAIL;
    return SMTP_CLIENT_RESULT_PERMFAIL;
}

/* Decides the transaction: recipients refused at RCPT keep their reply, the
 * others take the deciding reply (NULL: connection lost, TEMPFAIL). */
static void
smtp_client_finish(SmtpClient *c, SmtpClientStage stage, SmtpReply *r, const char *detail,
                   gboolean conn)
{
    if (c->decided)
        return;
    c->decided = TRUE;
    /* The outcome and its two per-recipient arrays in one block (replies
     * first: pointers need the stricter alignment). */
    gsize nr = c->nrcpts + 1;
    SmtpClientOutcome *o =
        g_malloc0(sizeof *o + nr * sizeof(SmtpReply *) + nr * sizeof(SmtpClientResult));
    o->stage = stage;
    o->reply = r ? smtp_reply_ref(r) : NULL;
    o->detail = g_strdup(detail);
    /* No command names a recipient once the transaction is decided. */
    o->recipients = g_steal_pointer(&c->rcpts);
    o->rcpt_replies = (SmtpReply **)(o + 1);
    o->rcpt_results = (SmtpClientResult *)(o->rcpt_replies + nr);
    gboolean any_ok = FALSE, any_temp = FALSE, any_tried = FALSE;
    for (guint i = 0; i < c->nrcpts; i++) {
        SmtpReply *ri = c->rcpt[i].state == SMTP_CLIENT_RCPT_REJECTED ? c->rcpt[i].reply : r;
        if (c->rcpt[i].state != SMTP_CLIENT_RCPT_PENDING)
            any_tried = TRUE;
        o->rcpt_results[i] = smtp_client_classify(ri);
        /* A refused recipient's reply is not needed any more: move it. */
        if (ri != NULL && ri == c->rcpt[i].reply)
            o->rcpt_replies[i] = g_steal_pointer(&c->rcpt[i].reply);
        else
            o->rcpt_replies[i] = ri ? smtp_reply_ref(ri) : NULL;
        any_ok |= o->rcpt_results[i] == SMTP_CLIENT_RESULT_DELIVERED;
        any_temp |= o->rcpt_results[i] == SMTP_CLIENT_RESULT_TEMPFAIL;
    }
    if (c->nrcpts == 0)
        o->result = smtp_client_classify(r);
    else
        o->result = any_ok     ? SMTP_CLIENT_RESULT_DELIVERED
                    : any_temp ? SMTP_CLIENT_RESULT_TEMPFAIL
                               : SMTP_CLIENT_RESULT_PERMFAIL;
    o->connection_failure = conn || (!any_tried && stage <= SMTP_CLIENT_STAGE_AUTH);
    o->reply_lost = c->dot_pending && r == NULL;
    o->dsn_offered = smtp_client_has(c, SMTP_CLIENT_EXT_DSN);
    SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_DONE);
    a->outcome = o;
}

/* After the decision: QUIT once every expected reply has arrived. */
static void
smtp_client_maybe_quit(SmtpClient *c)
{
    if (c->decided && !c->quit_sent && !c->closed && smtp_client_expect_empty(c)) {
        c->quit_sent = TRUE;
        /* A fixed line: static bytes, made once per engine and shared. */
        if (c->quit == NULL)
            c->quit = g_bytes_new_static("QUIT\r\n", 6);
        SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_SEND);
        a->bytes = g_bytes_ref(c->quit);
        smtp_client_expect(c, SMTP_CLIENT_EXP_QUIT);
    }
}

gboolean
smtp_client_server_has_ext(const SmtpClient *c, const char *keyword)
{
    g_return_val_if_fail(c != NULL && keyword != NULL, FALSE);
    /* RFC 5321 4.1.1.1: keywords are case-insensitive; params follow a space. */
    gsize kl = strlen(keyword);
    for (const char *l = c->ext_lines; l != NULL && *l != '\0'; l = strchr(l, '\n') + 1) {
        if (strcspn(l, " \n") == kl && ascii_case_equal_n(l, keyword, kl))
            return TRUE;
    }
    return FALSE;
}

const char *const *
smtp_client_server_auth_mechs(const SmtpClient *c)
{
    g_return_val_if_fail(c != NULL, NULL);
    return (const char *const *)c->auth_mechs;
}

/* RFC 5321 4.1.1.1: each EHLO line after the first is "keyword [params]". */
static void
smtp_client_parse_ehlo(SmtpClient *c, const SmtpReply *r)
{
    smtp_client_forget_exts(c);
    g_clear_pointer(&c->auth_mechs, g_strfreev);
    /* The lines, each ended by '\n', in one exact allocation. */
    gsize size = 1;
    for (guint i = 1; i < r->lines->len; i++)
        size += strlen(g_ptr_array_index(r->lines, i)) + 1;
    char *lines = g_malloc(size), *w = lines;
    for (guint i = 1; i < r->lines->len; i++) {
        const char *l = g_ptr_array_index(r->lines, i);
        gsize ll = strlen(l);
        const char *sp = memchr(l, ' ', ll);
        gsize kl = sp ? (gsize)(sp - l) : ll;
        if (kl == 4 && ascii_case_equal_n(l, "AUTH", 4) && sp != NULL) {
            /* Listed twice: the last line counts, as for the other keywords. */
            g_strfreev(c->auth_mechs);
            c->auth_mechs = g_strsplit_set(sp + 1, " ", -1);
        }
        /* Length and first octet first: most pairs differ there. */
        char first = g_ascii_toupper(l[0]);
        for (guint k = 0; k < G_N_ELEMENTS(smtp_client_exts); k++)
            if (kl == smtp_client_exts[k].len && first == smtp_client_exts[k].keyword[0] &&
                ascii_case_equal_n(l, smtp_client_exts[k].keyword, kl))
                c->ext_bits |= smtp_client_exts[k].bit;
        memcpy(w, l, ll);
        w[ll] = '\n';
        w += ll + 1;
    }
    *w = '\0';
    c->ext_lines = lines;
}

static gboolean
smtp_client_mech_offered(const SmtpClient *c)
{
    for (guint i = 0; c->auth_mechs && c->auth_mechs[i]; i++)
        if (g_ascii_strcasecmp(c->auth_mechs[i], c->auth_mech) == 0)
            return TRUE;
    return FALSE;
}

/* RFC 3461 4 xtext: "+" and "=" and non-printables as +XX. */
static void
smtp_client_append_xtext(GString *s, const char *v)
{
    for (const guchar *p = (const guchar *)v; *p; p++) {
        if (*p < 33 || *p > 126 || *p == '+' || *p == '=')
            g_string_append_printf(s, "+%02X", *p);
        else
            g_string_append_c(s, (char)*p);
    }
}

/* Appends v in decimal (no printf: this is on every transaction). */
static void
smtp_client_append_u64(GString *s, guint64 v)
{
    char tmp[20];
    gsize n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n > 0)
        g_string_append_c(s, tmp[--n]);
}

/* "RCPT TO:<addr>" with the recipient's DSN parameters when the server
 * takes them (RFC 3461 4.1, 4.2), and CRLF. */
static void
smtp_client_append_rcpt(SmtpClient *c, GString *s, guint i)
{
    gstring_put(s, "RCPT TO:<");
    g_assert(c->rcpts != NULL);
    gstring_put(s, c->rcpts[i]);
    g_string_append_c(s, '>');
    if (smtp_client_has(c, SMTP_CLIENT_EXT_DSN)) {
        if (c->rcpt[i].notify != 0) {
            g_autofree char *n = smtp_dsn_notify_format(c->rcpt[i].notify);
            gstring_put(s, " NOTIFY=");
            gstring_put(s, n);
        }
        const char *semi = c->rcpt_orcpt ? strchr(c->rcpt_orcpt[i], ';') : NULL;
        if (semi != NULL) {
            g_autofree char *type = g_strndup(c->rcpt_orcpt[i], (gsize)(semi - c->rcpt_orcpt[i]));
            g_autofree char *o = smtp_dsn_orcpt_format(type, semi + 1);
            gstring_put(s, " ORCPT=");
            gstring_put(s, o);
        }
    }
    gstring_put(s, "\r\n");
}

static void
smtp_client_send_rcpt(SmtpClient *c, guint i)
{
    GString *s = smtp_client_line(c);
    smtp_client_append_rcpt(c, s, i);
    smtp_client_send(c, s);
    smtp_client_expect(c, SMTP_CLIENT_EXP_RCPT);
}

static void
smtp_client_start_txn(SmtpClient *c)
{
    gboolean pipe = !c->no_pipelining && smtp_client_has(c, SMTP_CLIENT_EXT_PIPELINING);
    GString *s = smtp_client_line(c);
    gstring_put(s, "MAIL FROM:<");
    gstring_put(s, c->reverse_path);
    g_string_append_c(s, '>');
    if (!c->no_size_param && smtp_client_has(c, SMTP_CLIENT_EXT_SIZE)) {
        gstring_put(s, " SIZE=");
        smtp_client_append_u64(s, g_bytes_get_size(c->message));
    }
    if (c->body_8bitmime && smtp_client_has(c, SMTP_CLIENT_EXT_8BITMIME))
        gstring_put(s, " BODY=8BITMIME");
    if (c->mail_auth_param && c->auth_mechs) {
        gstring_put(s, " AUTH=");
        smtp_client_append_xtext(s, c->mail_auth_param);
    }
    if (smtp_client_has(c, SMTP_CLIENT_EXT_DSN)) {
        /* RFC 3461 4.3, 4.4 */
        if (c->dsn_ret != SMTP_DSN_RET_NONE) {
            gstring_put(s, " RET=");
            gstring_put(s, smtp_dsn_ret_name(c->dsn_ret));
        }
        if (c->dsn_envid) {
            gstring_put(s, " ENVID=");
            smtp_client_append_xtext(s, c->dsn_envid);
        }
    }
    gstring_put(s, "\r\n");
    smtp_client_expect(c, SMTP_CLIENT_EXP_MAIL);
    if (pipe) {
        /* RFC 2920 3.1: MAIL, the RCPTs and DATA in one group, DATA last. */
        for (guint i = 0; i < c->nrcpts; i++) {
            smtp_client_append_rcpt(c, s, i);
            smtp_client_expect(c, SMTP_CLIENT_EXP_RCPT);
        }
        gstring_put(s, "DATA\r\n");
        smtp_client_expect(c, SMTP_CLIENT_EXP_DATA);
    }
    smtp_client_send(c, s);
}

static void
smtp_client_auth_query(SmtpClient *c, GBytes *challenge)
{
    SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_QUERY);
    a->query_id = c->next_id++;
    a->query_kind = SMTP_CLIENT_QUERY_AUTH_STEP;
    a->challenge = challenge;
    c->query_pending = TRUE;
    c->query_id = a->query_id;
}

static void
smtp_client_after_ehlo(SmtpClient *c)
{
    if (c->want_starttls && !c->is_tls && !c->starttls_refused &&
        smtp_client_has(c, SMTP_CLIENT_EXT_STARTTLS)) {
        smtp_client_cmd(c, SMTP_CLIENT_EXP_STARTTLS, "STARTTLS", NULL);
        return;
    }
    if (c->require_starttls && !c->is_tls) {
        smtp_client_finish(c, SMTP_CLIENT_STAGE_STARTTLS, NULL, "STARTTLS not available", TRUE);
        smtp_client_maybe_quit(c);
        return;
    }
    if (c->auth_mech && !c->is_authed) {
        if (c->force_auth || smtp_client_mech_offered(c)) {
            c->auth_started = FALSE;
            smtp_client_auth_query(c, NULL);
            return;
        }
        if (c->require_auth) {
            smtp_client_finish(c, SMTP_CLIENT_STAGE_AUTH, NULL, "AUTH mechanism not offered", TRUE);
            smtp_client_maybe_quit(c);
            return;
        }
    }
    smtp_client_start_txn(c);
}

static void
smtp_client_send_ehlo(SmtpClient *c)
{
    if (c->use_helo)
        smtp_client_cmd(c, SMTP_CLIENT_EXP_HELO, "HELO ", c->helo_name, NULL);
    else
        smtp_client_cmd(c, SMTP_CLIENT_EXP_EHLO, "EHLO ", c->helo_name, NULL);
}

static gboolean
smtp_client_rcpts_done(const SmtpClient *c)
{
    return c->rcpt_next >= c->nrcpts;
}

static void
smtp_client_on_rcpt(SmtpClient *c, SmtpReply *r, gboolean pipe)
{
    guint i = c->rcpt_next++;
    if (i >= c->nrcpts)
        return;
    c->rcpt[i].state =
        smtp_reply_is_positive(r) ? SMTP_CLIENT_RCPT_ACCEPTED : SMTP_CLIENT_RCPT_REJECTED;
    /* Only a refusal is needed later: it decides that recipient's outcome. */
    if (c->rcpt[i].state == SMTP_CLIENT_RCPT_REJECTED)
        c->rcpt[i].reply = smtp_reply_ref(r);
    if (smtp_reply_is_positive(r))
        c->naccepted++;
    SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_RCPT_RESULT);
    a->rcpt = g_strdup(c->rcpts[i]);
    a->reply = smtp_reply_ref(r);
    if (!smtp_client_rcpts_done(c)) {
        if (!pipe)
            smtp_client_send_rcpt(c, i + 1);
        return;
    }
    if (c->naccepted == 0)
        smtp_client_finish(c, SMTP_CLIENT_STAGE_RCPT, r, "no recipient accepted", FALSE);
    else if (!pipe)
        smtp_client_cmd(c, SMTP_CLIENT_EXP_DATA, "DATA", NULL);
}

static void
smtp_client_on_data(SmtpClient *c, SmtpReply *r)
{
    if (r->code != 354) {
        smtp_client_finish(c, SMTP_CLIENT_STAGE_DATA, r, NULL, FALSE);
        return;
    }
    if (c->decided) {
        /* RFC 2920 3.1: 354 despite no valid recipient: end an empty message. */
        SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_SEND);
        a->bytes = g_bytes_new_static(".\r\n", 3);
    } else {
        g_autoptr(GBytes) enc = smtp_data_encode(c->message, NULL);
        SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_SEND);
        a->bytes = g_steal_pointer(&enc);
    }
    smtp_client_expect(c, SMTP_CLIENT_EXP_DOT);
    c->dot_pending = TRUE;
}

static void
smtp_client_on_auth(SmtpClient *c, SmtpReply *r)
{
    if (r->code == 334) {
        /* RFC 4954 4: the challenge is base64; bad base64 ends the exchange. */
        gsize n = 0;
        const char *t = smtp_reply_text(r);
        guchar *d = t[0] ? g_base64_decode(t, &n) : g_malloc0(1);
        smtp_client_auth_query(c, g_bytes_new_take(d, n));
        return;
    }
    if (smtp_reply_is_positive(r)) {
        c->is_authed = TRUE;
        smtp_client_start_txn(c);
        return;
    }
    smtp_client_finish(c, SMTP_CLIENT_STAGE_AUTH, r, NULL, TRUE);
}

static void
smtp_client_on_reply(SmtpClient *c, SmtpClientExpect exp, SmtpReply *r)
{
    gboolean pipe = !c->no_pipelining && smtp_client_has(c, SMTP_CLIENT_EXT_PIPELINING);
    gboolean ok = smtp_reply_is_positive(r);
    switch (exp) {
    case SMTP_CLIENT_EXP_GREETING:
        if (ok)
            smtp_client_send_ehlo(c);
        else
            smtp_client_finish(c, SMTP_CLIENT_STAGE_CONNECT, r, NULL, TRUE);
        break;
    case SMTP_CLIENT_EXP_EHLO:
        if (ok) {
            smtp_client_parse_ehlo(c, r);
            smtp_client_after_ehlo(c);
        } else if (smtp_reply_is_permanent(r) && !c->no_fallback_helo && !c->is_tls) {
            smtp_client_cmd(c, SMTP_CLIENT_EXP_HELO, "HELO ", c->helo_name, NULL);
        } else {
            smtp_client_finish(c, SMTP_CLIENT_STAGE_EHLO, r, NULL, TRUE);
        }
        break;
    case SMTP_CLIENT_EXP_HELO:
        smtp_client_forget_exts(c);
        if (ok)
            smtp_client_after_ehlo(c);
        else
            smtp_client_finish(c, SMTP_CLIENT_STAGE_EHLO, r, NULL, TRUE);
        break;
    case SMTP_CLIENT_EXP_STARTTLS:
        if (r->code == 220) {
            SmtpClientAct *a = smtp_client_push(c, SMTP_CLIENT_ACT_STARTTLS);
            /* RFC 3207 4.2: nothing after the 220 may be trusted. */
            a->discarded = smtp_reply_parser_discard(c->rp);
            c->waiting_tls = TRUE;
        } else if (c->require_starttls) {
            smtp_client_finish(c, SMTP_CLIENT_STAGE_STARTTLS, r, NULL, TRUE);
        } else {
            c->starttls_refused = TRUE;
            smtp_client_after_ehlo(c);
        }
        break;
    case SMTP_CLIENT_EXP_AUTH:
        smtp_client_on_auth(c, r);
        break;
    case SMTP_CLIENT_EXP_MAIL:
        if (!ok)
            smtp_client_finish(c, SMTP_CLIENT_STAGE_MAIL, r, NULL, FALSE);
        else if (!pipe && c->nrcpts > 0)
            smtp_client_send_rcpt(c, 0);
        else if (c->nrcpts == 0)
            smtp_client_finish(c, SMTP_CLIENT_STAGE_RCPT, r, "no recipients", FALSE);
        break;
    case SMTP_CLIENT_EXP_RCPT:
        if (!c->decided)
            smtp_client_on_rcpt(c, r, pipe);
        break;
    case SMTP_CLIENT_EXP_DATA:
        smtp_client_on_data(c, r);
        break;
    case SMTP_CLIENT_EXP_DOT:
        c->dot_pending = FALSE;
        smtp_client_finish(c, SMTP_CLIENT_STAGE_DOT, r, NULL, FALSE);
        break;
    case SMTP_CLIENT_EXP_QUIT:
        smtp_client_close(c);
        return;
    }
    smtp_client_maybe_quit(c);
}

/* Reads replies while nothing blocks; FALSE when no progress. */
static gboolean
smtp_client_step(SmtpClient *c)
{
    if (c->closed || c->query_pending || c->waiting_tls)
        return FALSE;
    SmtpReply *r = NULL;
    SmtpReplyParseResult res = smtp_reply_parser_next(c->rp, &r);
    if (res == SMTP_REPLY_PARSE_NONE)
        return FALSE;
    if (res == SMTP_REPLY_PARSE_ERROR) {
        smtp_client_finish(c, SMTP_CLIENT_STAGE_CONNECT, NULL, smtp_reply_parser_error(c->rp), TRUE);
        smtp_client_close(c);
        return TRUE;
    }
    /* The REPLY action owns r; without one, r is freed on return. */
    g_autoptr(SmtpReply) unreported = NULL;
    if (c->replies_off)
        unreported = r;
    else
        smtp_client_push(c, SMTP_CLIENT_ACT_REPLY)->reply = r;
    if (smtp_client_expect_empty(c)) {
        /* An unsolicited reply: the server is out of step. */
        smtp_client_finish(c, SMTP_CLIENT_STAGE_CONNECT, r, "unexpected reply", TRUE);
        smtp_client_close(c);
        return TRUE;
    }
    SmtpClientExpect exp = smtp_client_expect_pop(c);
    if (r->code == 421 && exp != SMTP_CLIENT_EXP_QUIT) {
        /* RFC 5321 3.8: the server is closing; no QUIT. */
        SmtpClientStage st = exp == SMTP_CLIENT_EXP_GREETING ? SMTP_CLIENT_STAGE_CONNECT
                             : exp <= SMTP_CLIENT_EXP_HELO    ? SMTP_CLIENT_STAGE_EHLO
                             : exp == SMTP_CLIENT_EXP_STARTTLS ? SMTP_CLIENT_STAGE_STARTTLS
                             : exp == SMTP_CLIENT_EXP_AUTH     ? SMTP_CLIENT_STAGE_AUTH
                                                               : (SmtpClientStage)(exp - 1);
        smtp_client_finish(c, st, r, NULL, TRUE);
        smtp_client_close(c);
        return TRUE;
    }
    smtp_client_on_reply(c, exp, r);
    return TRUE;
}

void
smtp_client_feed(SmtpClient *c, const guint8 *buf, gsize len)
{
    g_return_if_fail(c != NULL && (buf != NULL || len == 0));
    if (c->closed || len == 0)
        return;
    if (c->waiting_tls) {
        /* RFC 3207 4.2: plaintext arriving before the switch is dropped. */
        return;
    }
    smtp_reply_parser_feed(c->rp, buf, len);
}

void
smtp_client_feed_eof(SmtpClient *c)
{
    g_return_if_fail(c != NULL);
    if (c->closed)
        return;
    if (!c->quit_sent)
        smtp_client_finish(c, SMTP_CLIENT_STAGE_CONNECT, NULL, "connection closed", TRUE);
    smtp_client_close(c);
}

void
smtp_client_set_reply_actions(SmtpClient *c, gboolean on)
{
    g_return_if_fail(c != NULL);
    c->replies_off = !on;
}

void
smtp_client_abort(SmtpClient *c, const char *reason)
{
    g_return_if_fail(c != NULL);
    if (c->closed)
        return;
    smtp_client_finish(c, SMTP_CLIENT_STAGE_CONNECT, NULL, reason ? reason : "aborted", TRUE);
    smtp_client_close(c);
}

gboolean
smtp_client_poll(SmtpClient *c, SmtpClientAct *act)
{
    g_return_val_if_fail(c != NULL && act != NULL, FALSE);
    /* Zeroed only when there is nothing: a popped action overwrites it whole. */
    while (act_queue_is_empty(&c->acts)) {
        if (!smtp_client_step(c)) {
            memset(act, 0, sizeof *act);
            return FALSE;
        }
    }
    act_queue_pop(&c->acts, act);
    return TRUE;
}

void
smtp_client_answer_auth(SmtpClient *c, guint32 query_id, GBytes *response, gboolean abort)
{
    g_return_if_fail(c != NULL);
    if (c->closed)
        return;
    g_return_if_fail(c->query_pending && c->query_id == query_id);
    c->query_pending = FALSE;
    gsize n = 0;
    const guchar *d = response ? g_bytes_get_data(response, &n) : NULL;
    g_autofree char *b64 = response ? g_base64_encode(d, n) : NULL;
    if (!c->auth_started) {
        /* RFC 4954 4: "=" is an empty initial response. */
        c->auth_started = TRUE;
        if (abort) {
            smtp_client_finish(c, SMTP_CLIENT_STAGE_AUTH, NULL, "AUTH cancelled", TRUE);
            smtp_client_maybe_quit(c);
        } else if (response == NULL)
            smtp_client_cmd(c, SMTP_CLIENT_EXP_AUTH, "AUTH ", c->auth_mech, NULL);
        else
            smtp_client_cmd(c, SMTP_CLIENT_EXP_AUTH, "AUTH ", c->auth_mech, " ",
                            n == 0 ? "=" : b64, NULL);
        return;
    }
    smtp_client_cmd(c, SMTP_CLIENT_EXP_AUTH, abort ? "*" : b64 ? b64 : "", NULL);
}

void
smtp_client_starttls_done(SmtpClient *c)
{
    g_return_if_fail(c != NULL && c->waiting_tls);
    /* RFC 3207 4.2: forget the extension list; EHLO again. */
    c->waiting_tls = FALSE;
    c->is_tls = TRUE;
    smtp_reply_parser_discard(c->rp);
    smtp_client_forget_exts(c);
    g_clear_pointer(&c->auth_mechs, g_strfreev);
    smtp_client_send_ehlo(c);
}

gboolean
smtp_client_is_done(const SmtpClient *c)
{
    g_return_val_if_fail(c != NULL, TRUE);
    return c->closed && act_queue_is_empty(&c->acts);
}

gboolean
smtp_client_is_tls(const SmtpClient *c)
{
    g_return_val_if_fail(c != NULL, FALSE);
    return c->is_tls;
}

const char *
smtp_client_result_name(SmtpClientResult r)
{
    static const char *const names[] = {"delivered", "tempfail", "permfail"};
    return (guint)r < G_N_ELEMENTS(names) ? names[r] : "?";
}

const char *
smtp_client_stage_name(SmtpClientStage s)
{
    static const char *const names[] = {"CONNECT", "EHLO", "STARTTLS", "AUTH",
                                        "MAIL",    "RCPT", "DATA",     "DOT"};
    return (guint)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

static void
smtp_client_describe_reply(GString *s, const SmtpReply *r)
{
    if (r == NULL) {
        g_string_append(s, " -");
        return;
    }
    g_string_append_printf(s, " %03u%s%s %s", r->code, r->enhanced[0] ? " " : "", r->enhanced,
                           smtp_reply_text(r));
}

char *
smtp_client_act_to_string(const SmtpClientAct *act)
{
    g_return_val_if_fail(act != NULL, NULL);
    GString *s = g_string_new(NULL);
    switch (act->kind) {
    case SMTP_CLIENT_ACT_SEND: {
        gsize n = 0;
        const char *p = g_bytes_get_data(act->bytes, &n);
        g_autofree char *raw = g_strndup(p ? p : "", n);
        g_autofree char *esc = g_strescape(raw, NULL);
        g_string_append_printf(s, "SEND %s", esc);
        break;
    }
    case SMTP_CLIENT_ACT_REPLY:
        g_string_append(s, "REPLY");
        smtp_client_describe_reply(s, act->reply);
        break;
    case SMTP_CLIENT_ACT_STARTTLS:
        g_string_append_printf(s, "STARTTLS discarded=%" G_GSIZE_FORMAT, act->discarded);
        break;
    case SMTP_CLIENT_ACT_QUERY: {
        g_string_append(s, "QUERY AUTH_STEP");
        if (act->challenge) {
            gsize n = 0;
            const char *p = g_bytes_get_data(act->challenge, &n);
            g_autofree char *raw = g_strndup(p ? p : "", n);
            g_autofree char *esc = g_strescape(raw, NULL);
            g_string_append_printf(s, " \"%s\"", esc);
        }
        break;
    }
    case SMTP_CLIENT_ACT_RCPT_RESULT:
        g_string_append_printf(s, "RCPT_RESULT %s", act->rcpt);
        smtp_client_describe_reply(s, act->reply);
        break;
    case SMTP_CLIENT_ACT_DONE: {
        const SmtpClientOutcome *o = act->outcome;
        g_string_append_printf(s, "DONE %s stage=%s%s", smtp_client_result_name(o->result),
                               smtp_client_stage_name(o->stage),
                               o->connection_failure ? " connection" : "");
        smtp_client_describe_reply(s, o->reply);
        if (o->detail)
            g_string_append_printf(s, " (%s)", o->detail);
        break;
    }
    case SMTP_CLIENT_ACT_CLOSE:
        g_string_append(s, "CLOSE");
        break;
    default:
        g_string_append(s, "NONE");
        break;
    }
    return g_string_free(s, FALSE);
}
