/* SPDX-License-Identifier: MIT
 * fuzz_spf: the SPF record parser (RFC 7208 4.5, 4.6, 12) and
 * check_host() (RFC 7208 4, 5, 7) over a fuzzed zone. The first byte
 * picks the client address, the identity and how unknown names answer
 * (NXDOMAIN, SERVFAIL, timeout, empty). The rest is lines: the first is the
 * TXT record of example.com, each further line a TXT record that any other
 * name draws by hash (tabs split a record into character-strings).
 * A, AAAA, MX and PTR come from a tiny fixed zone. check_host() must end
 * within the RFC 7208 4.6.4 limits.
 */
#include <string.h>

#include "proto/dns_zone.h"
#include "proto/spf-private.h"
#include "proto/spf.h"

#include "fuzz_common.h"

/* RFC 7208 4.6.4: 10 terms, each with at most 10 names, plus the record
 * lookups and exp=: far below this. */
#define FUZZ_SPF_QUERIES_MAX 400

static DnsZone *
fuzz_spf_fixed_zone(void)
{
    static DnsZone *zone;
    if (zone != NULL)
        return zone;
    static const char *const rows[][3] = {
        {"example.com", "A", "192.0.2.3"},
        {"example.com", "AAAA", "2001:db8::1"},
        {"example.com", "MX", "10 mx.example.com"},
        {"example.com", "MX", "20 mx2.example.com"},
        {"mx.example.com", "A", "192.0.2.10"},
        {"mx2.example.com", "AAAA", "2001:db8::10"},
        {"mail.example.com", "A", "192.0.2.3"},
        {"3.2.0.192.in-addr.arpa", "PTR", "mail.example.com"},
        {"3.2.0.192.in-addr.arpa", "PTR", "other.example.net"},
        {"alias.example.com", "CNAME", "mail.example.com"},
    };
    zone = dns_zone_new();
    for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *problem = NULL;
        g_assert_true(dns_zone_add(zone, rows[i][0], dns_rr_type_from_name(rows[i][1]), rows[i][2],
                                   &problem));
    }
    return zone;
}

static void
fuzz_spf_answer_txt(SpfCheck *c, const SpfAct *act, char **lines, DnsRcode unknown)
{
    guint n = g_strv_length(lines);
    g_autofree char *name = dns_name_normalize(act->name);
    const char *line = NULL;
    if (g_strcmp0(name, "example.com") == 0)
        line = lines[0];
    else if (n > 1)
        line = lines[1 + g_str_hash(name) % (n - 1)];
    if (line == NULL || *line == '\0') {
        SpfAnswer ans = {.rcode = unknown};
        spf_check_answer(c, act->query_id, &ans);
        return;
    }
    g_auto(GStrv) strings = g_strsplit(line, "\t", -1);
    SpfAnswerRecord rec = {.text = line, .strings = (const char *const *)strings};
    SpfAnswer ans = {.rcode = DNS_RCODE_NOERROR, .records = &rec, .n_records = 1};
    spf_check_answer(c, act->query_id, &ans);
}

static void
fuzz_spf_answer_fixed(SpfCheck *c, const SpfAct *act, DnsRcode unknown)
{
    DnsAnswer da = {0};
    dns_zone_lookup(fuzz_spf_fixed_zone(), act->name, act->type, &da);
    guint n = da.records != NULL ? da.records->len : 0;
    g_autofree SpfAnswerRecord *recs = g_new0(SpfAnswerRecord, n + 1);
    for (guint i = 0; i < n; i++) {
        const DnsRecord *r = g_ptr_array_index(da.records, i);
        recs[i].text = r->text;
        recs[i].pref = r->pref;
    }
    SpfAnswer ans = {.rcode = da.rcode == DNS_RCODE_NXDOMAIN ? unknown : da.rcode,
                     .records = recs,
                     .n_records = n};
    spf_check_answer(c, act->query_id, &ans);
    dns_answer_clear(&da);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ips[] = {"192.0.2.3", "198.51.100.7", "2001:db8::1",
                                      "::ffff:192.0.2.10"};
    static const DnsRcode unknowns[] = {DNS_RCODE_NXDOMAIN, DNS_RCODE_SERVFAIL, DNS_RCODE_TIMEOUT,
                                        DNS_RCODE_NOERROR};
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    g_autofree char *text = fuzz_take_rest_string(&in);
    g_auto(GStrv) lines = g_strsplit(text, "\n", 64);
    if (lines[0] == NULL) { /* empty input: one empty line */
        g_strfreev(lines);
        lines = g_new0(char *, 2);
        lines[0] = g_strdup("");
    }

    /* The parser alone, on the first line. */
    g_autofree char *problem = NULL;
    SpfRecord *rec = spf_record_parse(lines[0], &problem);
    g_assert_true((rec == NULL) == (problem != NULL));
    g_clear_pointer(&rec, spf_record_free);
    (void)spf_record_is_spf(lines[0]);

    SpfRequest req = {0};
    req.ip = ips[flags & 0x03];
    req.sender = (flags & 0x04) ? "" : "user@example.com";
    req.helo = "mail.example.com";
    req.receiver = "mx.receiver.example";
    req.identity = (flags & 0x08) ? SPF_IDENTITY_HELO : SPF_IDENTITY_MAILFROM;
    req.now_unix = 1700000000;
    DnsRcode unknown = unknowns[(flags >> 4) & 0x03];

    g_autoptr(SpfCheck) c = spf_check_new(&req);
    guint queries = 0;
    for (guint i = 0; i < FUZZ_ACTIONS_MAX; i++) {
        SpfAct act = {0};
        g_assert_true(spf_check_poll(c, &act));
        g_free(spf_act_to_string(&act));
        if (act.kind == SPF_ACT_DONE) {
            g_assert_true(spf_check_is_done(c));
            g_assert_cmpint(spf_check_get_result(c), ==, act.result);
            spf_act_clear(&act);
            SpfAct none = {0};
            g_assert_false(spf_check_poll(c, &none));
            return 0;
        }
        if (act.kind == SPF_ACT_QUERY) {
            g_assert_cmpuint(++queries, <=, FUZZ_SPF_QUERIES_MAX);
            if (act.type == DNS_RR_TXT)
                fuzz_spf_answer_txt(c, &act, lines, unknown);
            else
                fuzz_spf_answer_fixed(c, &act, unknown);
        }
        spf_act_clear(&act);
    }
    g_error("spf: more than %d actions", FUZZ_ACTIONS_MAX);
}
