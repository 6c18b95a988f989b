/* SPDX-License-Identifier: MIT
 * trace_verdict: the `spam.verdict` records of a trace (docs/trace.md)
 * read into VizVerdict for the campaign diagram: one per campaign message
 * and recipient, with the node where it stopped, the reply and the path.
 * Records only; a missing field reads as "" (or 0, or an empty path).
 */
#include "viz/trace_model-private.h"

void
viz_verdict_free(gpointer p)
{
    VizVerdict *v = p;
    g_free(v->msg);
    g_free(v->campaign);
    g_free(v->spammer);
    g_free(v->rcpt);
    g_free(v->verdict);
    g_free(v->node);
    g_free(v->reason);
    g_free(v->stage);
    g_strfreev(v->path);
    g_free(v->dsn_to);
    g_free(v->dsn_node);
    g_free(v->dsn_verdict);
    g_free(v);
}

static char *
viz_verdict_str(const SimTraceRec *rec, const char *key)
{
    const char *s = sim_trace_rec_get_str(rec, key);
    return g_strdup(s ? s : "");
}

void
viz_model_add_verdict(VizTrace *vt, const SimTraceRec *rec)
{
    VizVerdict *v = g_new0(VizVerdict, 1);
    v->msg = viz_verdict_str(rec, "msg");
    v->campaign = viz_verdict_str(rec, "campaign");
    v->spammer = viz_verdict_str(rec, "spammer");
    v->rcpt = viz_verdict_str(rec, "rcpt");
    v->verdict = viz_verdict_str(rec, "verdict");
    const char *node = sim_trace_rec_node(rec);
    v->node = g_strdup(node ? node : "");
    gint64 code = 0;
    sim_trace_rec_get_int(rec, "code", &code);
    v->code = (gint)code;
    v->reason = viz_verdict_str(rec, "reason");
    v->stage = viz_verdict_str(rec, "stage");
    const char *path = sim_trace_rec_get_str(rec, "path");
    v->path = path && *path ? g_strsplit(path, ",", -1) : g_new0(char *, 1);
    v->dsn_to = viz_verdict_str(rec, "dsn_to");
    v->dsn_node = viz_verdict_str(rec, "dsn_node");
    v->dsn_verdict = viz_verdict_str(rec, "dsn_verdict");
    g_ptr_array_add(vt->verdicts, v);
}

guint
viz_trace_n_verdicts(const VizTrace *vt)
{
    return vt->verdicts->len;
}

const VizVerdict *
viz_trace_verdict(const VizTrace *vt, guint i)
{
    g_return_val_if_fail(i < vt->verdicts->len, NULL);
    return vt->verdicts->pdata[i];
}
