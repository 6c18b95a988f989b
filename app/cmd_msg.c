/* SPDX-License-Identifier: MIT
 * cmd_msg: `mhs msg headers FILE.eml` prints the Received chain as hops and
 * what looks forged or inconsistent in the header (proto/header_audit.h),
 * as text or JSON. FILE "-" reads standard input. Exit status 0 when the
 * message was read (whatever was found), 2 bad input or usage.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "proto/header_audit.h"
#include "proto/mail_date.h"

static char *
cmd_msg_date_utc(const MailReceived *r)
{
    return r->has_date ? mail_date_format(r->date.unix_utc, 0) : NULL;
}

static void
cmd_msg_print_text(const HeaderAudit *a)
{
    printf("%s\n", header_audit_verdict(a));
    printf("from: %s\n", a->from ? a->from : "(none)");
    if (a->sender)
        printf("sender: %s\n", a->sender);
    if (a->return_path)
        printf("return-path: %s\n", a->return_path);
    printf("date: %s\n", a->date ? a->date : "(none)");
    printf("message-id: %s\n", a->message_id ? a->message_id : "(none)");
    printf("hops: %u (oldest first)\n", a->hops->len);
    for (guint i = 0; i < a->hops->len; i++) {
        const HeaderHop *h = a->hops->pdata[i];
        const MailReceived *r = h->parsed;
        g_autofree char *utc = cmd_msg_date_utc(r);
        printf("hop %u: from %s%s%s%s by %s", h->hop, r->from ? r->from : "?",
               r->from_info ? " (" : "", r->from_info ? r->from_info : "", r->from_info ? ")" : "",
               r->by ? r->by : "?");
        if (r->with)
            printf(" with %s", r->with);
        if (r->id)
            printf(" id %s", r->id);
        if (r->for_addr)
            printf(" for %s", r->for_addr);
        printf("; %s\n", utc ? utc : "(no date)");
        if (r->from_ip)
            printf("  ip: %s\n", r->from_ip);
        printf("  %s\n", h->trusted ? "trusted (linked to the newest hop)" : "untrusted");
        if (h->flag)
            printf("  flag: %s\n", h->flag);
    }
    printf("findings: %u\n", a->findings->len);
    for (guint i = 0; i < a->findings->len; i++) {
        const HeaderFinding *f = a->findings->pdata[i];
        char hop[32] = "";
        if (f->hop)
            g_snprintf(hop, sizeof hop, " (hop %u)", f->hop);
        printf("%s %s%s: %s\n", header_audit_severity_name(f->severity), f->code, hop, f->reason);
    }
}

static void
cmd_msg_member(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void
cmd_msg_print_json(const HeaderAudit *a)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    cmd_msg_member(b, "verdict", header_audit_verdict(a));
    cmd_msg_member(b, "from", a->from);
    cmd_msg_member(b, "sender", a->sender);
    cmd_msg_member(b, "return_path", a->return_path);
    cmd_msg_member(b, "date", a->date);
    cmd_msg_member(b, "message_id", a->message_id);
    json_builder_set_member_name(b, "hops");
    json_builder_begin_array(b);
    for (guint i = 0; i < a->hops->len; i++) {
        const HeaderHop *h = a->hops->pdata[i];
        const MailReceived *r = h->parsed;
        g_autofree char *utc = cmd_msg_date_utc(r);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "hop");
        json_builder_add_int_value(b, h->hop);
        json_builder_set_member_name(b, "field");
        json_builder_add_int_value(b, h->field);
        cmd_msg_member(b, "from", r->from);
        cmd_msg_member(b, "from_rdns", r->from_rdns);
        cmd_msg_member(b, "from_ip", r->from_ip);
        cmd_msg_member(b, "by", r->by);
        cmd_msg_member(b, "with", r->with);
        cmd_msg_member(b, "id", r->id);
        cmd_msg_member(b, "for", r->for_addr);
        cmd_msg_member(b, "date", r->date_text);
        cmd_msg_member(b, "date_utc", utc);
        json_builder_set_member_name(b, "trusted");
        json_builder_add_boolean_value(b, h->trusted);
        cmd_msg_member(b, "flag", h->flag);
        cmd_msg_member(b, "raw", h->raw);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (guint i = 0; i < a->findings->len; i++) {
        const HeaderFinding *f = a->findings->pdata[i];
        json_builder_begin_object(b);
        cmd_msg_member(b, "code", f->code);
        cmd_msg_member(b, "severity", header_audit_severity_name(f->severity));
        json_builder_set_member_name(b, "hop");
        json_builder_add_int_value(b, f->hop);
        cmd_msg_member(b, "reason", f->reason);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    g_autofree char *text = json_generator_to_data(gen, NULL);
    printf("%s\n", text);
}

static int
cmd_msg_headers(int argc, char **argv)
{
    g_autofree char *format = NULL, *env_from = NULL, *env_to = NULL;
    GOptionEntry entries[] = {
        {"format", 0, 0, G_OPTION_ARG_STRING, &format, "text (default) or json", "FMT"},
        {"envelope-from", 0, 0, G_OPTION_ARG_STRING, &env_from,
         "The SMTP MAIL FROM the message came with (\"\" for <>)", "ADDR"},
        {"envelope-to", 0, 0, G_OPTION_ARG_STRING, &env_to, "One SMTP RCPT TO of the message",
         "ADDR"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("FILE.eml - analyse a message's header");
    g_option_context_set_summary(ctx, "Reads the Received chain into hops, checks that each "
                                      "hop's from is the previous hop's by and that times run "
                                      "forward, and compares From, Sender, Return-Path, Date "
                                      "and the envelope. FILE '-' is standard input.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 2)
        return mhs_usage_error("msg headers needs exactly one FILE.eml");
    gboolean json = FALSE;
    if (format && strcmp(format, "json") == 0)
        json = TRUE;
    else if (format && strcmp(format, "text") != 0)
        return mhs_usage_error("msg headers: --format must be text or json, not '%s'", format);
    g_autofree char *data = NULL;
    gsize len = 0;
    if (strcmp(argv[1], "-") == 0) {
        GString *s = g_string_new(NULL);
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
            g_string_append_len(s, buf, (gssize)n);
        len = s->len;
        data = g_string_free(s, FALSE);
    } else if (!g_file_get_contents(argv[1], &data, &len, &error)) {
        return mhs_usage_error("msg headers: %s", error->message);
    }
    g_autoptr(MailMessage) msg = mail_message_parse((const guint8 *)data, len, NULL);
    HeaderAuditEnv env = {.envelope_from = env_from, .envelope_to = env_to};
    g_autoptr(HeaderAudit) a = header_audit_run(msg, &env);
    if (json)
        cmd_msg_print_json(a);
    else
        cmd_msg_print_text(a);
    return MHS_EXIT_OK;
}

int
mhs_cmd_msg(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "headers") == 0)
        return cmd_msg_headers(argc - 1, argv + 1);
    g_autoptr(GOptionContext) ctx = g_option_context_new("headers [OPTIONS] FILE.eml");
    g_option_context_set_summary(
        ctx, "Message tools:\n"
             "  msg headers FILE.eml [--format text|json] [--envelope-from A] [--envelope-to B]\n"
             "'mhs help msg headers' shows the options.");
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc < 2)
        return mhs_usage_error("msg needs a subcommand: headers");
    return mhs_usage_error("msg: unknown subcommand '%s' (headers)", argv[1]);
}
