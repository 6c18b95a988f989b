/* SPDX-License-Identifier: MIT
 * client_refusal: recipients a server refused, as the client saw them
 * (RFC 5321 4.2: the reply to RCPT, or the reply that ended the transaction).
 */
#include "nodes/client_refusal.h"

#include "nodes/world_private.h"
#include "proto/smtp_reply.h"

guint
client_refusal_record(Node *node, TrackMsg *m, const char *msg_id, SmtpClientSession *cs,
                      const SmtpClientOutcome *o, ClientRefusalFn each, gpointer user_data)
{
    World *w = node->world;
    SimTime now = sim_world_now(w->sim);
    guint refused = 0;
    for (guint i = 0; m && o->recipients && o->recipients[i]; i++) {
        if (o->rcpt_results[i] == SMTP_CLIENT_RESULT_DELIVERED)
            continue;
        refused++;
        const SmtpReply *r = o->rcpt_replies[i] ? o->rcpt_replies[i] : o->reply;
        g_autofree char *text = r ? smtp_reply_to_string(r) : g_strdup(o->detail);
        if (text)
            g_strchomp(text);
        track_msg_set_status(m, o->recipients[i], TRACK_STATUS_REJECTED, r ? r->code : 0, text,
                             smtp_client_session_peer(cs), now);
        if (each)
            each(m, o, i, user_data);
        SimTraceRec *tr = world_trace(w, "msg.reject", node->name);
        sim_trace_str(tr, "msg", msg_id);
        sim_trace_str(tr, "rcpt", o->recipients[i]);
        sim_trace_int(tr, "code", r ? r->code : 0);
        sim_trace_str(tr, "reason", text ? text : "");
        sim_trace_str(tr, "by", smtp_client_session_peer(cs));
        sim_trace_end(tr);
    }
    return refused;
}
