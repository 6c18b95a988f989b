/* SPDX-License-Identifier: MIT
 * sender_auth: sender authentication in the msa and mta roles. Signing:
 * DKIM (RFC 6376) on the mail a node relays for its `dkim.domain`, with a
 * key loaded or derived at world build and published in the zone.
 * Checking, at a receiving mta: SPF (RFC 7208) at MAIL, DKIM and DMARC
 * (RFC 7489) at DATA, each driving its proto/ engine with DNS answers from
 * world_resolve() in virtual time, then Authentication-Results (RFC 8601)
 * and Received-SPF (RFC 7208 9.1) on the accepted message, or a refusal
 * (550 5.7.23, RFC 7372; 550 5.7.1 for DMARC p=reject). The relay calls
 * three hooks: at MAIL, at DATA, and on the stamped message before queueing.
 */
#ifndef NODES_SENDER_AUTH_H
#define NODES_SENDER_AUTH_H

#include <glib.h>

#include "nodes/node.h"
#include "nodes/smtp_session.h"

typedef struct SenderAuth SenderAuth;

/* The node's signer and checker, or NULL when its spec asks for neither
 * (every hook accepts NULL). Derives or loads the DKIM key and adds its
 * key record to the scenario zone unless the zone already has that name.
 * (transfer full) */
SenderAuth *sender_auth_new(Node *node);
void sender_auth_free(SenderAuth *sa);

/* MAIL: starts the SPF check when configured and returns TRUE: the answer
 * to q is then given later, after the DNS round trips. FALSE: nothing to
 * do, the caller answers. */
gboolean sender_auth_on_mail(SenderAuth *sa, SmtpServerSession *ss, const SmtpServerQuery *q);

/* What the relay does with a message it accepts (q as at DATA; its message
 * may carry the headers added here). */
typedef void (*SenderAuthAcceptFunc)(Node *node, SmtpServerSession *ss, const SmtpServerQuery *q);

/* DATA: verifies DKIM, evaluates DMARC, applies the node's rewrite, then
 * either refuses (answering ss) or calls accept, at once or after DNS
 * round trips. With nothing configured accept is called with q as is. */
void sender_auth_on_data(SenderAuth *sa, Node *node, SmtpServerSession *ss,
                         const SmtpServerQuery *q, SenderAuthAcceptFunc accept);

/* The message to queue: msg (transfer full, taken) with a DKIM-Signature
 * on top when the node signs for its From domain, else msg itself
 * (transfer full). msg_id names the message in the trace. */
GBytes *sender_auth_sign(SenderAuth *sa, const char *msg_id, GBytes *msg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SenderAuth, sender_auth_free)

#endif
