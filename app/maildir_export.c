/* SPDX-License-Identifier: MIT
 * maildir_export: Maildir writing per the format's description
 * (cr.yp.to/proto/maildir.html, and the Courier maildir(5) notes on
 * flags): a file is created in tmp/ under a unique name
 * "TIME.M<usec>P<pid>Q<n>.HOST", written and synced, then linked into
 * new/ (or cur/ as "NAME:2,S" when the user has seen it) and unlinked
 * from tmp/; link() never replaces an existing file. TIME is the virtual
 * delivery time. Lines are stored with LF endings, as local mail readers
 * expect. Backup copies are not mailboxes and are not written.
 */
#include "app/maildir_export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "nodes/ms_node.h"

G_DEFINE_QUARK(maildir - export - error - quark, maildir_export_error)

gboolean
maildir_export_prepare(const char *dir, GError **error)
{
    if (g_file_test(dir, G_FILE_TEST_EXISTS) && !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, MAILDIR_EXPORT_ERROR, MAILDIR_EXPORT_ERROR_DIR,
                    "'%s' is not a directory", dir);
        return FALSE;
    }
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        int e = errno;
        g_set_error(error, MAILDIR_EXPORT_ERROR, MAILDIR_EXPORT_ERROR_DIR,
                    "cannot create directory '%s': %s", dir, g_strerror(e));
        return FALSE;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        int e = errno;
        g_set_error(error, MAILDIR_EXPORT_ERROR, MAILDIR_EXPORT_ERROR_DIR,
                    "cannot write in '%s': %s", dir, g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

char *
maildir_export_host_part(const char *hostname)
{
    GString *s = g_string_new(NULL);
    for (const char *p = hostname; *p; p++) {
        if (*p == '/')
            g_string_append(s, "\\057");
        else if (*p == ':')
            g_string_append(s, "\\072");
        else
            g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

typedef struct {
    const char *dir;
    GPtrArray *done; /* char* paths written, removed again on error */
    long pid;
} MaildirExport;

/* Q<n>: unique in this process across exports (the Maildir convention's
 * delivery counter), so that two exports into one DIR never collide. */
static guint maildir_export_serial;

static gboolean
maildir_export_fail(GError **error, int code, const char *what, const char *path, int err)
{
    g_set_error(error, MAILDIR_EXPORT_ERROR, code, "cannot %s '%s': %s", what, path,
                g_strerror(err));
    return FALSE;
}

/* DIR/BOX/{tmp,new,cur} (RFC-less, Maildir convention: all three exist). */
static gboolean
maildir_export_make_box(const char *box, GError **error)
{
    static const char *const subs[] = {"tmp", "new", "cur"};
    for (guint i = 0; i < G_N_ELEMENTS(subs); i++) {
        g_autofree char *p = g_build_filename(box, subs[i], NULL);
        if (g_mkdir_with_parents(p, 0700) != 0)
            return maildir_export_fail(error, MAILDIR_EXPORT_ERROR_DIR, "create", p, errno);
    }
    return TRUE;
}

/* The bytes with CRLF turned into LF (transfer full). */
static GString *
maildir_export_lf(GBytes *bytes)
{
    gsize n;
    const char *d = g_bytes_get_data(bytes, &n);
    GString *s = g_string_sized_new(n);
    for (gsize i = 0; i < n; i++) {
        if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
            continue;
        g_string_append_c(s, d[i]);
    }
    return s;
}

static gboolean
maildir_export_write_file(const char *path, const GString *s, GError **error)
{
    int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return maildir_export_fail(error, MAILDIR_EXPORT_ERROR_WRITE, "create", path, errno);
    gsize off = 0;
    while (off < s->len) {
        ssize_t k = write(fd, s->str + off, s->len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : EIO;
            close(fd);
            g_unlink(path);
            return maildir_export_fail(error, MAILDIR_EXPORT_ERROR_WRITE, "write", path, e);
        }
        off += (gsize)k;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        g_unlink(path);
        return maildir_export_fail(error, MAILDIR_EXPORT_ERROR_WRITE, "write", path, e);
    }
    return TRUE;
}

/* One message: tmp/NAME, then new/NAME or cur/NAME:2,S. */
static gboolean
maildir_export_message(MaildirExport *x, Node *ms, const char *box, const char *host,
                       gint64 epoch, const MsMessage *mm, GError **error)
{
    g_autoptr(GBytes) bytes = ms_node_message_bytes(ms, mm, error);
    if (bytes == NULL)
        return FALSE;
    gint64 usec = mm->delivered_at;
    g_autofree char *name = g_strdup_printf(
        "%" G_GINT64_FORMAT ".M%06" G_GINT64_FORMAT "P%ldQ%u.%s", epoch + usec / G_USEC_PER_SEC,
        usec % G_USEC_PER_SEC, x->pid, ++maildir_export_serial, host);
    g_autofree char *tmp = g_build_filename(box, "tmp", name, NULL);
    g_autofree char *final_name = mm->retrieved ? g_strconcat(name, ":2,S", NULL) : g_strdup(name);
    g_autofree char *final_path =
        g_build_filename(box, mm->retrieved ? "cur" : "new", final_name, NULL);
    GString *text = maildir_export_lf(bytes);
    gboolean ok = maildir_export_write_file(tmp, text, error);
    g_string_free(text, TRUE);
    if (!ok)
        return FALSE;
    if (link(tmp, final_path) != 0) {
        int e = errno;
        g_unlink(tmp);
        return maildir_export_fail(error, MAILDIR_EXPORT_ERROR_WRITE, "link", final_path, e);
    }
    g_unlink(tmp);
    g_ptr_array_add(x->done, g_steal_pointer(&final_path));
    return TRUE;
}

static gboolean
maildir_export_store(MaildirExport *x, Node *ms, gint64 epoch, GError **error)
{
    g_auto(GStrv) names = ms_node_mailbox_names(ms);
    g_autofree char *host = maildir_export_host_part(ms->hostname);
    for (char **a = names; *a; a++) {
        if (strchr(*a, '/') != NULL || (*a)[0] == '.')
            continue; /* never a path outside DIR (addresses come from the scenario) */
        g_autofree char *box = g_build_filename(x->dir, *a, NULL);
        if (!maildir_export_make_box(box, error))
            return FALSE;
        GPtrArray *msgs = ms_node_mailbox(ms, *a);
        for (guint i = 0; msgs && i < msgs->len; i++) {
            const MsMessage *mm = msgs->pdata[i];
            if (!mm->deleted && !maildir_export_message(x, ms, box, host, epoch, mm, error))
                return FALSE;
        }
    }
    return TRUE;
}

gboolean
maildir_export_world(World *w, const char *dir, guint *written, GError **error)
{
    const WorldSpec *spec = world_spec(w);
    MaildirExport x = {
        .dir = dir,
        .done = g_ptr_array_new_with_free_func(g_free),
        .pid = (long)getpid(),
    };
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < spec->nodes->len; i++) {
        const NodeSpec *ns = spec->nodes->pdata[i];
        Node *ms = ns->role == SPEC_ROLE_MS ? ms_node_lookup(w, ns->name) : NULL;
        if (ms != NULL)
            ok = maildir_export_store(&x, ms, spec->epoch_unix, error);
    }
    if (!ok) {
        for (guint i = 0; i < x.done->len; i++)
            g_unlink(x.done->pdata[i]);
    } else if (written) {
        *written = x.done->len;
    }
    g_ptr_array_unref(x.done);
    return ok;
}
