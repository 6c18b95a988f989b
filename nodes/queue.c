/* SPDX-License-Identifier: MIT
 * queue: routing, delivery attempts, retries with backoff; the reports
 * (DSN bounces and RFC 3461 reports) are written by nodes/queue_dsn.c.
 * RFC 5321 4.5.4.1 (retry strategy), 5.1 (MX, implicit MX).
 */
#include "nodes/queue.h"
#include "nodes/queue_private.h"

#include <string.h>

#include "nodes/copies_private.h"
#include "nodes/smtp_session.h"
#include "nodes/world_private.h"
#include "proto/mail_date.h"

/* One delivery: recipients that share a next hop. */
typedef struct {
    QueueEntry *entry;
    GPtrArray *rcpts;     /* QueueRcpt* borrowed from entry */
    char *domain;         /* the recipients' domain, lower case, after the struct */
    GPtrArray *hosts;     /* candidate host names, in order */
    guint next_host;
    const char *host;     /* the host being tried (in hosts), or NULL */
    char *last_error;     /* (nullable) why the last host failed at connection level */
    gboolean sasl;        /* AUTH to the relayhost on this delivery */
} QueueDelivery;

static void queue_attempt(QueueEntry *e);
static void queue_delivery_try_next(QueueDelivery *d);
static void queue_delivery_done(QueueDelivery *d);
static void queue_route_mx(QueueDelivery *d);
static void queue_delivery_free(QueueDelivery *d);

static void
queue_rcpt_free(QueueRcpt *r)
{
    g_free(r->last_reply);
    g_free(r->remote);
    g_free(r);
}

static void
queue_entry_free(QueueEntry *e)
{
    QueuePool *pool = &e->queue->pool;
    queue_pool_give(pool, e->rcpts);
    g_bytes_unref(e->data);
    g_free(e->envid);
    queue_pool_give(pool, e->deliveries);
    g_free(e);
}

Queue *
queue_new(Node *node)
{
    Queue *q = g_new0(Queue, 1);
    q->node = node;
    q->entries = g_ptr_array_new_with_free_func((GDestroyNotify)queue_entry_free);
    return q;
}

void
queue_free(Queue *q)
{
    if (q == NULL)
        return;
    g_ptr_array_unref(q->entries);
    queue_pool_clear(&q->pool);
    g_free(q);
}

guint
queue_length(const Queue *q)
{
    return q->entries->len;
}

static void
queue_attempt_event(SimWorld *sim, gpointer data)
{
    QueueEntry *e = data;
    e->retry_ev = 0;
    if (e->queue->node->down)
        return; /* crashed: the message waits on disk for queue_resume() */
    queue_attempt(e);
}

void
queue_submit(Queue *q, const char *msg_id, const char *queue_id, const char *mail_from,
             const char *const *rcpts, GBytes *data)
{
    queue_submit_dsn(q, msg_id, queue_id, mail_from, rcpts, data, NULL);
}

