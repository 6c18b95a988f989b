/* SPDX-License-Identifier: MIT
 * cmd_sasl: `mhs sasl cram-md5` computes a CRAM-MD5 response (RFC 2195 2);
 * `mhs sasl crack` runs a dictionary attack on a captured CRAM-MD5 or
 * DIGEST-MD5 (RFC 2831 2.1.2.1) exchange, given on the command line or
 * found in a JSON Lines trace. It shows why a challenge-response mechanism
 * without TLS still leaks a weak password to an eavesdropper.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "app/cli.h"
#include "proto/sasl.h"

/* Largest wordlist or trace file read. */
#define CMD_SASL_FILE_MAX (256 * 1024 * 1024)

/* Decodes a base64 argument strictly (RFC 4954 4 rules) into a string. */
static char *
cmd_sasl_b64_arg(const char *opt, const char *b64)
{
    if (!sasl_base64_is_valid(b64, strlen(b64))) {
        mhs_usage_error("sasl: %s is not valid base64", opt);
        return NULL;
    }
    gsize len = 0;
    guchar *raw = g_base64_decode(b64, &len);
    char *s = g_strndup((const char *)raw, len);
    g_free(raw);
    return s;
}

static int
cmd_sasl_cram_md5(int argc, char **argv)
{
    g_autofree char *user = NULL, *secret = NULL, *challenge = NULL, *challenge_b64 = NULL;
    GOptionEntry entries[] = {
        {"user", 0, 0, G_OPTION_ARG_STRING, &user, "User name", "U"},
        {"secret", 0, 0, G_OPTION_ARG_STRING, &secret, "Shared secret (password)", "S"},
        {"challenge", 0, 0, G_OPTION_ARG_STRING, &challenge,
         "Server challenge as text, angle brackets included", "C"},
        {"challenge-b64", 0, 0, G_OPTION_ARG_STRING, &challenge_b64,
         "Server challenge as sent in the 334 reply (base64)", "B64"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- compute a CRAM-MD5 response");
    g_option_context_set_summary(ctx, "Prints the base64 client response (RFC 2195 2: "
                                      "base64(USER SP hex HMAC-MD5(SECRET, CHALLENGE)))\n"
                                      "and, on a second line, the hex digest.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("sasl cram-md5: unexpected argument '%s'", argv[1]);
    if (user == NULL || secret == NULL || (challenge == NULL) == (challenge_b64 == NULL))
        return mhs_usage_error("sasl cram-md5 needs --user, --secret and one of --challenge, "
                               "--challenge-b64");
    if (challenge_b64 != NULL &&
        (challenge = cmd_sasl_b64_arg("--challenge-b64", challenge_b64)) == NULL)
        return MHS_EXIT_USAGE;
    g_autofree char *response = sasl_cram_md5_response(user, secret, challenge);
    g_autofree char *b64 = sasl_line_encode((const guint8 *)response, strlen(response));
    g_autofree char *hex =
        sasl_cram_md5_digest_hex(secret, (const guint8 *)challenge, strlen(challenge));
    printf("%s\n%s\n", b64, hex);
    return MHS_EXIT_OK;
}

/* One word a line; CR before LF and empty lines are dropped. */
static GStrv
cmd_sasl_read_wordlist(const char *path)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &text, &len, &error)) {
        fprintf(stderr, "mhs: sasl crack: %s\n", error->message);
        return NULL;
    }
    if (len > CMD_SASL_FILE_MAX) {
        fprintf(stderr, "mhs: sasl crack: %s is too large\n", path);
        return NULL;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *words = g_ptr_array_new();
    for (guint i = 0; lines[i] != NULL; i++) {
        gsize n = strlen(lines[i]);
        if (n > 0 && lines[i][n - 1] == '\r')
            lines[i][--n] = '\0';
        if (n > 0)
            g_ptr_array_add(words, g_strdup(lines[i]));
    }
    g_ptr_array_add(words, NULL);
    return (GStrv)g_ptr_array_free(words, FALSE);
}

/* The password for one exchange (decoded challenge and response), or NULL. */
static char *
cmd_sasl_crack_one(SaslMech mech, const char *challenge, const char *response,
                   const char *const *words)
{
    if (mech == SASL_MECH_CRAM_MD5)
        return sasl_crack_cram_md5(NULL, challenge, response, words);
    return sasl_crack_digest_md5(challenge, response, words);
}

/* An AUTH exchange being reassembled from the trace, per client. */
typedef struct {
    SaslMech mech;
    char *challenge; /* decoded first 334 text, once seen */
} CmdSaslPending;

static void
cmd_sasl_pending_free(gpointer p)
{
    CmdSaslPending *x = p;
    g_free(x->challenge);
    g_free(x);
}

static const char *
cmd_sasl_member(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n)
               : NULL;
}

/* Decodes a base64 line from the trace; NULL when it is not base64. */
static char *
cmd_sasl_b64_text(const char *b64)
{
    g_autoptr(GBytes) raw = NULL;
    if (b64 == NULL || sasl_line_decode(b64, strlen(b64), FALSE, &raw) != SASL_LINE_DATA)
        return NULL;
    gsize len = 0;
    const char *d = g_bytes_get_data(raw, &len);
    return g_strndup(d, len);
}

