/* SPDX-License-Identifier: MIT
 * ms_node: final delivery. RFC 5321 4.4: the delivering host adds
 * Return-Path with the reverse path; RFC 5321 4.2.2 / Postfix: unknown
 * users are refused at RCPT with 550 5.1.1. POP3 access (RFC 1939):
 * USER/PASS and APOP against the scenario's passwords, an exclusive lock
 * on the maildrop (section 8), RETR/TOP of the stored copy, and the
 * UPDATE state removing what was deleted; STLS (RFC 2595 section 4) when
 * the store has a TLS server level (may offers it, encrypt also refuses
 * USER/PASS and APOP before it). No SASL AUTH.
 */
#include "nodes/ms_node.h"

#include <string.h>

#include "nodes/copies_private.h"
#include "nodes/ms_node_private.h"
#include "nodes/node_fault.h"
#include "nodes/pop3_session.h"
#include "nodes/smtp_session.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/message.h"
#include "proto/pop3_reply.h"
#include "proto/received.h"

/* One POP3 session's view of its maildrop (RFC 1939 section 8: the
 * numbers stay fixed for the session). The messages are borrowed: the
 * lock keeps anybody else from removing them, delivery only appends. */
typedef struct {
    Node *node;
    char *box;           /* locked mailbox key, NULL until LOCK_MAILDROP */
    char *timestamp;     /* the APOP timestamp of the greeting */
    GPtrArray *msgs;     /* MsMessage*, borrowed, message number - 1 */
    guint auth_failures; /* failed USER/PASS and APOP logins in this session */
} MsPop3;

void
ms_message_free(MsMessage *m)
{
    g_free(m); /* its strings are in the same block */
}

/* A stored copy and its strings (nullable, copied) in one block: a store
 * holding a million copies keeps a million blocks, not three million. */
static MsMessage *
ms_message_alloc(const char *uid, const char *msg_id)
{
    gsize uid_len = uid ? strlen(uid) + 1 : 0;
    gsize id_len = msg_id ? strlen(msg_id) + 1 : 0;
    MsMessage *mm = g_malloc0(sizeof *mm + uid_len + id_len);
    char *p = (char *)(mm + 1);
    if (uid != NULL) {
        mm->uid = memcpy(p, uid, uid_len);
        p += uid_len;
    }
    if (msg_id != NULL)
        mm->msg_id = memcpy(p, msg_id, id_len);
    return mm;
}

MsMessage *
ms_message_new(Node *node, const char *qid, const char *msg_id, const MailSpoolRef *ref,
               CopyKind kind)
{
    MsNode *ms = node->priv;
    g_autofree char *uid = g_strdup_printf("%s.%" G_GUINT64_FORMAT, qid, ++ms->uid_serial);
    MsMessage *mm = ms_message_alloc(uid, msg_id);
    mm->spool = *ref;
    mm->kind = kind;
    mm->delivered_at = sim_world_now(node->world->sim);
    return mm;
}

GBytes *
ms_node_message_bytes(Node *ms, const MsMessage *m, GError **error)
{
    g_return_val_if_fail(ms_node_is_store(ms) && m != NULL, NULL);
    MailSpool *spool = world_spool(ms->world, error);
    return spool ? mail_spool_read(spool, &m->spool, error) : NULL;
}

MsMessage *
ms_node_store(Node *ms, const char *address, const char *uid, const char *msg_id, GBytes *bytes,
              GError **error)
{
    g_return_val_if_fail(ms_node_is_store(ms) && address != NULL && bytes != NULL, NULL);
    GPtrArray *box = ms_node_mailbox(ms, address);
    if (box == NULL) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no mailbox for %s", ms->name,
                    address);
        return NULL;
    }
    MailSpool *spool = world_spool(ms->world, error);
    MailSpoolRef ref;
    if (spool == NULL || !mail_spool_append(spool, bytes, &ref, error))
        return NULL;
    MsMessage *mm = ms_message_alloc(uid, msg_id);
    mm->spool = ref;
    mm->delivered_at = sim_world_now(ms->world->sim);
    g_ptr_array_add(box, mm);
    return mm;
}

