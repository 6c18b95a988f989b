/* SPDX-License-Identifier: MIT
 * Tests for proto/header_audit: Received hops in path order, the from/by
 * chain (RFC 5321 4.4), times running forward, originator checks (RFC
 * 5322 3.6, 3.6.2, 3.6.3) and the envelope; literal examples first, then
 * every message of the RFC 5322 conformance folder (skipped when absent):
 * the Appendix A trace tokens must come out as the RFC says, and nothing
 * may crash.
 */
#include <string.h>

#include <glib.h>

#include "proto/header_audit.h"
#include "tests/common/test_yaml.h"

static HeaderAudit *
audit_text(const char *text, const HeaderAuditEnv *env)
{
    g_autoptr(MailMessage) m = mail_message_parse((const guint8 *)text, strlen(text), NULL);
    return header_audit_run(m, env);
}

static const HeaderFinding *
find(const HeaderAudit *a, const char *code)
{
    for (guint i = 0; i < a->findings->len; i++) {
        const HeaderFinding *f = a->findings->pdata[i];
        if (strcmp(f->code, code) == 0)
            return f;
    }
    return NULL;
}

/* RFC 5322 A.4, restated: two hops, linked, forward in time: clean. */
static const char rfc5322_a4[] =
    "Received: from x.y.test\r\n   by example.net\r\n   via TCP\r\n   with ESMTP\r\n"
    "   id ABC12345\r\n   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600\r\n"
    "Received: from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600\r\n"
    "From: John Doe <jdoe@node.example>\r\nTo: Mary Smith <mary@example.net>\r\n"
    "Subject: Saying Hello\r\nDate: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    "Message-ID: <1234@local.node.example>\r\n\r\nThis is a message just to say hello.\r\n";

static void
test_rfc5322_a4(void)
{
    g_autoptr(HeaderAudit) a = audit_text(rfc5322_a4, NULL);
    g_assert_cmpuint(a->hops->len, ==, 2);
    const HeaderHop *h1 = a->hops->pdata[0], *h2 = a->hops->pdata[1];
    /* Path order: the bottom field is the first hop. */
    g_assert_cmpuint(h1->hop, ==, 1);
    g_assert_cmpuint(h1->field, ==, 2);
    g_assert_cmpstr(h1->parsed->from, ==, "node.example");
    g_assert_cmpstr(h1->parsed->by, ==, "x.y.test");
    g_assert_cmpstr(h2->parsed->from, ==, "x.y.test");
    g_assert_cmpstr(h2->parsed->by, ==, "example.net");
    g_assert_cmpstr(h2->parsed->with, ==, "ESMTP");
    g_assert_cmpstr(h2->parsed->id, ==, "ABC12345");
    g_assert_cmpstr(h2->parsed->for_addr, ==, "<mary@example.net>");
    g_assert_cmpint(h2->parsed->date.unix_utc, ==, 880128343); /* 1997-11-21T16:05:43Z */
    g_assert_true(h1->trusted && h2->trusted);
    g_assert_null(h1->flag);
    g_assert_cmpstr(header_audit_verdict(a), ==, "clean");
    g_assert_cmpuint(a->n_findings_over_info, ==, 0);
}

/* A spammer's MUA writes two Received fields before submitting: the real
 * MSA's hop names the client, not the forged "by". */
static const char forged_chain[] =
    "Return-Path: <alice@polito.it>\r\n"
    "Received: from mx.example.com (mx.example.com [198.51.100.1]) by ms.example.com with ESMTP"
    " id 3; Thu, 1 Jan 2026 00:00:03 +0000\r\n"
    "Received: from msa.polito.it (msa.polito.it [130.192.1.2]) by mx.example.com with ESMTP"
    " id 2; Thu, 1 Jan 2026 00:00:02 +0000\r\n"
    "Received: from alice-pc (alice-pc [130.192.5.5]) by msa.polito.it with ESMTPA id 1;"
    " Thu, 1 Jan 2026 00:00:01 +0000\r\n"
    "Received: from [10.1.1.1] (gw.bank.example [192.0.2.77]) by mail.bank.example;"
    " Thu, 1 Jan 2026 00:30:00 +0000\r\n"
    "Received: from pc.bank.example by gw.bank.example; Thu, 1 Jan 2026 00:20:00 +0000\r\n"
    "From: alice@polito.it\r\nTo: bob@example.com\r\nDate: Thu, 1 Jan 2026 00:00:01 +0000\r\n"
    "Message-ID: <1@polito.it>\r\n\r\nhi\r\n";