/* The authentication identity of a decoded response: the text before the
 * space (RFC 2195 2) or the username directive (RFC 2831 2.1.2). */
static char *
cmd_sasl_user_of(SaslMech mech, const char *resp)
{
    const char *start = resp, *end = strchr(resp, ' ');
    if (mech == SASL_MECH_DIGEST_MD5) {
        start = strstr(resp, "username=\"");
        start = start != NULL ? start + 10 : "?";
        end = strchr(start, '"');
    }
    return end != NULL ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
}

/* One complete exchange (decoded challenge and response): tried once,
 * however many records show it (the server's and a tap's); done holds the
 * challenges already tried (unique per exchange, RFC 2195 2). */
static void
cmd_sasl_try(GHashTable *done, SaslMech mech, const char *challenge, const char *resp,
             const char *const *words, guint *found, guint *seen)
{
    g_autofree char *key = g_strdup_printf("%d\n%s", (int)mech, challenge);
    if (g_hash_table_contains(done, key))
        return;
    g_hash_table_add(done, g_steal_pointer(&key));
    (*seen)++;
    g_autofree char *pw = resp != NULL ? cmd_sasl_crack_one(mech, challenge, resp, words) : NULL;
    if (pw != NULL) {
        g_autofree char *user = cmd_sasl_user_of(mech, resp);
        printf("%s %s %s\n", pw, sasl_mech_name(mech), user);
        (*found)++;
    }
}

/* Feeds one trace record to the reassembly. The server's smtp.cmd records
 * (peer = the client) carry "AUTH MECH" and the client's answers; the
 * client's smtp.reply records (node = the client) carry the 334 challenge
 * (RFC 4954 4). An eavesdropper's or mitm's tap.observe record with what
 * "cram-md5" carries a whole exchange: the challenge, the user and the
 * hex digest of the response. Prints each exchange cracked; counts them
 * in *found and the complete exchanges in *seen. */
static void
cmd_sasl_trace_record(JsonObject *o, GHashTable *pending, GHashTable *done, SaslMech only,
                      const char *const *words, guint *found, guint *seen)
{
    const char *ev = cmd_sasl_member(o, "ev");
    if (g_strcmp0(ev, "tap.observe") == 0) {
        const char *challenge = cmd_sasl_member(o, "challenge");
        const char *user = cmd_sasl_member(o, "user"), *digest = cmd_sasl_member(o, "response");
        if (g_strcmp0(cmd_sasl_member(o, "what"), "cram-md5") != 0 || challenge == NULL ||
            user == NULL || digest == NULL || (only != SASL_MECH_NONE && only != SASL_MECH_CRAM_MD5))
            return;
        /* RFC 2195 2: the decoded response is "user SP digest". */
        g_autofree char *resp = g_strdup_printf("%s %s", user, digest);
        cmd_sasl_try(done, SASL_MECH_CRAM_MD5, challenge, resp, words, found, seen);
    } else if (g_strcmp0(ev, "smtp.cmd") == 0) {
        const char *client = cmd_sasl_member(o, "peer"), *line = cmd_sasl_member(o, "line");
        if (client == NULL || line == NULL)
            return;
        CmdSaslPending *p = g_hash_table_lookup(pending, client);
        if (g_ascii_strncasecmp(line, "AUTH ", 5) == 0) {
            SaslMech m = sasl_mech_from_name(line + 5);
            if ((m == SASL_MECH_CRAM_MD5 || m == SASL_MECH_DIGEST_MD5) &&
                (only == SASL_MECH_NONE || only == m)) {
                CmdSaslPending *np = g_new0(CmdSaslPending, 1);
                np->mech = m;
                g_hash_table_replace(pending, g_strdup(client), np);
            } else {
                g_hash_table_remove(pending, client);
            }
        } else if (p != NULL && p->challenge != NULL) {
            g_autofree char *resp = cmd_sasl_b64_text(line);
            cmd_sasl_try(done, p->mech, p->challenge, resp, words, found, seen);
            g_hash_table_remove(pending, client);
        }
    } else if (g_strcmp0(ev, "smtp.reply") == 0) {
        const char *client = cmd_sasl_member(o, "node");
        CmdSaslPending *p = client != NULL ? g_hash_table_lookup(pending, client) : NULL;
        if (p == NULL || p->challenge != NULL)
            return;
        JsonNode *code = json_object_get_member(o, "code");
        if (code == NULL || json_node_get_int(code) != 334) {
            g_hash_table_remove(pending, client);
            return;
        }
        p->challenge = cmd_sasl_b64_text(cmd_sasl_member(o, "text"));
        if (p->challenge == NULL)
            g_hash_table_remove(pending, client);
    }
}

/* Scans a JSON Lines trace for AUTH exchanges; prints "PASSWORD MECH USER"
 * for each one cracked. Returns the exit status. */
