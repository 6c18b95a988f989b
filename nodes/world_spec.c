/* SPDX-License-Identifier: MIT
 * world_spec: constructors with defaults, destructors, look-ups and name
 * tables for the scenario data model. Parsing lives in app/scenario.c.
 */
#include "nodes/world_spec.h"

#include <string.h>

/* Look-up tables for world_spec_find_node() and world_spec_find_user():
 * key -> 1 + index in the array. `n_*` is how many array entries are in
 * the table; entries added since are indexed on the next look-up. */
struct WorldSpecIndex {
    GHashTable *nodes; /* name (borrowed from the NodeSpec) -> index + 1 */
    GHashTable *users; /* lower-cased address (owned) -> index + 1 */
    guint n_nodes, n_users;
};

static void
world_spec_index_free(struct WorldSpecIndex *ix)
{
    if (ix == NULL)
        return;
    g_hash_table_unref(ix->nodes);
    g_hash_table_unref(ix->users);
    g_free(ix);
}

/* The index, brought up to date with the arrays. The spec is logically
 * const: the index is a cache of its contents. */
static struct WorldSpecIndex *
world_spec_index(const WorldSpec *cspec)
{
    WorldSpec *spec = (WorldSpec *)cspec;
    struct WorldSpecIndex *ix = spec->index;
    if (ix == NULL) {
        ix = spec->index = g_new0(struct WorldSpecIndex, 1);
        ix->nodes = g_hash_table_new(g_str_hash, g_str_equal);
        ix->users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
    /* An array that shrank cannot be extended: start again. */
    if (spec->nodes->len < ix->n_nodes) {
        g_hash_table_remove_all(ix->nodes);
        ix->n_nodes = 0;
    }
    if (spec->users->len < ix->n_users) {
        g_hash_table_remove_all(ix->users);
        ix->n_users = 0;
    }
    for (; ix->n_nodes < spec->nodes->len; ix->n_nodes++) {
        const NodeSpec *n = spec->nodes->pdata[ix->n_nodes];
        if (n->name != NULL && !g_hash_table_contains(ix->nodes, n->name))
            g_hash_table_insert(ix->nodes, n->name, GUINT_TO_POINTER(ix->n_nodes + 1));
    }
    for (; ix->n_users < spec->users->len; ix->n_users++) {
        const UserSpec *u = spec->users->pdata[ix->n_users];
        if (u->address == NULL)
            continue;
        char *key = g_ascii_strdown(u->address, -1);
        if (g_hash_table_contains(ix->users, key))
            g_free(key);
        else
            g_hash_table_insert(ix->users, key, GUINT_TO_POINTER(ix->n_users + 1));
    }
    return ix;
}

static char **
world_spec_empty_strv(void)
{
    return g_new0(char *, 1);
}

WorldSpec *
world_spec_new(void)
{
    WorldSpec *s = g_new0(WorldSpec, 1);
    s->seed = 1;
    s->epoch_unix = WORLD_SPEC_EPOCH_DEFAULT;
    s->network.latency = 5000;
    s->network.bandwidth = G_GUINT64_CONSTANT(100000000);
    s->network.jitter = 0;
    s->network.connect_timeout = 30 * WORLD_SPEC_USEC;
    s->network.mtu = 0;
    s->zone = dns_zone_new();
    s->nodes = g_ptr_array_new_with_free_func((GDestroyNotify)node_spec_free);
    s->links = g_ptr_array_new_with_free_func((GDestroyNotify)link_spec_free);
    s->users = g_ptr_array_new_with_free_func((GDestroyNotify)user_spec_free);
    s->events = g_ptr_array_new_with_free_func((GDestroyNotify)event_spec_free);
    s->expects = g_ptr_array_new_with_free_func((GDestroyNotify)expect_spec_free);
    s->psl_rules = world_spec_empty_strv();
    return s;
}

void
world_spec_free(WorldSpec *spec)
{
    if (spec == NULL)
        return;
    g_free(spec->file);
    g_free(spec->name);
    g_clear_pointer(&spec->zone, dns_zone_unref);
    g_ptr_array_unref(spec->nodes);
    g_ptr_array_unref(spec->links);
    g_ptr_array_unref(spec->users);
    g_ptr_array_unref(spec->events);
    g_ptr_array_unref(spec->expects);
    g_free(spec->psl_text);
    g_strfreev(spec->psl_rules);
    world_spec_index_free(spec->index);
    g_free(spec);
}

NodeSpec *
node_spec_new(SpecRole role)
{
    NodeSpec *n = g_new0(NodeSpec, 1);
    n->role = role;
    n->ips = world_spec_empty_strv();
    n->max_recipients = 100; /* RFC 5321 4.5.3.1.8: at least 100 must be accepted */
    n->max_message_size = 10 * 1024 * 1024;
    n->smtp_port = 25;
    n->submission_port = 587; /* RFC 6409 3.1 */
    n->pop3_port = 110;       /* RFC 1939 3 */
    n->keep = TRUE;
    n->relay.domains = world_spec_empty_strv();
    n->relay.networks = world_spec_empty_strv();
    n->local_domains = world_spec_empty_strv();
    n->retry.first = 60 * WORLD_SPEC_USEC;
    n->retry.backoff = 2;
    n->retry.max_attempts = 4;
    n->retry.max_age = 3600 * WORLD_SPEC_USEC;
    n->domains = world_spec_empty_strv();
    n->answer_latency = 1000;
    n->dkim.alg = DKIM_ALG_ED25519_SHA256;
    n->dkim.rsa_bits = 2048;
    n->dkim.header_canon = DKIM_CANON_RELAXED;
    n->dkim.body_canon = DKIM_CANON_RELAXED;
    n->checks.spf_fail = SPEC_SPF_REJECT;
    n->checks.spf_softfail = SPEC_SPF_TAG;
    n->tls.session_tickets = TRUE;
    n->dnsbl.lists = world_spec_empty_strv();
    n->dnsbl.allow = world_spec_empty_strv();
    n->exempt_role_accounts = TRUE;
    n->auth.max_failures = 3;
    n->auth.failure_delay = WORLD_SPEC_USEC;
    n->mitm.strip_starttls = TRUE;
    n->mitm.block_starttls = TRUE;
    return n;
}

void
mitm_rule_spec_free(MitmRuleSpec *r)
{
    if (r == NULL)
        return;
    g_free(r->match);
    g_free(r->replace);
    g_free(r);
}

void
node_spec_free(NodeSpec *n)
{
    if (n == NULL)
        return;
    g_free(n->name);
    g_strfreev(n->ips);
    g_free(n->hostname);
    g_free(n->user);
    if (n->password != NULL)
        memset(n->password, 0, strlen(n->password));
    g_free(n->password);
    g_free(n->msa);
    g_free(n->ms);
    g_free(n->relayhost);
    g_free(n->connect);
    g_strfreev(n->relay.domains);
    g_strfreev(n->relay.networks);
    g_strfreev(n->dnsbl.lists);
    g_strfreev(n->dnsbl.allow);
    g_strfreev(n->local_domains);
    g_free(n->deliver_to);
    g_strfreev(n->domains);
    g_free(n->journal);
    g_free(n->backup_node);
    g_free(n->dkim.domain);
    g_free(n->dkim.selector);
    if (n->dkim.key_pem != NULL)
        memset(n->dkim.key_pem, 0, strlen(n->dkim.key_pem));
    g_free(n->dkim.key_pem);
    g_free(n->dkim.key_file);
    g_strfreev(n->dkim.headers);
    g_free(n->rewrite.body_append);
    g_free(n->tamper.append_body);
    g_strfreev(n->tamper.replace);
    g_strfreev(n->auth.mechanisms);
    g_strfreev(n->tap);
    g_free(n->webmail);
    g_free(n->auth.mechanism);
    if (n->mitm.rules)
        g_ptr_array_unref(n->mitm.rules);
    g_free(n->relayhost_auth.user);
    g_free(n->relayhost_auth.password);
    g_free(n->relayhost_auth.mechanism);
    g_free(n);
}

LinkSpec *
link_spec_new(void)
{
    LinkSpec *l = g_new0(LinkSpec, 1);
    l->latency = -1;
    l->jitter = -1;
    l->schedule = g_array_new(FALSE, TRUE, sizeof(LinkChange));
    return l;
}

void
link_spec_free(LinkSpec *l)
{
    if (l == NULL)
        return;
    g_free(l->a);
    g_free(l->b);
    g_array_unref(l->schedule);
    g_free(l);
}

UserSpec *
user_spec_new(void)
{
    return g_new0(UserSpec, 1);
}

void
user_spec_free(UserSpec *u)
{
    if (u == NULL)
        return;
    g_free(u->address);
    if (u->password != NULL)
        memset(u->password, 0, strlen(u->password));
    g_free(u->password);
    g_free(u->ms);
    g_free(u);
}

void
spec_header_free(SpecHeader *h)
{
    if (h == NULL)
        return;
    g_free(h->name);
    g_free(h->value);
    g_free(h);
}

EventSpec *
event_spec_new(SpecEventKind kind)
{
    EventSpec *e = g_new0(EventSpec, 1);
    e->kind = kind;
    e->send.to = world_spec_empty_strv();
    e->send.cc = world_spec_empty_strv();
    e->send.bcc = world_spec_empty_strv();
    e->send.headers = g_ptr_array_new_with_free_func((GDestroyNotify)spec_header_free);
    e->fetch.keep = TRUE;
    e->traffic.count = 1;
    e->traffic.interval = WORLD_SPEC_USEC;
    e->traffic.from = world_spec_empty_strv();
    e->traffic.to = world_spec_empty_strv();
    e->traffic.start = 1;
    e->traffic.size = 1000;
    e->traffic.headers = g_ptr_array_new_with_free_func((GDestroyNotify)spec_header_free);
    e->raw_send.rcpt_to = world_spec_empty_strv();
    return e;
}

void
event_spec_free(EventSpec *e)
{
    if (e == NULL)
        return;
    g_free(e->send.from);
    g_strfreev(e->send.to);
    g_strfreev(e->send.cc);
    g_strfreev(e->send.bcc);
    g_free(e->send.subject);
    g_free(e->send.body);
    g_ptr_array_unref(e->send.headers);
    g_free(e->send.id);
    g_free(e->send.envelope_from);
    g_free(e->send.envid);
    g_free(e->send.on_behalf_of);
    g_free(e->reply.by);
    g_free(e->reply.to);
    g_free(e->reply.id);
    g_free(e->reply.body);
    g_free(e->reply.subject);
    g_free(e->fetch.by);
    g_free(e->fault.a);
    g_free(e->fault.b);
    g_free(e->fault.node);
    g_strfreev(e->traffic.from);
    g_strfreev(e->traffic.to);
    g_free(e->traffic.id_prefix);
    g_free(e->traffic.campaign);
    g_free(e->traffic.via);
    g_strfreev(e->traffic.mail_from);
    g_free(e->traffic.helo);
    g_free(e->traffic.subject);
    g_ptr_array_unref(e->traffic.headers);
    g_strfreev(e->traffic.received);
    g_free(e->relay_test.from);
    g_free(e->relay_test.target);
    g_free(e->relay_test.remote_domain);
    g_free(e->relay_test.other_ip);
    g_free(e->relay_test.local_user);
    g_free(e->raw_send.from);
    g_free(e->raw_send.target);
    g_free(e->raw_send.helo);
    g_free(e->raw_send.mail_from);
    g_strfreev(e->raw_send.rcpt_to);
    g_free(e->raw_send.data);
    g_free(e->raw_send.id);
    g_free(e);
}

ExpectSpec *
expect_spec_new(SpecExpectKind kind)
{
    ExpectSpec *x = g_new0(ExpectSpec, 1);
    x->kind = kind;
    x->present = TRUE;
    return x;
}

void
expect_spec_free(ExpectSpec *x)
{
    if (x == NULL)
        return;
    g_free(x->message);
    g_free(x->to);
    g_strfreev(x->path);
    g_free(x->other);
    g_free(x->header);
    g_free(x->fetched_by);
    g_strfreev(x->copies_at);
    g_free(x->held_by);
    g_free(x->copy_kind);
    g_free(x->mailbox);
    g_free(x->verdict);
    g_free(x->at);
    g_free(x->target);
    g_free(x->campaign);
    g_free(x->rejected_by);
    g_free(x->stage);
    g_free(x->contains);
    g_free(x->tap);
    g_free(x->saw);
    g_free(x->user);
    g_free(x->party);
    g_free(x);
}

NodeSpec *
world_spec_find_node(const WorldSpec *spec, const char *name)
{
    g_return_val_if_fail(spec != NULL, NULL);
    if (name == NULL)
        return NULL;
    guint at = GPOINTER_TO_UINT(g_hash_table_lookup(world_spec_index(spec)->nodes, name));
    return at > 0 ? spec->nodes->pdata[at - 1] : NULL;
}

UserSpec *
world_spec_find_user(const WorldSpec *spec, const char *address)
{
    g_return_val_if_fail(spec != NULL, NULL);
    if (address == NULL)
        return NULL;
    struct WorldSpecIndex *ix = world_spec_index(spec);
    char buf[256];
    gsize len = strlen(address);
    char *key = len < sizeof(buf) ? buf : g_malloc(len + 1);
    for (gsize i = 0; i <= len; i++)
        key[i] = g_ascii_tolower(address[i]);
    guint at = GPOINTER_TO_UINT(g_hash_table_lookup(ix->users, key));
    if (key != buf)
        g_free(key);
    return at > 0 ? spec->users->pdata[at - 1] : NULL;
}

LinkSpec *
world_spec_find_link(const WorldSpec *spec, const char *a, const char *b)
{
    g_return_val_if_fail(spec != NULL, NULL);
    for (guint i = 0; i < spec->links->len; i++) {
        LinkSpec *l = spec->links->pdata[i];
        if ((g_strcmp0(l->a, a) == 0 && g_strcmp0(l->b, b) == 0) ||
            (g_strcmp0(l->a, b) == 0 && g_strcmp0(l->b, a) == 0))
            return l;
    }
    return NULL;
}

static gboolean
world_spec_strv_has_domain(char **domains, const char *domain)
{
    for (char **d = domains; d != NULL && *d != NULL; d++)
        if (g_ascii_strcasecmp(*d, domain) == 0)
            return TRUE;
    return FALSE;
}

const char *
world_spec_mailbox_node(const WorldSpec *spec, const char *address)
{
    g_return_val_if_fail(spec != NULL, NULL);
    if (address == NULL)
        return NULL;
    UserSpec *u = world_spec_find_user(spec, address);
    if (u != NULL && u->ms != NULL)
        return u->ms;
    const char *at = strrchr(address, '@');
    if (at == NULL)
        return NULL;
    const char *domain = at + 1;
    for (guint i = 0; i < spec->nodes->len; i++) {
        NodeSpec *n = spec->nodes->pdata[i];
        if (n->role == SPEC_ROLE_MS && world_spec_strv_has_domain(n->domains, domain))
            return n->name;
    }
    for (guint i = 0; i < spec->nodes->len; i++) {
        NodeSpec *n = spec->nodes->pdata[i];
        if (n->role == SPEC_ROLE_MTA && n->deliver_to != NULL &&
            world_spec_strv_has_domain(n->local_domains, domain))
            return n->deliver_to;
    }
    return NULL;
}

const char *
world_spec_user_password(const WorldSpec *spec, const char *address)
{
    g_return_val_if_fail(spec != NULL, NULL);
    UserSpec *u = world_spec_find_user(spec, address);
    if (u != NULL && u->password != NULL)
        return u->password;
    for (guint i = 0; i < spec->nodes->len; i++) {
        NodeSpec *n = spec->nodes->pdata[i];
        if (n->role == SPEC_ROLE_MUA && n->user != NULL && n->password != NULL &&
            g_ascii_strcasecmp(n->user, address) == 0)
            return n->password;
    }
    return NULL;
}

char *
spec_loc_to_string(const SpecLoc *loc)
{
    g_return_val_if_fail(loc != NULL, NULL);
    const char *file = loc->file != NULL ? loc->file : "<scenario>";
    if (loc->line == 0)
        return g_strdup(file);
    return g_strdup_printf("%s:%u:%u", file, loc->line, loc->col);
}

static const char *const spec_role_names[] = {
    [SPEC_ROLE_NONE] = "none",       [SPEC_ROLE_MUA] = "mua",
    [SPEC_ROLE_MSA] = "msa",         [SPEC_ROLE_MTA] = "mta",
    [SPEC_ROLE_MS] = "ms",           [SPEC_ROLE_DNS] = "dns",
    [SPEC_ROLE_SPAMMER] = "spammer", [SPEC_ROLE_EAVESDROPPER] = "eavesdropper",
    [SPEC_ROLE_MITM] = "mitm",       [SPEC_ROLE_WEBMAIL] = "webmail",
    [SPEC_ROLE_BROWSER] = "browser", [SPEC_ROLE_GATEWAY] = "gateway",
};

const char *
spec_role_name(SpecRole role)
{
    if ((guint)role >= G_N_ELEMENTS(spec_role_names))
        return "?";
    return spec_role_names[role];
}

SpecRole
spec_role_from_name(const char *name)
{
    for (guint i = 1; name != NULL && i < G_N_ELEMENTS(spec_role_names); i++)
        if (g_ascii_strcasecmp(spec_role_names[i], name) == 0)
            return (SpecRole)i;
    return SPEC_ROLE_NONE;
}

const char *
spec_event_kind_name(SpecEventKind kind)
{
    switch (kind) {
    case SPEC_EVENT_SEND:
        return "send";
    case SPEC_EVENT_REPLY:
        return "reply";
    case SPEC_EVENT_FETCH:
        return "fetch";
    case SPEC_EVENT_FAULT:
        return "fault";
    case SPEC_EVENT_TRAFFIC:
        return "traffic";
    case SPEC_EVENT_RELAY_TEST:
        return "relay_test";
    case SPEC_EVENT_RAW_SEND:
        return "raw_send";
    case SPEC_EVENT_WEBMAIL_SEND:
        return "webmail_send";
    case SPEC_EVENT_WEBMAIL_READ:
        return "webmail_read";
    }
    return "?";
}

const char *
spec_expect_kind_name(SpecExpectKind kind)
{
    switch (kind) {
    case SPEC_EXPECT_STATUS:
        return "status";
    case SPEC_EXPECT_PATH:
        return "path";
    case SPEC_EXPECT_PATH_DIFFERS:
        return "path_differs_from";
    case SPEC_EXPECT_HEADER:
        return "header";
    case SPEC_EXPECT_DELIVERED:
        return "delivered";
    case SPEC_EXPECT_FETCHED:
        return "fetched_by";
    case SPEC_EXPECT_MAILBOX:
        return "mailbox";
    case SPEC_EXPECT_SPF:
        return "spf";
    case SPEC_EXPECT_DKIM:
        return "dkim";
    case SPEC_EXPECT_DMARC:
        return "dmarc";
    case SPEC_EXPECT_RELAY_TESTS:
        return "relay_tests";
    case SPEC_EXPECT_COPIES_AT:
        return "copies_at";
    case SPEC_EXPECT_HELD_BY:
        return "held_by";
    case SPEC_EXPECT_SPAM_DELIVERED:
        return "spam_delivered";
    case SPEC_EXPECT_REJECTED_BY:
        return "rejected_by";
    case SPEC_EXPECT_SPAM_VERDICT:
        return "spam_verdict";
    case SPEC_EXPECT_SMIME:
        return "smime";
    case SPEC_EXPECT_STORED:
        return "stored";
    case SPEC_EXPECT_TAP:
        return "tap";
    case SPEC_EXPECT_EXPOSURE:
        return "exposure";
    }
    return "?";
}

static const char *const spec_status_names[] = {
    [SPEC_STATUS_NONE] = "none",         [SPEC_STATUS_DELIVERED] = "delivered",
    [SPEC_STATUS_REJECTED] = "rejected", [SPEC_STATUS_BOUNCED] = "bounced",
    [SPEC_STATUS_QUEUED] = "queued",
};

const char *
spec_status_name(SpecStatus status)
{
    if ((guint)status >= G_N_ELEMENTS(spec_status_names))
        return "?";
    return spec_status_names[status];
}

SpecStatus
spec_status_from_name(const char *name)
{
    for (guint i = 1; name != NULL && i < G_N_ELEMENTS(spec_status_names); i++)
        if (g_ascii_strcasecmp(spec_status_names[i], name) == 0)
            return (SpecStatus)i;
    return SPEC_STATUS_NONE;
}

static const char *const spec_tls_level_names[] = {
    [SPEC_TLS_NONE] = "none",     [SPEC_TLS_MAY] = "may",       [SPEC_TLS_ENCRYPT] = "encrypt",
    [SPEC_TLS_VERIFY] = "verify", [SPEC_TLS_SECURE] = "secure",
};

const char *
spec_tls_level_name(SpecTlsLevel level)
{
    if ((guint)level >= G_N_ELEMENTS(spec_tls_level_names))
        return "?";
    return spec_tls_level_names[level];
}

gboolean
spec_tls_level_from_name(const char *name, SpecTlsLevel *out)
{
    for (guint i = 0; name != NULL && i < G_N_ELEMENTS(spec_tls_level_names); i++) {
        if (g_ascii_strcasecmp(spec_tls_level_names[i], name) == 0) {
            *out = (SpecTlsLevel)i;
            return TRUE;
        }
    }
    return FALSE;
}

static const char *const spec_smime_mode_names[] = {
    [SPEC_SMIME_NONE] = "none",
    [SPEC_SMIME_SIGN] = "sign",
    [SPEC_SMIME_OPAQUE_SIGN] = "opaque-sign",
    [SPEC_SMIME_ENCRYPT] = "encrypt",
    [SPEC_SMIME_SIGN_ENCRYPT] = "sign+encrypt",
};

const char *
spec_smime_mode_name(SpecSmimeMode mode)
{
    return (guint)mode < G_N_ELEMENTS(spec_smime_mode_names) ? spec_smime_mode_names[mode] : "?";
}

gboolean
spec_smime_mode_from_name(const char *name, SpecSmimeMode *out)
{
    for (guint i = 0; i < G_N_ELEMENTS(spec_smime_mode_names); i++) {
        if (g_strcmp0(name, spec_smime_mode_names[i]) == 0) {
            *out = (SpecSmimeMode)i;
            return TRUE;
        }
    }
    return FALSE;
}
