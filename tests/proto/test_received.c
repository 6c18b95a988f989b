/* SPDX-License-Identifier: MIT
 * Tests for proto/received and proto/message_id: building and parsing
 * RFC 5321 4.4 Received values (RFC 5322 A.4 and real-world forms), and
 * RFC 5322 3.6.4 msg-id lists.
 */
#include <string.h>

#include <glib.h>

#include "proto/message.h"
#include "proto/message_id.h"
#include "proto/received.h"

static void
test_build(void)
{
    MailReceivedInfo info = {
        .helo = "client.example",
        .client_name = "host.client.example",
        .client_ip = "192.0.2.1",
        .by = "mx.example.net",
        .is_esmtp = TRUE,
        .is_tls = TRUE,
        .id = "4A1B2C3D4E",
        .for_rcpt = "mary@example.net",
        .time_unix = 880127709,
        .offset_min = -360,
    };
    g_autofree char *v = mail_received_build(&info);
    g_assert_cmpstr(
        v, ==,
        "from client.example (host.client.example [192.0.2.1]) by mx.example.net with ESMTPS "
        "id 4A1B2C3D4E for <mary@example.net>; Fri, 21 Nov 1997 09:55:09 -0600");
    /* And back. */
    g_autoptr(MailReceived) r = mail_received_parse(v);
    g_assert_cmpstr(r->from, ==, "client.example");
    g_assert_cmpstr(r->from_info, ==, "host.client.example [192.0.2.1]");
    g_assert_cmpstr(r->from_ip, ==, "192.0.2.1");
    g_assert_cmpstr(r->from_rdns, ==, "host.client.example");
    g_assert_cmpstr(r->by, ==, "mx.example.net");
    g_assert_cmpstr(r->with, ==, "ESMTPS");
    g_assert_cmpstr(r->id, ==, "4A1B2C3D4E");
    g_assert_cmpstr(r->for_addr, ==, "<mary@example.net>");
    g_assert_true(r->has_date);
    g_assert_cmpint(r->date.unix_utc, ==, 880127709);
    g_assert_true(r->is_well_formed);

    /* Protocol names (RFC 3848). */
    g_assert_cmpstr(mail_received_protocol(FALSE, FALSE, FALSE), ==, "SMTP");
    g_assert_cmpstr(mail_received_protocol(TRUE, FALSE, FALSE), ==, "ESMTP");
    g_assert_cmpstr(mail_received_protocol(TRUE, FALSE, TRUE), ==, "ESMTPA");
    g_assert_cmpstr(mail_received_protocol(TRUE, TRUE, TRUE), ==, "ESMTPSA");

    /* A hostile HELO cannot break out of the field or the comment. */
    MailReceivedInfo evil = {
        .helo = "x\r\nBcc: a@b (y); z", .client_ip = "198.51.100.7", .by = "mx", .time_unix = 0};
    g_autofree char *e = mail_received_build(&evil);
    g_assert_null(strchr(e, '\r'));
    g_assert_null(strchr(e, '\n'));
    g_assert_true(
        g_str_has_prefix(e, "from x??Bcc:?a@b??y???z (unknown [198.51.100.7]) by mx with SMTP;"));
    g_autoptr(MailReceived) er = mail_received_parse(e);
    g_assert_cmpstr(er->from_ip, ==, "198.51.100.7");
    g_assert_true(er->has_date);

    /* Prepending it to a message folds it at 78 columns. */
    g_autoptr(MailMessage) m = mail_message_new();
    mail_message_append(m, "Subject", "x");
    mail_message_prepend(m, "Received", v);
    gsize len;
    const char *raw = mail_message_field_raw(m, 0, &len);
    g_auto(GStrv) lines = g_strsplit(raw, "\r\n", -1);
    g_assert_cmpuint(g_strv_length(lines), >, 2);
    for (guint i = 0; lines[i]; i++)
        g_assert_cmpuint(strlen(lines[i]), <=, 78);
    g_assert_cmpstr(mail_message_get(m, "received"), ==, v);
}

/* Every clause at once (the most pieces a value is built from), and a
 * Received without a "from" part. */
static void
test_build_all_clauses(void)
{
    MailReceivedInfo info = {
        .helo = "h\x7f(x)",
        .client_name = "n;a\\me",
        .client_ip = "IPv6:2001:db8::1",
        .by = "by.example",
        .via = "UUCP",
        .with = "LMTP",
        .id = "Q1",
        .for_rcpt = "r@example",
        .time_unix = 0,
        .offset_min = 60,
    };
    g_autofree char *v = mail_received_build(&info);
    g_assert_cmpstr(v, ==,
                    "from h??x? (n?a?me [IPv6:2001:db8::1]) by by.example via UUCP with LMTP id Q1 "
                    "for <r@example>; Thu, 1 Jan 1970 01:00:00 +0100");
    MailReceivedInfo ip_only = {.client_ip = "192.0.2.9", .by = "b", .time_unix = 86400};
    g_autofree char *w = mail_received_build(&ip_only);
    g_assert_cmpstr(w, ==, "from [192.0.2.9] (unknown [192.0.2.9]) by b with SMTP; "
                           "Fri, 2 Jan 1970 00:00:00 +0000");
    MailReceivedInfo by_only = {.by = "b", .is_esmtp = TRUE, .is_auth = TRUE};
    g_autofree char *x = mail_received_build(&by_only);
    g_assert_cmpstr(x, ==, "by b with ESMTPA; Thu, 1 Jan 1970 00:00:00 +0000");
}

