/* SPDX-License-Identifier: MIT
 * smtp_server: the ESMTP server engine core: input buffering, the action
 * queue, query answers, end of data and STARTTLS layer switches (RFC 5321 3,
 * 4.1.1.4, 4.3.2; RFC 2920 pipelining; RFC 3207 4.2). Commands live in
 * smtp_server_cmds.c. Pipelined commands wait in the line reader while a
 * query is pending, so replies always come out in command order.
 */
#include "proto/smtp_server.h"

#include <string.h>

#include "proto/smtp_server_private.h"

static const char *const smtp_server_state_names[] = {
    [SMTP_SERVER_STATE_CONNECT] = "CONNECT", [SMTP_SERVER_STATE_REJECTED] = "REJECTED",
    [SMTP_SERVER_STATE_INIT] = "INIT",       [SMTP_SERVER_STATE_HELO] = "HELO",
    [SMTP_SERVER_STATE_MAIL] = "MAIL",       [SMTP_SERVER_STATE_RCPT] = "RCPT",
    [SMTP_SERVER_STATE_DATA] = "DATA",       [SMTP_SERVER_STATE_AUTH] = "AUTH",
    [SMTP_SERVER_STATE_TLS] = "TLS",         [SMTP_SERVER_STATE_CLOSED] = "CLOSED",
};

static const char *const smtp_server_query_names[] = {
    [SMTP_SERVER_QUERY_CONNECT] = "CONNECT", [SMTP_SERVER_QUERY_HELO] = "HELO",
    [SMTP_SERVER_QUERY_EHLO] = "EHLO",       [SMTP_SERVER_QUERY_MAIL] = "MAIL",
    [SMTP_SERVER_QUERY_RCPT] = "RCPT",       [SMTP_SERVER_QUERY_DATA] = "DATA",
    [SMTP_SERVER_QUERY_AUTH] = "AUTH",       [SMTP_SERVER_QUERY_AUTH_CONTINUE] = "AUTH_CONTINUE",
};

const char *
smtp_server_state_name(SmtpServerState st)
{
    return (guint)st < G_N_ELEMENTS(smtp_server_state_names) ? smtp_server_state_names[st] : "?";
}

const char *
smtp_server_query_kind_name(SmtpServerQueryKind k)
{
    if ((guint)k >= G_N_ELEMENTS(smtp_server_query_names) || smtp_server_query_names[k] == NULL)
        return "?";
    return smtp_server_query_names[k];
}

/* RFC 4954 4: AUTH lines may be longer than commands. */
static gsize
smtp_server_line_max(const SmtpServer *srv)
{
    return srv->state == SMTP_SERVER_STATE_AUTH ? SMTP_SERVER_AUTH_LINE_MAX
                                                : SMTP_SERVER_CMD_LINE_MAX;
}

void
smtp_server_enter_state(SmtpServer *srv, SmtpServerState st)
{
    if (srv->state == st)
        return;
    srv->state = st;
    line_reader_set_max(srv->lr, smtp_server_line_max(srv));
}

/* Sets srv up as a new engine for cfg. srv is zero but for the storage
 * a reused engine keeps: lr, dec, rcpts and the act queue, made here when
 * absent. */