void
queue_submit_dsn(Queue *q, const char *msg_id, const char *queue_id, const char *mail_from,
                 const char *const *rcpts, GBytes *data, const QueueDsn *dsn)
{
    World *w = q->node->world;
    /* The entry and its three fixed strings in one allocation: one per
     * message and hop. */
    gsize qlen = strlen(queue_id) + 1, mlen = strlen(msg_id) + 1, flen = strlen(mail_from) + 1;
    QueueEntry *e = g_malloc0(sizeof *e + qlen + mlen + flen);
    e->queue = q;
    e->qid = memcpy((char *)(e + 1), queue_id, qlen);
    e->msg_id = memcpy(e->qid + qlen, msg_id, mlen);
    e->mail_from = memcpy(e->msg_id + mlen, mail_from, flen);
    e->rcpts = queue_pool_take(&q->pool, (GDestroyNotify)queue_rcpt_free);
    e->deliveries = queue_pool_take(&q->pool, (GDestroyNotify)queue_delivery_free);
    for (guint i = 0; rcpts[i]; i++) {
        /* Postfix cleanup(8): a recipient given twice is kept once; each
         * delivery outcome is matched back by address. */
        gboolean dup = FALSE;
        for (guint k = 0; k < e->rcpts->len && !dup; k++)
            dup = g_ascii_strcasecmp(((QueueRcpt *)e->rcpts->pdata[k])->address, rcpts[i]) == 0;
        if (dup)
            continue;
        const char *orcpt = dsn && dsn->orcpt && dsn->orcpt[i] ? dsn->orcpt[i] : "";
        gsize alen = strlen(rcpts[i]) + 1, olen = strlen(orcpt) + 1;
        QueueRcpt *r = g_malloc0(sizeof *r + alen + olen);
        r->address = memcpy((char *)(r + 1), rcpts[i], alen);
        r->orcpt = memcpy(r->address + alen, orcpt, olen);
        r->notify = dsn && dsn->notify ? dsn->notify[i] : 0;
        g_ptr_array_add(e->rcpts, r);
    }
    e->ret = dsn ? dsn->ret : SMTP_DSN_RET_NONE;
    e->envid = dsn ? g_strdup(dsn->envid) : NULL;
    e->data = g_bytes_ref(data);
    e->arrived = sim_world_now(w->sim);
    e->arrived_unix = world_unix_now(w);
    g_ptr_array_add(q->entries, e);
    copies_hold(w, msg_id, q->node->name, COPY_KIND_QUEUE, queue_id);
    e->retry_ev = sim_world_schedule_in(w->sim, 0, queue_attempt_event, e, NULL);
    /* Postfix delay_warning_time: one "delayed" report if still queued then. */
    if (q->node->spec->delay_warning > 0 && mail_from[0] != '\0')
        e->delay_ev =
            sim_world_schedule_in(w->sim, q->node->spec->delay_warning, queue_delay_event, e, NULL);
}

static gboolean
queue_domain_in(const char *domain, char *const *list)
{
    for (char *const *p = list; p && *p; p++)
        if (g_ascii_strcasecmp(*p, domain) == 0)
            return TRUE;
    return FALSE;
}

static const char *
queue_domain_of(const char *address)
{
    const char *at = strrchr(address, '@');
    return at ? at + 1 : "";
}

/* The first hop for domain: a fixed host (local store or relayhost), or
 * NULL to route by MX. */
static const char *
queue_fixed_route(Queue *q, const char *domain)
{
    const NodeSpec *spec = q->node->spec;
    if (spec->deliver_to && queue_domain_in(domain, spec->local_domains))
        return spec->deliver_to;
    if (spec->role == SPEC_ROLE_GATEWAY && spec->connect != NULL)
        return spec->connect; /* the real server's stand-in host (gateway_node.h) */
    return spec->relayhost;
}

