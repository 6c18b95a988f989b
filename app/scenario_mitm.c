/* SPDX-License-Identifier: MIT
 * scenario_mitm: the `rewrite` list of a mitm node (MitmSpec.rules):
 * [{match: TEXT, replace: TEXT, direction: to_server|to_client}, ...].
 * match must be non-empty and cannot hold CR or LF (the attacker rewrites
 * whole lines, proto/smtp_mitm.h); replace may hold them (an injected
 * command line) and defaults to "" (delete).
 */
#include <stddef.h>
#include <string.h>

#include "app/scenario-private.h"
#include "proto/smtp_mitm.h"

typedef struct {
    char *match, *replace, *direction;
} ScenarioMitmRule;

static const ScenarioField scenario_mitm_rule_fields[] = {
    {"match", scenario_set_str, offsetof(ScenarioMitmRule, match), SCENARIO_FIELD_REQUIRED, 0},
    {"replace", scenario_set_str, offsetof(ScenarioMitmRule, replace), 0, 0},
    {"direction", scenario_set_str, offsetof(ScenarioMitmRule, direction), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_mitm_rule(ScenarioCtx *ctx, yaml_node_t *item, GPtrArray *rules, GError **error)
{
    ScenarioMitmRule r = {0};
    const ScenarioField *tables[] = {scenario_mitm_rule_fields, NULL};
    const char *saved = ctx->where;
    g_autofree char *where = g_strdup_printf("a 'rewrite' rule of %s", saved);
    ctx->where = where;
    gboolean ok = scenario_want_map(ctx, item, "rewrite", error) &&
                  scenario_fields_apply(ctx, item, tables, &r, NULL, error);
    ctx->where = saved;
    SmtpMitmDir dir = SMTP_MITM_C2S;
    if (ok && (r.match[0] == '\0' || strpbrk(r.match, "\r\n") != NULL))
        ok = scenario_fail(ctx, scenario_map_get(ctx, item, "match"), error, SCENARIO_ERROR_VALUE,
                           "'match' of a 'rewrite' rule must be non-empty text within one line");
    if (ok && r.direction != NULL && !smtp_mitm_dir_from_name(r.direction, &dir))
        ok = scenario_fail(ctx, scenario_map_get(ctx, item, "direction"), error,
                           SCENARIO_ERROR_VALUE,
                           "'direction' of a 'rewrite' rule must be to_server or to_client, "
                           "not '%s'",
                           r.direction);
    if (ok) {
        MitmRuleSpec *spec = g_new0(MitmRuleSpec, 1);
        spec->match = g_steal_pointer(&r.match);
        spec->replace = r.replace ? g_steal_pointer(&r.replace) : g_strdup("");
        spec->to_client = dir == SMTP_MITM_S2C;
        g_ptr_array_add(rules, spec);
    }
    g_free(r.match);
    g_free(r.replace);
    g_free(r.direction);
    return ok;
}

gboolean
scenario_set_mitm_rules(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    if (!scenario_want_seq(ctx, v, f->key, error))
        return FALSE;
    GPtrArray **rules = slot;
    if (*rules == NULL)
        *rules = g_ptr_array_new_with_free_func((GDestroyNotify)mitm_rule_spec_free);
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
        if (!scenario_mitm_rule(ctx, scenario_item(ctx, *i), *rules, error))
            return FALSE;
    return TRUE;
}
