/* SPDX-License-Identifier: MIT
 * cmd_serve: `mhs serve SCENARIO --listen [HOST:]PORT=NODE[:SERVICE][@FROM] ...`,
 * the scenario in real time with real clients (DESIGN 7). Prints one line
 * per listener ("listen IP:PORT NODE SERVICE", then "from FROM" when its
 * clients appear from a simulated node) and "ready", runs until
 * SIGINT or SIGTERM, then writes the trace and capture it was asked for,
 * prints the run's report and exits 0. Gateway nodes reach their real
 * servers. Deliberately no TLS on the real socket itself: STARTTLS is the
 * node's, end to end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib-unix.h>

#include "app/bridge.h"
#include "app/cli.h"
#include "app/run_report.h"
#include "app/scenario.h"
#include "app/scenario_value.h"
#include "nodes/tls_setup.h"
#include "sim/pcap_writer.h"

typedef struct {
    char **listen;
    double speed;
    char *ca_out, *trace, *trace_text, *pcap, *keylog, *client_ip, *idle_text, *until_text;
    gint64 until; /* virtual µs; -1: until a signal */
    gint64 seed;
    gint max_conns;
    gint64 max_pending;
    gboolean quiet;
} ServeOptions;

static void
serve_options_clear(ServeOptions *o)
{
    g_strfreev(o->listen);
    g_free(o->ca_out);
    g_free(o->trace);
    g_free(o->trace_text);
    g_free(o->pcap);
    g_free(o->keylog);
    g_free(o->client_ip);
    g_free(o->idle_text);
    g_free(o->until_text);
}

static gboolean stopped_by_signal;

static gboolean
serve_quit(gpointer data)
{
    stopped_by_signal = TRUE;
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;
}

/* --until: stop the world at that virtual time. Quitting the main loop is
 * not enough: the bridge's sync in progress would run on up to the wall
 * clock's virtual now, past `until`, on a machine that stalled. */
typedef struct {
    GMainLoop *loop;
    gboolean fired;
} ServeUntil;

static void
serve_until_fire(SimWorld *sim, gpointer data)
{
    ServeUntil *u = data;
    u->fired = TRUE;
    sim_world_stop(sim);
    g_main_loop_quit(u->loop);
}

/* The key log file, closed on every way out of serve_run(). */
typedef FILE ServeFile;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ServeFile, fclose)

/* Flushed per line: Wireshark may read it while the server runs. */
static void
serve_keylog_line(const char *line, gpointer user_data)
{
    fprintf(user_data, "%s\n", line);
    fflush(user_data);
}

/* The services of one --listen: one, or every one of the node (:all). */
typedef struct {
    const BridgeService *svc[BRIDGE_SERVICES_MAX];
    guint n;
} ServeServices;

/* "[HOST:]PORT=NODE:all": every service the node listens on. */
static gboolean
serve_parse_listen_all(const World *w, const char *arg, const char *target, char **node,
                       ServeServices *out)
{
    g_autofree char *name = g_strndup(target, strlen(target) - strlen(":all"));
    const NodeSpec *ns = world_spec_find_node(world_spec(w), name);
    if (ns == NULL) {
        mhs_usage_error("--listen '%s': no node '%s' in the scenario", arg, name);
        return FALSE;
    }
    out->n = bridge_services_of_node(ns, out->svc, BRIDGE_SERVICES_MAX);
    if (out->n == 0) {
        mhs_usage_error("--listen '%s': node '%s' offers no service to real clients", arg, name);
        return FALSE;
    }
    *node = g_steal_pointer(&name);
    return TRUE;
}

