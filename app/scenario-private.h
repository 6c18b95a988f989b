/* SPDX-License-Identifier: MIT
 * scenario-private: the loader's internals shared by scenario.c (sections
 * and key tables), scenario_yaml.c (YAML tree, errors, generic setters) and
 * scenario_zone.c (the `dns:` zone). Not for use outside app/scenario*.c
 * and the tests.
 */
#ifndef APP_SCENARIO_PRIVATE_H
#define APP_SCENARIO_PRIVATE_H

#include <glib.h>

#include <yaml.h>

#include "app/scenario.h"

typedef struct {
    const char *file; /* interned display name */
    yaml_document_t doc;
    gboolean has_doc;
    WorldSpec *spec;      /* NULL when only a zone is loaded */
    GPtrArray *node_refs; /* ScenarioRef*: node names to check once all nodes are known */
    GPtrArray *msg_refs;  /* ScenarioRef*: message ids to check once all events are known */
    GHashTable *msg_ids;  /* id -> SpecLoc* */
    GHashTable *ips;      /* IPv4 text -> node name (borrowed) */
    const char *where;    /* "node 'x'" for messages of the section being read */
    SpecRole role;        /* role of the node being read */
    /* Merged documents (scenario_load_document): the file each node came
     * from, indexed by node index - 1; NULL entries and NULL mean file. */
    const char *const *origins;
    gsize n_origins;
} ScenarioCtx;

typedef struct {
    char *name;
    SpecLoc loc;
    const char *what; /* the key that holds the reference */
    SpecRole role;    /* node refs: the role the node must have, 0 = any */
} ScenarioRef;

typedef struct ScenarioField ScenarioField;
/* Stores v into slot (target + field offset). v is never a null scalar. */
typedef gboolean (*ScenarioSetter)(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                                   gpointer slot, GError **error);

#define SCENARIO_FIELD_REQUIRED 1u

struct ScenarioField {
    const char *key;
    ScenarioSetter set;
    gsize offset;
    guint flags;
    gint64 arg; /* setter-specific: role of a node reference, maximum of a number */
};

/* Extra text for an unknown key ("it is a key of role msa"), or NULL. */
typedef char *(*ScenarioKeyHint)(ScenarioCtx *ctx, const char *key);

/* Parsing and context. */
gboolean scenario_ctx_init(ScenarioCtx *ctx, const char *text, gsize len, const char *file,
                           GError **error);
void scenario_ctx_clear(ScenarioCtx *ctx);
yaml_node_t *scenario_root(ScenarioCtx *ctx);

/* Always returns FALSE, setting error to "FILE:LINE:COL: message" at node at. */
gboolean scenario_fail(ScenarioCtx *ctx, yaml_node_t *at, GError **error, ScenarioErrorCode code,
                       const char *fmt, ...) G_GNUC_PRINTF(5, 6);
void scenario_loc(ScenarioCtx *ctx, yaml_node_t *v, SpecLoc *loc);

/* YAML tree. */
yaml_node_t *scenario_item(ScenarioCtx *ctx, int index);
gboolean scenario_is_null(const yaml_node_t *v);
const char *scenario_kind_name(const yaml_node_t *v);
/* The value of key in map (NULL when absent or map is not a mapping). */
yaml_node_t *scenario_map_get(ScenarioCtx *ctx, yaml_node_t *map, const char *key);
/* The key node of key in map, for messages. */
yaml_node_t *scenario_map_key(ScenarioCtx *ctx, yaml_node_t *map, const char *key);
/* Checks v is of the kind, else a TYPE error naming key. */
gboolean scenario_want_map(ScenarioCtx *ctx, yaml_node_t *v, const char *key, GError **error);
gboolean scenario_want_seq(ScenarioCtx *ctx, yaml_node_t *v, const char *key, GError **error);
/* Scalar text of v, or NULL with a TYPE error naming key. */
const char *scenario_want_scalar(ScenarioCtx *ctx, yaml_node_t *v, const char *key, GError **error);

/* Applies map to target through the tables (NULL-terminated list of
 * NULL-key-terminated tables): unknown keys (with did-you-mean among the
 * tables' keys, and hint), duplicate keys, wrong types, missing required
 * keys. Null values leave the default. */
