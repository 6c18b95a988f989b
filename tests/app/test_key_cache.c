/* SPDX-License-Identifier: MIT
 * Tests for app/key_cache: a cold cache derives and writes one file (mode
 * 0600, directory 0700), a warm one reads back the identical key; a file
 * flipped at any octet, truncated at any length, with another key's
 * header, empty, oversize or a directory is ignored, counted and
 * rewritten; a disabled or unwritable directory keeps keys in memory
 * only; the environment picks the directory; and writers racing in
 * parallel processes leave a valid file that readers never see partial.
 */
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <openssl/pem.h>

#include "app/key_cache.h"
#include "helper_fs.h"
#include "proto/tls_autocleanups.h"

static const guint8 test_seed[] = "key cache test seed";
/* The kind seed_key_derive(TLS_KEY_RSA2048, ...) keeps its keys under. */
#define TEST_KIND "rsa2048"

/* The RSA key of test_seed, derived once (a prime search: ~0.1 s). */
static EVP_PKEY *
test_key(void)
{
    static EVP_PKEY *k;
    if (k == NULL)
        k = seed_key_derive(TLS_KEY_RSA2048, test_seed, sizeof test_seed);
    return k;
}

static void
test_digest(guint8 *digest)
{
    seed_key_digest(TLS_KEY_RSA2048, test_seed, sizeof test_seed, digest);
}

static char *
pem_of(EVP_PKEY *k)
{
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
    g_assert_cmpint(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), ==, 1);
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    return g_strndup(data, (gsize)len);
}

typedef struct {
    char *root; /* the MHS_CACHE_DIR of the test */
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    (void)data;
    GError *error = NULL;
    f->root = g_dir_make_tmp("mhs-key-cache-XXXXXX", &error);
    g_assert_no_error(error);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    test_rm_rf(f->root);
    g_free(f->root);
}

/* The one file a cache of f->root holds for the test key. */
static char *
file_path(Fixture *f)
{
    guint8 digest[SEED_KEY_DIGEST_LEN];
    test_digest(digest);
    g_autoptr(KeyCache) c = key_cache_new(f->root);
    return key_cache_path(c, TEST_KIND, digest);
}

/* Looks the test key up in a fresh cache (nothing in memory). */
static EVP_PKEY *
fresh_lookup(Fixture *f, KeyCacheStats *stats)
{
    guint8 digest[SEED_KEY_DIGEST_LEN];
    test_digest(digest);
    g_autoptr(KeyCache) c = key_cache_new(f->root);
    EVP_PKEY *k = key_cache_lookup(c, TEST_KIND, digest);
    *stats = key_cache_stats(c);
    return k;
}

static void
write_test_file(Fixture *f)
{
    guint8 digest[SEED_KEY_DIGEST_LEN];
    test_digest(digest);
    g_autoptr(KeyCache) c = key_cache_new(f->root);
    key_cache_keep(c, TEST_KIND, digest, test_key());
    g_assert_cmpuint(key_cache_stats(c).written, ==, 1);
}

