/* SPDX-License-Identifier: MIT
 * fuzz_scenario: the YAML scenario loader (scenario_load_string, DESIGN 5)
 * on hostile text: it must never crash, and every refusal must carry its
 * location ("fuzz.yaml:LINE:COL: what is wrong").
 */
#include "app/scenario.h"

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    g_autofree char *text = g_strndup((const char *)data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) spec = scenario_load_string(text, "fuzz.yaml", &error);
    if (spec == NULL) {
        g_assert_nonnull(error);
        g_assert_true(g_error_matches(error, SCENARIO_ERROR, error->code));
        g_assert_true(g_str_has_prefix(error->message, "fuzz.yaml:"));
    } else {
        g_assert_null(error);
    }
    return 0;
}
