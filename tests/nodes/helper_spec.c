/* SPDX-License-Identifier: MIT
 * helper_spec: WorldSpec building for the nodes/ tests.
 */
#include "helper_spec.h"

NodeSpec *
test_spec_add_node(WorldSpec *spec, SpecRole role, const char *name, const char *ips)
{
    NodeSpec *n = node_spec_new(role);
    n->name = g_strdup(name);
    g_strfreev(n->ips);
    n->ips = g_strsplit(ips, ",", -1);
    g_ptr_array_add(spec->nodes, n);
    return n;
}
