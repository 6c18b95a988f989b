/* SPDX-License-Identifier: MIT
 * The no-loss invariant under fault injection (DESIGN 4: an MTA makes a
 * message durable before it answers 250; every accepted message ends
 * delivered, bounced to its sender, or still queued with a reason). Each
 * seed generates a world: two to four domains, each with clients, a
 * submission server, an outgoing relay or not, one or two MX hosts and a
 * store, a third of the domains with STARTTLS, DKIM signing, SPF/DKIM/
 * DMARC checks, one resolver; traffic to
 * existing users, unknown users and unknown domains, POP3 fetches; and
 * faults: link flaps, node crashes with or without a restart (the disk
 * survives, sessions die; a crashed resolver makes lookups time out),
 * full disks (452 4.3.1). After the run every recipient of every message
 * some MSA or MTA accepted (and of every DSN an MTA wrote) must be
 * delivered, bounced (with a DSN to a non-null sender) or queued with a
 * reason; every copy said to be delivered is in a mailbox; nothing stays
 * queued
 * once every fault has ended. A copy delivered twice is allowed only for
 * a message whose sender saw the connection end between the end of data
 * and the reply (msg.reply_lost, RFC 1047); such duplicates are counted.
 *
 * MHS_NO_LOSS_SEEDS (default 300) and MHS_NO_LOSS_FIRST (default 1) pick
 * the seeds; MHS_NO_LOSS_VERBOSE=1 prints each seed's counts;
 * MHS_NO_LOSS_TRACE=FILE writes the trace (JSON Lines) of the last seed.
 * The counts of the whole run are printed at the end (bench/no_loss.sh
 * runs 10,000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "nodes/world.h"
#include "proto/dns_zone.h"
#include "sim/trace.h"

#define NO_LOSS_S G_GINT64_CONSTANT(1000000)

typedef struct {
    guint64 seeds;
    guint64 messages;   /* sent by the clients */
    guint64 accepted;   /* (message, recipient) pairs some MSA or MTA took with 250 */
    guint64 delivered;  /* of those: in a mailbox */
    guint64 bounced;    /* of those: bounced (DSN to the sender, or none for <>) */
    guint64 queued;     /* of those: still queued, with a reason */
    guint64 duplicates; /* extra copies in mailboxes */
    guint64 reply_lost; /* msg.reply_lost records */
    guint64 faults;     /* fault events */
    guint64 violations;
} NoLossCounts;

/* ---- the generated world ---- */

typedef struct {
    WorldSpec *spec;
    GRand *rng;
    GPtrArray *muas;      /* char* node names (borrowed from specs) */
    GPtrArray *addresses; /* char* recipients, good and bad (owned) */
    GPtrArray *faultable; /* char* node names that may crash (borrowed) */
    GPtrArray *relays;    /* char* msa/mta/ms names for link flaps and full disks */
    gboolean lasting;     /* some fault never ends */
    GArray *sends;        /* gint64 send times: faults aimed at mail in flight */
    gboolean tls;         /* this domain's servers offer and use STARTTLS */
} NoLossGen;

/* ip: transfer full. */
static NodeSpec *
no_loss_node(NoLossGen *g, SpecRole role, const char *name, char *ip)
{
    NodeSpec *n = node_spec_new(role);
    n->name = g_strdup(name);
    g_strfreev(n->ips);
    char *ips[] = {(char *)ip, NULL};
    n->ips = g_strdupv(ips);
    g_ptr_array_add(g->spec->nodes, n);
    if (g->tls && role != SPEC_ROLE_DNS) {
        n->tls.server = role == SPEC_ROLE_MUA ? SPEC_TLS_NONE : SPEC_TLS_MAY;
        n->tls.client = SPEC_TLS_MAY; /* opportunistic (RFC 3207) */
    }
    g_assert_true(dns_zone_add(g->spec->zone, name, DNS_RR_A, ip, NULL));
    g_free(ip);
    return n;
}

