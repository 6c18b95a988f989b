/* SPDX-License-Identifier: MIT
 * Tests for proto/dkim: canonicalization (RFC 6376 3.4), tag-lists (3.2),
 * the RFC 6376 and RFC 8463 examples, dkimpy's vectors, signing round
 * trips, signature-tag validation and the sans-I/O verifier flow.
 * Key RFC facts are restated as literals so the suite stands alone.
 */
#include <string.h>

#include <glib.h>

#include "common/test_yaml.h"
#include "proto/dkim-private.h"
#include "proto/dkim.h"

/* RFC 6376 3.4.5 and RFC 8463 A.3 facts. */
#define RFC_BODY_ONE_SPACE "Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.\r\n"
#define RFC_BH_ONE_SPACE "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="
#define RFC8463_ED_PUB "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RFC8463_ED_SEED "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
#define RFC8463_ED_B                                                                               \
    "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="
#define RFC8463_RSA_B                                                                              \
    "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9" \
    "mPYQTnGdaSGsgeefOsk2JzdA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8="
#define RFC8463_RSA_PUB                                                                            \
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"   \
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzB"  \
    "fO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"

/* ---- helpers ---- */

static gboolean
conf_skip(const char *rel, char **path)
{
    *path = test_conformance_path(rel);
    if (*path == NULL) {
        g_test_message("conformance folder absent: skipping %s", rel);
        g_test_skip("conformance folder absent");
        return TRUE;
    }
    return FALSE;
}

/* A conformance file, line endings turned into CRLF (as a reader of
 * LF-only files from disk must). NULL when the folder is absent. */
static GBytes *
conf_message(const char *rel)
{
    g_autofree char *path = test_conformance_path(rel);
    if (path == NULL)
        return NULL;
    g_autofree char *text = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &text, &len, NULL));
    return dkim_message_to_crlf((const guint8 *)text, len);
}

static char *
conf_text(const char *rel)
{
    g_autofree char *path = test_conformance_path(rel);
    char *text = NULL;
    if (path != NULL)
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* zone: name -> record text; "!SERVFAIL", "!TIMEOUT", "!NXDOMAIN", "!EMPTY"
 * stage failures. Returns "result[/reason]" per signature, comma-joined. */
static char *
run_verify_full(const guint8 *msg, gsize len, const DkimVerifyConfig *cfg, GHashTable *zone,
                guint *n_queries)
{
    g_autoptr(DkimVerifier) v = dkim_verifier_new_full(msg, len, cfg);
    DkimVerifierAct act;
    guint queries = 0;
    gboolean done = FALSE;
    while (dkim_verifier_poll(v, &act)) {
        g_assert_false(done);
        if (act.kind == DKIM_VERIFIER_ACT_DONE) {
            done = TRUE;
            dkim_verifier_act_clear(&act);
            continue;
        }
        g_assert_cmpint(act.kind, ==, DKIM_VERIFIER_ACT_NEED_KEY);
        queries++;
        const char *txt = zone ? g_hash_table_lookup(zone, act.qname) : NULL;
        const char *recs[] = {txt, NULL};
        if (txt == NULL || strcmp(txt, "!NXDOMAIN") == 0)
            dkim_verifier_answer(v, act.query_id, DKIM_DNS_NXDOMAIN, NULL);
        else if (strcmp(txt, "!SERVFAIL") == 0)
            dkim_verifier_answer(v, act.query_id, DKIM_DNS_SERVFAIL, NULL);
        else if (strcmp(txt, "!TIMEOUT") == 0)
            dkim_verifier_answer(v, act.query_id, DKIM_DNS_TIMEOUT, NULL);
        else if (strcmp(txt, "!EMPTY") == 0)
            dkim_verifier_answer(v, act.query_id, DKIM_DNS_FOUND, NULL);
        else
            dkim_verifier_answer(v, act.query_id, DKIM_DNS_FOUND, recs);
        dkim_verifier_act_clear(&act);
    }
    g_assert_true(done);
    g_assert_true(dkim_verifier_is_done(v));
    if (n_queries)
        *n_queries = queries;
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < dkim_verifier_n_results(v); i++) {
        const DkimSigResult *r = dkim_verifier_result(v, i);
        g_string_append_printf(out, "%s%s", i ? "," : "", dkim_result_name(r->result));
        if (r->reason != DKIM_REASON_NONE)
            g_string_append_printf(out, "/%s", dkim_reason_name(r->reason));
    }
    return g_string_free(out, FALSE);
}

static char *
run_verify(GBytes *msg, GHashTable *zone)
{
    gsize len;
    const guint8 *d = g_bytes_get_data(msg, &len);
    DkimVerifyConfig cfg = {.now_unix = 1700000000};
    return run_verify_full(d, len, &cfg, zone, NULL);
}

static GHashTable *
zone_new(const char *name, const char *txt, ...)
{
    GHashTable *z = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    va_list ap;
    va_start(ap, txt);
    while (name != NULL) {
        g_hash_table_insert(z, g_strdup(name), g_strdup(txt));
        name = va_arg(ap, const char *);
        if (name != NULL)
            txt = va_arg(ap, const char *);
    }
    va_end(ap);
    return z;
}

static GHashTable *
zone_rfc8463(void)
{
    return zone_new("brisbane._domainkey.football.example.com",
                    "v=DKIM1; k=ed25519; p=" RFC8463_ED_PUB, "test._domainkey.football.example.com",
                    "v=DKIM1; k=rsa; p=" RFC8463_RSA_PUB, NULL);
}

/* Prepends a signature made with cfg and key to msg. */
static GBytes *
sign_prepend(GBytes *msg, const DkimSignConfig *cfg, const DkimPrivateKey *key)
{
    gsize len;
    const guint8 *d = g_bytes_get_data(msg, &len);
    g_autoptr(GError) error = NULL;
    g_autofree char *field = dkim_sign(d, len, cfg, key, &error);
    g_assert_no_error(error);
    g_assert_nonnull(field);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, (const guint8 *)field, (guint)strlen(field));
    g_byte_array_append(out, d, (guint)len);
    return g_byte_array_free_to_bytes(out);
}

static GBytes *
bytes_concat(GBytes *a, const char *before, const char *after)
{
    gsize len;
    const guint8 *d = g_bytes_get_data(a, &len);
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, (const guint8 *)before, (guint)strlen(before));
    g_byte_array_append(out, d, (guint)len);
    g_byte_array_append(out, (const guint8 *)after, (guint)strlen(after));
    return g_byte_array_free_to_bytes(out);
}

static DkimPrivateKey *
load_key(const char *rel)
{
    g_autofree char *text = conf_text(rel);
    g_assert_nonnull(text);
    g_autoptr(GError) error = NULL;
    DkimPrivateKey *k = g_str_has_prefix(text, "-----")
                            ? dkim_private_key_new_pem((const guint8 *)text, strlen(text), &error)
                            : dkim_private_key_new_ed25519_b64(text, &error);
    g_assert_no_error(error);
    return k;
}

