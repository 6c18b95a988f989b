/* SPDX-License-Identifier: MIT
 * pop3_reply: POP3 grammar shared by the client and the server engines.
 * RFC 1939 section 3 (status indicators, multi-line responses and byte
 * stuffing), section 7 (APOP digest, MD5 via OpenSSL EVP), section 11
 * (TOP); RFC 2449 section 8 (response codes such as [IN-USE]).
 * No state here: the engines own their state machines.
 */
#ifndef PROTO_POP3_REPLY_H
#define PROTO_POP3_REPLY_H

#include <glib.h>

/* RFC 2449 section 4: a command line is at most 255 octets including CRLF,
 * a response (status) line at most 512 octets including CRLF. */
#define POP3_COMMAND_LINE_MAX 255
#define POP3_RESPONSE_LINE_MAX 512
/* Lines inside a multi-line response carry message data: RFC 5322 2.1.1
 * allows 998 octets + CRLF, real mail breaks it. Bounded, generously. */
#define POP3_DATA_LINE_MAX 65536
/* RFC 1939 section 7: lowercase hex MD5, 32 characters. */
#define POP3_APOP_DIGEST_LEN 32
/* RFC 1939 section 7 (UIDL): a unique-id is 1 to 70 characters 0x21-0x7E. */
#define POP3_UID_MAX 70

/* Parses a status line (without CRLF). Returns FALSE when it starts with
 * neither "+OK" nor "-ERR" (RFC 1939 section 3: the indicators are upper
 * case as sent; we accept them only so). On TRUE, *ok tells which one and
 * *text points inside line at the text after the indicator and its space
 * ("" when none). */
gboolean pop3_reply_parse_status(const char *line, gsize len, gboolean *ok, const char **text);

/* The RFC 2449 section 8 response code at the start of text ("[IN-USE] x"
 * gives "IN-USE"), or NULL (transfer full, nullable). */
char *pop3_reply_resp_code(const char *text);

/* Appends msg (len octets, CRLF or bare-LF lines) to out as the body of a
 * multi-line response: each line ends with CRLF, a line starting with "."
 * gets one more "." (RFC 1939 section 3), then the terminating ".\r\n".
 * body_lines < 0 sends everything (RETR); otherwise the header, the blank
 * line and at most body_lines lines of the body (TOP, section 7). */
void pop3_reply_append_stuffed(GString *out, const guint8 *msg, gsize len, gint body_lines);

/* Classifies one data line of a multi-line response (without its CRLF).
 * Returns FALSE for the terminator "."; otherwise TRUE with *data and *dlen
 * set to the line with one leading "." removed when it was stuffed. */
gboolean pop3_reply_unstuff_line(const char *line, gsize len, const char **data, gsize *dlen);

/* The APOP timestamp "<...@...>" found in a greeting's text, or NULL when
 * the greeting offers none (transfer full, nullable). RFC 1939 section 7. */
char *pop3_reply_find_timestamp(const char *greeting_text);

/* Computes the APOP digest: lowercase hex MD5(timestamp || secret), written
 * NUL-terminated into out (RFC 1939 section 7). */
void pop3_reply_apop_digest(const char *timestamp, const char *secret,
                            char out[POP3_APOP_DIGEST_LEN + 1]);

/* TRUE when uid is a valid unique-id (RFC 1939 section 7, UIDL). */
gboolean pop3_reply_uid_is_valid(const char *uid);

#endif
