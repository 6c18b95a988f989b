/* SPDX-License-Identifier: MIT
 * raw_send: one SMTP transaction written byte for byte, as spam software
 * or an SMTP smuggling attacker sends it: the DATA bytes leave with no
 * dot-stuffing and no CR/LF repair (RFC 5321 4.5.2 and 2.3.8 are the
 * sender's duty, skipped on purpose), then "." CRLF. A lenient receiver
 * may read a bare-LF "." line as the end of data and run the bytes after
 * it as commands (CVE-2023-51764/51765/51766); the second transaction is
 * then accepted under whatever sender the attacker wrote.
 */
#include <string.h>

#include "nodes/probe_session.h"
#include "nodes/relay_test.h"
#include "nodes/world_private.h"

typedef struct {
    World *w;
    char *msg_id; /* nullable */
    char *peer;
    char *target; /* the server: where a refusal was decided */
    int first_rcpt, n_rcpts, data_step;
    char **rcpts;
    guint extra; /* replies after the script before 221: a smuggled transaction */
} RawSend;

static void
raw_send_reject(RawSend *rs, const char *rcpt, const SmtpReply *r)
{
    TrackMsg *m = rs->msg_id ? tracker_find(rs->w->tracker, rs->msg_id) : NULL;
    if (m == NULL || track_msg_rcpt(m, rcpt)->status != TRACK_STATUS_PENDING)
        return;
    g_autofree char *text = smtp_reply_to_string(r);
    g_strchomp(text);
    track_msg_set_status(m, rcpt, TRACK_STATUS_REJECTED, r->code, text, rs->target,
                         sim_world_now(rs->w->sim));
}

static void
raw_send_on_reply(ProbeSession *ps, int step, const SmtpReply *r, gpointer user_data)
{
    RawSend *rs = user_data;
    if (step == SMTP_PROBE_STEP_QUIT && r->code != 221)
        rs->extra++;
    if (r->code < 400)
        return;
    if (step >= rs->first_rcpt && step < rs->first_rcpt + rs->n_rcpts)
        raw_send_reject(rs, rs->rcpts[step - rs->first_rcpt], r);
    else if (step >= rs->data_step || step == SMTP_PROBE_STEP_GREETING || step < rs->first_rcpt)
        for (int i = 0; i < rs->n_rcpts; i++)
            raw_send_reject(rs, rs->rcpts[i], r); /* decided for every recipient */
}

static void
raw_send_free(RawSend *rs)
{
    g_free(rs->msg_id);
    g_free(rs->peer);
    g_free(rs->target);
    g_strfreev(rs->rcpts);
    g_free(rs);
}

static void
raw_send_on_closed(ProbeSession *ps, int last_step, gboolean completed, gpointer user_data)
{
    RawSend *rs = user_data;
    World *w = rs->w;
    tracker_untag_conn(w->tracker, probe_session_conn_id(ps));
    SimTraceRec *tr = world_trace(w, "raw.done", rs->peer);
    sim_trace_int(tr, "conn", (gint64)probe_session_conn_id(ps));
    if (rs->msg_id)
        sim_trace_str(tr, "msg", rs->msg_id);
    sim_trace_bool(tr, "completed", completed);
    sim_trace_int(tr, "extra_replies", rs->extra);
    sim_trace_end(tr);
}

static const ProbeSessionHandler raw_send_handler = {
    .on_reply = raw_send_on_reply,
    .on_closed = raw_send_on_closed,
};

static GBytes *
raw_send_data(const char *data)
{
    GString *s = g_string_new(data ? data : "");
    if (s->len < 2 || strcmp(s->str + s->len - 2, "\r\n") != 0)
        g_string_append(s, "\r\n");
    g_string_append(s, ".\r\n");
    gsize n = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), n);
}

static void
raw_send_track(RawSend *rs, Node *from, const RawSendSpec *spec, guint64 conn)
{
    World *w = rs->w;
    SimTime now = sim_world_now(w->sim);
    TrackMsg *m = tracker_add(w->tracker, spec->id, "raw", now);
    m->envelope_from = g_strdup(spec->mail_from ? spec->mail_from : "");
    if (spec->data)
        m->original = g_bytes_new(spec->data, strlen(spec->data));
    for (char **r = spec->rcpt_to; r && *r; r++)
        track_msg_rcpt(m, *r);
    track_msg_add_hop(m, from->name, now, "submit", "raw SMTP", (const char *const *)spec->rcpt_to,
                      NULL);
    tracker_tag_conn(w->tracker, conn, spec->id);
}

void
relay_test_raw_send(World *w, const RawSendSpec *spec)
{
    Node *from = world_node(w, spec->from);
    Node *target = world_node(w, spec->target);
    RawSend *rs = g_new0(RawSend, 1);
    rs->w = w;
    rs->msg_id = g_strdup(spec->id);
    rs->peer = g_strdup(from->name);
    rs->target = g_strdup(target->name);
    rs->rcpts = g_strdupv(spec->rcpt_to);
    rs->n_rcpts = (int)g_strv_length(spec->rcpt_to);
    SmtpProbe *p = smtp_probe_new();
    g_autofree char *helo =
        spec->helo ? g_strdup(spec->helo) : g_strdup_printf("EHLO %s", from->hostname);
    smtp_probe_add_line(p, helo, FALSE);
    g_autofree char *mail =
        g_strdup_printf("MAIL FROM:<%s>", spec->mail_from ? spec->mail_from : "");
    smtp_probe_add_line(p, mail, FALSE);
    for (int i = 0; i < rs->n_rcpts; i++) {
        g_autofree char *rcpt = g_strdup_printf("RCPT TO:<%s>", spec->rcpt_to[i]);
        int step = smtp_probe_add_line(p, rcpt, TRUE);
        if (i == 0)
            rs->first_rcpt = step;
    }
    rs->data_step = smtp_probe_add_line(p, "DATA", FALSE);
    g_autoptr(GBytes) data = raw_send_data(spec->data);
    smtp_probe_add_raw(p, data, FALSE);
    guint16 port = spec->port;
    if (port == 0)
        port = target->spec->role == SPEC_ROLE_MSA ? target->spec->submission_port
                                                   : target->spec->smtp_port;
    ProbeSession *ps = probe_session_start(from, node_ip(target), port ? port : 25, target->name, p,
                                           &raw_send_handler, rs);
    probe_session_set_user_data_free(ps, (GDestroyNotify)raw_send_free);
    if (spec->id)
        raw_send_track(rs, from, spec, probe_session_conn_id(ps));
}
