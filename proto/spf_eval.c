/* SPDX-License-Identifier: MIT
 * spf_eval: the check_host() state machine (RFC 7208 4.4-4.7, 5, 6): record
 * lookup over TXT only, one record or permerror, mechanisms in order, the
 * include result table (5.2), redirect (6.1), exp= after fail (6.2), the
 * limits of 4.6.4 (10 DNS-querying terms, 2 void lookups, 10 MX hosts,
 * 10 PTR names), temperror on SERVFAIL/TIMEOUT (5), validated names for ptr
 * and %{p} (5.5, 7.3). One query is outstanding at a time; include nesting
 * is an explicit stack of frames, never C recursion across answers.
 */
#include "proto/spf-private.h"

#include <string.h>

static SpfFrame *
spf_eval_top(SpfCheck *c)
{
    g_assert(c->frames->len > 0);
    return c->frames->pdata[c->frames->len - 1];
}

static SpfMech *
spf_eval_cur_mech(SpfCheck *c)
{
    SpfFrame *f = spf_eval_top(c);
    g_assert(f->rec != NULL && f->term < f->rec->mechs->len);
    return f->rec->mechs->pdata[f->term];
}

static void
spf_eval_push_frame(SpfCheck *c, const char *domain)
{
    SpfFrame *f = g_new0(SpfFrame, 1);
    f->domain = g_strdup(domain);
    g_ptr_array_add(c->frames, f);
}

void
spf_eval_start(SpfCheck *c, const char *domain)
{
    spf_eval_step(c, "check_host(%s, %s, %s)", c->is_v6 ? "ip6" : "ip4", domain, c->sender);
    spf_eval_push_frame(c, domain);
}

static void
spf_eval_macro_ctx(SpfCheck *c, const char *domain, SpfMacroContext *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->sender = c->sender;
    ctx->local = c->local;
    ctx->sender_domain = c->sender_domain;
    ctx->domain = domain;
    ctx->ip = c->ip;
    ctx->is_v6 = c->is_v6;
    ctx->hex_upper = c->hex_upper;
    ctx->validated = c->p_value;
    ctx->helo = c->helo;
    ctx->receiver = c->receiver;
    ctx->now_unix = c->now_unix;
}

static const char *
spf_eval_cur_domain(SpfCheck *c)
{
    return c->exp_stage ? c->exp_domain : spf_eval_top(c)->domain;
}

static char *
spf_eval_reverse_name(SpfCheck *c)
{
    const guint8 *b = c->ip;
    if (!c->is_v6)
        return g_strdup_printf("%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
    static const char hex[] = "0123456789abcdef";
    GString *s = g_string_new(NULL);
    for (int i = 15; i >= 0; i--)
        g_string_append_printf(s, "%c.%c.", hex[b[i] & 0xf], hex[b[i] >> 4]);
    g_string_append(s, "ip6.arpa");
    return g_string_free(s, FALSE);
}

/* RFC 1035 2.3.4: labels of 1..63 octets, 253 in all (a trailing dot ok). */
static gboolean
spf_eval_name_is_valid(const char *name)
{
    gsize len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > SPF_DOMAIN_MAX)
        return FALSE;
    gsize start = 0;
    for (gsize i = 0; i <= len; i++) {
        if (i == len || name[i] == '.') {
            if (i == start || i - start > SPF_LABEL_MAX)
                return FALSE;
            start = i + 1;
        }
    }
    return TRUE;
}

/* Sends a query; must be the last thing its caller does. A name that
 * cannot be put in a query is answered NXDOMAIN on the spot (RFC 7208 4.3,
 * 5 "treated as non-existent"). */
static void
spf_eval_query(SpfCheck *c, SpfWait wait, const char *name, DnsRrType type)
{
    c->wait = wait;
    if (!spf_eval_name_is_valid(name)) {
        spf_eval_step(c, "'%s' is not a valid domain name: treated as NXDOMAIN", name);
        SpfAnswer nx = {.rcode = DNS_RCODE_NXDOMAIN};
        spf_eval_on_answer(c, &nx);
        return;
    }
    c->wait_id = c->next_id++;
    spf_eval_step(c, "DNS query %s %s", dns_rr_type_name(type), name);
    SpfAct *a = g_new0(SpfAct, 1);
    a->kind = SPF_ACT_QUERY;
    a->query_id = c->wait_id;
    a->name = g_strdup(name);
    a->type = type;
    g_queue_push_tail(&c->acts, a);
}

