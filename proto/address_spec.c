/* SPDX-License-Identifier: MIT
 * address_spec: classifies a bare addr-spec (RFC 5322 3.4.1, with CFWS 3.2.2,
 * obsolete forms 4.4) against RFC 5321 4.1.2 Mailbox syntax and the length
 * limits of RFC 5321 4.5.3.1, after the categories of Dominic Sayers'
 * is_email. It does no DNS: is_email's DNSWARN cases come out VALID, and a
 * one-label domain is RFC5321 (is_email calls it valid when the TLD has MX).
 */
#include "proto/address.h"

#include <string.h>

typedef struct {
    const guchar *s;
    gsize len;
    gsize i;
    MailAddrSpecClass cls;
    const char *diag;
} SpecScan;

enum { SPEC_CFWS_COMMENT = 1, SPEC_CFWS_FWS = 2 };

static void
spec_note(SpecScan *sc, MailAddrSpecClass c, const char *diag)
{
    if (c > sc->cls || (c == sc->cls && sc->diag == NULL)) {
        sc->cls = c;
        sc->diag = diag;
    }
}

static gboolean
spec_failed(const SpecScan *sc)
{
    return sc->cls == MAIL_ADDR_SPEC_ERR;
}

static int
spec_cur(const SpecScan *sc)
{
    return sc->i < sc->len ? sc->s[sc->i] : -1;
}

static int
spec_at(const SpecScan *sc, gsize k)
{
    return sc->i + k < sc->len ? sc->s[sc->i + k] : -1;
}

static gboolean
spec_is_atext(int c)
{
    return c > 0 && c < 128 && (g_ascii_isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 5322 4.1 obs-NO-WS-CTL: %d1-8 / %d11 / %d12 / %d14-31 / %d127 */
static gboolean
spec_is_obs_ctl(int c)
{
    return (c >= 1 && c <= 8) || c == 11 || c == 12 || (c >= 14 && c <= 31) || c == 127;
}

/* A CR at the cursor: FWS needs CRLF followed by WSP (RFC 5322 3.2.2). On
 * success the CRLF is consumed and *folds counts it. */
static gboolean
spec_crlf_wsp(SpecScan *sc, guint *folds)
{
    if (spec_at(sc, 1) != '\n') {
        spec_note(sc, MAIL_ADDR_SPEC_ERR, "CR without LF");
        return FALSE;
    }
    if (spec_at(sc, 2) == '\r' && spec_at(sc, 3) == '\n') {
        spec_note(sc, MAIL_ADDR_SPEC_ERR, "two CRLF in a row in folding white space");
        return FALSE;
    }
    if (spec_at(sc, 2) != ' ' && spec_at(sc, 2) != '\t') {
        spec_note(sc, MAIL_ADDR_SPEC_ERR, "folding white space ends with CRLF");
        return FALSE;
    }
    sc->i += 2;
    if (++*folds > 1)
        spec_note(sc, MAIL_ADDR_SPEC_DEPREC, "obsolete folding white space");
    return TRUE;
}

static void
spec_comment(SpecScan *sc)
{
    int depth = 0;
    guint folds = 0;
    for (;;) {
        int c = spec_cur(sc);
        if (c < 0) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "unclosed comment");
            return;
        }
        if (c == '\\') {
            int n = spec_at(sc, 1);
            if (n < 0) {
                spec_note(sc, MAIL_ADDR_SPEC_ERR, "backslash at end");
                return;
            }
            if (n >= 128) {
                spec_note(sc, MAIL_ADDR_SPEC_ERR, "expecting quoted-pair");
                return;
            }
            if (n < 32 && n != '\t')
                spec_note(sc, MAIL_ADDR_SPEC_DEPREC, "obsolete quoted-pair");
            sc->i += 2;
            continue;
        }
        if (c == '\r') {
            if (!spec_crlf_wsp(sc, &folds))
                return;
            continue;
        }
        if (c == '\n' || c == 0 || c >= 128) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "expecting ctext");
            return;
        }
        if (spec_is_obs_ctl(c))
            spec_note(sc, MAIL_ADDR_SPEC_DEPREC, "obsolete ctext");
        sc->i++;
        if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return;
    }
}

/* Consumes CFWS; returns SPEC_CFWS_* bits for what was seen. */
static guint
spec_cfws(SpecScan *sc)
{
    guint seen = 0, folds = 0;
    while (!spec_failed(sc)) {
        int c = spec_cur(sc);
        if (c == ' ' || c == '\t') {
            seen |= SPEC_CFWS_FWS;
            sc->i++;
        } else if (c == '\r') {
            seen |= SPEC_CFWS_FWS;
            spec_crlf_wsp(sc, &folds);
        } else if (c == '(') {
            seen |= SPEC_CFWS_COMMENT;
            folds = 0;
            spec_comment(sc);
        } else {
            break;
        }
    }
    return seen;
}