static void
test_cold_then_warm(Fixture *f, gconstpointer data)
{
    (void)data;
    g_autofree char *want_pem = pem_of(test_key());
    /* Cold: derived (a miss), kept in memory and written. */
    KeyCache *cold = key_cache_new(f->root);
    key_cache_install(cold);
    g_autoptr(EVP_PKEY) a = seed_key_derive(TLS_KEY_RSA2048, test_seed, sizeof test_seed);
    g_autoptr(EVP_PKEY) b = seed_key_derive(TLS_KEY_RSA2048, test_seed, sizeof test_seed);
    KeyCacheStats s = key_cache_stats(cold);
    g_assert_cmpuint(s.misses, ==, 1);
    g_assert_cmpuint(s.written, ==, 1);
    g_assert_cmpuint(s.memory_hits, ==, 1);
    g_assert_cmpuint(s.disk_hits, ==, 0);
    g_autofree char *pa = pem_of(a), *pb = pem_of(b);
    g_assert_cmpstr(pa, ==, want_pem);
    g_assert_cmpstr(pb, ==, want_pem);
    /* A P-256 key derives faster than a file loads: memory only. */
    g_autoptr(EVP_PKEY) e = seed_key_derive(TLS_KEY_P256, test_seed, sizeof test_seed);
    g_assert_cmpuint(key_cache_stats(cold).written, ==, 1);
    key_cache_free(cold);

    g_autofree char *path = file_path(f);
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_autofree char *dir = g_path_get_dirname(path);
    g_assert_cmpint(g_stat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
    g_autofree char *keys = g_build_filename(f->root, "keys", NULL);
    g_assert_cmpstr(dir, ==, keys);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    guint files = 0;
    while (g_dir_read_name(d) != NULL)
        files++;
    g_assert_cmpuint(files, ==, 1);

    /* Warm, in a new cache (a new process): read back, identical. */
    KeyCache *warm = key_cache_new(f->root);
    key_cache_install(warm);
    g_autoptr(EVP_PKEY) c = seed_key_derive(TLS_KEY_RSA2048, test_seed, sizeof test_seed);
    s = key_cache_stats(warm);
    g_assert_cmpuint(s.disk_hits, ==, 1);
    g_assert_cmpuint(s.misses, ==, 0);
    g_assert_cmpuint(s.written, ==, 0);
    g_autofree char *pc = pem_of(c);
    g_assert_cmpstr(pc, ==, want_pem);
    g_assert_cmpint(EVP_PKEY_eq(c, test_key()), ==, 1);
    key_cache_free(warm);
    /* Uninstalled: a derivation no longer reaches the freed cache. */
    g_autoptr(EVP_PKEY) z = seed_key_derive(TLS_KEY_ED25519, test_seed, sizeof test_seed);
    g_assert_nonnull(z);
}

/* Writes text (len octets) as the test key's file. */
static void
put_file(Fixture *f, const char *text, gsize len)
{
    g_autofree char *path = file_path(f);
    /* A new file each time, without g_file_set_contents()'s fsync: ext4
     * flushes a file truncated and rewritten, and there are thousands. */
    g_unlink(path);
    FILE *out = fopen(path, "wb");
    g_assert_nonnull(out);
    g_assert_cmpuint(fwrite(text, 1, len, out), ==, len);
    g_assert_cmpint(fclose(out), ==, 0);
}

/* The file is ignored: a miss, one rejection. */
static void
assert_rejected(Fixture *f, const char *what)
{
    KeyCacheStats s;
    EVP_PKEY *k = fresh_lookup(f, &s);
    if (k != NULL || s.rejected != 1 || s.misses != 1)
        g_error("%s: not rejected (key %p, rejected %u)", what, (void *)k, s.rejected);
}

static void
test_corrupt(Fixture *f, gconstpointer data)
{
    (void)data;
    write_test_file(f);
    g_autofree char *path = file_path(f);
    g_autofree char *good = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &good, &len, NULL));
    KeyCacheStats s;
    g_autoptr(EVP_PKEY) ok = fresh_lookup(f, &s);
    g_assert_nonnull(ok);
    g_assert_cmpuint(s.disk_hits, ==, 1);

    /* Every truncation, and a flipped bit at every octet. */
    for (gsize n = 0; n < len; n++) {
        put_file(f, good, n);
        g_autofree char *what = g_strdup_printf("truncated to %" G_GSIZE_FORMAT, n);
        assert_rejected(f, what);
    }
    for (gsize i = 0; i < len; i++) {
        g_autofree char *bad = g_memdup2(good, len);
        bad[i] ^= 0x20;
        put_file(f, bad, len);
        g_autofree char *what = g_strdup_printf("octet %" G_GSIZE_FORMAT " flipped", i);
        assert_rejected(f, what);
    }
    /* Another key's header (the file renamed), NUL octets, oversize. */
    g_autofree char *other = g_strdup(good);
    char *p = strstr(other, "derivation ") + strlen("derivation ");
    *p = *p == '0' ? '1' : '0';
    put_file(f, other, len);
    assert_rejected(f, "another derivation");
    g_autofree char *type = g_strdup(good);
    memcpy(strstr(type, "type rsa2048"), "type p256\n\n\n", 12);
    put_file(f, type, len);
    assert_rejected(f, "another type");
    put_file(f, "\0\0\0\n\n\n\n\n", 8);
    assert_rejected(f, "NUL octets");
    g_autofree char *big = g_strnfill(20000, 'k');
    put_file(f, big, 20000);
    assert_rejected(f, "oversize");
    g_remove(path);
    g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
    assert_rejected(f, "a directory");
    g_rmdir(path);

    /* Through seed_key_derive: a corrupt file costs a derivation and is
     * rewritten whole. */
    g_autofree char *bad = g_memdup2(good, len);
    bad[len / 2] ^= 1;
    put_file(f, bad, len);
    KeyCache *c = key_cache_new(f->root);
    key_cache_install(c);
    g_autoptr(EVP_PKEY) k = seed_key_derive(TLS_KEY_RSA2048, test_seed, sizeof test_seed);
    s = key_cache_stats(c);
    g_assert_cmpuint(s.rejected, ==, 1);
    g_assert_cmpuint(s.written, ==, 1);
    key_cache_free(c);
    g_assert_cmpint(EVP_PKEY_eq(k, test_key()), ==, 1);
    g_autofree char *again = NULL;
    gsize again_len = 0;
    g_assert_true(g_file_get_contents(path, &again, &again_len, NULL));
    g_assert_cmpmem(again, again_len, good, len);
}