/* ---- canonicalization ---- */

/* RFC 6376 3.4.4 written the plain way, one octet at a time: the
 * reference the engine's run-copying version must match. */
static void
canon_relaxed_reference(const guint8 *body, gsize len, GString *out)
{
    g_autoptr(GString) line = g_string_new(NULL);
    guint empty = 0;
    gsize off = 0;
    while (off < len) {
        gsize n = 0;
        gboolean crlf = FALSE;
        while (off + n < len &&
               !(crlf = body[off + n] == '\r' && off + n + 1 < len && body[off + n + 1] == '\n'))
            n++;
        gboolean wsp = FALSE;
        g_string_truncate(line, 0);
        for (gsize i = 0; i < n; i++) {
            char c = (char)body[off + i];
            if (c == ' ' || c == '\t') {
                wsp = TRUE;
                continue;
            }
            if (wsp)
                g_string_append_c(line, ' ');
            g_string_append_c(line, c);
            wsp = FALSE;
        }
        off += n + (crlf ? 2 : 0);
        if (line->len == 0) {
            empty += crlf;
            continue;
        }
        for (; empty > 0; empty--)
            g_string_append(out, "\r\n");
        g_string_append_printf(out, "%s\r\n", line->str);
    }
}

static void
test_canon_relaxed_reference(void)
{
    /* Bodies of WSP, CR, LF and letters in every mix (bare CR and LF,
     * trailing WSP, trailing empty lines, no final CRLF). */
    static const char alphabet[] = " \t\r\nab";
    g_autoptr(GRand) rand = g_rand_new_with_seed(6376);
    for (guint k = 0; k < 20000; k++) {
        guint8 body[48];
        gsize len = (gsize)g_rand_int_range(rand, 0, sizeof body + 1);
        for (gsize i = 0; i < len; i++)
            body[i] = (guint8)alphabet[g_rand_int_range(rand, 0, sizeof alphabet - 1)];
        g_autoptr(GString) want = g_string_new(NULL);
        g_autoptr(GString) got = g_string_new(NULL);
        canon_relaxed_reference(body, len, want);
        dkim_canon_body(DKIM_CANON_RELAXED, body, len, got);
        g_assert_cmpmem(got->str, got->len, want->str, want->len);
    }
}