/* Starts every delivery of this attempt: recipients grouped by domain. */
static void
queue_attempt(QueueEntry *e)
{
    Queue *q = e->queue;
    World *w = q->node->world;
    e->attempts++;
    /* Groups in domain order of first appearance: deterministic. A message
     * has few domains, so a scan beats a hash table built per attempt; the
     * groups are the deliveries this attempt appends to e->deliveries. */
    guint first = e->deliveries->len;
    for (guint i = 0; i < e->rcpts->len; i++) {
        QueueRcpt *r = e->rcpts->pdata[i];
        if (r->state != QUEUE_RCPT_PENDING)
            continue;
        const char *domain = queue_domain_of(r->address);
        QueueDelivery *d = NULL;
        for (guint k = first; d == NULL && k < e->deliveries->len; k++)
            if (g_ascii_strcasecmp(((QueueDelivery *)e->deliveries->pdata[k])->domain, domain) == 0)
                d = e->deliveries->pdata[k];
        if (d == NULL) {
            gsize dlen = strlen(domain);
            d = g_malloc0(sizeof *d + dlen + 1);
            d->entry = e;
            d->rcpts = queue_pool_take(&q->pool, NULL);
            d->domain = (char *)(d + 1);
            for (gsize k = 0; k <= dlen; k++)
                d->domain[k] = g_ascii_tolower(domain[k]);
            d->hosts = queue_pool_take(&q->pool, g_free);
            g_ptr_array_add(e->deliveries, d);
        }
        g_ptr_array_add(d->rcpts, r);
        r->in_flight = TRUE;
    }
    /* A delivery can end (and leave e->deliveries) as it starts: the groups
     * are copied out first, on the stack for the usual few. */
    guint n = e->deliveries->len - first;
    QueueDelivery *few[8];
    QueueDelivery **starts = n <= G_N_ELEMENTS(few) ? few : g_new(QueueDelivery *, n);
    memcpy(starts, e->deliveries->pdata + first, n * sizeof *starts);
    e->groups_open = n;
    SimTraceRec *tr = world_trace(w, "queue.attempt", q->node->name);
    sim_trace_str(tr, "qid", e->qid);
    sim_trace_str(tr, "msg", e->msg_id);
    sim_trace_int(tr, "attempt", e->attempts);
    sim_trace_end(tr);
    for (guint i = 0; i < n; i++) {
        QueueDelivery *d = starts[i];
        const char *fixed = queue_fixed_route(q, d->domain);
        if (fixed) {
            g_ptr_array_add(d->hosts, g_strdup(fixed));
            queue_delivery_try_next(d);
        } else {
            queue_route_mx(d);
        }
    }
    if (starts != few)
        g_free(starts);
}

static void
queue_delivery_free(QueueDelivery *d)
{
    QueuePool *pool = &d->entry->queue->pool;
    queue_pool_give(pool, d->rcpts);
    queue_pool_give(pool, d->hosts);
    g_free(d->last_error);
    g_free(d);
}

/* Every recipient of d failed temporarily for reason (no host reachable). */
static void
queue_delivery_tempfail_all(QueueDelivery *d, const char *reason)
{
    for (guint i = 0; i < d->rcpts->len; i++) {
        QueueRcpt *r = d->rcpts->pdata[i];
        g_free(r->last_reply);
        r->last_reply = g_strdup(reason);
        g_strlcpy(r->last_status, "4.4.1", sizeof r->last_status);
        r->last_code = 0;
    }
    queue_delivery_done(d);
}

static gint
queue_mx_cmp(gconstpointer a, gconstpointer b)
{
    const DnsRecord *x = *(DnsRecord *const *)a, *y = *(DnsRecord *const *)b;
    return (gint)x->pref - (gint)y->pref;
}

static void
queue_on_mx(World *w, const DnsAnswer *ans, gpointer user_data)
{
    QueueDelivery *d = user_data;
    if (ans->rcode == DNS_RCODE_SERVFAIL || ans->rcode == DNS_RCODE_TIMEOUT) {
        queue_delivery_tempfail_all(d, "Host or domain name not found: MX lookup failed");
        return;
    }
    if (ans->rcode == DNS_RCODE_NXDOMAIN) {
        /* RFC 5321 5.1: a domain that does not exist is a permanent error. */
        for (guint i = 0; i < d->rcpts->len; i++) {
            QueueRcpt *r = d->rcpts->pdata[i];
            r->state = QUEUE_RCPT_FAILED;
            g_free(r->last_reply);
            r->last_reply = g_strdup_printf("Host or domain name not found: %s", d->domain);
            g_strlcpy(r->last_status, "5.1.2", sizeof r->last_status);
            r->last_code = 550;
        }
        queue_delivery_done(d);
        return;
    }
    if (ans->records->len == 0) {
        /* RFC 5321 5.1: no MX, the domain itself is the implicit MX. */
        g_ptr_array_add(d->hosts, g_strdup(d->domain));
    } else {
        /* Stable sort by preference: equal preferences keep zone order
         * (a real MTA randomises them; determinism matters more here). */
        g_autoptr(GPtrArray) mx = g_ptr_array_copy(ans->records, NULL, NULL);
        g_ptr_array_sort(mx, queue_mx_cmp);
        for (guint i = 0; i < mx->len; i++)
            g_ptr_array_add(d->hosts, g_strdup(((DnsRecord *)mx->pdata[i])->text));
    }
    queue_delivery_try_next(d);
}

