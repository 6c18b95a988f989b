/* SPDX-License-Identifier: MIT
 * copies: the ledger of copies. A key per (message, node, kind, where)
 * with a count, so that a mailbox holding two deliveries of one message
 * (two aliases) gives back one at a time. Nothing here knows why a copy
 * is kept; the roles report it (ms_node, queue, mua_node).
 */
#include "nodes/copies.h"

#include <string.h>

#include "nodes/copies_private.h"
#include "nodes/world_private.h"

/* msg is the ledger's copy in ids, node is interned, and so is where
 * unless the copy is in a queue (a queue id is unique and soon gone): a
 * run with a million messages keeps one string per message here, not
 * four. An entry is linked to the next entry of its message. */
typedef struct CopyEntry {
    const char *msg, *node;
    char *where;
    CopyKind kind;
    guint count;
    struct CopyEntry *next; /* the message's next entry (by_msg), or NULL */
} CopyEntry;

/* Entries whose count falls to 0 are dropped: nothing reads them, and a
 * long run would otherwise keep one per queue a message passed through. */
struct CopyLedger {
    GHashTable *entries; /* CopyEntry* set, by (msg, node, kind, where) */
    GHashTable *by_msg;  /* msg id (borrowed) -> its first CopyEntry* (NULL when none left) */
    GPtrArray *msgs;     /* char* (in ids), first copy order */
    GStringChunk *ids;   /* message ids, each once */
    GStringChunk *nodes; /* interned node names and mailbox addresses */
};

static const char *const copy_kind_names[] = {
    [COPY_KIND_MAILBOX] = "mailbox", [COPY_KIND_JOURNAL] = "journal", [COPY_KIND_BACKUP] = "backup",
    [COPY_KIND_QUEUE] = "queue",     [COPY_KIND_CLIENT] = "client",
};

const char *
copy_kind_name(CopyKind kind)
{
    return (guint)kind < G_N_ELEMENTS(copy_kind_names) ? copy_kind_names[kind] : "?";
}

gboolean
copy_kind_from_name(const char *name, CopyKind *out)
{
    for (guint i = 0; name != NULL && i < G_N_ELEMENTS(copy_kind_names); i++) {
        if (strcmp(name, copy_kind_names[i]) == 0) {
            *out = (CopyKind)i;
            return TRUE;
        }
    }
    return FALSE;
}

static void
copy_entry_free(CopyEntry *e)
{
    if (e->kind == COPY_KIND_QUEUE)
        g_free(e->where);
    g_free(e);
}

/* node is interned, so it compares by address. */
static guint
copy_entry_hash(gconstpointer p)
{
    const CopyEntry *e = p;
    return g_str_hash(e->msg) ^ g_direct_hash(e->node) ^ g_str_hash(e->where) ^ (guint)e->kind;
}

static gboolean
copy_entry_equal(gconstpointer a, gconstpointer b)
{
    const CopyEntry *x = a, *y = b;
    return x->node == y->node && x->kind == y->kind && strcmp(x->msg, y->msg) == 0 &&
           strcmp(x->where, y->where) == 0;
}

void
copy_ledger_free(CopyLedger *l)
{
    if (l == NULL)
        return;
    g_hash_table_unref(l->by_msg);
    g_hash_table_unref(l->entries);
    g_ptr_array_unref(l->msgs);
    g_string_chunk_free(l->ids);
    g_string_chunk_free(l->nodes);
    g_free(l);
}

static CopyLedger *
copy_ledger(World *w)
{
    if (w->copy_ledger == NULL) {
        CopyLedger *l = g_new0(CopyLedger, 1);
        l->entries = g_hash_table_new_full(copy_entry_hash, copy_entry_equal,
                                           (GDestroyNotify)copy_entry_free, NULL);
        l->nodes = g_string_chunk_new(256);
        l->ids = g_string_chunk_new(4096);
        l->by_msg = g_hash_table_new(g_str_hash, g_str_equal);
        l->msgs = g_ptr_array_new();
        w->copy_ledger = l;
    }
    return w->copy_ledger;
}

