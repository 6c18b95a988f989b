/* SPDX-License-Identifier: MIT
 * text_file: reading a whole text file a user hands mhs (a scenario, a
 * lab's grading spec, a student's submission) with the same checks
 * everywhere: a regular file over the caller's bound is refused before it
 * is read, and a NUL byte (which would cut the text short for the YAML
 * parser) is reported where it is.
 */
#ifndef APP_TEXT_FILE_H
#define APP_TEXT_FILE_H

#include <glib.h>

/* Reads path whole (transfer full; NUL-terminated, *len without it).
 * NULL with *error set, its message naming display: "DISPLAY: <why>",
 * "DISPLAY: file too large (N bytes, at most MAX)" or "DISPLAY:LINE:COL:
 * the file holds a NUL byte". The callers put the message in their own
 * error domain. */
char *text_file_read(const char *path, const char *display, gsize max, gsize *len,
                     GError **error);

#endif
