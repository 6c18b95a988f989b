/* SPDX-License-Identifier: MIT
 * bridge_service: the services `mhs serve --listen HOST:PORT=NODE:SERVICE`
 * can reach, with each node's port for it and the line a client over the
 * connection cap reads (RFC 5321 3.8 / 4.2.3 421 for SMTP, RFC 6409 for
 * submission, RFC 2449 8 [SYS/TEMP] for POP3). Append a row for another.
 */
#include "app/bridge.h"

#include <string.h>

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

static const BridgeService bridge_services[] = {
    {"submission",
     bridge_service_submission_port,
     {SPEC_ROLE_MSA},
     "421 4.7.0 Too many connections, try again later\r\n"},
    {"smtp",
     bridge_service_smtp_port,
     {SPEC_ROLE_MTA, SPEC_ROLE_GATEWAY},
     "421 4.7.0 Too many connections, try again later\r\n"},
    {"pop3",
     bridge_service_pop3_port,
     {SPEC_ROLE_MS},
     "-ERR [SYS/TEMP] Too many connections, try again later\r\n"},
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
