/* SPDX-License-Identifier: MIT
 * smime_setup: S/MIME user certificates from the scenario CA. RFC 8550
 * 3: the address in the subjectAltName rfc822Name; RFC 8550 4.4.4:
 * extendedKeyUsage emailProtection (tls_ca_issue adds it when emails is
 * set).
 */
#include "nodes/smime_setup.h"

#include <string.h>

#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/seed_key.h"

/* A user certificate lives as long as a TLS leaf. */
#define WORLD_SMIME_CERT_DAYS 365

struct WorldSmime {
    GHashTable *ids; /* lower-case address -> TlsIdentity* */
    gboolean in_use; /* a send asks for S/MIME */
};

void
world_smime_free(WorldSmime *s)
{
    if (s == NULL)
        return;
    g_hash_table_unref(s->ids);
    g_free(s);
}

static gboolean
world_smime_issue(World *w, const char *address, SpecSmimeKey key, const char *node, GError **error)
{
    WorldSmime *s = w->smime;
    g_autofree char *lower = g_ascii_strdown(address, -1);
    if (key == SPEC_SMIME_KEY_NONE || g_hash_table_contains(s->ids, lower))
        return TRUE;
    TlsIdentity *ca = world_tls_ensure_ca(w, error);
    if (ca == NULL)
        return FALSE;
    const char *emails[] = {address, NULL};
    TlsKeyType type = key == SPEC_SMIME_KEY_P256 ? TLS_KEY_P256 : TLS_KEY_RSA2048;
    g_autoptr(GByteArray) seed = g_byte_array_new();
    guint8 le[8];
    for (guint i = 0; i < 8; i++)
        le[i] = (guint8)(w->seed >> (8 * i));
    g_byte_array_append(seed, (const guint8 *)"mhs-smime", 10);
    g_byte_array_append(seed, le, sizeof le);
    g_byte_array_append(seed, (const guint8 *)lower, (guint)strlen(lower) + 1);
    EVP_PKEY *pkey = seed_key_derive(type, seed->data, seed->len);
    TlsCertRequest req = {
        .common_name = address,
        .organization = w->spec->name,
        .emails = emails,
        .key_type = type,
        .not_before = w->spec->epoch_unix,
        .days = WORLD_SMIME_CERT_DAYS,
        .key = pkey,
    };
    TlsIdentity *id = tls_ca_issue(ca, &req, error);
    EVP_PKEY_free(pkey);
    if (id == NULL)
        return FALSE;
    g_hash_table_insert(s->ids, g_steal_pointer(&lower), id);
    SimTraceRec *r = world_trace(w, "smime.cert", node);
    g_autofree char *subject = tls_identity_subject(id);
    sim_trace_str(r, "user", address);
    sim_trace_str(r, "key", tls_key_type_name(req.key_type));
    sim_trace_str(r, "subject", subject);
    sim_trace_str(r, "san", address);
    sim_trace_int(r, "der_size", (gint64)tls_identity_cert_der_len(id));
    sim_trace_int(r, "days", WORLD_SMIME_CERT_DAYS);
    sim_trace_end(r);
    return TRUE;
}

gboolean
world_smime_setup(World *w, GError **error)
{
    const WorldSpec *spec = w->spec;
    w->smime = g_new0(WorldSmime, 1);
    w->smime->ids =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)tls_identity_unref);
    for (guint i = 0; i < spec->events->len; i++) {
        const EventSpec *ev = spec->events->pdata[i];
        if (ev->kind == SPEC_EVENT_SEND && ev->send.smime != SPEC_SMIME_NONE)
            w->smime->in_use = TRUE;
    }
    for (guint i = 0; i < spec->users->len; i++) {
        const UserSpec *u = spec->users->pdata[i];
        if (!world_smime_issue(w, u->address, u->smime_key, "ca", error))
            return FALSE;
    }
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *n = spec->nodes->pdata[i];
        if (n->role == SPEC_ROLE_MUA && n->user &&
            !world_smime_issue(w, n->user, n->smime_key, "ca", error))
            return FALSE;
    }
    if (g_hash_table_size(w->smime->ids) > 0)
        w->smime->in_use = TRUE;
    return TRUE;
}

TlsIdentity *
world_smime_identity(World *w, const char *address)
{
    if (w->smime == NULL || address == NULL)
        return NULL;
    g_autofree char *lower = g_ascii_strdown(address, -1);
    return g_hash_table_lookup(w->smime->ids, lower);
}

char **
world_smime_users(World *w)
{
    guint n = 0;
    gpointer *keys =
        w->smime ? g_hash_table_get_keys_as_array(w->smime->ids, &n) : g_new0(gpointer, 1);
    char **out = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        out[i] = g_strdup(keys[i]);
    g_free(keys);
    qsort(out, n, sizeof(char *), (int (*)(const void *, const void *))g_strcmp0);
    return out;
}

gboolean
world_smime_in_use(World *w)
{
    return w->smime != NULL && w->smime->in_use;
}

GBytes *
world_delivered_copy(World *w, const char *msg_id, const char *rcpt)
{
    return world_copy_read(w, msg_id, rcpt, NULL);
}
