/* SPDX-License-Identifier: MIT
 * Tests for proto/dkim_key_cache: key records (RFC 6376 3.6.1) parsed
 * through the cache give what parsing each time gives, usable, broken or
 * revoked; a record seen again is a hit sharing the same public key; the
 * cache stays bounded; a verifier with a cache passes and fails as one
 * without.
 */
#include <string.h>

#include <glib.h>

#include "proto/dkim-private.h"

/* RFC 8463 A.2: the Ed25519 key of brisbane._domainkey.football.example.com. */
#define RFC8463_RECORD "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

static void
assert_same_record(const DkimKeyRecord *a, const DkimKeyRecord *b)
{
    g_assert_cmpint(a->reason, ==, b->reason);
    g_assert_cmpint(a->is_ed25519, ==, b->is_ed25519);
    g_assert_cmpint(a->is_testing, ==, b->is_testing);
    g_assert_cmpint(a->is_strict, ==, b->is_strict);
    g_assert_cmpuint(a->bits, ==, b->bits);
    g_assert_cmpint(a->pkey == NULL, ==, b->pkey == NULL);
    if (a->pkey != NULL)
        g_assert_cmpint(EVP_PKEY_eq(a->pkey, b->pkey), ==, 1);
}

static void
test_same_as_parsing(void)
{
    const char *records[] = {
        RFC8463_RECORD,
        "v=DKIM1; k=ed25519; t=y:s; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        "v=DKIM1; k=ed25519; p=",               /* revoked (3.6.1) */
        "v=DKIM1; k=ed25519; p=AAAA",           /* not a 32-octet key */
        "v=DKIM2; k=ed25519; p=11qYAYKx",       /* wrong version */
        "v=DKIM1; k=dsa; p=11qYAYKx",           /* unknown key type */
        "v=DKIM1; k=ed25519; p=@@@@",           /* not base64 */
        "v=DKIM1; k=ed25519",                   /* no p= */
        "v=DKIM1; k=ed25519; s=tlsrpt; p=11qY", /* not for email */
        "=broken",                              /* tag-list syntax */
    };
    g_autoptr(DkimKeyCache) c = dkim_key_cache_new();
    for (guint round = 0; round < 2; round++) {
        for (guint i = 0; i < G_N_ELEMENTS(records); i++) {
            DkimKeyRecord want = {0}, got = {0};
            dkim_key_record_parse(records[i], &want);
            dkim_key_cache_parse(c, records[i], &got);
            assert_same_record(&got, &want);
            dkim_key_record_clear(&want);
            dkim_key_record_clear(&got);
        }
        g_assert_cmpuint(dkim_key_cache_size(c), ==, G_N_ELEMENTS(records));
        g_assert_cmpuint(dkim_key_cache_hits(c), ==, round * G_N_ELEMENTS(records));
    }
    /* Usable records really are usable; the others carry their reason. */
    DkimKeyRecord k = {0};
    dkim_key_cache_parse(c, RFC8463_RECORD, &k);
    g_assert_cmpint(k.reason, ==, DKIM_REASON_NONE);
    g_assert_true(k.is_ed25519);
    g_assert_nonnull(k.pkey);
    dkim_key_record_clear(&k);
    dkim_key_cache_parse(c, "v=DKIM1; k=ed25519; p=", &k);
    g_assert_cmpint(k.reason, ==, DKIM_REASON_KEY_REVOKED);
    dkim_key_record_clear(&k);
    /* Without a cache: plain parsing. */
    dkim_key_cache_parse(NULL, RFC8463_RECORD, &k);
    g_assert_cmpint(k.reason, ==, DKIM_REASON_NONE);
    dkim_key_record_clear(&k);
}

/* A hit shares the cached public key; the caller's copy outlives the cache. */
static void
test_shared_key(void)
{
    DkimKeyCache *c = dkim_key_cache_new();
    DkimKeyRecord a = {0}, b = {0};
    dkim_key_cache_parse(c, RFC8463_RECORD, &a);
    dkim_key_cache_parse(c, RFC8463_RECORD, &b);
    g_assert_true(a.pkey == b.pkey);
    g_assert_cmpuint(dkim_key_cache_hits(c), ==, 1);
    dkim_key_record_clear(&a);
    dkim_key_cache_free(c);
    g_assert_cmpint(EVP_PKEY_get_base_id(b.pkey), ==, EVP_PKEY_ED25519); /* still valid */
    dkim_key_record_clear(&b);
}

