/* SPDX-License-Identifier: MIT
 * Tests for app/grade_merge (labs/README.md, "Merge rules"): mappings
 * merge recursively, lists of named mappings merge by name (new names
 * appended), other lists and scalars replace; the allow-list (prefixes,
 * wildcards, refusals at the student's key with FILE:LINE:COL);
 * ${var.NAME} substitution; the variant hash; and errors found by the
 * scenario loader after the merge naming the student's file.
 */
#include <string.h>

#include <glib.h>

#include "app/grade_exposure.h"
#include "app/grade_merge.h"
#include "app/grade_run.h"

static GradeNode *
parse(const char *text, const char *file)
{
    g_autoptr(GError) error = NULL;
    GradeNode *n = grade_node_parse(text, strlen(text), file, &error);
    g_assert_no_error(error);
    return n;
}

/* The scalar at a path of keys and [index]es, e.g. "a/b[1]". */
static const char *
at(const GradeNode *n, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    for (char **p = parts; *p && n; p++) {
        char *br = strchr(*p, '[');
        if (br != NULL)
            *br = '\0';
        if (**p)
            n = grade_node_get(n, *p);
        if (br != NULL && n != NULL) {
            guint i = (guint)atoi(br + 1);
            n = n->kind == GRADE_NODE_SEQ && i < n->items->len ? n->items->pdata[i] : NULL;
        }
    }
    return n != NULL && n->kind == GRADE_NODE_SCALAR ? n->value : NULL;
}

static void
test_merge_mappings(void)
{
    g_autoptr(GradeNode) base = parse("a: {x: 1, y: 2}\nb: [1, 2]\nc: keep\n", "base.yaml");
    g_autoptr(GradeNode) stu = parse("a: {y: 3, z: 4}\nb: [9]\n", "s.yaml");
    const char *allow[] = {"a", "b", NULL};
    g_autoptr(GError) error = NULL;
    g_assert_true(grade_merge(base, stu, allow, &error));
    g_assert_cmpstr(at(base, "a/x"), ==, "1");
    g_assert_cmpstr(at(base, "a/y"), ==, "3");
    g_assert_cmpstr(at(base, "a/z"), ==, "4");
    g_assert_cmpstr(at(base, "b[0]"), ==, "9");
    g_assert_null(at(base, "b[1]")); /* a list of scalars is replaced */
    g_assert_cmpstr(at(base, "c"), ==, "keep");
    /* Each node keeps its file. */
    GradeNode *y = grade_node_get(grade_node_get(base, "a"), "y");
    g_assert_cmpstr(y->file, ==, "s.yaml");
    g_assert_cmpuint(y->line, ==, 1);
    g_assert_cmpuint(y->col, ==, 8);
    g_assert_cmpstr(grade_node_get(grade_node_get(base, "a"), "x")->file, ==, "base.yaml");
}

static void
test_merge_by_name(void)
{
    g_autoptr(GradeNode) base = parse("nodes:\n"
                                      "  - {name: n1, ip: 1.1.1.1, relay: {domains: [d]}}\n"
                                      "  - {name: n2, ip: 2.2.2.2}\n",
                                      "base.yaml");
    g_autoptr(GradeNode) stu = parse("nodes:\n"
                                     "  - {name: n3, role: ms}\n"
                                     "  - {name: n1, relay: {networks: [10.0.0.0/8]}}\n",
                                     "s.yaml");
    const char *allow[] = {"nodes", NULL};
    g_autoptr(GError) error = NULL;
    g_assert_true(grade_merge(base, stu, allow, &error));
    g_assert_cmpstr(at(base, "nodes[0]/name"), ==, "n1");
    g_assert_cmpstr(at(base, "nodes[0]/ip"), ==, "1.1.1.1");
    g_assert_cmpstr(at(base, "nodes[0]/relay/domains[0]"), ==, "d");
    g_assert_cmpstr(at(base, "nodes[0]/relay/networks[0]"), ==, "10.0.0.0/8");
    g_assert_cmpstr(at(base, "nodes[1]/name"), ==, "n2");
    g_assert_cmpstr(at(base, "nodes[2]/name"), ==, "n3"); /* appended */
    g_assert_cmpstr(at(base, "nodes[2]/role"), ==, "ms");
    g_assert_null(at(base, "nodes[3]/name"));
}

