/* SPDX-License-Identifier: MIT
 * key_cache: derived keys kept in memory and in a directory. A file is
 *   mhs-seed-key-cache 1
 *   derivation <hex SHA-256: seed_key_digest()>
 *   type <tls_key_type_name()>
 *   key-sha256 <hex SHA-256 of the PEM text below>
 *   <PEM PKCS #8 private key>
 * (openssl pkey -in FILE reads it: PEM skips the lines before BEGIN).
 * Only RSA keys get a file: the others derive faster than a file loads.
 */
#include "app/key_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>

#include <glib/gstdio.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "proto/tls_autocleanups.h"

#define KEY_CACHE_MAGIC "mhs-seed-key-cache 1"
/* A 2048-bit RSA key is about 1,700 octets of PEM: a file far larger is
 * not one of ours, and is not read. */
#define KEY_CACHE_FILE_MAX 16384

struct KeyCache {
    char *dir;          /* nullable: DIR/keys */
    GHashTable *memory; /* hex digest -> EVP_PKEY* */
    KeyCacheStats stats;
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
key_cache_has_file(TlsKeyType type)
{
    return type == TLS_KEY_RSA2048;
}

char *
key_cache_path(const KeyCache *c, TlsKeyType type, const guint8 *digest)
{
    if (c->dir == NULL || !key_cache_has_file(type))
        return NULL;
    g_autofree char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    g_autofree char *name = g_strconcat(hex, ".key", NULL);
    return g_build_filename(c->dir, name, NULL);
}

/* The header a file of (type, digest) holding pem must start with. */
static char *
key_cache_header(TlsKeyType type, const guint8 *digest, const char *pem, gsize pem_len)
{
    g_autofree char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)pem,
                                                       pem_len);
    return g_strdup_printf("%s\nderivation %s\ntype %s\nkey-sha256 %s\n", KEY_CACHE_MAGIC, hex,
                           tls_key_type_name(type), sum);
}

/* The key in text (the whole file) if its header is right for type and
 * digest, else NULL with *why set. */
static EVP_PKEY *
key_cache_parse(const char *text, gsize len, TlsKeyType type, const guint8 *digest,
                const char **why)
{
    /* The header's size does not depend on the key: four lines before the PEM. */
    const char *pem = text;
    for (guint i = 0; i < 4 && pem != NULL; i++) {
        pem = memchr(pem, '\n', len - (gsize)(pem - text));
        pem = pem != NULL ? pem + 1 : NULL;
    }
    if (pem == NULL || memchr(text, '\0', len) != NULL) {
        *why = "not a key cache file";
        return NULL;
    }
    gsize head_len = (gsize)(pem - text), pem_len = len - head_len;
    g_autofree char *want = key_cache_header(type, digest, pem, pem_len);
    if (strlen(want) != head_len || memcmp(want, text, head_len) != 0) {
        *why = "its header does not match (another key, or a corrupt or truncated file)";
        return NULL;
    }
    g_autoptr(BIO) bio = BIO_new_mem_buf(pem, (int)pem_len);
    EVP_PKEY *k = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    ERR_clear_error();
    if (k == NULL)
        *why = "its key does not parse";
    return k;
}

/* The key of digest from its file, or NULL (absent, or rejected). */
static EVP_PKEY *
key_cache_read(KeyCache *c, TlsKeyType type, const guint8 *digest)
{
    g_autofree char *path = key_cache_path(c, type, digest);
    if (path == NULL)
        return NULL;
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
        k = key_cache_parse(text, len, type, digest, &why);
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
key_cache_lookup(KeyCache *c, TlsKeyType type, const guint8 *digest)
{
    g_return_val_if_fail(c != NULL && digest != NULL, NULL);
    g_autofree char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    EVP_PKEY *k = g_hash_table_lookup(c->memory, hex);
    if (k != NULL) {
        c->stats.memory_hits++;
        EVP_PKEY_up_ref(k);
        return k;
    }
    k = key_cache_read(c, type, digest);
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
    while (off < len) {
        gssize n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (gsize)n;
    }
    int saved = errno;
    gboolean ok = off == len && close(fd) == 0;
    if (off != len)
        close(fd);
    if (ok && g_rename(tmp, path) == 0)
        return TRUE;
    saved = off != len ? saved : errno;
    g_unlink(tmp);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s", g_strerror(saved));
    return FALSE;
}

/* Writes key's file: a temporary file in the same directory, renamed over
 * the name, so a reader sees a whole file or none, and racing writers of
 * one key (graders run in parallel) each rename a whole file. */
static void
key_cache_write(KeyCache *c, TlsKeyType type, const guint8 *digest, EVP_PKEY *key)
{
    g_autofree char *path = key_cache_path(c, type, digest);
    if (path == NULL)
        return;
    g_autoptr(GError) error = NULL;
    if (g_mkdir_with_parents(c->dir, 0700) != 0) {
        c->stats.write_errors++;
        g_debug("key cache: cannot create %s: %s", c->dir, g_strerror(errno));
        return;
    }
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
        g_error("key cache: PEM_write_bio_PrivateKey failed");
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(bio, &pem);
    g_autofree char *head = key_cache_header(type, digest, pem, (gsize)pem_len);
    GString *file = g_string_new(head);
    g_string_append_len(file, pem, pem_len);
    OPENSSL_cleanse(pem, (gsize)pem_len);
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
key_cache_keep(KeyCache *c, TlsKeyType type, const guint8 *digest, EVP_PKEY *key)
{
    g_return_if_fail(c != NULL && digest != NULL && key != NULL);
    char *hex = key_cache_hex(digest, SEED_KEY_DIGEST_LEN);
    EVP_PKEY_up_ref(key);
    g_hash_table_replace(c->memory, hex, key);
    key_cache_write(c, type, digest, key);
}

static EVP_PKEY *
key_cache_store_lookup(gpointer data, TlsKeyType type, const guint8 *digest)
{
    return key_cache_lookup(data, type, digest);
}

static void
key_cache_store_keep(gpointer data, TlsKeyType type, const guint8 *digest, EVP_PKEY *key)
{
    key_cache_keep(data, type, digest, key);
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
