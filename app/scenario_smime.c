/* SPDX-License-Identifier: MIT
 * scenario_smime: the loader's S/MIME keys (RFC 8551): a user's or mua's
 * `smime` (true/false or the key type of the certificate the scenario CA
 * issues), a mua's `smime_missing_cert`, a send's `smime` protection, an
 * mta's `tamper` (the attacker's changes) and the `smime` expectation.
 * Ed25519 is refused for users: OpenSSL 3.0's CMS cannot sign with it and
 * no S/MIME client reads it (RFC 8419 is rarely implemented).
 */
#include <stddef.h>
#include <string.h>

#include "app/scenario-private.h"
#include "app/scenario_value.h"

gboolean
scenario_set_smime_key(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    SpecSmimeKey *k = slot;
    gboolean b;
    if (scenario_parse_bool(s, &b))
        *k = b ? SPEC_SMIME_KEY_RSA : SPEC_SMIME_KEY_NONE;
    else if (strcmp(s, "rsa") == 0 || strcmp(s, "rsa2048") == 0)
        *k = SPEC_SMIME_KEY_RSA;
    else if (strcmp(s, "p256") == 0 || strcmp(s, "p-256") == 0 || strcmp(s, "ecdsa") == 0)
        *k = SPEC_SMIME_KEY_P256;
    else if (strcmp(s, "none") == 0)
        *k = SPEC_SMIME_KEY_NONE;
    else
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'smime' must be true, false, rsa or p256, not '%s'%s", s,
                             g_ascii_strcasecmp(s, "ed25519") == 0
                                 ? " (S/MIME needs RSA or EC keys: CMS readers do not take "
                                   "Ed25519)"
                                 : "");
    return TRUE;
}

gboolean
scenario_set_smime_missing(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                           GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (strcmp(s, "refuse") == 0)
        *(SpecSmimeMissing *)slot = SPEC_SMIME_MISSING_REFUSE;
    else if (strcmp(s, "send_plain") == 0 || strcmp(s, "send-plain") == 0)
        *(SpecSmimeMissing *)slot = SPEC_SMIME_MISSING_SEND_PLAIN;
    else
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'smime_missing_cert' must be 'refuse' or 'send_plain', not '%s'", s);
    return TRUE;
}

gboolean
scenario_set_smime_mode(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    /* "sign+encrypt" may be written "sign-encrypt" or "sign_encrypt" too. */
    g_autofree char *norm = g_strdup(s);
    if (g_str_has_prefix(norm, "sign") && (norm[4] == '-' || norm[4] == '_') &&
        strcmp(norm + 5, "encrypt") == 0)
        norm[4] = '+';
    if (strcmp(norm, "opaque_sign") == 0)
        norm[6] = '-';
    if (spec_smime_mode_from_name(norm, slot))
        return TRUE;
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'smime' must be none, sign, opaque-sign, encrypt or sign+encrypt, "
                         "not '%s'",
                         s);
}

/* replace: {old: new, ...} into a flat NULL-terminated list of pairs. */
static gboolean
scenario_set_tamper_replace(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                            GError **error)
{
    if (!scenario_want_map(ctx, v, f->key, error))
        return FALSE;
    GPtrArray *pairs = g_ptr_array_new_with_free_func(g_free);
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *k = scenario_item(ctx, p->key), *val = scenario_item(ctx, p->value);
        const char *from = scenario_want_scalar(ctx, k, f->key, error);
        const char *to = from == NULL            ? NULL
                         : scenario_is_null(val) ? ""
                                                 : scenario_want_scalar(ctx, val, from, error);
        if (from == NULL || to == NULL) {
            g_ptr_array_unref(pairs);
            return FALSE;
        }
        if (from[0] == '\0') {
            g_ptr_array_unref(pairs);
            return scenario_fail(ctx, k, error, SCENARIO_ERROR_VALUE,
                                 "'replace' needs non-empty text to look for");
        }
        g_ptr_array_add(pairs, g_strdup(from));
        g_ptr_array_add(pairs, g_strdup(to));
    }
    g_ptr_array_add(pairs, NULL);
    g_strfreev(*(char ***)slot);
    *(char ***)slot = (char **)g_ptr_array_free(pairs, FALSE);
    return TRUE;
}

static const ScenarioField scenario_tamper_fields[] = {
    {"append_body", scenario_set_str, offsetof(TamperSpec, append_body), 0, 0},
    {"replace", scenario_set_tamper_replace, offsetof(TamperSpec, replace), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

gboolean
scenario_set_tamper(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    g_autofree char *where = g_strdup_printf("'%s' of %s", f->key, ctx->where);
    const ScenarioField *tables[] = {scenario_tamper_fields, NULL};
    const char *saved = ctx->where;
    ctx->where = where;
    gboolean ok = scenario_fields_apply(ctx, v, tables, slot, NULL, error);
    ctx->where = saved;
    return ok;
}

gboolean
scenario_set_smime_verdict(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                           GError **error)
{
    static const char *const names[] = {"verified",   "failed", "decrypted",
                                        "unreadable", "none",   NULL};
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!g_strv_contains(names, s))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "unknown smime result '%s' (verified, failed, decrypted, "
                             "unreadable, none)",
                             s);
    return scenario_set_str(ctx, f, v, slot, error);
}
