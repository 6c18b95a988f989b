/* SPDX-License-Identifier: MIT
 * sender_auth: the node's signer/checker and the DATA pipeline of a
 * receiving mta: DKIM verification (RFC 6376 6), DMARC (RFC 7489 6.6) with
 * the SPF outcome of MAIL and the passing DKIM domains, then either 550
 * 5.7.1 (p=reject, enforced) or acceptance with Authentication-Results
 * (RFC 8601 2.2; fields claiming our authserv-id are removed first, 5) and
 * Received-SPF (RFC 7208 9.1). p=quarantine, enforced, is kept as an
 * "X-Quarantine" field for the store and the student to see; a real MTA
 * would file it as spam. Reports (rua/ruf) are not sent.
 */
#include "nodes/sender_auth_private.h"

#include <string.h>

#include "proto/dmarc.h"
#include "proto/message.h"

/* Used when the scenario gives no Public Suffix List: the suffixes of the
 * usual lab domains (RFC 2606 names included). */
static const char *const sender_auth_psl_default[] = {
    "com",    "net",     "org",   "edu",     "gov",       "mil",    "int",   "arpa",
    "info",   "biz",     "io",    "it",      "fr",        "de",     "eu",    "nl",
    "ch",     "es",      "us",    "ca",      "jp",        "cn",     "br",    "in",
    "au",     "uk",      "co.uk", "ac.uk",   "org.uk",    "gov.uk", "co.jp", "com.au",
    "com.br", "example", "test",  "invalid", "localhost", "local",  NULL,
};

SenderAuth *
sender_auth_new(Node *node)
{
    const NodeSpec *spec = node->spec;
    const AuthChecksSpec *c = &spec->checks;
    if (spec->dkim.domain == NULL && !c->spf && !c->dkim && !c->dmarc &&
        spec->rewrite.body_append == NULL && !spec->rewrite.rewrap_headers)
        return NULL;
    SenderAuth *sa = g_new0(SenderAuth, 1);
    sa->node = node;
    sa->spec = spec;
    sa->spf = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify)sender_auth_spf_free);
    sa->key = dkim_signer_key_new(node);
    if (c->dkim)
        sa->dkim_keys = dkim_key_cache_new();
    return sa;
}

void
sender_auth_free(SenderAuth *sa)
{
    if (sa == NULL)
        return;
    dkim_private_key_free(sa->key);
    dkim_key_cache_free(sa->dkim_keys);
    psl_free(sa->psl);
    g_hash_table_unref(sa->spf);
    g_free(sa);
}

static const Psl *
sender_auth_psl(SenderAuth *sa)
{
    if (sa->psl)
        return sa->psl;
    const WorldSpec *ws = sa->node->world->spec;
    sa->psl = psl_new();
    if (ws->psl_text)
        psl_add_list(sa->psl, ws->psl_text, strlen(ws->psl_text));
    else
        for (guint i = 0; sender_auth_psl_default[i]; i++)
            psl_add_rule(sa->psl, sender_auth_psl_default[i]);
    for (char **r = ws->psl_rules; r && *r; r++)
        psl_add_rule(sa->psl, *r);
    return sa->psl;
}

/* ---- the DATA job ---- */

typedef struct {
    SenderAuth *sa;
    SmtpServerSession *ss;
    SenderAuthAcceptFunc accept;
    SmtpServerQuery q;  /* the fields of the DATA query the relay reads (owned) */
    char *msg_id;       /* nullable */
    SenderAuthSpf *spf; /* nullable: a copy of the MAIL outcome */
    DkimVerifier *dkim; /* nullable */
    guint dkim_pending;
    GPtrArray *dkim_pass; /* char*: d= of passing signatures */
    char *dkim_verdict;   /* aggregated: pass, fail, none... */
    GString *ar_dkim;     /* dkim= resinfo parts */
    char *from_domain;    /* nullable */
    DmarcCheck *dmarc;    /* nullable */
    guint32 dmarc_query;
    GString *ar_dmarc; /* dmarc= resinfo (empty: not evaluated) */
    DmarcPolicy disposition;
    gboolean dmarc_failed;
} DataJob;

