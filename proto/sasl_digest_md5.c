/* SPDX-License-Identifier: MIT
 * sasl_digest_md5: DIGEST-MD5 (RFC 2831; Historic per RFC 6331, kept for
 * interoperability labs): the directive parser (7.1 #rule lists), the
 * md5-sess response and rspauth computation (2.1.2.1, 2.1.3), server and
 * client with qop=auth only, and the offline dictionary attack. Not done:
 * subsequent authentication (2.2), auth-int/auth-conf, multiple realms
 * offered by the server, 3DES/RC4 ciphers.
 */
#include "proto/sasl_digest_md5.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "proto/sasl-private.h"

/* RFC 2831 2.1.2: nc is 8 hex digits; we support the first authentication only. */
#define SASL_DIGEST_NC_FIRST "00000001"
#define SASL_DIGEST_HEX_LEN 32

void
sasl_digest_directives_free(SaslDigestDirectives *d)
{
    if (d == NULL)
        return;
    g_hash_table_unref(d->values);
    g_ptr_array_unref(d->realms);
    g_free(d);
}

const char *
sasl_digest_get(const SaslDigestDirectives *d, const char *name)
{
    g_return_val_if_fail(d != NULL && name != NULL, NULL);
    return g_hash_table_lookup(d->values, name);
}

/* RFC 2616 2.2 token: CHAR except CTLs and separators (RFC 2831 7.1 borrows it). */
static gboolean
sasl_digest_is_token_char(char c)
{
    if ((guchar)c <= 0x20 || (guchar)c >= 0x7f)
        return FALSE;
    return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static gboolean
sasl_digest_is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

typedef struct {
    const char *p, *end;
} SaslDigestScan;

static void
sasl_digest_skip_lws(SaslDigestScan *s)
{
    while (s->p < s->end && sasl_digest_is_lws(*s->p))
        s->p++;
}

static char *
sasl_digest_scan_token(SaslDigestScan *s)
{
    const char *start = s->p;
    while (s->p < s->end && sasl_digest_is_token_char(*s->p))
        s->p++;
    return s->p > start ? g_strndup(start, (gsize)(s->p - start)) : NULL;
}

/* quoted-string with quoted-pair (RFC 2616 2.2); s->p is on the opening quote. */
static char *
sasl_digest_scan_quoted(SaslDigestScan *s)
{
    GString *v = g_string_new(NULL);
    s->p++;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p == '\\') {
            if (++s->p == s->end)
                break;
        }
        g_string_append_c(v, *s->p++);
    }
    if (s->p == s->end) {
        g_string_free(v, TRUE);
        return NULL;
    }
    s->p++;
    return g_string_free(v, FALSE);
}

static gboolean
sasl_digest_parse_one(SaslDigestScan *s, SaslDigestDirectives *d, const char **why)
{
    g_autofree char *name = sasl_digest_scan_token(s);
    if (name == NULL) {
        *why = "directive name expected";
        return FALSE;
    }
    sasl_digest_skip_lws(s);
    if (s->p == s->end || *s->p != '=') {
        *why = "'=' expected after directive name";
        return FALSE;
    }
    s->p++;
    sasl_digest_skip_lws(s);
    char *value =
        (s->p < s->end && *s->p == '"') ? sasl_digest_scan_quoted(s) : sasl_digest_scan_token(s);
    if (value == NULL) {
        *why = "bad or unterminated directive value";
        return FALSE;
    }
    char *key = g_ascii_strdown(name, -1);
    if (strcmp(key, "realm") == 0)
        g_ptr_array_add(d->realms, g_strdup(value));
    else if (g_hash_table_contains(d->values, key)) {
        /* 2.1.1/2.1.2: every directive but realm appears at most once. */
        *why = "directive repeated";
        g_free(key);
        g_free(value);
        return FALSE;
    }
    if (!g_hash_table_contains(d->values, key))
        g_hash_table_insert(d->values, key, value);
    else {
        g_free(key);
        g_free(value);
    }
    return TRUE;
}

