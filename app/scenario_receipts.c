/* SPDX-License-Identifier: MIT
 * scenario_receipts: the scenario keys of read receipts and delivery
 * reports: a mua's `mdn` setting (RFC 8098) and a send event's `receipt`, `return_receipt_to`,
 * `notify`, `ret` and `envid` (RFC 3461 4).
 */
#include <string.h>

#include "app/scenario-private.h"
#include "proto/smtp_dsn.h"

/* mdn: always, never, ask */
gboolean
scenario_set_mdn(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                 GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    static const char *const names[] = {"never", "always", "ask"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *(SpecMdnMode *)slot = (SpecMdnMode)i;
            return TRUE;
        }
    }
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'mdn' must be always, never or ask, not '%s'", s);
}

/* mdn_answer: yes (send when asked) or no: stored as "declines". */
gboolean
scenario_set_mdn_answer(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    gboolean yes = TRUE;
    if (!scenario_set_bool(ctx, f, v, &yes, error))
        return FALSE;
    *(gboolean *)slot = !yes;
    return TRUE;
}

/* notify: NEVER, or SUCCESS,FAILURE,DELAY as one string or a list. */
gboolean
scenario_set_notify(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    g_autoptr(GString) joined = g_string_new(NULL);
    if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            const char *s = scenario_want_scalar(ctx, scenario_item(ctx, *it), f->key, error);
            if (s == NULL)
                return FALSE;
            g_string_append_printf(joined, "%s%s", joined->len ? "," : "", s);
        }
    } else {
        const char *s = scenario_want_scalar(ctx, v, f->key, error);
        if (s == NULL)
            return FALSE;
        g_string_append(joined, s);
    }
    g_autofree char *nospace = g_strdup(joined->str);
    char *w = nospace;
    for (const char *p = joined->str; *p; p++)
        if (*p != ' ')
            *w++ = *p;
    *w = '\0';
    if (smtp_dsn_notify_parse(nospace, slot))
        return TRUE;
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'notify' must be NEVER or a list of SUCCESS, FAILURE, DELAY "
                         "(RFC 3461 4.1), not '%s'",
                         joined->str);
}

/* ret: FULL or HDRS */
gboolean
scenario_set_ret(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                 GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (smtp_dsn_ret_parse(s, slot))
        return TRUE;
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'ret' must be FULL or HDRS (RFC 3461 4.3), not '%s'", s);
}
