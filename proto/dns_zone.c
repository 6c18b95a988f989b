/* SPDX-License-Identifier: MIT
 * dns_zone: record sets per owner name, CNAME chasing (RFC 1034 3.6.2),
 * wildcards (RFC 4592, simplified), staged failures.
 */
#include "proto/dns_zone.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* RFC 1034 3.6.2 does not bound chains; resolvers do. Eight is plenty. */
#define DNS_ZONE_CNAME_MAX 8

typedef struct {
    GPtrArray *records; /* DnsRecord* owned */
    DnsRcode failure;   /* 0 = answers normally */
    guint fail_after;   /* records added before the failure mark still answer */
} DnsZoneName;

struct DnsZone {
    gint refs;
    GHashTable *names; /* normalised name -> DnsZoneName* */
    guint count;
};

static void
dns_record_free(DnsRecord *r)
{
    g_free(r->name);
    g_free(r->text);
    g_strfreev(r->strings);
    g_free(r);
}

static void
dns_zone_name_free(DnsZoneName *n)
{
    g_ptr_array_unref(n->records);
    g_free(n);
}

char *
dns_name_normalize(const char *name)
{
    g_return_val_if_fail(name != NULL, NULL);
    char *n = g_ascii_strdown(name, -1);
    gsize len = strlen(n);
    while (len > 1 && n[len - 1] == '.')
        n[--len] = '\0';
    return n;
}

DnsZone *
dns_zone_new(void)
{
    DnsZone *z = g_new0(DnsZone, 1);
    z->refs = 1;
    z->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)dns_zone_name_free);
    return z;
}

DnsZone *
dns_zone_ref(DnsZone *zone)
{
    g_return_val_if_fail(zone != NULL, NULL);
    zone->refs++;
    return zone;
}

void
dns_zone_unref(DnsZone *zone)
{
    if (zone == NULL || --zone->refs > 0)
        return;
    g_hash_table_unref(zone->names);
    g_free(zone);
}

DnsZone *
dns_zone_copy(const DnsZone *zone)
{
    g_return_val_if_fail(zone != NULL, NULL);
    DnsZone *z = dns_zone_new();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, zone->names);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const DnsZoneName *n = value;
        DnsZoneName *c = g_new0(DnsZoneName, 1);
        c->records = g_ptr_array_new_with_free_func((GDestroyNotify)dns_record_free);
        for (guint i = 0; i < n->records->len; i++) {
            const DnsRecord *r = n->records->pdata[i];
            DnsRecord *d = g_new0(DnsRecord, 1);
            d->type = r->type;
            d->name = g_strdup(r->name);
            d->ttl = r->ttl;
            d->text = g_strdup(r->text);
            d->pref = r->pref;
            d->strings = g_strdupv(r->strings);
            g_ptr_array_add(c->records, d);
        }
        c->failure = n->failure;
        c->fail_after = n->fail_after;
        g_hash_table_insert(z->names, g_strdup(key), c);
    }
    z->count = zone->count;
    return z;
}

static DnsZoneName *
dns_zone_entry(DnsZone *zone, const char *name)
{
    g_autofree char *key = dns_name_normalize(name);
    DnsZoneName *n = g_hash_table_lookup(zone->names, key);
    if (n == NULL) {
        n = g_new0(DnsZoneName, 1);
        n->records = g_ptr_array_new_with_free_func((GDestroyNotify)dns_record_free);
        g_hash_table_insert(zone->names, g_steal_pointer(&key), n);
    }
    return n;
}

static DnsRecord *
dns_zone_push(DnsZone *zone, const char *name, DnsRrType type)
{
    DnsZoneName *n = dns_zone_entry(zone, name);
    DnsRecord *r = g_new0(DnsRecord, 1);
    r->type = type;
    r->name = dns_name_normalize(name);
    r->ttl = 3600;
    g_ptr_array_add(n->records, r);
    zone->count++;
    return r;
}

static gboolean
dns_zone_check_address(const char *value, int family)
{
    guint8 buf[16];
    return inet_pton(family, value, buf) == 1;
}

