/* SPDX-License-Identifier: MIT
 * report-private: the report's indexes of the records and the helpers the
 * section writers (report_*.c) share.
 */
#ifndef VIZ_REPORT_PRIVATE_H
#define VIZ_REPORT_PRIVATE_H

#include "viz/report.h"
#include "viz/trace_reader.h"

typedef struct {
    const SimTraceRec *const *recs; /* borrowed, trace order */
    guint n;
    VizTrace *vt;        /* the diagram model of the same records */
    GString *out;        /* the document */
    GPtrArray *kinds;    /* char * (borrowed from records), first appearance */
    GHashTable *by_kind; /* kind -> GPtrArray of records */
    GHashTable *by_msg;  /* msg id -> GPtrArray of records with that "msg" */
    GHashTable *by_conn; /* gint64 conn -> GPtrArray of records with that "conn" */
    GArray *conns;       /* gint64, first appearance */
    guint figures;       /* inline SVGs so far: their id prefix */
    GPtrArray *messages; /* const VizMessage *: the model\'s, then stubs */
    GPtrArray *stubs;    /* VizMessage (owned, no hops): only run.message names them */
} VizReport;

/* Records of kind, or of message id, or of connection conn; NULL when
 * none. (transfer none) */
GPtrArray *viz_report_kind(const VizReport *rep, const char *kind);
GPtrArray *viz_report_msg(const VizReport *rep, const char *id);
GPtrArray *viz_report_conn(const VizReport *rep, gint64 conn);
/* The first record of kind whose key equals value, or NULL. */
const SimTraceRec *viz_report_find(const VizReport *rep, const char *kind, const char *key,
                                   const char *value);

/* --- HTML output (report_html.c) --- */
/* Appends s escaped (NULL: nothing). */
void viz_report_text(VizReport *rep, const char *s);
/* Appends the printf result escaped. */
void viz_report_textf(VizReport *rep, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Appends raw markup (never trace text). */
void viz_report_raw(VizReport *rep, const char *markup);
/* Appends the time as "1.045047 s". */
void viz_report_time(VizReport *rep, SimTime t);
/* A field value, classed ok/bad when it is a verdict. */
void viz_report_value(VizReport *rep, const SimTraceRec *r, guint field);
/* "key=value key=value" of every field of r but those in skip (nullable,
 * NULL-terminated). */
void viz_report_fields(VizReport *rep, const SimTraceRec *r, const char *const *skip);
/* A table of records of one kind: time, node and one column per field
 * key seen. At most VIZ_REPORT_MAX_ROWS rows. */
void viz_report_kind_table(VizReport *rep, const GPtrArray *recs);
/* A table of records of any kinds: time, node, kind, fields. */
void viz_report_record_table(VizReport *rep, const GPtrArray *recs, const char *const *skip);
/* An SVG document inlined in a <figure> with its caption, its ids made
 * unique in the page. NULL svg: a note with why (err). */
void viz_report_figure(VizReport *rep, GBytes *svg, const GError *err, const char *caption);
/* A fragment id from any text: "p-" then [A-Za-z0-9_-] kept, others as
 * "_XX" hex. (transfer full) */
char *viz_report_anchor(const char *prefix, const char *s);
/* The class of a verdict value: "ok", "bad", "warn" or NULL. */
const char *viz_report_verdict_class(const char *key, const char *value);

/* --- sections --- */
void viz_report_section_diagrams(VizReport *rep); /* report_messages.c */
void viz_report_section_messages(VizReport *rep); /* report_messages.c */
void viz_report_section_verdicts(VizReport *rep); /* report_sessions.c */
void viz_report_section_sessions(VizReport *rep); /* report_sessions.c */
void viz_report_section_records(VizReport *rep);  /* report_sessions.c */
/* Per-message tables, written only when the trace has their kinds
 * (report_exposure.c): exposure / exposure.msg, copy.held / copy.gone. */
void viz_report_exposure(VizReport *rep, const char *id);
void viz_report_copies(VizReport *rep, const char *id);

#endif
