/* SPDX-License-Identifier: MIT
 * spam_campaign: a spammer's campaign run on the traffic generator. Each
 * message is composed here with the campaign's forgeries (RFC 5322 3.6:
 * nothing checks that From, Sender, Date or Message-ID are true; fake
 * Received fields, RFC 5321 4.4, are just text above the real ones) and
 * handed to the SMTP client engine through an ordinary client session,
 * under a forged EHLO name and envelope sender. Routing is the spammer's
 * own: the MX of the recipient's domain (RFC 5321 5.1, lowest preference,
 * the domain itself when it has no MX) or the relay the campaign names.
 * A spammer never retries a host: a 4xx is where the message stops. But
 * when an MX host cannot be reached (no address, connection refused or
 * timed out, closed before its greeting) it goes on to the next MX by
 * preference, as spamware does: backup MXs often filter less.
 * Forged header values may hold the placeholders of nodes/spam_template.h.
 */
#include "nodes/spam_campaign.h"

#include <string.h>

#include "nodes/client_refusal.h"
#include "nodes/smtp_session.h"
#include "nodes/spam_template.h"
#include "nodes/world_private.h"
#include "proto/mail_date.h"
#include "proto/message_id.h"

typedef struct {
    World *w;
    Node *node;
    char *msg_id;
    char *rcpt;
    char *mail_from;
    char *helo;
    GBytes *data;
    char *host; /* the server's name (node or MX host) */
    GStrv mx;   /* nullable: the MX hosts by preference */
    guint mx_next; /* index in mx of the host to try next */
} SpamSend;

static void
spam_send_free(SpamSend *s)
{
    /* Over (or the run stopped): the world holds it no more. */
    world_release(s->w, s);
    g_free(s->msg_id);
    g_free(s->rcpt);
    g_free(s->mail_from);
    g_free(s->helo);
    g_bytes_unref(s->data);
    g_free(s->host);
    g_strfreev(s->mx);
    g_free(s);
}

static const char *
spam_header_find(const GPtrArray *headers, const char *name)
{
    for (guint i = 0; headers && i < headers->len; i++) {
        const SpecHeader *h = headers->pdata[i];
        if (g_ascii_strcasecmp(h->name, name) == 0)
            return h->value;
    }
    return NULL;
}

/* The message: fake Received fields first (as if earlier hops had written
 * them), then the usual fields, each replaced by a forged one when the
 * campaign gives it, then the campaign's other fields, then the body with
 * CRLF line ends (RFC 5322 2.1). */
static GBytes *
spam_compose(Node *node, const TrafficSpec *t, guint num, const char *id, const char *mail_from,
             const char *rcpt, const char *subject, const char *body)
{
    World *w = node->world;
    GString *s = g_string_new(NULL);
    for (char **r = t->received; r && *r; r++)
        g_string_append_printf(s, "Received: %s\r\n", *r);
    g_autofree char *date = mail_date_format(world_unix_now(w), 0);
    g_autofree char *mid = mail_message_id_make(id, node->hostname);
    const char *defaults[][2] = {
        {"From", mail_from[0] ? mail_from : node->hostname},
        {"To", rcpt},
        {"Subject", t->subject ? t->subject : subject},
        {"Date", date},
        {"Message-ID", mid},
    };
    for (guint i = 0; i < G_N_ELEMENTS(defaults); i++) {
        const char *forged = spam_header_find(t->headers, defaults[i][0]);
        g_autofree char *value = forged ? spam_template_expand(forged, num, node_rng(node)) : NULL;
        g_string_append_printf(s, "%s: %s\r\n", defaults[i][0], value ? value : defaults[i][1]);
    }
    for (guint i = 0; t->headers && i < t->headers->len; i++) {
        const SpecHeader *h = t->headers->pdata[i];
        gboolean done = FALSE;
        for (guint k = 0; k < G_N_ELEMENTS(defaults) && !done; k++)
            done = g_ascii_strcasecmp(h->name, defaults[k][0]) == 0;
        if (!done) {
            g_autofree char *value = spam_template_expand(h->value, num, node_rng(node));
            g_string_append_printf(s, "%s: %s\r\n", h->name, value);
        }
    }
    g_string_append(s, "\r\n");
    for (const char *p = body ? body : ""; *p; p++) {
        if (*p == '\n' && (p == body || p[-1] != '\r'))
            g_string_append_c(s, '\r');
        g_string_append_c(s, *p);
    }
    if (s->len < 2 || strcmp(s->str + s->len - 2, "\r\n") != 0)
        g_string_append(s, "\r\n");
    gsize n = s->len;
    return g_bytes_new_take(g_string_free(s, FALSE), n);
}

