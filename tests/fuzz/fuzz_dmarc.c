/* SPDX-License-Identifier: MIT
 * fuzz_dmarc: the DMARC record parser (RFC 7489 6.3, 6.6.3) and policy
 * discovery (6.6.3) on hostile TXT records. The input's lines are the TXT
 * records of _dmarc.mail.example.co.uk (first line) and of the
 * Organizational Domain (the others); the first byte picks the DNS outcome
 * and the alignment inputs. A tiny public suffix list is fixed.
 */
#include <string.h>

#include "proto/dmarc.h"
#include "proto/psl.h"

#include "fuzz_common.h"

static Psl *
fuzz_dmarc_psl(void)
{
    static Psl *psl;
    if (psl == NULL) {
        static const char list[] = "com\nuk\nco.uk\n*.ck\n!www.ck\n";
        psl = psl_new();
        psl_add_list(psl, list, sizeof list - 1);
    }
    return psl;
}

static void
fuzz_dmarc_parse(const char *txt)
{
    DmarcRecord rec = {0};
    const char *why = NULL;
    if (dmarc_record_parse(txt, &rec, &why)) {
        g_assert_true(rec.pct <= 100);
        g_assert_true(dmarc_record_is_dmarc(txt));
        (void)dmarc_policy_sample(rec.p, rec.pct, 50);
    } else {
        g_assert_nonnull(why);
    }
    dmarc_record_clear(&rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const DmarcDnsStatus statuses[] = {DMARC_DNS_FOUND, DMARC_DNS_NXDOMAIN,
                                              DMARC_DNS_SERVFAIL, DMARC_DNS_TIMEOUT};
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    g_autofree char *text = fuzz_take_rest_string(&in);
    g_auto(GStrv) lines = g_strsplit(text, "\n", 16);
    for (guint i = 0; lines[i] != NULL; i++)
        fuzz_dmarc_parse(lines[i]);

    static const char *const dkim_domains[] = {"example.co.uk", NULL};
    DmarcCheckInput cin = {0};
    cin.from_domain = "mail.example.co.uk";
    cin.spf_domain = (flags & 0x04) ? "bounce.example.co.uk" : NULL;
    cin.dkim_domains = (flags & 0x08) ? dkim_domains : NULL;
    cin.psl = fuzz_dmarc_psl();
    cin.roll = (flags >> 4) * 6;
    g_autoptr(DmarcCheck) c = dmarc_check_new(&cin);
    guint asked = 0;
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        DmarcCheckAct act = {0};
        if (!dmarc_check_poll(c, &act))
            break;
        g_free(dmarc_check_act_to_string(&act));
        if (act.kind == DMARC_CHECK_ACT_NEED_TXT) {
            /* First query: the From domain's record; then the org domain's. */
            const char *records[3] = {NULL, NULL, NULL};
            guint n = g_strv_length(lines);
            if (asked == 0) {
                records[0] = lines[0];
            } else {
                for (guint k = 1; k < n && k < 3; k++)
                    records[k - 1] = lines[k];
            }
            DmarcDnsStatus st = asked == 0 ? statuses[flags & 0x03] : DMARC_DNS_FOUND;
            dmarc_check_answer(c, act.query_id, st, records);
            asked++;
        }
        dmarc_check_act_clear(&act);
    }
    g_assert_true(dmarc_check_is_done(c));
    const DmarcOutcome *o = dmarc_check_outcome(c);
    g_assert_nonnull(dmarc_result_name(o->result));
    g_assert_cmpuint(asked, <=, 2);
    return 0;
}
