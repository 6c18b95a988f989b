/* SPDX-License-Identifier: MIT
 * tls_setup: the scenario CA, per-node certificates and TLS contexts.
 * RFC 5280 4.2.1.6 (dNSName SAN), RFC 6125 (host name checks happen in the
 * client context of proto/tls_pipe), RFC 8446 4.6.1 (tickets). Validity
 * starts at the scenario epoch and is checked against it, never against
 * the machine's clock, so runs are reproducible whatever the date.
 */
#include "nodes/tls_setup.h"

#include <string.h>

#include "nodes/world_private.h"
#include "proto/seed_key.h"

/* Certificates outlive any scenario: ten years for the CA, one for leaves. */
#define WORLD_TLS_CA_DAYS 3650
#define WORLD_TLS_LEAF_DAYS 365

typedef struct {
    TlsContext *server; /* nullable */
    TlsContext *client; /* nullable */
    TlsContext *pop3;   /* nullable: the POP3 client context, made on first use */
} WorldTlsNode;

struct WorldTls {
    TlsIdentity *ca;
    GHashTable *nodes; /* node name -> WorldTlsNode* */
};

/* Hands NSS key log lines to whoever asked (mhs run --keylog); the key
 * material never goes into the trace. */
static void
world_tls_keylog(const char *line, gpointer user_data)
{
    World *w = user_data;
    if (w->keylog)
        w->keylog(line, w->keylog_data);
}

/* The hook to install: none while nobody reads key log lines (OpenSSL
 * formats them at a cost, proto/tls_pipe.c). */
static TlsKeylogFunc
world_tls_keylog_func(const World *w)
{
    return w->keylog != NULL ? world_tls_keylog : NULL;
}

void
world_tls_keylog_changed(World *w)
{
    if (w->tls == NULL)
        return;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, w->tls->nodes);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        WorldTlsNode *tn = value;
        TlsContext *all[] = {tn->server, tn->client, tn->pop3};
        for (guint i = 0; i < G_N_ELEMENTS(all); i++)
            if (all[i] != NULL)
                tls_context_set_keylog(all[i], world_tls_keylog_func(w), w);
    }
}

static void
world_tls_node_free(gpointer p)
{
    WorldTlsNode *tn = p;
    g_clear_pointer(&tn->server, tls_context_unref);
    g_clear_pointer(&tn->client, tls_context_unref);
    g_clear_pointer(&tn->pop3, tls_context_unref);
    g_free(tn);
}

void
world_tls_free(WorldTls *tls)
{
    if (tls == NULL)
        return;
    g_clear_pointer(&tls->ca, tls_identity_unref);
    g_hash_table_unref(tls->nodes);
    g_free(tls);
}

static TlsVersion
world_tls_min_version(const TlsSpec *ts)
{
    return ts->min_version == 13 ? TLS_VERSION_1_3 : TLS_VERSION_1_2;
}

static TlsIdentity *
world_tls_issue(World *w, WorldTls *tls, const Node *node, GError **error)
{
    const char *names[3] = {node->hostname, NULL, NULL};
    if (g_ascii_strcasecmp(node->name, node->hostname) != 0)
        names[1] = node->name;
    TlsCertRequest req = {
        .common_name = node->hostname,
        .organization = w->spec->name,
        .dns_names = names,
        .not_before = w->spec->epoch_unix,
        .days = WORLD_TLS_LEAF_DAYS,
    };
    return tls_ca_issue(tls->ca, &req, error);
}

static gboolean
world_tls_node_setup(World *w, WorldTls *tls, const Node *node, GError **error)
{
    const TlsSpec *ts = &node->spec->tls;
    WorldTlsNode *tn = g_new0(WorldTlsNode, 1);
    g_hash_table_insert(tls->nodes, node->name, tn);
    TlsIdentity *trust[] = {tls->ca, NULL};
    if (ts->server != SPEC_TLS_NONE) {
        g_autoptr(TlsIdentity) id = world_tls_issue(w, tls, node, error);
        if (id == NULL)
            return FALSE;
        TlsContextConfig cfg = {
            .is_server = TRUE,
            .identity = id,
            .min_version = world_tls_min_version(ts),
            .no_tickets = !ts->session_tickets,
            .verify_time = w->spec->epoch_unix,
            .keylog = world_tls_keylog_func(w),
            .keylog_data = w,
        };
        tn->server = tls_context_new(&cfg, error);
        if (tn->server == NULL)
            return FALSE;
    }
    if (ts->client != SPEC_TLS_NONE) {
        TlsContextConfig cfg = {
            .trust = trust,
            .verify = ts->client >= SPEC_TLS_VERIFY ? TLS_VERIFY_REQUIRED : TLS_VERIFY_NONE,
            .min_version = world_tls_min_version(ts),
            .no_tickets = !ts->session_tickets,
            .verify_time = w->spec->epoch_unix,
            .keylog = world_tls_keylog_func(w),
            .keylog_data = w,
        };
        tn->client = tls_context_new(&cfg, error);
        if (tn->client == NULL)
            return FALSE;
    }
    return TRUE;
}