void
ms_node_trace_spool_error(Node *node, const char *msg_id, const GError *error)
{
    SimTraceRec *tr = world_trace(node->world, "store.error", node->name);
    if (msg_id != NULL)
        sim_trace_str(tr, "msg", msg_id);
    sim_trace_str(tr, "error", error->message);
    sim_trace_end(tr);
}

/* The copy goes to disk before anything counts as delivered: a store
 * that cannot keep it answers 451 (RFC 5321 4.2.5, local error in
 * processing) and the sender keeps it queued. FALSE when refused. */
static gboolean
ms_node_spool(Node *node, SmtpServerSession *ss, GBytes *copy, MailSpoolRef *ref)
{
    World *w = node->world;
    g_autoptr(GError) error = NULL;
    MailSpool *spool = world_spool(w, &error);
    if (spool != NULL && mail_spool_append(spool, copy, ref, &error))
        return TRUE;
    const char *tag = tracker_conn_tag(w->tracker, smtp_server_session_conn_id(ss));
    ms_node_trace_spool_error(node, tag, error);
    g_autoptr(SmtpReply) r = smtp_reply_new(451, "4.3.0", "Error: cannot store the message");
    smtp_server_session_answer(ss, r);
    return FALSE;
}

Node *
ms_node_lookup(World *w, const char *name)
{
    Node *n = world_node(w, name);
    return ms_node_is_store(n) ? n : NULL;
}

gboolean
ms_node_is_store(const Node *node)
{
    return node != NULL && node->spec->role == SPEC_ROLE_MS;
}

GPtrArray *
ms_node_backup(Node *ms)
{
    return ms_node_is_store(ms) ? ((MsNode *)ms->priv)->backup : NULL;
}

static MsNode *
ms_node_priv(Node *node)
{
    return node->priv;
}

/* Room for a mailbox key on the stack: RFC 5321 4.5.3.1.3, a path is at
 * most 256 octets; longer addresses are lowered into a heap copy. */
#define MS_NODE_KEY_MAX 256

/* address lower-cased (the mailboxes' keys): in buf (MS_NODE_KEY_MAX + 1
 * octets) when it fits, else in a new *heap the caller frees. Every RCPT
 * and every delivery looks a mailbox up. */
static const char *
ms_node_key(const char *address, char *buf, char **heap)
{
    gsize n = strlen(address);
    char *key = n <= MS_NODE_KEY_MAX ? buf : (*heap = g_malloc(n + 1));
    for (gsize i = 0; i <= n; i++)
        key[i] = g_ascii_tolower(address[i]);
    return key;
}

GPtrArray *
ms_node_mailbox(Node *ms, const char *address)
{
    char buf[MS_NODE_KEY_MAX + 1];
    g_autofree char *heap = NULL;
    return g_hash_table_lookup(ms_node_priv(ms)->mailboxes, ms_node_key(address, buf, &heap));
}

gint
ms_node_mailbox_count(Node *ms, const char *address)
{
    if (ms == NULL || ms->spec->role != SPEC_ROLE_MS || address == NULL)
        return -1;
    GPtrArray *box = ms_node_mailbox(ms, address);
    if (box == NULL)
        return -1;
    gint n = 0;
    for (guint i = 0; i < box->len; i++)
        n += !((MsMessage *)box->pdata[i])->deleted;
    return n;
}

gboolean
ms_node_has_mailbox(Node *ms, const char *address)
{
    return ms_node_mailbox(ms, address) != NULL;
}

char **
ms_node_mailbox_names(Node *ms)
{
    guint n = 0;
    gpointer *keys = g_hash_table_get_keys_as_array(ms_node_priv(ms)->mailboxes, &n);
    char **out = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        out[i] = g_strdup(keys[i]);
    g_free(keys);
    qsort(out, n, sizeof(char *), (int (*)(const void *, const void *))g_strcmp0);
    return out;
}

