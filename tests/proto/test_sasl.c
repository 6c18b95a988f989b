/* SPDX-License-Identifier: MIT
 * Tests for proto/sasl: RFC 4954 base64 line rules, PLAIN (RFC 4616), LOGIN,
 * CRAM-MD5 (RFC 2195), DIGEST-MD5 (RFC 2831) with the RFC vectors restated
 * as literals, client/server pairs, failures, and the cracking helpers.
 */
#include <string.h>

#include <glib.h>

#include "proto/sasl.h"
#include "proto/sasl_digest_md5.h"

static GBytes *
b64(const char *s)
{
    GBytes *out = NULL;
    g_assert_cmpint(sasl_line_decode(s, strlen(s), FALSE, &out), ==, SASL_LINE_DATA);
    return out;
}

static char *
bytes_str(GBytes *b)
{
    gsize n;
    const char *p = g_bytes_get_data(b, &n);
    return g_strndup(p ? p : "", n);
}

static void
test_line_rules(void)
{
    GBytes *out = NULL;
    g_assert_cmpint(sasl_line_decode("*", 1, FALSE, &out), ==, SASL_LINE_CANCEL);
    g_assert_null(out);
    g_assert_cmpint(sasl_line_decode("=", 1, TRUE, &out), ==, SASL_LINE_DATA);
    g_assert_cmpuint(g_bytes_get_size(out), ==, 0);
    g_clear_pointer(&out, g_bytes_unref);
    g_assert_cmpint(sasl_line_decode("=", 1, FALSE, &out), ==, SASL_LINE_INVALID);
    g_assert_cmpint(sasl_line_decode("", 0, FALSE, &out), ==, SASL_LINE_DATA);
    g_assert_cmpuint(g_bytes_get_size(out), ==, 0);
    g_clear_pointer(&out, g_bytes_unref);
    const char *bad[] = {"@@@@",      "=AAA", "AAA=BBB", "AHRpbQB0YW5",
                         "AHRp=bQB0", "AA=A", "A===",    "dGlt\n"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(sasl_line_decode(bad[i], strlen(bad[i]), FALSE, &out), ==,
                        SASL_LINE_INVALID);
        g_assert_null(out);
    }
    g_autofree char *e1 = sasl_line_encode((const guint8 *)"", 0);
    g_autofree char *e2 = sasl_line_encode_initial((const guint8 *)"", 0);
    g_autofree char *e3 = sasl_line_encode((const guint8 *)"Username:", 9);
    g_assert_cmpstr(e1, ==, "");
    g_assert_cmpstr(e2, ==, "=");
    g_assert_cmpstr(e3, ==, "VXNlcm5hbWU6");
    g_autoptr(GBytes) d = b64("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    g_assert_cmpuint(g_bytes_get_size(d), ==, 21);
    g_assert_cmpint(sasl_mech_from_name("cram-md5"), ==, SASL_MECH_CRAM_MD5);
    g_assert_cmpint(sasl_mech_from_name("GSSAPI"), ==, SASL_MECH_NONE);
    g_assert_true(sasl_mech_needs_cleartext_secret(SASL_MECH_CRAM_MD5));
    g_assert_false(sasl_mech_needs_cleartext_secret(SASL_MECH_PLAIN));
}

/* Runs a server through one message and answers its NEED_SECRET query. */
static SaslServerActKind
server_run(SaslServer *srv, gboolean start, const char *msg, gsize len, const char *secret,
           gboolean authz_ok, SaslServerAct *act)
{
    if (start)
        sasl_server_start(srv, (const guint8 *)msg, len, act);
    else
        sasl_server_step(srv, (const guint8 *)msg, len, act);
    if (act->kind == SASL_SERVER_ACT_NEED_SECRET) {
        sasl_server_act_clear(act);
        sasl_server_answer_secret(srv, secret, authz_ok, act);
    }
    return act->kind;
}

static void
test_plain_rfc4616(void)
{
    /* RFC 4616 4: "\0tim\0tanstaaftanstaaf" = AHRpbQB0YW5zdGFhZnRhbnN0YWFm */
    g_autoptr(SaslClient) cl =
        sasl_client_new(SASL_MECH_PLAIN, "tim", "tanstaaftanstaaf", NULL, NULL);
    g_autoptr(GBytes) ir = NULL;
    g_assert_true(sasl_client_initial_response(cl, &ir));
    g_autofree char *enc =
        sasl_line_encode_initial(g_bytes_get_data(ir, NULL), g_bytes_get_size(ir));
    g_assert_cmpstr(enc, ==, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");

    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_PLAIN, NULL);
    SaslServerAct act;
    sasl_server_start(srv, g_bytes_get_data(ir, NULL), g_bytes_get_size(ir), &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_NEED_SECRET);
    g_assert_cmpint(act.secret_kind, ==, SASL_SECRET_PASSWORD);
    g_assert_cmpstr(act.authcid, ==, "tim");
    g_assert_cmpstr(act.password, ==, "tanstaaftanstaaf");
    sasl_server_answer_secret(srv, "tanstaaftanstaaf", FALSE, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_SUCCESS);
    g_autofree char *s = sasl_server_act_to_string(&act);
    g_assert_cmpstr(s, ==, "SUCCESS tim");
    g_assert_true(sasl_server_is_done(srv));

    /* "Ursel\0Kurt\0xipj3plmq": Kurt authenticates, acting as Ursel is refused. */
    g_autoptr(SaslServer) s2 = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(s2, TRUE, "Ursel\0Kurt\0xipj3plmq", 20, "xipj3plmq", FALSE, &act),
                    ==, SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_AUTHZID);
    g_autoptr(SaslServer) s3 = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(s3, TRUE, "Ursel\0Kurt\0xipj3plmq", 20, "xipj3plmq", TRUE, &act), ==,
                    SASL_SERVER_ACT_SUCCESS);
    g_assert_cmpstr(act.authzid, ==, "Ursel");
    g_autoptr(SaslServer) s4 = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(s4, TRUE, "\0tim\0wrong", 10, "tanstaaftanstaaf", FALSE, &act), ==,
                    SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_CREDENTIALS);
    g_autoptr(SaslServer) s5 = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(s5, TRUE, "\0nobody\0x", 9, NULL, FALSE, &act), ==,
                    SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_CREDENTIALS);
}