/* Notes CFWS found where only obsolete syntax allows it (RFC 5322 4.4). */
static void
spec_note_obs_cfws(SpecScan *sc, guint seen, const char *diag)
{
    if (seen)
        spec_note(sc, MAIL_ADDR_SPEC_DEPREC, diag);
}

/* A character that cannot continue what came before. */
static void
spec_unexpected(SpecScan *sc)
{
    spec_note(sc, MAIL_ADDR_SPEC_ERR, spec_cur(sc) == '\r' ? "CR without LF" : "expecting atext");
}

static void
spec_quoted_string(SpecScan *sc, gsize *len)
{
    gsize start = sc->i++;
    guint folds = 0;
    for (;;) {
        int c = spec_cur(sc);
        if (c < 0) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "unclosed quoted string");
            return;
        }
        if (c == '"') {
            sc->i++;
            break;
        }
        if (c == '\\') {
            int n = spec_at(sc, 1);
            if (n < 0) {
                spec_note(sc, MAIL_ADDR_SPEC_ERR, "unclosed quoted string");
                return;
            }
            if (n >= 128) {
                spec_note(sc, MAIL_ADDR_SPEC_ERR, "expecting quoted-pair");
                return;
            }
            /* RFC 5322 4.1 obs-qp: a quoted control character. */
            if ((n < 32 && n != '\t') || n == 127)
                spec_note(sc, MAIL_ADDR_SPEC_DEPREC, "obsolete quoted-pair");
            sc->i += 2;
            continue;
        }
        if (c == '\r') {
            if (!spec_crlf_wsp(sc, &folds))
                return;
            continue;
        }
        if (c == '\n' || c == 0 || c >= 128) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "expecting qtext");
            return;
        }
        if (spec_is_obs_ctl(c))
            spec_note(sc, MAIL_ADDR_SPEC_DEPREC, "obsolete qtext");
        sc->i++;
    }
    *len += sc->i - start;
    spec_note(sc, MAIL_ADDR_SPEC_RFC5321, "quoted local part");
}

/* local-part up to '@' (RFC 5322 3.4.1 / 4.4 obs-local-part). */
static gsize
spec_local_part(SpecScan *sc)
{
    gsize len = 0;
    guint elements = 0, quoted = 0;
    if (spec_cfws(sc))
        spec_note(sc, MAIL_ADDR_SPEC_CFWS, "CFWS before the address");
    while (!spec_failed(sc)) {
        int c = spec_cur(sc);
        gboolean was_quoted = c == '"';
        if (c == '"') {
            spec_quoted_string(sc, &len);
            quoted++;
        } else if (spec_is_atext(c)) {
            while (spec_is_atext(spec_cur(sc))) {
                sc->i++;
                len++;
            }
        } else if (c == '.') {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, elements == 0 ? "dot at start" : "consecutive dots");
        } else if (c == '@') {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, elements == 0 ? "no local part" : "dot at end");
        } else if (c < 0) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, elements == 0 ? "no domain" : "dot at end");
        } else {
            spec_unexpected(sc);
        }
        if (spec_failed(sc))
            break;
        elements++;
        guint trail = spec_cfws(sc);
        c = spec_cur(sc);
        if (spec_failed(sc)) {
            break;
        } else if (c == '.') {
            spec_note_obs_cfws(sc, trail, "CFWS around a dot");
            sc->i++;
            len++;
            spec_note_obs_cfws(sc, spec_cfws(sc), "CFWS around a dot");
        } else if (c == '@') {
            spec_note_obs_cfws(sc, trail, "CFWS near @");
            break;
        } else if (c < 0) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "no domain");
        } else if (spec_is_atext(c) && trail) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "atext after CFWS");
        } else if (spec_is_atext(c) && was_quoted) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "atext after quoted string");
        } else {
            spec_unexpected(sc);
        }
    }
    /* RFC 5322 4.4 obs-local-part: quoted strings mixed with dots. */
    if (quoted > 0 && elements > 1)
        spec_note(sc, MAIL_ADDR_SPEC_DEPREC, "obsolete local part");
    if (len > MAIL_ADDRESS_LOCAL_MAX)
        spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "local part too long");
    return len;
}

/* One octet of a dotted quad: 1-3 digits, at most 255. */
static gboolean
spec_is_octet(const char *s, gsize n)
{
    if (n == 0 || n > 3)
        return FALSE;
    guint v = 0;
    for (gsize k = 0; k < n; k++) {
        if (!g_ascii_isdigit(s[k]))
            return FALSE;
        v = v * 10 + (guint)(s[k] - '0');
    }
    return v <= 255;
}

