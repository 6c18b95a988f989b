/* SPDX-License-Identifier: MIT
 * Tests for proto/tls_pipe: client and server pipes pumped in memory for TLS
 * 1.2 and 1.3 with Ed25519, P-256 and RSA certificates; application data both
 * ways; RFC 6125 name checks and unknown CAs; ticket resumption; version
 * floor; NSS key log lines (also with the hook set after the context is
 * made); ciphertext fed in tiny chunks; record sizes.
 */
#include <string.h>

#include <glib.h>

#include <openssl/x509_vfy.h>

#include "proto/tls_pipe.h"

#define NOT_BEFORE 1700000000
#define NOW (NOT_BEFORE + 86400)

typedef struct {
    TlsIdentity *ca, *other_ca, *leaf;
} Pki;

static void
pki_init(Pki *p, TlsKeyType type)
{
    GError *error = NULL;
    TlsCertRequest careq = {.common_name = "Root", .key_type = type, .not_before = NOT_BEFORE};
    p->ca = tls_ca_new(&careq, &error);
    g_assert_no_error(error);
    TlsCertRequest oreq = {.common_name = "Other Root", .not_before = NOT_BEFORE};
    p->other_ca = tls_ca_new(&oreq, &error);
    g_assert_no_error(error);
    const char *dns[] = {"mx.example.com", NULL};
    TlsCertRequest req = {.common_name = "mx.example.com",
                          .dns_names = dns,
                          .key_type = type,
                          .not_before = NOT_BEFORE};
    p->leaf = tls_ca_issue(p->ca, &req, &error);
    g_assert_no_error(error);
}

static void
pki_clear(Pki *p)
{
    g_clear_pointer(&p->ca, tls_identity_unref);
    g_clear_pointer(&p->other_ca, tls_identity_unref);
    g_clear_pointer(&p->leaf, tls_identity_unref);
}

static TlsContext *
server_ctx(Pki *p, TlsVersion min, TlsVersion max, gboolean no_tickets)
{
    GError *error = NULL;
    TlsContextConfig cfg = {.is_server = TRUE,
                            .identity = p->leaf,
                            .min_version = min,
                            .max_version = max,
                            .no_tickets = no_tickets,
                            .verify_time = NOW};
    TlsContext *ctx = tls_context_new(&cfg, &error);
    g_assert_no_error(error);
    return ctx;
}

static TlsContext *
client_ctx_full(TlsIdentity *anchor, TlsVerifyMode verify, TlsVersion min, TlsVersion max,
                TlsKeylogFunc keylog, gpointer data)
{
    GError *error = NULL;
    TlsIdentity *trust[] = {anchor, NULL};
    TlsContextConfig cfg = {.trust = trust,
                            .verify = verify,
                            .min_version = min,
                            .max_version = max,
                            .verify_time = NOW,
                            .keylog = keylog,
                            .keylog_data = data};
    TlsContext *ctx = tls_context_new(&cfg, &error);
    g_assert_no_error(error);
    return ctx;
}

static TlsContext *
client_ctx(Pki *p, TlsVersion max)
{
    return client_ctx_full(p->ca, TLS_VERIFY_REQUIRED, TLS_VERSION_DEFAULT, max, NULL, NULL);
}

/* Moves output from one pipe to the other in chunks of `chunk` octets;
 * records the record sizes of each flight when sizes is non-NULL. */
static gboolean
transfer(TlsPipe *from, TlsPipe *to, gsize chunk, GArray *sizes)
{
    g_autoptr(GBytes) out = tls_pipe_take_output(from);
    if (out == NULL)
        return FALSE;
    gsize n;
    const guint8 *d = g_bytes_get_data(out, &n);
    if (sizes != NULL)
        g_assert_cmpuint(tls_record_sizes(d, n, sizes), >, 0);
    for (gsize off = 0; off < n; off += chunk)
        tls_pipe_feed(to, d + off, MIN(chunk, n - off));
    return TRUE;
}

static void
pump(TlsPipe *c, TlsPipe *s, gsize chunk, GArray *sizes)
{
    for (guint i = 0; i < 20; i++) {
        gboolean a = transfer(c, s, chunk, sizes);
        gboolean b = transfer(s, c, chunk, sizes);
        if (!a && !b)
            return;
    }
    g_assert_not_reached();
}

