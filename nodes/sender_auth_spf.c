/* SPDX-License-Identifier: MIT
 * sender_auth_spf: SPF at MAIL (RFC 7208 2.4: the MAIL FROM identity, or
 * the HELO identity when the reverse path is null). Drives SpfCheck with
 * world_resolve(), one query at a time, then answers the MAIL: 550 5.7.23
 * (RFC 7372 3.2) on a result the node rejects, with the domain's exp=
 * explanation (RFC 7208 6.2) when it has one; the default 250 otherwise.
 * The outcome is kept per connection for the DATA headers.
 */
#include "nodes/sender_auth_private.h"

#include <string.h>

typedef struct {
    SenderAuth *sa;
    SmtpServerSession *ss;
    guint64 conn_id;
    char *msg_id; /* nullable: the message the connection carries */
    SpfCheck *check;
    guint32 query_id;
    DnsRrType type;
    char *last_step; /* the engine's last reasoning step: why an error */
    SenderAuthSpf *res;
} SpfJob;

void
sender_auth_spf_free(SenderAuthSpf *s)
{
    if (s == NULL)
        return;
    g_free(s->domain);
    g_free(s->sender);
    g_free(s->helo);
    g_free(s->ip);
    g_free(s->mechanism);
    g_free(s->explanation);
    g_free(s);
}

const SenderAuthSpf *
sender_auth_spf_lookup(SenderAuth *sa, guint64 conn_id)
{
    return sa ? g_hash_table_lookup(sa->spf, &conn_id) : NULL;
}

static void
spf_job_free(SpfJob *job)
{
    spf_check_free(job->check);
    sender_auth_spf_free(job->res);
    g_free(job->msg_id);
    g_free(job->last_step);
    g_free(job);
}

/* RFC 7208 9.1 comment texts, after its examples. */
static char *
sender_auth_spf_comment(const SenderAuthSpf *s, const char *receiver)
{
    const char *who = s->identity == SPF_IDENTITY_HELO ? "helo" : "domain of";
    const char *id = s->identity == SPF_IDENTITY_HELO ? s->domain : s->sender;
    switch (s->result) {
    case SPF_RESULT_PASS:
        return g_strdup_printf("%s: %s %s designates %s as permitted sender", receiver, who, id,
                               s->ip);
    case SPF_RESULT_FAIL:
        return g_strdup_printf("%s: %s %s does not designate %s as permitted sender", receiver, who,
                               id, s->ip);
    case SPF_RESULT_SOFTFAIL:
        return g_strdup_printf("%s: %s transitioning %s does not designate %s as permitted sender",
                               receiver, who, id, s->ip);
    case SPF_RESULT_NEUTRAL:
        return g_strdup_printf("%s: %s is neither permitted nor denied by %s %s", receiver, s->ip,
                               who, id);
    case SPF_RESULT_NONE:
        return g_strdup_printf("%s: %s %s does not publish an SPF record", receiver, who, id);
    case SPF_RESULT_TEMPERROR:
        return g_strdup_printf("%s: temporary error checking %s %s", receiver, who, id);
    case SPF_RESULT_PERMERROR:
        return g_strdup_printf("%s: permanent error in the SPF record of %s (%s)", receiver,
                               s->domain, s->explanation);
    }
    return g_strdup(receiver);
}

char *
sender_auth_spf_received(const SenderAuthSpf *s, const char *receiver)
{
    g_autofree char *comment = sender_auth_spf_comment(s, receiver);
    GString *v = g_string_new(NULL);
    g_string_append_printf(v, "%s (%s) client-ip=%s;", spf_result_name(s->result), comment, s->ip);
    g_string_append_printf(v, " envelope-from=\"%s\";", s->sender);
    if (s->helo)
        g_string_append_printf(v, " helo=%s;", s->helo);
    g_string_append_printf(v, " receiver=%s;", receiver);
    if (s->mechanism)
        g_string_append_printf(v, " mechanism=\"%s\";", s->mechanism);
    g_string_append_printf(v, " identity=%s",
                           s->identity == SPF_IDENTITY_HELO ? "helo" : "mailfrom");
    return g_string_free(v, FALSE);
}

