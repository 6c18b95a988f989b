/* SPDX-License-Identifier: MIT
 * tracker: the run's messages, their hops and their recipients' fates.
 * Node names, hop details, addresses and recipient lists repeat across
 * millions of hops: they are interned once per tracker, so a message
 * costs its own fields only.
 */
#include "nodes/tracker.h"

#include <string.h>

struct Tracker {
    GPtrArray *msgs;       /* TrackMsg* owned, creation order */
    GHashTable *by_id;     /* id -> TrackMsg* */
    GHashTable *conn_tags; /* conn id (guint64*) -> msg id (char*) */
    GStringChunk *strings; /* interned strings */
    GHashTable *rcpt_sets; /* "a\nb" -> interned NULL-terminated vector (owned) */
    gboolean forget;       /* tracker_forget_finished() was called */
    guint keep_first;
    GHashTable *keep;      /* nullable: ids whose hops stay */
    /* One empty array shared (by reference) by every message without
     * notes or with forgotten hops: a long run keeps no empty array per
     * message. Replaced by a message's own before its first element. */
    GPtrArray *none;
};

/* The interned copy of s (NULL for NULL): lives as long as t. */
static char *
tracker_intern(Tracker *t, const char *s)
{
    return s ? g_string_chunk_insert_const(t->strings, s) : NULL;
}

/* The interned copy of a recipient list (an empty one for NULL). */
static char **
tracker_intern_rcpts(Tracker *t, const char *const *rcpts)
{
    static const char *const none[] = {NULL};
    if (rcpts == NULL)
        rcpts = none;
    guint n = g_strv_length((char **)rcpts);
    /* The count keeps {""} apart from {}; no address holds a newline. */
    g_autofree char *joined = g_strjoinv("\n", (char **)rcpts);
    g_autofree char *key = g_strdup_printf("%u\n%s", n, joined);
    char **v = g_hash_table_lookup(t->rcpt_sets, key);
    if (v != NULL)
        return v;
    v = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        v[i] = tracker_intern(t, rcpts[i]);
    g_hash_table_insert(t->rcpt_sets, g_steal_pointer(&key), v);
    return v;
}

static void
track_hop_free(TrackHop *h)
{
    g_free(h->action);
    g_free(h->queue_id);
    g_free(h);
}


static void
track_note_free(TrackNote *n)
{
    g_free(n->node);
    g_free(n->key);
    g_free(n->value);
    g_free(n);
}

static void
track_msg_free(TrackMsg *m)
{
    if (!m->compact) {
        g_free(m->id);
        g_free(m->parent);
        g_free(m->kind);
        g_free(m->from);
        g_free(m->envelope_from);
        g_free(m->subject);
        g_free(m->message_id);
        for (guint i = 0; i < m->rcpts->len; i++)
            g_free(((TrackRcpt *)m->rcpts->pdata[i])->reply);
    }
    if (m->original)
        g_bytes_unref(m->original);
    g_ptr_array_unref(m->hops);
    g_ptr_array_unref(m->rcpts);
    g_ptr_array_unref(m->notes);
    g_free(m);
}

Tracker *
tracker_new(void)
{
    Tracker *t = g_new0(Tracker, 1);
    t->msgs = g_ptr_array_new_with_free_func((GDestroyNotify)track_msg_free);
    t->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    t->conn_tags = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    t->strings = g_string_chunk_new(4096);
    t->rcpt_sets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    t->none = g_ptr_array_new();
    return t;
}

void
tracker_free(Tracker *t)
{
    if (t == NULL)
        return;
    g_hash_table_unref(t->by_id);
    g_hash_table_unref(t->conn_tags);
    g_ptr_array_unref(t->msgs);
    g_hash_table_unref(t->rcpt_sets);
    g_clear_pointer(&t->keep, g_hash_table_unref);
    g_ptr_array_unref(t->none);
    g_string_chunk_free(t->strings);
    g_free(t);
}

TrackMsg *
tracker_add(Tracker *t, const char *id, const char *kind, SimTime now)
{
    g_return_val_if_fail(t != NULL && id != NULL, NULL);
    g_assert(!g_hash_table_contains(t->by_id, id));
    TrackMsg *m = g_new0(TrackMsg, 1);
    m->id = g_strdup(id);
    m->kind = g_strdup(kind ? kind : "mail");
    m->tracker = t;
    m->index = t->msgs->len;
    m->created = now;
    m->hops = g_ptr_array_new_with_free_func((GDestroyNotify)track_hop_free);
    m->rcpts = g_ptr_array_new_with_free_func(g_free); /* replies: track_msg_free */
    m->notes = g_ptr_array_ref(t->none);
    g_ptr_array_add(t->msgs, m);
    g_hash_table_insert(t->by_id, m->id, m);
    return m;
}

