/* SPDX-License-Identifier: MIT
 * pop3_client: a POP3 client state machine that fetches a maildrop.
 * RFC 1939 sections 3-7 (APOP or USER/PASS, UIDL with LIST as fallback,
 * RETR, DELE, QUIT), RFC 2449 (CAPA, 512-octet response lines), RFC 2595
 * section 4 (STLS seam). One command in flight at a time; no TOP.
 */
#include "proto/pop3_client.h"

#include <string.h>

#include <openssl/crypto.h>

#include "proto/line_reader.h"
#include "proto/pop3_reply.h"

typedef enum {
    POP3_CLIENT_STEP_NONE = 0,
    POP3_CLIENT_STEP_APOP,
    POP3_CLIENT_STEP_USER,
    POP3_CLIENT_STEP_PASS,
    POP3_CLIENT_STEP_UIDL,
    POP3_CLIENT_STEP_LIST,
    POP3_CLIENT_STEP_RETR,
    POP3_CLIENT_STEP_DELE,
} Pop3ClientStep;

typedef struct {
    guint num;
    char *uid;
} Pop3ClientMsg;

struct Pop3Client {
    char *user, *password;
    gboolean use_apop, keep, want_stls, require_stls;
    GHashTable *seen; /* uid set (keep) */
    LineReader *lr;
    GQueue acts;
    Pop3ClientState state;
    Pop3ClientStep step;
    gboolean multiline; /* reading the data lines of a multi-line response */
    gboolean is_secure, eof, done, stls_offered;
    gsize discarded;
    char *timestamp;  /* APOP timestamp from the greeting */
    GArray *list;     /* Pop3ClientMsg from UIDL or LIST */
    guint cur;        /* index in list being fetched */
    GByteArray *body; /* message being retrieved */
    guint retrieved, deleted_pending;
    char *failure; /* reason, once the session failed */
};

static const char *const pop3_client_state_names[] = {
    [POP3_CLIENT_STATE_GREETING] = "GREETING", [POP3_CLIENT_STATE_CAPA] = "CAPA",
    [POP3_CLIENT_STATE_STLS] = "STLS",         [POP3_CLIENT_STATE_TLS_WAIT] = "TLS_WAIT",
    [POP3_CLIENT_STATE_AUTH] = "AUTH",         [POP3_CLIENT_STATE_LIST] = "LIST",
    [POP3_CLIENT_STATE_FETCH] = "FETCH",       [POP3_CLIENT_STATE_QUIT] = "QUIT",
    [POP3_CLIENT_STATE_DONE] = "DONE",
};

const char *
pop3_client_state_name(Pop3ClientState st)
{
    g_return_val_if_fail(st <= POP3_CLIENT_STATE_DONE, "?");
    return pop3_client_state_names[st];
}

static void
pop3_client_msg_clear(gpointer p)
{
    g_free(((Pop3ClientMsg *)p)->uid);
}

static void
pop3_client_wipe_free(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    g_free(s);
}

static Pop3ClientAct *
pop3_client_push(Pop3Client *cli, Pop3ClientActKind kind)
{
    Pop3ClientAct *a = g_new0(Pop3ClientAct, 1);
    a->kind = kind;
    g_queue_push_tail(&cli->acts, a);
    return a;
}

