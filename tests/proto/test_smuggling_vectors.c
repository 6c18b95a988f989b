/* SPDX-License-Identifier: MIT
 * The SMTP smuggling vectors of the conformance folder
 * (smuggling/smuggling-cases.yaml) replayed against the DATA decoder in
 * each end-of-data mode.
 *
 * Each sequence is sent inside the content of the attack template (a first
 * message, the sequence, a smuggled MAIL/RCPT/DATA transaction, then a real
 * <CRLF>.<CRLF>). The strict modes must find the end only at the real
 * <CRLF>.<CRLF> (RFC 5321 4.1.1.4), so the smuggled commands stay content
 * and the server answers once: a 5xx for a faulty message, or 250 for one
 * message. The vulnerable modes must end early where their documentation
 * says (smtp_data.h), which is what the smuggling labs demonstrate.
 *
 * When the conformance folder is absent the vector file is skipped, saying
 * so; the key vectors are restated below as literals, so the suite still
 * checks them.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/smtp_data.h"

#define PRE "From: user@attacker.example\r\nTo: victim@b.test\r\nSubject: one\r\n\r\nfirst body"
#define SMUGGLED                                                                                   \
    "MAIL FROM:<ceo@spoofed.example>\r\nRCPT TO:<victim@b.test>\r\nDATA\r\n"                      \
    "From: ceo@spoofed.example\r\nTo: victim@b.test\r\nSubject: smuggled\r\n\r\nsmuggled body"
#define REAL_END "\r\n.\r\n"

typedef struct {
    gboolean done;
    gsize used;
    SmtpDataFault faults;
    GBytes *msg;
} Outcome;

static void
outcome_clear(Outcome *o)
{
    g_clear_pointer(&o->msg, g_bytes_unref);
}

/* Feeds in whole (chunk 0) or in chunks of `chunk` bytes, as a server does:
 * stopping at the end of data. */
static void
feed(SmtpDataEndMode mode, const char *in, gsize len, gsize chunk, Outcome *out)
{
    g_autoptr(SmtpDataDecoder) d = smtp_data_decoder_new(mode, 0, 0);
    smtp_data_decoder_reset(d);
    gsize pos = 0;
    gboolean done = FALSE;
    while (pos < len && !done) {
        gsize n = chunk == 0 ? len - pos : MIN(chunk, len - pos);
        pos += smtp_data_decoder_feed(d, (const guint8 *)in + pos, n, &done);
    }
    out->done = done;
    out->used = pos;
    out->faults = smtp_data_decoder_faults(d);
    out->msg = smtp_data_decoder_steal(d);
}

static gboolean
bytes_contain(GBytes *b, const char *needle)
{
    gsize len;
    const char *p = g_bytes_get_data(b, &len);
    return p != NULL && memmem(p, len, needle, strlen(needle)) != NULL; /* may hold NULs */
}