static void
smtp_server_setup(SmtpServer *srv, const SmtpServerConfig *cfg)
{
    SmtpServerConfig zero = {0};
    if (cfg == NULL)
        cfg = &zero;
    /* The hostname and the 220 text ("hostname greeting") in one block. */
    const char *host = cfg->hostname ? cfg->hostname : "localhost";
    const char *greet = cfg->greeting ? cfg->greeting : "ESMTP mhs";
    gsize hl = strlen(host), gl = strlen(greet);
    char *names = g_malloc(2 * hl + gl + 3);
    memcpy(names, host, hl + 1);
    memcpy(names + hl + 1, host, hl);
    names[2 * hl + 1] = ' ';
    memcpy(names + 2 * hl + 2, greet, gl + 1);
    srv->hostname = names;
    srv->greeting = names + hl + 1;
    srv->auth_mechs = cfg->auth_mechs && cfg->auth_mechs[0] ? g_strdupv((char **)cfg->auth_mechs)
                                                             : NULL;
    srv->ext_on = (SMTP_EXT_PIPELINING | SMTP_EXT_SIZE | SMTP_EXT_8BITMIME |
                   SMTP_EXT_ENHANCEDSTATUSCODES) & ~cfg->ext_off;
    srv->starttls_offered = cfg->starttls_offered;
    srv->is_tls = cfg->tls_active;
    srv->auth_requires_tls = cfg->auth_requires_tls;
    srv->auth_required = cfg->auth_required;
    srv->tls_required = cfg->tls_required;
    srv->accept_source_routes = cfg->accept_source_routes;
    srv->dsn_offered = cfg->dsn_offered;
    srv->max_rcpts = cfg->max_rcpts ? cfg->max_rcpts : SMTP_SERVER_RCPT_MAX_DEFAULT;
    srv->max_size = cfg->max_size ? cfg->max_size : SMTP_SERVER_SIZE_MAX_DEFAULT;
    srv->max_errors = cfg->max_errors ? cfg->max_errors : SMTP_SERVER_ERRORS_MAX_DEFAULT;
    srv->data_end = cfg->data_end;
    /* One more than the limit: line_reader counts a trailing CR still waiting
     * for its LF as line content, which would make the verdict on a line of
     * exactly the limit depend on chunking; the exact check is in step(). */
    if (srv->lr == NULL)
        srv->lr = line_reader_new(SMTP_SERVER_CMD_LINE_MAX);
    if (srv->dec == NULL)
        srv->dec = smtp_data_decoder_new(cfg->data_end, (gsize)srv->max_size, cfg->max_line);
    else
        smtp_data_decoder_setup(srv->dec, cfg->data_end, (gsize)srv->max_size, cfg->max_line);
    if (srv->acts.item_size == 0)
        act_queue_init(&srv->acts, sizeof(SmtpServerAct));
    if (srv->rcpts == NULL)
        srv->rcpts = g_ptr_array_new_with_free_func(g_free);
    if (srv->dsn_offered) { /* RFC 3461 parameters are kept only when offered */
        srv->rcpt_notify = g_array_new(FALSE, FALSE, sizeof(guint));
        srv->rcpt_orcpt = g_ptr_array_new_with_free_func(g_free);
    }
    srv->next_id = 1;
    srv->state = SMTP_SERVER_STATE_CONNECT;
    smtp_server_query(srv, SMTP_SERVER_QUERY_CONNECT);
}

SmtpServer *
smtp_server_new(const SmtpServerConfig *cfg)
{
    SmtpServer *srv = g_new0(SmtpServer, 1);
    smtp_server_setup(srv, cfg);
    return srv;
}

/* Frees what srv owns; with keep, not the storage smtp_server_reuse() keeps
 * (lr, dec, rcpts, the act queue's array), which stays as it was. */
static void
smtp_server_clear(SmtpServer *srv, gboolean keep)
{
    g_free(srv->hostname); /* and the greeting, in its block */
    g_strfreev(srv->auth_mechs);
    act_queue_clear(&srv->acts, (GDestroyNotify)smtp_server_act_clear, !keep);
    if (!keep) {
        line_reader_free(srv->lr);
        smtp_data_decoder_free(srv->dec);
        g_ptr_array_unref(srv->rcpts);
        for (guint i = 0; i < SMTP_SERVER_FIXED_MAX; i++)
            g_clear_pointer(&srv->fixed[i].bytes, g_bytes_unref);
    }
    g_free(srv->helo_name);
    g_free(srv->mail_from);
    g_free(srv->pending_arg);
    g_clear_pointer(&srv->rcpt_notify, g_array_unref);
    g_clear_pointer(&srv->rcpt_orcpt, g_ptr_array_unref);
    g_free(srv->dsn_envid);
    g_free(srv->pending_envid);
    g_free(srv->pending_orcpt);
}

void
smtp_server_free(SmtpServer *srv)
{
    if (srv == NULL)
        return;
    smtp_server_clear(srv, FALSE);
    g_free(srv);
}

