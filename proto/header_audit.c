/* SPDX-License-Identifier: MIT
 * header_audit: Received-chain and originator analysis. RFC 5321 4.4 (each
 * relay adds a Received field on top: the "from" of a hop is the host the
 * one before it named in "by"), RFC 5322 3.6 (From once, Date once),
 * 3.6.2 (Sender when From has several mailboxes), 3.6.3 (Bcc), 3.6.7
 * (trace fields), RFC 5321 4.4 Return-Path (the envelope's reverse path,
 * added at final delivery). It does not look up DNS or judge IP
 * reputation: SPF, DKIM and DMARC do that.
 */
#include "proto/header_audit.h"

#include <string.h>

#include "proto/address.h"
#include "proto/mail_date.h"

static void
header_hop_free(HeaderHop *h)
{
    g_free(h->raw);
    mail_received_free(h->parsed);
    g_free(h->flag);
    g_free(h);
}

static void
header_finding_free(HeaderFinding *f)
{
    g_free(f->code);
    g_free(f->reason);
    g_free(f);
}

void
header_audit_free(HeaderAudit *a)
{
    if (a == NULL)
        return;
    g_ptr_array_unref(a->hops);
    g_ptr_array_unref(a->findings);
    g_free(a->from);
    g_free(a->sender);
    g_free(a->return_path);
    g_free(a->date);
    g_free(a->message_id);
    g_free(a);
}

