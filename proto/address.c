/* SPDX-License-Identifier: MIT
 * address: RFC 5322 3.4 address-list / mailbox-list / mailbox parsing over a
 * token stream (atoms, quoted strings 3.2.4, domain literals 3.4.1, specials;
 * comments 3.2.2 collected and dropped), accepting the obsolete forms of 4.4:
 * obs-phrase ("Joe Q. Public"), obs-route, obs-local-part, obs-domain, empty
 * list elements. A mailbox without "@domain" is accepted and flagged. No
 * RFC 2047 decoding of display names.
 */
#include "proto/address.h"

#include <string.h>

typedef enum {
    ADDR_TOK_END = 0,
    ADDR_TOK_ATOM,    /* 1*atext */
    ADDR_TOK_QSTR,    /* quoted-string, text decoded */
    ADDR_TOK_DLIT,    /* domain-literal, brackets kept, FWS removed */
    ADDR_TOK_SPECIAL, /* one of <>@,;:. */
    ADDR_TOK_BAD,     /* unclosed quote/comment/literal, control or stray special */
} AddrTokKind;

typedef struct {
    AddrTokKind kind;
    char c;             /* SPECIAL: the character */
    char *text;         /* ATOM, QSTR, DLIT */
    gboolean ws_before; /* CFWS came before this token */
} AddrTok;

typedef struct {
    GArray *toks; /* AddrTok */
    guint i;
    guint flags;
} AddrParser;

static void
addr_tok_clear(gpointer p)
{
    g_free(((AddrTok *)p)->text);
}

/* RFC 5322 3.2.3 atext; octets >= 128 are accepted too (RFC 6532). */
static gboolean
addr_is_atext(guchar c)
{
    return g_ascii_isalnum(c) || c >= 128 || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Reads a comment at *pp (which is '('); returns FALSE when unclosed. */
static gboolean
addr_read_comment(const char **pp, GString *text)
{
    const char *p = *pp + 1;
    int depth = 1;
    while (*p) {
        if (*p == '\\' && p[1]) {
            g_string_append_c(text, p[1]); /* quoted-pair, 3.2.1 */
            p += 2;
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            break;
        if (*p != '\r' && *p != '\n')
            g_string_append_c(text, *p);
        p++;
    }
    if (*p != ')')
        return FALSE;
    *pp = p + 1;
    return TRUE;
}

/* Reads a quoted-string or domain-literal body up to close; FALSE if unclosed. */
static gboolean
addr_read_quoted(const char **pp, char close, GString *text)
{
    const char *p = *pp + 1;
    while (*p && *p != close) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '\r' || *p == '\n') {
            p++; /* unfolding: only the CRLF goes */
            continue;
        }
        g_string_append_c(text, *p);
        p++;
    }
    if (*p != close)
        return FALSE;
    *pp = p + 1;
    return TRUE;
}

/* Reads a comment at *pp into info->comments; FALSE when unclosed. */
static gboolean
addr_take_comment(const char **pp, MailAddressInfo *info, guint *flags)
{
    GString *c = g_string_new(NULL);
    if (!addr_read_comment(pp, c)) {
        g_string_free(c, TRUE);
        return FALSE;
    }
    *flags |= MAIL_ADDRESS_FLAG_COMMENTS;
    if (info == NULL) {
        g_string_free(c, TRUE);
        return TRUE;
    }
    if (info->comments == NULL)
        info->comments = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(info->comments, g_string_free(c, FALSE));
    return TRUE;
}

/* Reads one token (not CFWS, not the end) at *pp into t; a BAD token
 * ends the stream. */
