/* SPDX-License-Identifier: MIT
 * dkim_verify: the sans-I/O DKIM verifier (RFC 6376 6). Each
 * DKIM-Signature field is checked for syntax (6.1.1), its key is asked for
 * (6.1.2, NEED_KEY) and, once answered, the body hash and the signature are
 * computed (6.1.3). One result per signature, RFC 8601 vocabulary.
 * Keys are never cached across messages; that is the caller's business.
 */
#include "proto/dkim-private.h"

#include <string.h>

typedef struct {
    DkimSigResult pub; /* first: dkim_verifier_result() returns its address */
    DkimSigInfo info;
    const DkimField *field;
    guint32 query_id;
    gboolean is_final, is_asked;
    char *detail;
} DkimVerifierSig;

struct DkimVerifier {
    guint8 *msg; /* our copy; parts point into it */
    gsize len;
    DkimMsgParts parts;
    DkimVerifyConfig cfg;
    GPtrArray *sigs; /* DkimVerifierSig* */
    guint outstanding;
    gboolean is_done_given;
};

static void
dkim_verifier_sig_free(gpointer p)
{
    DkimVerifierSig *s = p;
    dkim_sig_info_clear(&s->info);
    g_free(s->detail);
    g_free(s);
}

static void
dkim_verifier_finish(DkimVerifierSig *s, DkimResult r, DkimReason why, char *detail)
{
    s->pub.result = r;
    s->pub.reason = why;
    g_free(s->detail);
    s->detail = detail ? detail : g_strdup(dkim_reason_name(why));
    s->pub.detail = s->detail;
    s->is_final = TRUE;
}

static void
dkim_verifier_add_sig(DkimVerifier *v, const DkimField *f)
{
    DkimVerifierSig *s = g_new0(DkimVerifierSig, 1);
    s->field = f;
    s->pub.index = v->sigs->len;
    s->query_id = v->sigs->len + 1;
    g_ptr_array_add(v->sigs, s);
    if (v->sigs->len > v->cfg.max_signatures) {
        dkim_verifier_finish(s, DKIM_RESULT_NEUTRAL, DKIM_REASON_TOO_MANY_SIGNATURES, NULL);
        return;
    }
    const char *value = f->raw + f->name_len + 1;
    dkim_sig_parse(value, f->len - f->name_len - 1, v->cfg.now_unix, &s->info);
    s->pub.domain = s->info.domain;
    s->pub.selector = s->info.selector;
    s->pub.identity = s->info.identity;
    s->pub.alg = s->info.alg;
    s->pub.header_canon = s->info.header_canon;
    s->pub.body_canon = s->info.body_canon;
    if (s->info.reason != DKIM_REASON_NONE)
        dkim_verifier_finish(s, DKIM_RESULT_PERMERROR, s->info.reason, NULL);
}

DkimVerifier *
dkim_verifier_new_full(const guint8 *msg, gsize len, const DkimVerifyConfig *cfg)
{
    g_return_val_if_fail(msg != NULL || len == 0, NULL);
    g_return_val_if_fail(cfg != NULL, NULL);
    DkimVerifier *v = g_new0(DkimVerifier, 1);
    v->cfg = *cfg;
    if (v->cfg.max_signatures == 0)
        v->cfg.max_signatures = DKIM_MAX_SIGNATURES;
    if (v->cfg.min_rsa_bits == 0)
        v->cfg.min_rsa_bits = 1024; /* RFC 8301 3.2 */
    v->msg = g_malloc(len + 1);     /* NUL-terminated for safety, never read */
    if (len > 0)
        memcpy(v->msg, msg, len);
    v->msg[len] = '\0';
    v->len = len;
    dkim_msg_split(v->msg, len, &v->parts);
    v->sigs = g_ptr_array_new_with_free_func(dkim_verifier_sig_free);
    for (guint i = 0; i < v->parts.fields->len; i++) {
        const DkimField *f = &g_array_index(v->parts.fields, DkimField, i);
        if (dkim_field_name_is(f, "DKIM-Signature"))
            dkim_verifier_add_sig(v, f);
    }
    return v;
}

