/* SPDX-License-Identifier: MIT
 * tracker: every message of a run and its journey (DESIGN 4): the hops
 * {node, time in, time out, action, detail}, and each recipient's fate
 * (delivered, rejected with a code, bounced, queued). The diagrams, the
 * report, the expectations and the grader read this, never node internals.
 * Copies that travel between nodes are tied to their message through the
 * connection that carries them (the simulator knows which message a client
 * sends), never through headers a sender could forge.
 */
#ifndef NODES_TRACKER_H
#define NODES_TRACKER_H

#include <glib.h>

#include "sim/sim_time.h"

typedef enum {
    TRACK_STATUS_PENDING = 0, /* on its way */
    TRACK_STATUS_DELIVERED,   /* stored in a mailbox */
    TRACK_STATUS_REJECTED,    /* refused to the submitting client (it knows at once) */
    TRACK_STATUS_BOUNCED,     /* refused later: a DSN went back to the sender */
    TRACK_STATUS_QUEUED,      /* still in a queue when the run ended */
} TrackStatus;

/* node, detail and rcpts are the tracker's interned strings (shared by
 * every hop that names them, freed with the tracker): read them, never
 * free or replace them. action and queue_id belong to the hop. */
typedef struct {
    char *node;
    SimTime t_in;
    SimTime t_out;   /* -1 while the node still holds the message */
    char *action;    /* "submit", "accept", "relay", "deliver", "reject", "defer", "bounce" */
    char *detail;    /* nullable: protocol, reply, reason */
    char **rcpts;    /* recipients this hop carried (NULL-terminated) */
    char *queue_id;  /* nullable */
    gboolean tls_in; /* the copy reached this node over TLS (STARTTLS) */
} TrackHop;

/* address, where and mailbox_node are interned (as a hop's node). */
typedef struct {
    char *address;
    TrackStatus status;
    guint code;      /* the deciding reply code (0 when none) */
    char *reply;     /* nullable: the deciding reply text */
    char *where;     /* nullable: node that decided */
    SimTime at;
    char *mailbox_node; /* DELIVERED: the store */
} TrackRcpt;

/* A verdict a node recorded about a message ("spf" = "pass" at mx1). */
typedef struct {
    char *node;
    char *key;
    char *value;
} TrackNote;

typedef struct Tracker Tracker;

typedef struct {
    char *id;         /* scenario id ("m1"), or a derived one ("m1.dsn") */
    char *parent;     /* nullable: the message this one answers or reports on */
    char *kind;       /* "mail", "reply", "dsn", "traffic" */
    char *from;       /* header From address */
    char *envelope_from;
    char *subject;
    char *message_id; /* the Message-ID header as first written */
    GBytes *original; /* nullable: the bytes as first submitted, where a node keeps
                       * them; not for mail an mua composes (nothing reads them
                       * after the run: the stores hold what arrived) */
    SimTime created;
    GPtrArray *hops;  /* TrackHop* */
    GPtrArray *rcpts; /* TrackRcpt* */
    GPtrArray *notes; /* TrackNote*, in the order recorded */
    Tracker *tracker; /* the tracker holding it (and its interned strings) */
    guint index;      /* creation order, from 0 (tracker_messages) */
    gboolean compact; /* forgotten: its strings now belong to the tracker */
} TrackMsg;

Tracker *tracker_new(void);
void tracker_free(Tracker *t);

/* Registers a message (id must be new; asserted). (transfer none) */
TrackMsg *tracker_add(Tracker *t, const char *id, const char *kind, SimTime now);
TrackMsg *tracker_find(const Tracker *t, const char *id);
/* Messages in creation order (transfer none). */
const GPtrArray *tracker_messages(const Tracker *t);
/* A new id derived from base ("m1.dsn", "m1.dsn2", ...) (transfer full). */
char *tracker_derive_id(const Tracker *t, const char *base, const char *suffix);

TrackRcpt *track_msg_rcpt(TrackMsg *m, const char *address); /* adds if new */
/* Appends a hop (rcpts copied; nullable detail and queue_id). (transfer none) */
TrackHop *track_msg_add_hop(TrackMsg *m, const char *node, SimTime t_in, const char *action,
                            const char *detail, const char *const *rcpts, const char *queue_id);
/* The last hop at node still open (t_out -1), or NULL. */
TrackHop *track_msg_open_hop(TrackMsg *m, const char *node);
void track_msg_set_status(TrackMsg *m, const char *address, TrackStatus status, guint code,
                          const char *reply, const char *where, SimTime at);
/* Node names in hop order for one recipient (or all when rcpt is NULL),
 * consecutive repeats merged (transfer full, NULL-terminated). */
char **track_msg_path(const TrackMsg *m, const char *rcpt);

/* Records a verdict of node about m (a later note of the same node and key
 * replaces it). Strings are copied. */
void track_msg_note(TrackMsg *m, const char *node, const char *key, const char *value);
/* The value node recorded for key, or with node NULL the last recorded by
 * any node; NULL when none (transfer none). */
const char *track_msg_get_note(const TrackMsg *m, const char *node, const char *key);

const char *track_status_name(TrackStatus s);

/* Lets t forget the hops of generated messages (kind "traffic") once they
 * are finished, so that a long run does not keep every journey: all but
 * the first keep_first messages and those named in keep (nullable,
 * NULL-terminated ids). Only for runs whose readers need no more than
 * that (mhs run: the report's rows, the expectations); off by default. */
void tracker_forget_finished(Tracker *t, guint keep_first, const char *const *keep);
/* Forgets m's hops (leaving none) when t allows it and m is finished:
 * every recipient decided (not pending, not queued) and no hop open.
 * Hops added later (a fetch) are kept as usual. TRUE when forgotten.
 * A forgotten message's strings (id, kind, from, envelope_from, subject,
 * message_id, parent, replies) move into the tracker (compact): read
 * them, never free or replace them (track_msg_set_status still may). */
gboolean track_msg_forget_if_finished(TrackMsg *m);

/* Connection tags: which message a client connection carries. */
void tracker_tag_conn(Tracker *t, guint64 conn_id, const char *msg_id);
const char *tracker_conn_tag(const Tracker *t, guint64 conn_id);
void tracker_untag_conn(Tracker *t, guint64 conn_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Tracker, tracker_free)

#endif