gboolean scenario_fields_apply(ScenarioCtx *ctx, yaml_node_t *map,
                               const ScenarioField *const *tables, gpointer target,
                               ScenarioKeyHint hint, GError **error);

/* Generic setters (slot type in brackets). */
gboolean scenario_set_skip(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                           GError **);
gboolean scenario_set_str(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                          GError **); /* char * */
gboolean scenario_set_strv(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                           GError **); /* char ** */
gboolean scenario_set_address(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                              GError **); /* char * */
gboolean scenario_set_addresses(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                GError **); /* char ** */
gboolean scenario_set_ips(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                          GError **); /* char **: string or list of IPv4 */
gboolean scenario_set_cidrs(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                            GError **); /* char ** */
gboolean scenario_set_bool(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                           GError **); /* gboolean */
gboolean scenario_set_duration(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                               GError **); /* gint64 */
gboolean scenario_set_bandwidth(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                GError **); /* guint64 */
gboolean scenario_set_size(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                           GError **); /* guint64 */
gboolean scenario_set_size_t(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                             GError **); /* gsize */
gboolean scenario_set_uint(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                           GError **); /* guint, at most f->arg */
gboolean scenario_set_port(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                           GError **); /* guint16 */
gboolean scenario_set_node_ref(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                               GError **); /* char *, role f->arg (0 = any) */
gboolean scenario_set_node_refs(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                GError **); /* char ** */
gboolean scenario_set_msg_ref(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                              GError **); /* char * */

/* References, checked by scenario_check_refs once everything is read. */
void scenario_ref_node(ScenarioCtx *ctx, yaml_node_t *v, const char *name, const char *what,
                       SpecRole role);
void scenario_ref_message(ScenarioCtx *ctx, yaml_node_t *v, const char *id, const char *what);
/* Records a new message id; DUPLICATE error when already used. */
gboolean scenario_add_message_id(ScenarioCtx *ctx, yaml_node_t *v, const char *id, GError **error);
gboolean scenario_check_refs(ScenarioCtx *ctx, GError **error);

/* The `events:` and `expect:` lists (scenario_events.c); slot unused. */
gboolean scenario_set_events(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                             GError **);
gboolean scenario_set_expects(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                              GError **);

/* Sender authentication (scenario_auth.c): a node's `dkim` (DkimSignSpec),
 * `checks` (AuthChecksSpec), `rewrite` (RewriteSpec); the top-level `psl`
 * (char **); an spf/dkim/dmarc expectation's result name (char *). */
gboolean scenario_set_dkim(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                           GError **);
gboolean scenario_set_checks(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                             GError **);
gboolean scenario_set_rewrite(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                              GError **);
gboolean scenario_set_psl(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                          GError **);
gboolean scenario_set_verdict(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                              GError **);
/* After the whole file is read: loads a Public Suffix List when a node
 * checks DMARC. */
gboolean scenario_auth_finish(ScenarioCtx *ctx, GError **error);

/* S/MIME (scenario_smime.c): a user's or mua's `smime` (SpecSmimeKey), a
 * mua's `smime_missing_cert` (SpecSmimeMissing), a send's `smime`
 * (SpecSmimeMode), an mta's `tamper` (TamperSpec), the `smime`
 * expectation's verdict (char *). */
gboolean scenario_set_smime_key(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                GError **);
gboolean scenario_set_smime_missing(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                    GError **);
gboolean scenario_set_smime_mode(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                 GError **);
gboolean scenario_set_tamper(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                             GError **);
gboolean scenario_set_smime_verdict(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                    GError **);

/* A mitm node's `rewrite` list into GPtrArray * of MitmRuleSpec*
 * (scenario_mitm.c). */
gboolean scenario_set_mitm_rules(ScenarioCtx *, const ScenarioField *, yaml_node_t *, gpointer,
                                 GError **);

/* The `dns:` zone mapping into zone (scenario_zone.c). */
gboolean scenario_zone_parse(ScenarioCtx *ctx, yaml_node_t *map, DnsZone *zone, GError **error);

/* app/scenario_receipts.c: MDN and DSN keys. */
gboolean scenario_set_mdn(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                          GError **error);
gboolean scenario_set_mdn_answer(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                                 gpointer slot, GError **error);
gboolean scenario_set_notify(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                             gpointer slot, GError **error);
gboolean scenario_set_ret(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                          GError **error);

#endif