DkimVerifier *
dkim_verifier_new(const guint8 *msg, gsize len, gint64 now_unix)
{
    DkimVerifyConfig cfg = {.now_unix = now_unix};
    return dkim_verifier_new_full(msg, len, &cfg);
}

void
dkim_verifier_free(DkimVerifier *v)
{
    if (v == NULL)
        return;
    g_ptr_array_unref(v->sigs);
    dkim_msg_parts_clear(&v->parts);
    g_free(v->msg);
    g_free(v);
}

gboolean
dkim_verifier_poll(DkimVerifier *v, DkimVerifierAct *act)
{
    g_return_val_if_fail(v != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    for (guint i = 0; i < v->sigs->len; i++) {
        DkimVerifierSig *s = v->sigs->pdata[i];
        if (s->is_final || s->is_asked)
            continue;
        s->is_asked = TRUE;
        v->outstanding++;
        act->kind = DKIM_VERIFIER_ACT_NEED_KEY;
        act->query_id = s->query_id;
        /* 3.6.2.1: <selector>._domainkey.<domain> */
        act->qname = g_strdup_printf("%s._domainkey.%s", s->info.selector, s->info.domain);
        return TRUE;
    }
    if (v->outstanding > 0 || v->is_done_given)
        return FALSE;
    v->is_done_given = TRUE;
    act->kind = DKIM_VERIFIER_ACT_DONE;
    return TRUE;
}

void
dkim_verifier_act_clear(DkimVerifierAct *act)
{
    g_clear_pointer(&act->qname, g_free);
    act->kind = DKIM_VERIFIER_ACT_NONE;
}

char *
dkim_verifier_act_to_string(const DkimVerifierAct *act)
{
    switch (act->kind) {
    case DKIM_VERIFIER_ACT_NEED_KEY:
        return g_strdup_printf("NEED_KEY %u %s", act->query_id, act->qname);
    case DKIM_VERIFIER_ACT_DONE:
        return g_strdup("DONE");
    case DKIM_VERIFIER_ACT_NONE:
        break;
    }
    return g_strdup("NONE");
}

/* Key checks that depend on the signature (3.6.1, RFC 8301, RFC 8463). */
static gboolean
dkim_verifier_key_usable(DkimVerifier *v, DkimVerifierSig *s, const DkimKeyRecord *k)
{
    gboolean want_ed = s->info.alg == DKIM_ALG_ED25519_SHA256;
    if (k->is_ed25519 != want_ed) {
        dkim_verifier_finish(s, DKIM_RESULT_PERMERROR, DKIM_REASON_KEY_TYPE, NULL);
        return FALSE;
    }
    if (!k->is_ed25519 && k->bits < v->cfg.min_rsa_bits) {
        dkim_verifier_finish(s, DKIM_RESULT_POLICY, DKIM_REASON_KEY_TOO_SMALL,
                             g_strdup_printf("RSA key of %u bits, %u required (RFC 8301 3.2)",
                                             k->bits, v->cfg.min_rsa_bits));
        return FALSE;
    }
    const char *at = strrchr(s->info.identity, '@');
    if (k->is_strict && g_ascii_strcasecmp(at + 1, s->info.domain) != 0) {
        dkim_verifier_finish(s, DKIM_RESULT_PERMERROR, DKIM_REASON_KEY_STRICT, NULL);
        return FALSE;
    }
    return TRUE;
}

/* 6.1.3: body hash first, then the signature over the header hash input. */
static void
dkim_verifier_compute(DkimVerifier *v, DkimVerifierSig *s, const DkimKeyRecord *k)
{
    gsize canon_len = 0;
    gint64 limit = s->info.has_l ? (gint64)MIN(s->info.l, (guint64)G_MAXINT64) : -1;
    g_autofree char *bh = dkim_body_hash(s->info.body_canon, "sha256", v->parts.body,
                                         v->parts.body_len, limit, &canon_len);
    if (s->info.has_l && s->info.l > canon_len) {
        dkim_verifier_finish(s, DKIM_RESULT_PERMERROR, DKIM_REASON_SIG_BODY_LENGTH, NULL);
        return;
    }
    gsize n;
    const guint8 *want = g_bytes_get_data(s->info.bh, &n);
    g_autofree char *want_b64 = g_base64_encode(want, n);
    if (strcmp(want_b64, bh) != 0) {
        dkim_verifier_finish(s, DKIM_RESULT_FAIL, DKIM_REASON_BODY_HASH_MISMATCH,
                             g_strdup_printf("body hash mismatch (computed %s)", bh));
        return;
    }
    g_autoptr(GString) input = g_string_new(NULL);
    dkim_hash_input(&v->parts, s->info.headers, s->info.header_canon, s->field->raw, s->field->len,
                    input);
    const guint8 *sig = g_bytes_get_data(s->info.b, &n);
    if (dkim_crypto_verify(k->pkey, s->info.alg, (const guint8 *)input->str, input->len, sig, n))
        dkim_verifier_finish(s, DKIM_RESULT_PASS, DKIM_REASON_NONE, g_strdup("signature verified"));
    else
        dkim_verifier_finish(s, DKIM_RESULT_FAIL, DKIM_REASON_SIGNATURE_MISMATCH, NULL);
}

/* 3.6.2.2: several TXT records give undefined results; use the first that
 * is a usable key, else report the first record's problem. */
static void
dkim_verifier_use_records(DkimVerifier *v, DkimVerifierSig *s, const char *const *records)
{
    if (records == NULL || records[0] == NULL) {
        dkim_verifier_finish(s, DKIM_RESULT_PERMERROR, DKIM_REASON_KEY_NOT_FOUND, NULL);
        return;
    }
    DkimKeyRecord key = {0};
    DkimReason first = DKIM_REASON_NONE;
    for (guint i = 0; records[i]; i++) {
        dkim_key_cache_parse(v->cfg.key_cache, records[i], &key);
        if (key.reason == DKIM_REASON_NONE)
            break;
        if (first == DKIM_REASON_NONE)
            first = key.reason;
        dkim_key_record_clear(&key);
    }
    if (key.pkey == NULL) {
        dkim_verifier_finish(s, DKIM_RESULT_PERMERROR, first, NULL);
        return;
    }
    s->pub.is_testing = key.is_testing;
    s->pub.key_bits = key.bits;
    if (dkim_verifier_key_usable(v, s, &key))
        dkim_verifier_compute(v, s, &key);
    dkim_key_record_clear(&key);
}

void
dkim_verifier_answer(DkimVerifier *v, guint32 query_id, DkimDnsStatus status,
                     const char *const *records)
{
    g_return_if_fail(v != NULL);
    g_return_if_fail(query_id >= 1 && query_id <= v->sigs->len);
    DkimVerifierSig *s = v->sigs->pdata[query_id - 1];
    g_return_if_fail(s->is_asked && !s->is_final);
    g_assert(v->outstanding > 0);
    v->outstanding--;
    switch (status) {
    case DKIM_DNS_FOUND:
        dkim_verifier_use_records(v, s, records);
        break;
    case DKIM_DNS_NXDOMAIN:
        dkim_verifier_finish(s, DKIM_RESULT_PERMERROR, DKIM_REASON_KEY_NOT_FOUND, NULL);
        break;
    case DKIM_DNS_SERVFAIL:
    case DKIM_DNS_TIMEOUT:
        dkim_verifier_finish(s, DKIM_RESULT_TEMPERROR, DKIM_REASON_DNS_FAILURE, NULL);
        break;
    }
}

gboolean
dkim_verifier_is_done(const DkimVerifier *v)
{
    for (guint i = 0; i < v->sigs->len; i++)
        if (!((DkimVerifierSig *)v->sigs->pdata[i])->is_final)
            return FALSE;
    return TRUE;
}

guint
dkim_verifier_n_results(const DkimVerifier *v)
{
    return v->sigs->len;
}

const DkimSigResult *
dkim_verifier_result(const DkimVerifier *v, guint i)
{
    g_return_val_if_fail(i < v->sigs->len, NULL);
    return &((DkimVerifierSig *)v->sigs->pdata[i])->pub;
}