static void
exchange_data(TlsPipe *c, TlsPipe *s, gsize chunk)
{
    tls_pipe_write(c, (const guint8 *)"EHLO client\r\n", 13);
    pump(c, s, chunk, NULL);
    g_autoptr(GBytes) got = tls_pipe_read(s);
    g_assert_nonnull(got);
    g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got), "EHLO client\r\n", 13);
    tls_pipe_write(s, (const guint8 *)"250 ok\r\n", 8);
    pump(c, s, chunk, NULL);
    g_autoptr(GBytes) back = tls_pipe_read(c);
    g_assert_nonnull(back);
    g_assert_cmpmem(g_bytes_get_data(back, NULL), g_bytes_get_size(back), "250 ok\r\n", 8);
    g_assert_null(tls_pipe_read(c));
}

static void
test_matrix(void)
{
    for (TlsKeyType t = TLS_KEY_ED25519; t <= TLS_KEY_RSA2048; t++) {
        Pki p = {0};
        pki_init(&p, t);
        for (TlsVersion v = TLS_VERSION_1_2; v <= TLS_VERSION_1_3; v++) {
            g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, v, FALSE);
            g_autoptr(TlsContext) cc = client_ctx(&p, v);
            g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
            g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
            g_assert_cmpint(tls_pipe_get_state(c), ==, TLS_PIPE_STATE_HANDSHAKE);
            pump(c, s, 1 << 20, NULL);
            g_assert_true(tls_pipe_is_established(c));
            g_assert_true(tls_pipe_is_established(s));
            g_assert_cmpstr(tls_pipe_get_version(c), ==,
                            v == TLS_VERSION_1_2 ? "TLSv1.2" : "TLSv1.3");
            g_assert_cmpstr(tls_pipe_get_cipher(c), ==, tls_pipe_get_cipher(s));
            g_assert_cmpstr(tls_pipe_get_peer_subject(c), ==, "CN=mx.example.com");
            g_assert_null(tls_pipe_get_peer_subject(s));
            g_assert_cmpint(tls_pipe_get_verify_result(c), ==, X509_V_OK);
            g_assert_false(tls_pipe_is_resumed(c));
            exchange_data(c, s, 1 << 20);
            g_test_message("%s %s: %s", tls_key_type_name(t), tls_pipe_get_version(c),
                           tls_pipe_get_cipher(c));
            tls_pipe_close(c);
            pump(c, s, 1 << 20, NULL);
            g_assert_true(tls_pipe_peer_closed(s));
            g_assert_cmpint(tls_pipe_get_state(s), ==, TLS_PIPE_STATE_CLOSED);
        }
        pki_clear(&p);
    }
}