/* "[HOST:]PORT=NODE[:SERVICE]" into its parts (transfer full). */
static gboolean
serve_parse_listen(const World *w, const char *arg, char **address, char **node,
                   ServeServices *services)
{
    const char *eq0 = strchr(arg, '=');
    if (eq0 != NULL && eq0 != arg && g_str_has_suffix(eq0 + 1, ":all") &&
        world_spec_find_node(world_spec(w), eq0 + 1) == NULL) {
        g_autofree char *addr = g_strndup(arg, (gsize)(eq0 - arg));
        if (!serve_parse_listen_all(w, arg, eq0 + 1, node, services))
            return FALSE;
        *address = strchr(addr, ':') ? g_strdup(addr) : g_strdup_printf("127.0.0.1:%s", addr);
        return TRUE;
    }
    const BridgeService **service = &services->svc[0];
    services->n = 1;
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg || eq[1] == '\0') {
        mhs_usage_error("--listen '%s': write [HOST:]PORT=NODE[:SERVICE]", arg);
        return FALSE;
    }
    g_autofree char *addr = g_strndup(arg, (gsize)(eq - arg));
    *address = strchr(addr, ':') ? g_strdup(addr) : g_strdup_printf("127.0.0.1:%s", addr);
    g_autofree char *target = g_strdup(eq + 1);
    char *colon = strrchr(target, ':');
    *service = NULL;
    if (colon != NULL && bridge_service_find(colon + 1) != NULL) {
        *service = bridge_service_find(colon + 1);
        *colon = '\0';
    }
    const NodeSpec *ns = world_spec_find_node(world_spec(w), target);
    g_autofree char *base = colon ? g_strndup(target, (gsize)(colon - target)) : NULL;
    if (ns == NULL && base != NULL && *service == NULL &&
        world_spec_find_node(world_spec(w), base) != NULL) {
        mhs_usage_error("--listen '%s': unknown service '%s' (%s)", arg, colon + 1,
                        bridge_service_names());
        g_clear_pointer(address, g_free);
        return FALSE;
    }
    if (ns == NULL) {
        mhs_usage_error("--listen '%s': no node '%s' in the scenario", arg, target);
        g_clear_pointer(address, g_free);
        return FALSE;
    }
    if (*service == NULL)
        *service = bridge_service_for_node(ns);
    if (*service != NULL && !bridge_service_offered(*service, ns)) {
        mhs_usage_error("--listen '%s': node '%s' does not offer %s", arg, target,
                        (*service)->name);
        g_clear_pointer(address, g_free);
        return FALSE;
    }
    if (*service == NULL) {
        mhs_usage_error("--listen '%s': name a service for node '%s' (%s)", arg, target,
                        bridge_service_names());
        g_clear_pointer(address, g_free);
        return FALSE;
    }
    *node = g_strdup(target);
    return TRUE;
}

static gboolean
serve_write_ca(World *w, const char *path)
{
    TlsIdentity *ca = world_tls_ca(w);
    if (ca == NULL) {
        mhs_usage_error("--ca-out: the scenario has no TLS (no node sets a tls level)");
        return FALSE;
    }
    g_autofree char *pem = tls_identity_cert_pem(ca);
    g_autoptr(GError) error = NULL;
    if (!g_file_set_contents(path, pem, -1, &error)) {
        mhs_usage_error("--ca-out: %s", error->message);
        return FALSE;
    }
    return TRUE;
}

/* The i-th service of a --listen: port 0 stays 0 (a free port each),
 * another port P gives P, P+1, ... in service order. */
static gboolean
serve_listen_one(Bridge *b, const char *arg, const char *address, guint i, const char *node,
                 const BridgeService *svc, const char *from)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *bound = NULL;
    g_autofree char *addr = g_strdup(address);
    char *colon = strrchr(addr, ':');
    guint64 port = 0;
    if (i > 0 && colon && g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL) &&
        port != 0) {
        if (port + i > 65535) {
            mhs_usage_error("--listen '%s': no port %" G_GUINT64_FORMAT " for %s", arg, port + i,
                            svc->name);
            return FALSE;
        }
        *colon = '\0';
        g_autofree char *host = g_steal_pointer(&addr);
        addr = g_strdup_printf("%s:%" G_GUINT64_FORMAT, host, port + i);
    }
    if (!bridge_listen(b, addr, node, svc, from, &bound, &error)) {
        mhs_usage_error("--listen '%s': %s", arg, error->message);
        return FALSE;
    }
    if (from != NULL)
        printf("listen %s %s %s from %s\n", bound, node, svc->name, from);
    else
        printf("listen %s %s %s\n", bound, node, svc->name);
    return TRUE;
}

