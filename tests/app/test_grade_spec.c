/* SPDX-License-Identifier: MIT
 * Tests for app/grade_spec: a complete lab.yaml read into a GradeSpec, one
 * test per error with its exact "FILE:LINE:COL: message", and robustness
 * on garbage (the fuzzing entry point grade_spec_load_string).
 */
#include <string.h>

#include <glib.h>

#include "app/grade_node.h"
#include "app/grade_spec.h"

static const char *const good_spec =
    "title: Open relay\n"
    "summary: Close it.\n"
    "needs: [relay_test, spammer]\n"
    "scenario: scenario.yaml\n"
    "seeds: [4, 5]\n"
    "submission:\n"
    "  - file: relay.yaml\n"
    "    merge: true\n"
    "    allow: [nodes.out.polito.it.relay, dns.polito.it]\n"
    "  - {file: answers.yaml, answers: true}\n"
    "variants:\n"
    "  password: {choose: [sunshine, dragon]}\n"
    "  octet: {range: [10, 250]}\n"
    "checks:\n"
    "  - name: Relay closed\n"
    "    points: 4\n"
    "    expect: {relay_tests: all_refused, target: out.polito.it}\n"
    "    feedback: Look at relay.test.\n"
    "  - {name: Password, points: 1.5, answer: password, equals: \"${var.password}\", "
    "hidden: true, nocase: yes}\n"
    "  - {name: Path, points: 3, answer: path, equals_path: m3}\n"
    "  - {name: Which, points: 0, answer: which, one_of: [a, b]}\n";

static void
test_spec_good(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GradeSpec) s =
        grade_spec_load_string(good_spec, strlen(good_spec), "lab.yaml", "labs/03-x", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(s->title, ==, "Open relay");
    g_assert_cmpstr(s->summary, ==, "Close it.");
    g_assert_cmpstr(s->name, ==, "03-x");
    g_assert_cmpuint(g_strv_length(s->needs), ==, 2);
    g_assert_cmpstr(s->scenario, ==, "labs/03-x/scenario.yaml");
    g_assert_cmpuint(s->seeds->len, ==, 2);
    g_assert_cmpuint(g_array_index(s->seeds, guint64, 1), ==, 5);
    g_assert_cmpuint(s->files->len, ==, 2);
    const GradeFile *f = s->files->pdata[0];
    g_assert_true(f->merge);
    g_assert_false(f->answers);
    g_assert_cmpstr(f->allow[1], ==, "dns.polito.it");
    g_assert_true(grade_spec_answers_file(s) == s->files->pdata[1]);
    g_assert_cmpuint(s->vars->len, ==, 2);
    const GradeVar *v = s->vars->pdata[1];
    g_assert_cmpint(v->kind, ==, GRADE_VAR_RANGE);
    g_assert_cmpint(v->lo, ==, 10);
    g_assert_cmpint(v->hi, ==, 250);
    g_assert_cmpuint(s->checks->len, ==, 4);
    const GradeCheck *c = s->checks->pdata[0];
    g_assert_cmpint(c->kind, ==, GRADE_CHECK_EXPECT);
    g_assert_cmpstr(c->feedback, ==, "Look at relay.test.");
    g_assert_nonnull(grade_node_get(c->expect, "relay_tests"));
    c = s->checks->pdata[1];
    g_assert_cmpint(c->kind, ==, GRADE_CHECK_ANSWER);
    g_assert_true(c->hidden);
    g_assert_true(c->nocase);
    g_assert_cmpstr(c->equals->value, ==, "${var.password}");
    g_assert_cmpfloat(c->points, ==, 1.5);
    g_assert_cmpstr(((GradeCheck *)s->checks->pdata[2])->equals_path, ==, "m3");
    g_assert_cmpfloat(s->max_points, ==, 8.5);
}

static void
test_spec_default_seeds(void)
{
    const char *text = "title: t\nscenario: s.yaml\nsubmission: [{file: a.yaml, answers: true}]\n"
                       "checks: [{name: c, points: 1, answer: x, equals: y}]\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(GradeSpec) s = grade_spec_load_string(text, strlen(text), "lab.yaml", ".", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(s->seeds->len, ==, 3);
    g_assert_cmpuint(g_strv_length(s->needs), ==, 0);
}

/* Replaces the first occurrence of from in the good spec with to and
 * checks the exact error. */
