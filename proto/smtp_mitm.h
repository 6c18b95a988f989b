/* SPDX-License-Identifier: MIT
 * smtp_mitm: a sans-I/O active attacker on one SMTP connection, the
 * STARTTLS-stripping man in the middle of RFC 3207 6. Fed the bytes of
 * each direction in wire order, it gives back the bytes to forward in
 * each direction: STARTTLS removed from multiline EHLO replies (the reply
 * stays well-formed, RFC 5321 4.2.1), a STARTTLS command swallowed and
 * answered with 454 4.7.0 itself, and byte rewrite rules applied to whole
 * clear-text lines (commands, replies, message lines alike). Once the
 * server accepts STARTTLS (a 2xx to a forwarded STARTTLS) both directions
 * pass unchanged: it cannot read or alter TLS. Rules match inside one line
 * only (never across CRLF); lines longer than SMTP_MITM_LINE_MAX pass
 * unchanged. Nothing here knows about links, time or trace output.
 */
#ifndef PROTO_SMTP_MITM_H
#define PROTO_SMTP_MITM_H

#include <glib.h>

/* Longest line held for rewriting. RFC 5321 4.5.3.1.6 bounds text lines
 * at 1000 octets; this leaves room for the long lines real mail has. */
#define SMTP_MITM_LINE_MAX 65536
/* Lines of one multiline reply held before it is forwarded unchanged
 * (an EHLO reply has one per extension). */
#define SMTP_MITM_REPLY_LINES_MAX 128
/* What the attacker answers to STARTTLS (RFC 3207 4: 454 TLS not
 * available due to temporary reason). */
#define SMTP_MITM_REPLY_454 "454 4.7.0 TLS not available due to temporary reason\r\n"

typedef enum {
    SMTP_MITM_C2S = 0, /* client to server ("to_server") */
    SMTP_MITM_S2C,     /* server to client ("to_client") */
} SmtpMitmDir;

/* Replace every occurrence of match by replace in lines going dir. */
typedef struct {
    const char *match; /* non-empty */
    const char *replace;
    SmtpMitmDir dir;
} SmtpMitmRule;

/* Zero-initialisable: zero means a mitm that forwards everything. */
typedef struct {
    gboolean strip_starttls;   /* remove STARTTLS from EHLO replies */
    gboolean block_starttls;   /* answer 454 to STARTTLS; never forward it */
    const SmtpMitmRule *rules; /* copied by smtp_mitm_new() */
    guint n_rules;
} SmtpMitmConfig;

typedef enum {
    SMTP_MITM_EV_NONE = 0, /* zero value only */
    SMTP_MITM_EV_STRIPPED, /* S2C: text = the EHLO reply line removed */
    SMTP_MITM_EV_BLOCKED,  /* C2S: STARTTLS swallowed; text = the reply sent back */
    SMTP_MITM_EV_REWRITE,  /* dir, rule (index), count, before, after (lines, no CRLF) */
    SMTP_MITM_EV_TLS,      /* the server accepted STARTTLS: bytes pass unchanged */
} SmtpMitmEventKind;

typedef struct {
    SmtpMitmEventKind kind;
    SmtpMitmDir dir;
    char *text;             /* STRIPPED, BLOCKED */
    guint rule;             /* REWRITE */
    guint count;            /* REWRITE: replacements in the line */
    GBytes *before, *after; /* REWRITE */
} SmtpMitmEvent;

typedef struct SmtpMitm SmtpMitm;

SmtpMitm *smtp_mitm_new(const SmtpMitmConfig *cfg);
void smtp_mitm_free(SmtpMitm *m);
/* Bytes seen going dir (copied). Feed both directions in wire order. */
void smtp_mitm_feed(SmtpMitm *m, SmtpMitmDir dir, const guint8 *data, gsize len);
/* The bytes to forward going dir so far (transfer full), NULL when none.
 * Bytes of an unfinished line or reply are held until it is complete.
 * After feeding C2S, S2C may hold the attacker's own 454 reply. */
GBytes *smtp_mitm_take(SmtpMitm *m, SmtpMitmDir dir);
/* The connection is closing going dir: what was held is forwarded as is. */
void smtp_mitm_flush(SmtpMitm *m, SmtpMitmDir dir);
/* Next event into *ev (clear with smtp_mitm_event_clear()); FALSE if none. */
gboolean smtp_mitm_poll(SmtpMitm *m, SmtpMitmEvent *ev);
void smtp_mitm_event_clear(SmtpMitmEvent *ev);
gboolean smtp_mitm_is_tls(const SmtpMitm *m);
/* "stripped", "blocked", "rewrite", "tls". */
const char *smtp_mitm_event_kind_name(SmtpMitmEventKind kind);
/* "to_server", "to_client"; from_name: FALSE when unknown. */
const char *smtp_mitm_dir_name(SmtpMitmDir dir);
gboolean smtp_mitm_dir_from_name(const char *name, SmtpMitmDir *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpMitm, smtp_mitm_free)

#endif
