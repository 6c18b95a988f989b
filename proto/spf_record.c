/* SPDX-License-Identifier: MIT
 * spf_record: parses an SPF record into mechanisms and modifiers
 * (RFC 7208 4.5 version, 4.6 terms, 5 mechanisms, 6 modifiers, 12 ABNF).
 * Any syntax error anywhere makes the whole record a permerror (4.6).
 * Also the address helpers shared by the engine. No DNS here.
 */
#include "proto/spf-private.h"

#include <arpa/inet.h>
#include <string.h>

static void
spf_mech_free(SpfMech *m)
{
    g_free(m->domain);
    g_free(m->text);
    g_free(m);
}

void
spf_record_free(SpfRecord *rec)
{
    if (rec == NULL)
        return;
    g_ptr_array_unref(rec->mechs);
    g_free(rec->redirect);
    g_free(rec->exp);
    g_free(rec);
}

gboolean
spf_record_is_spf(const char *text)
{
    /* RFC 7208 4.5: exactly "v=spf1" then a space or the end. */
    return g_ascii_strncasecmp(text, "v=spf1", 6) == 0 && (text[6] == '\0' || text[6] == ' ');
}

static const struct {
    const char *name;
    SpfMechKind kind;
} spf_mech_names[] = {
    {"all", SPF_MECH_ALL}, {"include", SPF_MECH_INCLUDE}, {"a", SPF_MECH_A},
    {"mx", SPF_MECH_MX},   {"ptr", SPF_MECH_PTR},         {"ip4", SPF_MECH_IP4},
    {"ip6", SPF_MECH_IP6}, {"exists", SPF_MECH_EXISTS},
};

const char *
spf_mech_kind_name(SpfMechKind kind)
{
    for (gsize i = 0; i < G_N_ELEMENTS(spf_mech_names); i++)
        if (spf_mech_names[i].kind == kind)
            return spf_mech_names[i].name;
    return "?";
}

gboolean
spf_ip_parse(const char *text, guint8 out[16], gboolean *is_v6)
{
    memset(out, 0, 16);
    if (inet_pton(AF_INET, text, out) == 1) {
        *is_v6 = FALSE;
        return TRUE;
    }
    guint8 b[16];
    if (inet_pton(AF_INET6, text, b) != 1)
        return FALSE;
    static const guint8 mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) {
        /* RFC 7208 5: an IPv4-mapped IPv6 client is checked as IPv4. */
        memcpy(out, b + 12, 4);
        *is_v6 = FALSE;
        return TRUE;
    }
    memcpy(out, b, 16);
    *is_v6 = TRUE;
    return TRUE;
}

gboolean
spf_ip_prefix_match(const guint8 *a, const guint8 *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, whole) != 0)
        return FALSE;
    if (rest == 0)
        return TRUE;
    guint8 mask = (guint8)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

/* RFC 7208 12: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT), likewise
 * ip6 with up to three digits. Returns -1 when malformed or above max. */
