/* SPDX-License-Identifier: MIT
 * Tests for proto/pop3_reply: status lines, RFC 2449 response codes,
 * byte stuffing both ways, APOP timestamp and digest (RFC 1939 section 7
 * vector restated here), unique-id syntax.
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/pop3_reply.h"

static void
test_status(void)
{
    gboolean ok = FALSE;
    const char *text = NULL;
    g_assert_true(pop3_reply_parse_status("+OK", 3, &ok, &text));
    g_assert_true(ok);
    g_assert_cmpstr(text, ==, "");
    g_assert_true(pop3_reply_parse_status("+OK 2 320", 9, &ok, &text));
    g_assert_cmpstr(text, ==, "2 320");
    g_assert_true(pop3_reply_parse_status("-ERR no such message", 20, &ok, &text));
    g_assert_false(ok);
    g_assert_cmpstr(text, ==, "no such message");
    g_assert_false(pop3_reply_parse_status("+OKAY", 5, &ok, &text));
    g_assert_false(pop3_reply_parse_status("+ok", 3, &ok, &text));
    g_assert_false(pop3_reply_parse_status("-ER", 3, &ok, &text));
    g_assert_false(pop3_reply_parse_status("", 0, &ok, &text));
    g_assert_false(pop3_reply_parse_status("1 120", 5, &ok, &text));
}

static void
test_resp_code(void)
{
    g_autofree char *a = pop3_reply_resp_code("[IN-USE] maildrop locked");
    g_autofree char *b = pop3_reply_resp_code("[SYS/TEMP] try later");
    g_autofree char *c = pop3_reply_resp_code("[AUTH]");
    g_assert_cmpstr(a, ==, "IN-USE");
    g_assert_cmpstr(b, ==, "SYS/TEMP");
    g_assert_cmpstr(c, ==, "AUTH");
    g_assert_null(pop3_reply_resp_code("no code"));
    g_assert_null(pop3_reply_resp_code("[] empty"));
    g_assert_null(pop3_reply_resp_code("[not a code] x"));
    g_assert_null(pop3_reply_resp_code("[unterminated"));
}

static char *
stuff(const char *msg, gint lines)
{
    GString *s = g_string_new(NULL);
    pop3_reply_append_stuffed(s, (const guint8 *)msg, strlen(msg), lines);
    return g_string_free(s, FALSE);
}

static void
test_stuffing(void)
{
    g_autofree char *a = stuff("A: b\r\n\r\n.\r\n..x\r\ny", -1);
    g_assert_cmpstr(a, ==, "A: b\r\n\r\n..\r\n...x\r\ny\r\n.\r\n");
    g_autofree char *lf = stuff("A: b\n\n.x\n", -1);
    g_assert_cmpstr(lf, ==, "A: b\r\n\r\n..x\r\n.\r\n");
    g_autofree char *empty = stuff("", -1);
    g_assert_cmpstr(empty, ==, ".\r\n");
    /* RFC 1939 section 7 TOP: header, blank line, n body lines. */
    g_autofree char *top0 = stuff("H: 1\r\n\r\nb1\r\nb2\r\n", 0);
    g_assert_cmpstr(top0, ==, "H: 1\r\n\r\n.\r\n");
    g_autofree char *top1 = stuff("H: 1\r\n\r\nb1\r\nb2\r\n", 1);
    g_assert_cmpstr(top1, ==, "H: 1\r\n\r\nb1\r\n.\r\n");
    g_autofree char *nobody = stuff("H: 1\r\nH: 2\r\n", 0);
    g_assert_cmpstr(nobody, ==, "H: 1\r\nH: 2\r\n.\r\n");
}

/* Stuffing then unstuffing line by line gives the message back. */
static void
test_unstuff_roundtrip(void)
{
    const char *msg = "Subject: x\r\n\r\n.\r\n..\r\n.a\r\nplain\r\n";
    g_autofree char *wire = stuff(msg, -1);
    g_auto(GStrv) lines = g_strsplit(wire, "\r\n", -1);
    GString *back = g_string_new(NULL);
    gboolean ended = FALSE;
    for (guint i = 0; lines[i] && !ended; i++) {
        const char *d;
        gsize dl;
        if (!pop3_reply_unstuff_line(lines[i], strlen(lines[i]), &d, &dl)) {
            ended = TRUE;
            break;
        }
        g_string_append_len(back, d, (gssize)dl);
        g_string_append(back, "\r\n");
    }
    g_assert_true(ended);
    g_autofree char *got = g_string_free(back, FALSE);
    g_assert_cmpstr(got, ==, msg);
}

