/* SPDX-License-Identifier: MIT
 * psl: Public Suffix List rules and the Organizational Domain (RFC 7489
 * 3.2). Implements the publicsuffix.org matching algorithm: exception rules
 * ("!") win, else the rule matching the most labels (wildcards "*." match
 * any one label), else the implicit "*" rule (the TLD). Names are compared
 * in ASCII lower case; IDN rules are kept as written (no punycode
 * conversion here: callers pass A-labels and lists in A-label form match).
 */
#include "proto/psl.h"

#include <string.h>

struct Psl {
    GHashTable *rules;      /* "co.uk" */
    GHashTable *wildcards;  /* "ck" for "*.ck" */
    GHashTable *exceptions; /* "www.ck" for "!www.ck" */
};

Psl *
psl_new(void)
{
    Psl *psl = g_new0(Psl, 1);
    psl->rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    psl->wildcards = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    psl->exceptions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return psl;
}

void
psl_free(Psl *psl)
{
    if (psl == NULL)
        return;
    g_hash_table_unref(psl->rules);
    g_hash_table_unref(psl->wildcards);
    g_hash_table_unref(psl->exceptions);
    g_free(psl);
}

/* Lower-cased name without a trailing dot; NULL when a label is empty. */
static char *
psl_normalize(const char *name)
{
    if (name == NULL)
        return NULL;
    g_autofree char *s = g_ascii_strdown(name, -1);
    gsize n = strlen(s);
    if (n > 0 && s[n - 1] == '.')
        s[--n] = '\0';
    if (n == 0 || n > 253 || s[0] == '.' || strstr(s, "..") != NULL)
        return NULL;
    return g_steal_pointer(&s);
}

gboolean
psl_add_rule(Psl *psl, const char *rule)
{
    g_return_val_if_fail(psl != NULL && rule != NULL, FALSE);
    GHashTable *set = psl->rules;
    const char *body = rule;
    if (rule[0] == '!') {
        set = psl->exceptions;
        body = rule + 1;
    } else if (g_str_has_prefix(rule, "*.")) {
        set = psl->wildcards;
        body = rule + 2;
    }
    char *name = psl_normalize(body);
    if (name == NULL || strchr(name, '*') != NULL || strchr(name, '!') != NULL) {
        g_free(name);
        return FALSE;
    }
    g_hash_table_add(set, name);
    return TRUE;
}

guint
psl_add_list(Psl *psl, const char *text, gsize len)
{
    g_return_val_if_fail(psl != NULL && (text != NULL || len == 0), 0);
    guint added = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (gsize)(end - p));
        const char *le = nl ? nl : end;
        /* only the first word counts; "//" starts a comment line */
        const char *s = p;
        while (s < le && (*s == ' ' || *s == '\t'))
            s++;
        const char *e = s;
        while (e < le && *e != ' ' && *e != '\t' && *e != '\r')
            e++;
        if (e > s && !(e - s >= 2 && s[0] == '/' && s[1] == '/')) {
            g_autofree char *rule = g_strndup(s, (gsize)(e - s));
            added += psl_add_rule(psl, rule);
        }
        p = nl ? nl + 1 : end;
    }
    return added;
}

guint
psl_n_rules(const Psl *psl)
{
    return g_hash_table_size(psl->rules) + g_hash_table_size(psl->wildcards) +
           g_hash_table_size(psl->exceptions);
}

/* Number of labels of the public suffix of the n labels in v. */
static guint
psl_suffix_labels(const Psl *psl, char **v, guint n)
{
    for (guint i = 0; i < n; i++) {
        g_autofree char *cand = g_strjoinv(".", v + i);
        if (g_hash_table_contains(psl->exceptions, cand))
            return n - i - 1; /* an exception rule's suffix drops its first label */
    }
    for (guint i = 0; i < n; i++) {
        g_autofree char *cand = g_strjoinv(".", v + i);
        if (g_hash_table_contains(psl->rules, cand))
            return n - i;
        if (i + 1 < n) {
            g_autofree char *parent = g_strjoinv(".", v + i + 1);
            if (g_hash_table_contains(psl->wildcards, parent))
                return n - i;
        }
    }
    return 1; /* the implicit "*" rule */
}

char *
psl_public_suffix(const Psl *psl, const char *domain)
{
    g_return_val_if_fail(psl != NULL, NULL);
    g_autofree char *d = psl_normalize(domain);
    if (d == NULL)
        return NULL;
    g_auto(GStrv) v = g_strsplit(d, ".", -1);
    guint n = g_strv_length(v);
    guint k = psl_suffix_labels(psl, v, n);
    return g_strjoinv(".", v + (n - k));
}

char *
psl_org_domain(const Psl *psl, const char *domain)
{
    g_return_val_if_fail(psl != NULL, NULL);
    g_autofree char *d = psl_normalize(domain);
    if (d == NULL)
        return NULL;
    g_auto(GStrv) v = g_strsplit(d, ".", -1);
    guint n = g_strv_length(v);
    guint k = psl_suffix_labels(psl, v, n);
    if (k >= n)
        return g_steal_pointer(&d);          /* the name is itself a public suffix */
    return g_strjoinv(".", v + (n - k - 1)); /* RFC 7489 3.2 step 4 */
}