static DnsRrType
spf_eval_addr_type(SpfCheck *c)
{
    return c->is_v6 ? DNS_RR_AAAA : DNS_RR_A;
}

static gboolean
spf_eval_is_error(const SpfAnswer *ans)
{
    return ans->rcode == DNS_RCODE_SERVFAIL || ans->rcode == DNS_RCODE_TIMEOUT;
}

static gboolean
spf_eval_is_void(const SpfAnswer *ans)
{
    return ans->rcode == DNS_RCODE_NXDOMAIN || ans->n_records == 0;
}

/* The record's text: its character-strings joined (RFC 7208 3.3). A NUL
 * octet cannot be part of a valid record or explanation (3.1: printable
 * ASCII); it becomes DEL (0x7f), which the parsers reject, so that text
 * after it is never silently cut off. */
static char *
spf_eval_txt_text(const SpfAnswerRecord *r)
{
    if (r->strings == NULL)
        return g_strdup(r->text ? r->text : "");
    GString *s = g_string_new(NULL);
    /* Past SPF_RECORD_MAX the text is refused anyway: stop copying there. */
    for (guint i = 0; r->strings[i] != NULL && s->len <= SPF_RECORD_MAX; i++) {
        gsize len = r->lengths ? r->lengths[i] : strlen(r->strings[i]);
        gsize from = s->len;
        g_string_append_len(s, r->strings[i], (gssize)len);
        for (gsize j = from; j < s->len; j++)
            if (s->str[j] == '\0')
                s->str[j] = 0x7f;
    }
    return g_string_free(s, FALSE);
}

/* Any address of the answer in the client's network of the given length. */
static gboolean
spf_eval_addr_match(SpfCheck *c, const SpfAnswer *ans, int cidr4, int cidr6)
{
    for (guint i = 0; i < ans->n_records; i++) {
        guint8 a[16];
        gboolean v6;
        if (ans->records[i].text == NULL || !spf_ip_parse(ans->records[i].text, a, &v6))
            continue;
        if (v6 == c->is_v6 && spf_ip_prefix_match(a, c->ip, v6 ? cidr6 : cidr4))
            return TRUE;
    }
    return FALSE;
}

static void spf_eval_frame_done(SpfCheck *c, SpfResult r, const char *mech);

static void
spf_eval_match(SpfCheck *c, SpfMech *m)
{
    spf_eval_step(c, "%s matches: %s", m->text, spf_result_name(m->qualifier));
    spf_eval_frame_done(c, m->qualifier, m->text);
}

static void
spf_eval_no_match(SpfCheck *c)
{
    SpfFrame *f = spf_eval_top(c);
    spf_eval_step(c, "%s does not match", spf_eval_cur_mech(c)->text);
    f->term++;
}

static void
spf_eval_permerror(SpfCheck *c, const char *mech, const char *why)
{
    spf_eval_step(c, "permerror: %s", why);
    spf_eval_finish(c, SPF_RESULT_PERMERROR, mech);
}

/* RFC 7208 5.2 (include), 6.1 (redirect) and 4.7: a frame's result goes
 * to its include mechanism, or is the final result. */
static void
spf_eval_frame_done(SpfCheck *c, SpfResult r, const char *mech)
{
    SpfFrame *f = spf_eval_top(c);
    if (r == SPF_RESULT_NONE && f->is_redirect) {
        spf_eval_permerror(c, mech, "the redirect= domain has no SPF record (RFC 7208 6.1)");
        return;
    }
    if (c->frames->len == 1) {
        if (r == SPF_RESULT_FAIL && f->rec != NULL && f->rec->exp != NULL) {
            /* RFC 7208 6.2: the exp= of the record that failed, after
             * redirects but never of an included record. */
            c->exp_spec = g_strdup(f->rec->exp);
            c->exp_domain = g_strdup(f->domain);
            c->exp_stage = 1;
            g_free(c->mech);
            c->mech = g_strdup(mech);
            return;
        }
        spf_eval_finish(c, r, mech);
        return;
    }
    g_ptr_array_remove_index(c->frames, c->frames->len - 1);
    SpfMech *inc = spf_eval_cur_mech(c);
    switch (r) {
    case SPF_RESULT_PASS:
        spf_eval_match(c, inc);
        break;
    case SPF_RESULT_FAIL:
    case SPF_RESULT_SOFTFAIL:
    case SPF_RESULT_NEUTRAL:
        spf_eval_step(c, "included check gave %s: %s does not match", spf_result_name(r),
                      inc->text);
        spf_eval_top(c)->term++;
        break;
    case SPF_RESULT_NONE:
        spf_eval_permerror(c, inc->text, "the included domain has no SPF record (RFC 7208 5.2)");
        break;
    default:
        g_assert_not_reached();
    }
}

