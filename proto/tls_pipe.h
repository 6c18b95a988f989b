/* SPDX-License-Identifier: MIT
 * tls_pipe: a sans-I/O TLS engine (RFC 8446 TLS 1.3, RFC 5246 TLS 1.2): an
 * OpenSSL SSL object over a memory BIO pair. The caller feeds ciphertext
 * from the peer, takes ciphertext to send, writes and reads plaintext.
 * TlsContext is made once per node: certificate and key, trust anchors,
 * verification (RFC 6125 host names via X509_VERIFY_PARAM_set1_host),
 * protocol range, session tickets (RFC 5077 / RFC 8446 4.6.1), a client
 * session cache keyed by peer name, and an NSS key log hook. No sockets, no
 * threads; OpenSSL's own randomness and clock are used inside OpenSSL only.
 */
#ifndef PROTO_TLS_PIPE_H
#define PROTO_TLS_PIPE_H

#include <glib.h>

#include "proto/tls_ca.h"

typedef enum {
    TLS_VERSION_DEFAULT = 0, /* min: TLS 1.2, max: TLS 1.3 */
    TLS_VERSION_1_2,
    TLS_VERSION_1_3,
} TlsVersion;

typedef enum {
    TLS_VERIFY_NONE = 0, /* accept any peer certificate (result still reported) */
    TLS_VERIFY_REQUIRED, /* client: the chain must verify and match the peer name;
                            server: a client certificate is required and must verify */
} TlsVerifyMode;

typedef enum {
    TLS_PIPE_ERROR_OPENSSL, /* building the context failed */
} TlsPipeError;

#define TLS_PIPE_ERROR (tls_pipe_error_quark())
GQuark tls_pipe_error_quark(void);

/* Called with one NSS key log line ("CLIENT_HANDSHAKE_TRAFFIC_SECRET <hex> <hex>",
 * no newline) for every secret (transfer none). For Wireshark labs only. */
typedef void (*TlsKeylogFunc)(const char *line, gpointer user_data);

typedef struct {
    gboolean is_server;
    TlsIdentity *identity;     /* (transfer none, ref taken) nullable for clients */
    TlsIdentity *const *trust; /* (nullable) NULL-terminated trust anchors (CA certificates) */
    TlsVerifyMode verify;
    TlsVersion min_version;
    TlsVersion max_version;
    gboolean no_tickets;  /* server: issue no session tickets; client: cache nothing */
    guint num_tickets;    /* TLS 1.3 server: tickets after a full handshake; 0 = 1 */
    gint64 verify_time;   /* unix seconds for certificate validity checks (virtual
                             time); 0 = OpenSSL's clock */
    TlsKeylogFunc keylog; /* nullable */
    gpointer keylog_data;
} TlsContextConfig;

typedef struct TlsContext TlsContext;

TlsContext *tls_context_new(const TlsContextConfig *cfg, GError **error);
TlsContext *tls_context_ref(TlsContext *ctx);
void tls_context_unref(TlsContext *ctx);
/* Sets or replaces (keylog NULL: removes) the key log hook of a context
 * already made; pipes made before and after both use it. */
void tls_context_set_keylog(TlsContext *ctx, TlsKeylogFunc keylog, gpointer user_data);
/* Client session cache: sessions stored per peer name (count, and forget all). */
guint tls_context_cached_sessions(const TlsContext *ctx);
void tls_context_flush_sessions(TlsContext *ctx);

typedef enum {
    TLS_PIPE_STATE_HANDSHAKE = 0, /* handshake in progress */
    TLS_PIPE_STATE_ESTABLISHED,   /* application data may flow */
    TLS_PIPE_STATE_CLOSED,        /* close_notify received (and/or sent) */
    TLS_PIPE_STATE_FAILED,        /* fatal: alert sent or received; see get_error() */
} TlsPipeState;

typedef struct TlsPipe TlsPipe;

/* A client: peer_name is the SNI (RFC 6066 3), the name verified
 * (TLS_VERIFY_REQUIRED) and the session cache key (nullable: none of these). */
TlsPipe *tls_pipe_new_client(TlsContext *ctx, const char *peer_name);
TlsPipe *tls_pipe_new_server(TlsContext *ctx);
void tls_pipe_free(TlsPipe *pipe);

/* Ciphertext from the peer (copied). Drives the handshake; decrypted data
 * waits for tls_pipe_read(). */
void tls_pipe_feed(TlsPipe *pipe, const guint8 *data, gsize len);
/* Ciphertext to send to the peer (transfer full), or NULL when none. */
GBytes *tls_pipe_take_output(TlsPipe *pipe);
/* Plaintext to protect (copied). Before the handshake ends it is queued and
 * sent once ESTABLISHED. Ignored in CLOSED/FAILED. */
void tls_pipe_write(TlsPipe *pipe, const guint8 *data, gsize len);
/* Decrypted plaintext (transfer full), or NULL when none. */
GBytes *tls_pipe_read(TlsPipe *pipe);
/* Sends close_notify (RFC 8446 6.1). */
void tls_pipe_close(TlsPipe *pipe);

TlsPipeState tls_pipe_get_state(const TlsPipe *pipe);
const char *tls_pipe_state_name(TlsPipeState state);
gboolean tls_pipe_is_established(const TlsPipe *pipe);
gboolean tls_pipe_is_failed(const TlsPipe *pipe);
/* Why FAILED: e.g. "certificate verify failed: Hostname mismatch" (transfer none). */
const char *tls_pipe_get_error(const TlsPipe *pipe);
gboolean tls_pipe_peer_closed(const TlsPipe *pipe);

/* Handshake results, valid once ESTABLISHED (transfer none, valid while pipe lives). */
const char *tls_pipe_get_version(const TlsPipe *pipe); /* "TLSv1.3" */
const char *tls_pipe_get_cipher(const TlsPipe *pipe);  /* "TLS_AES_256_GCM_SHA384" */
gboolean tls_pipe_is_resumed(const TlsPipe *pipe);
/* RFC 2253 subject of the peer certificate, or NULL when none was sent. */
const char *tls_pipe_get_peer_subject(const TlsPipe *pipe);
/* X509_V_OK (0) or the X509_V_ERR_* code, and its text. */
long tls_pipe_get_verify_result(const TlsPipe *pipe);
const char *tls_pipe_get_verify_string(const TlsPipe *pipe);

/* Splits ciphertext into TLS records (RFC 8446 5.1: 5-octet header). Returns
 * the number of complete records and appends each record's total length
 * (header included) to sizes when non-NULL. Traces use this: record sizes are
 * deterministic, contents are not. */
guint tls_record_sizes(const guint8 *data, gsize len, GArray *sizes);

/* For an observer reading ciphertext as it arrives: appends data to buf,
 * removes the complete records from its front and returns their sizes (a
 * GArray of guint, as above) with their total in *used; NULL while no
 * record is complete. */
GArray *tls_records_take(GByteArray *buf, const guint8 *data, gsize len, gsize *used);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsContext, tls_context_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsPipe, tls_pipe_free)

#endif
