/* SPDX-License-Identifier: MIT
 * tamper: an attacker's changes to relayed mail. The header section is
 * kept byte for byte; only the body (RFC 5322 2.1) changes. Appended text
 * after a clear-signed message's closing delimiter lands in the multipart
 * epilogue (RFC 2046 5.1.1), which the signature does not cover and
 * readers do not show: use replace to change signed text.
 */
#include "nodes/tamper.h"

#include <string.h>

#include "nodes/world_private.h"
#include "proto/message.h"

/* Every occurrence of from in body replaced with to; the count in *n. */
static void
tamper_replace(GString *body, const char *from, const char *to, guint *n)
{
    gsize flen = strlen(from), tlen = strlen(to);
    for (gsize i = 0; flen > 0 && i + flen <= body->len;) {
        if (memcmp(body->str + i, from, flen) == 0) {
            g_string_erase(body, (gssize)i, (gssize)flen);
            g_string_insert_len(body, (gssize)i, to, (gssize)tlen);
            i += tlen;
            (*n)++;
        } else {
            i++;
        }
    }
}

GBytes *
tamper_apply(Node *node, const char *msg_id, GBytes *msg)
{
    const TamperSpec *t = &node->spec->tamper;
    if (t->append_body == NULL && (t->replace == NULL || t->replace[0] == NULL))
        return msg;
    g_autoptr(MailMessage) m = mail_message_parse_bytes(msg, NULL);
    gsize blen;
    const guint8 *bp = mail_message_get_body(m, &blen);
    GString *body = g_string_new_len((const char *)bp, (gssize)blen);
    guint replaced = 0;
    for (char **p = t->replace; p && p[0] && p[1]; p += 2)
        tamper_replace(body, p[0], p[1], &replaced);
    if (t->append_body != NULL) {
        if (body->len > 0 && body->str[body->len - 1] != '\n')
            g_string_append(body, "\r\n");
        g_string_append_printf(body, "%s\r\n", t->append_body);
    }
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < mail_message_n_fields(m); i++) {
        gsize len;
        const char *raw = mail_message_field_raw(m, i, &len);
        g_string_append_len(out, raw, (gssize)len);
    }
    g_string_append(out, "\r\n");
    g_string_append_len(out, body->str, (gssize)body->len);
    g_string_free(body, TRUE);
    World *w = node->world;
    SimTraceRec *r = world_trace(w, "msg.tamper", node->name);
    sim_trace_str(r, "msg", msg_id);
    sim_trace_int(r, "replaced", replaced);
    sim_trace_bool(r, "appended", t->append_body != NULL);
    sim_trace_int(r, "size_before", (gint64)g_bytes_get_size(msg));
    sim_trace_int(r, "size_after", (gint64)out->len);
    sim_trace_end(r);
    TrackMsg *tm = tracker_find(w->tracker, msg_id);
    if (tm != NULL)
        track_msg_note(tm, node->name, "tamper",
                       replaced || t->append_body ? "changed" : "unchanged");
    g_bytes_unref(msg);
    gsize n = out->len;
    return g_bytes_new_take(g_string_free(out, FALSE), n);
}
