/* SPDX-License-Identifier: MIT
 * grade_exposure: the answer check `equals_exposure: {message: m1, case:
 * tls, column: read}`: the student's list of parties is compared, as a
 * set, with the parties the simulator's exposure table (nodes/exposure.h)
 * marks in that column under that case, on every seed.
 */
#ifndef APP_GRADE_EXPOSURE_H
#define APP_GRADE_EXPOSURE_H

#include <glib.h>

#include "app/grade_spec.h"
#include "nodes/world.h"

/* Reads the mapping v of check c (lab.yaml); FALSE with error set. */
gboolean grade_exposure_read(GradeCheck *c, const GradeNode *v, GError **error);

/* The parties of c's column after the run w (transfer full), or NULL when
 * the message has no table (never sent). */
char **grade_exposure_parties(World *w, const GradeCheck *c);

/* TRUE when answer and parties hold the same names, in any order (names
 * compare case-insensitively; a repeated name counts once). */
gboolean grade_exposure_matches(const char *const *answer, const char *const *parties);

#endif
