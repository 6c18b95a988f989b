/* SPDX-License-Identifier: MIT
 * smtp_data_scan: finds the run of ordinary lines at the start of message
 * text, the lines that DATA transparency (RFC 5321 4.5.2) and the end-of-data
 * rules (4.1.1.4) leave alone in every mode: the encoder and the decoder copy
 * such a run in one piece and keep their octet rules for the rest.
 */
#ifndef PROTO_SMTP_DATA_SCAN_H
#define PROTO_SMTP_DATA_SCAN_H

#include <glib.h>

/* The length of the longest prefix of buf[0, len) made of whole lines each
 * ended by CRLF, with no other CR or LF (RFC 5321 2.3.8), no NUL (4.1.1.4),
 * no "." at its start (4.5.2) and at most max_content octets before its CRLF
 * (4.5.3.1.6: pass the limit minus 2, or G_MAXSIZE for none). buf starts at
 * the start of a line. A line "." ends the prefix before it, like any line
 * starting with ".": the caller's rules decide what it is. */
gsize smtp_data_scan_plain(const guint8 *buf, gsize len, gsize max_content);

#endif
