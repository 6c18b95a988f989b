/* SPDX-License-Identifier: MIT
 * key_cache: the store behind proto/seed_key.h. Derived keys are a pure
 * function of (type, seed), so they are kept in memory for the process (a
 * grader builds a world per seed, a batch reuses its probe's keys) and, for
 * RSA (TLS and S/MIME keys, derived DKIM keys), whose derivation is a prime
 * search of about a tenth of a second (seconds at 4096 bits), in
 * a directory shared by processes: one file per key, named by the
 * derivation digest, written atomically (temporary file + rename, mode
 * 0600) so that parallel graders may race to write the same key, and
 * verified on load (header, derivation digest, SHA-256 of the key text,
 * key type); a file that fails is ignored and rewritten, never trusted.
 * The keys are the simulated users' lab keys, as secret as the scenario
 * seed they come from. Not a cache of anything a run outputs.
 */
#ifndef APP_KEY_CACHE_H
#define APP_KEY_CACHE_H

#include <glib.h>

#include <openssl/evp.h>

#include "proto/seed_key.h"

typedef struct KeyCache KeyCache;

/* The environment variable naming the cache directory; "off" disables the
 * directory (keys are still kept in memory). */
#define KEY_CACHE_ENV "MHS_CACHE_DIR"

typedef struct {
    guint memory_hits; /* found in this process */
    guint disk_hits;   /* read from a valid file */
    guint misses;      /* not found: the caller derives */
    guint rejected;    /* files ignored: unreadable, corrupt, truncated, mismatching */
    guint written;     /* files written */
    guint write_errors;
    guint stale_removed; /* temporaries of killed writers removed */
} KeyCacheStats;

/* A temporary file of the cache (DIGEST.key.XXXXXX, from g_mkstemp())
 * modified longer ago than this is a killed writer's: the first use of the
 * cache's directory by a process removes it. A write takes milliseconds. */
#define KEY_CACHE_STALE_SECONDS (10 * 60)

/* A cache keeping its files in dir/keys/ (dir nullable: memory only). The
 * directory is created (0700) at the first write. (transfer full) */
KeyCache *key_cache_new(const char *dir);
/* The cache directory the environment asks for (transfer full, nullable):
 * $MHS_CACHE_DIR, NULL when it is "off", else GLib's user cache directory
 * + "/mhs" (XDG_CACHE_HOME, usually ~/.cache/mhs). */
char *key_cache_default_dir(void);
/* Frees c; uninstalls it first when it is installed. */
void key_cache_free(KeyCache *c);

/* Makes c the store of seed_key_derive() until key_cache_free(c). */
void key_cache_install(KeyCache *c);

/* (transfer none, nullable) Where c keeps its files: DIR/keys. */
const char *key_cache_dir(const KeyCache *c);
/* The path of the file of digest (transfer full, nullable: memory only, or
 * a kind that gets no file). kind: as seed_key_digest_kind() names it. */
char *key_cache_path(const KeyCache *c, const char *kind, const guint8 *digest);
/* Counters since key_cache_new(). */
KeyCacheStats key_cache_stats(const KeyCache *c);

/* The store's two operations, for tests and for callers that do not
 * install the cache: the key of digest (transfer full) or NULL; keep key
 * (a reference is taken). */
EVP_PKEY *key_cache_lookup(KeyCache *c, const char *kind, const guint8 *digest);
void key_cache_keep(KeyCache *c, const char *kind, const guint8 *digest, EVP_PKEY *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KeyCache, key_cache_free)

#endif
