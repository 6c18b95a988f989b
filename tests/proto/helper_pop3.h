/* SPDX-License-Identifier: MIT
 * helper_pop3: transcript reader and replayer for the POP3 engine tests.
 * Format (STYLE 11): "C: " a line fed to the engine (CRLF added), "c: "
 * raw bytes fed (C escapes, nothing added), "S: " a line the engine sends,
 * "A: " another action (*_act_to_string()), "B: " the escaped bytes of the
 * MESSAGE action just before, "Q: " the answer to the pending query,
 * "#! key=value" a setting, "# " a comment, "--- tls" the point where the
 * layer switches (input after it is fed after *_stls_done()), "EOF" the
 * peer closes after the last input.
 */
#ifndef TESTS_PROTO_HELPER_POP3_H
#define TESTS_PROTO_HELPER_POP3_H

#include <glib.h>

typedef struct {
    GPtrArray *segments;  /* GByteArray*: input before/after each "--- tls" */
    GString *expected;    /* "S: ...\n" and "A: ...\n" lines, in order */
    GPtrArray *answers;   /* char*: Q: lines, in order */
    GHashTable *settings; /* "#! key=value" (value "" when no '=') */
    gboolean eof;
} Pop3Transcript;

Pop3Transcript *pop3_test_transcript_parse(const char *text);
/* Loads tests/proto/<relative> from the source tree. */
Pop3Transcript *pop3_test_transcript_load(const char *relative);
void pop3_test_transcript_free(Pop3Transcript *t);
const char *pop3_test_setting(const Pop3Transcript *t, const char *key);

/* One engine behind the replayer. poll() returns FALSE when idle; else sets
 * exactly one of *send (SEND bytes, transfer full) or *desc (transfer full,
 * NULL to skip the action); *qid (nonzero: a query to answer), *is_stls and
 * *body (MESSAGE bytes, transfer full) as they apply. */
typedef struct {
    gpointer engine;
    void (*feed)(gpointer eng, const guint8 *buf, gsize len);
    void (*feed_eof)(gpointer eng);
    gboolean (*poll)(gpointer eng, GBytes **send, char **desc, guint32 *qid, gboolean *is_stls,
                     GBytes **body);
    void (*answer)(gpointer eng, guint32 qid, const char *qline);
    void (*stls_done)(gpointer eng);
} Pop3TestEngine;

/* Replays t against e feeding chunk octets at a time (0: each segment
 * whole) and returns the observed log in the expected format (transfer
 * full). Fails the test when a query has no Q: line left. */
char *pop3_test_replay(const Pop3Transcript *t, const Pop3TestEngine *e, gsize chunk);

/* Replays input fed at one split point (two chunks) of each segment. */
char *pop3_test_replay_split(const Pop3Transcript *t, const Pop3TestEngine *e, gsize split);

/* Appends the log lines for SEND bytes ("S: line\n" per CRLF line). */
void pop3_test_log_send(GString *log, GBytes *bytes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Pop3Transcript, pop3_test_transcript_free)

#endif
