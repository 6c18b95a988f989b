/* SPDX-License-Identifier: MIT
 * Tests for nodes/spam_template: {n} and {rand} in forged header values,
 * other text (stray braces too) copied, {rand} reproducible from a seed
 * and different from one message to the next.
 */
#include <string.h>

#include <glib.h>

#include "nodes/spam_template.h"

static void
test_number(void)
{
    g_autofree char *a = spam_template_expand("<{n}.x@bulk.example>", 7, NULL);
    g_assert_cmpstr(a, ==, "<7.x@bulk.example>");
    g_autofree char *b = spam_template_expand("{n}{n} {x} {n", 12, NULL);
    g_assert_cmpstr(b, ==, "1212 {x} {n");
    g_autofree char *c = spam_template_expand("plain", 1, NULL);
    g_assert_cmpstr(c, ==, "plain");
}

static void
test_rand(void)
{
    g_autoptr(GRand) r1 = g_rand_new_with_seed(42);
    g_autoptr(GRand) r2 = g_rand_new_with_seed(42);
    g_autofree char *a = spam_template_expand("<{rand}@h>", 1, r1);
    g_autofree char *b = spam_template_expand("<{rand}@h>", 1, r2);
    g_autofree char *c = spam_template_expand("<{rand}@h>", 1, r1);
    /* Same seed, same draw; the next draw differs. */
    g_assert_cmpstr(a, ==, b);
    g_assert_cmpstr(a, !=, c);
    g_assert_cmpuint(strlen(a), ==, strlen("<@h>") + 16);
    for (const char *p = a + 1; p < a + 17; p++)
        g_assert_true(g_ascii_isxdigit(*p) && !g_ascii_isupper(*p));
    /* No {rand}: the stream is not drawn from. */
    g_autoptr(GRand) r3 = g_rand_new_with_seed(42);
    g_autofree char *d = spam_template_expand("{n}", 3, r3);
    g_autofree char *e = spam_template_expand("<{rand}@h>", 1, r3);
    g_assert_cmpstr(e, ==, a);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nodes/spam-template/number", test_number);
    g_test_add_func("/nodes/spam-template/rand", test_rand);
    return g_test_run();
}
