/* SPDX-License-Identifier: MIT
 * fuzz_dns_zone: the YAML zone loader (scenario_load_zone_string: a zone
 * mapping alone or a scenario's dns: key, DESIGN 5) on hostile text. A
 * zone that loads is walked: every name looked up for every type (CNAME
 * chains, wildcards); a zone that does not load must say where
 * ("fuzz.yaml:LINE:COL: ...").
 */
#include <string.h>

#include "app/scenario.h"
#include "proto/dns_zone.h"

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const DnsRrType types[] = {DNS_RR_A,  DNS_RR_NS,  DNS_RR_CNAME, DNS_RR_PTR,
                                      DNS_RR_MX, DNS_RR_TXT, DNS_RR_AAAA,  DNS_RR_SPF};
    fuzz_init();
    g_autofree char *text = g_strndup((const char *)data, size);
    g_autoptr(GError) error = NULL;
    g_autoptr(DnsZone) zone = scenario_load_zone_string(text, "fuzz.yaml", &error);
    if (zone == NULL) {
        g_assert_nonnull(error);
        g_assert_true(g_str_has_prefix(error->message, "fuzz.yaml:"));
        return 0;
    }
    g_assert_null(error);
    g_auto(GStrv) names = dns_zone_names(zone);
    for (guint i = 0; names[i] != NULL && i < 64; i++) {
        for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
            DnsAnswer ans = {0};
            dns_zone_lookup(zone, names[i], types[t], &ans);
            dns_answer_clear(&ans);
        }
        g_autofree char *sub = g_strconcat("x.", names[i], NULL);
        DnsAnswer ans = {0};
        dns_zone_lookup(zone, sub, DNS_RR_TXT, &ans);
        dns_answer_clear(&ans);
        g_free(dns_reverse_name(names[i]));
    }
    g_ptr_array_unref(dns_zone_records(zone));
    return 0;
}