static void
ms_node_deliver(Node *node, SmtpServerSession *ss, const SmtpServerQuery *q)
{
    World *w = node->world;
    SimTime now = sim_world_now(w->sim);
    g_autofree char *qid = node_new_queue_id(node);
    MailReceivedInfo ri = {
        .helo = smtp_server_session_helo(ss),
        .client_name = smtp_server_session_client_node(ss),
        .client_ip = smtp_server_session_client_ip(ss),
        .by = node->hostname,
        .is_esmtp = smtp_server_session_is_esmtp(ss),
        .is_tls = q->is_tls,
        .is_auth = q->is_authenticated,
        .id = qid,
        .for_rcpt = q->rcpts && q->rcpts[0] && !q->rcpts[1] ? q->rcpts[0] : NULL,
        .time_unix = world_unix_now(w),
    };
    g_autofree char *received = mail_received_build(&ri);
    /* The store adds its trace fields in front, unparsed (RFC 5321 4.4). */
    g_autofree char *rp = g_strconcat("<", q->mail_from, ">", NULL);
    const char *const names[] = {"Return-Path", "Received"};
    const char *const values[] = {rp, received};
    g_autoptr(GBytes) copy = mail_message_bytes_prepend_fields(q->message, names, values, 2);
    MailSpoolRef ref;
    if (!ms_node_spool(node, ss, copy, &ref))
        return;
    const char *tag = tracker_conn_tag(w->tracker, smtp_server_session_conn_id(ss));
    TrackMsg *m = tag ? tracker_find(w->tracker, tag) : NULL;
    g_autofree char *own_id = NULL;
    if (m == NULL) {
        own_id = tracker_derive_id(w->tracker, node->name, qid);
        m = tracker_add(w->tracker, own_id, "mail", now);
        m->envelope_from = g_strdup(q->mail_from);
        m->original = g_bytes_ref(q->message);
    }
    TrackHop *hop =
        track_msg_add_hop(m, node->name, now, "deliver", "mailbox", (const char *const *)q->rcpts, qid);
    hop->t_out = now;
    hop->tls_in = q->is_tls;
    /* A journal copy sent by another store is a copy of its parent. */
    gboolean is_journal = m->parent != NULL && g_strcmp0(m->kind, "journal") == 0;
    const char *held_id = is_journal ? m->parent : m->id;
    CopyKind kind = is_journal ? COPY_KIND_JOURNAL : COPY_KIND_MAILBOX;
    /* Made at the second recipient: a single one cannot repeat. */
    g_autoptr(GHashTable) seen = NULL;
    for (char **p = q->rcpts; p && *p; p++) {
        GPtrArray *box = ms_node_mailbox(node, *p);
        g_assert(box != NULL); /* RCPT checked it */
        if (p != q->rcpts && seen == NULL) {
            seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            g_hash_table_add(seen, g_ascii_strdown(q->rcpts[0], -1));
        }
        if (seen != NULL && !g_hash_table_add(seen, g_ascii_strdown(*p, -1)))
            continue; /* one copy per mailbox, however often RCPT named it */
        g_ptr_array_add(box, ms_message_new(node, qid, held_id, &ref, kind));
        char buf[MS_NODE_KEY_MAX + 1];
        g_autofree char *heap = NULL;
        copies_hold(w, held_id, node->name, kind, ms_node_key(*p, buf, &heap));
        track_msg_set_status(m, *p, TRACK_STATUS_DELIVERED, 250, "delivered to mailbox",
                             node->name, now);
        world_note_copy(w, held_id, *p, &ref);
        w->delivered++;
        SimTraceRec *tr = world_trace(w, "msg.deliver", node->name);
        sim_trace_str(tr, "msg", m->id);
        sim_trace_str(tr, "qid", qid);
        sim_trace_str(tr, "rcpt", *p);
        sim_trace_int(tr, "size", (gint64)ref.length);
        sim_trace_end(tr);
    }
    if (!is_journal)
        ms_archive_deliver(node, qid, m->id, q->mail_from, q->rcpts, copy, &ref);
    g_autoptr(SmtpReply) ok = smtp_reply_new_text(250, "2.0.0", "Ok: delivered as ", qid);
    smtp_server_session_answer(ss, ok);
}

