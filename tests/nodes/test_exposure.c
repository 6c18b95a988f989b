/* SPDX-License-Identifier: MIT
 * Tests for nodes/exposure: the who-can-read / who-can-change table, on a
 * hand-built world and a journey written into the tracker directly, so
 * that each rule is checked alone: the path and its taps, the five
 * comparison cases, and the actual protection (TLS per link, DKIM signer
 * and verifier from the message's notes, the S/MIME mode). Two
 * recipients on diverging paths: the rows cover both paths, each saying
 * whose path it lies on; a tap on the second path only reads what crosses
 * it in clear; a party on both paths is judged by the weaker copy.
 */
#include <string.h>

#include <glib.h>

#include "nodes/exposure.h"
#include "nodes/world.h"
#include "helper_spec.h"

typedef struct {
    WorldSpec *spec;
    World *w;
    TrackMsg *m;
} Fixture;

static void
add_tap(WorldSpec *spec, const char *name, const char *ip, const char *a, const char *b)
{
    NodeSpec *n = test_spec_add_node(spec, SPEC_ROLE_EAVESDROPPER, name, ip);
    const char *ends[] = {a, b, NULL};
    n->tap = g_strdupv((char **)ends);
}

static void
hop(TrackMsg *m, const char *node, const char *action, gboolean tls, const char *rcpt)
{
    const char *rcpts[] = {rcpt, NULL};
    track_msg_add_hop(m, node, 0, action, NULL, rcpt ? rcpts : NULL, NULL)->tls_in = tls;
}

/* alice-pc > msa (TLS) > mx (clear) > ms (clear) > bob-pc (POP3, clear),
 * taps on the three server links; a second recipient's hops elsewhere. */
static void
fixture_set_up(Fixture *f, gconstpointer data)
{
    f->spec = world_spec_new();
    NodeSpec *a = test_spec_add_node(f->spec, SPEC_ROLE_MUA, "alice-pc", "192.0.2.1");
    a->user = g_strdup("alice@a.test");
    a->msa = g_strdup("msa");
    test_spec_add_node(f->spec, SPEC_ROLE_MSA, "msa", "192.0.2.2");
    test_spec_add_node(f->spec, SPEC_ROLE_MTA, "mx", "192.0.2.3");
    test_spec_add_node(f->spec, SPEC_ROLE_MTA, "mx2", "192.0.2.6");
    test_spec_add_node(f->spec, SPEC_ROLE_MS, "ms", "192.0.2.4");
    NodeSpec *b = test_spec_add_node(f->spec, SPEC_ROLE_MUA, "bob-pc", "192.0.2.5");
    b->user = g_strdup("bob@b.test");
    b->msa = g_strdup("msa");
    add_tap(f->spec, "eve-sub", "192.0.2.11", "alice-pc", "msa");
    add_tap(f->spec, "eve-mx", "192.0.2.12", "mx", "msa"); /* either order */
    add_tap(f->spec, "eve-ms", "192.0.2.13", "mx", "ms");
    add_tap(f->spec, "eve-other", "192.0.2.14", "msa", "mx2");
    g_autoptr(GError) error = NULL;
    f->w = world_new(f->spec, NULL, FALSE, 0, &error);
    g_assert_no_error(error);
    f->m = tracker_add(world_tracker(f->w), "m1", "mail", 0);
    track_msg_rcpt(f->m, "bob@b.test");
    track_msg_rcpt(f->m, "carol@c.test");
    hop(f->m, "alice-pc", "submit", FALSE, NULL);
    hop(f->m, "msa", "accept", TRUE, NULL);
    hop(f->m, "mx2", "accept", TRUE, "carol@c.test");
    hop(f->m, "mx", "accept", FALSE, "bob@b.test");
    hop(f->m, "ms", "deliver", FALSE, "bob@b.test");
    hop(f->m, "bob-pc", "fetch", FALSE, "bob@b.test");
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
    world_free(f->w);
    world_spec_free(f->spec);
}

static const ExposureRow *
row(const ExposureTable *t, const char *party)
{
    for (guint i = 0; i < t->rows->len; i++) {
        const ExposureRow *r = t->rows->pdata[i];
        if (strcmp(r->party, party) == 0)
            return r;
    }
    g_error("no row for %s", party);
}

/* read and alter of party under case c, as "RA", "R-", "-A", "--". */
static char *
cell(const ExposureTable *t, const char *party, ExposureCase c)
{
    const ExposureRow *r = row(t, party);
    return g_strdup_printf("%c%c", r->read[c] ? 'R' : '-', r->alter[c] ? 'A' : '-');
}

