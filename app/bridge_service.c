/* SPDX-License-Identifier: MIT
 * bridge_service: the services `mhs serve --listen HOST:PORT=NODE:SERVICE`
 * can reach, with each node's port for it and the line a client over the
 * connection cap reads (RFC 5321 3.8 / 4.2.3 421 for SMTP, RFC 6409 for
 * submission, RFC 2449 8 [SYS/TEMP] for POP3, RFC 9110 15.6.4 503 for
 * HTTP; none for HTTPS, whose client speaks TLS first). A webmail node
 * serves either http or https (its `https` key), never both. Append a row
 * for another.
 */
#include "app/bridge.h"

#include <string.h>

#include "nodes/webmail_node.h"

static guint16
bridge_service_submission_port(const NodeSpec *n)
{
    return n->submission_port ? n->submission_port : 587; /* RFC 6409 3.1 */
}

static guint16
bridge_service_smtp_port(const NodeSpec *n)
{
    return n->smtp_port ? n->smtp_port : 25;
}

static guint16
bridge_service_pop3_port(const NodeSpec *n)
{
    return n->pop3_port ? n->pop3_port : 110; /* RFC 1939 3 */
}

static guint16
bridge_service_web_port(const NodeSpec *n)
{
    return webmail_node_port(n); /* http_port, else 80 or 443 */
}

/* What each role listens on (nodes/relay_node.c, ms_node.c): an msa on
 * its submission port only; an mta or gateway on smtp; a store on smtp
 * (deliveries) and pop3. */
static gboolean
bridge_service_is_submission(const NodeSpec *n)
{
    return n->role == SPEC_ROLE_MSA;
}

static gboolean
bridge_service_is_smtp(const NodeSpec *n)
{
    return n->role == SPEC_ROLE_MTA || n->role == SPEC_ROLE_GATEWAY || n->role == SPEC_ROLE_MS;
}

static gboolean
bridge_service_is_pop3(const NodeSpec *n)
{
    return n->role == SPEC_ROLE_MS;
}

static gboolean
bridge_service_is_http(const NodeSpec *n)
{
    return n->role == SPEC_ROLE_WEBMAIL && !n->https;
}

static gboolean
bridge_service_is_https(const NodeSpec *n)
{
    return n->role == SPEC_ROLE_WEBMAIL && n->https;
}

static const BridgeService bridge_services[] = {
    {"submission",
     bridge_service_submission_port,
     {SPEC_ROLE_MSA},
     "421 4.7.0 Too many connections, try again later\r\n",
     bridge_service_is_submission},
    {"smtp",
     bridge_service_smtp_port,
     {SPEC_ROLE_MTA, SPEC_ROLE_GATEWAY},
     "421 4.7.0 Too many connections, try again later\r\n",
     bridge_service_is_smtp},
    {"pop3",
     bridge_service_pop3_port,
     {SPEC_ROLE_MS},
     "-ERR [SYS/TEMP] Too many connections, try again later\r\n",
     bridge_service_is_pop3},
    {"http",
     bridge_service_web_port,
     {SPEC_ROLE_WEBMAIL},
     "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
     "Connection: close\r\n\r\n",
     bridge_service_is_http},
    {"https", bridge_service_web_port, {SPEC_ROLE_WEBMAIL}, NULL, bridge_service_is_https},
};

const BridgeService *
bridge_service_find(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(bridge_services); i++)
        if (g_ascii_strcasecmp(bridge_services[i].name, name) == 0)
            return &bridge_services[i];
    return NULL;
}

const BridgeService *
bridge_service_for_role(SpecRole role)
{
    for (gsize i = 0; i < G_N_ELEMENTS(bridge_services); i++)
        for (gsize k = 0; k < G_N_ELEMENTS(bridge_services[i].roles); k++)
            if (bridge_services[i].roles[k] == role && role != SPEC_ROLE_NONE)
                return &bridge_services[i];
    return NULL;
}

gboolean
bridge_service_offered(const BridgeService *svc, const NodeSpec *node)
{
    g_return_val_if_fail(svc != NULL && node != NULL, FALSE);
    return svc->offered == NULL || svc->offered(node);
}

const BridgeService *
bridge_service_for_node(const NodeSpec *node)
{
    g_return_val_if_fail(node != NULL, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(bridge_services); i++)
        for (gsize k = 0; k < G_N_ELEMENTS(bridge_services[i].roles); k++)
            if (bridge_services[i].roles[k] == node->role && node->role != SPEC_ROLE_NONE &&
                bridge_service_offered(&bridge_services[i], node))
                return &bridge_services[i];
    return NULL;
}

guint
bridge_services_of_node(const NodeSpec *node, const BridgeService **out, guint max)
{
    g_return_val_if_fail(node != NULL && (out != NULL || max == 0), 0);
    guint n = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(bridge_services); i++)
        if (bridge_service_offered(&bridge_services[i], node) && n < max)
            out[n++] = &bridge_services[i];
    return n;
}

const char *
bridge_service_names(void)
{
    static char names[128];
    if (names[0] == '\0') {
        for (gsize i = 0; i < G_N_ELEMENTS(bridge_services); i++) {
            if (i > 0)
                g_strlcat(names, ", ", sizeof names);
            g_strlcat(names, bridge_services[i].name, sizeof names);
        }
    }
    return names;
}