static void
copies_trace(World *w, const char *ev, const char *msg, const char *node, CopyKind kind,
             const char *where, const char *reason)
{
    SimTraceRec *r = world_trace(w, ev, node);
    if (r == NULL)
        return;
    sim_trace_str(r, "msg", msg);
    sim_trace_str(r, "kind", copy_kind_name(kind));
    if (where != NULL && where[0] != '\0')
        sim_trace_str(r, "where", where);
    if (reason != NULL)
        sim_trace_str(r, "reason", reason);
    sim_trace_end(r);
}

/* The entry for (msg, node, kind, where), or NULL. */
static CopyEntry *
copies_lookup(CopyLedger *l, const char *msg, const char *node, CopyKind kind, const char *where)
{
    CopyEntry key = {.msg = msg,
                     .node = g_string_chunk_insert_const(l->nodes, node),
                     .where = (char *)where,
                     .kind = kind};
    return g_hash_table_lookup(l->entries, &key);
}

void
copies_hold(World *w, const char *msg, const char *node, CopyKind kind, const char *where)
{
    g_return_if_fail(w != NULL && msg != NULL && node != NULL);
    CopyLedger *l = copy_ledger(w);
    where = where ? where : "";
    CopyEntry *e = copies_lookup(l, msg, node, kind, where);
    if (e == NULL) {
        char *m = NULL;
        CopyEntry *first = NULL;
        if (!g_hash_table_lookup_extended(l->by_msg, msg, (gpointer *)&m, (gpointer *)&first)) {
            m = g_string_chunk_insert(l->ids, msg);
            g_ptr_array_add(l->msgs, m);
        }
        e = g_new0(CopyEntry, 1);
        e->msg = m;
        e->node = g_string_chunk_insert_const(l->nodes, node);
        e->kind = kind;
        e->where = kind == COPY_KIND_QUEUE ? g_strdup(where)
                                           : g_string_chunk_insert_const(l->nodes, where);
        e->next = first;
        g_hash_table_add(l->entries, e);
        g_hash_table_insert(l->by_msg, m, e);
    }
    e->count++;
    copies_trace(w, "copy.held", msg, node, kind, where, NULL);
}

void
copies_release(World *w, const char *msg, const char *node, CopyKind kind, const char *where,
               const char *reason)
{
    g_return_if_fail(w != NULL && msg != NULL && node != NULL);
    CopyLedger *l = copy_ledger(w);
    where = where ? where : "";
    CopyEntry *e = copies_lookup(l, msg, node, kind, where);
    if (e == NULL || e->count == 0)
        return;
    e->count--;
    copies_trace(w, "copy.gone", msg, node, kind, where, reason);
    /* A queue letting its copy go is where a journey ends (nothing is
     * traced from here on about the hops it forgets). */
    if (kind == COPY_KIND_QUEUE) {
        TrackMsg *m = tracker_find(w->tracker, msg);
        if (m != NULL)
            track_msg_forget_if_finished(m);
    }
    if (e->count == 0) {
        /* The message stays in msgs and by_msg (every message that ever
         * had a copy); the readers sort what is held, so order is moot. */
        /* Unlinked from its message's entries (a handful at most). */
        CopyEntry *first = g_hash_table_lookup(l->by_msg, e->msg);
        if (first == e) {
            g_hash_table_insert(l->by_msg, (gpointer)e->msg, e->next);
        } else {
            CopyEntry *p = first;
            while (p != NULL && p->next != e)
                p = p->next;
            if (p != NULL)
                p->next = e->next;
        }
        g_hash_table_remove(l->entries, e);
    }
}