static void
check_error(const char *from, const char *to, const char *want)
{
    g_autoptr(GString) text = g_string_new(good_spec);
    const char *at = strstr(text->str, from);
    g_assert_nonnull(at);
    gssize pos = at - text->str;
    g_string_erase(text, pos, (gssize)strlen(from));
    g_string_insert(text, pos, to);
    g_autoptr(GError) error = NULL;
    g_autoptr(GradeSpec) s = grade_spec_load_string(text->str, text->len, "lab.yaml", ".", &error);
    g_assert_null(s);
    g_assert_error(error, GRADE_ERROR, error->code);
    g_assert_cmpstr(error->message, ==, want);
}

static void
test_spec_errors(void)
{
    check_error("scenario:", "scenaro:",
                "lab.yaml:4:1: unknown key 'scenaro' in a grading spec (did you mean 'scenario'?)");
    check_error("title: Open relay\n", "", "lab.yaml:1:1: missing required key 'title'");
    check_error("seeds: [4, 5]", "seeds: [4, x]",
                "lab.yaml:5:12: a seed must be a non-negative number");
    check_error("seeds: [4, 5]", "seeds: []",
                "lab.yaml:5:8: 'seeds' must be a list of 1 to 64 numbers");
    check_error("    merge: true\n", "    merge: true\n    answers: true\n",
                "lab.yaml:7:5: a submission item needs exactly one of 'merge: true' and "
                "'answers: true'");
    check_error("file: relay.yaml", "file: ../relay.yaml",
                "lab.yaml:7:11: 'file' must be a plain file name (no '/', not starting with '.')");
    check_error("    allow: [nodes.out.polito.it.relay, dns.polito.it]\n", "",
                "lab.yaml:7:5: a merged file needs 'allow': the keys the student may set");
    check_error("{file: answers.yaml", "{file: relay.yaml",
                "lab.yaml:10:5: file 'relay.yaml' is listed twice");
    check_error("range: [10, 250]", "range: [250, 10]",
                "lab.yaml:13:18: 'range' must be [LOW, HIGH], two numbers with LOW <= HIGH");
    check_error("{choose: [sunshine, dragon]}", "{choose: [a], range: [1, 2]}",
                "lab.yaml:12:13: variant 'password' needs exactly one of 'choose' and 'range'");
    check_error("  password:", "  pass-word:",
                "lab.yaml:12:3: a variant name is letters, digits and '_', not 'pass-word'");
    check_error("    points: 4\n", "", "lab.yaml:15:5: missing required key 'points'");
    check_error("    points: 4\n", "    points: four\n",
                "lab.yaml:16:13: 'points' must be a number from 0 to 1000000, not 'four'");
    check_error("    feedback: Look at relay.test.\n", "    feedback: x\n    answer: a\n",
                "lab.yaml:15:5: check 'Relay closed' needs exactly one of 'expect' and 'answer'");
    check_error("answer: path, equals_path: m3", "answer: path",
                "lab.yaml:20:5: an answer check needs exactly one of 'equals', 'one_of', "
                "'equals_path' and 'equals_exposure'");
    check_error("answer: path, equals_path: m3", "answer: path, equals_exposure: m3",
                "lab.yaml:20:60: 'equals_exposure' must be a mapping such as {message: m1, case: "
                "tls, column: read}");
    check_error("answer: path, equals_path: m3",
                "answer: path, equals_exposure: {message: m3, case: ssl}",
                "lab.yaml:20:80: 'case' must be one of actual, none, tls, dkim, smime-signed, "
                "smime-encrypted");
    check_error("answer: path, equals_path: m3",
                "answer: path, equals_exposure: {message: m3, column: write}",
                "lab.yaml:20:82: 'column' must be 'read' or 'alter'");
    check_error("one_of: [a, b]", "one_of: []",
                "lab.yaml:21:53: 'one_of' must be a non-empty list of strings");
    check_error("hidden: true", "hidden: maybe", "lab.yaml:19:88: 'hidden' must be true or false");
    check_error("    feedback: Look", "    nocase: true\n    feedback: Look",
                "lab.yaml:18:5: 'nocase' belongs to answer checks");
    check_error("checks:\n", "checks: {}\nx:\n",
                "lab.yaml:15:1: unknown key 'x' in a grading spec (keys: title, summary, needs, "
                "scenario, seeds, submission, variants, checks)");
    check_error("needs: [relay_test, spammer]", "needs: {a: b}",
                "lab.yaml:3:8: 'needs' must be a list, not a mapping");
}