static void
ms_node_on_query(SmtpServerSession *ss, const SmtpServerQuery *q, gpointer user_data)
{
    Node *node = user_data;
    if (q->kind == SMTP_SERVER_QUERY_RCPT && !ms_node_has_mailbox(node, q->addr)) {
        /* Postfix: "User unknown in local recipient table". */
        g_autoptr(SmtpReply) r = smtp_reply_new(
            550, "5.1.1", "<%s>: Recipient address rejected: User unknown in local recipient table",
            q->addr);
        SimTraceRec *tr = world_trace(node->world, "msg.reject", node->name);
        sim_trace_str(tr, "rcpt", q->addr);
        sim_trace_int(tr, "code", 550);
        sim_trace_str(tr, "reason", "user unknown");
        sim_trace_end(tr);
        smtp_server_session_answer(ss, r);
        return;
    }
    g_autoptr(SmtpReply) full =
        q->kind == SMTP_SERVER_QUERY_MAIL ? node_fault_storage_reply(node) : NULL;
    if (full != NULL) {
        smtp_server_session_answer(ss, full);
        return;
    }
    if (q->kind == SMTP_SERVER_QUERY_DATA) {
        ms_node_deliver(node, ss, q);
        return;
    }
    smtp_server_session_answer(ss, NULL);
}

static const SmtpServerPolicy ms_node_policy = {
    .on_query = ms_node_on_query,
};

static void
ms_node_accept(SimListener *l, SimStream *s, gpointer user_data)
{
    Node *node = user_data;
    smtp_server_session_new(node, s, &ms_node_priv(node)->cfg, &ms_node_policy, node);
}

/* ------------------------------------------------------------------ */
/* POP3 access                                                        */

static void
ms_pop3_free(MsPop3 *p)
{
    if (p->box != NULL)
        g_hash_table_remove(ms_node_priv(p->node)->locked, p->box);
    g_free(p->box);
    g_free(p->timestamp);
    g_clear_pointer(&p->msgs, g_ptr_array_unref);
    g_free(p);
}

static void
ms_pop3_trace_auth(Pop3ServerSession *ps, const char *mech, const char *user, gboolean ok)
{
    Node *node = pop3_server_session_node(ps);
    SimTraceRec *tr = world_trace(node->world, "auth.attempt", node->name);
    sim_trace_int(tr, "conn", (gint64)pop3_server_session_conn_id(ps));
    sim_trace_str(tr, "peer", pop3_server_session_peer(ps));
    sim_trace_str(tr, "proto", "POP3");
    sim_trace_str(tr, "mech", mech);
    sim_trace_str(tr, "user", user);
    sim_trace_bool(tr, "ok", ok);
    sim_trace_end(tr);
}

/* The password of a user with a mailbox here, or NULL. */
static const char *
ms_pop3_secret(Node *node, const char *user)
{
    if (user == NULL || !ms_node_has_mailbox(node, user))
        return NULL;
    return world_spec_user_password(node->world->spec, user);
}

static guint
ms_pop3_auth_max(const Node *node)
{
    guint max = node->spec->auth.max_failures;
    return max > 0 ? max : 3;
}

/* Too many failed logins (a password guesser): the last one is answered
 * after auth.failure_delay, and the session closes (as the MSA does for
 * SMTP AUTH; RFC 1939 section 13 leaves counter-measures to the server,
 * RFC 2449 8.1.2 [AUTH]). */
