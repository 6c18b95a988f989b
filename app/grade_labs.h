/* SPDX-License-Identifier: MIT
 * grade_labs: where labs are found. A LAB argument is a directory holding
 * lab.yaml, or the name of one under the labs directory: its full name
 * (03-open-relay), its number (03) or its name without the number
 * (open-relay). The labs directory is the first that exists of
 * $MHS_LABS_DIR, ./labs, and labs/ next to the mhs binary or one or two
 * levels up from it (a build directory inside the source tree, or an
 * installed share/mhs/labs).
 */
#ifndef APP_GRADE_LABS_H
#define APP_GRADE_LABS_H

#include <glib.h>

/* The labs directory (transfer full), or NULL when none exists. */
char *grade_labs_dir(void);
/* The directory of lab (transfer full), or NULL with error set. */
char *grade_labs_resolve(const char *lab, GError **error);
/* Paths of every lab directory (holding lab.yaml) under dir, sorted
 * (transfer full). */
GPtrArray *grade_labs_list(const char *dir);
/* The running mhs binary (transfer full), or NULL. */
char *grade_labs_self(void);

#endif