static void
queue_route_mx(QueueDelivery *d)
{
    Node *node = d->entry->queue->node;
    world_resolve(node->world, node, d->domain, DNS_RR_MX, queue_on_mx, d);
}

static void queue_delivery_connect(QueueDelivery *d, const char *ip, Node *target);

static void
queue_on_a(World *w, const DnsAnswer *ans, gpointer user_data)
{
    QueueDelivery *d = user_data;
    if (ans->rcode != DNS_RCODE_NOERROR || ans->records->len == 0) {
        queue_delivery_try_next(d);
        return;
    }
    queue_delivery_connect(d, ((DnsRecord *)ans->records->pdata[0])->text, world_node(w, d->host));
}

/* Tries the next candidate host, or ends the delivery when none is left. */
static void
queue_delivery_try_next(QueueDelivery *d)
{
    Node *node = d->entry->queue->node;
    World *w = node->world;
    if (d->next_host >= d->hosts->len) {
        g_autofree char *why = d->last_error ? g_strdup(d->last_error)
                               : d->host     ? g_strdup_printf("connect to %s failed", d->host)
                                             : g_strdup("no route to destination");
        queue_delivery_tempfail_all(d, why);
        return;
    }
    if (node->down) {
        /* Crashed meanwhile: this attempt ends, the message stays queued. */
        queue_delivery_tempfail_all(d, "local system crashed during delivery");
        return;
    }
    d->host = d->hosts->pdata[d->next_host++]; /* the string lives in hosts */
    /* A node of the scenario by name needs no DNS (relayhost: node). */
    Node *target = world_node(w, d->host);
    if (target != NULL) {
        queue_delivery_connect(d, node_ip(target), target);
        return;
    }
    /* Nor does another host of the network (a gateway's real server). */
    SimHost *host = sim_net_host_by_name(w->net, d->host);
    if (host != NULL && sim_host_address(host) != 0) {
        char ip[16];
        queue_delivery_connect(d, sim_ipv4_format(sim_host_address(host), ip), NULL);
        return;
    }
    world_resolve(w, node, d->host, DNS_RR_A, queue_on_a, d);
}

static void queue_delivery_on_done(SmtpClientSession *cs, const SmtpClientOutcome *o,
                                   gpointer user_data);

/* target: the scenario's node named d->host, or NULL (found by the caller). */
static void
queue_delivery_connect(QueueDelivery *d, const char *ip, Node *target)
{
    QueueEntry *e = d->entry;
    Node *node = e->queue->node;
    /* The client copies what it keeps: borrowed vectors, one block. */
    guint n = d->rcpts->len;
    g_autofree const char **rcpts = g_malloc(2 * (n + 1) * sizeof *rcpts + (n + 1) * sizeof(guint));
    const char **orcpts = rcpts + n + 1;
    guint *notify = (guint *)(orcpts + n + 1);
    for (guint i = 0; i < n; i++) {
        QueueRcpt *r = d->rcpts->pdata[i];
        rcpts[i] = r->address;
        orcpts[i] = r->orcpt;
        notify[i] = r->notify;
    }
    rcpts[n] = NULL;
    orcpts[n] = NULL;
    notify[n] = 0;
    /* RFC 3461 5.2.1: the DSN parameters go on to a next hop that takes them. */
    SmtpClientConfig cfg = {
        .helo_name = node->hostname,
        .reverse_path = e->mail_from,
        .recipients = rcpts,
        .message = e->data,
        .dsn_ret = e->ret,
        .dsn_envid = e->envid,
        .rcpt_notify = notify,
        .rcpt_orcpt = orcpts,
    };
    /* Postfix smtp_sasl_auth_enable: AUTH to the relayhost when it offers
     * AUTH (RFC 4954 4), the mail goes on without it otherwise. */
    const RelayhostAuthSpec *ra = &node->spec->relayhost_auth;
    gboolean auth = ra->user != NULL && node->spec->relayhost != NULL &&
                    g_strcmp0(d->host, node->spec->relayhost) == 0;
    if (auth)
        cfg.auth_mech = ra->mechanism;
    d->sasl = auth;
    guint16 port = target && target->spec->smtp_port ? target->spec->smtp_port : 25;
    SmtpClientSession *cs = smtp_client_session_start(node, ip, port, d->host, &cfg, e->msg_id,
                                                      queue_delivery_on_done, d);
    if (auth)
        smtp_client_session_set_login(
            cs, ra->user,
            ra->password ? ra->password : world_spec_user_password(node->world->spec, ra->user));
}

