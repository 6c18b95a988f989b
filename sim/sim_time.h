/* SPDX-License-Identifier: MIT
 * sim_time: virtual time of the simulator. SimTime is a signed count of
 * microseconds since the scenario start (STYLE 9). It is never a double:
 * printing uses integer arithmetic only ("S.UUUUUU", six decimals).
 * Parsing of durations ("1.5s", "200ms") belongs to the scenario loader.
 */
#ifndef SIM_SIM_TIME_H
#define SIM_SIM_TIME_H

#include <glib.h>

typedef gint64 SimTime;

#define SIM_TIME_US ((SimTime)1)
#define SIM_TIME_MS ((SimTime)1000)
#define SIM_TIME_S ((SimTime)1000000)
/* "No time": later than every real event time. */
#define SIM_TIME_NEVER G_MAXINT64
/* Buffer size that holds any formatted SimTime, sign and NUL included. */
#define SIM_TIME_FORMAT_MAX 32

static inline SimTime
sim_time_from_ms(gint64 ms)
{
    return ms * SIM_TIME_MS;
}

static inline SimTime
sim_time_from_s(gint64 s)
{
    return s * SIM_TIME_S;
}

/* Writes t as seconds with exactly six decimals ("1.250000", "-0.000001")
 * into buf and returns buf. Integer arithmetic only. Returns the length in
 * *len when len is not NULL. */
static inline char *
sim_time_format(SimTime t, char buf[SIM_TIME_FORMAT_MAX], gsize *len)
{
    /* guint64 magnitude: -G_MININT64 does not fit in a gint64. */
    guint64 mag = t < 0 ? (guint64)0 - (guint64)t : (guint64)t;
    char tmp[SIM_TIME_FORMAT_MAX];
    int n = 0;
    guint64 frac = mag % 1000000u, secs = mag / 1000000u;
    for (int i = 0; i < 6; i++) {
        tmp[n++] = (char)('0' + frac % 10u);
        frac /= 10u;
    }
    tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + secs % 10u);
        secs /= 10u;
    } while (secs > 0);
    if (t < 0)
        tmp[n++] = '-';
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    if (len != NULL)
        *len = (gsize)n;
    return buf;
}

/* Appends the sim_time_format() text of t to s. */
static inline void
sim_time_append(GString *s, SimTime t)
{
    char buf[SIM_TIME_FORMAT_MAX];
    gsize n;
    sim_time_format(t, buf, &n);
    g_string_append_len(s, buf, (gssize)n);
}

#endif
