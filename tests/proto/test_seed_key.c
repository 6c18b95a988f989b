/* SPDX-License-Identifier: MIT
 * Tests for proto/seed_key: the same seed gives the same key pair, another
 * seed another one; every type is a valid key pair of its kind (OpenSSL's
 * pairwise check) that signs and verifies; and a certificate issued with
 * such keys is byte-identical when made twice (Ed25519 and RSA PKCS #1
 * v1.5 signatures are deterministic). The store hook: a stored sound key
 * is used as is, an unsound or mistyped one is derived again, a derived
 * key is handed to keep; digests name (type, seed) apart; and a known
 * answer pins the RSA derivation, so a change to it cannot go unnoticed
 * by the caches keyed on SEED_KEY_DERIVATION_VERSION.
 */
#include <string.h>

#include <glib.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "proto/seed_key.h"
#include "proto/tls_autocleanups.h"
#include "proto/tls_ca.h"

/* Known answers for test_known_answer(). The Ed25519 one was also computed
 * outside mhs: SHA-256("mhs known answer" "seed-key-ed25519\0" 00000000)
 * as the raw private key, its public key by openssl pkey. */
#define SEED_KEY_KAT_ED25519 "4ddd4b2fcd5c27698d44f0b5f1987ffa4ad0229ff665ce4e90f93f7d6943e765"
#define SEED_KEY_KAT_P256 "65af40be3eac2efcf522427a112202a767578a4acf2050b739d6e6868ef5e858"
#define SEED_KEY_KAT_RSA2048 "120685ee3715e85be7fa03d93d727c67d949bda7257c323a2f05ab49b3bf145a"

static char *
private_pem(EVP_PKEY *k)
{
    g_autoptr(TlsIdentity) id = NULL;
    /* A throwaway self-signed certificate carries the key to PEM. */
    TlsCertRequest req = {.common_name = "k", .not_before = 1767225600, .key = k};
    id = tls_ca_new(&req, NULL);
    g_assert_nonnull(id);
    return tls_identity_key_pem(id);
}

