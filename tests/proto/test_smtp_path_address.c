/* SPDX-License-Identifier: MIT
 * Tests for smtp_path_address_size() and smtp_path_write_address()
 * (proto/smtp_path.c): the address of a parsed path (RFC 5321 4.1.2
 * Mailbox, "" for the null reverse-path of 4.5.5, "Postmaster" for
 * <Postmaster> of 4.5.1) written into a caller's buffer, the same as
 * smtp_path_to_address() gives.
 */
#include <string.h>

#include <glib.h>

#include "proto/smtp_path.h"

static void
check_path(const char *text, gboolean reverse, const char *want)
{
    SmtpPath path;
    gsize used = 0;
    g_assert_cmpint(smtp_path_parse(text, strlen(text), reverse, TRUE, &path, &used), ==,
                    SMTP_PATH_OK);
    gsize size = smtp_path_address_size(&path);
    g_assert_cmpuint(size, ==, strlen(want) + 1);
    /* Written between guards: exactly size octets, nothing around them. */
    char buf[300];
    memset(buf, 'Z', sizeof buf);
    g_assert_cmpuint(smtp_path_write_address(&path, buf + 8), ==, size);
    g_assert_cmpstr(buf + 8, ==, want);
    for (guint i = 0; i < 8; i++)
        g_assert_cmpint(buf[i], ==, 'Z');
    g_assert_cmpint(buf[8 + size], ==, 'Z');
    g_autofree char *a = smtp_path_to_address(&path);
    g_assert_cmpstr(a, ==, want);
    smtp_path_clear(&path);
}

static void
test_path_address(void)
{
    check_path("<user@example.org>", FALSE, "user@example.org");
    check_path("<>", TRUE, "");
    check_path("<Postmaster>", FALSE, "Postmaster");
    check_path("<\"a b\"@example.org>", FALSE, "\"a b\"@example.org");
    check_path("<x@[192.0.2.1]>", FALSE, "x@[192.0.2.1]");
    check_path("<@relay.example:u@example.net>", FALSE, "u@example.net");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smtp_path_address/write", test_path_address);
    return g_test_run();
}
