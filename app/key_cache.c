/* SPDX-License-Identifier: MIT
 * key_cache: derived keys kept in memory and in a directory. A file is
 *   mhs-seed-key-cache 1
 *   derivation <hex SHA-256: seed_key_digest()>
 *   type <the kind: seed_key_digest_kind(), e.g. rsa2048>
 *   key-sha256 <hex SHA-256 of the lines below>
 *   n <hex>, e, d, rsa-factor1, ..., rsa-coefficient1 (one a line)
 * the RSA private key's integers (RFC 8017 3.2) under OpenSSL's parameter
 * names: loading them is forty times cheaper than decoding a PEM key with
 * OpenSSL 3.0's decoders. Temporaries of killed writers are swept at the
 * first use (key_cache_sweep()). Only RSA keys (kinds "rsa" BITS: the TLS and
 * S/MIME keys, and derived DKIM keys of every size) get a file: the others
 * derive faster than a file loads.
 */
#include "app/key_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "proto/tls_autocleanups.h"

#define KEY_CACHE_MAGIC "mhs-seed-key-cache 1"
/* A 2048-bit RSA key's file is about 2,000 octets: a file far larger is
 * not one of ours, and is not read. */
#define KEY_CACHE_FILE_MAX 16384

struct KeyCache {
    char *dir;          /* nullable: DIR/keys */
    GHashTable *memory; /* hex digest -> EVP_PKEY* */
    KeyCacheStats stats;
    gboolean swept; /* key_cache_sweep() ran */
};

static KeyCache *key_cache_installed;

KeyCache *
key_cache_new(const char *dir)
{
    KeyCache *c = g_new0(KeyCache, 1);
    c->dir = dir != NULL ? g_build_filename(dir, "keys", NULL) : NULL;
    c->memory = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)EVP_PKEY_free);
    return c;
}

char *
key_cache_default_dir(void)
{
    const char *env = g_getenv(KEY_CACHE_ENV);
    if (env != NULL && strcmp(env, "off") == 0)
        return NULL;
    if (env != NULL && env[0] != '\0')
        return g_strdup(env);
    return g_build_filename(g_get_user_cache_dir(), "mhs", NULL);
}

void
key_cache_free(KeyCache *c)
{
    if (c == NULL)
        return;
    if (key_cache_installed == c) {
        seed_key_set_store(NULL);
        key_cache_installed = NULL;
    }
    g_hash_table_unref(c->memory);
    g_free(c->dir);
    g_free(c);
}

const char *
key_cache_dir(const KeyCache *c)
{
    return c->dir;
}

KeyCacheStats
key_cache_stats(const KeyCache *c)
{
    return c->stats;
}

static char *
key_cache_hex(const guint8 *data, gsize len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = g_malloc(2 * len + 1);
    for (gsize i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
    return out;
}

static gboolean
key_cache_has_file(const char *kind)
{
    return g_str_has_prefix(kind, "rsa");
}

char *
key_cache_path(const KeyCache *c, const char *kind, const guint8 *digest)
{
    if (c->dir == NULL || !key_cache_has_file(kind))
        return NULL;
    g_autofree char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    g_autofree char *name = g_strconcat(hex, ".key", NULL);
    return g_build_filename(c->dir, name, NULL);
}

/* The integers of an RSA private key, in file order (RFC 8017 3.2). */
static const char *const key_cache_rsa_params[] = {
    OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_D,
    OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};
#define KEY_CACHE_RSA_PARAMS G_N_ELEMENTS(key_cache_rsa_params)

/* The header a file of (kind, digest) holding body must start with. */
static char *
key_cache_header(const char *kind, const guint8 *digest, const char *body, gsize body_len)
{
    g_autofree char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    g_autofree char *sum =
        g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)body, body_len);
    return g_strdup_printf("%s\nderivation %s\ntype %s\nkey-sha256 %s\n", KEY_CACHE_MAGIC, hex,
                           kind, sum);
}

/* The RSA key of body ("NAME HEX" lines in key_cache_rsa_params order),
 * or NULL. */
static EVP_PKEY *
key_cache_rsa_from_text(const char *body)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    if (g_strv_length(lines) != KEY_CACHE_RSA_PARAMS + 1 || lines[KEY_CACHE_RSA_PARAMS][0] != '\0')
        return NULL;
    BIGNUM *v[KEY_CACHE_RSA_PARAMS] = {NULL};
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    gboolean ok = bld != NULL;
    for (guint i = 0; ok && i < KEY_CACHE_RSA_PARAMS; i++) {
        gsize nlen = strlen(key_cache_rsa_params[i]);
        const char *hex = lines[i] + nlen + 1;
        ok = strncmp(lines[i], key_cache_rsa_params[i], nlen) == 0 && lines[i][nlen] == ' ' &&
             hex[0] != '\0' && BN_hex2bn(&v[i], hex) == (int)strlen(hex) &&
             OSSL_PARAM_BLD_push_BN(bld, key_cache_rsa_params[i], v[i]);
    }
    OSSL_PARAM *params = ok ? OSSL_PARAM_BLD_to_param(bld) : NULL;
    EVP_PKEY_CTX *ctx = params != NULL ? EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL) : NULL;
    EVP_PKEY *k = NULL;
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params) <= 0)
        k = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (guint i = 0; i < KEY_CACHE_RSA_PARAMS; i++)
        BN_clear_free(v[i]);
    for (char **l = lines; *l != NULL; l++)
        OPENSSL_cleanse(*l, strlen(*l));
    return k;
}

