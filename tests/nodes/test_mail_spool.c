/* SPDX-License-Identifier: MIT
 * Tests for nodes/mail_spool (the stored mail's bytes on disk) and for the
 * store reading through it: round trips at every offset, refs beyond the
 * end, a write refused by the disk (/dev/full: ENOSPC), and in a small
 * world (alice -> msa -> ms <- bob over POP3) that a delivered copy is read
 * back byte for byte by every reader, that DELE+QUIT removes it from the
 * mailbox, and that a store whose spool refuses the write answers 451 and
 * keeps nothing (RFC 5321 4.2.5) while the message stays queued.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "nodes/mail_spool.h"
#include "nodes/ms_node.h"
#include "nodes/world.h"
#include "nodes/world_private.h"
#include "helper_spec.h"

#define SPOOL_S G_GINT64_CONSTANT(1000000)

static GBytes *
spool_text(const char *s)
{
    return g_bytes_new(s, strlen(s));
}

static void
test_spool_round_trip(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MailSpool) s = mail_spool_new(&error);
    g_assert_no_error(error);
    g_assert_nonnull(s);
    g_assert_cmpuint(mail_spool_size(s), ==, 0);
    const char *texts[] = {"Subject: one\r\n\r\nfirst\r\n", "", "x", "Subject: three\r\n\r\n.\r\n"};
    MailSpoolRef refs[G_N_ELEMENTS(texts)];
    guint64 end = 0;
    for (guint i = 0; i < G_N_ELEMENTS(texts); i++) {
        g_autoptr(GBytes) b = spool_text(texts[i]);
        g_assert_true(mail_spool_append(s, b, &refs[i], &error));
        g_assert_no_error(error);
        g_assert_cmpuint(refs[i].offset, ==, end); /* appended, back to back */
        g_assert_cmpuint(refs[i].length, ==, strlen(texts[i]));
        end += strlen(texts[i]);
        g_assert_cmpuint(mail_spool_size(s), ==, end);
        /* A read between appends must not move where the next one goes. */
        g_autoptr(GBytes) first = mail_spool_read(s, &refs[0], &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(first, NULL), g_bytes_get_size(first), texts[0],
                        strlen(texts[0]));
    }
    for (guint i = G_N_ELEMENTS(texts); i-- > 0;) {
        g_autoptr(GBytes) b = mail_spool_read(s, &refs[i], &error);
        g_assert_no_error(error);
        g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), texts[i],
                        strlen(texts[i]));
    }
}

/* Every (offset, length) inside the spool reads exactly those bytes. */
static void
test_spool_every_range(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MailSpool) s = mail_spool_new(&error);
    g_assert_no_error(error);
    const char *text = "Return-Path: <a@b>\r\nSubject: r\r\n\r\nbody\r\n";
    gsize n = strlen(text);
    for (gsize i = 0; i < n; i++) {
        g_autoptr(GBytes) one = g_bytes_new(text + i, 1);
        MailSpoolRef r;
        g_assert_true(mail_spool_append(s, one, &r, &error));
        g_assert_cmpuint(r.offset, ==, i);
    }
    for (gsize off = 0; off <= n; off++) {
        for (gsize len = 0; off + len <= n; len++) {
            MailSpoolRef r = {.offset = off, .length = len};
            g_autoptr(GBytes) b = mail_spool_read(s, &r, &error);
            g_assert_no_error(error);
            g_assert_cmpmem(g_bytes_get_data(b, NULL), g_bytes_get_size(b), text + off, len);
        }
    }
}

static void
test_spool_beyond_end(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(MailSpool) s = mail_spool_new(&error);
    g_autoptr(GBytes) b = spool_text("abc");
    MailSpoolRef r;
    g_assert_true(mail_spool_append(s, b, &r, &error));
    MailSpoolRef bad[] = {{.offset = 0, .length = 4},
                          {.offset = 3, .length = 1},
                          {.offset = 4, .length = 0},
                          {.offset = G_MAXUINT64, .length = 2}};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        GBytes *got = mail_spool_read(s, &bad[i], &error);
        g_assert_null(got);
        g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
        g_clear_error(&error);
    }
    MailSpoolRef end = {.offset = 3, .length = 0};
    g_autoptr(GBytes) empty = mail_spool_read(s, &end, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_bytes_get_size(empty), ==, 0);
}

/* A disk that is full: the append fails with a message naming the spool,
 * and nothing counts as stored. */
