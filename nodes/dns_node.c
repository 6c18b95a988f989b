/* SPDX-License-Identifier: MIT
 * dns_node: the dns role and the resolver every node uses. A query costs a
 * round trip to the dns node plus its answer latency, in virtual time; the
 * dns node answers A, AAAA, MX, TXT, PTR and CNAME from the scenario zone
 * (NXDOMAIN otherwise, staged TIMEOUT/SERVFAIL as written) and counts the
 * queries. Resolvers cache answers for their TTL (RFC 1035 3.2.1), as real
 * ones do; failures are not cached. Deliberately simplified: the query is
 * not a UDP datagram on the wire.
 */
#include <string.h>

#include "nodes/world_private.h"

/* A resolver gives up on a server that does not answer (RES_TIMEOUT). */
#define DNS_NODE_TIMEOUT (5 * SIM_TIME_S)

typedef struct {
    guint64 queries;
} DnsNode;

typedef struct {
    World *world;
    char *asker;
    char *key;
    char *name;
    DnsRrType type;
    WorldDnsFunc fn;
    gpointer user_data;
    gboolean cached;
    gboolean lost; /* the dns node cannot be reached: the query times out */
} DnsQuery;

typedef struct {
    SimTime expires;
    DnsAnswer answer;
} DnsCacheEntry;

void
dns_cache_entry_free(gpointer p)
{
    DnsCacheEntry *e = p;
    dns_answer_clear(&e->answer);
    g_free(e);
}

static void
dns_query_free(gpointer p)
{
    DnsQuery *q = p;
    g_free(q->asker);
    g_free(q->key);
    g_free(q->name);
    g_free(q);
}

void
dns_node_answer(Node *dns, const char *name, DnsRrType type, DnsAnswer *answer)
{
    DnsNode *d = dns->priv;
    d->queries++;
    dns_zone_lookup(dns->world->zone, name, type, answer);
}

SimTime
dns_node_latency(const Node *dns)
{
    return dns->spec->answer_latency > 0 ? dns->spec->answer_latency : SIM_TIME_MS;
}

static void
dns_trace_answer(World *w, const DnsQuery *q, const DnsAnswer *a)
{
    SimTraceRec *r = world_trace(w, "dns.answer", q->asker);
    if (r == NULL)
        return;
    sim_trace_str(r, "name", q->name);
    sim_trace_str(r, "type", dns_rr_type_name(q->type));
    sim_trace_str(r, "rcode", dns_rcode_name(a->rcode));
    GString *s = g_string_new(NULL);
    for (guint i = 0; a->records && i < a->records->len; i++) {
        const DnsRecord *rec = a->records->pdata[i];
        if (i)
            g_string_append(s, ", ");
        if (rec->type == DNS_RR_MX)
            g_string_append_printf(s, "%u ", rec->pref);
        g_string_append(s, rec->text);
    }
    sim_trace_str(r, "data", s->str);
    g_string_free(s, TRUE);
    sim_trace_bool(r, "cached", q->cached);
    sim_trace_end(r);
}

static void
dns_query_done(SimWorld *sim, gpointer data)
{
    DnsQuery *q = data;
    World *w = q->world;
    DnsAnswer answer = {0};
    if (q->cached) {
        DnsCacheEntry *e = g_hash_table_lookup(w->dns_cache, q->key);
        g_assert(e != NULL);
        dns_trace_answer(w, q, &e->answer);
        q->fn(w, &e->answer, q->user_data);
        return;
    }
    if (q->lost) {
        answer.rcode = DNS_RCODE_TIMEOUT;
        answer.records = g_ptr_array_new();
    } else if (w->dns)
        dns_node_answer(w->dns, q->name, q->type, &answer);
    else
        dns_zone_lookup(w->zone, q->name, q->type, &answer);
    dns_trace_answer(w, q, &answer);
    if (answer.rcode == DNS_RCODE_NOERROR || answer.rcode == DNS_RCODE_NXDOMAIN) {
        DnsCacheEntry *e = g_new0(DnsCacheEntry, 1);
        guint32 ttl = 3600;
        for (guint i = 0; i < answer.records->len; i++)
            ttl = MIN(ttl, ((DnsRecord *)answer.records->pdata[i])->ttl);
        e->expires = sim_world_now(sim) + (SimTime)ttl * SIM_TIME_S;
        e->answer = answer;
        g_hash_table_replace(w->dns_cache, g_strdup(q->key), e);
        q->fn(w, &e->answer, q->user_data);
        return;
    }
    q->fn(w, &answer, q->user_data);
    dns_answer_clear(&answer);
}

void
world_resolve(World *w, Node *asker, const char *name, DnsRrType type, WorldDnsFunc fn,
              gpointer user_data)
{
    DnsQuery *q = g_new0(DnsQuery, 1);
    q->world = w;
    q->asker = g_strdup(asker->name);
    q->name = dns_name_normalize(name);
    q->type = type;
    q->fn = fn;
    q->user_data = user_data;
    char num[NODE_UINT_STR_MAX];
    q->key = g_strconcat(asker->name, "\t", node_uint_str((guint)type, num), "\t", q->name, NULL);
    SimTime now = sim_world_now(w->sim);
    DnsCacheEntry *e = g_hash_table_lookup(w->dns_cache, q->key);
    q->cached = e != NULL && e->expires > now;
    SimTime delay = 0;
    if (!q->cached && w->dns) {
        /* A round trip on the link to the dns node, plus its work. */
        SimLink *link = sim_net_link(w->net, asker->host, w->dns->host);
        const SimLinkParams *lp = sim_link_params(link);
        delay = 2 * lp->latency + dns_node_latency(w->dns);
        if (!sim_link_is_up(link) || w->dns->down) { /* a crashed server: timeout */
            delay = DNS_NODE_TIMEOUT;
            q->lost = TRUE;
        }
        SimTraceRec *r = world_trace(w, "dns.query", asker->name);
        sim_trace_str(r, "name", q->name);
        sim_trace_str(r, "type", dns_rr_type_name(type));
        sim_trace_str(r, "server", w->dns->name);
        sim_trace_end(r);
    }
    sim_world_schedule_in(w->sim, delay, dns_query_done, q, dns_query_free);
}

static void
dns_node_free(Node *node)
{
    g_free(node->priv);
}

static void
dns_node_finish(Node *node)
{
    DnsNode *d = node->priv;
    SimTraceRec *r = world_trace(node->world, "dns.stats", node->name);
    sim_trace_int(r, "queries", (gint64)d->queries);
    sim_trace_end(r);
}

static const NodeClass dns_node_class = {
    .kind = "dns",
    .finish = dns_node_finish,
    .free = dns_node_free,
};

Node *
dns_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &dns_node_class, spec);
    node->priv = g_new0(DnsNode, 1);
    return node;
}
