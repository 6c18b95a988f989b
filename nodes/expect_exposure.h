/* SPDX-License-Identifier: MIT
 * expect_exposure: the scenario expectation {message: m1, exposure: tls,
 * party: mx.example.com, read: true, alter: false}: what the message's
 * exposure table (nodes/exposure.h) says of one party under one case.
 */
#ifndef NODES_EXPECT_EXPOSURE_H
#define NODES_EXPECT_EXPOSURE_H

#include "nodes/expect.h"
#include "nodes/world.h"

/* Checks a SPEC_EXPECT_EXPOSURE expectation after the run (transfer full). */
ExpectResult *expect_exposure_check(World *w, const ExpectSpec *e);

#endif
