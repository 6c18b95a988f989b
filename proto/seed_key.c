/* SPDX-License-Identifier: MIT
 * seed_key: deterministic key pairs. The stream and the RSA prime search
 * are dkim_keygen's; labels keep the keys of one seed apart by type. The
 * store hook: a process-wide pointer, because a key cache is shared by
 * every world a process builds (a grader builds one per seed); it holds
 * results of a pure function, so it cannot change what a run does.
 */
#include "proto/seed_key.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "proto/dkim-private.h"
#include "proto/tls_autocleanups.h"

/* FIPS 186-4 B.4.1: 64 bits more than the 256-bit order, so the modular
 * reduction is not measurably biased. */
#define SEED_KEY_P256_OCTETS 40
/* RFC 8032 5.1.5: an Ed25519 private key is 32 octets. */
#define SEED_KEY_ED25519_OCTETS 32

static EVP_PKEY *
seed_key_ed25519(const guint8 *seed, gsize seed_len)
{
    guint8 sk[SEED_KEY_ED25519_OCTETS];
    dkim_keygen_stream(seed, seed_len, "seed-key-ed25519", sk, sizeof sk);
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, sizeof sk);
    OPENSSL_cleanse(sk, sizeof sk);
    if (k == NULL)
        g_error("seed_key: Ed25519 key from raw bytes failed");
    return k;
}

static EVP_PKEY *
seed_key_p256(const guint8 *seed, gsize seed_len)
{
    guint8 buf[SEED_KEY_P256_OCTETS];
    dkim_keygen_stream(seed, seed_len, "seed-key-p256", buf, sizeof buf);
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *x = BN_bin2bn(buf, sizeof buf, NULL);
    BIGNUM *nm1 = BN_dup(EC_GROUP_get0_order(group));
    EC_POINT *pub = EC_POINT_new(group);
    OPENSSL_cleanse(buf, sizeof buf);
    guint8 point[65];
    /* d = (x mod (n - 1)) + 1, in [1, n - 1]; Q = dG, uncompressed. */
    if (group == NULL || ctx == NULL || x == NULL || nm1 == NULL || pub == NULL ||
        !BN_sub_word(nm1, 1) || !BN_mod(x, x, nm1, ctx) || !BN_add_word(x, 1) ||
        !EC_POINT_mul(group, pub, x, NULL, NULL, ctx) ||
        EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, point, sizeof point, ctx) !=
            sizeof point)
        g_error("seed_key: P-256 point computation failed");
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;
    if (params == NULL || pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, &k, EVP_PKEY_KEYPAIR, params) <= 0)
        g_error("seed_key: P-256 EVP_PKEY_fromdata failed");
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(pub);
    BN_free(nm1);
    BN_clear_free(x);
    BN_CTX_free(ctx);
    EC_GROUP_free(group);
    return k;
}

/* What is derived: a type and, for RSA, the modulus size. */
typedef struct {
    TlsKeyType type;
    guint rsa_bits; /* TLS_KEY_RSA2048 only: 2048 for TLS keys, any DKIM size */
} SeedKeySpec;

static EVP_PKEY *
seed_key_compute(const SeedKeySpec *spec, const guint8 *seed, gsize seed_len)
{
    switch (spec->type) {
    case TLS_KEY_ED25519:
        return seed_key_ed25519(seed, seed_len);
    case TLS_KEY_P256:
        return seed_key_p256(seed, seed_len);
    case TLS_KEY_RSA2048:
        return dkim_keygen_rsa(seed, seed_len, spec->rsa_bits);
    }
    g_assert_not_reached();
}

/* The kind a store sees (transfer full): "rsa2048" is both a TLS key and a
 * 2048-bit DKIM key, which are the same derivation. */
static char *
seed_key_spec_kind(const SeedKeySpec *spec)
{
    if (spec->type == TLS_KEY_RSA2048)
        return g_strdup_printf("rsa%u", spec->rsa_bits);
    return g_strdup(tls_key_type_name(spec->type));
}

static void
seed_key_digest_part(GChecksum *h, const guint8 *data, gsize len)
{
    guint8 be[8];
    for (guint i = 0; i < 8; i++)
        be[i] = (guint8)((guint64)len >> (56 - 8 * i));
    g_checksum_update(h, be, sizeof be);
    g_checksum_update(h, data, (gssize)len);
}

void
seed_key_digest_kind(const char *kind, const guint8 *seed, gsize seed_len,
                     guint8 out[SEED_KEY_DIGEST_LEN])
{
    g_return_if_fail(kind != NULL && (seed != NULL || seed_len == 0));
    g_autoptr(GChecksum) h = g_checksum_new(G_CHECKSUM_SHA256);
    g_autofree char *version = g_strdup_printf("mhs-seed-key/%d", SEED_KEY_DERIVATION_VERSION);
    seed_key_digest_part(h, (const guint8 *)version, strlen(version));
    seed_key_digest_part(h, (const guint8 *)kind, strlen(kind));
    seed_key_digest_part(h, seed, seed_len);
    gsize len = SEED_KEY_DIGEST_LEN;
    g_checksum_get_digest(h, out, &len);
    g_assert(len == SEED_KEY_DIGEST_LEN);
}

void
seed_key_digest(TlsKeyType type, const guint8 *seed, gsize seed_len,
                guint8 out[SEED_KEY_DIGEST_LEN])
{
    seed_key_digest_kind(tls_key_type_name(type), seed, seed_len, out);
}