static void
test_same_seed(gconstpointer data)
{
    TlsKeyType type = GPOINTER_TO_INT(data);
    static const guint8 s1[] = "lab seed 1", s2[] = "lab seed 2";
    g_autoptr(EVP_PKEY) a = seed_key_derive(type, s1, sizeof s1);
    g_autoptr(EVP_PKEY) b = seed_key_derive(type, s1, sizeof s1);
    g_autoptr(EVP_PKEY) c = seed_key_derive(type, s2, sizeof s2);
    g_autofree char *pa = private_pem(a), *pb = private_pem(b), *pc = private_pem(c);
    g_assert_cmpstr(pa, ==, pb);
    g_assert_cmpstr(pa, !=, pc);
    g_assert_cmpint(EVP_PKEY_eq(a, b), ==, 1);
    g_assert_cmpint(EVP_PKEY_eq(a, c), !=, 1);
    /* A real key pair of its kind. */
    g_autoptr(EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new(a, NULL);
    g_assert_cmpint(EVP_PKEY_pairwise_check(ctx), ==, 1);
    const char *names[] = {
        [TLS_KEY_ED25519] = "ED25519", [TLS_KEY_P256] = "EC", [TLS_KEY_RSA2048] = "RSA"};
    g_assert_true(EVP_PKEY_is_a(a, names[type]));
    if (type == TLS_KEY_RSA2048)
        g_assert_cmpint(EVP_PKEY_get_bits(a), ==, 2048);
    if (type == TLS_KEY_P256)
        g_assert_cmpint(EVP_PKEY_get_bits(a), ==, 256);
}

static void
test_same_certificate(void)
{
    static const guint8 ca_seed[] = "ca", user_seed[] = "alice@a.test";
    char *pem[2];
    for (int i = 0; i < 2; i++) {
        g_autoptr(EVP_PKEY) ck = seed_key_derive(TLS_KEY_ED25519, ca_seed, sizeof ca_seed);
        g_autoptr(EVP_PKEY) uk = seed_key_derive(TLS_KEY_RSA2048, user_seed, sizeof user_seed);
        TlsCertRequest cr = {.common_name = "CA", .not_before = 1767225600, .key = ck};
        g_autoptr(TlsIdentity) ca = tls_ca_new(&cr, NULL);
        const char *emails[] = {"alice@a.test", NULL};
        TlsCertRequest ur = {.common_name = "alice",
                             .emails = emails,
                             .not_before = 1767225600,
                             .key_type = TLS_KEY_RSA2048,
                             .key = uk};
        g_autoptr(TlsIdentity) id = tls_ca_issue(ca, &ur, NULL);
        g_assert_nonnull(id);
        g_assert_true(EVP_PKEY_eq(tls_identity_get_key(id), uk) == 1);
        pem[i] = tls_identity_cert_pem(id);
    }
    g_assert_cmpstr(pem[0], ==, pem[1]);
    g_free(pem[0]);
    g_free(pem[1]);
}

/* A store of one slot, counting its calls. */
typedef struct {
    EVP_PKEY *held; /* returned by lookup (a new reference each time) */
    guint lookups, keeps;
    char kept_kind[16];
    guint8 kept_digest[SEED_KEY_DIGEST_LEN];
    EVP_PKEY *kept;
} FakeStore;

static EVP_PKEY *
fake_lookup(gpointer data, const char *kind, const guint8 *digest)
{
    FakeStore *f = data;
    (void)kind;
    (void)digest;
    f->lookups++;
    if (f->held != NULL)
        EVP_PKEY_up_ref(f->held);
    return f->held;
}

static void
fake_keep(gpointer data, const char *kind, const guint8 *digest, EVP_PKEY *key)
{
    FakeStore *f = data;
    f->keeps++;
    g_strlcpy(f->kept_kind, kind, sizeof f->kept_kind);
    memcpy(f->kept_digest, digest, SEED_KEY_DIGEST_LEN);
    EVP_PKEY_free(f->kept);
    EVP_PKEY_up_ref(key);
    f->kept = key;
}

static void
fake_store_clear(FakeStore *f)
{
    seed_key_set_store(NULL);
    g_clear_pointer(&f->held, EVP_PKEY_free);
    g_clear_pointer(&f->kept, EVP_PKEY_free);
}

static void
test_store_miss_then_hit(void)
{
    static const guint8 seed[] = "store seed";
    FakeStore f = {0};
    SeedKeyStore store = {.lookup = fake_lookup, .keep = fake_keep, .data = &f};
    seed_key_set_store(&store);
    /* Miss: derived, then handed to keep under its digest. */
    EVP_PKEY *a = seed_key_derive(TLS_KEY_P256, seed, sizeof seed);
    g_assert_cmpuint(f.lookups, ==, 1);
    g_assert_cmpuint(f.keeps, ==, 1);
    g_assert_true(f.kept == a);
    g_assert_cmpstr(f.kept_kind, ==, "p256");
    guint8 want[SEED_KEY_DIGEST_LEN];
    seed_key_digest(TLS_KEY_P256, seed, sizeof seed, want);
    g_assert_cmpmem(f.kept_digest, sizeof want, want, sizeof want);
    /* Hit: the stored object itself, and nothing kept again. */
    f.held = g_steal_pointer(&f.kept);
    EVP_PKEY *b = seed_key_derive(TLS_KEY_P256, seed, sizeof seed);
    g_assert_true(b == f.held);
    g_assert_cmpuint(f.lookups, ==, 2);
    g_assert_cmpuint(f.keeps, ==, 1);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    fake_store_clear(&f);
    /* Removed: no more calls. */
    EVP_PKEY_free(seed_key_derive(TLS_KEY_ED25519, seed, sizeof seed));
    g_assert_cmpuint(f.lookups, ==, 2);
}

/* A stored key of the wrong type, or a broken RSA key, is not used: the
 * key is derived again and kept. */
static void
test_store_unsound(void)
{
    static const guint8 seed[] = "unsound";
    g_autoptr(EVP_PKEY) want = seed_key_derive(TLS_KEY_RSA2048, seed, sizeof seed);
    FakeStore f = {0};
    SeedKeyStore store = {.lookup = fake_lookup, .keep = fake_keep, .data = &f};
    seed_key_set_store(&store);
    f.held = seed_key_derive(TLS_KEY_ED25519, seed, sizeof seed); /* store is empty: derived */
    g_clear_pointer(&f.kept, EVP_PKEY_free);
    f.keeps = 0;
    g_autoptr(EVP_PKEY) got = seed_key_derive(TLS_KEY_RSA2048, seed, sizeof seed);
    g_assert_cmpint(EVP_PKEY_eq(got, want), ==, 1);
    g_assert_cmpuint(f.keeps, ==, 1);
    /* An RSA key whose d does not invert e: its CRT values are someone
     * else's. Built from want's parameters with d + 2. */
    BIGNUM *n = NULL, *e = NULL, *d = NULL;
    g_assert_true(EVP_PKEY_get_bn_param(want, "n", &n) && EVP_PKEY_get_bn_param(want, "e", &e) &&
                  EVP_PKEY_get_bn_param(want, "d", &d));
    BN_add_word(d, 2);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, "n", n);
    OSSL_PARAM_BLD_push_BN(bld, "e", e);
    OSSL_PARAM_BLD_push_BN(bld, "d", d);
    const char *crt[] = {"rsa-factor1", "rsa-factor2", "rsa-exponent1", "rsa-exponent2",
                         "rsa-coefficient1"};
    BIGNUM *v[G_N_ELEMENTS(crt)];
    for (guint i = 0; i < G_N_ELEMENTS(crt); i++) {
        v[i] = NULL;
        g_assert_true(EVP_PKEY_get_bn_param(want, crt[i], &v[i]));
        OSSL_PARAM_BLD_push_BN(bld, crt[i], v[i]);
    }
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    g_autoptr(EVP_PKEY_CTX) pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *bad = NULL;
    g_assert_cmpint(EVP_PKEY_fromdata_init(pctx), ==, 1);
    g_assert_cmpint(EVP_PKEY_fromdata(pctx, &bad, EVP_PKEY_KEYPAIR, params), ==, 1);
    EVP_PKEY_free(f.held);
    f.held = bad;
    g_autoptr(EVP_PKEY) again = seed_key_derive(TLS_KEY_RSA2048, seed, sizeof seed);
    g_assert_true(again != bad);
    g_assert_cmpint(EVP_PKEY_eq(again, want), ==, 1);
    g_assert_cmpuint(f.keeps, ==, 2);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (guint i = 0; i < G_N_ELEMENTS(crt); i++)
        BN_free(v[i]);
    BN_free(n);
    BN_free(e);
    BN_clear_free(d);
    fake_store_clear(&f);
}