void
smtp_server_reuse(SmtpServer *srv, const SmtpServerConfig *cfg)
{
    g_return_if_fail(srv != NULL);
    smtp_server_clear(srv, TRUE);
    /* Everything else starts from zero, as in a new engine. */
    LineReader *lr = srv->lr;
    SmtpDataDecoder *dec = srv->dec;
    GPtrArray *rcpts = srv->rcpts;
    ActQueue acts = srv->acts;
    /* The fixed replies' bytes do not depend on the configuration. */
    SmtpServerFixed fixed[SMTP_SERVER_FIXED_MAX];
    memcpy(fixed, srv->fixed, sizeof fixed);
    memset(srv, 0, sizeof *srv);
    memcpy(srv->fixed, fixed, sizeof fixed);
    line_reader_discard(lr);
    line_reader_set_max(lr, SMTP_SERVER_CMD_LINE_MAX);
    g_ptr_array_set_size(rcpts, 0);
    srv->lr = lr;
    srv->dec = dec;
    srv->rcpts = rcpts;
    srv->acts = acts;
    smtp_server_setup(srv, cfg);
}

void
smtp_server_act_clear(SmtpServerAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->line, g_free);
    if (act->kind != SMTP_SERVER_ACT_QUERY) {
        /* The engine pushes every act zeroed and sets a query only in a
         * QUERY act: the query is zero already (most acts are SENDs). */
        act->kind = SMTP_SERVER_ACT_NONE;
        act->has_credentials = FALSE;
        act->discarded = 0;
        return;
    }
    /* Only queries own more; g_clear_pointer() skips the fields left NULL. */
    SmtpServerQuery *q = &act->query;
    g_clear_pointer(&q->name, g_free);
    g_clear_pointer(&q->path, g_free);
    q->addr = NULL; /* MAIL/RCPT: in q->path's block */
    if (q->parsed.local || q->parsed.domain || q->parsed.source_route)
        smtp_path_clear(&q->parsed);
    g_clear_pointer(&q->params, g_ptr_array_unref);
    g_clear_pointer(&q->auth_param, g_free);
    g_clear_pointer(&q->mech, g_free);
    g_clear_pointer(&q->auth_response, g_free);
    g_clear_pointer(&q->auth_data, g_bytes_unref);
    g_clear_pointer(&q->message, g_bytes_unref);
    g_clear_pointer(&q->mail_from, g_free);
    g_clear_pointer(&q->rcpts, g_strfreev);
    g_clear_pointer(&q->dsn_envid, g_free);
    g_clear_pointer(&q->dsn_orcpt, g_free);
    g_clear_pointer(&q->rcpt_notify, g_free);
    g_clear_pointer(&q->rcpt_orcpt, g_strfreev);
    memset(act, 0, sizeof *act);
}

SmtpServerAct *
smtp_server_push(SmtpServer *srv, SmtpServerActKind kind)
{
    SmtpServerAct *a = act_queue_push(&srv->acts);
    a->kind = kind;
    return a;
}

SmtpServerQuery *
smtp_server_query(SmtpServer *srv, SmtpServerQueryKind kind)
{
    g_assert(!srv->query_pending);
    SmtpServerAct *a = smtp_server_push(srv, SMTP_SERVER_ACT_QUERY);
    a->query.id = srv->next_id++;
    a->query.kind = kind;
    a->query.is_tls = srv->is_tls;
    a->query.is_authenticated = srv->is_authed;
    srv->query_pending = TRUE;
    srv->query_id = a->query.id;
    srv->query_kind = kind;
    return &a->query;
}

gboolean
smtp_server_has_ext(const SmtpServer *srv, SmtpExt ext)
{
    return (srv->ext_on & ext) != 0;
}

gboolean
smtp_server_auth_offered(const SmtpServer *srv)
{
    return srv->auth_mechs != NULL && (!srv->auth_requires_tls || srv->is_tls);
}

void
smtp_server_send_reply(SmtpServer *srv, const SmtpReply *r, gboolean with_enhanced)
{
    SmtpServerAct *a = smtp_server_push(srv, SMTP_SERVER_ACT_SEND);
    a->bytes = smtp_reply_format_bytes(
        r, with_enhanced && smtp_server_has_ext(srv, SMTP_EXT_ENHANCEDSTATUSCODES));
}

