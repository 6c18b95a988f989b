/* SPDX-License-Identifier: MIT
 * dmarc_check: the sans-I/O DMARC evaluation of one message (RFC 7489
 * 6.6.2-6.6.4): ask for _dmarc.<From domain>, fall back to
 * _dmarc.<Organizational Domain>, then compare the SPF- and
 * DKIM-authenticated domains with the From domain and pick the disposition.
 * The caller supplies the SPF and DKIM outcomes; no DNS, no clock here.
 */
#include "proto/dmarc.h"

#include <string.h>

/* At most two lookups per message (From domain, Organizational Domain). */
#define DMARC_MAX_QUERIES 2

typedef enum {
    DMARC_CHECK_STATE_ASK_FROM = 0, /* next: NEED_TXT for the From domain */
    DMARC_CHECK_STATE_WAIT_FROM,
    DMARC_CHECK_STATE_ASK_ORG,
    DMARC_CHECK_STATE_WAIT_ORG,
    DMARC_CHECK_STATE_DONE, /* outcome final, DONE not yet given */
    DMARC_CHECK_STATE_FINISHED,
} DmarcCheckState;

static const char *const dmarc_check_state_names[] = {
    "ask-from", "wait-from", "ask-org", "wait-org", "done", "finished",
};

static const char *
dmarc_check_state_name(DmarcCheckState st)
{
    return (guint)st < G_N_ELEMENTS(dmarc_check_state_names) ? dmarc_check_state_names[st] : "?";
}

struct DmarcCheck {
    DmarcCheckState state;
    char *from_domain, *org_domain, *spf_domain;
    GPtrArray *dkim_domains; /* char* */
    const Psl *psl;
    guint roll;
    guint32 query_id; /* of the outstanding query */
    DmarcRecord record;
    char *record_domain;
    char *detail;
    DmarcOutcome out;
};

DmarcCheck *
dmarc_check_new(const DmarcCheckInput *in)
{
    g_return_val_if_fail(in != NULL && in->psl != NULL && in->from_domain != NULL, NULL);
    g_return_val_if_fail(in->roll < 100, NULL);
    DmarcCheck *c = g_new0(DmarcCheck, 1);
    c->from_domain = g_ascii_strdown(in->from_domain, -1);
    c->spf_domain = g_strdup(in->spf_domain);
    c->psl = in->psl;
    c->roll = in->roll;
    c->dkim_domains = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; in->dkim_domains && in->dkim_domains[i]; i++)
        g_ptr_array_add(c->dkim_domains, g_strdup(in->dkim_domains[i]));
    c->org_domain = psl_org_domain(c->psl, c->from_domain);
    c->out.org_domain = c->org_domain;
    if (c->org_domain == NULL) {
        c->detail = g_strdup("From domain is not a domain name");
        c->out.result = DMARC_RESULT_NONE;
        c->state = DMARC_CHECK_STATE_DONE; /* nothing to ask */
    }
    c->out.detail = c->detail;
    return c;
}

/* Every transition goes through here (STYLE 8), visible with
 * G_MESSAGES_DEBUG=proto. */
static void
dmarc_check_enter_state(DmarcCheck *c, DmarcCheckState st)
{
    g_debug("dmarc %s: %s -> %s", c->from_domain, dmarc_check_state_name(c->state),
            dmarc_check_state_name(st));
    c->state = st;
}

void
dmarc_check_free(DmarcCheck *c)
{
    if (c == NULL)
        return;
    g_free(c->from_domain);
    g_free(c->org_domain);
    g_free(c->spf_domain);
    g_ptr_array_unref(c->dkim_domains);
    dmarc_record_clear(&c->record);
    g_free(c->record_domain);
    g_free(c->detail);
    g_free(c);
}

static void
dmarc_check_finish(DmarcCheck *c, DmarcResult r, char *detail)
{
    c->out.result = r;
    g_free(c->detail);
    c->detail = detail;
    c->out.detail = detail;
    dmarc_check_enter_state(c, DMARC_CHECK_STATE_DONE);
}

gboolean
dmarc_check_poll(DmarcCheck *c, DmarcCheckAct *act)
{
    g_return_val_if_fail(c != NULL && act != NULL, FALSE);
    memset(act, 0, sizeof *act);
    const char *name = NULL;
    switch (c->state) {
    case DMARC_CHECK_STATE_ASK_FROM:
        name = c->from_domain;
        dmarc_check_enter_state(c, DMARC_CHECK_STATE_WAIT_FROM);
        break;
    case DMARC_CHECK_STATE_ASK_ORG:
        name = c->org_domain;
        dmarc_check_enter_state(c, DMARC_CHECK_STATE_WAIT_ORG);
        break;
    case DMARC_CHECK_STATE_DONE:
        dmarc_check_enter_state(c, DMARC_CHECK_STATE_FINISHED);
        act->kind = DMARC_CHECK_ACT_DONE;
        return TRUE;
    case DMARC_CHECK_STATE_WAIT_FROM:
    case DMARC_CHECK_STATE_WAIT_ORG:
    case DMARC_CHECK_STATE_FINISHED:
        return FALSE;
    }
    g_assert(c->query_id < DMARC_MAX_QUERIES);
    act->kind = DMARC_CHECK_ACT_NEED_TXT;
    act->query_id = ++c->query_id;
    act->qname = g_strconcat("_dmarc.", name, NULL); /* 6.6.3 step 1 */
    return TRUE;
}