static void
test_bounded(void)
{
    g_autoptr(DkimKeyCache) c = dkim_key_cache_new();
    guint max = 0;
    for (guint i = 0; i < 600; i++) {
        /* Distinct records with the same key: an unknown tag (ignored, 3.6.1). */
        g_autofree char *txt = g_strdup_printf("%s; x%u=1", RFC8463_RECORD, i);
        DkimKeyRecord k = {0};
        dkim_key_cache_parse(c, txt, &k);
        g_assert_cmpint(k.reason, ==, DKIM_REASON_NONE);
        dkim_key_record_clear(&k);
        max = MAX(max, dkim_key_cache_size(c));
    }
    g_assert_cmpuint(max, <=, 256);
    g_assert_cmpuint(max, >=, 2);
    g_assert_cmpuint(dkim_key_cache_hits(c), ==, 0);
}

/* Signs with a seed key, then verifies with and without a cache. */
static DkimResult
verify_once(DkimKeyCache *c, const char *msg, const char *record)
{
    DkimVerifyConfig cfg = {.now_unix = 1700000000, .key_cache = c};
    g_autoptr(DkimVerifier) v = dkim_verifier_new_full((const guint8 *)msg, strlen(msg), &cfg);
    DkimVerifierAct act = {0};
    while (dkim_verifier_poll(v, &act)) {
        if (act.kind == DKIM_VERIFIER_ACT_NEED_KEY) {
            const char *records[] = {record, NULL};
            dkim_verifier_answer(v, act.query_id, DKIM_DNS_FOUND, records);
        }
        dkim_verifier_act_clear(&act);
    }
    g_assert_true(dkim_verifier_is_done(v));
    g_assert_cmpuint(dkim_verifier_n_results(v), ==, 1);
    return dkim_verifier_result(v, 0)->result;
}

static void
test_verifier(void)
{
    guint8 seed[32];
    memset(seed, 7, sizeof seed);
    g_autoptr(GError) error = NULL;
    g_autoptr(DkimPrivateKey) key = dkim_private_key_new_ed25519_seed(seed, sizeof seed, &error);
    g_assert_no_error(error);
    g_autofree char *p = dkim_private_key_public_b64(key);
    g_autofree char *record = g_strdup_printf("v=DKIM1; k=ed25519; p=%s", p);
    const char *msg = "From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    DkimSignConfig sc = {.domain = "example.com", .selector = "s", .now_unix = 1700000000};
    g_autofree char *field = dkim_sign((const guint8 *)msg, strlen(msg), &sc, key, &error);
    g_assert_no_error(error);
    g_autofree char *signed_msg = g_strconcat(field, msg, NULL);
    g_autofree char *tampered = g_strconcat(field, msg, "more\r\n", NULL);
    g_autoptr(DkimKeyCache) c = dkim_key_cache_new();
    for (guint i = 0; i < 3; i++) {
        g_assert_cmpint(verify_once(c, signed_msg, record), ==, DKIM_RESULT_PASS);
        g_assert_cmpint(verify_once(NULL, signed_msg, record), ==, DKIM_RESULT_PASS);
        g_assert_cmpint(verify_once(c, tampered, record), ==, DKIM_RESULT_FAIL);
        g_assert_cmpint(verify_once(c, signed_msg, RFC8463_RECORD), ==, DKIM_RESULT_FAIL);
    }
    g_assert_cmpuint(dkim_key_cache_size(c), ==, 2);
    g_assert_cmpuint(dkim_key_cache_hits(c), ==, 3 * 3 - 2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/dkim-key-cache/same-as-parsing", test_same_as_parsing);
    g_test_add_func("/proto/dkim-key-cache/shared-key", test_shared_key);
    g_test_add_func("/proto/dkim-key-cache/bounded", test_bounded);
    g_test_add_func("/proto/dkim-key-cache/verifier", test_verifier);
    return g_test_run();
}