/* (transfer full) The bytes of the fixed wire text w, shared: w is a string
 * literal, so its address identifies it. */
static GBytes *
smtp_server_fixed_bytes(SmtpServer *srv, const char *w)
{
    for (guint i = 0; i < SMTP_SERVER_FIXED_MAX; i++) {
        if (srv->fixed[i].wire == w)
            return g_bytes_ref(srv->fixed[i].bytes);
        if (srv->fixed[i].wire == NULL) {
            srv->fixed[i].wire = w;
            srv->fixed[i].bytes = g_bytes_new_static(w, strlen(w));
            return g_bytes_ref(srv->fixed[i].bytes);
        }
    }
    return g_bytes_new_static(w, strlen(w)); /* the table is full: unshared */
}

void
smtp_server_reply_static(SmtpServer *srv, const char *wire_enhanced, const char *wire_plain)
{
    const char *w =
        smtp_server_has_ext(srv, SMTP_EXT_ENHANCEDSTATUSCODES) ? wire_enhanced : wire_plain;
    SmtpServerAct *a = smtp_server_push(srv, SMTP_SERVER_ACT_SEND);
    a->bytes = smtp_server_fixed_bytes(srv, w);
}

void
smtp_server_reply(SmtpServer *srv, guint code, const char *enhanced, const char *text)
{
    /* One line, no allocation of an SmtpReply: the common path. */
    gboolean enh = enhanced != NULL && enhanced[0] != '\0' &&
                   smtp_server_has_ext(srv, SMTP_EXT_ENHANCEDSTATUSCODES);
    g_assert(code >= 100 && code <= 999);
    gsize elen = enh ? strlen(enhanced) : 0, tlen = strlen(text);
    gsize n = 4 + elen + (enh && tlen ? 1 : 0) + tlen + 2;
    char *s = g_malloc(n + 1), *p = s;
    *p++ = (char)('0' + code / 100);
    *p++ = (char)('0' + code / 10 % 10);
    *p++ = (char)('0' + code % 10);
    *p++ = ' ';
    if (enh) {
        memcpy(p, enhanced, elen);
        p += elen;
        if (tlen)
            *p++ = ' ';
    }
    memcpy(p, text, tlen);
    p += tlen;
    memcpy(p, "\r\n", 3);
    SmtpServerAct *a = smtp_server_push(srv, SMTP_SERVER_ACT_SEND);
    a->bytes = g_bytes_new_take(s, n);
}

void
smtp_server_close(SmtpServer *srv)
{
    if (srv->state == SMTP_SERVER_STATE_CLOSED)
        return;
    smtp_server_enter_state(srv, SMTP_SERVER_STATE_CLOSED);
    srv->query_pending = FALSE;
    line_reader_discard(srv->lr);
    smtp_server_push(srv, SMTP_SERVER_ACT_CLOSE);
}

void
smtp_server_reset_txn(SmtpServer *srv)
{
    g_clear_pointer(&srv->mail_from, g_free);
    g_clear_pointer(&srv->pending_arg, g_free);
    g_ptr_array_set_size(srv->rcpts, 0);
    srv->rcpt_attempts = 0;
    srv->dsn_ret = SMTP_DSN_RET_NONE;
    g_clear_pointer(&srv->dsn_envid, g_free);
    if (srv->dsn_offered) {
        g_array_set_size(srv->rcpt_notify, 0);
        g_ptr_array_set_size(srv->rcpt_orcpt, 0);
    }
}

