/* SPDX-License-Identifier: MIT
 * scenario_events: the `events:` list (send, reply, fetch, fault, traffic
 * at virtual times) and the `expect:` list (status, path,
 * path_differs_from, header, delivered count, fetched_by, mailbox count)
 * of a scenario. Header names of forged or extra headers are checked
 * against RFC 5322 2.2 (ftext).
 */
#include "app/scenario-private.h"

#include <stddef.h>
#include <string.h>

#include "app/scenario_value.h"
#include "nodes/exposure.h"
#include "nodes/tap_seen.h"

/* Most messages one traffic event may generate. */
#define SCENARIO_TRAFFIC_MAX 100000
/* Largest generated body. */
#define SCENARIO_TRAFFIC_SIZE_MAX (64 * 1024 * 1024)

static gboolean
scenario_set_msg_id(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    if (!scenario_set_str(ctx, f, v, slot, error))
        return FALSE;
    return scenario_add_message_id(ctx, v, *(char **)slot, error);
}

/* RFC 5322 2.2: field-name = 1*ftext, printable US-ASCII except ':'. */
static gboolean
scenario_header_name_ok(const char *name)
{
    if (name[0] == '\0')
        return FALSE;
    for (const char *p = name; *p != '\0'; p++)
        if (*p < 33 || *p > 126 || *p == ':')
            return FALSE;
    return TRUE;
}

static gboolean
scenario_header_add(ScenarioCtx *ctx, yaml_node_t *k, yaml_node_t *v, GPtrArray *headers,
                    GError **error)
{
    const char *name = scenario_want_scalar(ctx, k, "headers", error);
    if (name == NULL)
        return FALSE;
    if (!scenario_header_name_ok(name))
        return scenario_fail(ctx, k, error, SCENARIO_ERROR_VALUE,
                             "'%s' is not a header field name (RFC 5322 2.2)", name);
    const char *value = scenario_is_null(v) ? "" : scenario_want_scalar(ctx, v, name, error);
    if (value == NULL)
        return FALSE;
    SpecHeader *h = g_new0(SpecHeader, 1);
    h->name = g_strdup(name);
    h->value = g_strdup(value);
    g_ptr_array_add(headers, h);
    return TRUE;
}

/* headers: {Name: value, ...} or [{Name: value}, ...] (repeats allowed). */
static gboolean
scenario_set_headers(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    GPtrArray *headers = *(GPtrArray **)slot;
    if (v->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
            if (!scenario_header_add(ctx, scenario_item(ctx, p->key), scenario_item(ctx, p->value),
                                     headers, error))
                return FALSE;
        return TRUE;
    }
    if (!scenario_want_seq(ctx, v, f->key, error))
        return FALSE;
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
        yaml_node_t *item = scenario_item(ctx, *i);
        if (item->type != YAML_MAPPING_NODE ||
            item->data.mapping.pairs.top - item->data.mapping.pairs.start != 1)
            return scenario_fail(ctx, item, error, SCENARIO_ERROR_TYPE,
                                 "each item of 'headers' must be one 'Name: value' pair");
        yaml_node_pair_t *p = item->data.mapping.pairs.start;
        if (!scenario_header_add(ctx, scenario_item(ctx, p->key), scenario_item(ctx, p->value),
                                 headers, error))
            return FALSE;
    }
    return TRUE;
}

