/* SPDX-License-Identifier: MIT
 * message_check: RFC 5322 3.6 field occurrence table and 3.6.2 (Sender is
 * required with a multi-mailbox From). Trace and resent fields may repeat
 * and are not checked here.
 */
#include "proto/message_check.h"

#include "proto/address.h"
#include "proto/mail_date.h"

/* RFC 5322 3.6: fields that may occur at most once (From and Date apart). */
static const char *const mail_check_max_one[] = {
    "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID", "In-Reply-To", "References", "Subject"};

guint
mail_message_check(const MailMessage *msg)
{
    g_return_val_if_fail(msg != NULL, 0);
    guint p = 0;
    guint n_date = mail_message_count(msg, "Date");
    guint n_from = mail_message_count(msg, "From");
    if (n_date == 0)
        p |= MAIL_CHECK_MISSING_DATE;
    else if (n_date > 1)
        p |= MAIL_CHECK_DUPLICATE_FIELD;
    if (n_from == 0)
        p |= MAIL_CHECK_MISSING_FROM;
    else if (n_from > 1)
        p |= MAIL_CHECK_DUPLICATE_FROM;
    for (guint i = 0; i < G_N_ELEMENTS(mail_check_max_one); i++)
        if (mail_message_count(msg, mail_check_max_one[i]) > 1)
            p |= MAIL_CHECK_DUPLICATE_FIELD;
    const char *date = mail_message_get(msg, "Date");
    MailDate d;
    if (date != NULL && !mail_date_parse(date, &d))
        p |= MAIL_CHECK_BAD_DATE;
    const char *from = mail_message_get(msg, "From");
    if (from != NULL) {
        g_autoptr(GPtrArray) mbs = mail_mailbox_list_parse(from, NULL);
        if (mbs == NULL || mbs->len == 0)
            p |= MAIL_CHECK_BAD_FROM;
        else if (mbs->len > 1 && mail_message_count(msg, "Sender") == 0)
            p |= MAIL_CHECK_MISSING_SENDER;
    }
    return p;
}

const char *
mail_check_problem_name(guint problems)
{
    static const char *const names[] = {"missing-date",    "missing-from",   "duplicate-from",
                                        "duplicate-field", "missing-sender", "bad-from",
                                        "bad-date"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        if (problems & (1u << i))
            return names[i];
    return "ok";
}
