/* SPDX-License-Identifier: MIT
 * Tests for app/maildir_export: the Maildir host part (the convention
 * encodes '/' and ':'), the directory checks made before a run, and an
 * export of a hand-built world: one file per message in new/ or, once
 * retrieved, in cur/ with ":2,S", LF line ends, tmp/ left empty, and a
 * failed export that removes what it wrote.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "app/maildir_export.h"
#include "nodes/ms_node.h"
#include "nodes/world.h"

static void
test_host_part(void)
{
    g_autofree char *a = maildir_export_host_part("ms.example.com");
    g_assert_cmpstr(a, ==, "ms.example.com");
    g_autofree char *b = maildir_export_host_part("a/b:c");
    g_assert_cmpstr(b, ==, "a\\057b\\072c");
}

static void
test_prepare(void)
{
    g_autofree char *root = g_dir_make_tmp("mhs-maildir-XXXXXX", NULL);
    g_autofree char *sub = g_build_filename(root, "x", "y", NULL);
    g_autoptr(GError) e1 = NULL;
    g_assert_true(maildir_export_prepare(sub, &e1));
    g_assert_true(g_file_test(sub, G_FILE_TEST_IS_DIR));
    g_autofree char *file = g_build_filename(root, "f", NULL);
    g_assert_true(g_file_set_contents(file, "", 0, NULL));
    g_autoptr(GError) e2 = NULL;
    g_assert_false(maildir_export_prepare(file, &e2));
    g_assert_error(e2, MAILDIR_EXPORT_ERROR, MAILDIR_EXPORT_ERROR_DIR);
    g_assert_nonnull(strstr(e2->message, "is not a directory"));
    g_autofree char *under = g_build_filename(file, "sub", NULL);
    g_autoptr(GError) e3 = NULL;
    g_assert_false(maildir_export_prepare(under, &e3));
    g_assert_error(e3, MAILDIR_EXPORT_ERROR, MAILDIR_EXPORT_ERROR_DIR);
    g_unlink(file);
    g_rmdir(sub);
    g_autofree char *x = g_build_filename(root, "x", NULL);
    g_rmdir(x);
    g_rmdir(root);
}

/* A world with one store holding two messages for bob, one retrieved. */
static World *
make_world(WorldSpec **spec_out)
{
    WorldSpec *spec = world_spec_new();
    NodeSpec *ms = node_spec_new(SPEC_ROLE_MS);
    ms->name = g_strdup("ms");
    ms->hostname = g_strdup("ms.example.com");
    g_strfreev(ms->ips);
    ms->ips = g_strsplit("192.0.2.3", ",", -1);
    g_strfreev(ms->domains);
    ms->domains = g_strsplit("example.com", ",", -1);
    g_ptr_array_add(spec->nodes, ms);
    UserSpec *u = user_spec_new();
    u->address = g_strdup("bob@example.com");
    g_ptr_array_add(spec->users, u);
    g_autoptr(GError) error = NULL;
    World *w = world_new(spec, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    GPtrArray *box = ms_node_mailbox(ms_node_lookup(w, "ms"), "bob@example.com");
    g_assert_nonnull(box);
    for (guint i = 0; i < 2; i++) {
        g_autofree char *uid = g_strdup_printf("Q.%u", i);
        g_autofree char *msg_id = g_strdup_printf("m%u", i);
        g_autofree char *text = g_strdup_printf("Subject: s%u\r\n\r\nline\r\n", i);
        g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));
        MsMessage *mm =
            ms_node_store(ms_node_lookup(w, "ms"), "bob@example.com", uid, msg_id, bytes, &error);
        g_assert_no_error(error);
        mm->delivered_at = 1500000 * (i + 1);
        mm->retrieved = i == 1;
    }
    *spec_out = spec;
    return w;
}

static guint
count_files(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    guint n = 0;
    while (d && g_dir_read_name(d))
        n++;
    return n;
}

static void
test_export(void)
{
    WorldSpec *spec;
    World *w = make_world(&spec);
    g_autofree char *root = g_dir_make_tmp("mhs-maildir-XXXXXX", NULL);
    guint n = 0;
    g_autoptr(GError) error = NULL;
    g_assert_true(maildir_export_world(w, root, &n, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(n, ==, 2);
    g_autofree char *box = g_build_filename(root, "bob@example.com", NULL);
    g_autofree char *tmp = g_build_filename(box, "tmp", NULL);
    g_autofree char *nw = g_build_filename(box, "new", NULL);
    g_autofree char *cur = g_build_filename(box, "cur", NULL);
    g_assert_cmpuint(count_files(tmp), ==, 0);
    g_assert_cmpuint(count_files(nw), ==, 1);
    g_assert_cmpuint(count_files(cur), ==, 1);
    g_autoptr(GDir) d = g_dir_open(cur, 0, NULL);
    const char *name = g_dir_read_name(d);
    /* epoch + 3 s, 0 us; the seen flag. */
    g_assert_true(g_str_has_prefix(name, "1767225603.M000000P"));
    g_assert_true(g_str_has_suffix(name, ".ms.example.com:2,S"));
    g_autofree char *path = g_build_filename(cur, name, NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "Subject: s1\n\nline\n");
    /* A second export into the same DIR adds files, never replaces. */
    guint n2 = 0;
    g_assert_true(maildir_export_world(w, root, &n2, NULL));
    g_assert_cmpuint(count_files(nw), ==, 2);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", root);
    g_assert_cmpint(system(cmd), ==, 0);
    world_free(w);
    world_spec_free(spec);
}

/* The mailbox cannot be made: nothing stays behind. */
static void
test_export_fails(void)
{
    WorldSpec *spec;
    World *w = make_world(&spec);
    g_autofree char *root = g_dir_make_tmp("mhs-maildir-XXXXXX", NULL);
    g_autofree char *blocker = g_build_filename(root, "bob@example.com", NULL);
    g_assert_true(g_file_set_contents(blocker, "", 0, NULL));
    g_autoptr(GError) error = NULL;
    g_assert_false(maildir_export_world(w, root, NULL, &error));
    g_assert_error(error, MAILDIR_EXPORT_ERROR, MAILDIR_EXPORT_ERROR_DIR);
    g_assert_cmpuint(count_files(root), ==, 1);
    g_unlink(blocker);
    g_rmdir(root);
    world_free(w);
    world_spec_free(spec);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/maildir-export/host-part", test_host_part);
    g_test_add_func("/app/maildir-export/prepare", test_prepare);
    g_test_add_func("/app/maildir-export/export", test_export);
    g_test_add_func("/app/maildir-export/export-fails", test_export_fails);
    return g_test_run();
}
