/* SPDX-License-Identifier: MIT
 * run_smime: what `mhs run` shows and writes about end-to-end security:
 * the who-can-read / who-can-change table of each message (nodes/exposure.h)
 * and, on request, the scenario CA, the users' S/MIME certificates and keys
 * and the delivered copies as files, for `openssl cms` to check.
 */
#ifndef APP_RUN_SMIME_H
#define APP_RUN_SMIME_H

#include <stdio.h>

#include <glib.h>

#include "nodes/world.h"

/* Prints the exposure table of every S/MIME-protected message, or with
 * all of every mail and reply. */
void run_exposure_print(FILE *out, World *w, gboolean all);

/* Writes into dir (created): ca.pem; ADDRESS.pem and ADDRESS.key for every
 * user with a certificate; MSG.RCPT.eml for every delivered copy. FALSE
 * with error set when a file cannot be written. */
gboolean run_smime_export(World *w, const char *dir, GError **error);

#endif
