/* SPDX-License-Identifier: MIT
 * world: a runnable MHS built from a WorldSpec (DESIGN 4, 5): the simulator,
 * the network with every node's host and links, the nodes of each role, the
 * scenario's events scheduled in virtual time, and the tracker that records
 * each message's journey. app/ builds one, runs it and reads the results.
 */
#ifndef NODES_WORLD_H
#define NODES_WORLD_H

#include <glib.h>

#include "nodes/expect.h"
#include "nodes/tracker.h"
#include "nodes/world_spec.h"
#include "sim/net.h"
#include "sim/trace.h"
#include "sim/world.h"

typedef struct World World;

#define NODE_ERROR (node_error_quark())
GQuark node_error_quark(void);
typedef enum {
    NODE_ERROR_SPEC = 1, /* the spec cannot be built (names a missing node...) */
} NodeError;

/* Builds the world. spec is borrowed and must outlive the world. trace
 * (transfer full, nullable) receives the run's records; seed_override is
 * used instead of the spec's seed when has_seed. */
World *world_new(const WorldSpec *spec, SimTrace *trace, gboolean has_seed, guint64 seed,
                 GError **error);
void world_free(World *w);

/* Runs until virtual time until (SIM_TIME_NEVER: until no event is left),
 * then lets every node note what it still holds. progress (nullable) is
 * called about every 65536 events. Returns the number of events run. */
typedef void (*WorldProgressFunc)(World *w, gpointer user_data);
guint64 world_run(World *w, SimTime until, WorldProgressFunc progress, gpointer user_data);

SimWorld *world_sim(World *w);
/* The network of hosts and streams (transfer none), e.g. to attach a
 * packet capture before world_run(). */
SimNet *world_net(World *w);
SimTime world_now(const World *w);
Tracker *world_tracker(World *w);
const WorldSpec *world_spec(const World *w);
/* The zone the run answers from: the spec's, plus the records published at
 * world build (DKIM keys). */
const DnsZone *world_zone(const World *w);
guint64 world_seed(const World *w);
/* Messages delivered into mailboxes so far. */
guint64 world_delivered(const World *w);

/* Receives every TLS session's secrets as NSS key log lines (SSLKEYLOGFILE
 * format, one line without newline per call), so that Wireshark can
 * decrypt a capture. Set before world_run(). */
typedef void (*WorldKeylogFunc)(const char *line, gpointer user_data);
void world_set_keylog(World *w, WorldKeylogFunc fn, gpointer user_data);

/* Checks every expectation of the spec (transfer full). */
GPtrArray *world_check_expectations(World *w);

/* Every delivered copy, sorted by message id then recipient (both lower
 * case); copy is the stored bytes (transfer none). FALSE with error when
 * a copy cannot be read back from the spool. nodes/world_copies.c */
typedef void (*WorldCopyFunc)(const char *msg_id, const char *rcpt, GBytes *copy,
                              gpointer user_data);
gboolean world_foreach_copy(World *w, WorldCopyFunc fn, gpointer user_data, GError **error);
/* The copy delivered to rcpt of msg_id (transfer full): read from the
 * run's spool. NULL without error when none was delivered; NULL with
 * error when it cannot be read. nodes/world_copies.c */
GBytes *world_copy_read(World *w, const char *msg_id, const char *rcpt, GError **error);

/* Lets the run forget the hops of its finished generated traffic (all
 * but the first keep_first messages and those the expectations name), so
 * that memory does not grow with the journeys of a long run. For callers
 * that read no other hops after the run (mhs run). nodes/world_forget.c */
void world_forget_finished_hops(World *w, guint keep_first);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(World, world_free)

#endif