static void
addr_read_token(const char **pp, AddrTok *t)
{
    const char *p = *pp;
    if (addr_is_atext((guchar)*p)) {
        const char *st = p;
        while (addr_is_atext((guchar)*p))
            p++;
        t->kind = ADDR_TOK_ATOM;
        t->text = g_strndup(st, (gsize)(p - st));
    } else if (*p == '"' || *p == '[') {
        char close = *p == '"' ? '"' : ']';
        GString *q = g_string_new(NULL);
        t->kind = close == '"' ? ADDR_TOK_QSTR : ADDR_TOK_DLIT;
        if (!addr_read_quoted(&p, close, q)) {
            g_string_free(q, TRUE);
            t->kind = ADDR_TOK_BAD;
        } else if (close == ']') {
            /* FWS inside a domain literal is not part of it (3.4.1). */
            GString *lit = g_string_new("[");
            for (const char *r = q->str; *r; r++)
                if (*r != ' ' && *r != '\t')
                    g_string_append_c(lit, *r);
            g_string_append_c(lit, ']');
            t->text = g_string_free(lit, FALSE);
            g_string_free(q, TRUE);
        } else {
            t->text = g_string_free(q, FALSE);
        }
    } else if (strchr("<>@,;:.", *p) != NULL) {
        t->kind = ADDR_TOK_SPECIAL;
        t->c = *p++;
    } else {
        t->kind = ADDR_TOK_BAD;
    }
    *pp = p;
}

static GArray *
addr_tokenize(const char *s, MailAddressInfo *info, guint *flags)
{
    GArray *toks = g_array_new(FALSE, TRUE, sizeof(AddrTok));
    g_array_set_clear_func(toks, addr_tok_clear);
    gboolean ws = FALSE;
    const char *p = s;
    for (;;) {
        AddrTok t = {0};
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            ws = TRUE;
            p++;
            continue;
        }
        if (*p == '(') {
            ws = TRUE;
            if (addr_take_comment(&p, info, flags))
                continue;
            t.kind = ADDR_TOK_BAD;
        } else if (*p != '\0') {
            addr_read_token(&p, &t);
        }
        t.ws_before = ws;
        ws = FALSE;
        /* Not an RFC limit: bounds the work on hostile input. */
        if (toks->len > MAIL_ADDRESS_LIST_MAX * 8)
            t.kind = ADDR_TOK_BAD;
        g_array_append_val(toks, t);
        if (t.kind == ADDR_TOK_END || t.kind == ADDR_TOK_BAD)
            break;
    }
    return toks;
}

static const AddrTok *
addr_peek(const AddrParser *ps)
{
    return &g_array_index(ps->toks, AddrTok, MIN(ps->i, ps->toks->len - 1));
}

static gboolean
addr_is_special(const AddrParser *ps, char c)
{
    const AddrTok *t = addr_peek(ps);
    return t->kind == ADDR_TOK_SPECIAL && t->c == c;
}

static gboolean
addr_is_word(const AddrTok *t)
{
    return t->kind == ADDR_TOK_ATOM || t->kind == ADDR_TOK_QSTR;
}

/* RFC 5322 3.2.5 phrase, with obs-phrase's "." (4.1). NULL when empty. */
static char *
addr_read_phrase(AddrParser *ps)
{
    GString *s = NULL;
    for (;;) {
        const AddrTok *t = addr_peek(ps);
        gboolean dot = t->kind == ADDR_TOK_SPECIAL && t->c == '.';
        if (!addr_is_word(t) && !(dot && s != NULL))
            break;
        if (dot)
            ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE;
        if (s == NULL)
            s = g_string_new(NULL);
        else if (t->ws_before)
            g_string_append_c(s, ' ');
        g_string_append(s, dot ? "." : t->text);
        ps->i++;
    }
    return s ? g_string_free(s, FALSE) : NULL;
}

/* RFC 5322 3.4.1 dot-atom-text test, used to decide whether to re-quote. */
static gboolean
addr_is_dot_atom_text(const char *s)
{
    if (*s == '\0' || *s == '.')
        return FALSE;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (p[1] == '.' || p[1] == '\0')
                return FALSE;
        } else if (!addr_is_atext((guchar)*p)) {
            return FALSE;
        }
    }
    return TRUE;
}

static char *
addr_make_clean(const char *local, const char *domain)
{
    GString *s = g_string_new(NULL);
    if (addr_is_dot_atom_text(local)) {
        g_string_append(s, local);
    } else {
        g_string_append_c(s, '"');
        for (const char *p = local; *p; p++) {
            if (*p == '"' || *p == '\\')
                g_string_append_c(s, '\\');
            g_string_append_c(s, *p);
        }
        g_string_append_c(s, '"');
    }
    if (domain != NULL)
        g_string_append_printf(s, "@%s", domain);
    return g_string_free(s, FALSE);
}

