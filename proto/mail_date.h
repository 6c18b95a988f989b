/* SPDX-License-Identifier: MIT
 * mail_date: RFC 5322 3.3 date-time parsing, with the obsolete forms of 4.3
 * (two- and three-digit years, alphabetic and military zones, CFWS
 * anywhere), to UTC unix seconds plus the written zone offset; and
 * formatting from (unix seconds, offset). No clock: time is a parameter.
 */
#ifndef PROTO_MAIL_DATE_H
#define PROTO_MAIL_DATE_H

#include <glib.h>

typedef enum {
    MAIL_DATE_FLAG_NONE = 0,
    MAIL_DATE_FLAG_OBSOLETE = 1 << 0,     /* RFC 5322 4.3 syntax was used */
    MAIL_DATE_FLAG_UNKNOWN_ZONE = 1 << 1, /* "-0000", or a military/unknown zone
                                             read as +0000 (RFC 5322 4.3) */
    MAIL_DATE_FLAG_NO_SECONDS = 1 << 2,   /* seconds were omitted (legal) */
    MAIL_DATE_FLAG_NO_WEEKDAY = 1 << 3,   /* the day-of-week was omitted (legal) */
} MailDateFlags;

/* A parsed date-time. */
typedef struct {
    gint64 unix_utc; /* seconds since 1970-01-01T00:00:00Z (negative before) */
    gint offset_min; /* the zone offset written, in minutes east of UTC */
    guint flags;     /* MailDateFlags */
} MailDate;

/* Parses an RFC 5322 date-time (the value of Date:, Resent-Date:, or the
 * part after ';' in Received:). Returns FALSE for anything that is not a
 * date-time (out-of-range fields, a day-of-week that does not match the
 * date, a year before 1900, missing zone, garbage); out is then untouched.
 * A leap second (:60) is accepted and counted as the next second. */
gboolean mail_date_parse(const char *text, MailDate *out);

/* "Thu, 13 Feb 1975 23:32:30 +0000" for the instant unix_utc shown in zone
 * offset_min (minutes east of UTC, |offset| < 100 hours) (transfer full). */
char *mail_date_format(gint64 unix_utc, gint offset_min);
/* The same, appended to out. */
void mail_date_append(GString *out, gint64 unix_utc, gint offset_min);
/* Room for any date mail_date_write() writes, NUL included (a year outside
 * 0..9999 takes more than four digits). */
#define MAIL_DATE_MAX 64
/* The same, written NUL-terminated into buf; returns its length. */
gsize mail_date_write(char buf[MAIL_DATE_MAX], gint64 unix_utc, gint offset_min);

/* Civil-date helpers (proleptic Gregorian), exposed for tests and for the
 * other header modules. */
gint64 mail_date_days_from_civil(gint64 y, guint m, guint d);
void mail_date_civil_from_days(gint64 days, gint64 *y, guint *m, guint *d);

#endif