/* A bare CR or LF left in the message (RFC 5322 2.3). */
static gboolean
has_stray_cr_lf(GBytes *b)
{
    gsize len;
    const guint8 *p = g_bytes_get_data(b, &len);
    for (gsize i = 0; i < len; i++) {
        if (p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n'))
            return TRUE;
        if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
            return TRUE;
    }
    return FALSE;
}

/* The attack: the sequence inside the content of one DATA. */
static GString *
attack(const char *seq, gsize seq_len)
{
    GString *s = g_string_new(PRE);
    g_string_append_len(s, seq, (gssize)seq_len);
    g_string_append(s, SMUGGLED REAL_END);
    return s;
}

/* A strict mode facing a sequence that is not an end of data: the end is
 * the real one, the smuggled commands are content, and the server gives
 * exactly one reply for the whole DATA: 5xx for a fault, or 250. */
static void
check_not_end(SmtpDataEndMode mode, const char *id, const char *seq, gsize seq_len)
{
    g_autoptr(GString) in = attack(seq, seq_len);
    Outcome whole = {0}, bytewise = {0};
    feed(mode, in->str, in->len, 0, &whole);
    feed(mode, in->str, in->len, 1, &bytewise);
    if (!whole.done || whole.used != in->len)
        g_error("%s (%s): the data ended after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                " bytes: the smuggled transaction would run",
                id, smtp_data_end_mode_name(mode), whole.used, in->len);
    g_assert_true(bytewise.done);
    g_assert_cmpuint(bytewise.used, ==, whole.used);
    g_assert_true(g_bytes_equal(whole.msg, bytewise.msg));
    g_assert_cmpint(whole.faults, ==, bytewise.faults);
    g_assert_true(bytes_contain(whole.msg, "MAIL FROM:<ceo@spoofed.example>"));
    g_assert_true(bytes_contain(whole.msg, "smuggled body"));
    const char *enhanced, *text;
    guint code = smtp_data_fault_reply(whole.faults, &enhanced, &text);
    if (code != 0) {
        /* (a) reject: one 5xx for the message. */
        g_assert_cmpuint(code, >=, 500);
        g_assert_cmpuint(code, <, 600);
    } else {
        /* (b) one message accepted: no stray CR or LF kept in it. */
        if (has_stray_cr_lf(whole.msg))
            g_error("%s (%s): accepted with a stray CR or LF", id, smtp_data_end_mode_name(mode));
    }
    outcome_clear(&whole);
    outcome_clear(&bytewise);
}

/* A vulnerable mode that its documentation says ends at the sequence: the
 * data ends inside the attack, before the smuggled commands. */
static void
check_ends_early(SmtpDataEndMode mode, const char *id, const char *seq, gsize seq_len)
{
    g_autoptr(GString) in = attack(seq, seq_len);
    Outcome o = {0};
    feed(mode, in->str, in->len, 1, &o);
    /* It ends inside the sequence (a CR of a "\r\r\n" may be left over
     * for the command stream), so the smuggled commands are commands. */
    if (!o.done || o.used <= strlen(PRE) || o.used > strlen(PRE) + seq_len)
        g_error("%s (%s): expected the data to end inside the sequence, not after %" G_GSIZE_FORMAT
                " bytes",
                id, smtp_data_end_mode_name(mode), o.used);
    g_assert_false(bytes_contain(o.msg, "MAIL FROM:<ceo@spoofed.example>"));
    outcome_clear(&o);
}

/* Whether a vulnerable mode takes the sequence for an end, by the rule
 * smtp_data.h documents: LENIENT_LF ends a line at LF (with or without a
 * CR before it), LENIENT_CR_LF at a bare CR as well; the data ends at a
 * line holding only ".". The strict modes never end at a stray CR or LF. */
static gboolean
mode_ends_at(SmtpDataEndMode mode, const char *seq, gsize len)
{
    gboolean cr_ends = mode == SMTP_DATA_END_LENIENT_CR_LF;
    if (mode != SMTP_DATA_END_LENIENT_LF && !cr_ends)
        return FALSE;
    for (gsize i = 1; i + 1 < len; i++) {
        if (seq[i] != '.')
            continue;
        gboolean before = seq[i - 1] == '\n' || (cr_ends && seq[i - 1] == '\r');
        gboolean after = seq[i + 1] == '\n' || (seq[i + 1] == '\r' && (cr_ends || (i + 2 < len && seq[i + 2] == '\n')));
        if (before && after)
            return TRUE;
    }
    return FALSE;
}

/* ---- the key vectors as literals (stand without the conformance folder) ---- */

static const struct {
    const char *id, *bytes;
    gsize len;
} literal_vectors[] = {
    {"lf-dot-lf", "\n.\n", 3},         {"lf-dot-crlf", "\n.\r\n", 4},
    {"crlf-dot-lf", "\r\n.\n", 4},     {"cr-dot-cr", "\r.\r", 3},
    {"cr-dot-crlf", "\r.\r\n", 4},     {"crlf-nul-dot-crlf", "\r\n\0.\r\n", 6},
    {"crlf-dot-cr", "\r\n.\r", 4},
};

static void
test_literal(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(literal_vectors); i++) {
        const char *id = literal_vectors[i].id;
        check_not_end(SMTP_DATA_END_STRICT, id, literal_vectors[i].bytes, literal_vectors[i].len);
        check_not_end(SMTP_DATA_END_NORMALIZE_LF, id, literal_vectors[i].bytes,
                      literal_vectors[i].len);
        for (int m = SMTP_DATA_END_LENIENT_LF; m <= SMTP_DATA_END_LENIENT_CR_LF; m++)
            if (mode_ends_at((SmtpDataEndMode)m, literal_vectors[i].bytes, literal_vectors[i].len))
                check_ends_early((SmtpDataEndMode)m, id, literal_vectors[i].bytes,
                                 literal_vectors[i].len);
    }
    /* The one proper end (RFC 5321 4.1.1.4) ends the data in every mode. */
    for (int m = SMTP_DATA_END_STRICT; m <= SMTP_DATA_END_LENIENT_CR_LF; m++) {
        Outcome o = {0};
        static const char in[] = PRE REAL_END SMUGGLED;
        feed((SmtpDataEndMode)m, in, sizeof in - 1, 1, &o);
        g_assert_true(o.done);
        g_assert_cmpuint(o.used, ==, strlen(PRE REAL_END));
        outcome_clear(&o);
    }
}

/* ---- the conformance file ---- */