typedef struct {
    DataJob *job;
    guint32 query_id;
} DataKeyQuery;

static void
data_job_free(DataJob *job)
{
    g_clear_pointer(&job->q.message, g_bytes_unref);
    g_free(job->q.mail_from);
    g_strfreev(job->q.rcpts);
    g_free(job->msg_id);
    sender_auth_spf_free(job->spf);
    dkim_verifier_free(job->dkim);
    g_ptr_array_unref(job->dkim_pass);
    g_free(job->dkim_verdict);
    g_string_free(job->ar_dkim, TRUE);
    g_free(job->from_domain);
    dmarc_check_free(job->dmarc);
    g_string_free(job->ar_dmarc, TRUE);
    g_free(job);
}

static void
data_job_note(DataJob *job, const char *key, const char *value)
{
    TrackMsg *m = tracker_find(job->sa->node->world->tracker, job->msg_id);
    if (m)
        track_msg_note(m, job->sa->node->name, key, value);
}

/* RFC 8601 2.2: authserv-id; resinfo; ... ("none" when nothing ran). */
static char *
data_job_auth_results(DataJob *job)
{
    GString *v = g_string_new(job->sa->node->hostname);
    const SenderAuthSpf *s = job->spf;
    if (s && s->identity == SPF_IDENTITY_HELO)
        g_string_append_printf(v, "; spf=%s smtp.helo=%s", spf_result_name(s->result), s->domain);
    else if (s)
        g_string_append_printf(v, "; spf=%s smtp.mailfrom=%s", spf_result_name(s->result),
                               s->domain);
    if (job->ar_dkim->len)
        g_string_append_printf(v, "; %s", job->ar_dkim->str);
    if (job->ar_dmarc->len)
        g_string_append_printf(v, "; %s", job->ar_dmarc->str);
    if (v->len == strlen(job->sa->node->hostname))
        g_string_append(v, "; none");
    return g_string_free(v, FALSE);
}

/* RFC 8601 5: fields that claim to come from us were forged upstream. */
static void
data_job_drop_forged(MailMessage *m, const char *authserv_id)
{
    gsize n = strlen(authserv_id);
    gint i = 0;
    while ((i = mail_message_find(m, "Authentication-Results", (guint)i)) >= 0) {
        const char *v = mail_message_field_value(m, (guint)i);
        if (g_ascii_strncasecmp(v, authserv_id, n) == 0 &&
            (v[n] == ';' || v[n] == ' ' || v[n] == '\t' || v[n] == '\0'))
            mail_message_remove_at(m, (guint)i);
        else
            i++;
    }
}

static void
data_job_finish(DataJob *job)
{
    SenderAuth *sa = job->sa;
    Node *node = sa->node;
    if (job->dmarc_failed && sa->spec->checks.dmarc_enforce &&
        job->disposition == DMARC_POLICY_REJECT) {
        g_autoptr(SmtpReply) r = smtp_reply_new(
            550, "5.7.1", "Email rejected per DMARC policy for %s", job->from_domain);
        SimTraceRec *tr = world_trace(node->world, "msg.reject", node->name);
        if (job->msg_id)
            sim_trace_str(tr, "msg", job->msg_id);
        sim_trace_str(tr, "from", job->q.mail_from);
        sim_trace_int(tr, "code", r->code);
        sim_trace_str(tr, "reason", smtp_reply_text(r));
        sim_trace_end(tr);
        smtp_server_session_answer(job->ss, r);
        data_job_free(job);
        return;
    }
    g_autoptr(MailMessage) m = mail_message_parse_bytes(job->q.message, NULL);
    const AuthChecksSpec *c = &sa->spec->checks;
    if (job->spf || c->dkim || c->dmarc) {
        data_job_drop_forged(m, node->hostname);
        if (job->spf) {
            g_autofree char *rs = sender_auth_spf_received(job->spf, node->hostname);
            mail_message_prepend(m, "Received-SPF", rs);
        }
        g_autofree char *ar = data_job_auth_results(job);
        mail_message_prepend(m, "Authentication-Results", ar);
        if (job->dmarc_failed && c->dmarc_enforce && job->disposition == DMARC_POLICY_QUARANTINE) {
            g_autofree char *x =
                g_strdup_printf("DMARC policy quarantine for %s", job->from_domain);
            mail_message_prepend(m, "X-Quarantine", x);
        }
    }
    g_autoptr(GBytes) checked = mail_message_serialize(m);
    g_bytes_unref(job->q.message);
    job->q.message = dkim_signer_rewrite(node, checked);
    job->accept(node, job->ss, &job->q);
    data_job_free(job);
}

