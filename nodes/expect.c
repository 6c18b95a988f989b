/* SPDX-License-Identifier: MIT
 * expect: checking a scenario's `expect` list against the run.
 * path_differs_from compares the relays (the path without its first and
 * last node): a reply "takes a different path" when its relays are not the
 * forward message's relays retraced backwards.
 */
#include "nodes/expect.h"

#include <string.h>

#include "proto/message.h"

void
expect_result_free(ExpectResult *r)
{
    if (r == NULL)
        return;
    g_free(r->what);
    g_free(r->actual);
    g_free(r);
}

static char *
expect_join_path(char **path)
{
    if (path == NULL || path[0] == NULL)
        return g_strdup("(no hops)");
    return g_strjoinv(" -> ", path);
}

static TrackStatus
expect_track_status(SpecStatus s)
{
    switch (s) {
    case SPEC_STATUS_DELIVERED:
        return TRACK_STATUS_DELIVERED;
    case SPEC_STATUS_REJECTED:
        return TRACK_STATUS_REJECTED;
    case SPEC_STATUS_BOUNCED:
        return TRACK_STATUS_BOUNCED;
    case SPEC_STATUS_QUEUED:
        return TRACK_STATUS_QUEUED;
    default:
        return TRACK_STATUS_PENDING;
    }
}

static void
expect_check_status(ExpectResult *res, const ExpectSpec *e, TrackMsg *m)
{
    TrackStatus want = expect_track_status(e->status);
    GString *actual = g_string_new(NULL);
    gboolean held = m->rcpts->len > 0;
    guint seen = 0;
    for (guint i = 0; i < m->rcpts->len; i++) {
        const TrackRcpt *r = m->rcpts->pdata[i];
        if (e->to && g_ascii_strcasecmp(e->to, r->address) != 0)
            continue;
        seen++;
        if (actual->len)
            g_string_append(actual, "; ");
        g_string_append_printf(actual, "%s %s", r->address, track_status_name(r->status));
        if (r->code)
            g_string_append_printf(actual, " (%u)", r->code);
        if (r->where)
            g_string_append_printf(actual, " at %s", r->where);
        if (r->status != want || (e->code && r->code != e->code))
            held = FALSE;
    }
    if (seen == 0) {
        held = FALSE;
        g_string_append_printf(actual, "%s is not a recipient", e->to ? e->to : "nobody");
    }
    res->held = held;
    res->actual = g_string_free(actual, FALSE);
    if (e->code)
        res->what = g_strdup_printf("%s %s %s with %u", e->message, e->to ? e->to : "every recipient",
                                    spec_status_name(e->status), e->code);
    else
        res->what = g_strdup_printf("%s %s %s", e->message, e->to ? e->to : "every recipient",
                                    spec_status_name(e->status));
}

static void
expect_check_path(ExpectResult *res, const ExpectSpec *e, TrackMsg *m)
{
    g_auto(GStrv) path = track_msg_path(m, e->to);
    res->held = g_strv_equal((const char *const *)path, (const char *const *)e->path);
    g_autofree char *want = expect_join_path(e->path);
    res->what = g_strdup_printf("%s path %s", e->message, want);
    res->actual = expect_join_path(path);
}

/* The relays of a path: without its first and last node. */
static GPtrArray *
expect_relays(char **path)
{
    GPtrArray *r = g_ptr_array_new();
    guint n = g_strv_length(path);
    for (guint i = 1; i + 1 < n; i++)
        g_ptr_array_add(r, path[i]);
    return r;
}

static void
expect_check_differs(ExpectResult *res, const ExpectSpec *e, TrackMsg *m, TrackMsg *other)
{
    g_auto(GStrv) a = track_msg_path(m, NULL);
    g_auto(GStrv) b = track_msg_path(other, NULL);
    g_autoptr(GPtrArray) ra = expect_relays(a);
    g_autoptr(GPtrArray) rb = expect_relays(b);
    gboolean retraced = ra->len == rb->len;
    for (guint i = 0; retraced && i < ra->len; i++)
        retraced = strcmp(ra->pdata[i], rb->pdata[rb->len - 1 - i]) == 0;
    res->held = a[0] != NULL && b[0] != NULL && !retraced;
    res->what = g_strdup_printf("%s takes a different path from %s", e->message, e->other);
    g_autofree char *pa = expect_join_path(a);
    g_autofree char *pb = expect_join_path(b);
    res->actual = g_strdup_printf("%s: %s; %s: %s", e->message, pa, e->other, pb);
}

static void
expect_check_header(ExpectResult *res, const ExpectSpec *e, ExpectCopyFunc copy, gpointer ud)
{
    g_autoptr(GBytes) bytes = copy(e->message, e->to, ud);
    res->what = g_strdup_printf("%s delivered %s header %s", e->message,
                                e->present ? "with" : "without", e->header);
    if (bytes == NULL) {
        res->held = FALSE;
        res->actual = g_strdup("no delivered copy");
        return;
    }
    g_autoptr(MailMessage) msg = mail_message_parse_bytes(bytes, NULL);
    guint n = mail_message_count(msg, e->header);
    res->held = (n > 0) == e->present;
    res->actual = g_strdup_printf("%u %s field%s", n, e->header, n == 1 ? "" : "s");
}

