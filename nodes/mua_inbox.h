/* SPDX-License-Identifier: MIT
 * mua_inbox: the copies a mua fetched over POP3 and keeps (RFC 1939: the
 * client's copy outlives DELE at the store). The bytes go to the run's
 * mail spool, like the stores' copies, so that a client which keeps all
 * it fetches costs a few words per message in memory; only when the
 * spool refuses a write are the bytes kept in memory instead.
 */
#ifndef NODES_MUA_INBOX_H
#define NODES_MUA_INBOX_H

#include <glib.h>

#include "nodes/mail_spool.h"

typedef struct MuaInbox MuaInbox;

MuaInbox *mua_inbox_new(void);
void mua_inbox_free(MuaInbox *in);

/* Keeps a fetched copy of msg_id (nullable: untracked; copied) in
 * spool (nullable: then in memory). */
void mua_inbox_add(MuaInbox *in, MailSpool *spool, const char *msg_id, GBytes *bytes);
/* The newest kept copy of msg_id (transfer full), or NULL when none was
 * fetched, or with error when the spool cannot give it back. */
GBytes *mua_inbox_copy(const MuaInbox *in, MailSpool *spool, const char *msg_id, GError **error);
/* Copies kept so far. */
guint mua_inbox_count(const MuaInbox *in);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MuaInbox, mua_inbox_free)

#endif
