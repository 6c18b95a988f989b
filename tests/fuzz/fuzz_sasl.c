/* SPDX-License-Identifier: MIT
 * fuzz_sasl: hostile SASL exchanges (RFC 4422) for every mechanism: PLAIN
 * (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195), DIGEST-MD5 (RFC 2831). The first
 * byte chooses the mechanism, the side and the answers; the rest is a
 * sequence of length-prefixed messages: client responses to the server
 * engine (secret "tanstaaf" for every user), or server challenges to the
 * client engine. Each message is also run through the RFC 4954 4 base64
 * line decoder.
 */
#include <string.h>

#include "proto/sasl.h"

#include "fuzz_common.h"

#define FUZZ_SASL_SECRET "tanstaaf"

static void
fuzz_sasl_line(const guint8 *chunk, gsize len, gboolean is_initial)
{
    GBytes *out = NULL;
    if (sasl_line_decode((const char *)chunk, len, is_initial, &out) == SASL_LINE_DATA) {
        g_assert_nonnull(out);
        gsize n = 0;
        const guint8 *p = g_bytes_get_data(out, &n);
        g_autofree char *enc = sasl_line_encode(p, n);
        g_assert_true(n == 0 || sasl_base64_is_valid(enc, strlen(enc)));
        g_bytes_unref(out);
    }
}

static void
fuzz_sasl_server(SaslMech mech, guint8 flags, FuzzInput *in)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(1);
    SaslServerConfig cfg = {.hostname = "mx.example", .rand = rand, .timestamp = 1};
    g_autoptr(SaslServer) srv = sasl_server_new(mech, &cfg);
    SaslServerAct act = {0};
    const guint8 *chunk = NULL;
    gsize len = 0;
    if ((flags & 0x08) && fuzz_take_chunk(in, &chunk, &len)) {
        fuzz_sasl_line(chunk, len, TRUE);
        sasl_server_start(srv, chunk, len, &act);
    } else {
        sasl_server_start(srv, NULL, 0, &act);
    }
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        g_free(sasl_server_act_to_string(&act));
        SaslServerActKind kind = act.kind;
        if (kind == SASL_SERVER_ACT_SUCCESS || kind == SASL_SERVER_ACT_FAILURE) {
            g_assert_true(sasl_server_is_done(srv));
            sasl_server_act_clear(&act);
            return;
        }
        g_assert_true(kind == SASL_SERVER_ACT_CHALLENGE || kind == SASL_SERVER_ACT_NEED_SECRET);
        sasl_server_act_clear(&act);
        if (kind == SASL_SERVER_ACT_NEED_SECRET) {
            sasl_server_answer_secret(srv, (flags & 0x10) ? NULL : FUZZ_SASL_SECRET,
                                      (flags & 0x20) != 0, &act);
        } else if (fuzz_take_chunk(in, &chunk, &len)) {
            fuzz_sasl_line(chunk, len, FALSE);
            sasl_server_step(srv, chunk, len, &act);
        } else {
            sasl_server_cancel(srv, &act);
        }
    }
    g_error("sasl_server: more than %d steps", FUZZ_ACTIONS_MAX);
}

static void
fuzz_sasl_client(SaslMech mech, guint8 flags, FuzzInput *in)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(1);
    g_autoptr(SaslClient) cl =
        sasl_client_new(mech, "tim", FUZZ_SASL_SECRET, (flags & 0x10) ? "admin" : NULL, rand);
    sasl_client_set_login_initial(cl, (flags & 0x20) != 0);
    if (flags & 0x40)
        sasl_client_set_service(cl, "smtp", "mx.example");
    GBytes *resp = NULL;
    if (sasl_client_initial_response(cl, &resp))
        g_bytes_unref(resp);
    const guint8 *chunk;
    gsize len;
    while (fuzz_take_chunk(in, &chunk, &len)) {
        resp = NULL;
        SaslClientResult r = sasl_client_step(cl, chunk, len, &resp);
        g_clear_pointer(&resp, g_bytes_unref);
        if (r == SASL_CLIENT_ERROR) {
            g_assert_nonnull(sasl_client_get_error(cl));
            return;
        }
        if (r == SASL_CLIENT_DONE)
            return;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    SaslMech mech = (SaslMech)(SASL_MECH_PLAIN + (flags & 0x03));
    if (flags & 0x04)
        fuzz_sasl_client(mech, flags, &in);
    else
        fuzz_sasl_server(mech, flags, &in);
    return 0;
}