/* ---- DMARC ---- */

static void data_job_dmarc_pump(DataJob *job);

static void
data_job_dmarc_on_dns(World *w, const DnsAnswer *answer, gpointer user_data)
{
    DataJob *job = user_data;
    DmarcDnsStatus st = answer->rcode == DNS_RCODE_NOERROR    ? DMARC_DNS_FOUND
                        : answer->rcode == DNS_RCODE_NXDOMAIN ? DMARC_DNS_NXDOMAIN
                        : answer->rcode == DNS_RCODE_SERVFAIL ? DMARC_DNS_SERVFAIL
                                                              : DMARC_DNS_TIMEOUT;
    GPtrArray *recs = g_ptr_array_new();
    for (guint i = 0; answer->records && i < answer->records->len; i++) {
        const DnsRecord *d = answer->records->pdata[i];
        if (d->type == DNS_RR_TXT)
            g_ptr_array_add(recs, d->text);
    }
    g_ptr_array_add(recs, NULL);
    dmarc_check_answer(job->dmarc, job->dmarc_query, st, (const char *const *)recs->pdata);
    g_ptr_array_unref(recs);
    data_job_dmarc_pump(job);
}

static void
data_job_dmarc_done(DataJob *job)
{
    Node *node = job->sa->node;
    const DmarcOutcome *o = dmarc_check_outcome(job->dmarc);
    job->disposition = o->disposition;
    job->dmarc_failed = o->result == DMARC_RESULT_FAIL;
    SimTraceRec *r = world_trace(node->world, "dmarc.result", node->name);
    if (job->msg_id)
        sim_trace_str(r, "msg", job->msg_id);
    sim_trace_str(r, "from_domain", job->from_domain);
    sim_trace_str(r, "result", dmarc_result_name(o->result));
    sim_trace_str(r, "policy", dmarc_policy_name(o->policy));
    sim_trace_str(r, "disposition", dmarc_policy_name(o->disposition));
    sim_trace_bool(r, "spf_aligned", o->spf_aligned);
    sim_trace_bool(r, "dkim_aligned", o->dkim_aligned);
    if (o->record_domain)
        sim_trace_str(r, "record", o->record_domain);
    if (o->detail)
        sim_trace_str(r, "reason", o->detail);
    sim_trace_bool(r, "enforced", job->sa->spec->checks.dmarc_enforce);
    sim_trace_end(r);
    data_job_note(job, "dmarc", dmarc_result_name(o->result));
    g_string_append_printf(job->ar_dmarc, "dmarc=%s", dmarc_result_name(o->result));
    if (o->record)
        g_string_append_printf(job->ar_dmarc, " (p=%s dis=%s)", dmarc_policy_name(o->policy),
                               dmarc_policy_name(o->disposition));
    g_string_append_printf(job->ar_dmarc, " header.from=%s", job->from_domain);
}

static void
data_job_dmarc_pump(DataJob *job)
{
    Node *node = job->sa->node;
    DmarcCheckAct act = {0};
    while (dmarc_check_poll(job->dmarc, &act)) {
        if (act.kind == DMARC_CHECK_ACT_NEED_TXT) {
            job->dmarc_query = act.query_id;
            world_resolve(node->world, node, act.qname, DNS_RR_TXT, data_job_dmarc_on_dns, job);
            dmarc_check_act_clear(&act);
            return;
        }
        gboolean done = act.kind == DMARC_CHECK_ACT_DONE;
        dmarc_check_act_clear(&act);
        if (done) {
            data_job_dmarc_done(job);
            data_job_finish(job);
            return;
        }
    }
}

