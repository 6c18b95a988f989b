/* SPDX-License-Identifier: MIT
 * scenario_zone: the `dns:` mapping of a scenario (or a zone file alone):
 * owner name -> {A, AAAA, MX "PREF HOST", TXT, PTR, CNAME, NS, SPF, fail}.
 * A TXT item that is itself a list gives the character-strings of one
 * record (RFC 7208 3.3: they are concatenated without spaces). `fail`
 * stages TIMEOUT or SERVFAIL answers for the name (the temperror paths).
 */
#include "app/scenario-private.h"

#include <string.h>

#include "app/scenario_value.h"

static const char *const scenario_zone_keys[] = {"A",     "AAAA", "MX",  "TXT",  "PTR",
                                                 "CNAME", "NS",   "SPF", "fail", NULL};

static gboolean
scenario_zone_add(ScenarioCtx *ctx, DnsZone *zone, const char *name, DnsRrType type, yaml_node_t *v,
                  GError **error)
{
    if (v->type == YAML_SEQUENCE_NODE && (type == DNS_RR_TXT || type == DNS_RR_SPF)) {
        /* One record made of several character-strings. */
        g_autoptr(GPtrArray) strings = g_ptr_array_new();
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            const char *s =
                scenario_want_scalar(ctx, scenario_item(ctx, *i), dns_rr_type_name(type), error);
            if (s == NULL)
                return FALSE;
            g_ptr_array_add(strings, (gpointer)s);
        }
        g_ptr_array_add(strings, NULL);
        if (type == DNS_RR_TXT) {
            dns_zone_add_txt(zone, name, (const char *const *)strings->pdata);
            return TRUE;
        }
        g_autofree char *joined = g_strjoinv("", (char **)strings->pdata);
        if (!dns_zone_add(zone, name, type, joined, NULL))
            return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE, "bad %s record for '%s'",
                                 dns_rr_type_name(type), name);
        return TRUE;
    }
    const char *s = scenario_want_scalar(ctx, v, dns_rr_type_name(type), error);
    if (s == NULL)
        return FALSE;
    g_autofree char *problem = NULL;
    if (!dns_zone_add(zone, name, type, s, &problem))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE, "bad %s record for '%s': %s",
                             dns_rr_type_name(type), name,
                             problem != NULL ? problem : "invalid value");
    return TRUE;
}

static gboolean
scenario_zone_fail(ScenarioCtx *ctx, DnsZone *zone, const char *name, yaml_node_t *v,
                   GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, "fail", error);
    if (s == NULL)
        return FALSE;
    if (g_ascii_strcasecmp(s, "TIMEOUT") == 0)
        dns_zone_set_failure(zone, name, DNS_RCODE_TIMEOUT);
    else if (g_ascii_strcasecmp(s, "SERVFAIL") == 0)
        dns_zone_set_failure(zone, name, DNS_RCODE_SERVFAIL);
    else
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'fail' must be TIMEOUT or SERVFAIL, not '%s'", s);
    return TRUE;
}

static gboolean
scenario_zone_unknown_type(ScenarioCtx *ctx, yaml_node_t *k, const char *type, const char *name,
                           GError **error)
{
    const char *best = scenario_suggest(type, scenario_zone_keys);
    if (best != NULL)
        return scenario_fail(ctx, k, error, SCENARIO_ERROR_UNKNOWN_KEY,
                             "unknown record type '%s' for '%s' in dns (did you mean '%s'?)", type,
                             name, best);
    return scenario_fail(ctx, k, error, SCENARIO_ERROR_UNKNOWN_KEY,
                         "unknown record type '%s' for '%s' in dns (A, AAAA, MX, TXT, PTR, "
                         "CNAME, NS, SPF or fail)",
                         type, name);
}

/* The record sets of one owner name, in file order. */
static gboolean
scenario_zone_name(ScenarioCtx *ctx, DnsZone *zone, const char *name, yaml_node_t *sets,
                   GError **error)
{
    if (scenario_is_null(sets))
        return TRUE;
    if (!scenario_want_map(ctx, sets, name, error))
        return FALSE;
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (yaml_node_pair_t *p = sets->data.mapping.pairs.start; p < sets->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = scenario_item(ctx, p->key);
        yaml_node_t *v = scenario_item(ctx, p->value);
        const char *type = scenario_want_scalar(ctx, k, "record type", error);
        if (type == NULL)
            return FALSE;
        if (g_hash_table_contains(seen, type))
            return scenario_fail(ctx, k, error, SCENARIO_ERROR_DUPLICATE,
                                 "duplicate record type '%s' for '%s' in dns (use a list)", type,
                                 name);
        g_hash_table_add(seen, (gpointer)type);
        if (scenario_is_null(v))
            continue;
        if (strcmp(type, "fail") == 0) {
            if (!scenario_zone_fail(ctx, zone, name, v, error))
                return FALSE;
            continue;
        }
        DnsRrType rr = dns_rr_type_from_name(type);
        if (rr == 0)
            return scenario_zone_unknown_type(ctx, k, type, name, error);
        if (v->type == YAML_MAPPING_NODE)
            return scenario_fail(ctx, v, error, SCENARIO_ERROR_TYPE,
                                 "'%s' of '%s' must be a string or a list, not a mapping", type,
                                 name);
        if (v->type == YAML_SCALAR_NODE) {
            if (!scenario_zone_add(ctx, zone, name, rr, v, error))
                return FALSE;
            continue;
        }
        for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top;
             i++) {
            yaml_node_t *item = scenario_item(ctx, *i);
            /* Only TXT and SPF items may be lists (of character-strings). */
            if (item->type == YAML_SEQUENCE_NODE && rr != DNS_RR_TXT && rr != DNS_RR_SPF)
                return scenario_fail(ctx, item, error, SCENARIO_ERROR_TYPE,
                                     "'%s' of '%s' must be a list of strings", type, name);
            if (!scenario_zone_add(ctx, zone, name, rr, item, error))
                return FALSE;
        }
    }
    return TRUE;
}

gboolean
scenario_zone_parse(ScenarioCtx *ctx, yaml_node_t *map, DnsZone *zone, GError **error)
{
    if (!scenario_want_map(ctx, map, "dns", error))
        return FALSE;
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = scenario_item(ctx, p->key);
        const char *name = scenario_want_scalar(ctx, k, "name", error);
        if (name == NULL)
            return FALSE;
        if (name[0] == '\0' || strchr(name, ' ') != NULL)
            return scenario_fail(ctx, k, error, SCENARIO_ERROR_VALUE, "'%s' is not a domain name",
                                 name);
        char *norm = dns_name_normalize(name);
        if (g_hash_table_contains(seen, norm)) {
            g_free(norm);
            return scenario_fail(ctx, k, error, SCENARIO_ERROR_DUPLICATE,
                                 "duplicate name '%s' in dns", name);
        }
        g_hash_table_add(seen, norm);
        if (!scenario_zone_name(ctx, zone, name, scenario_item(ctx, p->value), error))
            return FALSE;
    }
    return TRUE;
}
