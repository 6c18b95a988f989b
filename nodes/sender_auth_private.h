/* SPDX-License-Identifier: MIT
 * sender_auth_private: what sender_auth.c (DATA: DKIM, DMARC, headers),
 * sender_auth_spf.c (MAIL: SPF) and dkim_signer.c (keys, signing,
 * rewrites) share. Not for the other nodes/ files.
 */
#ifndef NODES_SENDER_AUTH_PRIVATE_H
#define NODES_SENDER_AUTH_PRIVATE_H

#include <glib.h>

#include "nodes/sender_auth.h"
#include "nodes/world_private.h"
#include "proto/dkim.h"
#include "proto/psl.h"
#include "proto/spf.h"

/* The SPF outcome of a connection's last MAIL, kept for DATA. */
typedef struct {
    SpfResult result;
    SpfIdentity identity;
    char *domain; /* the domain checked (MAIL FROM's, or the HELO name) */
    char *sender; /* the MAIL FROM address, "" for <> */
    char *helo;   /* nullable */
    char *ip;
    char *mechanism;   /* nullable: the deciding term */
    char *explanation; /* why, for people (exp= text or a local one) */
} SenderAuthSpf;

struct SenderAuth {
    Node *node;
    const NodeSpec *spec;
    DkimPrivateKey *key;     /* nullable: the node does not sign */
    Psl *psl;                /* nullable until the first DMARC check */
    GHashTable *spf;         /* conn id (guint64*) -> SenderAuthSpf* */
    DkimKeyCache *dkim_keys; /* nullable: key records parsed once (checks.dkim) */
};

void sender_auth_spf_free(SenderAuthSpf *s);
/* The SPF outcome recorded for the connection, or NULL (transfer none). */
const SenderAuthSpf *sender_auth_spf_lookup(SenderAuth *sa, guint64 conn_id);
/* "Received-SPF" value for s, receiver the checking host (transfer full). */
char *sender_auth_spf_received(const SenderAuthSpf *s, const char *receiver);

/* dkim_signer.c: the node's key (NULL when it does not sign) and its
 * record published. */
DkimPrivateKey *dkim_signer_key_new(Node *node);
/* The node's `rewrite` applied to msg (transfer full; a new reference to
 * msg when there is nothing to change). */
GBytes *dkim_signer_rewrite(Node *node, GBytes *msg);

/* The domain of the first mailbox of the From field, lower case, or NULL
 * (transfer full). */
char *sender_auth_from_domain(GBytes *msg);

#endif
