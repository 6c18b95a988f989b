/* SPDX-License-Identifier: MIT
 * trace_model-private: the VizTrace structure, shared by the reader (which
 * owns the accessors) and the model builder (which fills it from records).
 */
#ifndef VIZ_TRACE_MODEL_PRIVATE_H
#define VIZ_TRACE_MODEL_PRIVATE_H

#include "viz/trace_reader.h"

struct VizTrace {
    GPtrArray *nodes;       /* VizNode, first appearance order */
    GHashTable *node_index; /* name -> VizNode (borrowed) */
    GPtrArray *messages;    /* VizMessage */
    GHashTable *msg_index;  /* id -> VizMessage (borrowed) */
    GPtrArray *sessions;    /* VizSession */
    GHashTable *sess_index; /* gint64 conn -> VizSession (borrowed) */
    GPtrArray *verdicts;    /* VizVerdict, trace order (trace_verdict.c) */
};

/* trace_verdict.c: the spam.verdict records. */
void viz_verdict_free(gpointer p);
void viz_model_add_verdict(VizTrace *vt, const SimTraceRec *rec);

VizTrace *viz_trace_alloc(void);

/* Builds the model from records fed one at a time, in trace order. */
typedef struct VizModelBuilder VizModelBuilder;
VizModelBuilder *viz_model_builder_new(VizTrace *vt);
void viz_model_builder_feed(VizModelBuilder *b, const SimTraceRec *rec);
void viz_model_builder_free(VizModelBuilder *b);

#endif