static char **
no_loss_strv1(const char *s)
{
    char *v[] = {(char *)s, NULL};
    return g_strdupv(v);
}

static void
no_loss_domain(NoLossGen *g, guint d)
{
    WorldSpec *spec = g->spec;
    g_autofree char *dom = g_strdup_printf("d%u.example", d);
    g_autofree char *msa = g_strdup_printf("msa.%s", dom);
    g_autofree char *out = g_strdup_printf("out.%s", dom);
    g_autofree char *mx0 = g_strdup_printf("mx0.%s", dom);
    g_autofree char *mx1 = g_strdup_printf("mx1.%s", dom);
    g_autofree char *ms = g_strdup_printf("ms.%s", dom);
    g_autofree char *net = g_strdup_printf("10.%u.0.0/16", d + 1);
    gboolean has_out = g_rand_boolean(g->rng);
    gboolean has_backup = g_rand_int_range(g->rng, 0, 3) == 0;
    g->tls = g_rand_int_range(g->rng, 0, 3) == 0;
    gboolean sign = g_rand_int_range(g->rng, 0, 3) == 0;
    gboolean check = g_rand_int_range(g->rng, 0, 3) == 0;

    NodeSpec *n = no_loss_node(g, SPEC_ROLE_MSA, msa, g_strdup_printf("10.%u.0.2", d + 1));
    n->relayhost = g_strdup(has_out ? out : mx0);
    if (sign) {
        n->dkim.domain = g_strdup(dom); /* key derived and published at build */
        n->dkim.selector = g_strdup("mhs");
    }
    g_ptr_array_add(g->faultable, n->name);
    g_ptr_array_add(g->relays, n->name);
    if (has_out) {
        n = no_loss_node(g, SPEC_ROLE_MTA, out, g_strdup_printf("10.%u.0.4", d + 1));
        g_strfreev(n->relay.networks);
        n->relay.networks = no_loss_strv1(net);
        g_ptr_array_add(g->faultable, n->name);
        g_ptr_array_add(g->relays, n->name);
    }
    for (guint i = 0; i < (has_backup ? 2u : 1u); i++) {
        n = no_loss_node(g, SPEC_ROLE_MTA, i == 0 ? mx0 : mx1,
                         g_strdup_printf("10.%u.0.%u", d + 1, 10 + i));
        g_strfreev(n->relay.domains);
        n->relay.domains = no_loss_strv1(dom);
        /* The MX of the domain also relays its own clients' mail. */
        g_strfreev(n->relay.networks);
        n->relay.networks = no_loss_strv1(net);
        /* SPF, DKIM and DMARC at DATA: the answer waits for DNS, and a
         * crash meanwhile must not queue what the client never saw taken. */
        n->checks.spf = n->checks.dkim = n->checks.dmarc = check;
        n->checks.spf_fail = SPEC_SPF_TAG;
        if (i == 0) {
            g_strfreev(n->local_domains);
            n->local_domains = no_loss_strv1(dom);
            n->deliver_to = g_strdup(ms);
        } else {
            n->relayhost = g_strdup(mx0); /* a backup MX hands mail to the primary */
        }
        g_autofree char *mxrec = g_strdup_printf("%u %s", 10 * (i + 1), n->name);
        g_assert_true(dns_zone_add(spec->zone, dom, DNS_RR_MX, mxrec, NULL));
        g_ptr_array_add(g->faultable, n->name);
        g_ptr_array_add(g->relays, n->name);
    }
    n = no_loss_node(g, SPEC_ROLE_MS, ms, g_strdup_printf("10.%u.0.3", d + 1));
    g_strfreev(n->domains);
    n->domains = no_loss_strv1(dom);
    g_ptr_array_add(g->faultable, n->name);
    g_ptr_array_add(g->relays, n->name);

    guint users = (guint)g_rand_int_range(g->rng, 1, 3);
    for (guint u = 0; u < users; u++) {
        g_autofree char *addr = g_strdup_printf("u%u@%s", u, dom);
        g_autofree char *pc = g_strdup_printf("pc%u.%s", u, dom);
        UserSpec *us = user_spec_new();
        us->address = g_strdup(addr);
        us->password = g_strdup("secret");
        us->ms = g_strdup(ms);
        g_ptr_array_add(spec->users, us);
        n = no_loss_node(g, SPEC_ROLE_MUA, pc, g_strdup_printf("10.%u.1.%u", d + 1, u + 1));
        n->user = g_strdup(addr);
        n->msa = g_strdup(msa);
        n->ms = g_strdup(ms);
        g_ptr_array_add(g->muas, n->name);
        g_ptr_array_add(g->addresses, g_steal_pointer(&addr));
    }
    /* Bad recipients: an unknown user (550 5.1.1 at the store). */
    g_ptr_array_add(g->addresses, g_strdup_printf("ghost@%s", dom));
}

