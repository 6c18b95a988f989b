/* SPDX-License-Identifier: MIT
 * Tests for nodes/world_copies (the table of delivered copies): a copy is
 * found whatever the case of its message id and recipient, a copy noted
 * again replaces the first, an unknown one is NULL without an error, and
 * world_foreach_copy lists every copy once in the order of its key
 * ("msgid\nrcpt", lower case) with the bytes the spool holds.
 */
#include <string.h>

#include <glib.h>

#include "nodes/mail_spool.h"
#include "nodes/world.h"
#include "nodes/world_private.h"
#include "helper_spec.h"

static World *
copies_world(WorldSpec **spec_out)
{
    WorldSpec *spec = world_spec_new();
    NodeSpec *ms = test_spec_add_node(spec, SPEC_ROLE_MS, "ms", "192.0.2.3");
    g_strfreev(ms->domains);
    ms->domains = g_strsplit("example.com", ",", -1);
    g_autoptr(GError) error = NULL;
    World *w = world_new(spec, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    *spec_out = spec;
    return w;
}

/* Stores text in w's spool and notes it as msg_id's copy for rcpt. */
static void
copies_note(World *w, const char *msg_id, const char *rcpt, const char *text)
{
    g_autoptr(GError) error = NULL;
    MailSpool *spool = world_spool(w, &error);
    g_assert_no_error(error);
    g_autoptr(GBytes) b = g_bytes_new(text, strlen(text));
    MailSpoolRef ref;
    g_assert_true(mail_spool_append(spool, b, &ref, &error));
    world_note_copy(w, msg_id, rcpt, &ref);
}

static void
copies_assert(World *w, const char *msg_id, const char *rcpt, const char *want)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) got = world_copy_read(w, msg_id, rcpt, &error);
    g_assert_no_error(error);
    if (want == NULL) {
        g_assert_null(got);
        return;
    }
    g_assert_nonnull(got);
    g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got), want, strlen(want));
}

static void
copies_collect(const char *msg_id, const char *rcpt, GBytes *copy, gpointer user_data)
{
    GString *s = user_data;
    g_string_append_printf(s, "%s|%s|%.*s;", msg_id, rcpt, (int)g_bytes_get_size(copy),
                           (const char *)g_bytes_get_data(copy, NULL));
}

static void
test_world_copies(void)
{
    WorldSpec *spec = NULL;
    World *w = copies_world(&spec);
    copies_assert(w, "m1", "bob@example.com", NULL);
    copies_note(w, "m10", "Bob@Example.com", "ten");
    copies_note(w, "M1", "carol@example.com", "one-carol");
    copies_note(w, "m1", "bob@example.com", "one-bob");
    copies_note(w, "m2", "", "two-nobody");
    /* The case of the id and the address does not matter. */
    copies_assert(w, "m10", "bob@example.com", "ten");
    copies_assert(w, "M10", "BOB@EXAMPLE.COM", "ten");
    copies_assert(w, "m1", "Carol@example.com", "one-carol");
    copies_assert(w, "m1", "dave@example.com", NULL);
    copies_assert(w, "m1\nbob@example.com", "", NULL);
    /* Noted again: the later copy replaces the first. */
    copies_note(w, "m1", "BOB@example.com", "one-bob-again");
    copies_assert(w, "m1", "bob@example.com", "one-bob-again");
    g_autoptr(GString) all = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(world_foreach_copy(w, copies_collect, all, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(all->str, ==,
                    "m1|bob@example.com|one-bob-again;m1|carol@example.com|one-carol;"
                    "m10|bob@example.com|ten;m2||two-nobody;");
    world_free(w);
    world_spec_free(spec);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/world_copies/table", test_world_copies);
    return g_test_run();
}
