/* SPDX-License-Identifier: MIT
 * client_refusal: what a sending client (a mua, the webmail's virtual MUA,
 * a spammer) records when its server refuses recipients: each one's status
 * in the tracker and a client-side msg.reject record (docs/trace.md),
 * written in one place so the three cannot drift apart.
 */
#ifndef NODES_CLIENT_REFUSAL_H
#define NODES_CLIENT_REFUSAL_H

#include <glib.h>

#include "nodes/node.h"
#include "nodes/smtp_session.h"
#include "nodes/tracker.h"

/* Called for each refused recipient i after its status is set and before
 * its msg.reject record is written. */
typedef void (*ClientRefusalFn)(TrackMsg *m, const SmtpClientOutcome *o, guint i,
                                gpointer user_data);

/* For every recipient of o that was not delivered: marks it rejected in m
 * (with the server's reply, or the outcome's detail when no reply came) and
 * traces msg.reject at node, naming the server as "by". Returns how many
 * were refused; nothing is recorded when m is NULL. each may be NULL. */
guint client_refusal_record(Node *node, TrackMsg *m, const char *msg_id, SmtpClientSession *cs,
                            const SmtpClientOutcome *o, ClientRefusalFn each, gpointer user_data);

#endif