TrackMsg *
tracker_find(const Tracker *t, const char *id)
{
    return id ? g_hash_table_lookup(t->by_id, id) : NULL;
}

const GPtrArray *
tracker_messages(const Tracker *t)
{
    return t->msgs;
}

char *
tracker_derive_id(const Tracker *t, const char *base, const char *suffix)
{
    char *id = g_strdup_printf("%s.%s", base, suffix);
    for (guint n = 2; g_hash_table_contains(t->by_id, id); n++) {
        g_free(id);
        id = g_strdup_printf("%s.%s%u", base, suffix, n);
    }
    return id;
}

TrackRcpt *
track_msg_rcpt(TrackMsg *m, const char *address)
{
    for (guint i = 0; i < m->rcpts->len; i++) {
        TrackRcpt *r = m->rcpts->pdata[i];
        if (g_ascii_strcasecmp(r->address, address) == 0)
            return r;
    }
    TrackRcpt *r = g_new0(TrackRcpt, 1);
    r->address = tracker_intern(m->tracker, address);
    r->at = -1;
    g_ptr_array_add(m->rcpts, r);
    return r;
}

TrackHop *
track_msg_add_hop(TrackMsg *m, const char *node, SimTime t_in, const char *action,
                  const char *detail, const char *const *rcpts, const char *queue_id)
{
    if (m->hops == m->tracker->none) {
        g_ptr_array_unref(m->hops);
        m->hops = g_ptr_array_new_with_free_func((GDestroyNotify)track_hop_free);
    }
    TrackHop *h = g_new0(TrackHop, 1);
    h->node = tracker_intern(m->tracker, node);
    h->t_in = t_in;
    h->t_out = -1;
    h->action = g_strdup(action);
    h->detail = tracker_intern(m->tracker, detail);
    h->rcpts = tracker_intern_rcpts(m->tracker, rcpts);
    h->queue_id = g_strdup(queue_id);
    g_ptr_array_add(m->hops, h);
    return h;
}

TrackHop *
track_msg_open_hop(TrackMsg *m, const char *node)
{
    for (guint i = m->hops->len; i-- > 0;) {
        TrackHop *h = m->hops->pdata[i];
        if (h->t_out < 0 && strcmp(h->node, node) == 0)
            return h;
    }
    return NULL;
}

void
track_msg_set_status(TrackMsg *m, const char *address, TrackStatus status, guint code,
                     const char *reply, const char *where, SimTime at)
{
    TrackRcpt *r = track_msg_rcpt(m, address);
    r->status = status;
    r->code = code;
    if (m->compact) {
        r->reply = tracker_intern(m->tracker, reply);
    } else {
        g_free(r->reply);
        r->reply = g_strdup(reply);
    }
    r->where = tracker_intern(m->tracker, where);
    r->at = at;
    if (status == TRACK_STATUS_DELIVERED)
        r->mailbox_node = r->where;
}

static gboolean
track_hop_has_rcpt(const TrackHop *h, const char *rcpt)
{
    if (h->rcpts == NULL || h->rcpts[0] == NULL)
        return TRUE; /* a hop that names nobody carried everyone */
    for (char **p = h->rcpts; *p; p++)
        if (g_ascii_strcasecmp(*p, rcpt) == 0)
            return TRUE;
    return FALSE;
}