/* Offset of a dotted-quad IPv4 address ending the literal, or -1. */
static gssize
spec_find_ipv4(const char *lit)
{
    gsize n = strlen(lit);
    gsize start = n;
    guint dots = 0;
    while (start > 0 && (g_ascii_isdigit(lit[start - 1]) || (lit[start - 1] == '.' && dots < 3))) {
        if (lit[start - 1] == '.')
            dots++;
        start--;
    }
    if (dots != 3 || (start > 0 && (g_ascii_isalnum(lit[start - 1]) || lit[start - 1] == '_')))
        return -1;
    if (start < n && lit[start] == '.')
        return -1;
    const char *p = lit + start;
    for (int k = 0; k < 4; k++) {
        const char *e = strchr(p, '.');
        gsize len = e ? (gsize)(e - p) : strlen(p);
        if (!spec_is_octet(p, len))
            return -1;
        p += len + 1;
    }
    return (gssize)start;
}

/* RFC 5321 4.1.3 IPv6-address-literal checks, after is_email. */
static void
spec_ipv6(SpecScan *sc, const char *v6)
{
    g_auto(GStrv) groups = g_strsplit(v6, ":", -1);
    guint count = g_strv_length(groups);
    guint max_groups = 8;
    const char *dbl = strstr(v6, "::");
    gsize vlen = strlen(v6);
    if (dbl == NULL) {
        if (count != max_groups)
            spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "IPv6 group count");
    } else if (strstr(dbl + 1, "::") != NULL) {
        spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "IPv6 with two '::'");
    } else {
        gsize idx = (gsize)(dbl - v6);
        if (idx == 0 || idx == vlen - 2)
            max_groups++;
        if (count > max_groups)
            spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "IPv6 too many groups");
        else if (count == max_groups)
            spec_note(sc, MAIL_ADDR_SPEC_DEPREC, "IPv6 '::' for one group");
    }
    if (vlen >= 2 && v6[0] == ':' && v6[1] != ':') {
        spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "IPv6 starts with one colon");
        return;
    }
    if (vlen >= 2 && v6[vlen - 1] == ':' && v6[vlen - 2] != ':') {
        spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "IPv6 ends with one colon");
        return;
    }
    for (guint k = 0; k < count; k++) {
        gsize gl = strlen(groups[k]);
        gboolean ok = gl <= 4;
        for (gsize j = 0; j < gl; j++)
            ok &= g_ascii_isxdigit(groups[k][j]);
        if (!ok) {
            spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "IPv6 bad character");
            return;
        }
    }
    spec_note(sc, MAIL_ADDR_SPEC_RFC5321, "address literal");
}

static void
spec_literal_check(SpecScan *sc, const char *lit)
{
    gssize v4 = spec_find_ipv4(lit);
    if (v4 == 0) {
        spec_note(sc, MAIL_ADDR_SPEC_RFC5321, "address literal");
        return;
    }
    g_autofree char *conv = v4 > 0 ? g_strdup_printf("%.*s0:0", (int)v4, lit) : g_strdup(lit);
    if (g_ascii_strncasecmp(conv, "IPv6:", 5) != 0) {
        spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "domain literal");
        return;
    }
    spec_ipv6(sc, conv + 5);
}

/* domain-literal (RFC 5322 3.4.1, obs-dtext 4.4); returns its length. */
static gsize
spec_domain_literal(SpecScan *sc)
{
    gsize start = sc->i++;
    guint folds = 0;
    GString *lit = g_string_new(NULL);
    for (;;) {
        int c = spec_cur(sc);
        if (c < 0) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "unclosed domain literal");
            break;
        }
        if (c == ']') {
            sc->i++;
            spec_literal_check(sc, lit->str);
            break;
        }
        if (c == '\\') {
            if (spec_at(sc, 1) < 0) {
                spec_note(sc, MAIL_ADDR_SPEC_ERR, "backslash at end");
                break;
            }
            spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "obsolete dtext");
            g_string_append_c(lit, (char)spec_at(sc, 1));
            sc->i += 2;
            continue;
        }
        if (c == '\r') {
            if (!spec_crlf_wsp(sc, &folds))
                break;
            continue;
        }
        if (c == '[' || c == '\n' || c == 0 || c >= 128) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, "expecting dtext");
            break;
        }
        if (spec_is_obs_ctl(c))
            spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "obsolete dtext");
        g_string_append_c(lit, (char)c);
        sc->i++;
    }
    g_string_free(lit, TRUE);
    return sc->i - start;
}

