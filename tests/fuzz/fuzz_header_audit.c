/* SPDX-License-Identifier: MIT
 * fuzz_header_audit: hostile headers through the Received-chain and
 * originator analysis (proto/header_audit.h) and the read-receipt request
 * reader (proto/mdn.h). Every hop is numbered in path order, every
 * finding has a reason, and the verdict is one of the three words. The
 * first byte chooses whether an envelope is given.
 */
#include <string.h>

#include "proto/header_audit.h"
#include "proto/mdn.h"

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    g_autoptr(MailMessage) msg = mail_message_parse(in.p, in.n, NULL);
    HeaderAuditEnv env = {
        .envelope_from = (flags & 0x01) ? "a@b.example" : NULL,
        .envelope_to = (flags & 0x02) ? "c@d.example" : NULL,
    };
    g_autoptr(HeaderAudit) a = header_audit_run(msg, &env);
    for (guint i = 0; i < a->hops->len; i++) {
        const HeaderHop *h = a->hops->pdata[i];
        g_assert_cmpuint(h->hop, ==, i + 1);
        g_assert_cmpuint(h->field, ==, a->hops->len - i);
        g_assert_true(h->trusted == (h->flag == NULL));
    }
    for (guint i = 0; i < a->findings->len; i++)
        g_assert_nonnull(((const HeaderFinding *)a->findings->pdata[i])->reason);
    const char *v = header_audit_verdict(a);
    g_assert_true(strcmp(v, "clean") == 0 || strcmp(v, "suspicious") == 0 ||
                  strcmp(v, "forged") == 0);
    g_autofree char *addr = NULL;
    (void)mdn_request(msg, &addr);
    return 0;
}