static void
test_forged_chain(void)
{
    g_autoptr(HeaderAudit) a = audit_text(forged_chain, NULL);
    g_assert_cmpuint(a->hops->len, ==, 5);
    /* Hops 1 and 2 are the forged ones; 3-5 the true path. */
    for (guint i = 0; i < 5; i++) {
        const HeaderHop *h = a->hops->pdata[i];
        g_assert_cmpint(h->trusted, ==, i >= 2);
        g_assert_cmpint(h->flag != NULL, ==, i < 2);
    }
    const HeaderFinding *brk = find(a, "chain-break");
    g_assert_nonnull(brk);
    g_assert_cmpuint(brk->hop, ==, 3);
    g_assert_cmpint(brk->severity, ==, HEADER_AUDIT_FORGED);
    g_assert_nonnull(strstr(brk->reason, "alice-pc"));
    g_assert_nonnull(strstr(brk->reason, "mail.bank.example"));
    /* The forged "from [10.1.1.1]" literal is not the address seen. */
    const HeaderFinding *lit = find(a, "helo-literal-mismatch");
    g_assert_nonnull(lit);
    g_assert_cmpuint(lit->hop, ==, 2);
    /* The true hop 3 is dated before forged hop 2: times run backwards. */
    const HeaderFinding *t = find(a, "time-backwards");
    g_assert_nonnull(t);
    g_assert_cmpuint(t->hop, ==, 3);
    g_assert_cmpstr(header_audit_verdict(a), ==, "forged");
}

static void
test_times_and_date(void)
{
    /* Date two hours after the first relay received it: written by hand. */
    const char *late = "Received: from a.example by b.example; Thu, 1 Jan 2026 10:00:00 +0000\r\n"
                       "From: x@a.example\r\nDate: Thu, 1 Jan 2026 12:00:00 +0000\r\n"
                       "Message-ID: <x@a>\r\n\r\n";
    g_autoptr(HeaderAudit) a = audit_text(late, NULL);
    g_assert_nonnull(find(a, "date-after-receipt"));
    g_assert_null(find(a, "date-old"));
    /* Within the skew: fine. */
    const char *skew = "Received: from a.example by b.example; Thu, 1 Jan 2026 10:00:00 +0000\r\n"
                       "From: x@a.example\r\nDate: Thu, 1 Jan 2026 10:04:00 +0000\r\n"
                       "Message-ID: <x@a>\r\n\r\n";
    g_autoptr(HeaderAudit) b = audit_text(skew, NULL);
    g_assert_cmpstr(header_audit_verdict(b), ==, "clean");
    /* Back-dated by a month, no Date at all, an unreadable one. */
    const char *old = "Received: from a.example by b.example; Sun, 1 Feb 2026 10:00:00 +0000\r\n"
                      "From: x@a.example\r\nDate: Thu, 1 Jan 2026 10:00:00 +0000\r\n\r\n";
    g_autoptr(HeaderAudit) c = audit_text(old, NULL);
    g_assert_nonnull(find(c, "date-old"));
    g_assert_nonnull(find(c, "no-message-id"));
    g_autoptr(HeaderAudit) d = audit_text("From: x@a.example\r\n\r\n", NULL);
    g_assert_nonnull(find(d, "no-date"));
    g_assert_cmpuint(d->hops->len, ==, 0);
    g_autoptr(HeaderAudit) e = audit_text("From: x@a.example\r\nDate: yesterday\r\n\r\n", NULL);
    g_assert_nonnull(find(e, "date-unreadable"));
}

static void
test_originator(void)
{
    /* RFC 5322 3.6.2: two authors need a Sender. */
    g_autoptr(HeaderAudit) a = audit_text(
        "From: a@x.example, b@x.example\r\nDate: Thu, 1 Jan 2026 10:00:00 +0000\r\n\r\n", NULL);
    g_assert_nonnull(find(a, "from-multiple-no-sender"));
    g_autoptr(HeaderAudit) b =
        audit_text("From: a@x.example, b@x.example\r\nSender: sec@x.example\r\n"
                   "Date: Thu, 1 Jan 2026 10:00:00 +0000\r\nMessage-ID: <1@x>\r\n\r\n",
                   NULL);
    g_assert_null(find(b, "from-multiple-no-sender"));
    const HeaderFinding *s = find(b, "sender-differs");
    g_assert_nonnull(s);
    g_assert_cmpint(s->severity, ==, HEADER_AUDIT_INFO);
    g_assert_cmpstr(header_audit_verdict(b), ==, "clean");
    /* A Bcc field in a delivered copy discloses the blind recipients. */
    g_autoptr(HeaderAudit) c = audit_text("From: a@x.example\r\nBcc: s@y.example\r\n\r\n", NULL);
    g_assert_nonnull(find(c, "bcc-present"));
    g_assert_nonnull(find(c, "no-date"));
    /* Return-Path and the envelope. */
    const char *msg = "Return-Path: <bounce@lists.example>\r\nFrom: ceo@bank.example\r\n"
                      "To: bob@example.com\r\nDate: Thu, 1 Jan 2026 10:00:00 +0000\r\n"
                      "Message-ID: <1@x>\r\n\r\n";
    HeaderAuditEnv env = {.envelope_from = "spam@evil.example", .envelope_to = "carol@example.com"};
    g_autoptr(HeaderAudit) d = audit_text(msg, &env);
    g_assert_nonnull(find(d, "return-path-domain"));
    const HeaderFinding *rp = find(d, "return-path-envelope");
    g_assert_nonnull(rp);
    g_assert_nonnull(strstr(rp->reason, "spam@evil.example"));
    g_assert_nonnull(find(d, "envelope-to-not-in-header"));
    HeaderAuditEnv same = {.envelope_from = "bounce@lists.example",
                           .envelope_to = "bob@example.com"};
    g_autoptr(HeaderAudit) e = audit_text(msg, &same);
    g_assert_null(find(e, "return-path-envelope"));
    g_assert_null(find(e, "envelope-to-not-in-header"));
    /* A null Return-Path: a report. */
    g_autoptr(HeaderAudit) f = audit_text("Return-Path: <>\r\nFrom: MAILER-DAEMON@x.example\r\n"
                                          "Date: Thu, 1 Jan 2026 10:00:00 +0000\r\n\r\n",
                                          NULL);
    g_assert_nonnull(find(f, "null-return-path"));
}