static void
no_loss_fault(NoLossGen *g, gint64 at, const char *node, const char *link_b, int kind, gboolean on)
{
    EventSpec *e = event_spec_new(SPEC_EVENT_FAULT);
    e->at = at;
    if (kind == 0) {
        e->fault.a = g_strdup(node);
        e->fault.b = g_strdup(link_b);
        e->fault.up = !on;
    } else {
        e->fault.node = g_strdup(node);
        if (kind == 1) {
            e->fault.has_crash = TRUE;
            e->fault.crash = on;
        } else {
            e->fault.has_disk_full = TRUE;
            e->fault.disk_full = on;
        }
    }
    g_ptr_array_add(g->spec->events, e);
}

static const char *
no_loss_pick(NoLossGen *g, GPtrArray *a)
{
    return a->pdata[g_rand_int_range(g->rng, 0, (gint32)a->len)];
}

/* A fault of a random kind over [at, at + length): link flap, crash (with
 * a restart, usually), full disk (freed, usually). */
static guint
no_loss_faults(NoLossGen *g)
{
    guint n = (guint)g_rand_int_range(g->rng, 0, 7);
    for (guint i = 0; i < n; i++) {
        gint64 at =
            g_rand_int_range(g->rng, 0, 400) * NO_LOSS_S + g_rand_int_range(g->rng, 0, 1000) * 1000;
        /* Half of them hit while a message crosses the nodes (each hop
         * takes tens of milliseconds): sessions die mid-transaction,
         * some between the end of data and its reply. */
        if (g->sends->len > 0 && g_rand_boolean(g->rng))
            at = g_array_index(g->sends, gint64,
                               g_rand_int_range(g->rng, 0, (gint32)g->sends->len)) +
                 g_rand_int_range(g->rng, 0, 300000);
        gint64 len = g_rand_int_range(g->rng, 1, 600) * NO_LOSS_S;
        gboolean ends = g_rand_int_range(g->rng, 0, 8) != 0;
        int kind = g_rand_int_range(g->rng, 0, 3);
        if (kind == 0) {
            const char *a = no_loss_pick(g, g->relays), *b = no_loss_pick(g, g->relays);
            if (strcmp(a, b) == 0)
                b = "dns";
            no_loss_fault(g, at, a, b, 0, TRUE);
            g->lasting |= !ends;
            if (ends)
                no_loss_fault(g, at + len, a, b, 0, FALSE);
        } else {
            const char *x = kind == 1 ? no_loss_pick(g, g->faultable) : no_loss_pick(g, g->relays);
            no_loss_fault(g, at, x, NULL, kind, TRUE);
            g->lasting |= !ends;
            if (ends)
                no_loss_fault(g, at + len, x, NULL, kind, FALSE);
        }
    }
    return n;
}