static const char *
queue_reply_status(const SmtpReply *r, char buf[16])
{
    if (r->enhanced[0])
        return r->enhanced;
    g_snprintf(buf, 16, "%u.0.0", r->code / 100);
    return buf;
}

/* RFC 3461 5.2.2: handing the message to our own store is final delivery
 * ("delivered"); a next hop without DSN ends the request ("relayed");
 * otherwise the parameters went on and the next hop reports (NULL). */
static const char *
queue_success_action(const QueueDelivery *d, const SmtpClientOutcome *o)
{
    const NodeSpec *spec = d->entry->queue->node->spec;
    if (spec->deliver_to && queue_domain_in(d->domain, spec->local_domains) &&
        g_strcmp0(d->host, spec->deliver_to) == 0)
        return "delivered";
    return o->dsn_offered ? NULL : "relayed";
}

static void
queue_delivery_on_done(SmtpClientSession *cs, const SmtpClientOutcome *o, gpointer user_data)
{
    QueueDelivery *d = user_data;
    if (o->reply_lost) {
        /* RFC 1047: the next hop may hold the message already; the retry
         * that keeps it safe may deliver it twice. */
        Node *node = d->entry->queue->node;
        SimTraceRec *tr = world_trace(node->world, "msg.reply_lost", node->name);
        sim_trace_str(tr, "msg", d->entry->msg_id);
        sim_trace_str(tr, "qid", d->entry->qid);
        sim_trace_str(tr, "to", d->host);
        sim_trace_end(tr);
    }
    if (o->connection_failure && o->result != SMTP_CLIENT_RESULT_PERMFAIL) {
        g_free(d->last_error);
        /* Keep what the dialogue said (a 421, a TLS policy failure), not
         * plain connect errors, for the deferral reason. */
        d->last_error = o->reply ? g_strchomp(smtp_reply_to_string(o->reply))
                        : o->stage >= SMTP_CLIENT_STAGE_EHLO && o->detail ? g_strdup(o->detail)
                                                                          : NULL;
        queue_delivery_try_next(d);
        return;
    }
    for (guint i = 0; o->recipients && o->recipients[i]; i++) {
        QueueRcpt *r = NULL;
        for (guint j = 0; j < d->rcpts->len; j++) {
            const char *a = ((QueueRcpt *)d->rcpts->pdata[j])->address;
            /* The client reports the address as given: usually the same bytes. */
            if (strcmp(a, o->recipients[i]) == 0 || g_ascii_strcasecmp(a, o->recipients[i]) == 0)
                r = d->rcpts->pdata[j];
        }
        if (r == NULL)
            continue;
        const SmtpReply *reply = o->rcpt_replies[i] ? o->rcpt_replies[i] : o->reply;
        char buf[16];
        g_free(r->last_reply);
        g_free(r->remote);
        r->remote = g_strdup(d->host);
        if (reply) {
            r->last_reply = smtp_reply_to_string(reply);
            g_strchomp(r->last_reply);
            g_strlcpy(r->last_status, queue_reply_status(reply, buf), sizeof r->last_status);
            r->last_code = reply->code;
        } else {
            r->last_reply = g_strdup(o->detail ? o->detail : "connection lost");
            g_strlcpy(r->last_status, "4.4.2", sizeof r->last_status);
            r->last_code = 0;
        }
        /* Postfix smtp_sasl_auth_soft_bounce (default yes): a refused
         * login to the relayhost is a local problem, retried, not bounced. */
        gboolean soft = d->sasl && o->stage == SMTP_CLIENT_STAGE_AUTH;
        if (o->rcpt_results[i] == SMTP_CLIENT_RESULT_DELIVERED) {
            r->state = QUEUE_RCPT_SENT;
            r->success = queue_success_action(d, o);
        } else if (o->rcpt_results[i] == SMTP_CLIENT_RESULT_PERMFAIL && !soft)
            r->state = QUEUE_RCPT_FAILED;
    }
    queue_delivery_done(d);
}