const char *
header_audit_severity_name(HeaderAuditSeverity s)
{
    static const char *const names[] = {"info", "suspicious", "forged"};
    return (guint)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

const char *
header_audit_verdict(const HeaderAudit *a)
{
    if (a->worst == HEADER_AUDIT_FORGED)
        return "forged";
    return a->worst == HEADER_AUDIT_SUSPICIOUS ? "suspicious" : "clean";
}

static void header_audit_add(HeaderAudit *a, const char *code, HeaderAuditSeverity sev, guint hop,
                             const char *fmt, ...) G_GNUC_PRINTF(5, 6);
static void
header_audit_add(HeaderAudit *a, const char *code, HeaderAuditSeverity sev, guint hop,
                 const char *fmt, ...)
{
    HeaderFinding *f = g_new0(HeaderFinding, 1);
    f->code = g_strdup(code);
    f->severity = sev;
    f->hop = hop;
    va_list ap;
    va_start(ap, fmt);
    f->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(a->findings, f);
    if (sev > a->worst)
        a->worst = sev;
    if (sev > HEADER_AUDIT_INFO)
        a->n_findings_over_info++;
}

/* Host names compare case-insensitively, without a trailing dot. */
static gboolean
header_audit_same_host(const char *x, const char *y)
{
    if (x == NULL || y == NULL)
        return FALSE;
    gsize lx = strlen(x), ly = strlen(y);
    if (lx > 0 && x[lx - 1] == '.')
        lx--;
    if (ly > 0 && y[ly - 1] == '.')
        ly--;
    return lx == ly && g_ascii_strncasecmp(x, y, lx) == 0;
}

/* RFC 5321 4.4: does next (the later hop) say it received from the host
 * that wrote prev? The HELO name or the verified name may be the one. */
static gboolean
header_audit_linked(const MailReceived *prev, const MailReceived *next)
{
    if (prev->by == NULL || next->from == NULL)
        return TRUE; /* nothing to compare: no evidence of a break */
    if (header_audit_same_host(next->from, prev->by) ||
        header_audit_same_host(next->from_rdns, prev->by))
        return TRUE;
    /* "by [192.0.2.1]" written by a host known by its address. */
    return next->from_ip != NULL && prev->by[0] == '[' &&
           strncmp(prev->by + 1, next->from_ip, strlen(next->from_ip)) == 0;
}

static void
header_audit_hops(HeaderAudit *a, const MailMessage *msg)
{
    g_autoptr(GPtrArray) values = mail_message_get_all(msg, "Received");
    guint n = values->len;
    for (guint i = n; i > 0; i--) {
        HeaderHop *h = g_new0(HeaderHop, 1);
        h->field = i;
        h->hop = n - i + 1;
        h->raw = g_strdup(values->pdata[i - 1]);
        h->parsed = mail_received_parse(h->raw);
        g_ptr_array_add(a->hops, h);
        if (!h->parsed->has_date)
            header_audit_add(a, "hop-no-date", HEADER_AUDIT_INFO, h->hop,
                             "hop %u has no date after ';' (RFC 5321 4.4 requires one)", h->hop);
        else if (!h->parsed->is_well_formed)
            header_audit_add(a, "hop-malformed", HEADER_AUDIT_INFO, h->hop,
                             "hop %u does not follow the RFC 5321 4.4 clause order and form",
                             h->hop);
    }
}

/* Walks down from the newest hop while each link holds; below the first
 * break, nothing can be believed. */
static void
header_audit_chain(HeaderAudit *a)
{
    guint n = a->hops->len;
    if (n == 0)
        return;
    HeaderHop *top = a->hops->pdata[n - 1];
    top->trusted = TRUE;
    guint k = n - 1; /* hops->pdata[k] is trusted */
    for (; k > 0; k--) {
        HeaderHop *next = a->hops->pdata[k], *prev = a->hops->pdata[k - 1];
        if (!header_audit_linked(prev->parsed, next->parsed)) {
            header_audit_add(a, "chain-break", HEADER_AUDIT_FORGED, next->hop,
                             "hop %u (by %s) received the message from %s, but hop %u claims "
                             "to be written by %s: the hops below were not added by the hosts "
                             "they name (RFC 5321 4.4)",
                             next->hop, next->parsed->by ? next->parsed->by : "?",
                             next->parsed->from, prev->hop, prev->parsed->by);
            break;
        }
        prev->trusted = TRUE;
    }
    for (guint i = 0; i < k; i++) {
        HeaderHop *h = a->hops->pdata[i];
        HeaderHop *first = a->hops->pdata[k];
        h->flag = g_strdup_printf("below the break at hop %u: written before the message "
                                  "reached %s, by whoever sent it; may be forged",
                                  first->hop, first->parsed->by ? first->parsed->by : "?");
        header_audit_add(a, "untrusted-hop", HEADER_AUDIT_SUSPICIOUS, h->hop,
                         "hop %u (from %s by %s) is %s", h->hop,
                         h->parsed->from ? h->parsed->from : "?",
                         h->parsed->by ? h->parsed->by : "?", h->flag);
    }
}

/* Times must run forward along the path, within the skew. */
static void
header_audit_times(HeaderAudit *a)
{
    const HeaderHop *last = NULL;
    for (guint i = 0; i < a->hops->len; i++) {
        const HeaderHop *h = a->hops->pdata[i];
        if (!h->parsed->has_date)
            continue;
        if (last != NULL &&
            h->parsed->date.unix_utc + HEADER_AUDIT_SKEW_SECONDS < last->parsed->date.unix_utc)
            header_audit_add(a, "time-backwards", HEADER_AUDIT_SUSPICIOUS, h->hop,
                             "hop %u is dated %" G_GINT64_FORMAT " s before hop %u, which "
                             "handled the message earlier",
                             h->hop, last->parsed->date.unix_utc - h->parsed->date.unix_utc,
                             last->hop);
        last = h;
    }
}

/* The literal HELO of a hop must be the address the server saw. */
static void
header_audit_literals(HeaderAudit *a)
{
    for (guint i = 0; i < a->hops->len; i++) {
        const HeaderHop *h = a->hops->pdata[i];
        const MailReceived *r = h->parsed;
        if (r->from == NULL || r->from[0] != '[' || r->from_info == NULL)
            continue;
        const char *ip = strchr(r->from_info, '[');
        gsize len = strcspn(r->from + 1, "]");
        if (ip != NULL && strncmp(ip + 1, r->from + 1, len) != 0)
            header_audit_add(a, "helo-literal-mismatch", HEADER_AUDIT_SUSPICIOUS, h->hop,
                             "hop %u: the client said it was %s but connected from %s", h->hop,
                             r->from, ip);
    }
}

/* The addresses of a field's mailboxes, groups flattened (transfer full,
 * never NULL). */
static GPtrArray *
header_audit_mailboxes(const char *value)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) list = value ? mail_address_list_parse(value, NULL) : NULL;
    g_autoptr(GPtrArray) flat = list ? mail_address_list_flatten(list) : NULL;
    for (guint i = 0; flat && i < flat->len; i++)
        g_ptr_array_add(out, g_strdup(((MailMailbox *)flat->pdata[i])->addr));
    return out;
}

