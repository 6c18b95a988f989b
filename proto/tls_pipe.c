/* SPDX-License-Identifier: MIT
 * tls_pipe: TLS 1.2 (RFC 5246) and 1.3 (RFC 8446) over two OpenSSL memory
 * BIOs: ciphertext in, ciphertext out, plaintext in and out, never a socket.
 * Host name checks per RFC 6125 through X509_VERIFY_PARAM_set1_host, SNI
 * (RFC 6066 3), session tickets (RFC 5077, RFC 8446 4.6.1) with a client
 * cache keyed by peer name, NSS key log lines for Wireshark. No renegotiation,
 * no 0-RTT early data, no OCSP stapling.
 */
#include "proto/tls_pipe.h"

#include <string.h>

#include <openssl/err.h>

#include "proto/tls_autocleanups.h"

/* RFC 8446 5.1: record header = type(1) version(2) length(2). */
#define TLS_RECORD_HEADER_LEN 5
/* Plaintext read per SSL_read_ex call (one record at most, RFC 8446 5.1). */
#define TLS_PIPE_READ_CHUNK 16384
/* Subjects remembered per context: one per full handshake still resumable. */
#define TLS_CONTEXT_SUBJECTS_MAX 64

struct TlsContext {
    grefcount ref;
    SSL_CTX *ssl_ctx;
    gboolean is_server;
    TlsVerifyMode verify;
    gboolean no_tickets;
    TlsKeylogFunc keylog;
    gpointer keylog_data;
    GHashTable *sessions; /* client: peer name -> SSL_SESSION* (owned) */
    /* Peer certificates seen (a reference held) -> RFC 2253 subject: a
     * resumed session brings back the X509 object of its full handshake,
     * so each subject is printed once (at most TLS_CONTEXT_SUBJECTS_MAX). */
    GHashTable *subjects;
};

struct TlsPipe {
    TlsContext *ctx;
    SSL *ssl;
    BIO *rbio, *wbio; /* owned by ssl: ciphertext from / to the peer */
    char *peer_name;
    TlsPipeState state;
    char *error;
    char *peer_subject;
    GByteArray *pending; /* plaintext written before ESTABLISHED */
    GByteArray *plain;   /* decrypted, not yet read */
    gboolean peer_closed;
};

G_DEFINE_QUARK(tls - pipe - error - quark, tls_pipe_error)

/* Empties the thread's OpenSSL error queue before an SSL call (SSL_get_error
 * reads it). Peeking first: the queue is nearly always empty already, and
 * ERR_clear_error wipes all its slots, which costs several times more. */
static inline void
tls_pipe_clear_errors(void)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

static int
tls_pipe_version_number(TlsVersion v, int dflt)
{
    switch (v) {
    case TLS_VERSION_DEFAULT:
        return dflt;
    case TLS_VERSION_1_2:
        return TLS1_2_VERSION;
    case TLS_VERSION_1_3:
        return TLS1_3_VERSION;
    }
    return dflt;
}

static void
tls_context_keylog_cb(const SSL *ssl, const char *line)
{
    TlsContext *ctx = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (ctx != NULL && ctx->keylog != NULL)
        ctx->keylog(line, ctx->keylog_data);
}

/* Client: OpenSSL hands us every new session (TLS 1.3: each NewSessionTicket);
 * keep the latest per peer name. Returning 1 keeps OpenSSL's reference. */
static int
tls_context_new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    TlsPipe *pipe = SSL_get_app_data(ssl);
    if (pipe == NULL || pipe->peer_name == NULL || pipe->ctx->no_tickets)
        return 0;
    g_hash_table_replace(pipe->ctx->sessions, g_strdup(pipe->peer_name), sess);
    return 1;
}

static gboolean
tls_context_fail(GError **error, const char *what)
{
    char buf[256] = "";
    unsigned long e = ERR_get_error();
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    g_set_error(error, TLS_PIPE_ERROR, TLS_PIPE_ERROR_OPENSSL, "%s%s%s", what, buf[0] ? ": " : "",
                buf);
    return FALSE;
}