gboolean
dns_zone_add(DnsZone *zone, const char *name, DnsRrType type, const char *value, char **problem)
{
    g_return_val_if_fail(zone != NULL && name != NULL && value != NULL, FALSE);
    guint pref = 0;
    const char *target = value;
    switch (type) {
    case DNS_RR_A:
        if (!dns_zone_check_address(value, AF_INET))
            goto bad;
        break;
    case DNS_RR_AAAA:
        if (!dns_zone_check_address(value, AF_INET6))
            goto bad;
        break;
    case DNS_RR_MX: {
        char *end = NULL;
        guint64 p = g_ascii_strtoull(value, &end, 10);
        if (end == value || p > 65535 || (*end != ' ' && *end != '\t'))
            goto bad;
        while (*end == ' ' || *end == '\t')
            end++;
        if (*end == '\0')
            goto bad;
        pref = (guint)p;
        target = end;
        break;
    }
    case DNS_RR_TXT:
    case DNS_RR_SPF: {
        const char *strings[] = {value, NULL};
        DnsRecord *r = dns_zone_push(zone, name, type);
        r->strings = g_strdupv((char **)strings);
        r->text = g_strdup(value);
        return TRUE;
    }
    case DNS_RR_CNAME:
    case DNS_RR_PTR:
    case DNS_RR_NS:
        if (*value == '\0')
            goto bad;
        break;
    default:
        goto bad;
    }
    DnsRecord *r = dns_zone_push(zone, name, type);
    r->pref = (guint16)pref;
    r->text = type == DNS_RR_A || type == DNS_RR_AAAA ? g_strdup(target)
                                                      : dns_name_normalize(target);
    return TRUE;
bad:
    if (problem)
        *problem = g_strdup_printf("'%s' is not a valid %s record value", value,
                                   dns_rr_type_name(type));
    return FALSE;
}

void
dns_zone_add_txt(DnsZone *zone, const char *name, const char *const *strings)
{
    g_return_if_fail(zone != NULL && name != NULL && strings != NULL);
    DnsRecord *r = dns_zone_push(zone, name, DNS_RR_TXT);
    r->strings = g_strdupv((char **)strings);
    r->text = g_strjoinv("", r->strings);
}

void
dns_zone_set_failure(DnsZone *zone, const char *name, DnsRcode rcode)
{
    g_return_if_fail(zone != NULL && name != NULL);
    g_return_if_fail(rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_TIMEOUT);
    DnsZoneName *n = dns_zone_entry(zone, name);
    n->failure = rcode;
    n->fail_after = n->records->len;
}

gboolean
dns_zone_has_name(const DnsZone *zone, const char *name)
{
    g_autofree char *key = dns_name_normalize(name);
    return g_hash_table_contains(zone->names, key);
}

/* The entry answering for name: itself, or the wildcard "*.<parent>" of the
 * closest ancestor that has one (RFC 4592 2.2, simplified: no check that an
 * intermediate name exists). */
static DnsZoneName *
dns_zone_find(const DnsZone *zone, const char *name)
{
    DnsZoneName *n = g_hash_table_lookup(zone->names, name);
    if (n != NULL)
        return n;
    for (const char *p = strchr(name, '.'); p != NULL; p = strchr(p + 1, '.')) {
        g_autofree char *wild = g_strconcat("*", p, NULL);
        n = g_hash_table_lookup(zone->names, wild);
        if (n != NULL)
            return n;
    }
    return NULL;
}

