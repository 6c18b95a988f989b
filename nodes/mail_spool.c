/* SPDX-License-Identifier: MIT
 * mail_spool: append-only message bytes in one file, read back by
 * {offset, length}. Plain pwrite/pread at explicit offsets: the file
 * position is never used, so a read between two appends cannot move where
 * the next append goes.
 */
#include "nodes/mail_spool.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

struct MailSpool {
    int fd;
    guint64 end;   /* bytes appended so far: where the next append goes */
    char *name;    /* for error messages */
};

static void
mail_spool_set_errno(GError **error, int err, const char *what, const MailSpool *s)
{
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "mail spool %s: %s: %s",
                s->name, what, g_strerror(err));
}

MailSpool *
mail_spool_new(GError **error)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("mhs-spool-XXXXXX", &path, error);
    if (fd < 0)
        return NULL;
    /* Unlinked at once: the bytes live as long as the descriptor, and a
     * crashed or interrupted run leaves no file behind. */
    g_unlink(path);
    MailSpool *s = g_new0(MailSpool, 1);
    s->fd = fd;
    s->name = g_steal_pointer(&path);
    return s;
}

MailSpool *
mail_spool_new_at(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    int fd = g_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "mail spool %s: cannot open: %s", path, g_strerror(err));
        return NULL;
    }
    MailSpool *s = g_new0(MailSpool, 1);
    s->fd = fd;
    s->name = g_strdup(path);
    off_t end = lseek(fd, 0, SEEK_END);
    s->end = end > 0 ? (guint64)end : 0;
    return s;
}

void
mail_spool_free(MailSpool *s)
{
    if (s == NULL)
        return;
    close(s->fd);
    g_free(s->name);
    g_free(s);
}

gboolean
mail_spool_append(MailSpool *s, GBytes *bytes, MailSpoolRef *out, GError **error)
{
    g_return_val_if_fail(s != NULL && bytes != NULL && out != NULL, FALSE);
    gsize len = 0;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    gsize done = 0;
    while (done < len) {
        ssize_t n = pwrite(s->fd, data + done, len - done, (off_t)(s->end + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            mail_spool_set_errno(error, n < 0 ? errno : ENOSPC, "cannot write", s);
            return FALSE;
        }
        done += (gsize)n;
    }
    out->offset = s->end;
    out->length = len;
    s->end += len;
    return TRUE;
}

GBytes *
mail_spool_read(MailSpool *s, const MailSpoolRef *ref, GError **error)
{
    g_return_val_if_fail(s != NULL && ref != NULL, NULL);
    if (ref->offset > s->end || ref->length > s->end - ref->offset) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "mail spool %s: no copy at %" G_GUINT64_FORMAT "+%" G_GSIZE_FORMAT, s->name,
                    ref->offset, ref->length);
        return NULL;
    }
    guint8 *buf = g_malloc(ref->length ? ref->length : 1);
    gsize done = 0;
    while (done < ref->length) {
        ssize_t n = pread(s->fd, buf + done, ref->length - done, (off_t)(ref->offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            mail_spool_set_errno(error, n < 0 ? errno : EIO, "cannot read", s);
            g_free(buf);
            return NULL;
        }
        done += (gsize)n;
    }
    return g_bytes_new_take(buf, ref->length);
}

guint64
mail_spool_size(const MailSpool *s)
{
    return s->end;
}