static void
ms_pop3_auth_lockout(Pop3ServerSession *ps, MsPop3 *p)
{
    Node *node = p->node;
    SimTraceRec *r = world_trace(node->world, "auth.limit", node->name);
    sim_trace_int(r, "conn", (gint64)pop3_server_session_conn_id(ps));
    sim_trace_str(r, "peer", pop3_server_session_peer(ps));
    sim_trace_str(r, "proto", "POP3");
    sim_trace_int(r, "failures", p->auth_failures);
    sim_trace_end(r);
    Pop3ServerAnswer a = {
        .verdict = POP3_ANSWER_DENY, .text = "too many authentication failures", .close = TRUE};
    pop3_server_session_answer_later(ps, &a, node->spec->auth.failure_delay);
}

static void
ms_pop3_auth(Pop3ServerSession *ps, MsPop3 *p, const Pop3ServerQuery *q)
{
    const char *secret = ms_pop3_secret(p->node, q->user);
    gboolean ok = FALSE;
    if (q->kind == POP3_QUERY_AUTH_USERPASS) {
        ok = secret != NULL && q->password != NULL && strcmp(secret, q->password) == 0;
    } else if (secret != NULL && p->timestamp != NULL && q->digest != NULL) {
        /* RFC 1939 section 7: MD5 of the greeting's timestamp and the
         * shared secret, in hex (compared without regard to case). */
        char want[POP3_APOP_DIGEST_LEN + 1];
        pop3_reply_apop_digest(p->timestamp, secret, want);
        ok = g_ascii_strcasecmp(want, q->digest) == 0;
    }
    ms_pop3_trace_auth(ps, q->kind == POP3_QUERY_AUTH_USERPASS ? "USER" : "APOP", q->user, ok);
    Pop3ServerAnswer a = {.verdict = ok ? POP3_ANSWER_OK : POP3_ANSWER_DENY};
    if (!ok && ++p->auth_failures >= ms_pop3_auth_max(p->node)) {
        ms_pop3_auth_lockout(ps, p);
        return;
    }
    pop3_server_session_answer(ps, &a);
}

/* RFC 1939 section 8: the maildrop is locked for the whole session. */
static void
ms_pop3_lock(Pop3ServerSession *ps, MsPop3 *p, const Pop3ServerQuery *q)
{
    MsNode *ms = ms_node_priv(p->node);
    g_autofree char *key = g_ascii_strdown(q->user, -1);
    GPtrArray *box = g_hash_table_lookup(ms->mailboxes, key);
    Pop3ServerAnswer a = {.verdict = POP3_ANSWER_IN_USE};
    if (box == NULL) {
        a.verdict = POP3_ANSWER_SYS_PERM;
        pop3_server_session_answer(ps, &a);
        return;
    }
    if (g_hash_table_contains(ms->locked, key)) {
        pop3_server_session_answer(ps, &a);
        return;
    }
    g_hash_table_add(ms->locked, g_strdup(key));
    p->box = g_steal_pointer(&key);
    p->msgs = g_ptr_array_new();
    g_autoptr(GArray) info = g_array_new(FALSE, TRUE, sizeof(Pop3MsgInfo));
    for (guint i = 0; i < box->len; i++) {
        MsMessage *mm = box->pdata[i];
        if (mm->deleted)
            continue;
        g_ptr_array_add(p->msgs, mm);
        Pop3MsgInfo mi = {.size = mm->spool.length, .uid = mm->uid};
        g_array_append_val(info, mi);
    }
    a.verdict = POP3_ANSWER_OK;
    a.msgs = (const Pop3MsgInfo *)info->data;
    a.n_msgs = info->len;
    pop3_server_session_answer(ps, &a);
}

