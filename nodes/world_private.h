/* SPDX-License-Identifier: MIT
 * world_private: what the role files share inside nodes/: the World
 * structure, tracing shortcuts, the resolver, and each role's entry points
 * for scenario events. Not for app/.
 */
#ifndef NODES_WORLD_PRIVATE_H
#define NODES_WORLD_PRIVATE_H

#include <glib.h>

#include "nodes/mail_spool.h"
#include "nodes/node.h"
#include "nodes/tracker.h"
#include "nodes/world.h"
#include "proto/dns_zone.h"
#include "sim/net.h"
#include "sim/trace.h"
#include "sim/world.h"

struct World {
    const WorldSpec *spec;
    DnsZone *zone;     /* the run's copy of spec->zone, plus the DKIM keys it publishes */
    SimWorld *sim;
    SimNet *net;
    SimTrace *trace; /* borrowed from sim */
    GPtrArray *nodes;  /* Node* owned, spec order */
    GHashTable *by_name; /* name -> Node* */
    Tracker *tracker;
    WorldKeylogFunc keylog; /* nullable: NSS key log lines (world_set_keylog) */
    gpointer keylog_data;
    Node *dns;         /* nullable: the first dns node */
    guint64 seed;
    guint64 delivered;
    GHashTable *copies; /* the delivered copies by "msgid\nrcpt" (world_copies.c) */
    struct MailSpool *spool; /* nullable until a store keeps a copy (world_copies.c) */
    GHashTable *dns_cache; /* "asker\ttype\tname" -> DnsCacheEntry* */
    GHashTable *pop3_tags; /* nullable: conn id -> (uid -> msg id), pop3_session.c */
    struct WorldTls *tls;  /* the scenario CA and TLS contexts (tls_setup.c) */
    GPtrArray *relay_results; /* nullable: relay-test battery results (relay_test.c) */
    struct CopyLedger *copy_ledger; /* nullable: who holds copies (copies.c) */
    struct WorldSmime *smime; /* nullable: users' S/MIME certificates (smime_setup.c) */
    GPtrArray *tap_seen;      /* nullable: what the taps read (tap_seen.c) */
    GHashTable *session_timeouts; /* nullable: conn id -> server session (session_timeout.c) */
    struct SessionStream *sessions; /* live sessions, linked (session_stream.c) */
    GHashTable *held; /* nullable: job -> GDestroyNotify (world_jobs.c) */
    GPtrArray *idle_smtp_servers; /* nullable: engines of ended sessions (smtp_session.c) */
    GPtrArray *idle_smtp_clients; /* nullable: likewise for clients */
    GPtrArray *idle_smtp_blocks;  /* nullable: the sessions' own structs, likewise */
};

Node *world_node(const World *w, const char *name);
/* Unix seconds of virtual time now (for Date and Received). */
gint64 world_unix_now(const World *w);

/* Trace shortcut: NULL when tracing is off. */
static inline SimTraceRec *
world_trace(World *w, const char *ev, const char *node)
{
    return sim_trace_begin(w->trace, sim_world_now(w->sim), ev, node);
}
static inline gboolean
world_tracing(const World *w)
{
    return sim_trace_enabled(w->trace);
}

/* Role work in flight across sessions and events (a relay-test battery,
 * a spam send waiting for DNS, a webmail request waiting for its
 * submission): held while it runs, freed with destroy by world_free()
 * when the run stops first (world_jobs.c). Never trace from destroy. */
void world_hold(World *w, gpointer job, GDestroyNotify destroy);
/* The job is over: the world forgets it (the caller frees it). */
void world_release(World *w, gpointer job);
/* Frees every job still held (world_free, after the sessions). */
void world_free_held(World *w);

/* Records where the copy stored for a recipient is (for header
 * expectations and exports). nodes/world_copies.c */
void world_note_copy(World *w, const char *msg_id, const char *rcpt, const MailSpoolRef *ref);
/* The run's mail spool, created on first use; NULL with error when it
 * cannot be created. nodes/world_copies.c */
MailSpool *world_spool(World *w, GError **error);
/* An empty table of delivered copies (w->copies). */
GHashTable *world_copies_table_new(void);

/* DNS through the scenario's dns node (virtual-time round trip, traced);
 * answers straight from the zone after no delay when there is no dns node. */
typedef void (*WorldDnsFunc)(World *w, const DnsAnswer *answer, gpointer user_data);
void world_resolve(World *w, Node *asker, const char *name, DnsRrType type, WorldDnsFunc fn,
                   gpointer user_data);
/* Frees a resolver cache entry (the dns_cache's value destroy notify). */
void dns_cache_entry_free(gpointer p);
/* Answers a query at the dns node (dns_node.c). */
void dns_node_answer(Node *dns, const char *name, DnsRrType type, DnsAnswer *answer);
SimTime dns_node_latency(const Node *dns);

/* Scenario events per role. */
void mua_node_send(Node *mua, const SendSpec *send);
void mua_node_reply(Node *mua, const ReplySpec *reply);
void mua_node_fetch(Node *mua, const FetchSpec *fetch);
void browser_node_send(Node *browser, const SendSpec *send);
void browser_node_read(Node *browser, const FetchSpec *fetch);

/* Delivery into a store: TRUE if address has a mailbox on ms. */
gboolean ms_node_has_mailbox(Node *ms, const char *address);

#endif
