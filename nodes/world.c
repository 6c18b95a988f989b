/* SPDX-License-Identifier: MIT
 * world: builds the simulator, the network and the nodes from a WorldSpec,
 * schedules the scenario's events, runs, and checks the expectations.
 */
#include "nodes/world.h"

#include <string.h>

#include "nodes/copies_private.h"
#include "nodes/gateway_node.h"
#include "nodes/expect_exposure.h"
#include "nodes/exposure.h"
#include "nodes/ms_node.h"
#include "nodes/node_fault.h"
#include "nodes/smime_setup.h"
#include "nodes/tls_setup.h"
#include "nodes/session_stream.h"
#include "nodes/world_private.h"
#include "nodes/relay_test.h"
#include "nodes/webmail_node.h"
#include "nodes/spam_campaign.h"
#include "nodes/tap_seen.h"

G_DEFINE_QUARK(node-error-quark, node_error)

typedef struct {
    World *world;
    const EventSpec *ev;
    guint n;    /* traffic: messages sent so far */
    char *body; /* traffic: the body every message shares, made once */
} WorldEvent;

static void
world_event_free(gpointer p)
{
    WorldEvent *we = p;
    g_free(we->body);
    g_free(we);
}

Node *
world_node(const World *w, const char *name)
{
    return name ? g_hash_table_lookup(w->by_name, name) : NULL;
}

gint64
world_unix_now(const World *w)
{
    return w->spec->epoch_unix + sim_world_now(w->sim) / SIM_TIME_S;
}

static void
world_fault(World *w, const FaultSpec *f)
{
    if (f->node != NULL) {
        node_fault_apply(w, f);
        return;
    }
    Node *a = world_node(w, f->a), *b = world_node(w, f->b);
    SimLink *link = sim_net_link(w->net, a->host, b->host);
    sim_link_set_up(link, f->up);
    SimTraceRec *r = world_trace(w, "fault", f->a);
    sim_trace_str(r, "link", f->b);
    sim_trace_str(r, "state", f->up ? "up" : "down");
    sim_trace_end(r);
}

static void world_event_run(SimWorld *sim, gpointer data);

static void
world_traffic_next(World *w, WorldEvent *we)
{
    const TrafficSpec *t = &we->ev->traffic;
    guint i = we->n++;
    guint nfrom = g_strv_length(t->from), nto = g_strv_length(t->to);
    char num[NODE_UINT_STR_MAX];
    const char *n = node_uint_str(t->start + i, num);
    g_autofree char *id = g_strconcat(t->id_prefix ? t->id_prefix : "t", n, NULL);
    g_autofree char *subject = g_strconcat("Traffic message ", n, NULL);
    if (we->body == NULL) {
        we->body = g_malloc(t->size + 1);
        for (gsize k = 0; k < t->size; k++)
            we->body[k] = (k + 1) % 72 == 0 ? '\n' : (char)('a' + k % 26);
        we->body[t->size] = '\0';
    }
    char *to[] = {t->to[i % nto], NULL};
    char *none[] = {NULL};
    SendSpec s = {
        .from = t->from[i % nfrom],
        .to = to,
        .cc = none,
        .bcc = none,
        .subject = subject,
        .body = we->body,
        .id = id,
    };
    Node *from = world_node(w, s.from);
    if (tracker_find(w->tracker, id) == NULL && from->spec->role == SPEC_ROLE_SPAMMER) {
        spam_campaign_send(from, t, i, id, subject, we->body);
    } else if (tracker_find(w->tracker, id) == NULL) {
        mua_node_send(from, &s);
        /* tracker.h: generated messages are of kind "traffic". */
        TrackMsg *tm = tracker_find(w->tracker, id);
        if (tm != NULL) {
            g_free(tm->kind);
            tm->kind = g_strdup("traffic");
        }
    }
    if (we->n < t->count) {
        WorldEvent *next = g_new0(WorldEvent, 1);
        *next = *we;
        we->body = NULL; /* the next event owns it now */
        sim_world_schedule_in(w->sim, t->interval, world_event_run, next, world_event_free);
    }
}

