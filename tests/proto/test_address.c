/* SPDX-License-Identifier: MIT
 * Tests for proto/address: RFC 5322 3.4 mailboxes, groups and lists (with
 * the 4.4 obsolete forms of Appendix A.6.1), comments, the clean form, and
 * the addr-spec classifier against the is_email suite.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/address.h"

static void
assert_mailbox(const MailMailbox *mb, const char *name, const char *addr)
{
    g_assert_nonnull(mb);
    g_assert_cmpstr(mb->display_name, ==, name);
    g_assert_cmpstr(mb->addr, ==, addr);
}

static void
test_mailbox_forms(void)
{
    g_autoptr(MailMailbox) a = mail_mailbox_parse("John Doe <jdoe@machine.example>", NULL);
    assert_mailbox(a, "John Doe", "jdoe@machine.example");
    g_assert_cmpstr(a->local_part, ==, "jdoe");
    g_assert_cmpstr(a->domain, ==, "machine.example");
    g_autoptr(MailMailbox) b = mail_mailbox_parse("mary@example.net", NULL);
    assert_mailbox(b, NULL, "mary@example.net");
    g_autoptr(MailMailbox) c = mail_mailbox_parse("<boss@nil.test>", NULL);
    assert_mailbox(c, NULL, "boss@nil.test");
    /* RFC 5322 A.1.2: quoted display name with a quoted-pair. */
    g_autoptr(MailMailbox) d =
        mail_mailbox_parse("\"Giant; \\\"Big\\\" Box\" <sysservices@example.net>", NULL);
    assert_mailbox(d, "Giant; \"Big\" Box", "sysservices@example.net");
    /* Quoted local part is decoded, and re-quoted in the clean form. */
    g_autoptr(MailMailbox) e = mail_mailbox_parse("\"john doe\"@example.com", NULL);
    g_assert_cmpstr(e->local_part, ==, "john doe");
    g_assert_cmpstr(e->addr, ==, "\"john doe\"@example.com");
    g_autoptr(MailMailbox) f = mail_mailbox_parse("\"plain\"@example.com", NULL);
    g_assert_cmpstr(f->addr, ==, "plain@example.com");
    g_autoptr(MailMailbox) g = mail_mailbox_parse("x@[192.0.2.1]", NULL);
    g_assert_cmpstr(g->domain, ==, "[192.0.2.1]");
    /* Two mailboxes are not one. */
    g_assert_null(mail_mailbox_parse("a@b.example, c@d.example", NULL));
    g_assert_null(mail_mailbox_parse("", NULL));
}

static void
test_groups(void)
{
    MailAddressInfo info = {0};
    g_autoptr(GPtrArray) l = mail_address_list_parse(
        "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", &info);
    g_assert_nonnull(l);
    g_assert_cmpuint(l->len, ==, 1);
    MailAddress *a = l->pdata[0];
    g_assert_cmpstr(a->group_name, ==, "A Group");
    g_assert_cmpuint(a->members->len, ==, 3);
    assert_mailbox(a->members->pdata[0], "Ed Jones", "c@a.test");
    assert_mailbox(a->members->pdata[1], NULL, "joe@where.test");
    assert_mailbox(a->members->pdata[2], "John", "jdoe@one.test");
    g_assert_cmpuint(info.flags & MAIL_ADDRESS_FLAG_OBSOLETE, ==, 0);
    mail_address_info_clear(&info);

    g_autoptr(GPtrArray) u = mail_address_list_parse("undisclosed-recipients:;", NULL);
    g_assert_nonnull(u);
    g_assert_cmpuint(u->len, ==, 1);
    g_assert_cmpstr(((MailAddress *)u->pdata[0])->group_name, ==, "undisclosed-recipients");
    g_assert_cmpuint(((MailAddress *)u->pdata[0])->members->len, ==, 0);

    /* Mixed list, flattened. */
    g_autoptr(GPtrArray) m =
        mail_address_list_parse("x@a.example, G: y@b.example, z@c.example;, w@d.example", NULL);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->len, ==, 3);
    g_autoptr(GPtrArray) flat = mail_address_list_flatten(m);
    g_assert_cmpuint(flat->len, ==, 4);
    g_assert_cmpstr(((MailMailbox *)flat->pdata[3])->addr, ==, "w@d.example");

    /* Groups are not allowed in a mailbox-list (From). */
    g_assert_null(mail_mailbox_list_parse("G: a@b.example;", NULL));
}