static void
test_merge_refused(void)
{
    const char *allow[] = {"nodes.n1.relay", "dns.polito.it", NULL};
    struct {
        const char *student, *want;
    } cases[] = {
        {"nodes:\n  - name: n1\n    ip: 9.9.9.9\n",
         "s.yaml:3:5: 'nodes.n1.ip' may not be set in this lab (you may set: nodes.n1.relay, "
         "dns.polito.it)"},
        {"nodes:\n  - {name: n2, relay: {open_relay: true}}\n",
         "s.yaml:2:12: 'nodes.n2' may not be set in this lab (you may set: nodes.n1.relay, "
         "dns.polito.it)"},
        {"dns:\n  example.com: {MX: [\"10 x\"]}\n",
         "s.yaml:2:3: 'dns.example.com' may not be set in this lab (you may set: nodes.n1.relay, "
         "dns.polito.it)"},
        {"seed: 4\n", "s.yaml:1:1: 'seed' may not be set in this lab (you may set: "
                      "nodes.n1.relay, dns.polito.it)"},
        {"nodes: [1, 2]\n",
         "s.yaml:1:9: each item of 'nodes' must be a mapping with a 'name' or a message 'id' "
         "(items merge by them)"},
        {"nodes:\n  - {name: n1}\n  - {ip: 1.2.3.4}\n",
         "s.yaml:3:5: each item of 'nodes' must be a mapping with a 'name' or a message 'id' "
         "(items merge by them)"},
        {"users: [1, 2]\n", "s.yaml:1:1: 'users' may not be set in this lab (you may set: "
                            "nodes.n1.relay, dns.polito.it)"},
        {"- a\n", "s.yaml:1:1: the file must hold a mapping of scenario keys, not a list"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GradeNode) base = parse(
            "nodes: [{name: n1, ip: 1.1.1.1}]\ndns: {polito.it: {MX: [\"10 mx\"]}}\n", "base.yaml");
        g_autoptr(GradeNode) stu = parse(cases[i].student, "s.yaml");
        g_autoptr(GError) error = NULL;
        g_assert_false(grade_merge(base, stu, allow, &error));
        g_assert_cmpstr(error->message, ==, cases[i].want);
    }
    /* Allowed: the relay of n1 (a new key there), a whole zone entry. */
    g_autoptr(GradeNode) base = parse("nodes: [{name: n1, ip: 1.1.1.1}]\n", "base.yaml");
    g_autoptr(GradeNode) ok = parse("nodes: [{name: n1, relay: {domains: [polito.it]}}]\n"
                                    "dns: {polito.it: {MX: [\"10 a\"], TXT: [x]}}\n",
                                    "s.yaml");
    g_autoptr(GError) error = NULL;
    g_assert_true(grade_merge(base, ok, allow, &error));
    g_assert_cmpstr(at(base, "nodes[0]/relay/domains[0]"), ==, "polito.it");
    g_assert_cmpstr(at(base, "dns/polito.it/TXT[0]"), ==, "x");
    /* An empty file changes nothing. */
    g_autoptr(GradeNode) empty = parse("", "s.yaml");
    g_assert_true(grade_merge(base, empty, allow, &error));
}

/* Events merge by their message's id, so that a lab can let a student set
 * one leaf of one message (events.m1.send.smime) and nothing else. */
static const char merge_events_base[] = "events:\n"
                                        "  - {at: 1s, send: {from: a, id: m1, body: hello}}\n"
                                        "  - {at: 2s, send: {from: a, id: m2, body: fee}}\n"
                                        "  - {at: 30s, fetch: {by: b}}\n";