static void
ms_pop3_message(Pop3ServerSession *ps, MsPop3 *p, const Pop3ServerQuery *q)
{
    Pop3ServerAnswer a = {.verdict = POP3_ANSWER_SYS_PERM};
    g_autoptr(GBytes) bytes = NULL;
    if (p->msgs != NULL && q->msg >= 1 && q->msg <= p->msgs->len) {
        MsMessage *mm = p->msgs->pdata[q->msg - 1];
        g_autoptr(GError) error = NULL;
        bytes = ms_node_message_bytes(p->node, mm, &error);
        if (bytes == NULL) {
            /* RFC 2449 8.1.1 [SYS/TEMP]: the store cannot read it now. */
            ms_node_trace_spool_error(p->node, mm->msg_id, error);
            a.verdict = POP3_ANSWER_SYS_TEMP;
            pop3_server_session_answer(ps, &a);
            return;
        }
        /* The client learns which tracked message this copy is. */
        pop3_session_tag_uid(p->node->world, pop3_server_session_conn_id(ps), mm->uid, mm->msg_id);
        if (q->top_lines < 0)
            mm->retrieved = TRUE;
        a.verdict = POP3_ANSWER_OK;
        a.message = bytes;
    }
    pop3_server_session_answer(ps, &a);
}

/* RFC 1939 section 6: the UPDATE state removes the deleted messages. */
static void
ms_pop3_update(Pop3ServerSession *ps, MsPop3 *p, const Pop3ServerQuery *q)
{
    Node *node = p->node;
    GPtrArray *box = p->box ? g_hash_table_lookup(ms_node_priv(node)->mailboxes, p->box) : NULL;
    guint removed = 0;
    for (guint i = 0; box && p->msgs && q->deleted && i < q->deleted->len; i++) {
        guint n = g_array_index(q->deleted, guint, i);
        if (n >= 1 && n <= p->msgs->len)
            ((MsMessage *)p->msgs->pdata[n - 1])->deleted = TRUE;
    }
    g_clear_pointer(&p->msgs, g_ptr_array_unref);
    for (guint i = 0; box && i < box->len; i++) {
        const MsMessage *mm = box->pdata[i];
        if (mm->deleted)
            copies_release(node->world, mm->msg_id, node->name, mm->kind, p->box,
                           "deleted over POP3 (DELE)");
    }
    for (guint i = box ? box->len : 0; i > 0; i--) {
        if (((MsMessage *)box->pdata[i - 1])->deleted) {
            g_ptr_array_remove_index(box, i - 1);
            removed++;
        }
    }
    SimTraceRec *tr = world_trace(node->world, "pop3.update", node->name);
    sim_trace_int(tr, "conn", (gint64)pop3_server_session_conn_id(ps));
    sim_trace_str(tr, "mailbox", p->box ? p->box : "");
    sim_trace_int(tr, "deleted", removed);
    sim_trace_int(tr, "left", box ? box->len : 0);
    sim_trace_end(tr);
    Pop3ServerAnswer a = {.verdict = POP3_ANSWER_OK};
    pop3_server_session_answer(ps, &a);
}

static void
ms_pop3_on_query(Pop3ServerSession *ps, const Pop3ServerQuery *q, gpointer user_data)
{
    MsPop3 *p = pop3_server_session_get_data(ps);
    switch (q->kind) {
    case POP3_QUERY_AUTH_USERPASS:
    case POP3_QUERY_AUTH_APOP:
        ms_pop3_auth(ps, p, q);
        break;
    case POP3_QUERY_LOCK_MAILDROP:
        ms_pop3_lock(ps, p, q);
        break;
    case POP3_QUERY_MESSAGE:
        ms_pop3_message(ps, p, q);
        break;
    case POP3_QUERY_UPDATE:
        ms_pop3_update(ps, p, q);
        break;
    default: {
        Pop3ServerAnswer a = {.verdict = POP3_ANSWER_SYS_PERM};
        pop3_server_session_answer(ps, &a);
        break;
    }
    }
}

static const Pop3ServerPolicy ms_pop3_policy = {
    .on_query = ms_pop3_on_query,
};