static gboolean
tls_context_setup(TlsContext *ctx, const TlsContextConfig *cfg, GError **error)
{
    SSL_CTX *c = ctx->ssl_ctx;
    if (SSL_CTX_set_min_proto_version(
            c, tls_pipe_version_number(cfg->min_version, TLS1_2_VERSION)) != 1 ||
        SSL_CTX_set_max_proto_version(
            c, tls_pipe_version_number(cfg->max_version, TLS1_3_VERSION)) != 1)
        return tls_context_fail(error, "bad protocol version range");
    if (cfg->identity != NULL) {
        if (!tls_identity_has_key(cfg->identity))
            return tls_context_fail(error, "identity has no private key");
        if (SSL_CTX_use_certificate(c, tls_identity_get_cert(cfg->identity)) != 1 ||
            SSL_CTX_use_PrivateKey(c, tls_identity_get_key(cfg->identity)) != 1 ||
            SSL_CTX_check_private_key(c) != 1)
            return tls_context_fail(error, "certificate or key refused");
    }
    X509_STORE *store = SSL_CTX_get_cert_store(c);
    for (guint i = 0; cfg->trust != NULL && cfg->trust[i] != NULL; i++)
        if (X509_STORE_add_cert(store, tls_identity_get_cert(cfg->trust[i])) != 1)
            return tls_context_fail(error, "trust anchor refused");
    if (cfg->verify_time != 0)
        X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(c), (time_t)cfg->verify_time);
    int mode = SSL_VERIFY_NONE;
    if (cfg->verify == TLS_VERIFY_REQUIRED)
        mode = cfg->is_server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER;
    SSL_CTX_set_verify(c, mode, NULL);
    return TRUE;
}

static void
tls_context_setup_sessions(TlsContext *ctx, const TlsContextConfig *cfg)
{
    SSL_CTX *c = ctx->ssl_ctx;
    if (cfg->is_server) {
        static const unsigned char sid_ctx[] = "mhs";
        SSL_CTX_set_session_id_context(c, sid_ctx, sizeof sid_ctx - 1);
        if (cfg->no_tickets) {
            SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
            SSL_CTX_set_num_tickets(c, 0);
        } else {
            SSL_CTX_set_num_tickets(c, cfg->num_tickets ? cfg->num_tickets : 1);
        }
        return;
    }
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(c, tls_context_new_session_cb);
}

TlsContext *
tls_context_new(const TlsContextConfig *cfg, GError **error)
{
    g_return_val_if_fail(cfg != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    g_return_val_if_fail(!cfg->is_server || cfg->identity != NULL, NULL);
    ERR_clear_error();
    SSL_CTX *c = SSL_CTX_new(cfg->is_server ? TLS_server_method() : TLS_client_method());
    if (c == NULL) {
        tls_context_fail(error, "SSL_CTX_new failed");
        return NULL;
    }
    TlsContext *ctx = g_new0(TlsContext, 1);
    g_ref_count_init(&ctx->ref);
    ctx->ssl_ctx = c;
    ctx->is_server = cfg->is_server;
    ctx->verify = cfg->verify;
    ctx->no_tickets = cfg->no_tickets;
    ctx->sessions =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)SSL_SESSION_free);
    ctx->subjects =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, (GDestroyNotify)X509_free, g_free);
    SSL_CTX_set_app_data(c, ctx);
    /* No renegotiation (RFC 5746 is moot then) and no compression (CRIME). */
    SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    tls_context_set_keylog(ctx, cfg->keylog, cfg->keylog_data);
    if (!tls_context_setup(ctx, cfg, error)) {
        tls_context_unref(ctx);
        return NULL;
    }
    tls_context_setup_sessions(ctx, cfg);
    return ctx;
}

TlsContext *
tls_context_ref(TlsContext *ctx)
{
    g_return_val_if_fail(ctx != NULL, NULL);
    g_ref_count_inc(&ctx->ref);
    return ctx;
}

void
tls_context_unref(TlsContext *ctx)
{
    if (ctx == NULL || !g_ref_count_dec(&ctx->ref))
        return;
    g_hash_table_unref(ctx->sessions);
    g_hash_table_unref(ctx->subjects);
    SSL_CTX_free(ctx->ssl_ctx);
    g_free(ctx);
}

void
tls_context_set_keylog(TlsContext *ctx, TlsKeylogFunc keylog, gpointer user_data)
{
    g_return_if_fail(ctx != NULL);
    ctx->keylog = keylog;
    ctx->keylog_data = user_data;
    /* OpenSSL formats every secret in hex, one sprintf per octet, whenever a
     * callback is installed: install it only when someone reads the lines. */
    SSL_CTX_set_keylog_callback(ctx->ssl_ctx, keylog != NULL ? tls_context_keylog_cb : NULL);
}

