/* SPDX-License-Identifier: MIT
 * helper_pop3: transcript reader and replayer for the POP3 engine tests
 * (STYLE 11 transcript format; see helper_pop3.h).
 */
#include "helper_pop3.h"

#include <string.h>

#include "common/test_yaml.h"

static GByteArray *
pop3_test_new_segment(Pop3Transcript *t)
{
    GByteArray *b = g_byte_array_new();
    g_ptr_array_add(t->segments, b);
    return b;
}

Pop3Transcript *
pop3_test_transcript_parse(const char *text)
{
    Pop3Transcript *t = g_new0(Pop3Transcript, 1);
    t->segments = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    t->expected = g_string_new(NULL);
    t->answers = g_ptr_array_new_with_free_func(g_free);
    t->settings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GByteArray *seg = pop3_test_new_segment(t);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *l = lines[i];
        if (g_str_has_prefix(l, "C: ")) {
            g_byte_array_append(seg, (const guint8 *)l + 3, (guint)strlen(l + 3));
            g_byte_array_append(seg, (const guint8 *)"\r\n", 2);
        } else if (g_str_has_prefix(l, "c: ")) {
            g_autofree char *raw = g_strcompress(l + 3);
            g_byte_array_append(seg, (const guint8 *)raw, (guint)strlen(raw));
        } else if (g_str_has_prefix(l, "S: ") || g_str_has_prefix(l, "A: ") ||
                   g_str_has_prefix(l, "B: ")) {
            g_string_append_printf(t->expected, "%s\n", l);
        } else if (g_str_has_prefix(l, "Q: ")) {
            g_ptr_array_add(t->answers, g_strdup(l + 3));
        } else if (g_str_has_prefix(l, "#! ")) {
            const char *eq = strchr(l + 3, '=');
            char *k = eq ? g_strndup(l + 3, (gsize)(eq - l - 3)) : g_strdup(l + 3);
            g_hash_table_replace(t->settings, k, g_strdup(eq ? eq + 1 : ""));
        } else if (strcmp(l, "--- tls") == 0) {
            seg = pop3_test_new_segment(t);
        } else if (strcmp(l, "EOF") == 0) {
            t->eof = TRUE;
        } else if (l[0] != '\0' && l[0] != '#') {
            g_error("transcript line %u not understood: %s", i + 1, l);
        }
    }
    return t;
}

Pop3Transcript *
pop3_test_transcript_load(const char *relative)
{
    g_autofree char *rel = g_build_filename("tests", "proto", relative, NULL);
    g_autofree char *path = test_source_path(rel);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err))
        g_error("%s", err->message);
    return pop3_test_transcript_parse(text);
}

void
pop3_test_transcript_free(Pop3Transcript *t)
{
    if (t == NULL)
        return;
    g_ptr_array_unref(t->segments);
    g_string_free(t->expected, TRUE);
    g_ptr_array_unref(t->answers);
    g_hash_table_unref(t->settings);
    g_free(t);
}

const char *
pop3_test_setting(const Pop3Transcript *t, const char *key)
{
    return g_hash_table_lookup(t->settings, key);
}

void
pop3_test_log_send(GString *log, GBytes *bytes)
{
    gsize n;
    const char *p = g_bytes_get_data(bytes, &n);
    if (p == NULL)
        return;
    gsize start = 0;
    for (gsize i = 0; i + 1 < n; i++) {
        if (p[i] == '\r' && p[i + 1] == '\n') {
            g_autofree char *line = g_strndup(p + start, i - start);
            g_autofree char *esc = g_strescape(line, NULL);
            g_string_append_printf(log, "S: %s\n", esc);
            start = i + 2;
            i++;
        }
    }
    if (start < n) {
        g_autofree char *rest = g_strndup(p + start, n - start);
        g_autofree char *esc = g_strescape(rest, NULL);
        g_string_append_printf(log, "S: %s<no CRLF>\n", esc);
    }
}

typedef struct {
    const Pop3Transcript *t;
    const Pop3TestEngine *e;
    GString *log;
    guint next_answer;
    gboolean stls_seen;
} Pop3Replay;

static void
pop3_test_drain(Pop3Replay *r)
{
    for (;;) {
        GBytes *send = NULL, *body = NULL;
        char *desc = NULL;
        guint32 qid = 0;
        gboolean is_stls = FALSE;
        if (!r->e->poll(r->e->engine, &send, &desc, &qid, &is_stls, &body))
            return;
        if (send != NULL) {
            pop3_test_log_send(r->log, send);
            g_bytes_unref(send);
        }
        if (desc != NULL) {
            g_string_append_printf(r->log, "A: %s\n", desc);
            g_free(desc);
        }
        if (body != NULL) {
            const char *data = g_bytes_get_data(body, NULL);
            g_autofree char *s = g_strndup(data ? data : "", g_bytes_get_size(body));
            g_autofree char *esc = g_strescape(s, NULL);
            g_string_append_printf(r->log, "B: %s\n", esc);
            g_bytes_unref(body);
        }
        if (is_stls)
            r->stls_seen = TRUE;
        if (qid != 0) {
            if (r->next_answer >= r->t->answers->len) {
                g_test_message("log so far:\n%s", r->log->str);
                g_test_fail_printf("query without a Q: line");
                return;
            }
            r->e->answer(r->e->engine, qid, r->t->answers->pdata[r->next_answer++]);
        }
    }
}

/* Feeds each segment in pieces: cut(i, len) gives the size of the piece
 * starting at offset i. */
static char *
pop3_test_run(const Pop3Transcript *t, const Pop3TestEngine *e, gsize chunk, gsize split)
{
    Pop3Replay r = {t, e, g_string_new(NULL), 0, FALSE};
    pop3_test_drain(&r);
    for (guint s = 0; s < t->segments->len; s++) {
        GByteArray *seg = t->segments->pdata[s];
        if (s > 0) {
            g_assert_true(r.stls_seen);
            r.stls_seen = FALSE;
            e->stls_done(e->engine);
            pop3_test_drain(&r);
        }
        gsize off = 0;
        while (off < seg->len) {
            gsize n = seg->len - off;
            if (chunk > 0)
                n = MIN(chunk, n);
            else if (split > 0 && off < split)
                n = MIN(split, seg->len) - off;
            e->feed(e->engine, seg->data + off, n);
            off += n;
            pop3_test_drain(&r);
        }
    }
    if (t->eof) {
        e->feed_eof(e->engine);
        pop3_test_drain(&r);
    }
    g_assert_cmpuint(r.next_answer, ==, t->answers->len);
    return g_string_free(r.log, FALSE);
}

char *
pop3_test_replay(const Pop3Transcript *t, const Pop3TestEngine *e, gsize chunk)
{
    return pop3_test_run(t, e, chunk, 0);
}

char *
pop3_test_replay_split(const Pop3Transcript *t, const Pop3TestEngine *e, gsize split)
{
    return pop3_test_run(t, e, 0, split);
}