static void
test_merge_by_id(void)
{
    const char *allow[] = {"events.m1.send.smime", "events.m2.send.smime", NULL};
    g_autoptr(GradeNode) base = parse(merge_events_base, "base.yaml");
    g_autoptr(GradeNode) stu = parse("events:\n"
                                     "  - send: {id: m2, smime: sign}\n"
                                     "  - send: {id: m1, smime: sign+encrypt}\n",
                                     "s.yaml");
    g_autoptr(GError) error = NULL;
    g_assert_true(grade_merge(base, stu, allow, &error));
    g_assert_cmpstr(at(base, "events[0]/send/smime"), ==, "sign+encrypt");
    g_assert_cmpstr(at(base, "events[0]/send/body"), ==, "hello");
    g_assert_cmpstr(at(base, "events[0]/at"), ==, "1s");
    g_assert_cmpstr(at(base, "events[1]/send/smime"), ==, "sign");
    g_assert_cmpstr(at(base, "events[1]/send/body"), ==, "fee");
    g_assert_cmpstr(at(base, "events[2]/fetch/by"), ==, "b"); /* kept, not matched */
    g_assert_null(at(base, "events[3]/at"));
    struct {
        const char *student, *want;
    } cases[] = {
        {"events:\n  - send: {id: m1, smime: none, body: hi}\n",
         "s.yaml:2:33: 'events.m1.send.body' may not be set in this lab (you may set: "
         "events.m1.send.smime, events.m2.send.smime)"},
        {"events:\n  - {at: 5s, send: {id: m1, smime: sign}}\n",
         "s.yaml:2:6: 'events.m1.at' may not be set in this lab (you may set: "
         "events.m1.send.smime, events.m2.send.smime)"},
        {"events:\n  - send: {id: m3, smime: sign}\n",
         "s.yaml:2:5: 'events.m3' may not be set in this lab (you may set: "
         "events.m1.send.smime, events.m2.send.smime)"},
        {"events:\n  - {at: 30s, fetch: {by: b}}\n",
         "s.yaml:2:5: each item of 'events' must be a mapping with a 'name' or a message 'id' "
         "(items merge by them)"},
        {"events:\n  - {at: 1s, send: {id: m1, smime: sign}, fetch: {by: b}}\n",
         "s.yaml:2:5: each item of 'events' must be a mapping with a 'name' or a message 'id' "
         "(items merge by them)"},
        {"events: []\n", "s.yaml:1:1: 'events' may not be set in this lab (you may set: "
                         "events.m1.send.smime, events.m2.send.smime)"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GradeNode) b = parse(merge_events_base, "base.yaml");
        g_autoptr(GradeNode) st = parse(cases[i].student, "s.yaml");
        g_autoptr(GError) err = NULL;
        g_assert_false(grade_merge(b, st, allow, &err));
        g_assert_cmpstr(err->message, ==, cases[i].want);
    }
    /* With the whole list allowed, a new message is appended. */
    const char *all[] = {"events", NULL};
    g_autoptr(GradeNode) b2 = parse(merge_events_base, "base.yaml");
    g_autoptr(GradeNode) add = parse("events: [{at: 3s, send: {from: a, id: m3}}]\n", "s.yaml");
    g_assert_true(grade_merge(b2, add, all, &error));
    g_assert_cmpstr(at(b2, "events[3]/send/id"), ==, "m3");
    g_assert_cmpstr(at(b2, "events[3]/at"), ==, "3s");
}

static void
test_allow_covers(void)
{
    const char *allow[] = {"nodes.*.example.com", "dns.example.com", NULL};
    gboolean way;
    g_assert_true(grade_allow_covers(allow, "nodes.mx.example.com", &way));
    g_assert_true(grade_allow_covers(allow, "nodes.mx.example.com.relay.domains", &way));
    g_assert_true(grade_allow_covers(allow, "dns.example.com", &way));
    g_assert_true(grade_allow_covers(allow, "dns.example.com.MX", &way));
    g_assert_false(grade_allow_covers(allow, "dns.example.com2", &way));
    g_assert_false(grade_allow_covers(allow, "nodes", &way));
    g_assert_true(way);
    g_assert_false(grade_allow_covers(allow, "dns", &way));
    g_assert_true(way);
    g_assert_false(grade_allow_covers(allow, "nodes.mx.polito.it.ip", &way));
    g_assert_false(grade_allow_covers(allow, "users", &way));
    g_assert_false(way);
    g_assert_false(grade_allow_covers(allow, "dns.polito.it", &way));
    g_assert_false(way);
}

static void
test_subst(void)
{
    g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(vars, "octet", "42");
    g_hash_table_insert(vars, "pw", "dragon");
    g_autoptr(GradeNode) n =
        parse("ip: \"203.0.113.${var.octet}\"\nl: [\"${var.pw}${var.pw}\", x]\n", "f.yaml");
    g_autoptr(GError) error = NULL;
    g_assert_true(grade_subst(n, vars, &error));
    g_assert_cmpstr(at(n, "ip"), ==, "203.0.113.42");
    g_assert_cmpstr(at(n, "l[0]"), ==, "dragondragon");
    g_autoptr(GradeNode) bad = parse("a: [ok, \"${var.nope}\"]\n", "f.yaml");
    g_assert_false(grade_subst(bad, vars, &error));
    g_assert_cmpstr(error->message, ==,
                    "f.yaml:1:9: unknown variant in '${var.nope}' (the lab declares it under "
                    "'variants')");
    g_clear_error(&error);
    g_autoptr(GradeNode) open = parse("a: \"${var.octet\"\n", "f.yaml");
    g_assert_false(grade_subst(open, vars, &error));
    g_assert_cmpstr(error->message, ==, "f.yaml:1:4: unterminated '${var.' in '${var.octet'");
}

