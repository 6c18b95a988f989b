/* SPDX-License-Identifier: MIT
 * spf: the Sender Policy Framework check_host() function (RFC 7208) as a
 * sans-I/O engine. The engine asks for DNS records (QUERY actions) and the
 * caller answers them; it reports its reasoning (STEP actions) and its
 * result (DONE). It does no DNS, no I/O and reads no clock: the time for
 * the %{t} macro is a request parameter. The obsolete SPF RR type (RFC 7208
 * 3.1) is never queried: records come from TXT only.
 */
#ifndef PROTO_SPF_H
#define PROTO_SPF_H

#include <glib.h>

#include "proto/dns_zone.h"

/* RFC 7208 2.6: the results of check_host(). */
typedef enum {
    SPF_RESULT_NONE = 0,
    SPF_RESULT_NEUTRAL,
    SPF_RESULT_PASS,
    SPF_RESULT_FAIL,
    SPF_RESULT_SOFTFAIL,
    SPF_RESULT_TEMPERROR,
    SPF_RESULT_PERMERROR,
} SpfResult;

/* RFC 7208 2.3, 2.4: which identity is checked. */
typedef enum {
    SPF_IDENTITY_MAILFROM = 0, /* <domain> is the domain of the MAIL FROM sender */
    SPF_IDENTITY_HELO,         /* <domain> is the HELO/EHLO name */
} SpfIdentity;

typedef struct {
    const char *ip;       /* client address, IPv4 or IPv6 text (IPv4-mapped IPv6 is IPv4) */
    const char *sender;   /* MAIL FROM address; NULL or "" means postmaster@helo (RFC 7208 2.4) */
    const char *helo;     /* HELO/EHLO name (%{h}); NULL means "" */
    const char *receiver; /* the checking host's name for %{r}; NULL means "unknown" */
    SpfIdentity identity;
    gint64 now_unix; /* %{t} (RFC 7208 7.2); 0 is a valid time */
} SpfRequest;

typedef enum {
    SPF_ACT_NONE = 0, /* zero value only; poll() returned FALSE */
    SPF_ACT_QUERY,    /* act->query_id, act->name, act->type: answer with spf_check_answer() */
    SPF_ACT_STEP,     /* act->text: one step of the reasoning, for --explain and traces */
    SPF_ACT_DONE,     /* act->result, act->mechanism, act->explanation: the check is over */
} SpfActKind;

typedef struct {
    SpfActKind kind;
    guint32 query_id;  /* QUERY */
    char *name;        /* QUERY: the name to look up (transfer full) */
    DnsRrType type;    /* QUERY: DNS_RR_A, AAAA, MX, TXT or PTR */
    char *text;        /* STEP (transfer full) */
    SpfResult result;  /* DONE */
    char *mechanism;   /* DONE (nullable, transfer full): the term that decided the result
                        * ("-all", "include:x.example"), NULL for the default result */
    char *explanation; /* DONE (nullable, transfer full): the expanded exp= text on fail
                        * (RFC 7208 6.2); NULL when none applies (use a local default) */
} SpfAct;

/* One resource record of an answer. */
typedef struct {
    const char *text;           /* A/AAAA: address text; MX: exchange host; PTR: target name;
                                 * TXT: the whole text when strings is NULL */
    guint16 pref;               /* MX preference */
    const char *const *strings; /* TXT (nullable): the character-strings, NULL-terminated;
                                 * joined with no separator (RFC 7208 3.3) */
    const gsize *lengths;       /* TXT (nullable): octets in each string, for strings that
                                 * hold NUL octets; NULL means strlen() of each */
} SpfAnswerRecord;

/* The answer to one QUERY. Records of a type other than the one asked for
 * must not be passed (a CNAME chain is the caller's business). */
typedef struct {
    DnsRcode rcode;                 /* NOERROR, NXDOMAIN, SERVFAIL or TIMEOUT */
    const SpfAnswerRecord *records; /* (transfer none) n_records entries */
    guint n_records;
} SpfAnswer;

typedef struct SpfCheck SpfCheck;

/* Starts check_host() for req (copied; nothing is borrowed). Never NULL:
 * a malformed request ends with DONE none or permerror. */
SpfCheck *spf_check_new(const SpfRequest *req);
/* Yields the next action into act (caller-owned; clear it with
 * spf_act_clear()). Returns FALSE when there is nothing to do: a query is
 * pending, or the check is done and DONE was already yielded. */
gboolean spf_check_poll(SpfCheck *c, SpfAct *act);
/* Answers the pending query query_id (ans is copied). Legal only for the
 * query last yielded and not yet answered. */
void spf_check_answer(SpfCheck *c, guint32 query_id, const SpfAnswer *ans);
gboolean spf_check_is_done(const SpfCheck *c);
/* The result once done (SPF_RESULT_NONE before). */
SpfResult spf_check_get_result(const SpfCheck *c);
/* Number of DNS-querying terms evaluated so far (RFC 7208 4.6.4). */
guint spf_check_get_lookups(const SpfCheck *c);
void spf_check_free(SpfCheck *c);

void spf_act_clear(SpfAct *act);
/* "QUERY 3 TXT example.com", "STEP ...", "DONE fail -all" (transfer full). */
char *spf_act_to_string(const SpfAct *act);
/* "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror". */
const char *spf_result_name(SpfResult r);
/* The inverse; FALSE when name is not a result. */
gboolean spf_result_from_name(const char *name, SpfResult *r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SpfCheck, spf_check_free)

#endif
