/* SPDX-License-Identifier: MIT
 * Tests for derived DKIM RSA keys in app/key_cache: a cold cache derives
 * the key once and files it under the kind "rsa" BITS, a warm cache (a
 * new process) reads it back and gives the same key record byte for byte
 * as a derivation without any cache; a corrupted file is ignored, the key
 * derived again and the file rewritten as it was; a 2048-bit DKIM key is
 * the derivation of an RSA-2048 TLS key of the same seed, kept once.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "app/key_cache.h"
#include "helper_fs.h"
#include "proto/dkim_keygen.h"
#include "proto/seed_key.h"
#include "proto/tls_autocleanups.h"

static const guint8 test_seed[] = "dkim key cache test seed";

/* The key record of the RSA DKIM key of bits for test_seed. */
static char *
record_of(guint bits)
{
    g_autoptr(GError) error = NULL;
    DkimPrivateKey *k =
        dkim_private_key_derive(DKIM_ALG_RSA_SHA256, bits, test_seed, sizeof test_seed, &error);
    g_assert_no_error(error);
    char *txt = dkim_private_key_record(k);
    dkim_private_key_free(k);
    return txt;
}

/* Derives the key of bits for test_seed through a new cache of root (a new
 * process) and returns its record; *stats gets the cache's counters. */
static char *
record_through(const char *root, guint bits, KeyCacheStats *stats)
{
    KeyCache *c = key_cache_new(root);
    key_cache_install(c);
    char *txt = record_of(bits);
    *stats = key_cache_stats(c);
    key_cache_free(c);
    return txt;
}

static char *
file_of(const char *root, const char *kind)
{
    guint8 digest[SEED_KEY_DIGEST_LEN];
    seed_key_digest_kind(kind, test_seed, sizeof test_seed, digest);
    g_autoptr(KeyCache) c = key_cache_new(root);
    return key_cache_path(c, kind, digest);
}

static void
test_cold_warm_corrupt(void)
{
    g_autofree char *root = g_dir_make_tmp("mhs-dkim-cache-XXXXXX", NULL);
    g_assert_nonnull(root);
    g_autofree char *want = record_of(1024); /* no store: derived */
    g_assert_true(g_str_has_prefix(want, "v=DKIM1; k=rsa; p="));

    KeyCacheStats s;
    g_autofree char *cold = record_through(root, 1024, &s);
    g_assert_cmpstr(cold, ==, want);
    g_assert_cmpuint(s.misses, ==, 1);
    g_assert_cmpuint(s.written, ==, 1);
    g_autofree char *path = file_of(root, "rsa1024");
    g_autofree char *good = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &good, &len, NULL));
    g_assert_nonnull(strstr(good, "\ntype rsa1024\n"));

    /* Warm: read from the file, not derived, the same record. */
    g_autofree char *warm = record_through(root, 1024, &s);
    g_assert_cmpstr(warm, ==, want);
    g_assert_cmpuint(s.disk_hits, ==, 1);
    g_assert_cmpuint(s.misses, ==, 0);
    g_assert_cmpuint(s.written, ==, 0);

    /* Another size is another key, under another name. */
    g_autofree char *other = file_of(root, "rsa1040");
    g_assert_cmpstr(other, !=, path);

    /* Corrupted (a flipped octet in the key's lines): ignored, derived
     * again, and the file written back whole. */
    g_autofree char *bad = g_memdup2(good, len);
    bad[len - 10] ^= 0x01;
    g_assert_true(g_file_set_contents(path, bad, (gssize)len, NULL));
    g_autofree char *repaired = record_through(root, 1024, &s);
    g_assert_cmpstr(repaired, ==, want);
    g_assert_cmpuint(s.rejected, ==, 1);
    g_assert_cmpuint(s.written, ==, 1);
    g_autofree char *again = NULL;
    gsize again_len = 0;
    g_assert_true(g_file_get_contents(path, &again, &again_len, NULL));
    g_assert_cmpmem(again, again_len, good, len);
    g_autofree char *after = record_through(root, 1024, &s);
    g_assert_cmpuint(s.disk_hits, ==, 1);
    test_rm_rf(root);
}

/* The default size is the TLS RSA key's derivation: one file, one key. */
static void
test_default_size(void)
{
    g_autofree char *root = g_dir_make_tmp("mhs-dkim-cache-XXXXXX", NULL);
    g_assert_nonnull(root);
    KeyCache *c = key_cache_new(root);
    key_cache_install(c);
    g_autofree char *txt = record_of(0);
    g_assert_cmpuint(key_cache_stats(c).misses, ==, 1);
    g_autoptr(EVP_PKEY) tls = seed_key_derive(TLS_KEY_RSA2048, test_seed, sizeof test_seed);
    KeyCacheStats s = key_cache_stats(c);
    g_assert_cmpuint(s.memory_hits, ==, 1);
    g_assert_cmpuint(s.written, ==, 1);
    g_assert_cmpint(EVP_PKEY_get_bits(tls), ==, 2048);
    key_cache_free(c);
    g_autofree char *path = file_of(root, "rsa2048");
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    g_autofree char *uncached = record_of(2048);
    g_assert_cmpstr(uncached, ==, txt);
    test_rm_rf(root);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/key-cache-dkim/cold-warm-corrupt", test_cold_warm_corrupt);
    g_test_add_func("/app/key-cache-dkim/default-size", test_default_size);
    return g_test_run();
}