static void
spf_eval_p_start(SpfCheck *c)
{
    g_autofree char *rev = spf_eval_reverse_name(c);
    spf_eval_step(c, "resolving the validated name for %%{p}");
    spf_eval_query(c, SPF_WAIT_P_PTR, rev, DNS_RR_PTR);
}

/* Expands spec (or takes the frame's domain when spec is NULL) into
 * c->target. FALSE when the check ended. */
static gboolean
spf_eval_target(SpfCheck *c, const char *spec, const char *mech)
{
    g_clear_pointer(&c->target, g_free);
    if (spec == NULL) {
        c->target = g_strdup(spf_eval_top(c)->domain);
        return TRUE;
    }
    SpfMacroContext ctx;
    spf_eval_macro_ctx(c, spf_eval_top(c)->domain, &ctx);
    SpfMacroStatus st = spf_macro_expand(spec, &ctx, FALSE, TRUE, &c->target);
    if (st != SPF_MACRO_OK) {
        spf_eval_permerror(c, mech,
                           st == SPF_MACRO_TOO_LONG ? "macro expansion too long" : "bad macro");
        return FALSE;
    }
    return TRUE;
}

/* RFC 7208 4.6.4: counts one DNS-querying term. FALSE when the check ended. */
static gboolean
spf_eval_count_lookup(SpfCheck *c, const char *term)
{
    if (++c->lookups > SPF_LOOKUP_MAX) {
        spf_eval_permerror(c, term, "more than 10 DNS-querying terms (RFC 7208 4.6.4)");
        return FALSE;
    }
    spf_eval_step(c, "%s: DNS lookup %u of %d", term, c->lookups, SPF_LOOKUP_MAX);
    return TRUE;
}

static void
spf_eval_mech(SpfCheck *c, SpfMech *m)
{
    if (m->kind == SPF_MECH_ALL) {
        spf_eval_match(c, m);
        return;
    }
    if (m->kind == SPF_MECH_IP4 || m->kind == SPF_MECH_IP6) {
        gboolean v6 = m->kind == SPF_MECH_IP6;
        if (v6 == c->is_v6 && spf_ip_prefix_match(c->ip, m->addr, v6 ? m->cidr6 : m->cidr4))
            spf_eval_match(c, m);
        else
            spf_eval_no_match(c);
        return;
    }
    if (m->domain != NULL && spf_macro_uses_p(m->domain) && !c->p_done) {
        spf_eval_p_start(c);
        return;
    }
    if (!spf_eval_count_lookup(c, m->text) || !spf_eval_target(c, m->domain, m->text))
        return;
    switch (m->kind) {
    case SPF_MECH_INCLUDE:
        if (c->frames->len >= SPF_DEPTH_MAX) {
            spf_eval_permerror(c, m->text, "includes nested too deeply");
            return;
        }
        spf_eval_step(c, "include: check_host(%s)", c->target);
        spf_eval_push_frame(c, c->target);
        return;
    case SPF_MECH_A:
        spf_eval_query(c, SPF_WAIT_MECH, c->target, spf_eval_addr_type(c));
        return;
    case SPF_MECH_MX:
        spf_eval_query(c, SPF_WAIT_MECH, c->target, DNS_RR_MX);
        return;
    case SPF_MECH_EXISTS:
        /* RFC 7208 5.7: always an A query, whatever the client's family. */
        spf_eval_query(c, SPF_WAIT_MECH, c->target, DNS_RR_A);
        return;
    case SPF_MECH_PTR: {
        g_autofree char *rev = spf_eval_reverse_name(c);
        spf_eval_query(c, SPF_WAIT_MECH, rev, DNS_RR_PTR);
        return;
    }
    default:
        g_assert_not_reached();
    }
}

