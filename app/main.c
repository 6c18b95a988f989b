/* SPDX-License-Identifier: MIT
 * main: the mhs command. Dispatches to subcommands; `mhs help [CMD]`,
 * `mhs --version`. The contract (names, options, exit codes) is DESIGN 7.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "app/cli.h"
#include "app/key_cache.h"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *synopsis;
    const char *summary;
} MhsCommand;

static const MhsCommand mhs_commands[] = {
    {"run", mhs_cmd_run,
     "run SCENARIO [--seed N] [--until T] [--trace F.jsonl] [--trace-text F] [--pcap F.pcap] [-q]",
     "simulate a scenario and check its expectations"},
    {"check", mhs_cmd_check, "check SCENARIO", "validate a scenario without running it"},
    {"spf", mhs_cmd_spf, "spf --dns ZONE.yaml --ip IP --sender ADDR [--helo NAME] [--explain]",
     "check a client against SPF records (RFC 7208)"},
    {"dkim", mhs_cmd_dkim, "dkim sign|verify|keygen ...", "sign and verify DKIM signatures"},
    {"sasl", mhs_cmd_sasl, "sasl cram-md5|crack ...", "compute and crack SASL exchanges"},
    {"smime", mhs_cmd_smime, "smime sign|encrypt|verify|decrypt|ca|issue ...",
     "sign, encrypt, verify and decrypt S/MIME messages (RFC 8551)"},
    {"viz", mhs_cmd_viz, "viz TRACE.jsonl|SCENARIO [--message ID ...] [--session CONN] -o OUT",
     "draw message paths or an SMTP session (svg, png, pdf, dot)"},
    {"serve", mhs_cmd_serve,
     "serve SCENARIO --listen [HOST:]PORT=NODE[:SERVICE] ... [--speed F] [--ca-out F] [--trace F]",
     "run a scenario in real time for real mail clients"},
    {"grade", mhs_cmd_grade,
     "grade LAB --submission PATH [--student ID] [--format text|json|junit|gradescope] [-o F]",
     "grade a submission (or --submissions DIR -j N: a class) against a lab"},
    {"labs", mhs_cmd_labs, "labs [--dir DIR]", "list the course labs"},
    {"msg", mhs_cmd_msg, "msg headers FILE.eml [--format text|json] [--envelope-from A]",
     "trace a message's Received hops and flag forged or inconsistent headers"},
};

static void
mhs_print_usage(FILE *out)
{
    fprintf(out, "usage: mhs COMMAND [ARGS]\n\ncommands:\n");
    for (gsize i = 0; i < G_N_ELEMENTS(mhs_commands); i++)
        fprintf(out, "  %-8s %s\n", mhs_commands[i].name, mhs_commands[i].summary);
    fprintf(out, "  %-8s %s\n", "help", "help [COMMAND]: show a command's options");
    fprintf(out, "\nmhs --version prints the version. Exit status: 0 success, 1 an expectation\n"
                 "or check failed, 2 bad input or usage.\n");
}

static const MhsCommand *
mhs_find_command(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(mhs_commands); i++)
        if (strcmp(mhs_commands[i].name, name) == 0)
            return &mhs_commands[i];
    return NULL;
}

int
mhs_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "mhs: %s\n", msg);
    return MHS_EXIT_USAGE;
}

static int
mhs_help(int argc, char **argv)
{
    if (argc < 2) {
        mhs_print_usage(stdout);
        return MHS_EXIT_OK;
    }
    const MhsCommand *c = mhs_find_command(argv[1]);
    if (c == NULL)
        return mhs_usage_error("unknown command '%s' (try 'mhs help')", argv[1]);
    /* Each command prints its own option help through GOptionContext;
     * "help CMD SUB" reaches a subcommand's ("help dkim sign"). */
    char *args[] = {(char *)c->name, NULL, NULL, NULL};
    int n = 1;
    if (argc >= 3)
        args[n++] = argv[2];
    args[n++] = (char *)"--help";
    return c->fn(n, args);
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        mhs_print_usage(stderr);
        return MHS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("mhs %s\n", MHS_VERSION);
        return MHS_EXIT_OK;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0)
        return mhs_help(argc - 1, argv + 1);
    const MhsCommand *c = mhs_find_command(argv[1]);
    if (c == NULL)
        return mhs_usage_error("unknown command '%s' (try 'mhs help')", argv[1]);
    /* Derived keys (S/MIME users' RSA) are kept between runs: docs/cli.md. */
    g_autofree char *cache_dir = key_cache_default_dir();
    g_autoptr(KeyCache) keys = key_cache_new(cache_dir);
    key_cache_install(keys);
    return c->fn(argc - 1, argv + 1);
}
