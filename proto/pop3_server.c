/* SPDX-License-Identifier: MIT
 * pop3_server: the POP3 server state machine. RFC 1939 sections 3-7 and
 * 10 (replies as in the example session), RFC 2449 (CAPA, RESP-CODES,
 * PIPELINING, 255/512 octet limits), RFC 2595 section 4 (STLS seam).
 * The mailbox belongs to the node: credentials, the maildrop listing,
 * message bytes and the UPDATE commit are QUERY actions. No SASL AUTH.
 */
#include "proto/pop3_server.h"
#include "proto/pop3_server_private.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/line_reader.h"
#include "proto/pop3_reply.h"

static const char *const pop3_server_state_names[] = {
    [POP3_SERVER_STATE_AUTHORIZATION] = "AUTHORIZATION",
    [POP3_SERVER_STATE_TRANSACTION] = "TRANSACTION",
    [POP3_SERVER_STATE_UPDATE] = "UPDATE",
    [POP3_SERVER_STATE_CLOSED] = "CLOSED",
};

const char *
pop3_server_state_name(Pop3ServerState st)
{
    g_return_val_if_fail(st <= POP3_SERVER_STATE_CLOSED, "?");
    return pop3_server_state_names[st];
}

static const char *const pop3_query_kind_names[] = {
    [POP3_QUERY_NONE] = "NONE",           [POP3_QUERY_AUTH_USERPASS] = "AUTH_USERPASS",
    [POP3_QUERY_AUTH_APOP] = "AUTH_APOP", [POP3_QUERY_LOCK_MAILDROP] = "LOCK_MAILDROP",
    [POP3_QUERY_MESSAGE] = "MESSAGE",     [POP3_QUERY_UPDATE] = "UPDATE",
};

const char *
pop3_server_query_kind_name(Pop3QueryKind k)
{
    g_return_val_if_fail(k <= POP3_QUERY_UPDATE, "?");
    return pop3_query_kind_names[k];
}

static void
pop3_server_msg_clear(gpointer p)
{
    Pop3ServerMsg *m = p;
    g_free(m->uid);
}

static void
pop3_server_wipe_free(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    g_free(s);
}

/* ---- actions ---- */

Pop3ServerAct *
pop3_server_push(Pop3Server *srv, Pop3ServerActKind kind)
{
    Pop3ServerAct *a = g_new0(Pop3ServerAct, 1);
    a->kind = kind;
    g_queue_push_tail(&srv->acts, a);
    return a;
}

void
pop3_server_send_gstring(Pop3Server *srv, GString *s)
{
    Pop3ServerAct *a = pop3_server_push(srv, POP3_SERVER_ACT_SEND);
    a->bytes = g_bytes_new(s->str, s->len);
}

/* One status line. RFC 2449 section 4: at most 512 octets with CRLF. */
void
pop3_server_reply(Pop3Server *srv, gboolean ok, const char *fmt, ...)
{
    g_autoptr(GString) s = g_string_new(ok ? "+OK" : "-ERR");
    if (fmt != NULL && fmt[0] != '\0') {
        va_list ap;
        va_start(ap, fmt);
        g_string_append_c(s, ' ');
        g_string_append_vprintf(s, fmt, ap);
        va_end(ap);
    }
    /* XXX: truncation may cut a multi-byte character; texts are ASCII. */
    if (s->len > POP3_RESPONSE_LINE_MAX - 2)
        g_string_truncate(s, POP3_RESPONSE_LINE_MAX - 2);
    g_string_append(s, "\r\n");
    if (ok)
        srv->bad = 0;
    pop3_server_send_gstring(srv, s);
}

void
pop3_server_enter_state(Pop3Server *srv, Pop3ServerState st)
{
    if (srv->state == st)
        return;
    srv->state = st;
    /* CLOSE itself reports the end of the session. */
    if (st != POP3_SERVER_STATE_CLOSED)
        pop3_server_push(srv, POP3_SERVER_ACT_STATE)->state = st;
}

void
pop3_server_close(Pop3Server *srv)
{
    if (srv->done)
        return;
    srv->done = TRUE;
    srv->qid = 0;
    srv->qkind = POP3_QUERY_NONE;
    pop3_server_enter_state(srv, POP3_SERVER_STATE_CLOSED);
    pop3_server_push(srv, POP3_SERVER_ACT_CLOSE);
}