/* Every conformance message: no crash, hops numbered in path order, the
 * Appendix A trace tokens as expected.yaml states them. */
static void
test_conformance(void)
{
    g_autofree char *root = test_conformance_path("rfc5322");
    if (root == NULL) {
        g_test_message("conformance folder absent: skipping the RFC 5322 corpus");
        g_test_skip("conformance folder absent");
        return;
    }
    const char *dirs[] = {"appendix-a", "extra", "cpython-email-corpus/data"};
    guint files = 0, hops = 0;
    for (guint d = 0; d < G_N_ELEMENTS(dirs); d++) {
        g_autofree char *dir = g_build_filename(root, dirs[d], NULL);
        g_autoptr(GDir) gd = g_dir_open(dir, 0, NULL);
        g_assert_nonnull(gd);
        for (const char *n; (n = g_dir_read_name(gd)) != NULL;) {
            if (!g_str_has_suffix(n, ".eml") && !g_str_has_suffix(n, ".txt"))
                continue;
            g_autofree char *path = g_build_filename(dir, n, NULL);
            g_autofree char *data = NULL;
            gsize len = 0;
            g_assert_true(g_file_get_contents(path, &data, &len, NULL));
            g_autoptr(MailMessage) m = mail_message_parse((const guint8 *)data, len, NULL);
            g_autoptr(HeaderAudit) a = header_audit_run(m, NULL);
            files++;
            for (guint i = 0; i < a->hops->len; i++) {
                const HeaderHop *h = a->hops->pdata[i];
                g_assert_cmpuint(h->hop, ==, i + 1);
                g_assert_cmpuint(h->field, ==, a->hops->len - i);
                hops++;
            }
            for (guint i = 0; i < a->findings->len; i++)
                g_assert_nonnull(((HeaderFinding *)a->findings->pdata[i])->reason);
        }
    }
    g_test_message("%u messages, %u hops", files, hops);
    g_assert_cmpuint(files, >=, 60);

    g_autofree char *exp = g_build_filename(root, "appendix-a", "expected.yaml", NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(TestYaml) doc = test_yaml_load_one(exp, &err);
    g_assert_no_error(err);
    TestYaml *msgs = test_yaml_get(doc, "messages");
    guint checked = 0;
    for (guint i = 0; i < test_yaml_len(msgs); i++) {
        TestYaml *rcv = test_yaml_get(test_yaml_at(msgs, i), "received");
        if (rcv == NULL)
            continue;
        g_autofree char *path = g_build_filename(root, "appendix-a", msgs->keys->pdata[i], NULL);
        g_autofree char *data = NULL;
        gsize len = 0;
        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        g_autoptr(MailMessage) m = mail_message_parse((const guint8 *)data, len, NULL);
        g_autoptr(HeaderAudit) a = header_audit_run(m, NULL);
        g_assert_cmpuint(a->hops->len, ==, test_yaml_len(rcv));
        for (guint j = 0; j < test_yaml_len(rcv); j++) {
            /* expected.yaml lists fields top first; hops are bottom first. */
            const HeaderHop *h = a->hops->pdata[a->hops->len - 1 - j];
            TestYaml *tok = test_yaml_get(test_yaml_at(rcv, j), "tokens");
            g_assert_cmpstr(h->parsed->from, ==, test_yaml_str(tok, "from"));
            g_assert_cmpstr(h->parsed->by, ==, test_yaml_str(tok, "by"));
            if (test_yaml_str(tok, "with"))
                g_assert_cmpstr(h->parsed->with, ==, test_yaml_str(tok, "with"));
            if (test_yaml_str(tok, "id"))
                g_assert_cmpstr(h->parsed->id, ==, test_yaml_str(tok, "id"));
            if (test_yaml_str(tok, "for"))
                g_assert_cmpstr(h->parsed->for_addr, ==, test_yaml_str(tok, "for"));
            g_assert_true(h->trusted);
            checked++;
        }
        g_assert_cmpstr(header_audit_verdict(a), ==, "clean");
    }
    g_assert_cmpuint(checked, >=, 2);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/proto/header-audit/rfc5322-a4", test_rfc5322_a4);
    g_test_add_func("/proto/header-audit/forged-chain", test_forged_chain);
    g_test_add_func("/proto/header-audit/times-and-date", test_times_and_date);
    g_test_add_func("/proto/header-audit/originator", test_originator);
    g_test_add_func("/proto/header-audit/conformance", test_conformance);
    return g_test_run();
}
