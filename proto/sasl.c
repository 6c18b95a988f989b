/* SPDX-License-Identifier: MIT
 * sasl: mechanism table, RFC 4954 section 4 base64 line rules, and the
 * server/client objects that dispatch to the mechanism files. RFC 4422 3.
 * Does not implement security layers or channel binding.
 */
#include "proto/sasl.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto/sasl-private.h"

static const char *const sasl_mech_names[] = {
    [SASL_MECH_NONE] = "NONE",
    [SASL_MECH_PLAIN] = "PLAIN",
    [SASL_MECH_LOGIN] = "LOGIN",
    [SASL_MECH_CRAM_MD5] = "CRAM-MD5",
    [SASL_MECH_DIGEST_MD5] = "DIGEST-MD5",
};

const char *
sasl_mech_name(SaslMech mech)
{
    g_return_val_if_fail((guint)mech < G_N_ELEMENTS(sasl_mech_names), "NONE");
    return sasl_mech_names[mech];
}

SaslMech
sasl_mech_from_name(const char *name)
{
    g_return_val_if_fail(name != NULL, SASL_MECH_NONE);
    for (guint i = 1; i < G_N_ELEMENTS(sasl_mech_names); i++)
        if (g_ascii_strcasecmp(name, sasl_mech_names[i]) == 0)
            return (SaslMech)i;
    return SASL_MECH_NONE;
}

gboolean
sasl_mech_is_client_first(SaslMech mech)
{
    return mech == SASL_MECH_PLAIN || mech == SASL_MECH_LOGIN;
}

gboolean
sasl_mech_is_plaintext(SaslMech mech)
{
    return mech == SASL_MECH_PLAIN || mech == SASL_MECH_LOGIN;
}

gboolean
sasl_mech_needs_cleartext_secret(SaslMech mech)
{
    return mech == SASL_MECH_CRAM_MD5 || mech == SASL_MECH_DIGEST_MD5;
}

/* ---- base64 lines (RFC 4954 4) ----------------------------------------- */

static gboolean
sasl_base64_is_alpha(char c)
{
    return g_ascii_isalnum(c) || c == '+' || c == '/';
}

gboolean
sasl_base64_is_valid(const char *text, gsize len)
{
    g_return_val_if_fail(text != NULL || len == 0, FALSE);
    if (len % 4 != 0)
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        if (sasl_base64_is_alpha(text[i]))
            continue;
        /* '=' only as padding: the last octet, or the last two. */
        if (text[i] != '=')
            return FALSE;
        if (i == len - 1 || (i == len - 2 && text[len - 1] == '='))
            continue;
        return FALSE;
    }
    return TRUE;
}

SaslLineResult
sasl_line_decode(const char *line, gsize len, gboolean is_initial, GBytes **out)
{
    g_return_val_if_fail(line != NULL || len == 0, SASL_LINE_INVALID);
    g_return_val_if_fail(out != NULL, SASL_LINE_INVALID);
    *out = NULL;
    if (len == 1 && line[0] == '*')
        return SASL_LINE_CANCEL;
    /* RFC 4954 4: "=" is an initial response that is present but empty. */
    if (is_initial && len == 1 && line[0] == '=') {
        *out = g_bytes_new(NULL, 0);
        return SASL_LINE_DATA;
    }
    if (is_initial && len == 0)
        return SASL_LINE_INVALID;
    if (!sasl_base64_is_valid(line, len))
        return SASL_LINE_INVALID;
    if (len == 0) {
        *out = g_bytes_new(NULL, 0);
        return SASL_LINE_DATA;
    }
    g_autofree char *copy = g_strndup(line, len);
    gsize n = 0;
    guchar *raw = g_base64_decode(copy, &n);
    *out = g_bytes_new_take(raw, n);
    return SASL_LINE_DATA;
}

char *
sasl_line_encode(const guint8 *data, gsize len)
{
    if (len == 0)
        return g_strdup("");
    return g_base64_encode(data, len);
}

char *
sasl_line_encode_initial(const guint8 *data, gsize len)
{
    if (len == 0)
        return g_strdup("=");
    return g_base64_encode(data, len);
}

/* ---- shared helpers ----------------------------------------------------- */

gboolean
sasl_secret_equal(const char *a, const char *b)
{
    gsize la = strlen(a), lb = strlen(b);
    if (la != lb)
        return FALSE;
    return CRYPTO_memcmp(a, b, la) == 0;
}

void
sasl_string_wipe(char *s)
{
    if (s != NULL)
        OPENSSL_cleanse(s, strlen(s));
}