guint
tls_context_cached_sessions(const TlsContext *ctx)
{
    g_return_val_if_fail(ctx != NULL, 0);
    return g_hash_table_size(ctx->sessions);
}

void
tls_context_flush_sessions(TlsContext *ctx)
{
    g_return_if_fail(ctx != NULL);
    g_hash_table_remove_all(ctx->sessions);
}

/* ---- pipe ---------------------------------------------------------------- */

static TlsPipe *
tls_pipe_new(TlsContext *ctx, const char *peer_name)
{
    tls_pipe_clear_errors();
    TlsPipe *pipe = g_new0(TlsPipe, 1);
    pipe->ctx = tls_context_ref(ctx);
    pipe->ssl = SSL_new(ctx->ssl_ctx);
    pipe->rbio = BIO_new(BIO_s_mem());
    pipe->wbio = BIO_new(BIO_s_mem());
    if (pipe->ssl == NULL || pipe->rbio == NULL || pipe->wbio == NULL)
        g_error("tls_pipe: SSL_new/BIO_new failed");
    /* An empty input BIO means "wait for more", not end of stream. */
    BIO_set_mem_eof_return(pipe->rbio, -1);
    SSL_set_bio(pipe->ssl, pipe->rbio, pipe->wbio);
    SSL_set_app_data(pipe->ssl, pipe);
    pipe->peer_name = g_strdup(peer_name);
    pipe->pending = g_byte_array_new();
    pipe->plain = g_byte_array_new();
    return pipe;
}

TlsPipe *
tls_pipe_new_client(TlsContext *ctx, const char *peer_name)
{
    g_return_val_if_fail(ctx != NULL && !ctx->is_server, NULL);
    TlsPipe *pipe = tls_pipe_new(ctx, peer_name);
    if (peer_name != NULL) {
        /* RFC 6066 3: SNI carries a DNS name; RFC 6125: verify against it. */
        SSL_set_tlsext_host_name(pipe->ssl, peer_name);
        SSL_set1_host(pipe->ssl, peer_name);
        SSL_SESSION *sess = ctx->no_tickets ? NULL : g_hash_table_lookup(ctx->sessions, peer_name);
        if (sess != NULL && SSL_SESSION_is_resumable(sess))
            SSL_set_session(pipe->ssl, sess);
    }
    SSL_set_connect_state(pipe->ssl);
    /* The client speaks first: produce the ClientHello now. */
    tls_pipe_feed(pipe, NULL, 0);
    return pipe;
}

TlsPipe *
tls_pipe_new_server(TlsContext *ctx)
{
    g_return_val_if_fail(ctx != NULL && ctx->is_server, NULL);
    TlsPipe *pipe = tls_pipe_new(ctx, NULL);
    SSL_set_accept_state(pipe->ssl);
    return pipe;
}

void
tls_pipe_free(TlsPipe *pipe)
{
    if (pipe == NULL)
        return;
    SSL_free(pipe->ssl);
    tls_context_unref(pipe->ctx);
    g_free(pipe->peer_name);
    g_free(pipe->error);
    g_free(pipe->peer_subject);
    g_byte_array_unref(pipe->pending);
    g_byte_array_unref(pipe->plain);
    g_free(pipe);
}

/* Sticky failure with a readable reason (STYLE 7: fatal engine state). */
static void
tls_pipe_fail(TlsPipe *pipe, int ssl_error)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;
    long vr = SSL_get_verify_result(pipe->ssl);
    GString *why = g_string_new(reason                           ? reason
                                : ssl_error == SSL_ERROR_SYSCALL ? "unexpected end of stream"
                                                                 : "TLS failure");
    if (vr != X509_V_OK && e != 0 && ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED)
        g_string_append_printf(why, ": %s", X509_verify_cert_error_string(vr));
    tls_pipe_clear_errors();
    g_free(pipe->error);
    pipe->error = g_string_free(why, FALSE);
    pipe->state = TLS_PIPE_STATE_FAILED;
}

/* RFC 2253 subject of cert (transfer none), printed the first time this
 * X509 object is seen (a parsed certificate never changes). */