static void
test_disabled(Fixture *f, gconstpointer data)
{
    (void)data;
    guint8 digest[SEED_KEY_DIGEST_LEN];
    test_digest(digest);
    g_autoptr(KeyCache) c = key_cache_new(NULL);
    g_assert_null(key_cache_dir(c));
    g_assert_null(key_cache_path(c, TEST_KIND, digest));
    g_assert_null(key_cache_lookup(c, TEST_KIND, digest));
    key_cache_keep(c, TEST_KIND, digest, test_key());
    g_autoptr(EVP_PKEY) k = key_cache_lookup(c, TEST_KIND, digest);
    g_assert_true(k == test_key());
    KeyCacheStats s = key_cache_stats(c);
    g_assert_cmpuint(s.memory_hits, ==, 1);
    g_assert_cmpuint(s.written + s.write_errors, ==, 0);

    /* A directory that cannot be made (a file is in the way): memory only,
     * counted, no crash. */
    g_autofree char *blocker = g_build_filename(f->root, "file", NULL);
    g_assert_true(g_file_set_contents(blocker, "x", 1, NULL));
    g_autoptr(KeyCache) u = key_cache_new(blocker);
    key_cache_keep(u, TEST_KIND, digest, test_key());
    g_assert_cmpuint(key_cache_stats(u).write_errors, ==, 1);
    g_autoptr(EVP_PKEY) m = key_cache_lookup(u, TEST_KIND, digest);
    g_assert_true(m == test_key());

    /* The environment. */
    g_autofree char *saved = g_strdup(g_getenv(KEY_CACHE_ENV));
    g_setenv(KEY_CACHE_ENV, "off", TRUE);
    g_assert_null(key_cache_default_dir());
    g_setenv(KEY_CACHE_ENV, f->root, TRUE);
    g_autofree char *set = key_cache_default_dir();
    g_assert_cmpstr(set, ==, f->root);
    g_unsetenv(KEY_CACHE_ENV);
    g_autofree char *dflt = key_cache_default_dir();
    g_autofree char *want = g_build_filename(g_get_user_cache_dir(), "mhs", NULL);
    g_assert_cmpstr(dflt, ==, want);
    if (saved != NULL)
        g_setenv(KEY_CACHE_ENV, saved, TRUE);
}

#define TEST_WRITERS 4
#define TEST_ROUNDS 25

/* One racing process: writes the key and reads it back from a fresh
 * cache each round; exits 1 if a read ever saw a bad file. */
static int
race_child(Fixture *f)
{
    guint8 digest[SEED_KEY_DIGEST_LEN];
    test_digest(digest);
    for (guint r = 0; r < TEST_ROUNDS; r++) {
        KeyCache *w = key_cache_new(f->root);
        key_cache_keep(w, TEST_KIND, digest, test_key());
        gboolean wrote = key_cache_stats(w).written == 1;
        key_cache_free(w);
        KeyCacheStats s;
        EVP_PKEY *k = fresh_lookup(f, &s);
        gboolean same = k != NULL && EVP_PKEY_eq(k, test_key()) == 1;
        EVP_PKEY_free(k);
        if (!wrote || !same || s.rejected != 0)
            return 1;
    }
    return 0;
}

static void
test_concurrent(Fixture *f, gconstpointer data)
{
    (void)data;
    test_key(); /* derived before the fork: the children only write */
    pid_t pids[TEST_WRITERS];
    for (guint i = 0; i < TEST_WRITERS; i++) {
        pids[i] = fork();
        g_assert_cmpint(pids[i], >=, 0);
        if (pids[i] == 0)
            _exit(race_child(f));
    }
    for (guint i = 0; i < TEST_WRITERS; i++) {
        int status = 0;
        g_assert_cmpint(waitpid(pids[i], &status, 0), ==, pids[i]);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    }
    KeyCacheStats s;
    g_autoptr(EVP_PKEY) k = fresh_lookup(f, &s);
    g_assert_nonnull(k);
    g_assert_cmpuint(s.disk_hits, ==, 1);
    /* No temporary file is left behind. */
    g_autofree char *dir = g_build_filename(f->root, "keys", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    guint files = 0;
    while (g_dir_read_name(d) != NULL)
        files++;
    g_assert_cmpuint(files, ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/app/key-cache/cold-then-warm", Fixture, NULL, fixture_setup, test_cold_then_warm,
               fixture_teardown);
    g_test_add("/app/key-cache/corrupt", Fixture, NULL, fixture_setup, test_corrupt,
               fixture_teardown);
    g_test_add("/app/key-cache/disabled", Fixture, NULL, fixture_setup, test_disabled,
               fixture_teardown);
    g_test_add("/app/key-cache/concurrent", Fixture, NULL, fixture_setup, test_concurrent,
               fixture_teardown);
    int rc = g_test_run();
    EVP_PKEY_free(test_key());
    return rc;
}
