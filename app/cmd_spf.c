/* SPDX-License-Identifier: MIT
 * cmd_spf: `mhs spf`, the SPF check_host() function (RFC 7208 4) run
 * against a zone from a YAML file. Drives the sans-I/O engine of
 * proto/spf.h, answering its DNS queries from the DnsZone. The first
 * output line is the result keyword (RFC 7208 2.6); --explain adds every
 * step the engine reports, the deciding term and the explanation of a fail
 * (RFC 7208 6.2). No real DNS is ever queried.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gio/gio.h>

#include "app/cli.h"
#include "app/scenario.h"
#include "proto/dns_zone.h"
#include "proto/spf.h"

/* Every check_host() ends within the RFC 7208 4.6.4 limits (10 terms, 10
 * MX/PTR names each, 2 void lookups); this bounds a broken engine. */
#define CMD_SPF_QUERY_MAX 1000

typedef struct {
    gboolean explain;
    guint queries;
} CmdSpfRun;

/* Answers the engine's query act from zone. The zone follows CNAME
 * chains; only records of the type asked for are passed (proto/spf.h). */
static void
cmd_spf_answer(SpfCheck *c, const DnsZone *zone, const SpfAct *act)
{
    DnsAnswer da;
    dns_zone_lookup(zone, act->name, act->type, &da);
    g_autoptr(GArray) recs = g_array_new(FALSE, TRUE, sizeof(SpfAnswerRecord));
    for (guint i = 0; da.records != NULL && i < da.records->len; i++) {
        const DnsRecord *r = da.records->pdata[i];
        if (r->type != act->type)
            continue;
        SpfAnswerRecord rec = {
            .text = r->text,
            .pref = r->pref,
            .strings = r->type == DNS_RR_TXT ? (const char *const *)r->strings : NULL,
        };
        g_array_append_val(recs, rec);
    }
    SpfAnswer ans = {
        .rcode = da.rcode,
        .records = (const SpfAnswerRecord *)recs->data,
        .n_records = recs->len,
    };
    spf_check_answer(c, act->query_id, &ans);
    dns_answer_clear(&da);
}

/* The local explanation when the domain publishes none (RFC 7208 6.2
 * leaves it to the checker). */
static void
cmd_spf_print_done(const SpfAct *act, const SpfRequest *req, guint lookups)
{
    printf("mechanism: %s\n", act->mechanism != NULL ? act->mechanism : "(default result)");
    if (act->result == SPF_RESULT_FAIL) {
        if (act->explanation != NULL)
            printf("explanation: %s\n", act->explanation);
        else
            printf("explanation: (none published) %s is not authorized to send mail as %s\n",
                   req->ip, req->sender != NULL && req->sender[0] ? req->sender : req->helo);
    }
    printf("lookups: %u\n", lookups);
}

/* Runs the check to the end; returns the result, printing as it goes. */
static SpfResult
cmd_spf_run(const DnsZone *zone, const SpfRequest *req, CmdSpfRun *run)
{
    g_autoptr(SpfCheck) c = spf_check_new(req);
    g_autoptr(GString) body = g_string_new(NULL);
    SpfResult result = SPF_RESULT_TEMPERROR;
    SpfAct act = {0};
    for (;;) {
        if (!spf_check_poll(c, &act))
            g_error("spf: the engine stopped without a result");
        if (act.kind == SPF_ACT_QUERY) {
            if (++run->queries > CMD_SPF_QUERY_MAX)
                g_error("spf: more than %d DNS queries", CMD_SPF_QUERY_MAX);
            cmd_spf_answer(c, zone, &act);
        } else if (act.kind == SPF_ACT_STEP) {
            g_string_append_printf(body, "step: %s\n", act.text);
        } else if (act.kind == SPF_ACT_DONE) {
            result = act.result;
            printf("%s\n", spf_result_name(result));
            if (run->explain) {
                fputs(body->str, stdout);
                cmd_spf_print_done(&act, req, spf_check_get_lookups(c));
            }
            spf_act_clear(&act);
            break;
        }
        spf_act_clear(&act);
    }
    return result;
}

/* RFC 7208 4.1: the <ip> input is an IPv4 or IPv6 address. */
static gboolean
cmd_spf_ip_is_valid(const char *ip)
{
    g_autoptr(GInetAddress) a = g_inet_address_new_from_string(ip);
    return a != NULL;
}

int
mhs_cmd_spf(int argc, char **argv)
{
    char *dns = NULL, *ip = NULL, *sender = NULL, *helo = NULL, *receiver = NULL;
    gboolean explain = FALSE, helo_identity = FALSE;
    gint64 now = -1;
    GOptionEntry entries[] = {
        {"dns", 0, 0, G_OPTION_ARG_FILENAME, &dns, "Zone file, or a scenario (its dns: key)",
         "ZONE.yaml"},
        {"ip", 0, 0, G_OPTION_ARG_STRING, &ip, "Client IP address (IPv4 or IPv6)", "IP"},
        {"sender", 0, 0, G_OPTION_ARG_STRING, &sender,
         "MAIL FROM address (\"\" for the null path: postmaster@HELO)", "ADDR"},
        {"helo", 0, 0, G_OPTION_ARG_STRING, &helo, "HELO/EHLO name", "NAME"},
        {"helo-identity", 0, 0, G_OPTION_ARG_NONE, &helo_identity,
         "Check the HELO identity instead of MAIL FROM (RFC 7208 2.3)", NULL},
        {"receiver", 0, 0, G_OPTION_ARG_STRING, &receiver, "Checking host's name (%{r})", "NAME"},
        {"time", 0, 0, G_OPTION_ARG_INT64, &now, "Time for %{t} (default: now)", "UNIX"},
        {"explain", 0, 0, G_OPTION_ARG_NONE, &explain,
         "Print every step, the deciding term and the explanation", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- check a client against SPF records");
    g_option_context_set_summary(
        ctx, "Runs SPF check_host() (RFC 7208) against the zone of ZONE.yaml. The first line is\n"
             "the result: pass, fail, softfail, neutral, none, permerror or temperror.\n"
             "Exit status: 0 when the check ran (whatever the result), 2 on bad input.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    gboolean parsed = g_option_context_parse(ctx, &argc, &argv, &error);
    g_autofree char *dns_s = dns, *ip_s = ip, *sender_s = sender, *helo_s = helo,
                    *receiver_s = receiver;
    if (!parsed)
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("spf: unexpected argument '%s'", argv[1]);
    if (dns == NULL || ip == NULL)
        return mhs_usage_error("spf needs --dns ZONE.yaml and --ip IP (see 'mhs help spf')");
    if (sender == NULL && (helo == NULL || !helo_identity))
        return mhs_usage_error("spf needs --sender ADDR (or --helo NAME --helo-identity)");
    if (!cmd_spf_ip_is_valid(ip))
        return mhs_usage_error("spf: --ip '%s' is not an IPv4 or IPv6 address", ip);
    g_autoptr(DnsZone) zone = scenario_load_zone(dns, &error);
    if (zone == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    SpfRequest req = {
        .ip = ip,
        .sender = sender,
        .helo = helo,
        .receiver = receiver,
        .identity = helo_identity ? SPF_IDENTITY_HELO : SPF_IDENTITY_MAILFROM,
        .now_unix = now >= 0 ? now : g_get_real_time() / G_USEC_PER_SEC,
    };
    CmdSpfRun run = {.explain = explain};
    cmd_spf_run(zone, &req, &run);
    return MHS_EXIT_OK;
}