GBytes *
sasl_bytes_from_string(const char *s)
{
    return g_bytes_new(s, strlen(s));
}

void
sasl_md5(const void *data, gsize len, guint8 out[16])
{
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, EVP_md5(), NULL) != 1 || n != 16)
        g_error("sasl: EVP_Digest(MD5) failed");
}

void
sasl_hmac_md5(const void *key, gsize klen, const void *data, gsize len, guint8 out[16])
{
    unsigned int n = 0;
    if (HMAC(EVP_md5(), key, (int)klen, data, len, out, &n) == NULL || n != 16)
        g_error("sasl: HMAC(MD5) failed");
}

char *
sasl_hex(const guint8 *data, gsize n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = g_malloc(2 * n + 1);
    for (gsize i = 0; i < n; i++) {
        s[2 * i] = digits[data[i] >> 4];
        s[2 * i + 1] = digits[data[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

/* ---- server ------------------------------------------------------------- */

SaslServer *
sasl_server_new(SaslMech mech, const SaslServerConfig *cfg)
{
    g_return_val_if_fail(mech != SASL_MECH_NONE, NULL);
    g_return_val_if_fail((guint)mech < G_N_ELEMENTS(sasl_mech_names), NULL);
    static const SaslServerConfig zero;
    if (cfg == NULL)
        cfg = &zero;
    g_return_val_if_fail(!sasl_mech_needs_cleartext_secret(mech) || cfg->rand != NULL ||
                             cfg->fixed_challenge != NULL,
                         NULL);
    SaslServer *srv = g_new0(SaslServer, 1);
    srv->mech = mech;
    srv->service = g_strdup(cfg->service ? cfg->service : "smtp");
    srv->hostname = g_strdup(cfg->hostname ? cfg->hostname : "localhost");
    srv->realm = g_strdup(cfg->realm ? cfg->realm : srv->hostname);
    srv->fixed_challenge = g_strdup(cfg->fixed_challenge);
    srv->rand = cfg->rand;
    srv->timestamp = cfg->timestamp;
    return srv;
}

void
sasl_server_free(SaslServer *srv)
{
    if (srv == NULL)
        return;
    sasl_string_wipe(srv->password);
    g_free(srv->password);
    g_free(srv->service);
    g_free(srv->hostname);
    g_free(srv->realm);
    g_free(srv->fixed_challenge);
    g_free(srv->challenge);
    g_free(srv->authcid);
    g_free(srv->authzid);
    g_free(srv->client_digest);
    g_free(srv->server_final);
    g_clear_pointer(&srv->digest_resp, sasl_digest_directives_free);
    g_free(srv);
}

SaslMech
sasl_server_get_mech(const SaslServer *srv)
{
    g_return_val_if_fail(srv != NULL, SASL_MECH_NONE);
    return srv->mech;
}

gboolean
sasl_server_is_done(const SaslServer *srv)
{
    g_return_val_if_fail(srv != NULL, TRUE);
    return srv->stage == SASL_SERVER_STAGE_DONE;
}

void
sasl_server_fail(SaslServer *srv, SaslFailure reason, SaslServerAct *act)
{
    srv->stage = SASL_SERVER_STAGE_DONE;
    act->kind = SASL_SERVER_ACT_FAILURE;
    act->reason = reason;
}

void
sasl_server_challenge(SaslServer *srv, const void *data, gsize len, SaslServerAct *act)
{
    if (srv->stage != SASL_SERVER_STAGE_FINAL_ACK)
        srv->stage = SASL_SERVER_STAGE_RESPONSE;
    act->kind = SASL_SERVER_ACT_CHALLENGE;
    act->data = g_bytes_new(data, len);
}

void
sasl_server_need_secret(SaslServer *srv, SaslSecretKind kind, SaslServerAct *act)
{
    srv->stage = SASL_SERVER_STAGE_SECRET;
    act->kind = SASL_SERVER_ACT_NEED_SECRET;
    act->secret_kind = kind;
    act->authcid = srv->authcid;
    act->authzid = srv->authzid ? srv->authzid : "";
    act->password = srv->password;
    if (srv->mech == SASL_MECH_DIGEST_MD5)
        act->realm = sasl_digest_get(srv->digest_resp, "realm");
}

void
sasl_server_succeed(SaslServer *srv, SaslServerAct *act)
{
    srv->stage = SASL_SERVER_STAGE_DONE;
    act->kind = SASL_SERVER_ACT_SUCCESS;
    act->authcid = srv->authcid;
    act->authzid = srv->authzid ? srv->authzid : "";
    act->server_final = srv->server_final;
}

static void
sasl_server_act_reset(SaslServerAct *act)
{
    memset(act, 0, sizeof *act);
}

void
sasl_server_start(SaslServer *srv, const guint8 *initial, gsize len, SaslServerAct *act)
{
    g_return_if_fail(srv != NULL && act != NULL);
    sasl_server_act_reset(act);
    g_return_if_fail(srv->stage == SASL_SERVER_STAGE_INIT);
    /* RFC 4954 4: an initial response to a server-first mechanism is refused. */
    if (initial != NULL && !sasl_mech_is_client_first(srv->mech)) {
        sasl_server_fail(srv, SASL_FAIL_UNEXPECTED_INITIAL, act);
        return;
    }
    switch (srv->mech) {
    case SASL_MECH_PLAIN:
        sasl_plain_server_start(srv, initial, len, act);
        break;
    case SASL_MECH_LOGIN:
        sasl_login_server_start(srv, initial, len, act);
        break;
    case SASL_MECH_CRAM_MD5:
        sasl_cram_md5_server_start(srv, act);
        break;
    case SASL_MECH_DIGEST_MD5:
        sasl_digest_md5_server_start(srv, act);
        break;
    default:
        g_assert_not_reached();
    }
}

void
sasl_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act)
{
    g_return_if_fail(srv != NULL && act != NULL && (data != NULL || len == 0));
    sasl_server_act_reset(act);
    g_return_if_fail(srv->stage == SASL_SERVER_STAGE_RESPONSE ||
                     srv->stage == SASL_SERVER_STAGE_FINAL_ACK);
    switch (srv->mech) {
    case SASL_MECH_PLAIN:
        sasl_plain_server_step(srv, data, len, act);
        break;
    case SASL_MECH_LOGIN:
        sasl_login_server_step(srv, data, len, act);
        break;
    case SASL_MECH_CRAM_MD5:
        sasl_cram_md5_server_step(srv, data, len, act);
        break;
    case SASL_MECH_DIGEST_MD5:
        sasl_digest_md5_server_step(srv, data, len, act);
        break;
    default:
        g_assert_not_reached();
    }
}

void
sasl_server_answer_secret(SaslServer *srv, const char *secret, gboolean authz_ok,
                          SaslServerAct *act)
{
    g_return_if_fail(srv != NULL && act != NULL);
    sasl_server_act_reset(act);
    g_return_if_fail(srv->stage == SASL_SERVER_STAGE_SECRET);
    switch (srv->mech) {
    case SASL_MECH_PLAIN:
    case SASL_MECH_LOGIN:
        sasl_plain_server_answer(srv, secret, authz_ok, act);
        break;
    case SASL_MECH_CRAM_MD5:
        sasl_cram_md5_server_answer(srv, secret, act);
        break;
    case SASL_MECH_DIGEST_MD5:
        sasl_digest_md5_server_answer(srv, secret, authz_ok, act);
        break;
    default:
        g_assert_not_reached();
    }
}

void
sasl_server_cancel(SaslServer *srv, SaslServerAct *act)
{
    g_return_if_fail(srv != NULL && act != NULL);
    sasl_server_act_reset(act);
    sasl_server_fail(srv, SASL_FAIL_CANCELLED, act);
}

void
sasl_server_act_clear(SaslServerAct *act)
{
    if (act == NULL)
        return;
    g_clear_pointer(&act->data, g_bytes_unref);
    sasl_server_act_reset(act);
}

static const char *const sasl_failure_names[] = {
    [SASL_FAIL_NONE] = "none",
    [SASL_FAIL_MALFORMED] = "malformed",
    [SASL_FAIL_CREDENTIALS] = "credentials",
    [SASL_FAIL_AUTHZID] = "authzid",
    [SASL_FAIL_CANCELLED] = "cancelled",
    [SASL_FAIL_UNEXPECTED_INITIAL] = "unexpected-initial-response",
};

const char *
sasl_failure_name(SaslFailure reason)
{
    g_return_val_if_fail((guint)reason < G_N_ELEMENTS(sasl_failure_names), "?");
    return sasl_failure_names[reason];
}

char *
sasl_server_act_to_string(const SaslServerAct *act)
{
    g_return_val_if_fail(act != NULL, NULL);
    switch (act->kind) {
    case SASL_SERVER_ACT_NONE:
        return g_strdup("NONE");
    case SASL_SERVER_ACT_CHALLENGE:
        return g_strdup_printf("CHALLENGE %" G_GSIZE_FORMAT " bytes",
                               act->data ? g_bytes_get_size(act->data) : 0);
    case SASL_SERVER_ACT_NEED_SECRET:
        return g_strdup_printf("NEED_SECRET %s authcid=%s",
                               act->secret_kind == SASL_SECRET_PASSWORD ? "password" : "cleartext",
                               act->authcid);
    case SASL_SERVER_ACT_SUCCESS:
        if (act->authzid != NULL && act->authzid[0] != '\0')
            return g_strdup_printf("SUCCESS %s as %s", act->authcid, act->authzid);
        return g_strdup_printf("SUCCESS %s", act->authcid);
    case SASL_SERVER_ACT_FAILURE:
        return g_strdup_printf("FAILURE %s", sasl_failure_name(act->reason));
    }
    g_assert_not_reached();
}

/* ---- client ------------------------------------------------------------- */

SaslClient *
sasl_client_new(SaslMech mech, const char *user, const char *password, const char *authzid,
                GRand *rand)
{
    g_return_val_if_fail(mech != SASL_MECH_NONE, NULL);
    g_return_val_if_fail((guint)mech < G_N_ELEMENTS(sasl_mech_names), NULL);
    g_return_val_if_fail(user != NULL && password != NULL, NULL);
    SaslClient *cl = g_new0(SaslClient, 1);
    cl->mech = mech;
    cl->user = g_strdup(user);
    cl->password = g_strdup(password);
    cl->authzid = g_strdup(authzid ? authzid : "");
    cl->service = g_strdup("smtp");
    cl->rand = rand;
    return cl;
}

void
sasl_client_free(SaslClient *cl)
{
    if (cl == NULL)
        return;
    sasl_string_wipe(cl->password);
    g_free(cl->password);
    g_free(cl->user);
    g_free(cl->authzid);
    g_free(cl->service);
    g_free(cl->host);
    g_free(cl->cnonce);
    g_free(cl->expected_rspauth);
    g_free(cl);
}

void
sasl_client_set_service(SaslClient *cl, const char *service, const char *host)
{
    g_return_if_fail(cl != NULL && service != NULL);
    g_free(cl->service);
    cl->service = g_strdup(service);
    g_free(cl->host);
    cl->host = g_strdup(host);
}

void
sasl_client_set_cnonce(SaslClient *cl, const char *cnonce)
{
    g_return_if_fail(cl != NULL);
    g_free(cl->cnonce);
    cl->cnonce = g_strdup(cnonce);
}

void
sasl_client_set_login_initial(SaslClient *cl, gboolean on)
{
    g_return_if_fail(cl != NULL);
    cl->login_initial = on;
}

gboolean
sasl_client_initial_response(SaslClient *cl, GBytes **response)
{
    g_return_val_if_fail(cl != NULL && response != NULL, FALSE);
    *response = NULL;
    if (cl->round > 0 || cl->sent_initial)
        return FALSE;
    if (cl->mech == SASL_MECH_PLAIN) {
        cl->sent_initial = TRUE;
        *response = sasl_plain_client_message(cl);
        return TRUE;
    }
    if (cl->mech == SASL_MECH_LOGIN && cl->login_initial) {
        cl->sent_initial = TRUE;
        *response = sasl_bytes_from_string(cl->user);
        return TRUE;
    }
    return FALSE;
}

SaslClientResult
sasl_client_step(SaslClient *cl, const guint8 *challenge, gsize len, GBytes **response)
{
    g_return_val_if_fail(cl != NULL && response != NULL, SASL_CLIENT_ERROR);
    g_return_val_if_fail(challenge != NULL || len == 0, SASL_CLIENT_ERROR);
    *response = NULL;
    cl->error = NULL;
    SaslClientResult r;
    switch (cl->mech) {
    case SASL_MECH_PLAIN:
        r = sasl_plain_client_step(cl, challenge, len, response);
        break;
    case SASL_MECH_LOGIN:
        r = sasl_login_client_step(cl, challenge, len, response);
        break;
    case SASL_MECH_CRAM_MD5:
        r = sasl_cram_md5_client_step(cl, challenge, len, response);
        break;
    case SASL_MECH_DIGEST_MD5:
        r = sasl_digest_md5_client_step(cl, challenge, len, response);
        break;
    default:
        g_assert_not_reached();
    }
    cl->round++;
    return r;
}

gboolean
sasl_client_server_verified(const SaslClient *cl)
{
    g_return_val_if_fail(cl != NULL, FALSE);
    return cl->verified;
}

const char *
sasl_client_get_error(const SaslClient *cl)
{
    g_return_val_if_fail(cl != NULL, NULL);
    return cl->error;
}
