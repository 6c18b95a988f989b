/* SPDX-License-Identifier: MIT
 * world_copies: the delivered copies of a run (the bytes each store put in
 * each mailbox, Return-Path and Received included), listed in a fixed
 * order for exports and header analysis. The bytes live in the run's
 * mail spool (mail_spool.h); the table keeps where each copy is, so that
 * memory does not grow with the mail a run delivers.
 */
#include <string.h>

#include "nodes/mail_spool.h"
#include "nodes/world.h"
#include "nodes/world_private.h"

MailSpool *
world_spool(World *w, GError **error)
{
    if (w->spool == NULL)
        w->spool = mail_spool_new(error);
    return w->spool;
}

/* "msgid\nrcpt" in lower case: the copies table's key (transfer full). */
static char *
world_copy_key(const char *msg_id, const char *rcpt)
{
    g_autofree char *key = g_strconcat(msg_id, "\n", rcpt, NULL);
    return g_ascii_strdown(key, -1);
}

void
world_note_copy(World *w, const char *msg_id, const char *rcpt, const MailSpoolRef *ref)
{
    g_hash_table_replace(w->copies, world_copy_key(msg_id, rcpt), g_memdup2(ref, sizeof *ref));
}

GBytes *
world_copy_read(World *w, const char *msg_id, const char *rcpt, GError **error)
{
    g_return_val_if_fail(w != NULL && msg_id != NULL && rcpt != NULL, NULL);
    g_autofree char *key = world_copy_key(msg_id, rcpt);
    const MailSpoolRef *ref = g_hash_table_lookup(w->copies, key);
    if (ref == NULL)
        return NULL;
    /* A noted copy implies a spool: the store wrote it there first. */
    return mail_spool_read(w->spool, ref, error);
}

gboolean
world_foreach_copy(World *w, WorldCopyFunc fn, gpointer user_data, GError **error)
{
    g_return_val_if_fail(w != NULL && fn != NULL, FALSE);
    guint n = 0;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(w->copies, &n);
    qsort(keys, n, sizeof(gpointer), (int (*)(const void *, const void *))g_strcmp0);
    for (guint i = 0; i < n; i++) {
        const char *key = keys[i];
        const char *nl = strchr(key, '\n');
        g_autofree char *msg_id = g_strndup(key, nl ? (gsize)(nl - key) : strlen(key));
        const MailSpoolRef *ref = g_hash_table_lookup(w->copies, key);
        g_autoptr(GBytes) copy = mail_spool_read(w->spool, ref, error);
        if (copy == NULL)
            return FALSE;
        fn(msg_id, nl ? nl + 1 : "", copy, user_data);
    }
    return TRUE;
}
