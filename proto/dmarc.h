/* SPDX-License-Identifier: MIT
 * dmarc: DMARC policy records, identifier alignment and sans-I/O policy
 * discovery (RFC 7489 3.1, 6.3, 6.6). The check asks for the TXT records of
 * _dmarc.<From domain>, then of _dmarc.<Organizational Domain>, and is
 * answered; pct sampling takes a roll (0..99) from the caller.
 * Not done: sending aggregate/failure reports, external report
 * authorization (7.1), the pending DMARCbis tags.
 */
#ifndef PROTO_DMARC_H
#define PROTO_DMARC_H

#include <glib.h>

#include "proto/psl.h"

typedef enum {
    DMARC_POLICY_NONE = 0,
    DMARC_POLICY_QUARANTINE,
    DMARC_POLICY_REJECT,
} DmarcPolicy;

typedef enum {
    DMARC_ALIGN_RELAXED = 0, /* same Organizational Domain */
    DMARC_ALIGN_STRICT,      /* exactly the same domain */
} DmarcAlign;

/* RFC 8601 2.7.6 dmarc= results. */
typedef enum {
    DMARC_RESULT_NONE = 0,  /* no policy record */
    DMARC_RESULT_PASS,      /* an aligned SPF or DKIM pass */
    DMARC_RESULT_FAIL,      /* a policy exists and nothing aligned passed */
    DMARC_RESULT_TEMPERROR, /* DNS failure during discovery */
    DMARC_RESULT_PERMERROR, /* unusable record (syntax, several records) */
} DmarcResult;

/* A parsed record (RFC 7489 6.3). Strings owned by the record. */
typedef struct {
    DmarcPolicy p;
    gboolean has_sp;
    DmarcPolicy sp;
    DmarcAlign adkim, aspf;
    guint pct;  /* 0..100, default 100 */
    char *rua;  /* (nullable) as written */
    char *ruf;  /* (nullable) as written */
    char *fo;   /* default "0" */
    char *rf;   /* default "afrf" */
    guint32 ri; /* default 86400 */
} DmarcRecord;

/* Parses a record. FALSE (with *why set to a static reason when why is
 * non-NULL) when it does not start with "v=DMARC1" or a tag is invalid;
 * RFC 7489 6.6.3 then applies no policy. out is cleared first and filled
 * only on success. A missing or bad p= with a valid rua= gives p=none (6.6.3
 * step 6). Unknown tags are ignored (6.3). */
gboolean dmarc_record_parse(const char *txt, DmarcRecord *out, const char **why);
void dmarc_record_clear(DmarcRecord *r);
/* TRUE when txt starts with "v=DMARC1" (6.6.3 step 2 filter). */
gboolean dmarc_record_is_dmarc(const char *txt);

/* RFC 7489 3.1: is auth_domain aligned with from_domain? Case-insensitive;
 * relaxed compares Organizational Domains from psl. */
gboolean dmarc_is_aligned(const Psl *psl, const char *auth_domain, const char *from_domain,
                          DmarcAlign mode);

/* RFC 7489 6.3 pct / 6.6.4: when roll (0..99) >= pct the message is not
 * sampled and the next weaker policy applies (reject -> quarantine ->
 * none). */
DmarcPolicy dmarc_policy_sample(DmarcPolicy p, guint pct, guint roll);
/* A roll for dmarc_policy_sample from the caller's generator. */
guint dmarc_roll(GRand *rand);

const char *dmarc_result_name(DmarcResult r);
const char *dmarc_policy_name(DmarcPolicy p);

/* ---- the check (sans-I/O) ---- */

typedef struct DmarcCheck DmarcCheck;

typedef struct {
    const char *from_domain;         /* RFC5322.From domain (required) */
    const char *spf_domain;          /* (nullable) domain SPF authenticated (result pass) */
    const char *const *dkim_domains; /* (nullable) NULL-terminated d= of passing signatures */
    const Psl *psl;                  /* (transfer none) must outlive the check */
    guint roll;                      /* 0..99 for pct sampling (see dmarc_roll) */
} DmarcCheckInput;

typedef enum {
    DMARC_CHECK_ACT_NONE = 0, /* zero value only; poll() returned FALSE */
    DMARC_CHECK_ACT_NEED_TXT, /* look up TXT act->qname, answer with query_id */
    DMARC_CHECK_ACT_DONE,     /* outcome final (given once) */
} DmarcCheckActKind;

typedef struct {
    DmarcCheckActKind kind;
    guint32 query_id;
    char *qname; /* (transfer full) "_dmarc.example.com" */
} DmarcCheckAct;

typedef enum {
    DMARC_DNS_FOUND = 0, /* records given (possibly none) */
    DMARC_DNS_NXDOMAIN,
    DMARC_DNS_SERVFAIL,
    DMARC_DNS_TIMEOUT,
} DmarcDnsStatus;

typedef struct {
    DmarcResult result;
    gboolean spf_aligned, dkim_aligned;
    const char *record_domain; /* (nullable) where the record was found */
    const char *org_domain;    /* Organizational Domain of the From domain */
    const DmarcRecord *record; /* (nullable) */
    DmarcPolicy policy;        /* published for this From (p, or sp for subdomains) */
    DmarcPolicy disposition;   /* what to do: none on pass, else policy after pct */
    const char *detail;        /* human text */
} DmarcOutcome;

/* Copies the input. NULL psl is a programmer error. */
DmarcCheck *dmarc_check_new(const DmarcCheckInput *in);
void dmarc_check_free(DmarcCheck *c);
gboolean dmarc_check_poll(DmarcCheck *c, DmarcCheckAct *act);
void dmarc_check_act_clear(DmarcCheckAct *act);
/* "NEED_TXT 1 _dmarc.example.com", "DONE", "NONE". (transfer full) */
char *dmarc_check_act_to_string(const DmarcCheckAct *act);
/* records: (nullable) NULL-terminated, one TXT record per entry, strings
 * concatenated. Copied. */
void dmarc_check_answer(DmarcCheck *c, guint32 query_id, DmarcDnsStatus status,
                        const char *const *records);
gboolean dmarc_check_is_done(const DmarcCheck *c);
/* (transfer none) valid until the check is freed; final once done. */
const DmarcOutcome *dmarc_check_outcome(const DmarcCheck *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DmarcCheck, dmarc_check_free)

#endif
