/* SPDX-License-Identifier: MIT
 * tap_trace: the tap.observe records of what a tap on a link read off the
 * wire (proto/smtp_sniff.h events), shared by the eavesdropper and the mitm.
 */
#ifndef NODES_TAP_TRACE_H
#define NODES_TAP_TRACE_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/smtp_sniff.h"

/* One tap.observe record for ev on connection conn_id between the hosts
 * client and server (names). Decoded passwords appear: that is the point. */
void tap_trace_sniff(Node *node, guint64 conn_id, const char *client, const char *server,
                     const SmtpSniffEvent *ev);

#endif