static void
data_job_dmarc_start(DataJob *job)
{
    SenderAuth *sa = job->sa;
    job->from_domain = sender_auth_from_domain(job->q.message);
    if (!sa->spec->checks.dmarc || job->from_domain == NULL) {
        if (sa->spec->checks.dmarc)
            g_string_append(job->ar_dmarc, "dmarc=none reason=\"no From domain\"");
        data_job_finish(job);
        return;
    }
    /* RFC 7489 4.1: SPF counts with the identity it checked, MAIL FROM or
     * HELO. */
    const char *spf_domain =
        job->spf && job->spf->result == SPF_RESULT_PASS ? job->spf->domain : NULL;
    g_ptr_array_add(job->dkim_pass, NULL);
    DmarcCheckInput in = {
        .from_domain = job->from_domain,
        .spf_domain = spf_domain,
        .dkim_domains = (const char *const *)job->dkim_pass->pdata,
        .psl = sender_auth_psl(sa),
        .roll = dmarc_roll(node_rng(sa->node)),
    };
    job->dmarc = dmarc_check_new(&in);
    g_ptr_array_remove_index(job->dkim_pass, job->dkim_pass->len - 1);
    data_job_dmarc_pump(job);
}

/* ---- DKIM ---- */

static void data_job_dkim_pump(DataJob *job);

static void
data_job_dkim_on_dns(World *w, const DnsAnswer *answer, gpointer user_data)
{
    DataKeyQuery *kq = user_data;
    DataJob *job = kq->job;
    DkimDnsStatus st = answer->rcode == DNS_RCODE_NOERROR    ? DKIM_DNS_FOUND
                       : answer->rcode == DNS_RCODE_NXDOMAIN ? DKIM_DNS_NXDOMAIN
                       : answer->rcode == DNS_RCODE_SERVFAIL ? DKIM_DNS_SERVFAIL
                                                             : DKIM_DNS_TIMEOUT;
    GPtrArray *recs = g_ptr_array_new();
    for (guint i = 0; answer->records && i < answer->records->len; i++) {
        const DnsRecord *d = answer->records->pdata[i];
        if (d->type == DNS_RR_TXT)
            g_ptr_array_add(recs, d->text);
    }
    g_ptr_array_add(recs, NULL);
    dkim_verifier_answer(job->dkim, kq->query_id, st, (const char *const *)recs->pdata);
    g_ptr_array_unref(recs);
    g_free(kq);
    job->dkim_pending--;
    data_job_dkim_pump(job);
}

/* RFC 8601 2.7.1: pass wins, then fail, then the first signature's result. */
static void
data_job_dkim_done(DataJob *job)
{
    Node *node = job->sa->node;
    guint n = dkim_verifier_n_results(job->dkim);
    const char *verdict = n == 0 ? "none" : NULL;
    for (guint i = 0; i < n; i++) {
        const DkimSigResult *res = dkim_verifier_result(job->dkim, i);
        SimTraceRec *r = world_trace(node->world, "dkim.verify", node->name);
        if (job->msg_id)
            sim_trace_str(r, "msg", job->msg_id);
        sim_trace_str(r, "d", res->domain ? res->domain : "");
        sim_trace_str(r, "s", res->selector ? res->selector : "");
        sim_trace_str(r, "a", dkim_alg_name(res->alg));
        sim_trace_str(r, "result", dkim_result_name(res->result));
        if (res->reason != DKIM_REASON_NONE)
            sim_trace_str(r, "reason", dkim_reason_name(res->reason));
        if (res->detail)
            sim_trace_str(r, "detail", res->detail);
        sim_trace_end(r);
        if (i > 0)
            g_string_append(job->ar_dkim, "; ");
        g_string_append_printf(job->ar_dkim, "dkim=%s", dkim_result_name(res->result));
        if (res->reason != DKIM_REASON_NONE)
            g_string_append_printf(job->ar_dkim, " reason=\"%s\"", dkim_reason_name(res->reason));
        if (res->domain)
            g_string_append_printf(job->ar_dkim, " header.d=%s", res->domain);
        if (res->selector)
            g_string_append_printf(job->ar_dkim, " header.s=%s", res->selector);
        g_string_append_printf(job->ar_dkim, " header.a=%s", dkim_alg_name(res->alg));
        if (res->result == DKIM_RESULT_PASS) {
            g_ptr_array_add(job->dkim_pass, g_strdup(res->domain));
            verdict = "pass";
        } else if (res->result == DKIM_RESULT_FAIL && verdict == NULL) {
            verdict = "fail";
        }
    }
    if (verdict == NULL)
        verdict = dkim_result_name(dkim_verifier_result(job->dkim, 0)->result);
    if (n == 0)
        g_string_append(job->ar_dkim, "dkim=none");
    data_job_note(job, "dkim", verdict);
}