static void
test_comments_and_obsolete(void)
{
    /* RFC 5322 A.5 */
    MailAddressInfo info = {0};
    g_autoptr(GPtrArray) from = mail_mailbox_list_parse(
        "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", &info);
    g_assert_nonnull(from);
    assert_mailbox(from->pdata[0], "Pete", "pete@silly.test");
    g_assert_nonnull(info.comments);
    g_assert_cmpuint(info.comments->len, ==, 3);
    g_assert_cmpstr(info.comments->pdata[0], ==, "A nice ) chap");
    g_assert_cmpstr(info.comments->pdata[1], ==, "his account");
    g_assert_cmpstr(info.comments->pdata[2], ==, "his host");
    g_assert_true(info.flags & MAIL_ADDRESS_FLAG_COMMENTS);
    mail_address_info_clear(&info);

    /* Nested comment text is kept as written. */
    g_autoptr(GPtrArray) cc = mail_address_list_parse(
        "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", &info);
    g_assert_nonnull(cc);
    g_assert_cmpstr(((MailAddress *)cc->pdata[0])->group_name, ==, "Hidden recipients");
    g_assert_cmpstr(info.comments->pdata[2], ==, "nobody(that I know)");
    mail_address_info_clear(&info);

    /* RFC 5322 A.6.1: obs-phrase, obs-route, empty elements, obs-domain. */
    g_autoptr(GPtrArray) f1 =
        mail_mailbox_list_parse("Joe Q. Public <john.q.public@example.com>", &info);
    assert_mailbox(f1->pdata[0], "Joe Q. Public", "john.q.public@example.com");
    g_assert_true(info.flags & MAIL_ADDRESS_FLAG_OBSOLETE);
    mail_address_info_clear(&info);
    g_autoptr(GPtrArray) to = mail_address_list_parse(
        "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example", &info);
    g_assert_nonnull(to);
    g_assert_cmpuint(to->len, ==, 2);
    MailMailbox *mary = ((MailAddress *)to->pdata[0])->mailbox;
    assert_mailbox(mary, "Mary Smith", "mary@example.net");
    g_assert_cmpstr(mary->route, ==, "@node.test");
    assert_mailbox(((MailAddress *)to->pdata[1])->mailbox, NULL, "jdoe@test.example");
    g_assert_true(info.flags & MAIL_ADDRESS_FLAG_OBSOLETE);
    mail_address_info_clear(&info);

    /* RFC 5322 A.6.3: comments and spaces inside the addr-spec. */
    g_autoptr(MailMailbox) j =
        mail_mailbox_parse("John Doe <jdoe@machine(comment).  example>", NULL);
    assert_mailbox(j, "John Doe", "jdoe@machine.example");

    /* Empty Bcc (RFC 5322 3.6.3) is an empty list, not an error. */
    g_autoptr(GPtrArray) bcc = mail_address_list_parse("  (none) ", NULL);
    g_assert_nonnull(bcc);
    g_assert_cmpuint(bcc->len, ==, 0);
}

static void
test_malformed(void)
{
    const char *bad[] = {
        "<a@b.example", "a@b.example>", "\"unclosed@x", "(unclosed a@b", "a@",
        "@b.example",   "a@b.example;", "<>",           "a@b..example",  "Name <a@b.example> junk",
        "a@[1.2.3.4",   "x\x01y@z"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GPtrArray) l = mail_address_list_parse(bad[i], NULL);
        if (l != NULL)
            g_error("accepted malformed %s", bad[i]);
    }
    /* A bare local part is accepted and flagged (seen in real mail). */
    MailAddressInfo info = {0};
    g_autoptr(GPtrArray) l = mail_address_list_parse("foo", &info);
    g_assert_nonnull(l);
    g_assert_true(info.flags & MAIL_ADDRESS_FLAG_NO_DOMAIN);
    assert_mailbox(((MailAddress *)l->pdata[0])->mailbox, NULL, "foo");
    mail_address_info_clear(&info);
    /* Huge input stays bounded and does not crash. */
    GString *big = g_string_new(NULL);
    for (int i = 0; i < 20000; i++)
        g_string_append(big, "a@b.example,");
    g_autoptr(GPtrArray) bl = mail_address_list_parse(big->str, NULL);
    g_assert_null(bl); /* over MAIL_ADDRESS_LIST_MAX */
    g_string_free(big, TRUE);
}

static void
test_to_string(void)
{
    g_autoptr(MailMailbox) a = mail_mailbox_new("Doe, Jane", "jane", "example.net");
    g_autofree char *s = mail_mailbox_to_string(a);
    g_assert_cmpstr(s, ==, "\"Doe, Jane\" <jane@example.net>");
    g_autoptr(MailMailbox) b = mail_mailbox_new("Mary Smith", "mary", "example.net");
    g_autofree char *t = mail_mailbox_to_string(b);
    g_assert_cmpstr(t, ==, "Mary Smith <mary@example.net>");
    /* Round trip. */
    g_autoptr(MailMailbox) c = mail_mailbox_parse(s, NULL);
    assert_mailbox(c, "Doe, Jane", "jane@example.net");
}

