/* SPDX-License-Identifier: MIT
 * mua_inbox: a mua's kept copies as small fixed records (an index into
 * the spool) in one array, newest last.
 */
#include "nodes/mua_inbox.h"

typedef struct {
    char *msg_id;     /* nullable: untracked */
    MailSpoolRef ref; /* where the bytes are, when bytes is NULL */
    GBytes *bytes;    /* nullable: kept in memory (the spool refused them) */
} MuaKept;

struct MuaInbox {
    GArray *kept; /* MuaKept, in fetch order */
};

static void
mua_kept_clear(gpointer p)
{
    MuaKept *k = p;
    g_free(k->msg_id);
    if (k->bytes != NULL)
        g_bytes_unref(k->bytes);
}

MuaInbox *
mua_inbox_new(void)
{
    MuaInbox *in = g_new0(MuaInbox, 1);
    in->kept = g_array_new(FALSE, FALSE, sizeof(MuaKept));
    g_array_set_clear_func(in->kept, mua_kept_clear);
    return in;
}

void
mua_inbox_free(MuaInbox *in)
{
    if (in == NULL)
        return;
    g_array_unref(in->kept);
    g_free(in);
}

void
mua_inbox_add(MuaInbox *in, MailSpool *spool, const char *msg_id, GBytes *bytes)
{
    g_return_if_fail(in != NULL && bytes != NULL);
    MuaKept k = {.msg_id = g_strdup(msg_id)};
    if (spool == NULL || !mail_spool_append(spool, bytes, &k.ref, NULL))
        k.bytes = g_bytes_ref(bytes);
    g_array_append_val(in->kept, k);
}

GBytes *
mua_inbox_copy(const MuaInbox *in, MailSpool *spool, const char *msg_id, GError **error)
{
    g_return_val_if_fail(in != NULL, NULL);
    for (guint i = in->kept->len; i > 0; i--) {
        const MuaKept *k = &g_array_index(in->kept, MuaKept, i - 1);
        if (g_strcmp0(k->msg_id, msg_id) != 0)
            continue;
        if (k->bytes != NULL)
            return g_bytes_ref(k->bytes);
        if (spool == NULL) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                        "fetched copy of %s: no mail spool", msg_id ? msg_id : "?");
            return NULL;
        }
        return mail_spool_read(spool, &k->ref, error);
    }
    return NULL;
}

guint
mua_inbox_count(const MuaInbox *in)
{
    return in->kept->len;
}