static void spam_send_host(SpamSend *s, const char *host);

/* The host could not be reached: on to the next MX, if there is one
 * (RFC 5321 5.1: try the hosts in preference order). FALSE when none. */
static gboolean
spam_send_next_mx(SpamSend *s, const char *why)
{
    if (s->mx == NULL || s->mx[s->mx_next] == NULL)
        return FALSE;
    const char *next = s->mx[s->mx_next++];
    SimTraceRec *tr = world_trace(s->w, "spam.next_mx", s->node->name);
    sim_trace_str(tr, "msg", s->msg_id);
    sim_trace_str(tr, "failed", s->host);
    sim_trace_str(tr, "reason", why);
    sim_trace_str(tr, "next", next);
    sim_trace_end(tr);
    spam_send_host(s, next);
    return TRUE;
}

/* Decides every recipient the spammer's own session did not get through. */

/* A refused RCPT decided this recipient; otherwise the stage of the
 * transaction's deciding reply did (greeting, EHLO, MAIL, DATA, dot). */
static void
spam_send_note_stage(TrackMsg *m, const SmtpClientOutcome *o, guint i, gpointer user_data)
{
    SpamSend *s = user_data;
    SmtpClientStage stage = o->stage;
    if (o->stage >= SMTP_CLIENT_STAGE_RCPT && o->rcpt_replies[i] && o->rcpt_replies[i]->code >= 400)
        stage = SMTP_CLIENT_STAGE_RCPT;
    track_msg_note(m, s->node->name, "stage", smtp_client_stage_name(stage));
}

static void
spam_send_on_done(SmtpClientSession *cs, const SmtpClientOutcome *o, gpointer user_data)
{
    SpamSend *s = user_data;
    World *w = s->w;
    /* Unreachable: no greeting came at all (refused, timed out, closed). */
    if (o->reply == NULL && o->stage == SMTP_CLIENT_STAGE_CONNECT &&
        o->result != SMTP_CLIENT_RESULT_DELIVERED &&
        spam_send_next_mx(s, o->detail ? o->detail : "unreachable"))
        return;
    SimTime now = sim_world_now(w->sim);
    TrackMsg *m = tracker_find(w->tracker, s->msg_id);
    TrackHop *h = m ? track_msg_open_hop(m, s->node->name) : NULL;
    if (h)
        h->t_out = now;
    client_refusal_record(s->node, m, s->msg_id, cs, o, spam_send_note_stage, s);
    spam_send_free(s);
}

static void
spam_send_connect(SpamSend *s, const char *ip)
{
    Node *target = world_node(s->w, s->host);
    guint16 port = 25;
    if (target && target->spec->role == SPEC_ROLE_MSA)
        port = target->spec->submission_port ? target->spec->submission_port : 587;
    else if (target && target->spec->smtp_port)
        port = target->spec->smtp_port;
    const char *rcpts[] = {s->rcpt, NULL};
    SmtpClientConfig cfg = {
        .helo_name = s->helo,
        .reverse_path = s->mail_from,
        .recipients = rcpts,
        .message = s->data,
    };
    smtp_client_session_start(s->node, ip, port, s->host, &cfg, s->msg_id, spam_send_on_done, s);
}

/* No way to the recipient's domain: the message stops at the spammer. */
static void
spam_send_no_route(SpamSend *s, const char *why)
{
    World *w = s->w;
    TrackMsg *m = tracker_find(w->tracker, s->msg_id);
    if (m) {
        SimTime now = sim_world_now(w->sim);
        TrackHop *h = track_msg_open_hop(m, s->node->name);
        if (h)
            h->t_out = now;
        track_msg_set_status(m, s->rcpt, TRACK_STATUS_REJECTED, 0, why, s->node->name, now);
        track_msg_note(m, s->node->name, "stage", "ROUTE");
    }
    spam_send_free(s);
}

static void
spam_send_on_a(World *w, const DnsAnswer *ans, gpointer user_data)
{
    SpamSend *s = user_data;
    if (ans->rcode != DNS_RCODE_NOERROR || ans->records->len == 0) {
        g_autofree char *why = g_strdup_printf("no address for MX host %s", s->host);
        if (!spam_send_next_mx(s, why))
            spam_send_no_route(s, why);
        return;
    }
    spam_send_connect(s, ((DnsRecord *)ans->records->pdata[0])->text);
}