/* The "NAME HEX" lines of an RSA key (transfer full). */
static GString *
key_cache_rsa_to_text(EVP_PKEY *key)
{
    GString *body = g_string_new(NULL);
    for (guint i = 0; i < KEY_CACHE_RSA_PARAMS; i++) {
        BIGNUM *v = NULL;
        if (EVP_PKEY_get_bn_param(key, key_cache_rsa_params[i], &v) != 1)
            g_error("key cache: the RSA key has no %s", key_cache_rsa_params[i]);
        char *hex = BN_bn2hex(v);
        g_string_append_printf(body, "%s %s\n", key_cache_rsa_params[i], hex);
        OPENSSL_clear_free(hex, strlen(hex));
        BN_clear_free(v);
    }
    return body;
}

/* The key in text (the whole file) if its header is right for kind and
 * digest, else NULL with *why set. */
static EVP_PKEY *
key_cache_parse(const char *text, gsize len, const char *kind, const guint8 *digest,
                const char **why)
{
    /* The header's size does not depend on the key: four lines before the body. */
    const char *body = text;
    for (guint i = 0; i < 4 && body != NULL; i++) {
        body = memchr(body, '\n', len - (gsize)(body - text));
        body = body != NULL ? body + 1 : NULL;
    }
    if (body == NULL || memchr(text, '\0', len) != NULL) {
        *why = "not a key cache file";
        return NULL;
    }
    gsize head_len = (gsize)(body - text), body_len = len - head_len;
    g_autofree char *want = key_cache_header(kind, digest, body, body_len);
    if (strlen(want) != head_len || memcmp(want, text, head_len) != 0) {
        *why = "its header does not match (another key, or a corrupt or truncated file)";
        return NULL;
    }
    EVP_PKEY *k = key_cache_rsa_from_text(body);
    ERR_clear_error();
    if (k == NULL)
        *why = "its key does not parse";
    return k;
}

/* TRUE when name is a temporary of key_cache_write_file(): the file's
 * name, then g_mkstemp()'s six letters or digits. */
static gboolean
key_cache_is_temporary(const char *name)
{
    static const char suffix[] = ".key.";
    gsize hex_len = 2 * SEED_KEY_DIGEST_LEN, suffix_len = sizeof suffix - 1;
    if (strlen(name) != hex_len + suffix_len + 6)
        return FALSE;
    for (gsize i = 0; i < hex_len; i++)
        if (!g_ascii_isdigit(name[i]) && !(name[i] >= 'a' && name[i] <= 'f'))
            return FALSE;
    if (memcmp(name + hex_len, suffix, suffix_len) != 0)
        return FALSE;
    for (const char *p = name + hex_len + suffix_len; *p != '\0'; p++)
        if (!g_ascii_isalnum(*p))
            return FALSE;
    return TRUE;
}

/* Removes the temporaries that writers killed between g_mkstemp() and
 * rename() left behind, once per cache at its first use of the directory
 * (one directory listing). Only regular files older than
 * KEY_CACHE_STALE_SECONDS: a younger one may be another process's write in
 * progress. */
static void
key_cache_sweep(KeyCache *c)
{
    if (c->swept || c->dir == NULL)
        return;
    c->swept = TRUE;
    g_autoptr(GDir) d = g_dir_open(c->dir, 0, NULL);
    if (d == NULL)
        return;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    for (const char *name; (name = g_dir_read_name(d)) != NULL;) {
        if (!key_cache_is_temporary(name))
            continue;
        g_autofree char *path = g_build_filename(c->dir, name, NULL);
        GStatBuf st;
        if (g_lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
            (gint64)st.st_mtime > now - KEY_CACHE_STALE_SECONDS)
            continue;
        if (g_unlink(path) == 0) {
            c->stats.stale_removed++;
            g_debug("key cache: removed the stale temporary %s", path);
        }
    }
}