static void
test_verify_failures(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, TLS_VERSION_DEFAULT, FALSE);
    /* Wrong name: RFC 6125 6.4 - the reference identity is not in the SAN. */
    g_autoptr(TlsContext) cc = client_ctx(&p, TLS_VERSION_DEFAULT);
    g_autoptr(TlsPipe) c1 = tls_pipe_new_client(cc, "mail.other.org");
    g_autoptr(TlsPipe) s1 = tls_pipe_new_server(sc);
    pump(c1, s1, 1 << 20, NULL);
    g_assert_true(tls_pipe_is_failed(c1));
    g_assert_true(tls_pipe_is_failed(s1)); /* got the alert */
    g_assert_cmpint(tls_pipe_get_verify_result(c1), ==, X509_V_ERR_HOSTNAME_MISMATCH);
    g_assert_nonnull(strstr(tls_pipe_get_error(c1), "certificate verify failed"));
    g_assert_nonnull(strstr(tls_pipe_get_error(c1), "mismatch"));
    g_test_message("wrong name: client '%s', server '%s'", tls_pipe_get_error(c1),
                   tls_pipe_get_error(s1));
    /* Sticky: more input changes nothing. */
    tls_pipe_feed(c1, (const guint8 *)"junk", 4);
    g_assert_true(tls_pipe_is_failed(c1));
    tls_pipe_write(c1, (const guint8 *)"x", 1);
    g_assert_null(tls_pipe_read(c1));

    /* Unknown CA. */
    g_autoptr(TlsContext) cc2 = client_ctx_full(
        p.other_ca, TLS_VERIFY_REQUIRED, TLS_VERSION_DEFAULT, TLS_VERSION_DEFAULT, NULL, NULL);
    g_autoptr(TlsPipe) c2 = tls_pipe_new_client(cc2, "mx.example.com");
    g_autoptr(TlsPipe) s2 = tls_pipe_new_server(sc);
    pump(c2, s2, 1 << 20, NULL);
    g_assert_true(tls_pipe_is_failed(c2));
    g_assert_cmpint(tls_pipe_get_verify_result(c2), ==,
                    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    g_test_message("unknown CA: '%s'", tls_pipe_get_error(c2));

    /* Opportunistic (verify none): the handshake completes, the result is reported. */
    g_autoptr(TlsContext) cc3 = client_ctx_full(p.other_ca, TLS_VERIFY_NONE, TLS_VERSION_DEFAULT,
                                                TLS_VERSION_DEFAULT, NULL, NULL);
    g_autoptr(TlsPipe) c3 = tls_pipe_new_client(cc3, "mail.other.org");
    g_autoptr(TlsPipe) s3 = tls_pipe_new_server(sc);
    pump(c3, s3, 1 << 20, NULL);
    g_assert_true(tls_pipe_is_established(c3));
    g_assert_cmpint(tls_pipe_get_verify_result(c3), !=, X509_V_OK);
    g_assert_nonnull(tls_pipe_get_verify_string(c3));

    /* Certificate not yet valid at the virtual time. */
    GError *error = NULL;
    TlsIdentity *trust[] = {p.ca, NULL};
    TlsContextConfig early = {
        .trust = trust, .verify = TLS_VERIFY_REQUIRED, .verify_time = NOT_BEFORE - 10};
    g_autoptr(TlsContext) cc4 = tls_context_new(&early, &error);
    g_assert_no_error(error);
    g_autoptr(TlsPipe) c4 = tls_pipe_new_client(cc4, "mx.example.com");
    g_autoptr(TlsPipe) s4 = tls_pipe_new_server(sc);
    pump(c4, s4, 1 << 20, NULL);
    g_assert_cmpint(tls_pipe_get_verify_result(c4), ==, X509_V_ERR_CERT_NOT_YET_VALID);
    pki_clear(&p);
}

static void
test_resumption(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    for (TlsVersion v = TLS_VERSION_1_2; v <= TLS_VERSION_1_3; v++) {
        for (int no_tickets = 0; no_tickets < 2; no_tickets++) {
            if (v == TLS_VERSION_1_2 && no_tickets)
                continue; /* TLS 1.2 would fall back to session-ID resumption */
            g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, v, no_tickets);
            g_autoptr(TlsContext) cc = client_ctx(&p, v);
            g_autoptr(GArray) first = g_array_new(FALSE, FALSE, sizeof(guint));
            g_autoptr(GArray) second = g_array_new(FALSE, FALSE, sizeof(guint));
            g_autoptr(TlsPipe) c1 = tls_pipe_new_client(cc, "mx.example.com");
            g_autoptr(TlsPipe) s1 = tls_pipe_new_server(sc);
            pump(c1, s1, 1 << 20, first);
            g_assert_true(tls_pipe_is_established(c1));
            g_assert_false(tls_pipe_is_resumed(c1));
            g_assert_cmpuint(tls_context_cached_sessions(cc), ==, no_tickets ? 0 : 1);
            g_autoptr(TlsPipe) c2 = tls_pipe_new_client(cc, "mx.example.com");
            g_autoptr(TlsPipe) s2 = tls_pipe_new_server(sc);
            pump(c2, s2, 1 << 20, second);
            g_assert_true(tls_pipe_is_established(c2));
            g_assert_cmpint(tls_pipe_is_resumed(c2), ==, !no_tickets);
            g_assert_cmpint(tls_pipe_is_resumed(s2), ==, !no_tickets);
            g_test_message("TLS 1.%d tickets=%s: full handshake %u records, second %u records (%s)",
                           v == TLS_VERSION_1_2 ? 2 : 3, no_tickets ? "off" : "on", first->len,
                           second->len, tls_pipe_is_resumed(c2) ? "resumed" : "full");
            exchange_data(c2, s2, 1 << 20);
            /* another name does not reuse the session */
            g_autoptr(TlsPipe) c3 = tls_pipe_new_client(cc, "mx2.example.com");
            g_autoptr(TlsPipe) s3 = tls_pipe_new_server(sc);
            pump(c3, s3, 1 << 20, NULL);
            g_assert_false(tls_pipe_is_resumed(s3));
            tls_context_flush_sessions(cc);
            g_assert_cmpuint(tls_context_cached_sessions(cc), ==, 0);
        }
    }
    pki_clear(&p);
}

