/* SPDX-License-Identifier: MIT
 * Tests for proto/dkim_keygen: keys derived from a seed are the same for
 * the same seed and differ otherwise; they sign messages that the
 * verifier accepts against the record dkim_private_key_record() gives
 * (RFC 6376 3.6.1, RFC 8463 4: an Ed25519 p= is the raw 32-octet key, 44
 * base64 characters); RSA sizes outside RFC 8301's floor are refused.
 */
#include <string.h>

#include <glib.h>

#include "proto/dkim_keygen.h"

static const char msg[] = "From: a@a.test\r\n"
                          "To: b@b.test\r\n"
                          "Subject: hi\r\n"
                          "\r\n"
                          "Hello.\r\n";

/* Signs msg with k and verifies it against record. */
static DkimResult
sign_and_verify(const DkimPrivateKey *k, const char *record)
{
    DkimSignConfig cfg = {
        .domain = "a.test",
        .selector = "s",
        .header_canon = DKIM_CANON_RELAXED,
        .body_canon = DKIM_CANON_RELAXED,
        .now_unix = 1767225600,
    };
    g_autoptr(GError) error = NULL;
    g_autofree char *field = dkim_sign((const guint8 *)msg, strlen(msg), &cfg, k, &error);
    g_assert_no_error(error);
    g_autofree char *signed_msg = g_strconcat(field, msg, NULL);
    g_autoptr(DkimVerifier) v =
        dkim_verifier_new((const guint8 *)signed_msg, strlen(signed_msg), 1767225600);
    DkimVerifierAct act = {0};
    g_assert_true(dkim_verifier_poll(v, &act));
    g_assert_cmpint(act.kind, ==, DKIM_VERIFIER_ACT_NEED_KEY);
    g_assert_cmpstr(act.qname, ==, "s._domainkey.a.test");
    const char *records[] = {record, NULL};
    dkim_verifier_answer(v, act.query_id, DKIM_DNS_FOUND, records);
    dkim_verifier_act_clear(&act);
    g_assert_true(dkim_verifier_poll(v, &act));
    g_assert_cmpint(act.kind, ==, DKIM_VERIFIER_ACT_DONE);
    dkim_verifier_act_clear(&act);
    g_assert_cmpuint(dkim_verifier_n_results(v), ==, 1);
    return dkim_verifier_result(v, 0)->result;
}

static void
test_ed25519(void)
{
    g_autoptr(GError) error = NULL;
    const guint8 seed1[] = "node-a", seed2[] = "node-b";
    g_autoptr(DkimPrivateKey) a =
        dkim_private_key_derive(DKIM_ALG_ED25519_SHA256, 0, seed1, sizeof seed1, &error);
    g_assert_no_error(error);
    g_autoptr(DkimPrivateKey) a2 =
        dkim_private_key_derive(DKIM_ALG_ED25519_SHA256, 0, seed1, sizeof seed1, &error);
    g_autoptr(DkimPrivateKey) b =
        dkim_private_key_derive(DKIM_ALG_ED25519_SHA256, 0, seed2, sizeof seed2, &error);
    g_assert_cmpint(dkim_private_key_alg(a), ==, DKIM_ALG_ED25519_SHA256);
    g_autofree char *ra = dkim_private_key_record(a);
    g_autofree char *ra2 = dkim_private_key_record(a2);
    g_autofree char *rb = dkim_private_key_record(b);
    g_assert_cmpstr(ra, ==, ra2);
    g_assert_cmpstr(ra, !=, rb);
    g_assert_true(g_str_has_prefix(ra, "v=DKIM1; k=ed25519; p="));
    g_assert_cmpuint(strlen(ra), ==, strlen("v=DKIM1; k=ed25519; p=") + 44);
    g_assert_cmpint(sign_and_verify(a, ra), ==, DKIM_RESULT_PASS);
    /* Another key's record does not verify a's signature. */
    g_assert_cmpint(sign_and_verify(a, rb), ==, DKIM_RESULT_FAIL);
}

static void
test_rsa(void)
{
    g_autoptr(GError) error = NULL;
    const guint8 seed[] = {1, 2, 3};
    g_autoptr(DkimPrivateKey) k =
        dkim_private_key_derive(DKIM_ALG_RSA_SHA256, 1024, seed, sizeof seed, &error);
    g_assert_no_error(error);
    g_autoptr(DkimPrivateKey) k2 =
        dkim_private_key_derive(DKIM_ALG_RSA_SHA256, 1024, seed, sizeof seed, &error);
    g_assert_cmpint(dkim_private_key_alg(k), ==, DKIM_ALG_RSA_SHA256);
    g_autofree char *r = dkim_private_key_record(k);
    g_autofree char *r2 = dkim_private_key_record(k2);
    g_assert_cmpstr(r, ==, r2);
    g_assert_true(g_str_has_prefix(r, "v=DKIM1; k=rsa; p=MI"));
    g_assert_cmpint(sign_and_verify(k, r), ==, DKIM_RESULT_PASS);
}

static void
test_refused(void)
{
    const guint8 seed[] = {0};
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
    /* RFC 8301 3.2: under 1024 bits is not usable. */
    g_assert_null(dkim_private_key_derive(DKIM_ALG_RSA_SHA256, 512, seed, 1, &e1));
    g_assert_error(e1, DKIM_ERROR, DKIM_ERROR_CONFIG);
    g_assert_null(dkim_private_key_derive(DKIM_ALG_RSA_SHA256, 1030, seed, 1, &e2));
    g_assert_error(e2, DKIM_ERROR, DKIM_ERROR_CONFIG);
    /* RFC 8301 3.1: rsa-sha1 is not for signing. */
    g_assert_null(dkim_private_key_derive(DKIM_ALG_RSA_SHA1, 0, seed, 1, &e3));
    g_assert_error(e3, DKIM_ERROR, DKIM_ERROR_CONFIG);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/dkim-keygen/ed25519", test_ed25519);
    g_test_add_func("/proto/dkim-keygen/rsa", test_rsa);
    g_test_add_func("/proto/dkim-keygen/refused", test_refused);
    return g_test_run();
}
