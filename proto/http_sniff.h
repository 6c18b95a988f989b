/* SPDX-License-Identifier: MIT
 * http_sniff: a passive, sans-I/O observer of one HTTP connection, as an
 * eavesdropper on the wire sees it, reporting in the vocabulary of
 * smtp_sniff (SmtpSniffEvent) so that a tap traces both alike. In clear
 * (RFC 9112) it reports each request line and status line, the size of
 * each body, and the user name and password of a form posted with
 * application/x-www-form-urlencoded (mechanism "FORM"). Over TLS (RFC
 * 2818: HTTPS starts with a TLS handshake, RFC 8446 5.1 record header
 * 0x16 0x03) it reports only TLS record sizes. It never answers.
 */
#ifndef PROTO_HTTP_SNIFF_H
#define PROTO_HTTP_SNIFF_H

#include <glib.h>

#include "proto/smtp_sniff.h"

typedef struct HttpSniffer HttpSniffer;

HttpSniffer *http_sniffer_new(void);
void http_sniffer_free(HttpSniffer *sn);
/* Bytes seen in direction dir (copied), both directions in wire order. */
void http_sniffer_feed(HttpSniffer *sn, SmtpSniffDir dir, const guint8 *data, gsize len);
/* Next event into *ev (clear it with smtp_sniff_event_clear()); FALSE when none. */
gboolean http_sniffer_poll(HttpSniffer *sn, SmtpSniffEvent *ev);
gboolean http_sniffer_is_tls(const HttpSniffer *sn);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(HttpSniffer, http_sniffer_free)

#endif