/* The peer subject is right whichever certificate comes back: full and
 * resumed handshakes alternating between two servers through one client
 * context (which remembers the subjects it printed). */
static void
test_peer_subject(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    GError *error = NULL;
    const char *dns2[] = {"mx2.example.com", NULL};
    TlsCertRequest req2 = {.common_name = "mx2.example.com",
                           .organization = "Two",
                           .dns_names = dns2,
                           .not_before = NOT_BEFORE};
    g_autoptr(TlsIdentity) leaf2 = tls_ca_issue(p.ca, &req2, &error);
    g_assert_no_error(error);
    g_autoptr(TlsContext) sc1 = server_ctx(&p, TLS_VERSION_DEFAULT, TLS_VERSION_1_3, FALSE);
    TlsContextConfig cfg2 = {.is_server = TRUE, .identity = leaf2, .verify_time = NOW};
    g_autoptr(TlsContext) sc2 = tls_context_new(&cfg2, &error);
    g_assert_no_error(error);
    g_autoptr(TlsContext) cc = client_ctx(&p, TLS_VERSION_1_3);
    static const struct {
        guint server;
        gboolean resumed;
        const char *subject;
    } steps[] = {
        {1, FALSE, "CN=mx.example.com"},        {1, TRUE, "CN=mx.example.com"},
        {2, FALSE, "CN=mx2.example.com,O=Two"}, {1, TRUE, "CN=mx.example.com"},
        {2, TRUE, "CN=mx2.example.com,O=Two"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
        const char *name = steps[i].server == 1 ? "mx.example.com" : "mx2.example.com";
        g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, name);
        g_autoptr(TlsPipe) s = tls_pipe_new_server(steps[i].server == 1 ? sc1 : sc2);
        pump(c, s, 1 << 20, NULL);
        g_assert_true(tls_pipe_is_established(c));
        g_assert_cmpint(tls_pipe_is_resumed(c), ==, steps[i].resumed);
        g_assert_cmpstr(tls_pipe_get_peer_subject(c), ==, steps[i].subject);
        g_assert_null(tls_pipe_get_peer_subject(s)); /* no client certificate */
        /* close_notify: OpenSSL refuses to resume a session dropped without it */
        tls_pipe_close(c);
        tls_pipe_close(s);
        pump(c, s, 1 << 20, NULL);
    }
    /* Past the context's bound on remembered subjects (64): full handshakes
     * only, each parsing a new certificate object. */
    for (guint i = 0; i < 70; i++) {
        tls_context_flush_sessions(cc);
        gboolean one = i % 3 != 0;
        g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, one ? "mx.example.com" : "mx2.example.com");
        g_autoptr(TlsPipe) s = tls_pipe_new_server(one ? sc1 : sc2);
        pump(c, s, 1 << 20, NULL);
        g_assert_false(tls_pipe_is_resumed(c));
        g_assert_cmpstr(tls_pipe_get_peer_subject(c), ==,
                        one ? "CN=mx.example.com" : "CN=mx2.example.com,O=Two");
    }
    pki_clear(&p);
}