static void
ms_pop3_accept(SimListener *l, SimStream *s, gpointer user_data)
{
    Node *node = user_data;
    MsPop3 *p = g_new0(MsPop3, 1);
    p->node = node;
    /* RFC 1939 section 7: a timestamp unique to this greeting, from the
     * node's random stream and the virtual clock (the engine has neither). */
    p->timestamp = g_strdup_printf("<%u.%" G_GINT64_FORMAT "@%s>", g_rand_int(node_rng(node)),
                                   sim_world_now(node->world->sim), node->hostname);
    gboolean tls = world_tls_server_context(node->world, node) != NULL;
    Pop3ServerConfig cfg = {
        .hostname = node->hostname,
        .apop_timestamp = p->timestamp,
        .implementation = "mhs",
        .offer_stls = tls,
        .userpass_needs_tls = tls && node->spec->tls.server >= SPEC_TLS_ENCRYPT,
    };
    Pop3ServerSession *ps = pop3_server_session_new(node, s, &cfg, &ms_pop3_policy, node);
    pop3_server_session_set_data(ps, p, (GDestroyNotify)ms_pop3_free);
}

static void
ms_node_start(Node *node)
{
    const WorldSpec *spec = node->world->spec;
    MsNode *ms = ms_node_priv(node);
    for (guint i = 0; i < spec->users->len; i++) {
        const UserSpec *u = spec->users->pdata[i];
        if (g_strcmp0(world_spec_mailbox_node(spec, u->address), node->name) != 0)
            continue;
        g_hash_table_insert(ms->mailboxes, g_ascii_strdown(u->address, -1),
                            g_ptr_array_new_with_free_func((GDestroyNotify)ms_message_free));
    }
    /* A mua's user has a mailbox on the store the mua reads. */
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *n = spec->nodes->pdata[i];
        if (n->role != SPEC_ROLE_MUA || n->user == NULL || g_strcmp0(n->ms, node->name) != 0)
            continue;
        g_autofree char *key = g_ascii_strdown(n->user, -1);
        if (!g_hash_table_contains(ms->mailboxes, key))
            g_hash_table_insert(ms->mailboxes, g_steal_pointer(&key),
                                g_ptr_array_new_with_free_func((GDestroyNotify)ms_message_free));
    }
    ms_archive_start(node);
    guint16 port = node->spec->smtp_port ? node->spec->smtp_port : 25;
    sim_net_listen(node->world->net, node->host, port, ms_node_accept, node, NULL);
    guint16 pop3_port = node->spec->pop3_port ? node->spec->pop3_port : 110;
    sim_net_listen(node->world->net, node->host, pop3_port, ms_pop3_accept, node, NULL);
}

static void
ms_node_free(Node *node)
{
    MsNode *ms = ms_node_priv(node);
    g_hash_table_unref(ms->mailboxes);
    g_hash_table_unref(ms->locked);
    g_clear_pointer(&ms->backup, g_ptr_array_unref);
    g_clear_pointer(&ms->journal_queue, queue_free);
    g_free(ms);
}

/* Journal copies still on their way are queued (DESIGN 4: never lost). */
static void
ms_node_finish(Node *node)
{
    MsNode *ms = ms_node_priv(node);
    if (ms->journal_queue != NULL)
        queue_finish(ms->journal_queue);
}

static const NodeClass ms_node_class = {
    .kind = "ms",
    .start = ms_node_start,
    .finish = ms_node_finish,
    .free = ms_node_free,
};

Node *
ms_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &ms_node_class, spec);
    MsNode *ms = g_new0(MsNode, 1);
    ms->mailboxes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_ptr_array_unref);
    ms->locked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    ms->cfg.hostname = node->hostname;
    ms->cfg.max_rcpts = spec->max_recipients;
    ms->cfg.max_size = spec->max_message_size;
    node->priv = ms;
    return node;
}
