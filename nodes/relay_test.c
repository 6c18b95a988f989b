/* SPDX-License-Identifier: MIT
 * relay_test: the open-relay battery (relay/relay-tests.yaml as
 * proto/relay_tests.h: nmap smtp-open-relay.nse, the MAPS relay test,
 * Postfix postconf(5), RFC 5321 3.6 and 4.5.1) run as a tester would,
 * one connection per test, and raw SMTP transactions. A test whose RCPT is
 * accepted goes on with DATA, so that whether mail really left for the
 * remote domain is seen in the message's journey, not guessed from a code.
 * The four AUTH controls log in as LOCAL_USER@LOCAL_DOMAIN with AUTH PLAIN
 * (RFC 4954, RFC 4616), after STARTTLS (RFC 3207) when the client node has
 * a TLS client level and the target offers it; a control that cannot apply
 * (no AUTH offered, no password, STARTTLS after AUTH refused) is "n/a".
 */
#include "nodes/relay_test.h"

#include <string.h>

#include "nodes/probe_session.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/relay_tests.h"
#include "proto/sasl.h"

#define RELAY_TEST_REMOTE_DEFAULT "relay-victim.example"
#define RELAY_TEST_OTHER_IP_DEFAULT "192.0.2.99" /* RFC 5737 TEST-NET-1 */

typedef struct {
    char *from;
    char *target;
    const RelayTest *test;
    char *msg_id; /* nullable: the test message once RCPT was accepted */
    guint code;   /* the deciding reply, 0: none (connection failed) */
    gboolean decided;
    gboolean refused;
    gboolean skipped; /* n/a: the control could not apply (see note) */
    char *note;       /* nullable: why n/a */
    gboolean tls;     /* the test ran under STARTTLS */
} RelayTestResult;

static void
relay_test_result_free(gpointer p)
{
    RelayTestResult *r = p;
    g_free(r->from);
    g_free(r->target);
    g_free(r->msg_id);
    g_free(r->note);
    g_free(r);
}

void
relay_test_results_free(GPtrArray *results)
{
    if (results)
        g_ptr_array_unref(results);
}

typedef struct {
    World *w;
    Node *from, *target;
    char *local_domain, *local_user, *remote_domain, *other_ip;
    RelayTestPlaceholders ph;
    guint index;
    RelayTestResult *cur;
    int helo_step, mail_step, rcpt_step;
    int auth_step, tls_step;         /* AUTH controls */
    char *sender, *rcpt, *rcpt_addr; /* the current test's expanded text */
} RelayBattery;

static void relay_battery_next(RelayBattery *b);

static const char *
relay_test_local_domain(Node *target)
{
    const NodeSpec *s = target->spec;
    if (s->local_domains && s->local_domains[0])
        return s->local_domains[0];
    for (char **d = s->relay.domains; d && *d; d++)
        if (strcmp(*d, "*") != 0)
            return *d;
    return target->hostname;
}

/* A mailbox of the domain: the users table, else a mua's user. */
static char *
relay_test_local_user(World *w, const char *domain)
{
    for (guint i = 0; i < w->spec->users->len; i++) {
        const UserSpec *u = w->spec->users->pdata[i];
        const char *at = strrchr(u->address, '@');
        if (at && g_ascii_strcasecmp(at + 1, domain) == 0)
            return g_strndup(u->address, (gsize)(at - u->address));
    }
    for (guint i = 0; i < w->spec->nodes->len; i++) {
        const NodeSpec *n = w->spec->nodes->pdata[i];
        const char *at = n->user ? strrchr(n->user, '@') : NULL;
        if (at && g_ascii_strcasecmp(at + 1, domain) == 0)
            return g_strndup(n->user, (gsize)(at - n->user));
    }
    return g_strdup("postmaster");
}

static guint16
relay_test_port(Node *target)
{
    const NodeSpec *s = target->spec;
    if (s->role == SPEC_ROLE_MSA)
        return s->submission_port ? s->submission_port : 587;
    return s->smtp_port ? s->smtp_port : 25;
}

/* "<a@b>" -> "a@b"; our own template text, not peer data. */
static char *
relay_test_strip_path(const char *s)
{
    const char *lt = strchr(s, '<'), *gt = strrchr(s, '>');
    if (lt && gt && gt > lt)
        return g_strndup(lt + 1, (gsize)(gt - lt - 1));
    return g_strdup(s);
}

