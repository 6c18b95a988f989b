/* SPDX-License-Identifier: MIT
 * tls_setup: the TLS side of a world (RFC 8446, RFC 5280). At build time
 * one Ed25519 scenario CA is made, and for every node with a TLS level a
 * certificate whose subjectAltName dNSName holds the node's hostname (and
 * its name when different), valid from the scenario epoch. Each such node
 * gets a server context (STARTTLS offered) and a client context that lives
 * for the whole run, so that session tickets resume to the same peer as
 * real MTAs do. Keys never leave memory and are never traced.
 */
#ifndef NODES_TLS_SETUP_H
#define NODES_TLS_SETUP_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/tls_pipe.h"

typedef struct WorldTls WorldTls;

/* Builds the CA and the nodes' contexts into w->tls. FALSE with error set
 * when OpenSSL refuses (a build problem, not a scenario one). A world
 * without any TLS level gets no CA at all. */
gboolean world_tls_setup(World *w, GError **error);
void world_tls_free(WorldTls *tls);

/* (transfer none, nullable) The node's server context: NULL when its
 * tls.server level is none. */
TlsContext *world_tls_server_context(World *w, const Node *node);
/* (transfer none, nullable) The node's client context: NULL when its
 * tls.client level is none. Verifies against the scenario CA (required at
 * verify and secure, reported otherwise) and caches sessions per peer. */
TlsContext *world_tls_client_context(World *w, const Node *node);
/* (transfer none, nullable) The node's POP3 client context (RFC 2595
 * STLS), made on first use; NULL when the world has no CA (no node has a
 * TLS level, so no store can offer STLS). It reports verification and
 * leaves the decision to the session. */
TlsContext *world_tls_pop3_client_context(World *w, const Node *node);
/* Installs or removes the contexts' key log hook after w->keylog changed
 * (world_set_keylog). */
void world_tls_keylog_changed(World *w);
/* (transfer none) The scenario CA, made now if no node needed it yet (the
 * S/MIME users' certificates come from it too); NULL with error set when
 * OpenSSL refuses. Call after world_tls_setup(). */
TlsIdentity *world_tls_ensure_ca(World *w, GError **error);
/* (transfer none, nullable) The scenario CA certificate. */
TlsIdentity *world_tls_ca(World *w);

#endif
