/* SPDX-License-Identifier: MIT
 * sasl-private: the server and client objects shared by proto/sasl.c (common
 * dispatch) and the per-mechanism files sasl_plain.c, sasl_login.c,
 * sasl_cram_md5.c, sasl_digest_md5.c. Not for callers outside proto/sasl*.
 */
#ifndef PROTO_SASL_PRIVATE_H
#define PROTO_SASL_PRIVATE_H

#include "proto/sasl.h"
#include "proto/sasl_digest_md5.h"

/* RFC 4616 2: authcid and passwd MUST be accepted up to 255 octets (we
 * accept exactly that much, and authzid likewise). */
#define SASL_PLAIN_FIELD_MAX 255

typedef enum {
    SASL_SERVER_STAGE_INIT = 0,  /* start() not yet called */
    SASL_SERVER_STAGE_RESPONSE,  /* waiting for step() */
    SASL_SERVER_STAGE_SECRET,    /* waiting for answer_secret() */
    SASL_SERVER_STAGE_FINAL_ACK, /* DIGEST-MD5: rspauth sent, waiting for the empty reply */
    SASL_SERVER_STAGE_DONE,      /* SUCCESS or FAILURE given */
} SaslServerStage;

struct SaslServer {
    SaslMech mech;
    SaslServerStage stage;
    guint round; /* mechanism-specific sub-step (LOGIN: 0 user, 1 password) */
    char *service, *hostname, *realm, *fixed_challenge;
    GRand *rand; /* borrowed */
    gint64 timestamp;
    char *challenge;                    /* CRAM-MD5 challenge / DIGEST-MD5 nonce sent */
    char *authcid, *authzid, *password; /* password wiped on free */
    char *client_digest;                /* CRAM-MD5 hex digest / DIGEST-MD5 response= */
    SaslDigestDirectives *digest_resp;  /* DIGEST-MD5 parsed client response */
    char *server_final;                 /* DIGEST-MD5 "rspauth=..." */
};

struct SaslClient {
    SaslMech mech;
    char *user, *password, *authzid;
    char *service, *host, *cnonce;
    GRand *rand;
    guint round; /* challenges answered so far */
    gboolean login_initial;
    gboolean sent_initial;
    gboolean verified;
    char *expected_rspauth;
    const char *error;
};

/* Helpers shared by the mechanism files (sasl.c). */
void sasl_server_fail(SaslServer *srv, SaslFailure reason, SaslServerAct *act);
void sasl_server_challenge(SaslServer *srv, const void *data, gsize len, SaslServerAct *act);
void sasl_server_need_secret(SaslServer *srv, SaslSecretKind kind, SaslServerAct *act);
void sasl_server_succeed(SaslServer *srv, SaslServerAct *act);
/* Constant-time equality of two NUL-terminated strings. */
gboolean sasl_secret_equal(const char *a, const char *b);
void sasl_string_wipe(char *s);
GBytes *sasl_bytes_from_string(const char *s);
/* 16-octet MD5 and HMAC-MD5 through OpenSSL (EVP), lowercase hex of n octets. */
void sasl_md5(const void *data, gsize len, guint8 out[16]);
void sasl_hmac_md5(const void *key, gsize klen, const void *data, gsize len, guint8 out[16]);
char *sasl_hex(const guint8 *data, gsize n);

/* Per-mechanism entry points. */
void sasl_plain_server_start(SaslServer *srv, const guint8 *ir, gsize len, SaslServerAct *act);
void sasl_plain_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act);
void sasl_plain_server_answer(SaslServer *srv, const char *secret, gboolean authz_ok,
                              SaslServerAct *act);
SaslClientResult sasl_plain_client_step(SaslClient *cl, const guint8 *ch, gsize len, GBytes **resp);
GBytes *sasl_plain_client_message(SaslClient *cl);

void sasl_login_server_start(SaslServer *srv, const guint8 *ir, gsize len, SaslServerAct *act);
void sasl_login_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act);
SaslClientResult sasl_login_client_step(SaslClient *cl, const guint8 *ch, gsize len, GBytes **resp);

void sasl_cram_md5_server_start(SaslServer *srv, SaslServerAct *act);
void sasl_cram_md5_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act);
void sasl_cram_md5_server_answer(SaslServer *srv, const char *secret, SaslServerAct *act);
SaslClientResult sasl_cram_md5_client_step(SaslClient *cl, const guint8 *ch, gsize len,
                                           GBytes **resp);

void sasl_digest_md5_server_start(SaslServer *srv, SaslServerAct *act);
void sasl_digest_md5_server_step(SaslServer *srv, const guint8 *data, gsize len,
                                 SaslServerAct *act);
void sasl_digest_md5_server_answer(SaslServer *srv, const char *secret, gboolean authz_ok,
                                   SaslServerAct *act);
SaslClientResult sasl_digest_md5_client_step(SaslClient *cl, const guint8 *ch, gsize len,
                                             GBytes **resp);

#endif
