/* SPDX-License-Identifier: MIT
 * Tests for nodes/relay_policy's CIDR helper (permit_mynetworks, Postfix
 * mynetworks notation "a.b.c.d/n"): prefix lengths 0 to 32, a bare
 * address, and malformed entries, which match nothing.
 */
#include <glib.h>

#include "nodes/relay_policy.h"
#include "sim/net.h"

static guint32
ip(const char *s)
{
    guint32 a = 0;
    g_assert_true(sim_ipv4_parse(s, &a));
    return a;
}

static void
test_cidr_match(void)
{
    g_assert_true(relay_policy_cidr_match("192.0.2.0/24", ip("192.0.2.77")));
    g_assert_false(relay_policy_cidr_match("192.0.2.0/24", ip("192.0.3.1")));
    g_assert_true(relay_policy_cidr_match("10.0.0.0/8", ip("10.255.1.2")));
    g_assert_true(relay_policy_cidr_match("0.0.0.0/0", ip("203.0.113.9")));
    g_assert_true(relay_policy_cidr_match("198.51.100.7/32", ip("198.51.100.7")));
    g_assert_false(relay_policy_cidr_match("198.51.100.7/32", ip("198.51.100.6")));
    /* No prefix length: the one address. */
    g_assert_true(relay_policy_cidr_match("198.51.100.7", ip("198.51.100.7")));
    g_assert_false(relay_policy_cidr_match("198.51.100.7", ip("198.51.100.8")));
    /* The network's host bits are ignored, as Postfix does. */
    g_assert_true(relay_policy_cidr_match("192.0.2.99/24", ip("192.0.2.1")));
}

static void
test_cidr_malformed(void)
{
    guint32 any = ip("192.0.2.1");
    g_assert_false(relay_policy_cidr_match("192.0.2.0/33", any));
    g_assert_false(relay_policy_cidr_match("192.0.2/24", any));
    g_assert_false(relay_policy_cidr_match("192.000.002.001/32", any));
    g_assert_false(relay_policy_cidr_match("192.0.2.1.5/32", any));
    g_assert_false(relay_policy_cidr_match("1921.0.2.1/32", any));
    g_assert_false(relay_policy_cidr_match("", any));
    g_assert_false(relay_policy_cidr_match("/24", any));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/relay-policy/cidr-match", test_cidr_match);
    g_test_add_func("/nodes/relay-policy/cidr-malformed", test_cidr_malformed);
    return g_test_run();
}
