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

#endif
