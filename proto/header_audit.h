/* SPDX-License-Identifier: MIT
 * header_audit: what a message's header says about where it came from, and
 * what does not add up. The Received chain (RFC 5321 4.4, RFC 5322 3.6.7)
 * is read into hops in path order; each hop's "from" must name the host
 * that wrote the hop before it ("by"), and times must run forward. From,
 * Sender, Return-Path, Date and, when known, the SMTP envelope are
 * compared. Every finding carries its reason. This is evidence, not proof:
 * hops below a break in the chain may be forged, and real mail has
 * innocent breaks (internal hosts, renamed relays).
 */
#ifndef PROTO_HEADER_AUDIT_H
#define PROTO_HEADER_AUDIT_H

#include <glib.h>

#include "proto/message.h"
#include "proto/received.h"

/* Clock skew tolerated between two hops, or a hop and the Date field. */
#define HEADER_AUDIT_SKEW_SECONDS 300
/* A Date field older than this before the first hop is suspicious. */
#define HEADER_AUDIT_DATE_AGE_SECONDS (7 * 24 * 3600)

typedef enum {
    HEADER_AUDIT_INFO = 0,   /* worth knowing, common in honest mail */
    HEADER_AUDIT_SUSPICIOUS, /* inconsistent: forged or misconfigured */
    HEADER_AUDIT_FORGED,     /* cannot be true as written */
} HeaderAuditSeverity;

/* One Received field. */
typedef struct {
    guint hop;            /* 1 = the oldest (bottom) field, in path order */
    guint field;          /* 1 = the topmost field of the header */
    char *raw;            /* the unfolded value */
    MailReceived *parsed; /* never NULL */
    gboolean trusted;     /* linked to the top by unbroken from/by pairs */
    char *flag;           /* nullable: why this hop is not to be believed */
} HeaderHop;

typedef struct {
    char *code; /* "chain-break", "time-backwards", ... */
    HeaderAuditSeverity severity;
    guint hop;    /* the hop concerned (path order), 0 when none */
    char *reason; /* one sentence, RFC section where one applies */
} HeaderFinding;

typedef struct {
    GPtrArray *hops;     /* HeaderHop*, path order (oldest first) */
    GPtrArray *findings; /* HeaderFinding*, in the order found */
    char *from;          /* nullable: the From field as written (unfolded) */
    char *sender;
    char *return_path;
    char *date;
    char *message_id;
    HeaderAuditSeverity worst; /* INFO when there is no finding */
    guint n_findings_over_info;
} HeaderAudit;

/* What is known outside the message (all nullable). */
typedef struct {
    const char *envelope_from; /* MAIL FROM ("" for <>) */
    const char *envelope_to;   /* one RCPT TO */
} HeaderAuditEnv;

/* Audits msg (transfer full; never NULL). env is nullable. */
HeaderAudit *header_audit_run(const MailMessage *msg, const HeaderAuditEnv *env);
void header_audit_free(HeaderAudit *a);

/* "info", "suspicious", "forged" (transfer none). */
const char *header_audit_severity_name(HeaderAuditSeverity s);
/* The verdict line: "clean" (no finding above info), "suspicious", "forged". */
const char *header_audit_verdict(const HeaderAudit *a);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(HeaderAudit, header_audit_free)

#endif
