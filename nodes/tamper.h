/* SPDX-License-Identifier: MIT
 * tamper: an mta under an attacker's control changes the mail it relays
 * (`tamper` in the scenario): text replaced in the body, a line appended
 * to it. What the S/MIME lab shows: a signature (RFC 8551 3.5) or a DKIM
 * body hash (RFC 6376 3.7) detects the change, TLS between hops does not,
 * because the change happens where the message is in clear.
 */
#ifndef NODES_TAMPER_H
#define NODES_TAMPER_H

#include <glib.h>

#include "nodes/node.h"

/* Applies node's tamper settings to msg (transfer full) and returns the
 * message to forward (transfer full): msg itself when the node does not
 * tamper. Traces msg.tamper and notes "tamper" on the message. */
GBytes *tamper_apply(Node *node, const char *msg_id, GBytes *msg);

#endif