MailMailbox *
mail_mailbox_new(const char *display_name, const char *local_part, const char *domain)
{
    g_return_val_if_fail(local_part != NULL, NULL);
    MailMailbox *mb = g_new0(MailMailbox, 1);
    mb->display_name = g_strdup(display_name);
    mb->local_part = g_strdup(local_part);
    mb->domain = g_strdup(domain);
    mb->addr = addr_make_clean(local_part, domain);
    return mb;
}

void
mail_mailbox_free(MailMailbox *mb)
{
    if (mb == NULL)
        return;
    g_free(mb->display_name);
    g_free(mb->local_part);
    g_free(mb->domain);
    g_free(mb->addr);
    g_free(mb->route);
    g_free(mb);
}

void
mail_address_free(MailAddress *a)
{
    if (a == NULL)
        return;
    g_free(a->group_name);
    mail_mailbox_free(a->mailbox);
    if (a->members)
        g_ptr_array_unref(a->members);
    g_free(a);
}

void
mail_address_info_clear(MailAddressInfo *info)
{
    if (info == NULL)
        return;
    g_clear_pointer(&info->comments, g_ptr_array_unref);
    info->flags = 0;
}

/* local-part "@" domain (3.4.1) with obs-local-part / obs-domain (4.4).
 * Returns a mailbox without display name, or NULL. */
static MailMailbox *
addr_read_addr_spec(AddrParser *ps)
{
    GString *local = g_string_new(NULL);
    guint words = 0;
    gboolean has_qstr = FALSE;
    for (;;) {
        const AddrTok *t = addr_peek(ps);
        if (!addr_is_word(t))
            break;
        if (words > 0 && t->ws_before)
            ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE; /* CFWS around "." */
        has_qstr |= t->kind == ADDR_TOK_QSTR;
        g_string_append(local, t->text);
        words++;
        ps->i++;
        if (!addr_is_special(ps, '.'))
            break;
        if (addr_peek(ps)->ws_before)
            ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE;
        g_string_append_c(local, '.');
        ps->i++;
    }
    if (words == 0 || (local->len > 0 && local->str[local->len - 1] == '.')) {
        g_string_free(local, TRUE);
        return NULL;
    }
    if (has_qstr && words > 1)
        ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE; /* obs-local-part: word *("." word) */
    if (!addr_is_special(ps, '@')) {
        ps->flags |= MAIL_ADDRESS_FLAG_NO_DOMAIN;
        g_autofree char *l = g_string_free(local, FALSE);
        return mail_mailbox_new(NULL, l, NULL);
    }
    ps->i++;
    GString *dom = g_string_new(NULL);
    const AddrTok *t = addr_peek(ps);
    if (t->kind == ADDR_TOK_DLIT) {
        g_string_append(dom, t->text);
        ps->i++;
    } else {
        while (addr_peek(ps)->kind == ADDR_TOK_ATOM) {
            if (dom->len > 0 && addr_peek(ps)->ws_before)
                ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE;
            g_string_append(dom, addr_peek(ps)->text);
            ps->i++;
            if (!addr_is_special(ps, '.'))
                break;
            if (addr_peek(ps)->ws_before)
                ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE;
            g_string_append_c(dom, '.');
            ps->i++;
        }
    }
    g_autofree char *l = g_string_free(local, FALSE);
    g_autofree char *d = g_string_free(dom, FALSE);
    if (*d == '\0' || d[strlen(d) - 1] == '.')
        return NULL;
    return mail_mailbox_new(NULL, l, d);
}