/* "bytes" must be the octets "hex" lists. */
static void
check_hex(const TestYaml *v, const char *id)
{
    TestYaml *b = test_yaml_get(v, "bytes");
    const char *hex = test_yaml_str(v, "hex");
    g_assert_nonnull(b);
    g_assert_nonnull(hex);
    g_auto(GStrv) octets = g_strsplit(hex, " ", -1);
    if (g_strv_length(octets) != b->len)
        g_error("%s: hex and bytes disagree in length", id);
    for (gsize i = 0; i < b->len; i++)
        g_assert_cmpuint((guint8)b->value[i], ==, (guint)g_ascii_strtoull(octets[i], NULL, 16));
}

/* A control's content line, from `content line "X"` in its expectation. */
static char *
control_line(const char *expect)
{
    const char *q = strstr(expect, "content line \"");
    if (q == NULL)
        return NULL;
    q += strlen("content line \"");
    const char *e = strchr(q, '"');
    g_assert_nonnull(e);
    return g_strndup(q, (gsize)(e - q));
}

static void
check_control(SmtpDataEndMode mode, const TestYaml *v)
{
    const char *id = test_yaml_str(v, "id");
    const char *expect = test_yaml_str(v, "strict_server");
    TestYaml *b = test_yaml_get(v, "bytes");
    gboolean at_start = test_yaml_get(v, "context") != NULL; /* right after 354 */
    GString *in = g_string_new(at_start ? "" : PRE);
    g_string_append_len(in, b->value, (gssize)b->len);
    gsize seq_end = in->len;
    g_string_append(in, "after\r\n.\r\n");
    Outcome o = {0};
    feed(mode, in->str, in->len, 1, &o);
    g_assert_true(o.done);
    if (g_str_has_prefix(expect, "end-of-data")) {
        if (o.used != seq_end)
            g_error("%s (%s): should end the data", id, smtp_data_end_mode_name(mode));
    } else {
        g_autofree char *line = control_line(expect);
        g_assert_nonnull(line);
        g_assert_cmpuint(o.used, ==, in->len);
        g_autofree char *want = g_strdup_printf("\r\n%s\r\nafter\r\n", line);
        if (!bytes_contain(o.msg, want))
            g_error("%s (%s): the content line should be \"%s\"", id,
                    smtp_data_end_mode_name(mode), line);
    }
    g_string_free(in, TRUE);
    outcome_clear(&o);
}

static void
test_conformance(void)
{
    g_autofree char *path = test_conformance_path("smuggling/smuggling-cases.yaml");
    if (path == NULL) {
        g_test_skip("conformance folder absent: smuggling-cases.yaml not replayed "
                    "(the literal vectors still are)");
        return;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(path, &error);
    g_assert_no_error(error);
    TestYaml *seqs = test_yaml_get(doc, "sequences");
    TestYaml *controls = test_yaml_get(doc, "controls");
    g_assert_cmpuint(test_yaml_len(seqs), >=, 10);
    g_assert_cmpuint(test_yaml_len(controls), >=, 5);
    guint early = 0;
    for (guint i = 0; i < test_yaml_len(seqs); i++) {
        TestYaml *v = test_yaml_at(seqs, i);
        const char *id = test_yaml_str(v, "id");
        check_hex(v, id);
        g_assert_cmpstr(test_yaml_str(v, "strict_server"), ==, "not-end-of-data");
        TestYaml *b = test_yaml_get(v, "bytes");
        check_not_end(SMTP_DATA_END_STRICT, id, b->value, b->len);
        check_not_end(SMTP_DATA_END_NORMALIZE_LF, id, b->value, b->len);
        for (int m = SMTP_DATA_END_LENIENT_LF; m <= SMTP_DATA_END_LENIENT_CR_LF; m++)
            if (mode_ends_at((SmtpDataEndMode)m, b->value, b->len)) {
                check_ends_early((SmtpDataEndMode)m, id, b->value, b->len);
                early++;
            }
    }
    /* The named CVE sequences (lf-dot-lf, lf-dot-crlf, crlf-dot-lf) end the
     * data in both vulnerable modes at least. */
    g_assert_cmpuint(early, >=, 6);
    for (guint i = 0; i < test_yaml_len(controls); i++) {
        TestYaml *v = test_yaml_at(controls, i);
        check_hex(v, test_yaml_str(v, "id"));
        for (int m = SMTP_DATA_END_STRICT; m <= SMTP_DATA_END_LENIENT_CR_LF; m++)
            check_control((SmtpDataEndMode)m, v);
    }
    g_test_message("%u sequences, %u controls replayed", test_yaml_len(seqs),
                   test_yaml_len(controls));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/smuggling-vectors/literal", test_literal);
    g_test_add_func("/proto/smuggling-vectors/conformance", test_conformance);
    return g_test_run();
}