Pop3ServerQuery *
pop3_server_query(Pop3Server *srv, Pop3QueryKind kind)
{
    Pop3ServerAct *a = pop3_server_push(srv, POP3_SERVER_ACT_QUERY);
    srv->qid = ++srv->next_qid;
    srv->qkind = kind;
    a->query.id = srv->qid;
    a->query.kind = kind;
    a->query.top_lines = -1;
    return &a->query;
}

/* A syntax or sequence error: -ERR, and hang up after too many in a row. */
void
pop3_server_bad(Pop3Server *srv, const char *text)
{
    pop3_server_reply(srv, FALSE, "%s", text);
    if (++srv->bad >= srv->max_bad) {
        pop3_server_reply(srv, FALSE, "too many errors, closing");
        pop3_server_close(srv);
    }
}

/* ---- maildrop helpers ---- */

void
pop3_server_totals(const Pop3Server *srv, guint *count, guint64 *octets)
{
    *count = 0;
    *octets = 0;
    for (guint i = 0; srv->msgs && i < srv->msgs->len; i++) {
        const Pop3ServerMsg *m = &g_array_index(srv->msgs, Pop3ServerMsg, i);
        if (!m->deleted) {
            (*count)++;
            *octets += m->size;
        }
    }
}

const char *
pop3_server_plural(guint n)
{
    return n == 1 ? "message" : "messages";
}

const char *
pop3_server_uid(const Pop3ServerMsg *m, guint num, char buf[16])
{
    if (m->uid != NULL)
        return m->uid;
    /* XXX: without a node-given uid the number is used; not stable across
     * sessions as RFC 1939 section 7 wants. */
    g_snprintf(buf, 16, "%u", num);
    return buf;
}

/* Processes input until an action is queued or nothing more can be done. */
static void
pop3_server_step(Pop3Server *srv)
{
    while (g_queue_is_empty(&srv->acts) && !srv->done && srv->qid == 0 && !srv->stls_pending) {
        const char *text;
        gsize len;
        LineEnd end = LINE_END_CRLF;
        LineReaderResult r = line_reader_next(srv->lr, &text, &len, &end);
        if (r == LINE_READER_TOO_LONG) {
            /* RFC 2449 section 4: commands are at most 255 octets. */
            pop3_server_bad(srv, "line too long");
        } else if (r == LINE_READER_LINE && end != LINE_END_CRLF) {
            pop3_server_report_cmd(srv, text, len);
            pop3_server_bad(srv, "command line must end with CRLF");
        } else if (r == LINE_READER_LINE) {
            pop3_server_dispatch(srv, text, len);
        } else if (srv->eof) {
            /* RFC 1939 section 6: no QUIT, no UPDATE. */
            pop3_server_close(srv);
        } else {
            return;
        }
    }
}

/* ---- answers ---- */

static void
pop3_server_answer_fail(Pop3Server *srv, const Pop3ServerAnswer *ans, const char *code,
                        const char *deftext)
{
    const char *c = code;
    if (ans->verdict == POP3_ANSWER_SYS_TEMP)
        c = "SYS/TEMP";
    else if (ans->verdict == POP3_ANSWER_SYS_PERM)
        c = "SYS/PERM";
    else if (ans->verdict == POP3_ANSWER_IN_USE)
        c = "IN-USE";
    pop3_server_reply(srv, FALSE, "[%s] %s", c, ans->text ? ans->text : deftext);
}

static void
pop3_server_ask_lock(Pop3Server *srv)
{
    Pop3ServerQuery *q = pop3_server_query(srv, POP3_QUERY_LOCK_MAILDROP);
    q->user = g_strdup(srv->user);
}

