/* SPDX-License-Identifier: MIT
 * scenario_value: the scalar syntaxes of scenario files, usable on their own
 * (the command line takes the same durations): durations ("250ms", "1.5s",
 * "2m", "1h", "100us", plain = seconds), bandwidths ("100Mbit", "1Gbit",
 * plain = bit/s), sizes ("10MB", "512k", plain = bytes), rates, IPv4
 * addresses and CIDR networks, RFC 3339 dates, booleans, and the edit
 * distance behind "did you mean" suggestions. Integer arithmetic only: a
 * fraction is read to at most six decimals.
 */
#ifndef APP_SCENARIO_VALUE_H
#define APP_SCENARIO_VALUE_H

#include <glib.h>

/* Microseconds; FALSE when text is not a duration (or is negative / overflows). */
gboolean scenario_parse_duration(const char *text, gint64 *usec);
/* Bits per second; FALSE when text is not a bandwidth or is zero. */
gboolean scenario_parse_bandwidth(const char *text, guint64 *bps);
/* Bytes: plain, or with k/K/KB/KiB, M/MB/MiB, G/GB/GiB (binary multiples). */
gboolean scenario_parse_size(const char *text, guint64 *bytes);
/* Messages per second (may be a fraction, > 0) -> microseconds between messages. */
gboolean scenario_parse_rate(const char *text, gint64 *interval_usec);
/* A non-negative decimal integer not above max. */
gboolean scenario_parse_uint(const char *text, guint64 max, guint64 *value);
/* YAML 1.1 booleans: true/false, yes/no, on/off (any case). */
gboolean scenario_parse_bool(const char *text, gboolean *value);
/* Dotted-quad IPv4 address, each part 0..255, no leading zeros beyond "0". */
gboolean scenario_is_ipv4(const char *text);
/* IPv4 network "A.B.C.D/N", N 0..32 (a bare address means /32). */
gboolean scenario_is_ipv4_cidr(const char *text);
/* RFC 3339 date-time ("2026-01-01T00:00:00Z", offset allowed), a date
 * alone (midnight UTC), or plain unix seconds. */
gboolean scenario_parse_epoch(const char *text, gint64 *unix_seconds);

/* Levenshtein distance, capped: returns cap + 1 when above cap. */
guint scenario_edit_distance(const char *a, const char *b, guint cap);
/* The candidate closest to word when close enough to be a likely typo
 * (transfer none: one of candidates), else NULL. candidates is
 * NULL-terminated. */
const char *scenario_suggest(const char *word, const char *const *candidates);

#endif