static void
test_spec_syntax_and_root(void)
{
    struct {
        const char *text, *want;
    } cases[] = {
        {"title: [x\n", "lab.yaml:2:1: YAML syntax error: did not find expected ',' or ']' while "
                        "parsing a flow sequence"},
        {"", "lab.yaml:1:1: a grading spec must be a mapping, not empty"},
        {"- a\n", "lab.yaml:1:1: a grading spec must be a mapping, not a list"},
        {"title: t\ntitle: u\n", "lab.yaml:2:1: duplicate key 'title' in a grading spec"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GradeSpec) s =
            grade_spec_load_string(cases[i].text, strlen(cases[i].text), "lab.yaml", ".", &error);
        g_assert_null(s);
        g_assert_nonnull(error);
        g_assert_cmpstr(error->message, ==, cases[i].want);
    }
}

static void
test_spec_robust(void)
{
    /* Every prefix of the good spec, and garbage: an error or a spec,
     * never a crash. */
    gsize len = strlen(good_spec);
    for (gsize n = 0; n <= len; n++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GradeSpec) s = grade_spec_load_string(good_spec, n, "lab.yaml", ".", &error);
        g_assert_true((s == NULL) == (error != NULL));
    }
    static const char alphabet[] = "ab:-[]{}, \n\"'&*!|>%@`#";
    GRand *r = g_rand_new_with_seed(9);
    for (int i = 0; i < 200; i++) {
        char buf[64];
        for (gsize j = 0; j < sizeof(buf); j++)
            buf[j] = alphabet[g_rand_int_range(r, 0, (gint32)sizeof(alphabet) - 1)];
        g_autoptr(GError) error = NULL;
        g_autoptr(GradeSpec) s = grade_spec_load_string(buf, sizeof(buf), "x", ".", &error);
        g_assert_true((s == NULL) == (error != NULL));
    }
    g_rand_free(r);
    /* Aliases that would expand exponentially. */
    GString *bomb = g_string_new("l0: &l0 [x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
        g_string_append_printf(bomb, "l%d: &l%d [", i, i);
        for (int j = 0; j < 8; j++)
            g_string_append_printf(bomb, "%s*l%d", j ? ", " : "", i - 1);
        g_string_append(bomb, "]\n");
    }
    g_autoptr(GError) error = NULL;
    GradeSpec *s = grade_spec_load_string(bomb->str, bomb->len, "bomb.yaml", ".", &error);
    g_assert_null(s);
    g_assert_nonnull(error);
    g_string_free(bomb, TRUE);
}

/* "Billion laughs": nine levels of ten aliases would expand to 10^9 nodes.
 * The tree builder stops at its node budget and names where. */
static void
test_spec_alias_bomb(void)
{
    GString *y = g_string_new("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 9; i++)
        g_string_append_printf(y, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                                  "*a%d, *a%d]\n",
                               i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                               i - 1);
    g_autoptr(GError) error = NULL;
    GradeNode *n = grade_node_parse(y->str, y->len, "bomb.yaml", &error);
    g_assert_null(n);
    g_assert_error(error, GRADE_ERROR, GRADE_ERROR_SYNTAX);
    g_assert_true(g_str_has_prefix(error->message, "bomb.yaml:"));
    g_assert_nonnull(strstr(error->message, "too large or too deep (at most 1000000 nodes"));
    g_string_free(y, TRUE);

    /* 300 nested lists: over the depth bound, located at the first one too deep. */
    GString *deep = g_string_new("k: ");
    for (int i = 0; i < 300; i++)
        g_string_append_c(deep, '[');
    for (int i = 0; i < 300; i++)
        g_string_append_c(deep, ']');
    g_string_append_c(deep, '\n');
    g_clear_error(&error);
    g_assert_null(grade_node_parse(deep->str, deep->len, "deep.yaml", &error));
    g_assert_error(error, GRADE_ERROR, GRADE_ERROR_SYNTAX);
    g_assert_true(g_str_has_prefix(error->message, "deep.yaml:1:"));
    g_assert_nonnull(strstr(error->message, "200 levels"));
    g_string_free(deep, TRUE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/grade-spec/good", test_spec_good);
    g_test_add_func("/app/grade-spec/default-seeds", test_spec_default_seeds);
    g_test_add_func("/app/grade-spec/errors", test_spec_errors);
    g_test_add_func("/app/grade-spec/syntax-and-root", test_spec_syntax_and_root);
    g_test_add_func("/app/grade-spec/robust", test_spec_robust);
    g_test_add_func("/app/grade-spec/alias-bomb", test_spec_alias_bomb);
    return g_test_run();
}
