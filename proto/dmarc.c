/* SPDX-License-Identifier: MIT
 * dmarc: DMARC records (RFC 7489 6.3, 6.4), identifier alignment (3.1),
 * policy discovery (6.6.3) as a sans-I/O check, and pct sampling (6.6.4).
 * Reports (rua/ruf) are parsed and kept as strings, never sent.
 */
#include "proto/dmarc.h"

#include <string.h>

/* RFC 7489 6.4: a record is a short tag-list; refuse oversized ones. */
#define DMARC_RECORD_MAX 4096

gboolean
dmarc_record_is_dmarc(const char *txt)
{
    /* 6.6.3 step 2: records not starting with "v=DMARC1" are discarded */
    if (txt == NULL || !g_str_has_prefix(txt, "v=DMARC1"))
        return FALSE;
    const char *rest = txt + strlen("v=DMARC1");
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static gboolean
dmarc_parse_policy(const char *v, DmarcPolicy *out)
{
    if (g_ascii_strcasecmp(v, "none") == 0)
        *out = DMARC_POLICY_NONE;
    else if (g_ascii_strcasecmp(v, "quarantine") == 0)
        *out = DMARC_POLICY_QUARANTINE;
    else if (g_ascii_strcasecmp(v, "reject") == 0)
        *out = DMARC_POLICY_REJECT;
    else
        return FALSE;
    return TRUE;
}

static gboolean
dmarc_parse_align(const char *v, DmarcAlign *out)
{
    if (g_ascii_strcasecmp(v, "r") == 0)
        *out = DMARC_ALIGN_RELAXED;
    else if (g_ascii_strcasecmp(v, "s") == 0)
        *out = DMARC_ALIGN_STRICT;
    else
        return FALSE;
    return TRUE;
}

static gboolean
dmarc_parse_uint(const char *v, guint64 max, guint64 *out)
{
    if (*v == '\0' || strlen(v) > 10)
        return FALSE;
    for (const char *p = v; *p; p++)
        if (!g_ascii_isdigit(*p))
            return FALSE;
    *out = g_ascii_strtoull(v, NULL, 10);
    return *out <= max;
}

/* Colon-separated list whose items all appear in allowed. */
static gboolean
dmarc_parse_list(const char *v, const char *const *allowed)
{
    g_auto(GStrv) items = g_strsplit(v, ":", -1);
    for (guint i = 0; items[i]; i++) {
        g_strstrip(items[i]);
        gboolean ok = FALSE;
        for (guint j = 0; allowed[j]; j++)
            ok |= g_ascii_strcasecmp(items[i], allowed[j]) == 0;
        if (!ok)
            return FALSE;
    }
    return items[0] != NULL;
}

/* 6.4 dmarc-uri: URI [ "!" size ]; we ask for "scheme:rest". */
static gboolean
dmarc_uri_list_ok(const char *v)
{
    g_auto(GStrv) uris = g_strsplit(v, ",", -1);
    for (guint i = 0; uris[i]; i++) {
        g_strstrip(uris[i]);
        const char *colon = strchr(uris[i], ':');
        if (colon == NULL || colon == uris[i] || colon[1] == '\0' || !g_ascii_isalpha(uris[i][0]))
            return FALSE;
    }
    return uris[0] != NULL;
}

static gboolean
dmarc_record_tag(DmarcRecord *r, const char *name, const char *value, gboolean *p_ok,
                 gboolean *sp_ok, const char **why)
{
    static const char *const fo_values[] = {"0", "1", "d", "s", NULL};
    static const char *const rf_values[] = {"afrf", "iodef", NULL};
    guint64 n;
    if (strcmp(name, "p") == 0) {
        *p_ok = dmarc_parse_policy(value, &r->p);
    } else if (strcmp(name, "sp") == 0) {
        r->has_sp = TRUE;
        *sp_ok = dmarc_parse_policy(value, &r->sp);
    } else if (strcmp(name, "adkim") == 0) {
        if (!dmarc_parse_align(value, &r->adkim))
            return (*why = "invalid adkim="), FALSE;
    } else if (strcmp(name, "aspf") == 0) {
        if (!dmarc_parse_align(value, &r->aspf))
            return (*why = "invalid aspf="), FALSE;
    } else if (strcmp(name, "pct") == 0) {
        if (!dmarc_parse_uint(value, 100, &n))
            return (*why = "pct= is not 0..100"), FALSE;
        r->pct = (guint)n;
    } else if (strcmp(name, "ri") == 0) {
        if (!dmarc_parse_uint(value, G_MAXUINT32, &n))
            return (*why = "invalid ri="), FALSE;
        r->ri = (guint32)n;
    } else if (strcmp(name, "fo") == 0) {
        if (!dmarc_parse_list(value, fo_values))
            return (*why = "invalid fo="), FALSE;
        g_free(r->fo);
        r->fo = g_strdup(value);
    } else if (strcmp(name, "rf") == 0) {
        if (!dmarc_parse_list(value, rf_values))
            return (*why = "invalid rf="), FALSE;
        g_free(r->rf);
        r->rf = g_strdup(value);
    } else if (strcmp(name, "rua") == 0 || strcmp(name, "ruf") == 0) {
        char **slot = name[2] == 'a' ? &r->rua : &r->ruf;
        if (!dmarc_uri_list_ok(value))
            return (*why = "invalid report URI"), FALSE;
        *slot = g_strdup(value);
    }
    return TRUE; /* 6.3: unknown tags MUST be ignored */
}

/* Splits "k=v; k=v" into r; TRUE when every known tag is valid. */
static gboolean
dmarc_record_tags(const char *txt, DmarcRecord *r, gboolean *p_ok, gboolean *sp_ok,
                  const char **why)
{
    g_auto(GStrv) parts = g_strsplit(txt, ";", -1);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; parts[i]; i++) {
        char *part = g_strstrip(parts[i]);
        if (*part == '\0' && parts[i + 1] == NULL)
            break; /* a trailing ";" */
        char *eq = strchr(part, '=');
        if (eq == NULL)
            return (*why = "tag without '='"), FALSE;
        *eq = '\0';
        char *name = g_ascii_strdown(g_strstrip(part), -1);
        const char *value = g_strstrip(eq + 1);
        if (!g_hash_table_add(seen, name))
            return (*why = "duplicate tag"), FALSE;
        if (i == 0 && (strcmp(name, "v") != 0 || strcmp(value, "DMARC1") != 0))
            return (*why = "record does not start with v=DMARC1"), FALSE;
        if (!dmarc_record_tag(r, name, value, p_ok, sp_ok, why))
            return FALSE;
    }
    return TRUE;
}