static void
data_job_dkim_pump(DataJob *job)
{
    Node *node = job->sa->node;
    DkimVerifierAct act = {0};
    while (dkim_verifier_poll(job->dkim, &act)) {
        if (act.kind == DKIM_VERIFIER_ACT_NEED_KEY) {
            DataKeyQuery *kq = g_new0(DataKeyQuery, 1);
            kq->job = job;
            kq->query_id = act.query_id;
            job->dkim_pending++;
            world_resolve(node->world, node, act.qname, DNS_RR_TXT, data_job_dkim_on_dns, kq);
        } else if (act.kind == DKIM_VERIFIER_ACT_DONE) {
            dkim_verifier_act_clear(&act);
            data_job_dkim_done(job);
            data_job_dmarc_start(job);
            return;
        }
        dkim_verifier_act_clear(&act);
    }
}

static SenderAuthSpf *
sender_auth_spf_copy(const SenderAuthSpf *s)
{
    if (s == NULL)
        return NULL;
    SenderAuthSpf *c = g_new0(SenderAuthSpf, 1);
    c->result = s->result;
    c->identity = s->identity;
    c->domain = g_strdup(s->domain);
    c->sender = g_strdup(s->sender);
    c->helo = g_strdup(s->helo);
    c->ip = g_strdup(s->ip);
    c->mechanism = g_strdup(s->mechanism);
    c->explanation = g_strdup(s->explanation);
    return c;
}

void
sender_auth_on_data(SenderAuth *sa, Node *node, SmtpServerSession *ss, const SmtpServerQuery *q,
                    SenderAuthAcceptFunc accept)
{
    if (sa == NULL) {
        accept(node, ss, q);
        return;
    }
    World *w = node->world;
    guint64 conn_id = smtp_server_session_conn_id(ss);
    DataJob *job = g_new0(DataJob, 1);
    job->sa = sa;
    job->ss = ss;
    job->accept = accept;
    job->q.id = q->id;
    job->q.kind = q->kind;
    job->q.message = g_bytes_ref(q->message);
    job->q.mail_from = g_strdup(q->mail_from);
    job->q.rcpts = g_strdupv(q->rcpts);
    job->q.is_tls = q->is_tls;
    job->q.is_authenticated = q->is_authenticated;
    job->msg_id = g_strdup(tracker_conn_tag(w->tracker, conn_id));
    job->spf = sender_auth_spf_copy(sender_auth_spf_lookup(sa, conn_id));
    /* The next transaction on this connection gets its own MAIL check. */
    g_hash_table_remove(sa->spf, &conn_id);
    job->dkim_pass = g_ptr_array_new_with_free_func(g_free);
    job->ar_dkim = g_string_new(NULL);
    job->ar_dmarc = g_string_new(NULL);
    if (sa->spec->checks.dkim) {
        gsize len;
        const guint8 *data = g_bytes_get_data(q->message, &len);
        DkimVerifyConfig cfg = {.now_unix = world_unix_now(w), .key_cache = sa->dkim_keys};
        job->dkim = dkim_verifier_new_full(data, len, &cfg);
        data_job_dkim_pump(job);
    } else {
        data_job_dmarc_start(job);
    }
}
