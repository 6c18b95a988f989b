/* SPDX-License-Identifier: MIT
 * mail_spool: the bytes of stored mail on disk, not in memory. One
 * append-only file per run (an unlinked temporary file: nothing is left
 * behind, whatever the exit); a stored copy is known by {offset, length}
 * and read back whole when somebody wants it. Appends are written at once
 * (no buffer), so that a failed write is known before the store answers
 * 250 (RFC 5321 6.1: a message is the receiver's once it says so).
 * Nothing here knows about mailboxes or deletion: the spool never shrinks.
 */
#ifndef NODES_MAIL_SPOOL_H
#define NODES_MAIL_SPOOL_H

#include <glib.h>

/* Where one stored copy lives in its spool. */
typedef struct {
    guint64 offset;
    gsize length;
} MailSpoolRef;

typedef struct MailSpool MailSpool;

/* A new spool in an unlinked temporary file under g_get_tmp_dir()
 * ($TMPDIR). NULL with error (G_FILE_ERROR) when it cannot be created. */
MailSpool *mail_spool_new(GError **error);
/* A spool appending to the file at path (created, never truncated, not
 * unlinked): for tests and tools. NULL with error when it cannot open. */
MailSpool *mail_spool_new_at(const char *path, GError **error);
void mail_spool_free(MailSpool *s);

/* Appends bytes; *out says where they went. FALSE with error
 * (G_FILE_ERROR, naming the spool) when the write fails: nothing counts
 * as stored then, and the next append starts at the same offset. */
gboolean mail_spool_append(MailSpool *s, GBytes *bytes, MailSpoolRef *out, GError **error);
/* The stored copy at ref (transfer full), or NULL with error when it
 * cannot be read whole (a ref beyond the end included). */
GBytes *mail_spool_read(MailSpool *s, const MailSpoolRef *ref, GError **error);
/* Bytes appended so far. */
guint64 mail_spool_size(const MailSpool *s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MailSpool, mail_spool_free)

#endif
