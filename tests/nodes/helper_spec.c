/* SPDX-License-Identifier: MIT
 * helper_spec: WorldSpec building for the nodes/ tests.
 */
#include "helper_spec.h"

#include "nodes/copies.h"
#include "nodes/world.h"

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

NodeSpec *
test_spec_add_pop3_pair(WorldSpec *spec, const char *user, const char *secret)
{
    NodeSpec *ms = test_spec_add_node(spec, SPEC_ROLE_MS, "ms", "192.0.2.3");
    g_strfreev(ms->domains);
    ms->domains = g_strsplit("example.com", ",", -1);
    NodeSpec *pc = test_spec_add_node(spec, SPEC_ROLE_MUA, "bob-pc", "192.0.2.10");
    pc->user = g_strdup(user);
    pc->msa = g_strdup("msa");
    pc->ms = g_strdup("ms");
    UserSpec *u = user_spec_new();
    u->address = g_strdup(user);
    u->password = g_strdup(secret);
    g_ptr_array_add(spec->users, u);
    return ms;
}

char *
test_copies_describe(World *w, const char *msg)
{
    g_autoptr(GPtrArray) held = world_copies_held(w, msg);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < held->len; i++) {
        const CopyHeld *h = held->pdata[i];
        g_string_append_printf(s, "%s%s/%s/%s", i ? " " : "", h->node, copy_kind_name(h->kind),
                               h->where);
    }
    return g_string_free(s, FALSE);
}