static const char *
tls_context_subject(TlsContext *ctx, X509 *cert)
{
    const char *known = g_hash_table_lookup(ctx->subjects, cert);
    if (known != NULL)
        return known;
    if (g_hash_table_size(ctx->subjects) >= TLS_CONTEXT_SUBJECTS_MAX)
        g_hash_table_remove_all(ctx->subjects);
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    long n = BIO_get_mem_data(bio, &data);
    char *subject = g_strndup(data ? data : "", n > 0 ? (gsize)n : 0);
    X509_up_ref(cert); /* the key stays valid: its address cannot be reused */
    g_hash_table_insert(ctx->subjects, cert, subject);
    return subject;
}

static void
tls_pipe_established(TlsPipe *pipe)
{
    pipe->state = TLS_PIPE_STATE_ESTABLISHED;
    X509 *peer = SSL_get0_peer_certificate(pipe->ssl);
    if (peer != NULL)
        pipe->peer_subject = g_strdup(tls_context_subject(pipe->ctx, peer));
    if (pipe->pending->len > 0) {
        gsize done = 0;
        SSL_write_ex(pipe->ssl, pipe->pending->data, pipe->pending->len, &done);
        g_byte_array_set_size(pipe->pending, 0);
    }
}

static void
tls_pipe_read_records(TlsPipe *pipe)
{
    guint8 buf[TLS_PIPE_READ_CHUNK];
    /* Once is enough: a successful read leaves the error queue empty. */
    tls_pipe_clear_errors();
    for (;;) {
        gsize n = 0;
        if (SSL_read_ex(pipe->ssl, buf, sizeof buf, &n) == 1) {
            g_byte_array_append(pipe->plain, buf, (guint)n);
            /* Nothing left to decrypt: another call would only say WANT_READ. */
            if (BIO_ctrl_pending(pipe->rbio) == 0 && !SSL_has_pending(pipe->ssl))
                return;
            continue;
        }
        int err = SSL_get_error(pipe->ssl, 0);
        if (err == SSL_ERROR_ZERO_RETURN) {
            /* RFC 8446 6.1: close_notify. */
            pipe->peer_closed = TRUE;
            pipe->state = TLS_PIPE_STATE_CLOSED;
        } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            tls_pipe_fail(pipe, err);
        }
        return;
    }
}

void
tls_pipe_feed(TlsPipe *pipe, const guint8 *data, gsize len)
{
    g_return_if_fail(pipe != NULL && (data != NULL || len == 0));
    if (pipe->state == TLS_PIPE_STATE_FAILED)
        return;
    if (len > 0)
        BIO_write(pipe->rbio, data, (int)len);
    if (pipe->state == TLS_PIPE_STATE_HANDSHAKE) {
        tls_pipe_clear_errors();
        int r = SSL_do_handshake(pipe->ssl);
        if (r != 1) {
            int err = SSL_get_error(pipe->ssl, r);
            if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
                tls_pipe_fail(pipe, err);
            return;
        }
        tls_pipe_established(pipe);
    }
    /* Also consumes post-handshake messages (TLS 1.3 NewSessionTicket). */
    if (pipe->state == TLS_PIPE_STATE_ESTABLISHED && BIO_ctrl_pending(pipe->rbio) > 0)
        tls_pipe_read_records(pipe);
}

GBytes *
tls_pipe_take_output(TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, NULL);
    size_t n = BIO_ctrl_pending(pipe->wbio);
    if (n == 0)
        return NULL;
    guint8 *buf = g_malloc(n);
    int got = BIO_read(pipe->wbio, buf, (int)n);
    g_assert(got == (int)n);
    return g_bytes_new_take(buf, n);
}

void
tls_pipe_write(TlsPipe *pipe, const guint8 *data, gsize len)
{
    g_return_if_fail(pipe != NULL && (data != NULL || len == 0));
    if (len == 0)
        return;
    if (pipe->state == TLS_PIPE_STATE_HANDSHAKE) {
        g_byte_array_append(pipe->pending, data, (guint)len);
        return;
    }
    if (pipe->state != TLS_PIPE_STATE_ESTABLISHED)
        return;
    gsize done = 0;
    tls_pipe_clear_errors();
    /* A memory BIO never refuses a write, so SSL_write_ex takes everything. */
    if (SSL_write_ex(pipe->ssl, data, len, &done) != 1)
        tls_pipe_fail(pipe, SSL_get_error(pipe->ssl, 0));
}

