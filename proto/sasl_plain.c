/* SPDX-License-Identifier: MIT
 * sasl_plain: the PLAIN mechanism (RFC 4616): message = [authzid] NUL
 * authcid NUL passwd, each field 1*SAFE (authzid may be empty), at most 255
 * octets accepted per field (section 2). The password check itself is shared
 * with LOGIN (sasl_plain_server_answer). No SASLprep (RFC 4013) is applied:
 * secrets are compared octet by octet.
 */
#include "proto/sasl-private.h"

#include <string.h>

/* RFC 4616 2: SAFE is any UTF-8 other than NUL; 1..255 octets (0 allowed
 * for authzid). */
static gboolean
sasl_plain_field_ok(const char *p, gsize n, gboolean may_be_empty)
{
    if (n == 0)
        return may_be_empty;
    if (n > SASL_PLAIN_FIELD_MAX)
        return FALSE;
    return g_utf8_validate_len(p, n, NULL);
}

static void
sasl_plain_server_parse(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act)
{
    const char *msg = (const char *)data;
    const char *nul1 = len ? memchr(msg, '\0', len) : NULL;
    const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', len - (gsize)(nul1 + 1 - msg)) : NULL;
    if (nul1 == NULL || nul2 == NULL) {
        sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        return;
    }
    gsize zlen = (gsize)(nul1 - msg);
    gsize clen = (gsize)(nul2 - nul1 - 1);
    gsize plen = len - (gsize)(nul2 + 1 - msg);
    /* A third NUL lands inside passwd, which is 1*SAFE: malformed. */
    if (memchr(nul2 + 1, '\0', plen) != NULL || !sasl_plain_field_ok(msg, zlen, TRUE) ||
        !sasl_plain_field_ok(nul1 + 1, clen, FALSE) ||
        !sasl_plain_field_ok(nul2 + 1, plen, FALSE)) {
        sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        return;
    }
    srv->authzid = g_strndup(msg, zlen);
    srv->authcid = g_strndup(nul1 + 1, clen);
    srv->password = g_strndup(nul2 + 1, plen);
    sasl_server_need_secret(srv, SASL_SECRET_PASSWORD, act);
}

void
sasl_plain_server_start(SaslServer *srv, const guint8 *ir, gsize len, SaslServerAct *act)
{
    if (ir == NULL) {
        /* RFC 4616 2 / RFC 4954 4: the server's first challenge is empty ("334 "). */
        sasl_server_challenge(srv, "", 0, act);
        return;
    }
    sasl_plain_server_parse(srv, ir, len, act);
}

void
sasl_plain_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act)
{
    sasl_plain_server_parse(srv, data, len, act);
}

/* Shared by PLAIN and LOGIN: compare the presented password with the stored
 * one, then apply the authorization decision (RFC 4616 2: "the server
 * verifies the authorization identity" after authenticating). */
void
sasl_plain_server_answer(SaslServer *srv, const char *secret, gboolean authz_ok, SaslServerAct *act)
{
    gboolean ok = secret != NULL && sasl_secret_equal(secret, srv->password);
    sasl_string_wipe(srv->password);
    g_clear_pointer(&srv->password, g_free);
    if (!ok) {
        sasl_server_fail(srv, SASL_FAIL_CREDENTIALS, act);
        return;
    }
    if (srv->authzid != NULL && srv->authzid[0] != '\0' &&
        strcmp(srv->authzid, srv->authcid) != 0 && !authz_ok) {
        sasl_server_fail(srv, SASL_FAIL_AUTHZID, act);
        return;
    }
    sasl_server_succeed(srv, act);
}

GBytes *
sasl_plain_client_message(SaslClient *cl)
{
    gsize zl = strlen(cl->authzid), ul = strlen(cl->user), pl = strlen(cl->password);
    gsize n = zl + 1 + ul + 1 + pl;
    guint8 *buf = g_malloc(n);
    memcpy(buf, cl->authzid, zl);
    buf[zl] = 0;
    memcpy(buf + zl + 1, cl->user, ul);
    buf[zl + 1 + ul] = 0;
    memcpy(buf + zl + 2 + ul, cl->password, pl);
    GBytes *b = g_bytes_new(buf, n);
    memset(buf, 0, n);
    g_free(buf);
    return b;
}

SaslClientResult
sasl_plain_client_step(SaslClient *cl, const guint8 *ch, gsize len, GBytes **resp)
{
    /* The message goes once: as the initial response or after the empty challenge. */
    if (cl->sent_initial || cl->round > 0) {
        cl->error = "PLAIN: unexpected challenge after the message was sent";
        return SASL_CLIENT_ERROR;
    }
    *resp = sasl_plain_client_message(cl);
    return SASL_CLIENT_CONTINUE;
}
