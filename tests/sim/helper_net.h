/* SPDX-License-Identifier: MIT
 * Test helper for sim/net: two hosts a (10.0.0.1) and b (10.0.0.2) on one
 * link, a listener on b, and recording peers.
 */
#ifndef TESTS_SIM_HELPER_NET_H
#define TESTS_SIM_HELPER_NET_H

#include <glib.h>

#include "sim/net.h"
#include "sim/world.h"

typedef struct TEnv TEnv;
typedef struct TPeer TPeer;

struct TPeer {
    TEnv *env;
    const char *name;
    SimStream *s;
    GString *log;      /* shared with the env */
    GString *received; /* every byte received */
    gboolean close_on_eof;
    void (*on_connected)(TPeer *p);
    void (*on_data)(TPeer *p, GBytes *data);
};

struct TEnv {
    SimWorld *world;
    SimNet *net;
    SimHost *a, *b;
    SimLink *link;
    SimListener *listener;
    GString *log;
    TPeer client, server;
};

extern const SimStreamHandler tpeer_handler;

void tenv_init(TEnv *env, guint64 seed, SimTime latency, guint64 bandwidth, SimTime jitter);
void tenv_listen(TEnv *env, guint16 port);
/* Connects a's client peer to 10.0.0.2:port. */
void tenv_connect(TEnv *env, guint16 port);
void tenv_clear(TEnv *env);

#endif
