/* SPDX-License-Identifier: MIT
 * expect_spam: the scenario assertions about spam campaigns, read from the
 * tracker like every expectation: how many campaign messages reached a
 * mailbox (per recipient or campaign), which node refused them and with
 * what reply code, and one message's verdict (where it stopped, at which
 * SMTP stage).
 */
#include "nodes/expect.h"

#include <string.h>

#include "nodes/spam_campaign.h"

static gboolean
expect_spam_selected(const ExpectSpec *e, const TrackMsg *m)
{
    if (e->message)
        return strcmp(m->id, e->message) == 0;
    if (g_strcmp0(m->kind, SPAM_TRACK_KIND) != 0)
        return FALSE;
    return e->campaign == NULL ||
           g_strcmp0(track_msg_get_note(m, NULL, "campaign"), e->campaign) == 0;
}

static gboolean
expect_spam_rcpt_selected(const ExpectSpec *e, const TrackRcpt *r)
{
    return e->to == NULL || g_ascii_strcasecmp(e->to, r->address) == 0;
}

static char *
expect_spam_scope(const ExpectSpec *e)
{
    GString *s = g_string_new(e->message ? e->message : "spam");
    if (!e->message && e->campaign)
        g_string_append_printf(s, " of campaign %s", e->campaign);
    if (e->to)
        g_string_append_printf(s, " to %s", e->to);
    return g_string_free(s, FALSE);
}

static void
expect_spam_delivered(ExpectResult *res, const ExpectSpec *e, const Tracker *t)
{
    const GPtrArray *msgs = tracker_messages(t);
    guint n = 0;
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *m = msgs->pdata[i];
        if (!expect_spam_selected(e, m))
            continue;
        for (guint k = 0; k < m->rcpts->len; k++) {
            const TrackRcpt *r = m->rcpts->pdata[k];
            if (expect_spam_rcpt_selected(e, r) && r->status == TRACK_STATUS_DELIVERED)
                n++;
        }
    }
    g_autofree char *scope = expect_spam_scope(e);
    res->held = n == e->count;
    res->what = g_strdup_printf("%u %s delivered", e->count, scope);
    res->actual = g_strdup_printf("%u delivered", n);
}

/* Every selected recipient was refused by e->rejected_by (with e->code). */
static void
expect_spam_rejected_by(ExpectResult *res, const ExpectSpec *e, const Tracker *t)
{
    const GPtrArray *msgs = tracker_messages(t);
    guint n = 0, ok = 0;
    g_autoptr(GString) other = g_string_new(NULL);
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *m = msgs->pdata[i];
        if (!expect_spam_selected(e, m))
            continue;
        for (guint k = 0; k < m->rcpts->len; k++) {
            const TrackRcpt *r = m->rcpts->pdata[k];
            if (!expect_spam_rcpt_selected(e, r))
                continue;
            n++;
            if (r->status == TRACK_STATUS_REJECTED && g_strcmp0(r->where, e->rejected_by) == 0 &&
                (e->code == 0 || r->code == e->code))
                ok++;
            else if (other->len < 200)
                g_string_append_printf(other, "%s%s %s %s %u", other->len ? "; " : "", m->id,
                                       track_status_name(r->status), r->where ? r->where : "-",
                                       r->code);
        }
    }
    g_autofree char *scope = expect_spam_scope(e);
    res->held = n > 0 && ok == n;
    if (e->code)
        res->what = g_strdup_printf("%s rejected by %s with %u", scope, e->rejected_by, e->code);
    else
        res->what = g_strdup_printf("%s rejected by %s", scope, e->rejected_by);
    if (n == 0)
        res->actual = g_strdup("no such message or recipient");
    else
        res->actual = g_strdup_printf("%u of %u rejected there%s%s", ok, n, other->len ? ": " : "",
                                      other->str);
}

static void
expect_spam_verdict(ExpectResult *res, const ExpectSpec *e, const Tracker *t)
{
    const TrackMsg *m = tracker_find(t, e->message);
    const char *want = spec_status_name(e->status);
    GString *what = g_string_new(NULL);
    g_string_append_printf(what, "%s%s%s %s", e->message, e->to ? " to " : "", e->to ? e->to : "",
                           want);
    if (e->at)
        g_string_append_printf(what, " at %s", e->at);
    if (e->stage)
        g_string_append_printf(what, " at stage %s", e->stage);
    if (e->code)
        g_string_append_printf(what, " with %u", e->code);
    res->what = g_string_free(what, FALSE);
    const TrackRcpt *r = NULL;
    for (guint k = 0; m && k < m->rcpts->len && r == NULL; k++)
        if (expect_spam_rcpt_selected(e, m->rcpts->pdata[k]))
            r = m->rcpts->pdata[k];
    if (r == NULL) {
        res->actual = g_strdup(m ? "no such recipient" : "the message was never sent");
        return;
    }
    TrackStatus st = r->status == TRACK_STATUS_PENDING ? TRACK_STATUS_QUEUED : r->status;
    const char *stop = spam_campaign_stop_node(m, r);
    const char *stage = st == TRACK_STATUS_REJECTED ? track_msg_get_note(m, NULL, "stage") : NULL;
    res->held = g_ascii_strcasecmp(track_status_name(st), want) == 0 &&
                (e->at == NULL || g_strcmp0(stop, e->at) == 0) &&
                (e->stage == NULL || (stage && g_ascii_strcasecmp(stage, e->stage) == 0)) &&
                (e->code == 0 || r->code == e->code);
    res->actual = g_strdup_printf("%s at %s%s%s, %u %s", track_status_name(st), stop ? stop : "-",
                                  stage ? " stage " : "", stage ? stage : "", r->code,
                                  r->reply ? r->reply : "");
}

ExpectResult *
expect_spam_check(const ExpectSpec *e, const Tracker *t)
{
    ExpectResult *res = g_new0(ExpectResult, 1);
    res->spec = e;
    switch (e->kind) {
    case SPEC_EXPECT_SPAM_DELIVERED:
        expect_spam_delivered(res, e, t);
        break;
    case SPEC_EXPECT_REJECTED_BY:
        expect_spam_rejected_by(res, e, t);
        break;
    case SPEC_EXPECT_SPAM_VERDICT:
        expect_spam_verdict(res, e, t);
        break;
    default:
        g_assert_not_reached();
    }
    return res;
}