static void
test_digest(void)
{
    static const guint8 s1[] = "a", s2[] = "b";
    guint8 d[4][SEED_KEY_DIGEST_LEN];
    seed_key_digest(TLS_KEY_RSA2048, s1, sizeof s1, d[0]);
    seed_key_digest(TLS_KEY_RSA2048, s1, sizeof s1, d[1]);
    seed_key_digest(TLS_KEY_P256, s1, sizeof s1, d[2]);
    seed_key_digest(TLS_KEY_RSA2048, s2, sizeof s2, d[3]);
    g_assert_cmpmem(d[0], SEED_KEY_DIGEST_LEN, d[1], SEED_KEY_DIGEST_LEN);
    g_assert_true(memcmp(d[0], d[2], SEED_KEY_DIGEST_LEN) != 0);
    g_assert_true(memcmp(d[0], d[3], SEED_KEY_DIGEST_LEN) != 0);
    /* The empty seed is a seed. */
    seed_key_digest(TLS_KEY_ED25519, NULL, 0, d[1]);
    g_assert_true(memcmp(d[0], d[1], SEED_KEY_DIGEST_LEN) != 0);
}

/* Known answers: SHA-256 of the DER SubjectPublicKeyInfo of each type's
 * key from the seed "mhs known answer". If the derivation changes on
 * purpose, update these and bump SEED_KEY_DERIVATION_VERSION, or the key
 * caches keep serving the old keys. */
static void
test_known_answer(gconstpointer data)
{
    TlsKeyType type = GPOINTER_TO_INT(data);
    static const char *const want[] = {
        [TLS_KEY_ED25519] = SEED_KEY_KAT_ED25519,
        [TLS_KEY_P256] = SEED_KEY_KAT_P256,
        [TLS_KEY_RSA2048] = SEED_KEY_KAT_RSA2048,
    };
    static const guint8 seed[] = "mhs known answer";
    g_autoptr(EVP_PKEY) k = seed_key_derive(type, seed, sizeof seed - 1);
    unsigned char *der = NULL;
    int len = i2d_PUBKEY(k, &der);
    g_assert_cmpint(len, >, 0);
    g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, der, (gsize)len);
    OPENSSL_free(der);
    g_assert_cmpstr(sum, ==, want[type]);
    g_assert_cmpint(SEED_KEY_DERIVATION_VERSION, ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/proto/seed-key/ed25519", GINT_TO_POINTER(TLS_KEY_ED25519),
                         test_same_seed);
    g_test_add_data_func("/proto/seed-key/p256", GINT_TO_POINTER(TLS_KEY_P256), test_same_seed);
    g_test_add_data_func("/proto/seed-key/rsa2048", GINT_TO_POINTER(TLS_KEY_RSA2048),
                         test_same_seed);
    g_test_add_func("/proto/seed-key/certificate", test_same_certificate);
    g_test_add_func("/proto/seed-key/store/miss-then-hit", test_store_miss_then_hit);
    g_test_add_func("/proto/seed-key/store/unsound", test_store_unsound);
    g_test_add_func("/proto/seed-key/digest", test_digest);
    g_test_add_data_func("/proto/seed-key/known-answer/ed25519", GINT_TO_POINTER(TLS_KEY_ED25519),
                         test_known_answer);
    g_test_add_data_func("/proto/seed-key/known-answer/p256", GINT_TO_POINTER(TLS_KEY_P256),
                         test_known_answer);
    g_test_add_data_func("/proto/seed-key/known-answer/rsa2048", GINT_TO_POINTER(TLS_KEY_RSA2048),
                         test_known_answer);
    return g_test_run();
}
