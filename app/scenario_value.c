/* SPDX-License-Identifier: MIT
 * scenario_value: scalar syntaxes of scenario files (durations, bandwidths,
 * sizes, rates, IPv4, CIDR, RFC 3339 dates) and "did you mean" distance.
 * Fixed-point decimal parsing: no floating point anywhere.
 */
#include "app/scenario_value.h"

#include <string.h>

/* Longest number accepted: keeps every product below 2^63. */
#define SCENARIO_VALUE_INT_MAX G_GINT64_CONSTANT(999999999999)
#define SCENARIO_VALUE_FRAC_DIGITS 6

/* Reads "123" or "1.5" at *p into micro-units (value * 10^6); advances *p. */
static gboolean
scenario_value_read_decimal(const char **p, guint64 *micro)
{
    const char *s = *p;
    guint64 whole = 0;
    guint digits = 0;
    while (g_ascii_isdigit(*s)) {
        whole = whole * 10 + (guint64)(*s - '0');
        if (whole > (guint64)SCENARIO_VALUE_INT_MAX)
            return FALSE;
        s++;
        digits++;
    }
    guint64 frac = 0;
    guint fdigits = 0;
    if (*s == '.') {
        s++;
        while (g_ascii_isdigit(*s)) {
            if (fdigits < SCENARIO_VALUE_FRAC_DIGITS) {
                frac = frac * 10 + (guint64)(*s - '0');
                fdigits++;
            }
            digits++;
            s++;
        }
    }
    if (digits == 0)
        return FALSE;
    for (; fdigits < SCENARIO_VALUE_FRAC_DIGITS; fdigits++)
        frac *= 10;
    *micro = whole * 1000000 + frac;
    *p = s;
    return TRUE;
}

typedef struct {
    const char *unit;
    guint64 factor; /* base units (us, bit/s, bytes) per unit */
} ScenarioUnit;

/* Parses NUMBER [space] UNIT; result = NUMBER * factor, fraction truncated. */
static gboolean
scenario_value_parse_units(const char *text, const ScenarioUnit *units, gboolean ci, guint64 *out)
{
    if (text == NULL)
        return FALSE;
    const char *p = text;
    while (*p == ' ')
        p++;
    guint64 micro;
    if (!scenario_value_read_decimal(&p, &micro))
        return FALSE;
    while (*p == ' ')
        p++;
    g_autofree char *unit = g_strdup(p);
    g_strchomp(unit);
    for (const ScenarioUnit *u = units; u->unit != NULL; u++) {
        gboolean same = ci ? g_ascii_strcasecmp(u->unit, unit) == 0 : strcmp(u->unit, unit) == 0;
        if (!same)
            continue;
        /* micro <= ~1e18; divide first where the factor is a multiple of 10^6. */
        guint64 r;
        if (u->factor % 1000000 == 0) {
            guint64 f = u->factor / 1000000;
            if (f != 0 && micro > G_MAXINT64 / f)
                return FALSE;
            r = micro * f;
        } else {
            if (micro > G_MAXINT64 / u->factor)
                return FALSE;
            r = micro * u->factor / 1000000;
        }
        *out = r;
        return TRUE;
    }
    return FALSE;
}

static const ScenarioUnit scenario_duration_units[] = {
    {"", 1000000},
    {"s", 1000000},
    {"sec", 1000000},
    {"us", 1},
    {"\xc2\xb5s", 1},
    {"ms", 1000},
    {"m", 60000000},
    {"min", 60000000},
    {"h", G_GUINT64_CONSTANT(3600000000)},
    {"d", G_GUINT64_CONSTANT(86400000000)},
    {NULL, 0},
};

gboolean
scenario_parse_duration(const char *text, gint64 *usec)
{
    guint64 v;
    if (!scenario_value_parse_units(text, scenario_duration_units, FALSE, &v) ||
        v > (guint64)G_MAXINT64)
        return FALSE;
    *usec = (gint64)v;
    return TRUE;
}

static const ScenarioUnit scenario_bandwidth_units[] = {
    {"", 1},           {"bit", 1},           {"bps", 1},
    {"kbit", 1000},    {"kbps", 1000},       {"mbit", 1000000},
    {"mbps", 1000000}, {"gbit", 1000000000}, {"gbps", 1000000000},
    {NULL, 0},
};

gboolean
scenario_parse_bandwidth(const char *text, guint64 *bps)
{
    guint64 v;
    if (!scenario_value_parse_units(text, scenario_bandwidth_units, TRUE, &v) || v == 0)
        return FALSE;
    *bps = v;
    return TRUE;
}

static const ScenarioUnit scenario_size_units[] = {
    {"", 1},           {"b", 1},           {"k", 1024},         {"kb", 1024},
    {"kib", 1024},     {"m", 1048576},     {"mb", 1048576},     {"mib", 1048576},
    {"g", 1073741824}, {"gb", 1073741824}, {"gib", 1073741824}, {NULL, 0},
};

gboolean
scenario_parse_size(const char *text, guint64 *bytes)
{
    return scenario_value_parse_units(text, scenario_size_units, TRUE, bytes);
}

