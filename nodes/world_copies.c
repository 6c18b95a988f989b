/* SPDX-License-Identifier: MIT
 * world_copies: the delivered copies of a run (the bytes each store put in
 * each mailbox, Return-Path and Received included), listed in a fixed
 * order for exports and header analysis. The bytes live in the run's
 * mail spool (mail_spool.h); the table keeps where each copy is, so that
 * memory does not grow with the mail a run delivers.
 */
#include <stddef.h>
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

/* One delivered copy: where it is, then its key "msgid\nrcpt" in lower
 * case. The table holds the key, and the key is its own value: one block
 * per copy and no values array (a million copies, a million blocks). */
typedef struct {
    MailSpoolRef ref;
    char key[];
} WorldCopy;

static WorldCopy *
world_copy_of_key(const char *key)
{
    return (WorldCopy *)(key - offsetof(WorldCopy, key));
}

static void
world_copy_free(gpointer key)
{
    g_free(world_copy_of_key(key));
}

GHashTable *
world_copies_table_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, world_copy_free, NULL);
}

/* "msgid\nrcpt" in lower case into key (msg_len + rcpt_len + 2 octets). */
static void
world_copy_key_write(char *key, const char *msg_id, gsize msg_len, const char *rcpt, gsize rcpt_len)
{
    memcpy(key, msg_id, msg_len);
    key[msg_len] = '\n';
    memcpy(key + msg_len + 1, rcpt, rcpt_len + 1);
    for (char *p = key; *p; p++)
        *p = g_ascii_tolower(*p);
}

void
world_note_copy(World *w, const char *msg_id, const char *rcpt, const MailSpoolRef *ref)
{
    gsize msg_len = strlen(msg_id), rcpt_len = strlen(rcpt);
    WorldCopy *c = g_malloc(sizeof *c + msg_len + rcpt_len + 2);
    c->ref = *ref;
    world_copy_key_write(c->key, msg_id, msg_len, rcpt, rcpt_len);
    /* A copy noted again replaces the old one (its block freed). */
    g_hash_table_add(w->copies, c->key);
}

/* The copy noted for msg_id and rcpt, or NULL. */
static const MailSpoolRef *
world_copy_lookup(World *w, const char *msg_id, const char *rcpt)
{
    gsize msg_len = strlen(msg_id), rcpt_len = strlen(rcpt);
    g_autofree char *key = g_malloc(msg_len + rcpt_len + 2);
    world_copy_key_write(key, msg_id, msg_len, rcpt, rcpt_len);
    const char *found = g_hash_table_lookup(w->copies, key);
    return found ? &world_copy_of_key(found)->ref : NULL;
}

GBytes *
world_copy_read(World *w, const char *msg_id, const char *rcpt, GError **error)
{
    g_return_val_if_fail(w != NULL && msg_id != NULL && rcpt != NULL, NULL);
    const MailSpoolRef *ref = world_copy_lookup(w, msg_id, rcpt);
    if (ref == NULL)
        return NULL;
    /* A noted copy implies a spool: the store wrote it there first. */
    return mail_spool_read(w->spool, ref, error);
}

/* qsort hands over pointers to the keys, not the keys. */
static int
world_copy_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

gboolean
world_foreach_copy(World *w, WorldCopyFunc fn, gpointer user_data, GError **error)
{
    g_return_val_if_fail(w != NULL && fn != NULL, FALSE);
    guint n = 0;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(w->copies, &n);
    qsort(keys, n, sizeof(gpointer), world_copy_key_cmp);
    for (guint i = 0; i < n; i++) {
        const char *key = keys[i];
        const char *nl = strchr(key, '\n');
        g_autofree char *msg_id = g_strndup(key, nl ? (gsize)(nl - key) : strlen(key));
        g_autoptr(GBytes) copy = mail_spool_read(w->spool, &world_copy_of_key(key)->ref, error);
        if (copy == NULL)
            return FALSE;
        fn(msg_id, nl ? nl + 1 : "", copy, user_data);
    }
    return TRUE;
}