static void pop3_client_send(Pop3Client *cli, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
pop3_client_send(Pop3Client *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    gsize n = strlen(line);
    char *wire = g_malloc(n + 2);
    memcpy(wire, line, n);
    memcpy(wire + n, "\r\n", 2);
    pop3_client_wipe_free(line);
    pop3_client_push(cli, POP3_CLIENT_ACT_SEND)->bytes = g_bytes_new_take(wire, n + 2);
}

/* All transitions go through here (STYLE 8). */
static void
pop3_client_enter_state(Pop3Client *cli, Pop3ClientState st)
{
    cli->state = st;
    cli->multiline = FALSE;
}

/* reason (transfer full, nullable): the failure text; NULL uses the one
 * recorded by pop3_client_fail(). */
static void
pop3_client_finish(Pop3Client *cli, gboolean ok, char *reason)
{
    if (cli->done) {
        g_free(reason);
        return;
    }
    cli->done = TRUE;
    Pop3ClientAct *a = pop3_client_push(cli, POP3_CLIENT_ACT_DONE);
    a->ok = ok;
    if (ok)
        g_free(reason);
    else
        a->text = reason ? reason : g_strdup(cli->failure ? cli->failure : "failed");
    a->retrieved = cli->retrieved;
    a->deleted = ok ? cli->deleted_pending : 0;
    pop3_client_push(cli, POP3_CLIENT_ACT_CLOSE);
    pop3_client_enter_state(cli, POP3_CLIENT_STATE_DONE);
}

/* A failure after the greeting: say QUIT politely, report at its reply.
 * Messages marked for deletion stay (RFC 1939 section 6: only a QUIT with
 * +OK commits, and we count deletions only then). */
static void
pop3_client_fail(Pop3Client *cli, const char *reason, const char *text)
{
    if (cli->failure == NULL)
        cli->failure = text ? g_strdup_printf("%s: %s", reason, text) : g_strdup(reason);
    pop3_client_send(cli, "QUIT");
    pop3_client_enter_state(cli, POP3_CLIENT_STATE_QUIT);
}

static void
pop3_client_start_auth(Pop3Client *cli)
{
    pop3_client_enter_state(cli, POP3_CLIENT_STATE_AUTH);
    if (cli->use_apop && cli->timestamp != NULL) {
        /* RFC 1939 section 7. */
        char digest[POP3_APOP_DIGEST_LEN + 1];
        pop3_reply_apop_digest(cli->timestamp, cli->password, digest);
        pop3_client_send(cli, "APOP %s %s", cli->user, digest);
        OPENSSL_cleanse(digest, sizeof digest);
        cli->step = POP3_CLIENT_STEP_APOP;
    } else {
        pop3_client_send(cli, "USER %s", cli->user);
        cli->step = POP3_CLIENT_STEP_USER;
    }
}

static void
pop3_client_next_fetch(Pop3Client *cli)
{
    pop3_client_enter_state(cli, POP3_CLIENT_STATE_FETCH);
    while (cli->cur < cli->list->len) {
        Pop3ClientMsg *m = &g_array_index(cli->list, Pop3ClientMsg, cli->cur);
        if (cli->keep && m->uid != NULL && g_hash_table_contains(cli->seen, m->uid)) {
            cli->cur++;
            continue;
        }
        pop3_client_send(cli, "RETR %u", m->num);
        cli->step = POP3_CLIENT_STEP_RETR;
        return;
    }
    pop3_client_send(cli, "QUIT");
    pop3_client_enter_state(cli, POP3_CLIENT_STATE_QUIT);
}

/* ---- status lines ---- */

static void
pop3_client_on_greeting(Pop3Client *cli, gboolean ok, const char *text)
{
    if (!ok) {
        pop3_client_finish(cli, FALSE, g_strdup_printf("greeting refused: %s", text));
        return;
    }
    cli->timestamp = pop3_reply_find_timestamp(text);
    if (cli->want_stls && !cli->is_secure) {
        pop3_client_send(cli, "CAPA");
        pop3_client_enter_state(cli, POP3_CLIENT_STATE_CAPA);
        return;
    }
    pop3_client_start_auth(cli);
}

static void
pop3_client_after_capa(Pop3Client *cli)
{
    if (cli->want_stls && !cli->is_secure) {
        if (cli->stls_offered) {
            pop3_client_send(cli, "STLS");
            pop3_client_enter_state(cli, POP3_CLIENT_STATE_STLS);
            return;
        }
        if (cli->require_stls) {
            pop3_client_fail(cli, "STLS not offered", NULL);
            return;
        }
    }
    pop3_client_start_auth(cli);
}

static void
pop3_client_on_auth(Pop3Client *cli, gboolean ok, const char *text)
{
    if (!ok) {
        pop3_client_fail(cli, "authentication failed", text);
        return;
    }
    if (cli->step == POP3_CLIENT_STEP_USER) {
        pop3_client_send(cli, "PASS %s", cli->password);
        cli->step = POP3_CLIENT_STEP_PASS;
        return;
    }
    /* TRANSACTION: list the maildrop, UIDL first (RFC 1939 section 7). */
    pop3_client_send(cli, "UIDL");
    pop3_client_enter_state(cli, POP3_CLIENT_STATE_LIST);
    cli->step = POP3_CLIENT_STEP_UIDL;
}

static void
pop3_client_on_status(Pop3Client *cli, gboolean ok, const char *text)
{
    switch (cli->state) {
    case POP3_CLIENT_STATE_GREETING:
        pop3_client_on_greeting(cli, ok, text);
        break;
    case POP3_CLIENT_STATE_CAPA:
        /* RFC 2449 section 5: -ERR means no CAPA: assume no capability. */
        if (ok)
            cli->multiline = TRUE;
        else
            pop3_client_after_capa(cli);
        break;
    case POP3_CLIENT_STATE_STLS:
        if (ok) {
            /* RFC 2595 section 4: nothing read after +OK and before the
             * handshake may be used. */
            cli->discarded += line_reader_discard(cli->lr);
            pop3_client_enter_state(cli, POP3_CLIENT_STATE_TLS_WAIT);
            pop3_client_push(cli, POP3_CLIENT_ACT_STLS);
        } else if (cli->require_stls) {
            pop3_client_fail(cli, "STLS refused", text);
        } else {
            pop3_client_start_auth(cli);
        }
        break;
    case POP3_CLIENT_STATE_AUTH:
        pop3_client_on_auth(cli, ok, text);
        break;
    case POP3_CLIENT_STATE_LIST:
        if (ok) {
            cli->multiline = TRUE;
        } else if (cli->step == POP3_CLIENT_STEP_UIDL) {
            pop3_client_send(cli, "LIST"); /* UIDL is optional */
            cli->step = POP3_CLIENT_STEP_LIST;
        } else {
            pop3_client_fail(cli, "LIST failed", text);
        }
        break;
    case POP3_CLIENT_STATE_FETCH:
        if (cli->step == POP3_CLIENT_STEP_RETR && ok) {
            cli->multiline = TRUE;
            g_byte_array_set_size(cli->body, 0);
        } else if (cli->step == POP3_CLIENT_STEP_RETR) {
            pop3_client_fail(cli, "RETR failed", text);
        } else if (!ok) {
            pop3_client_fail(cli, "DELE failed", text);
        } else {
            cli->deleted_pending++;
            cli->cur++;
            pop3_client_next_fetch(cli);
        }
        break;
    case POP3_CLIENT_STATE_QUIT:
        if (cli->failure != NULL)
            pop3_client_finish(cli, FALSE, NULL);
        else if (!ok)
            pop3_client_finish(cli, FALSE, g_strdup_printf("QUIT failed: %s", text));
        else
            pop3_client_finish(cli, TRUE, NULL);
        break;
    case POP3_CLIENT_STATE_TLS_WAIT:
    case POP3_CLIENT_STATE_DONE:
    default:
        g_assert_not_reached();
    }
}

/* ---- data lines of multi-line responses ---- */

static void
pop3_client_on_list_line(Pop3Client *cli, const char *line)
{
    /* "n uid" (UIDL) or "n size" (LIST), RFC 1939 section 7 and 5. */
    char *end = NULL;
    guint64 n = g_ascii_strtoull(line, &end, 10);
    if (end == line || *end != ' ' || n == 0 || n > G_MAXUINT)
        return; /* XXX: a malformed line is skipped, not fatal */
    Pop3ClientMsg m = {(guint)n, NULL};
    if (cli->step == POP3_CLIENT_STEP_UIDL)
        m.uid = g_strdup(end + 1);
    g_array_append_val(cli->list, m);
}

static void
pop3_client_on_data_end(Pop3Client *cli)
{
    cli->multiline = FALSE;
    if (cli->state == POP3_CLIENT_STATE_CAPA) {
        pop3_client_after_capa(cli);
    } else if (cli->state == POP3_CLIENT_STATE_LIST) {
        cli->cur = 0;
        pop3_client_next_fetch(cli);
    } else {
        Pop3ClientMsg *m = &g_array_index(cli->list, Pop3ClientMsg, cli->cur);
        Pop3ClientAct *a = pop3_client_push(cli, POP3_CLIENT_ACT_MESSAGE);
        a->msg = m->num;
        a->uid = g_strdup(m->uid);
        a->bytes = g_bytes_new(cli->body->data, cli->body->len);
        cli->retrieved++;
        if (cli->keep) {
            cli->cur++;
            pop3_client_next_fetch(cli);
        } else {
            pop3_client_send(cli, "DELE %u", m->num);
            cli->step = POP3_CLIENT_STEP_DELE;
        }
    }
}

static void
pop3_client_on_data(Pop3Client *cli, const char *line, gsize len)
{
    const char *data;
    gsize dlen;
    if (!pop3_reply_unstuff_line(line, len, &data, &dlen)) {
        pop3_client_on_data_end(cli);
        return;
    }
    if (cli->state == POP3_CLIENT_STATE_CAPA) {
        /* RFC 2449 section 6.8 (STLS is RFC 2595 section 4). */
        if (g_ascii_strcasecmp(data, "STLS") == 0)
            cli->stls_offered = TRUE;
    } else if (cli->state == POP3_CLIENT_STATE_LIST) {
        pop3_client_on_list_line(cli, data);
    } else {
        g_byte_array_append(cli->body, (const guint8 *)data, (guint)dlen);
        g_byte_array_append(cli->body, (const guint8 *)"\r\n", 2);
    }
}

static void
pop3_client_on_line(Pop3Client *cli, const char *line, gsize len)
{
    if (cli->multiline) {
        pop3_client_on_data(cli, line, len);
        return;
    }
    gboolean ok;
    const char *text;
    if (!pop3_reply_parse_status(line, len, &ok, &text)) {
        g_autofree char *shown = g_strndup(line, MIN(len, 80));
        pop3_client_finish(cli, FALSE, g_strdup_printf("bad status line: %s", shown));
        return;
    }
    Pop3ClientAct *a = pop3_client_push(cli, POP3_CLIENT_ACT_REPLY);
    a->ok = ok;
    a->text = g_strndup(line, len);
    g_autofree char *t = g_strdup(text);
    pop3_client_on_status(cli, ok, t);
}

static void
pop3_client_step(Pop3Client *cli)
{
    while (g_queue_is_empty(&cli->acts) && !cli->done && cli->state != POP3_CLIENT_STATE_TLS_WAIT) {
        /* RFC 2449 section 4: status lines are at most 512 octets. */
        line_reader_set_max(cli->lr, cli->multiline ? POP3_DATA_LINE_MAX : POP3_RESPONSE_LINE_MAX);
        const char *text;
        gsize len;
        LineReaderResult r = line_reader_next(cli->lr, &text, &len, NULL);
        if (r == LINE_READER_LINE)
            pop3_client_on_line(cli, text, len);
        else if (r == LINE_READER_TOO_LONG)
            pop3_client_finish(cli, FALSE, g_strdup("response line too long"));
        else if (cli->eof)
            pop3_client_finish(cli, FALSE,
                               cli->failure ? NULL : g_strdup("connection closed by server"));
        else
            return;
    }
}

/* ---- public ---- */

Pop3Client *
pop3_client_new(const Pop3ClientConfig *cfg)
{
    g_return_val_if_fail(cfg != NULL && cfg->user != NULL && cfg->password != NULL, NULL);
    Pop3Client *cli = g_new0(Pop3Client, 1);
    cli->user = g_strdup(cfg->user);
    cli->password = g_strdup(cfg->password);
    cli->use_apop = cfg->use_apop;
    cli->keep = cfg->keep;
    cli->want_stls = cfg->want_stls || cfg->require_stls;
    cli->require_stls = cfg->require_stls;
    cli->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; cfg->seen_uids != NULL && cfg->seen_uids[i] != NULL; i++)
        g_hash_table_add(cli->seen, g_strdup(cfg->seen_uids[i]));
    cli->lr = line_reader_new(POP3_RESPONSE_LINE_MAX);
    g_queue_init(&cli->acts);
    cli->list = g_array_new(FALSE, TRUE, sizeof(Pop3ClientMsg));
    g_array_set_clear_func(cli->list, pop3_client_msg_clear);
    cli->body = g_byte_array_new();
    cli->state = POP3_CLIENT_STATE_GREETING;
    return cli;
}