static void
test_plain_limits(void)
{
    /* RFC 4616 2: authcid and passwd up to 255 octets MUST be accepted. */
    g_autofree char *u255 = g_strnfill(255, 'u');
    g_autofree char *p255 = g_strnfill(255, 'p');
    g_autofree char *u256 = g_strnfill(256, 'u');
    SaslServerAct act;
    GString *m = g_string_new(NULL);
    g_string_append_c(m, '\0');
    g_string_append(m, u255);
    g_string_append_c(m, '\0');
    g_string_append(m, p255);
    g_autoptr(SaslServer) a = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(a, TRUE, m->str, m->len, p255, FALSE, &act), ==,
                    SASL_SERVER_ACT_SUCCESS);
    g_string_truncate(m, 1);
    g_string_append(m, u256);
    g_string_append_c(m, '\0');
    g_string_append(m, "p");
    g_autoptr(SaslServer) b = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(b, TRUE, m->str, m->len, "p", FALSE, &act), ==,
                    SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_MALFORMED);
    g_string_free(m, TRUE);
    /* invalid UTF-8 is not SAFE */
    g_autoptr(SaslServer) c = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(c, TRUE, "\0t\xffm\0x", 6, "x", FALSE, &act), ==,
                    SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_MALFORMED);
    /* no initial response: empty challenge first ("334 ") */
    g_autoptr(SaslServer) d = sasl_server_new(SASL_MECH_PLAIN, NULL);
    sasl_server_start(d, NULL, 0, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_CHALLENGE);
    g_assert_cmpuint(g_bytes_get_size(act.data), ==, 0);
    sasl_server_act_clear(&act);
    g_assert_cmpint(server_run(d, FALSE,
                               "test\0test\0"
                               "1234",
                               14, "1234", FALSE, &act),
                    ==, SASL_SERVER_ACT_SUCCESS);
    /* "=" (empty initial response) is malformed for PLAIN */
    g_autoptr(SaslServer) e = sasl_server_new(SASL_MECH_PLAIN, NULL);
    g_assert_cmpint(server_run(e, TRUE, "", 0, "x", FALSE, &act), ==, SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_MALFORMED);
}