static void
test_addr_spec_literals(void)
{
    /* Facts from the is_email suite, restated. */
    g_assert_cmpint(mail_addr_spec_classify("test@iana.org", 13, NULL), ==, MAIL_ADDR_SPEC_VALID);
    g_assert_cmpint(mail_addr_spec_classify("\"test\"@iana.org", 15, NULL), ==,
                    MAIL_ADDR_SPEC_RFC5321);
    g_assert_cmpint(mail_addr_spec_classify("test@[255.255.255.255]", 22, NULL), ==,
                    MAIL_ADDR_SPEC_RFC5321);
    g_assert_cmpint(mail_addr_spec_classify("(comment)test@iana.org", 22, NULL), ==,
                    MAIL_ADDR_SPEC_CFWS);
    g_assert_cmpint(mail_addr_spec_classify("\"test\".test@iana.org", 20, NULL), ==,
                    MAIL_ADDR_SPEC_DEPREC);
    g_assert_cmpint(mail_addr_spec_classify("test@[RFC-5322-domain-literal]", 30, NULL), ==,
                    MAIL_ADDR_SPEC_RFC5322);
    g_assert_cmpint(mail_addr_spec_classify("test..iana.org", 14, NULL), ==, MAIL_ADDR_SPEC_ERR);
    g_assert_true(mail_addr_spec_is_smtp_mailbox("a@b.example", 11));
    g_assert_false(mail_addr_spec_is_smtp_mailbox("a@b.example\r\n", 13));
    g_assert_false(mail_addr_spec_is_smtp_mailbox("a\0b@c.example", 13));
}

static MailAddrSpecClass
isemail_category(const char *cat)
{
    if (g_str_equal(cat, "ISEMAIL_VALID_CATEGORY") || g_str_equal(cat, "ISEMAIL_DNSWARN"))
        return MAIL_ADDR_SPEC_VALID; /* DNSWARN needs DNS: syntax alone is valid */
    if (g_str_equal(cat, "ISEMAIL_RFC5321"))
        return MAIL_ADDR_SPEC_RFC5321;
    if (g_str_equal(cat, "ISEMAIL_CFWS"))
        return MAIL_ADDR_SPEC_CFWS;
    if (g_str_equal(cat, "ISEMAIL_DEPREC"))
        return MAIL_ADDR_SPEC_DEPREC;
    if (g_str_equal(cat, "ISEMAIL_RFC5322"))
        return MAIL_ADDR_SPEC_RFC5322;
    return MAIL_ADDR_SPEC_ERR;
}

/* is_email ids whose category we give differently, with why. */
static const struct {
    int id;
    MailAddrSpecClass ours;
} isemail_known_differences[] = {
    /* "test@io": is_email found an MX for io.; without DNS a lone TLD is RFC5321. */
    {5, MAIL_ADDR_SPEC_RFC5321},
};

static void
test_isemail_suite(void)
{
    g_autofree char *path = test_conformance_path("rfc5322/isemail/tests.yaml");
    if (path == NULL) {
        g_test_message("conformance folder absent: skipping the is_email suite");
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, &err);
    g_assert_no_error(err);
    TestYaml *tests = test_yaml_get(doc, "tests");
    guint n = test_yaml_len(tests), same_cat = 0, same_smtp = 0;
    for (guint i = 0; i < n; i++) {
        TestYaml *t = test_yaml_at(tests, i);
        TestYaml *addr = test_yaml_get(t, "address");
        int id = atoi(test_yaml_str(t, "id"));
        const char *cat = test_yaml_str(t, "category");
        MailAddrSpecClass want = isemail_category(cat);
        for (guint k = 0; k < G_N_ELEMENTS(isemail_known_differences); k++)
            if (isemail_known_differences[k].id == id)
                want = isemail_known_differences[k].ours;
        const char *diag = NULL;
        MailAddrSpecClass got = mail_addr_spec_classify(addr->value, addr->len, &diag);
        gboolean want_smtp = g_str_equal(cat, "ISEMAIL_VALID_CATEGORY") ||
                             g_str_equal(cat, "ISEMAIL_DNSWARN") ||
                             g_str_equal(cat, "ISEMAIL_RFC5321");
        if (want_smtp == mail_addr_spec_is_smtp_mailbox(addr->value, addr->len))
            same_smtp++;
        else
            g_test_message("id %d: smtp acceptance differs (%s, ours %s: %s)", id, cat,
                           mail_addr_spec_class_name(got), diag);
        if (got == want)
            same_cat++;
        else
            g_test_message("id %d: category %s, ours %s (%s)", id, cat,
                           mail_addr_spec_class_name(got), diag);
    }
    g_test_message("is_email: %u/%u SMTP-acceptance, %u/%u category", same_smtp, n, same_cat, n);
    g_assert_cmpuint(n, ==, 164);
    g_assert_cmpuint(same_smtp, ==, n);
    g_assert_cmpuint(same_cat, ==, n);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/address/mailbox-forms", test_mailbox_forms);
    g_test_add_func("/proto/address/groups", test_groups);
    g_test_add_func("/proto/address/comments-and-obsolete", test_comments_and_obsolete);
    g_test_add_func("/proto/address/malformed", test_malformed);
    g_test_add_func("/proto/address/to-string", test_to_string);
    g_test_add_func("/proto/address/addr-spec-literals", test_addr_spec_literals);
    g_test_add_func("/proto/address/isemail-suite", test_isemail_suite);
    return g_test_run();
}