#define ASSERT_CELL(t, party, c, want)                                                             \
    do {                                                                                           \
        g_autofree char *got_ = cell((t), (party), (c));                                           \
        g_assert_cmpstr(got_, ==, (want));                                                         \
    } while (0)

static void
test_rows(Fixture *f, gconstpointer data)
{
    g_autoptr(ExposureTable) t = exposure_table_build(f->w, f->m);
    g_assert_nonnull(t);
    /* bob's path, then what carol's adds: mx2 and the tap on its link. */
    static const char *const want[] = {"alice-pc", "eve-sub", "msa",    "eve-mx",    "mx",
                                       "eve-ms",   "ms",      "bob-pc", "eve-other", "mx2"};
    g_assert_cmpuint(t->rows->len, ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++)
        g_assert_cmpstr(((ExposureRow *)t->rows->pdata[i])->party, ==, want[i]);
    g_assert_cmpuint(t->paths, ==, 2);
    g_assert_cmpstr(row(t, "alice-pc")->to, ==, "bob@b.test,carol@c.test");
    g_assert_cmpstr(row(t, "msa")->to, ==, "bob@b.test,carol@c.test");
    g_assert_cmpstr(row(t, "eve-sub")->to, ==, "bob@b.test,carol@c.test");
    g_assert_cmpstr(row(t, "eve-mx")->to, ==, "bob@b.test");
    g_assert_cmpstr(row(t, "bob-pc")->to, ==, "bob@b.test");
    g_assert_cmpstr(row(t, "mx2")->to, ==, "carol@c.test");
    g_assert_cmpstr(row(t, "eve-other")->to, ==, "carol@c.test");
    g_assert_cmpstr(row(t, "eve-other")->link, ==, "msa~mx2");
    g_assert_false(row(t, "mx2")->endpoint);
    g_assert_cmpstr(row(t, "eve-mx")->role, ==, "tap");
    g_assert_cmpstr(row(t, "eve-mx")->link, ==, "msa~mx");
    g_assert_cmpstr(row(t, "mx")->role, ==, "mta");
    g_assert_null(row(t, "mx")->link);
    g_assert_true(row(t, "alice-pc")->endpoint);
    g_assert_true(row(t, "bob-pc")->endpoint);
    g_assert_false(row(t, "ms")->endpoint);
    /* bob's four links and msa~mx2; TLS into msa and into mx2. */
    g_assert_cmpuint(t->links, ==, 5);
    g_assert_cmpuint(t->tls_links, ==, 2);
    g_assert_cmpstr(t->protection, ==, "none");
}

/* carol's copy crosses eve-other's link over TLS: under the actual
 * protection the tap reads nothing, without protection it reads carol's
 * copy; the same link in clear lets it read. */
static void
test_second_path_tap(Fixture *f, gconstpointer data)
{
    g_autoptr(ExposureTable) t = exposure_table_build(f->w, f->m);
    ASSERT_CELL(t, "eve-other", EXPOSURE_ACTUAL, "--");
    g_assert_cmpstr(row(t, "eve-other")->read_why[EXPOSURE_ACTUAL], ==, "TLS on this link");
    ASSERT_CELL(t, "eve-other", EXPOSURE_NONE, "RA");
    ASSERT_CELL(t, "eve-other", EXPOSURE_TLS, "--");
    ASSERT_CELL(t, "mx2", EXPOSURE_ACTUAL, "RA");
    TrackMsg *m = tracker_add(world_tracker(f->w), "m2", "mail", 0);
    track_msg_rcpt(m, "bob@b.test");
    track_msg_rcpt(m, "carol@c.test");
    hop(m, "alice-pc", "submit", FALSE, NULL);
    hop(m, "msa", "accept", TRUE, NULL);
    hop(m, "mx2", "accept", FALSE, "carol@c.test");
    hop(m, "mx", "accept", FALSE, "bob@b.test");
    g_autoptr(ExposureTable) clear = exposure_table_build(f->w, m);
    ASSERT_CELL(clear, "eve-other", EXPOSURE_ACTUAL, "RA");
    g_assert_cmpstr(row(clear, "eve-other")->read_why[EXPOSURE_ACTUAL], ==,
                    "clear text on the wire");
    g_assert_cmpuint(clear->tls_links, ==, 1);
}

/* A relay on both paths, DKIM checked on bob's only: it cannot alter
 * bob's copy undetected but can alter carol's, so its row says it can,
 * with the reason of carol's path. */
