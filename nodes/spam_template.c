/* SPDX-License-Identifier: MIT
 * spam_template: {n} and {rand} in forged header values (see the header).
 */
#include "nodes/spam_template.h"

#include <string.h>

char *
spam_template_expand(const char *value, guint n, GRand *rng)
{
    g_return_val_if_fail(value != NULL, NULL);
    GString *s = g_string_new(NULL);
    for (const char *p = value; *p;) {
        if (g_str_has_prefix(p, "{n}")) {
            g_string_append_printf(s, "%u", n);
            p += 3;
        } else if (g_str_has_prefix(p, "{rand}") && rng != NULL) {
            guint32 hi = g_rand_int(rng), lo = g_rand_int(rng);
            g_string_append_printf(s, "%08x%08x", hi, lo);
            p += 6;
        } else {
            g_string_append_c(s, *p++);
        }
    }
    return g_string_free(s, FALSE);
}