static void
test_login(void)
{
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_LOGIN, NULL);
    g_autoptr(SaslClient) cl =
        sasl_client_new(SASL_MECH_LOGIN, "tim", "tanstaaftanstaaf", NULL, NULL);
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_CHALLENGE);
    g_autofree char *c1 = bytes_str(act.data);
    g_assert_cmpstr(c1, ==, "Username:");
    GBytes *resp = NULL;
    /* The client answers by position, not by prompt text. */
    g_assert_cmpint(sasl_client_step(cl, (const guint8 *)"User Name", 9, &resp), ==,
                    SASL_CLIENT_CONTINUE);
    g_autofree char *r1 = bytes_str(resp);
    g_assert_cmpstr(r1, ==, "tim");
    sasl_server_act_clear(&act);
    sasl_server_step(srv, g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), &act);
    g_bytes_unref(resp);
    g_autofree char *c2 = bytes_str(act.data);
    g_assert_cmpstr(c2, ==, "Password:");
    g_assert_cmpint(sasl_client_step(cl, (const guint8 *)c2, strlen(c2), &resp), ==,
                    SASL_CLIENT_CONTINUE);
    sasl_server_act_clear(&act);
    sasl_server_step(srv, g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), &act);
    g_bytes_unref(resp);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_NEED_SECRET);
    g_assert_cmpstr(act.password, ==, "tanstaaftanstaaf");
    sasl_server_answer_secret(srv, "tanstaaftanstaaf", FALSE, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_SUCCESS);
    g_assert_cmpint(sasl_client_step(cl, (const guint8 *)"x", 1, &resp), ==, SASL_CLIENT_ERROR);
    /* empty user name */
    g_autoptr(SaslServer) s2 = sasl_server_new(SASL_MECH_LOGIN, NULL);
    g_assert_cmpint(server_run(s2, TRUE, "", 0, "x", FALSE, &act), ==, SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_MALFORMED);
}

static void
test_cram_md5_rfc2195(void)
{
    /* RFC 2195 2: tim / tanstaaftanstaaf over <1896.697170952@postoffice.reston.mci.net>
     * gives b913a602c7eda7a495b4e6e7334d3890. */
    const char *ch = "<1896.697170952@postoffice.reston.mci.net>";
    g_autofree char *hex =
        sasl_cram_md5_digest_hex("tanstaaftanstaaf", (const guint8 *)ch, strlen(ch));
    g_assert_cmpstr(hex, ==, "b913a602c7eda7a495b4e6e7334d3890");
    g_autofree char *line = sasl_cram_md5_response("tim", "tanstaaftanstaaf", ch);
    g_assert_cmpstr(line, ==, "tim b913a602c7eda7a495b4e6e7334d3890");

    SaslServerConfig cfg = {.fixed_challenge = ch};
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_CRAM_MD5, &cfg);
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    g_autofree char *sent = bytes_str(act.data);
    g_assert_cmpstr(sent, ==, ch);
    sasl_server_act_clear(&act);
    sasl_server_step(srv, (const guint8 *)line, strlen(line), &act);
    /* The server must hold the cleartext-equivalent secret. */
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_NEED_SECRET);
    g_assert_cmpint(act.secret_kind, ==, SASL_SECRET_CLEARTEXT);
    g_assert_null(act.password);
    sasl_server_answer_secret(srv, "tanstaaftanstaaf", FALSE, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_SUCCESS);

    g_autoptr(SaslServer) s2 = sasl_server_new(SASL_MECH_CRAM_MD5, &cfg);
    sasl_server_start(s2, NULL, 0, &act);
    sasl_server_act_clear(&act);
    g_assert_cmpint(server_run(s2, FALSE, line, strlen(line), "tanstaaftanstaaX", FALSE, &act), ==,
                    SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_CREDENTIALS);

    /* Our choice: upper-case hex is malformed (RFC 2195 2 says lowercase). */
    g_autoptr(SaslServer) s3 = sasl_server_new(SASL_MECH_CRAM_MD5, &cfg);
    sasl_server_start(s3, NULL, 0, &act);
    sasl_server_act_clear(&act);
    const char *upper = "tim B913A602C7EDA7A495B4E6E7334D3890";
    g_assert_cmpint(server_run(s3, FALSE, upper, strlen(upper), "tanstaaftanstaaf", FALSE, &act),
                    ==, SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_MALFORMED);

    /* RFC 4954 4: an initial response to a server-first mechanism is refused. */
    g_autoptr(SaslServer) s4 = sasl_server_new(SASL_MECH_CRAM_MD5, &cfg);
    sasl_server_start(s4, (const guint8 *)"test", 4, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_UNEXPECTED_INITIAL);
}

