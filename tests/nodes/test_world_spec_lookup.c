/* SPDX-License-Identifier: MIT
 * Tests for the look-ups of nodes/world_spec: world_spec_find_node() by
 * name and world_spec_find_user() by address, case-insensitive (RFC 5321
 * 2.4 leaves the local part's case to the host; mhs treats addresses
 * case-insensitively throughout). Their hash tables must give what a
 * linear scan gives: the first entry with the key, entries added after a
 * look-up found, an array that shrank re-indexed.
 */
#include <glib.h>

#include "nodes/world_spec.h"

static NodeSpec *
add_node(WorldSpec *s, const char *name)
{
    NodeSpec *n = node_spec_new(SPEC_ROLE_MTA);
    n->name = g_strdup(name);
    g_ptr_array_add(s->nodes, n);
    return n;
}

static UserSpec *
add_user(WorldSpec *s, const char *address)
{
    UserSpec *u = user_spec_new();
    u->address = g_strdup(address);
    g_ptr_array_add(s->users, u);
    return u;
}

static void
test_nodes(void)
{
    WorldSpec *s = world_spec_new();
    g_assert_null(world_spec_find_node(s, "a"));
    NodeSpec *a = add_node(s, "a");
    g_assert_true(world_spec_find_node(s, "a") == a);
    g_assert_null(world_spec_find_node(s, "A")); /* node names are case-sensitive */
    g_assert_null(world_spec_find_node(s, NULL));
    /* Added after the table was built, and a duplicate name: the first wins. */
    NodeSpec *b = add_node(s, "b");
    add_node(s, "a");
    g_assert_true(world_spec_find_node(s, "b") == b);
    g_assert_true(world_spec_find_node(s, "a") == a);
    /* Thousands, each found. */
    for (int i = 0; i < 5000; i++) {
        g_autofree char *name = g_strdup_printf("pc%d.uni.example", i);
        add_node(s, name);
    }
    for (int i = 0; i < 5000; i += 7) {
        g_autofree char *name = g_strdup_printf("pc%d.uni.example", i);
        NodeSpec *n = world_spec_find_node(s, name);
        g_assert_nonnull(n);
        g_assert_cmpstr(n->name, ==, name);
    }
    /* A shrunk array is indexed again: no dangling entries. */
    g_ptr_array_set_size(s->nodes, 2);
    g_assert_null(world_spec_find_node(s, "pc3.uni.example"));
    g_assert_true(world_spec_find_node(s, "b") == b);
    world_spec_free(s);
}

static void
test_users(void)
{
    WorldSpec *s = world_spec_new();
    UserSpec *bob = add_user(s, "Bob@Example.COM");
    g_assert_true(world_spec_find_user(s, "bob@example.com") == bob);
    g_assert_true(world_spec_find_user(s, "BOB@EXAMPLE.COM") == bob);
    g_assert_null(world_spec_find_user(s, "bob@example.org"));
    g_assert_null(world_spec_find_user(s, NULL));
    add_user(s, "bob@example.com"); /* later duplicate: the first wins */
    g_assert_true(world_spec_find_user(s, "bob@example.com") == bob);
    /* An address longer than the look-up's stack buffer. */
    GString *longaddr = g_string_new(NULL);
    for (int i = 0; i < 300; i++)
        g_string_append_c(longaddr, 'x');
    g_string_append(longaddr, "@Example.com");
    UserSpec *l = add_user(s, longaddr->str);
    g_assert_true(world_spec_find_user(s, longaddr->str) == l);
    g_autofree char *upper = g_ascii_strup(longaddr->str, -1);
    g_assert_true(world_spec_find_user(s, upper) == l);
    g_string_free(longaddr, TRUE);
    UserSpec *none = user_spec_new(); /* no address: never found, no crash */
    g_ptr_array_add(s->users, none);
    g_assert_true(world_spec_find_user(s, "bob@example.com") == bob);
    world_spec_free(s);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/world-spec/find-node", test_nodes);
    g_test_add_func("/nodes/world-spec/find-user", test_users);
    return g_test_run();
}
