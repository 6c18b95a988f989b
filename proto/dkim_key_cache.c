/* SPDX-License-Identifier: MIT
 * dkim_key_cache: parsed DKIM key records (RFC 6376 3.6.1) kept across
 * messages. A verifier meets the same TXT record for every message of a
 * signer; parsing it (tag list, base64, the public key) once is enough,
 * since the outcome depends on the record's bytes alone.
 */
#include "proto/dkim-private.h"

#include <string.h>

/* Distinct records kept; the cache empties when it is full (a run rarely
 * sees more signers than this). */
#define DKIM_KEY_CACHE_MAX 256

struct DkimKeyCache {
    GHashTable *records; /* record text -> DkimKeyRecord* (owned) */
    guint hits;
};

static void
dkim_key_cache_entry_free(gpointer p)
{
    DkimKeyRecord *k = p;
    dkim_key_record_clear(k);
    g_free(k);
}

DkimKeyCache *
dkim_key_cache_new(void)
{
    DkimKeyCache *c = g_new0(DkimKeyCache, 1);
    c->records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, dkim_key_cache_entry_free);
    return c;
}

void
dkim_key_cache_free(DkimKeyCache *c)
{
    if (c == NULL)
        return;
    g_hash_table_unref(c->records);
    g_free(c);
}

guint
dkim_key_cache_size(const DkimKeyCache *c)
{
    g_return_val_if_fail(c != NULL, 0);
    return g_hash_table_size(c->records);
}

guint
dkim_key_cache_hits(const DkimKeyCache *c)
{
    g_return_val_if_fail(c != NULL, 0);
    return c->hits;
}

void
dkim_key_cache_parse(DkimKeyCache *c, const char *txt, DkimKeyRecord *out)
{
    g_return_if_fail(txt != NULL && out != NULL);
    if (c == NULL) {
        dkim_key_record_parse(txt, out);
        return;
    }
    const DkimKeyRecord *known = g_hash_table_lookup(c->records, txt);
    if (known == NULL) {
        if (g_hash_table_size(c->records) >= DKIM_KEY_CACHE_MAX)
            g_hash_table_remove_all(c->records);
        DkimKeyRecord *k = g_new0(DkimKeyRecord, 1);
        dkim_key_record_parse(txt, k);
        g_hash_table_insert(c->records, g_strdup(txt), k);
        known = k;
    } else {
        c->hits++;
    }
    *out = *known;
    if (out->pkey != NULL)
        EVP_PKEY_up_ref(out->pkey); /* the caller clears its copy */
}