static void
test_cram_md5_challenge_from_rand(void)
{
    g_autoptr(GRand) r1 = g_rand_new_with_seed(7);
    g_autoptr(GRand) r2 = g_rand_new_with_seed(7);
    SaslServerConfig c1 = {.hostname = "mx.example.com", .rand = r1, .timestamp = 1234};
    SaslServerConfig c2 = {.hostname = "mx.example.com", .rand = r2, .timestamp = 1234};
    g_autoptr(SaslServer) a = sasl_server_new(SASL_MECH_CRAM_MD5, &c1);
    g_autoptr(SaslServer) b = sasl_server_new(SASL_MECH_CRAM_MD5, &c2);
    SaslServerAct x, y;
    sasl_server_start(a, NULL, 0, &x);
    sasl_server_start(b, NULL, 0, &y);
    g_autofree char *sx = bytes_str(x.data);
    g_autofree char *sy = bytes_str(y.data);
    g_assert_cmpstr(sx, ==, sy); /* same seed, same challenge */
    g_assert_true(g_regex_match_simple("^<[0-9]+\\.1234@mx\\.example\\.com>$", sx, 0, 0));
    sasl_server_act_clear(&x);
    sasl_server_act_clear(&y);
}

static void
test_crack(void)
{
    const char *ch = "<4192942341.12828472@sourcefour.andrew.cmu.edu>";
    const char *words[] = {"password", "letmein", "1234", NULL};
    g_autofree char *pw =
        sasl_crack_cram_md5("rjs3", ch, "rjs3 ec3a59fed395aba1ec6367c4f4b41ac0", words);
    g_assert_cmpstr(pw, ==, "1234");
    const char *few[] = {"password", NULL};
    g_assert_null(sasl_crack_cram_md5(NULL, ch, "rjs3 ec3a59fed395aba1ec6367c4f4b41ac0", few));
    const char *dch = "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\","
                      "algorithm=md5-sess,charset=utf-8";
    const char *dresp = "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\","
                        "nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cnonce=\"OA6MHXh6VqTrRk\","
                        "digest-uri=\"imap/elwood.innosoft.com\","
                        "response=d388dad90d4bbd760a152321f2143af7,qop=auth";
    const char *dwords[] = {"hunter2", "Secret", "secret", NULL};
    g_autofree char *dpw = sasl_crack_digest_md5(dch, dresp, dwords);
    g_assert_cmpstr(dpw, ==, "secret");
    g_assert_null(sasl_crack_digest_md5(dch, dresp, few));
}