static void
spf_eval_end_record(SpfCheck *c, SpfFrame *f)
{
    const char *spec = f->rec->redirect;
    if (spec == NULL) {
        spf_eval_step(c, "no mechanism matched in %s: neutral (RFC 7208 4.7)", f->domain);
        spf_eval_frame_done(c, SPF_RESULT_NEUTRAL, NULL);
        return;
    }
    if (spf_macro_uses_p(spec) && !c->p_done) {
        spf_eval_p_start(c);
        return;
    }
    g_autofree char *term = g_strconcat("redirect=", spec, NULL);
    if (!spf_eval_count_lookup(c, term) || !spf_eval_target(c, spec, term))
        return;
    /* RFC 7208 6.1: the redirect target's record replaces this one. */
    spf_eval_step(c, "redirect: check_host(%s)", c->target);
    g_free(f->domain);
    f->domain = g_steal_pointer(&c->target);
    g_clear_pointer(&f->rec, spf_record_free);
    f->term = 0;
    f->is_redirect = TRUE;
}

static void
spf_eval_exp(SpfCheck *c)
{
    const char *pending = c->exp_stage == 1 ? c->exp_spec : c->exp_text;
    if (spf_macro_uses_p(pending) && !c->p_done) {
        spf_eval_p_start(c);
        return;
    }
    SpfMacroContext ctx;
    spf_eval_macro_ctx(c, c->exp_domain, &ctx);
    g_autofree char *out = NULL;
    if (c->exp_stage == 1) {
        if (spf_macro_expand(c->exp_spec, &ctx, FALSE, TRUE, &out) != SPF_MACRO_OK) {
            spf_eval_step(c, "exp= does not expand: ignored (RFC 7208 6.2)");
            spf_eval_finish(c, SPF_RESULT_FAIL, c->mech);
            return;
        }
        c->exp_stage = 2;
        spf_eval_query(c, SPF_WAIT_EXP, out, DNS_RR_TXT);
        return;
    }
    if (spf_macro_expand(c->exp_text, &ctx, TRUE, FALSE, &out) == SPF_MACRO_OK) {
        c->explanation = g_steal_pointer(&out);
        spf_eval_step(c, "explanation: %s", c->explanation);
    } else {
        spf_eval_step(c, "the explanation text is not a valid macro-string: ignored (6.2)");
    }
    spf_eval_finish(c, SPF_RESULT_FAIL, c->mech);
}

static void
spf_eval_advance(SpfCheck *c)
{
    if (c->exp_stage) {
        spf_eval_exp(c);
        return;
    }
    SpfFrame *f = spf_eval_top(c);
    if (f->rec == NULL) {
        spf_eval_query(c, SPF_WAIT_RECORD, f->domain, DNS_RR_TXT);
        return;
    }
    if (f->term < f->rec->mechs->len) {
        spf_eval_mech(c, f->rec->mechs->pdata[f->term]);
        return;
    }
    spf_eval_end_record(c, f);
}

void
spf_eval_run(SpfCheck *c)
{
    /* Every turn either consumes a term, sends a query or ends: the terms
     * are bounded by SPF_RECORD_MAX and the frames by SPF_DEPTH_MAX. */
    while (!c->done && c->wait == SPF_WAIT_NONE)
        spf_eval_advance(c);
}

/* RFC 7208 4.4, 4.5: select the one record that starts with "v=spf1". */
static void
spf_eval_on_record(SpfCheck *c, const SpfAnswer *ans)
{
    SpfFrame *f = spf_eval_top(c);
    if (spf_eval_is_error(ans)) {
        spf_eval_step(c, "the record lookup for %s failed: temperror (RFC 7208 4.4)", f->domain);
        spf_eval_finish(c, SPF_RESULT_TEMPERROR, NULL);
        return;
    }
    g_autofree char *found = NULL;
    guint count = 0;
    for (guint i = 0; ans->rcode == DNS_RCODE_NOERROR && i < ans->n_records; i++) {
        char *text = spf_eval_txt_text(&ans->records[i]);
        if (spf_record_is_spf(text) && count++ == 0)
            found = text;
        else
            g_free(text);
    }
    if (count == 0) {
        spf_eval_step(c, "%s has no SPF record", f->domain);
        spf_eval_frame_done(c, SPF_RESULT_NONE, NULL);
        return;
    }
    if (count > 1) {
        spf_eval_permerror(c, NULL, "more than one SPF record (RFC 7208 4.5)");
        return;
    }
    g_autofree char *problem = NULL;
    f->rec = spf_record_parse(found, &problem);
    if (f->rec == NULL) {
        spf_eval_permerror(c, NULL, problem);
        return;
    }
    spf_eval_step(c, "record of %s: %s", f->domain, found);
}

