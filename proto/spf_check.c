/* SPDX-License-Identifier: MIT
 * spf_check: the public face of the SPF engine: the request and its
 * initial processing (RFC 7208 4.1-4.3: <ip>, <domain>, <sender>,
 * "postmaster" for an empty local-part or sender, malformed domains give
 * none), the action queue behind poll(), answers, and result names. The
 * evaluation itself lives in spf_eval.c.
 */
#include "proto/spf.h"

#include <stdarg.h>
#include <string.h>

#include "proto/spf-private.h"

static const char *const spf_result_names[] = {
    [SPF_RESULT_NONE] = "none",           [SPF_RESULT_NEUTRAL] = "neutral",
    [SPF_RESULT_PASS] = "pass",           [SPF_RESULT_FAIL] = "fail",
    [SPF_RESULT_SOFTFAIL] = "softfail",   [SPF_RESULT_TEMPERROR] = "temperror",
    [SPF_RESULT_PERMERROR] = "permerror",
};

const char *
spf_result_name(SpfResult r)
{
    if ((guint)r >= G_N_ELEMENTS(spf_result_names))
        return "?";
    return spf_result_names[r];
}

gboolean
spf_result_from_name(const char *name, SpfResult *r)
{
    for (guint i = 0; i < G_N_ELEMENTS(spf_result_names); i++) {
        if (g_ascii_strcasecmp(name, spf_result_names[i]) == 0) {
            *r = (SpfResult)i;
            return TRUE;
        }
    }
    return FALSE;
}

void
spf_act_clear(SpfAct *act)
{
    if (act == NULL)
        return;
    g_free(act->name);
    g_free(act->text);
    g_free(act->mechanism);
    g_free(act->explanation);
    memset(act, 0, sizeof *act);
}

char *
spf_act_to_string(const SpfAct *act)
{
    switch (act->kind) {
    case SPF_ACT_QUERY:
        return g_strdup_printf("QUERY %u %s %s", act->query_id, dns_rr_type_name(act->type),
                               act->name);
    case SPF_ACT_STEP:
        return g_strdup_printf("STEP %s", act->text);
    case SPF_ACT_DONE: {
        GString *s = g_string_new("DONE ");
        g_string_append(s, spf_result_name(act->result));
        if (act->mechanism)
            g_string_append_printf(s, " %s", act->mechanism);
        if (act->explanation)
            g_string_append_printf(s, " exp=\"%s\"", act->explanation);
        return g_string_free(s, FALSE);
    }
    case SPF_ACT_NONE:
        break;
    }
    return g_strdup("NONE");
}

static SpfAct *
spf_check_push(SpfCheck *c, SpfActKind kind)
{
    SpfAct *a = g_new0(SpfAct, 1);
    a->kind = kind;
    g_queue_push_tail(&c->acts, a);
    return a;
}