static void
test_spool_disk_full(void)
{
    /* Linux's full device: every write fails with ENOSPC. */
    g_assert_true(g_file_test("/dev/full", G_FILE_TEST_EXISTS));
    g_autoptr(GError) error = NULL;
    g_autoptr(MailSpool) s = mail_spool_new_at("/dev/full", &error);
    g_assert_no_error(error);
    g_autoptr(GBytes) b = spool_text("Subject: lost\r\n\r\n");
    MailSpoolRef r = {.offset = 7, .length = 7};
    g_assert_false(mail_spool_append(s, b, &r, &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
    g_assert_nonnull(strstr(error->message, "mail spool /dev/full: cannot write"));
    g_assert_cmpuint(mail_spool_size(s), ==, 0);
    g_assert_cmpuint(r.offset, ==, 7); /* untouched */
}

static void
test_spool_open_fails(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mhs-spool-test-XXXXXX", &error);
    g_assert_no_error(error);
    g_autofree char *path = g_build_filename(dir, "no", "such", "spool", NULL);
    MailSpool *s = mail_spool_new_at(path, &error);
    g_assert_null(s);
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_rmdir(dir);
}

/* mail_spool_new_at appends after what the file holds. */
static void
test_spool_reopen(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("mhs-spool-test-XXXXXX", &error);
    g_autofree char *path = g_build_filename(dir, "spool", NULL);
    MailSpoolRef a, b;
    {
        g_autoptr(MailSpool) s = mail_spool_new_at(path, &error);
        g_autoptr(GBytes) x = spool_text("12345");
        g_assert_true(mail_spool_append(s, x, &a, &error));
    }
    g_autoptr(MailSpool) s = mail_spool_new_at(path, &error);
    g_assert_cmpuint(mail_spool_size(s), ==, 5);
    g_autoptr(GBytes) y = spool_text("678");
    g_assert_true(mail_spool_append(s, y, &b, &error));
    g_assert_cmpuint(b.offset, ==, 5);
    g_autoptr(GBytes) back = mail_spool_read(s, &a, &error);
    g_assert_cmpmem(g_bytes_get_data(back, NULL), g_bytes_get_size(back), "12345", 5);
    g_unlink(path);
    g_rmdir(dir);
}

/* ---- the store reading through the spool ---- */

typedef struct {
    WorldSpec *spec;
    World *w;
    GString *trace;
} SpoolWorld;

static void
spool_world_build(SpoolWorld *f, gboolean keep, gboolean fetch)
{
    f->spec = world_spec_new();
    NodeSpec *pc = test_spec_add_node(f->spec, SPEC_ROLE_MUA, "alice-pc", "192.0.2.10");
    pc->user = g_strdup("alice@example.com");
    pc->msa = g_strdup("msa");
    NodeSpec *msa = test_spec_add_node(f->spec, SPEC_ROLE_MSA, "msa", "192.0.2.2");
    g_strfreev(msa->local_domains);
    msa->local_domains = g_strsplit("example.com", ",", -1);
    msa->deliver_to = g_strdup("ms");
    NodeSpec *ms = test_spec_add_node(f->spec, SPEC_ROLE_MS, "ms", "192.0.2.3");
    g_strfreev(ms->domains);
    ms->domains = g_strsplit("example.com", ",", -1);
    NodeSpec *bob = test_spec_add_node(f->spec, SPEC_ROLE_MUA, "bob-pc", "192.0.2.11");
    bob->user = g_strdup("bob@example.com");
    bob->ms = g_strdup("ms");
    bob->msa = g_strdup("msa");
    const char *users[] = {"alice@example.com", "bob@example.com"};
    for (guint i = 0; i < G_N_ELEMENTS(users); i++) {
        UserSpec *u = user_spec_new();
        u->address = g_strdup(users[i]);
        u->password = g_strdup("secret");
        g_ptr_array_add(f->spec->users, u);
    }
    EventSpec *e = event_spec_new(SPEC_EVENT_SEND);
    e->at = 1 * SPOOL_S;
    e->send.from = g_strdup("alice-pc");
    g_strfreev(e->send.to);
    e->send.to = g_strsplit("bob@example.com", ",", -1);
    e->send.subject = g_strdup("Spooled");
    e->send.body = g_strdup("The bytes are on disk.");
    e->send.id = g_strdup("m1");
    g_ptr_array_add(f->spec->events, e);
    if (fetch) {
        e = event_spec_new(SPEC_EVENT_FETCH);
        e->at = 60 * SPOOL_S;
        e->fetch.by = g_strdup("bob-pc");
        e->fetch.has_keep = TRUE;
        e->fetch.keep = keep;
        g_ptr_array_add(f->spec->events, e);
    }
    f->trace = g_string_new(NULL);
    SimTrace *tr = sim_trace_new();
    sim_trace_add_jsonl_string(tr, f->trace);
    g_autoptr(GError) error = NULL;
    f->w = world_new(f->spec, tr, TRUE, 1, &error);
    g_assert_no_error(error);
}

static void
spool_world_clear(SpoolWorld *f)
{
    world_free(f->w);
    world_spec_free(f->spec);
    g_string_free(f->trace, TRUE);
}

/* The value of "key":NUMBER in the first trace line holding ev. */
static gint64
spool_trace_int(const GString *trace, const char *ev, const char *key)
{
    g_autofree char *want = g_strdup_printf("\"ev\":\"%s\"", ev);
    const char *line = strstr(trace->str, want);
    g_assert_nonnull(line);
    const char *end = strchr(line, '\n');
    g_autofree char *k = g_strdup_printf("\"%s\":", key);
    const char *at = g_strstr_len(line, end ? end - line : -1, k);
    g_assert_nonnull(at);
    return g_ascii_strtoll(at + strlen(k), NULL, 10);
}

static void
test_store_keep(void)
{
    SpoolWorld f = {0};
    spool_world_build(&f, TRUE, TRUE);
    world_run(f.w, 300 * SPOOL_S, NULL, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) copy = world_copy_read(f.w, "m1", "BOB@example.com", &error);
    g_assert_no_error(error);
    g_assert_nonnull(copy);
    gsize len = 0;
    const char *data = g_bytes_get_data(copy, &len);
    g_assert_true(g_str_has_prefix(data, "Return-Path: <alice@example.com>\r\nReceived: "));
    g_assert_nonnull(g_strstr_len(data, (gssize)len, "Subject: Spooled\r\n"));
    g_assert_nonnull(g_strstr_len(data, (gssize)len, "The bytes are on disk."));
    /* The trace's sizes are the spooled copy's: delivered and fetched. */
    g_assert_cmpint(spool_trace_int(f.trace, "msg.deliver", "size"), ==, (gint64)len);
    g_assert_cmpint(spool_trace_int(f.trace, "msg.fetch", "size"), ==, (gint64)len);
    Node *ms = ms_node_lookup(f.w, "ms");
    g_assert_cmpint(ms_node_mailbox_count(ms, "bob@example.com"), ==, 1);
    GPtrArray *box = ms_node_mailbox(ms, "bob@example.com");
    const MsMessage *mm = box->pdata[0];
    g_assert_cmpstr(mm->msg_id, ==, "m1");
    g_assert_true(mm->retrieved);
    g_assert_cmpuint(mm->spool.length, ==, len);
    g_autoptr(GBytes) again = ms_node_message_bytes(ms, mm, &error);
    g_assert_no_error(error);
    g_assert_true(g_bytes_equal(copy, again));
    g_assert_null(world_copy_read(f.w, "m1", "alice@example.com", &error));
    g_assert_no_error(error);
    spool_world_clear(&f);
}

/* DELE then QUIT: gone from the mailbox and from what POP3 and the
 * maildir export see (both read the mailbox). */
static void
test_store_delete(void)
{
    SpoolWorld f = {0};
    spool_world_build(&f, FALSE, TRUE);
    world_run(f.w, 300 * SPOOL_S, NULL, NULL);
    Node *ms = ms_node_lookup(f.w, "ms");
    g_assert_cmpint(ms_node_mailbox_count(ms, "bob@example.com"), ==, 0);
    g_assert_cmpuint(ms_node_mailbox(ms, "bob@example.com")->len, ==, 0);
    g_assert_cmpint(spool_trace_int(f.trace, "pop3.update", "deleted"), ==, 1);
    g_assert_cmpint(spool_trace_int(f.trace, "pop3.update", "left"), ==, 0);
    spool_world_clear(&f);
}

/* The store's disk refuses the copy: 451 to the sender, nothing in the
 * mailbox, nothing said delivered, the message still queued. */
static void
test_store_spool_full(void)
{
    /* Linux's full device: every write fails with ENOSPC. */
    g_assert_true(g_file_test("/dev/full", G_FILE_TEST_EXISTS));
    SpoolWorld f = {0};
    spool_world_build(&f, TRUE, FALSE);
    g_autoptr(GError) error = NULL;
    f.w->spool = mail_spool_new_at("/dev/full", &error);
    g_assert_no_error(error);
    world_run(f.w, 30 * SPOOL_S, NULL, NULL);
    g_assert_nonnull(strstr(f.trace->str, "\"ev\":\"store.error\""));
    g_assert_nonnull(strstr(f.trace->str, "mail spool /dev/full: cannot write"));
    g_assert_nonnull(strstr(f.trace->str, "451"));
    g_assert_null(strstr(f.trace->str, "\"ev\":\"msg.deliver\""));
    g_assert_cmpuint(world_delivered(f.w), ==, 0);
    Node *ms = ms_node_lookup(f.w, "ms");
    g_assert_cmpint(ms_node_mailbox_count(ms, "bob@example.com"), ==, 0);
    g_assert_null(world_copy_read(f.w, "m1", "bob@example.com", &error));
    g_assert_no_error(error);
    TrackMsg *m = tracker_find(world_tracker(f.w), "m1");
    g_assert_nonnull(m);
    TrackRcpt *r = track_msg_rcpt(m, "bob@example.com");
    g_assert_cmpint(r->status, ==, TRACK_STATUS_QUEUED);
    spool_world_clear(&f);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mail_spool/round_trip", test_spool_round_trip);
    g_test_add_func("/mail_spool/every_range", test_spool_every_range);
    g_test_add_func("/mail_spool/beyond_end", test_spool_beyond_end);
    g_test_add_func("/mail_spool/disk_full", test_spool_disk_full);
    g_test_add_func("/mail_spool/open_fails", test_spool_open_fails);
    g_test_add_func("/mail_spool/reopen", test_spool_reopen);
    g_test_add_func("/mail_spool/store_keep", test_store_keep);
    g_test_add_func("/mail_spool/store_delete", test_store_delete);
    g_test_add_func("/mail_spool/store_spool_full", test_store_spool_full);
    return g_test_run();
}
