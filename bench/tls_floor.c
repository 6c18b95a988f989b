/* SPDX-License-Identifier: MIT
 * tls_floor: what OpenSSL itself can do for the TLS and DKIM work of one
 * message of scenarios/bench/full-chain-1k.yaml, with no simulator. Per
 * message: three TLS 1.3 handshakes (RFC 8446) over memory BIOs, each from
 * a client context to a server context set up as proto/tls_pipe.c sets up
 * a node's (Ed25519 leaf certificates issued by one Ed25519 CA; the client
 * checks the chain and the host name, verify mode none as at level
 * encrypt; one session ticket per handshake, RFC 8446 4.6.1; the client
 * keeps the latest ticket per server), then the records of one SMTP
 * transaction each way and close_notify (RFC 8446 6.1); plus one DKIM
 * Ed25519-SHA256 signature and one verification (RFC 6376 3.7, RFC 8463 3)
 * of a 1,000-byte body. Prints messages per CPU second with session
 * resumption and without (no tickets: every handshake full); on request
 * also with Postfix's ticket policy (no-renew: a ticket that decrypts is
 * accepted without asking for a new one, as Postfix's ticket callback
 * does since 2.11).
 * Usage: tls_floor [MESSAGES [resumed|full|no-renew]]   (default 1000,
 * resumed and full)
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "proto/tls_ca.h"

/* The chain's three TLS hops: client node -> server host name. */
static const char *const tls_floor_servers[] = {"msa.polito.it", "out.polito.it", "mx.example.com"};
#define TLS_FLOOR_HOPS G_N_ELEMENTS(tls_floor_servers)
/* The scenario's epoch (2026-01-01T00:00:00Z): validity and verify time. */
#define TLS_FLOOR_EPOCH 1767225600
/* The scenario's name is the certificates' organization (their size). */
#define TLS_FLOOR_ORG "STARTTLS, AUTH and DKIM chain, 1000 messages"

/* The plaintext records of an SMTP transaction after STARTTLS, in order:
 * positive lengths from the client, negative from the server (EHLO, the
 * 250 lines, AUTH PLAIN, 235, MAIL, 250, RCPT, 250, DATA, 354, the message,
 * 250, QUIT, 221). */
static const int tls_floor_records[] = {22,  -140, 44,  -32,  36,  -28, 34,
                                        -26, 6,    -40, 1350, -44, 6,   -40};

typedef enum {
    TLS_FLOOR_RESUMED = 0, /* the scenario's settings: one ticket a handshake */
    TLS_FLOOR_FULL,        /* session_tickets: false */
    TLS_FLOOR_NO_RENEW,    /* one ticket after a full handshake, none on resumption */
} TlsFloorMode;

static const char *const tls_floor_mode_names[] = {"resumed", "full", "no-renew"};

typedef struct {
    SSL_CTX *server[TLS_FLOOR_HOPS];
    SSL_CTX *client[TLS_FLOOR_HOPS];
    SSL_SESSION *session[TLS_FLOOR_HOPS]; /* the latest ticket per server */
    EVP_PKEY *dkim_key, *dkim_pub;
    EVP_MD *sha256;
    guint8 body[1000], headers[520];
    guint resumed, handshakes, tickets;
} TlsFloor;

static int tls_floor_hop_index = -1; /* SSL ex_data slot: the hop a client serves */

static void
tls_floor_check(int ok, const char *what)
{
    if (ok != 1) {
        ERR_print_errors_fp(stderr);
        g_error("tls_floor: %s failed", what);
    }
}

/* As tls_context_new_session_cb: keep the latest session per peer. */
static int
tls_floor_new_session(SSL *ssl, SSL_SESSION *sess)
{
    TlsFloor *f = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    int hop = GPOINTER_TO_INT(SSL_get_ex_data(ssl, tls_floor_hop_index));
    if (f->session[hop] != NULL)
        SSL_SESSION_free(f->session[hop]);
    f->session[hop] = sess;
    f->tickets++;
    return 1;
}

