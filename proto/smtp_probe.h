/* SPDX-License-Identifier: MIT
 * smtp_probe: a scripted, lock-step SMTP client engine (sans-I/O) for
 * testers and attackers: relay-test batteries (nmap smtp-open-relay, the
 * MAPS relay test) and raw senders that write what a careful client never
 * would (malformed commands, bare CR/LF inside DATA for SMTP smuggling).
 * Each step is one command line or one block of raw bytes, answered by one
 * reply (RFC 5321 4.2); a negative reply ends the script unless the step
 * says go on; QUIT closes it (RFC 5321 4.1.1.10). Replies that come after
 * the last step and before the 221 are reported as extra: a smuggled
 * transaction shows up there. Nothing is dot-stuffed or repaired. A
 * STARTTLS step hands the layer switch to the node (RFC 3207).
 */
#ifndef PROTO_SMTP_PROBE_H
#define PROTO_SMTP_PROBE_H

#include <glib.h>

#include "proto/smtp_reply.h"

/* Step index of the greeting and of replies after the script. */
#define SMTP_PROBE_STEP_GREETING (-1)
#define SMTP_PROBE_STEP_QUIT (-2)

typedef struct SmtpProbe SmtpProbe;

typedef enum {
    SMTP_PROBE_ACT_NONE = 0,
    SMTP_PROBE_ACT_SEND,     /* bytes (transfer full within the act) */
    SMTP_PROBE_ACT_REPLY,    /* step, reply (transfer full within the act) */
    SMTP_PROBE_ACT_DONE,     /* the script is over: step = last step answered,
                                completed = every step got a positive or go-on reply */
    SMTP_PROBE_ACT_CLOSE,    /* close the connection */
    SMTP_PROBE_ACT_STARTTLS, /* 2xx to a STARTTLS step: switch layers, then call
                                smtp_probe_starttls_done(); discarded = octets the
                                server sent after the reply, dropped */
} SmtpProbeActKind;

typedef struct {
    SmtpProbeActKind kind;
    GBytes *bytes;
    int step;
    SmtpReply *reply;
    gboolean completed;
    gsize discarded; /* STARTTLS */
} SmtpProbeAct;

SmtpProbe *smtp_probe_new(void);
void smtp_probe_free(SmtpProbe *p);
/* Script building, before the first feed. line: without CRLF. go_on:
 * continue after a 4xx/5xx reply to this step. Returns the step index. */
int smtp_probe_add_line(SmtpProbe *p, const char *line, gboolean go_on);
/* Raw bytes sent as they are (no dot-stuffing, no CRLF repair); the caller
 * includes the end of data. */
int smtp_probe_add_raw(SmtpProbe *p, GBytes *data, gboolean go_on);
/* A "STARTTLS" line (RFC 3207 4): a 2xx reply yields ACT_STARTTLS and the
 * script waits for smtp_probe_starttls_done(); anything else is answered
 * like a line step. */
int smtp_probe_add_starttls(SmtpProbe *p, gboolean go_on);
/* The node switched to TLS: octets still buffered from before the switch
 * are dropped (RFC 3207 4.2; returned) and the next step is sent. Legal
 * only after ACT_STARTTLS. */
gsize smtp_probe_starttls_done(SmtpProbe *p);
guint smtp_probe_n_steps(const SmtpProbe *p);

void smtp_probe_feed(SmtpProbe *p, const guint8 *buf, gsize len);
/* The server closed: DONE (if not yet), then CLOSE. */
void smtp_probe_feed_eof(SmtpProbe *p);
/* Node-side abort (timeout, reset): DONE (if not yet), then CLOSE. */
void smtp_probe_abort(SmtpProbe *p);
gboolean smtp_probe_poll(SmtpProbe *p, SmtpProbeAct *act);
void smtp_probe_act_clear(SmtpProbeAct *act);
gboolean smtp_probe_is_done(const SmtpProbe *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpProbe, smtp_probe_free)

#endif
