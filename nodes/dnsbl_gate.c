/* SPDX-License-Identifier: MIT
 * dnsbl_gate: RFC 5782 2.1 lookups through world_resolve, verdicts from
 * proto/dnsbl.h, refusals 554 5.7.1 (Postfix reject_rbl_client). The
 * lists are asked one after the other; the first listing decides.
 * On a listing the TXT record at the same name (RFC 5782 2.1) is asked
 * too and its text, when there is one, ends the refusal (Postfix $rbl_txt).
 * Not done: the RFC 5782 7 self-test of a zone.
 */
#include "nodes/dnsbl_gate.h"

#include <string.h>

#include "nodes/relay_policy.h"
#include "nodes/world_private.h"
#include "proto/dnsbl.h"

struct DnsblGate {
    Node *node;
    GHashTable *verdicts; /* conn id (guint64*) -> refusal text, "" when clean */
};

typedef struct {
    DnsblGate *gate;
    SmtpServerSession *ss;
    guint list;
    char *ip;
} DnsblLookup;

DnsblGate *
dnsbl_gate_new(Node *node)
{
    if (node->spec->dnsbl.lists == NULL || node->spec->dnsbl.lists[0] == NULL)
        return NULL;
    DnsblGate *g = g_new0(DnsblGate, 1);
    g->node = node;
    g->verdicts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    return g;
}

void
dnsbl_gate_free(DnsblGate *g)
{
    if (g == NULL)
        return;
    g_hash_table_unref(g->verdicts);
    g_free(g);
}

static void
dnsbl_gate_set(DnsblGate *g, SmtpServerSession *ss, const char *text)
{
    gint64 *k = g_new(gint64, 1);
    *k = (gint64)smtp_server_session_conn_id(ss);
    g_hash_table_replace(g->verdicts, k, g_strdup(text));
}

static const char *
dnsbl_gate_get(DnsblGate *g, SmtpServerSession *ss)
{
    gint64 k = (gint64)smtp_server_session_conn_id(ss);
    return g_hash_table_lookup(g->verdicts, &k);
}

/* The verdict is known: answer the greeting. */
static void
dnsbl_gate_decide(DnsblGate *g, SmtpServerSession *ss, const char *refusal)
{
    const NodeSpec *spec = g->node->spec;
    dnsbl_gate_set(g, ss, refusal ? refusal : "");
    if (refusal && spec->dnsbl.reject_at == SPEC_DNSBL_AT_CONNECT && !spec->exempt_role_accounts) {
        g_autoptr(SmtpReply) r =
            smtp_reply_new(DNSBL_REJECT_CODE, DNSBL_REJECT_ENHANCED, "%s", refusal);
        smtp_server_session_answer(ss, r);
        return;
    }
    smtp_server_session_answer(ss, NULL);
}

static void dnsbl_gate_ask(DnsblLookup *l);

/* The listing's TXT answer: its first record, if any, is the reason. A
 * failed or empty TXT lookup still refuses, naming the list alone. */
static void
dnsbl_gate_on_txt(World *w, const DnsAnswer *answer, gpointer user_data)
{
    (void)w;
    DnsblLookup *l = user_data;
    DnsblGate *g = l->gate;
    const char *txt = NULL;
    for (guint i = 0; answer->rcode == DNS_RCODE_NOERROR && answer->records &&
                      i < answer->records->len && txt == NULL;
         i++) {
        const DnsRecord *d = answer->records->pdata[i];
        if (d->type == DNS_RR_TXT)
            txt = d->text;
    }
    g_autofree char *text = dnsbl_reject_text(l->ip, g->node->spec->dnsbl.lists[l->list], txt);
    dnsbl_gate_decide(g, l->ss, text);
    g_free(l->ip);
    g_free(l);
}

static void
dnsbl_gate_on_answer(World *w, const DnsAnswer *answer, gpointer user_data)
{
    DnsblLookup *l = user_data;
    DnsblGate *g = l->gate;
    const char *list = g->node->spec->dnsbl.lists[l->list];
    g_auto(GStrv) codes = NULL;
    DnsblVerdict v = dnsbl_classify(answer, &codes);
    SimTraceRec *tr = world_trace(w, "dnsbl.result", g->node->name);
    sim_trace_int(tr, "conn", (gint64)smtp_server_session_conn_id(l->ss));
    sim_trace_str(tr, "ip", l->ip);
    sim_trace_str(tr, "list", list);
    sim_trace_str(tr, "verdict", dnsbl_verdict_name(v));
    if (codes) {
        g_autofree char *joined = g_strjoinv(",", codes);
        sim_trace_str(tr, "codes", joined);
    }
    sim_trace_end(tr);
    if (v == DNSBL_LISTED) {
        g_autofree char *name = dnsbl_query_name(l->ip, list);
        world_resolve(w, g->node, name, DNS_RR_TXT, dnsbl_gate_on_txt, l);
        return;
    } else if (g->node->spec->dnsbl.lists[l->list + 1] != NULL) {
        l->list++;
        dnsbl_gate_ask(l);
        return;
    } else {
        dnsbl_gate_decide(g, l->ss, NULL);
    }
    g_free(l->ip);
    g_free(l);
}

static void
dnsbl_gate_ask(DnsblLookup *l)
{
    Node *node = l->gate->node;
    g_autofree char *name = dnsbl_query_name(l->ip, node->spec->dnsbl.lists[l->list]);
    world_resolve(node->world, node, name, DNS_RR_A, dnsbl_gate_on_answer, l);
}

static gboolean
dnsbl_gate_allowed(DnsblGate *g, const char *ip)
{
    guint32 a = 0;
    if (!sim_ipv4_parse(ip, &a))
        return FALSE;
    for (char **c = g->node->spec->dnsbl.allow; c && *c; c++)
        if (relay_policy_cidr_match(*c, a))
            return TRUE;
    return FALSE;
}

void
dnsbl_gate_on_connect(DnsblGate *g, SmtpServerSession *ss)
{
    const char *ip = smtp_server_session_client_ip(ss);
    if (g == NULL || dnsbl_gate_allowed(g, ip)) {
        smtp_server_session_answer(ss, NULL);
        return;
    }
    DnsblLookup *l = g_new0(DnsblLookup, 1);
    l->gate = g;
    l->ss = ss;
    l->ip = g_strdup(ip);
    dnsbl_gate_ask(l);
}

SmtpReply *
dnsbl_gate_check_rcpt(DnsblGate *g, SmtpServerSession *ss, gboolean role_account)
{
    if (g == NULL)
        return NULL;
    const char *text = dnsbl_gate_get(g, ss);
    if (text == NULL || text[0] == '\0')
        return NULL;
    if (role_account && g->node->spec->exempt_role_accounts) {
        SimTraceRec *tr = world_trace(g->node->world, "dnsbl.exempt", g->node->name);
        sim_trace_int(tr, "conn", (gint64)smtp_server_session_conn_id(ss));
        sim_trace_end(tr);
        return NULL;
    }
    return smtp_reply_new(DNSBL_REJECT_CODE, DNSBL_REJECT_ENHANCED, "%s", text);
}

void
dnsbl_gate_forget(DnsblGate *g, SmtpServerSession *ss)
{
    if (g == NULL)
        return;
    gint64 k = (gint64)smtp_server_session_conn_id(ss);
    g_hash_table_remove(g->verdicts, &k);
}
