/* SPDX-License-Identifier: MIT
 * mua_mdn: what a mail client does with a read-receipt request (RFC 8098)
 * in a message it has just fetched: answer with an MDN or not, by its
 * `mdn` setting, and say why in the trace (mdn.decision).
 */
#ifndef NODES_MUA_MDN_H
#define NODES_MUA_MDN_H

#include <glib.h>

#include "nodes/node.h"

/* Considers the request in bytes (the fetched copy of msg_id, nullable for
 * untracked mail). answered: Message-IDs already answered by this client
 * (the set is updated). */
void mua_mdn_consider(Node *node, GHashTable *answered, const char *msg_id, GBytes *bytes);

/* mua_node.c: submits a report written by the client (an MDN) with the
 * null reverse path (RFC 8098 3) to rcpt, tracked as id of kind, about
 * parent. */
void mua_node_submit_report(Node *node, const char *id, const char *kind, const char *parent,
                            const char *rcpt, const char *message_id, GBytes *bytes);

#endif
