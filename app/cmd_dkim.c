/* SPDX-License-Identifier: MIT
 * cmd_dkim: `mhs dkim sign`, `mhs dkim verify` and `mhs dkim keygen`.
 * Signs a message read on standard input (RFC 6376 5, RFC 8463
 * ed25519-sha256) and verifies its signatures (RFC 6376 6) with keys
 * looked up in a YAML zone, never in real DNS. One output line per
 * signature, with the RFC 8601 2.7.1 result names. LF-only input is turned
 * into CRLF first (RFC 5322 2.1: lines end with CRLF).
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "app/cli.h"
#include "app/scenario.h"
#include "proto/dkim.h"
#include "proto/dns_zone.h"
#include "proto/tls_autocleanups.h"

/* Largest message read on standard input. */
#define CMD_DKIM_MESSAGE_MAX (64 * 1024 * 1024)

/* Reads all of stdin, CRLF-normalised; NULL (message printed) when too large. */
static GBytes *
cmd_dkim_read_stdin(void)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    guint8 chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (buf->len + n > CMD_DKIM_MESSAGE_MAX) {
            fprintf(stderr, "mhs: dkim: the message is larger than %d octets\n",
                    CMD_DKIM_MESSAGE_MAX);
            return NULL;
        }
        g_byte_array_append(buf, chunk, (guint)n);
    }
    return dkim_message_to_crlf(buf->data, buf->len);
}

/* "relaxed/simple"; a lone "relaxed" is relaxed/simple (RFC 6376 3.5 c=). */
static gboolean
cmd_dkim_parse_canon(const char *text, DkimCanon *header, DkimCanon *body)
{
    g_auto(GStrv) parts = g_strsplit(text, "/", 3);
    guint n = g_strv_length(parts);
    if (n < 1 || n > 2)
        return FALSE;
    DkimCanon c[2] = {DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE};
    for (guint i = 0; i < n; i++) {
        if (g_ascii_strcasecmp(parts[i], "simple") == 0)
            c[i] = DKIM_CANON_SIMPLE;
        else if (g_ascii_strcasecmp(parts[i], "relaxed") == 0)
            c[i] = DKIM_CANON_RELAXED;
        else
            return FALSE;
    }
    *header = c[0];
    *body = c[1];
    return TRUE;
}

static gboolean
cmd_dkim_parse_algo(const char *text, DkimAlg *alg)
{
    if (g_ascii_strcasecmp(text, "rsa-sha256") == 0)
        *alg = DKIM_ALG_RSA_SHA256;
    else if (g_ascii_strcasecmp(text, "ed25519-sha256") == 0)
        *alg = DKIM_ALG_ED25519_SHA256;
    else
        return FALSE;
    return TRUE;
}

/* A PEM key (RSA or Ed25519), or the base64 Ed25519 seed of RFC 8463 A.1. */
static DkimPrivateKey *
cmd_dkim_load_key(const char *path)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, &error)) {
        fprintf(stderr, "mhs: dkim: %s\n", error->message);
        return NULL;
    }
    if (strstr(text, "-----BEGIN") == NULL) {
        g_autofree char *b64 = g_strstrip(g_strdup(text));
        DkimPrivateKey *k = dkim_private_key_new_ed25519_b64(b64, &error);
        if (k == NULL)
            fprintf(stderr, "mhs: dkim: %s: %s\n", path, error->message);
        return k;
    }
    DkimPrivateKey *k = dkim_private_key_new_pem((const guint8 *)text, len, &error);
    if (k == NULL)
        fprintf(stderr, "mhs: dkim: %s: %s\n", path, error->message);
    return k;
}

