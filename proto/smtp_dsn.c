/* SPDX-License-Identifier: MIT
 * smtp_dsn: RFC 3461 section 4 parameter syntax (NOTIFY 4.1, ORCPT 4.2,
 * RET 4.3, ENVID 4.4) and xtext (section 4). Decoding xtext is in
 * smtp_path.c, shared with AUTH= (RFC 4954 5).
 */
#include "proto/smtp_dsn.h"

#include <string.h>

#include "proto/smtp_path.h"

const char *
smtp_dsn_ret_name(SmtpDsnRet ret)
{
    switch (ret) {
    case SMTP_DSN_RET_FULL:
        return "FULL";
    case SMTP_DSN_RET_HDRS:
        return "HDRS";
    default:
        return "";
    }
}

gboolean
smtp_dsn_ret_parse(const char *value, SmtpDsnRet *out)
{
    /* RFC 3461 4.3: ret-value = "FULL" / "HDRS" */
    if (value == NULL)
        return FALSE;
    if (g_ascii_strcasecmp(value, "FULL") == 0)
        *out = SMTP_DSN_RET_FULL;
    else if (g_ascii_strcasecmp(value, "HDRS") == 0)
        *out = SMTP_DSN_RET_HDRS;
    else
        return FALSE;
    return TRUE;
}

static const struct {
    const char *word;
    SmtpDsnNotify bit;
} smtp_dsn_notify_words[] = {
    {"NEVER", SMTP_DSN_NOTIFY_NEVER},
    {"SUCCESS", SMTP_DSN_NOTIFY_SUCCESS},
    {"FAILURE", SMTP_DSN_NOTIFY_FAILURE},
    {"DELAY", SMTP_DSN_NOTIFY_DELAY},
};

gboolean
smtp_dsn_notify_parse(const char *value, guint *out)
{
    /* RFC 3461 4.1: notify-esmtp-value = "NEVER" / 1#notify-list-element */
    if (value == NULL || value[0] == '\0')
        return FALSE;
    guint bits = 0;
    const char *p = value;
    for (;;) {
        gsize n = strcspn(p, ",");
        guint bit = 0;
        for (guint i = 0; i < G_N_ELEMENTS(smtp_dsn_notify_words); i++)
            if (strlen(smtp_dsn_notify_words[i].word) == n &&
                g_ascii_strncasecmp(p, smtp_dsn_notify_words[i].word, n) == 0)
                bit = smtp_dsn_notify_words[i].bit;
        if (bit == 0 || (bits & bit) != 0)
            return FALSE;
        bits |= bit;
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    /* "NEVER" ... MUST NOT be combined with other values. */
    if ((bits & SMTP_DSN_NOTIFY_NEVER) && bits != SMTP_DSN_NOTIFY_NEVER)
        return FALSE;
    *out = bits;
    return TRUE;
}

char *
smtp_dsn_notify_format(guint notify)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(smtp_dsn_notify_words); i++) {
        if ((notify & smtp_dsn_notify_words[i].bit) == 0)
            continue;
        if (s->len > 0)
            g_string_append_c(s, ',');
        g_string_append(s, smtp_dsn_notify_words[i].word);
    }
    return g_string_free(s, FALSE);
}

gboolean
smtp_dsn_orcpt_parse(const char *value, char **type, char **addr)
{
    /* RFC 3461 4.2: orcpt-parameter = "ORCPT=" original-recipient-address;
     * original-recipient-address = addr-type ";" xtext; addr-type = atom. */
    if (value == NULL || strlen(value) > SMTP_DSN_ORCPT_MAX)
        return FALSE;
    const char *semi = strchr(value, ';');
    if (semi == NULL || semi == value)
        return FALSE;
    for (const char *p = value; p < semi; p++)
        if (!g_ascii_isalnum(*p) && strchr("!#$%&'*+-/=?^_`{|}~", *p) == NULL)
            return FALSE;
    char *decoded = smtp_xtext_decode(semi + 1);
    if (decoded == NULL || decoded[0] == '\0') {
        g_free(decoded);
        return FALSE;
    }
    *type = g_strndup(value, (gsize)(semi - value));
    *addr = decoded;
    return TRUE;
}

char *
smtp_xtext_encode(const char *s)
{
    GString *out = g_string_new(NULL);
    for (const guchar *p = (const guchar *)s; p && *p; p++) {
        /* RFC 3461 4: xchar = "!".."*" / ","..<" / ">".."~" */
        if (*p < 33 || *p > 126 || *p == '+' || *p == '=')
            g_string_append_printf(out, "+%02X", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    return g_string_free(out, FALSE);
}

char *
smtp_dsn_orcpt_format(const char *type, const char *addr)
{
    g_autofree char *x = smtp_xtext_encode(addr);
    return g_strconcat(type ? type : "rfc822", ";", x, NULL);
}

char *
smtp_dsn_envid_parse(const char *value)
{
    if (value == NULL || value[0] == '\0' || strlen(value) > SMTP_DSN_ENVID_MAX)
        return NULL;
    char *d = smtp_xtext_decode(value);
    /* RFC 3461 4.4: the decoded value "MUST consist of printable US-ASCII". */
    for (const char *p = d; p && *p; p++) {
        if ((guchar)*p < 32 || (guchar)*p > 126) {
            g_free(d);
            return NULL;
        }
    }
    return d;
}