static void
spf_eval_next_name(SpfCheck *c, SpfWait wait)
{
    if (c->names == NULL || c->name_idx >= c->names->len) {
        if (wait == SPF_WAIT_P_ADDR)
            c->p_done = TRUE;
        else
            spf_eval_no_match(c);
        return;
    }
    const char *name = c->names->pdata[c->name_idx++];
    spf_eval_query(c, wait, name, spf_eval_addr_type(c));
}

static gint
spf_eval_mx_cmp(gconstpointer a, gconstpointer b)
{
    const SpfAnswerRecord *x = *(SpfAnswerRecord *const *)a, *y = *(SpfAnswerRecord *const *)b;
    return (gint)x->pref - (gint)y->pref;
}

static void
spf_eval_take_mx(SpfCheck *c, const SpfAnswer *ans)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    for (guint i = 0; i < ans->n_records; i++)
        g_ptr_array_add(sorted, (gpointer)&ans->records[i]);
    g_ptr_array_sort(sorted, spf_eval_mx_cmp); /* stable (merge sort) */
    g_clear_pointer(&c->names, g_ptr_array_unref);
    c->names = g_ptr_array_new_with_free_func(g_free);
    c->name_idx = 0;
    for (guint i = 0; i < sorted->len; i++) {
        const SpfAnswerRecord *r = sorted->pdata[i];
        g_ptr_array_add(c->names, g_strdup(r->text ? r->text : ""));
    }
}

static gsize
spf_eval_name_len(const char *s)
{
    gsize n = strlen(s);
    while (n > 0 && s[n - 1] == '.')
        n--;
    return n;
}

/* TRUE when name is domain or a subdomain of it (case-insensitive, RFC 4343). */
static gboolean
spf_eval_name_under(const char *name, const char *domain)
{
    gsize nl = spf_eval_name_len(name), dl = spf_eval_name_len(domain);
    if (nl < dl || (nl > dl && name[nl - dl - 1] != '.'))
        return FALSE;
    return g_ascii_strncasecmp(name + nl - dl, domain, dl) == 0;
}

/* RFC 7208 5.5: the first 10 PTR names; for the ptr mechanism only those
 * that could match the target; for %{p} those under <domain> first. */
static void
spf_eval_take_ptr(SpfCheck *c, const SpfAnswer *ans, const char *domain, gboolean only_under)
{
    g_clear_pointer(&c->names, g_ptr_array_unref);
    c->names = g_ptr_array_new_with_free_func(g_free);
    c->name_idx = 0;
    g_autoptr(GPtrArray) others = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < ans->n_records && i < SPF_NAMES_MAX; i++) {
        const char *t = ans->records[i].text;
        if (t == NULL)
            continue;
        if (spf_eval_name_under(t, domain))
            g_ptr_array_add(c->names, g_strdup(t));
        else if (!only_under)
            g_ptr_array_add(others, g_strdup(t));
    }
    for (guint i = 0; i < others->len; i++)
        g_ptr_array_add(c->names, g_strdup(others->pdata[i]));
}

static void
spf_eval_on_mech(SpfCheck *c, const SpfAnswer *ans)
{
    SpfMech *m = spf_eval_cur_mech(c);
    if (spf_eval_is_error(ans)) {
        if (m->kind == SPF_MECH_PTR) {
            /* RFC 7208 5.5: a PTR lookup error means no match. */
            spf_eval_no_match(c);
            return;
        }
        spf_eval_step(c, "DNS error (%s): temperror (RFC 7208 5)", dns_rcode_name(ans->rcode));
        spf_eval_finish(c, SPF_RESULT_TEMPERROR, m->text);
        return;
    }
    if (spf_eval_is_void(ans)) {
        /* RFC 7208 4.6.4: at most two void lookups. */
        if (++c->voids > SPF_VOID_MAX) {
            spf_eval_permerror(c, m->text, "more than 2 void lookups (RFC 7208 4.6.4)");
            return;
        }
        spf_eval_step(c, "void lookup %u of %d", c->voids, SPF_VOID_MAX);
        spf_eval_no_match(c);
        return;
    }
    switch (m->kind) {
    case SPF_MECH_A:
        if (spf_eval_addr_match(c, ans, m->cidr4, m->cidr6))
            spf_eval_match(c, m);
        else
            spf_eval_no_match(c);
        return;
    case SPF_MECH_EXISTS:
        spf_eval_match(c, m);
        return;
    case SPF_MECH_MX:
        if (ans->n_records > SPF_NAMES_MAX) {
            spf_eval_permerror(c, m->text, "more than 10 MX hosts (RFC 7208 4.6.4)");
            return;
        }
        spf_eval_take_mx(c, ans);
        spf_eval_next_name(c, SPF_WAIT_MX_ADDR);
        return;
    case SPF_MECH_PTR:
        spf_eval_take_ptr(c, ans, c->target, TRUE);
        spf_eval_next_name(c, SPF_WAIT_PTR_ADDR);
        return;
    default:
        g_assert_not_reached();
    }
}