static void
world_event_run(SimWorld *sim, gpointer data)
{
    WorldEvent *we = data;
    World *w = we->world;
    const EventSpec *ev = we->ev;
    switch (ev->kind) {
    case SPEC_EVENT_SEND:
        mua_node_send(world_node(w, ev->send.from), &ev->send);
        break;
    case SPEC_EVENT_REPLY:
        mua_node_reply(world_node(w, ev->reply.by), &ev->reply);
        break;
    case SPEC_EVENT_FETCH:
        mua_node_fetch(world_node(w, ev->fetch.by), &ev->fetch);
        break;
    case SPEC_EVENT_FAULT:
        world_fault(w, &ev->fault);
        break;
    case SPEC_EVENT_TRAFFIC:
        if (ev->traffic.count > 0)
            world_traffic_next(w, we);
        break;
    case SPEC_EVENT_RELAY_TEST:
        relay_test_run(w, &ev->relay_test);
        break;
    case SPEC_EVENT_RAW_SEND:
        relay_test_raw_send(w, &ev->raw_send);
        break;
    case SPEC_EVENT_WEBMAIL_SEND:
        browser_node_send(world_node(w, ev->send.from), &ev->send);
        break;
    case SPEC_EVENT_WEBMAIL_READ:
        browser_node_read(world_node(w, ev->fetch.by), &ev->fetch);
        break;
    }
}

static gboolean
world_check_node(World *w, const char *name, SpecRole role, const SpecLoc *loc, GError **error)
{
    Node *n = world_node(w, name);
    if (n && (role == SPEC_ROLE_NONE || n->spec->role == role))
        return TRUE;
    g_autofree char *where = spec_loc_to_string(loc);
    g_set_error(error, NODE_ERROR, NODE_ERROR_SPEC, "%s: %s '%s'", where,
                n ? "node has the wrong role:" : "unknown node", name ? name : "(none)");
    return FALSE;
}

/* A crash or a full disk only for roles that have one (node_fault.h). */
static gboolean
world_check_fault_node(World *w, const FaultSpec *f, const SpecLoc *loc, GError **error)
{
    if (!world_check_node(w, f->node, SPEC_ROLE_NONE, loc, error))
        return FALSE;
    Node *n = world_node(w, f->node);
    if (node_fault_role_ok(f, n->spec->role))
        return TRUE;
    FaultSpec crash_only = {.has_crash = f->has_crash};
    gboolean crash_ok = node_fault_role_ok(&crash_only, n->spec->role);
    g_autofree char *where = spec_loc_to_string(loc);
    g_set_error(error, NODE_ERROR, NODE_ERROR_SPEC, "%s: a %s node cannot %s", where,
                spec_role_name(n->spec->role), crash_ok ? "have a full disk" : "crash");
    return FALSE;
}

static Node *
world_make_node(World *w, const NodeSpec *ns)
{
    switch (ns->role) {
    case SPEC_ROLE_MUA:
        return mua_node_new(w, ns);
    case SPEC_ROLE_MSA:
    case SPEC_ROLE_MTA:
        return relay_node_new(w, ns);
    case SPEC_ROLE_MS:
        return ms_node_new(w, ns);
    case SPEC_ROLE_DNS:
        return dns_node_new(w, ns);
    case SPEC_ROLE_EAVESDROPPER:
        return eavesdropper_node_new(w, ns);
    case SPEC_ROLE_SPAMMER:
        return spammer_node_new(w, ns);
    case SPEC_ROLE_GATEWAY:
        return gateway_node_new(w, ns);
    case SPEC_ROLE_WEBMAIL:
        return webmail_node_new(w, ns);
    case SPEC_ROLE_BROWSER:
        return browser_node_new(w, ns);
    case SPEC_ROLE_MITM:
        return mitm_node_new(w, ns);
    default:
        return NULL;
    }
}

