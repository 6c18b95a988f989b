/* SPDX-License-Identifier: MIT
 * seed_key: key pairs made from a seed, so that a simulated run that makes
 * its certificates (the scenario CA, S/MIME users) makes the same ones
 * again with the same seed: same keys, same certificates, same RSA
 * signatures. Ed25519 (RFC 8032 5.1.5) takes 32 octets of the seed
 * stream; P-256 (FIPS 186-4 B.4.1: extra random bits, reduced into
 * [1, n-1]) 40 octets; RSA the prime search of proto/dkim_keygen (also
 * behind derived DKIM keys of every size: seed_key_derive_rsa()). Not for
 * real use: a key is as secret as its seed, usually written in a scenario.
 * A key is a pure function of (type, seed), so a caller may install a
 * store (app/key_cache.h) that keeps derived keys by the digest of that
 * input: a store changes how long a derivation takes, never its key.
 */
#ifndef PROTO_SEED_KEY_H
#define PROTO_SEED_KEY_H

#include <glib.h>

#include <openssl/evp.h>

#include "proto/tls_ca.h"

/* A key pair of type derived from seed (any length, any bytes)
 * (transfer full). Aborts only if OpenSSL fails on valid input. */
EVP_PKEY *seed_key_derive(TlsKeyType type, const guint8 *seed, gsize seed_len);

/* RFC 8301 3.2's minimum; above the maximum a prime search takes seconds. */
#define SEED_KEY_RSA_MIN_BITS 1024
#define SEED_KEY_RSA_MAX_BITS 4096

/* An RSA key of bits bits (a multiple of 16 between the limits above)
 * derived from seed, through the store like seed_key_derive():
 * seed_key_derive_rsa(2048, ...) is seed_key_derive(TLS_KEY_RSA2048, ...).
 * (transfer full) */
EVP_PKEY *seed_key_derive_rsa(guint bits, const guint8 *seed, gsize seed_len);

/* Bump when any derivation above changes: it is part of every digest, so
 * keys kept by a store under an older derivation are never looked up. */
#define SEED_KEY_DERIVATION_VERSION 1
#define SEED_KEY_DIGEST_LEN 32

/* The name of a derived key: SHA-256 over "mhs-seed-key", the derivation
 * version, the key's kind and the seed (each length-prefixed). A kind is
 * tls_key_type_name(type) ("ed25519", "p256", "rsa2048"), or "rsa" and the
 * modulus size in decimal for seed_key_derive_rsa() ("rsa1024"). */
void seed_key_digest(TlsKeyType type, const guint8 *seed, gsize seed_len,
                     guint8 out[SEED_KEY_DIGEST_LEN]);
void seed_key_digest_kind(const char *kind, const guint8 *seed, gsize seed_len,
                          guint8 out[SEED_KEY_DIGEST_LEN]);

/* Where seed_key_derive() may find keys it derived before. lookup returns
 * the key named digest, of kind (as seed_key_digest_kind() names it),
 * (transfer full) or NULL; seed_key_derive() uses it only when it is a
 * consistent key pair of that kind (RSA: RFC 8017 3.2's
 * relations between n, e, d and the CRT values; others: OpenSSL's
 * pairwise check), else derives the key again. keep is given every key derived
 * (transfer none: take a reference to hold it). Both are called only from
 * seed_key_derive() and seed_key_derive_rsa(), on the caller's thread. */
typedef struct {
    EVP_PKEY *(*lookup)(gpointer data, const char *kind, const guint8 *digest);
    void (*keep)(gpointer data, const char *kind, const guint8 *digest, EVP_PKEY *key);
    gpointer data;
} SeedKeyStore;

/* Installs store (copied) for every later seed_key_derive() of the
 * process; NULL removes it. With none, every call derives. */
void seed_key_set_store(const SeedKeyStore *store);

#endif
