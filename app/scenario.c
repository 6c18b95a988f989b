/* SPDX-License-Identifier: MIT
 * scenario: the top level of the YAML scenario loader (DESIGN 5): the key
 * tables of the scenario, network, nodes (one table per role), links and
 * users, and the public entry points. Events and expectations are in
 * scenario_events.c, the DNS zone in scenario_zone.c. A later role or
 * option is one more row in a table below plus a field in world_spec.h.
 */
#include "app/scenario.h"

#include <stddef.h>
#include <string.h>

#include "app/scenario-private.h"
#include "app/scenario_value.h"
#include "app/text_file.h"
#include "proto/sasl.h"

/* ---- network ---- */

static const ScenarioField scenario_network_fields[] = {
    {"latency", scenario_set_duration, offsetof(NetSpec, latency), 0, 0},
    {"bandwidth", scenario_set_bandwidth, offsetof(NetSpec, bandwidth), 0, 0},
    {"jitter", scenario_set_duration, offsetof(NetSpec, jitter), 0, 0},
    {"connect_timeout", scenario_set_duration, offsetof(NetSpec, connect_timeout), 0, 0},
    {"mtu", scenario_set_uint, offsetof(NetSpec, mtu), 0, 65535},
    {NULL, NULL, 0, 0, 0},
};

/* Applies a nested mapping with its own "where" for messages. */
static gboolean
scenario_apply_nested(ScenarioCtx *ctx, yaml_node_t *v, const ScenarioField *table, gpointer target,
                      const char *where, GError **error)
{
    const ScenarioField *tables[] = {table, NULL};
    const char *saved = ctx->where;
    ctx->where = where;
    gboolean ok = scenario_fields_apply(ctx, v, tables, target, NULL, error);
    ctx->where = saved;
    return ok;
}

static gboolean
scenario_set_network(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    return scenario_apply_nested(ctx, v, scenario_network_fields, slot, "network", error);
}

/* ---- nodes: one table per role ---- */

/* tls: {server, client, min_version, session_tickets}: levels in Postfix's
 * vocabulary; a server knows none, may and encrypt only. */
static gboolean
scenario_set_tls_level(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    SpecTlsLevel level;
    gboolean is_server = f->arg != 0;
    if (spec_tls_level_from_name(s, &level) && (!is_server || level <= SPEC_TLS_ENCRYPT)) {
        *(SpecTlsLevel *)slot = level;
        return TRUE;
    }
    return scenario_fail(
        ctx, v, error, SCENARIO_ERROR_VALUE, "'%s' of 'tls' must be one of %s, not '%s'", f->key,
        is_server ? "none, may, encrypt" : "none, may, encrypt, verify, secure", s);
}

static gboolean
scenario_set_tls_version(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                         GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (g_ascii_strcasecmp(s, "TLS1.2") == 0 || g_ascii_strcasecmp(s, "TLSv1.2") == 0)
        *(guint *)slot = 12;
    else if (g_ascii_strcasecmp(s, "TLS1.3") == 0 || g_ascii_strcasecmp(s, "TLSv1.3") == 0)
        *(guint *)slot = 13;
    else
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'min_version' must be TLS1.2 or TLS1.3, not '%s'", s);
    return TRUE;
}