static const char *
header_audit_domain(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : NULL;
}

static const HeaderHop *
header_audit_first_trusted(const HeaderAudit *a)
{
    for (guint i = 0; i < a->hops->len; i++)
        if (((HeaderHop *)a->hops->pdata[i])->trusted)
            return a->hops->pdata[i];
    return NULL;
}

static void
header_audit_date(HeaderAudit *a, const MailMessage *msg)
{
    guint n = mail_message_count(msg, "Date");
    if (n == 0) {
        header_audit_add(a, "no-date", HEADER_AUDIT_SUSPICIOUS, 0,
                         "no Date field (RFC 5322 3.6: required; an MSA should add one, "
                         "RFC 6409 8.3)");
        return;
    }
    if (n > 1)
        header_audit_add(a, "date-repeated", HEADER_AUDIT_SUSPICIOUS, 0,
                         "%u Date fields (RFC 5322 3.6: exactly one)", n);
    MailDate d;
    if (!mail_date_parse(a->date, &d)) {
        header_audit_add(a, "date-unreadable", HEADER_AUDIT_SUSPICIOUS, 0,
                         "the Date field is not an RFC 5322 3.3 date-time: '%s'", a->date);
        return;
    }
    const HeaderHop *first = header_audit_first_trusted(a);
    if (first == NULL || !first->parsed->has_date)
        return;
    gint64 t = first->parsed->date.unix_utc;
    /* The Date is the author's claim (RFC 5322 3.6.1); the first trusted
     * relay's clock is the evidence. */
    if (d.unix_utc > t + HEADER_AUDIT_SKEW_SECONDS)
        header_audit_add(a, "date-after-receipt", HEADER_AUDIT_SUSPICIOUS, first->hop,
                         "the Date field is %" G_GINT64_FORMAT " s after hop %u received the "
                         "message: the date was written by hand or the sender's clock is wrong",
                         d.unix_utc - t, first->hop);
    else if (d.unix_utc + HEADER_AUDIT_DATE_AGE_SECONDS < t)
        header_audit_add(a, "date-old", HEADER_AUDIT_SUSPICIOUS, first->hop,
                         "the Date field is %" G_GINT64_FORMAT " days before hop %u received "
                         "the message (back-dated, or held for long)",
                         (t - d.unix_utc) / 86400, first->hop);
}

/* From, Sender and Bcc (RFC 5322 3.6, 3.6.2, 3.6.3). */
static void
header_audit_originator(HeaderAudit *a, const MailMessage *msg)
{
    g_autoptr(GPtrArray) from = header_audit_mailboxes(a->from);
    g_autoptr(GPtrArray) sender = header_audit_mailboxes(a->sender);
    if (a->from == NULL)
        header_audit_add(a, "no-from", HEADER_AUDIT_SUSPICIOUS, 0,
                         "no From field (RFC 5322 3.6: required)");
    if (mail_message_count(msg, "From") > 1)
        header_audit_add(a, "from-repeated", HEADER_AUDIT_SUSPICIOUS, 0,
                         "%u From fields (RFC 5322 3.6: exactly one)",
                         mail_message_count(msg, "From"));
    if (from->len > 1 && sender->len == 0)
        header_audit_add(a, "from-multiple-no-sender", HEADER_AUDIT_SUSPICIOUS, 0,
                         "From has %u mailboxes and there is no Sender (RFC 5322 3.6.2)",
                         from->len);
    const char *author = from->len > 0 ? (const char *)from->pdata[0] : NULL;
    if (author && sender->len > 0 &&
        g_ascii_strcasecmp(author, (const char *)sender->pdata[0]) != 0)
        header_audit_add(a, "sender-differs", HEADER_AUDIT_INFO, 0,
                         "written by %s (From) but sent by %s (Sender, RFC 5322 3.6.2)", author,
                         (const char *)sender->pdata[0]);
    if (mail_message_get(msg, "Bcc") != NULL)
        header_audit_add(a, "bcc-present", HEADER_AUDIT_INFO, 0,
                         "a Bcc field reached a recipient: the blind copies are disclosed "
                         "(RFC 5322 3.6.3)");
}

/* Return-Path (RFC 5321 4.4: the envelope's reverse path, written at final
 * delivery) against From and the envelope. */