static gboolean
world_build_nodes(World *w, GError **error)
{
    const WorldSpec *spec = w->spec;
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *ns = spec->nodes->pdata[i];
        Node *n = world_make_node(w, ns);
        if (n == NULL) {
            g_autofree char *where = spec_loc_to_string(&ns->loc);
            g_set_error(error, NODE_ERROR, NODE_ERROR_SPEC, "%s: role '%s' cannot run yet",
                        where, spec_role_name(ns->role));
            return FALSE;
        }
        g_ptr_array_add(w->nodes, n);
        g_hash_table_insert(w->by_name, n->name, n);
        if (ns->role == SPEC_ROLE_DNS && w->dns == NULL)
            w->dns = n;
    }
    gateway_nodes_add_peers(w);
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *ns = spec->nodes->pdata[i];
        if ((ns->role == SPEC_ROLE_MUA || ns->role == SPEC_ROLE_WEBMAIL) &&
            !world_check_node(w, ns->msa, SPEC_ROLE_MSA, &ns->loc, error))
            return FALSE;
        if (ns->role == SPEC_ROLE_BROWSER &&
            !world_check_node(w, ns->webmail, SPEC_ROLE_WEBMAIL, &ns->loc, error))
            return FALSE;
        if (ns->deliver_to && !world_check_node(w, ns->deliver_to, SPEC_ROLE_NONE, &ns->loc, error))
            return FALSE;
        if (ns->backup_node &&
            !world_check_node(w, ns->backup_node, SPEC_ROLE_NONE, &ns->loc, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
world_build_links(World *w, GError **error)
{
    const WorldSpec *spec = w->spec;
    for (guint i = 0; i < spec->links->len; i++) {
        const LinkSpec *ls = spec->links->pdata[i];
        if (!world_check_node(w, ls->a, SPEC_ROLE_NONE, &ls->loc, error) ||
            !world_check_node(w, ls->b, SPEC_ROLE_NONE, &ls->loc, error))
            return FALSE;
        SimLink *link = sim_net_link(w->net, world_node(w, ls->a)->host, world_node(w, ls->b)->host);
        SimLinkParams p = {
            .latency = ls->latency >= 0 ? ls->latency : spec->network.latency,
            .bandwidth = ls->bandwidth ? ls->bandwidth : spec->network.bandwidth,
            .jitter = ls->jitter >= 0 ? ls->jitter : spec->network.jitter,
        };
        sim_link_set_params(link, &p);
        for (guint k = 0; ls->schedule && k < ls->schedule->len; k++) {
            const LinkChange *c = &g_array_index(ls->schedule, LinkChange, k);
            sim_link_schedule(link, c->at, c->up);
        }
    }
    return TRUE;
}

static gboolean
world_schedule_events(World *w, GError **error)
{
    const WorldSpec *spec = w->spec;
    for (guint i = 0; i < spec->events->len; i++) {
        const EventSpec *ev = spec->events->pdata[i];
        gboolean ok = TRUE;
        switch (ev->kind) {
        case SPEC_EVENT_SEND:
            ok = world_check_node(w, ev->send.from, SPEC_ROLE_MUA, &ev->loc, error);
            break;
        case SPEC_EVENT_REPLY:
            ok = world_check_node(w, ev->reply.by, SPEC_ROLE_MUA, &ev->loc, error);
            break;
        case SPEC_EVENT_FETCH:
            ok = world_check_node(w, ev->fetch.by, SPEC_ROLE_MUA, &ev->loc, error);
            break;
        case SPEC_EVENT_FAULT:
            ok = ev->fault.node != NULL
                     ? world_check_fault_node(w, &ev->fault, &ev->loc, error)
                     : world_check_node(w, ev->fault.a, SPEC_ROLE_NONE, &ev->loc, error) &&
                           world_check_node(w, ev->fault.b, SPEC_ROLE_NONE, &ev->loc, error);
            break;
        case SPEC_EVENT_TRAFFIC:
            for (char **p = ev->traffic.from; ok && p && *p; p++) {
                Node *n = world_node(w, *p);
                SpecRole role =
                    n && n->spec->role == SPEC_ROLE_SPAMMER ? SPEC_ROLE_SPAMMER : SPEC_ROLE_MUA;
                ok = world_check_node(w, *p, role, &ev->loc, error);
            }
            if (ok && ev->traffic.via)
                ok = world_check_node(w, ev->traffic.via, SPEC_ROLE_NONE, &ev->loc, error);
            if (ok && (!ev->traffic.from || !ev->traffic.from[0] || !ev->traffic.to ||
                       !ev->traffic.to[0])) {
                g_autofree char *where = spec_loc_to_string(&ev->loc);
                g_set_error(error, NODE_ERROR, NODE_ERROR_SPEC,
                            "%s: traffic needs at least one sender and one recipient", where);
                ok = FALSE;
            }
            break;
        case SPEC_EVENT_RELAY_TEST:
            ok = world_check_node(w, ev->relay_test.from, SPEC_ROLE_NONE, &ev->loc, error) &&
                 world_check_node(w, ev->relay_test.target, SPEC_ROLE_NONE, &ev->loc, error);
            break;
        case SPEC_EVENT_RAW_SEND:
            ok = world_check_node(w, ev->raw_send.from, SPEC_ROLE_NONE, &ev->loc, error) &&
                 world_check_node(w, ev->raw_send.target, SPEC_ROLE_NONE, &ev->loc, error);
            break;
        case SPEC_EVENT_WEBMAIL_SEND:
            ok = world_check_node(w, ev->send.from, SPEC_ROLE_BROWSER, &ev->loc, error);
            break;
        case SPEC_EVENT_WEBMAIL_READ:
            ok = world_check_node(w, ev->fetch.by, SPEC_ROLE_BROWSER, &ev->loc, error);
            break;
        }
        if (!ok)
            return FALSE;
        WorldEvent *we = g_new0(WorldEvent, 1);
        we->world = w;
        we->ev = ev;
        sim_world_schedule_at(w->sim, ev->at, world_event_run, we, world_event_free);
    }
    return TRUE;
}

World *
world_new(const WorldSpec *spec, SimTrace *trace, gboolean has_seed, guint64 seed, GError **error)
{
    World *w = g_new0(World, 1);
    w->spec = spec;
    w->zone = dns_zone_copy(spec->zone); /* never change the spec: it may build more worlds */
    w->seed = has_seed ? seed : spec->seed;
    w->sim = sim_world_new(w->seed);
    if (trace)
        sim_world_set_trace(w->sim, trace);
    w->trace = sim_world_trace(w->sim);
    w->net = sim_net_new(w->sim);
    SimLinkParams def = {
        .latency = spec->network.latency,
        .bandwidth = spec->network.bandwidth,
        .jitter = spec->network.jitter,
    };
    sim_net_set_default(w->net, &def);
    if (spec->network.connect_timeout > 0)
        sim_net_set_connect_timeout(w->net, spec->network.connect_timeout);
    w->nodes = g_ptr_array_new_with_free_func((GDestroyNotify)node_free);
    w->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    w->tracker = tracker_new();
    w->copies = world_copies_table_new();
    w->dns_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, dns_cache_entry_free);
    if (!world_build_nodes(w, error) || !world_tls_setup(w, error) ||
        !world_smime_setup(w, error) || !world_build_links(w, error) ||
        !world_schedule_events(w, error)) {
        world_free(w);
        return NULL;
    }
    for (guint i = 0; i < w->nodes->len; i++) {
        Node *n = w->nodes->pdata[i];
        if (n->klass->start)
            n->klass->start(n);
    }
    return w;
}

void
world_free(World *w)
{
    if (w == NULL)
        return;
    /* Sessions a stopped run left behind (a connect pending, a dialogue
     * half done) go first, silently; then streams and events, which
     * reference nodes. */
    session_stream_free_all(w);
    g_clear_pointer(&w->idle_smtp_servers, g_ptr_array_unref);
    g_clear_pointer(&w->idle_smtp_clients, g_ptr_array_unref);
    g_clear_pointer(&w->idle_smtp_blocks, g_ptr_array_unref);
    world_free_held(w);
    sim_net_free(w->net);
    sim_world_free(w->sim);
    g_clear_pointer(&w->session_timeouts, g_hash_table_unref);
    g_ptr_array_unref(w->nodes);
    g_hash_table_unref(w->by_name);
    tracker_free(w->tracker);
    g_hash_table_unref(w->copies);
    mail_spool_free(w->spool);
    g_hash_table_unref(w->dns_cache);
    g_clear_pointer(&w->pop3_tags, g_hash_table_unref);
    world_tls_free(w->tls);
    world_smime_free(w->smime);
    relay_test_results_free(w->relay_results);
    copy_ledger_free(w->copy_ledger);
    tap_seen_free(w->tap_seen);
    dns_zone_unref(w->zone);
    g_free(w);
}

guint64
world_run(World *w, SimTime until, WorldProgressFunc progress, gpointer user_data)
{
    guint64 total = 0;
    if (progress == NULL) {
        total = sim_world_run(w->sim, until);
    } else {
        for (;;) {
            guint64 n = 0;
            while (n < 65536 && sim_world_next_time(w->sim) <= until && sim_world_step(w->sim))
                n++;
            total += n;
            progress(w, user_data);
            if (n < 65536)
                break;
        }
    }
    for (guint i = 0; i < w->nodes->len; i++) {
        Node *n = w->nodes->pdata[i];
        if (n->klass->finish)
            n->klass->finish(n);
    }
    /* Messages still on their way when time ran out. */
    const GPtrArray *msgs = tracker_messages(w->tracker);
    for (guint i = 0; i < msgs->len; i++) {
        TrackMsg *m = msgs->pdata[i];
        for (guint k = 0; k < m->rcpts->len; k++) {
            TrackRcpt *r = m->rcpts->pdata[k];
            if (r->status == TRACK_STATUS_PENDING) {
                r->status = TRACK_STATUS_QUEUED;
                g_free(r->reply);
                r->reply = g_strdup("in transit when the run ended");
            }
        }
    }
    spam_campaign_report(w);
    exposure_trace_all(w);
    sim_trace_flush(w->trace);
    return total;
}

void
world_set_keylog(World *w, WorldKeylogFunc fn, gpointer user_data)
{
    w->keylog = fn;
    w->keylog_data = user_data;
    world_tls_keylog_changed(w);
}

SimWorld *
world_sim(World *w)
{
    return w->sim;
}

SimNet *
world_net(World *w)
{
    return w->net;
}

SimTime
world_now(const World *w)
{
    return sim_world_now(w->sim);
}

Tracker *
world_tracker(World *w)
{
    return w->tracker;
}

const DnsZone *
world_zone(const World *w)
{
    return w->zone;
}

const WorldSpec *
world_spec(const World *w)
{
    return w->spec;
}

guint64
world_seed(const World *w)
{
    return w->seed;
}

guint64
world_delivered(const World *w)
{
    return w->delivered;
}

static GBytes *
world_copy_lookup(const char *msg_id, const char *rcpt, gpointer user_data)
{
    World *w = user_data;
    if (rcpt)
        return world_copy_read(w, msg_id, rcpt, NULL);
    TrackMsg *m = tracker_find(w->tracker, msg_id);
    for (guint i = 0; m && i < m->rcpts->len; i++) {
        GBytes *b = world_copy_lookup(msg_id, ((TrackRcpt *)m->rcpts->pdata[i])->address, w);
        if (b)
            return b;
    }
    return NULL;
}

static gint
world_mailbox_count(const char *address, gpointer user_data)
{
    World *w = user_data;
    gint n =
        ms_node_mailbox_count(world_node(w, world_spec_mailbox_node(w->spec, address)), address);
    for (guint i = 0; n < 0 && i < w->nodes->len; i++)
        n = ms_node_mailbox_count(w->nodes->pdata[i], address);
    return n;
}

GPtrArray *
world_check_expectations(World *w)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)expect_result_free);
    for (guint i = 0; i < w->spec->expects->len; i++) {
        const ExpectSpec *e = w->spec->expects->pdata[i];
        if (e->kind == SPEC_EXPECT_RELAY_TESTS)
            g_ptr_array_add(out, relay_test_check(w, e));
        else if (e->kind == SPEC_EXPECT_COPIES_AT || e->kind == SPEC_EXPECT_HELD_BY)
            g_ptr_array_add(out, copies_check(w, e));
        else if (e->kind == SPEC_EXPECT_TAP)
            g_ptr_array_add(out, tap_seen_check(w, e));
        else if (e->kind == SPEC_EXPECT_EXPOSURE)
            g_ptr_array_add(out, expect_exposure_check(w, e));
        else
            g_ptr_array_add(out, expect_check(e, w->tracker, w->delivered, world_copy_lookup,
                                              world_mailbox_count, w));
    }
    return out;
}
