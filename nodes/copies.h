/* SPDX-License-Identifier: MIT
 * copies: who holds a copy of each message, as the run goes. Every store,
 * queue and client that keeps the bytes of a message says so
 * (copy.held), and says so again when it lets them go (copy.gone): a
 * mailbox copy deleted by the user over POP3, a queue entry relayed or
 * bounced. What remains at the end of the run is what a subpoena, a
 * thief or a careless backup policy could still find: the journal and
 * backup copies that the user never asked for included.
 */
#ifndef NODES_COPIES_H
#define NODES_COPIES_H

#include <glib.h>

#include "nodes/expect.h"
#include "nodes/world.h"

typedef enum {
    COPY_KIND_MAILBOX = 0, /* a recipient's mailbox on a store */
    COPY_KIND_JOURNAL,     /* the store's journal mailbox (compliance archiving) */
    COPY_KIND_BACKUP,      /* the store's backup: survives POP3 DELE */
    COPY_KIND_QUEUE,       /* an MSA's or MTA's queue, until relayed or bounced */
    COPY_KIND_CLIENT,      /* a mua that fetched it (and keeps it) */
} CopyKind;

const char *copy_kind_name(CopyKind kind);
/* FALSE when name is not a kind. */
gboolean copy_kind_from_name(const char *name, CopyKind *out);

/* One copy held at the end of the run (strings borrowed from the world). */
typedef struct {
    const char *msg;
    const char *node;
    CopyKind kind;
    const char *where; /* mailbox address, queue id, or "" */
} CopyHeld;

/* The copies of msg_id held now, sorted by node, kind, where (transfer
 * container: CopyHeld* freed with the array). Empty when none. */
GPtrArray *world_copies_held(World *w, const char *msg_id);
/* Every message that ever had a copy, in the order of their first copy
 * (transfer container, borrowed strings). */
GPtrArray *world_copies_messages(World *w);
/* The sorted, distinct node names holding copies of msg_id (transfer full). */
char **world_copies_nodes(World *w, const char *msg_id);

/* Checks a copies_at or held_by expectation (transfer full). */
ExpectResult *copies_check(World *w, const ExpectSpec *e);

#endif
