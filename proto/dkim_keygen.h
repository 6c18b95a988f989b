/* SPDX-License-Identifier: MIT
 * dkim_keygen: DKIM signing keys made from a seed, so that a simulated run
 * that generates its keys is still reproducible (same seed, same key, same
 * signatures, same key records in the trace). Ed25519 (RFC 8032 5.1.5: the
 * private key is 32 octets) takes the seed hashed; RSA (RFC 8017 3.2) takes
 * primes searched from a SHA-256 counter stream. Not for real mail: keys
 * are as secret as the seed, which is usually written in a scenario file.
 */
#ifndef PROTO_DKIM_KEYGEN_H
#define PROTO_DKIM_KEYGEN_H

#include <glib.h>

#include "proto/dkim.h"

/* RFC 8301 3.2: verifiers refuse RSA keys under 1024 bits. */
#define DKIM_KEYGEN_RSA_MIN_BITS 1024
/* Not an RFC limit: larger keys take seconds to derive. */
#define DKIM_KEYGEN_RSA_MAX_BITS 4096

/* A private key for alg derived from seed (any length). rsa_bits: modulus
 * size for RSA (0 = 2048; a multiple of 16 between the limits above),
 * ignored for Ed25519. NULL with DKIM_ERROR_CONFIG for rsa-sha1 or a bad
 * size. (transfer full) */
DkimPrivateKey *dkim_private_key_derive(DkimAlg alg, guint rsa_bits, const guint8 *seed,
                                        gsize seed_len, GError **error);

/* The whole TXT key record for k: "v=DKIM1; k=ed25519; p=..." (RFC 6376
 * 3.6.1, RFC 8463 4). (transfer full) */
char *dkim_private_key_record(const DkimPrivateKey *k);

#endif