static void
test_digest_md5_rfc2831(void)
{
    /* RFC 2831 4 (IMAP): chris / secret, response d388dad9..., rspauth ea40f603... */
    SaslDigestParams p = {.username = "chris",
                          .realm = "elwood.innosoft.com",
                          .password = "secret",
                          .nonce = "OA6MG9tEQGm2hh",
                          .cnonce = "OA6MHXh6VqTrRk",
                          .nc = "00000001",
                          .qop = "auth",
                          .digest_uri = "imap/elwood.innosoft.com",
                          .charset_utf8 = TRUE};
    g_autofree char *r = sasl_digest_compute(&p, FALSE);
    g_autofree char *ra = sasl_digest_compute(&p, TRUE);
    g_assert_cmpstr(r, ==, "d388dad90d4bbd760a152321f2143af7");
    g_assert_cmpstr(ra, ==, "ea40f60335c427b5527b84dbabcdfffd");

    SaslServerConfig cfg = {
        .service = "imap", .hostname = "elwood.innosoft.com", .fixed_challenge = "OA6MG9tEQGm2hh"};
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_DIGEST_MD5, &cfg);
    g_autoptr(SaslClient) cl = sasl_client_new(SASL_MECH_DIGEST_MD5, "chris", "secret", NULL, NULL);
    sasl_client_set_service(cl, "imap", NULL);
    sasl_client_set_cnonce(cl, "OA6MHXh6VqTrRk");
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    g_autofree char *ch = bytes_str(act.data);
    g_assert_cmpstr(ch, ==,
                    "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\","
                    "algorithm=md5-sess,charset=utf-8");
    GBytes *resp = NULL;
    g_assert_cmpint(
        sasl_client_step(cl, g_bytes_get_data(act.data, NULL), g_bytes_get_size(act.data), &resp),
        ==, SASL_CLIENT_CONTINUE);
    g_autofree char *rs = bytes_str(resp);
    g_assert_nonnull(strstr(rs, "response=d388dad90d4bbd760a152321f2143af7"));
    sasl_server_act_clear(&act);
    g_assert_cmpint(server_run(srv, FALSE, rs, strlen(rs), "secret", FALSE, &act), ==,
                    SASL_SERVER_ACT_CHALLENGE);
    g_bytes_unref(resp);
    g_autofree char *fin = bytes_str(act.data);
    g_assert_cmpstr(fin, ==, "rspauth=ea40f60335c427b5527b84dbabcdfffd");
    g_assert_cmpint(sasl_client_step(cl, (const guint8 *)fin, strlen(fin), &resp), ==,
                    SASL_CLIENT_CONTINUE);
    g_assert_true(sasl_client_server_verified(cl));
    g_assert_cmpuint(g_bytes_get_size(resp), ==, 0);
    sasl_server_act_clear(&act);
    sasl_server_step(srv, NULL, 0, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_SUCCESS);
    g_assert_cmpstr(act.server_final, ==, "rspauth=ea40f60335c427b5527b84dbabcdfffd");
    g_bytes_unref(resp);

    /* A forged rspauth (server without the secret) is detected by the client. */
    g_autoptr(SaslClient) c2 = sasl_client_new(SASL_MECH_DIGEST_MD5, "chris", "secret", NULL, NULL);
    sasl_client_set_service(c2, "imap", NULL);
    sasl_client_set_cnonce(c2, "OA6MHXh6VqTrRk");
    g_assert_cmpint(sasl_client_step(c2, (const guint8 *)ch, strlen(ch), &resp), ==,
                    SASL_CLIENT_CONTINUE);
    g_bytes_unref(resp);
    const char *forged = "rspauth=00000000000000000000000000000000";
    g_assert_cmpint(sasl_client_step(c2, (const guint8 *)forged, strlen(forged), &resp), ==,
                    SASL_CLIENT_ERROR);
    g_assert_false(sasl_client_server_verified(c2));
    g_assert_nonnull(sasl_client_get_error(c2));
}