/* Server with TLS_VERIFY_REQUIRED: a client certificate must be sent and verify. */
static void
test_client_certificate(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    GError *error = NULL;
    TlsIdentity *trust[] = {p.ca, NULL};
    TlsContextConfig scfg = {.is_server = TRUE,
                             .identity = p.leaf,
                             .trust = trust,
                             .verify = TLS_VERIFY_REQUIRED,
                             .verify_time = NOW};
    g_autoptr(TlsContext) sc = tls_context_new(&scfg, &error);
    g_assert_no_error(error);
    const char *dns[] = {"relay.example.net", NULL};
    TlsCertRequest req = {
        .common_name = "relay.example.net", .dns_names = dns, .not_before = NOT_BEFORE};
    g_autoptr(TlsIdentity) cid = tls_ca_issue(p.ca, &req, &error);
    g_assert_no_error(error);
    TlsContextConfig ccfg = {
        .identity = cid, .trust = trust, .verify = TLS_VERIFY_REQUIRED, .verify_time = NOW};
    g_autoptr(TlsContext) cc = tls_context_new(&ccfg, &error);
    g_assert_no_error(error);
    g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
    g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
    pump(c, s, 1 << 20, NULL);
    g_assert_true(tls_pipe_is_established(s));
    g_assert_cmpstr(tls_pipe_get_peer_subject(s), ==, "CN=relay.example.net");
    g_assert_cmpint(tls_pipe_get_verify_result(s), ==, X509_V_OK);
    /* No client certificate: the server refuses. */
    g_autoptr(TlsContext) anon = client_ctx(&p, TLS_VERSION_DEFAULT);
    g_autoptr(TlsPipe) c2 = tls_pipe_new_client(anon, "mx.example.com");
    g_autoptr(TlsPipe) s2 = tls_pipe_new_server(sc);
    pump(c2, s2, 1 << 20, NULL);
    g_assert_true(tls_pipe_is_failed(s2));
    g_assert_true(tls_pipe_is_failed(c2)); /* TLS 1.3: after its Finished, via the alert */
    g_test_message("no client certificate: server '%s'", tls_pipe_get_error(s2));
    pki_clear(&p);
}

static void
test_min_version(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_1_3, TLS_VERSION_1_3, FALSE);
    g_autoptr(TlsContext) cc = client_ctx(&p, TLS_VERSION_1_2);
    g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
    g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
    pump(c, s, 1 << 20, NULL);
    g_assert_true(tls_pipe_is_failed(s));
    g_assert_true(tls_pipe_is_failed(c));
    g_assert_nonnull(strstr(tls_pipe_get_error(s), "protocol"));
    g_assert_nonnull(strstr(tls_pipe_get_error(c), "protocol version"));
    g_test_message("version floor: server '%s', client '%s'", tls_pipe_get_error(s),
                   tls_pipe_get_error(c));
    pki_clear(&p);
}

static void
keylog_collect(const char *line, gpointer data)
{
    g_ptr_array_add(data, g_strdup(line));
}

static void
test_keylog(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    for (TlsVersion v = TLS_VERSION_1_2; v <= TLS_VERSION_1_3; v++) {
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, v, FALSE);
        g_autoptr(TlsContext) cc = client_ctx_full(p.ca, TLS_VERIFY_REQUIRED, TLS_VERSION_DEFAULT,
                                                   v, keylog_collect, lines);
        g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
        g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
        pump(c, s, 1 << 20, NULL);
        g_assert_true(tls_pipe_is_established(c));
        /* NSS key log format: LABEL SP 64 hex (client random) SP hex secret. */
        const char *want = v == TLS_VERSION_1_2 ? "CLIENT_RANDOM" : "CLIENT_TRAFFIC_SECRET_0";
        gboolean seen = FALSE;
        for (guint i = 0; i < lines->len; i++) {
            const char *l = g_ptr_array_index(lines, i);
            g_assert_true(g_regex_match_simple("^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,}$", l, 0, 0));
            seen |= g_str_has_prefix(l, want) && l[strlen(want)] == ' ';
        }
        g_assert_true(seen);
        g_assert_cmpuint(lines->len, ==, v == TLS_VERSION_1_2 ? 1 : 5);
    }
    pki_clear(&p);
}

/* The hook can be added to and removed from a context already made (mhs
 * run --keylog sets it after the world is built): only handshakes while it
 * is set produce lines. */
static void
test_keylog_set_later(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, TLS_VERSION_1_3, TRUE);
    g_autoptr(TlsContext) cc = client_ctx(&p, TLS_VERSION_1_3);
    guint want[] = {0, 5, 0};
    for (guint round = 0; round < G_N_ELEMENTS(want); round++) {
        tls_context_set_keylog(cc, round == 1 ? keylog_collect : NULL, lines);
        g_ptr_array_set_size(lines, 0);
        g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
        g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
        pump(c, s, 1 << 20, NULL);
        g_assert_true(tls_pipe_is_established(c));
        g_assert_cmpuint(lines->len, ==, want[round]);
    }
    pki_clear(&p);
}

