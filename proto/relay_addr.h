/* SPDX-License-Identifier: MIT
 * relay_addr: where an envelope recipient really goes, read the way
 * Postfix's trivial-rewrite(8) reads it, with the address tricks of the
 * open-relay era as switches (postconf(5) allow_percent_hack,
 * swap_bangpath, resolve_dequoted_address, allow_untrusted_routing).
 * The relay decision judges one domain; the router sends to another when
 * a trick is enabled: that gap is the exploit. With every switch off (the
 * default, Postfix's own defaults) the two are the same: a source route is
 * ignored (RFC 5321 3.6.1), "%", "!" and quoted "@" stay in the local part.
 * Pure: no policy about which domains are local, no I/O.
 */
#ifndef PROTO_RELAY_ADDR_H
#define PROTO_RELAY_ADDR_H

#include <glib.h>

#include "proto/smtp_path.h"

/* Misconfigurations; zero = Postfix defaults (all off). */
typedef struct {
    gboolean percent_hack;  /* "user%remote@local" is routed to user@remote */
    gboolean bang_path;     /* "remote!user@local" is routed to user@remote */
    gboolean source_routes; /* "<@local:user@remote>": the first hop is judged, the
                               route followed (RFC 5321 3.6.1 says ignore it) */
    gboolean dequote;       /* "\"user@remote\"@local" is routed to user@remote */
} RelayAddrOptions;

typedef enum {
    RELAY_ADDR_TRICK_NONE = 0,
    RELAY_ADDR_TRICK_PERCENT,
    RELAY_ADDR_TRICK_BANG,
    RELAY_ADDR_TRICK_ROUTE,
    RELAY_ADDR_TRICK_DEQUOTE,
} RelayAddrTrick;

typedef struct {
    char *judged_domain;     /* the domain the relay decision looks at: lower case,
                                trailing dot removed, "[literal]" kept; "" for none */
    gboolean judged_literal; /* judged_domain is an address literal */
    char *next_local;        /* the local part mail is finally routed to (quotes kept
                                unless dequoted) */
    char *next_domain;       /* the domain mail is finally routed to (normalised) */
    RelayAddrTrick trick;    /* the trick that made next differ, or NONE */
} RelayAddr;

/* Resolves a parsed Forward-path (path from smtp_path_parse). out is
 * cleared first; free its strings with relay_addr_clear(). Returns FALSE
 * for a path without a domain (<Postmaster>, <>): out is then empty. */
gboolean relay_addr_resolve(const SmtpPath *path, const RelayAddrOptions *opt, RelayAddr *out);
void relay_addr_clear(RelayAddr *a);
/* "next_local@next_domain" (transfer full). */
char *relay_addr_next(const RelayAddr *a);
const char *relay_addr_trick_name(RelayAddrTrick trick);
/* Lower case, one trailing dot removed (RFC 5321 2.4; Postfix strips it). */
char *relay_addr_normalize_domain(const char *domain);
/* The IPv4 address inside "[a.b.c.d]" or "[IPv4:a.b.c.d]", or NULL (transfer full). */
char *relay_addr_literal_ip(const char *domain);

#endif