static int
spf_record_cidr(const char *s, gsize len, int max)
{
    if (len == 0 || len > 3 || (s[0] == '0' && len > 1))
        return -1;
    int v = 0;
    for (gsize i = 0; i < len; i++) {
        if (!g_ascii_isdigit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v > max ? -1 : v;
}

static gboolean
spf_record_is_toplabel(const char *s, gsize len)
{
    /* toplabel = ( *alphanum ALPHA *alphanum ) /
     *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
    if (len == 0 || len > SPF_LABEL_MAX)
        return FALSE;
    gboolean alpha = FALSE, dash = FALSE;
    for (gsize i = 0; i < len; i++) {
        if (g_ascii_isalpha(s[i]))
            alpha = TRUE;
        else if (s[i] == '-')
            dash = TRUE;
        else if (!g_ascii_isdigit(s[i]))
            return FALSE;
    }
    if (!dash)
        return alpha;
    return s[0] != '-' && s[len - 1] != '-';
}

gboolean
spf_domain_spec_is_valid(const char *s)
{
    if (!spf_macro_is_valid(s, FALSE))
        return FALSE;
    gsize len = strlen(s);
    if (len == 0)
        return FALSE;
    /* domain-end = ( "." toplabel [ "." ] ) / macro-expand */
    if (s[len - 1] == '}')
        return TRUE;
    if (len >= 2 && s[len - 2] == '%' && strchr("%_-", s[len - 1])) {
        /* "%%" "%_" "%-" end a macro-expand unless the % is itself escaped */
        gsize pct = 0;
        for (gsize i = len - 1; i > 0 && s[i - 1] == '%'; i--)
            pct++;
        if (pct % 2 == 1)
            return TRUE;
    }
    if (s[len - 1] == '.')
        len--;
    const char *dot = g_strrstr_len(s, (gssize)len, ".");
    if (dot == NULL)
        return FALSE;
    return spf_record_is_toplabel(dot + 1, len - (gsize)(dot + 1 - s));
}

/* Cuts "<sep>DIGITS" off the end of arg into *out. Returns FALSE when the
 * digits are not a valid length; TRUE (with *out untouched) when absent. A
 * "/" followed by anything but digits belongs to the domain-spec (RFC 7208
 * 7.1 allows any visible character there). */
static gboolean
spf_record_cut_cidr(char *arg, const char *sep, int max, int *out)
{
    gsize n = strlen(arg), i = n, slen = strlen(sep);
    while (i > 0 && g_ascii_isdigit(arg[i - 1]))
        i--;
    if (i == n || i < slen || memcmp(arg + i - slen, sep, slen) != 0)
        return TRUE;
    if (slen == 1 && i >= 2 && arg[i - 2] == '/')
        return TRUE; /* "//DIGITS" is the ip6 length, handled by the caller */
    *out = spf_record_cidr(arg + i, n - i, max);
    arg[i - slen] = '\0';
    return *out >= 0;
}

/* Splits the optional dual-cidr-length off the end of an a/mx argument
 * (RFC 7208 5.6: ip4-cidr-length then "/" ip6-cidr-length). */
static gboolean
spf_record_dual_cidr(SpfMech *m, char *arg)
{
    if (!spf_record_cut_cidr(arg, "//", 128, &m->cidr6))
        return FALSE;
    return spf_record_cut_cidr(arg, "/", 32, &m->cidr4);
}

static gboolean
spf_record_ip(SpfMech *m, char *arg)
{
    gboolean v6 = m->kind == SPF_MECH_IP6;
    char *slash = strchr(arg, '/');
    if (slash != NULL) {
        int c = spf_record_cidr(slash + 1, strlen(slash + 1), v6 ? 128 : 32);
        if (c < 0)
            return FALSE;
        *slash = '\0';
        if (v6)
            m->cidr6 = c;
        else
            m->cidr4 = c;
    }
    return inet_pton(v6 ? AF_INET6 : AF_INET, arg, m->addr) == 1;
}

/* Parses what follows the mechanism name: rest is "", ":arg" or "/cidr". */
static gboolean
spf_record_mech_args(SpfMech *m, const char *rest)
{
    gboolean has_colon = *rest == ':';
    g_autofree char *a = g_strdup(has_colon ? rest + 1 : rest);
    switch (m->kind) {
    case SPF_MECH_ALL:
        return *rest == '\0';
    case SPF_MECH_INCLUDE:
    case SPF_MECH_EXISTS:
        m->domain = g_strdup(a);
        return has_colon && spf_domain_spec_is_valid(a);
    case SPF_MECH_PTR:
        m->domain = has_colon ? g_strdup(a) : NULL;
        return *rest == '\0' || (has_colon && spf_domain_spec_is_valid(a));
    case SPF_MECH_A:
    case SPF_MECH_MX:
        /* RFC 7208 5.3, 5.4: [":" domain-spec] [dual-cidr-length] */
        if (!spf_record_dual_cidr(m, a))
            return FALSE;
        if (!has_colon)
            return *a == '\0';
        m->domain = g_strdup(a);
        return spf_domain_spec_is_valid(a);
    case SPF_MECH_IP4:
    case SPF_MECH_IP6:
        return has_colon && spf_record_ip(m, a);
    }
    g_assert_not_reached();
}

/* Parses one directive: [qualifier] mechanism (RFC 7208 4.6.1, 4.6.2). */
static SpfMech *
spf_record_directive(const char *term, char **problem)
{
    SpfMech *m = g_new0(SpfMech, 1);
    m->text = g_strdup(term);
    m->cidr4 = 32;
    m->cidr6 = 128;
    m->qualifier = SPF_RESULT_PASS;
    const char *p = term;
    static const char quals[] = "+-~?";
    static const SpfResult qual_results[] = {SPF_RESULT_PASS, SPF_RESULT_FAIL, SPF_RESULT_SOFTFAIL,
                                             SPF_RESULT_NEUTRAL};
    const char *q = *p ? strchr(quals, *p) : NULL;
    if (q != NULL) {
        m->qualifier = qual_results[q - quals];
        p++;
    }
    gsize nlen = strcspn(p, ":/");
    gboolean found = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(spf_mech_names); i++) {
        if (strlen(spf_mech_names[i].name) == nlen &&
            g_ascii_strncasecmp(p, spf_mech_names[i].name, nlen) == 0) {
            m->kind = spf_mech_names[i].kind;
            found = TRUE;
        }
    }
    if (!found) {
        *problem = g_strdup_printf("unknown mechanism '%s'", term);
    } else if (!spf_record_mech_args(m, p + nlen)) {
        *problem = g_strdup_printf("bad %s mechanism '%s'", spf_mech_kind_name(m->kind), term);
    } else {
        return m;
    }
    spf_mech_free(m);
    return NULL;
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) followed by "=". */
static gsize
spf_record_modifier_name(const char *term)
{
    if (!g_ascii_isalpha(term[0]))
        return 0;
    gsize i = 1;
    while (g_ascii_isalnum(term[i]) || term[i] == '-' || term[i] == '_' || term[i] == '.')
        i++;
    return term[i] == '=' ? i : 0;
}

static gboolean
spf_record_modifier(SpfRecord *rec, const char *term, gsize nlen, char **problem)
{
    const char *value = term + nlen + 1;
    char **slot = NULL;
    if (nlen == 8 && g_ascii_strncasecmp(term, "redirect", 8) == 0)
        slot = &rec->redirect;
    else if (nlen == 3 && g_ascii_strncasecmp(term, "exp", 3) == 0)
        slot = &rec->exp;
    if (slot == NULL) {
        /* RFC 7208 6: unknown modifiers are ignored, but must be macro-strings. */
        if (!spf_macro_is_valid(value, FALSE)) {
            *problem = g_strdup_printf("bad macro-string in modifier '%s'", term);
            return FALSE;
        }
        return TRUE;
    }
    if (*slot != NULL) {
        /* RFC 7208 6: redirect and exp appear at most once each. */
        *problem = g_strdup_printf("modifier '%.*s' appears twice", (int)nlen, term);
        return FALSE;
    }
    if (!spf_domain_spec_is_valid(value)) {
        *problem = g_strdup_printf("bad domain-spec in '%s'", term);
        return FALSE;
    }
    *slot = g_strdup(value);
    return TRUE;
}

SpfRecord *
spf_record_parse(const char *text, char **problem)
{
    g_return_val_if_fail(text != NULL && problem != NULL, NULL);
    *problem = NULL;
    if (strlen(text) > SPF_RECORD_MAX) {
        *problem = g_strdup_printf("record longer than %d octets", SPF_RECORD_MAX);
        return NULL;
    }
    if (!spf_record_is_spf(text)) {
        *problem = g_strdup("not an SPF record");
        return NULL;
    }
    for (const char *p = text; *p; p++) {
        /* RFC 7208 3.1, 4.6.1: 7-bit ASCII, terms separated by spaces only. */
        if ((guchar)*p < 0x20 || (guchar)*p > 0x7e) {
            *problem = g_strdup_printf("byte 0x%02x is not allowed in a record", (guchar)*p);
            return NULL;
        }
    }
    SpfRecord *rec = g_new0(SpfRecord, 1);
    rec->mechs = g_ptr_array_new_with_free_func((GDestroyNotify)spf_mech_free);
    g_auto(GStrv) terms = g_strsplit(text + 6, " ", -1);
    for (char **t = terms; *t; t++) {
        if (**t == '\0')
            continue;
        gsize nlen = spf_record_modifier_name(*t);
        if (nlen > 0) {
            if (!spf_record_modifier(rec, *t, nlen, problem))
                goto bad;
            continue;
        }
        SpfMech *m = spf_record_directive(*t, problem);
        if (m == NULL)
            goto bad;
        g_ptr_array_add(rec->mechs, m);
    }
    return rec;
bad:
    spf_record_free(rec);
    return NULL;
}
