/* SPDX-License-Identifier: MIT
 * mua_smime: the S/MIME side of the user's mail client (RFC 8551). On
 * send it signs, encrypts, or signs then encrypts the message it wrote,
 * with the user's certificate and key and the recipients' certificates
 * from the scenario CA, and traces each step of secure message creation
 * (smime.step). When a certificate is missing it refuses or sends the
 * message unprotected, as the mua's `smime_missing_cert` says. On fetch
 * it decrypts and verifies what arrived and records the verdict.
 */
#ifndef NODES_MUA_SMIME_H
#define NODES_MUA_SMIME_H

#include <glib.h>

#include "nodes/node.h"
#include "nodes/tracker.h"

/* Protects bytes (transfer none) for the recipients rcpts (NULL-terminated)
 * as mode says and returns what to submit (transfer full), or NULL when
 * the MUA refuses to send (a certificate is missing and the mua's
 * smime_missing_cert is refuse): the recipients are then marked rejected
 * at the MUA. SPEC_SMIME_NONE returns bytes itself (a new reference). */
GBytes *mua_smime_protect(Node *node, TrackMsg *m, SpecSmimeMode mode, char **rcpts, GBytes *bytes);

/* Decrypts and verifies a fetched copy (msg_id nullable: untracked) and
 * records the verdict as the note "smime" of the message at node:
 * "none", "verified", "failed", "decrypted" or "unreadable". */
void mua_smime_on_fetch(Node *node, const char *msg_id, GBytes *bytes);

#endif