static void
test_parse_rfc5322_a4(void)
{
    /* RFC 5322 A.4, the first Received field (folded as in the RFC). */
    g_autoptr(MailReceived) r = mail_received_parse(
        "from x.y.test\r\n   by example.net\r\n   via TCP\r\n   with ESMTP\r\n   id ABC12345\r\n"
        "   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600");
    g_assert_cmpstr(r->from, ==, "x.y.test");
    g_assert_cmpstr(r->by, ==, "example.net");
    g_assert_cmpstr(r->via, ==, "TCP");
    g_assert_cmpstr(r->with, ==, "ESMTP");
    g_assert_cmpstr(r->id, ==, "ABC12345");
    g_assert_cmpstr(r->for_addr, ==, "<mary@example.net>");
    g_assert_null(r->from_ip);
    g_assert_true(r->has_date);
    g_assert_cmpint(r->date.unix_utc, ==, 880128343); /* 1997-11-21T16:05:43Z */
    g_assert_true(r->is_well_formed);

    g_autoptr(MailReceived) r2 =
        mail_received_parse("from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600");
    g_assert_cmpstr(r2->from, ==, "node.example");
    g_assert_cmpstr(r2->by, ==, "x.y.test");
    g_assert_null(r2->with);
    g_assert_cmpint(r2->date.unix_utc, ==, 880128082);
}

static void
test_parse_real_world(void)
{
    /* Postfix local pickup: no from clause, a comment after by. */
    g_autoptr(MailReceived) p =
        mail_received_parse("by mail.zzz.org (Postfix, from userid 889)\tid 27CEAD38CC; Fri,  4 "
                            "May 2001 14:05:44 -0400 (EDT)");
    g_assert_null(p->from);
    g_assert_cmpstr(p->by, ==, "mail.zzz.org");
    g_assert_cmpstr(p->by_info, ==, "Postfix, from userid 889");
    g_assert_cmpstr(p->id, ==, "27CEAD38CC");
    g_assert_true(p->has_date);
    g_assert_false(p->is_well_formed);

    /* Address-literal from and unknown words. */
    g_autoptr(MailReceived) q =
        mail_received_parse("from [203.0.113.9] (helo=spoof) by mx frobnicate; bad date");
    g_assert_cmpstr(q->from, ==, "[203.0.113.9]");
    g_assert_cmpstr(q->from_ip, ==, "203.0.113.9");
    g_assert_false(q->has_date);
    g_assert_false(q->is_well_formed);

    /* Out of order and garbage never crash. */
    const char *junk[] = {
        "",           ";",
        "by",         "for for for",
        "((((",       "from (a (b) [1.2.3.4]",
        "with ; ; ;", "from a by b with c id d for e via f; 1 Jan 2000 00:00:00 +0000"};
    for (guint i = 0; i < G_N_ELEMENTS(junk); i++) {
        g_autoptr(MailReceived) j = mail_received_parse(junk[i]);
        g_assert_nonnull(j);
        if (i == G_N_ELEMENTS(junk) - 1) {
            g_assert_cmpstr(j->via, ==, "f");
            g_assert_false(j->is_well_formed); /* via after for */
        }
    }
}

static void
test_message_id(void)
{
    g_autofree char *id = mail_message_id_make("20261129.Q123", "msa.polito.it");
    g_assert_cmpstr(id, ==, "<20261129.Q123@msa.polito.it>");
    g_autofree char *p = mail_message_id_parse(id);
    g_assert_cmpstr(p, ==, "20261129.Q123@msa.polito.it");
    /* RFC 5322 A.2 References. */
    g_autoptr(GPtrArray) refs =
        mail_message_id_parse_list("<1234@local.machine.example>\r\n <3456@example.net>");
    g_assert_cmpuint(refs->len, ==, 2);
    g_assert_cmpstr(refs->pdata[0], ==, "1234@local.machine.example");
    g_assert_cmpstr(refs->pdata[1], ==, "3456@example.net");
    /* A.6.3: CFWS inside the msg-id (obsolete). */
    g_autofree char *o = mail_message_id_parse("<1234   @   local(blah)  .machine .example>");
    g_assert_cmpstr(o, ==, "1234@local.machine.example");
    /* Obsolete In-Reply-To with a phrase between ids. */
    g_autoptr(GPtrArray) irt = mail_message_id_parse_list("\"Mary's note\" <a@b> of Friday <c@d>");
    g_assert_cmpuint(irt->len, ==, 2);
    g_assert_cmpstr(irt->pdata[1], ==, "c@d");
    /* Broken ones. */
    g_assert_null(mail_message_id_parse("<no-at-sign>"));
    g_assert_null(mail_message_id_parse("<@x>"));
    g_assert_null(mail_message_id_parse("<a@b"));
    g_assert_null(mail_message_id_parse(""));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/received/build", test_build);
    g_test_add_func("/proto/received/build-all-clauses", test_build_all_clauses);
    g_test_add_func("/proto/received/parse-rfc5322-a4", test_parse_rfc5322_a4);
    g_test_add_func("/proto/received/parse-real-world", test_parse_real_world);
    g_test_add_func("/proto/received/message-id", test_message_id);
    return g_test_run();
}
