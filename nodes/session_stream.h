/* SPDX-License-Identifier: MIT
 * session_stream: the stream half of every session (DESIGN 4 "sessions glue
 * a stream to an engine once, in one place"). A SessionStream is embedded
 * in each SMTP, POP3, HTTP and probe session; it owns the SimStream end,
 * the TlsPipe once TLS is on (RFC 3207 STARTTLS, RFC 2595 STLS, RFC 2818
 * HTTPS), the conn.* and tls.handshake records, the server lifecycle
 * (a query may be owed after the stream died) and the world's list of
 * live sessions, which world_free() empties (a run stopped by --until
 * leaves sessions mid-dialogue). The kind fills a SessionStreamOps table
 * with its protocol: what to do with plaintext, EOF, a failure, and how
 * to run its engine. It never parses bytes itself.
 */
#ifndef NODES_SESSION_STREAM_H
#define NODES_SESSION_STREAM_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/tls_pipe.h"
#include "sim/net.h"

typedef struct SessionStream SessionStream;

/* What a session kind does; st is the SessionStream embedded in it. Every
 * hook runs from a stream event, never inside the call that caused it. */
typedef struct {
    /* Plaintext from the peer (after TLS when it is on): feed the engine. */
    void (*on_bytes)(SessionStream *st, const guint8 *p, gsize len);
    /* The peer sent FIN: tell the engine. */
    void (*on_eof)(SessionStream *st);
    /* Client: the connection failed (why: "connection refused", "timed
     * out", "reset"...), conn.fail is traced and the stream reset; abort
     * the engine. Server: the peer reset the stream; end the session. The
     * pump runs after it on the client side only. */
    void (*on_fail)(SessionStream *st, const char *why);
    /* Runs the engine's actions (may free the session). */
    void (*pump)(SessionStream *st);
    /* The TLS handshake is done: switch the engine (nullable). Returns the
     * plaintext octets it dropped at the switch (RFC 3207 4.2), added to
     * the tls.handshake record written right after. */
    gsize (*tls_switch)(SessionStream *st);
    /* After the tls.handshake record (nullable): FALSE when the session
     * gives up on this peer (a client whose certificate check failed);
     * the pump then runs and no plaintext is read. */
    gboolean (*tls_accept)(SessionStream *st);
    /* The handshake failed (tls.handshake traced already). The hook does
     * all that follows: end the session, or abort the engine and pump. */
    void (*on_tls_fail)(SessionStream *st);
    /* TLS broke after the handshake (nullable = go on and pump). */
    void (*on_tls_lost)(SessionStream *st);
    /* Server: the session ended (conn.close traced, stream closed). */
    void (*on_end)(SessionStream *st);
    /* Frees the whole session without any callback or trace record: the
     * normal end of a session and the world's teardown both call it. */
    void (*free)(SessionStream *st);
} SessionStreamOps;

struct SessionStream {
    const SessionStreamOps *ops;
    Node *node;
    SimStream *stream; /* NULL once closed or reset */
    guint64 conn_id;   /* the same at both ends */
    gboolean is_server;
    char *peer;                 /* the other end's node name, or its address */
    char client_ip[16];         /* server: the client's address */
    const char *client_node;    /* server: its host name, NULL if unknown */
    TlsPipe *tls;               /* once TLS is on: ciphertext on the stream */
    gboolean tls_up;            /* handshake done and traced */
    gsize tls_discarded;        /* plaintext dropped at the switch */
    gboolean pumping;           /* inside the kind's pump */
    gboolean pending;           /* server: an answer is owed to the engine */
    gboolean dead;              /* server: ended; freed once no answer is owed */
    SessionStream *prev, *next; /* the world's live sessions (no allocation:
                                 * what a teardown misses stays a leak) */
    gboolean listed;
    gboolean dropped;            /* freed by the world's teardown */
    gpointer owned; /* nullable: the role's data the session owns */
    GDestroyNotify owned_free;
};

/* Client: connects st's node to ip:port and traces conn.open (msg_id
 * nullable). peer_name nullable: ip. */
void session_stream_connect(SessionStream *st, const SessionStreamOps *ops, Node *node,
                            const char *ip, guint16 port, const char *peer_name,
                            const char *msg_id);
/* Server: takes over an accepted stream (transfer full) and traces
 * conn.accept. */
void session_stream_accept(SessionStream *st, const SessionStreamOps *ops, Node *node,
                           SimStream *stream);

/* Bytes to the peer (transfer none), through TLS once it is on; dropped
 * once the stream is gone. */
void session_stream_send(SessionStream *st, GBytes *bytes);
/* Starts TLS now: a client sends its ClientHello (RFC 6066 3, RFC 6125:
 * SNI and the name verified are st->peer); a server waits for it;
 * discarded counts plaintext the engine dropped at the switch. */
void session_stream_start_tls_client(SessionStream *st, TlsContext *ctx, gsize discarded);
void session_stream_start_tls_server(SessionStream *st, TlsContext *ctx, gsize discarded);
/* tls.handshake of st (session_tls_trace). */
void session_stream_trace_tls(SessionStream *st);
/* Client: traces conn.fail, resets the stream, calls on_fail, then the pump. */
void session_stream_fail(SessionStream *st, const char *why);
/* Sends close_notify when TLS is up and closes the stream (FIN); a no-op
 * once the stream is gone. No trace record. */
void session_stream_close(SessionStream *st);
/* Closes the stream (FIN) without close_notify: a client whose
 * handshake failed. A no-op once the stream is gone. */
void session_stream_close_plain(SessionStream *st);

/* Server lifecycle (pump_begin also guards a client's pump). pump_begin:
 * FALSE when a pump already runs. pump_end: closing ends the session;
 * else a dead session owing nothing is freed. end: once; conn.close,
 * close, on_end, free when nothing is owed. The kind sets pending when
 * its engine asks the policy. answer_begin: the owed answer came; FALSE
 * when the session is dead (it is freed then) and the engine must not be
 * told. */
gboolean session_stream_pump_begin(SessionStream *st);
void session_stream_pump_end(SessionStream *st, gboolean closing);
void session_stream_end(SessionStream *st);
gboolean session_stream_answer_begin(SessionStream *st);

/* The session owns data from now on: destroy frees it with the session,
 * whether the session ended or the world was torn down first. */
void session_stream_own(SessionStream *st, gpointer data, GDestroyNotify destroy);
/* Releases what st holds (the TlsPipe, the peer name, the world's entry,
 * the owned data); the kind's free calls it last. */
void session_stream_clear(SessionStream *st);
/* Frees every live session of w without callbacks or trace records
 * (world teardown, before the net frees the streams themselves). */
void session_stream_free_all(World *w);

#endif
