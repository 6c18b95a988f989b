/* SPDX-License-Identifier: MIT
 * spam_template: per-message placeholders in a campaign's forged header
 * values, so that the messages of one campaign differ (RFC 5322 3.6.4:
 * a Message-ID is meant to be unique; bulk mailers make it look so).
 *   {n}     the message number (the number in its tracker id)
 *   {rand}  16 lower-case hex digits drawn from the given random stream
 * Anything else, braces included, is copied as written.
 */
#ifndef NODES_SPAM_TEMPLATE_H
#define NODES_SPAM_TEMPLATE_H

#include <glib.h>

/* value with its placeholders replaced (transfer full). rng is drawn from
 * only when value holds {rand}. */
char *spam_template_expand(const char *value, guint n, GRand *rng);

#endif