static char *
sender_auth_spf_default_reason(const SenderAuthSpf *s)
{
    switch (s->result) {
    case SPF_RESULT_PASS:
        return g_strdup_printf("%s is permitted to send for %s", s->ip, s->domain);
    case SPF_RESULT_FAIL:
    case SPF_RESULT_SOFTFAIL:
        return g_strdup_printf("%s is not permitted to send mail for %s", s->ip, s->domain);
    case SPF_RESULT_NEUTRAL:
        return g_strdup_printf("%s makes no assertion about %s", s->domain, s->ip);
    case SPF_RESULT_NONE:
        return g_strdup_printf("no SPF record for %s", s->domain);
    case SPF_RESULT_TEMPERROR:
        return g_strdup_printf("DNS error while checking %s", s->domain);
    case SPF_RESULT_PERMERROR:
        return g_strdup_printf("the SPF record of %s cannot be evaluated", s->domain);
    }
    return g_strdup("?");
}

static void
spf_job_trace(SpfJob *job, guint lookups)
{
    World *w = job->sa->node->world;
    const SenderAuthSpf *s = job->res;
    SimTraceRec *r = world_trace(w, "spf.result", job->sa->node->name);
    if (job->msg_id)
        sim_trace_str(r, "msg", job->msg_id);
    sim_trace_str(r, "identity", s->identity == SPF_IDENTITY_HELO ? "helo" : "mailfrom");
    sim_trace_str(r, "domain", s->domain);
    sim_trace_str(r, "sender", s->sender);
    sim_trace_str(r, "ip", s->ip);
    sim_trace_str(r, "result", spf_result_name(s->result));
    sim_trace_str(r, "mechanism", s->mechanism ? s->mechanism : "default");
    sim_trace_str(r, "reason", s->explanation);
    sim_trace_int(r, "lookups", lookups);
    sim_trace_end(r);
}

/* The node's decision on the result: NULL accepts (transfer full). */
static SmtpReply *
spf_job_reply(SpfJob *job)
{
    const AuthChecksSpec *c = &job->sa->spec->checks;
    const SenderAuthSpf *s = job->res;
    gboolean reject = (s->result == SPF_RESULT_FAIL && c->spf_fail == SPEC_SPF_REJECT) ||
                      (s->result == SPF_RESULT_SOFTFAIL && c->spf_softfail == SPEC_SPF_REJECT);
    if (!reject)
        return NULL;
    /* RFC 7372 3.2: X.7.23 "SPF validation failed". */
    return smtp_reply_new(550, "5.7.23", "SPF %s: %s", spf_result_name(s->result), s->explanation);
}

static void
spf_job_finish(SpfJob *job, SpfAct *act)
{
    SenderAuth *sa = job->sa;
    Node *node = sa->node;
    World *w = node->world;
    SenderAuthSpf *s = job->res;
    s->result = act->result;
    s->mechanism = g_strdup(act->mechanism);
    gboolean is_error = s->result == SPF_RESULT_PERMERROR || s->result == SPF_RESULT_TEMPERROR;
    if (act->explanation)
        s->explanation = g_strdup(act->explanation);
    else if (is_error && job->last_step)
        s->explanation = g_strdup(job->last_step);
    else
        s->explanation = sender_auth_spf_default_reason(s);
    spf_job_trace(job, spf_check_get_lookups(job->check));
    TrackMsg *m = tracker_find(w->tracker, job->msg_id);
    if (m)
        track_msg_note(m, node->name, "spf", spf_result_name(s->result));
    g_autoptr(SmtpReply) reply = spf_job_reply(job);
    if (reply) {
        SimTraceRec *r = world_trace(w, "msg.reject", node->name);
        if (job->msg_id)
            sim_trace_str(r, "msg", job->msg_id);
        sim_trace_str(r, "from", s->sender);
        sim_trace_int(r, "code", reply->code);
        sim_trace_str(r, "reason", smtp_reply_text(reply));
        sim_trace_end(r);
        g_hash_table_remove(sa->spf, &job->conn_id);
    } else {
        guint64 *key = g_new(guint64, 1);
        *key = job->conn_id;
        g_hash_table_replace(sa->spf, key, g_steal_pointer(&job->res));
    }
    smtp_server_session_answer(job->ss, reply);
    spf_job_free(job);
}