/* obs-route (4.4): obs-domain-list ":" ; returns "@a,@b" or NULL. */
static char *
addr_read_route(AddrParser *ps)
{
    GString *r = g_string_new(NULL);
    while (addr_is_special(ps, ',') || addr_is_special(ps, '@')) {
        if (addr_is_special(ps, ',')) {
            ps->i++;
            continue;
        }
        ps->i++;
        if (r->len)
            g_string_append_c(r, ',');
        g_string_append_c(r, '@');
        while (addr_peek(ps)->kind == ADDR_TOK_ATOM || addr_is_special(ps, '.')) {
            const AddrTok *t = addr_peek(ps);
            g_string_append(r, t->kind == ADDR_TOK_ATOM ? t->text : ".");
            ps->i++;
        }
    }
    if (!addr_is_special(ps, ':') || r->len == 0) {
        g_string_free(r, TRUE);
        return NULL;
    }
    ps->i++;
    ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE;
    return g_string_free(r, FALSE);
}

/* angle-addr (3.4): "<" [obs-route] addr-spec ">" */
static MailMailbox *
addr_read_angle_addr(AddrParser *ps)
{
    g_assert(addr_is_special(ps, '<'));
    ps->i++;
    g_autofree char *route = NULL;
    if (addr_is_special(ps, '@') || addr_is_special(ps, ',')) {
        route = addr_read_route(ps);
        if (route == NULL)
            return NULL;
    }
    MailMailbox *mb = addr_read_addr_spec(ps);
    if (mb == NULL || !addr_is_special(ps, '>')) {
        mail_mailbox_free(mb);
        return NULL;
    }
    ps->i++;
    mb->route = g_steal_pointer(&route);
    return mb;
}

/* mailbox = name-addr / addr-spec (3.4). */
static MailMailbox *
addr_read_mailbox(AddrParser *ps)
{
    guint start = ps->i;
    guint flags = ps->flags;
    g_autofree char *phrase = addr_read_phrase(ps);
    if (addr_is_special(ps, '<')) {
        MailMailbox *mb = addr_read_angle_addr(ps);
        if (mb != NULL)
            mb->display_name = g_steal_pointer(&phrase);
        return mb;
    }
    /* Not a name-addr: read the same tokens again as an addr-spec. */
    ps->i = start;
    ps->flags = flags;
    return addr_read_addr_spec(ps);
}

static gboolean
addr_at_list_end(const AddrParser *ps)
{
    const AddrTok *t = addr_peek(ps);
    return t->kind == ADDR_TOK_END || (t->kind == ADDR_TOK_SPECIAL && (t->c == ',' || t->c == ';'));
}

/* group (3.4): display-name ":" [group-list] ";" */
static MailAddress *
addr_read_group(AddrParser *ps, char *name)
{
    MailAddress *a = g_new0(MailAddress, 1);
    a->group_name = name;
    a->members = g_ptr_array_new_with_free_func((GDestroyNotify)mail_mailbox_free);
    ps->i++; /* the ':' */
    for (;;) {
        if (addr_is_special(ps, ';')) {
            ps->i++;
            return a;
        }
        if (addr_peek(ps)->kind == ADDR_TOK_END) {
            ps->flags |= MAIL_ADDRESS_FLAG_NO_GROUP_END;
            return a;
        }
        if (addr_is_special(ps, ',')) {
            ps->i++; /* obs-group-list / obs-mbox-list: empty elements */
            if (a->members->len == 0 || addr_is_special(ps, ',') || addr_is_special(ps, ';'))
                ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE;
            continue;
        }
        MailMailbox *mb = addr_read_mailbox(ps);
        if (mb == NULL || !addr_at_list_end(ps) || a->members->len >= MAIL_ADDRESS_LIST_MAX) {
            mail_mailbox_free(mb);
            mail_address_free(a);
            return NULL;
        }
        g_ptr_array_add(a->members, mb);
    }
}

/* address = mailbox / group (3.4). */
static MailAddress *
addr_read_address(AddrParser *ps, gboolean allow_group)
{
    guint start = ps->i;
    g_autofree char *phrase = addr_read_phrase(ps);
    if (phrase != NULL && addr_is_special(ps, ':')) {
        if (!allow_group)
            return NULL;
        return addr_read_group(ps, g_steal_pointer(&phrase));
    }
    ps->i = start;
    MailMailbox *mb = addr_read_mailbox(ps);
    if (mb == NULL)
        return NULL;
    MailAddress *a = g_new0(MailAddress, 1);
    a->mailbox = mb;
    return a;
}