static void
relay_battery_trace(RelayBattery *b, const RelayTestResult *r, const char *verdict)
{
    SimTraceRec *tr = world_trace(b->w, "relay.test", b->from->name);
    sim_trace_str(tr, "target", b->target->name);
    sim_trace_str(tr, "id", r->test->id);
    if (b->sender)
        sim_trace_str(tr, "sender", b->sender);
    if (b->rcpt)
        sim_trace_str(tr, "rcpt", b->rcpt);
    sim_trace_str(tr, "expected", relay_test_expect_name(r->test->expect));
    sim_trace_int(tr, "code", r->code);
    sim_trace_str(tr, "verdict", verdict);
    if (r->msg_id)
        sim_trace_str(tr, "msg", r->msg_id);
    if (r->test->auth != RELAY_TEST_AUTH_NONE) {
        sim_trace_str(tr, "auth", relay_test_auth_name(r->test->auth));
        sim_trace_bool(tr, "tls", r->tls);
    }
    if (r->note)
        sim_trace_str(tr, "note", r->note);
    sim_trace_end(tr);
}

static void
relay_battery_store(RelayBattery *b, RelayTestResult *r)
{
    if (b->w->relay_results == NULL)
        b->w->relay_results = g_ptr_array_new_with_free_func(relay_test_result_free);
    g_ptr_array_add(b->w->relay_results, r);
}

static void
relay_battery_decide(RelayTestResult *r, const SmtpReply *reply, gboolean refused)
{
    if (r->decided)
        return;
    r->decided = TRUE;
    r->code = reply ? reply->code : 0;
    r->refused = refused;
}

/* RCPT accepted: the message that follows is tracked, so its journey
 * shows whether it was relayed. */
static void
relay_battery_track(RelayBattery *b, ProbeSession *ps)
{
    World *w = b->w;
    g_autofree char *base = g_strdup_printf("relay-test.%s", b->target->name);
    RelayTestResult *r = b->cur;
    r->msg_id = tracker_derive_id(w->tracker, base, r->test->id);
    TrackMsg *m = tracker_add(w->tracker, r->msg_id, "relay-test", sim_world_now(w->sim));
    m->envelope_from = relay_test_strip_path(b->sender ? b->sender : "");
    m->subject = g_strdup_printf("relay test %s", r->test->id);
    track_msg_rcpt(m, b->rcpt_addr);
    track_msg_add_hop(m, b->from->name, sim_world_now(w->sim), "submit", "relay test", NULL, NULL);
    tracker_tag_conn(w->tracker, probe_session_conn_id(ps), r->msg_id);
}

/* The AUTH controls' own steps. RFC 4954 4: 235 is success, 535 5.7.8
 * bad credentials; RFC 3207 4: 220 to STARTTLS. */
static void
relay_battery_on_auth_reply(RelayBattery *b, int step, const SmtpReply *reply)
{
    RelayTestResult *r = b->cur;
    RelayTestAuth kind = r->test->auth;
    gboolean ok = step == b->auth_step ? reply->code == 235 : reply->code == 220;
    if (step == b->tls_step && ok)
        r->tls = TRUE;
    if (ok || r->decided)
        return;
    if (kind == RELAY_TEST_AUTH_STARTTLS) {
        /* RFC 3207 4.2 cannot be tested: most servers refuse STARTTLS
         * after AUTH (503); relay-tests.yaml records n/a. */
        r->skipped = TRUE;
        r->note = g_strdup_printf("%s refused with %u", step == b->auth_step ? "AUTH" : "STARTTLS",
                                  reply->code);
        relay_battery_decide(r, reply, TRUE);
    } else if (kind != RELAY_TEST_AUTH_BAD || step == b->tls_step) {
        relay_battery_decide(r, reply, TRUE); /* a control that could not log in */
    }
}

static void
relay_battery_on_reply(ProbeSession *ps, int step, const SmtpReply *reply, gpointer user_data)
{
    RelayBattery *b = user_data;
    RelayTestResult *r = b->cur;
    gboolean bad = reply->code >= 400;
    if (step == b->auth_step || step == b->tls_step) {
        relay_battery_on_auth_reply(b, step, reply);
        return;
    }
    if (step == SMTP_PROBE_STEP_GREETING && bad)
        relay_battery_decide(r, reply, TRUE);
    else if (step == b->helo_step && r->test->expect == RELAY_TEST_EXPECT_HELO_REPLY)
        relay_battery_decide(r, reply, bad);
    else if (step == b->mail_step && bad)
        relay_battery_decide(r, reply, TRUE); /* MAIL refused: nothing relayed */
    else if (step == b->rcpt_step) {
        relay_battery_decide(r, reply, bad);
        if (!bad)
            relay_battery_track(b, ps);
    }
}