static void
no_loss_traffic(NoLossGen *g, NoLossCounts *c)
{
    guint n = (guint)g_rand_int_range(g->rng, 3, 16);
    for (guint i = 0; i < n; i++) {
        EventSpec *e = event_spec_new(SPEC_EVENT_SEND);
        e->at =
            g_rand_int_range(g->rng, 1, 300) * NO_LOSS_S + g_rand_int_range(g->rng, 0, 1000) * 1000;
        g_array_append_val(g->sends, e->at);
        SendSpec *s = &e->send;
        s->from = g_strdup(no_loss_pick(g, g->muas));
        guint nto = (guint)g_rand_int_range(g->rng, 1, 4);
        g_strfreev(s->to);
        s->to = g_new0(char *, nto + 1);
        for (guint k = 0; k < nto; k++) {
            /* Now and then an unknown domain (NXDOMAIN: bounced at once). */
            s->to[k] = g_rand_int_range(g->rng, 0, 12) == 0
                           ? g_strdup("someone@nowhere.invalid")
                           : g_strdup(no_loss_pick(g, g->addresses));
        }
        s->subject = g_strdup_printf("Message %u", i + 1);
        s->body = g_strdup("The no-loss invariant.");
        s->id = g_strdup_printf("m%u", i + 1);
        g_ptr_array_add(g->spec->events, e);
        c->messages++;
    }
    /* Users fetch (POP3) now and then, sometimes deleting: stores are
     * busy with sessions when faults hit. */
    guint fetches = (guint)g_rand_int_range(g->rng, 0, 4);
    for (guint i = 0; i < fetches; i++) {
        EventSpec *e = event_spec_new(SPEC_EVENT_FETCH);
        e->at =
            g_rand_int_range(g->rng, 1, 400) * NO_LOSS_S + g_rand_int_range(g->rng, 0, 1000) * 1000;
        g_array_append_val(g->sends, e->at);
        e->fetch.by = g_strdup(no_loss_pick(g, g->muas));
        e->fetch.has_keep = TRUE;
        e->fetch.keep = g_rand_boolean(g->rng);
        g_ptr_array_add(g->spec->events, e);
    }
}

static WorldSpec *
no_loss_generate(guint64 seed, NoLossCounts *c, gboolean *lasting)
{
    NoLossGen g = {
        .spec = world_spec_new(),
        .rng = g_rand_new_with_seed((guint32)(seed * 2654435761u)),
        .muas = g_ptr_array_new(),
        .addresses = g_ptr_array_new_with_free_func(g_free),
        .faultable = g_ptr_array_new(),
        .relays = g_ptr_array_new(),
        .sends = g_array_new(FALSE, FALSE, sizeof(gint64)),
    };
    g.spec->seed = seed;
    g.spec->name = g_strdup_printf("no-loss seed %" G_GUINT64_FORMAT, seed);
    g.spec->file = g_strdup("no-loss");
    NodeSpec *dns = no_loss_node(&g, SPEC_ROLE_DNS, "dns", g_strdup("10.255.0.53"));
    g_ptr_array_add(g.faultable, dns->name);
    guint domains = (guint)g_rand_int_range(g.rng, 2, 5);
    for (guint d = 0; d < domains; d++)
        no_loss_domain(&g, d);
    no_loss_traffic(&g, c);
    c->faults += no_loss_faults(&g);
    *lasting = g.lasting;
    g_rand_free(g.rng);
    g_ptr_array_unref(g.muas);
    g_ptr_array_unref(g.addresses);
    g_ptr_array_unref(g.faultable);
    g_ptr_array_unref(g.relays);
    g_array_unref(g.sends);
    return g.spec;
}

/* ---- the checker ---- */

typedef struct {
    GHashTable *copies;     /* "msg\nrcpt" -> count of msg.deliver */
    GHashTable *reply_lost; /* msg ids with a msg.reply_lost */
} NoLossTrace;

static void
no_loss_on_record(const SimTraceRec *r, gpointer user_data)
{
    NoLossTrace *t = user_data;
    const char *ev = sim_trace_rec_ev(r);
    if (strcmp(ev, "msg.deliver") == 0) {
        char *key = g_strdup_printf("%s\n%s", sim_trace_rec_get_str(r, "msg"),
                                    sim_trace_rec_get_str(r, "rcpt"));
        char *low = g_ascii_strdown(key, -1);
        g_free(key);
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(t->copies, low));
        g_hash_table_replace(t->copies, low, GUINT_TO_POINTER(n + 1));
    } else if (strcmp(ev, "msg.reply_lost") == 0) {
        g_hash_table_add(t->reply_lost, g_strdup(sim_trace_rec_get_str(r, "msg")));
    }
}