/* End of data: one final reply, always (smuggling: never two). */
static void
smtp_server_data_end(SmtpServer *srv)
{
    SmtpDataFault faults = smtp_data_decoder_faults(srv->dec);
    if (faults != SMTP_DATA_FAULT_NONE) {
        const char *enh, *text;
        guint code = smtp_data_fault_reply(faults, &enh, &text);
        g_bytes_unref(smtp_data_decoder_steal(srv->dec));
        smtp_server_reset_txn(srv);
        smtp_server_enter_state(srv, SMTP_SERVER_STATE_HELO);
        smtp_server_reply(srv, code, enh, text);
        return;
    }
    SmtpServerQuery *q = smtp_server_query(srv, SMTP_SERVER_QUERY_DATA);
    q->message = smtp_data_decoder_steal(srv->dec);
    /* The transaction ends with the answer (RFC 5321 4.1.1.4): its envelope
     * moves into the query instead of being copied. */
    q->mail_from = g_steal_pointer(&srv->mail_from);
    g_ptr_array_add(srv->rcpts, NULL);
    q->rcpts = (GStrv)g_ptr_array_steal(srv->rcpts, NULL);
    q->dsn_ret = srv->dsn_ret;
    q->dsn_envid = g_steal_pointer(&srv->dsn_envid);
    if (srv->dsn_offered) {
        q->rcpt_notify = (guint *)g_array_steal(srv->rcpt_notify, NULL);
        g_ptr_array_add(srv->rcpt_orcpt, NULL);
        q->rcpt_orcpt = (GStrv)g_ptr_array_steal(srv->rcpt_orcpt, NULL);
    }
}

/* Feeds message content to the decoder; the rest goes back to the line reader. */
static void
smtp_server_feed_data(SmtpServer *srv, const guint8 *buf, gsize len)
{
    gboolean done = FALSE;
    gsize used = smtp_data_decoder_feed(srv->dec, buf, len, &done);
    if (!done)
        return;
    if (used < len)
        line_reader_feed(srv->lr, buf + used, len - used);
    smtp_server_data_end(srv);
}

void
smtp_server_feed(SmtpServer *srv, const guint8 *buf, gsize len)
{
    g_return_if_fail(srv != NULL && (buf != NULL || len == 0));
    if (srv->state == SMTP_SERVER_STATE_CLOSED || len == 0)
        return;
    if (srv->state == SMTP_SERVER_STATE_TLS) {
        /* RFC 3207 4.2: plaintext after STARTTLS is never interpreted. */
        srv->tls_late_discard += len;
        return;
    }
    if (srv->state == SMTP_SERVER_STATE_DATA && !srv->query_pending &&
        line_reader_pending(srv->lr) == 0) {
        smtp_server_feed_data(srv, buf, len);
        return;
    }
    line_reader_feed(srv->lr, buf, len);
}

void
smtp_server_feed_eof(SmtpServer *srv)
{
    g_return_if_fail(srv != NULL);
    smtp_server_close(srv);
}

static void
smtp_server_cmd_action(SmtpServer *srv, const char *line, gsize len)
{
    if (srv->cmds_off)
        return;
    SmtpServerAct *a = smtp_server_push(srv, SMTP_SERVER_ACT_CMD);
    a->line = g_strndup(line, len);
    /* RFC 4954 4: an AUTH command or a line of the exchange may carry
     * credentials; say so, so that logs can leave them out. */
    a->has_credentials = srv->state == SMTP_SERVER_STATE_AUTH ||
                         (len > 5 && g_ascii_strncasecmp(line, "AUTH ", 5) == 0 &&
                          memchr(line + 5, ' ', len - 5) != NULL);
}