void
pop3_client_act_clear(Pop3ClientAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->bytes, g_bytes_unref);
    g_clear_pointer(&act->text, g_free);
    g_clear_pointer(&act->uid, g_free);
    memset(act, 0, sizeof *act);
}

static void
pop3_client_act_free(gpointer p)
{
    pop3_client_act_clear(p);
    g_free(p);
}

void
pop3_client_free(Pop3Client *cli)
{
    if (cli == NULL)
        return;
    g_free(cli->user);
    pop3_client_wipe_free(cli->password);
    g_hash_table_unref(cli->seen);
    line_reader_free(cli->lr);
    g_queue_clear_full(&cli->acts, pop3_client_act_free);
    g_free(cli->timestamp);
    g_array_unref(cli->list);
    g_byte_array_unref(cli->body);
    g_free(cli->failure);
    g_free(cli);
}

void
pop3_client_feed(Pop3Client *cli, const guint8 *buf, gsize len)
{
    g_return_if_fail(cli != NULL && (buf != NULL || len == 0));
    if (cli->done || cli->eof)
        return;
    if (cli->state == POP3_CLIENT_STATE_TLS_WAIT) {
        /* RFC 2595 section 4: plaintext after "+OK" to STLS is dropped. */
        cli->discarded += len;
        return;
    }
    line_reader_feed(cli->lr, buf, len);
}

