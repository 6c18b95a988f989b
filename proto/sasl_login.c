/* SPDX-License-Identifier: MIT
 * sasl_login: the LOGIN mechanism (draft-murchison-sasl-login-00, never an
 * RFC): the server prompts "Username:" then "Password:", the client answers
 * each. The prompts are informational: the client answers by position, not
 * by prompt text (draft section 2). A user name as initial response is
 * accepted (Postfix, Exim, sendmail do). Password check: sasl_plain.c.
 */
#include "proto/sasl-private.h"

#include <string.h>

static const char sasl_login_user_prompt[] = "Username:";
static const char sasl_login_pass_prompt[] = "Password:";

/* Same bounds as PLAIN (RFC 4616 2): 1..255 octets of UTF-8 without NUL. */
static char *
sasl_login_field(const guint8 *data, gsize len)
{
    if (len == 0 || len > SASL_PLAIN_FIELD_MAX || memchr(data, '\0', len) != NULL ||
        !g_utf8_validate_len((const char *)data, len, NULL))
        return NULL;
    return g_strndup((const char *)data, len);
}

static void
sasl_login_take_user(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act)
{
    srv->authcid = sasl_login_field(data, len);
    if (srv->authcid == NULL) {
        sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        return;
    }
    srv->authzid = g_strdup("");
    srv->round = 1;
    sasl_server_challenge(srv, sasl_login_pass_prompt, strlen(sasl_login_pass_prompt), act);
}

void
sasl_login_server_start(SaslServer *srv, const guint8 *ir, gsize len, SaslServerAct *act)
{
    if (ir != NULL) {
        sasl_login_take_user(srv, ir, len, act);
        return;
    }
    srv->round = 0;
    sasl_server_challenge(srv, sasl_login_user_prompt, strlen(sasl_login_user_prompt), act);
}

void
sasl_login_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act)
{
    if (srv->round == 0) {
        sasl_login_take_user(srv, data, len, act);
        return;
    }
    srv->password = sasl_login_field(data, len);
    if (srv->password == NULL) {
        sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        return;
    }
    sasl_server_need_secret(srv, SASL_SECRET_PASSWORD, act);
}

SaslClientResult
sasl_login_client_step(SaslClient *cl, const guint8 *ch, gsize len, GBytes **resp)
{
    guint answered = cl->round + (cl->sent_initial ? 1 : 0);
    if (answered == 0) {
        *resp = sasl_bytes_from_string(cl->user);
        return SASL_CLIENT_CONTINUE;
    }
    if (answered == 1) {
        *resp = sasl_bytes_from_string(cl->password);
        return SASL_CLIENT_CONTINUE;
    }
    cl->error = "LOGIN: unexpected third challenge";
    return SASL_CLIENT_ERROR;
}