GBytes *
tls_pipe_read(TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, NULL);
    if (pipe->plain->len == 0)
        return NULL;
    GBytes *b = g_bytes_new(pipe->plain->data, pipe->plain->len);
    g_byte_array_set_size(pipe->plain, 0);
    return b;
}

void
tls_pipe_close(TlsPipe *pipe)
{
    g_return_if_fail(pipe != NULL);
    if (pipe->state != TLS_PIPE_STATE_ESTABLISHED && pipe->state != TLS_PIPE_STATE_CLOSED)
        return;
    tls_pipe_clear_errors();
    SSL_shutdown(pipe->ssl);
    tls_pipe_clear_errors();
    pipe->state = TLS_PIPE_STATE_CLOSED;
}

TlsPipeState
tls_pipe_get_state(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, TLS_PIPE_STATE_FAILED);
    return pipe->state;
}

const char *
tls_pipe_state_name(TlsPipeState state)
{
    static const char *const names[] = {
        [TLS_PIPE_STATE_HANDSHAKE] = "handshake",
        [TLS_PIPE_STATE_ESTABLISHED] = "established",
        [TLS_PIPE_STATE_CLOSED] = "closed",
        [TLS_PIPE_STATE_FAILED] = "failed",
    };
    g_return_val_if_fail((guint)state < G_N_ELEMENTS(names), "?");
    return names[state];
}

gboolean
tls_pipe_is_established(const TlsPipe *pipe)
{
    return tls_pipe_get_state(pipe) == TLS_PIPE_STATE_ESTABLISHED;
}

gboolean
tls_pipe_is_failed(const TlsPipe *pipe)
{
    return tls_pipe_get_state(pipe) == TLS_PIPE_STATE_FAILED;
}

const char *
tls_pipe_get_error(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, NULL);
    return pipe->error;
}

gboolean
tls_pipe_peer_closed(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, FALSE);
    return pipe->peer_closed;
}

const char *
tls_pipe_get_version(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, NULL);
    return SSL_get_version(pipe->ssl);
}

const char *
tls_pipe_get_cipher(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, NULL);
    const SSL_CIPHER *c = SSL_get_current_cipher(pipe->ssl);
    return c ? SSL_CIPHER_get_name(c) : NULL;
}

gboolean
tls_pipe_is_resumed(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, FALSE);
    return SSL_session_reused(pipe->ssl) == 1;
}

const char *
tls_pipe_get_peer_subject(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, NULL);
    return pipe->peer_subject;
}

long
tls_pipe_get_verify_result(const TlsPipe *pipe)
{
    g_return_val_if_fail(pipe != NULL, X509_V_ERR_UNSPECIFIED);
    return SSL_get_verify_result(pipe->ssl);
}

const char *
tls_pipe_get_verify_string(const TlsPipe *pipe)
{
    return X509_verify_cert_error_string(tls_pipe_get_verify_result(pipe));
}

guint
tls_record_sizes(const guint8 *data, gsize len, GArray *sizes)
{
    g_return_val_if_fail(data != NULL || len == 0, 0);
    guint count = 0;
    gsize off = 0;
    while (len - off >= TLS_RECORD_HEADER_LEN) {
        gsize body = ((gsize)data[off + 3] << 8) | data[off + 4];
        gsize total = TLS_RECORD_HEADER_LEN + body;
        if (len - off < total)
            break;
        if (sizes != NULL) {
            guint v = (guint)total;
            g_array_append_val(sizes, v);
        }
        count++;
        off += total;
    }
    return count;
}

GArray *
tls_records_take(GByteArray *buf, const guint8 *data, gsize len, gsize *used)
{
    g_return_val_if_fail(buf != NULL && used != NULL, NULL);
    g_byte_array_append(buf, data, (guint)len);
    GArray *sizes = g_array_new(FALSE, FALSE, sizeof(guint));
    guint n = tls_record_sizes(buf->data, buf->len, sizes);
    if (n == 0) {
        g_array_unref(sizes);
        *used = 0;
        return NULL;
    }
    gsize total = 0;
    for (guint i = 0; i < n; i++)
        total += g_array_index(sizes, guint, i);
    g_byte_array_remove_range(buf, 0, (guint)total);
    *used = total;
    return sizes;
}
