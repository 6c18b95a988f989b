/* SPDX-License-Identifier: MIT
 * dkim_tags: RFC 6376 3.2 tag=value lists (used by DKIM-Signature fields
 * and key records), b= removal for the header hash (3.7), and the domain
 * syntax of d= and s= (3.5). Values are kept as written, inner FWS included;
 * each caller decides how to read its tags.
 */
#include "proto/dkim-private.h"

#include <string.h>

typedef struct {
    char *name;
    char *value;
} DkimTag;

struct DkimTagList {
    GArray *tags; /* DkimTag */
};

static gboolean
dkim_tags_is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
dkim_tags_clear_tag(gpointer p)
{
    DkimTag *t = p;
    g_free(t->name);
    g_free(t->value);
}

/* Trims FWS at both ends of [*s, *e). */
static void
dkim_tags_trim(const char **s, const char **e)
{
    while (*s < *e && dkim_tags_is_fws(**s))
        (*s)++;
    while (*e > *s && dkim_tags_is_fws((*e)[-1]))
        (*e)--;
}

/* tag-name = ALPHA *ALNUMPUNC */
static gboolean
dkim_tags_name_ok(const char *s, const char *e)
{
    if (s == e || !g_ascii_isalpha(*s))
        return FALSE;
    for (const char *p = s; p < e; p++)
        if (!g_ascii_isalnum(*p) && *p != '_')
            return FALSE;
    return TRUE;
}

/* tag-value: VALCHAR (%x21-3A / %x3C-7E) separated by FWS; octets above
 * 0x7F are tolerated (seen in z= copies of non-ASCII fields). */
static gboolean
dkim_tags_value_ok(const char *s, const char *e)
{
    for (const char *p = s; p < e; p++) {
        guchar c = (guchar)*p;
        if (c == ';' || (c < 0x21 && !dkim_tags_is_fws(*p)) || c == 0x7f)
            return FALSE;
    }
    return TRUE;
}

static gboolean
dkim_tags_add(DkimTagList *tl, const char *s, const char *e)
{
    const char *eq = memchr(s, '=', (gsize)(e - s));
    if (eq == NULL)
        return FALSE;
    const char *ns = s, *ne = eq, *vs = eq + 1, *ve = e;
    dkim_tags_trim(&ns, &ne);
    dkim_tags_trim(&vs, &ve);
    if (!dkim_tags_name_ok(ns, ne) || !dkim_tags_value_ok(vs, ve))
        return FALSE;
    g_autofree char *name = g_strndup(ns, (gsize)(ne - ns));
    if (dkim_tag_list_get(tl, name) != NULL)
        return FALSE; /* 3.2: a duplicate tag invalidates the whole list */
    DkimTag t = {g_steal_pointer(&name), g_strndup(vs, (gsize)(ve - vs))};
    g_array_append_val(tl->tags, t);
    return TRUE;
}

DkimTagList *
dkim_tag_list_parse(const char *text, gsize len)
{
    g_return_val_if_fail(text != NULL || len == 0, NULL);
    if (len > DKIM_MAX_TAG_LIST)
        return NULL;
    g_autoptr(DkimTagList) tl = g_new0(DkimTagList, 1);
    tl->tags = g_array_new(FALSE, TRUE, sizeof(DkimTag));
    g_array_set_clear_func(tl->tags, dkim_tags_clear_tag);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *semi = memchr(p, ';', (gsize)(end - p));
        const char *seg_end = semi ? semi : end;
        const char *s = p, *e = seg_end;
        dkim_tags_trim(&s, &e);
        if (s == e) {
            /* only a trailing ";" (and FWS) may leave a segment empty */
            if (semi != NULL || tl->tags->len == 0)
                return NULL;
        } else if (!dkim_tags_add(tl, p, seg_end)) {
            return NULL;
        }
        if (semi == NULL)
            break;
        p = semi + 1;
        if (p == end && tl->tags->len > 0)
            break;
    }
    if (tl->tags->len == 0)
        return NULL;
    return g_steal_pointer(&tl);
}

const char *
dkim_tag_list_get(const DkimTagList *tl, const char *name)
{
    for (guint i = 0; i < tl->tags->len; i++) {
        const DkimTag *t = &g_array_index(tl->tags, DkimTag, i);
        if (strcmp(t->name, name) == 0) /* 3.2: tag names are case-sensitive */
            return t->value;
    }
    return NULL;
}

void
dkim_tag_list_free(DkimTagList *tl)
{
    if (tl == NULL)
        return;
    g_array_unref(tl->tags);
    g_free(tl);
}

char *
dkim_strip_fws(const char *value)
{
    GString *s = g_string_new(NULL);
    for (const char *p = value; *p; p++)
        if (!dkim_tags_is_fws(*p))
            g_string_append_c(s, *p);
    return g_string_free(s, FALSE);
}

char *
dkim_field_strip_b(const char *raw, gsize len, gsize *out_len)
{
    const char *colon = memchr(raw, ':', len);
    const char *end = raw + len;
    /* the final line ending is not part of any tag value */
    const char *vend = end;
    if (vend > raw && vend[-1] == '\n')
        vend--;
    if (vend > raw && vend[-1] == '\r')
        vend--;
    const char *p = colon ? colon + 1 : end;
    while (p < vend) {
        const char *semi = memchr(p, ';', (gsize)(vend - p));
        const char *seg_end = semi ? semi : vend;
        const char *s = p;
        while (s < seg_end && dkim_tags_is_fws(*s))
            s++;
        const char *n = s;
        while (n < seg_end && !dkim_tags_is_fws(*n) && *n != '=')
            n++;
        const char *eq = n;
        while (eq < seg_end && dkim_tags_is_fws(*eq))
            eq++;
        if (n - s == 1 && *s == 'b' && eq < seg_end && *eq == '=') {
            /* 3.7 step 2: the b= value (and FWS up to ';') becomes empty */
            GString *out = g_string_new_len(raw, eq + 1 - raw);
            g_string_append_len(out, seg_end, end - seg_end);
            *out_len = out->len;
            return g_string_free(out, FALSE);
        }
        p = semi ? semi + 1 : vend;
    }
    *out_len = len;
    return g_strndup(raw, len);
}

gboolean
dkim_domain_is_valid(const char *d)
{
    if (d == NULL || *d == '\0' || strlen(d) > 253)
        return FALSE;
    g_auto(GStrv) labels = g_strsplit(d, ".", -1);
    for (guint i = 0; labels[i]; i++) {
        gsize n = strlen(labels[i]);
        if (n == 0 || n > 63 || labels[i][0] == '-' || labels[i][n - 1] == '-')
            return FALSE;
        for (gsize j = 0; j < n; j++) {
            char c = labels[i][j];
            if (!g_ascii_isalnum(c) && c != '-' && c != '_')
                return FALSE;
        }
    }
    return TRUE;
}
