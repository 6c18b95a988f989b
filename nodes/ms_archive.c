/* SPDX-License-Identifier: MIT
 * ms_archive: the copies a store keeps that its users did not ask for.
 * `journal: ADDRESS` puts a copy of every delivered message into a
 * journal mailbox, as compliance archiving (envelope journaling) does:
 * the copy carries the envelope in an X-Journal-Envelope field, Bcc
 * recipients included, so the journal reader learns what the delivered
 * copies hide (RFC 5322 3.6.3). A journal mailbox on this store is
 * filled at once; one on another store is sent there over SMTP from the
 * store's own queue (MX routing, null reverse path as for any
 * notification, RFC 5321 4.5.5), as a message "ID.journal".
 * `backup: true|NODE` keeps one backup copy per mailbox copy, on this
 * store or on NODE (replicated out of band: the transfer is not
 * simulated on the network); POP3 DELE never reaches it. Both report to
 * the copies ledger (copy.held).
 */
#include <string.h>

#include "nodes/copies_private.h"
#include "nodes/ms_node_private.h"
#include "nodes/queue.h"
#include "nodes/world_private.h"
#include "proto/message.h"

/* The journal's own mailbox key, or NULL when the store does not journal. */
static char *
ms_archive_journal_key(Node *node)
{
    return node->spec->journal ? g_ascii_strdown(node->spec->journal, -1) : NULL;
}

/* TRUE when the journal mailbox is on another store. */
static gboolean
ms_archive_journal_is_remote(Node *node)
{
    const char *at = world_spec_mailbox_node(node->world->spec, node->spec->journal);
    return at != NULL && strcmp(at, node->name) != 0;
}

void
ms_archive_start(Node *node)
{
    MsNode *ms = node->priv;
    g_autofree char *key = ms_archive_journal_key(node);
    if (key != NULL && ms_archive_journal_is_remote(node))
        ms->journal_queue = queue_new(node);
    else if (key != NULL && !g_hash_table_contains(ms->mailboxes, key))
        g_hash_table_insert(ms->mailboxes, g_steal_pointer(&key),
                            g_ptr_array_new_with_free_func((GDestroyNotify)ms_message_free));
    if (node->spec->backup)
        ms->backup = g_ptr_array_new_with_free_func((GDestroyNotify)ms_message_free);
}

/* "from=<a@x>; to=<b@y>, <c@z>": what the envelope said (RFC 5321 4.1.1). */
static char *
ms_archive_envelope(const char *mail_from, char *const *rcpts, const char *journal)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "from=<%s>; to=", mail_from ? mail_from : "");
    guint n = 0;
    for (char *const *p = rcpts; p && *p; p++) {
        if (g_ascii_strcasecmp(*p, journal) == 0)
            continue;
        g_string_append_printf(s, "%s<%s>", n++ ? ", " : "", *p);
    }
    return g_string_free(s, FALSE);
}

/* The journal copy leaves for another store: a message of its own,
 * tracked as ID.journal with ID as parent. */
static void
ms_archive_journal_send(Node *node, const char *msg_id, const char *journal, GBytes *jcopy)
{
    World *w = node->world;
    MsNode *ms = node->priv;
    SimTime now = sim_world_now(w->sim);
    g_autofree char *jid = tracker_derive_id(w->tracker, msg_id, "journal");
    g_autofree char *jqid = node_new_queue_id(node);
    TrackMsg *parent = tracker_find(w->tracker, msg_id);
    TrackMsg *jm = tracker_add(w->tracker, jid, "journal", now);
    jm->parent = g_strdup(msg_id);
    jm->from = g_strdup(parent ? parent->from : NULL);
    jm->subject = g_strdup(parent ? parent->subject : NULL);
    jm->envelope_from = g_strdup("");
    jm->original = g_bytes_ref(jcopy);
    const char *to[] = {journal, NULL};
    track_msg_rcpt(jm, journal);
    track_msg_add_hop(jm, node->name, now, "journal", "envelope journaling", to, jqid);
    SimTraceRec *tr = world_trace(w, "msg.journal", node->name);
    sim_trace_str(tr, "msg", jid);
    sim_trace_str(tr, "about", msg_id);
    sim_trace_str(tr, "to", journal);
    sim_trace_end(tr);
    queue_submit(ms->journal_queue, jid, jqid, "", to, jcopy);
}

/* One journal copy per delivery, unless the journal itself was the only
 * recipient (no journal of the journal). */
static void
ms_archive_journal(Node *node, const char *qid, const char *msg_id, const char *mail_from,
                   char *const *rcpts, GBytes *copy)
{
    MsNode *ms = node->priv;
    g_autofree char *key = ms_archive_journal_key(node);
    if (key == NULL)
        return;
    gboolean others = FALSE;
    for (char *const *p = rcpts; p && *p && !others; p++)
        others = g_ascii_strcasecmp(*p, key) != 0;
    GPtrArray *box = g_hash_table_lookup(ms->mailboxes, key);
    if (!others || (box == NULL && ms->journal_queue == NULL))
        return;
    g_autofree char *env = ms_archive_envelope(mail_from, rcpts, key);
    g_autoptr(GBytes) jcopy = mail_message_bytes_prepend(copy, "X-Journal-Envelope", env);
    if (ms->journal_queue != NULL) {
        ms_archive_journal_send(node, msg_id, node->spec->journal, jcopy);
        return;
    }
    g_autoptr(GError) error = NULL;
    MailSpool *spool = world_spool(node->world, &error);
    MailSpoolRef ref;
    if (spool == NULL || !mail_spool_append(spool, jcopy, &ref, &error)) {
        ms_node_trace_spool_error(node, msg_id, error);
        return;
    }
    g_ptr_array_add(box, ms_message_new(node, qid, msg_id, &ref, COPY_KIND_JOURNAL));
    world_note_copy(node->world, msg_id, key, &ref);
    copies_hold(node->world, msg_id, node->name, COPY_KIND_JOURNAL, key);
}

void
ms_archive_deliver(Node *node, const char *qid, const char *msg_id, const char *mail_from,
                   char *const *rcpts, GBytes *copy, const MailSpoolRef *ref)
{
    MsNode *ms = node->priv;
    if (ms->backup != NULL) {
        const char *holder = node->spec->backup_node ? node->spec->backup_node : node->name;
        for (char *const *p = rcpts; p && *p; p++) {
            g_ptr_array_add(ms->backup, ms_message_new(node, qid, msg_id, ref, COPY_KIND_BACKUP));
            g_autofree char *key = g_ascii_strdown(*p, -1);
            copies_hold(node->world, msg_id, holder, COPY_KIND_BACKUP, key);
        }
    }
    ms_archive_journal(node, qid, msg_id, mail_from, rcpts, copy);
}
