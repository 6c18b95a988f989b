/* SPDX-License-Identifier: MIT
 * Tests for the scenario keys of receipts and delivery reports: a mua's
 * mdn and mdn_answer, an msa's or mta's dsn and delay_warning, a send
 * event's receipt, return_receipt_to, notify, ret, envid, on_behalf_of;
 * and the FILE:LINE:COL errors for bad values.
 */
#include <string.h>

#include <glib.h>

#include "app/scenario.h"

#define NODES                                                                                      \
    "nodes:\n"                                                                                     \
    "  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@x.example, msa: msa, mdn: ask,\n"           \
    "     mdn_answer: no}\n"                                                                       \
    "  - {name: b-pc, role: mua, ip: 10.0.0.2, user: b@x.example, msa: msa, mdn: always}\n"        \
    "  - {name: msa, role: msa, ip: 10.0.0.3, dsn: true, delay_warning: 90s}\n"

static void
test_keys(void)
{
    static const char text[] =
        NODES "events:\n"
              "  - {at: 1s, send: {from: a-pc, to: [b@x.example], receipt: true, "
              "return_receipt_to: yes,\n"
              "                    notify: [success, FAILURE], ret: full, envid: E1,\n"
              "                    on_behalf_of: boss@x.example}}\n"
              "  - {at: 2s, send: {from: a-pc, to: [b@x.example], notify: NEVER}}\n"
              "  - {at: 3s, send: {from: a-pc, to: [b@x.example], notify: \"DELAY, SUCCESS\"}}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(text, "t.yaml", &error);
    g_assert_no_error(error);
    const NodeSpec *a = world_spec_find_node(s, "a-pc");
    const NodeSpec *b = world_spec_find_node(s, "b-pc");
    const NodeSpec *msa = world_spec_find_node(s, "msa");
    g_assert_cmpint(a->mdn, ==, SPEC_MDN_ASK);
    g_assert_true(a->mdn_declines);
    g_assert_cmpint(b->mdn, ==, SPEC_MDN_ALWAYS);
    g_assert_false(b->mdn_declines);
    g_assert_true(msa->dsn_offered);
    g_assert_cmpint(msa->delay_warning, ==, 90 * G_GINT64_CONSTANT(1000000));
    const SendSpec *s1 = &((EventSpec *)s->events->pdata[0])->send;
    g_assert_true(s1->receipt);
    g_assert_true(s1->return_receipt_to);
    g_assert_cmpuint(s1->notify, ==, SMTP_DSN_NOTIFY_SUCCESS | SMTP_DSN_NOTIFY_FAILURE);
    g_assert_cmpint(s1->ret, ==, SMTP_DSN_RET_FULL);
    g_assert_cmpstr(s1->envid, ==, "E1");
    g_assert_cmpstr(s1->on_behalf_of, ==, "boss@x.example");
    g_assert_cmpuint(((EventSpec *)s->events->pdata[1])->send.notify, ==, SMTP_DSN_NOTIFY_NEVER);
    g_assert_cmpuint(((EventSpec *)s->events->pdata[2])->send.notify, ==,
                     SMTP_DSN_NOTIFY_DELAY | SMTP_DSN_NOTIFY_SUCCESS);
}

static void
test_errors(void)
{
    static const struct {
        const char *event;
        const char *want;
    } cases[] = {
        {"send: {from: a-pc, to: [b@x.example], notify: [NEVER, SUCCESS]}",
         "t.yaml:7:60: 'notify' must be NEVER or a list of SUCCESS, FAILURE, DELAY"},
        {"send: {from: a-pc, to: [b@x.example], notify: ALWAYS}",
         "t.yaml:7:60: 'notify' must be NEVER"},
        {"send: {from: a-pc, to: [b@x.example], ret: BODY}",
         "t.yaml:7:57: 'ret' must be FULL or HDRS"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text =
            g_strdup_printf(NODES "events:\n  - {at: 1s, %s}\n", cases[i].event);
        g_autoptr(GError) error = NULL;
        g_autoptr(WorldSpec) s = scenario_load_string(text, "t.yaml", &error);
        g_assert_null(s);
        g_assert_nonnull(error);
        if (!g_str_has_prefix(error->message, cases[i].want))
            g_error("got '%s', want '%s...'", error->message, cases[i].want);
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(WorldSpec) s = scenario_load_string(
        "nodes:\n  - {name: a-pc, role: mua, ip: 10.0.0.1, user: a@x.example, msa: msa,\n"
        "     mdn: sometimes}\n  - {name: msa, role: msa, ip: 10.0.0.3}\n",
        "t.yaml", &error);
    g_assert_null(s);
    g_assert_nonnull(strstr(error->message, "'mdn' must be always, never or ask, not 'sometimes'"));
    g_assert_true(g_str_has_prefix(error->message, "t.yaml:3:11: "));
    /* dsn is a key of msa and mta, not of a store. */
    g_autoptr(GError) e2 = NULL;
    g_autoptr(WorldSpec) s2 = scenario_load_string(
        "nodes:\n  - {name: ms, role: ms, ip: 10.0.0.4, dsn: true}\n", "t.yaml", &e2);
    g_assert_null(s2);
    g_assert_nonnull(strstr(e2->message, "'dsn' is a key of role msa, mta, not of ms"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/app/scenario/receipts/keys", test_keys);
    g_test_add_func("/app/scenario/receipts/errors", test_errors);
    return g_test_run();
}