static void
test_variants(void)
{
    /* SHA-256("alice\0octet"), first 8 octets big-endian. */
    g_autofree char *hex =
        g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)"alice\0octet", 11);
    hex[16] = '\0';
    g_assert_cmpuint(grade_variant_hash("alice", "octet"), ==, g_ascii_strtoull(hex, NULL, 16));
    g_assert_cmpuint(grade_variant_hash("alice", "octet"), !=, grade_variant_hash("bob", "octet"));
    g_assert_cmpuint(grade_variant_hash("alice", "octet"), !=, grade_variant_hash("alice", "pw"));

    const char *text = "title: t\nscenario: s.yaml\nsubmission: [{file: a.yaml, answers: true}]\n"
                       "variants: {pw: {choose: [a, b, c]}, octet: {range: [10, 12]}}\n"
                       "checks: [{name: c, points: 1, answer: x, equals: y}]\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(GradeSpec) spec = grade_spec_load_string(text, strlen(text), "lab.yaml", ".", &error);
    g_assert_no_error(error);
    g_autoptr(GHashTable) none = grade_variant_values(spec, NULL);
    g_assert_cmpstr(g_hash_table_lookup(none, "pw"), ==, "a");
    g_assert_cmpstr(g_hash_table_lookup(none, "octet"), ==, "10");
    gboolean seen[3] = {FALSE, FALSE, FALSE};
    for (int i = 0; i < 60; i++) {
        g_autofree char *id = g_strdup_printf("s%06d", i);
        g_autoptr(GHashTable) v1 = grade_variant_values(spec, id);
        g_autoptr(GHashTable) v2 = grade_variant_values(spec, id);
        g_assert_cmpstr(g_hash_table_lookup(v1, "pw"), ==, g_hash_table_lookup(v2, "pw"));
        gint64 o = g_ascii_strtoll(g_hash_table_lookup(v1, "octet"), NULL, 10);
        g_assert_cmpint(o, >=, 10);
        g_assert_cmpint(o, <=, 12);
        seen[o - 10] = TRUE;
        guint64 h = grade_variant_hash(id, "pw");
        static const char *const choices[] = {"a", "b", "c"};
        g_assert_cmpstr(g_hash_table_lookup(v1, "pw"), ==, choices[h % 3]);
    }
    g_assert_true(seen[0] && seen[1] && seen[2]);
}

static const char *const lab_text =
    "title: t\nscenario: base.yaml\n"
    "submission: [{file: s.yaml, merge: true, allow: [nodes.mx, nodes.out]}]\n"
    "checks:\n"
    "  - {name: c, points: 1, expect: {message: m1, status: delivered}}\n";

static const char *const base_text =
    "nodes:\n"
    "  - {name: a-pc, role: mua, ip: 10.0.0.5, user: a@x.test, msa: mx}\n"
    "  - {name: mx, role: msa, ip: 10.0.0.1}\n"
    "  - {name: out, role: mta, ip: 10.0.0.2}\n"
    "users: [{address: a@x.test}]\n"
    "events: [{at: 1s, send: {from: a-pc, to: [b@y.test], id: m1}}]\n"
    "expect: [{message: m1, status: bounced}]\n";

/* Merges student into the base above and loads it; returns the error. */
static char *
merged_error(const char *student, WorldSpec **out)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GradeSpec) spec =
        grade_spec_load_string(lab_text, strlen(lab_text), "lab.yaml", ".", &error);
    g_assert_no_error(error);
    g_free(spec->scenario);
    spec->scenario = g_strdup("base.yaml");
    g_autoptr(GradeNode) base = parse(base_text, "base.yaml");
    g_autoptr(GradeNode) stu = parse(student, "sub/s.yaml");
    g_assert_true(grade_merge(
        base, stu, (const char *const *)((GradeFile *)spec->files->pdata[0])->allow, &error));
    WorldSpec *ws = grade_merge_load(base, spec, NULL, &error);
    if (out != NULL)
        *out = ws;
    else
        world_spec_free(ws);
    return error != NULL ? g_strdup(error->message) : NULL;
}