static void
relay_battery_after(SimWorld *sim, gpointer data)
{
    relay_battery_next(data);
}

static void
relay_battery_on_closed(ProbeSession *ps, int last_step, gboolean completed, gpointer user_data)
{
    RelayBattery *b = user_data;
    RelayTestResult *r = b->cur;
    tracker_untag_conn(b->w->tracker, probe_session_conn_id(ps));
    if (!r->decided)
        relay_battery_decide(r, NULL, TRUE); /* no RCPT reply: nothing accepted */
    relay_battery_trace(b, r, r->skipped ? "n/a" : r->refused ? "refused" : "accepted");
    relay_battery_store(b, r);
    b->cur = NULL;
    b->index++;
    sim_world_schedule_in(b->w->sim, 0, relay_battery_after, b, NULL);
}

static const ProbeSessionHandler relay_battery_handler = {
    .on_reply = relay_battery_on_reply,
    .on_closed = relay_battery_on_closed,
};

static char *
relay_battery_rcpt_line(RelayBattery *b, const RelayTest *t)
{
    if (t->rcpt_to_raw) {
        g_free(b->rcpt);
        b->rcpt = relay_test_expand(t->rcpt_to_raw, &b->ph);
        const char *colon = strchr(b->rcpt, ':');
        g_autofree char *arg = g_strstrip(g_strdup(colon ? colon + 1 : b->rcpt));
        b->rcpt_addr = relay_test_strip_path(arg);
        return g_strdup(b->rcpt);
    }
    g_autofree char *path = relay_test_expand(t->rcpt_to, &b->ph);
    g_free(b->rcpt);
    b->rcpt = t->mixed_case ? relay_test_mixed_case(path) : g_strdup(path);
    b->rcpt_addr = relay_test_strip_path(b->rcpt);
    return g_strdup_printf("RCPT TO:%s", b->rcpt);
}

/* "AUTH PLAIN <initial response>" for the local user (RFC 4954 4, RFC 4616
 * 2), with the right password or a wrong one (transfer full). */
static char *
relay_battery_auth_line(RelayBattery *b, gboolean good)
{
    g_autofree char *user = g_strdup_printf("%s@%s", b->local_user, b->local_domain);
    const char *pw = world_spec_user_password(b->w->spec, user);
    g_autofree char *wrong = g_strdup_printf("not-%s", pw ? pw : "");
    g_autoptr(SaslClient) cl =
        sasl_client_new(SASL_MECH_PLAIN, user, good ? pw : wrong, NULL, node_rng(b->from));
    g_autoptr(GBytes) resp = NULL;
    sasl_client_initial_response(cl, &resp);
    gsize n;
    const guint8 *d = g_bytes_get_data(resp, &n);
    g_autofree char *b64 = g_base64_encode(d, n);
    return g_strdup_printf("AUTH PLAIN %s", b64);
}

/* STARTTLS (when both ends can), then AUTH; RSET or STARTTLS after it. */
static void
relay_battery_auth_script(RelayBattery *b, const RelayTest *t, SmtpProbe *p)
{
    g_autofree char *helo = relay_test_expand(t->helo ? t->helo : RELAY_TEST_DEFAULT_HELO, &b->ph);
    gboolean tls = world_tls_client_context(b->w, b->from) != NULL &&
                   world_tls_server_context(b->w, b->target) != NULL;
    if (tls && t->auth != RELAY_TEST_AUTH_STARTTLS) {
        b->tls_step = smtp_probe_add_starttls(p, FALSE);
        smtp_probe_add_line(p, helo, FALSE); /* RFC 3207 4.2: EHLO again */
    }
    g_autofree char *auth = relay_battery_auth_line(b, t->auth != RELAY_TEST_AUTH_BAD);
    /* A failed AUTH goes on to MAIL: the test is what is left behind. */
    b->auth_step = smtp_probe_add_line(p, auth, t->auth == RELAY_TEST_AUTH_BAD);
    if (t->auth == RELAY_TEST_AUTH_RSET)
        smtp_probe_add_line(p, "RSET", FALSE);
    if (t->auth == RELAY_TEST_AUTH_STARTTLS) {
        b->tls_step = smtp_probe_add_starttls(p, FALSE);
        smtp_probe_add_line(p, helo, FALSE);
    }
}