static SimTime
queue_retry_delay(const RetrySpec *rs, guint attempts)
{
    SimTime delay = rs->first > 0 ? rs->first : 60 * SIM_TIME_S;
    guint factor = rs->backoff > 0 ? rs->backoff : 2;
    for (guint i = 1; i < attempts && delay < 24 * 3600 * SIM_TIME_S; i++)
        delay *= factor;
    return delay;
}

/* Why a settled entry leaves the queue (for copy.gone). */
static const char *
queue_entry_outcome(const QueueEntry *e)
{
    guint sent = 0, failed = 0;
    for (guint i = 0; i < e->rcpts->len; i++) {
        const QueueRcpt *r = e->rcpts->pdata[i];
        sent += r->state == QUEUE_RCPT_SENT;
        failed += r->state == QUEUE_RCPT_FAILED;
    }
    if (failed == 0)
        return "relayed";
    return sent == 0 ? "bounced" : "relayed and bounced";
}

/* Every delivery of the attempt is over: bounce, retry or forget. */
static void
queue_entry_settle(QueueEntry *e)
{
    Queue *q = e->queue;
    Node *node = q->node;
    World *w = node->world;
    SimTime now = sim_world_now(w->sim);
    const RetrySpec *rs = &node->spec->retry;
    guint max_attempts = rs->max_attempts ? rs->max_attempts : 4;
    SimTime max_age = rs->max_age > 0 ? rs->max_age : 3600 * SIM_TIME_S;
    g_autoptr(GPtrArray) failed = NULL; /* made on the first failure */
    guint pending = 0;
    gboolean expired = e->attempts >= max_attempts || now - e->arrived >= max_age;
    for (guint i = 0; i < e->rcpts->len; i++) {
        QueueRcpt *r = e->rcpts->pdata[i];
        if (r->state == QUEUE_RCPT_PENDING && expired) {
            /* RFC 3463: 4.4.7 delivery time expired, made permanent. */
            r->state = QUEUE_RCPT_FAILED;
            g_autofree char *why = g_strdup_printf("delivery expired after %u attempts: %s",
                                                   e->attempts, r->last_reply ? r->last_reply : "");
            g_free(r->last_reply);
            r->last_reply = g_steal_pointer(&why);
            g_strlcpy(r->last_status, "4.4.7", sizeof r->last_status);
        }
        if (r->state == QUEUE_RCPT_FAILED && !r->in_flight)
            continue; /* bounced in an earlier attempt */
        if (r->state == QUEUE_RCPT_FAILED) {
            if (failed == NULL)
                failed = g_ptr_array_new();
            g_ptr_array_add(failed, r);
        }
        if (r->state == QUEUE_RCPT_PENDING)
            pending++;
        r->in_flight = FALSE;
    }
    if (failed != NULL)
        queue_bounce(e, failed);
    queue_report_success(e);
    TrackMsg *m = tracker_find(w->tracker, e->msg_id);
    if (pending > 0) {
        SimTime delay = queue_retry_delay(rs, e->attempts);
        SimTraceRec *tr = world_trace(w, "msg.defer", node->name);
        sim_trace_str(tr, "msg", e->msg_id);
        sim_trace_str(tr, "qid", e->qid);
        sim_trace_int(tr, "attempt", e->attempts);
        sim_trace_int(tr, "pending", pending);
        for (guint i = 0; i < e->rcpts->len; i++) {
            QueueRcpt *r = e->rcpts->pdata[i];
            if (r->state == QUEUE_RCPT_PENDING) {
                sim_trace_str(tr, "reason", r->last_reply ? r->last_reply : "");
                break;
            }
        }
        char buf[SIM_TIME_FORMAT_MAX];
        sim_trace_str(tr, "retry_in", sim_time_format(delay, buf, NULL));
        sim_trace_end(tr);
        if (m) {
            TrackHop *h = track_msg_open_hop(m, node->name);
            if (h && g_strcmp0(h->action, "defer") != 0) {
                g_free(h->action);
                h->action = g_strdup("defer");
            }
        }
        e->retry_ev = sim_world_schedule_in(w->sim, delay, queue_attempt_event, e, NULL);
        return;
    }
    if (m) {
        TrackHop *h = track_msg_open_hop(m, node->name);
        if (h)
            h->t_out = now;
    }
    copies_release(w, e->msg_id, node->name, COPY_KIND_QUEUE, e->qid, queue_entry_outcome(e));
    sim_world_cancel(w->sim, e->delay_ev);
    g_ptr_array_remove(q->entries, e);
}

