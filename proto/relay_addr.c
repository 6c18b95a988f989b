/* SPDX-License-Identifier: MIT
 * relay_addr: envelope recipient resolution (Postfix trivial-rewrite(8)
 * and postconf(5): allow_percent_hack, swap_bangpath,
 * resolve_dequoted_address; RFC 5321 3.6.1 source routes, 4.1.3 address
 * literals, 2.4 case-insensitive domains). Tricks are applied in Postfix's
 * order: route, dequote, bang path, percent.
 */
#include "proto/relay_addr.h"

#include <string.h>

static const char *const relay_addr_trick_names[] = {
    [RELAY_ADDR_TRICK_NONE] = "none",       [RELAY_ADDR_TRICK_PERCENT] = "percent_hack",
    [RELAY_ADDR_TRICK_BANG] = "bang_path",  [RELAY_ADDR_TRICK_ROUTE] = "source_route",
    [RELAY_ADDR_TRICK_DEQUOTE] = "dequote",
};

const char *
relay_addr_trick_name(RelayAddrTrick trick)
{
    if ((guint)trick >= G_N_ELEMENTS(relay_addr_trick_names))
        return "unknown";
    return relay_addr_trick_names[trick];
}

char *
relay_addr_normalize_domain(const char *domain)
{
    /* One copy lowered in place: g_ascii_strdown() calls a function per
     * octet, and every recipient of every hop is resolved. */
    const char *s = domain ? domain : "";
    gsize n = strlen(s);
    if (n > 0 && s[n - 1] == '.')
        n--;
    char *d = g_malloc(n + 1);
    for (gsize i = 0; i < n; i++)
        d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
    d[n] = '\0';
    return d;
}

char *
relay_addr_literal_ip(const char *domain)
{
    gsize n = domain ? strlen(domain) : 0;
    if (n < 3 || domain[0] != '[' || domain[n - 1] != ']')
        return NULL;
    const char *s = domain + 1;
    if (g_ascii_strncasecmp(s, "IPv4:", 5) == 0)
        s += 5;
    return g_strndup(s, (gsize)(domain + n - 1 - s));
}

/* RFC 5321 4.1.2 Quoted-string content: quotes removed, quoted-pairs undone. */
static char *
relay_addr_unquote(const char *local)
{
    GString *s = g_string_new(NULL);
    for (const char *p = local; *p; p++) {
        if (*p == '"')
            continue;
        if (*p == '\\' && p[1] != '\0')
            p++;
        g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

/* Splits local at sep (rightmost or first) into new local and domain. */
static gboolean
relay_addr_split(RelayAddr *a, char sep, gboolean rightmost)
{
    char *p = rightmost ? strrchr(a->next_local, sep) : strchr(a->next_local, sep);
    if (p == NULL || p == a->next_local || p[1] == '\0')
        return FALSE;
    char *local, *domain;
    if (sep == '!') { /* "site!user" -> user@site */
        domain = g_strndup(a->next_local, (gsize)(p - a->next_local));
        local = g_strdup(p + 1);
    } else { /* "user%site" / "user@site" -> user@site */
        local = g_strndup(a->next_local, (gsize)(p - a->next_local));
        domain = g_strdup(p + 1);
    }
    g_free(a->next_local);
    g_free(a->next_domain);
    a->next_local = local;
    a->next_domain = relay_addr_normalize_domain(domain);
    g_free(domain);
    return TRUE;
}

/* The first hop of an A-d-l "@a,@b" (normalised), or NULL. */
static char *
relay_addr_first_hop(const char *route)
{
    if (route == NULL || route[0] != '@')
        return NULL;
    const char *end = strchr(route, ',');
    g_autofree char *hop =
        end ? g_strndup(route + 1, (gsize)(end - route - 1)) : g_strdup(route + 1);
    return relay_addr_normalize_domain(hop);
}

gboolean
relay_addr_resolve(const SmtpPath *path, const RelayAddrOptions *opt, RelayAddr *out)
{
    static const RelayAddrOptions none = {0};
    memset(out, 0, sizeof *out);
    if (opt == NULL)
        opt = &none;
    if (path == NULL || path->domain == NULL || path->local == NULL)
        return FALSE;
    out->next_local = g_strdup(path->local);
    out->next_domain = relay_addr_normalize_domain(path->domain);
    out->judged_domain = g_strdup(out->next_domain);
    out->judged_literal = path->is_literal;
    if (path->has_source_route && opt->source_routes) {
        /* The route's first hop is what the server checks; it then forwards
         * to the rest (RFC 821 behaviour, RFC 5321 3.6.1 says ignore it). */
        char *hop = relay_addr_first_hop(path->source_route);
        if (hop) {
            g_free(out->judged_domain);
            out->judged_domain = hop;
            out->judged_literal = hop[0] == '[';
            out->trick = RELAY_ADDR_TRICK_ROUTE;
        }
    }
    if (path->is_quoted) {
        g_autofree char *plain = relay_addr_unquote(path->local);
        if (opt->dequote && strchr(plain, '@') != NULL) {
            g_free(out->next_local);
            out->next_local = g_steal_pointer(&plain);
            if (relay_addr_split(out, '@', TRUE))
                out->trick = RELAY_ADDR_TRICK_DEQUOTE;
        }
        return TRUE; /* Postfix: no further rewriting inside quotes */
    }
    if (opt->bang_path && relay_addr_split(out, '!', FALSE))
        out->trick = RELAY_ADDR_TRICK_BANG;
    if (opt->percent_hack && relay_addr_split(out, '%', TRUE))
        out->trick = RELAY_ADDR_TRICK_PERCENT;
    return TRUE;
}

void
relay_addr_clear(RelayAddr *a)
{
    g_clear_pointer(&a->judged_domain, g_free);
    g_clear_pointer(&a->next_local, g_free);
    g_clear_pointer(&a->next_domain, g_free);
    a->trick = RELAY_ADDR_TRICK_NONE;
}

char *
relay_addr_next(const RelayAddr *a)
{
    return g_strdup_printf("%s@%s", a->next_local ? a->next_local : "",
                           a->next_domain ? a->next_domain : "");
}
