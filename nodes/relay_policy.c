/* SPDX-License-Identifier: MIT
 * relay_policy: permit_mynetworks, permit_sasl_authenticated and
 * reject_unauth_destination (Postfix postconf(5)); RFC 5321 3.6.2 (a relay
 * needs the right to relay), RFC 5321 4.2.5/Postfix: 554 5.7.1. The relay
 * decision judges relay_addr's judged_domain; a misconfigured trick makes
 * the route differ, and the route is what the queue then follows.
 */
#include "nodes/relay_policy.h"

#include <string.h>

#include "nodes/world_private.h"
#include "proto/message_scan.h"
#include "proto/relay_addr.h"

/* RFC 5321 6.3: a loop is assumed after this many Received fields. */
#define RELAY_POLICY_MAX_HOPS 100

struct RelayPolicy {
    Node *node;
    GPtrArray *networks; /* char* CIDR */
    GHashTable *routes;  /* "conn\nrcpt" -> rewritten address */
};

RelayPolicy *
relay_policy_new(Node *node)
{
    RelayPolicy *p = g_new0(RelayPolicy, 1);
    p->node = node;
    p->networks = g_ptr_array_new_with_free_func(g_free);
    p->routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const NodeSpec *spec = node->spec;
    if (spec->relay.networks && spec->relay.networks[0]) {
        for (char **n = spec->relay.networks; *n; n++)
            g_ptr_array_add(p->networks, g_strdup(*n));
    } else {
        guint32 a = sim_host_address(node->host);
        char buf[16];
        sim_ipv4_format(a & 0xffffff00u, buf);
        g_ptr_array_add(p->networks, g_strdup_printf("%s/24", buf));
    }
    return p;
}

void
relay_policy_free(RelayPolicy *p)
{
    if (p == NULL)
        return;
    g_ptr_array_unref(p->networks);
    g_hash_table_unref(p->routes);
    g_free(p);
}

gboolean
relay_policy_cidr_match(const char *cidr, guint32 ipv4)
{
    /* Split at the first '/' without allocating: this runs for each RCPT.
     * A dotted quad is at most 15 characters (sim_ipv4_parse). */
    const char *slash = strchr(cidr, '/');
    gsize n = slash ? (gsize)(slash - cidr) : strlen(cidr);
    char addr[16];
    if (n >= sizeof addr)
        return FALSE;
    memcpy(addr, cidr, n);
    addr[n] = '\0';
    guint32 net;
    if (!sim_ipv4_parse(addr, &net))
        return FALSE;
    guint bits = slash ? (guint)g_ascii_strtoull(slash + 1, NULL, 10) : 32;
    if (bits > 32)
        return FALSE;
    guint32 mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (net & mask) == (ipv4 & mask);
}

/* "*" in relay domains means anything: the misconfiguration of a
 * catch-all relay_domains. */
static gboolean
relay_policy_domain_in(const char *domain, char *const *list)
{
    for (char *const *p = list; p && *p; p++)
        if (g_ascii_strcasecmp(*p, domain) == 0 || strcmp(*p, "*") == 0)
            return TRUE;
    return FALSE;
}

static gboolean
relay_policy_is_own_ip(RelayPolicy *p, const char *ip)
{
    for (char **a = p->node->spec->ips; ip && a && *a; a++)
        if (strcmp(*a, ip) == 0)
            return TRUE;
    return FALSE;
}

/* Mail for this node: its domains, its host name (Postfix mydestination =
 * $myhostname), or an address literal of its own (RFC 5321 4.1.3). */
static gboolean
relay_policy_is_ours(RelayPolicy *p, const char *domain, gboolean literal)
{
    const NodeSpec *spec = p->node->spec;
    if (literal) {
        g_autofree char *ip = relay_addr_literal_ip(domain);
        return spec->relay.ip_literals || relay_policy_is_own_ip(p, ip);
    }
    return relay_policy_domain_in(domain, spec->local_domains) ||
           relay_policy_domain_in(domain, spec->relay.domains) ||
           g_ascii_strcasecmp(domain, p->node->hostname) == 0;
}

/* trust_helo: the HELO name is one of ours or below one (a client may
 * claim any name: RFC 5321 4.1.4 says not to trust it). */
static gboolean
relay_policy_helo_trusted(RelayPolicy *p, SmtpServerSession *ss)
{
    const char *helo = smtp_server_session_helo(ss);
    if (!p->node->spec->relay.trust_helo || helo == NULL || helo[0] == '\0')
        return FALSE;
    g_autofree char *h = relay_addr_normalize_domain(helo);
    for (const char *d = h; d; d = strchr(d, '.') ? strchr(d, '.') + 1 : NULL)
        if (relay_policy_is_ours(p, d, FALSE))
            return TRUE;
    return FALSE;
}

static gboolean
relay_policy_client_trusted(RelayPolicy *p, SmtpServerSession *ss)
{
    guint32 ip = 0;
    sim_ipv4_parse(smtp_server_session_client_ip(ss), &ip);
    for (guint i = 0; i < p->networks->len; i++)
        if (relay_policy_cidr_match(p->networks->pdata[i], ip))
            return TRUE; /* permit_mynetworks */
    return relay_policy_helo_trusted(p, ss);
}

static char *
relay_policy_route_key(SmtpServerSession *ss, const char *rcpt)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT "\n%s", smtp_server_session_conn_id(ss), rcpt);
}

