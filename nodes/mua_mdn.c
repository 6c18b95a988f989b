/* SPDX-License-Identifier: MIT
 * mua_mdn: read receipts, the user agent's side of RFC 8098. A request
 * (Disposition-Notification-To, 2.1) is a request, not a guarantee: the
 * client answers only when its setting says so. `always` sends
 * automatically (automatic-action/MDN-sent-automatically) unless the
 * request goes somewhere other than the Return-Path, where 2.1 says the
 * user must be asked; `ask` sends only if the user agrees
 * (manual-action/MDN-sent-manually); `never` ignores it. At most one MDN
 * per message (2.1), never one for a report, never for Return-Receipt-To
 * alone (no RFC defines it).
 */
#include "nodes/mua_mdn.h"

#include <string.h>

#include "nodes/world_private.h"
#include "proto/address.h"
#include "proto/mdn.h"
#include "proto/message.h"
#include "proto/message_id.h"

static void
mua_mdn_trace(Node *node, const char *msg_id, const char *to, const char *request, gboolean sent,
              const char *disposition, const char *reason)
{
    SimTraceRec *tr = world_trace(node->world, "mdn.decision", node->name);
    if (msg_id)
        sim_trace_str(tr, "msg", msg_id);
    sim_trace_str(tr, "to", to ? to : "");
    sim_trace_str(tr, "request", request);
    sim_trace_bool(tr, "sent", sent);
    if (disposition)
        sim_trace_str(tr, "disposition", disposition);
    sim_trace_str(tr, "reason", reason);
    sim_trace_end(tr);
}

/* The address in Return-Path (first one), or NULL (transfer full). */
static char *
mua_mdn_return_path(const MailMessage *msg)
{
    const char *rp = mail_message_get(msg, "Return-Path");
    g_autoptr(GPtrArray) list = rp ? mail_address_list_parse(rp, NULL) : NULL;
    g_autoptr(GPtrArray) flat = list ? mail_address_list_flatten(list) : NULL;
    return flat && flat->len > 0 ? g_strdup(((MailMailbox *)flat->pdata[0])->addr) : NULL;
}

/* Why no MDN is sent, or NULL to send one; *manual tells the mode. */
static const char *
mua_mdn_refusal(Node *node, GHashTable *answered, const MailMessage *msg, const char *to,
                gboolean *manual)
{
    const NodeSpec *spec = node->spec;
    const char *mid = mail_message_get(msg, "Message-ID");
    if (to == NULL)
        return "no usable address in Disposition-Notification-To";
    if (mid && g_hash_table_contains(answered, mid))
        return "an MDN was already sent for this message (RFC 8098 2.1)";
    if (spec->mdn == SPEC_MDN_NEVER)
        return "the client is set never to send MDNs (mdn: never)";
    if (spec->mdn == SPEC_MDN_ASK) {
        *manual = TRUE;
        return spec->mdn_declines ? "the user was asked and declined (mdn: ask)" : NULL;
    }
    g_autofree char *rp = mua_mdn_return_path(msg);
    if (rp == NULL || g_ascii_strcasecmp(rp, to) != 0)
        return "Disposition-Notification-To differs from Return-Path: not sent automatically "
               "(RFC 8098 2.1)";
    *manual = FALSE;
    return NULL;
}

void
mua_mdn_consider(Node *node, GHashTable *answered, const char *msg_id, GBytes *bytes)
{
    g_autoptr(MailMessage) msg = mail_message_parse_bytes(bytes, NULL);
    g_autofree char *to = NULL;
    MdnRequestKind kind = mdn_request(msg, &to);
    if (kind == MDN_REQUEST_NONE)
        return;
    if (kind == MDN_REQUEST_LEGACY) {
        mua_mdn_trace(node, msg_id, to, "Return-Receipt-To", FALSE, NULL,
                      "Return-Receipt-To is not standard; RFC 8098 asks with "
                      "Disposition-Notification-To");
        return;
    }
    gboolean manual = FALSE;
    const char *why = mua_mdn_refusal(node, answered, msg, to, &manual);
    if (why != NULL) {
        mua_mdn_trace(node, msg_id, to, "Disposition-Notification-To", FALSE, NULL, why);
        return;
    }
    World *w = node->world;
    const char *omid = mail_message_get(msg, "Message-ID");
    if (omid)
        g_hash_table_add(answered, g_strdup(omid));
    g_autofree char *qid = node_new_queue_id(node);
    const char *user = node->spec->user;
    const char *at = strrchr(user, '@');
    g_autofree char *mid = mail_message_id_make(qid, at ? at + 1 : node->hostname);
    g_autofree char *ua = g_strdup_printf("%s; mhs", node->hostname);
    MdnInfo info = {
        .reporting_ua = ua,
        .from = user,
        .to = to,
        .message_id = mid,
        .boundary = qid,
        .date_unix = world_unix_now(w),
        .final_recipient = user,
        .original_message_id = omid,
        .original_subject = mail_message_get(msg, "Subject"),
        .manual = manual,
        .original = bytes,
    };
    g_autoptr(GBytes) report = mdn_build(&info);
    g_autofree char *id = tracker_derive_id(w->tracker, msg_id ? msg_id : node->name, "mdn");
    mua_mdn_trace(node, msg_id, to, "Disposition-Notification-To", TRUE, mdn_disposition(manual),
                  manual ? "the user agreed (mdn: ask)" : "mdn: always");
    mua_node_submit_report(node, id, "mdn", msg_id, to, mid, report);
}