void
dmarc_check_act_clear(DmarcCheckAct *act)
{
    g_clear_pointer(&act->qname, g_free);
    act->kind = DMARC_CHECK_ACT_NONE;
}

char *
dmarc_check_act_to_string(const DmarcCheckAct *act)
{
    switch (act->kind) {
    case DMARC_CHECK_ACT_NEED_TXT:
        return g_strdup_printf("NEED_TXT %u %s", act->query_id, act->qname);
    case DMARC_CHECK_ACT_DONE:
        return g_strdup("DONE");
    case DMARC_CHECK_ACT_NONE:
        break;
    }
    return g_strdup("NONE");
}

/* 3.1 and 6.6.2: alignment of the authenticated identifiers, then the
 * policy for this From domain (sp= for subdomains found via the
 * Organizational Domain), then pct sampling. */
static void
dmarc_check_evaluate(DmarcCheck *c)
{
    const DmarcRecord *r = &c->record;
    c->out.record = r;
    c->out.record_domain = c->record_domain;
    c->out.spf_aligned =
        c->spf_domain != NULL && dmarc_is_aligned(c->psl, c->spf_domain, c->from_domain, r->aspf);
    for (guint i = 0; i < c->dkim_domains->len; i++)
        c->out.dkim_aligned |=
            dmarc_is_aligned(c->psl, c->dkim_domains->pdata[i], c->from_domain, r->adkim);
    gboolean from_org = strcmp(c->record_domain, c->from_domain) != 0;
    c->out.policy = from_org && r->has_sp ? r->sp : r->p;
    gboolean pass = c->out.spf_aligned || c->out.dkim_aligned;
    c->out.disposition =
        pass ? DMARC_POLICY_NONE : dmarc_policy_sample(c->out.policy, r->pct, c->roll);
    dmarc_check_finish(
        c, pass ? DMARC_RESULT_PASS : DMARC_RESULT_FAIL,
        g_strdup_printf("%s (spf %s, dkim %s; p=%s from %s; disposition %s)",
                        pass ? "aligned identifier passed" : "no aligned identifier passed",
                        c->out.spf_aligned ? "aligned" : "not aligned",
                        c->out.dkim_aligned ? "aligned" : "not aligned",
                        dmarc_policy_name(c->out.policy), c->record_domain,
                        dmarc_policy_name(c->out.disposition)));
}

/* 6.6.3 steps 2-6 for the records found at domain. */
static void
dmarc_check_records(DmarcCheck *c, const char *domain, const char *const *records)
{
    const char *found = NULL;
    guint n = 0;
    for (guint i = 0; records && records[i]; i++) {
        if (dmarc_record_is_dmarc(records[i])) {
            found = records[i];
            n++;
        }
    }
    if (n > 1) {
        dmarc_check_finish(c, DMARC_RESULT_PERMERROR,
                           g_strdup_printf("%u DMARC records at _dmarc.%s", n, domain));
        return;
    }
    if (n == 0) {
        if (c->state == DMARC_CHECK_STATE_WAIT_FROM && strcmp(c->org_domain, c->from_domain) != 0)
            dmarc_check_enter_state(c, DMARC_CHECK_STATE_ASK_ORG); /* 6.6.3 step 3 */
        else
            dmarc_check_finish(c, DMARC_RESULT_NONE, g_strdup("no DMARC record"));
        return;
    }
    const char *why = NULL;
    if (!dmarc_record_parse(found, &c->record, &why)) {
        /* 6.6.3: an unusable record means no policy is applied */
        dmarc_check_finish(c, DMARC_RESULT_PERMERROR,
                           g_strdup_printf("record at _dmarc.%s: %s", domain, why));
        return;
    }
    c->record_domain = g_strdup(domain);
    dmarc_check_evaluate(c);
}

void
dmarc_check_answer(DmarcCheck *c, guint32 query_id, DmarcDnsStatus status,
                   const char *const *records)
{
    g_return_if_fail(c != NULL);
    g_return_if_fail(c->state == DMARC_CHECK_STATE_WAIT_FROM ||
                     c->state == DMARC_CHECK_STATE_WAIT_ORG);
    g_return_if_fail(query_id == c->query_id);
    const char *domain = c->state == DMARC_CHECK_STATE_WAIT_FROM ? c->from_domain : c->org_domain;
    switch (status) {
    case DMARC_DNS_SERVFAIL:
    case DMARC_DNS_TIMEOUT:
        dmarc_check_finish(c, DMARC_RESULT_TEMPERROR,
                           g_strdup_printf("DNS failure for _dmarc.%s", domain));
        break;
    case DMARC_DNS_NXDOMAIN:
        dmarc_check_records(c, domain, NULL);
        break;
    case DMARC_DNS_FOUND:
        dmarc_check_records(c, domain, records);
        break;
    }
}

gboolean
dmarc_check_is_done(const DmarcCheck *c)
{
    return c->state == DMARC_CHECK_STATE_DONE || c->state == DMARC_CHECK_STATE_FINISHED;
}

const DmarcOutcome *
dmarc_check_outcome(const DmarcCheck *c)
{
    return &c->out;
}