static int
copies_held_cmp(gconstpointer a, gconstpointer b)
{
    const CopyHeld *x = *(const CopyHeld *const *)a, *y = *(const CopyHeld *const *)b;
    int c = strcmp(x->node, y->node);
    if (c == 0)
        c = (int)x->kind - (int)y->kind;
    return c != 0 ? c : strcmp(x->where, y->where);
}

GPtrArray *
world_copies_held(World *w, const char *msg_id)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    CopyLedger *l = copy_ledger(w);
    const CopyEntry *first = msg_id ? g_hash_table_lookup(l->by_msg, msg_id) : NULL;
    for (const CopyEntry *e = first; e != NULL; e = e->next) {
        if (e->count == 0)
            continue;
        CopyHeld *h = g_new0(CopyHeld, 1);
        h->msg = e->msg;
        h->node = e->node;
        h->kind = e->kind;
        h->where = e->where;
        g_ptr_array_add(out, h);
    }
    g_ptr_array_sort(out, copies_held_cmp);
    return out;
}

GPtrArray *
world_copies_messages(World *w)
{
    CopyLedger *l = copy_ledger(w);
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; i < l->msgs->len; i++)
        g_ptr_array_add(out, l->msgs->pdata[i]);
    return out;
}

char **
world_copies_nodes(World *w, const char *msg_id)
{
    g_autoptr(GPtrArray) held = world_copies_held(w, msg_id);
    GPtrArray *names = g_ptr_array_new();
    for (guint i = 0; i < held->len; i++) {
        const CopyHeld *h = held->pdata[i];
        /* Sorted by node: a name repeats only next to itself. */
        if (names->len == 0 || strcmp(names->pdata[names->len - 1], h->node) != 0)
            g_ptr_array_add(names, g_strdup(h->node));
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

static char *
copies_describe(World *w, const char *msg_id)
{
    g_autoptr(GPtrArray) held = world_copies_held(w, msg_id);
    if (held->len == 0)
        return g_strdup("no copy left anywhere");
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < held->len; i++) {
        const CopyHeld *h = held->pdata[i];
        g_string_append_printf(s, "%s%s (%s%s%s)", i ? ", " : "", h->node, copy_kind_name(h->kind),
                               h->where[0] ? " " : "", h->where);
    }
    return g_string_free(s, FALSE);
}

static int
copies_str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

ExpectResult *
copies_check(World *w, const ExpectSpec *e)
{
    ExpectResult *res = g_new0(ExpectResult, 1);
    res->spec = e;
    res->actual = copies_describe(w, e->message);
    if (e->kind == SPEC_EXPECT_COPIES_AT) {
        g_auto(GStrv) got = world_copies_nodes(w, e->message);
        g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
        for (char **p = e->copies_at; p && *p; p++)
            g_ptr_array_add(want, g_strdup(*p));
        g_ptr_array_sort(want, copies_str_cmp);
        gboolean same = want->len == g_strv_length(got);
        for (guint i = 0; same && i < want->len; i++)
            same = strcmp(want->pdata[i], got[i]) == 0;
        res->held = same;
        g_autofree char *list = g_strjoinv(", ", e->copies_at);
        res->what =
            g_strdup_printf("%s copies at exactly: %s", e->message, list[0] ? list : "(nowhere)");
        return res;
    }
    CopyKind kind = COPY_KIND_MAILBOX;
    gboolean any_kind = !copy_kind_from_name(e->copy_kind, &kind);
    g_autoptr(GPtrArray) held = world_copies_held(w, e->message);
    gboolean found = FALSE;
    for (guint i = 0; i < held->len && !found; i++) {
        const CopyHeld *h = held->pdata[i];
        found = strcmp(h->node, e->held_by) == 0 && (any_kind || h->kind == kind);
    }
    res->held = found == e->present;
    res->what = g_strdup_printf("%s %s by %s%s%s", e->message, e->present ? "held" : "not held",
                                e->held_by, any_kind ? "" : " as ", any_kind ? "" : e->copy_kind);
    return res;
}