static void
pop3_server_answer_auth(Pop3Server *srv, Pop3QueryKind kind, const Pop3ServerAnswer *ans)
{
    gboolean ok = ans->verdict == POP3_ANSWER_OK;
    if (ok && kind == POP3_QUERY_AUTH_APOP && ans->secret != NULL) {
        /* RFC 1939 section 7: MD5(timestamp || secret), compared here. */
        char want[POP3_APOP_DIGEST_LEN + 1];
        pop3_reply_apop_digest(srv->timestamp, ans->secret, want);
        ok = CRYPTO_memcmp(want, srv->qdigest, POP3_APOP_DIGEST_LEN) == 0;
        OPENSSL_cleanse(want, sizeof want);
    }
    g_clear_pointer(&srv->qdigest, g_free);
    if (ok) {
        pop3_server_ask_lock(srv);
        return;
    }
    g_clear_pointer(&srv->user, g_free);
    Pop3ServerAnswer deny = *ans;
    if (deny.verdict == POP3_ANSWER_OK)
        deny.verdict = POP3_ANSWER_DENY;
    pop3_server_answer_fail(srv, &deny, "AUTH", "authentication failed");
    if (++srv->bad >= srv->max_bad || ans->close)
        pop3_server_close(srv);
}

static void
pop3_server_answer_lock(Pop3Server *srv, const Pop3ServerAnswer *ans)
{
    if (ans->verdict != POP3_ANSWER_OK) {
        /* RFC 1939 section 4: stay in AUTHORIZATION after -ERR. */
        g_clear_pointer(&srv->user, g_free);
        pop3_server_answer_fail(srv, ans, "IN-USE", "unable to lock maildrop");
        return;
    }
    g_array_set_size(srv->msgs, 0);
    for (guint i = 0; i < ans->n_msgs; i++) {
        Pop3ServerMsg m = {ans->msgs[i].size, g_strdup(ans->msgs[i].uid), FALSE};
        g_array_append_val(srv->msgs, m);
    }
    srv->auth_user = g_strdup(srv->user);
    guint count;
    guint64 octets;
    pop3_server_totals(srv, &count, &octets);
    pop3_server_enter_state(srv, POP3_SERVER_STATE_TRANSACTION);
    pop3_server_reply(srv, TRUE, "%s's maildrop has %u %s (%" G_GUINT64_FORMAT " octets)",
                      srv->auth_user, count, pop3_server_plural(count), octets);
}

static void
pop3_server_answer_message(Pop3Server *srv, const Pop3ServerAnswer *ans)
{
    if (ans->verdict != POP3_ANSWER_OK || ans->message == NULL) {
        pop3_server_answer_fail(srv, ans, "SYS/TEMP", "message unavailable");
        return;
    }
    const Pop3ServerMsg *m = &g_array_index(srv->msgs, Pop3ServerMsg, srv->qmsg - 1);
    g_autoptr(GString) s = g_string_new(NULL);
    if (srv->qtop < 0)
        g_string_append_printf(s, "+OK %" G_GSIZE_FORMAT " octets\r\n", m->size);
    else
        g_string_append(s, "+OK top of message follows\r\n");
    gsize len = 0;
    const guint8 *data = g_bytes_get_data(ans->message, &len);
    pop3_reply_append_stuffed(s, data, len, srv->qtop);
    srv->bad = 0;
    pop3_server_send_gstring(srv, s);
}

static void
pop3_server_answer_update(Pop3Server *srv, const Pop3ServerAnswer *ans)
{
    if (ans->verdict != POP3_ANSWER_OK) {
        /* RFC 1939 section 6: -ERR when some messages were not removed. */
        pop3_server_answer_fail(srv, ans, "SYS/TEMP", "some deleted messages not removed");
    } else {
        guint count;
        guint64 octets;
        pop3_server_totals(srv, &count, &octets);
        if (count == 0)
            pop3_server_reply(srv, TRUE, "%s POP3 server signing off (maildrop empty)",
                              srv->hostname);
        else
            pop3_server_reply(srv, TRUE, "%s POP3 server signing off (%u %s left)", srv->hostname,
                              count, pop3_server_plural(count));
    }
    pop3_server_close(srv);
}

