/* SPDX-License-Identifier: MIT
 * maildir_export: `mhs run --maildir DIR` writes every mailbox of every
 * message store as a Maildir (DIR/ADDRESS/{tmp,new,cur}), so that a real
 * mail reader (mutt, Python's mailbox module) can open what the run left.
 */
#ifndef APP_MAILDIR_EXPORT_H
#define APP_MAILDIR_EXPORT_H

#include <glib.h>

#include "nodes/world.h"

#define MAILDIR_EXPORT_ERROR (maildir_export_error_quark())
GQuark maildir_export_error_quark(void);
typedef enum {
    MAILDIR_EXPORT_ERROR_DIR = 1, /* DIR cannot be made or written */
    MAILDIR_EXPORT_ERROR_WRITE,   /* a message could not be written */
} MaildirExportError;

/* Makes dir (and parents) when missing and checks that it is a writable
 * directory, before anything runs. FALSE with error set otherwise. */
gboolean maildir_export_prepare(const char *dir, GError **error);

/* Writes every mailbox of every store of w under dir. Each message goes
 * to tmp/ first and is then linked into new/ (not yet retrieved) or cur/
 * with the S flag (retrieved with RETR and left on the server). On error
 * every message file written by this call is removed again: a reader
 * never sees half an export. *written (nullable) gets the message count. */
gboolean maildir_export_world(World *w, const char *dir, guint *written, GError **error);

/* The Maildir host part of a unique name: '/' and ':' encoded as
 * \057 and \072 (transfer full). */
char *maildir_export_host_part(const char *hostname);

#endif