/* Postfix's answer to a ticket that decrypts: use it, issue no new one
 * (RFC 8446 4.6.1 leaves the number of tickets to the server). */
static SSL_TICKET_RETURN
tls_floor_keep_ticket(SSL *ssl, SSL_SESSION *sess, const unsigned char *name, size_t name_len,
                      SSL_TICKET_STATUS status, void *arg)
{
    (void)ssl, (void)sess, (void)name, (void)name_len, (void)arg;
    switch (status) {
    case SSL_TICKET_SUCCESS:
    case SSL_TICKET_SUCCESS_RENEW:
        return SSL_TICKET_RETURN_USE;
    case SSL_TICKET_EMPTY:
    case SSL_TICKET_NO_DECRYPT:
        return SSL_TICKET_RETURN_IGNORE_RENEW;
    default:
        return SSL_TICKET_RETURN_ABORT;
    }
}

/* The options of proto/tls_pipe.c tls_context_new, for each side. */
static SSL_CTX *
tls_floor_ctx(TlsFloor *f, gboolean is_server, TlsIdentity *id, TlsIdentity *ca, TlsFloorMode mode)
{
    gboolean tickets = mode != TLS_FLOOR_FULL;
    SSL_CTX *c = SSL_CTX_new(is_server ? TLS_server_method() : TLS_client_method());
    tls_floor_check(c != NULL, "SSL_CTX_new");
    SSL_CTX_set_app_data(c, f);
    SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    tls_floor_check(SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION), "min version");
    tls_floor_check(SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION), "max version");
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(c), (time_t)TLS_FLOOR_EPOCH);
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    if (is_server) {
        static const unsigned char sid_ctx[] = "mhs";
        tls_floor_check(SSL_CTX_use_certificate(c, tls_identity_get_cert(id)), "certificate");
        tls_floor_check(SSL_CTX_use_PrivateKey(c, tls_identity_get_key(id)), "key");
        SSL_CTX_set_session_id_context(c, sid_ctx, sizeof sid_ctx - 1);
        if (!tickets)
            SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(c, tickets ? 1 : 0);
        if (mode == TLS_FLOOR_NO_RENEW)
            SSL_CTX_set_session_ticket_cb(c, NULL, tls_floor_keep_ticket, NULL);
    } else {
        tls_floor_check(X509_STORE_add_cert(SSL_CTX_get_cert_store(c), tls_identity_get_cert(ca)),
                        "trust anchor");
        SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        if (tickets)
            SSL_CTX_sess_set_new_cb(c, tls_floor_new_session);
    }
    return c;
}

static void
tls_floor_setup(TlsFloor *f, TlsFloorMode mode)
{
    memset(f, 0, sizeof *f);
    TlsCertRequest ca_req = {.common_name = "mhs Scenario CA",
                             .organization = TLS_FLOOR_ORG,
                             .not_before = TLS_FLOOR_EPOCH,
                             .days = 3650};
    g_autoptr(GError) error = NULL;
    g_autoptr(TlsIdentity) ca = tls_ca_new(&ca_req, &error);
    if (ca == NULL)
        g_error("tls_floor: CA: %s", error->message);
    for (guint i = 0; i < TLS_FLOOR_HOPS; i++) {
        const char *names[] = {tls_floor_servers[i], NULL};
        TlsCertRequest req = {.common_name = tls_floor_servers[i],
                              .organization = TLS_FLOOR_ORG,
                              .dns_names = names,
                              .not_before = TLS_FLOOR_EPOCH,
                              .days = 365};
        g_autoptr(TlsIdentity) id = tls_ca_issue(ca, &req, &error);
        if (id == NULL)
            g_error("tls_floor: leaf: %s", error->message);
        f->server[i] = tls_floor_ctx(f, TRUE, id, NULL, mode);
        f->client[i] = tls_floor_ctx(f, FALSE, NULL, ca, mode);
    }
    f->dkim_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    guint8 raw[32];
    size_t n = sizeof raw;
    tls_floor_check(f->dkim_key != NULL, "DKIM key");
    tls_floor_check(EVP_PKEY_get_raw_public_key(f->dkim_key, raw, &n), "DKIM public key");
    /* The verifier parses the key record once per run (proto/dkim_key_cache.c). */
    f->dkim_pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, n);
    f->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    tls_floor_check(f->dkim_pub != NULL && f->sha256 != NULL, "DKIM set-up");
    for (guint i = 0; i < sizeof f->body; i++)
        f->body[i] = (i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n' : (guint8)('a' + i % 26);
    memset(f->headers, 'h', sizeof f->headers);
}