static void
no_loss_violation(NoLossCounts *c, guint64 seed, const char *msg, const char *rcpt,
                  const char *what)
{
    c->violations++;
    g_printerr("no-loss: seed %" G_GUINT64_FORMAT ": %s to %s: %s\n", seed, msg, rcpt, what);
}

/* Each recipient of an accepted message: where did it end? */
static void
no_loss_check_rcpt(NoLossCounts *c, guint64 seed, TrackMsg *m, const char *rcpt,
                   GHashTable *dsn_parents, NoLossTrace *t)
{
    TrackRcpt *r = track_msg_rcpt(m, rcpt);
    g_autofree char *key0 = g_strdup_printf("%s\n%s", m->id, rcpt);
    g_autofree char *key = g_ascii_strdown(key0, -1);
    guint copies = GPOINTER_TO_UINT(g_hash_table_lookup(t->copies, key));
    c->accepted++;
    switch (r->status) {
    case TRACK_STATUS_DELIVERED:
        c->delivered++;
        if (copies == 0)
            no_loss_violation(c, seed, m->id, rcpt, "delivered, but no copy in a mailbox");
        break;
    case TRACK_STATUS_BOUNCED:
        c->bounced++;
        if (m->envelope_from && m->envelope_from[0] != '\0' &&
            !g_hash_table_contains(dsn_parents, m->id))
            no_loss_violation(c, seed, m->id, rcpt, "bounced, but no DSN to the sender");
        break;
    case TRACK_STATUS_QUEUED:
        c->queued++;
        if (r->reply == NULL || r->reply[0] == '\0')
            no_loss_violation(c, seed, m->id, rcpt, "queued without a reason");
        /* world_run()'s label for what no queue holds: after a whole day
         * nothing is in transit, so this copy is gone. */
        if (g_strcmp0(r->reply, "in transit when the run ended") == 0)
            no_loss_violation(c, seed, m->id, rcpt, "in no queue and not delivered (lost)");
        break;
    default:
        no_loss_violation(c, seed, m->id, rcpt, track_status_name(r->status));
        break;
    }
    if (copies > 1) {
        c->duplicates += copies - 1;
        if (!g_hash_table_contains(t->reply_lost, m->id))
            no_loss_violation(c, seed, m->id, rcpt, "delivered twice, no reply was lost");
    }
}

static void
no_loss_check(NoLossCounts *c, guint64 seed, World *w, NoLossTrace *t)
{
    const GPtrArray *msgs = tracker_messages(world_tracker(w));
    const WorldSpec *spec = world_spec(w);
    g_autoptr(GHashTable) dsn_parents = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < msgs->len; i++) {
        TrackMsg *m = msgs->pdata[i];
        if (m->parent && g_strcmp0(m->kind, "dsn") == 0)
            g_hash_table_add(dsn_parents, m->parent);
    }
    for (guint i = 0; i < msgs->len; i++) {
        TrackMsg *m = msgs->pdata[i];
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (guint h = 0; h < m->hops->len; h++) {
            TrackHop *hop = m->hops->pdata[h];
            /* A DSN is queued where it is written (its "bounce" hop): it
             * must not be lost either. */
            gboolean taken =
                g_strcmp0(hop->action, "accept") == 0 ||
                (g_strcmp0(hop->action, "bounce") == 0 && g_strcmp0(m->kind, "dsn") == 0);
            if (!taken)
                continue;
            const NodeSpec *ns = world_spec_find_node(spec, hop->node);
            g_assert_nonnull(ns);
            g_assert_true(ns->role == SPEC_ROLE_MSA || ns->role == SPEC_ROLE_MTA);
            for (char **p = hop->rcpts; p && *p; p++)
                if (g_hash_table_add(seen, g_ascii_strdown(*p, -1)))
                    no_loss_check_rcpt(c, seed, m, *p, dsn_parents, t);
        }
    }
    c->reply_lost += g_hash_table_size(t->reply_lost);
}