char **
track_msg_path(const TrackMsg *m, const char *rcpt)
{
    GPtrArray *out = g_ptr_array_new();
    const char *last = NULL;
    for (guint i = 0; i < m->hops->len; i++) {
        const TrackHop *h = m->hops->pdata[i];
        if (rcpt && !track_hop_has_rcpt(h, rcpt))
            continue;
        if (last && strcmp(last, h->node) == 0)
            continue;
        g_ptr_array_add(out, g_strdup(h->node));
        last = h->node;
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

const char *
track_status_name(TrackStatus s)
{
    static const char *const names[] = {"pending", "delivered", "rejected", "bounced", "queued"};
    return (guint)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

void
tracker_tag_conn(Tracker *t, guint64 conn_id, const char *msg_id)
{
    gint64 *key = g_new(gint64, 1);
    *key = (gint64)conn_id;
    g_hash_table_replace(t->conn_tags, key, g_strdup(msg_id));
}

const char *
tracker_conn_tag(const Tracker *t, guint64 conn_id)
{
    gint64 key = (gint64)conn_id;
    return g_hash_table_lookup(t->conn_tags, &key);
}

void
tracker_untag_conn(Tracker *t, guint64 conn_id)
{
    gint64 key = (gint64)conn_id;
    g_hash_table_remove(t->conn_tags, &key);
}

void
track_msg_note(TrackMsg *m, const char *node, const char *key, const char *value)
{
    g_return_if_fail(m != NULL && node != NULL && key != NULL && value != NULL);
    for (guint i = 0; i < m->notes->len; i++) {
        TrackNote *n = m->notes->pdata[i];
        if (strcmp(n->node, node) == 0 && strcmp(n->key, key) == 0) {
            g_ptr_array_remove_index(m->notes, i);
            break;
        }
    }
    if (m->notes == m->tracker->none) {
        g_ptr_array_unref(m->notes);
        m->notes = g_ptr_array_new_with_free_func((GDestroyNotify)track_note_free);
    }
    TrackNote *n = g_new0(TrackNote, 1);
    n->node = g_strdup(node);
    n->key = g_strdup(key);
    n->value = g_strdup(value);
    g_ptr_array_add(m->notes, n);
}

const char *
track_msg_get_note(const TrackMsg *m, const char *node, const char *key)
{
    for (guint i = m->notes->len; i-- > 0;) {
        const TrackNote *n = m->notes->pdata[i];
        if (strcmp(n->key, key) == 0 && (node == NULL || strcmp(n->node, node) == 0))
            return n->value;
    }
    return NULL;
}

void
tracker_forget_finished(Tracker *t, guint keep_first, const char *const *keep)
{
    g_return_if_fail(t != NULL);
    t->forget = TRUE;
    t->keep_first = keep_first;
    g_clear_pointer(&t->keep, g_hash_table_unref);
    t->keep = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (const char *const *p = keep; p && *p; p++)
        g_hash_table_add(t->keep, g_strdup(*p));
}

/* *s moved into the tracker's strings: interned when such strings repeat
 * across messages (kinds, addresses, final replies), else copied as they
 * are (ids, subjects, Message-IDs). */
static void
track_msg_move_str(Tracker *t, char **s, gboolean repeats)
{
    char *heap = *s;
    if (heap == NULL)
        return;
    *s = repeats ? tracker_intern(t, heap) : g_string_chunk_insert(t->strings, heap);
    g_free(heap);
}

/* Moves a finished message's strings into the tracker: a long run keeps
 * the bytes of each but not a heap block (and its overhead) for each. */
static void
track_msg_compact(TrackMsg *m)
{
    Tracker *t = m->tracker;
    if (m->compact)
        return;
    /* by_id's key is m->id: it moves with it. */
    g_hash_table_steal(t->by_id, m->id);
    track_msg_move_str(t, &m->id, FALSE);
    g_hash_table_insert(t->by_id, m->id, m);
    track_msg_move_str(t, &m->parent, FALSE);
    track_msg_move_str(t, &m->kind, TRUE);
    track_msg_move_str(t, &m->from, TRUE);
    track_msg_move_str(t, &m->envelope_from, TRUE);
    track_msg_move_str(t, &m->subject, FALSE);
    track_msg_move_str(t, &m->message_id, FALSE);
    for (guint i = 0; i < m->rcpts->len; i++)
        track_msg_move_str(t, &((TrackRcpt *)m->rcpts->pdata[i])->reply, TRUE);
    m->compact = TRUE;
}

gboolean
track_msg_forget_if_finished(TrackMsg *m)
{
    Tracker *t = m->tracker;
    if (!t->forget || m->index < t->keep_first || m->hops->len == 0 ||
        g_strcmp0(m->kind, "traffic") != 0 || g_hash_table_contains(t->keep, m->id))
        return FALSE;
    for (guint i = 0; i < m->rcpts->len; i++) {
        TrackStatus st = ((const TrackRcpt *)m->rcpts->pdata[i])->status;
        if (st == TRACK_STATUS_PENDING || st == TRACK_STATUS_QUEUED)
            return FALSE;
    }
    for (guint i = 0; i < m->hops->len; i++)
        if (((const TrackHop *)m->hops->pdata[i])->t_out < 0)
            return FALSE;
    /* The shared empty array rather than an emptied one: the old one's
     * storage goes too. */
    g_ptr_array_unref(m->hops);
    m->hops = g_ptr_array_ref(t->none);
    track_msg_compact(m);
    return TRUE;
}
