/* SPDX-License-Identifier: MIT
 * dnsbl: DNS blocklist conventions (RFC 5782): the query name for a client
 * address (2.1 IPv4 octets reversed, 2.4 IPv6 nibbles reversed) or a
 * domain (2.3), what an A answer means (2.1: any A record is a listing;
 * 127.0.0.1 never is, 5; 127.255.255.x is an operator's error code, not a
 * listing), and the SMTP refusal text (Postfix reject_rbl_client style).
 * Pure: the caller resolves the names (through its DNS) and decides policy.
 */
#ifndef PROTO_DNSBL_H
#define PROTO_DNSBL_H

#include <glib.h>

#include "proto/dns_zone.h"

typedef enum {
    DNSBL_NOT_LISTED = 0, /* NXDOMAIN, NODATA, or only 127.0.0.1 */
    DNSBL_LISTED,         /* at least one listing code */
    DNSBL_LIST_ERROR,     /* only error codes (127.255.255.x): ignore the list */
    DNSBL_TEMPFAIL,       /* SERVFAIL or timeout: never a 5xx (RFC 5782 smtp behaviour) */
} DnsblVerdict;

/* Query name of a client address under zone: lower case, no trailing dot;
 * an IPv4-mapped address written "::ffff:a.b.c.d" is looked up in its IPv4
 * form. NULL when ip is not an address. (transfer full) */
char *dnsbl_query_name(const char *ip, const char *zone);
/* RHSBL query name: domain + "." + zone, normalised (transfer full). */
char *dnsbl_domain_query_name(const char *domain, const char *zone);
/* Reads an A answer. codes (nullable) receives the listing codes found
 * (transfer full, NULL-terminated) when LISTED. */
DnsblVerdict dnsbl_classify(const DnsAnswer *answer, char ***codes);
const char *dnsbl_verdict_name(DnsblVerdict v);
/* "Service unavailable; client [IP] blocked using LIST" plus "; TXT" when
 * txt is given and not empty, its control and non-ASCII bytes made '?'
 * (transfer full). The reply is 554 5.7.1. */
char *dnsbl_reject_text(const char *ip, const char *list, const char *txt);

#define DNSBL_REJECT_CODE 554
#define DNSBL_REJECT_ENHANCED "5.7.1"

#endif
