/* SPDX-License-Identifier: MIT
 * smtp_sniff: a passive, sans-I/O observer of one SMTP connection, as an
 * eavesdropper on the wire sees it. It is fed the bytes of both directions
 * in wire order and reports the clear-text command and reply lines, message
 * contents (their size), credentials sent with AUTH PLAIN (RFC 4616) or
 * AUTH LOGIN, the challenge and response of AUTH CRAM-MD5 (RFC 2195: the
 * material of an offline dictionary attack), and, once STARTTLS (RFC 3207)
 * is accepted, nothing but TLS record sizes (RFC 8446 5.1). It never
 * answers and never decrypts. The challenge and response of AUTH
 * DIGEST-MD5 (RFC 2831 2.1.1, 2.1.2) are captured too: the same attack.
 * The same observer knows POP3 (RFC 1939): USER/PASS credentials, message
 * content of RETR/TOP as a size, and TLS record sizes after STLS (RFC 2595).
 */
#ifndef PROTO_SMTP_SNIFF_H
#define PROTO_SMTP_SNIFF_H

#include <glib.h>

/* RFC 4954 4: the longest SASL line kept; longer lines are cut (flagged). */
#define SMTP_SNIFF_LINE_MAX 12288

typedef enum {
    SMTP_SNIFF_C2S = 0, /* client to server */
    SMTP_SNIFF_S2C,     /* server to client */
} SmtpSniffDir;

typedef enum {
    SMTP_SNIFF_EV_NONE = 0,    /* zero value only */
    SMTP_SNIFF_EV_LINE,        /* dir, text (without CRLF), truncated */
    SMTP_SNIFF_EV_MESSAGE,     /* size: message content between 354 and "." */
    SMTP_SNIFF_EV_CREDENTIALS, /* mech ("PLAIN"/"LOGIN"), user, password, authzid (PLAIN) */
    SMTP_SNIFF_EV_CRAM_MD5,    /* user, challenge (as sent, "<...>"), response (hex digest) */
    SMTP_SNIFF_EV_STARTTLS,    /* the 220 to STARTTLS: both directions are TLS from here */
    SMTP_SNIFF_EV_TLS_RECORDS, /* dir, sizes (guint, header included), size (their sum) */
    SMTP_SNIFF_EV_DIGEST_MD5,  /* user (username directive), challenge, response (both decoded) */
} SmtpSniffEventKind;

typedef struct {
    SmtpSniffEventKind kind;
    SmtpSniffDir dir;
    char *text; /* LINE */
    gboolean truncated;
    gsize size;      /* MESSAGE, TLS_RECORDS */
    char *mech;      /* CREDENTIALS */
    char *user;      /* CREDENTIALS, CRAM_MD5, DIGEST_MD5 */
    char *password;  /* CREDENTIALS */
    char *authzid;   /* CREDENTIALS: "" when none */
    char *challenge; /* CRAM_MD5, DIGEST_MD5 */
    char *response;  /* CRAM_MD5, DIGEST_MD5 */
    GArray *sizes;   /* TLS_RECORDS */
} SmtpSniffEvent;

typedef struct SmtpSniffer SmtpSniffer;

SmtpSniffer *smtp_sniffer_new(void);
/* An observer of a POP3 connection: LINE, CREDENTIALS (mech "USER/PASS"),
 * MESSAGE (RETR/TOP content), STARTTLS (the +OK to STLS), TLS_RECORDS. */
SmtpSniffer *smtp_sniffer_new_pop3(void);
void smtp_sniffer_free(SmtpSniffer *sn);
/* Bytes seen in direction dir (copied). Feed both directions in the order
 * they crossed the wire. */
void smtp_sniffer_feed(SmtpSniffer *sn, SmtpSniffDir dir, const guint8 *data, gsize len);
/* Next event into *ev (clear it with smtp_sniff_event_clear()); FALSE when none. */
gboolean smtp_sniffer_poll(SmtpSniffer *sn, SmtpSniffEvent *ev);
void smtp_sniff_event_clear(SmtpSniffEvent *ev);
gboolean smtp_sniffer_is_tls(const SmtpSniffer *sn);
const char *smtp_sniff_event_kind_name(SmtpSniffEventKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpSniffer, smtp_sniffer_free)

#endif
