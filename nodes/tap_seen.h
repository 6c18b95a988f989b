/* SPDX-License-Identifier: MIT
 * tap_seen: what each eavesdropper or mitm read off its link during a run
 * (the `what` of its tap.observe records, with the user of credentials
 * and CRAM-MD5 exchanges), kept whether or not the run is traced, so that
 * the scenario expectation {tap: eve, saw: credentials, present: false}
 * can be checked after the run.
 */
#ifndef NODES_TAP_SEEN_H
#define NODES_TAP_SEEN_H

#include <glib.h>

#include "nodes/expect.h"
#include "nodes/world.h"

/* Notes that tap (a node name) saw what ("credentials", "tls-records"...);
 * user is nullable (credentials, cram-md5). */
void tap_seen_note(World *w, const char *tap, const char *what, const char *user);

/* The names `saw` accepts (the tap.observe `what` values), NULL-terminated. */
extern const char *const tap_seen_whats[];

/* Checks a SPEC_EXPECT_TAP expectation (transfer full). */
ExpectResult *tap_seen_check(World *w, const ExpectSpec *e);

/* Frees the run's notes (world_free). */
void tap_seen_free(GPtrArray *seen);

#endif
