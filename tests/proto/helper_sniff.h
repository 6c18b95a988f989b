/* SPDX-License-Identifier: MIT
 * helper_sniff: replays a captured conversation through a passive sniffer
 * (proto/smtp_sniff, SMTP or POP3 mode) whole, byte by byte and split at
 * every point, and renders the events it reports one per line.
 */
#ifndef TESTS_PROTO_HELPER_SNIFF_H
#define TESTS_PROTO_HELPER_SNIFF_H

#include <glib.h>

#include "proto/smtp_sniff.h"

typedef struct {
    SmtpSniffDir dir;
    const char *bytes;
    gsize len; /* 0: strlen */
} SniffChunk;

typedef SmtpSniffer *(*SniffNewFn)(void);

/* Feeds chunks to a new sniffer; step 0 = whole chunks, else pieces of at
 * most step bytes; split > 0 cuts every chunk once at that offset (when
 * inside it). Returns the events, one line each. */
char *sniff_run(SniffNewFn make, const SniffChunk *chunks, guint n, gsize step, gsize split);

/* Asserts that the events are want, whole; and, when want holds no TLS
 * record event (those follow the chunking), byte by byte and at every
 * split point too. */
void sniff_check(SniffNewFn make, const SniffChunk *chunks, guint n, const char *want);

#endif
