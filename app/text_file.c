/* SPDX-License-Identifier: MIT
 * text_file: bounded whole-file reads with located NUL bytes (see
 * text_file.h).
 */
#include "app/text_file.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

char *
text_file_read(const char *path, const char *display, gsize max, gsize *len, GError **error)
{
    g_return_val_if_fail(path != NULL && display != NULL && len != NULL, NULL);
    GStatBuf st;
    if (g_stat(path, &st) == 0 && S_ISREG(st.st_mode) && (guint64)st.st_size > max) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "%s: file too large (%" G_GINT64_FORMAT " bytes, at most %" G_GSIZE_FORMAT ")",
                    display, (gint64)st.st_size, max);
        return NULL;
    }
    char *text = NULL;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(path, &text, len, &local)) {
        g_set_error(error, local->domain, local->code, "%s: %s", display, local->message);
        return NULL;
    }
    if (*len > max) { /* a pipe, or a file that grew meanwhile */
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "%s: file too large (%" G_GSIZE_FORMAT " bytes, at most %" G_GSIZE_FORMAT ")",
                    display, *len, max);
        g_free(text);
        return NULL;
    }
    const char *nul = memchr(text, '\0', *len);
    if (nul != NULL) {
        guint line = 1, col = 1;
        for (const char *p = text; p < nul; p++, col++)
            if (*p == '\n') {
                line++;
                col = 0;
            }
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:%u:%u: the file holds a NUL byte", display, line, col);
        g_free(text);
        return NULL;
    }
    return text;
}