static void
test_digest_md5_server_rejects(void)
{
    SaslServerConfig cfg = {.hostname = "mx.example.com", .fixed_challenge = "N0NCE"};
    const char *bad[] = {
        /* wrong nonce */
        "username=\"u\",realm=\"mx.example.com\",nonce=\"OTHER\",nc=00000001,cnonce=\"c\","
        "digest-uri=\"smtp/mx.example.com\",response=00000000000000000000000000000000,qop=auth",
        /* wrong service in digest-uri */
        "username=\"u\",realm=\"mx.example.com\",nonce=\"N0NCE\",nc=00000001,cnonce=\"c\","
        "digest-uri=\"imap/mx.example.com\",response=00000000000000000000000000000000,qop=auth",
        /* nc must be 1 on a first authentication */
        "username=\"u\",realm=\"mx.example.com\",nonce=\"N0NCE\",nc=00000002,cnonce=\"c\","
        "digest-uri=\"smtp/mx.example.com\",response=00000000000000000000000000000000,qop=auth",
    };
    const char *malformed[] = {
        "username=\"u\",nonce=\"N0NCE\"",                /* missing directives */
        "username=\"u,realm=x",                          /* unterminated quote */
        "username=\"u\",username=\"v\",nonce=\"N0NCE\"", /* repeated */
        "username=\"u\",realm=\"mx.example.com\",nonce=\"N0NCE\",nc=00000001,cnonce=\"c\","
        "digest-uri=\"smtp/mx.example.com\",response=0000,qop=auth-conf",
    };
    SaslServerAct act;
    for (guint i = 0; i < G_N_ELEMENTS(bad) + G_N_ELEMENTS(malformed); i++) {
        const char *m = i < G_N_ELEMENTS(bad) ? bad[i] : malformed[i - G_N_ELEMENTS(bad)];
        g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_DIGEST_MD5, &cfg);
        sasl_server_start(srv, NULL, 0, &act);
        sasl_server_act_clear(&act);
        g_assert_cmpint(server_run(srv, FALSE, m, strlen(m), "pw", FALSE, &act), ==,
                        SASL_SERVER_ACT_FAILURE);
        g_assert_cmpint(act.reason, ==,
                        i < G_N_ELEMENTS(bad) ? SASL_FAIL_CREDENTIALS : SASL_FAIL_MALFORMED);
    }
}

static void
test_digest_parser(void)
{
    const char *why = NULL;
    const char *in = "nonce=\"abc\", qop=\"auth,auth-int\" ,algorithm=md5-sess";
    g_autoptr(SaslDigestDirectives) d = sasl_digest_parse(in, strlen(in), &why);
    g_assert_nonnull(d);
    g_assert_cmpstr(sasl_digest_get(d, "nonce"), ==, "abc");
    g_assert_true(sasl_digest_list_has(sasl_digest_get(d, "qop"), "auth-int"));
    g_assert_null(sasl_digest_check_challenge(d));
    const char *q = "realm=\"a\\\"b\",nonce=\"n\",algorithm=md5-sess";
    g_autoptr(SaslDigestDirectives) d2 = sasl_digest_parse(q, strlen(q), &why);
    g_assert_cmpstr(sasl_digest_get(d2, "realm"), ==, "a\"b");
    const char *two = "realm=\"a\",realm=\"b\",nonce=\"n\",algorithm=md5-sess";
    g_autoptr(SaslDigestDirectives) d3 = sasl_digest_parse(two, strlen(two), &why);
    g_assert_cmpuint(d3->realms->len, ==, 2);
    const char *dup = "realm=\"a\",nonce=\"b\",algorithm=md5-sess,algorithm=md5-sess";
    g_assert_null(sasl_digest_parse(dup, strlen(dup), &why));
    g_assert_nonnull(why);
    const char *nononce = "realm=\"a\",qop=\"auth\",algorithm=md5-sess";
    g_autoptr(SaslDigestDirectives) d4 = sasl_digest_parse(nononce, strlen(nononce), &why);
    g_assert_nonnull(sasl_digest_check_challenge(d4));
    const char *junk[] = {"=x", "a=", "a b=c", "a=\"x", "a=b c=d"};
    for (guint i = 0; i < G_N_ELEMENTS(junk); i++)
        g_assert_null(sasl_digest_parse(junk[i], strlen(junk[i]), &why));
}

