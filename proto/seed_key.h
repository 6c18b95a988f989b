/* SPDX-License-Identifier: MIT
 * seed_key: key pairs made from a seed, so that a simulated run that makes
 * its certificates (the scenario CA, S/MIME users) makes the same ones
 * again with the same seed: same keys, same certificates, same RSA
 * signatures. Ed25519 (RFC 8032 5.1.5) takes 32 octets of the seed
 * stream; P-256 (FIPS 186-4 B.4.1: extra random bits, reduced into
 * [1, n-1]) 40 octets; RSA the prime search of proto/dkim_keygen. Not for
 * real use: a key is as secret as its seed, usually written in a scenario.
 */
#ifndef PROTO_SEED_KEY_H
#define PROTO_SEED_KEY_H

#include <glib.h>

#include <openssl/evp.h>

#include "proto/tls_ca.h"

/* A key pair of type derived from seed (any length, any bytes)
 * (transfer full). Aborts only if OpenSSL fails on valid input. */
EVP_PKEY *seed_key_derive(TlsKeyType type, const guint8 *seed, gsize seed_len);

#endif