SaslDigestDirectives *
sasl_digest_parse(const char *text, gsize len, const char **why)
{
    g_return_val_if_fail(text != NULL || len == 0, NULL);
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (memchr(text, '\0', len) != NULL) {
        *why = "NUL in directive list";
        return NULL;
    }
    g_autoptr(SaslDigestDirectives) d = g_new0(SaslDigestDirectives, 1);
    d->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    d->realms = g_ptr_array_new_with_free_func(g_free);
    SaslDigestScan s = {text, text + len};
    for (;;) {
        sasl_digest_skip_lws(&s);
        if (s.p == s.end)
            break;
        if (*s.p == ',') { /* #rule: null elements are allowed */
            s.p++;
            continue;
        }
        if (!sasl_digest_parse_one(&s, d, why))
            return NULL;
        sasl_digest_skip_lws(&s);
        if (s.p < s.end && *s.p != ',') {
            *why = "',' expected between directives";
            return NULL;
        }
    }
    return g_steal_pointer(&d);
}

gboolean
sasl_digest_list_has(const char *list, const char *item)
{
    if (list == NULL)
        return FALSE;
    g_auto(GStrv) parts = g_strsplit(list, ",", -1);
    for (guint i = 0; parts[i] != NULL; i++)
        if (g_ascii_strcasecmp(g_strstrip(parts[i]), item) == 0)
            return TRUE;
    return FALSE;
}

const char *
sasl_digest_check_challenge(const SaslDigestDirectives *d)
{
    g_return_val_if_fail(d != NULL, "no directives");
    if (sasl_digest_get(d, "nonce") == NULL)
        return "nonce missing (RFC 2831 2.1.1: required)";
    const char *alg = sasl_digest_get(d, "algorithm");
    if (alg == NULL || g_ascii_strcasecmp(alg, "md5-sess") != 0)
        return "algorithm=md5-sess missing (RFC 2831 2.1.1: required)";
    const char *cs = sasl_digest_get(d, "charset");
    if (cs != NULL && g_ascii_strcasecmp(cs, "utf-8") != 0)
        return "charset other than utf-8";
    const char *qop = sasl_digest_get(d, "qop");
    if (qop != NULL && !sasl_digest_list_has(qop, "auth"))
        return "qop does not offer auth";
    return NULL;
}

/* 2.1.2.1: with charset=utf-8, strings representable in ISO 8859-1 are
 * converted to it before hashing. */
static void
sasl_digest_md5_update_8859(EVP_MD_CTX *md, const char *s, gboolean utf8)
{
    gsize n = strlen(s);
    if (utf8 && g_utf8_validate(s, (gssize)n, NULL)) {
        GString *latin = g_string_new(NULL);
        gboolean fits = TRUE;
        for (const char *p = s; *p != '\0' && fits; p = g_utf8_next_char(p)) {
            gunichar c = g_utf8_get_char(p);
            fits = c < 256;
            g_string_append_c(latin, (char)c);
        }
        if (fits) {
            EVP_DigestUpdate(md, latin->str, latin->len);
            g_string_free(latin, TRUE);
            return;
        }
        g_string_free(latin, TRUE);
    }
    EVP_DigestUpdate(md, s, n);
}

static void
sasl_digest_urp_hash(const SaslDigestParams *p, guint8 out[16])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int n = 0;
    if (md == NULL || EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1)
        g_error("sasl: MD5 unavailable");
    sasl_digest_md5_update_8859(md, p->username, p->charset_utf8);
    EVP_DigestUpdate(md, ":", 1);
    sasl_digest_md5_update_8859(md, p->realm ? p->realm : "", p->charset_utf8);
    EVP_DigestUpdate(md, ":", 1);
    sasl_digest_md5_update_8859(md, p->password, p->charset_utf8);
    EVP_DigestFinal_ex(md, out, &n);
    EVP_MD_CTX_free(md);
}

static char *
sasl_digest_md5_hex_of(const void *data, gsize len)
{
    guint8 h[16];
    sasl_md5(data, len, h);
    return sasl_hex(h, 16);
}

char *
sasl_digest_compute_from_hash(const SaslDigestParams *p, const guint8 urp_hash[16],
                              gboolean is_rspauth)
{
    g_return_val_if_fail(p != NULL && p->nonce && p->cnonce && p->nc && p->digest_uri, NULL);
    /* A1 = H(user:realm:passwd) ":" nonce ":" cnonce [":" authzid] */
    GByteArray *a1 = g_byte_array_new();
    g_byte_array_append(a1, urp_hash, 16);
    g_autofree char *tail = (p->authzid && p->authzid[0])
                                ? g_strdup_printf(":%s:%s:%s", p->nonce, p->cnonce, p->authzid)
                                : g_strdup_printf(":%s:%s", p->nonce, p->cnonce);
    g_byte_array_append(a1, (const guint8 *)tail, (guint)strlen(tail));
    g_autofree char *ha1 = sasl_digest_md5_hex_of(a1->data, a1->len);
    OPENSSL_cleanse(a1->data, a1->len);
    g_byte_array_unref(a1);
    /* A2 = "AUTHENTICATE:" digest-uri (response) or ":" digest-uri (rspauth), qop=auth */
    g_autofree char *a2 = g_strdup_printf("%s:%s", is_rspauth ? "" : "AUTHENTICATE", p->digest_uri);
    g_autofree char *ha2 = sasl_digest_md5_hex_of(a2, strlen(a2));
    g_autofree char *kd = g_strdup_printf("%s:%s:%s:%s:%s:%s", ha1, p->nonce, p->nc, p->cnonce,
                                          p->qop ? p->qop : "auth", ha2);
    return sasl_digest_md5_hex_of(kd, strlen(kd));
}