static void
test_timestamp(void)
{
    g_autofree char *ts =
        pop3_reply_find_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
    g_assert_cmpstr(ts, ==, "<1896.697170952@dbc.mtview.ca.us>");
    g_autofree char *second = pop3_reply_find_timestamp("<no at> then <1.2@h>");
    g_assert_cmpstr(second, ==, "<1.2@h>");
    g_assert_null(pop3_reply_find_timestamp("POP3 server ready"));
    g_assert_null(pop3_reply_find_timestamp("<a b@c>"));
    g_assert_null(pop3_reply_find_timestamp("<@>"));
    g_assert_null(pop3_reply_find_timestamp("<1@h"));
}

/* RFC 1939 section 7: APOP mrose, secret tanstaaf. */
static void
test_apop_literal(void)
{
    char digest[POP3_APOP_DIGEST_LEN + 1];
    pop3_reply_apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf", digest);
    g_assert_cmpstr(digest, ==, "c4c9334bac560ecc979e58001b3e22fb");
    pop3_reply_apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaF", digest);
    g_assert_cmpstr(digest, !=, "c4c9334bac560ecc979e58001b3e22fb");
}

static void
test_apop_vector(void)
{
    g_autofree char *path = test_conformance_path("sasl/pop3-rfc1939.yaml");
    if (path == NULL) {
        g_test_message("conformance folder absent: skipping the APOP vector file");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, &err);
    g_assert_no_error(err);
    TestYaml *list = test_yaml_get(doc, "apop");
    g_assert_cmpuint(test_yaml_len(list), >=, 1);
    for (guint i = 0; i < test_yaml_len(list); i++) {
        TestYaml *v = test_yaml_at(list, i);
        g_autofree char *ts = pop3_reply_find_timestamp(test_yaml_str(v, "greeting"));
        g_assert_cmpstr(ts, ==, test_yaml_str(v, "timestamp"));
        char digest[POP3_APOP_DIGEST_LEN + 1];
        pop3_reply_apop_digest(ts, test_yaml_str(v, "secret"), digest);
        g_assert_cmpstr(digest, ==, test_yaml_str(v, "digest_hex"));
        g_autofree char *cmd = g_strdup_printf("APOP %s %s", test_yaml_str(v, "user"), digest);
        g_assert_cmpstr(cmd, ==, test_yaml_str(v, "command"));
    }
}

static void
test_uid(void)
{
    g_assert_true(pop3_reply_uid_is_valid("whqtswO00WBw418f9t5JxYwZ"));
    g_assert_true(pop3_reply_uid_is_valid("QhdPYR:00WBw1Ph7x7"));
    g_autofree char *u70 = g_strnfill(70, 'u');
    g_autofree char *u71 = g_strnfill(71, 'u');
    g_assert_true(pop3_reply_uid_is_valid(u70));
    g_assert_false(pop3_reply_uid_is_valid(u71));
    g_assert_false(pop3_reply_uid_is_valid(""));
    g_assert_false(pop3_reply_uid_is_valid("a b"));
    g_assert_false(pop3_reply_uid_is_valid("\x7f"));
    g_assert_false(pop3_reply_uid_is_valid(NULL));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/pop3-reply/status", test_status);
    g_test_add_func("/proto/pop3-reply/resp-code", test_resp_code);
    g_test_add_func("/proto/pop3-reply/stuffing", test_stuffing);
    g_test_add_func("/proto/pop3-reply/unstuff-roundtrip", test_unstuff_roundtrip);
    g_test_add_func("/proto/pop3-reply/timestamp", test_timestamp);
    g_test_add_func("/proto/pop3-reply/apop/literal", test_apop_literal);
    g_test_add_func("/proto/pop3-reply/apop/vector", test_apop_vector);
    g_test_add_func("/proto/pop3-reply/uid", test_uid);
    return g_test_run();
}