static void
test_small_chunks(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    const gsize chunks[] = {1, 2, 5, 13, 100};
    for (TlsVersion v = TLS_VERSION_1_2; v <= TLS_VERSION_1_3; v++) {
        for (guint i = 0; i < G_N_ELEMENTS(chunks); i++) {
            g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, v, FALSE);
            g_autoptr(TlsContext) cc = client_ctx(&p, v);
            g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
            g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
            /* written before the handshake: queued, then sent */
            tls_pipe_write(c, (const guint8 *)"early", 5);
            pump(c, s, chunks[i], NULL);
            g_assert_true(tls_pipe_is_established(c));
            g_assert_true(tls_pipe_is_established(s));
            g_autoptr(GBytes) early = tls_pipe_read(s);
            g_assert_nonnull(early);
            g_assert_cmpmem(g_bytes_get_data(early, NULL), g_bytes_get_size(early), "early", 5);
            exchange_data(c, s, chunks[i]);
        }
    }
    pki_clear(&p);
}

/* Feeds one flight split in two at `at`. */
static void
feed_split(TlsPipe *to, GBytes *flight, gsize at)
{
    gsize n;
    const guint8 *d = g_bytes_get_data(flight, &n);
    tls_pipe_feed(to, d, at);
    tls_pipe_feed(to, d + at, n - at);
}

/* STYLE 8: results must not depend on chunking. Split the ClientHello and
 * the server's first flight at every point. */
static void
test_every_split_point(void)
{
    Pki p = {0};
    pki_init(&p, TLS_KEY_ED25519);
    g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, TLS_VERSION_DEFAULT, TRUE);
    g_autoptr(TlsContext) cc = client_ctx(&p, TLS_VERSION_DEFAULT);
    for (int dir = 0; dir < 2; dir++) {
        gsize len = 0;
        for (gsize at = 1; at == 1 || at < len; at++) {
            g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
            g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
            g_autoptr(GBytes) hello = tls_pipe_take_output(c);
            if (dir == 0) {
                len = g_bytes_get_size(hello);
                feed_split(s, hello, at);
            } else {
                tls_pipe_feed(s, g_bytes_get_data(hello, NULL), g_bytes_get_size(hello));
                g_autoptr(GBytes) flight = tls_pipe_take_output(s);
                len = g_bytes_get_size(flight);
                feed_split(c, flight, at);
            }
            pump(c, s, 1 << 20, NULL);
            g_assert_true(tls_pipe_is_established(c));
            g_assert_true(tls_pipe_is_established(s));
        }
        g_test_message("%s flight: %" G_GSIZE_FORMAT " split points", dir ? "server" : "client",
                       len - 1);
    }
    pki_clear(&p);
}

/* Same inputs, same record count and sizes (content differs per run). */
static void
test_record_sizes_deterministic(void)
{
    for (TlsKeyType t = TLS_KEY_ED25519; t <= TLS_KEY_RSA2048; t++) {
        Pki p = {0};
        pki_init(&p, t);
        GArray *runs[2];
        for (int r = 0; r < 2; r++) {
            runs[r] = g_array_new(FALSE, FALSE, sizeof(guint));
            g_autoptr(TlsContext) sc =
                server_ctx(&p, TLS_VERSION_DEFAULT, TLS_VERSION_DEFAULT, FALSE);
            g_autoptr(TlsContext) cc = client_ctx(&p, TLS_VERSION_DEFAULT);
            g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
            g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
            pump(c, s, 1 << 20, runs[r]);
        }
        GString *desc = g_string_new(NULL);
        for (guint i = 0; i < runs[0]->len; i++)
            g_string_append_printf(desc, "%s%u", i ? "," : "", g_array_index(runs[0], guint, i));
        g_test_message("%s TLS 1.3 record sizes: %s", tls_key_type_name(t), desc->str);
        g_string_free(desc, TRUE);
        g_assert_cmpuint(runs[0]->len, ==, runs[1]->len);
        /* ECDSA signatures are DER and vary by a few octets; the others are fixed. */
        if (t != TLS_KEY_P256)
            g_assert_cmpmem(runs[0]->data, runs[0]->len * sizeof(guint), runs[1]->data,
                            runs[1]->len * sizeof(guint));
        g_array_unref(runs[0]);
        g_array_unref(runs[1]);
        pki_clear(&p);
    }
}

