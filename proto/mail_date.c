/* SPDX-License-Identifier: MIT
 * mail_date: RFC 5322 3.3 date-time and the obsolete forms of 4.3 (2- and
 * 3-digit years, alphabetic zones, CFWS between tokens) to UTC seconds, and
 * the RFC 5322 3.3 form out. Civil calendar arithmetic after H. Hinnant's
 * days_from_civil. No clock and no locale (names are ASCII literals).
 */
#include "proto/mail_date.h"

#include <string.h>

static const char *const mail_date_months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const mail_date_days[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* RFC 5322 4.3 obs-zone: named zones and their offsets in minutes. */
static const struct {
    const char *name;
    gint offset;
} mail_date_zones[] = {
    {"UT", 0},        {"GMT", 0},       {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60},
    {"CDT", -5 * 60}, {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60},
};

gint64
mail_date_days_from_civil(gint64 y, guint m, guint d)
{
    y -= m <= 2;
    gint64 era = (y >= 0 ? y : y - 399) / 400;
    gint64 yoe = y - era * 400;
    gint64 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
mail_date_civil_from_days(gint64 z, gint64 *y, guint *m, guint *d)
{
    z += 719468;
    gint64 era = (z >= 0 ? z : z - 146096) / 146097;
    gint64 doe = z - era * 146097;
    gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    gint64 mp = (5 * doy + 2) / 153;
    *d = (guint)(doy - (153 * mp + 2) / 5 + 1);
    *m = (guint)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static guint
mail_date_days_in_month(gint64 y, guint m)
{
    static const guint dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    gboolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* Weekday of a day count (0 = Sunday; 1970-01-01 was a Thursday). */
static guint
mail_date_weekday(gint64 days)
{
    gint64 w = (days + 4) % 7;
    return (guint)(w < 0 ? w + 7 : w);
}

typedef struct {
    const char *p;
    gboolean saw_cfws; /* CFWS where RFC 5322 3.3 has none (obsolete) */
} MailDateLexer;

/* Skips CFWS (RFC 5322 3.2.2); returns TRUE if a comment was skipped. */
static gboolean
mail_date_skip_cfws(MailDateLexer *lx)
{
    gboolean comment = FALSE;
    for (;;) {
        while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' || *lx->p == '\n')
            lx->p++;
        if (*lx->p != '(')
            return comment;
        comment = TRUE;
        int depth = 0;
        while (*lx->p) {
            char c = *lx->p++;
            if (c == '\\' && *lx->p)
                lx->p++;
            else if (c == '(')
                depth++;
            else if (c == ')' && --depth == 0)
                break;
        }
    }
}

/* Reads 1..max digits; returns the count read (0: none). */
static guint
mail_date_read_num(MailDateLexer *lx, guint max, gint64 *out)
{
    guint n = 0;
    gint64 v = 0;
    while (g_ascii_isdigit(*lx->p) && n < max) {
        v = v * 10 + (*lx->p - '0');
        lx->p++;
        n++;
    }
    if (g_ascii_isdigit(*lx->p))
        return 0; /* too many digits */
    *out = v;
    return n;
}

static gsize
mail_date_read_word(MailDateLexer *lx, char *buf, gsize size)
{
    gsize n = 0;
    while (g_ascii_isalpha(*lx->p)) {
        if (n + 1 < size)
            buf[n] = *lx->p;
        n++;
        lx->p++;
    }
    buf[MIN(n, size - 1)] = '\0';
    return n;
}

/* Reads the zone (RFC 5322 3.3 zone / 4.3 obs-zone). */
static gboolean
mail_date_read_zone(MailDateLexer *lx, gint *offset, guint *flags)
{
    if (*lx->p == '+' || *lx->p == '-') {
        gboolean neg = *lx->p == '-';
        lx->p++;
        gint64 hhmm;
        if (mail_date_read_num(lx, 4, &hhmm) != 4 || hhmm % 100 > 59)
            return FALSE;
        *offset = (gint)((hhmm / 100) * 60 + hhmm % 100) * (neg ? -1 : 1);
        /* RFC 5322 3.3: "-0000" means no information about the local zone. */
        if (neg && hhmm == 0)
            *flags |= MAIL_DATE_FLAG_UNKNOWN_ZONE;
        return TRUE;
    }
    char word[16];
    gsize n = mail_date_read_word(lx, word, sizeof word);
    if (n == 0)
        return FALSE;
    *flags |= MAIL_DATE_FLAG_OBSOLETE;
    for (gsize i = 0; i < G_N_ELEMENTS(mail_date_zones); i++) {
        if (n < sizeof word && g_ascii_strcasecmp(word, mail_date_zones[i].name) == 0) {
            *offset = mail_date_zones[i].offset;
            return TRUE;
        }
    }
    /* RFC 5322 4.3: military zones (other than Z) and unknown alphabetic
     * zones SHOULD be considered equivalent to "-0000". */
    *offset = 0;
    if (!(n == 1 && g_ascii_toupper(word[0]) == 'Z'))
        *flags |= MAIL_DATE_FLAG_UNKNOWN_ZONE;
    return TRUE;
}

/* Skips CFWS where RFC 5322 3.3 allows none; notes it (obsolete, 4.3). */
static void
mail_date_skip_obs_cfws(MailDateLexer *lx)
{
    const char *before = lx->p;
    mail_date_skip_cfws(lx);
    lx->saw_cfws |= lx->p != before;
}

/* Reads a time-of-day (RFC 5322 3.3, obsolete CFWS around ':'). */
static gboolean
mail_date_read_time(MailDateLexer *lx, gint64 *h, gint64 *mi, gint64 *s, guint *flags)
{
    if (mail_date_read_num(lx, 2, h) == 0)
        return FALSE;
    mail_date_skip_obs_cfws(lx);
    if (*lx->p != ':')
        return FALSE;
    lx->p++;
    mail_date_skip_obs_cfws(lx);
    if (mail_date_read_num(lx, 2, mi) == 0)
        return FALSE;
    const char *before = lx->p;
    mail_date_skip_cfws(lx);
    *s = 0;
    if (*lx->p == ':') {
        lx->saw_cfws |= lx->p != before;
        lx->p++;
        mail_date_skip_obs_cfws(lx);
        if (mail_date_read_num(lx, 2, s) == 0)
            return FALSE;
    } else {
        *flags |= MAIL_DATE_FLAG_NO_SECONDS;
    }
    return *h <= 23 && *mi <= 59 && *s <= 60;
}

/* Reads [day-of-week ","] day month year; *wday is -1 when omitted. */
static gboolean
mail_date_read_date(MailDateLexer *lx, gint *wday, gint64 *y, guint *m, gint64 *d, guint *flags)
{
    char word[16];
    mail_date_skip_cfws(lx);
    *wday = -1;
    if (g_ascii_isalpha(*lx->p)) {
        gsize n = mail_date_read_word(lx, word, sizeof word);
        for (guint i = 0; i < 7 && n == 3; i++)
            if (g_ascii_strcasecmp(word, mail_date_days[i]) == 0)
                *wday = (gint)i;
        mail_date_skip_cfws(lx);
        if (*wday < 0 || *lx->p != ',')
            return FALSE;
        lx->p++;
        mail_date_skip_cfws(lx);
    } else {
        *flags |= MAIL_DATE_FLAG_NO_WEEKDAY;
    }
    if (mail_date_read_num(lx, 2, d) == 0)
        return FALSE;
    mail_date_skip_cfws(lx);
    gsize n = mail_date_read_word(lx, word, sizeof word);
    *m = 0;
    for (guint i = 0; i < 12 && n == 3; i++)
        if (g_ascii_strcasecmp(word, mail_date_months[i]) == 0)
            *m = i + 1;
    if (*m == 0)
        return FALSE;
    mail_date_skip_cfws(lx);
    guint digits = mail_date_read_num(lx, 9, y);
    if (digits < 2)
        return FALSE;
    if (digits < 4) {
        /* RFC 5322 4.3: 2-digit years 00-49 are 2000-2049, 50-99 are
         * 1950-1999; 3-digit years add 1900. */
        *flags |= MAIL_DATE_FLAG_OBSOLETE;
        *y += digits == 2 && *y < 50 ? 2000 : 1900;
    }
    return *y >= 1900 && *d >= 1 && *d <= mail_date_days_in_month(*y, *m);
}

gboolean
mail_date_parse(const char *text, MailDate *out)
{
    g_return_val_if_fail(text != NULL && out != NULL, FALSE);
    MailDateLexer lx = {text, FALSE};
    guint flags = 0, m;
    gint wday, offset = 0;
    gint64 y, d, h, mi, s;
    if (!mail_date_read_date(&lx, &wday, &y, &m, &d, &flags))
        return FALSE;
    mail_date_skip_cfws(&lx);
    if (!mail_date_read_time(&lx, &h, &mi, &s, &flags))
        return FALSE;
    mail_date_skip_cfws(&lx);
    if (!mail_date_read_zone(&lx, &offset, &flags))
        return FALSE;
    mail_date_skip_cfws(&lx);
    if (*lx.p != '\0')
        return FALSE;
    gint64 days = mail_date_days_from_civil(y, m, (guint)d);
    /* RFC 5322 3.3: the day-of-week MUST be the one the date falls on. */
    if (wday >= 0 && (guint)wday != mail_date_weekday(days))
        return FALSE;
    if (lx.saw_cfws)
        flags |= MAIL_DATE_FLAG_OBSOLETE;
    out->unix_utc = days * 86400 + h * 3600 + mi * 60 + s - (gint64)offset * 60;
    out->offset_min = offset;
    out->flags = flags;
    return TRUE;
}

/* Two decimal digits of v at p; returns the position after them. */
static char *
mail_date_put_2(char *p, guint v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* Appends s (NUL-terminated) at p; returns the position after it. */
static char *
mail_date_put(char *p, const char *s)
{
    gsize n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

gsize
mail_date_write(char buf[MAIL_DATE_MAX], gint64 unix_utc, gint offset_min)
{
    g_return_val_if_fail(buf != NULL, 0);
    buf[0] = '\0';
    g_return_val_if_fail(offset_min > -6000 && offset_min < 6000, 0);
    gint64 local = unix_utc + (gint64)offset_min * 60;
    gint64 days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    gint64 secs = local - days * 86400;
    gint64 y;
    guint m, d;
    mail_date_civil_from_days(days, &y, &m, &d);
    guint off = (guint)ABS(offset_min);
    if (y < 0 || y > 9999) {
        /* Out of the 4-digit range: rare enough for printf. */
        gint n = g_snprintf(buf, MAIL_DATE_MAX,
                            "%s, %u %s %04" G_GINT64_FORMAT " %02u:%02u:%02u %c%02u%02u",
                            mail_date_days[mail_date_weekday(days)], d, mail_date_months[m - 1],
                            y, (guint)(secs / 3600), (guint)(secs / 60 % 60), (guint)(secs % 60),
                            offset_min < 0 ? '-' : '+', off / 60, off % 60);
        return (gsize)MIN(n, MAIL_DATE_MAX - 1);
    }
    /* "%s, %u %s %04d %02d:%02d:%02d %c%02u%02u" without printf: every hop
     * writes a Received field. */
    char *p = buf;
    p = mail_date_put(p, mail_date_days[mail_date_weekday(days)]);
    *p++ = ',';
    *p++ = ' ';
    if (d >= 10)
        *p++ = (char)('0' + d / 10);
    *p++ = (char)('0' + d % 10);
    *p++ = ' ';
    p = mail_date_put(p, mail_date_months[m - 1]);
    *p++ = ' ';
    p = mail_date_put_2(p, (guint)(y / 100));
    p = mail_date_put_2(p, (guint)(y % 100));
    *p++ = ' ';
    p = mail_date_put_2(p, (guint)(secs / 3600));
    *p++ = ':';
    p = mail_date_put_2(p, (guint)(secs / 60 % 60));
    *p++ = ':';
    p = mail_date_put_2(p, (guint)(secs % 60));
    *p++ = ' ';
    *p++ = offset_min < 0 ? '-' : '+';
    p = mail_date_put_2(p, off / 60);
    p = mail_date_put_2(p, off % 60);
    *p = '\0';
    return (gsize)(p - buf);
}

void
mail_date_append(GString *out, gint64 unix_utc, gint offset_min)
{
    g_return_if_fail(out != NULL);
    g_return_if_fail(offset_min > -6000 && offset_min < 6000);
    char buf[MAIL_DATE_MAX];
    gsize n = mail_date_write(buf, unix_utc, offset_min);
    g_string_append_len(out, buf, (gssize)n);
}

char *
mail_date_format(gint64 unix_utc, gint offset_min)
{
    g_return_val_if_fail(offset_min > -6000 && offset_min < 6000, NULL);
    GString *out = g_string_sized_new(32);
    mail_date_append(out, unix_utc, offset_min);
    return g_string_free(out, FALSE);
}
