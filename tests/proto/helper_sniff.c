/* SPDX-License-Identifier: MIT
 * helper_sniff: the sniffer replay shared by the SMTP and POP3 sniff tests.
 */
#include "helper_sniff.h"

#include <string.h>

static void
event_append(GString *s, const SmtpSniffEvent *ev)
{
    const char *d = ev->dir == SMTP_SNIFF_C2S ? "C" : "S";
    switch (ev->kind) {
    case SMTP_SNIFF_EV_LINE:
        g_string_append_printf(s, "LINE %s %s%s\n", d, ev->text, ev->truncated ? " (cut)" : "");
        break;
    case SMTP_SNIFF_EV_MESSAGE:
        g_string_append_printf(s, "MESSAGE %" G_GSIZE_FORMAT "\n", ev->size);
        break;
    case SMTP_SNIFF_EV_CREDENTIALS:
        g_string_append_printf(s, "CREDENTIALS %s [%s] %s %s\n", ev->mech, ev->authzid, ev->user,
                               ev->password);
        break;
    case SMTP_SNIFF_EV_CRAM_MD5:
        g_string_append_printf(s, "CRAM %s %s %s\n", ev->user, ev->challenge, ev->response);
        break;
    case SMTP_SNIFF_EV_DIGEST_MD5:
        g_string_append_printf(s, "DIGEST %s [%s] [%s]\n", ev->user, ev->challenge, ev->response);
        break;
    case SMTP_SNIFF_EV_STARTTLS:
        g_string_append(s, "STARTTLS\n");
        break;
    case SMTP_SNIFF_EV_TLS_RECORDS:
        g_string_append_printf(s, "TLS %s", d);
        for (guint i = 0; i < ev->sizes->len; i++)
            g_string_append_printf(s, " %u", g_array_index(ev->sizes, guint, i));
        g_string_append_c(s, '\n');
        break;
    default:
        g_assert_not_reached();
    }
}

/* Runs chunks; step 0 = whole chunks, else pieces of at most step bytes;
 * split > 0 cuts every chunk once at that offset (when inside it). TLS
 * record events are merged per direction run so that sizes compare. */
char *
sniff_run(SniffNewFn make, const SniffChunk *chunks, guint n, gsize step, gsize split)
{
    g_autoptr(SmtpSniffer) sn = make();
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        const guint8 *p = (const guint8 *)chunks[i].bytes;
        gsize len = chunks[i].len ? chunks[i].len : strlen(chunks[i].bytes);
        gsize off = 0;
        while (off < len) {
            gsize k = len - off;
            if (step && k > step)
                k = step;
            if (split && off < split && off + k > split)
                k = split - off;
            smtp_sniffer_feed(sn, chunks[i].dir, p + off, k);
            off += k;
        }
        SmtpSniffEvent ev;
        while (smtp_sniffer_poll(sn, &ev)) {
            event_append(s, &ev);
            smtp_sniff_event_clear(&ev);
        }
    }
    return g_string_free(s, FALSE);
}

void
sniff_check(SniffNewFn make, const SniffChunk *chunks, guint n, const char *want)
{
    g_autofree char *whole = sniff_run(make, chunks, n, 0, 0);
    g_assert_cmpstr(whole, ==, want);
    gboolean has_tls = strstr(want, "TLS ") != NULL;
    if (has_tls)
        return; /* record events follow the chunking; checked separately */
    g_autofree char *bytes = sniff_run(make, chunks, n, 1, 0);
    g_assert_cmpstr(bytes, ==, want);
    gsize maxlen = 0;
    for (guint i = 0; i < n; i++)
        maxlen = MAX(maxlen, strlen(chunks[i].bytes));
    for (gsize split = 1; split < maxlen; split++) {
        g_autofree char *got = sniff_run(make, chunks, n, 0, split);
        g_assert_cmpstr(got, ==, want);
    }
}