static gboolean
serve_start_bridge(World *w, Bridge *b, const ServeOptions *o)
{
    const WorldSpec *spec = world_spec(w);
    for (guint i = 0; i < spec->nodes->len; i++) {
        const NodeSpec *ns = spec->nodes->pdata[i];
        g_autoptr(GError) error = NULL;
        if (ns->role == SPEC_ROLE_GATEWAY && !bridge_attach_gateway(b, ns->name, &error)) {
            mhs_usage_error("gateway '%s': %s", ns->name, error->message);
            return FALSE;
        }
    }
    for (char **l = o->listen; l && *l; l++) {
        g_autofree char *address = NULL, *node = NULL;
        ServeServices svcs = {0};
        /* "...@FROM": the clients appear from that simulated node. */
        g_autofree char *arg = g_strdup(*l);
        const char *eq = strchr(arg, '=');
        char *at = eq != NULL ? strrchr(eq, '@') : NULL;
        const char *from = NULL;
        if (at != NULL) {
            *at = '\0';
            from = at + 1;
            if (*from == '\0') {
                mhs_usage_error("--listen '%s': name a node after '@'", *l);
                return FALSE;
            }
        }
        if (!serve_parse_listen(w, arg, &address, &node, &svcs))
            return FALSE;
        for (guint i = 0; i < svcs.n; i++)
            if (!serve_listen_one(b, *l, address, i, node, svcs.svc[i], from))
                return FALSE;
    }
    return TRUE;
}

/* Builds the trace sinks asked for (transfer full), NULL on error. */
static SimTrace *
serve_trace(const ServeOptions *o)
{
    g_autoptr(GError) error = NULL;
    SimTrace *trace = sim_trace_new();
    if ((o->trace && !sim_trace_add_jsonl_file(trace, o->trace, &error)) ||
        (o->trace_text && !sim_trace_add_text_file(trace, o->trace_text, &error))) {
        mhs_usage_error("--trace: %s", error->message);
        sim_trace_free(trace);
        return NULL;
    }
    return trace;
}