static int
cmd_sasl_crack_trace(const char *path, SaslMech only, const char *const *words)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        fprintf(stderr, "mhs: sasl crack: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GHashTable) pending =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cmd_sasl_pending_free);
    g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(JsonParser) parser = json_parser_new();
    guint found = 0, seen = 0;
    for (guint i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] == '\0')
            continue;
        if (!json_parser_load_from_data(parser, lines[i], -1, &error)) {
            fprintf(stderr, "%s:%u:1: not a JSON record: %s\n", path, i + 1, error->message);
            return MHS_EXIT_USAGE;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (root != NULL && JSON_NODE_HOLDS_OBJECT(root))
            cmd_sasl_trace_record(json_node_get_object(root), pending, done, only, words, &found,
                                  &seen);
    }
    if (found == 0) {
        fprintf(stderr, "mhs: sasl crack: %u exchange%s in %s, no password found\n", seen,
                seen == 1 ? "" : "s", path);
        return MHS_EXIT_FAIL;
    }
    return MHS_EXIT_OK;
}

static int
cmd_sasl_crack(int argc, char **argv)
{
    g_autofree char *mech_name = NULL, *wordlist = NULL, *challenge = NULL, *response = NULL,
                    *trace = NULL;
    GOptionEntry entries[] = {
        {"mech", 0, 0, G_OPTION_ARG_STRING, &mech_name, "cram-md5 or digest-md5", "M"},
        {"wordlist", 0, 0, G_OPTION_ARG_FILENAME, &wordlist, "Candidate passwords, one a line",
         "F"},
        {"challenge", 0, 0, G_OPTION_ARG_STRING, &challenge,
         "The server's challenge as sent (base64)", "B64"},
        {"response", 0, 0, G_OPTION_ARG_STRING, &response, "The client's response as sent (base64)",
         "B64"},
        {"trace", 0, 0, G_OPTION_ARG_FILENAME, &trace,
         "A JSON Lines trace holding the exchanges (smtp.cmd / smtp.reply records, or a tap's "
         "tap.observe records)",
         "F.jsonl"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- find a password by dictionary");
    g_option_context_set_summary(
        ctx, "Tries every word of the wordlist against a captured CRAM-MD5 (RFC 2195) or\n"
             "DIGEST-MD5 (RFC 2831) exchange. With --challenge/--response prints the\n"
             "password; with --trace prints \"PASSWORD MECH USER\" per exchange cracked.\n"
             "Exit status: 0 found, 1 not found, 2 bad input.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("sasl crack: unexpected argument '%s'", argv[1]);
    SaslMech mech = mech_name != NULL ? sasl_mech_from_name(mech_name) : SASL_MECH_NONE;
    if (mech_name != NULL && mech != SASL_MECH_CRAM_MD5 && mech != SASL_MECH_DIGEST_MD5)
        return mhs_usage_error("sasl crack: --mech '%s' is not cram-md5 or digest-md5", mech_name);
    gboolean explicit = challenge != NULL || response != NULL;
    if (wordlist == NULL || explicit == (trace != NULL) ||
        (explicit && (challenge == NULL || response == NULL || mech == SASL_MECH_NONE)))
        return mhs_usage_error("sasl crack needs --wordlist F and either --mech M --challenge "
                               "B64 --response B64, or --trace F.jsonl");
    g_auto(GStrv) words = cmd_sasl_read_wordlist(wordlist);
    if (words == NULL)
        return MHS_EXIT_USAGE;
    if (trace != NULL)
        return cmd_sasl_crack_trace(trace, mech, (const char *const *)words);
    g_autofree char *c = cmd_sasl_b64_arg("--challenge", challenge);
    g_autofree char *r = c != NULL ? cmd_sasl_b64_arg("--response", response) : NULL;
    if (r == NULL)
        return MHS_EXIT_USAGE;
    g_autofree char *pw = cmd_sasl_crack_one(mech, c, r, (const char *const *)words);
    if (pw == NULL) {
        fprintf(stderr, "mhs: sasl crack: no word of %s matches\n", wordlist);
        return MHS_EXIT_FAIL;
    }
    printf("%s\n", pw);
    return MHS_EXIT_OK;
}

int
mhs_cmd_sasl(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "cram-md5") == 0)
        return cmd_sasl_cram_md5(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "crack") == 0)
        return cmd_sasl_crack(argc - 1, argv + 1);
    g_autoptr(GOptionContext) ctx = g_option_context_new("cram-md5|crack [OPTIONS]");
    g_option_context_set_summary(
        ctx, "SASL helpers for labs (RFC 2195, RFC 2831, RFC 4954):\n"
             "  sasl cram-md5 --user U --secret S (--challenge C | --challenge-b64 B64)\n"
             "  sasl crack --wordlist F (--mech M --challenge B64 --response B64 | --trace F)\n"
             "'mhs help sasl SUBCOMMAND' shows a subcommand's options.");
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc < 2)
        return mhs_usage_error("sasl needs a subcommand: cram-md5 or crack");
    return mhs_usage_error("sasl: unknown subcommand '%s' (cram-md5, crack)", argv[1]);
}
