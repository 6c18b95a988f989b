/* SPDX-License-Identifier: MIT
 * scenario_auth: the loader's sender-authentication keys: a node's `dkim`
 * (signing), `checks` (SPF, DKIM, DMARC on incoming mail) and `rewrite`;
 * the top-level `psl` rules; the spf/dkim/dmarc expectations; and finding
 * a Public Suffix List file for DMARC (RFC 7489 3.2) when a node checks
 * DMARC: $MHS_PSL, then data/public_suffix_list.dat beside the program or
 * one level up, then the system's copy. Without one, nodes/ uses a small
 * built-in list.
 */
#include <stddef.h>
#include <string.h>

#include "app/scenario-private.h"
#include "proto/dkim.h"
#include "proto/dkim_keygen.h"
#include "proto/psl.h"
#include "proto/spf.h"

/* Not an RFC limit: a PEM key is a few KiB. */
#define SCENARIO_KEY_FILE_MAX (64 * 1024)
/* The list is about 250 KiB today. */
#define SCENARIO_PSL_FILE_MAX (16 * 1024 * 1024)

static gboolean
scenario_auth_nested(ScenarioCtx *ctx, yaml_node_t *v, const ScenarioField *table, gpointer target,
                     const char *key, GError **error)
{
    g_autofree char *where = g_strdup_printf("'%s' of %s", key, ctx->where);
    const ScenarioField *tables[] = {table, NULL};
    const char *saved = ctx->where;
    ctx->where = where;
    gboolean ok = scenario_fields_apply(ctx, v, tables, target, NULL, error);
    ctx->where = saved;
    return ok;
}

/* ---- dkim ---- */

static gboolean
scenario_set_dkim_algo(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (strcmp(s, "ed25519-sha256") == 0)
        *(DkimAlg *)slot = DKIM_ALG_ED25519_SHA256;
    else if (strcmp(s, "rsa-sha256") == 0)
        *(DkimAlg *)slot = DKIM_ALG_RSA_SHA256;
    else
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'algo' must be 'ed25519-sha256' or 'rsa-sha256', not '%s' "
                             "(rsa-sha1 is not for signing, RFC 8301)",
                             s);
    return TRUE;
}

static gboolean
scenario_auth_canon_word(const char *s, DkimCanon *c)
{
    if (strcmp(s, "simple") == 0)
        *c = DKIM_CANON_SIMPLE;
    else if (strcmp(s, "relaxed") == 0)
        *c = DKIM_CANON_RELAXED;
    else
        return FALSE;
    return TRUE;
}

/* RFC 6376 3.5 c=: "header/body", a lone word is the header's and the
 * body is simple. */
static gboolean
scenario_set_dkim_canon(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    DkimSignSpec *d = (DkimSignSpec *)((char *)slot - offsetof(DkimSignSpec, header_canon));
    g_auto(GStrv) parts = g_strsplit(s, "/", 2);
    DkimCanon h, b = DKIM_CANON_SIMPLE;
    if (!scenario_auth_canon_word(parts[0], &h) ||
        (parts[1] && !scenario_auth_canon_word(parts[1], &b)))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "bad canonicalization '%s' (write e.g. relaxed/relaxed, "
                             "relaxed/simple, simple/simple)",
                             s);
    d->header_canon = h;
    d->body_canon = b;
    return TRUE;
}

static gboolean
scenario_set_dkim_key(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                      GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    DkimSignSpec *d = slot;
    g_autofree char *dir = g_path_get_dirname(ctx->file);
    g_autofree char *path = g_path_is_absolute(s) ? g_strdup(s) : g_build_filename(dir, s, NULL);
    char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(path, &text, &len, &local))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE, "cannot read DKIM key: %s",
                             local->message);
    g_autoptr(DkimPrivateKey) k = NULL;
    if (len <= SCENARIO_KEY_FILE_MAX && strlen(text) == len)
        k = dkim_private_key_new_pem((const guint8 *)text, len, &local);
    if (k == NULL) {
        memset(text, 0, len);
        g_free(text);
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' is not a PEM RSA or Ed25519 private key", s);
    }
    if (d->key_pem)
        memset(d->key_pem, 0, strlen(d->key_pem));
    g_free(d->key_pem);
    d->key_pem = text;
    g_free(d->key_file);
    d->key_file = g_strdup(s);
    d->alg = dkim_private_key_alg(k);
    return TRUE;
}

static gboolean
scenario_set_dkim_bits(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    if (!scenario_set_uint(ctx, f, v, slot, error))
        return FALSE;
    guint b = *(guint *)slot;
    if (b < DKIM_KEYGEN_RSA_MIN_BITS || b % 16 != 0)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'bits' must be a multiple of 16 from %u to %u (RFC 8301 3.2)",
                             DKIM_KEYGEN_RSA_MIN_BITS, DKIM_KEYGEN_RSA_MAX_BITS);
    return TRUE;
}

static const ScenarioField scenario_dkim_fields[] = {
    {"domain", scenario_set_str, offsetof(DkimSignSpec, domain), SCENARIO_FIELD_REQUIRED, 0},
    {"selector", scenario_set_str, offsetof(DkimSignSpec, selector), 0, 0},
    {"algo", scenario_set_dkim_algo, offsetof(DkimSignSpec, alg), 0, 0},
    {"canon", scenario_set_dkim_canon, offsetof(DkimSignSpec, header_canon), 0, 0},
    {"headers", scenario_set_strv, offsetof(DkimSignSpec, headers), 0, 0},
    {"bits", scenario_set_dkim_bits, offsetof(DkimSignSpec, rsa_bits), 0, DKIM_KEYGEN_RSA_MAX_BITS},
    {"key", scenario_set_skip, 0, 0, 0}, /* read last: it sets the algorithm */
    {NULL, NULL, 0, 0, 0},
};