/* address-list / obs-addr-list (3.4, 4.4): empty elements allowed. */
static GPtrArray *
addr_read_list(AddrParser *ps, gboolean allow_group)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)mail_address_free);
    gboolean need_comma = FALSE;
    for (;;) {
        const AddrTok *t = addr_peek(ps);
        if (t->kind == ADDR_TOK_END)
            return out;
        if (t->kind == ADDR_TOK_SPECIAL && t->c == ',') {
            if (!need_comma)
                ps->flags |= MAIL_ADDRESS_FLAG_OBSOLETE;
            need_comma = FALSE;
            ps->i++;
            continue;
        }
        MailAddress *a = need_comma ? NULL : addr_read_address(ps, allow_group);
        if (a == NULL || out->len >= MAIL_ADDRESS_LIST_MAX) {
            mail_address_free(a);
            g_ptr_array_unref(out);
            return NULL;
        }
        g_ptr_array_add(out, a);
        need_comma = TRUE;
    }
}

static GPtrArray *
addr_parse(const char *text, MailAddressInfo *info, gboolean allow_group)
{
    g_return_val_if_fail(text != NULL, NULL);
    AddrParser ps = {0};
    ps.toks = addr_tokenize(text, info, &ps.flags);
    GPtrArray *out = addr_read_list(&ps, allow_group);
    if (info != NULL)
        info->flags |= ps.flags;
    g_array_unref(ps.toks);
    return out;
}

GPtrArray *
mail_address_list_parse(const char *text, MailAddressInfo *info)
{
    return addr_parse(text, info, TRUE);
}

GPtrArray *
mail_mailbox_list_parse(const char *text, MailAddressInfo *info)
{
    g_autoptr(GPtrArray) list = addr_parse(text, info, FALSE);
    if (list == NULL)
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)mail_mailbox_free);
    for (guint i = 0; i < list->len; i++) {
        MailAddress *a = list->pdata[i];
        g_ptr_array_add(out, g_steal_pointer(&a->mailbox));
    }
    return out;
}

MailMailbox *
mail_mailbox_parse(const char *text, MailAddressInfo *info)
{
    g_autoptr(GPtrArray) list = mail_mailbox_list_parse(text, info);
    if (list == NULL || list->len != 1)
        return NULL;
    return g_ptr_array_steal_index(list, 0);
}

GPtrArray *
mail_address_list_flatten(GPtrArray *list)
{
    GPtrArray *out = g_ptr_array_new();
    g_return_val_if_fail(list != NULL, out);
    for (guint i = 0; i < list->len; i++) {
        MailAddress *a = list->pdata[i];
        if (a->mailbox != NULL)
            g_ptr_array_add(out, a->mailbox);
        for (guint j = 0; a->members && j < a->members->len; j++)
            g_ptr_array_add(out, a->members->pdata[j]);
    }
    return out;
}

/* RFC 5322 3.2.5: a phrase of atoms can go bare; anything else is quoted. */
static gboolean
addr_phrase_needs_quotes(const char *s)
{
    if (*s == '\0' || *s == ' ' || s[strlen(s) - 1] == ' ')
        return TRUE;
    for (const char *p = s; *p; p++)
        if (!addr_is_atext((guchar)*p) && !(*p == ' ' && p[1] != ' '))
            return TRUE;
    return FALSE;
}

char *
mail_mailbox_to_string(const MailMailbox *mb)
{
    g_return_val_if_fail(mb != NULL, NULL);
    if (mb->display_name == NULL)
        return g_strdup(mb->addr);
    GString *s = g_string_new(NULL);
    if (addr_phrase_needs_quotes(mb->display_name)) {
        g_string_append_c(s, '"');
        for (const char *p = mb->display_name; *p; p++) {
            if (*p == '"' || *p == '\\')
                g_string_append_c(s, '\\');
            g_string_append_c(s, *p);
        }
        g_string_append_c(s, '"');
    } else {
        g_string_append(s, mb->display_name);
    }
    g_string_append_printf(s, " <%s>", mb->addr);
    return g_string_free(s, FALSE);
}