static void
no_loss_run_seed(guint64 seed, NoLossCounts *c)
{
    NoLossCounts before = *c;
    gboolean lasting = FALSE;
    g_autoptr(WorldSpec) spec = no_loss_generate(seed, c, &lasting);
    NoLossTrace t = {
        .copies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .reply_lost = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    };
    SimTrace *trace = sim_trace_new();
    sim_trace_add_callback(trace, no_loss_on_record, &t, NULL);
    const char *dump = g_getenv("MHS_NO_LOSS_TRACE");
    if (dump != NULL && *dump != '\0')
        g_assert_true(sim_trace_add_jsonl_file(trace, dump, NULL));
    g_autoptr(GError) error = NULL;
    g_autoptr(World) w = world_new(spec, trace, FALSE, 0, &error);
    g_assert_no_error(error);
    /* A day of virtual time: every retry schedule (1 h at most) ends. */
    world_run(w, 24 * 3600 * NO_LOSS_S, NULL, NULL);
    no_loss_check(c, seed, w, &t);
    /* Liveness: once every fault has ended, retries (at most 1 h) finish
     * every message long before the end of the day. */
    if (!lasting && c->queued > before.queued)
        no_loss_violation(c, seed, "(all)", "(all)", "still queued after every fault ended");
    c->seeds++;
    if (g_getenv("MHS_NO_LOSS_VERBOSE"))
        g_print("seed %" G_GUINT64_FORMAT ": accepted %" G_GUINT64_FORMAT
                ", delivered %" G_GUINT64_FORMAT ", bounced %" G_GUINT64_FORMAT
                ", queued %" G_GUINT64_FORMAT ", duplicates %" G_GUINT64_FORMAT "\n",
                seed, c->accepted - before.accepted, c->delivered - before.delivered,
                c->bounced - before.bounced, c->queued - before.queued,
                c->duplicates - before.duplicates);
    g_clear_pointer(&w, world_free);
    g_hash_table_unref(t.copies);
    g_hash_table_unref(t.reply_lost);
}

static guint64
no_loss_env(const char *name, guint64 def)
{
    const char *v = g_getenv(name);
    return v && *v ? g_ascii_strtoull(v, NULL, 10) : def;
}

static void
test_no_loss_seeds(void)
{
    guint64 first = no_loss_env("MHS_NO_LOSS_FIRST", 1);
    guint64 n = no_loss_env("MHS_NO_LOSS_SEEDS", 300);
    NoLossCounts c = {0};
    for (guint64 s = first; s < first + n; s++)
        no_loss_run_seed(s, &c);
    g_print("no-loss: seeds %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
            "), messages %" G_GUINT64_FORMAT ", faults %" G_GUINT64_FORMAT
            ", accepted %" G_GUINT64_FORMAT ": delivered %" G_GUINT64_FORMAT
            ", bounced %" G_GUINT64_FORMAT ", queued %" G_GUINT64_FORMAT
            "; duplicates %" G_GUINT64_FORMAT " (replies lost %" G_GUINT64_FORMAT
            "); violations %" G_GUINT64_FORMAT "\n",
            c.seeds, first, first + n - 1, c.messages, c.faults, c.accepted, c.delivered, c.bounced,
            c.queued, c.duplicates, c.reply_lost, c.violations);
    g_assert_cmpuint(c.violations, ==, 0);
    g_assert_cmpuint(c.accepted, ==, c.delivered + c.bounced + c.queued);
    /* The generator must exercise every outcome, or the test proves little. */
    if (n >= 100) {
        g_assert_cmpuint(c.delivered, >, 0);
        g_assert_cmpuint(c.bounced, >, 0);
        g_assert_cmpuint(c.queued, >, 0);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/no-loss/seeds", test_no_loss_seeds);
    return g_test_run();
}
