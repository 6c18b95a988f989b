/* SPDX-License-Identifier: MIT
 * fuzz_dkim: hostile messages through the DKIM verifier (RFC 6376 3, 5, 6;
 * RFC 8463; RFC 8301): header split, tag-list parsing, canonicalization,
 * body hashes and signature checks. NEED_KEY is answered with the RFC 8463
 * A.2 key records (ed25519 for selector "brisbane", RSA otherwise), or an
 * NXDOMAIN/SERVFAIL when the first byte says so; with bit 0x10 the first
 * input line is served as every key record instead (hostile DNS).
 */
#include <string.h>

#include "proto/dkim.h"

#include "fuzz_common.h"

#define FUZZ_DKIM_ED25519 "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define FUZZ_DKIM_RSA                                                                              \
    "v=DKIM1; k=rsa; "                                                                             \
    "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/" \
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/"                                                     \
    "8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+"                              \
    "2kryOTIKT+l/K4w3QIDAQAB"

static void
fuzz_dkim_answer(DkimVerifier *v, const DkimVerifierAct *act, guint8 flags, const char *record)
{
    const char *records[2] = {NULL, NULL};
    if (record != NULL)
        records[0] = record;
    else if (g_str_has_prefix(act->qname, "brisbane."))
        records[0] = FUZZ_DKIM_ED25519;
    else
        records[0] = FUZZ_DKIM_RSA;
    switch ((flags >> 2) & 0x03) {
    case 1:
        dkim_verifier_answer(v, act->query_id, DKIM_DNS_NXDOMAIN, NULL);
        return;
    case 2:
        dkim_verifier_answer(v, act->query_id, DKIM_DNS_SERVFAIL, NULL);
        return;
    default:
        dkim_verifier_answer(v, act->query_id, DKIM_DNS_FOUND, records);
        return;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    g_autofree char *record = NULL;
    if (flags & 0x10) {
        const guint8 *nl = memchr(in.p, '\n', in.n);
        gsize len = nl != NULL ? (gsize)(nl - in.p) : in.n;
        record = g_strndup((const char *)in.p, len);
        in.p += MIN(len + 1, in.n);
        in.n -= MIN(len + 1, in.n);
    }
    g_autoptr(GBytes) msg = NULL;
    if (flags & 0x01)
        msg = dkim_message_to_crlf(in.p, in.n);
    else
        msg = g_bytes_new(in.p, in.n);

    DkimVerifyConfig cfg = {.now_unix = 1528637909, .max_signatures = (flags & 0x02) ? 2 : 0};
    gsize len = 0;
    const guint8 *p = g_bytes_get_data(msg, &len);
    g_autoptr(DkimVerifier) v = dkim_verifier_new_full(p, len, &cfg);
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        DkimVerifierAct act = {0};
        if (!dkim_verifier_poll(v, &act)) {
            /* Every query was answered at once: FALSE means done. */
            break;
        }
        g_free(dkim_verifier_act_to_string(&act));
        if (act.kind == DKIM_VERIFIER_ACT_NEED_KEY)
            fuzz_dkim_answer(v, &act, flags, record);
        dkim_verifier_act_clear(&act);
    }
    g_assert_true(dkim_verifier_is_done(v));
    for (guint i = 0; i < dkim_verifier_n_results(v); i++) {
        const DkimSigResult *r = dkim_verifier_result(v, i);
        g_assert_nonnull(dkim_result_name(r->result));
        g_assert_nonnull(dkim_reason_name(r->reason));
    }
    return 0;
}