void
dns_zone_lookup(const DnsZone *zone, const char *name, DnsRrType type, DnsAnswer *answer)
{
    g_return_if_fail(zone != NULL && name != NULL && answer != NULL);
    memset(answer, 0, sizeof *answer);
    answer->records = g_ptr_array_new();
    char *cur = dns_name_normalize(name);
    for (int hops = 0; hops <= DNS_ZONE_CNAME_MAX; hops++) {
        DnsZoneName *n = dns_zone_find(zone, cur);
        if (n == NULL) {
            answer->rcode = DNS_RCODE_NXDOMAIN;
            break;
        }
        const DnsRecord *cname = NULL;
        guint usable = n->failure ? n->fail_after : n->records->len;
        gboolean has_type = FALSE;
        for (guint i = 0; i < usable; i++) {
            DnsRecord *r = n->records->pdata[i];
            if (r->type == type) {
                g_ptr_array_add(answer->records, r);
                has_type = TRUE;
            } else if (r->type == DNS_RR_CNAME && type != DNS_RR_CNAME) {
                cname = r;
            }
        }
        if (n->failure && !has_type) {
            answer->rcode = n->failure;
            break;
        }
        if (has_type || cname == NULL) {
            answer->rcode = DNS_RCODE_NOERROR;
            break;
        }
        g_free(cur);
        cur = g_strdup(cname->text);
        if (hops == DNS_ZONE_CNAME_MAX)
            answer->rcode = DNS_RCODE_SERVFAIL; /* a CNAME loop */
    }
    answer->canonical = cur;
}

void
dns_answer_clear(DnsAnswer *answer)
{
    if (answer == NULL)
        return;
    g_clear_pointer(&answer->records, g_ptr_array_unref);
    g_clear_pointer(&answer->canonical, g_free);
}

static const struct {
    DnsRrType type;
    const char *name;
} dns_rr_types[] = {
    {DNS_RR_A, "A"},     {DNS_RR_NS, "NS"},   {DNS_RR_CNAME, "CNAME"}, {DNS_RR_PTR, "PTR"},
    {DNS_RR_MX, "MX"},   {DNS_RR_TXT, "TXT"}, {DNS_RR_AAAA, "AAAA"},   {DNS_RR_SPF, "SPF"},
};

const char *
dns_rr_type_name(DnsRrType type)
{
    for (gsize i = 0; i < G_N_ELEMENTS(dns_rr_types); i++)
        if (dns_rr_types[i].type == type)
            return dns_rr_types[i].name;
    return "?";
}

DnsRrType
dns_rr_type_from_name(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(dns_rr_types); i++)
        if (g_ascii_strcasecmp(dns_rr_types[i].name, name) == 0)
            return dns_rr_types[i].type;
    return 0;
}

const char *
dns_rcode_name(DnsRcode rcode)
{
    switch (rcode) {
    case DNS_RCODE_NOERROR:
        return "NOERROR";
    case DNS_RCODE_SERVFAIL:
        return "SERVFAIL";
    case DNS_RCODE_NXDOMAIN:
        return "NXDOMAIN";
    case DNS_RCODE_TIMEOUT:
        return "TIMEOUT";
    }
    return "?";
}

char **
dns_zone_names(const DnsZone *zone)
{
    guint n = 0;
    char **names = (char **)g_hash_table_get_keys_as_array(zone->names, &n);
    char **copy = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        copy[i] = g_strdup(names[i]);
    g_free(names);
    qsort(copy, n, sizeof(char *), (int (*)(const void *, const void *))g_strcmp0);
    return copy;
}

static int
dns_zone_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
dns_zone_records(const DnsZone *zone)
{
    g_auto(GStrv) names = dns_zone_names(zone);
    qsort(names, g_strv_length(names), sizeof(char *), dns_zone_cmp_str);
    GPtrArray *all = g_ptr_array_new();
    for (char **p = names; *p; p++) {
        DnsZoneName *n = g_hash_table_lookup(zone->names, *p);
        for (guint i = 0; i < n->records->len; i++)
            g_ptr_array_add(all, n->records->pdata[i]);
    }
    return all;
}

char *
dns_reverse_name(const char *ip)
{
    guint8 b[16];
    if (inet_pton(AF_INET, ip, b) == 1)
        return g_strdup_printf("%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
    if (inet_pton(AF_INET6, ip, b) != 1)
        return NULL;
    GString *s = g_string_new(NULL);
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        g_string_append_c(s, hex[b[i] & 0xf]);
        g_string_append_c(s, '.');
        g_string_append_c(s, hex[b[i] >> 4]);
        g_string_append_c(s, '.');
    }
    g_string_append(s, "ip6.arpa");
    return g_string_free(s, FALSE);
}
