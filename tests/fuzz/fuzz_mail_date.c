/* SPDX-License-Identifier: MIT
 * fuzz_mail_date: the RFC 5322 3.3 / 4.3 date-time parser and the RFC 5321
 * 4.4 Received parser on hostile text. A date that parses must format and
 * parse back to the same instant and zone (the first byte says whether the
 * rest is read as a Date value or a Received value).
 */
#include "proto/mail_date.h"
#include "proto/received.h"

#include "fuzz_common.h"

static void
fuzz_mail_date_roundtrip(const MailDate *d)
{
    /* mail_date_format wants |offset| < 100 hours; the parser gives less. */
    g_assert_cmpint(ABS(d->offset_min), <, 100 * 60);
    g_autofree char *text = mail_date_format(d->unix_utc, d->offset_min);
    MailDate again = {0};
    g_assert_true(mail_date_parse(text, &again));
    g_assert_cmpint(again.unix_utc, ==, d->unix_utc);
    g_assert_cmpint(again.offset_min, ==, d->offset_min);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 mode = fuzz_take_u8(&in);
    g_autofree char *text = fuzz_take_rest_string(&in);
    if (mode & 0x01) {
        g_autoptr(MailReceived) r = mail_received_parse(text);
        if (r->has_date)
            fuzz_mail_date_roundtrip(&r->date);
        return 0;
    }
    MailDate d = {0};
    if (mail_date_parse(text, &d))
        fuzz_mail_date_roundtrip(&d);
    return 0;
}