static const ScenarioField scenario_send_fields[] = {
    {"from", scenario_set_node_ref, offsetof(SendSpec, from), SCENARIO_FIELD_REQUIRED,
     SPEC_ROLE_MUA},
    {"to", scenario_set_addresses, offsetof(SendSpec, to), 0, 0},
    {"cc", scenario_set_addresses, offsetof(SendSpec, cc), 0, 0},
    {"bcc", scenario_set_addresses, offsetof(SendSpec, bcc), 0, 0},
    {"subject", scenario_set_str, offsetof(SendSpec, subject), 0, 0},
    {"body", scenario_set_str, offsetof(SendSpec, body), 0, 0},
    {"headers", scenario_set_headers, offsetof(SendSpec, headers), 0, 0},
    {"id", scenario_set_msg_id, offsetof(SendSpec, id), 0, 0},
    {"envelope_from", scenario_set_str, offsetof(SendSpec, envelope_from), 0, 0},
    {"receipt", scenario_set_bool, offsetof(SendSpec, receipt), 0, 0},
    {"return_receipt_to", scenario_set_bool, offsetof(SendSpec, return_receipt_to), 0, 0},
    {"notify", scenario_set_notify, offsetof(SendSpec, notify), 0, 0},
    {"ret", scenario_set_ret, offsetof(SendSpec, ret), 0, 0},
    {"envid", scenario_set_str, offsetof(SendSpec, envid), 0, 0},
    {"on_behalf_of", scenario_set_address, offsetof(SendSpec, on_behalf_of), 0, 0},
    {"smime", scenario_set_smime_mode, offsetof(SendSpec, smime), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* webmail_send: a send typed into a browser (DESIGN 4 webmail). */
static const ScenarioField scenario_webmail_send_fields[] = {
    {"from", scenario_set_node_ref, offsetof(SendSpec, from), SCENARIO_FIELD_REQUIRED,
     SPEC_ROLE_BROWSER},
    {"to", scenario_set_addresses, offsetof(SendSpec, to), 0, 0},
    {"cc", scenario_set_addresses, offsetof(SendSpec, cc), 0, 0},
    {"bcc", scenario_set_addresses, offsetof(SendSpec, bcc), 0, 0},
    {"subject", scenario_set_str, offsetof(SendSpec, subject), 0, 0},
    {"body", scenario_set_str, offsetof(SendSpec, body), 0, 0},
    {"id", scenario_set_msg_id, offsetof(SendSpec, id), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_webmail_read_fields[] = {
    {"by", scenario_set_node_ref, offsetof(FetchSpec, by), SCENARIO_FIELD_REQUIRED,
     SPEC_ROLE_BROWSER},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_reply_fields[] = {
    {"by", scenario_set_node_ref, offsetof(ReplySpec, by), SCENARIO_FIELD_REQUIRED, SPEC_ROLE_MUA},
    {"to", scenario_set_msg_ref, offsetof(ReplySpec, to), SCENARIO_FIELD_REQUIRED, 0},
    {"id", scenario_set_msg_id, offsetof(ReplySpec, id), 0, 0},
    {"body", scenario_set_str, offsetof(ReplySpec, body), 0, 0},
    {"subject", scenario_set_str, offsetof(ReplySpec, subject), 0, 0},
    {"smime", scenario_set_smime_mode, offsetof(ReplySpec, smime), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_fetch_keep(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    FetchSpec *fs = slot;
    if (!scenario_set_bool(ctx, f, v, &fs->keep, error))
        return FALSE;
    fs->has_keep = TRUE;
    return TRUE;
}

/* tls: the STLS level of this fetch (RFC 2595), a client level. */
static gboolean
scenario_set_fetch_tls(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    FetchSpec *fs = slot;
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!spec_tls_level_from_name(s, &fs->tls))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'tls' of a fetch must be one of none, may, encrypt, verify, secure, "
                             "not '%s'",
                             s);
    fs->has_tls = TRUE;
    return TRUE;
}

static const ScenarioField scenario_fetch_fields[] = {
    {"by", scenario_set_node_ref, offsetof(FetchSpec, by), SCENARIO_FIELD_REQUIRED, SPEC_ROLE_MUA},
    {"keep", scenario_set_fetch_keep, 0, 0, 0},
    {"tls", scenario_set_fetch_tls, 0, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* link: [a, b] */
static gboolean
scenario_set_fault_link(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    FaultSpec *fs = slot;
    if (!scenario_want_seq(ctx, v, f->key, error))
        return FALSE;
    if (v->data.sequence.items.top - v->data.sequence.items.start != 2)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'link' must name two nodes: [a, b]");
    ScenarioField ref = {"link", scenario_set_node_ref, 0, 0, 0};
    return scenario_set_node_ref(ctx, &ref, scenario_item(ctx, v->data.sequence.items.start[0]),
                                 &fs->a, error) &&
           scenario_set_node_ref(ctx, &ref, scenario_item(ctx, v->data.sequence.items.start[1]),
                                 &fs->b, error);
}

static const ScenarioField scenario_fault_fields[] = {
    {"link", scenario_set_fault_link, 0, SCENARIO_FIELD_REQUIRED, 0},
    {"up", scenario_set_bool, offsetof(FaultSpec, up), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_set_rate(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (!scenario_parse_rate(s, slot))
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "bad rate '%s' (messages per second, e.g. 10 or 0.5)", s);
    return TRUE;
}

static const ScenarioField scenario_traffic_fields[] = {
    {"count", scenario_set_uint, offsetof(TrafficSpec, count), 0, SCENARIO_TRAFFIC_MAX},
    {"rate", scenario_set_rate, offsetof(TrafficSpec, interval), 0, 0},
    {"interval", scenario_set_duration, offsetof(TrafficSpec, interval), 0, 0},
    /* mua or spammer nodes: checked when the world is built */
    {"from", scenario_set_node_refs, offsetof(TrafficSpec, from), SCENARIO_FIELD_REQUIRED, 0},
    {"to", scenario_set_addresses, offsetof(TrafficSpec, to), SCENARIO_FIELD_REQUIRED, 0},
    {"id_prefix", scenario_set_str, offsetof(TrafficSpec, id_prefix), SCENARIO_FIELD_REQUIRED, 0},
    {"start", scenario_set_uint, offsetof(TrafficSpec, start), 0, 1000000000},
    {"size", scenario_set_size_t, offsetof(TrafficSpec, size), 0, SCENARIO_TRAFFIC_SIZE_MAX},
    /* spam campaigns (from: spammer nodes) */
    {"campaign", scenario_set_str, offsetof(TrafficSpec, campaign), 0, 0},
    {"via", scenario_set_node_ref, offsetof(TrafficSpec, via), 0, 0},
    {"mail_from", scenario_set_strv, offsetof(TrafficSpec, mail_from), 0, 0},
    {"helo", scenario_set_str, offsetof(TrafficSpec, helo), 0, 0},
    {"subject", scenario_set_str, offsetof(TrafficSpec, subject), 0, 0},
    {"headers", scenario_set_headers, offsetof(TrafficSpec, headers), 0, 0},
    {"received", scenario_set_strv, offsetof(TrafficSpec, received), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_relay_test_fields[] = {
    {"from", scenario_set_node_ref, offsetof(RelayTestSpec, from), SCENARIO_FIELD_REQUIRED, 0},
    {"target", scenario_set_node_ref, offsetof(RelayTestSpec, target), SCENARIO_FIELD_REQUIRED, 0},
    {"remote_domain", scenario_set_str, offsetof(RelayTestSpec, remote_domain), 0, 0},
    {"other_ip", scenario_set_str, offsetof(RelayTestSpec, other_ip), 0, 0},
    {"local_user", scenario_set_str, offsetof(RelayTestSpec, local_user), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_raw_send_fields[] = {
    {"from", scenario_set_node_ref, offsetof(RawSendSpec, from), SCENARIO_FIELD_REQUIRED, 0},
    {"target", scenario_set_node_ref, offsetof(RawSendSpec, target), SCENARIO_FIELD_REQUIRED, 0},
    {"port", scenario_set_port, offsetof(RawSendSpec, port), 0, 0},
    {"helo", scenario_set_str, offsetof(RawSendSpec, helo), 0, 0},
    {"mail_from", scenario_set_str, offsetof(RawSendSpec, mail_from), 0, 0},
    {"rcpt_to", scenario_set_addresses, offsetof(RawSendSpec, rcpt_to), SCENARIO_FIELD_REQUIRED, 0},
    {"data", scenario_set_str, offsetof(RawSendSpec, data), 0, 0},
    {"id", scenario_set_msg_id, offsetof(RawSendSpec, id), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField *const scenario_event_tables[] = {
    [SPEC_EVENT_SEND] = scenario_send_fields,
    [SPEC_EVENT_REPLY] = scenario_reply_fields,
    [SPEC_EVENT_FETCH] = scenario_fetch_fields,
    [SPEC_EVENT_FAULT] = scenario_fault_fields,
    [SPEC_EVENT_TRAFFIC] = scenario_traffic_fields,
    [SPEC_EVENT_RELAY_TEST] = scenario_relay_test_fields,
    [SPEC_EVENT_RAW_SEND] = scenario_raw_send_fields,
    [SPEC_EVENT_WEBMAIL_SEND] = scenario_webmail_send_fields,
    [SPEC_EVENT_WEBMAIL_READ] = scenario_webmail_read_fields,
};

static gpointer
scenario_event_part(EventSpec *e)
{
    switch (e->kind) {
    case SPEC_EVENT_SEND:
        return &e->send;
    case SPEC_EVENT_REPLY:
        return &e->reply;
    case SPEC_EVENT_FETCH:
        return &e->fetch;
    case SPEC_EVENT_FAULT:
        return &e->fault;
    case SPEC_EVENT_TRAFFIC:
        return &e->traffic;
    case SPEC_EVENT_RELAY_TEST:
        return &e->relay_test;
    case SPEC_EVENT_RAW_SEND:
        return &e->raw_send;
    case SPEC_EVENT_WEBMAIL_SEND:
        return &e->send;
    case SPEC_EVENT_WEBMAIL_READ:
        return &e->fetch;
    }
    g_assert_not_reached();
}

static gboolean
scenario_traffic_check(ScenarioCtx *ctx, yaml_node_t *map, TrafficSpec *t, GError **error)
{
    if (t->from[0] == NULL || t->to[0] == NULL)
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_MISSING,
                             "traffic needs at least one node in 'from' and one address in 'to'");
    yaml_node_t *at = scenario_map_get(ctx, map, "id_prefix");
    for (guint i = 0; i < t->count; i++) {
        g_autofree char *id = g_strdup_printf("%s%u", t->id_prefix, t->start + i);
        if (!scenario_add_message_id(ctx, at, id, error))
            return FALSE;
    }
    return TRUE;
}

/* send: {...}, reply: {...}, ...: the one thing an event does. */
static gboolean
scenario_set_event_kind(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    EventSpec *e = slot;
    if (e->kind != 0)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_EVENT,
                             "an event does one thing: '%s' and '%s' in the same event",
                             spec_event_kind_name(e->kind), f->key);
    e->kind = (SpecEventKind)f->arg;
    const ScenarioField *tables[] = {scenario_event_tables[e->kind], NULL};
    const char *saved = ctx->where;
    ctx->where = f->key;
    gboolean ok = scenario_fields_apply(ctx, v, tables, scenario_event_part(e), NULL, error);
    ctx->where = saved;
    if (!ok)
        return FALSE;
    if ((e->kind == SPEC_EVENT_SEND || e->kind == SPEC_EVENT_WEBMAIL_SEND) &&
        e->send.to[0] == NULL && e->send.cc[0] == NULL && e->send.bcc[0] == NULL)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_MISSING,
                             "send needs at least one recipient in 'to', 'cc' or 'bcc'");
    if (e->kind == SPEC_EVENT_TRAFFIC)
        return scenario_traffic_check(ctx, v, &e->traffic, error);
    return TRUE;
}

/* "'a', 'b' or 'c'": the choices an error message offers. */
static char *
scenario_quote_list(const char *const *names, guint n)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < n; i++)
        g_string_append_printf(s, "%s'%s'", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
    return g_string_free(s, FALSE);
}

static const ScenarioField scenario_event_fields[] = {
    {"at", scenario_set_duration, offsetof(EventSpec, at), SCENARIO_FIELD_REQUIRED, 0},
    {"send", scenario_set_event_kind, 0, 0, SPEC_EVENT_SEND},
    {"reply", scenario_set_event_kind, 0, 0, SPEC_EVENT_REPLY},
    {"fetch", scenario_set_event_kind, 0, 0, SPEC_EVENT_FETCH},
    {"fault", scenario_set_event_kind, 0, 0, SPEC_EVENT_FAULT},
    {"traffic", scenario_set_event_kind, 0, 0, SPEC_EVENT_TRAFFIC},
    {"relay_test", scenario_set_event_kind, 0, 0, SPEC_EVENT_RELAY_TEST},
    {"raw_send", scenario_set_event_kind, 0, 0, SPEC_EVENT_RAW_SEND},
    {"webmail_send", scenario_set_event_kind, 0, 0, SPEC_EVENT_WEBMAIL_SEND},
    {"webmail_read", scenario_set_event_kind, 0, 0, SPEC_EVENT_WEBMAIL_READ},
    {NULL, NULL, 0, 0, 0},
};

static gboolean
scenario_event_parse(ScenarioCtx *ctx, yaml_node_t *map, GError **error)
{
    if (map->type != YAML_MAPPING_NODE)
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_EVENT,
                             "an event must be a mapping such as {at: 1s, send: {...}}, not %s",
                             scenario_kind_name(map));
    EventSpec *e = event_spec_new(0);
    scenario_loc(ctx, map, &e->loc);
    g_ptr_array_add(ctx->spec->events, e);
    ctx->where = "event";
    const ScenarioField *tables[] = {scenario_event_fields, NULL};
    if (!scenario_fields_apply(ctx, map, tables, e, NULL, error))
        return FALSE;
    if (e->kind == 0) {
        /* The list comes from the table, so a new event kind is named too. */
        g_autoptr(GPtrArray) kinds = g_ptr_array_new();
        for (const ScenarioField *f = scenario_event_fields; f->key != NULL; f++)
            if (f->set == scenario_set_event_kind)
                g_ptr_array_add(kinds, (gpointer)f->key);
        g_autofree char *list = scenario_quote_list((const char *const *)kinds->pdata, kinds->len);
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_EVENT, "an event needs one of %s",
                             list);
    }
    return TRUE;
}

gboolean
scenario_set_events(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    if (!scenario_want_seq(ctx, v, f->key, error))
        return FALSE;
    const char *saved = ctx->where;
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
        if (!scenario_event_parse(ctx, scenario_item(ctx, *i), error))
            return FALSE;
    ctx->where = saved;
    return TRUE;
}

/* ---- expectations ---- */

static gboolean
scenario_set_status(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                    GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    SpecStatus st = spec_status_from_name(s);
    if (st == SPEC_STATUS_NONE)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "unknown status '%s' (delivered, rejected, bounced or queued)", s);
    *(SpecStatus *)slot = st;
    return TRUE;
}

static gboolean
scenario_set_code(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                  GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    guint64 n;
    /* RFC 5321 4.2: reply codes are three digits, 2yz to 5yz. */
    if (!scenario_parse_uint(s, 599, &n) || n < 200)
        return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                             "'code' must be an SMTP reply code from 200 to 599, not '%s'", s);
    *(guint *)slot = (guint)n;
    return TRUE;
}

#define SCENARIO_X_MESSAGE                                                                         \
    {                                                                                              \
        "message", scenario_set_msg_ref, offsetof(ExpectSpec, message), SCENARIO_FIELD_REQUIRED, 0 \
    }

static const ScenarioField scenario_expect_status[] = {
    SCENARIO_X_MESSAGE,
    {"status", scenario_set_status, offsetof(ExpectSpec, status), SCENARIO_FIELD_REQUIRED, 0},
    {"to", scenario_set_address, offsetof(ExpectSpec, to), 0, 0},
    {"code", scenario_set_code, offsetof(ExpectSpec, code), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_path[] = {
    SCENARIO_X_MESSAGE,
    {"path", scenario_set_node_refs, offsetof(ExpectSpec, path), SCENARIO_FIELD_REQUIRED, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_differs[] = {
    SCENARIO_X_MESSAGE,
    {"path_differs_from", scenario_set_msg_ref, offsetof(ExpectSpec, other),
     SCENARIO_FIELD_REQUIRED, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_header[] = {
    SCENARIO_X_MESSAGE,
    {"header", scenario_set_str, offsetof(ExpectSpec, header), SCENARIO_FIELD_REQUIRED, 0},
    {"present", scenario_set_bool, offsetof(ExpectSpec, present), 0, 0},
    {"to", scenario_set_address, offsetof(ExpectSpec, to), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_delivered[] = {
    {"delivered", scenario_set_uint, offsetof(ExpectSpec, count), SCENARIO_FIELD_REQUIRED,
     G_MAXINT},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_fetched[] = {
    SCENARIO_X_MESSAGE,
    {"fetched_by", scenario_set_node_ref, offsetof(ExpectSpec, fetched_by), SCENARIO_FIELD_REQUIRED,
     SPEC_ROLE_MUA},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_mailbox[] = {
    {"mailbox", scenario_set_address, offsetof(ExpectSpec, mailbox), SCENARIO_FIELD_REQUIRED, 0},
    {"count", scenario_set_uint, offsetof(ExpectSpec, count), SCENARIO_FIELD_REQUIRED, G_MAXINT},
    {NULL, NULL, 0, 0, 0},
};

#define SCENARIO_X_VERDICT(key)                                                                    \
    static const ScenarioField scenario_expect_##key[] = {                                         \
        SCENARIO_X_MESSAGE,                                                                        \
        {#key, scenario_set_verdict, offsetof(ExpectSpec, verdict), SCENARIO_FIELD_REQUIRED, 0},   \
        {"at", scenario_set_node_ref, offsetof(ExpectSpec, at), 0, 0},                             \
        {NULL, NULL, 0, 0, 0},                                                                     \
    }
SCENARIO_X_VERDICT(spf);
SCENARIO_X_VERDICT(dkim);
SCENARIO_X_VERDICT(dmarc);
static gboolean
scenario_set_relay_mode(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                        GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    if (strcmp(s, "all_refused") == 0 || strcmp(s, "exploited") == 0) {
        *(SpecRelayMode *)slot =
            strcmp(s, "exploited") == 0 ? SPEC_RELAY_EXPLOITED : SPEC_RELAY_ALL_REFUSED;
        return TRUE;
    }
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'relay_tests' must be 'all_refused' or 'exploited', not '%s'", s);
}

static const ScenarioField scenario_expect_spam_delivered[] = {
    {"spam_delivered", scenario_set_uint, offsetof(ExpectSpec, count), SCENARIO_FIELD_REQUIRED,
     G_MAXINT},
    {"to", scenario_set_address, offsetof(ExpectSpec, to), 0, 0},
    {"campaign", scenario_set_str, offsetof(ExpectSpec, campaign), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_rejected_by[] = {
    {"rejected_by", scenario_set_node_ref, offsetof(ExpectSpec, rejected_by),
     SCENARIO_FIELD_REQUIRED, 0},
    {"message", scenario_set_msg_ref, offsetof(ExpectSpec, message), 0, 0},
    {"campaign", scenario_set_str, offsetof(ExpectSpec, campaign), 0, 0},
    {"to", scenario_set_address, offsetof(ExpectSpec, to), 0, 0},
    {"code", scenario_set_code, offsetof(ExpectSpec, code), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_spam_verdict[] = {
    SCENARIO_X_MESSAGE,
    {"spam_verdict", scenario_set_status, offsetof(ExpectSpec, status), SCENARIO_FIELD_REQUIRED, 0},
    {"to", scenario_set_address, offsetof(ExpectSpec, to), 0, 0},
    {"at", scenario_set_node_ref, offsetof(ExpectSpec, at), 0, 0},
    {"code", scenario_set_code, offsetof(ExpectSpec, code), 0, 0},
    {"stage", scenario_set_str, offsetof(ExpectSpec, stage), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_relay[] = {
    {"relay_tests", scenario_set_relay_mode, offsetof(ExpectSpec, relay_mode),
     SCENARIO_FIELD_REQUIRED, 0},
    {"target", scenario_set_node_ref, offsetof(ExpectSpec, target), SCENARIO_FIELD_REQUIRED, 0},
    {NULL, NULL, 0, 0, 0},
};

/* The kinds of copy the run tracks (nodes/copies.h). */
static gboolean
scenario_set_copy_kind(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                       GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    static const char *const kinds[] = {"mailbox", "journal", "backup", "queue", "client"};
    for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (strcmp(s, kinds[i]) == 0) {
            g_free(*(char **)slot);
            *(char **)slot = g_strdup(s);
            return TRUE;
        }
    }
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE,
                         "'kind' must be mailbox, journal, backup, queue or client, not '%s'", s);
}

static const ScenarioField scenario_expect_copies_at[] = {
    SCENARIO_X_MESSAGE,
    {"copies_at", scenario_set_node_refs, offsetof(ExpectSpec, copies_at), SCENARIO_FIELD_REQUIRED,
     0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_held_by[] = {
    SCENARIO_X_MESSAGE,
    {"held_by", scenario_set_node_ref, offsetof(ExpectSpec, held_by), SCENARIO_FIELD_REQUIRED, 0},
    {"kind", scenario_set_copy_kind, offsetof(ExpectSpec, copy_kind), 0, 0},
    {"present", scenario_set_bool, offsetof(ExpectSpec, present), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_smime[] = {
    SCENARIO_X_MESSAGE,
    {"smime", scenario_set_smime_verdict, offsetof(ExpectSpec, verdict), SCENARIO_FIELD_REQUIRED,
     0},
    {"at", scenario_set_node_ref, offsetof(ExpectSpec, at), 0, SPEC_ROLE_MUA},
    {NULL, NULL, 0, 0, 0},
};

static const ScenarioField scenario_expect_stored[] = {
    SCENARIO_X_MESSAGE,
    {"stored_contains", scenario_set_str, offsetof(ExpectSpec, contains), SCENARIO_FIELD_REQUIRED,
     0},
    {"present", scenario_set_bool, offsetof(ExpectSpec, present), 0, 0},
    {"to", scenario_set_address, offsetof(ExpectSpec, to), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* saw: one of the tap.observe `what` values (the list comes from nodes/). */
static gboolean
scenario_set_tap_saw(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    guint n = g_strv_length((char **)tap_seen_whats);
    for (guint i = 0; i < n; i++) {
        if (strcmp(s, tap_seen_whats[i]) == 0) {
            g_free(*(char **)slot);
            *(char **)slot = g_strdup(s);
            return TRUE;
        }
    }
    g_autofree char *list = scenario_quote_list(tap_seen_whats, n);
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE, "'saw' must be %s, not '%s'", list,
                         s);
}

static const ScenarioField scenario_expect_tap[] = {
    {"tap", scenario_set_node_ref, offsetof(ExpectSpec, tap), SCENARIO_FIELD_REQUIRED, 0},
    {"saw", scenario_set_tap_saw, offsetof(ExpectSpec, saw), SCENARIO_FIELD_REQUIRED, 0},
    {"present", scenario_set_bool, offsetof(ExpectSpec, present), 0, 0},
    {"user", scenario_set_address, offsetof(ExpectSpec, user), 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* exposure: a case of the exposure table (the names come from nodes/). */
static gboolean
scenario_set_exposure_case(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                           gpointer slot, GError **error)
{
    const char *s = scenario_want_scalar(ctx, v, f->key, error);
    if (s == NULL)
        return FALSE;
    const char *names[EXPOSURE_N_CASES];
    for (guint i = 0; i < EXPOSURE_N_CASES; i++) {
        names[i] = exposure_case_name((ExposureCase)i);
        if (strcmp(s, names[i]) == 0) {
            *(guint *)slot = i;
            return TRUE;
        }
    }
    g_autofree char *list = scenario_quote_list(names, EXPOSURE_N_CASES);
    return scenario_fail(ctx, v, error, SCENARIO_ERROR_VALUE, "'exposure' must be %s, not '%s'",
                         list, s);
}

static gboolean
scenario_set_exposure_read(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                           gpointer slot, GError **error)
{
    ExpectSpec *x = slot;
    x->has_read = TRUE;
    return scenario_set_bool(ctx, f, v, &x->read, error);
}

static gboolean
scenario_set_exposure_alter(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v,
                            gpointer slot, GError **error)
{
    ExpectSpec *x = slot;
    x->has_alter = TRUE;
    return scenario_set_bool(ctx, f, v, &x->alter, error);
}

static const ScenarioField scenario_expect_exposure[] = {
    SCENARIO_X_MESSAGE,
    {"exposure", scenario_set_exposure_case, offsetof(ExpectSpec, exposure_case),
     SCENARIO_FIELD_REQUIRED, 0},
    {"party", scenario_set_node_ref, offsetof(ExpectSpec, party), SCENARIO_FIELD_REQUIRED, 0},
    {"read", scenario_set_exposure_read, 0, 0, 0},
    {"alter", scenario_set_exposure_alter, 0, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

/* Every key of every form, for suggestions when no form is recognised. */
static const ScenarioField scenario_expect_keys[] = {
    {"message", scenario_set_skip, 0, 0, 0},
    {"status", scenario_set_skip, 0, 0, 0},
    {"to", scenario_set_skip, 0, 0, 0},
    {"code", scenario_set_skip, 0, 0, 0},
    {"path", scenario_set_skip, 0, 0, 0},
    {"path_differs_from", scenario_set_skip, 0, 0, 0},
    {"header", scenario_set_skip, 0, 0, 0},
    {"present", scenario_set_skip, 0, 0, 0},
    {"delivered", scenario_set_skip, 0, 0, 0},
    {"fetched_by", scenario_set_skip, 0, 0, 0},
    {"mailbox", scenario_set_skip, 0, 0, 0},
    {"count", scenario_set_skip, 0, 0, 0},
    {"spf", scenario_set_skip, 0, 0, 0},
    {"dkim", scenario_set_skip, 0, 0, 0},
    {"dmarc", scenario_set_skip, 0, 0, 0},
    {"at", scenario_set_skip, 0, 0, 0},
    {"relay_tests", scenario_set_skip, 0, 0, 0},
    {"target", scenario_set_skip, 0, 0, 0},
    {"copies_at", scenario_set_skip, 0, 0, 0},
    {"held_by", scenario_set_skip, 0, 0, 0},
    {"kind", scenario_set_skip, 0, 0, 0},
    {"spam_delivered", scenario_set_skip, 0, 0, 0},
    {"rejected_by", scenario_set_skip, 0, 0, 0},
    {"spam_verdict", scenario_set_skip, 0, 0, 0},
    {"campaign", scenario_set_skip, 0, 0, 0},
    {"stage", scenario_set_skip, 0, 0, 0},
    {"smime", scenario_set_skip, 0, 0, 0},
    {"stored_contains", scenario_set_skip, 0, 0, 0},
    {"tap", scenario_set_skip, 0, 0, 0},
    {"saw", scenario_set_skip, 0, 0, 0},
    {"user", scenario_set_skip, 0, 0, 0},
    {"exposure", scenario_set_skip, 0, 0, 0},
    {"party", scenario_set_skip, 0, 0, 0},
    {"read", scenario_set_skip, 0, 0, 0},
    {"alter", scenario_set_skip, 0, 0, 0},
    {NULL, NULL, 0, 0, 0},
};

static const struct {
    const char *key;
    SpecExpectKind kind;
    const ScenarioField *table;
} scenario_expect_forms[] = {
    {"status", SPEC_EXPECT_STATUS, scenario_expect_status},
    {"path", SPEC_EXPECT_PATH, scenario_expect_path},
    {"path_differs_from", SPEC_EXPECT_PATH_DIFFERS, scenario_expect_differs},
    {"header", SPEC_EXPECT_HEADER, scenario_expect_header},
    {"delivered", SPEC_EXPECT_DELIVERED, scenario_expect_delivered},
    {"fetched_by", SPEC_EXPECT_FETCHED, scenario_expect_fetched},
    {"mailbox", SPEC_EXPECT_MAILBOX, scenario_expect_mailbox},
    {"spf", SPEC_EXPECT_SPF, scenario_expect_spf},
    {"dkim", SPEC_EXPECT_DKIM, scenario_expect_dkim},
    {"dmarc", SPEC_EXPECT_DMARC, scenario_expect_dmarc},
    {"relay_tests", SPEC_EXPECT_RELAY_TESTS, scenario_expect_relay},
    {"copies_at", SPEC_EXPECT_COPIES_AT, scenario_expect_copies_at},
    {"held_by", SPEC_EXPECT_HELD_BY, scenario_expect_held_by},
    {"spam_delivered", SPEC_EXPECT_SPAM_DELIVERED, scenario_expect_spam_delivered},
    {"rejected_by", SPEC_EXPECT_REJECTED_BY, scenario_expect_rejected_by},
    {"spam_verdict", SPEC_EXPECT_SPAM_VERDICT, scenario_expect_spam_verdict},
    {"smime", SPEC_EXPECT_SMIME, scenario_expect_smime},
    {"stored_contains", SPEC_EXPECT_STORED, scenario_expect_stored},
    {"tap", SPEC_EXPECT_TAP, scenario_expect_tap},
    {"exposure", SPEC_EXPECT_EXPOSURE, scenario_expect_exposure},
};

static gboolean
scenario_expect_parse(ScenarioCtx *ctx, yaml_node_t *map, GError **error)
{
    if (map->type != YAML_MAPPING_NODE)
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_EVENT,
                             "an expectation must be a mapping such as "
                             "{message: m1, status: delivered}, not %s",
                             scenario_kind_name(map));
    ctx->where = "expect";
    /* The form is given by its key; the second form key (in file order) is
     * the one reported. */
    int form = -1;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = scenario_item(ctx, p->key);
        if (k->type != YAML_SCALAR_NODE)
            continue;
        for (guint i = 0; i < G_N_ELEMENTS(scenario_expect_forms); i++) {
            if (strcmp((const char *)k->data.scalar.value, scenario_expect_forms[i].key) != 0)
                continue;
            if (form >= 0)
                return scenario_fail(ctx, k, error, SCENARIO_ERROR_EVENT,
                                     "one check per expectation: '%s' and '%s' in the same one",
                                     scenario_expect_forms[form].key, scenario_expect_forms[i].key);
            form = (int)i;
        }
    }
    ExpectSpec *x = expect_spec_new(form >= 0 ? scenario_expect_forms[form].kind : 0);
    scenario_loc(ctx, map, &x->loc);
    g_ptr_array_add(ctx->spec->expects, x);
    if (form < 0) {
        /* Unknown keys first: a misspelt "stauts" is the likely cause. */
        const ScenarioField *all[] = {scenario_expect_keys, NULL};
        if (!scenario_fields_apply(ctx, map, all, x, NULL, error))
            return FALSE;
        const char *keys[G_N_ELEMENTS(scenario_expect_forms)];
        for (guint i = 0; i < G_N_ELEMENTS(scenario_expect_forms); i++)
            keys[i] = scenario_expect_forms[i].key;
        g_autofree char *list = scenario_quote_list(keys, G_N_ELEMENTS(keys));
        return scenario_fail(ctx, map, error, SCENARIO_ERROR_EVENT,
                             "an expectation needs one of %s", list);
    }
    const ScenarioField *tables[] = {scenario_expect_forms[form].table, NULL};
    return scenario_fields_apply(ctx, map, tables, x, NULL, error);
}

gboolean
scenario_set_expects(ScenarioCtx *ctx, const ScenarioField *f, yaml_node_t *v, gpointer slot,
                     GError **error)
{
    if (!scenario_want_seq(ctx, v, f->key, error))
        return FALSE;
    const char *saved = ctx->where;
    for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++)
        if (!scenario_expect_parse(ctx, scenario_item(ctx, *i), error))
            return FALSE;
    ctx->where = saved;
    return TRUE;
}
