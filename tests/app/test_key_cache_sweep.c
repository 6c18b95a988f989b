/* SPDX-License-Identifier: MIT
 * Tests for app/key_cache's sweep of temporaries left by killed writers:
 * at the cache's first use in a process, DIGEST.key.XXXXXX files older
 * than KEY_CACHE_STALE_SECONDS go; a fresh one (another process may be
 * writing it now), real keys, other names, a directory of that name and an
 * old temporary reached through a symbolic link stay. A second use does
 * not sweep again; a cache without a directory, or whose directory does
 * not exist yet, sweeps nothing.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "app/key_cache.h"
#include "helper_fs.h"
#include "proto/tls_autocleanups.h"

/* Creates dir/name, modified age seconds ago; returns its path. */
static char *
put(const char *dir, const char *name, gint64 age)
{
    char *path = g_build_filename(dir, name, NULL);
    g_assert_true(g_file_set_contents(path, "partial", 7, NULL));
    if (age > 0) {
        gint64 now = g_get_real_time() / G_USEC_PER_SEC;
        struct utimbuf t = {.actime = (time_t)(now - age), .modtime = (time_t)(now - age)};
        g_assert_cmpint(g_utime(path, &t), ==, 0);
    }
    return path;
}

/* The digest of a key that is not in the cache: the sweep's trigger. */
static void
absent_digest(guint8 *digest)
{
    static const guint8 seed[] = "absent";
    seed_key_digest_kind("rsa2048", seed, sizeof seed, digest);
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_sweep(void)
{
    g_autofree char *root = g_dir_make_tmp("mhs-key-sweep-XXXXXX", NULL);
    g_assert_nonnull(root);
    g_autofree char *keys = g_build_filename(root, "keys", NULL);
    g_assert_cmpint(g_mkdir(keys, 0700), ==, 0);
    gint64 old = KEY_CACHE_STALE_SECONDS + 60, recent = KEY_CACHE_STALE_SECONDS - 60;

    g_autofree char *stale = put(keys, HEX64 ".key.Ab3xYz", old);
    g_autofree char *stale2 = put(keys, HEX64 ".key.000000", 10 * old);
    g_autofree char *fresh = put(keys, HEX64 ".key.QwErTy", 0);
    g_autofree char *young = put(keys, HEX64 ".key.zzzzzz", recent);
    g_autofree char *real = put(keys, HEX64 ".key", old);
    g_autofree char *other = put(keys, "notes.key.Ab3xYz", old);
    g_autofree char *short_suffix = put(keys, HEX64 ".key.Ab3xY", old);
    g_autofree char *odd_char = put(keys, HEX64 ".key.Ab3-Yz", old);
    g_autofree char *upper = put(keys,
                                 "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
                                 ".key.Ab3xYz",
                                 old);
    /* A directory of a temporary's name, and a link to an old temporary
     * outside the cache: neither is a file the cache wrote. */
    g_autofree char *dir = g_build_filename(keys, HEX64 ".key.Dir000", NULL);
    g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);
    struct utimbuf t = {.actime = 1000000000, .modtime = 1000000000};
    g_assert_cmpint(g_utime(dir, &t), ==, 0);
    g_autofree char *outside = put(root, "victim", old);
    g_autofree char *link = g_build_filename(keys, HEX64 ".key.Link00", NULL);
    g_assert_cmpint(symlink(outside, link), ==, 0);

    KeyCache *c = key_cache_new(root);
    /* Nothing is touched before the cache is used. */
    g_assert_true(g_file_test(stale, G_FILE_TEST_EXISTS));
    guint8 digest[SEED_KEY_DIGEST_LEN];
    absent_digest(digest);
    g_assert_null(key_cache_lookup(c, "rsa2048", digest));
    g_assert_cmpuint(key_cache_stats(c).stale_removed, ==, 2);
    g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(stale2, G_FILE_TEST_EXISTS));
    const char *stay[] = {fresh, young, real, other, short_suffix, odd_char, upper, dir, outside};
    for (guint i = 0; i < G_N_ELEMENTS(stay); i++)
        if (!g_file_test(stay[i], G_FILE_TEST_EXISTS))
            g_error("%s was removed", stay[i]);
    g_assert_true(g_file_test(link, G_FILE_TEST_IS_SYMLINK));

    /* Once per cache: a temporary made stale now is left to the next. */
    g_autofree char *later = put(keys, HEX64 ".key.Later0", old);
    g_assert_null(key_cache_lookup(c, "rsa2048", digest));
    g_assert_cmpuint(key_cache_stats(c).stale_removed, ==, 2);
    g_assert_true(g_file_test(later, G_FILE_TEST_EXISTS));
    key_cache_free(c);
    c = key_cache_new(root);
    g_assert_null(key_cache_lookup(c, "rsa2048", digest));
    g_assert_cmpuint(key_cache_stats(c).stale_removed, ==, 1);
    g_assert_false(g_file_test(later, G_FILE_TEST_EXISTS));
    key_cache_free(c);
    test_rm_rf(root);
}

/* A write is a use too; a missing directory and no directory are fine. */
static void
test_sweep_on_write(void)
{
    g_autofree char *root = g_dir_make_tmp("mhs-key-sweep-XXXXXX", NULL);
    g_assert_nonnull(root);
    guint8 digest[SEED_KEY_DIGEST_LEN];
    absent_digest(digest);
    g_autoptr(KeyCache) none = key_cache_new(NULL);
    g_assert_null(key_cache_lookup(none, "rsa2048", digest));
    g_assert_cmpuint(key_cache_stats(none).stale_removed, ==, 0);
    g_autoptr(KeyCache) empty = key_cache_new(root); /* no keys/ yet */
    g_assert_null(key_cache_lookup(empty, "rsa2048", digest));
    g_assert_cmpuint(key_cache_stats(empty).stale_removed, ==, 0);

    g_autofree char *keys = g_build_filename(root, "keys", NULL);
    g_assert_cmpint(g_mkdir(keys, 0700), ==, 0);
    g_autofree char *stale = put(keys, HEX64 ".key.Ab3xYz", KEY_CACHE_STALE_SECONDS + 60);
    static const guint8 seed[] = "sweep on write";
    g_autoptr(EVP_PKEY) k = seed_key_derive(TLS_KEY_P256, seed, sizeof seed);
    g_autoptr(KeyCache) w = key_cache_new(root);
    /* A P-256 key gets no file: not a use of the directory. */
    key_cache_keep(w, "p256", digest, k);
    g_assert_cmpuint(key_cache_stats(w).stale_removed, ==, 0);
    g_assert_true(g_file_test(stale, G_FILE_TEST_EXISTS));
    g_autoptr(EVP_PKEY) r = seed_key_derive_rsa(1024, seed, sizeof seed);
    key_cache_keep(w, "rsa1024", digest, r);
    KeyCacheStats s = key_cache_stats(w);
    g_assert_cmpuint(s.stale_removed, ==, 1);
    g_assert_cmpuint(s.written, ==, 1);
    g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
    test_rm_rf(root);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/key-cache-sweep/stale-only", test_sweep);
    g_test_add_func("/app/key-cache-sweep/on-write", test_sweep_on_write);
    return g_test_run();
}