gboolean
scenario_set_dkim(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    DkimSignSpec *d = slot;
    if (!scenario_auth_nested(ctx, v, scenario_dkim_fields, d, f->key, error))
        return FALSE;
    yaml_node_t *key = scenario_map_get(ctx, v, "key");
    ScenarioField kf = {"key", scenario_set_dkim_key, 0, 0, 0};
    if (!scenario_is_null(key) && !scenario_set_dkim_key(ctx, &kf, key, d, error))
        return FALSE;
    if (d->selector == NULL)
        d->selector = g_strdup("mhs");
    return TRUE;
}

/* ---- checks ---- */

static gboolean
scenario_set_spf_action(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (strcmp(s, "reject") == 0)
        *(SpecSpfAction *)slot = SPEC_SPF_REJECT;
    else if (strcmp(s, "tag") == 0)
        *(SpecSpfAction *)slot = SPEC_SPF_TAG;
    else
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'%s' must be 'reject' or 'tag', not '%s'", f->key, s);
    return TRUE;
}

static const ScenarioField scenario_spf_policy_fields[] = {
    {"fail", scenario_set_spf_action, offsetof(AuthChecksSpec, spf_fail), 0, 0},
    {"softfail", scenario_set_spf_action, offsetof(AuthChecksSpec, spf_softfail), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_spf_policy(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    return scenario_auth_nested(ctx, v, scenario_spf_policy_fields, slot, f->key, error);
}

static const ScenarioField scenario_checks_fields[] = {
    {"spf", scenario_set_bool, offsetof(AuthChecksSpec, spf), 0, 0},
    {"dkim", scenario_set_bool, offsetof(AuthChecksSpec, dkim), 0, 0},
    {"dmarc", scenario_set_bool, offsetof(AuthChecksSpec, dmarc), 0, 0},
    {"dmarc_enforce", scenario_set_bool, offsetof(AuthChecksSpec, dmarc_enforce), 0, 0},
    {"spf_policy", scenario_set_spf_policy, 0, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

gboolean
scenario_set_checks(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    return scenario_auth_nested(ctx, v, scenario_checks_fields, slot, f->key, error);
}

/* ---- rewrite ---- */

static const ScenarioField scenario_rewrite_fields[] = {
    {"body_append", scenario_set_str, offsetof(RewriteSpec, body_append), 0, 0},
    {"rewrap_headers", scenario_set_bool, offsetof(RewriteSpec, rewrap_headers), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

gboolean
scenario_set_rewrite(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    return scenario_auth_nested(ctx, v, scenario_rewrite_fields, slot, f->key, error);
}

/* ---- psl ---- */

gboolean
scenario_set_psl(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                 GError **error)
{
    if (!scenario_set_strv(ctx, f, v, slot, error))
        return FALSE;
    g_autoptr(Psl) psl = psl_new();
    for (char **r = *(char ***)slot; *r; r++)
        if (!psl_add_rule(psl, *r))
            return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                                 "'%s' is not a public suffix rule (write e.g. co.uk, *.ck, "
                                 "!www.ck)",
                                 *r);
    return TRUE;
}

static char *
scenario_psl_read(const char *path)
{
    char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL))
        return NULL;
    if (len > SCENARIO_PSL_FILE_MAX || strlen(text) != len) {
        g_free(text);
        return NULL;
    }
    return text;
}

static char *
scenario_psl_find(void)
{
    const char *env = g_getenv("MHS_PSL");
    if (env && *env)
        return scenario_psl_read(env);
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = exe ? g_path_get_dirname(exe) : NULL;
    const char *name = "public_suffix_list.dat";
    g_autofree char *beside = dir ? g_build_filename(dir, "data", name, NULL) : NULL;
    g_autofree char *above = dir ? g_build_filename(dir, "..", "data", name, NULL) : NULL;
    const char *candidates[] = {beside, above, "/usr/share/publicsuffix/public_suffix_list.dat"};
    for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
        char *text = candidates[i] ? scenario_psl_read(candidates[i]) : NULL;
        if (text)
            return text;
    }
    return NULL;
}

gboolean
scenario_auth_finish(ScenarioCtx *ctx, GError **error)
{
    WorldSpec *spec = ctx->spec;
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *n = spec->nodes->pdata[i];
        if (n->checks.dmarc && spec->psl_text == NULL)
            spec->psl_text = scenario_psl_find();
    }
    return TRUE;
}

/* ---- expectations ---- */

gboolean
scenario_set_verdict(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    static const char *const spf[] = {"none",     "neutral",   "pass",      "fail",
                                      "softfail", "temperror", "permerror", NULL};
    static const char *const dkim[] = {"none",    "pass",      "fail",      "policy",
                                       "neutral", "temperror", "permerror", NULL};
    static const char *const dmarc[] = {"none", "pass", "fail", "temperror", "permerror", NULL};
    const char *const *names = strcmp(f->key, "spf") == 0    ? spf
                               : strcmp(f->key, "dkim") == 0 ? dkim
                                                             : dmarc;
    if (!g_strv_contains(names, s)) {
        g_autofree char *all = g_strjoinv(", ", (char **)names);
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE, "unknown %s result '%s' (%s)",
                             f->key, s, all);
    }
    return scenario_set_str(ctx, f, v, slot, error);
}
