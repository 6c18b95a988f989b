/* SPDX-License-Identifier: MIT
 * relay_test: the scenario events that play a tester's or a spammer's
 * SMTP client: `relay_test` runs the 45-test open-relay battery
 * (proto/relay_tests.h) against a node, one connection per test, and
 * records each verdict (trace `relay.test`); `raw_send` writes one
 * transaction byte for byte (SMTP smuggling, address tricks). The
 * `relay_tests` expectation reads the battery's results and, for tests a
 * server accepted, where the test message went.
 */
#ifndef NODES_RELAY_TEST_H
#define NODES_RELAY_TEST_H

#include <glib.h>

#include "nodes/expect.h"
#include "nodes/world.h"

/* Starts the battery now (scenario event). */
void relay_test_run(World *w, const RelayTestSpec *spec);
/* Sends one raw transaction now (scenario event). */
void relay_test_raw_send(World *w, const RawSendSpec *spec);
/* Checks a `relay_tests` expectation (transfer full). */
ExpectResult *relay_test_check(World *w, const ExpectSpec *e);
/* Frees the world's battery results (world_free). */
void relay_test_results_free(GPtrArray *results);

#endif