static void spf_job_pump(SpfJob *job);

static void
spf_job_on_dns(World *w, const DnsAnswer *answer, gpointer user_data)
{
    SpfJob *job = user_data;
    /* A CNAME chain's own records are the resolver's business (spf.h). */
    GArray *recs = g_array_new(FALSE, TRUE, sizeof(SpfAnswerRecord));
    for (guint i = 0; answer->records && i < answer->records->len; i++) {
        const DnsRecord *d = answer->records->pdata[i];
        if (d->type != job->type)
            continue;
        SpfAnswerRecord r = {
            .text = d->text,
            .pref = d->pref,
            .strings = (const char *const *)d->strings,
        };
        g_array_append_val(recs, r);
    }
    SpfAnswer ans = {
        .rcode = answer->rcode,
        .records = (const SpfAnswerRecord *)recs->data,
        .n_records = recs->len,
    };
    spf_check_answer(job->check, job->query_id, &ans);
    g_array_unref(recs);
    spf_job_pump(job);
}

static void
spf_job_pump(SpfJob *job)
{
    Node *node = job->sa->node;
    SpfAct act = {0};
    while (spf_check_poll(job->check, &act)) {
        switch (act.kind) {
        case SPF_ACT_QUERY:
            job->query_id = act.query_id;
            job->type = act.type;
            world_resolve(node->world, node, act.name, act.type, spf_job_on_dns, job);
            spf_act_clear(&act);
            return;
        case SPF_ACT_STEP: {
            SimTraceRec *r = world_trace(node->world, "spf.step", node->name);
            if (job->msg_id)
                sim_trace_str(r, "msg", job->msg_id);
            sim_trace_str(r, "text", act.text);
            sim_trace_end(r);
            g_free(job->last_step);
            job->last_step = g_strdup(act.text);
            break;
        }
        case SPF_ACT_DONE:
            spf_job_finish(job, &act);
            spf_act_clear(&act);
            return;
        default:
            break;
        }
        spf_act_clear(&act);
    }
}

gboolean
sender_auth_on_mail(SenderAuth *sa, SmtpServerSession *ss, const SmtpServerQuery *q)
{
    if (sa == NULL || !sa->spec->checks.spf)
        return FALSE;
    World *w = sa->node->world;
    SpfJob *job = g_new0(SpfJob, 1);
    job->sa = sa;
    job->ss = ss;
    job->conn_id = smtp_server_session_conn_id(ss);
    job->msg_id = g_strdup(tracker_conn_tag(w->tracker, job->conn_id));
    SenderAuthSpf *s = job->res = g_new0(SenderAuthSpf, 1);
    const char *helo = smtp_server_session_helo(ss);
    s->helo = g_strdup(helo);
    s->ip = g_strdup(smtp_server_session_client_ip(ss));
    s->sender = g_strdup(q->addr ? q->addr : "");
    /* RFC 7208 2.4: a null reverse path is checked as postmaster@HELO. */
    s->identity = s->sender[0] ? SPF_IDENTITY_MAILFROM : SPF_IDENTITY_HELO;
    const char *at = strrchr(s->sender, '@');
    s->domain = g_ascii_strdown(s->sender[0] ? (at ? at + 1 : s->sender) : (helo ? helo : ""), -1);
    SpfRequest req = {
        .ip = s->ip,
        .sender = s->sender[0] ? s->sender : NULL,
        .helo = helo,
        .receiver = sa->node->hostname,
        .identity = s->identity,
        .now_unix = world_unix_now(w),
    };
    job->check = spf_check_new(&req);
    spf_job_pump(job);
    return TRUE;
}