/* Processes one unit of buffered input; FALSE when nothing can be done. */
static gboolean
smtp_server_step(SmtpServer *srv)
{
    if (srv->query_pending)
        return FALSE;
    switch (srv->state) {
    case SMTP_SERVER_STATE_CONNECT:
    case SMTP_SERVER_STATE_TLS:
    case SMTP_SERVER_STATE_CLOSED:
        return FALSE;
    case SMTP_SERVER_STATE_DATA: {
        if (line_reader_pending(srv->lr) == 0)
            return FALSE;
        g_autoptr(GBytes) raw = line_reader_take_raw(srv->lr);
        gsize n = 0;
        const guint8 *p = g_bytes_get_data(raw, &n);
        smtp_server_feed_data(srv, p, n);
        return TRUE;
    }
    default:
        break;
    }
    const char *text = NULL;
    gsize len = 0;
    LineEnd end = LINE_END_CRLF;
    LineReaderResult r = line_reader_next(srv->lr, &text, &len, &end);
    if (r == LINE_READER_NONE)
        return FALSE;
    if (r == LINE_READER_TOO_LONG) {
        /* RFC 5321 4.5.3.1.4 and 4.2.2 (500 line too long); RFC 4954 4 for AUTH. */
        if (srv->state == SMTP_SERVER_STATE_AUTH)
            smtp_server_enter_state(srv, srv->helo_name ? SMTP_SERVER_STATE_HELO
                                                        : SMTP_SERVER_STATE_INIT);
        smtp_server_cmd_action(srv, "(line too long)", 15);
        if (!smtp_server_count_error(srv))
            smtp_server_reply(srv, 500, "5.5.6", "Error: line too long");
        return TRUE;
    }
    smtp_server_cmd_action(srv, text, len);
    /* RFC 5321 2.3.8 / 4.1.1.4: only CRLF ends a command line (Postfix
     * smtpd_forbid_bare_newline); lenient modes accept a bare LF. */
    gboolean lf_ok = srv->data_end != SMTP_DATA_END_STRICT;
    if (end == LINE_END_CR || (end == LINE_END_LF && !lf_ok)) {
        if (!smtp_server_count_error(srv))
            smtp_server_reply(srv, 500, "5.5.2",
                              end == LINE_END_LF ? "Error: bare <LF> received"
                                                 : "Error: bare <CR> received");
        return TRUE;
    }
    if (srv->state == SMTP_SERVER_STATE_AUTH)
        smtp_server_auth_line(srv, text, len);
    else
        smtp_server_dispatch(srv, text, len);
    return TRUE;
}

gboolean
smtp_server_poll(SmtpServer *srv, SmtpServerAct *act)
{
    g_return_val_if_fail(srv != NULL && act != NULL, FALSE);
    /* Zeroed only when there is nothing: a popped action overwrites it whole. */
    while (act_queue_is_empty(&srv->acts)) {
        if (!smtp_server_step(srv)) {
            memset(act, 0, sizeof *act);
            return FALSE;
        }
    }
    act_queue_pop(&srv->acts, act);
    return TRUE;
}

gsize
smtp_server_starttls_done(SmtpServer *srv)
{
    g_return_val_if_fail(srv != NULL, 0);
    g_return_val_if_fail(srv->state == SMTP_SERVER_STATE_TLS, 0);
    gsize late = srv->tls_late_discard + line_reader_discard(srv->lr);
    srv->tls_late_discard = 0;
    /* RFC 3207 4.2: the protocol is reset to the initial state; forget the
     * EHLO argument and anything else learnt before TLS. */
    srv->is_tls = TRUE;
    srv->is_esmtp = FALSE;
    srv->is_authed = FALSE;
    g_clear_pointer(&srv->helo_name, g_free);
    smtp_server_reset_txn(srv);
    smtp_server_enter_state(srv, SMTP_SERVER_STATE_INIT);
    return late;
}

void
smtp_server_abort(SmtpServer *srv)
{
    g_return_if_fail(srv != NULL);
    if (srv->state == SMTP_SERVER_STATE_CLOSED)
        return;
    g_autofree char *text = g_strdup_printf("%s Error: timeout exceeded", srv->hostname);
    smtp_server_reply(srv, 421, "4.4.2", text);
    smtp_server_close(srv);
}

void
smtp_server_set_cmd_actions(SmtpServer *srv, gboolean on)
{
    g_return_if_fail(srv != NULL);
    srv->cmds_off = !on;
}

gboolean
smtp_server_is_done(const SmtpServer *srv)
{
    g_return_val_if_fail(srv != NULL, TRUE);
    return srv->state == SMTP_SERVER_STATE_CLOSED && act_queue_is_empty(&srv->acts);
}

gboolean
smtp_server_is_tls(const SmtpServer *srv)
{
    g_return_val_if_fail(srv != NULL, FALSE);
    return srv->is_tls;
}

gboolean
smtp_server_is_authenticated(const SmtpServer *srv)
{
    g_return_val_if_fail(srv != NULL, FALSE);
    return srv->is_authed;
}

SmtpServerState
smtp_server_get_state(const SmtpServer *srv)
{
    g_return_val_if_fail(srv != NULL, SMTP_SERVER_STATE_CLOSED);
    return srv->state;
}

