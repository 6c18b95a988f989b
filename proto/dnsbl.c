/* SPDX-License-Identifier: MIT
 * dnsbl: RFC 5782 2.1, 2.3, 2.4 query names and section 5 / operational
 * meaning of the answer codes. The zone self-test of section 7 is left to
 * the caller (it needs two more lookups).
 */
#include "proto/dnsbl.h"

#include <string.h>

static char *
dnsbl_join(const char *left, const char *zone)
{
    g_autofree char *z = dns_name_normalize(zone);
    g_autofree char *l = dns_name_normalize(left);
    return g_strdup_printf("%s.%s", l, z);
}

char *
dnsbl_query_name(const char *ip, const char *zone)
{
    g_return_val_if_fail(ip != NULL && zone != NULL, NULL);
    /* Dual-stack sockets show IPv4 clients as ::ffff:a.b.c.d: use the IPv4 list form. */
    if (g_ascii_strncasecmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.') != NULL)
        ip += 7;
    g_autofree char *rev = dns_reverse_name(ip);
    if (rev == NULL)
        return NULL;
    static const char *const suffixes[] = {".in-addr.arpa", ".ip6.arpa"};
    for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        gsize n = strlen(rev), k = strlen(suffixes[i]);
        if (n > k && strcmp(rev + n - k, suffixes[i]) == 0) {
            rev[n - k] = '\0';
            break;
        }
    }
    return dnsbl_join(rev, zone);
}

char *
dnsbl_domain_query_name(const char *domain, const char *zone)
{
    g_return_val_if_fail(domain != NULL && zone != NULL, NULL);
    return dnsbl_join(domain, zone);
}

DnsblVerdict
dnsbl_classify(const DnsAnswer *answer, char ***codes)
{
    if (codes)
        *codes = NULL;
    if (answer->rcode == DNS_RCODE_SERVFAIL || answer->rcode == DNS_RCODE_TIMEOUT)
        return DNSBL_TEMPFAIL;
    if (answer->rcode != DNS_RCODE_NOERROR || answer->records == NULL)
        return DNSBL_NOT_LISTED;
    GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
    gboolean error_code = FALSE;
    for (guint i = 0; i < answer->records->len; i++) {
        const DnsRecord *r = answer->records->pdata[i];
        if (r->type != DNS_RR_A)
            continue;
        if (g_str_has_prefix(r->text, "127.255.255.")) {
            error_code = TRUE; /* Spamhaus-style "you are querying wrongly" */
            continue;
        }
        if (strcmp(r->text, "127.0.0.1") == 0)
            continue; /* RFC 5782 5: never a listing */
        g_ptr_array_add(found, g_strdup(r->text));
    }
    DnsblVerdict v = found->len > 0 ? DNSBL_LISTED
                     : error_code   ? DNSBL_LIST_ERROR
                                    : DNSBL_NOT_LISTED;
    if (v == DNSBL_LISTED && codes) {
        g_ptr_array_add(found, NULL);
        *codes = (char **)g_ptr_array_free(found, FALSE);
    } else {
        g_ptr_array_unref(found);
    }
    return v;
}

const char *
dnsbl_verdict_name(DnsblVerdict v)
{
    switch (v) {
    case DNSBL_NOT_LISTED:
        return "not-listed";
    case DNSBL_LISTED:
        return "listed";
    case DNSBL_LIST_ERROR:
        return "list-error";
    case DNSBL_TEMPFAIL:
        return "tempfail";
    }
    return "unknown";
}

char *
dnsbl_reject_text(const char *ip, const char *list, const char *txt)
{
    if (txt && *txt) {
        /* RFC 5782 2.1: the TXT text explains the listing. It comes from the
         * list's zone, so it must not end or split the reply line (RFC 5321
         * 4.2): every control or non-ASCII byte becomes '?'. */
        g_autofree char *clean = g_strdup(txt);
        for (char *p = clean; *p; p++)
            if ((guchar)*p < 0x20 || (guchar)*p >= 0x7f)
                *p = '?';
        return g_strdup_printf("Service unavailable; client [%s] blocked using %s; %s", ip, list,
                               clean);
    }
    return g_strdup_printf("Service unavailable; client [%s] blocked using %s", ip, list);
}