/* Why an AUTH control cannot run against this target (NULL: it can). */
static const char *
relay_battery_auth_na(RelayBattery *b, const RelayTest *t)
{
    const NodeSpec *ts = b->target->spec;
    gboolean plain = FALSE;
    for (char **m = ts->auth.mechanisms; m && *m && !plain; m++)
        plain = g_ascii_strcasecmp(*m, "PLAIN") == 0;
    if (!plain)
        return "the target offers no AUTH PLAIN";
    g_autofree char *user = g_strdup_printf("%s@%s", b->local_user, b->local_domain);
    if (world_spec_user_password(b->w->spec, user) == NULL)
        return "no password for the local user";
    if (t->auth == RELAY_TEST_AUTH_STARTTLS && (world_tls_client_context(b->w, b->from) == NULL ||
                                                world_tls_server_context(b->w, b->target) == NULL))
        return "no STARTTLS between the client and the target";
    return NULL;
}

/* The script of one test: HELO (unless none), MAIL, RCPT, then DATA and a
 * short message, which only go out if RCPT is accepted. */
static SmtpProbe *
relay_battery_script(RelayBattery *b, const RelayTest *t)
{
    SmtpProbe *p = smtp_probe_new();
    b->helo_step = b->mail_step = b->rcpt_step = b->auth_step = b->tls_step = -100;
    g_clear_pointer(&b->sender, g_free);
    g_clear_pointer(&b->rcpt, g_free);
    g_clear_pointer(&b->rcpt_addr, g_free);
    if (!t->no_helo) {
        g_autofree char *helo =
            relay_test_expand(t->helo ? t->helo : RELAY_TEST_DEFAULT_HELO, &b->ph);
        /* A refused HELO does not end a relay test: MAIL must then fail too. */
        b->helo_step = smtp_probe_add_line(p, helo, t->expect != RELAY_TEST_EXPECT_HELO_REPLY);
    }
    if (t->expect == RELAY_TEST_EXPECT_HELO_REPLY || t->mail_from == NULL)
        return p;
    if (t->auth != RELAY_TEST_AUTH_NONE)
        relay_battery_auth_script(b, t, p);
    b->sender = relay_test_expand(t->mail_from, &b->ph);
    g_autofree char *mail = g_strdup_printf("MAIL FROM:%s", b->sender);
    b->mail_step = smtp_probe_add_line(p, mail, FALSE);
    g_autofree char *rcpt = relay_battery_rcpt_line(b, t);
    b->rcpt_step = smtp_probe_add_line(p, rcpt, FALSE);
    smtp_probe_add_line(p, "DATA", FALSE);
    g_autofree char *msg = g_strdup_printf("From: antispam@client.example\r\n"
                                           "To: %s\r\nSubject: relay test %s\r\n\r\n"
                                           "mhs open-relay test %s\r\n.\r\n",
                                           b->rcpt_addr, t->id, t->id);
    gsize n = strlen(msg);
    g_autoptr(GBytes) body = g_bytes_new_take(g_steal_pointer(&msg), n);
    smtp_probe_add_raw(p, body, FALSE);
    return p;
}

static void
relay_battery_free(RelayBattery *b)
{
    world_release(b->w, b);
    if (b->cur != NULL)
        relay_test_result_free(b->cur); /* the run stopped during a probe */
    g_free(b->local_domain);
    g_free(b->local_user);
    g_free(b->remote_domain);
    g_free(b->other_ip);
    g_free(b->sender);
    g_free(b->rcpt);
    g_free(b->rcpt_addr);
    g_free(b);
}

static void
relay_battery_next(RelayBattery *b)
{
    guint n = 0;
    const RelayTest *table = relay_tests_table(&n);
    const char *na;
    while (b->index < n && table[b->index].auth != RELAY_TEST_AUTH_NONE &&
           (na = relay_battery_auth_na(b, &table[b->index])) != NULL) {
        RelayTestResult *r = g_new0(RelayTestResult, 1);
        r->from = g_strdup(b->from->name);
        r->target = g_strdup(b->target->name);
        r->test = &table[b->index];
        r->skipped = TRUE;
        r->note = g_strdup(na);
        g_clear_pointer(&b->sender, g_free);
        g_clear_pointer(&b->rcpt, g_free);
        relay_battery_trace(b, r, "n/a");
        relay_battery_store(b, r);
        b->index++;
    }
    if (b->index >= n) {
        relay_battery_free(b);
        return;
    }
    RelayTestResult *r = g_new0(RelayTestResult, 1);
    r->from = g_strdup(b->from->name);
    r->target = g_strdup(b->target->name);
    r->test = &table[b->index];
    b->cur = r;
    SmtpProbe *p = relay_battery_script(b, r->test);
    probe_session_start(b->from, node_ip(b->target), relay_test_port(b->target), b->target->name, p,
                        &relay_battery_handler, b);
}