static void
test_merged_load(void)
{
    WorldSpec *ws = NULL;
    g_autofree char *ok = merged_error("nodes: [{name: mx, relayhost: out}]\n", &ws);
    g_assert_null(ok);
    g_assert_nonnull(ws);
    /* The checks' expectations replace the scenario's. */
    g_assert_cmpuint(ws->expects->len, ==, 1);
    const ExpectSpec *e = ws->expects->pdata[0];
    g_assert_cmpstr(e->loc.file, ==, "lab.yaml");
    g_assert_cmpuint(e->loc.line, ==, 5);
    world_spec_free(ws);

    /* Schema errors found only by the loader name the student's file. */
    g_autofree char *unknown = merged_error("\nnodes:\n  - name: mx\n    relayhots: out\n", NULL);
    g_assert_cmpstr(unknown, ==,
                    "sub/s.yaml:4:5: unknown key 'relayhots' in node 'mx' (did you mean "
                    "'relayhost'?)");
    g_autofree char *cidr =
        merged_error("nodes:\n  - name: out\n    relay: {networks: [10.0.0.0/40]}\n", NULL);
    g_assert_true(g_str_has_prefix(cidr, "sub/s.yaml:3:24: '10.0.0.0/40' is not an IPv4 network"));
    g_autofree char *ip = merged_error("nodes: [{name: mx, ip: 10.0.0.300}]\n", NULL);
    g_assert_true(g_str_has_prefix(ip, "sub/s.yaml:1:24: "));
    /* A key missing from a node the base wrote is reported at that node. */
    g_autofree char *role = merged_error("nodes: [{name: mx, role: mua}]\n", NULL);
    g_assert_cmpstr(role, ==, "base.yaml:3:5: missing required key 'user' in node 'mx'");
}

static void
test_path_answers(void)
{
    g_auto(GStrv) a = grade_path_split("alice-pc -> msa.polito.it, out.polito.it  mx");
    g_assert_cmpuint(g_strv_length(a), ==, 4);
    g_assert_cmpstr(a[1], ==, "msa.polito.it");
    const char *path[] = {"alice-pc", "MSA.polito.it", "out.polito.it", "mx", NULL};
    g_assert_true(grade_path_matches((const char *const *)a, path));
    const char *shorter[] = {"alice-pc", "msa.polito.it", "out.polito.it", NULL};
    g_assert_false(grade_path_matches((const char *const *)a, shorter));
    const char *empty[] = {NULL};
    g_assert_false(grade_path_matches(empty, empty));
}

/* equals_exposure compares sets: any order, case-insensitive, a repeat
 * counts once; one party too many or too few fails. */
static void
test_exposure_answers(void)
{
    g_auto(GStrv) a = grade_path_split("bob-pc, ALICE-PC");
    const char *parties[] = {"alice-pc", "bob-pc", NULL};
    g_assert_true(grade_exposure_matches((const char *const *)a, parties));
    const char *twice[] = {"bob-pc", "alice-pc", "bob-pc", NULL};
    g_assert_true(grade_exposure_matches(twice, parties));
    const char *more[] = {"alice-pc", "bob-pc", "eve", NULL};
    g_assert_false(grade_exposure_matches((const char *const *)a, more));
    g_assert_false(grade_exposure_matches(more, parties));
    const char *one[] = {"alice-pc", NULL};
    g_assert_false(grade_exposure_matches(one, parties));
    g_assert_false(grade_exposure_matches(one, NULL)); /* the message was never sent */
    const char *empty[] = {NULL};
    g_assert_true(grade_exposure_matches(empty, empty)); /* nobody reads it */
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/grade-merge/mappings", test_merge_mappings);
    g_test_add_func("/app/grade-merge/by-name", test_merge_by_name);
    g_test_add_func("/app/grade-merge/refused", test_merge_refused);
    g_test_add_func("/app/grade-merge/by-id", test_merge_by_id);
    g_test_add_func("/app/grade-merge/allow-covers", test_allow_covers);
    g_test_add_func("/app/grade-merge/subst", test_subst);
    g_test_add_func("/app/grade-merge/variants", test_variants);
    g_test_add_func("/app/grade-merge/merged-load", test_merged_load);
    g_test_add_func("/app/grade-merge/path-answers", test_path_answers);
    g_test_add_func("/app/grade-merge/exposure-answers", test_exposure_answers);
    return g_test_run();
}
