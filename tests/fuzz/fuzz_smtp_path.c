/* SPDX-License-Identifier: MIT
 * fuzz_smtp_path: the RFC 5321 4.1.2 envelope path grammar, the ESMTP
 * parameter list, RFC 3461 xtext decoding and the domain check on hostile
 * text. The first byte picks Reverse-path or Forward-path rules; a path
 * that parses must stay within the 4.5.3.1 limits and give an address.
 */
#include <string.h>

#include "proto/smtp_path.h"

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    FuzzInput in = {data, size};
    guint8 flags = fuzz_take_u8(&in);
    gboolean reverse = (flags & 0x01) != 0;
    gboolean postmaster_ok = (flags & 0x02) != 0;

    SmtpPath path = {0};
    gsize consumed = 0;
    SmtpPathError err =
        smtp_path_parse((const char *)in.p, in.n, reverse, postmaster_ok, &path, &consumed);
    if (err == SMTP_PATH_OK) {
        g_assert_cmpuint(consumed, <=, in.n);
        g_assert_cmpuint(consumed, <=, SMTP_PATH_MAX);
        g_assert_true(path.is_null || path.local != NULL);
        g_assert_true(!path.is_null || reverse);
        if (path.local != NULL)
            g_assert_cmpuint(strlen(path.local), <=, SMTP_PATH_LOCAL_MAX);
        if (path.domain != NULL)
            g_assert_cmpuint(strlen(path.domain), <=, SMTP_PATH_DOMAIN_MAX);
        g_free(smtp_path_to_address(&path));
    }
    smtp_path_clear(&path);

    g_autofree char *text = g_strndup((const char *)in.p, in.n);
    const char *rest = err == SMTP_PATH_OK ? text + MIN(consumed, strlen(text)) : text;
    g_autoptr(GPtrArray) params = smtp_params_parse(rest);
    if (params != NULL) {
        gboolean found = FALSE;
        (void)smtp_params_get(params, "SIZE", &found);
        for (guint i = 0; i < params->len; i++) {
            const SmtpParam *p = g_ptr_array_index(params, i);
            if (p->value != NULL)
                g_free(smtp_xtext_decode(p->value));
        }
    }
    g_free(smtp_xtext_decode(text));
    (void)smtp_path_is_domain((const char *)in.p, in.n, (flags & 0x04) != 0);
    return 0;
}