/* Every mechanism, client against server, with seeded randomness. */
static void
test_pairs(void)
{
    for (SaslMech m = SASL_MECH_PLAIN; m <= SASL_MECH_DIGEST_MD5; m++) {
        for (int wrong = 0; wrong < 2; wrong++) {
            g_autoptr(GRand) rs = g_rand_new_with_seed(1);
            g_autoptr(GRand) rc = g_rand_new_with_seed(2);
            SaslServerConfig cfg = {.hostname = "msa.example.org", .rand = rs, .timestamp = 99};
            g_autoptr(SaslServer) srv = sasl_server_new(m, &cfg);
            g_autoptr(SaslClient) cl = sasl_client_new(m, "alice", "s3cr\xc3\xa9t", NULL, rc);
            sasl_client_set_service(cl, "smtp", "msa.example.org");
            sasl_client_set_login_initial(cl, TRUE);
            SaslServerAct act;
            GBytes *ir = NULL;
            if (sasl_client_initial_response(cl, &ir))
                sasl_server_start(srv, g_bytes_get_data(ir, NULL), g_bytes_get_size(ir), &act);
            else
                sasl_server_start(srv, NULL, 0, &act);
            g_clear_pointer(&ir, g_bytes_unref);
            guint rounds = 0;
            while (act.kind == SASL_SERVER_ACT_CHALLENGE ||
                   act.kind == SASL_SERVER_ACT_NEED_SECRET) {
                g_assert_cmpuint(++rounds, <, 6);
                if (act.kind == SASL_SERVER_ACT_NEED_SECRET) {
                    g_assert_cmpstr(act.authcid, ==, "alice");
                    sasl_server_act_clear(&act);
                    sasl_server_answer_secret(srv, wrong ? "other" : "s3cr\xc3\xa9t", FALSE, &act);
                    continue;
                }
                GBytes *resp = NULL;
                g_assert_cmpint(sasl_client_step(cl, g_bytes_get_data(act.data, NULL),
                                                 g_bytes_get_size(act.data), &resp),
                                ==, SASL_CLIENT_CONTINUE);
                sasl_server_act_clear(&act);
                sasl_server_step(srv, g_bytes_get_data(resp, NULL), g_bytes_get_size(resp), &act);
                g_bytes_unref(resp);
            }
            if (wrong) {
                g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_FAILURE);
                g_assert_cmpint(act.reason, ==, SASL_FAIL_CREDENTIALS);
            } else {
                g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_SUCCESS);
                g_assert_cmpstr(act.authcid, ==, "alice");
                g_assert_true(m != SASL_MECH_DIGEST_MD5 || sasl_client_server_verified(cl));
            }
            sasl_server_act_clear(&act);
        }
    }
}

static void
test_cancel(void)
{
    g_autoptr(SaslServer) srv = sasl_server_new(SASL_MECH_LOGIN, NULL);
    SaslServerAct act;
    sasl_server_start(srv, NULL, 0, &act);
    sasl_server_act_clear(&act);
    sasl_server_cancel(srv, &act);
    g_assert_cmpint(act.kind, ==, SASL_SERVER_ACT_FAILURE);
    g_assert_cmpint(act.reason, ==, SASL_FAIL_CANCELLED);
    g_assert_true(sasl_server_is_done(srv));
    g_autofree char *s = sasl_server_act_to_string(&act);
    g_assert_cmpstr(s, ==, "FAILURE cancelled");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/sasl/line-rules", test_line_rules);
    g_test_add_func("/proto/sasl/plain/rfc4616", test_plain_rfc4616);
    g_test_add_func("/proto/sasl/plain/limits", test_plain_limits);
    g_test_add_func("/proto/sasl/login", test_login);
    g_test_add_func("/proto/sasl/cram-md5/rfc2195", test_cram_md5_rfc2195);
    g_test_add_func("/proto/sasl/cram-md5/challenge", test_cram_md5_challenge_from_rand);
    g_test_add_func("/proto/sasl/digest-md5/rfc2831", test_digest_md5_rfc2831);
    g_test_add_func("/proto/sasl/digest-md5/server-rejects", test_digest_md5_server_rejects);
    g_test_add_func("/proto/sasl/digest-md5/parser", test_digest_parser);
    g_test_add_func("/proto/sasl/crack", test_crack);
    g_test_add_func("/proto/sasl/pairs", test_pairs);
    g_test_add_func("/proto/sasl/cancel", test_cancel);
    return g_test_run();
}