static void
tls_floor_clear(TlsFloor *f)
{
    for (guint i = 0; i < TLS_FLOOR_HOPS; i++) {
        SSL_CTX_free(f->server[i]);
        SSL_CTX_free(f->client[i]);
        SSL_SESSION_free(f->session[i]);
    }
    EVP_PKEY_free(f->dkim_key);
    EVP_PKEY_free(f->dkim_pub);
    EVP_MD_free(f->sha256);
}

/* Moves the ciphertext from's output BIO holds into to's input BIO. */
static void
tls_floor_carry(SSL *from, SSL *to)
{
    guint8 buf[16384];
    int n;
    while ((n = BIO_read(SSL_get_wbio(from), buf, sizeof buf)) > 0)
        BIO_write(SSL_get_rbio(to), buf, n);
}

static SSL *
tls_floor_ssl(SSL_CTX *c)
{
    SSL *s = SSL_new(c);
    BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
    tls_floor_check(s != NULL && rbio != NULL && wbio != NULL, "SSL_new");
    BIO_set_mem_eof_return(rbio, -1); /* empty means "wait", as in tls_pipe */
    SSL_set_bio(s, rbio, wbio);
    return s;
}

/* Reads what is there; returns the plaintext octets read. */
static size_t
tls_floor_drain(SSL *s)
{
    guint8 buf[16384];
    size_t n = 0, total = 0;
    while (SSL_read_ex(s, buf, sizeof buf, &n) == 1)
        total += n;
    return total;
}

static void
tls_floor_hop(TlsFloor *f, guint hop)
{
    SSL *cli = tls_floor_ssl(f->client[hop]), *srv = tls_floor_ssl(f->server[hop]);
    SSL_set_ex_data(cli, tls_floor_hop_index, GINT_TO_POINTER(hop));
    SSL_set_tlsext_host_name(cli, tls_floor_servers[hop]);
    SSL_set1_host(cli, tls_floor_servers[hop]);
    if (f->session[hop] != NULL && SSL_SESSION_is_resumable(f->session[hop]))
        SSL_set_session(cli, f->session[hop]);
    SSL_set_connect_state(cli);
    SSL_set_accept_state(srv);
    int rc = 0, rs = 0;
    for (guint round = 0; rc != 1 || rs != 1; round++) {
        g_assert(round < 8);
        if (rc != 1)
            rc = SSL_do_handshake(cli);
        tls_floor_carry(cli, srv);
        if (rs != 1)
            rs = SSL_do_handshake(srv);
        tls_floor_carry(srv, cli);
    }
    f->handshakes++;
    f->resumed += SSL_session_reused(cli) == 1;
    if (SSL_version(cli) != TLS1_3_VERSION || SSL_get_verify_result(cli) != X509_V_OK)
        g_error("tls_floor: not a verified TLS 1.3 handshake");
    guint8 data[2048];
    memset(data, 'x', sizeof data);
    for (guint i = 0; i < G_N_ELEMENTS(tls_floor_records); i++) {
        int len = tls_floor_records[i];
        SSL *from = len > 0 ? cli : srv, *to = len > 0 ? srv : cli;
        size_t done = 0;
        tls_floor_check(SSL_write_ex(from, data, (size_t)ABS(len), &done), "SSL_write_ex");
        tls_floor_carry(from, to);
        if (tls_floor_drain(to) != (size_t)ABS(len))
            g_error("tls_floor: record %u lost", i);
    }
    SSL_shutdown(cli);
    tls_floor_carry(cli, srv);
    tls_floor_drain(srv);
    SSL_shutdown(srv);
    tls_floor_carry(srv, cli);
    tls_floor_drain(cli);
    ERR_clear_error();
    SSL_free(cli);
    SSL_free(srv);
}

