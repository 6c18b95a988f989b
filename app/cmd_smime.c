/* SPDX-License-Identifier: MIT
 * cmd_smime: `mhs smime sign|encrypt|verify|decrypt|ca|issue`: S/MIME
 * (RFC 8551) on a message read on standard input, with certificates and
 * keys from PEM files; what it writes is meant to interoperate with
 * `openssl cms` and `openssl smime`. `verify` prints "valid signer=ADDR"
 * or "invalid (REASON)" first; `--steps` prints the steps of an operation
 * on standard error. `ca` and `issue` make test certificates (tls_ca).
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <openssl/pem.h>

#include "app/cli.h"
#include "proto/smime.h"
#include "proto/tls_autocleanups.h"
#include "proto/tls_ca.h"

static GBytes *
cmd_smime_read_stdin(void)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    guint8 chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        if (buf->len + n > SMIME_MESSAGE_MAX) {
            fprintf(stderr, "mhs: smime: the message is larger than %d octets\n",
                    SMIME_MESSAGE_MAX);
            return NULL;
        }
        g_byte_array_append(buf, chunk, (guint)n);
    }
    return g_byte_array_free_to_bytes(g_steal_pointer(&buf));
}

/* A certificate and its key; key_path NULL: the key is looked for in the
 * certificate's file, and is optional when need_key is FALSE. */
static TlsIdentity *
cmd_smime_load_identity(const char *cert_path, const char *key_path, gboolean need_key)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *cert = NULL, *key = NULL;
    gsize cert_len = 0, key_len = 0;
    if (!g_file_get_contents(cert_path, &cert, &cert_len, &error) ||
        (key_path != NULL && !g_file_get_contents(key_path, &key, &key_len, &error))) {
        fprintf(stderr, "mhs: smime: %s\n", error->message);
        return NULL;
    }
    if (key == NULL && need_key && strstr(cert, "PRIVATE KEY-----") != NULL) {
        key = g_strdup(cert);
        key_len = cert_len;
    }
    if (key == NULL && need_key) {
        fprintf(stderr, "mhs: smime: %s holds no private key (use --key)\n", cert_path);
        return NULL;
    }
    TlsIdentity *id = tls_identity_new_from_pem(cert, cert_len, key, key_len, &error);
    if (id == NULL)
        fprintf(stderr, "mhs: smime: %s: %s\n", cert_path, error->message);
    return id;
}

/* Every certificate of a PEM bundle, as trust anchors (NULL-terminated). */
static GPtrArray *
cmd_smime_load_anchors(const char *path)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    if (!g_file_get_contents(path, &text, &len, &error)) {
        fprintf(stderr, "mhs: smime: %s\n", error->message);
        return NULL;
    }
    g_autoptr(BIO) bio = BIO_new_mem_buf(text, (int)len);
    GPtrArray *anchors = g_ptr_array_new_with_free_func((GDestroyNotify)tls_identity_unref);
    X509 *x;
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
        g_ptr_array_add(anchors, tls_identity_new_take(x, NULL));
    if (anchors->len == 0) {
        fprintf(stderr, "mhs: smime: %s holds no PEM certificate\n", path);
        g_ptr_array_unref(anchors);
        return NULL;
    }
    g_ptr_array_add(anchors, NULL);
    return anchors;
}

static void
cmd_smime_print_steps(GArray *steps)
{
    for (guint i = 0; i < steps->len; i++) {
        const SmimeStep *s = &g_array_index(steps, SmimeStep, i);
        fprintf(stderr, "step %-18s %7" G_GSIZE_FORMAT "  %s\n", s->name, s->size, s->detail);
    }
}

static int
cmd_smime_write(GBytes *out)
{
    fwrite(g_bytes_get_data(out, NULL), 1, g_bytes_get_size(out), stdout);
    return fflush(stdout) == 0 ? MHS_EXIT_OK : MHS_EXIT_FAIL;
}