gboolean
dmarc_record_parse(const char *txt, DmarcRecord *out, const char **why)
{
    g_return_val_if_fail(out != NULL, FALSE);
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    memset(out, 0, sizeof *out);
    if (txt == NULL || strlen(txt) > DMARC_RECORD_MAX || !dmarc_record_is_dmarc(txt)) {
        *why = "not a DMARC1 record";
        return FALSE;
    }
    DmarcRecord r = {.pct = 100, .ri = 86400}; /* 6.3 defaults */
    gboolean p_ok = FALSE, sp_ok = TRUE;
    if (!dmarc_record_tags(txt, &r, &p_ok, &sp_ok, why)) {
        dmarc_record_clear(&r);
        return FALSE;
    }
    if (!p_ok || !sp_ok) {
        /* 6.6.3 step 6: a bad or missing p= (or bad sp=) with a valid rua
         * acts as p=none; without rua, no policy at all */
        if (r.rua == NULL) {
            *why = p_ok ? "invalid sp=" : "missing or invalid p=";
            dmarc_record_clear(&r);
            return FALSE;
        }
        r.p = DMARC_POLICY_NONE;
        r.has_sp = FALSE;
    }
    if (r.fo == NULL)
        r.fo = g_strdup("0");
    if (r.rf == NULL)
        r.rf = g_strdup("afrf");
    *out = r;
    *why = NULL;
    return TRUE;
}

void
dmarc_record_clear(DmarcRecord *r)
{
    g_free(r->rua);
    g_free(r->ruf);
    g_free(r->fo);
    g_free(r->rf);
    memset(r, 0, sizeof *r);
}

gboolean
dmarc_is_aligned(const Psl *psl, const char *auth_domain, const char *from_domain, DmarcAlign mode)
{
    g_return_val_if_fail(psl != NULL, FALSE);
    if (auth_domain == NULL || from_domain == NULL)
        return FALSE;
    g_autofree char *a = psl_org_domain(psl, auth_domain);
    g_autofree char *f = psl_org_domain(psl, from_domain);
    if (a == NULL || f == NULL)
        return FALSE;
    if (mode == DMARC_ALIGN_STRICT) {
        /* 3.1.1/3.1.2 strict: the exact same name (case and final dot aside) */
        gsize al = strlen(auth_domain), fl = strlen(from_domain);
        al -= al > 0 && auth_domain[al - 1] == '.';
        fl -= fl > 0 && from_domain[fl - 1] == '.';
        return al == fl && g_ascii_strncasecmp(auth_domain, from_domain, al) == 0;
    }
    return strcmp(a, f) == 0; /* relaxed: same Organizational Domain */
}

DmarcPolicy
dmarc_policy_sample(DmarcPolicy p, guint pct, guint roll)
{
    g_return_val_if_fail(roll < 100, p);
    if (roll < pct)
        return p; /* sampled: the policy applies */
    /* 6.6.4: not sampled, the next weaker policy applies */
    return p == DMARC_POLICY_REJECT ? DMARC_POLICY_QUARANTINE : DMARC_POLICY_NONE;
}

guint
dmarc_roll(GRand *rand)
{
    g_return_val_if_fail(rand != NULL, 0);
    return (guint)g_rand_int_range(rand, 0, 100);
}

const char *
dmarc_result_name(DmarcResult r)
{
    static const char *const names[] = {"none", "pass", "fail", "temperror", "permerror"};
    return (guint)r < G_N_ELEMENTS(names) ? names[r] : "?";
}

const char *
dmarc_policy_name(DmarcPolicy p)
{
    static const char *const names[] = {"none", "quarantine", "reject"};
    return (guint)p < G_N_ELEMENTS(names) ? names[p] : "?";
}