static const ScenarioField scenario_tls_fields[] = {
    {"server", scenario_set_tls_level, offsetof(TlsSpec, server), 0, 1},
    {"client", scenario_set_tls_level, offsetof(TlsSpec, client), 0, 0},
    {"min_version", scenario_set_tls_version, offsetof(TlsSpec, min_version), 0, 0},
    {"session_tickets", scenario_set_bool, offsetof(TlsSpec, session_tickets), 0, 0},
    {"pop3", scenario_set_tls_level, offsetof(TlsSpec, pop3), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_tls(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                 GError **error)
{
    g_autofree char *where = g_strdup_printf("'tls' of %s", ctx->where);
    return scenario_apply_nested(ctx, v, scenario_tls_fields, slot, where, error);
}

/* A SASL mechanism name (RFC 4422 3.1) this build implements. */
static gboolean
scenario_check_mech(ScenarioCtx *ctx, yaml_node_t *v, const char *name, GError **error)
{
    if (sasl_mech_from_name(name) != SASL_MECH_NONE)
        return TRUE;
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "unknown SASL mechanism '%s' (PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5)", name);
}

static gboolean
scenario_set_mechs(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    if (!scenario_set_strv(ctx, f, v, slot, error))
        return FALSE;
    char **mechs = *(char ***)slot;
    for (guint i = 0; mechs[i] != NULL; i++) {
        yaml_node_t *item =
            v->type == YAML_SEQUENCE_NODE ? scenario_item(ctx, v->data.sequence.items.start[i]) : v;
        if (!scenario_check_mech(ctx, item, mechs[i], error))
            return FALSE;
        char *up = g_ascii_strup(mechs[i], -1);
        g_free(mechs[i]);
        mechs[i] = up;
    }
    return TRUE;
}

static gboolean
scenario_set_mech(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    g_clear_pointer((char **)slot, g_free);
    if (g_ascii_strcasecmp(s, "none") == 0)
        return TRUE;
    if (!scenario_check_mech(ctx, v, s, error))
        return FALSE;
    *(char **)slot = g_ascii_strup(s, -1);
    return TRUE;
}

static const ScenarioField scenario_auth_server_fields[] = {
    {"required", scenario_set_bool, offsetof(AuthSpec, required), 0, 0},
    {"mechanisms", scenario_set_mechs, offsetof(AuthSpec, mechanisms), 0, 0},
    {"tls_only", scenario_set_bool, offsetof(AuthSpec, tls_only), 0, 0},
    {"sender_login_match", scenario_set_bool, offsetof(AuthSpec, sender_login_match), 0, 0},
    {"max_failures", scenario_set_uint, offsetof(AuthSpec, max_failures), 0, 1000},
    {"failure_delay", scenario_set_duration, offsetof(AuthSpec, failure_delay), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_auth_client_fields[] = {
    {"mechanism", scenario_set_mech, offsetof(AuthSpec, mechanism), 0, 0},
    {"force", scenario_set_bool, offsetof(AuthSpec, force), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const char *const scenario_auth_default_mechs[] = {"PLAIN", "LOGIN", NULL};

/* msa, mta: `auth: required|none` or a mapping; AUTH is offered with PLAIN
 * and LOGIN unless mechanisms says otherwise. */
static gboolean
scenario_set_auth_server(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                         GError **error)
{
    AuthSpec *a = slot;
    if (v->type == YAML_SCALAR_NODE) {
        const char *s = scenario_want_scalar(ctx, v, f->key, error);
        if (strcmp(s, "required") != 0 && strcmp(s, "none") != 0)
            return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                                 "'auth' must be 'required', 'none' or a mapping, not '%s'", s);
        a->required = strcmp(s, "required") == 0;
        if (a->required && a->mechanisms == NULL)
            a->mechanisms = g_strdupv((char **)scenario_auth_default_mechs);
        return TRUE;
    }
    g_autofree char *where = g_strdup_printf("'auth' of %s", ctx->where);
    if (!scenario_apply_nested(ctx, v, scenario_auth_server_fields, a, where, error))
        return FALSE;
    if (a->mechanisms == NULL)
        a->mechanisms = g_strdupv((char **)scenario_auth_default_mechs);
    return TRUE;
}

/* mua: `auth: PLAIN|none` or {mechanism, force}. */
static gboolean
scenario_set_auth_client(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                         GError **error)
{
    AuthSpec *a = slot;
    if (v->type == YAML_SCALAR_NODE) {
        ScenarioField mf = {"auth", scenario_set_mech, 0, 0, 0};
        return scenario_set_mech(ctx, &mf, v, &a->mechanism, error);
    }
    g_autofree char *where = g_strdup_printf("'auth' of %s", ctx->where);
    return scenario_apply_nested(ctx, v, scenario_auth_client_fields, a, where, error);
}

/* msa, mta: relayhost_auth: {user, password, mechanism}, AUTH as a client
 * to the relayhost (RFC 4954); mechanism PLAIN unless given, password from
 * `users` unless given. */
static const ScenarioField scenario_relayhost_auth_fields[] = {
    {"user", scenario_set_str, offsetof(RelayhostAuthSpec, user), SCENARIO_FIELD_REQUIRED, 0},
    {"password", scenario_set_str, offsetof(RelayhostAuthSpec, password), 0, 0},
    {"mechanism", scenario_set_mech, offsetof(RelayhostAuthSpec, mechanism), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_relayhost_auth(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                            GError **error)
{
    RelayhostAuthSpec *a = slot;
    g_autofree char *where = g_strdup_printf("'relayhost_auth' of %s", ctx->where);
    if (!scenario_apply_nested(ctx, v, scenario_relayhost_auth_fields, a, where, error))
        return FALSE;
    if (a->mechanism == NULL)
        a->mechanism = g_strdup("PLAIN");
    return TRUE;
}

static const ScenarioField scenario_node_common[] = {
    {"name", scenario_set_skip, 0, SCENARIO_FIELD_REQUIRED, 0},
    {"role", scenario_set_skip, 0, SCENARIO_FIELD_REQUIRED, 0},
    {"ip", scenario_set_ips, offsetof(NodeSpec, ips), 0, 0},
    {"ips", scenario_set_ips, offsetof(NodeSpec, ips), 0, 0},
    {"hostname", scenario_set_str, offsetof(NodeSpec, hostname), 0, 0},
    {"max_recipients", scenario_set_uint, offsetof(NodeSpec, max_recipients), 0, 1000000},
    {"max_message_size", scenario_set_size, offsetof(NodeSpec, max_message_size), 0, 0},
    {"smtp_port", scenario_set_port, offsetof(NodeSpec, smtp_port), 0, 0},
    {"submission_port", scenario_set_port, offsetof(NodeSpec, submission_port), 0, 0},
    {"pop3_port", scenario_set_port, offsetof(NodeSpec, pop3_port), 0, 0},
    {"tls", scenario_set_tls, offsetof(NodeSpec, tls), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_node_mua[] = {
    {"user", scenario_set_address, offsetof(NodeSpec, user), SCENARIO_FIELD_REQUIRED, 0},
    {"password", scenario_set_str, offsetof(NodeSpec, password), 0, 0},
    {"msa", scenario_set_node_ref, offsetof(NodeSpec, msa), SCENARIO_FIELD_REQUIRED, 0},
    {"ms", scenario_set_node_ref, offsetof(NodeSpec, ms), 0, SPEC_ROLE_MS},
    {"keep", scenario_set_bool, offsetof(NodeSpec, keep), 0, 0},
    {"auth", scenario_set_auth_client, offsetof(NodeSpec, auth), 0, 0},
    {"mdn", scenario_set_mdn, offsetof(NodeSpec, mdn), 0, 0},
    {"mdn_answer", scenario_set_mdn_answer, offsetof(NodeSpec, mdn_declines), 0, 0},
    {"smime", scenario_set_smime_key, offsetof(NodeSpec, smime_key), 0, 0},
    {"smime_missing_cert", scenario_set_smime_missing, offsetof(NodeSpec, smime_missing), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* The older spelling `require_auth: true` is `auth: required`. */
static gboolean
scenario_set_require_auth(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                          GError **error)
{
    AuthSpec *a = slot;
    if (!scenario_set_bool(ctx, f, v, &a->required, error))
        return FALSE;
    if (a->required && a->mechanisms == NULL)
        a->mechanisms = g_strdupv((char **)scenario_auth_default_mechs);
    return TRUE;
}

static gboolean scenario_set_data_end(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                                      gpointer slot, GError **error);

static const ScenarioField scenario_node_msa[] = {
    {"relayhost", scenario_set_str, offsetof(NodeSpec, relayhost), 0, 0},
    {"relayhost_auth", scenario_set_relayhost_auth, offsetof(NodeSpec, relayhost_auth), 0, 0},
    {"require_auth", scenario_set_require_auth, offsetof(NodeSpec, auth), 0, 0},
    {"auth", scenario_set_auth_server, offsetof(NodeSpec, auth), 0, 0},
    {"dkim", scenario_set_dkim, offsetof(NodeSpec, dkim), 0, 0},
    {"data_end", scenario_set_data_end, offsetof(NodeSpec, data_end), 0, 0},
    {"dsn", scenario_set_bool, offsetof(NodeSpec, dsn_offered), 0, 0},
    {"delay_warning", scenario_set_duration, offsetof(NodeSpec, delay_warning), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_relay_fields[] = {
    {"domains", scenario_set_strv, offsetof(RelaySpec, domains), 0, 0},
    {"networks", scenario_set_cidrs, offsetof(RelaySpec, networks), 0, 0},
    {"open_relay", scenario_set_bool, offsetof(RelaySpec, open_relay), 0, 0},
    {"trust_helo", scenario_set_bool, offsetof(RelaySpec, trust_helo), 0, 0},
    {"percent_hack", scenario_set_bool, offsetof(RelaySpec, percent_hack), 0, 0},
    {"bang_path", scenario_set_bool, offsetof(RelaySpec, bang_path), 0, 0},
    {"source_routes", scenario_set_bool, offsetof(RelaySpec, source_routes), 0, 0},
    {"dequote", scenario_set_bool, offsetof(RelaySpec, dequote), 0, 0},
    {"ip_literals", scenario_set_bool, offsetof(RelaySpec, ip_literals), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* data_end: strict, normalize_lf, lenient_lf, lenient_cr_lf ('-' also accepted). */
static gboolean
scenario_set_data_end(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                      GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    g_autofree char *dashed = g_strdelimit(g_strdup(s), "_", '-');
    if (smtp_data_end_mode_from_string(dashed, slot))
        return TRUE;
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'data_end' must be strict, normalize_lf, lenient_lf or lenient_cr_lf, "
                         "not '%s'",
                         s);
}

static gboolean
scenario_set_dnsbl_at(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                      GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (strcmp(s, "connect") == 0 || strcmp(s, "rcpt") == 0) {
        *(SpecDnsblAt *)slot = strcmp(s, "rcpt") == 0 ? SPEC_DNSBL_AT_RCPT : SPEC_DNSBL_AT_CONNECT;
        return TRUE;
    }
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'reject_at' must be 'connect' or 'rcpt', not '%s'", s);
}

static const ScenarioField scenario_dnsbl_fields[] = {
    {"lists", scenario_set_strv, offsetof(DnsblSpec, lists), 0, 0},
    {"allow", scenario_set_cidrs, offsetof(DnsblSpec, allow), 0, 0},
    {"reject_at", scenario_set_dnsbl_at, offsetof(DnsblSpec, reject_at), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_retry_fields[] = {
    {"first", scenario_set_duration, offsetof(RetrySpec, first), 0, 0},
    {"backoff", scenario_set_uint, offsetof(RetrySpec, backoff), 0, 100},
    {"max_attempts", scenario_set_uint, offsetof(RetrySpec, max_attempts), 0, 1000},
    {"max_age", scenario_set_duration, offsetof(RetrySpec, max_age), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_relay(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    g_autofree char *where = g_strdup_printf("'relay' of %s", ctx->where);
    return scenario_apply_nested(ctx, v, scenario_relay_fields, slot, where, error);
}

static gboolean
scenario_set_dnsbl(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    g_autofree char *where = g_strdup_printf("'dnsbl' of %s", ctx->where);
    return scenario_apply_nested(ctx, v, scenario_dnsbl_fields, slot, where, error);
}

static gboolean
scenario_set_retry(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    g_autofree char *where = g_strdup_printf("'retry' of %s", ctx->where);
    return scenario_apply_nested(ctx, v, scenario_retry_fields, slot, where, error);
}

static const ScenarioField scenario_node_mta[] = {
    {"relay", scenario_set_relay, offsetof(NodeSpec, relay), 0, 0},
    {"relayhost", scenario_set_str, offsetof(NodeSpec, relayhost), 0, 0},
    {"relayhost_auth", scenario_set_relayhost_auth, offsetof(NodeSpec, relayhost_auth), 0, 0},
    {"local_domains", scenario_set_strv, offsetof(NodeSpec, local_domains), 0, 0},
    {"deliver_to", scenario_set_node_ref, offsetof(NodeSpec, deliver_to), 0, SPEC_ROLE_MS},
    {"retry", scenario_set_retry, offsetof(NodeSpec, retry), 0, 0},
    {"dkim", scenario_set_dkim, offsetof(NodeSpec, dkim), 0, 0},
    {"checks", scenario_set_checks, offsetof(NodeSpec, checks), 0, 0},
    {"rewrite", scenario_set_rewrite, offsetof(NodeSpec, rewrite), 0, 0},
    {"auth", scenario_set_auth_server, offsetof(NodeSpec, auth), 0, 0},
    {"dnsbl", scenario_set_dnsbl, offsetof(NodeSpec, dnsbl), 0, 0},
    {"exempt_role_accounts", scenario_set_bool, offsetof(NodeSpec, exempt_role_accounts), 0, 0},
    {"data_end", scenario_set_data_end, offsetof(NodeSpec, data_end), 0, 0},
    {"dsn", scenario_set_bool, offsetof(NodeSpec, dsn_offered), 0, 0},
    {"delay_warning", scenario_set_duration, offsetof(NodeSpec, delay_warning), 0, 0},
    {"tamper", scenario_set_tamper, offsetof(NodeSpec, tamper), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* gateway `connect`: "host:port" of the real server ("[v6]:port" too). */
static gboolean
scenario_set_connect(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    const char *colon = strrchr(s, ':');
    guint64 port = 0;
    if (colon == NULL || colon == s || !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port,
                                                                   NULL))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'connect' must be HOST:PORT (e.g. 127.0.0.1:2525), not '%s'", s);
    g_free(*(char **)slot);
    *(char **)slot = g_strdup(s);
    return TRUE;
}

/* An mta whose outgoing SMTP goes to a real server (mhs serve only). */
static const ScenarioField scenario_node_gateway[] = {
    {"connect", scenario_set_connect, offsetof(NodeSpec, connect), SCENARIO_FIELD_REQUIRED, 0},
    {"relay", scenario_set_relay, offsetof(NodeSpec, relay), 0, 0},
    {"local_domains", scenario_set_strv, offsetof(NodeSpec, local_domains), 0, 0},
    {"deliver_to", scenario_set_node_ref, offsetof(NodeSpec, deliver_to), 0, SPEC_ROLE_MS},
    {"retry", scenario_set_retry, offsetof(NodeSpec, retry), 0, 0},
    {"auth", scenario_set_auth_server, offsetof(NodeSpec, auth), 0, 0},
    {"data_end", scenario_set_data_end, offsetof(NodeSpec, data_end), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* A sender only: no keys beyond the common ones. */
static const ScenarioField scenario_node_spammer[] = {
    {NULL, NULL, 0, 0, 0},
};

/* backup: true|false, or the name of the node that keeps the copies. */
static gboolean
scenario_set_backup(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    NodeSpec *ns = slot;
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (scenario_parse_bool(s, &ns->backup)) {
        g_clear_pointer(&ns->backup_node, g_free);
        return TRUE;
    }
    ns->backup = TRUE;
    return scenario_set_node_ref(ctx, f, v, &ns->backup_node, error);
}

/* ms: `auth: {max_failures, failure_delay}`, the limit on failed POP3
 * logins (USER/PASS, APOP); the store has no SMTP AUTH to configure. */
static const ScenarioField scenario_auth_ms_fields[] = {
    {"max_failures", scenario_set_uint, offsetof(AuthSpec, max_failures), 0, 1000},
    {"failure_delay", scenario_set_duration, offsetof(AuthSpec, failure_delay), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_auth_ms(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    g_autofree char *where = g_strdup_printf("'auth' of %s", ctx->where);
    return scenario_apply_nested(ctx, v, scenario_auth_ms_fields, slot, where, error);
}

static const ScenarioField scenario_node_ms[] = {
    {"domains", scenario_set_strv, offsetof(NodeSpec, domains), 0, 0},
    {"auth", scenario_set_auth_ms, offsetof(NodeSpec, auth), 0, 0},
    {"journal", scenario_set_address, offsetof(NodeSpec, journal), 0, 0},
    {"backup", scenario_set_backup, 0, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_node_dns[] = {
    {"latency", scenario_set_duration, offsetof(NodeSpec, answer_latency), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_node_eavesdropper[] = {
    {"tap", scenario_set_node_refs, offsetof(NodeSpec, tap), SCENARIO_FIELD_REQUIRED, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_node_mitm[] = {
    {"tap", scenario_set_node_refs, offsetof(NodeSpec, tap), SCENARIO_FIELD_REQUIRED, 0},
    {"strip_starttls", scenario_set_bool, offsetof(NodeSpec, mitm.strip_starttls), 0, 0},
    {"block_starttls", scenario_set_bool, offsetof(NodeSpec, mitm.block_starttls), 0, 0},
    {"rewrite", scenario_set_mitm_rules, offsetof(NodeSpec, mitm.rules), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* webmail: a virtual MUA behind an HTTP server (DESIGN 4). */
static const ScenarioField scenario_node_webmail[] = {
    {"msa", scenario_set_node_ref, offsetof(NodeSpec, msa), SCENARIO_FIELD_REQUIRED, SPEC_ROLE_MSA},
    {"ms", scenario_set_node_ref, offsetof(NodeSpec, ms), 0, SPEC_ROLE_MS},
    {"auth", scenario_set_auth_client, offsetof(NodeSpec, auth), 0, 0},
    {"https", scenario_set_bool, offsetof(NodeSpec, https), 0, 0},
    {"http_port", scenario_set_port, offsetof(NodeSpec, http_port), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* browser: a user at a web browser, in front of a webmail node. */
static const ScenarioField scenario_node_browser[] = {
    {"user", scenario_set_address, offsetof(NodeSpec, user), SCENARIO_FIELD_REQUIRED, 0},
    {"password", scenario_set_str, offsetof(NodeSpec, password), 0, 0},
    {"webmail", scenario_set_node_ref, offsetof(NodeSpec, webmail), SCENARIO_FIELD_REQUIRED,
     SPEC_ROLE_WEBMAIL},
    {"https", scenario_set_bool, offsetof(NodeSpec, https), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* Roles the loader accepts, with their key table. */
static const ScenarioField *const scenario_role_fields[] = {
    [SPEC_ROLE_MUA] = scenario_node_mua, [SPEC_ROLE_MSA] = scenario_node_msa,
    [SPEC_ROLE_MTA] = scenario_node_mta, [SPEC_ROLE_MS] = scenario_node_ms,
    [SPEC_ROLE_DNS] = scenario_node_dns, [SPEC_ROLE_EAVESDROPPER] = scenario_node_eavesdropper,
    [SPEC_ROLE_SPAMMER] = scenario_node_spammer, [SPEC_ROLE_MITM] = scenario_node_mitm,
    [SPEC_ROLE_GATEWAY] = scenario_node_gateway,
    [SPEC_ROLE_WEBMAIL] = scenario_node_webmail, [SPEC_ROLE_BROWSER] = scenario_node_browser,
};

/* The names of the roles above, in their table order, NULL-terminated
 * (transfer container): the one list errors and suggestions draw from. */
static GPtrArray *
scenario_role_names(void)
{
    GPtrArray *names = g_ptr_array_new();
    for (guint r = 0; r < G_N_ELEMENTS(scenario_role_fields); r++)
        if (scenario_role_fields[r] != NULL)
            g_ptr_array_add(names, (gpointer)spec_role_name((SpecRole)r));
    g_ptr_array_add(names, NULL);
    return names;
}

static char *
scenario_node_key_hint(ScenarioCtx *ctx, const char *key)
{
    g_autoptr(GString) roles = g_string_new(NULL);
    for (guint r = 0; r < G_N_ELEMENTS(scenario_role_fields); r++) {
        const ScenarioField *t = scenario_role_fields[r];
        for (; t != NULL && t->key != NULL; t++) {
            if (strcmp(t->key, key) == 0) {
                g_string_append_printf(roles, "%s%s", roles->len > 0 ? ", " : "",
                                       spec_role_name((SpecRole)r));
                break;
            }
        }
    }
    if (roles->len == 0)
        return NULL;
    return g_strdup_printf("'%s' is a key of role %s, not of %s", key, roles->str,
                           spec_role_name(ctx->role));
}

static gboolean
scenario_node_role(ScenarioCtx *ctx, yaml_node_t *map, const char *name, SpecRole *role,
                   GError **error)
{
    yaml_node_t *v = scenario_map_get(ctx, map, "role");
    if (scenario_is_null(v))
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_MISSING,
                             "missing required key 'role' in node '%s'", name);
    const char *s = scenario_want_scalar(ctx, v, "role", error);
    if (s == NULL)
        return FALSE;
    *role = spec_role_from_name(s);
    if (*role != SPEC_ROLE_NONE && (guint)*role < G_N_ELEMENTS(scenario_role_fields) &&
        scenario_role_fields[*role] != NULL)
        return TRUE;
    g_autoptr(GPtrArray) names = scenario_role_names();
    const char *best = scenario_suggest(s, (const char *const *)names->pdata);
    if (best != NULL)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_ROLE,
                             "unknown role '%s' in node '%s' (did you mean '%s'?)", s, name, best);
    g_autofree char *list = g_strjoinv(", ", (char **)names->pdata);
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_ROLE, "unknown role '%s' in node '%s' (roles: %s)",
                         s, name, list);
}

static const char *
scenario_node_name(ScenarioCtx *ctx, yaml_node_t *map, GError **error)
{
    yaml_node_t *v = scenario_map_get(ctx, map, "name");
    if (scenario_is_null(v)) {
        scenario_fail(ctx, map, error, SCENARIO_ERROR_MISSING,
                      "missing required key 'name' in node");
        return NULL;
    }
    const char *name = scenario_want_scalar(ctx, v, "name", error);
    if (name == NULL)
        return NULL;
    NodeSpec *other = world_spec_find_node(ctx->spec, name);
    if (other != NULL) {
        scenario_fail(ctx, v, error, SCENARIO_ERROR_DUPLICATE,
                      "duplicate node name '%s' (first defined at line %u)", name, other->loc.line);
        return NULL;
    }
    return name;
}

/* Rules across keys of one node, after its keys are read. */
static gboolean
scenario_node_check(ScenarioCtx *ctx, yaml_node_t *map, NodeSpec *n, GError **error)
{
    if (n->ips[0] == NULL)
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_MISSING,
                             "missing required key 'ip' in node '%s'", n->name);
    yaml_node_t *ipv = scenario_map_get(ctx, map, "ip");
    if (ipv == NULL)
        ipv = scenario_map_get(ctx, map, "ips");
    for (char **ip = n->ips; *ip != NULL; ip++) {
        const char *owner = g_hash_table_lookup(ctx->ips, *ip);
        if (owner != NULL)
            return scenario_fail(ctx, ipv, error, SCENARIO_ERROR_DUPLICATE,
                                 "IP address %s of node '%s' is already used by node '%s'", *ip,
                                 n->name, owner);
        g_hash_table_insert(ctx->ips, *ip, n->name);
    }
    if ((n->role == SPEC_ROLE_EAVESDROPPER || n->role == SPEC_ROLE_MITM) &&
        (n->tap == NULL || g_strv_length(n->tap) != 2))
        return scenario_fail(ctx, scenario_map_get(ctx, map, "tap"), error, SCENARIO_ERROR_VALUE,
                             "'tap' of node '%s' must name the two ends of a link", n->name);
    if (n->role == SPEC_ROLE_MTA && n->local_domains[0] != NULL && n->deliver_to == NULL)
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_MISSING,
                             "missing required key 'deliver_to' in node '%s' (it has "
                             "local_domains)",
                             n->name);
    /* HTTPS needs a certificate on the server and, by default, a browser
     * that checks it (RFC 2818 3.1). */
    if (n->https && n->role == SPEC_ROLE_WEBMAIL && n->tls.server == SPEC_TLS_NONE)
        n->tls.server = SPEC_TLS_MAY;
    if (n->https && n->role == SPEC_ROLE_BROWSER && n->tls.client == SPEC_TLS_NONE)
        n->tls.client = SPEC_TLS_VERIFY;
    return TRUE;
}

static gboolean
scenario_node_parse(ScenarioCtx *ctx, yaml_node_t *map, GError **error)
{
    if (!scenario_want_map(ctx, map, "node", error))
        return FALSE;
    const char *name = scenario_node_name(ctx, map, error);
    SpecRole role = SPEC_ROLE_NONE;
    if (name == NULL || !scenario_node_role(ctx, map, name, &role, error))
        return FALSE;
    NodeSpec *n = node_spec_new(role);
    n->name = g_strdup(name);
    scenario_loc(ctx, map, &n->loc);
    g_ptr_array_add(ctx->spec->nodes, n);
    g_autofree char *where = g_strdup_printf("node '%s'", name);
    const ScenarioField *tables[] = {scenario_node_common, scenario_role_fields[role], NULL};
    ctx->where = where;
    ctx->role = role;
    gboolean ok = scenario_fields_apply(ctx, map, tables, n, scenario_node_key_hint, error) &&
                  scenario_node_check(ctx, map, n, error);
    ctx->where = NULL;
    return ok;
}

typedef gboolean (*ScenarioItemParse)(ScenarioCtx *ctx, yaml_node_t *item, GError **error);

/* Runs parse on every item of the list v. */
static gboolean
scenario_each(ScenarioCtx *ctx, yaml_node_t *v, const char *key, ScenarioItemParse parse,
              GError **error)
{
    if (!scenario_want_seq(ctx, v, key, error))
        return FALSE;
    const char *saved = ctx->where;
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
        if (!parse(ctx, scenario_item(ctx, *i), error))
            return FALSE;
    }
    ctx->where = saved;
    return TRUE;
}

static gboolean
scenario_set_nodes(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    return scenario_each(ctx, v, f->key, scenario_node_parse, error);
}

/* ---- links ---- */

static gboolean
scenario_link_change(ScenarioCtx *ctx, yaml_node_t *v, const char *key, gboolean up,
                     GArray *schedule, GError **error)
{
    LinkChange c = {0, up};
    ScenarioField f = {key, scenario_set_duration, 0, 0, 0};
    if (!scenario_set_duration(ctx, &f, v, &c.at, error))
        return FALSE;
    g_array_append_val(schedule, c);
    return TRUE;
}

static gboolean
scenario_set_down_at(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    return scenario_link_change(ctx, v, f->key, FALSE, *(GArray **)slot, error);
}

static gboolean
scenario_set_up_at(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    return scenario_link_change(ctx, v, f->key, TRUE, *(GArray **)slot, error);
}

static const ScenarioField scenario_change_fields[] = {
    {"at", scenario_set_duration, offsetof(LinkChange, at), SCENARIO_FIELD_REQUIRED, 0},
    {"up", scenario_set_bool, offsetof(LinkChange, up), SCENARIO_FIELD_REQUIRED, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_schedule(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                      GError **error)
{
    if (!scenario_want_seq(ctx, v, f->key, error))
        return FALSE;
    GArray *schedule = *(GArray **)slot;
    g_autofree char *where = g_strdup_printf("'schedule' of %s", ctx->where);
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
        LinkChange c = {0, FALSE};
        if (!scenario_apply_nested(ctx, scenario_item(ctx, *i), scenario_change_fields, &c, where,
                                   error))
            return FALSE;
        g_array_append_val(schedule, c);
    }
    return TRUE;
}

static const ScenarioField scenario_link_fields[] = {
    {"a", scenario_set_node_ref, offsetof(LinkSpec, a), SCENARIO_FIELD_REQUIRED, 0},
    {"b", scenario_set_node_ref, offsetof(LinkSpec, b), SCENARIO_FIELD_REQUIRED, 0},
    {"latency", scenario_set_duration, offsetof(LinkSpec, latency), 0, 0},
    {"bandwidth", scenario_set_bandwidth, offsetof(LinkSpec, bandwidth), 0, 0},
    {"jitter", scenario_set_duration, offsetof(LinkSpec, jitter), 0, 0},
    {"schedule", scenario_set_schedule, offsetof(LinkSpec, schedule), 0, 0},
    {"down_at", scenario_set_down_at, offsetof(LinkSpec, schedule), 0, 0},
    {"up_at", scenario_set_up_at, offsetof(LinkSpec, schedule), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gint
scenario_link_change_cmp(gconstpointer a, gconstpointer b)
{
    const LinkChange *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

static gboolean
scenario_link_parse(ScenarioCtx *ctx, yaml_node_t *map, GError **error)
{
    LinkSpec *l = link_spec_new();
    scenario_loc(ctx, map, &l->loc);
    g_ptr_array_add(ctx->spec->links, l);
    ctx->where = "link";
    const ScenarioField *tables[] = {scenario_link_fields, NULL};
    if (!scenario_fields_apply(ctx, map, tables, l, NULL, error))
        return FALSE;
    if (strcmp(l->a, l->b) == 0)
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_VALUE, "link from node '%s' to itself",
                             l->a);
    for (guint i = 0; i + 1 < ctx->spec->links->len; i++) {
        LinkSpec *o = ctx->spec->links->pdata[i];
        if ((strcmp(o->a, l->a) == 0 && strcmp(o->b, l->b) == 0) ||
            (strcmp(o->a, l->b) == 0 && strcmp(o->b, l->a) == 0))
            return scenario_fail(ctx, map, error, SCENARIO_ERROR_DUPLICATE,
                                 "duplicate link between '%s' and '%s' (first at line %u)", l->a,
                                 l->b, o->loc.line);
    }
    /* Stable since GLib 2.32: equal times keep file order. */
    g_array_sort(l->schedule, scenario_link_change_cmp);
    return TRUE;
}

static gboolean
scenario_set_links(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    return scenario_each(ctx, v, f->key, scenario_link_parse, error);
}

/* ---- users ---- */

static const ScenarioField scenario_user_fields[] = {
    {"address", scenario_set_address, offsetof(UserSpec, address), SCENARIO_FIELD_REQUIRED, 0},
    {"password", scenario_set_str, offsetof(UserSpec, password), 0, 0},
    {"ms", scenario_set_node_ref, offsetof(UserSpec, ms), 0, SPEC_ROLE_MS},
    {"smime", scenario_set_smime_key, offsetof(UserSpec, smime_key), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_user_parse(ScenarioCtx *ctx, yaml_node_t *map, GError **error)
{
    UserSpec *u = user_spec_new();
    scenario_loc(ctx, map, &u->loc);
    ctx->where = "user";
    const ScenarioField *tables[] = {scenario_user_fields, NULL};
    if (!scenario_fields_apply(ctx, map, tables, u, NULL, error)) {
        user_spec_free(u);
        return FALSE;
    }
    UserSpec *other = world_spec_find_user(ctx->spec, u->address);
    if (other != NULL) {
        scenario_fail(ctx, scenario_map_get(ctx, map, "address"), error, SCENARIO_ERROR_DUPLICATE,
                      "duplicate user '%s' (first defined at line %u)", u->address,
                      other->loc.line);
        user_spec_free(u);
        return FALSE;
    }
    g_ptr_array_add(ctx->spec->users, u);
    return TRUE;
}

static gboolean
scenario_set_users(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    return scenario_each(ctx, v, f->key, scenario_user_parse, error);
}

/* ---- top level ---- */

static gboolean
scenario_set_seed(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!scenario_parse_uint(s, G_MAXUINT64, slot))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'seed' must be a whole number, not '%s'", s);
    return TRUE;
}

static gboolean
scenario_set_epoch(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                   GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!scenario_parse_epoch(s, slot))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "bad epoch '%s' (write an RFC 3339 date such as "
                             "2026-01-01T00:00:00Z)",
                             s);
    return TRUE;
}

static gboolean
scenario_set_dns(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                 GError **error)
{
    return scenario_zone_parse(ctx, v, *(DnsZone **)slot, error);
}

static const ScenarioField scenario_top_fields[] = {
    {"name", scenario_set_str, offsetof(WorldSpec, name), 0, 0},
    {"description", scenario_set_skip, 0, 0, 0},
    {"seed", scenario_set_seed, offsetof(WorldSpec, seed), 0, 0},
    {"epoch", scenario_set_epoch, offsetof(WorldSpec, epoch_unix), 0, 0},
    {"network", scenario_set_network, offsetof(WorldSpec, network), 0, 0},
    {"dns", scenario_set_dns, offsetof(WorldSpec, zone), 0, 0},
    {"nodes", scenario_set_nodes, 0, SCENARIO_FIELD_REQUIRED, 0},
    {"links", scenario_set_links, 0, 0, 0},
    {"users", scenario_set_users, 0, 0, 0},
    {"events", scenario_set_events, 0, 0, 0},
    {"expect", scenario_set_expects, 0, 0, 0},
    {"psl", scenario_set_psl, offsetof(WorldSpec, psl_rules), 0, 0},
    {"exposure", scenario_set_bool, offsetof(WorldSpec, exposure), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_parse_root(ScenarioCtx *ctx, GError **error)
{
    yaml_node_t *root = scenario_root(ctx);
    if (root->type != YAML_MAPPING_NODE)
        return scenario_fail(ctx, root, error, SCENARIO_ERROR_TYPE,
                             "a scenario must be a mapping of keys (name, nodes, ...), not %s",
                             scenario_kind_name(root));
    ctx->where = "the scenario";
    const ScenarioField *tables[] = {scenario_top_fields, NULL};
    /* Names of nodes and messages are checked after everything is read,
     * so that the order of sections in the file does not matter. */
    if (!scenario_fields_apply(ctx, root, tables, ctx->spec, NULL, error))
        return FALSE;
    return scenario_check_refs(ctx, error) && scenario_auth_finish(ctx, error);
}

static WorldSpec *scenario_load_ctx(ScenarioCtx *ctx, gboolean ok, GError **error);

WorldSpec *
scenario_load_string(const char *text, const char *display_name, GError **error)
{
    g_return_val_if_fail(text != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    ScenarioCtx ctx;
    gboolean ok = scenario_ctx_init(&ctx, text, strlen(text), display_name, error);
    return scenario_load_ctx(&ctx, ok, error);
}

WorldSpec *
scenario_load_document(yaml_document_t *doc, const char *const *origins, gsize n_origins,
                       const char *display_name, GError **error)
{
    g_return_val_if_fail(doc != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    ScenarioCtx ctx;
    /* A context from an empty mapping, whose document is then replaced. */
    gboolean ok = scenario_ctx_init(&ctx, "{}", 2, display_name, error);
    g_assert(ok);
    yaml_document_delete(&ctx.doc);
    ctx.doc = *doc;
    memset(doc, 0, sizeof(*doc));
    ctx.origins = origins;
    ctx.n_origins = n_origins;
    if (yaml_document_get_root_node(&ctx.doc) == NULL)
        ok = scenario_fail(&ctx, NULL, error, SCENARIO_ERROR_EMPTY, "the scenario is empty");
    return scenario_load_ctx(&ctx, ok, error);
}

/* Reads the parsed document of ctx (when ok) and clears ctx. */
static WorldSpec *
scenario_load_ctx(ScenarioCtx *ctx_, gboolean ok, GError **error)
{
    ScenarioCtx ctx = *ctx_;
    g_autoptr(WorldSpec) spec = world_spec_new();
    spec->file = g_strdup(ctx.file);
    ctx.spec = spec;
    if (ok)
        ok = scenario_parse_root(&ctx, error);
    scenario_ctx_clear(&ctx);
    if (!ok)
        return NULL;
    if (spec->name == NULL) {
        g_autofree char *base = g_path_get_basename(spec->file);
        char *dot = strrchr(base, '.');
        if (dot != NULL && dot != base)
            *dot = '\0';
        spec->name = g_steal_pointer(&base);
    }
    return g_steal_pointer(&spec);
}

/* The file as text, with the checks of app/text_file.h. */
static char *
scenario_read_file(const char *path, GError **error)
{
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    char *text = text_file_read(path, path, SCENARIO_FILE_MAX, &len, &local);
    if (text == NULL)
        g_set_error_literal(error, SCENARIO_ERROR, SCENARIO_ERROR_IO, local->message);
    return text;
}

WorldSpec *
scenario_load(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_autofree char *text = scenario_read_file(path, error);
    if (text == NULL)
        return NULL;
    return scenario_load_string(text, path, error);
}

DnsZone *
scenario_load_zone_string(const char *text, const char *display_name, GError **error)
{
    g_return_val_if_fail(text != NULL, NULL);
    ScenarioCtx ctx;
    g_autoptr(DnsZone) zone = dns_zone_new();
    gboolean ok = scenario_ctx_init(&ctx, text, strlen(text), display_name, error);
    if (ok) {
        yaml_node_t *root = scenario_root(&ctx);
        if (root->type != YAML_MAPPING_NODE) {
            ok = scenario_fail(&ctx, root, error, SCENARIO_ERROR_TYPE,
                               "a DNS zone must be a mapping of names, not %s",
                               scenario_kind_name(root));
        } else if (scenario_map_get(&ctx, root, "dns") != NULL ||
                   scenario_map_get(&ctx, root, "nodes") != NULL) {
            /* A whole scenario: only its zone is read. */
            yaml_node_t *dns = scenario_map_get(&ctx, root, "dns");
            if (!scenario_is_null(dns))
                ok = scenario_zone_parse(&ctx, dns, zone, error);
        } else {
            ok = scenario_zone_parse(&ctx, root, zone, error);
        }
    }
    scenario_ctx_clear(&ctx);
    return ok ? g_steal_pointer(&zone) : NULL;
}

DnsZone *
scenario_load_zone(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_autofree char *text = scenario_read_file(path, error);
    if (text == NULL)
        return NULL;
    return scenario_load_zone_string(text, path, error);
}