gboolean
scenario_parse_rate(const char *text, gint64 *interval_usec)
{
    if (text == NULL)
        return FALSE;
    const char *p = text;
    guint64 micro;
    if (!scenario_value_read_decimal(&p, &micro) || micro == 0)
        return FALSE;
    while (*p == ' ')
        p++;
    if (*p != '\0' && strcmp(p, "/s") != 0)
        return FALSE;
    /* interval = 1 s / rate = 10^6 us * 10^6 / micro */
    guint64 iv = G_GUINT64_CONSTANT(1000000000000) / micro;
    *interval_usec = iv == 0 ? 1 : (gint64)iv;
    return TRUE;
}

gboolean
scenario_parse_uint(const char *text, guint64 max, guint64 *value)
{
    guint64 v;
    if (text == NULL || !g_ascii_isdigit(text[0]))
        return FALSE;
    if (!g_ascii_string_to_unsigned(text, 10, 0, max, &v, NULL))
        return FALSE;
    *value = v;
    return TRUE;
}

gboolean
scenario_parse_bool(const char *text, gboolean *value)
{
    static const char *const yes[] = {"true", "yes", "on", NULL};
    static const char *const no[] = {"false", "no", "off", NULL};
    if (text == NULL)
        return FALSE;
    for (guint i = 0; yes[i] != NULL; i++) {
        if (g_ascii_strcasecmp(text, yes[i]) == 0) {
            *value = TRUE;
            return TRUE;
        }
        if (g_ascii_strcasecmp(text, no[i]) == 0) {
            *value = FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

/* Reads one decimal octet 0..255 without superfluous leading zeros. */
static gboolean
scenario_value_read_octet(const char **p, guint max)
{
    const char *s = *p;
    guint v = 0, n = 0;
    while (g_ascii_isdigit(*s) && n < 4) {
        v = v * 10 + (guint)(*s - '0');
        s++;
        n++;
    }
    if (n == 0 || n > 3 || v > max || (n > 1 && **p == '0'))
        return FALSE;
    *p = s;
    return TRUE;
}

static gboolean
scenario_value_read_ipv4(const char **p)
{
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            if (**p != '.')
                return FALSE;
            (*p)++;
        }
        if (!scenario_value_read_octet(p, 255))
            return FALSE;
    }
    return TRUE;
}

gboolean
scenario_is_ipv4(const char *text)
{
    if (text == NULL)
        return FALSE;
    const char *p = text;
    return scenario_value_read_ipv4(&p) && *p == '\0';
}

gboolean
scenario_is_ipv4_cidr(const char *text)
{
    if (text == NULL)
        return FALSE;
    const char *p = text;
    if (!scenario_value_read_ipv4(&p))
        return FALSE;
    if (*p == '\0')
        return TRUE;
    if (*p != '/')
        return FALSE;
    p++;
    return scenario_value_read_octet(&p, 32) && *p == '\0';
}

gboolean
scenario_parse_epoch(const char *text, gint64 *unix_seconds)
{
    if (text == NULL || text[0] == '\0')
        return FALSE;
    guint64 plain;
    if (scenario_parse_uint(text, G_MAXINT64, &plain)) {
        *unix_seconds = (gint64)plain;
        return TRUE;
    }
    g_autofree char *full = NULL;
    /* A date alone ("2026-01-01") means midnight UTC. */
    if (strlen(text) == 10 && text[4] == '-' && text[7] == '-')
        full = g_strconcat(text, "T00:00:00Z", NULL);
    else
        full = g_strdup(text);
    /* RFC 3339 5.6 requires an offset; without one GLib would use local time. */
    gsize len = strlen(full);
    if (len < 20 || !(full[len - 1] == 'Z' || full[len - 1] == 'z' || full[len - 6] == '+' ||
                      full[len - 6] == '-'))
        return FALSE;
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(full, NULL);
    if (dt == NULL)
        return FALSE;
    *unix_seconds = g_date_time_to_unix(dt);
    return TRUE;
}

guint
scenario_edit_distance(const char *a, const char *b, guint cap)
{
    gsize la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1;
    guint row[65], prev[65];
    for (gsize j = 0; j <= lb; j++)
        prev[j] = (guint)j;
    for (gsize i = 1; i <= la; i++) {
        row[0] = (guint)i;
        for (gsize j = 1; j <= lb; j++) {
            guint cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;
            guint best = prev[j - 1] + cost;
            best = MIN(best, prev[j] + 1);
            best = MIN(best, row[j - 1] + 1);
            row[j] = best;
        }
        memcpy(prev, row, sizeof(guint) * (lb + 1));
    }
    return prev[lb] > cap ? cap + 1 : prev[lb];
}

const char *
scenario_suggest(const char *word, const char *const *candidates)
{
    if (word == NULL || candidates == NULL)
        return NULL;
    gsize len = strlen(word);
    /* One edit for short words, up to three for long ones. */
    guint cap = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    const char *best = NULL;
    guint best_d = cap + 1;
    for (guint i = 0; candidates[i] != NULL; i++) {
        guint d = scenario_edit_distance(word, candidates[i], cap);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}