void
pop3_server_answer(Pop3Server *srv, guint32 query_id, const Pop3ServerAnswer *ans)
{
    g_return_if_fail(srv != NULL && ans != NULL);
    g_return_if_fail(ans->verdict != POP3_ANSWER_NONE);
    if (srv->done || query_id != srv->qid || srv->qid == 0)
        return; /* stale: the session ended meanwhile */
    Pop3QueryKind kind = srv->qkind;
    srv->qid = 0;
    srv->qkind = POP3_QUERY_NONE;
    switch (kind) {
    case POP3_QUERY_AUTH_USERPASS:
    case POP3_QUERY_AUTH_APOP:
        pop3_server_answer_auth(srv, kind, ans);
        break;
    case POP3_QUERY_LOCK_MAILDROP:
        pop3_server_answer_lock(srv, ans);
        break;
    case POP3_QUERY_MESSAGE:
        pop3_server_answer_message(srv, ans);
        break;
    case POP3_QUERY_UPDATE:
        pop3_server_answer_update(srv, ans);
        break;
    case POP3_QUERY_NONE:
    default:
        g_assert_not_reached();
    }
}

/* ---- life cycle ---- */

Pop3Server *
pop3_server_new(const Pop3ServerConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL, NULL);
    Pop3Server *srv = g_new0(Pop3Server, 1);
    srv->hostname = g_strdup(cfg->hostname ? cfg->hostname : "localhost");
    srv->greeting = g_strdup(cfg->greeting ? cfg->greeting : "POP3 server ready");
    srv->timestamp = g_strdup(cfg->apop_timestamp);
    srv->implementation = g_strdup(cfg->implementation);
    srv->offer_stls = cfg->offer_stls;
    srv->is_secure = cfg->is_secure;
    srv->userpass_needs_tls = cfg->userpass_needs_tls;
    srv->max_bad = cfg->max_bad_commands ? cfg->max_bad_commands : POP3_SERVER_BAD_DEFAULT;
    srv->lr = line_reader_new(POP3_COMMAND_LINE_MAX);
    g_queue_init(&srv->acts);
    srv->msgs = g_array_new(FALSE, TRUE, sizeof(Pop3ServerMsg));
    g_array_set_clear_func(srv->msgs, pop3_server_msg_clear);
    srv->state = POP3_SERVER_STATE_AUTHORIZATION;
    if (srv->timestamp != NULL)
        pop3_server_reply(srv, TRUE, "%s %s", srv->greeting, srv->timestamp);
    else
        pop3_server_reply(srv, TRUE, "%s", srv->greeting);
    return srv;
}

void
pop3_server_act_clear(Pop3ServerAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->line, pop3_server_wipe_free);
    g_clear_pointer(&act->safe_line, g_free);
    g_clear_pointer(&act->query.user, g_free);
    g_clear_pointer(&act->query.password, pop3_server_wipe_free);
    g_clear_pointer(&act->query.digest, g_free);
    g_clear_pointer(&act->query.uid, g_free);
    g_clear_pointer(&act->query.deleted, g_array_unref);
    g_clear_pointer(&act->query.deleted_uids, g_ptr_array_unref);
    memset(act, 0, sizeof *act);
}

static void
pop3_server_act_free(gpointer p)
{
    pop3_server_act_clear(p);
    g_free(p);
}

void
pop3_server_free(Pop3Server *srv)
{
    if (srv == NULL)
        return;
    g_free(srv->hostname);
    g_free(srv->greeting);
    g_free(srv->timestamp);
    g_free(srv->implementation);
    line_reader_free(srv->lr);
    g_queue_clear_full(&srv->acts, pop3_server_act_free);
    g_free(srv->qdigest);
    g_free(srv->user);
    g_free(srv->auth_user);
    g_array_unref(srv->msgs);
    g_free(srv);
}

void
pop3_server_feed(Pop3Server *srv, const guint8 *buf, gsize len)
{
    g_return_if_fail(srv != NULL && (buf != NULL || len == 0));
    if (srv->done || srv->eof)
        return;
    if (srv->stls_pending) {
        /* RFC 2595 section 4: plaintext after STLS is never interpreted. */
        srv->discarded += len;
        return;
    }
    line_reader_feed(srv->lr, buf, len);
}

void
pop3_server_feed_eof(Pop3Server *srv)
{
    g_return_if_fail(srv != NULL);
    srv->eof = TRUE;
    /* Pending commands still run (a pipelined QUIT must commit). While a
     * switch to TLS is pending nothing more can come: close now. */
    if (srv->stls_pending)
        pop3_server_close(srv);
}