static void
spf_eval_on_name_addr(SpfCheck *c, SpfWait w, const SpfAnswer *ans)
{
    const char *name = c->names->pdata[c->name_idx - 1];
    if (spf_eval_is_error(ans) && w == SPF_WAIT_MX_ADDR) {
        spf_eval_step(c, "DNS error (%s) for %s: temperror (RFC 7208 5)",
                      dns_rcode_name(ans->rcode), name);
        spf_eval_finish(c, SPF_RESULT_TEMPERROR, spf_eval_cur_mech(c)->text);
        return;
    }
    if (w == SPF_WAIT_MX_ADDR) {
        SpfMech *m = spf_eval_cur_mech(c);
        if (spf_eval_addr_match(c, ans, m->cidr4, m->cidr6)) {
            spf_eval_step(c, "MX host %s has the client's address", name);
            spf_eval_match(c, m);
            return;
        }
    } else if (!spf_eval_is_error(ans) && spf_eval_addr_match(c, ans, 32, 128)) {
        /* RFC 7208 5.5: a validated name (errors just skip the name). */
        spf_eval_step(c, "%s is a validated name", name);
        if (w == SPF_WAIT_PTR_ADDR) {
            spf_eval_match(c, spf_eval_cur_mech(c));
        } else {
            c->p_value = g_strdup(name);
            c->p_done = TRUE;
        }
        return;
    }
    spf_eval_next_name(c, w);
}

static void
spf_eval_on_p_ptr(SpfCheck *c, const SpfAnswer *ans)
{
    if (spf_eval_is_error(ans) || spf_eval_is_void(ans)) {
        spf_eval_step(c, "no PTR name: %%{p} is \"unknown\"");
        c->p_done = TRUE;
        return;
    }
    spf_eval_take_ptr(c, ans, spf_eval_cur_domain(c), FALSE);
    spf_eval_next_name(c, SPF_WAIT_P_ADDR);
}

static void
spf_eval_on_exp(SpfCheck *c, const SpfAnswer *ans)
{
    if (ans->rcode != DNS_RCODE_NOERROR || ans->n_records != 1) {
        /* RFC 7208 6.2: errors, no record or several: as if no exp=. */
        spf_eval_step(c, "no single explanation record: exp= ignored (RFC 7208 6.2)");
        spf_eval_finish(c, SPF_RESULT_FAIL, c->mech);
        return;
    }
    c->exp_text = spf_eval_txt_text(&ans->records[0]);
    c->exp_stage = 3;
}

void
spf_eval_on_answer(SpfCheck *c, const SpfAnswer *ans)
{
    SpfWait w = c->wait;
    c->wait = SPF_WAIT_NONE;
    spf_eval_step(c, "DNS answer %s, %u record%s", dns_rcode_name(ans->rcode), ans->n_records,
                  ans->n_records == 1 ? "" : "s");
    switch (w) {
    case SPF_WAIT_RECORD:
        spf_eval_on_record(c, ans);
        break;
    case SPF_WAIT_MECH:
        spf_eval_on_mech(c, ans);
        break;
    case SPF_WAIT_MX_ADDR:
    case SPF_WAIT_PTR_ADDR:
    case SPF_WAIT_P_ADDR:
        spf_eval_on_name_addr(c, w, ans);
        break;
    case SPF_WAIT_P_PTR:
        spf_eval_on_p_ptr(c, ans);
        break;
    case SPF_WAIT_EXP:
        spf_eval_on_exp(c, ans);
        break;
    case SPF_WAIT_NONE:
        g_assert_not_reached();
    }
}