static void
smtp_server_query_describe(const SmtpServerQuery *q, GString *s)
{
    g_string_append_printf(s, "QUERY %s", smtp_server_query_kind_name(q->kind));
    switch (q->kind) {
    case SMTP_SERVER_QUERY_HELO:
    case SMTP_SERVER_QUERY_EHLO:
        g_string_append_printf(s, " %s", q->name);
        break;
    case SMTP_SERVER_QUERY_MAIL:
    case SMTP_SERVER_QUERY_RCPT:
        g_string_append_printf(s, " %s", q->path);
        for (guint i = 0; q->params && i < q->params->len; i++) {
            const SmtpParam *p = g_ptr_array_index(q->params, i);
            g_string_append_printf(s, " %s%s%s", p->keyword, p->value ? "=" : "",
                                   p->value ? p->value : "");
        }
        break;
    case SMTP_SERVER_QUERY_DATA: {
        gsize n = 0;
        const char *m = g_bytes_get_data(q->message, &n);
        g_string_append_printf(s, " from=<%s> to=", q->mail_from);
        for (guint i = 0; q->rcpts && q->rcpts[i]; i++)
            g_string_append_printf(s, "%s<%s>", i ? "," : "", q->rcpts[i]);
        if (q->dsn_ret != SMTP_DSN_RET_NONE)
            g_string_append_printf(s, " ret=%s", smtp_dsn_ret_name(q->dsn_ret));
        if (q->dsn_envid)
            g_string_append_printf(s, " envid=%s", q->dsn_envid);
        gboolean any = FALSE;
        for (guint i = 0; q->rcpt_notify && q->rcpts[i]; i++)
            any |= q->rcpt_notify[i] != 0 || q->rcpt_orcpt[i][0] != '\0';
        for (guint i = 0; any && q->rcpts[i]; i++) {
            g_autofree char *nt = smtp_dsn_notify_format(q->rcpt_notify[i]);
            g_string_append_printf(s, "%s%s/%s", i ? "|" : " dsn=", nt, q->rcpt_orcpt[i]);
        }
        g_string_append_printf(s, " size=%" G_GSIZE_FORMAT, n);
        if (n <= 64) { /* short messages only: transcripts, traces */
            g_autofree char *raw = g_strndup(m ? m : "", n);
            g_autofree char *esc = g_strescape(raw, NULL);
            g_string_append_printf(s, " msg=\"%s\"", esc);
        }
        break;
    }
    case SMTP_SERVER_QUERY_AUTH:
        g_string_append_printf(s, " %s", q->mech);
        if (q->auth_response)
            g_string_append_printf(s, " %s", q->auth_response);
        break;
    case SMTP_SERVER_QUERY_AUTH_CONTINUE:
        g_string_append_printf(s, " %s", q->auth_response);
        break;
    default:
        break;
    }
}

char *
smtp_server_act_to_string(const SmtpServerAct *act)
{
    g_return_val_if_fail(act != NULL, NULL);
    GString *s = g_string_new(NULL);
    switch (act->kind) {
    case SMTP_SERVER_ACT_SEND: {
        gsize n = 0;
        const char *p = g_bytes_get_data(act->bytes, &n);
        g_autofree char *raw = g_strndup(p ? p : "", n);
        g_autofree char *esc = g_strescape(raw, NULL);
        g_string_append_printf(s, "SEND %s", esc);
        break;
    }
    case SMTP_SERVER_ACT_CMD: {
        g_autofree char *esc = g_strescape(act->line, NULL);
        g_string_append_printf(s, "CMD %s", esc);
        break;
    }
    case SMTP_SERVER_ACT_QUERY:
        smtp_server_query_describe(&act->query, s);
        break;
    case SMTP_SERVER_ACT_STARTTLS:
        g_string_append_printf(s, "STARTTLS discarded=%" G_GSIZE_FORMAT, act->discarded);
        break;
    case SMTP_SERVER_ACT_CLOSE:
        g_string_append(s, "CLOSE");
        break;
    default:
        g_string_append(s, "NONE");
        break;
    }
    return g_string_free(s, FALSE);
}