static void
test_canon_literals(void)
{
    /* RFC 6376 3.4.5 */
    g_autoptr(GString) h = g_string_new(NULL);
    const char *fa = "A: X\r\n", *fb = "B : Y\t\r\n\tZ  \r\n";
    dkim_canon_header(DKIM_CANON_RELAXED, fa, strlen(fa), h);
    dkim_canon_header(DKIM_CANON_RELAXED, fb, strlen(fb), h);
    g_assert_cmpstr(h->str, ==, "a:X\r\nb:Y Z\r\n");
    const char *body = " C \r\nD \t E\r\n\r\n\r\n";
    g_autoptr(GString) b = g_string_new(NULL);
    dkim_canon_body(DKIM_CANON_RELAXED, (const guint8 *)body, strlen(body), b);
    g_assert_cmpstr(b->str, ==, " C\r\nD E\r\n");
    g_string_truncate(b, 0);
    dkim_canon_body(DKIM_CANON_SIMPLE, (const guint8 *)body, strlen(body), b);
    g_assert_cmpstr(b->str, ==, " C \r\nD \t E\r\n");
    g_autofree char *bh =
        dkim_body_hash(DKIM_CANON_SIMPLE, "sha256", (const guint8 *)RFC_BODY_ONE_SPACE,
                       strlen(RFC_BODY_ONE_SPACE), -1, NULL);
    g_assert_cmpstr(bh, ==, RFC_BH_ONE_SPACE);
    g_autofree char *empty = dkim_body_hash(DKIM_CANON_RELAXED, "sha256", NULL, 0, -1, NULL);
    g_assert_cmpstr(empty, ==, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    /* l=0 hashes nothing: the empty-string hash */
    g_autofree char *l0 =
        dkim_body_hash(DKIM_CANON_SIMPLE, "sha256", (const guint8 *)"x\r\n", 3, 0, NULL);
    g_assert_cmpstr(l0, ==, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

static DkimCanon
canon_of(const char *s)
{
    return g_strcmp0(s, "relaxed") == 0 ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;
}

static guint
canon_header_cases(const TestYaml *cases)
{
    guint passed = 0;
    for (guint i = 0; i < test_yaml_len(cases); i++) {
        const TestYaml *c = test_yaml_at(cases, i);
        const TestYaml *in = test_yaml_get(c, "input"), *out = test_yaml_get(c, "output");
        DkimCanon alg = canon_of(test_yaml_str(c, "algorithm"));
        g_autoptr(GString) got = g_string_new(NULL), want = g_string_new(NULL);
        for (guint j = 0; j < test_yaml_len(in); j++) {
            const TestYaml *pair = test_yaml_at(in, j);
            g_autofree char *raw =
                g_strconcat(test_yaml_at(pair, 0)->value, ":", test_yaml_at(pair, 1)->value, NULL);
            dkim_canon_header(alg, raw, strlen(raw), got);
            const TestYaml *o = test_yaml_at(out, j);
            g_string_append_printf(want, "%s:%s", test_yaml_at(o, 0)->value,
                                   test_yaml_at(o, 1)->value);
        }
        const char *as_text = test_yaml_str(c, "as_text");
        if (as_text)
            g_assert_cmpstr(want->str, ==, as_text);
        g_assert_cmpstr(got->str, ==, want->str);
        passed++;
    }
    return passed;
}

static guint
canon_body_cases(const TestYaml *cases, const TestYaml *hashes)
{
    guint passed = 0;
    for (guint i = 0; i < test_yaml_len(cases); i++) {
        const TestYaml *c = test_yaml_at(cases, i);
        const TestYaml *in = test_yaml_get(c, "input"), *out = test_yaml_get(c, "output");
        g_autoptr(GString) got = g_string_new(NULL);
        dkim_canon_body(canon_of(test_yaml_str(c, "algorithm")), (const guint8 *)in->value, in->len,
                        got);
        g_assert_cmpmem(got->str, got->len, out->value, out->len);
        passed++;
    }
    for (guint i = 0; i < test_yaml_len(hashes); i++) {
        const TestYaml *c = test_yaml_at(hashes, i);
        const TestYaml *body = test_yaml_get(c, "body");
        g_autofree char *bh =
            dkim_body_hash(canon_of(test_yaml_str(c, "algorithm")), test_yaml_str(c, "hash"),
                           (const guint8 *)body->value, body->len, -1, NULL);
        g_assert_cmpstr(bh, ==, test_yaml_str(c, "bh"));
        passed++;
    }
    return passed;
}

static guint
canon_c_tags(const TestYaml *cases)
{
    guint passed = 0;
    for (guint i = 0; i < test_yaml_len(cases); i++) {
        const TestYaml *c = test_yaml_at(cases, i);
        const TestYaml *cv = test_yaml_get(c, "c");
        DkimCanon h, b;
        gboolean ok = dkim_canon_parse(test_yaml_is_null(cv) ? NULL : cv->value, &h, &b);
        if (test_yaml_get(c, "error") != NULL) {
            g_assert_false(ok);
        } else {
            g_assert_true(ok);
            g_assert_cmpint(h, ==, canon_of(test_yaml_str(c, "header")));
            g_assert_cmpint(b, ==, canon_of(test_yaml_str(c, "body")));
        }
        passed++;
    }
    return passed;
}

static void
test_canon_yaml(void)
{
    g_autofree char *path = NULL;
    if (conf_skip("dkim/canonicalization.yaml", &path))
        return;
    g_autoptr(GError) error = NULL;
    g_autoptr(TestYaml) y = test_yaml_load_one(path, &error);
    g_assert_no_error(error);
    guint n = canon_header_cases(test_yaml_get(y, "header_cases"));
    n += canon_body_cases(test_yaml_get(y, "body_cases"), test_yaml_get(y, "body_hashes"));
    n += canon_c_tags(test_yaml_get(y, "c_tag_parsing"));
    guint total = test_yaml_len(test_yaml_get(y, "header_cases")) +
                  test_yaml_len(test_yaml_get(y, "body_cases")) +
                  test_yaml_len(test_yaml_get(y, "body_hashes")) +
                  test_yaml_len(test_yaml_get(y, "c_tag_parsing"));
    g_test_message("canonicalization.yaml: %u/%u cases pass", n, total);
    g_assert_cmpuint(n, ==, 37);
    g_assert_cmpuint(n, ==, total);
}

static void
test_split_and_strip(void)
{
    const char *msg = "From x\r\nA: 1\r\n 2\r\nNoColon\r\nB:3\n\r\nbody\r\n";
    DkimMsgParts p;
    dkim_msg_split((const guint8 *)msg, strlen(msg), &p);
    g_assert_cmpuint(p.fields->len, ==, 2);
    DkimField *a = &g_array_index(p.fields, DkimField, 0);
    g_assert_cmpmem(a->raw, a->len, "A: 1\r\n 2\r\n", 10);
    g_assert_true(dkim_field_name_is(a, "a"));
    g_assert_cmpmem(p.body, p.body_len, "body\r\n", 6);
    dkim_msg_parts_clear(&p);
    /* no empty line: all header, empty body */
    dkim_msg_split((const guint8 *)"A: 1\r\n", 6, &p);
    g_assert_cmpuint(p.fields->len, ==, 1);
    g_assert_cmpuint(p.body_len, ==, 0);
    dkim_msg_parts_clear(&p);

    const char *f = "DKIM-Signature: a=1; bh=xy; b=abc\r\n def;c=2\r\n";
    gsize n;
    g_autofree char *s = dkim_field_strip_b(f, strlen(f), &n);
    g_assert_cmpstr(s, ==, "DKIM-Signature: a=1; bh=xy; b=;c=2\r\n");
    const char *f2 = "DKIM-Signature: b = abc\r\n";
    g_autofree char *s2 = dkim_field_strip_b(f2, strlen(f2), &n);
    g_assert_cmpstr(s2, ==, "DKIM-Signature: b =\r\n");
}

static void
test_tag_lists(void)
{
    const char *ok = " v=1;\r\n a = x y ;b=;";
    g_autoptr(DkimTagList) tl = dkim_tag_list_parse(ok, strlen(ok));
    g_assert_nonnull(tl);
    g_assert_cmpstr(dkim_tag_list_get(tl, "a"), ==, "x y");
    g_assert_cmpstr(dkim_tag_list_get(tl, "b"), ==, "");
    g_assert_null(dkim_tag_list_get(tl, "A")); /* case-sensitive names */
    static const char *const bad[] = {"v=1; v=2", "=1", "1a=2", "a=1;;b=2", "a", "", ";", NULL};
    for (guint i = 0; bad[i]; i++)
        g_assert_null(dkim_tag_list_parse(bad[i], strlen(bad[i])));
    g_assert_true(dkim_domain_is_valid("football.example.com"));
    g_assert_false(dkim_domain_is_valid("legitimate.com(.attacker.com"));
    g_assert_false(dkim_domain_is_valid("a..b"));
}

static void
test_key_records(void)
{
    static const struct {
        const char *txt;
        DkimReason want;
    } cases[] = {
        {"v=DKIM1; k=rsa; p=" RFC8463_RSA_PUB, DKIM_REASON_NONE},
        {"p=" RFC8463_RSA_PUB, DKIM_REASON_NONE},
        {"v=DKIM1; k=ed25519; p=" RFC8463_ED_PUB, DKIM_REASON_NONE},
        {"v=DKIM1: g=*; k=rsa; p=" RFC8463_RSA_PUB, DKIM_REASON_KEY_VERSION},
        {"v=DKIM2; p=" RFC8463_RSA_PUB, DKIM_REASON_KEY_VERSION},
        {"k=ed25519-sha256; p=" RFC8463_RSA_PUB, DKIM_REASON_KEY_TYPE},
        {"k=rsa; p=", DKIM_REASON_KEY_REVOKED},
        {"k=rsa", DKIM_REASON_KEY_SYNTAX},
        {"k=rsa; p=MIGfMA0G", DKIM_REASON_KEY_INVALID},
        {"k=rsa; p=!!!!", DKIM_REASON_KEY_INVALID},
        {"s=tlsrpt; p=" RFC8463_RSA_PUB, DKIM_REASON_KEY_SERVICE},
        {"s=email:tlsrpt; p=" RFC8463_RSA_PUB, DKIM_REASON_NONE},
        {"h=sha1; p=" RFC8463_RSA_PUB, DKIM_REASON_KEY_HASH},
        {"k=ed25519; p=" RFC8463_RSA_PUB, DKIM_REASON_KEY_INVALID},
        {"v=DKIM1; v=DKIM1; p=", DKIM_REASON_KEY_SYNTAX},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        DkimKeyRecord k;
        dkim_key_record_parse(cases[i].txt, &k);
        g_assert_cmpstr(dkim_reason_name(k.reason), ==, dkim_reason_name(cases[i].want));
        dkim_key_record_clear(&k);
    }
    DkimKeyRecord k;
    dkim_key_record_parse("t=y:s; p=" RFC8463_ED_PUB "; k=ed25519", &k);
    g_assert_true(k.is_testing && k.is_strict && k.is_ed25519);
    dkim_key_record_clear(&k);
    dkim_key_record_parse("p=" RFC8463_RSA_PUB, &k);
    g_assert_cmpuint(k.bits, ==, 1024);
    dkim_key_record_clear(&k);
}

/* ---- RFC 8463 and RFC 6376 examples ---- */

static GBytes *
replace_once(GBytes *msg, const char *from, const char *to)
{
    g_autofree char *s = g_strndup(g_bytes_get_data(msg, NULL), g_bytes_get_size(msg));
    char *at = strstr(s, from);
    g_assert_nonnull(at);
    *at = '\0';
    char *out = g_strconcat(s, to, at + strlen(from), NULL);
    return g_bytes_new_take(out, strlen(out));
}

static void
test_rfc8463_verify(void)
{
    g_autoptr(GBytes) msg = conf_message("dkim/rfc8463/signed.eml");
    if (msg == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    g_autoptr(GHashTable) zone = zone_rfc8463();
    g_autofree char *got = run_verify(msg, zone);
    g_assert_cmpstr(got, ==, "pass,pass");
    g_autoptr(GBytes) thirsty = replace_once(msg, "Are you hungry", "Are you thirsty");
    g_autofree char *got2 = run_verify(thirsty, zone);
    g_assert_cmpstr(got2, ==, "fail/body hash mismatch,fail/body hash mismatch");
    /* CRLF -> LF without normalising back: the body hash breaks */
    g_autofree char *lf = g_strndup(g_bytes_get_data(msg, NULL), g_bytes_get_size(msg));
    g_autoptr(GRegex) re = g_regex_new("\r\n", 0, 0, NULL);
    g_autofree char *lf2 = g_regex_replace_literal(re, lf, -1, 0, "\n", 0, NULL);
    g_autoptr(GBytes) lfmsg = g_bytes_new(lf2, strlen(lf2));
    g_autofree char *got3 = run_verify(lfmsg, zone);
    g_assert_true(g_str_has_prefix(got3, "fail/body hash mismatch"));
    /* a second From added above breaks the over-signed signatures */
    g_autoptr(GBytes) from2 = bytes_concat(msg, "From: evil@example.org\r\n", "");
    g_autofree char *got4 = run_verify(from2, zone);
    g_assert_cmpstr(got4, ==, "fail/signature mismatch,fail/signature mismatch");
    g_test_message("rfc8463/signed.eml: 2/2 signatures pass; 3/3 mutations fail as expected");
}

static char *
b_value_of(const char *field)
{
    const char *colon = strchr(field, ':');
    g_autoptr(DkimTagList) tl = dkim_tag_list_parse(colon + 1, strlen(colon + 1));
    g_assert_nonnull(tl);
    return dkim_strip_fws(dkim_tag_list_get(tl, "b"));
}

static void
test_rfc8463_resign(void)
{
    g_autoptr(GBytes) msg = conf_message("dkim/rfc8463/signed.eml");
    if (msg == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    const char *all = g_bytes_get_data(msg, NULL);
    const char *from = strstr(all, "From: Joe");
    g_assert_nonnull(from);
    gsize len = g_bytes_get_size(msg) - (gsize)(from - all);
    static const char *const h[] = {"from", "to",      "subject", "date", "message-id",
                                    "from", "subject", "date",    NULL};
    DkimSignConfig cfg = {
        .domain = "football.example.com",
        .selector = "brisbane",
        .identity = "@football.example.com",
        .header_canon = DKIM_CANON_RELAXED,
        .body_canon = DKIM_CANON_RELAXED,
        .headers = h,
        .h_separator = " : ",
        .include_query = TRUE,
        .now_unix = 1528637909,
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(DkimPrivateKey) ed = dkim_private_key_new_ed25519_b64(RFC8463_ED_SEED, &error);
    g_assert_no_error(error);
    g_autofree char *pub = dkim_private_key_public_b64(ed);
    g_assert_cmpstr(pub, ==, RFC8463_ED_PUB);
    g_autofree char *f1 = dkim_sign((const guint8 *)from, len, &cfg, ed, &error);
    g_assert_no_error(error);
    g_autofree char *b1 = b_value_of(f1);
    g_assert_cmpstr(b1, ==, RFC8463_ED_B);

    g_autoptr(DkimPrivateKey) rsa = load_key("dkim/rfc8463/rsa.private.pem");
    g_autofree char *rpub = dkim_private_key_public_b64(rsa);
    g_assert_cmpstr(rpub, ==, RFC8463_RSA_PUB);
    cfg.selector = "test";
    g_autofree char *f2 = dkim_sign((const guint8 *)from, len, &cfg, rsa, &error);
    g_assert_no_error(error);
    g_autofree char *b2 = b_value_of(f2);
    g_assert_cmpstr(b2, ==, RFC8463_RSA_B);
    /* the seed file holds the same key */
    g_autoptr(DkimPrivateKey) ed2 = load_key("dkim/rfc8463/ed25519.private.b64");
    g_autofree char *pub2 = dkim_private_key_public_b64(ed2);
    g_assert_cmpstr(pub2, ==, RFC8463_ED_PUB);
    /* folded output: no line over 78 columns except unbreakable words */
    g_auto(GStrv) lines = g_strsplit(f1, "\r\n", -1);
    for (guint i = 0; lines[i]; i++)
        g_assert_cmpuint(strlen(lines[i]), <=, 78);
    g_test_message("rfc8463 re-signing: 2/2 b= reproduced byte for byte");
}

static void
test_rfc6376_examples(void)
{
    g_autoptr(GBytes) a2 = conf_message("dkim/rfc6376/A2.signed.eml");
    if (a2 == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    g_autofree char *zone_text = conf_text("dkim/rfc6376/appendixC.dns.zone");
    g_assert_nonnull(zone_text);
    /* RFC 6376 Appendix C record, strings concatenated */
    g_autoptr(GHashTable) zone = zone_new(
        "brisbane._domainkey.example.com",
        "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3/DkMoGeLnQg1fWn7/"
        "zYtIxN2SnFCjxOCKG9v3b4jYfcTNh5ijSsq631uBItLa7od+v/RtdC2UzJ1lWT947qR+Rcac2gbto/"
        "NMqJ0fzfVjH4OuKhitdY9tf6mcwGjaNBcWToIMmPSPDdQPNUYckcQ2QIDAQAB",
        NULL);
    g_assert_nonnull(strstr(zone_text, "NMqJ0fzfVjH4OuKhi"));
    guint pass = 0;
    g_autofree char *r1 = run_verify(a2, zone);
    g_assert_cmpstr(r1, ==, "pass");
    pass++;
    g_autoptr(GBytes) a3 = conf_message("dkim/rfc6376/A3.verified.eml");
    g_autofree char *r2 = run_verify(a3, zone);
    g_assert_cmpstr(r2, ==, "pass");
    pass++;
    g_autoptr(GBytes) printed =
        conf_message("dkim/rfc6376/A2.signed.printed-body.bodyhash-mismatch.eml");
    gsize len;
    const guint8 *d = g_bytes_get_data(printed, &len);
    g_autoptr(DkimVerifier) v = dkim_verifier_new(d, len, 1700000000);
    DkimVerifierAct act;
    g_assert_true(dkim_verifier_poll(v, &act));
    g_assert_cmpstr(act.qname, ==, "brisbane._domainkey.example.com");
    const char *recs[] = {g_hash_table_lookup(zone, act.qname), NULL};
    dkim_verifier_answer(v, act.query_id, DKIM_DNS_FOUND, recs);
    dkim_verifier_act_clear(&act);
    const DkimSigResult *r = dkim_verifier_result(v, 0);
    g_assert_cmpint(r->result, ==, DKIM_RESULT_FAIL);
    g_assert_cmpstr(r->detail, ==,
                    "body hash mismatch (computed 4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=)");
    g_assert_cmpstr(r->identity, ==, "joe@football.example.com");
    pass++;
    g_autoptr(GBytes) a1 = conf_message("dkim/rfc6376/A1.unsigned.eml");
    g_autofree char *r4 = run_verify(a1, zone);
    g_assert_cmpstr(r4, ==, ""); /* no signature: no result (dkim=none) */
    pass++;
    g_test_message("rfc6376: %u/4 messages as expected", pass);
}

/* ---- dkimpy vectors ---- */

#define GMAIL_KEY                                                                                  \
    "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh"                    \
    "+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQ"                           \
    "s8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+07wlNWwIt8svnxgdxGkVbb"                           \
    "hzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVmAl5Oct"                           \
    "MEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598H"                           \
    "Y+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB"
#define CORRUPT_KEY                                                                                \
    "k=rsa; p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52T"                     \
    "b/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ=="

static void
test_dkimpy_fixed(void)
{
    g_autofree char *test_txt = conf_text("dkim/dkimpy/data/test.txt");
    if (test_txt == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    g_autofree char *exim = conf_text("dkim/dkimpy/data/eximtest.dns");
    g_strstrip(test_txt);
    g_strstrip(exim);
    static const struct {
        const char *file, *name, *txt, *want;
        guint queries;
    } cases[] = {
        {"dkim/dkimpy/data/test2.message", "20120113._domainkey.gmail.com", GMAIL_KEY, "pass", 1},
        {"dkim/dkimpy/data/ed25519test2.msg", "sed._domainkey.test.ex", NULL, "pass", 1},
        {"dkim/dkimpy/data/rfc6376.signed.msg", NULL, NULL, "pass,pass", 2},
        {"dkim/dkimpy/data/rfc6376.signed.rsa.msg", "test._domainkey.football.example.com", NULL,
         "pass", 1},
        {"dkim/dkimpy/data/rfc6376.signed.rsa.msg", "test._domainkey.football.example.com",
         CORRUPT_KEY, "permerror/key does not decode", 1},
        {"dkim/dkimpy/data/test.message.baddomain", "test._domainkey.legitimate.com(.attacker.com",
         NULL, "permerror/invalid d= or s=", 0},
    };
    guint passed = 0;
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GBytes) msg = conf_message(cases[i].file);
        g_autoptr(GHashTable) zone = zone_rfc8463();
        const char *txt = cases[i].txt ? cases[i].txt : i == 1 ? exim : test_txt;
        if (cases[i].name)
            g_hash_table_insert(zone, g_strdup(cases[i].name), g_strdup(txt));
        else
            g_hash_table_insert(zone, g_strdup("test._domainkey.football.example.com"),
                                g_strdup(test_txt));
        gsize len;
        const guint8 *d = g_bytes_get_data(msg, &len);
        DkimVerifyConfig cfg = {.now_unix = 1700000000};
        guint queries = 99;
        g_autofree char *got = run_verify_full(d, len, &cfg, zone, &queries);
        g_assert_cmpstr(got, ==, cases[i].want);
        g_assert_cmpuint(queries, ==, cases[i].queries);
        passed++;
    }
    g_test_message("expectations.yaml dkimpy fixed_vectors: %u/6 as expected "
                   "(message.mbox has no key: re-signed in the round trips)",
                   passed);
}

/* Signs test.message with test.private as test._domainkey.example.com. */
static GBytes *
sign_test_message(const char *msg_file, const char *key_file, const char *selector,
                  const char *domain, DkimCanon hc, DkimCanon bc, gboolean body_length)
{
    g_autoptr(GBytes) msg = conf_message(msg_file);
    g_autoptr(DkimPrivateKey) key = load_key(key_file);
    DkimSignConfig cfg = {.domain = domain,
                          .selector = selector,
                          .header_canon = hc,
                          .body_canon = bc,
                          .body_length = body_length,
                          .now_unix = 1700000000};
    return sign_prepend(msg, &cfg, key);
}

static void
test_dkimpy_key_records(void)
{
    g_autofree char *probe = conf_text("dkim/dkimpy/data/test.txt");
    if (probe == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    static const struct {
        const char *file, *want;
    } cases[] = {
        {"test.txt", "pass"},
        {"test2.txt", "pass"},
        {"badversion.txt", "permerror/key record version is not DKIM1"},
        {"badk.txt", "permerror/key type unknown or not matching a="},
        {"test_bad.txt", "permerror/key does not decode"},
        {"test_tlsrpt.txt", "permerror/key not for e-mail (s=)"},
    };
    g_autoptr(GBytes) signed_msg =
        sign_test_message("dkim/dkimpy/data/test.message", "dkim/dkimpy/data/test.private", "test",
                          "example.com", DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE, FALSE);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *rel = g_strconcat("dkim/dkimpy/data/", cases[i].file, NULL);
        g_autofree char *txt = conf_text(rel);
        g_strstrip(txt);
        g_autoptr(GHashTable) zone = zone_new("test._domainkey.example.com", txt, NULL);
        g_autofree char *got = run_verify(signed_msg, zone);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    g_test_message("expectations.yaml dkimpy key_records: 6/6 as expected");
}

static void
test_dkimpy_key_pairs(void)
{
    g_autofree char *probe = conf_text("dkim/dkimpy/data/test.txt");
    if (probe == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    static const struct {
        const char *priv, *pub, *want;
    } cases[] = {
        {"data/test.private", "@data/test.txt", "pass"},
        {"data/test2.private", "@data/test2.txt", "pass"},
        {"data/1024_testkey.key", "@data/1024_testkey_wo_markers.pub.txt", "pass"},
        {"data/1024_testkey.key", "@data/1024_testkey_wo_markers.pub.rsa.txt", "pass"},
        {"data/2048_testkey.key", "@data/2048_testkey_wo_markers.pub.txt", "pass"},
        {"data/2048_testkey.key", "@data/2048_testkey_wo_markers.pub.rsa.txt", "pass"},
        {"data/2048_testkey_PKCS8.key", "@data/2048_testkey_PKCS8.key.pub.txt", "pass"},
        {"data/ed25519test.key", "@data/ed25519test.dns", "pass"},
        {"data/rfc8032_7_1.key", "k=ed25519; p=" RFC8463_ED_PUB, "pass"},
        {"canonical.com.512.private.pem",
         "k=rsa; s=email; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52T"
         "b/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==",
         "policy/RSA key shorter than allowed"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *kf = g_strconcat("dkim/dkimpy/", cases[i].priv, NULL);
        g_autoptr(GBytes) msg =
            sign_test_message("dkim/dkimpy/data/test.message", kf, "sel", "example.com",
                              DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE, FALSE);
        g_autofree char *txt = NULL;
        if (cases[i].pub[0] == '@') {
            g_autofree char *pf = g_strconcat("dkim/dkimpy/", cases[i].pub + 1, NULL);
            txt = g_strstrip(conf_text(pf));
        } else {
            txt = g_strdup(cases[i].pub);
        }
        g_autoptr(GHashTable) zone = zone_new("sel._domainkey.example.com", txt, NULL);
        g_autofree char *got = run_verify(msg, zone);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    g_test_message("expectations.yaml dkimpy key_pairs: 10/10 as expected");
}

/* ---- signing round trips (dkimpy behaviours) ---- */

static void
round_trip_canon(const char *msg_file, const char *key_file, const char *record)
{
    static const DkimCanon combos[4][2] = {{DKIM_CANON_SIMPLE, DKIM_CANON_SIMPLE},
                                           {DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED},
                                           {DKIM_CANON_RELAXED, DKIM_CANON_SIMPLE},
                                           {DKIM_CANON_RELAXED, DKIM_CANON_RELAXED}};
    g_autoptr(GHashTable) zone = zone_new("test._domainkey.example.com", record, NULL);
    for (guint i = 0; i < 4; i++) {
        g_autoptr(GBytes) m = sign_test_message(msg_file, key_file, "test", "example.com",
                                                combos[i][0], combos[i][1], FALSE);
        g_autofree char *got = run_verify(m, zone);
        g_assert_cmpstr(got, ==, "pass");
    }
}

static void
test_round_trips(void)
{
    g_autofree char *rsa_rec = conf_text("dkim/dkimpy/data/test.txt");
    if (rsa_rec == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    g_strstrip(rsa_rec);
    const char *msgf = "dkim/dkimpy/data/test.message", *keyf = "dkim/dkimpy/data/test.private";
    round_trip_canon(msgf, keyf, rsa_rec);
    round_trip_canon("dkim/dkimpy/data/ed25519test.msg", "dkim/dkimpy/data/ed25519test.key",
                     "k=ed25519; p=yi50DjK5O9pqbFpNHklsv9lqaS0ArSYu02qp1S0DW1Y=");
    g_autoptr(GHashTable) zone = zone_new("test._domainkey.example.com", rsa_rec, NULL);
    g_autoptr(GBytes) s = sign_test_message(msgf, keyf, "test", "example.com", DKIM_CANON_RELAXED,
                                            DKIM_CANON_RELAXED, FALSE);
    g_autoptr(GBytes) foo = bytes_concat(s, "", "foo");
    g_autofree char *r1 = run_verify(foo, zone);
    g_assert_cmpstr(r1, ==, "fail/body hash mismatch");
    g_autoptr(GBytes) sl = sign_test_message(msgf, keyf, "test", "example.com", DKIM_CANON_SIMPLE,
                                             DKIM_CANON_SIMPLE, TRUE);
    g_assert_nonnull(g_strstr_len(g_bytes_get_data(sl, NULL), -1, " l="));
    g_autoptr(GBytes) more = bytes_concat(sl, "", "appended text\r\n");
    g_autofree char *r2 = run_verify(more, zone);
    g_assert_cmpstr(r2, ==, "pass"); /* RFC 6376 8.2: l= leaves the rest unsigned */
    g_autoptr(GBytes) xfoo = bytes_concat(s, "X-Foo: bar\r\n", "");
    g_autofree char *r3 = run_verify(xfoo, zone);
    g_assert_cmpstr(r3, ==, "pass");
    g_autoptr(GBytes) from_above = bytes_concat(s, "From: evil@example.org\r\n", "");
    g_autofree char *r4 = run_verify(from_above, zone);
    g_assert_cmpstr(r4, ==, "fail/signature mismatch");
    g_autoptr(GBytes) from_below = replace_once(s, "To: ", "From: evil@example.org\r\nTo: ");
    g_autofree char *r5 = run_verify(from_below, zone);
    g_assert_cmpstr(r5, ==, "fail/signature mismatch");

    g_autoptr(GBytes) nofrom = conf_message("dkim/dkimpy/data/test_nofrom.message");
    g_autoptr(DkimPrivateKey) key = load_key(keyf);
    DkimSignConfig cfg = {.domain = "example.com", .selector = "test"};
    g_autoptr(GError) error = NULL;
    gsize nlen;
    const guint8 *nd = g_bytes_get_data(nofrom, &nlen);
    g_autofree char *none = dkim_sign(nd, nlen, &cfg, key, &error);
    g_assert_null(none);
    g_assert_error(error, DKIM_ERROR, DKIM_ERROR_MESSAGE);

    g_autoptr(GBytes) w =
        sign_test_message("dkim/dkimpy/data/rfc6376.w1258.msg", keyf, "test", "example.com",
                          DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, FALSE);
    g_autofree char *r6 = run_verify(w, zone);
    g_assert_cmpstr(r6, ==, "pass");
    g_test_message("expectations.yaml dkimpy signing_round_trips: 8/8 as expected");
}

static void
test_mbox_all_headers(void)
{
    g_autoptr(GBytes) msg = conf_message("dkim/dkimpy/data/message.mbox");
    if (msg == NULL) {
        g_test_skip("conformance folder absent");
        return;
    }
    /* sign every header field (the repeated Received ones too) */
    DkimMsgParts p;
    dkim_msg_split(g_bytes_get_data(msg, NULL), g_bytes_get_size(msg), &p);
    g_assert_cmpuint(p.fields->len, >, 5);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < p.fields->len; i++) {
        DkimField *f = &g_array_index(p.fields, DkimField, i);
        g_ptr_array_add(names, g_strndup(f->raw, f->name_len));
    }
    g_ptr_array_add(names, NULL);
    dkim_msg_parts_clear(&p);
    g_autoptr(DkimPrivateKey) key = load_key("dkim/dkimpy/data/test.private");
    DkimSignConfig cfg = {.domain = "example.com",
                          .selector = "test",
                          .headers = (const char *const *)names->pdata,
                          .header_canon = DKIM_CANON_RELAXED};
    g_autoptr(GBytes) s = sign_prepend(msg, &cfg, key);
    g_ptr_array_unref(names);
    g_autoptr(GHashTable) zone =
        zone_new("test._domainkey.example.com", "k=rsa; p=" RFC8463_RSA_PUB, NULL);
    /* the message's own kitterman.com signature has no key here */
    g_autofree char *got = run_verify(s, zone);
    g_assert_cmpstr(got, ==, "pass,permerror/no key for signature");
    g_autoptr(GBytes) tampered = replace_once(s, "Received: ", "Received:  x ");
    g_autofree char *got2 = run_verify(tampered, zone);
    g_assert_cmpstr(got2, ==, "fail/signature mismatch,permerror/no key for signature");
}

/* ---- signature tags (expectations.yaml signature_tag_validation) ---- */

static DkimReason
sig_reason(const char *value, gint64 now)
{
    DkimSigInfo s;
    dkim_sig_parse(value, strlen(value), now, &s);
    DkimReason r = s.reason;
    dkim_sig_info_clear(&s);
    return r;
}

static void
test_sig_tags(void)
{
    const char *head = "a=rsa-sha256; c=simple/simple; d=kitterman.com; s=2007-00; "
                       "h=From:To:Subject:Date:Cc:MIME-Version:Content-Type:"
                       "Content-Transfer-Encoding:Message-Id; "
                       "bh=n0HUwGCP28PkesXBPH82Kboy8LhNFWU9zUISIpAez7M=; b=dGVzdA==; ";
    gint64 now = 1299525800;
    struct {
        const char *extra;
        gint64 now;
        DkimReason want;
    } cases[] = {
        {"v=1; i=scott@Kitterman.com; t=1299525798", now, DKIM_REASON_NONE},
        {"v=2; i=scott@Kitterman.com; t=1299525798", now, DKIM_REASON_SIG_VERSION},
        {"v=1; t=1299525798; x=1399525798", now, DKIM_REASON_NONE},
        {"v=1; t=1299525798; x=1399525798", 1700000000, DKIM_REASON_SIG_EXPIRED},
        {"v=1; t=1400000000; x=1399525798", now, DKIM_REASON_SIG_X_BEFORE_T},
        {"v=1; t=1299525798; x=1299925800", now, DKIM_REASON_NONE}, /* now + 400000 */
        {"v=1; x=1299439400", now, DKIM_REASON_SIG_EXPIRED},        /* now - 86400 */
        {"v=1; i=scott@kitterman.com.evil.org", now, DKIM_REASON_SIG_IDENTITY},
        {"v=1; i=scott@mail.kitterman.com", now, DKIM_REASON_NONE},
        {"v=1; i=scott@xkitterman.com", now, DKIM_REASON_SIG_IDENTITY},
        {"v=1; a=rsa-sha1", now, DKIM_REASON_SIG_SYNTAX}, /* duplicate a= */
        {"v=1; q=http", now, DKIM_REASON_SIG_QUERY_METHOD},
        {"v=1; l=12x", now, DKIM_REASON_SIG_SYNTAX},
        {"x=5", now, DKIM_REASON_SIG_MISSING_TAG},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *v = g_strconcat(head, cases[i].extra, NULL);
        g_assert_cmpstr(dkim_reason_name(sig_reason(v, cases[i].now)), ==,
                        dkim_reason_name(cases[i].want));
    }
    g_assert_cmpint(sig_reason("v=1; a=rsa-sha256; d=a.b; s=s; h=To; bh=dGVzdA==; b=dGVzdA==", 0),
                    ==, DKIM_REASON_SIG_FROM_UNSIGNED);
    g_assert_cmpint(sig_reason("v=1; a=rsa-sha1; d=a.b; s=s; h=From; bh=dGVzdA==; b=dGVzdA==", 0),
                    ==, DKIM_REASON_SIG_ALGORITHM);
    g_assert_cmpint(
        sig_reason("v=1; a=rsa-sha256; c=relaxed/stressed; d=a.b; s=s; h=From; bh=dA==; b=dA==", 0),
        ==, DKIM_REASON_SIG_CANON);
    g_assert_cmpint(sig_reason("v=1; a=rsa-sha256; d=a.b; s=s; h=From; bh=dA==; b=d!==", 0), ==,
                    DKIM_REASON_SIG_SYNTAX);
    g_test_message("expectations.yaml signature_tag_validation: 8/8 (+10 extra) as expected");
}

/* ---- the sans-I/O flow ---- */

static GBytes *
flow_signed(const DkimSignConfig *cfg)
{
    const char *m = "From: Joe <joe@example.com>\r\nTo: a@example.net\r\nSubject: hi\r\n\r\n"
                    "body  text \r\n\r\n";
    g_autoptr(GBytes) msg = g_bytes_new_static(m, strlen(m));
    g_autoptr(DkimPrivateKey) key = dkim_private_key_new_ed25519_b64(RFC8463_ED_SEED, NULL);
    return sign_prepend(msg, cfg, key);
}

static void
test_flow_dns_outcomes(void)
{
    DkimSignConfig cfg = {.domain = "example.com",
                          .selector = "sel",
                          .now_unix = 1000,
                          .header_canon = DKIM_CANON_RELAXED,
                          .body_canon = DKIM_CANON_RELAXED};
    g_autoptr(GBytes) m = flow_signed(&cfg);
    static const struct {
        const char *txt, *want;
    } cases[] = {
        {"k=ed25519; p=" RFC8463_ED_PUB, "pass"},
        {"!SERVFAIL", "temperror/key lookup failed"},
        {"!TIMEOUT", "temperror/key lookup failed"},
        {"!NXDOMAIN", "permerror/no key for signature"},
        {"!EMPTY", "permerror/no key for signature"},
        {"k=ed25519; p=", "permerror/key revoked"},
        {"k=rsa; p=" RFC8463_RSA_PUB, "permerror/key type unknown or not matching a="},
        {"k=ed25519; t=s; p=" RFC8463_ED_PUB, "pass"},
        {"v=DKIM1; k=ed25519; h=sha1; p=" RFC8463_ED_PUB, "permerror/key does not allow sha256"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GHashTable) zone = zone_new("sel._domainkey.example.com", cases[i].txt, NULL);
        g_autofree char *got = run_verify(m, zone);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
    /* t=s with i= in a subdomain: refused; t=y: pass, flagged */
    cfg.identity = "joe@mail.example.com";
    g_autoptr(GBytes) sub = flow_signed(&cfg);
    g_autoptr(GHashTable) strict =
        zone_new("sel._domainkey.example.com", "k=ed25519; t=s; p=" RFC8463_ED_PUB, NULL);
    g_autofree char *got = run_verify(sub, strict);
    g_assert_cmpstr(got, ==, "permerror/key requires i= domain to equal d= (t=s)");
    gsize len;
    const guint8 *d = g_bytes_get_data(sub, &len);
    g_autoptr(DkimVerifier) v = dkim_verifier_new(d, len, 2000);
    DkimVerifierAct act;
    g_assert_true(dkim_verifier_poll(v, &act));
    g_autofree char *s = dkim_verifier_act_to_string(&act);
    g_assert_cmpstr(s, ==, "NEED_KEY 1 sel._domainkey.example.com");
    dkim_verifier_act_clear(&act);
    g_assert_false(dkim_verifier_poll(v, &act)); /* waiting for the answer */
    const char *recs[] = {"not a key", "k=ed25519; t=y; p=" RFC8463_ED_PUB, NULL};
    dkim_verifier_answer(v, 1, DKIM_DNS_FOUND, recs);
    g_assert_true(dkim_verifier_poll(v, &act));
    g_assert_cmpint(act.kind, ==, DKIM_VERIFIER_ACT_DONE);
    g_assert_false(dkim_verifier_poll(v, &act));
    const DkimSigResult *r = dkim_verifier_result(v, 0);
    g_assert_cmpint(r->result, ==, DKIM_RESULT_PASS);
    g_assert_true(r->is_testing);
    g_assert_cmpstr(r->identity, ==, "joe@mail.example.com");
    g_assert_cmpint(r->alg, ==, DKIM_ALG_ED25519_SHA256);
}

static void
test_flow_expiry_and_limits(void)
{
    DkimSignConfig cfg = {
        .domain = "example.com", .selector = "sel", .now_unix = 1000, .expire_after = 3600};
    g_autoptr(GBytes) m = flow_signed(&cfg);
    g_autoptr(GHashTable) zone =
        zone_new("sel._domainkey.example.com", "k=ed25519; p=" RFC8463_ED_PUB, NULL);
    gsize len;
    const guint8 *d = g_bytes_get_data(m, &len);
    DkimVerifyConfig vc = {.now_unix = 4000};
    guint q = 0;
    g_autofree char *ok = run_verify_full(d, len, &vc, zone, &q);
    g_assert_cmpstr(ok, ==, "pass");
    vc.now_unix = 4601;
    g_autofree char *late = run_verify_full(d, len, &vc, zone, &q);
    g_assert_cmpstr(late, ==, "permerror/signature expired");
    g_assert_cmpuint(q, ==, 0); /* rejected before any DNS query */

    /* 12 signatures: 10 verified (answered in reverse order), 2 neutral */
    GString *many = g_string_new(NULL);
    for (guint i = 0; i < 12; i++) {
        g_autofree char *f = g_strdup_printf("DKIM-Signature: v=1; a=ed25519-sha256; d=example.com;"
                                             " s=s%u; h=from; bh=dA==; b=dA==\r\n",
                                             i);
        g_string_append(many, f);
    }
    g_string_append(many, "From: a@example.com\r\n\r\nx\r\n");
    g_autoptr(DkimVerifier) v = dkim_verifier_new((const guint8 *)many->str, many->len, 0);
    g_string_free(many, TRUE);
    guint32 ids[16];
    guint n = 0;
    DkimVerifierAct act;
    while (dkim_verifier_poll(v, &act) && act.kind == DKIM_VERIFIER_ACT_NEED_KEY) {
        ids[n++] = act.query_id;
        dkim_verifier_act_clear(&act);
    }
    g_assert_cmpuint(n, ==, DKIM_MAX_SIGNATURES);
    g_assert_false(dkim_verifier_is_done(v));
    for (guint i = n; i-- > 0;)
        dkim_verifier_answer(v, ids[i], DKIM_DNS_SERVFAIL, NULL);
    g_assert_true(dkim_verifier_poll(v, &act));
    g_assert_cmpint(act.kind, ==, DKIM_VERIFIER_ACT_DONE);
    g_assert_cmpuint(dkim_verifier_n_results(v), ==, 12);
    g_assert_cmpint(dkim_verifier_result(v, 9)->result, ==, DKIM_RESULT_TEMPERROR);
    g_assert_cmpint(dkim_verifier_result(v, 10)->result, ==, DKIM_RESULT_NEUTRAL);
    g_assert_cmpint(dkim_verifier_result(v, 11)->reason, ==, DKIM_REASON_TOO_MANY_SIGNATURES);

    /* unsigned and empty messages: DONE at once */
    g_autoptr(DkimVerifier) e = dkim_verifier_new(NULL, 0, 0);
    g_assert_true(dkim_verifier_poll(e, &act));
    g_assert_cmpint(act.kind, ==, DKIM_VERIFIER_ACT_DONE);
    g_assert_cmpuint(dkim_verifier_n_results(e), ==, 0);
}

/* Every truncation of a signed message verifies without crashing, and only
 * the whole message (or one cut inside its trailing line ends) passes. */
static void
test_flow_truncations(void)
{
    DkimSignConfig cfg = {.domain = "example.com", .selector = "sel", .now_unix = 1000};
    g_autoptr(GBytes) m = flow_signed(&cfg);
    g_autoptr(GHashTable) zone =
        zone_new("sel._domainkey.example.com", "k=ed25519; p=" RFC8463_ED_PUB, NULL);
    gsize len;
    const guint8 *d = g_bytes_get_data(m, &len);
    DkimVerifyConfig vc = {.now_unix = 1000};
    for (gsize cut = 0; cut <= len; cut++) {
        g_autofree char *got = run_verify_full(d, cut, &vc, zone, NULL);
        /* the body ends "text \r\n\r\n": simple canonicalization drops the
         * empty line and adds a missing final CRLF, so these cuts still pass */
        if (cut == len || cut == len - 2 || cut == len - 4)
            g_assert_cmpstr(got, ==, "pass");
        else if (g_str_has_prefix(got, "pass"))
            g_error("cut %zu of %zu passes", cut, len);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/dkim/canon/literals", test_canon_literals);
    g_test_add_func("/proto/dkim/canon/relaxed-reference", test_canon_relaxed_reference);
    g_test_add_func("/proto/dkim/canon/yaml", test_canon_yaml);
    g_test_add_func("/proto/dkim/split-and-strip", test_split_and_strip);
    g_test_add_func("/proto/dkim/tag-lists", test_tag_lists);
    g_test_add_func("/proto/dkim/key-records", test_key_records);
    g_test_add_func("/proto/dkim/rfc8463/verify", test_rfc8463_verify);
    g_test_add_func("/proto/dkim/rfc8463/resign", test_rfc8463_resign);
    g_test_add_func("/proto/dkim/rfc6376/examples", test_rfc6376_examples);
    g_test_add_func("/proto/dkim/dkimpy/fixed", test_dkimpy_fixed);
    g_test_add_func("/proto/dkim/dkimpy/key-records", test_dkimpy_key_records);
    g_test_add_func("/proto/dkim/dkimpy/key-pairs", test_dkimpy_key_pairs);
    g_test_add_func("/proto/dkim/round-trips", test_round_trips);
    g_test_add_func("/proto/dkim/mbox-all-headers", test_mbox_all_headers);
    g_test_add_func("/proto/dkim/sig-tags", test_sig_tags);
    g_test_add_func("/proto/dkim/flow/dns-outcomes", test_flow_dns_outcomes);
    g_test_add_func("/proto/dkim/flow/expiry-and-limits", test_flow_expiry_and_limits);
    g_test_add_func("/proto/dkim/flow/truncations", test_flow_truncations);
    return g_test_run();
}
