/* SPDX-License-Identifier: MIT
 * expect: the scenario's assertions (DESIGN 5) checked against the tracker
 * after a run: a recipient's status (and reply code), a message's exact
 * path, two paths that differ, a header present or absent in the delivered
 * copy, a count of delivered messages, a message fetched by a client
 * (a "fetch" hop at that node), the messages left in a mailbox, and the
 * SPF, DKIM or DMARC verdict a node recorded about a message
 * (track_msg_note).
 */
#ifndef NODES_EXPECT_H
#define NODES_EXPECT_H

#include <glib.h>

#include "nodes/tracker.h"
#include "nodes/world_spec.h"

typedef struct {
    const ExpectSpec *spec; /* borrowed */
    gboolean held;
    char *what;   /* one line: what was expected */
    char *actual; /* one line: what happened */
} ExpectResult;

void expect_result_free(ExpectResult *r);

/* Mailbox copy lookup: the delivered bytes of message id for rcpt (nullable
 * rcpt: any recipient), or NULL (transfer full: read from the spool). */
typedef GBytes *(*ExpectCopyFunc)(const char *msg_id, const char *rcpt, gpointer user_data);

/* Mailbox size lookup: messages left in address's mailbox at the end of
 * the run, or -1 when no store holds that mailbox. */
typedef gint (*ExpectMailboxFunc)(const char *address, gpointer user_data);

/* Checks one expectation (transfer full). The look-ups get user_data. */
ExpectResult *expect_check(const ExpectSpec *e, const Tracker *t, guint64 delivered,
                           ExpectCopyFunc copy, ExpectMailboxFunc mailbox, gpointer user_data);

/* The spam expectations (spam_delivered, rejected_by, spam_verdict;
 * expect_spam.c), also reached through expect_check (transfer full). */
ExpectResult *expect_spam_check(const ExpectSpec *e, const Tracker *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ExpectResult, expect_result_free)

#endif
