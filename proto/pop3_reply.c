/* SPDX-License-Identifier: MIT
 * pop3_reply: POP3 status lines, byte stuffing, TOP extraction, APOP.
 * RFC 1939 sections 3, 7, 11; RFC 2449 section 8 (response codes).
 * Does not keep any state and does not know the engines' states.
 */
#include "proto/pop3_reply.h"

#include <string.h>

#include <openssl/evp.h>

gboolean
pop3_reply_parse_status(const char *line, gsize len, gboolean *ok, const char **text)
{
    g_return_val_if_fail(line != NULL && ok != NULL && text != NULL, FALSE);
    gsize ind;
    /* RFC 1939 section 3: "+OK" / "-ERR", then optionally a space and text. */
    if (len >= 3 && memcmp(line, "+OK", 3) == 0) {
        *ok = TRUE;
        ind = 3;
    } else if (len >= 4 && memcmp(line, "-ERR", 4) == 0) {
        *ok = FALSE;
        ind = 4;
    } else {
        return FALSE;
    }
    if (len == ind) {
        *text = line + len;
        return TRUE;
    }
    if (line[ind] != ' ')
        return FALSE;
    *text = line + ind + 1;
    return TRUE;
}

char *
pop3_reply_resp_code(const char *text)
{
    g_return_val_if_fail(text != NULL, NULL);
    /* RFC 2449 section 8: resp-code = "[" resp-level *("/" resp-level) "]" */
    if (text[0] != '[')
        return NULL;
    const char *end = strchr(text, ']');
    if (end == NULL || end == text + 1)
        return NULL;
    for (const char *p = text + 1; p < end; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '/')
            return NULL;
    }
    return g_strndup(text + 1, (gsize)(end - text - 1));
}

static void
pop3_reply_append_line(GString *out, const guint8 *line, gsize len)
{
    /* RFC 1939 section 3: a line beginning with the termination octet is
     * byte-stuffed by pre-pending it once more. */
    if (len > 0 && line[0] == '.')
        g_string_append_c(out, '.');
    g_string_append_len(out, (const char *)line, (gssize)len);
    g_string_append(out, "\r\n");
}

void
pop3_reply_append_stuffed(GString *out, const guint8 *msg, gsize len, gint body_lines)
{
    g_return_if_fail(out != NULL && (msg != NULL || len == 0));
    gboolean in_body = FALSE;
    gint sent_body = 0;
    gsize i = 0;
    while (i < len) {
        if (in_body && body_lines >= 0 && sent_body >= body_lines)
            break;
        const guint8 *nl = memchr(msg + i, '\n', len - i);
        gsize end = nl ? (gsize)(nl - msg) : len;
        gsize next = nl ? end + 1 : len;
        gsize llen = end - i;
        if (llen > 0 && msg[i + llen - 1] == '\r')
            llen--;
        pop3_reply_append_line(out, msg + i, llen);
        if (in_body)
            sent_body++;
        else if (llen == 0)
            in_body = TRUE; /* RFC 5322 2.1: the blank line ends the header */
        i = next;
    }
    g_string_append(out, ".\r\n");
}

gboolean
pop3_reply_unstuff_line(const char *line, gsize len, const char **data, gsize *dlen)
{
    g_return_val_if_fail(line != NULL && data != NULL && dlen != NULL, FALSE);
    if (len == 1 && line[0] == '.')
        return FALSE;
    if (len > 0 && line[0] == '.') {
        *data = line + 1;
        *dlen = len - 1;
    } else {
        *data = line;
        *dlen = len;
    }
    return TRUE;
}

char *
pop3_reply_find_timestamp(const char *greeting_text)
{
    g_return_val_if_fail(greeting_text != NULL, NULL);
    /* RFC 1939 section 7: the timestamp has the syntax of a msg-id
     * (RFC 822): "<" local "@" domain ">", no spaces. */
    const char *lt = strchr(greeting_text, '<');
    while (lt != NULL) {
        const char *gt = strchr(lt, '>');
        if (gt == NULL)
            return NULL;
        gboolean good = gt - lt > 2;
        gboolean at = FALSE;
        for (const char *p = lt + 1; p < gt && good; p++) {
            if (*p == '@')
                at = TRUE;
            else if (*p == '<' || (guchar)*p <= 0x20 || (guchar)*p >= 0x7f)
                good = FALSE;
        }
        if (good && at)
            return g_strndup(lt, (gsize)(gt - lt + 1));
        lt = strchr(lt + 1, '<');
    }
    return NULL;
}

void
pop3_reply_apop_digest(const char *timestamp, const char *secret,
                       char out[POP3_APOP_DIGEST_LEN + 1])
{
    g_return_if_fail(timestamp != NULL && secret != NULL && out != NULL);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        g_error("pop3: EVP_MD_CTX_new failed");
    /* RFC 1939 section 7: MD5 of the timestamp followed by the secret. */
    if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, timestamp, strlen(timestamp)) != 1 ||
        EVP_DigestUpdate(ctx, secret, strlen(secret)) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 16)
        g_error("pop3: MD5 digest failed");
    EVP_MD_CTX_free(ctx);
    static const char hex[] = "0123456789abcdef";
    for (unsigned int k = 0; k < 16; k++) {
        out[2 * k] = hex[md[k] >> 4];
        out[2 * k + 1] = hex[md[k] & 0xf];
    }
    out[POP3_APOP_DIGEST_LEN] = '\0';
}

gboolean
pop3_reply_uid_is_valid(const char *uid)
{
    if (uid == NULL)
        return FALSE;
    gsize n = strlen(uid);
    if (n < 1 || n > POP3_UID_MAX)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        if ((guchar)uid[i] < 0x21 || (guchar)uid[i] > 0x7e)
            return FALSE;
    }
    return TRUE;
}