void
relay_test_run(World *w, const RelayTestSpec *spec)
{
    RelayBattery *b = g_new0(RelayBattery, 1);
    b->w = w;
    world_hold(w, b, (GDestroyNotify)relay_battery_free);
    b->from = world_node(w, spec->from);
    b->target = world_node(w, spec->target);
    b->local_domain = g_strdup(relay_test_local_domain(b->target));
    b->local_user =
        spec->local_user ? g_strdup(spec->local_user) : relay_test_local_user(w, b->local_domain);
    b->remote_domain =
        g_strdup(spec->remote_domain ? spec->remote_domain : RELAY_TEST_REMOTE_DEFAULT);
    b->other_ip = g_strdup(spec->other_ip ? spec->other_ip : RELAY_TEST_OTHER_IP_DEFAULT);
    b->ph = (RelayTestPlaceholders){
        .relay_host = b->target->hostname,
        .relay_ip = node_ip(b->target),
        .local_domain = b->local_domain,
        .local_user = b->local_user,
        .remote_domain = b->remote_domain,
        .other_ip = b->other_ip,
    };
    relay_battery_next(b);
}

/* The test message reached a node other than the client, the target and
 * the target's store, or was decided there: it was relayed. */
static gboolean
relay_test_relayed(World *w, const RelayTestResult *r)
{
    TrackMsg *m = r->msg_id ? tracker_find(w->tracker, r->msg_id) : NULL;
    if (m == NULL)
        return FALSE;
    Node *t = world_node(w, r->target);
    const char *ms = t ? t->spec->deliver_to : NULL;
    const char *ours[] = {r->from, r->target, ms};
    for (guint i = 0; i < m->hops->len + m->rcpts->len; i++) {
        const char *where = i < m->hops->len
                                ? ((TrackHop *)m->hops->pdata[i])->node
                                : ((TrackRcpt *)m->rcpts->pdata[i - m->hops->len])->where;
        gboolean inside = where == NULL;
        for (guint k = 0; k < G_N_ELEMENTS(ours) && !inside; k++)
            inside = g_strcmp0(where, ours[k]) == 0;
        if (!inside)
            return TRUE;
    }
    return FALSE;
}

ExpectResult *
relay_test_check(World *w, const ExpectSpec *e)
{
    ExpectResult *res = g_new0(ExpectResult, 1);
    res->spec = e;
    guint ran = 0, skipped = 0;
    g_autoptr(GString) exploited = g_string_new(NULL);
    g_autoptr(GString) broken = g_string_new(NULL);
    guint n_exploited = 0, n_broken = 0;
    for (guint i = 0; w->relay_results && i < w->relay_results->len; i++) {
        const RelayTestResult *r = w->relay_results->pdata[i];
        if (strcmp(r->target, e->target) != 0)
            continue;
        if (r->skipped) {
            skipped++;
            continue;
        }
        ran++;
        switch (r->test->expect) {
        case RELAY_TEST_EXPECT_REJECT_RCPT:
        case RELAY_TEST_EXPECT_NOT_RELAYED:
            if (!r->refused &&
                (r->test->expect == RELAY_TEST_EXPECT_REJECT_RCPT || relay_test_relayed(w, r))) {
                g_string_append_printf(exploited, " %s", r->test->id);
                n_exploited++;
            }
            break;
        case RELAY_TEST_EXPECT_ACCEPT:
            if (r->refused) {
                g_string_append_printf(broken, " %s(%u)", r->test->id, r->code);
                n_broken++;
            }
            break;
        case RELAY_TEST_EXPECT_HELO_REPLY:
            break; /* no relaying asked: reported in the trace only */
        }
    }
    if (e->relay_mode == SPEC_RELAY_EXPLOITED) {
        res->held = n_exploited > 0;
        res->what = g_strdup_printf("relay tests against %s: relaying exploited", e->target);
    } else {
        res->held = ran > 0 && n_exploited == 0 && n_broken == 0;
        res->what =
            g_strdup_printf("relay tests against %s: all refused, controls accepted", e->target);
    }
    res->actual = g_strdup_printf("%u run, %u n/a; %u relayed%s%s; %u controls refused%s%s", ran,
                                  skipped, n_exploited, n_exploited ? ":" : "", exploited->str,
                                  n_broken, n_broken ? ":" : "", broken->str);
    return res;
}
