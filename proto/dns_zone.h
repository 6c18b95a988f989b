/* SPDX-License-Identifier: MIT
 * dns_zone: the simulated DNS data model shared by the DNS node, SPF, DKIM,
 * DMARC and DNSBL: names mapped to record sets (A, AAAA, MX, TXT, PTR,
 * CNAME, NS), names that fail (TIMEOUT, SERVFAIL), and a lookup that follows
 * CNAME chains (RFC 1034 3.6.2) and wildcard names (RFC 4592, leftmost "*"
 * label, simplified: no closest-encloser proof). Pure data: no time, no I/O.
 * Names compare case-insensitively (RFC 4343), a trailing dot is ignored.
 */
#ifndef PROTO_DNS_ZONE_H
#define PROTO_DNS_ZONE_H

#include <glib.h>

typedef enum {
    DNS_RR_A = 1,
    DNS_RR_NS = 2,
    DNS_RR_CNAME = 5,
    DNS_RR_PTR = 12,
    DNS_RR_MX = 15,
    DNS_RR_TXT = 16,
    DNS_RR_AAAA = 28,
    DNS_RR_SPF = 99, /* RFC 7208 3.1: obsolete type; only loaded, never required */
} DnsRrType;

typedef enum {
    DNS_RCODE_NOERROR = 0,  /* the name exists; records may be empty (NODATA) */
    DNS_RCODE_SERVFAIL = 2, /* the server failed */
    DNS_RCODE_NXDOMAIN = 3, /* the name does not exist */
    DNS_RCODE_TIMEOUT = -1, /* no answer at all (simulated loss) */
} DnsRcode;

typedef struct {
    DnsRrType type;
    char *name;     /* owner name, lower case, no trailing dot */
    guint32 ttl;
    char *text;     /* A/AAAA: address text; MX/CNAME/PTR/NS: target host; TXT: concatenation */
    guint16 pref;   /* MX preference */
    char **strings; /* TXT: the character-strings (NULL-terminated), RFC 7208 3.3 */
} DnsRecord;

typedef struct {
    DnsRcode rcode;
    GPtrArray *records; /* DnsRecord* (transfer none: owned by the zone) */
    char *canonical;    /* the name after CNAMEs (transfer full) */
} DnsAnswer;

typedef struct DnsZone DnsZone;

DnsZone *dns_zone_new(void);
DnsZone *dns_zone_ref(DnsZone *zone);
void dns_zone_unref(DnsZone *zone);
/* A deep copy: records, failure marks and all (transfer full). A run adds
 * records to its own copy and leaves the scenario's zone as written. */
DnsZone *dns_zone_copy(const DnsZone *zone);

/* Adds a record. value: A/AAAA address, CNAME/PTR/NS target, MX "PREF HOST",
 * TXT the whole text (one character-string; see dns_zone_add_txt for
 * several). Returns FALSE with a message in *problem (transfer full) when the
 * value does not fit the type (bad address, MX without a preference). */
gboolean dns_zone_add(DnsZone *zone, const char *name, DnsRrType type, const char *value,
                      char **problem);
void dns_zone_add_txt(DnsZone *zone, const char *name, const char *const *strings);
/* Makes queries for name fail with rcode (SERVFAIL or TIMEOUT). Records added
 * before the mark still answer queries of their type (the SPF suite's
 * "TIMEOUT after a record" form); every other query fails. */
void dns_zone_set_failure(DnsZone *zone, const char *name, DnsRcode rcode);
gboolean dns_zone_has_name(const DnsZone *zone, const char *name);

/* Looks up name/type. The answer borrows records from the zone: valid until
 * the zone is changed or freed. */
void dns_zone_lookup(const DnsZone *zone, const char *name, DnsRrType type, DnsAnswer *answer);
void dns_answer_clear(DnsAnswer *answer);

const char *dns_rr_type_name(DnsRrType type);
/* "A", "mx", ... -> type; 0 when unknown. */
DnsRrType dns_rr_type_from_name(const char *name);
const char *dns_rcode_name(DnsRcode rcode);

/* Names of every owner in the zone, sorted (transfer full: free with g_strfreev). */
char **dns_zone_names(const DnsZone *zone);
/* Every record of the zone, sorted by name then insertion (transfer container). */
GPtrArray *dns_zone_records(const DnsZone *zone);

/* Normalises a domain name: lower case, trailing dot removed (transfer full). */
char *dns_name_normalize(const char *name);
/* PTR name of an IPv4 or IPv6 address: "5.5.192.130.in-addr.arpa" or the
 * nibble form under ip6.arpa (RFC 3596 2.5). NULL when not an address. */
char *dns_reverse_name(const char *ip);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DnsZone, dns_zone_unref)

#endif