/* RFC 6376 3.7 with RFC 8463 3: the body hash goes into the header hash
 * input, whose SHA-256 is what Ed25519 signs. */
static void
tls_floor_dkim_hash(TlsFloor *f, guint8 *h)
{
    unsigned int n = 0;
    tls_floor_check(EVP_Digest(f->body, sizeof f->body, h, &n, f->sha256, NULL), "body hash");
    memcpy(f->headers, h, n);
    tls_floor_check(EVP_Digest(f->headers, sizeof f->headers, h, &n, f->sha256, NULL),
                    "header hash");
}

static void
tls_floor_dkim(TlsFloor *f)
{
    guint8 h[EVP_MAX_MD_SIZE], sig[64];
    size_t sig_len = sizeof sig;
    tls_floor_dkim_hash(f, h);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    tls_floor_check(EVP_DigestSignInit(ctx, NULL, NULL, NULL, f->dkim_key), "sign init");
    tls_floor_check(EVP_DigestSign(ctx, sig, &sig_len, h, 32), "sign");
    EVP_MD_CTX_free(ctx);
    tls_floor_dkim_hash(f, h);
    ctx = EVP_MD_CTX_new();
    tls_floor_check(EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, f->dkim_pub), "verify init");
    tls_floor_check(EVP_DigestVerify(ctx, sig, sig_len, h, 32), "verify");
    EVP_MD_CTX_free(ctx);
}

static double
tls_floor_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
tls_floor_run(TlsFloorMode mode, guint messages)
{
    TlsFloor f;
    tls_floor_setup(&f, mode);
    double t0 = tls_floor_cpu_seconds();
    for (guint m = 0; m < messages; m++) {
        for (guint hop = 0; hop < TLS_FLOOR_HOPS; hop++)
            tls_floor_hop(&f, hop);
        tls_floor_dkim(&f);
    }
    double secs = tls_floor_cpu_seconds() - t0;
    printf("%-9s %12.0f messages/s  %8.1f us/message  resumed %u of %u handshakes, %u tickets\n",
           tls_floor_mode_names[mode], messages / secs, secs * 1e6 / messages, f.resumed,
           f.handshakes, f.tickets);
    tls_floor_clear(&f);
}

int
main(int argc, char **argv)
{
    guint messages = argc > 1 ? (guint)strtoul(argv[1], NULL, 10) : 1000;
    int only = -1;
    for (guint i = 0; argc > 2 && i < G_N_ELEMENTS(tls_floor_mode_names); i++)
        if (strcmp(argv[2], tls_floor_mode_names[i]) == 0)
            only = (int)i;
    if (messages == 0 || argc > 3 || (argc > 2 && only < 0)) {
        fprintf(stderr, "usage: tls_floor [MESSAGES [resumed|full|no-renew]]\n");
        return 2;
    }
    tls_floor_hop_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    printf("tls_floor: %u messages, each 3 TLS 1.3 handshakes (Ed25519 certificates) with an "
           "SMTP transaction's records, 1 DKIM Ed25519 signature and 1 verification; per CPU "
           "second\n",
           messages);
    if (only >= 0) {
        tls_floor_run((TlsFloorMode)only, messages);
    } else {
        tls_floor_run(TLS_FLOOR_RESUMED, messages);
        tls_floor_run(TLS_FLOOR_FULL, messages);
    }
    return 0;
}
