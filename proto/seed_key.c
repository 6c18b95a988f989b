/* SPDX-License-Identifier: MIT
 * seed_key: deterministic key pairs. The stream and the RSA prime search
 * are dkim_keygen's; labels keep the keys of one seed apart by type.
 */
#include "proto/seed_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "proto/dkim-private.h"

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

EVP_PKEY *
seed_key_derive(TlsKeyType type, const guint8 *seed, gsize seed_len)
{
    g_return_val_if_fail(seed != NULL || seed_len == 0, NULL);
    switch (type) {
    case TLS_KEY_ED25519:
        return seed_key_ed25519(seed, seed_len);
    case TLS_KEY_P256:
        return seed_key_p256(seed, seed_len);
    case TLS_KEY_RSA2048:
        return dkim_keygen_rsa(seed, seed_len, 2048);
    }
    g_assert_not_reached();
}