/* Fetched: the client has a "fetch" hop on the message's journey. */
static void
expect_check_fetched(ExpectResult *res, const ExpectSpec *e, TrackMsg *m)
{
    GString *by = g_string_new(NULL);
    res->held = FALSE;
    for (guint i = 0; i < m->hops->len; i++) {
        const TrackHop *h = m->hops->pdata[i];
        if (g_strcmp0(h->action, "fetch") != 0)
            continue;
        if (strcmp(h->node, e->fetched_by) == 0)
            res->held = TRUE;
        g_string_append_printf(by, "%s%s", by->len ? ", " : "", h->node);
    }
    res->what = g_strdup_printf("%s fetched by %s", e->message, e->fetched_by);
    if (by->len == 0)
        res->actual = g_strdup("nobody fetched it");
    else
        res->actual = g_strdup_printf("fetched by %s", by->str);
    g_string_free(by, TRUE);
}

static void
expect_check_mailbox(ExpectResult *res, const ExpectSpec *e, ExpectMailboxFunc mailbox, gpointer ud)
{
    gint n = mailbox ? mailbox(e->mailbox, ud) : -1;
    res->held = n >= 0 && (guint)n == e->count;
    res->what = g_strdup_printf("mailbox %s holds %u message%s", e->mailbox, e->count,
                                e->count == 1 ? "" : "s");
    if (n < 0)
        res->actual = g_strdup("no store holds that mailbox");
    else
        res->actual = g_strdup_printf("%d message%s left", n, n == 1 ? "" : "s");
}

/* spf/dkim/dmarc: the verdict a node recorded (tracker notes). */
static void
expect_check_verdict(ExpectResult *res, const ExpectSpec *e, TrackMsg *m)
{
    const char *key = spec_expect_kind_name(e->kind);
    const char *got = track_msg_get_note(m, e->at, key);
    res->held = got != NULL && g_ascii_strcasecmp(got, e->verdict) == 0;
    if (e->at)
        res->what = g_strdup_printf("%s %s=%s at %s", e->message, key, e->verdict, e->at);
    else
        res->what = g_strdup_printf("%s %s=%s", e->message, key, e->verdict);
    res->actual = got ? g_strdup_printf("%s=%s", key, got)
                      : g_strdup_printf("no %s result recorded%s%s", key, e->at ? " at " : "",
                                        e->at ? e->at : "");
}

/* stored_contains: whether the delivered copy holds the text (what the
 * store keeps: plaintext, or only ciphertext). */
static void
expect_check_stored(ExpectResult *res, const ExpectSpec *e, ExpectCopyFunc copy, gpointer ud)
{
    g_autoptr(GBytes) bytes = copy(e->message, e->to, ud);
    res->what = g_strdup_printf("%s stored %s \"%s\"", e->message,
                                e->present ? "with" : "without", e->contains);
    if (bytes == NULL) {
        res->held = FALSE;
        res->actual = g_strdup("no delivered copy");
        return;
    }
    gsize len;
    const char *data = g_bytes_get_data(bytes, &len);
    gboolean found = g_strstr_len(data, (gssize)len, e->contains) != NULL;
    res->held = found == e->present;
    res->actual = g_strdup(found ? "the stored copy contains it" : "the stored copy does not contain it");
}

ExpectResult *
expect_check(const ExpectSpec *e, const Tracker *t, guint64 delivered, ExpectCopyFunc copy,
             ExpectMailboxFunc mailbox, gpointer user_data)
{
    if (e->kind == SPEC_EXPECT_SPAM_DELIVERED || e->kind == SPEC_EXPECT_REJECTED_BY ||
        e->kind == SPEC_EXPECT_SPAM_VERDICT)
        return expect_spam_check(e, t);
    ExpectResult *res = g_new0(ExpectResult, 1);
    res->spec = e;
    if (e->kind == SPEC_EXPECT_DELIVERED) {
        res->held = delivered == e->count;
        res->what = g_strdup_printf("%u messages delivered", e->count);
        res->actual = g_strdup_printf("%" G_GUINT64_FORMAT " delivered", delivered);
        return res;
    }
    if (e->kind == SPEC_EXPECT_MAILBOX) {
        expect_check_mailbox(res, e, mailbox, user_data);
        return res;
    }
    TrackMsg *m = tracker_find(t, e->message);
    if (m == NULL) {
        res->what = g_strdup_printf("message %s", e->message);
        res->actual = g_strdup("the message was never sent");
        return res;
    }
    switch (e->kind) {
    case SPEC_EXPECT_STATUS:
        expect_check_status(res, e, m);
        break;
    case SPEC_EXPECT_PATH:
        expect_check_path(res, e, m);
        break;
    case SPEC_EXPECT_PATH_DIFFERS: {
        TrackMsg *o = tracker_find(t, e->other);
        if (o == NULL) {
            res->what = g_strdup_printf("%s differs from %s", e->message, e->other);
            res->actual = g_strdup_printf("message %s was never sent", e->other);
        } else {
            expect_check_differs(res, e, m, o);
        }
        break;
    }
    case SPEC_EXPECT_HEADER:
        expect_check_header(res, e, copy, user_data);
        break;
    case SPEC_EXPECT_FETCHED:
        expect_check_fetched(res, e, m);
        break;
    case SPEC_EXPECT_SPF:
    case SPEC_EXPECT_DKIM:
    case SPEC_EXPECT_DMARC:
    case SPEC_EXPECT_SMIME:
        expect_check_verdict(res, e, m);
        break;
    case SPEC_EXPECT_STORED:
        expect_check_stored(res, e, copy, user_data);
        break;
    default:
        res->what = g_strdup("unknown expectation");
        res->actual = g_strdup("");
        break;
    }
    return res;
}
