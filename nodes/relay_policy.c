/* SPDX-License-Identifier: MIT
 * relay_policy: permit_mynetworks, permit_sasl_authenticated and
 * reject_unauth_destination (Postfix postconf(5)); RFC 5321 3.6.2 (a relay
 * needs the right to relay), RFC 5321 4.2.5/Postfix: 554 5.7.1.
 */
#include "nodes/relay_policy.h"

#include <string.h>

#include "nodes/world_private.h"

struct RelayPolicy {
    Node *node;
    GPtrArray *networks; /* char* CIDR */
};

RelayPolicy *
relay_policy_new(Node *node)
{
    RelayPolicy *p = g_new0(RelayPolicy, 1);
    p->node = node;
    p->networks = g_ptr_array_new_with_free_func(g_free);
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
    g_free(p);
}

gboolean
relay_policy_cidr_match(const char *cidr, guint32 ipv4)
{
    g_auto(GStrv) parts = g_strsplit(cidr, "/", 2);
    guint32 net;
    if (!sim_ipv4_parse(parts[0], &net))
        return FALSE;
    guint bits = parts[1] ? (guint)g_ascii_strtoull(parts[1], NULL, 10) : 32;
    if (bits > 32)
        return FALSE;
    guint32 mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (net & mask) == (ipv4 & mask);
}

static gboolean
relay_policy_domain_in(const char *domain, char *const *list)
{
    for (char *const *p = list; p && *p; p++)
        if (g_ascii_strcasecmp(*p, domain) == 0 || strcmp(*p, "*") == 0)
            return TRUE;
    return FALSE;
}

SmtpReply *
relay_policy_check_rcpt(RelayPolicy *p, SmtpServerSession *ss, const SmtpServerQuery *q)
{
    const NodeSpec *spec = p->node->spec;
    const char *at = strrchr(q->addr, '@');
    const char *domain = at ? at + 1 : "";
    if (spec->role == SPEC_ROLE_MSA || spec->relay.open_relay)
        return NULL;
    if (relay_policy_domain_in(domain, spec->local_domains) ||
        relay_policy_domain_in(domain, spec->relay.domains))
        return NULL; /* mail for us: from anyone */
    if (q->is_authenticated)
        return NULL; /* permit_sasl_authenticated */
    guint32 ip = 0;
    sim_ipv4_parse(smtp_server_session_client_ip(ss), &ip);
    for (guint i = 0; i < p->networks->len; i++)
        if (relay_policy_cidr_match(p->networks->pdata[i], ip))
            return NULL; /* permit_mynetworks */
    /* reject_unauth_destination, Postfix's words and code. */
    return smtp_reply_new(554, "5.7.1", "<%s>: Relay access denied", q->addr);
}