static void
queue_delivery_done(QueueDelivery *d)
{
    QueueEntry *e = d->entry;
    Node *node = e->queue->node;
    World *w = node->world;
    for (guint i = 0; i < d->rcpts->len; i++) {
        QueueRcpt *r = d->rcpts->pdata[i];
        if (r->state != QUEUE_RCPT_SENT)
            continue;
        SimTraceRec *tr = world_trace(w, "msg.relay", node->name);
        sim_trace_str(tr, "msg", e->msg_id);
        sim_trace_str(tr, "qid", e->qid);
        sim_trace_str(tr, "rcpt", r->address);
        sim_trace_str(tr, "to", d->host);
        sim_trace_str(tr, "reply", r->last_reply);
        sim_trace_end(tr);
    }
    g_ptr_array_remove_fast(e->deliveries, d); /* frees d */
    g_assert(e->groups_open > 0);
    if (--e->groups_open == 0)
        queue_entry_settle(e);
}

void
queue_finish(Queue *q)
{
    World *w = q->node->world;
    for (guint i = 0; i < q->entries->len; i++) {
        QueueEntry *e = q->entries->pdata[i];
        TrackMsg *m = tracker_find(w->tracker, e->msg_id);
        if (m == NULL)
            continue;
        for (guint j = 0; j < e->rcpts->len; j++) {
            QueueRcpt *r = e->rcpts->pdata[j];
            if (r->state != QUEUE_RCPT_PENDING)
                continue;
            TrackRcpt *tr = track_msg_rcpt(m, r->address);
            if (tr->status == TRACK_STATUS_PENDING)
                track_msg_set_status(m, r->address, TRACK_STATUS_QUEUED, r->last_code,
                                     r->last_reply ? r->last_reply : "waiting for delivery",
                                     q->node->name, sim_world_now(w->sim));
        }
    }
}

void
queue_resume(Queue *q)
{
    World *w = q->node->world;
    for (guint i = 0; i < q->entries->len; i++) {
        QueueEntry *e = q->entries->pdata[i];
        if (e->groups_open > 0)
            continue; /* an attempt is still settling: it reschedules itself */
        if (e->retry_ev != 0)
            sim_world_cancel(w->sim, e->retry_ev);
        e->retry_ev = sim_world_schedule_in(w->sim, 0, queue_attempt_event, e, NULL);
    }
}