char *
sasl_digest_compute(const SaslDigestParams *p, gboolean is_rspauth)
{
    g_return_val_if_fail(p != NULL && p->username != NULL && p->password != NULL, NULL);
    guint8 urp[16];
    sasl_digest_urp_hash(p, urp);
    char *r = sasl_digest_compute_from_hash(p, urp, is_rspauth);
    OPENSSL_cleanse(urp, sizeof urp);
    return r;
}

/* quoted-string with quoted-pair for '"' and '\' (RFC 2616 2.2). */
static void
sasl_digest_append_quoted(GString *out, const char *name, const char *value)
{
    g_string_append_printf(out, "%s%s=\"", out->len ? "," : "", name);
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static char *
sasl_digest_random_string(GRand *rand, guint words)
{
    guint32 buf[8];
    g_assert(words <= G_N_ELEMENTS(buf));
    for (guint i = 0; i < words; i++)
        buf[i] = g_rand_int(rand);
    return g_base64_encode((const guchar *)buf, words * 4);
}

/* ---- server ---------------------------------------------------------------- */

void
sasl_digest_md5_server_start(SaslServer *srv, SaslServerAct *act)
{
    /* 2.1.1: nonce is server-specified data, unique per exchange; 96 bits
     * here (no '=' padding, 16 base64 characters). */
    srv->challenge = srv->fixed_challenge ? g_strdup(srv->fixed_challenge)
                                          : sasl_digest_random_string(srv->rand, 3);
    GString *ch = g_string_new(NULL);
    sasl_digest_append_quoted(ch, "realm", srv->realm);
    sasl_digest_append_quoted(ch, "nonce", srv->challenge);
    g_string_append(ch, ",qop=\"auth\",algorithm=md5-sess,charset=utf-8");
    sasl_server_challenge(srv, ch->str, ch->len, act);
    g_string_free(ch, TRUE);
}

/* Checks the client's digest-response against 2.1.2; returns the failure or NONE. */
static SaslFailure
sasl_digest_md5_server_check(SaslServer *srv, const SaslDigestDirectives *d)
{
    const char *user = sasl_digest_get(d, "username");
    const char *nonce = sasl_digest_get(d, "nonce");
    const char *cnonce = sasl_digest_get(d, "cnonce");
    const char *nc = sasl_digest_get(d, "nc");
    const char *uri = sasl_digest_get(d, "digest-uri");
    const char *resp = sasl_digest_get(d, "response");
    const char *qop = sasl_digest_get(d, "qop");
    const char *cs = sasl_digest_get(d, "charset");
    if (!user || !user[0] || !nonce || !cnonce || !nc || !uri || !resp || d->realms->len > 1)
        return SASL_FAIL_MALFORMED;
    if (strlen(resp) != SASL_DIGEST_HEX_LEN || strlen(nc) != 8)
        return SASL_FAIL_MALFORMED;
    if ((qop && g_ascii_strcasecmp(qop, "auth") != 0) ||
        (cs && g_ascii_strcasecmp(cs, "utf-8") != 0))
        return SASL_FAIL_MALFORMED;
    const char *realm = d->realms->len ? g_ptr_array_index(d->realms, 0) : "";
    /* 2.1.2: nonce must be ours, nc 1 on first use; realm one we offered. */
    if (strcmp(nonce, srv->challenge) != 0 || strcmp(nc, SASL_DIGEST_NC_FIRST) != 0 ||
        strcmp(realm, srv->realm) != 0)
        return SASL_FAIL_CREDENTIALS;
    /* 2.1.2 digest-uri: serv-type "/" host [ "/" serv-name ]; the server
     * SHOULD check the service and host name are its own. */
    g_auto(GStrv) parts = g_strsplit(uri, "/", 3);
    if (parts[0] == NULL || parts[1] == NULL || g_ascii_strcasecmp(parts[0], srv->service) != 0 ||
        (g_ascii_strcasecmp(parts[1], srv->hostname) != 0 &&
         g_ascii_strcasecmp(parts[1], srv->realm) != 0))
        return SASL_FAIL_CREDENTIALS;
    return SASL_FAIL_NONE;
}

void
sasl_digest_md5_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act)
{
    if (srv->stage == SASL_SERVER_STAGE_FINAL_ACK) {
        /* RFC 2831 2.1.3 / RFC 4954 4: the client acknowledges rspauth with an empty response. */
        if (len != 0)
            sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        else
            sasl_server_succeed(srv, act);
        return;
    }
    if (len > SASL_DIGEST_RESPONSE_MAX) {
        sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        return;
    }
    srv->digest_resp = sasl_digest_parse((const char *)data, len, NULL);
    if (srv->digest_resp == NULL) {
        sasl_server_fail(srv, SASL_FAIL_MALFORMED, act);
        return;
    }
    SaslFailure f = sasl_digest_md5_server_check(srv, srv->digest_resp);
    if (f != SASL_FAIL_NONE) {
        sasl_server_fail(srv, f, act);
        return;
    }
    srv->authcid = g_strdup(sasl_digest_get(srv->digest_resp, "username"));
    const char *z = sasl_digest_get(srv->digest_resp, "authzid");
    srv->authzid = g_strdup(z ? z : "");
    srv->client_digest = g_ascii_strdown(sasl_digest_get(srv->digest_resp, "response"), -1);
    sasl_server_need_secret(srv, SASL_SECRET_CLEARTEXT, act);
    act->realm =
        srv->digest_resp->realms->len ? g_ptr_array_index(srv->digest_resp->realms, 0) : "";
}