/* Mail for the host itself (user@hostname, user@[own IP]) is mail for its
 * first local domain, as Postfix delivers $myhostname locally; without
 * this the queue would send it to itself. */
static void
relay_policy_note_host(RelayPolicy *p, SmtpServerSession *ss, const char *rcpt, const RelayAddr *a)
{
    char **local = p->node->spec->local_domains;
    if (local == NULL || local[0] == NULL || g_ascii_strcasecmp(a->next_domain, local[0]) == 0)
        return;
    gboolean self = g_ascii_strcasecmp(a->next_domain, p->node->hostname) == 0;
    if (!self && a->next_domain[0] == '[') {
        g_autofree char *ip = relay_addr_literal_ip(a->next_domain);
        self = relay_policy_is_own_ip(p, ip);
    }
    if (self)
        g_hash_table_replace(p->routes, relay_policy_route_key(ss, rcpt),
                             g_strdup_printf("%s@%s", a->next_local, local[0]));
}

static void
relay_policy_note_trick(RelayPolicy *p, SmtpServerSession *ss, const char *rcpt, const RelayAddr *a)
{
    g_autofree char *next = relay_addr_next(a);
    g_hash_table_replace(p->routes, relay_policy_route_key(ss, rcpt), g_strdup(next));
    SimTraceRec *tr = world_trace(p->node->world, "relay.trick", p->node->name);
    sim_trace_int(tr, "conn", (gint64)smtp_server_session_conn_id(ss));
    sim_trace_str(tr, "rcpt", rcpt);
    sim_trace_str(tr, "trick", relay_addr_trick_name(a->trick));
    sim_trace_str(tr, "judged", a->judged_domain);
    sim_trace_str(tr, "route", next);
    sim_trace_end(tr);
}

SmtpReply *
relay_policy_check_rcpt(RelayPolicy *p, SmtpServerSession *ss, const SmtpServerQuery *q)
{
    const NodeSpec *spec = p->node->spec;
    if (q->parsed.is_postmaster)
        return NULL; /* RFC 5321 4.5.1: <Postmaster> MUST be accepted */
    const RelayAddrOptions opt = {
        .percent_hack = spec->relay.percent_hack,
        .bang_path = spec->relay.bang_path,
        .source_routes = spec->relay.source_routes,
        .dequote = spec->relay.dequote,
    };
    RelayAddr a;
    if (!relay_addr_resolve(&q->parsed, &opt, &a))
        return smtp_reply_new(501, "5.1.3", "<%s>: Bad recipient address syntax", q->addr);
    gboolean ok = spec->role == SPEC_ROLE_MSA || spec->relay.open_relay ||
                  relay_policy_is_ours(p, a.judged_domain, a.judged_literal) ||
                  q->is_authenticated /* permit_sasl_authenticated */ ||
                  relay_policy_client_trusted(p, ss);
    if (ok && a.trick != RELAY_ADDR_TRICK_NONE)
        relay_policy_note_trick(p, ss, q->addr, &a);
    else if (ok)
        relay_policy_note_host(p, ss, q->addr, &a);
    relay_addr_clear(&a);
    if (ok)
        return NULL;
    /* reject_unauth_destination, Postfix's words and code. */
    return smtp_reply_new(554, "5.7.1", "<%s>: Relay access denied", q->addr);
}

const char *
relay_policy_route(RelayPolicy *p, SmtpServerSession *ss, const char *rcpt)
{
    /* Most relays never note a route: no key to build then. */
    if (g_hash_table_size(p->routes) == 0)
        return NULL;
    g_autofree char *key = relay_policy_route_key(ss, rcpt);
    return g_hash_table_lookup(p->routes, key);
}

void
relay_policy_forget(RelayPolicy *p, SmtpServerSession *ss)
{
    if (g_hash_table_size(p->routes) == 0)
        return;
    g_autofree char *prefix =
        g_strdup_printf("%" G_GUINT64_FORMAT "\n", smtp_server_session_conn_id(ss));
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, p->routes);
    while (g_hash_table_iter_next(&it, &k, NULL))
        if (g_str_has_prefix(k, prefix))
            g_hash_table_iter_remove(&it);
}

gboolean
relay_policy_is_role_account(RelayPolicy *p, const SmtpServerQuery *q)
{
    if (q->parsed.is_postmaster)
        return TRUE;
    if (q->parsed.local == NULL || q->parsed.domain == NULL || q->parsed.is_quoted)
        return FALSE;
    /* RFC 5321 4.5.1 postmaster (case-insensitive), RFC 2142 4 abuse. */
    if (g_ascii_strcasecmp(q->parsed.local, "postmaster") != 0 &&
        g_ascii_strcasecmp(q->parsed.local, "abuse") != 0)
        return FALSE;
    g_autofree char *d = relay_addr_normalize_domain(q->parsed.domain);
    return relay_policy_is_ours(p, d, q->parsed.is_literal);
}

SmtpReply *
relay_policy_check_data(RelayPolicy *p, const SmtpServerQuery *q)
{
    gsize len = 0;
    const guint8 *data = q->message ? g_bytes_get_data(q->message, &len) : NULL;
    /* Counted on the bytes: parsing the message only to count would copy
     * every field at every hop. */
    if (q->message && mail_message_scan_count(data, len, "Received") > RELAY_POLICY_MAX_HOPS)
        return smtp_reply_new(554, "5.4.6", "Too many hops (mail loop?)");
    return NULL;
}
