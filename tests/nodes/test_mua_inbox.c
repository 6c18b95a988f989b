/* SPDX-License-Identifier: MIT
 * Tests for nodes/mua_inbox (the copies a mua fetched and keeps): the
 * newest copy of a message comes back byte for byte from the spool, an
 * untracked copy is kept but never found by id, a copy the spool refuses
 * (/dev/full: ENOSPC) is kept in memory instead, and without a spool the
 * copies stay in memory.
 */
#include <string.h>

#include <glib.h>

#include "nodes/mua_inbox.h"

static GBytes *
inbox_text(const char *s)
{
    return g_bytes_new(s, strlen(s));
}

static void
inbox_assert_copy(const MuaInbox *in, MailSpool *spool, const char *id, const char *want)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) got = mua_inbox_copy(in, spool, id, &error);
    g_assert_no_error(error);
    if (want == NULL) {
        g_assert_null(got);
        return;
    }
    g_assert_nonnull(got);
    g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got), want, strlen(want));
}

static void
test_inbox_spool(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MailSpool) spool = mail_spool_new(&error);
    g_assert_no_error(error);
    g_autoptr(MuaInbox) in = mua_inbox_new();
    g_assert_cmpuint(mua_inbox_count(in), ==, 0);
    inbox_assert_copy(in, spool, "m1", NULL);
    const char *texts[] = {"Subject: a\r\n\r\none\r\n", "Subject: b\r\n\r\ntwo\r\n",
                           "Subject: a again\r\n\r\n\r\n", ""};
    const char *ids[] = {"m1", "m2", "m1", NULL};
    for (guint i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GBytes) b = inbox_text(texts[i]);
        mua_inbox_add(in, spool, ids[i], b);
    }
    g_assert_cmpuint(mua_inbox_count(in), ==, 4);
    /* The bytes went to the spool, back to back. */
    g_assert_cmpuint(mail_spool_size(spool), ==,
                     strlen(texts[0]) + strlen(texts[1]) + strlen(texts[2]));
    inbox_assert_copy(in, spool, "m1", texts[2]); /* newest first */
    inbox_assert_copy(in, spool, "m2", texts[1]);
    inbox_assert_copy(in, spool, "m3", NULL);
    /* An untracked copy is kept but has no id to be found by. */
    inbox_assert_copy(in, spool, NULL, "");
}

static void
test_inbox_spool_full(void)
{
    /* Linux's full device: every write fails with ENOSPC. */
    g_assert_true(g_file_test("/dev/full", G_FILE_TEST_EXISTS));
    g_autoptr(GError) error = NULL;
    g_autoptr(MailSpool) spool = mail_spool_new_at("/dev/full", &error);
    g_assert_no_error(error);
    g_autoptr(MuaInbox) in = mua_inbox_new();
    g_autoptr(GBytes) b = inbox_text("Subject: kept\r\n\r\nin memory\r\n");
    mua_inbox_add(in, spool, "m1", b);
    g_assert_cmpuint(mail_spool_size(spool), ==, 0);
    inbox_assert_copy(in, spool, "m1", "Subject: kept\r\n\r\nin memory\r\n");
}

static void
test_inbox_no_spool(void)
{
    g_autoptr(MuaInbox) in = mua_inbox_new();
    g_autoptr(GBytes) b = inbox_text("x");
    mua_inbox_add(in, NULL, "m1", b);
    inbox_assert_copy(in, NULL, "m1", "x");
}

static void
test_inbox_spool_gone(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MailSpool) spool = mail_spool_new(&error);
    g_assert_no_error(error);
    g_autoptr(MuaInbox) in = mua_inbox_new();
    g_autoptr(GBytes) b = inbox_text("x");
    mua_inbox_add(in, spool, "m1", b);
    /* A copy in a spool cannot be read without it: an error, not bytes. */
    g_autoptr(GBytes) got = mua_inbox_copy(in, NULL, "m1", &error);
    g_assert_null(got);
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mua_inbox/spool", test_inbox_spool);
    g_test_add_func("/mua_inbox/spool_full", test_inbox_spool_full);
    g_test_add_func("/mua_inbox/no_spool", test_inbox_no_spool);
    g_test_add_func("/mua_inbox/spool_gone", test_inbox_spool_gone);
    return g_test_run();
}