/* RFC 8017 3.2: n = pq, and e inverts d, dP, dQ modulo p-1 and q-1, and
 * qInv inverts q modulo p. OpenSSL's pairwise check would also test p and
 * q for primality, which costs as much as the prime search it saves. */
static gboolean
seed_key_rsa_is_sound(EVP_PKEY *k)
{
    static const char *const names[] = {
        OSSL_PKEY_PARAM_RSA_N,        OSSL_PKEY_PARAM_RSA_E,        OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1,  OSSL_PKEY_PARAM_RSA_FACTOR2,  OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    enum { N, E, D, P, Q, DP, DQ, QINV, COUNT };
    BIGNUM *v[COUNT] = {NULL};
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *t = BN_new(), *pm1 = BN_new(), *qm1 = BN_new();
    gboolean ok = ctx != NULL && t != NULL && pm1 != NULL && qm1 != NULL;
    for (guint i = 0; ok && i < COUNT; i++)
        ok = EVP_PKEY_get_bn_param(k, names[i], &v[i]) == 1;
    ok = ok && BN_mul(t, v[P], v[Q], ctx) && BN_cmp(t, v[N]) == 0 &&
         BN_sub(pm1, v[P], BN_value_one()) && BN_sub(qm1, v[Q], BN_value_one());
    /* (x * e) mod m == 1 for (x, m) in (d, p-1), (d, q-1), (dP, p-1), (dQ, q-1). */
    const BIGNUM *xs[] = {v[D], v[D], v[DP], v[DQ]}, *ms[] = {pm1, qm1, pm1, qm1};
    for (guint i = 0; ok && i < G_N_ELEMENTS(xs); i++)
        ok = BN_mod_mul(t, xs[i], v[E], ms[i], ctx) && BN_is_one(t);
    ok = ok && BN_mod_mul(t, v[QINV], v[Q], v[P], ctx) && BN_is_one(t);
    for (guint i = 0; i < COUNT; i++)
        BN_clear_free(v[i]);
    BN_clear_free(t);
    BN_free(pm1);
    BN_free(qm1);
    BN_CTX_free(ctx);
    return ok;
}

/* TRUE when k is a key pair of spec whose halves agree. */
static gboolean
seed_key_is_sound(const SeedKeySpec *spec, EVP_PKEY *k)
{
    static const char *const names[] = {
        [TLS_KEY_ED25519] = "ED25519", [TLS_KEY_P256] = "EC", [TLS_KEY_RSA2048] = "RSA"};
    static const int bits[] = {[TLS_KEY_ED25519] = 253, [TLS_KEY_P256] = 256};
    TlsKeyType type = spec->type;
    int want_bits = type == TLS_KEY_RSA2048 ? (int)spec->rsa_bits : bits[type];
    if (!EVP_PKEY_is_a(k, names[type]) || EVP_PKEY_get_bits(k) != want_bits)
        return FALSE;
    gboolean ok;
    if (type == TLS_KEY_RSA2048) {
        ok = seed_key_rsa_is_sound(k);
    } else {
        g_autoptr(EVP_PKEY_CTX) ctx = EVP_PKEY_CTX_new(k, NULL);
        ok = ctx != NULL && EVP_PKEY_pairwise_check(ctx) == 1;
    }
    ERR_clear_error();
    return ok;
}

static SeedKeyStore seed_key_store;
static gboolean seed_key_has_store;

void
seed_key_set_store(const SeedKeyStore *store)
{
    seed_key_has_store = store != NULL;
    seed_key_store = store != NULL ? *store : (SeedKeyStore){0};
}

static EVP_PKEY *
seed_key_derive_spec(const SeedKeySpec *spec, const guint8 *seed, gsize seed_len)
{
    if (!seed_key_has_store)
        return seed_key_compute(spec, seed, seed_len);
    g_autofree char *kind = seed_key_spec_kind(spec);
    guint8 digest[SEED_KEY_DIGEST_LEN];
    seed_key_digest_kind(kind, seed, seed_len, digest);
    EVP_PKEY *k =
        seed_key_store.lookup ? seed_key_store.lookup(seed_key_store.data, kind, digest) : NULL;
    if (k != NULL && seed_key_is_sound(spec, k))
        return k;
    EVP_PKEY_free(k);
    k = seed_key_compute(spec, seed, seed_len);
    if (seed_key_store.keep != NULL)
        seed_key_store.keep(seed_key_store.data, kind, digest, k);
    return k;
}

EVP_PKEY *
seed_key_derive(TlsKeyType type, const guint8 *seed, gsize seed_len)
{
    g_return_val_if_fail(seed != NULL || seed_len == 0, NULL);
    g_return_val_if_fail(type <= TLS_KEY_RSA2048, NULL);
    SeedKeySpec spec = {.type = type, .rsa_bits = type == TLS_KEY_RSA2048 ? 2048 : 0};
    return seed_key_derive_spec(&spec, seed, seed_len);
}

EVP_PKEY *
seed_key_derive_rsa(guint bits, const guint8 *seed, gsize seed_len)
{
    g_return_val_if_fail(seed != NULL || seed_len == 0, NULL);
    g_return_val_if_fail(
        bits >= SEED_KEY_RSA_MIN_BITS && bits <= SEED_KEY_RSA_MAX_BITS && bits % 16 == 0, NULL);
    SeedKeySpec spec = {.type = TLS_KEY_RSA2048, .rsa_bits = bits};
    return seed_key_derive_spec(&spec, seed, seed_len);
}