static void
header_audit_envelope(HeaderAudit *a, const MailMessage *msg, const HeaderAuditEnv *env)
{
    g_autoptr(GPtrArray) from = header_audit_mailboxes(a->from);
    const char *author = from->len > 0 ? (const char *)from->pdata[0] : NULL;
    g_autoptr(GPtrArray) rp = header_audit_mailboxes(a->return_path);
    const char *rpa = rp->len > 0 ? (const char *)rp->pdata[0] : NULL;
    if (a->return_path && rpa == NULL && strstr(a->return_path, "<>") != NULL)
        header_audit_add(a, "null-return-path", HEADER_AUDIT_INFO, 0,
                         "Return-Path is <>: a bounce or report, never answered automatically "
                         "(RFC 5321 4.5.5)");
    const char *fd = header_audit_domain(author), *rd = header_audit_domain(rpa);
    if (fd && rd && g_ascii_strcasecmp(fd, rd) != 0)
        header_audit_add(a, "return-path-domain", HEADER_AUDIT_SUSPICIOUS, 0,
                         "From is in %s but the envelope sender (Return-Path) is in %s: a list, "
                         "a forwarder, a mailing service, or a forged From",
                         fd, rd);
    if (env && env->envelope_from) {
        if (rpa && g_ascii_strcasecmp(rpa, env->envelope_from) != 0)
            header_audit_add(a, "return-path-envelope", HEADER_AUDIT_FORGED, 0,
                             "Return-Path says %s but the envelope sender was %s: the field "
                             "was not written by the delivering host (RFC 5321 4.4)",
                             rpa, env->envelope_from[0] ? env->envelope_from : "<>");
        const char *ed = header_audit_domain(env->envelope_from);
        if (rpa == NULL && fd && ed && g_ascii_strcasecmp(fd, ed) != 0)
            header_audit_add(a, "from-envelope-domain", HEADER_AUDIT_SUSPICIOUS, 0,
                             "From is in %s but the envelope sender is in %s", fd, ed);
    }
    if (env && env->envelope_to) {
        gboolean listed = FALSE;
        const char *fields[] = {"To", "Cc"};
        for (guint f = 0; f < G_N_ELEMENTS(fields); f++) {
            g_autoptr(GPtrArray) to = mail_message_get_all(msg, fields[f]);
            for (guint i = 0; i < to->len && !listed; i++) {
                g_autoptr(GPtrArray) mbs = header_audit_mailboxes(to->pdata[i]);
                for (guint j = 0; j < mbs->len; j++)
                    listed |= g_ascii_strcasecmp(mbs->pdata[j], env->envelope_to) == 0;
            }
        }
        if (!listed)
            header_audit_add(a, "envelope-to-not-in-header", HEADER_AUDIT_INFO, 0,
                             "%s is not in To or Cc: a Bcc recipient, a list member or an "
                             "alias (RFC 5322 3.6.3)",
                             env->envelope_to);
    }
}

HeaderAudit *
header_audit_run(const MailMessage *msg, const HeaderAuditEnv *env)
{
    g_return_val_if_fail(msg != NULL, NULL);
    HeaderAudit *a = g_new0(HeaderAudit, 1);
    a->hops = g_ptr_array_new_with_free_func((GDestroyNotify)header_hop_free);
    a->findings = g_ptr_array_new_with_free_func((GDestroyNotify)header_finding_free);
    a->from = g_strdup(mail_message_get(msg, "From"));
    a->sender = g_strdup(mail_message_get(msg, "Sender"));
    a->return_path = g_strdup(mail_message_get(msg, "Return-Path"));
    a->date = g_strdup(mail_message_get(msg, "Date"));
    a->message_id = g_strdup(mail_message_get(msg, "Message-ID"));
    header_audit_hops(a, msg);
    header_audit_chain(a);
    header_audit_times(a);
    header_audit_literals(a);
    header_audit_date(a, msg);
    header_audit_originator(a, msg);
    header_audit_envelope(a, msg, env);
    if (a->message_id == NULL)
        header_audit_add(a, "no-message-id", HEADER_AUDIT_INFO, 0,
                         "no Message-ID (RFC 5322 3.6.4: SHOULD; an MSA should add one, "
                         "RFC 6409 8.3)");
    return a;
}