static int
cmd_dkim_sign(int argc, char **argv)
{
    g_autofree char *key_path = NULL, *domain = NULL, *selector = NULL, *algo = NULL, *canon = NULL,
                    *headers = NULL, *identity = NULL;
    gint64 now = -1;
    GOptionEntry entries[] = {
        {"key", 0, 0, G_OPTION_ARG_FILENAME, &key_path,
         "Private key: PEM (RSA or Ed25519) or a base64 Ed25519 seed", "KEY.pem"},
        {"domain", 0, 0, G_OPTION_ARG_STRING, &domain, "Signing domain (d=)", "D"},
        {"selector", 0, 0, G_OPTION_ARG_STRING, &selector, "Selector (s=)", "S"},
        {"algo", 0, 0, G_OPTION_ARG_STRING, &algo,
         "rsa-sha256 or ed25519-sha256 (must match the key)", "A"},
        {"canon", 0, 0, G_OPTION_ARG_STRING, &canon,
         "Header/body canonicalization (default relaxed/relaxed)", "C/C"},
        {"headers", 0, 0, G_OPTION_ARG_STRING, &headers,
         "Header fields to sign, colon-separated (default: the usual set)", "h1:h2"},
        {"identity", 0, 0, G_OPTION_ARG_STRING, &identity, "Agent or user identifier (i=)", "ID"},
        {"time", 0, 0, G_OPTION_ARG_INT64, &now, "Signature time t= (default: now)", "UNIX"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("< MSG - sign a message");
    g_option_context_set_summary(ctx, "Prints the message read on standard input with a "
                                      "DKIM-Signature field (RFC 6376) prepended.\n"
                                      "Exit status: 0 signed, 2 bad input.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("dkim sign: unexpected argument '%s'", argv[1]);
    if (key_path == NULL || domain == NULL || selector == NULL)
        return mhs_usage_error("dkim sign needs --key, --domain and --selector");
    DkimSignConfig cfg = {
        .domain = domain,
        .selector = selector,
        .identity = identity,
        .header_canon = DKIM_CANON_RELAXED,
        .body_canon = DKIM_CANON_RELAXED,
        .now_unix = now >= 0 ? now : g_get_real_time() / G_USEC_PER_SEC,
    };
    if (canon != NULL && !cmd_dkim_parse_canon(canon, &cfg.header_canon, &cfg.body_canon))
        return mhs_usage_error("dkim sign: --canon '%s' is not simple|relaxed[/simple|relaxed]",
                               canon);
    DkimAlg want = DKIM_ALG_RSA_SHA256;
    if (algo != NULL && !cmd_dkim_parse_algo(algo, &want))
        return mhs_usage_error("dkim sign: --algo '%s' is not rsa-sha256 or ed25519-sha256", algo);
    g_auto(GStrv) names = headers != NULL ? g_strsplit(headers, ":", -1) : NULL;
    cfg.headers = (const char *const *)names;
    g_autoptr(DkimPrivateKey) key = cmd_dkim_load_key(key_path);
    if (key == NULL)
        return MHS_EXIT_USAGE;
    if (algo != NULL && dkim_private_key_alg(key) != want)
        return mhs_usage_error("dkim sign: the key is %s, not %s",
                               dkim_alg_name(dkim_private_key_alg(key)), algo);
    g_autoptr(GBytes) msg = cmd_dkim_read_stdin();
    if (msg == NULL)
        return MHS_EXIT_USAGE;
    gsize len;
    const guint8 *data = g_bytes_get_data(msg, &len);
    g_autofree char *field = dkim_sign(data, len, &cfg, key, &error);
    if (field == NULL) {
        fprintf(stderr, "mhs: dkim sign: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    fputs(field, stdout);
    fwrite(data, 1, len, stdout);
    return MHS_EXIT_OK;
}

/* Answers a key query from the zone: TXT records, strings concatenated
 * (RFC 6376 3.6.2.2). */
static void
cmd_dkim_answer(DkimVerifier *v, const DnsZone *zone, const DkimVerifierAct *act)
{
    DnsAnswer da;
    dns_zone_lookup(zone, act->qname, DNS_RR_TXT, &da);
    g_autoptr(GPtrArray) recs = g_ptr_array_new();
    for (guint i = 0; da.records != NULL && i < da.records->len; i++) {
        const DnsRecord *r = da.records->pdata[i];
        if (r->type == DNS_RR_TXT)
            g_ptr_array_add(recs, r->text);
    }
    g_ptr_array_add(recs, NULL);
    DkimDnsStatus st = DKIM_DNS_FOUND;
    if (da.rcode == DNS_RCODE_NXDOMAIN)
        st = DKIM_DNS_NXDOMAIN;
    else if (da.rcode == DNS_RCODE_SERVFAIL)
        st = DKIM_DNS_SERVFAIL;
    else if (da.rcode == DNS_RCODE_TIMEOUT)
        st = DKIM_DNS_TIMEOUT;
    dkim_verifier_answer(v, act->query_id, st,
                         st == DKIM_DNS_FOUND ? (const char *const *)recs->pdata : NULL);
    dns_answer_clear(&da);
}

/* "pass d=D s=S a=A", "fail (body hash mismatch) d=D s=S a=A". */
static void
cmd_dkim_print_result(const DkimSigResult *r, gboolean explain)
{
    GString *line = g_string_new(dkim_result_name(r->result));
    if (r->reason != DKIM_REASON_NONE)
        g_string_append_printf(line, " (%s)", dkim_reason_name(r->reason));
    g_string_append_printf(line, " d=%s s=%s a=%s", r->domain ? r->domain : "?",
                           r->selector ? r->selector : "?", dkim_alg_name(r->alg));
    if (r->is_testing)
        g_string_append(line, " testing");
    printf("%s\n", line->str);
    g_string_free(line, TRUE);
    if (explain) {
        printf("  signature %u: i=%s", r->index, r->identity ? r->identity : "?");
        if (r->key_bits > 0)
            printf(" key=%u bits", r->key_bits);
        printf("\n");
        if (r->detail != NULL && r->detail[0])
            printf("  %s\n", r->detail);
    }
}

static int
cmd_dkim_verify(int argc, char **argv)
{
    g_autofree char *dns = NULL;
    gint64 now = -1;
    gboolean explain = FALSE;
    GOptionEntry entries[] = {
        {"dns", 0, 0, G_OPTION_ARG_FILENAME, &dns, "Zone file, or a scenario (its dns: key)",
         "ZONE.yaml"},
        {"time", 0, 0, G_OPTION_ARG_INT64, &now, "Verification time, for x= (default: now)",
         "UNIX"},
        {"explain", 0, 0, G_OPTION_ARG_NONE, &explain, "Print identity, key size and details",
         NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("< MSG - verify DKIM signatures");
    g_option_context_set_summary(
        ctx, "Verifies every DKIM-Signature of the message on standard input (RFC 6376 6),\n"
             "with keys from ZONE.yaml. One line per signature (pass, fail, policy, neutral,\n"
             "temperror, permerror, with the reason), or \"none\" when unsigned.\n"
             "Exit status: 0 when verification ran (whatever the results), 2 on bad input.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("dkim verify: unexpected argument '%s'", argv[1]);
    if (dns == NULL)
        return mhs_usage_error("dkim verify needs --dns ZONE.yaml");
    g_autoptr(DnsZone) zone = scenario_load_zone(dns, &error);
    if (zone == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    g_autoptr(GBytes) msg = cmd_dkim_read_stdin();
    if (msg == NULL)
        return MHS_EXIT_USAGE;
    gsize len;
    const guint8 *data = g_bytes_get_data(msg, &len);
    DkimVerifyConfig cfg = {.now_unix = now >= 0 ? now : g_get_real_time() / G_USEC_PER_SEC};
    g_autoptr(DkimVerifier) v = dkim_verifier_new_full(data, len, &cfg);
    DkimVerifierAct act = {0};
    while (dkim_verifier_poll(v, &act)) {
        if (act.kind == DKIM_VERIFIER_ACT_NEED_KEY)
            cmd_dkim_answer(v, zone, &act);
        dkim_verifier_act_clear(&act);
    }
    g_assert(dkim_verifier_is_done(v));
    guint n = dkim_verifier_n_results(v);
    if (n == 0)
        printf("none\n");
    for (guint i = 0; i < n; i++)
        cmd_dkim_print_result(dkim_verifier_result(v, i), explain);
    return MHS_EXIT_OK;
}

/* A new key pair (OpenSSL 3 EVP_PKEY_Q_keygen), written as PKCS#8 PEM. */
static char *
cmd_dkim_keygen_pem(DkimAlg alg, guint bits)
{
    g_autoptr(EVP_PKEY) pkey = alg == DKIM_ALG_ED25519_SHA256
                                   ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                   : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    if (pkey == NULL)
        g_error("dkim keygen: OpenSSL could not generate the key");
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL))
        g_error("dkim keygen: OpenSSL could not write the key");
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    return g_strndup(p, (gsize)n);
}

static int
cmd_dkim_keygen(int argc, char **argv)
{
    g_autofree char *algo = NULL, *out = NULL;
    gint bits = 2048;
    GOptionEntry entries[] = {
        {"algo", 0, 0, G_OPTION_ARG_STRING, &algo, "rsa-sha256 (default) or ed25519-sha256", "A"},
        {"bits", 0, 0, G_OPTION_ARG_INT, &bits, "RSA key size (default 2048, at least 1024)", "N"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Where to write the private key (PEM)",
         "KEY.pem"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- make a DKIM key pair");
    g_option_context_set_summary(ctx, "Writes a new private key to KEY.pem (mode 0600) and "
                                      "prints the TXT record value to\npublish at "
                                      "SELECTOR._domainkey.DOMAIN (RFC 6376 3.6.1).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("dkim keygen: unexpected argument '%s'", argv[1]);
    if (out == NULL)
        return mhs_usage_error("dkim keygen needs --out KEY.pem");
    DkimAlg alg = DKIM_ALG_RSA_SHA256;
    if (algo != NULL && !cmd_dkim_parse_algo(algo, &alg))
        return mhs_usage_error("dkim keygen: --algo '%s' is not rsa-sha256 or ed25519-sha256",
                               algo);
    /* RFC 8301 3.2: verifiers refuse RSA keys under 1024 bits. */
    if (alg == DKIM_ALG_RSA_SHA256 && (bits < 1024 || bits > 16384))
        return mhs_usage_error("dkim keygen: --bits must be between 1024 and 16384");
    g_autofree char *pem = cmd_dkim_keygen_pem(alg, (guint)bits);
    if (!g_file_set_contents_full(out, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        return mhs_usage_error("dkim keygen: %s", error->message);
    g_autoptr(DkimPrivateKey) key =
        dkim_private_key_new_pem((const guint8 *)pem, strlen(pem), &error);
    if (key == NULL)
        g_error("dkim keygen: the new key does not load: %s", error->message);
    g_autofree char *p = dkim_private_key_public_b64(key);
    printf("v=DKIM1; k=%s; p=%s\n", alg == DKIM_ALG_ED25519_SHA256 ? "ed25519" : "rsa", p);
    return MHS_EXIT_OK;
}

int
mhs_cmd_dkim(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sign") == 0)
        return cmd_dkim_sign(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return cmd_dkim_verify(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
        return cmd_dkim_keygen(argc - 1, argv + 1);
    g_autoptr(GOptionContext) ctx = g_option_context_new("sign|verify|keygen [OPTIONS]");
    g_option_context_set_summary(
        ctx, "DomainKeys Identified Mail (RFC 6376, RFC 8463):\n"
             "  dkim sign --key KEY.pem --domain D --selector S [--algo A] [--canon C/C]\n"
             "            [--headers h1:h2] [--time UNIX] < MSG\n"
             "  dkim verify --dns ZONE.yaml [--time UNIX] [--explain] < MSG\n"
             "  dkim keygen [--algo A] [--bits N] --out KEY.pem\n"
             "'mhs help dkim SUBCOMMAND' shows a subcommand's options.");
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc < 2)
        return mhs_usage_error("dkim needs a subcommand: sign, verify or keygen");
    return mhs_usage_error("dkim: unknown subcommand '%s' (sign, verify, keygen)", argv[1]);
}
