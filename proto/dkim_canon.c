/* SPDX-License-Identifier: MIT
 * dkim_canon: raw header/body splitting and DKIM canonicalization
 * (RFC 6376 3.4.1-3.4.5), body hashes (3.7 step 1) and c= parsing (3.5).
 * Fields keep their exact bytes (folding included) because "simple" hashes
 * them unchanged. This is not an RFC 5322 parser: it knows names, colons and
 * continuation lines, nothing of structured fields.
 */
#include "proto/dkim-private.h"

#include <string.h>

static inline gboolean
dkim_canon_is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of the line starting at p (up to and including LF), or the rest. */
static gsize
dkim_canon_line_len(const guint8 *p, gsize left)
{
    const guint8 *nl = memchr(p, '\n', left);
    return nl ? (gsize)(nl - p) + 1 : left;
}

static gboolean
dkim_canon_line_is_empty(const guint8 *p, gsize n)
{
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

/* RFC 5322 3.6.8 field-name: printable ASCII but ':', then obsolete WSP. */
static gboolean
dkim_canon_name_ok(const guint8 *p, gsize n)
{
    while (n > 0 && dkim_canon_is_wsp((char)p[n - 1]))
        n--;
    if (n == 0)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (p[i] < 33 || p[i] > 126)
            return FALSE;
    return TRUE;
}

void
dkim_msg_split(const guint8 *msg, gsize len, DkimMsgParts *out)
{
    g_return_if_fail(out != NULL);
    memset(out, 0, sizeof *out);
    out->fields = g_array_new(FALSE, TRUE, sizeof(DkimField));
    gsize off = 0;
    gboolean have_field = FALSE; /* the last line belongs to a field */
    while (off < len) {
        const guint8 *line = msg + off;
        gsize n = dkim_canon_line_len(line, len - off);
        if (dkim_canon_line_is_empty(line, n)) {
            off += n; /* RFC 5322 2.1: the empty line separates the body */
            out->body = msg + off;
            out->body_len = len - off;
            return;
        }
        if (dkim_canon_is_wsp((char)line[0])) {
            if (have_field) {
                DkimField *f = &g_array_index(out->fields, DkimField, out->fields->len - 1);
                f->len += n;
            }
        } else {
            const guint8 *colon = memchr(line, ':', n);
            if (colon != NULL && !dkim_canon_name_ok(line, (gsize)(colon - line)))
                colon = NULL; /* e.g. an mbox "From " line: not a field */
            have_field = colon != NULL && out->fields->len < DKIM_MAX_HEADER_FIELDS;
            if (colon != NULL && !have_field)
                out->is_truncated = TRUE;
            if (have_field) {
                DkimField f = {(const char *)line, n, (gsize)(colon - line)};
                g_array_append_val(out->fields, f);
            }
        }
        off += n;
    }
    out->body = msg + len;
    out->body_len = 0;
}

void
dkim_msg_parts_clear(DkimMsgParts *p)
{
    if (p->fields)
        g_array_unref(p->fields);
    memset(p, 0, sizeof *p);
}

gboolean
dkim_field_name_is(const DkimField *f, const char *name)
{
    gsize n = f->name_len;
    /* RFC 5322 allows no WSP before the colon, but obsolete syntax did:
     * compare the name without it, as relaxed canonicalization does. */
    while (n > 0 && dkim_canon_is_wsp(f->raw[n - 1]))
        n--;
    return strlen(name) == n && g_ascii_strncasecmp(f->raw, name, n) == 0;
}

/* RFC 6376 3.4.2: lower-case name, unfold, compress WSP, trim around ':'. */
static void
dkim_canon_header_relaxed(const char *raw, gsize len, GString *out)
{
    const char *colon = memchr(raw, ':', len);
    gsize name_len = colon ? (gsize)(colon - raw) : len;
    gsize n = name_len;
    while (n > 0 && dkim_canon_is_wsp(raw[n - 1]))
        n--;
    for (gsize i = 0; i < n; i++)
        g_string_append_c(out, g_ascii_tolower(raw[i]));
    g_string_append_c(out, ':');
    gboolean pending = FALSE, any = FALSE;
    for (gsize i = name_len + 1; i < len; i++) {
        char c = raw[i];
        if (c == '\r' || c == '\n')
            continue; /* unfolding removes the line breaks of FWS */
        if (dkim_canon_is_wsp(c)) {
            pending = TRUE;
            continue;
        }
        if (pending && any)
            g_string_append_c(out, ' ');
        g_string_append_c(out, c);
        pending = FALSE;
        any = TRUE;
    }
    g_string_append(out, "\r\n");
}

void
dkim_canon_header(DkimCanon c, const char *raw, gsize len, GString *out)
{
    if (c == DKIM_CANON_SIMPLE)
        g_string_append_len(out, raw, (gssize)len); /* 3.4.1: unchanged */
    else
        dkim_canon_header_relaxed(raw, len, out);
}

/* RFC 6376 3.4.3: drop trailing empty lines; an empty body becomes CRLF. */
static void
dkim_canon_body_simple(const guint8 *body, gsize len, GString *out)
{
    gsize n = len;
    while (n >= 2 && body[n - 2] == '\r' && body[n - 1] == '\n')
        n -= 2;
    g_string_append_len(out, (const char *)body, (gssize)n);
    g_string_append(out, "\r\n");
}

/* One line (without CRLF) under 3.4.4: compress WSP, drop it at the end.
 * Copies runs of non-WSP octets at once (the body is hashed per message).
 * Returns FALSE, writing nothing, when the line is empty or only WSP. */
static gboolean
dkim_canon_body_line(const guint8 *p, gsize n, guint *empty_pending, GString *out)
{
    gsize i = 0;
    while (i < n && dkim_canon_is_wsp((char)p[i]))
        i++;
    if (i == n)
        return FALSE;
    /* A non-empty line: the empty lines held back were not trailing. */
    for (; *empty_pending > 0; (*empty_pending)--)
        g_string_append_len(out, "\r\n", 2);
    if (i > 0)
        g_string_append_c(out, ' '); /* leading WSP becomes one SP */
    while (i < n) {
        gsize run = i;
        while (run < n && !dkim_canon_is_wsp((char)p[run]))
            run++;
        g_string_append_len(out, (const char *)p + i, (gssize)(run - i));
        i = run;
        while (i < n && dkim_canon_is_wsp((char)p[i]))
            i++;
        if (i > run && i < n)
            g_string_append_c(out, ' '); /* inner WSP run: one SP; trailing: none */
    }
    return TRUE;
}

/* The end of the line starting at p (the offset of its CRLF, or len). */
static gsize
dkim_canon_crlf(const guint8 *p, gsize len)
{
    gsize off = 0;
    for (;;) {
        const guint8 *cr = memchr(p + off, '\r', len - off);
        if (cr == NULL)
            return len;
        off = (gsize)(cr - p);
        if (off + 1 < len && p[off + 1] == '\n')
            return off;
        off++; /* a bare CR is an ordinary octet of the line */
    }
}

static void
dkim_canon_body_relaxed(const guint8 *body, gsize len, GString *out)
{
    guint empty_pending = 0; /* empty lines held back: trailing ones vanish */
    gsize off = 0;
    while (off < len) {
        const guint8 *p = body + off;
        gsize n = dkim_canon_crlf(p, len - off);
        gboolean has_crlf = n < len - off;
        off += n + (has_crlf ? 2 : 0);
        if (!dkim_canon_body_line(p, n, &empty_pending, out)) {
            if (has_crlf)
                empty_pending++;
            continue;
        }
        g_string_append_len(out, "\r\n", 2); /* 3.4.4: a missing final CRLF is added */
    }
}

void
dkim_canon_body(DkimCanon c, const guint8 *body, gsize len, GString *out)
{
    if (c == DKIM_CANON_SIMPLE)
        dkim_canon_body_simple(body, len, out);
    else
        dkim_canon_body_relaxed(body, len, out);
}

char *
dkim_body_hash(DkimCanon c, const char *md, const guint8 *body, gsize len, gint64 limit,
               gsize *canon_len)
{
    g_autoptr(GString) canon = g_string_new(NULL);
    dkim_canon_body(c, body, len, canon);
    if (canon_len)
        *canon_len = canon->len;
    gsize n = canon->len;
    if (limit >= 0 && (guint64)limit < n)
        n = (gsize)limit; /* 3.5 l=: only the first l octets are hashed */
    guint8 digest[32];
    gsize dlen = dkim_digest(g_strcmp0(md, "sha1") == 0, (const guint8 *)canon->str, n, digest);
    return g_base64_encode(digest, dlen);
}

static gboolean
dkim_canon_name(const char *s, gsize n, DkimCanon *out)
{
    if (n == 6 && strncmp(s, "simple", 6) == 0)
        *out = DKIM_CANON_SIMPLE;
    else if (n == 7 && strncmp(s, "relaxed", 7) == 0)
        *out = DKIM_CANON_RELAXED;
    else
        return FALSE;
    return TRUE;
}

gboolean
dkim_canon_parse(const char *value, DkimCanon *header, DkimCanon *body)
{
    *header = DKIM_CANON_SIMPLE;
    *body = DKIM_CANON_SIMPLE; /* 3.5 c=: default simple/simple */
    if (value == NULL)
        return TRUE;
    const char *slash = strchr(value, '/');
    if (slash == NULL)
        return dkim_canon_name(value, strlen(value), header); /* body stays simple */
    return dkim_canon_name(value, (gsize)(slash - value), header) &&
           dkim_canon_name(slash + 1, strlen(slash + 1), body);
}
