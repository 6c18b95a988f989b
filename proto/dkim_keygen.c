/* SPDX-License-Identifier: MIT
 * dkim_keygen: seed-derived DKIM keys. RSA primes are found by a
 * deterministic search (a random odd start from the seed stream with its
 * two top bits set, then +2 until BN_check_prime, as RFC 8017 3.2 asks only
 * for distinct odd primes); e = 65537; the CRT values are computed here.
 * A DKIM RSA key is derived through proto/seed_key, whose store (the key
 * cache) keeps it by the digest of its size and seed.
 */
#include "proto/dkim_keygen.h"
#include "proto/dkim-private.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "proto/seed_key.h"
#include "proto/tls_autocleanups.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BN_CTX, BN_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free)

/* SHA-256(seed || label || counter) blocks, concatenated. */
void
dkim_keygen_stream(const guint8 *seed, gsize seed_len, const char *label, guint8 *out, gsize n)
{
    guint32 counter = 0;
    for (gsize off = 0; off < n; counter++) {
        g_autoptr(GChecksum) h = g_checksum_new(G_CHECKSUM_SHA256);
        g_checksum_update(h, seed, (gssize)seed_len);
        g_checksum_update(h, (const guchar *)label, (gssize)strlen(label) + 1);
        guint8 be[4] = {counter >> 24, counter >> 16, counter >> 8, counter};
        g_checksum_update(h, be, 4);
        guint8 block[32];
        gsize blen = sizeof block;
        g_checksum_get_digest(h, block, &blen);
        gsize take = MIN(blen, n - off);
        memcpy(out + off, block, take);
        off += take;
    }
}

/* A prime of bits bits with p-1 coprime to e. */
static BIGNUM *
dkim_keygen_prime(const guint8 *seed, gsize seed_len, const char *label, guint bits,
                  const BIGNUM *e, BN_CTX *ctx)
{
    gsize n = bits / 8;
    guint8 *buf = g_malloc(n);
    dkim_keygen_stream(seed, seed_len, label, buf, n);
    buf[0] |= 0xC0; /* p*q then has exactly 2*bits bits */
    buf[n - 1] |= 1;
    BIGNUM *p = BN_bin2bn(buf, (int)n, NULL);
    OPENSSL_cleanse(buf, n);
    g_free(buf);
    g_autoptr(BIGNUM) pm1 = BN_new();
    g_autoptr(BIGNUM) g = BN_new();
    if (p == NULL || pm1 == NULL || g == NULL)
        g_error("BN allocation failed");
    for (;;) {
        if (BN_check_prime(p, ctx, NULL) == 1) {
            BN_sub(pm1, p, BN_value_one());
            BN_gcd(g, pm1, e, ctx);
            if (BN_is_one(g))
                return p;
        }
        BN_add_word(p, 2);
    }
}

EVP_PKEY *
dkim_keygen_rsa(const guint8 *seed, gsize seed_len, guint bits)
{
    g_autoptr(BN_CTX) ctx = BN_CTX_new();
    g_autoptr(BIGNUM) e = BN_new();
    BN_set_word(e, 65537);
    g_autoptr(BIGNUM) p = dkim_keygen_prime(seed, seed_len, "rsa-p", bits / 2, e, ctx);
    g_autoptr(BIGNUM) q = dkim_keygen_prime(seed, seed_len, "rsa-q", bits / 2, e, ctx);
    g_assert(BN_cmp(p, q) != 0);
    if (BN_cmp(p, q) < 0) {
        BIGNUM *t = p;
        p = q;
        q = t;
    }
    g_autoptr(BIGNUM) n = BN_new(), d = BN_new(), phi = BN_new(), pm1 = BN_new(), qm1 = BN_new(),
                      dp = BN_new(), dq = BN_new(), qinv = BN_new();
    BN_mul(n, p, q, ctx);
    BN_sub(pm1, p, BN_value_one());
    BN_sub(qm1, q, BN_value_one());
    BN_mul(phi, pm1, qm1, ctx);
    if (BN_mod_inverse(d, e, phi, ctx) == NULL || BN_mod_inverse(qinv, q, p, ctx) == NULL)
        g_error("RSA key derivation: no inverse");
    BN_mod(dp, d, pm1, ctx);
    BN_mod(dq, d, qm1, ctx);
    g_autoptr(OSSL_PARAM_BLD) bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    g_autoptr(EVP_PKEY_CTX) pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *pkey = NULL;
    if (params == NULL || pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
        g_error("RSA key derivation: EVP_PKEY_fromdata failed");
    OSSL_PARAM_free(params);
    BN_clear(d);
    BN_clear(p);
    BN_clear(q);
    return pkey;
}

DkimPrivateKey *
dkim_private_key_derive(DkimAlg alg, guint rsa_bits, const guint8 *seed, gsize seed_len,
                        GError **error)
{
    g_return_val_if_fail(seed != NULL || seed_len == 0, NULL);
    if (alg == DKIM_ALG_ED25519_SHA256) {
        guint8 sk[32];
        dkim_keygen_stream(seed, seed_len, "ed25519", sk, sizeof sk);
        DkimPrivateKey *k = dkim_private_key_new_ed25519_seed(sk, sizeof sk, error);
        OPENSSL_cleanse(sk, sizeof sk);
        return k;
    }
    if (alg != DKIM_ALG_RSA_SHA256) {
        /* RFC 8301 3.1: rsa-sha1 must not be used for signing. */
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_CONFIG, "cannot make keys for %s",
                    dkim_alg_name(alg));
        return NULL;
    }
    if (rsa_bits == 0)
        rsa_bits = 2048;
    G_STATIC_ASSERT(DKIM_KEYGEN_RSA_MIN_BITS == SEED_KEY_RSA_MIN_BITS &&
                    DKIM_KEYGEN_RSA_MAX_BITS == SEED_KEY_RSA_MAX_BITS);
    if (rsa_bits < DKIM_KEYGEN_RSA_MIN_BITS || rsa_bits > DKIM_KEYGEN_RSA_MAX_BITS ||
        rsa_bits % 16 != 0) {
        g_set_error(error, DKIM_ERROR, DKIM_ERROR_CONFIG,
                    "RSA key size %u is not a multiple of 16 from %u to %u", rsa_bits,
                    DKIM_KEYGEN_RSA_MIN_BITS, DKIM_KEYGEN_RSA_MAX_BITS);
        return NULL;
    }
    return dkim_private_key_new_pkey(seed_key_derive_rsa(rsa_bits, seed, seed_len), error);
}

char *
dkim_private_key_record(const DkimPrivateKey *k)
{
    g_return_val_if_fail(k != NULL, NULL);
    g_autofree char *p = dkim_private_key_public_b64(k);
    gboolean ed = dkim_private_key_alg(k) == DKIM_ALG_ED25519_SHA256;
    return g_strdup_printf("v=DKIM1; k=%s; p=%s", ed ? "ed25519" : "rsa", p);
}
