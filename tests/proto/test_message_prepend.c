/* SPDX-License-Identifier: MIT
 * Tests for mail_message_bytes_prepend_fields() (proto/message.c): several
 * trace fields put in front of a message in one copy (RFC 5321 4.4: a store
 * adds Return-Path and Received) give the bytes of prepending them one at
 * a time, last field first; long values fold (RFC 5322 2.2.3).
 */
#include <string.h>

#include <glib.h>

#include "proto/message.h"

static void
check_same(const char *const *names, const char *const *values, guint n, const char *body)
{
    g_autoptr(GBytes) msg = g_bytes_new(body, strlen(body));
    g_autoptr(GBytes) one = mail_message_bytes_prepend_fields(msg, names, values, n);
    GBytes *step = g_bytes_ref(msg);
    for (guint i = n; i > 0; i--) {
        GBytes *next = mail_message_bytes_prepend(step, names[i - 1], values[i - 1]);
        g_bytes_unref(step);
        step = next;
    }
    g_assert_true(g_bytes_equal(one, step));
    g_bytes_unref(step);
}

static void
test_prepend_fields_literal(void)
{
    const char *const names[] = {"Return-Path", "Received"};
    const char *const values[] = {"<a@a.example>", "from x by y; Thu, 1 Jan 2026 00:00:00 +0000"};
    g_autoptr(GBytes) msg = g_bytes_new_static("Subject: s\r\n\r\nbody\r\n", 20);
    g_autoptr(GBytes) out = mail_message_bytes_prepend_fields(msg, names, values, 2);
    static const char want[] = "Return-Path: <a@a.example>\r\n"
                               "Received: from x by y; Thu, 1 Jan 2026 00:00:00 +0000\r\n"
                               "Subject: s\r\n\r\nbody\r\n";
    gsize n = 0;
    const char *d = g_bytes_get_data(out, &n);
    g_assert_cmpmem(d, n, want, sizeof want - 1);
}

static void
test_prepend_fields_same_as_steps(void)
{
    const char *const names[] = {"Return-Path", "Received", "X-Long"};
    const char *const values[] = {
        "<someone@example.org>",
        "from client.example (client.example [192.0.2.1]) by mx.example.net with ESMTP id "
        "ABCDEF0123 for <user@example.net>; Thu, 1 Jan 2026 00:00:00 +0000",
        "a value\r\nwith a line break and a "
        "wordthatislongerthanthefoldwidthofseventyeightcharacters"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx end"};
    for (guint n = 0; n <= G_N_ELEMENTS(names); n++) {
        check_same(names, values, n, "Subject: s\r\n\r\nbody\r\n");
        check_same(names, values, n, "");
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/message_prepend/literal", test_prepend_fields_literal);
    g_test_add_func("/proto/message_prepend/same_as_steps", test_prepend_fields_same_as_steps);
    return g_test_run();
}