static void
test_paths_merge(Fixture *f, gconstpointer data)
{
    TrackMsg *m = tracker_add(world_tracker(f->w), "m3", "mail", 0);
    track_msg_rcpt(m, "bob@b.test");
    track_msg_rcpt(m, "carol@c.test");
    hop(m, "alice-pc", "submit", FALSE, NULL);
    hop(m, "msa", "accept", FALSE, NULL);
    hop(m, "mx2", "accept", FALSE, NULL); /* both copies: an outbound relay */
    hop(m, "mx", "accept", FALSE, "bob@b.test");
    hop(m, "ms", "deliver", FALSE, "carol@c.test");
    track_msg_note(m, "msa", "dkim-sign", "a.test");
    track_msg_note(m, "mx", "dkim", "pass");
    g_autoptr(ExposureTable) t = exposure_table_build(f->w, m);
    g_assert_cmpuint(t->paths, ==, 2);
    ASSERT_CELL(t, "mx2", EXPOSURE_ACTUAL, "RA");
    g_assert_cmpstr(row(t, "mx2")->alter_why[EXPOSURE_ACTUAL], ==,
                    "can rewrite the message it holds");
    g_assert_cmpstr(row(t, "mx2")->to, ==, "bob@b.test,carol@c.test");
    g_assert_cmpstr(t->dkim_signer, ==, "msa");
    g_assert_cmpstr(t->dkim_verifier, ==, "mx");
    /* bob's copy alone: the DKIM check after mx2 catches it. */
    TrackMsg *b = tracker_add(world_tracker(f->w), "m4", "mail", 0);
    track_msg_rcpt(b, "bob@b.test");
    hop(b, "alice-pc", "submit", FALSE, NULL);
    hop(b, "msa", "accept", FALSE, NULL);
    hop(b, "mx2", "accept", FALSE, NULL);
    hop(b, "mx", "accept", FALSE, "bob@b.test");
    track_msg_note(b, "msa", "dkim-sign", "a.test");
    track_msg_note(b, "mx", "dkim", "pass");
    g_autoptr(ExposureTable) one = exposure_table_build(f->w, b);
    ASSERT_CELL(one, "mx2", EXPOSURE_ACTUAL, "R-");
}

/* Recipients sharing every hop: one path, the one-path table, no `to`. */
static void
test_one_path(Fixture *f, gconstpointer data)
{
    TrackMsg *m = tracker_add(world_tracker(f->w), "m5", "mail", 0);
    track_msg_rcpt(m, "bob@b.test");
    track_msg_rcpt(m, "bob2@b.test");
    hop(m, "alice-pc", "submit", FALSE, NULL);
    hop(m, "msa", "accept", TRUE, NULL);
    hop(m, "mx", "accept", FALSE, NULL);
    hop(m, "ms", "deliver", FALSE, NULL);
    g_autoptr(ExposureTable) t = exposure_table_build(f->w, m);
    g_assert_cmpuint(t->paths, ==, 1);
    g_assert_cmpuint(t->rows->len, ==, 7);
    for (guint i = 0; i < t->rows->len; i++)
        g_assert_null(((ExposureRow *)t->rows->pdata[i])->to);
}

static void
test_cases(Fixture *f, gconstpointer data)
{
    g_autoptr(ExposureTable) t = exposure_table_build(f->w, f->m);
    /* The ends read and never count as altering. */
    for (guint c = 0; c < EXPOSURE_N_CASES; c++) {
        ASSERT_CELL(t, "alice-pc", c, "R-");
        ASSERT_CELL(t, "bob-pc", c, "R-");
    }
    ASSERT_CELL(t, "mx", EXPOSURE_NONE, "RA");
    ASSERT_CELL(t, "eve-sub", EXPOSURE_NONE, "RA");
    /* TLS everywhere: the relay still reads and alters, the taps nothing. */
    ASSERT_CELL(t, "mx", EXPOSURE_TLS, "RA");
    ASSERT_CELL(t, "ms", EXPOSURE_TLS, "RA");
    ASSERT_CELL(t, "eve-mx", EXPOSURE_TLS, "--");
    ASSERT_CELL(t, "eve-ms", EXPOSURE_TLS, "--");
    /* DKIM modelled at the MSA (signer) and the last MTA (verifier). */
    ASSERT_CELL(t, "eve-sub", EXPOSURE_DKIM, "RA");
    ASSERT_CELL(t, "msa", EXPOSURE_DKIM, "RA");
    ASSERT_CELL(t, "eve-mx", EXPOSURE_DKIM, "R-");
    ASSERT_CELL(t, "mx", EXPOSURE_DKIM, "RA");
    ASSERT_CELL(t, "ms", EXPOSURE_DKIM, "RA");
    /* S/MIME signed: nobody alters undetected; encrypted: nobody reads,
     * but a relay or a tap on a clear link can substitute. */
    ASSERT_CELL(t, "ms", EXPOSURE_SMIME_SIGNED, "R-");
    ASSERT_CELL(t, "eve-ms", EXPOSURE_SMIME_SIGNED, "R-");
    ASSERT_CELL(t, "ms", EXPOSURE_SMIME_ENCRYPTED, "-A");
    ASSERT_CELL(t, "eve-ms", EXPOSURE_SMIME_ENCRYPTED, "-A");
    g_assert_cmpstr(row(t, "ms")->alter_why[EXPOSURE_SMIME_ENCRYPTED], ==,
                    "can replace it with a new message encrypted to the recipient's public "
                    "certificate");
    /* Actual, unprotected: TLS only on the submission link. */
    ASSERT_CELL(t, "eve-sub", EXPOSURE_ACTUAL, "--");
    ASSERT_CELL(t, "eve-mx", EXPOSURE_ACTUAL, "RA");
    ASSERT_CELL(t, "msa", EXPOSURE_ACTUAL, "RA");
}

