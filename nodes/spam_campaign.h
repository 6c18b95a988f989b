/* SPDX-License-Identifier: MIT
 * spam_campaign: what a `spammer` node sends when a `traffic` event names
 * it: one message per recipient, straight to the recipient domain's MX
 * (RFC 5321 5.1 lookup) or through a chosen relay, with whatever the
 * campaign forges: EHLO name, envelope sender (an innocent victim, who
 * then receives the backscatter of relays that accept and later bounce),
 * From, Sender, Date, Message-ID and fake Received fields prepended
 * (RFC 5322 3.6). At the end of the run every spam message gets one
 * `spam.verdict` record per recipient: where it stopped and why.
 */
#ifndef NODES_SPAM_CAMPAIGN_H
#define NODES_SPAM_CAMPAIGN_H

#include <glib.h>

#include "nodes/node.h"
#include "nodes/tracker.h"
#include "nodes/world_spec.h"

/* Tracker kind of campaign messages, and the tracker note keys set on
 * them (by the spammer node): "campaign", "stage" (when the spammer's own
 * session was refused: CONNECT, EHLO, MAIL, RCPT, DATA, DOT). */
#define SPAM_TRACK_KIND "spam"

/* Sends message number n (0-based) of campaign t from spammer now; id is
 * its tracker id, body the shared body text (LF line ends allowed). */
void spam_campaign_send(Node *spammer, const TrafficSpec *t, guint n, const char *id,
                        const char *subject, const char *body);

/* Writes the `spam.verdict` records (end of run, after every queue has
 * reported what it still holds). */
void spam_campaign_report(World *w);

/* The node where recipient rcpt of a campaign message stopped (transfer
 * none, nullable): the store for delivered mail, else the deciding node. */
const char *spam_campaign_stop_node(const TrackMsg *m, const TrackRcpt *r);

#endif
