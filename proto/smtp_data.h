/* SPDX-License-Identifier: MIT
 * smtp_data: the DATA transparency layer (RFC 5321 4.5.2) and end-of-data
 * detection (4.1.1.4). The encoder dot-stuffs for the client; the decoder
 * finds the end of the data and unstuffs for the server. The default mode is
 * strict: only <CRLF>.<CRLF> ends the data, and a bare CR or LF taints the
 * message (RFC 5321 2.3.8; Postfix smtpd_forbid_bare_newline) but the data is
 * still consumed up to the real end, so exactly one final reply is given
 * (SMTP smuggling, CVE-2023-51764/51765/51766). Lenient modes exist only to
 * let labs stage vulnerable servers. The decoder works on bytes, not on
 * line_reader lines: an over-long line must not lose how it ended, or its
 * ending could be mistaken for the end-of-data prefix.
 */
#ifndef PROTO_SMTP_DATA_H
#define PROTO_SMTP_DATA_H

#include <glib.h>

/* RFC 5321 4.5.3.1.6: a text line is at most 1000 octets including CRLF. */
#define SMTP_DATA_LINE_MAX 1000

typedef enum {
    /* Only <CRLF>.<CRLF> ends the data (RFC 5321 4.1.1.4); bare CR/LF kept as
     * content and reported as a fault. The default. */
    SMTP_DATA_END_STRICT = 0,
    /* Like strict, but bare LF is normalised to CRLF and is no fault; the
     * end still needs <CRLF>.<CRLF> (Postfix smtpd_forbid_bare_newline =
     * normalize). */
    SMTP_DATA_END_NORMALIZE_LF,
    /* Vulnerable: a bare LF ends a line, so <LF>.<LF>, <LF>.<CRLF> and
     * <CRLF>.<LF> end the data (pre-2023 Postfix, Sendmail, Exim). */
    SMTP_DATA_END_LENIENT_LF,
    /* Vulnerable: bare LF and bare CR both end a line (adds <CR>.<CR>,
     * old Sendmail/Cisco style). */
    SMTP_DATA_END_LENIENT_CR_LF,
} SmtpDataEndMode;

const char *smtp_data_end_mode_name(SmtpDataEndMode mode);
/* Parses "strict", "normalize-lf", "lenient-lf", "lenient-cr-lf"; FALSE if unknown. */
gboolean smtp_data_end_mode_from_string(const char *s, SmtpDataEndMode *mode);

/* Faults seen in the data (a bit set). Any fault makes the server refuse the
 * message after the end of data (see smtp_data_fault_reply()). */
typedef enum {
    SMTP_DATA_FAULT_NONE = 0,
    SMTP_DATA_FAULT_BARE_LF = 1 << 0,   /* RFC 5321 2.3.8 */
    SMTP_DATA_FAULT_BARE_CR = 1 << 1,   /* RFC 5321 2.3.8 */
    SMTP_DATA_FAULT_NUL = 1 << 2,       /* RFC 5321 4.1.1.4, RFC 5322 3.5 */
    SMTP_DATA_FAULT_LINE_LONG = 1 << 3, /* RFC 5321 4.5.3.1.6 */
    SMTP_DATA_FAULT_TOO_BIG = 1 << 4,   /* over the configured size (RFC 1870) */
} SmtpDataFault;

typedef struct SmtpDataDecoder SmtpDataDecoder;

/* max_size: largest message kept (0: unlimited); bytes beyond are counted
 * and dropped, and SMTP_DATA_FAULT_TOO_BIG is set. max_line: longest text
 * line incl. CRLF (0: SMTP_DATA_LINE_MAX). */
SmtpDataDecoder *smtp_data_decoder_new(SmtpDataEndMode mode, gsize max_size, gsize max_line);
void smtp_data_decoder_free(SmtpDataDecoder *d);
/* Gives d the settings smtp_data_decoder_new() takes and resets it,
 * keeping its buffer. */
void smtp_data_decoder_setup(SmtpDataDecoder *d, SmtpDataEndMode mode, gsize max_size,
                             gsize max_line);
/* Starts a new message (after "354"); the CRLF of the DATA line counts as the
 * CRLF before a first-line "." (RFC 5321 4.1.1.4). */
void smtp_data_decoder_reset(SmtpDataDecoder *d);
/* A claimed message size (RFC 1870 SIZE) reserves at most this much up front. */
#define SMTP_DATA_RESERVE_MAX (256 * 1024)
/* Expects about n octets of message (the SIZE parameter of MAIL): makes room
 * for them at once (up to SMTP_DATA_RESERVE_MAX) instead of growing the
 * buffer as they come. Changes nothing else. */
void smtp_data_decoder_reserve(SmtpDataDecoder *d, gsize n);
/* Consumes bytes up to and including the end-of-data sequence. Returns how
 * many bytes of buf were consumed; *done is TRUE when the end was found (the
 * bytes after it belong to the command stream). */
gsize smtp_data_decoder_feed(SmtpDataDecoder *d, const guint8 *buf, gsize len, gboolean *done);
SmtpDataFault smtp_data_decoder_faults(const SmtpDataDecoder *d);
/* Size of the message as sent (unstuffed), including dropped bytes. */
guint64 smtp_data_decoder_size(const SmtpDataDecoder *d);
/* (transfer full) The unstuffed message (CRLF endings as received, without
 * the final "."-line); the decoder is reset. */
GBytes *smtp_data_decoder_steal(SmtpDataDecoder *d);

/* The reply a server gives for faults (0 = none): "550 5.5.2 Error: bare
 * <LF> received" after Postfix smtpd_forbid_bare_newline (reject code 550),
 * 552 5.3.4 for size, 550 5.6.0 for NUL and over-long lines. Returns the
 * code and sets *enhanced and *text (static strings). */
guint smtp_data_fault_reply(SmtpDataFault faults, const char **enhanced, const char **text);

/* Client encoder: dot-stuffs msg (RFC 5321 4.5.2), adds a CRLF if msg does not
 * end with one, and appends ".\r\n". A stray CR or LF (not part of CRLF) is
 * replaced by a space (RFC 5322 2.3; Postfix cleanup_replace_stray_cr_lf);
 * *stray (nullable) receives how many were replaced. (transfer full) */
GBytes *smtp_data_encode(GBytes *msg, gsize *stray);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmtpDataDecoder, smtp_data_decoder_free)

#endif