static int
serve_run(const char *path, const ServeOptions *o, const BridgeLimits *limits)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) spec = scenario_load(path, &error);
    if (spec == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    SimTrace *trace = serve_trace(o);
    if (trace == NULL)
        return MHS_EXIT_USAGE;
    g_autoptr(World) w = world_new(spec, trace, o->seed >= 0, (guint64)o->seed, &error);
    if (w == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    if (o->ca_out && !serve_write_ca(w, o->ca_out))
        return MHS_EXIT_USAGE;
    g_autoptr(ServeFile) keylog = NULL;
    if (o->keylog) {
        keylog = fopen(o->keylog, "w");
        if (keylog == NULL)
            return mhs_usage_error("--keylog: cannot write '%s': %s", o->keylog, g_strerror(errno));
        world_set_keylog(w, serve_keylog_line, keylog);
    }
    SimPcap *pcap = NULL;
    if (o->pcap) {
        pcap = sim_pcap_open(world_net(w), o->pcap, &error);
        if (pcap == NULL)
            return mhs_usage_error("--pcap: %s", error->message);
        sim_pcap_set_epoch(pcap, spec->epoch_unix);
    }
    g_autoptr(Bridge) b = bridge_new(
        w, o->speed, o->client_ip ? o->client_ip : BRIDGE_CLIENT_IP_DEFAULT, limits, &error);
    if (b == NULL)
        return mhs_usage_error("--client-ip: %s", error->message);
    if (!serve_start_bridge(w, b, o))
        return MHS_EXIT_USAGE;
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    /* The handlers stay until the process exits: a second signal (timeout(1)
     * sends one to the process and one to its group) must not kill the
     * teardown, which GLib's default disposition would on removal. */
    g_unix_signal_add_full(G_PRIORITY_DEFAULT, SIGINT, serve_quit, g_main_loop_ref(loop),
                           (GDestroyNotify)g_main_loop_unref);
    g_unix_signal_add_full(G_PRIORITY_DEFAULT, SIGTERM, serve_quit, g_main_loop_ref(loop),
                           (GDestroyNotify)g_main_loop_unref);
    ServeUntil until = {loop, FALSE};
    if (o->until >= 0)
        sim_world_schedule_at(world_sim(w), o->until, serve_until_fire, &until, NULL);
    printf("ready\n");
    fflush(stdout);
    bridge_start(b);
    g_main_loop_run(loop);
    if (!until.fired) /* a signal: catch up with the wall clock first */
        bridge_sync(b);
    world_run(w, world_now(w), NULL, NULL);
    g_clear_pointer(&b, bridge_free);
    if (pcap != NULL && !sim_pcap_finish(pcap, &error))
        fprintf(stderr, "mhs: --pcap: %s\n", error->message);
    sim_trace_flush(sim_world_trace(world_sim(w)));
    g_autoptr(GPtrArray) results = world_check_expectations(w);
    run_report_print(stdout, w, results, o->quiet);
    /* Stopped by --until, the run is judged like `mhs run`; by a signal, not. */
    for (guint i = 0; o->until >= 0 && !stopped_by_signal && i < results->len; i++)
        if (!((ExpectResult *)results->pdata[i])->held)
            return MHS_EXIT_FAIL;
    return MHS_EXIT_OK;
}

int
mhs_cmd_serve(int argc, char **argv)
{
    ServeOptions o = {.speed = 1.0, .seed = -1, .until = -1};
    GOptionEntry entries[] = {
        {"listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &o.listen,
         "Bridge [HOST:]PORT (default host 127.0.0.1; port 0: any) to NODE's SERVICE "
         "(submission, smtp, pop3, http, https, or all of the node's; default by role); "
         "@FROM: its clients appear from simulated node FROM instead of host 'bridge'",
         "[HOST:]PORT=NODE[:SERVICE][@FROM]"},
        {"speed", 0, 0, G_OPTION_ARG_DOUBLE, &o.speed,
         "Virtual seconds per wall-clock second (default 1)", "F"},
        {"ca-out", 0, 0, G_OPTION_ARG_FILENAME, &o.ca_out,
         "Write the scenario CA certificate (PEM) for clients to verify STARTTLS", "F"},
        {"trace", 0, 0, G_OPTION_ARG_FILENAME, &o.trace, "Write the trace as JSON Lines",
         "F.jsonl"},
        {"trace-text", 0, 0, G_OPTION_ARG_FILENAME, &o.trace_text, "Write the trace as text", "F"},
        {"pcap", 0, 0, G_OPTION_ARG_FILENAME, &o.pcap, "Write a packet capture of the simulation",
         "F.pcap"},
        {"keylog", 0, 0, G_OPTION_ARG_FILENAME, &o.keylog,
         "Write TLS secrets in NSS key log format (for Wireshark)", "F"},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "Seed of the run (default: the scenario's)",
         "N"},
        {"client-ip", 0, 0, G_OPTION_ARG_STRING, &o.client_ip,
         "Address of the simulated host real clients come from (default 127.0.0.1)", "IP"},
        {"max-conns", 0, 0, G_OPTION_ARG_INT, &o.max_conns,
         "Concurrent real connections (default 64)", "N"},
        {"idle-timeout", 0, 0, G_OPTION_ARG_STRING, &o.idle_text,
         "Close a real connection silent this long (default 5m)", "T"},
        {"max-pending", 0, 0, G_OPTION_ARG_INT64, &o.max_pending,
         "Bytes queued for a real peer that does not read (default 4194304)", "N"},
        {"until", 0, 0, G_OPTION_ARG_STRING, &o.until_text,
         "Stop by itself at this virtual time (default: at SIGINT or SIGTERM)", "T"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "Print only the summary at the end", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("SCENARIO - run a scenario in real time for real mail clients");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    int status;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        status = mhs_usage_error("%s", error->message);
    else if (argc != 2)
        status = mhs_usage_error("serve needs exactly one SCENARIO");
    else if (!(o.speed > 0 && o.speed < 1e6))
        status = mhs_usage_error("--speed must be a positive factor");
    else if (o.max_conns < 0 || o.max_pending < 0 || o.seed < -1)
        status = mhs_usage_error("--max-conns, --max-pending and --seed must not be negative");
    else {
        BridgeLimits limits = {.max_conns = (guint)o.max_conns,
                               .max_pending = (gsize)o.max_pending};
        if (o.idle_text && (!scenario_parse_duration(o.idle_text, &limits.idle_timeout) ||
                            limits.idle_timeout <= 0))
            status = mhs_usage_error("--idle-timeout: '%s' is not a duration (e.g. 30s, 5m)",
                                     o.idle_text);
        else if (o.until_text && !scenario_parse_duration(o.until_text, &o.until))
            status =
                mhs_usage_error("--until: '%s' is not a duration (e.g. 90s, 5m)", o.until_text);
        else {
            signal(SIGPIPE, SIG_IGN);
            status = serve_run(argv[1], &o, &limits);
        }
    }
    serve_options_clear(&o);
    return status;
}
