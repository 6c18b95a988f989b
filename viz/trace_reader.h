/* SPDX-License-Identifier: MIT
 * trace_reader: a run's trace (JSON Lines file or in-memory records) read
 * into the small model the diagrams draw: the nodes seen (with a role),
 * each message's ordered hops and each SMTP session's timed commands and
 * replies. It reads only trace records (DESIGN 6), never node internals;
 * roles come from a `node.info` record ("role") when there is one, else
 * are inferred (who submits is a mua, the submit's "msa" an msa, who
 * delivers an ms, who answers DNS a dns, who accepts mail an mta).
 */
#ifndef VIZ_TRACE_READER_H
#define VIZ_TRACE_READER_H

#include <glib.h>

#include "sim/trace.h"

#define VIZ_ERROR (viz_error_quark())
GQuark viz_error_quark(void);

typedef enum {
    VIZ_ERROR_IO = 1,    /* a file could not be read or written */
    VIZ_ERROR_PARSE,     /* a trace line is not a trace record */
    VIZ_ERROR_NOT_FOUND, /* no such message or session in the trace */
    VIZ_ERROR_FORMAT,    /* unknown output format */
    VIZ_ERROR_RENDER,    /* Graphviz failed */
} VizErrorCode;

typedef enum {
    VIZ_ROLE_UNKNOWN = 0,
    VIZ_ROLE_MUA,
    VIZ_ROLE_MSA,
    VIZ_ROLE_MTA,
    VIZ_ROLE_MS,
    VIZ_ROLE_DNS,
    VIZ_ROLE_OTHER, /* named by node.info but not one of the above */
    VIZ_ROLE_SPAMMER, /* node.info role "spammer" */
} VizRole;

typedef struct {
    char *name;
    VizRole role;
    gboolean role_explicit; /* from a node.info record */
} VizNode;

typedef enum {
    VIZ_HOP_SUBMIT = 0, /* composed and handed on at node (no from) */
    VIZ_HOP_ACCEPT,     /* from handed it to node, which queued it */
    VIZ_HOP_DELIVER,    /* from handed it to node, which stored it */
    VIZ_HOP_REJECT,     /* node refused it (a recipient) from from */
    VIZ_HOP_FAIL,       /* from could not connect to node */
    VIZ_HOP_DEFER,      /* node kept it queued for a retry (no from) */
    VIZ_HOP_BOUNCE,     /* node gave up on a recipient, sent a DSN */
} VizHopAction;

typedef struct {
    SimTime t;
    VizHopAction action;
    char *node;   /* where it happened */
    char *from;   /* (nullable) the node that sent it to node */
    char *detail; /* rcpt, reply or reason; never NULL ("" if none) */
    char *proto;  /* "ESMTP", "SMTP", "LMTP" or "" */
    gint64 conn;  /* connection that carried it, -1 if unknown */
} VizHop;

typedef struct {
    char *id;
    char *about;     /* (nullable) for a DSN: the message it reports on */
    GPtrArray *hops; /* VizHop, in trace order */
} VizMessage;

typedef enum {
    VIZ_LINE_OPEN = 0, /* connection established (conn.accept) */
    VIZ_LINE_CMD,      /* client -> server: text is the command line */
    VIZ_LINE_REPLY,    /* server -> client: code and text */
    VIZ_LINE_CLOSE,    /* text: which side closed */
} VizLineKind;

typedef struct {
    SimTime t;
    VizLineKind kind;
    gint code;
    char *text;
} VizLine;

typedef struct {
    gint64 conn;
    char *client;
    char *server; /* (nullable) until known */
    gint port;
    char *msg;        /* (nullable) the message the client opened it for */
    GPtrArray *lines; /* VizLine, in time order */
    char *proto;      /* (nullable) "HTTP" or "HTTPS" from http.* records; NULL: SMTP */
} VizSession;

/* One spam.verdict record: where a campaign message stopped, and why.
 * Strings are never NULL ("" when the record had no such field). */
typedef struct {
    char *msg;
    char *campaign;
    char *spammer;
    char *rcpt;
    char *verdict;     /* delivered, rejected, bounced, queued */
    char *node;        /* where it stopped */
    gint code;         /* the deciding reply code, 0 if none */
    char *reason;      /* the deciding reply text or local reason */
    char *stage;       /* CONNECT, EHLO, MAIL, RCPT, DATA, DOT, ROUTE, or "" */
    char **path;       /* nodes it went through, in order (NULL-terminated) */
    char *dsn_to;      /* a bounce: the DSN's recipient (the envelope sender) */
    char *dsn_node;    /* a bounce: where the DSN stopped */
    char *dsn_verdict; /* a bounce: the DSN's own verdict */
} VizVerdict;

typedef struct VizTrace VizTrace;

/* Reads a JSON Lines trace. Blank lines are skipped. NULL with
 * VIZ_ERROR_IO or VIZ_ERROR_PARSE ("FILE:LINE: ...") on failure.
 * (transfer full) */
VizTrace *viz_trace_load_file(const char *path, GError **error);
/* The same model from a trace's kept records (sim_trace_keep_records()).
 * Records are read, not kept. (transfer full) */
VizTrace *viz_trace_new_from_sim(const SimTrace *trace);
/* From an array of n borrowed records, in trace order. (transfer full) */
VizTrace *viz_trace_new_from_records(const SimTraceRec *const *recs, guint n);
void viz_trace_free(VizTrace *vt);
/* The records of a JSON Lines trace, kept in a trace with no other sink
 * (sim_trace_n_records()). NULL with VIZ_ERROR_IO or VIZ_ERROR_PARSE
 * ("FILE:LINE: ..."), as viz_trace_load_file(). (transfer full) */
SimTrace *viz_trace_load_records(const char *path, GError **error);

/* Nodes in order of first appearance. (transfer none) */
guint viz_trace_n_nodes(const VizTrace *vt);
const VizNode *viz_trace_node(const VizTrace *vt, guint i);
const VizNode *viz_trace_find_node(const VizTrace *vt, const char *name); /* nullable */

/* Messages in order of first appearance. (transfer none) */
guint viz_trace_n_messages(const VizTrace *vt);
const VizMessage *viz_trace_message(const VizTrace *vt, guint i);
const VizMessage *viz_trace_find_message(const VizTrace *vt, const char *id); /* nullable */

/* SMTP sessions in order of connection. (transfer none) */
guint viz_trace_n_sessions(const VizTrace *vt);
const VizSession *viz_trace_session(const VizTrace *vt, guint i);
const VizSession *viz_trace_find_session(const VizTrace *vt, gint64 conn); /* nullable */

/* spam.verdict records in trace order. (transfer none) */
guint viz_trace_n_verdicts(const VizTrace *vt);
const VizVerdict *viz_trace_verdict(const VizTrace *vt, guint i);
/* "mua", "msa", ... "unknown". */
const char *viz_role_name(VizRole role);
/* "submit", "accept", ... */
const char *viz_hop_action_name(VizHopAction action);
/* Number of hops of m that are drawn as an edge (have a from). */
guint viz_message_n_edges(const VizMessage *m);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VizTrace, viz_trace_free)

#endif
