/* SPDX-License-Identifier: MIT
 * relay_policy: who may send mail through an MSA or MTA, in Postfix's
 * vocabulary (smtpd_relay_restrictions = permit_mynetworks,
 * permit_sasl_authenticated, reject_unauth_destination). A recipient in a
 * domain the node serves (local_domains, relay.domains, its own host name,
 * an address literal of its own IP) is accepted from any client; any other
 * recipient only from a client in the trusted networks (default: the
 * node's own /24, Postfix mynetworks_style=subnet) or when the node is an
 * open relay. An MSA accepts its clients' mail for anywhere (submission,
 * RFC 6409); requiring AUTH is the engine's job. Which domain a recipient
 * is judged by, and where it is finally routed, is proto/relay_addr's
 * reading with the node's misconfiguration switches; the classic mistakes
 * (relay domain "*", networks 0.0.0.0/0, open_relay, trust_helo, the
 * address tricks) are all scenario settings.
 */
#ifndef NODES_RELAY_POLICY_H
#define NODES_RELAY_POLICY_H

#include <glib.h>

#include "nodes/node.h"
#include "nodes/smtp_session.h"

typedef struct RelayPolicy RelayPolicy;

RelayPolicy *relay_policy_new(Node *node);
void relay_policy_free(RelayPolicy *p);

/* NULL when the recipient is accepted, else the refusal (transfer full). */
SmtpReply *relay_policy_check_rcpt(RelayPolicy *p, SmtpServerSession *ss, const SmtpServerQuery *q);
/* Where an accepted recipient of connection ss really goes when an address
 * trick rewrote it, else NULL (transfer none, valid until the session ends). */
const char *relay_policy_route(RelayPolicy *p, SmtpServerSession *ss, const char *rcpt);
/* Forgets what was noted for the session (call when it ends). */
void relay_policy_forget(RelayPolicy *p, SmtpServerSession *ss);
/* TRUE for postmaster@ and abuse@ of a domain the node serves, and for
 * the unqualified <Postmaster> (RFC 5321 4.5.1, RFC 2142 4). */
gboolean relay_policy_is_role_account(RelayPolicy *p, const SmtpServerQuery *q);

/* NULL when the message may be queued, else the refusal (transfer full):
 * more than 100 Received fields is a mail loop (RFC 5321 6.3). */
SmtpReply *relay_policy_check_data(RelayPolicy *p, const SmtpServerQuery *q);

/* CIDR helper: TRUE when ipv4 (host order) is inside "a.b.c.d/n". */
gboolean relay_policy_cidr_match(const char *cidr, guint32 ipv4);

#endif
