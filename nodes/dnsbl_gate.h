/* SPDX-License-Identifier: MIT
 * dnsbl_gate: an MTA's DNS blocklist checks (RFC 5782) on the connecting
 * client, like Postfix reject_rbl_client: each list of the node's `dnsbl`
 * setting is asked for the reversed client address (type A) through the
 * scenario's DNS, before the greeting. A listing is refused with 554 5.7.1
 * at connect or at RCPT as configured; postmaster@ and abuse@ stay
 * reachable when exempt_role_accounts is on (then a connect-time refusal
 * waits for RCPT, as Postfix smtpd_delay_reject does). Timeouts and
 * SERVFAIL never cause a 5xx: the client is treated as not listed.
 */
#ifndef NODES_DNSBL_GATE_H
#define NODES_DNSBL_GATE_H

#include <glib.h>

#include "nodes/node.h"
#include "nodes/smtp_session.h"

typedef struct DnsblGate DnsblGate;

/* NULL when the node has no lists (every call below accepts NULL). */
DnsblGate *dnsbl_gate_new(Node *node);
void dnsbl_gate_free(DnsblGate *g);

/* Answers the session's pending CONNECT query once the lists have been
 * asked: 220 (NULL answer) or the 554 refusal. */
void dnsbl_gate_on_connect(DnsblGate *g, SmtpServerSession *ss);
/* The refusal for a recipient of this session, or NULL (transfer full).
 * role_account: the recipient is exempt when the node says so. */
SmtpReply *dnsbl_gate_check_rcpt(DnsblGate *g, SmtpServerSession *ss, gboolean role_account);
/* Forgets the session's verdict. */
void dnsbl_gate_forget(DnsblGate *g, SmtpServerSession *ss);

#endif
