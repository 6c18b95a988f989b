/* SPDX-License-Identifier: MIT
 * session_tls: TLS carriage helpers of the sessions. RFC 8446 6.1
 * (close_notify), RFC 6125 (what "verified" means for a client). The
 * handshake is traced as a summary: version, cipher, resumption, the peer
 * certificate subject and the verification result.
 */
#include "nodes/session_tls.h"

#include <string.h>

#include "nodes/world_private.h"

void
session_tls_flush(TlsPipe *tls, SimStream *stream)
{
    GBytes *out;
    while ((out = tls_pipe_take_output(tls)) != NULL) {
        if (stream)
            sim_stream_write(stream, out);
        g_bytes_unref(out);
    }
}

void
session_tls_close(TlsPipe *tls, SimStream *stream)
{
    if (tls && stream && tls_pipe_is_established(tls)) {
        tls_pipe_close(tls);
        session_tls_flush(tls, stream);
    }
}

gboolean
session_tls_is_verified(const TlsPipe *tls)
{
    return tls_pipe_is_established(tls) && tls_pipe_get_peer_subject(tls) != NULL &&
           tls_pipe_get_verify_result(tls) == 0;
}

void
session_tls_trace(Node *node, guint64 conn_id, const char *side, const char *peer, TlsPipe *tls,
                  gsize discarded)
{
    SimTraceRec *r = world_trace(node->world, "tls.handshake", node->name);
    if (r == NULL)
        return;
    sim_trace_int(r, "conn", (gint64)conn_id);
    sim_trace_str(r, "side", side);
    sim_trace_str(r, "peer", peer);
    gboolean ok = tls_pipe_is_established(tls);
    sim_trace_str(r, "result", ok ? "ok" : "failed");
    if (ok) {
        sim_trace_str(r, "version", tls_pipe_get_version(tls));
        sim_trace_str(r, "cipher", tls_pipe_get_cipher(tls));
        sim_trace_bool(r, "resumed", tls_pipe_is_resumed(tls));
    } else {
        sim_trace_str(r, "error", tls_pipe_get_error(tls));
    }
    const char *subject = tls_pipe_get_peer_subject(tls);
    if (subject)
        sim_trace_str(r, "peer_subject", subject);
    if (strcmp(side, "client") == 0) {
        /* What the client made of the server's certificate (RFC 6125). */
        sim_trace_bool(r, "verified", session_tls_is_verified(tls));
        sim_trace_str(r, "verify",
                      subject == NULL && ok ? "no certificate" : tls_pipe_get_verify_string(tls));
    }
    if (discarded > 0)
        sim_trace_int(r, "discarded", (gint64)discarded);
    sim_trace_end(r);
}