static void
spam_send_host(SpamSend *s, const char *host)
{
    g_free(s->host);
    s->host = g_strdup(host);
    Node *target = world_node(s->w, host);
    if (target) {
        spam_send_connect(s, node_ip(target));
        return;
    }
    world_resolve(s->w, s->node, host, DNS_RR_A, spam_send_on_a, s);
}

/* RFC 5321 5.1: the lowest preference first (equals in zone order); no
 * MX record: the domain itself. The others wait in s->mx. */
static void
spam_send_on_mx(World *w, const DnsAnswer *ans, gpointer user_data)
{
    SpamSend *s = user_data;
    const char *at = strrchr(s->rcpt, '@');
    const char *domain = at ? at + 1 : s->rcpt;
    if (ans->rcode != DNS_RCODE_NOERROR) {
        g_autofree char *why =
            g_strdup_printf("MX lookup for %s failed: %s", domain, dns_rcode_name(ans->rcode));
        spam_send_no_route(s, why);
        return;
    }
    GPtrArray *mx = g_ptr_array_new();
    for (guint i = 0; i < ans->records->len; i++) {
        const DnsRecord *r = ans->records->pdata[i];
        if (r->type != DNS_RR_MX)
            continue;
        /* Insertion keeps equal preferences in zone order. */
        guint k = mx->len;
        while (k > 0 && ((const DnsRecord *)mx->pdata[k - 1])->pref > r->pref)
            k--;
        g_ptr_array_insert(mx, (gint)k, (gpointer)r);
    }
    if (mx->len == 0) {
        g_ptr_array_unref(mx);
        spam_send_host(s, domain);
        return;
    }
    s->mx = g_new0(char *, mx->len + 1);
    for (guint i = 0; i < mx->len; i++)
        s->mx[i] = g_strdup(((const DnsRecord *)mx->pdata[i])->text);
    g_ptr_array_unref(mx);
    s->mx_next = 1;
    spam_send_host(s, s->mx[0]);
}

void
spam_campaign_send(Node *spammer, const TrafficSpec *t, guint n, const char *id,
                   const char *subject, const char *body)
{
    World *w = spammer->world;
    SimTime now = sim_world_now(w->sim);
    guint nto = g_strv_length(t->to), nfrom = t->mail_from ? g_strv_length(t->mail_from) : 0;
    SpamSend *s = g_new0(SpamSend, 1);
    s->w = w;
    world_hold(w, s, (GDestroyNotify)spam_send_free);
    s->node = spammer;
    s->msg_id = g_strdup(id);
    s->rcpt = g_strdup(t->to[n % nto]);
    s->mail_from =
        nfrom ? g_strdup(t->mail_from[n % nfrom]) : g_strdup_printf("news@%s", spammer->hostname);
    s->helo = g_strdup(t->helo ? t->helo : spammer->hostname);
    s->data = spam_compose(spammer, t, t->start + n, id, s->mail_from, s->rcpt, subject, body);
    const char *campaign = t->campaign ? t->campaign : t->id_prefix;

    TrackMsg *m = tracker_add(w->tracker, id, SPAM_TRACK_KIND, now);
    const char *from = spam_header_find(t->headers, "From");
    m->from = g_strdup(from ? from : s->mail_from);
    m->envelope_from = g_strdup(s->mail_from);
    m->subject = g_strdup(t->subject ? t->subject : subject);
    m->original = g_bytes_ref(s->data);
    track_msg_rcpt(m, s->rcpt);
    track_msg_note(m, spammer->name, "campaign", campaign);
    const char *rcpts[] = {s->rcpt, NULL};
    track_msg_add_hop(m, spammer->name, now, "submit", "spam", rcpts, NULL);

    SimTraceRec *tr = world_trace(w, "spam.send", spammer->name);
    sim_trace_str(tr, "msg", id);
    sim_trace_str(tr, "campaign", campaign);
    sim_trace_str(tr, "from", s->mail_from);
    sim_trace_str(tr, "rcpt", s->rcpt);
    sim_trace_str(tr, "helo", s->helo);
    sim_trace_str(tr, "via", t->via ? t->via : "mx");
    sim_trace_int(tr, "size", (gint64)g_bytes_get_size(s->data));
    sim_trace_end(tr);

    if (t->via) {
        spam_send_host(s, t->via);
        return;
    }
    const char *at = strrchr(s->rcpt, '@');
    world_resolve(w, spammer, at ? at + 1 : s->rcpt, DNS_RR_MX, spam_send_on_mx, s);
}