/* The key of digest from its file, or NULL (absent, or rejected). */
static EVP_PKEY *
key_cache_read(KeyCache *c, const char *kind, const guint8 *digest)
{
    g_autofree char *path = key_cache_path(c, kind, digest);
    if (path == NULL)
        return NULL;
    key_cache_sweep(c);
    GStatBuf st;
    if (g_stat(path, &st) != 0)
        return NULL;
    const char *why = NULL;
    char *text = NULL;
    gsize len = 0;
    EVP_PKEY *k = NULL;
    if (st.st_size > KEY_CACHE_FILE_MAX)
        why = "too large";
    else if (!g_file_get_contents(path, &text, &len, NULL))
        why = "unreadable";
    else
        k = key_cache_parse(text, len, kind, digest, &why);
    if (text != NULL) {
        OPENSSL_cleanse(text, len);
        g_free(text);
    }
    if (k == NULL) {
        c->stats.rejected++;
        g_debug("key cache: ignoring %s: %s", path, why);
    }
    return k;
}

EVP_PKEY *
key_cache_lookup(KeyCache *c, const char *kind, const guint8 *digest)
{
    g_return_val_if_fail(c != NULL && kind != NULL && digest != NULL, NULL);
    g_autofree char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    EVP_PKEY *k = g_hash_table_lookup(c->memory, hex);
    if (k != NULL) {
        c->stats.memory_hits++;
        EVP_PKEY_up_ref(k);
        return k;
    }
    k = key_cache_read(c, kind, digest);
    if (k == NULL) {
        c->stats.misses++;
        return NULL;
    }
    c->stats.disk_hits++;
    EVP_PKEY_up_ref(k);
    g_hash_table_insert(c->memory, g_steal_pointer(&hex), k);
    return k;
}

/* data into path through a temporary file of the same directory (mode
 * 0600 from its creation) renamed over it. No fsync: a file cut short by a
 * crash fails its check and is written again. */
static gboolean
key_cache_write_file(const char *path, const char *data, gsize len, GError **error)
{
    g_autofree char *tmp = g_strconcat(path, ".XXXXXX", NULL);
    int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s", g_strerror(errno));
        return FALSE;
    }
    gsize off = 0;
    errno = 0;
    while (off < len) {
        gssize n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (gsize)n;
    }
    gboolean ok = off == len;
    int err = ok ? 0 : errno != 0 ? errno : EIO;
    if (close(fd) != 0 && ok) {
        ok = FALSE;
        err = errno;
    }
    if (ok && g_rename(tmp, path) != 0) {
        ok = FALSE;
        err = errno;
    }
    if (ok)
        return TRUE;
    g_unlink(tmp);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s", g_strerror(err));
    return FALSE;
}

/* Writes key's file: a temporary file in the same directory, renamed over
 * the name, so a reader sees a whole file or none, and racing writers of
 * one key (graders run in parallel) each rename a whole file. */
static void
key_cache_write(KeyCache *c, const char *kind, const guint8 *digest, EVP_PKEY *key)
{
    g_autofree char *path = key_cache_path(c, kind, digest);
    if (path == NULL)
        return;
    key_cache_sweep(c);
    g_autoptr(GError) error = NULL;
    if (g_mkdir_with_parents(c->dir, 0700) != 0) {
        c->stats.write_errors++;
        g_debug("key cache: cannot create %s: %s", c->dir, g_strerror(errno));
        return;
    }
    g_autoptr(GString) body = key_cache_rsa_to_text(key);
    g_autofree char *head = key_cache_header(kind, digest, body->str, body->len);
    GString *file = g_string_new(head);
    g_string_append_len(file, body->str, (gssize)body->len);
    OPENSSL_cleanse(body->str, body->len);
    if (key_cache_write_file(path, file->str, file->len, &error))
        c->stats.written++;
    else {
        c->stats.write_errors++;
        g_debug("key cache: cannot write %s: %s", path, error->message);
    }
    OPENSSL_cleanse(file->str, file->len);
    g_string_free(file, TRUE);
}

void
key_cache_keep(KeyCache *c, const char *kind, const guint8 *digest, EVP_PKEY *key)
{
    g_return_if_fail(c != NULL && kind != NULL && digest != NULL && key != NULL);
    char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    EVP_PKEY_up_ref(key);
    g_hash_table_replace(c->memory, hex, key);
    key_cache_write(c, kind, digest, key);
}

static EVP_PKEY *
key_cache_store_lookup(gpointer data, const char *kind, const guint8 *digest)
{
    return key_cache_lookup(data, kind, digest);
}

static void
key_cache_store_keep(gpointer data, const char *kind, const guint8 *digest, EVP_PKEY *key)
{
    key_cache_keep(data, kind, digest, key);
}

void
key_cache_install(KeyCache *c)
{
    g_return_if_fail(c != NULL);
    SeedKeyStore store = {
        .lookup = key_cache_store_lookup,
        .keep = key_cache_store_keep,
        .data = c,
    };
    seed_key_set_store(&store);
    key_cache_installed = c;
}