static void
sasl_digest_params_from(SaslDigestParams *p, const SaslDigestDirectives *d)
{
    memset(p, 0, sizeof *p);
    p->username = sasl_digest_get(d, "username");
    p->realm = d->realms->len ? g_ptr_array_index(d->realms, 0) : "";
    p->nonce = sasl_digest_get(d, "nonce");
    p->cnonce = sasl_digest_get(d, "cnonce");
    p->nc = sasl_digest_get(d, "nc");
    p->qop = sasl_digest_get(d, "qop");
    p->digest_uri = sasl_digest_get(d, "digest-uri");
    p->authzid = sasl_digest_get(d, "authzid");
    p->charset_utf8 = sasl_digest_get(d, "charset") != NULL;
}

void
sasl_digest_md5_server_answer(SaslServer *srv, const char *secret, gboolean authz_ok,
                              SaslServerAct *act)
{
    if (secret == NULL) {
        sasl_server_fail(srv, SASL_FAIL_CREDENTIALS, act);
        return;
    }
    SaslDigestParams p;
    sasl_digest_params_from(&p, srv->digest_resp);
    p.password = secret;
    g_autofree char *want = sasl_digest_compute(&p, FALSE);
    if (!sasl_secret_equal(want, srv->client_digest)) {
        sasl_server_fail(srv, SASL_FAIL_CREDENTIALS, act);
        return;
    }
    if (srv->authzid[0] != '\0' && strcmp(srv->authzid, srv->authcid) != 0 && !authz_ok) {
        sasl_server_fail(srv, SASL_FAIL_AUTHZID, act);
        return;
    }
    g_autofree char *rsp = sasl_digest_compute(&p, TRUE);
    srv->server_final = g_strdup_printf("rspauth=%s", rsp);
    srv->stage = SASL_SERVER_STAGE_FINAL_ACK;
    sasl_server_challenge(srv, srv->server_final, strlen(srv->server_final), act);
}

/* ---- client ---------------------------------------------------------------- */