static void
test_record_split(void)
{
    const guint8 recs[] = {22, 3, 3, 0, 2, 1, 2, 23, 3, 3, 0, 1, 9, 23, 3};
    g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(guint));
    g_assert_cmpuint(tls_record_sizes(recs, sizeof recs, sizes), ==, 2);
    g_assert_cmpuint(g_array_index(sizes, guint, 0), ==, 7);
    g_assert_cmpuint(g_array_index(sizes, guint, 1), ==, 6);
    g_assert_cmpuint(tls_record_sizes(recs, 4, NULL), ==, 0);
}

/* An observer fed the same records at every split point takes each record
 * once, whole, and keeps the unfinished tail for the next call. */
static void
test_records_take(void)
{
    const guint8 recs[] = {22, 3, 3, 0, 2, 1, 2, 23, 3, 3, 0, 1, 9, 23, 3};
    for (gsize cut = 0; cut <= sizeof recs; cut++) {
        g_autoptr(GByteArray) buf = g_byte_array_new();
        GString *seen = g_string_new(NULL);
        gsize total = 0;
        const gsize parts[2][2] = {{0, cut}, {cut, sizeof recs - cut}};
        for (guint k = 0; k < 2; k++) {
            gsize used = 0;
            GArray *sizes = tls_records_take(buf, recs + parts[k][0], parts[k][1], &used);
            if (sizes == NULL) {
                g_assert_cmpuint(used, ==, 0);
                continue;
            }
            for (guint i = 0; i < sizes->len; i++)
                g_string_append_printf(seen, "%u,", g_array_index(sizes, guint, i));
            total += used;
            g_array_unref(sizes);
        }
        g_assert_cmpstr(seen->str, ==, "7,6,");
        g_assert_cmpuint(total, ==, 13);
        g_assert_cmpuint(buf->len, ==, 2); /* the header of a third record */
        g_string_free(seen, TRUE);
    }
}

static void
test_handshake_timing(void)
{
    const TlsKeyType types[] = {TLS_KEY_ED25519, TLS_KEY_P256, TLS_KEY_RSA2048};
    for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
        Pki p = {0};
        pki_init(&p, types[i]);
        g_autoptr(TlsContext) sc = server_ctx(&p, TLS_VERSION_DEFAULT, TLS_VERSION_DEFAULT, TRUE);
        g_autoptr(TlsContext) cc = client_ctx(&p, TLS_VERSION_DEFAULT);
        const int rounds = 20;
        gint64 t0 = g_get_monotonic_time();
        for (int r = 0; r < rounds; r++) {
            g_autoptr(TlsPipe) c = tls_pipe_new_client(cc, "mx.example.com");
            g_autoptr(TlsPipe) s = tls_pipe_new_server(sc);
            pump(c, s, 1 << 20, NULL);
            g_assert_true(tls_pipe_is_established(c));
        }
        gint64 us = (g_get_monotonic_time() - t0) / rounds;
        g_test_message("full TLS 1.3 handshake, %s certificate: %" G_GINT64_FORMAT
                       " us (mean of %d)",
                       tls_key_type_name(types[i]), us, rounds);
        pki_clear(&p);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/tls-pipe/matrix", test_matrix);
    g_test_add_func("/proto/tls-pipe/verify-failures", test_verify_failures);
    g_test_add_func("/proto/tls-pipe/resumption", test_resumption);
    g_test_add_func("/proto/tls-pipe/peer-subject", test_peer_subject);
    g_test_add_func("/proto/tls-pipe/client-certificate", test_client_certificate);
    g_test_add_func("/proto/tls-pipe/min-version", test_min_version);
    g_test_add_func("/proto/tls-pipe/keylog", test_keylog);
    g_test_add_func("/proto/tls-pipe/keylog-set-later", test_keylog_set_later);
    g_test_add_func("/proto/tls-pipe/small-chunks", test_small_chunks);
    g_test_add_func("/proto/tls-pipe/every-split-point", test_every_split_point);
    g_test_add_func("/proto/tls-pipe/record-sizes-deterministic", test_record_sizes_deterministic);
    g_test_add_func("/proto/tls-pipe/record-split", test_record_split);
    g_test_add_func("/proto/tls-pipe/records-take", test_records_take);
    g_test_add_func("/proto/tls-pipe/handshake-timing", test_handshake_timing);
    return g_test_run();
}
