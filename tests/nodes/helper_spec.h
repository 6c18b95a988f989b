/* SPDX-License-Identifier: MIT
 * helper_spec: building a WorldSpec in code for the nodes/ tests, the way
 * the scenario loader would from YAML.
 */
#ifndef TESTS_NODES_HELPER_SPEC_H
#define TESTS_NODES_HELPER_SPEC_H

#include "nodes/world_spec.h"

/* Appends a node of role named name to spec; ips is one address or a
 * comma-separated list. The spec owns the node. */
NodeSpec *test_spec_add_node(WorldSpec *spec, SpecRole role, const char *name, const char *ips);

/* A store "ms" (192.0.2.3) for example.com and bob's client "bob-pc"
 * (192.0.2.10, msa "msa") fetching from it as user with password secret,
 * listed in users too. Returns the store's spec. */
NodeSpec *test_spec_add_pop3_pair(WorldSpec *spec, const char *user, const char *secret);

/* "node/kind/where" of every copy of msg held, space-separated, in the
 * order world_copies_held() gives (transfer full). Needs nodes/world.h. */
struct World;
char *test_copies_describe(struct World *w, const char *msg);

#endif