static SaslClientResult
sasl_digest_md5_client_first(SaslClient *cl, const guint8 *ch, gsize len, GBytes **resp)
{
    if (len > SASL_DIGEST_CHALLENGE_MAX) {
        cl->error = "DIGEST-MD5: challenge longer than 2048 octets";
        return SASL_CLIENT_ERROR;
    }
    g_autoptr(SaslDigestDirectives) d = sasl_digest_parse((const char *)ch, len, &cl->error);
    if (d == NULL)
        return SASL_CLIENT_ERROR;
    if ((cl->error = sasl_digest_check_challenge(d)) != NULL)
        return SASL_CLIENT_ERROR;
    if (cl->cnonce == NULL && cl->rand == NULL) {
        cl->error = "DIGEST-MD5: no randomness for the cnonce";
        return SASL_CLIENT_ERROR;
    }
    if (cl->cnonce == NULL)
        cl->cnonce = sasl_digest_random_string(cl->rand, 3);
    const char *realm =
        d->realms->len ? g_ptr_array_index(d->realms, 0) : (cl->host ? cl->host : "");
    g_autofree char *uri = g_strdup_printf("%s/%s", cl->service, cl->host ? cl->host : realm);
    gboolean utf8 = sasl_digest_get(d, "charset") != NULL;
    SaslDigestParams p = {.username = cl->user,
                          .realm = realm,
                          .password = cl->password,
                          .nonce = sasl_digest_get(d, "nonce"),
                          .cnonce = cl->cnonce,
                          .nc = SASL_DIGEST_NC_FIRST,
                          .qop = "auth",
                          .digest_uri = uri,
                          .authzid = cl->authzid,
                          .charset_utf8 = utf8};
    g_autofree char *digest = sasl_digest_compute(&p, FALSE);
    cl->expected_rspauth = sasl_digest_compute(&p, TRUE);
    /* Directive order as in RFC 2831 4, so the published vectors match. */
    GString *out = g_string_new(utf8 ? "charset=utf-8" : "");
    sasl_digest_append_quoted(out, "username", cl->user);
    if (realm[0] != '\0')
        sasl_digest_append_quoted(out, "realm", realm);
    sasl_digest_append_quoted(out, "nonce", p.nonce);
    g_string_append(out, ",nc=" SASL_DIGEST_NC_FIRST);
    sasl_digest_append_quoted(out, "cnonce", cl->cnonce);
    sasl_digest_append_quoted(out, "digest-uri", uri);
    g_string_append_printf(out, ",response=%s,qop=auth", digest);
    if (cl->authzid[0] != '\0')
        sasl_digest_append_quoted(out, "authzid", cl->authzid);
    *resp = g_string_free_to_bytes(out);
    return SASL_CLIENT_CONTINUE;
}

SaslClientResult
sasl_digest_md5_client_step(SaslClient *cl, const guint8 *ch, gsize len, GBytes **resp)
{
    if (cl->round == 0)
        return sasl_digest_md5_client_first(cl, ch, len, resp);
    if (cl->round > 1) {
        cl->error = "DIGEST-MD5: unexpected challenge after rspauth";
        return SASL_CLIENT_ERROR;
    }
    g_autoptr(SaslDigestDirectives) d = sasl_digest_parse((const char *)ch, len, &cl->error);
    const char *rsp = d ? sasl_digest_get(d, "rspauth") : NULL;
    if (rsp == NULL) {
        cl->error = "DIGEST-MD5: rspauth missing";
        return SASL_CLIENT_ERROR;
    }
    /* 2.1.3: the client authenticates the server by checking rspauth. */
    if (!sasl_secret_equal(rsp, cl->expected_rspauth)) {
        cl->error = "DIGEST-MD5: rspauth mismatch (server does not know the secret)";
        return SASL_CLIENT_ERROR;
    }
    cl->verified = TRUE;
    *resp = g_bytes_new(NULL, 0);
    return SASL_CLIENT_CONTINUE;
}

char *
sasl_crack_digest_md5(const char *challenge, const char *response, const char *const *wordlist)
{
    g_return_val_if_fail(challenge != NULL && response != NULL, NULL);
    g_autoptr(SaslDigestDirectives) c = sasl_digest_parse(challenge, strlen(challenge), NULL);
    g_autoptr(SaslDigestDirectives) r = sasl_digest_parse(response, strlen(response), NULL);
    if (c == NULL || r == NULL)
        return NULL;
    SaslDigestParams p;
    sasl_digest_params_from(&p, r);
    const char *want = sasl_digest_get(r, "response");
    if (!p.username || !p.nonce || !p.cnonce || !p.nc || !p.digest_uri || !want)
        return NULL;
    g_autofree char *lwant = g_ascii_strdown(want, -1);
    for (guint i = 0; wordlist != NULL && wordlist[i] != NULL; i++) {
        p.password = wordlist[i];
        g_autofree char *got = sasl_digest_compute(&p, FALSE);
        if (strcmp(got, lwant) == 0)
            return g_strdup(wordlist[i]);
    }
    return NULL;
}
