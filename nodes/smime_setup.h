/* SPDX-License-Identifier: MIT
 * smime_setup: the users' S/MIME certificates (RFC 8550 3, RFC 5280). At
 * build time every user marked `smime` (in `users` or on its mua) gets a
 * certificate from the scenario CA with its address as the
 * subjectAltName rfc822Name, extendedKeyUsage emailProtection, an RSA-2048
 * or P-256 key, valid from the scenario epoch. Certificates are issued in
 * scenario order and keys derived from the run's seed and the address
 * (proto/seed_key.h), so a seed gives the same certificates; keys are
 * never traced. Certificates are public: any node may look one up (the
 * directory a real MUA would consult); private keys are used only by the
 * user's own MUA.
 */
#ifndef NODES_SMIME_SETUP_H
#define NODES_SMIME_SETUP_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/tls_ca.h"

typedef struct WorldSmime WorldSmime;

/* Issues the certificates into w->smime (nothing when no user has
 * `smime`) and traces one smime.cert record each. FALSE with error set
 * when OpenSSL refuses. Call after world_tls_setup(). */
gboolean world_smime_setup(World *w, GError **error);
void world_smime_free(WorldSmime *s);

/* (transfer none, nullable) The certificate and key of address. */
TlsIdentity *world_smime_identity(World *w, const char *address);
/* Addresses that have a certificate, sorted (transfer full). */
char **world_smime_users(World *w);
/* TRUE when the scenario uses S/MIME at all (a certificate or a send
 * with `smime`). */
gboolean world_smime_in_use(World *w);
/* (transfer full, nullable) The copy of msg_id stored for rcpt (world_copy_read). */
GBytes *world_delivered_copy(World *w, const char *msg_id, const char *rcpt);

#endif