void
spf_eval_step(SpfCheck *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    spf_check_push(c, SPF_ACT_STEP)->text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void
spf_eval_finish(SpfCheck *c, SpfResult r, const char *mech)
{
    g_assert(!c->done);
    char *m = g_strdup(mech); /* mech may be c->mech itself */
    c->done = TRUE;
    c->result = r;
    c->wait = SPF_WAIT_NONE;
    g_free(c->mech);
    c->mech = m;
    SpfAct *a = spf_check_push(c, SPF_ACT_DONE);
    a->result = r;
    a->mechanism = g_strdup(m);
    a->explanation = g_strdup(c->explanation);
}

/* RFC 7208 4.3: a <domain> that is not a multi-label FQDN of labels of
 * 1..63 octets, 253 in all, gives "none" without any query. */
static gboolean
spf_check_domain_is_fqdn(const char *d)
{
    gsize len = strlen(d);
    if (len > 0 && d[len - 1] == '.')
        len--;
    if (len == 0 || len > SPF_DOMAIN_MAX || d[0] == '[')
        return FALSE;
    guint labels = 0;
    gsize start = 0;
    for (gsize i = 0; i <= len; i++) {
        if (i == len || d[i] == '.') {
            if (i == start || i - start > SPF_LABEL_MAX)
                return FALSE;
            labels++;
            start = i + 1;
        }
    }
    return labels >= 2;
}

static void
spf_check_set_sender(SpfCheck *c, const SpfRequest *req)
{
    const char *helo = req->helo ? req->helo : "";
    const char *sender = req->sender;
    /* RFC 7208 2.3, 2.4: HELO checks and the null reverse-path use
     * postmaster@<HELO>. */
    if (req->identity == SPF_IDENTITY_HELO || sender == NULL || *sender == '\0')
        c->sender = g_strconcat("postmaster@", helo, NULL);
    else
        c->sender = g_strdup(sender);
    const char *at = strrchr(c->sender, '@');
    if (at == NULL) {
        c->local = g_strdup("postmaster");
        c->sender_domain = g_strdup(c->sender);
    } else {
        /* RFC 7208 4.3: no local-part means "postmaster". */
        c->local = at == c->sender ? g_strdup("postmaster")
                                   : g_strndup(c->sender, (gsize)(at - c->sender));
        c->sender_domain = g_strdup(at + 1);
    }
    c->helo = g_strdup(helo);
}

void
spf_frame_free(SpfFrame *f)
{
    g_free(f->domain);
    spf_record_free(f->rec);
    g_free(f);
}

SpfCheck *
spf_check_new(const SpfRequest *req)
{
    g_return_val_if_fail(req != NULL && req->ip != NULL, NULL);
    SpfCheck *c = g_new0(SpfCheck, 1);
    g_queue_init(&c->acts);
    c->frames = g_ptr_array_new_with_free_func((GDestroyNotify)spf_frame_free);
    c->receiver = g_strdup(req->receiver ? req->receiver : "unknown");
    c->now_unix = req->now_unix;
    c->next_id = 1;
    spf_check_set_sender(c, req);
    if (!spf_ip_parse(req->ip, c->ip, &c->is_v6)) {
        spf_eval_step(c, "'%s' is not an IP address", req->ip);
        spf_eval_finish(c, SPF_RESULT_PERMERROR, NULL);
        return c;
    }
    if (c->is_v6) {
        gboolean upper = FALSE, lower = FALSE;
        for (const char *p = req->ip; *p; p++) {
            upper |= *p >= 'A' && *p <= 'F';
            lower |= *p >= 'a' && *p <= 'f';
        }
        c->hex_upper = upper && !lower;
    }
    const char *domain = req->identity == SPF_IDENTITY_HELO ? c->helo : c->sender_domain;
    if (strlen(c->sender) > SPF_INPUT_MAX || strlen(c->helo) > SPF_INPUT_MAX ||
        !spf_check_domain_is_fqdn(domain)) {
        spf_eval_step(c, "'%s' is not a fully qualified domain name (RFC 7208 4.3)", domain);
        spf_eval_finish(c, SPF_RESULT_NONE, NULL);
        return c;
    }
    spf_eval_start(c, domain);
    return c;
}

gboolean
spf_check_poll(SpfCheck *c, SpfAct *act)
{
    g_return_val_if_fail(c != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    if (g_queue_is_empty(&c->acts) && !c->done && c->wait == SPF_WAIT_NONE)
        spf_eval_run(c);
    SpfAct *a = g_queue_pop_head(&c->acts);
    if (a == NULL)
        return FALSE;
    *act = *a;
    g_free(a);
    return TRUE;
}

void
spf_check_answer(SpfCheck *c, guint32 query_id, const SpfAnswer *ans)
{
    g_return_if_fail(c != NULL && ans != NULL);
    g_return_if_fail(c->wait != SPF_WAIT_NONE && query_id == c->wait_id);
    g_return_if_fail(ans->n_records == 0 || ans->records != NULL);
    spf_eval_on_answer(c, ans);
}

gboolean
spf_check_is_done(const SpfCheck *c)
{
    return c->done;
}

SpfResult
spf_check_get_result(const SpfCheck *c)
{
    return c->done ? c->result : SPF_RESULT_NONE;
}

guint
spf_check_get_lookups(const SpfCheck *c)
{
    return c->lookups;
}

static void
spf_act_free(SpfAct *a)
{
    spf_act_clear(a);
    g_free(a);
}

void
spf_check_free(SpfCheck *c)
{
    if (c == NULL)
        return;
    g_queue_clear_full(&c->acts, (GDestroyNotify)spf_act_free);
    g_ptr_array_unref(c->frames);
    g_clear_pointer(&c->names, g_ptr_array_unref);
    g_free(c->sender);
    g_free(c->local);
    g_free(c->sender_domain);
    g_free(c->helo);
    g_free(c->receiver);
    g_free(c->target);
    g_free(c->p_value);
    g_free(c->exp_spec);
    g_free(c->exp_domain);
    g_free(c->exp_text);
    g_free(c->mech);
    g_free(c->explanation);
    g_free(c);
}