void
pop3_server_abort(Pop3Server *srv)
{
    g_return_if_fail(srv != NULL);
    pop3_server_close(srv);
}

void
pop3_server_timeout(Pop3Server *srv)
{
    g_return_if_fail(srv != NULL);
    if (srv->done)
        return;
    /* RFC 1939 section 3 lets the server close without a word; a line
     * first tells a real client why (Dovecot's wording), and the session
     * ends without entering UPDATE. Not while the peer is to start TLS:
     * it would read the line as a handshake. */
    if (!srv->stls_pending)
        pop3_server_reply(srv, FALSE, "Disconnected for inactivity");
    pop3_server_close(srv);
}

gboolean
pop3_server_poll(Pop3Server *srv, Pop3ServerAct *act)
{
    g_return_val_if_fail(srv != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    pop3_server_step(srv);
    Pop3ServerAct *a = g_queue_pop_head(&srv->acts);
    if (a == NULL)
        return FALSE;
    *act = *a;
    g_free(a);
    return TRUE;
}

void
pop3_server_stls_done(Pop3Server *srv)
{
    g_return_if_fail(srv != NULL && srv->stls_pending);
    srv->stls_pending = FALSE;
    srv->is_secure = TRUE;
    /* RFC 2595 section 4: forget what the client said before TLS. */
    g_clear_pointer(&srv->user, g_free);
    srv->discarded += line_reader_discard(srv->lr);
}

char *
pop3_server_act_to_string(const Pop3ServerAct *act)
{
    g_return_val_if_fail(act != NULL, NULL);
    switch (act->kind) {
    case POP3_SERVER_ACT_NONE:
        return g_strdup("NONE");
    case POP3_SERVER_ACT_SEND:
        return g_strdup_printf("SEND %" G_GSIZE_FORMAT " octets",
                               act->bytes ? g_bytes_get_size(act->bytes) : 0);
    case POP3_SERVER_ACT_CMD:
        return g_strdup_printf("CMD %s", act->safe_line);
    case POP3_SERVER_ACT_STATE:
        return g_strdup_printf("STATE %s", pop3_server_state_name(act->state));
    case POP3_SERVER_ACT_QUERY: {
        const Pop3ServerQuery *q = &act->query;
        GString *s = g_string_new("QUERY ");
        g_string_append(s, pop3_server_query_kind_name(q->kind));
        if (q->user)
            g_string_append_printf(s, " user=%s", q->user);
        if (q->password)
            g_string_append(s, " password=****");
        if (q->digest)
            g_string_append_printf(s, " digest=%s", q->digest);
        if (q->kind == POP3_QUERY_MESSAGE)
            g_string_append_printf(s, " msg=%u uid=%s top=%d", q->msg, q->uid ? q->uid : "-",
                                   q->top_lines);
        if (q->deleted) {
            g_string_append(s, " deleted=");
            for (guint i = 0; i < q->deleted->len; i++)
                g_string_append_printf(s, "%s%u:%s", i ? "," : "",
                                       g_array_index(q->deleted, guint, i),
                                       (char *)q->deleted_uids->pdata[i]);
        }
        return g_string_free(s, FALSE);
    }
    case POP3_SERVER_ACT_STLS:
        return g_strdup("STLS");
    case POP3_SERVER_ACT_CLOSE:
        return g_strdup("CLOSE");
    }
    g_assert_not_reached();
}

Pop3ServerState
pop3_server_get_state(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, POP3_SERVER_STATE_CLOSED);
    return srv->state;
}

const char *
pop3_server_get_user(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, NULL);
    return srv->auth_user;
}

gboolean
pop3_server_is_secure(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, FALSE);
    return srv->is_secure;
}

gsize
pop3_server_get_discarded(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, 0);
    return srv->discarded;
}

gboolean
pop3_server_is_done(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, TRUE);
    return srv->done;
}

gboolean
pop3_server_wants_input(const Pop3Server *srv)
{
    g_return_val_if_fail(srv != NULL, FALSE);
    return !srv->done && !srv->eof && !srv->stls_pending;
}