void
pop3_client_feed_eof(Pop3Client *cli)
{
    g_return_if_fail(cli != NULL);
    cli->eof = TRUE;
    if (cli->state == POP3_CLIENT_STATE_TLS_WAIT)
        pop3_client_finish(cli, FALSE, g_strdup("connection closed by server"));
}

void
pop3_client_abort(Pop3Client *cli, const char *reason)
{
    g_return_if_fail(cli != NULL);
    pop3_client_finish(cli, FALSE, g_strdup(reason ? reason : "aborted"));
}

gboolean
pop3_client_poll(Pop3Client *cli, Pop3ClientAct *act)
{
    g_return_val_if_fail(cli != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    pop3_client_step(cli);
    Pop3ClientAct *a = g_queue_pop_head(&cli->acts);
    if (a == NULL)
        return FALSE;
    *act = *a;
    g_free(a);
    return TRUE;
}

void
pop3_client_stls_done(Pop3Client *cli)
{
    g_return_if_fail(cli != NULL && cli->state == POP3_CLIENT_STATE_TLS_WAIT);
    cli->is_secure = TRUE;
    cli->discarded += line_reader_discard(cli->lr);
    /* RFC 2595 section 4: capabilities learnt before TLS are forgotten. */
    cli->stls_offered = FALSE;
    pop3_client_send(cli, "CAPA");
    pop3_client_enter_state(cli, POP3_CLIENT_STATE_CAPA);
}

char *
pop3_client_act_to_string(const Pop3ClientAct *act)
{
    g_return_val_if_fail(act != NULL, NULL);
    switch (act->kind) {
    case POP3_CLIENT_ACT_NONE:
        return g_strdup("NONE");
    case POP3_CLIENT_ACT_SEND: {
        gsize n = 0;
        const char *p = act->bytes ? g_bytes_get_data(act->bytes, &n) : "";
        if (n >= 5 && g_ascii_strncasecmp(p, "PASS ", 5) == 0)
            return g_strdup("SEND PASS ****");
        g_autofree char *line = g_strndup(p, n >= 2 ? n - 2 : n);
        g_autofree char *esc = g_strescape(line, NULL);
        return g_strdup_printf("SEND %s", esc);
    }
    case POP3_CLIENT_ACT_REPLY:
        return g_strdup_printf("REPLY %s", act->text);
    case POP3_CLIENT_ACT_STLS:
        return g_strdup("STLS");
    case POP3_CLIENT_ACT_MESSAGE:
        return g_strdup_printf("MESSAGE %u uid=%s %" G_GSIZE_FORMAT " octets", act->msg,
                               act->uid ? act->uid : "-",
                               act->bytes ? g_bytes_get_size(act->bytes) : 0);
    case POP3_CLIENT_ACT_DONE:
        if (act->ok)
            return g_strdup_printf("DONE ok retrieved=%u deleted=%u", act->retrieved, act->deleted);
        return g_strdup_printf("DONE failed retrieved=%u deleted=%u reason=%s", act->retrieved,
                               act->deleted, act->text);
    case POP3_CLIENT_ACT_CLOSE:
        return g_strdup("CLOSE");
    }
    g_assert_not_reached();
}

Pop3ClientState
pop3_client_get_state(const Pop3Client *cli)
{
    g_return_val_if_fail(cli != NULL, POP3_CLIENT_STATE_DONE);
    return cli->state;
}

gboolean
pop3_client_is_done(const Pop3Client *cli)
{
    g_return_val_if_fail(cli != NULL, TRUE);
    return cli->done;
}

gboolean
pop3_client_is_secure(const Pop3Client *cli)
{
    g_return_val_if_fail(cli != NULL, FALSE);
    return cli->is_secure;
}

gsize
pop3_client_get_discarded(const Pop3Client *cli)
{
    g_return_val_if_fail(cli != NULL, 0);
    return cli->discarded;
}