TlsIdentity *
world_tls_ensure_ca(World *w, GError **error)
{
    WorldTls *tls = w->tls;
    g_return_val_if_fail(tls != NULL, NULL);
    if (tls->ca == NULL) {
        /* The CA key comes from the run's seed: the same seed issues the
         * same certificates (proto/seed_key.h). */
        guint8 seed[8 + 7];
        memcpy(seed, "mhs-ca", 7);
        for (guint i = 0; i < 8; i++)
            seed[7 + i] = (guint8)(w->seed >> (8 * i));
        EVP_PKEY *key = seed_key_derive(TLS_KEY_ED25519, seed, sizeof seed);
        TlsCertRequest req = {
            .common_name = "mhs Scenario CA",
            .organization = w->spec->name,
            .not_before = w->spec->epoch_unix,
            .days = WORLD_TLS_CA_DAYS,
            .key = key,
        };
        tls->ca = tls_ca_new(&req, error);
        EVP_PKEY_free(key);
    }
    return tls->ca;
}

gboolean
world_tls_setup(World *w, GError **error)
{
    WorldTls *tls = g_new0(WorldTls, 1);
    tls->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, world_tls_node_free);
    w->tls = tls;
    for (guint i = 0; i < w->nodes->len; i++) {
        const Node *node = w->nodes->pdata[i];
        const TlsSpec *ts = &node->spec->tls;
        if (ts->server == SPEC_TLS_NONE && ts->client == SPEC_TLS_NONE)
            continue;
        if (world_tls_ensure_ca(w, error) == NULL)
            return FALSE;
        if (!world_tls_node_setup(w, tls, node, error))
            return FALSE;
    }
    return TRUE;
}

static WorldTlsNode *
world_tls_node(World *w, const Node *node)
{
    return w->tls ? g_hash_table_lookup(w->tls->nodes, node->name) : NULL;
}

TlsContext *
world_tls_server_context(World *w, const Node *node)
{
    WorldTlsNode *tn = world_tls_node(w, node);
    return tn ? tn->server : NULL;
}

TlsContext *
world_tls_client_context(World *w, const Node *node)
{
    WorldTlsNode *tn = world_tls_node(w, node);
    return tn ? tn->client : NULL;
}

TlsIdentity *
world_tls_ca(World *w)
{
    return w->tls ? w->tls->ca : NULL;
}

/* The POP3 client context verifies nothing itself: the session checks the
 * result against the fetch's level (RFC 2595 2.4 via RFC 6125), so that a
 * fetch event can choose its own level. Made once, kept for resumption. */
TlsContext *
world_tls_pop3_client_context(World *w, const Node *node)
{
    if (w->tls == NULL || w->tls->ca == NULL)
        return NULL;
    WorldTlsNode *tn = world_tls_node(w, node);
    if (tn == NULL) {
        tn = g_new0(WorldTlsNode, 1);
        g_hash_table_insert(w->tls->nodes, node->name, tn);
    }
    if (tn->pop3 == NULL) {
        const TlsSpec *ts = &node->spec->tls;
        TlsIdentity *trust[] = {w->tls->ca, NULL};
        TlsContextConfig cfg = {
            .trust = trust,
            .verify = TLS_VERIFY_NONE,
            .min_version = world_tls_min_version(ts),
            .no_tickets = !ts->session_tickets,
            .verify_time = w->spec->epoch_unix,
            .keylog = world_tls_keylog_func(w),
            .keylog_data = w,
        };
        g_autoptr(GError) error = NULL;
        tn->pop3 = tls_context_new(&cfg, &error);
        if (tn->pop3 == NULL)
            g_warning("%s: POP3 TLS context: %s", node->name, error->message);
    }
    return tn->pop3;
}
