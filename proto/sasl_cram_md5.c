/* SPDX-License-Identifier: MIT
 * sasl_cram_md5: CRAM-MD5 (RFC 2195): the server sends a unique challenge
 * "<random.timestamp@host>"; the client answers "user SP digest" with digest
 * = 32 lowercase hex digits of HMAC-MD5(secret, challenge) (RFC 2104). The
 * server must hold the secret itself (a cleartext equivalent). Plus the
 * offline dictionary attack used by the eavesdropping labs.
 */
#include "proto/sasl-private.h"

#include <string.h>

/* RFC 2195 2: "32 lowercase hexadecimal digits". */
#define SASL_CRAM_DIGEST_LEN 32

void
sasl_cram_md5_server_start(SaslServer *srv, SaslServerAct *act)
{
    if (srv->fixed_challenge != NULL) {
        srv->challenge = g_strdup(srv->fixed_challenge);
    } else {
        /* RFC 2195 2: a presumptively arbitrary string, unique per exchange,
         * in the form of an RFC 822 msg-id: random digits, timestamp, host. */
        srv->challenge = g_strdup_printf("<%" G_GUINT32_FORMAT ".%" G_GINT64_FORMAT "@%s>",
                                         g_rand_int(srv->rand), srv->timestamp, srv->hostname);
    }
    sasl_server_challenge(srv, srv->challenge, strlen(srv->challenge), act);
}

static gboolean
sasl_cram_md5_is_digest(const char *p, gsize n)
{
    if (n != SASL_CRAM_DIGEST_LEN)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isdigit(p[i]) && !(p[i] >= 'a' && p[i] <= 'f'))
            return FALSE;
    return TRUE;
}

/* Splits "user SP digest" at the last space. The user name may itself hold
 * spaces (RFC 2195 leaves it unconstrained); it may not hold NUL. */
static gboolean
sasl_cram_md5_split(const char *resp, gsize len, char **user, char **digest)
{
    if (len == 0 || memchr(resp, '\0', len) != NULL)
        return FALSE;
    const char *sp = g_strrstr_len(resp, (gssize)len, " ");
    if (sp == NULL || sp == resp)
        return FALSE;
    gsize dlen = len - (gsize)(sp + 1 - resp);
    if (!sasl_cram_md5_is_digest(sp + 1, dlen))
        return FALSE;
    *user = g_strndup(resp, (gsize)(sp - resp));
    *digest = g_strndup(sp + 1, dlen);
    return TRUE;
}

void
sasl_cram_md5_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act)
{
    /* XXX: upper-case hex is refused as malformed (RFC 2195 2 says lowercase);
     * some servers accept it. */
    if (!sasl_cram_md5_split((const char *)data, len, &srv->authcid, &srv->client_digest)) {
        sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        return;
    }
    srv->authzid = g_strdup("");
    sasl_server_need_secret(srv, SASL_SECRET_CLEARTEXT, act);
}

char *
sasl_cram_md5_digest_hex(const char *secret, const guint8 *challenge, gsize len)
{
    g_return_val_if_fail(secret != NULL && (challenge != NULL || len == 0), NULL);
    guint8 mac[16];
    sasl_hmac_md5(secret, strlen(secret), challenge, len, mac);
    return sasl_hex(mac, sizeof mac);
}

void
sasl_cram_md5_server_answer(SaslServer *srv, const char *secret, SaslServerAct *act)
{
    if (secret == NULL) {
        sasl_server_fail(srv, SASL_FAIL_CREDENTIALS, act);
        return;
    }
    g_autofree char *want =
        sasl_cram_md5_digest_hex(secret, (const guint8 *)srv->challenge, strlen(srv->challenge));
    if (!sasl_secret_equal(want, srv->client_digest)) {
        sasl_server_fail(srv, SASL_FAIL_CREDENTIALS, act);
        return;
    }
    sasl_server_succeed(srv, act);
}

char *
sasl_cram_md5_response(const char *user, const char *secret, const char *challenge)
{
    g_return_val_if_fail(user != NULL && secret != NULL && challenge != NULL, NULL);
    g_autofree char *hex =
        sasl_cram_md5_digest_hex(secret, (const guint8 *)challenge, strlen(challenge));
    return g_strdup_printf("%s %s", user, hex);
}

SaslClientResult
sasl_cram_md5_client_step(SaslClient *cl, const guint8 *ch, gsize len, GBytes **resp)
{
    if (cl->round > 0) {
        cl->error = "CRAM-MD5: unexpected second challenge";
        return SASL_CLIENT_ERROR;
    }
    if (len == 0) {
        cl->error = "CRAM-MD5: empty challenge";
        return SASL_CLIENT_ERROR;
    }
    g_autofree char *hex = sasl_cram_md5_digest_hex(cl->password, ch, len);
    g_autofree char *line = g_strdup_printf("%s %s", cl->user, hex);
    *resp = sasl_bytes_from_string(line);
    return SASL_CLIENT_CONTINUE;
}

char *
sasl_crack_cram_md5(const char *user, const char *challenge, const char *response,
                    const char *const *wordlist)
{
    g_return_val_if_fail(challenge != NULL && response != NULL, NULL);
    g_autofree char *ruser = NULL;
    g_autofree char *digest = NULL;
    if (!sasl_cram_md5_split(response, strlen(response), &ruser, &digest))
        return NULL;
    if (user != NULL && strcmp(user, ruser) != 0)
        return NULL;
    for (guint i = 0; wordlist != NULL && wordlist[i] != NULL; i++) {
        g_autofree char *hex =
            sasl_cram_md5_digest_hex(wordlist[i], (const guint8 *)challenge, strlen(challenge));
        if (strcmp(hex, digest) == 0)
            return g_strdup(wordlist[i]);
    }
    return NULL;
}