static void
test_actual(Fixture *f, gconstpointer data)
{
    /* The run's DKIM: signed at the MSA, passed at the store's MTA; the
     * message left alice's MUA encrypted. */
    track_msg_note(f->m, "msa", "dkim-sign", "a.test");
    track_msg_note(f->m, "mx", "dkim", "pass");
    track_msg_note(f->m, "alice-pc", "smime-protection", "encrypt");
    g_autoptr(ExposureTable) t = exposure_table_build(f->w, f->m);
    g_assert_cmpstr(t->protection, ==, "encrypt");
    g_assert_cmpstr(t->dkim_signer, ==, "msa");
    g_assert_cmpstr(t->dkim_verifier, ==, "mx");
    ASSERT_CELL(t, "eve-sub", EXPOSURE_ACTUAL, "--"); /* TLS */
    ASSERT_CELL(t, "msa", EXPOSURE_ACTUAL, "-A");     /* the signer: before signing */
    ASSERT_CELL(t, "eve-mx", EXPOSURE_ACTUAL, "--");  /* DKIM caught it at mx */
    ASSERT_CELL(t, "mx", EXPOSURE_ACTUAL, "-A");      /* after its own check */
    ASSERT_CELL(t, "ms", EXPOSURE_ACTUAL, "-A");
    /* Signed and encrypted: nothing between the ends. */
    track_msg_note(f->m, "alice-pc", "smime-protection", "sign+encrypt");
    g_autoptr(ExposureTable) t2 = exposure_table_build(f->w, f->m);
    for (guint i = 0; i < t2->rows->len; i++) {
        const ExposureRow *r = t2->rows->pdata[i];
        if (!r->endpoint)
            ASSERT_CELL(t2, r->party, EXPOSURE_ACTUAL, "--");
    }
    /* A DKIM failure at the MX detects nothing. */
    track_msg_note(f->m, "mx", "dkim", "fail");
    track_msg_note(f->m, "alice-pc", "smime-protection", "none");
    g_autoptr(ExposureTable) t3 = exposure_table_build(f->w, f->m);
    g_assert_null(t3->dkim_verifier);
    ASSERT_CELL(t3, "eve-mx", EXPOSURE_ACTUAL, "RA");
}

static void
test_empty(Fixture *f, gconstpointer data)
{
    TrackMsg *m = tracker_add(world_tracker(f->w), "m2", "mail", 0);
    g_assert_null(exposure_table_build(f->w, m));
    g_assert_false(exposure_enabled(f->w));
    TrackMsg *d = tracker_add(world_tracker(f->w), "m1.dsn", "dsn", 0);
    g_assert_false(exposure_wanted(d));
    g_assert_true(exposure_wanted(f->m));
    g_assert_cmpstr(exposure_case_name(EXPOSURE_SMIME_ENCRYPTED), ==, "smime-encrypted");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/nodes/exposure/rows", Fixture, NULL, fixture_set_up, test_rows, fixture_tear_down);
    g_test_add("/nodes/exposure/cases", Fixture, NULL, fixture_set_up, test_cases,
               fixture_tear_down);
    g_test_add("/nodes/exposure/actual", Fixture, NULL, fixture_set_up, test_actual,
               fixture_tear_down);
    g_test_add("/nodes/exposure/second-path-tap", Fixture, NULL, fixture_set_up,
               test_second_path_tap, fixture_tear_down);
    g_test_add("/nodes/exposure/paths-merge", Fixture, NULL, fixture_set_up, test_paths_merge,
               fixture_tear_down);
    g_test_add("/nodes/exposure/one-path", Fixture, NULL, fixture_set_up, test_one_path,
               fixture_tear_down);
    g_test_add("/nodes/exposure/empty", Fixture, NULL, fixture_set_up, test_empty,
               fixture_tear_down);
    return g_test_run();
}