static GOptionContext *
cmd_smime_context(const char *param, const char *summary, GOptionEntry *entries)
{
    GOptionContext *ctx = g_option_context_new(param);
    g_option_context_set_summary(ctx, summary);
    g_option_context_add_main_entries(ctx, entries, NULL);
    return ctx;
}

/* Loads --to-cert files; NULL (message printed) on failure. */
static GPtrArray *
cmd_smime_load_recipients(char **paths)
{
    GPtrArray *r = g_ptr_array_new_with_free_func((GDestroyNotify)tls_identity_unref);
    for (char **p = paths; p != NULL && *p != NULL; p++) {
        TlsIdentity *id = cmd_smime_load_identity(*p, NULL, FALSE);
        if (id == NULL) {
            g_ptr_array_unref(r);
            return NULL;
        }
        g_ptr_array_add(r, id);
    }
    g_ptr_array_add(r, NULL);
    return r;
}

/* `sign` and `encrypt` share their options: sign with --cert, encrypt
 * with --to-cert, both when both are given (RFC 8551 3.7). */
static int
cmd_smime_protect(int argc, char **argv, gboolean is_sign)
{
    g_autofree char *cert = NULL, *key = NULL, *cipher = NULL;
    g_auto(GStrv) to = NULL;
    gboolean opaque = FALSE, pkcs1 = FALSE, steps_out = FALSE;
    gint64 when = -1;
    GOptionEntry entries[] = {
        {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "Signer's certificate (PEM)", "C.pem"},
        {"key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Signer's private key (PEM)", "K.pem"},
        {"opaque", 0, 0, G_OPTION_ARG_NONE, &opaque, "Opaque signed-data, not multipart/signed",
         NULL},
        {"time", 0, 0, G_OPTION_ARG_INT64, &when, "signingTime (default now; 0: none)", "UNIX"},
        {"to-cert", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &to, "Recipient certificate (repeatable)",
         "C.pem"},
        {"cipher", 0, 0, G_OPTION_ARG_STRING, &cipher,
         "aes-256-gcm (default), aes-128-gcm, aes-256-cbc, aes-128-cbc", "C"},
        {"rsa-pkcs1", 0, 0, G_OPTION_ARG_NONE, &pkcs1,
         "RSA key transport with PKCS #1 v1.5 instead of OAEP (for `openssl smime`)", NULL},
        {"steps", 0, 0, G_OPTION_ARG_NONE, &steps_out, "Print the steps on standard error", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = cmd_smime_context(
        is_sign ? "< MSG - sign (and encrypt) a message" : "< MSG - encrypt a message",
        "Writes the S/MIME form of the message on standard input (RFC 8551).\n"
        "With --cert: signed; with --to-cert: encrypted; with both: signed, then encrypted.\n"
        "Exit status: 0 done, 2 bad input.",
        entries);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("smime: unexpected argument '%s'", argv[1]);
    if (is_sign && cert == NULL)
        return mhs_usage_error("smime sign needs --cert (and --key)");
    if (!is_sign && (to == NULL || to[0] == NULL))
        return mhs_usage_error("smime encrypt needs --to-cert");
    SmimeEncryptConfig ec = {.rsa_padding = pkcs1 ? SMIME_RSA_PKCS1 : SMIME_RSA_OAEP};
    if (cipher != NULL && !smime_cipher_from_name(cipher, &ec.cipher))
        return mhs_usage_error("smime: unknown --cipher '%s'", cipher);
    g_autoptr(TlsIdentity) signer = cert != NULL ? cmd_smime_load_identity(cert, key, TRUE) : NULL;
    g_autoptr(GPtrArray) rcpts = cmd_smime_load_recipients(to);
    if ((cert != NULL && signer == NULL) || rcpts == NULL)
        return MHS_EXIT_USAGE;
    ec.recipients = (TlsIdentity *const *)rcpts->pdata;
    SmimeSignConfig sc = {
        .signer = signer,
        .form = opaque ? SMIME_SIGN_OPAQUE : SMIME_SIGN_CLEAR,
        .signing_time = when >= 0 ? when : g_get_real_time() / G_USEC_PER_SEC,
    };
    g_autoptr(GBytes) msg = cmd_smime_read_stdin();
    if (msg == NULL)
        return MHS_EXIT_USAGE;
    gsize len;
    const guint8 *data = g_bytes_get_data(msg, &len);
    g_autoptr(GArray) steps = smime_steps_new();
    g_autoptr(GBytes) out = NULL;
    if (signer != NULL && rcpts->len > 1)
        out = smime_sign_encrypt(data, len, &sc, &ec, steps, &error);
    else if (signer != NULL)
        out = smime_sign(data, len, &sc, steps, &error);
    else
        out = smime_encrypt(data, len, &ec, steps, &error);
    if (out == NULL) {
        fprintf(stderr, "mhs: smime: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    if (steps_out)
        cmd_smime_print_steps(steps);
    return cmd_smime_write(out);
}

static int
cmd_smime_verify(int argc, char **argv)
{
    g_autofree char *ca = NULL;
    gint64 when = -1;
    gboolean steps_out = FALSE, content = FALSE;
    GOptionEntry entries[] = {
        {"ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "Trust anchors (PEM, one or more)", "CA.pem"},
        {"time", 0, 0, G_OPTION_ARG_INT64, &when, "Validity time (default now; 0: the signingTime)",
         "UNIX"},
        {"content", 0, 0, G_OPTION_ARG_NONE, &content,
         "After the result line, print the signed message", NULL},
        {"steps", 0, 0, G_OPTION_ARG_NONE, &steps_out, "Print the steps on standard error", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = cmd_smime_context(
        "< MSG - verify an S/MIME signature",
        "Prints \"valid signer=ADDR\" or \"invalid (REASON)\" (content altered, unknown signer,\n"
        "address mismatch, expired, not signed, malformed), then details.\n"
        "Exit status: 0 valid, 1 invalid, 2 bad input.",
        entries);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("smime verify: unexpected argument '%s'", argv[1]);
    if (ca == NULL)
        return mhs_usage_error("smime verify needs --ca CA.pem");
    g_autoptr(GPtrArray) anchors = cmd_smime_load_anchors(ca);
    g_autoptr(GBytes) msg = anchors != NULL ? cmd_smime_read_stdin() : NULL;
    if (msg == NULL)
        return MHS_EXIT_USAGE;
    SmimeVerifyConfig cfg = {
        .anchors = (TlsIdentity *const *)anchors->pdata,
        .now_unix = when >= 0 ? when : g_get_real_time() / G_USEC_PER_SEC,
    };
    g_autoptr(GArray) steps = smime_steps_new();
    SmimeVerifyResult r = {0};
    smime_verify(g_bytes_get_data(msg, NULL), g_bytes_get_size(msg), &cfg, steps, &r);
    if (r.status == SMIME_VERIFY_VALID)
        printf("valid signer=%s\n", r.from_address);
    else
        printf("invalid (%s)\n", smime_verify_status_name(r.status));
    if (r.signer_subject != NULL)
        printf("  signer: %s\n", r.signer_subject);
    if (r.detail != NULL)
        printf("  %s\n", r.detail);
    if (steps_out)
        cmd_smime_print_steps(steps);
    if (content && r.message != NULL)
        fwrite(g_bytes_get_data(r.message, NULL), 1, g_bytes_get_size(r.message), stdout);
    int rc = r.status == SMIME_VERIFY_VALID ? MHS_EXIT_OK : MHS_EXIT_FAIL;
    smime_verify_result_clear(&r);
    return rc;
}

static int
cmd_smime_decrypt(int argc, char **argv)
{
    g_autofree char *cert = NULL, *key = NULL;
    gboolean steps_out = FALSE;
    GOptionEntry entries[] = {
        {"cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "Recipient's certificate (PEM)", "C.pem"},
        {"key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Recipient's private key (PEM)", "K.pem"},
        {"steps", 0, 0, G_OPTION_ARG_NONE, &steps_out, "Print the steps on standard error", NULL},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx =
        cmd_smime_context("< MSG - decrypt an S/MIME message",
                          "Writes the decrypted message (outer fields and the decrypted entity).\n"
                          "Exit status: 0 decrypted, 1 not a recipient or failed, 2 bad input.",
                          entries);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("smime decrypt: unexpected argument '%s'", argv[1]);
    if (cert == NULL)
        return mhs_usage_error("smime decrypt needs --cert (and --key)");
    g_autoptr(TlsIdentity) id = cmd_smime_load_identity(cert, key, TRUE);
    g_autoptr(GBytes) msg = id != NULL ? cmd_smime_read_stdin() : NULL;
    if (msg == NULL)
        return MHS_EXIT_USAGE;
    g_autoptr(GArray) steps = smime_steps_new();
    SmimeDecryptResult d = {0};
    smime_decrypt(g_bytes_get_data(msg, NULL), g_bytes_get_size(msg), id, steps, &d);
    if (steps_out)
        cmd_smime_print_steps(steps);
    int rc = MHS_EXIT_FAIL;
    if (d.status == SMIME_DECRYPT_OK)
        rc = cmd_smime_write(d.message);
    else
        fprintf(stderr, "mhs: smime decrypt: %s (%s)\n", smime_decrypt_status_name(d.status),
                d.detail != NULL ? d.detail : "");
    smime_decrypt_result_clear(&d);
    return rc;
}

static gboolean
cmd_smime_save(TlsIdentity *id, const char *cert_path, const char *key_path)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *cert = tls_identity_cert_pem(id);
    g_autofree char *key = tls_identity_key_pem(id);
    if (!g_file_set_contents(cert_path, cert, -1, &error) ||
        !g_file_set_contents_full(key_path, key, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                  &error)) {
        fprintf(stderr, "mhs: smime: %s\n", error->message);
        return FALSE;
    }
    return TRUE;
}

/* `ca` (issuer NULL) and `issue`: test certificates from proto/tls_ca. */
static int
cmd_smime_make_cert(int argc, char **argv, gboolean is_ca)
{
    g_autofree char *cn = NULL, *key_type = NULL, *ca_cert = NULL, *ca_key = NULL, *out_cert = NULL,
                    *out_key = NULL;
    g_auto(GStrv) emails = NULL;
    gint64 when = -1;
    gint days = 0;
    GOptionEntry entries[] = {
        {"cn", 0, 0, G_OPTION_ARG_STRING, &cn, "Subject common name", "NAME"},
        {"email", 0, 0, G_OPTION_ARG_STRING_ARRAY, &emails,
         "subjectAltName rfc822Name (repeatable)", "ADDR"},
        {"key-type", 0, 0, G_OPTION_ARG_STRING, &key_type, "rsa2048 (default), p256 or ed25519",
         "T"},
        {"ca-cert", 0, 0, G_OPTION_ARG_FILENAME, &ca_cert, "Issuing CA certificate", "CA.pem"},
        {"ca-key", 0, 0, G_OPTION_ARG_FILENAME, &ca_key, "Issuing CA key", "CA.key"},
        {"time", 0, 0, G_OPTION_ARG_INT64, &when, "notBefore (default now)", "UNIX"},
        {"days", 0, 0, G_OPTION_ARG_INT, &days, "Validity in days (default 365)", "N"},
        {"out-cert", 0, 0, G_OPTION_ARG_FILENAME, &out_cert, "Where to write the certificate",
         "C.pem"},
        {"out-key", 0, 0, G_OPTION_ARG_FILENAME, &out_key, "Where to write the key", "K.pem"},
        {NULL},
    };
    g_autoptr(GOptionContext) ctx = cmd_smime_context(
        is_ca ? "- make a test CA" : "- issue a test S/MIME certificate",
        "Writes a certificate and its private key (PEM). Test material only.", entries);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc != 1)
        return mhs_usage_error("smime: unexpected argument '%s'", argv[1]);
    if (cn == NULL || out_cert == NULL || out_key == NULL || (!is_ca && ca_cert == NULL))
        return mhs_usage_error("smime %s needs --cn, --out-cert, --out-key%s",
                               is_ca ? "ca" : "issue", is_ca ? "" : ", --ca-cert");
    TlsCertRequest req = {
        .common_name = cn,
        .emails = (const char *const *)emails,
        .key_type = TLS_KEY_RSA2048,
        .not_before = when >= 0 ? when : g_get_real_time() / G_USEC_PER_SEC,
        .days = days > 0 ? (guint)days : 0,
        /* Issuer and serial name a recipient (RFC 5652 6.2.1): make the
         * serial unique, since the CA's counter does not survive a file. */
        .serial = ((guint64)g_get_real_time() << 8) ^ g_random_int(),
    };
    if (key_type != NULL && !tls_key_type_from_name(key_type, &req.key_type))
        return mhs_usage_error("smime: unknown --key-type '%s'", key_type);
    g_autoptr(TlsIdentity) issuer = is_ca ? NULL : cmd_smime_load_identity(ca_cert, ca_key, TRUE);
    if (!is_ca && issuer == NULL)
        return MHS_EXIT_USAGE;
    g_autoptr(TlsIdentity) id =
        is_ca ? tls_ca_new(&req, &error) : tls_ca_issue(issuer, &req, &error);
    if (id == NULL) {
        fprintf(stderr, "mhs: smime: %s\n", error->message);
        return MHS_EXIT_USAGE;
    }
    return cmd_smime_save(id, out_cert, out_key) ? MHS_EXIT_OK : MHS_EXIT_USAGE;
}

int
mhs_cmd_smime(int argc, char **argv)
{
    const char *sub = argc >= 2 ? argv[1] : "";
    if (strcmp(sub, "sign") == 0 || strcmp(sub, "encrypt") == 0)
        return cmd_smime_protect(argc - 1, argv + 1, strcmp(sub, "sign") == 0);
    if (strcmp(sub, "verify") == 0)
        return cmd_smime_verify(argc - 1, argv + 1);
    if (strcmp(sub, "decrypt") == 0)
        return cmd_smime_decrypt(argc - 1, argv + 1);
    if (strcmp(sub, "ca") == 0 || strcmp(sub, "issue") == 0)
        return cmd_smime_make_cert(argc - 1, argv + 1, strcmp(sub, "ca") == 0);
    g_autoptr(GOptionContext) ctx = g_option_context_new("SUBCOMMAND [OPTIONS]");
    g_option_context_set_summary(
        ctx, "S/MIME 4.0 (RFC 8551) messages:\n"
             "  smime sign --cert C.pem [--key K.pem] [--opaque] [--to-cert R.pem ...] < MSG\n"
             "  smime encrypt --to-cert R.pem [--to-cert R2.pem] [--cipher C] [--rsa-pkcs1] < MSG\n"
             "  smime verify --ca CA.pem [--time UNIX] [--content] < MSG\n"
             "  smime decrypt --cert C.pem [--key K.pem] < MSG\n"
             "  smime ca --cn NAME --out-cert CA.pem --out-key CA.key\n"
             "  smime issue --ca-cert CA.pem --ca-key CA.key --cn NAME --email ADDR\n"
             "              [--key-type rsa2048|p256|ed25519] --out-cert C.pem --out-key K.pem\n"
             "'mhs help smime SUBCOMMAND' shows a subcommand's options.");
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return mhs_usage_error("%s", error->message);
    if (argc < 2)
        return mhs_usage_error(
            "smime needs a subcommand: sign, encrypt, verify, decrypt, ca, issue");
    return mhs_usage_error("smime: unknown subcommand '%s'", argv[1]);
}
