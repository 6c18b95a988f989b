/* SPDX-License-Identifier: MIT
 * copies_private: how roles inside nodes/ report the copies they keep
 * (copies.h). Not for app/.
 */
#ifndef NODES_COPIES_PRIVATE_H
#define NODES_COPIES_PRIVATE_H

#include <glib.h>

#include "nodes/copies.h"

typedef struct CopyLedger CopyLedger;

/* node now keeps one more copy of msg (kind, where: nullable). Traced as
 * copy.held. */
void copies_hold(World *w, const char *msg, const char *node, CopyKind kind, const char *where);
/* node let one copy go, for reason (nullable). Traced as copy.gone; a
 * copy never held is ignored. */
void copies_release(World *w, const char *msg, const char *node, CopyKind kind, const char *where,
                    const char *reason);
void copy_ledger_free(CopyLedger *l);

#endif
