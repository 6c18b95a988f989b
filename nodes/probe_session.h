/* SPDX-License-Identifier: MIT
 * probe_session: a simulated stream driving a scripted SmtpProbe
 * (proto/smtp_probe.h) for the relay-test battery and raw senders. Traces
 * conn.open, every reply as smtp.reply (with the script step) and
 * conn.close; frees itself once the connection is over.
 */
#ifndef NODES_PROBE_SESSION_H
#define NODES_PROBE_SESSION_H

#include <glib.h>

#include "nodes/node.h"
#include "proto/smtp_probe.h"

typedef struct ProbeSession ProbeSession;

typedef struct {
    /* Every reply: step is the script step, SMTP_PROBE_STEP_GREETING or
     * SMTP_PROBE_STEP_QUIT (after the script). */
    void (*on_reply)(ProbeSession *ps, int step, const SmtpReply *r, gpointer user_data);
    /* The connection is over (always called once). last_step: the last step
     * answered; completed: the whole script ran. ps is freed after it. */
    void (*on_closed)(ProbeSession *ps, int last_step, gboolean completed, gpointer user_data);
} ProbeSessionHandler;

/* Connects from node to ip:port and runs probe (transfer full). */
ProbeSession *probe_session_start(Node *node, const char *ip, guint16 port, const char *peer,
                                  SmtpProbe *probe, const ProbeSessionHandler *handler,
                                  gpointer user_data);
/* Hands user_data to the session: destroy frees it when the session is
 * freed, after on_closed or without it (a run stopped while the probe was
 * still going). Call right after start. */
void probe_session_set_user_data_free(ProbeSession *ps, GDestroyNotify destroy);
guint64 probe_session_conn_id(const ProbeSession *ps);

#endif