/* One domain label; checks RFC 1035 2.3.1 LDH form and length. */
static gsize
spec_label(SpecScan *sc)
{
    gsize start = sc->i;
    gboolean ldh = TRUE;
    while (spec_is_atext(spec_cur(sc))) {
        ldh &= g_ascii_isalnum(spec_cur(sc)) || spec_cur(sc) == '-';
        sc->i++;
    }
    gsize n = sc->i - start;
    if (sc->s[start] == '-')
        spec_note(sc, MAIL_ADDR_SPEC_ERR, "domain label starts with hyphen");
    else if (sc->s[sc->i - 1] == '-')
        spec_note(sc, MAIL_ADDR_SPEC_ERR, "domain label ends with hyphen");
    else if (!ldh)
        spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "domain is not a host name");
    else if (n > 63)
        spec_note(sc, MAIL_ADDR_SPEC_RFC5322, "domain label too long");
    return n;
}

static gsize
spec_domain(SpecScan *sc)
{
    gsize len = 0, last_start = 0;
    guint labels = 0;
    spec_note_obs_cfws(sc, spec_cfws(sc), "CFWS near @");
    if (spec_cur(sc) == '[') {
        len = spec_domain_literal(sc);
        guint trail = spec_cfws(sc);
        if (trail)
            spec_note(sc, MAIL_ADDR_SPEC_CFWS, "CFWS after the address");
        if (!spec_failed(sc) && spec_cur(sc) >= 0)
            spec_note(sc, MAIL_ADDR_SPEC_ERR,
                      spec_is_atext(spec_cur(sc)) ? "atext after domain literal"
                                                  : "expecting atext");
        return len;
    }
    while (!spec_failed(sc)) {
        int c = spec_cur(sc);
        if (spec_is_atext(c)) {
            last_start = sc->i;
            len += spec_label(sc);
            labels++;
        } else if (c == '.') {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, labels == 0 ? "dot at start" : "consecutive dots");
        } else if (c < 0) {
            spec_note(sc, MAIL_ADDR_SPEC_ERR, labels == 0 ? "no domain" : "dot at end");
        } else {
            spec_unexpected(sc);
        }
        if (spec_failed(sc))
            break;
        guint trail = spec_cfws(sc);
        c = spec_cur(sc);
        if (spec_failed(sc))
            break;
        if (c == '.') {
            spec_note_obs_cfws(sc, trail, "CFWS around a dot");
            sc->i++;
            len++;
            spec_note_obs_cfws(sc, spec_cfws(sc), "CFWS around a dot");
        } else if (c < 0) {
            if (trail)
                spec_note(sc, MAIL_ADDR_SPEC_CFWS, "CFWS after the address");
            break;
        } else {
            spec_note(sc, MAIL_ADDR_SPEC_ERR,
                      spec_is_atext(c) && trail ? "atext after CFWS" : "expecting atext");
        }
    }
    if (spec_failed(sc))
        return len;
    gboolean numeric = TRUE;
    for (gsize k = last_start; k < sc->len && spec_is_atext(sc->s[k]); k++)
        numeric &= g_ascii_isdigit(sc->s[k]) != 0;
    if (labels == 1)
        spec_note(sc, MAIL_ADDR_SPEC_RFC5321, "top-level domain only");
    else if (numeric)
        spec_note(sc, MAIL_ADDR_SPEC_RFC5321, "numeric top-level domain");
    return len;
}

MailAddrSpecClass
mail_addr_spec_classify(const char *s, gsize len, const char **diag)
{
    g_return_val_if_fail(s != NULL || len == 0, MAIL_ADDR_SPEC_ERR);
    SpecScan sc = {(const guchar *)s, len, 0, MAIL_ADDR_SPEC_VALID, NULL};
    gsize local = spec_local_part(&sc);
    if (!spec_failed(&sc)) {
        sc.i++; /* the '@' */
        gsize domain = spec_domain(&sc);
        /* RFC 5321 4.5.3.1.2 (domain) and 4.5.3.1.3 (path, 256 with "<>"). */
        if (domain > MAIL_ADDRESS_DOMAIN_MAX)
            spec_note(&sc, MAIL_ADDR_SPEC_RFC5322, "domain too long");
        else if (local + 1 + domain > MAIL_ADDRESS_PATH_MAX - 2)
            spec_note(&sc, MAIL_ADDR_SPEC_RFC5322, "address too long");
    }
    if (diag != NULL)
        *diag = sc.diag ? sc.diag : "valid";
    return sc.cls;
}

gboolean
mail_addr_spec_is_smtp_mailbox(const char *s, gsize len)
{
    return mail_addr_spec_classify(s, len, NULL) <= MAIL_ADDR_SPEC_RFC5321;
}

const char *
mail_addr_spec_class_name(MailAddrSpecClass c)
{
    static const char *const names[] = {"valid", "rfc5321", "cfws", "deprec", "rfc5322", "err"};
    g_return_val_if_fail((guint)c < G_N_ELEMENTS(names), "?");
    return names[c];
}
