/* SPDX-License-Identifier: MIT
 * relay_tests: the open-relay test battery as data: 45 tests transcribed
 * from the project's conformance file relay/relay-tests.yaml (nmap
 * smtp-open-relay.nse, the MAPS relay-test transcript, Postfix postconf(5),
 * qmail-ldap BLOCKRELAYPROBE, RFC 5321 3.6 and 4.5.1), with placeholder
 * substitution. What a verdict means is the caller's business; this is the
 * table and the text transformations only.
 */
#ifndef PROTO_RELAY_TESTS_H
#define PROTO_RELAY_TESTS_H

#include <glib.h>

typedef enum {
    RELAY_TEST_EXPECT_REJECT_RCPT = 1, /* RCPT (or MAIL) refused */
    RELAY_TEST_EXPECT_NOT_RELAYED,     /* may be accepted only as a local mailbox */
    RELAY_TEST_EXPECT_ACCEPT,          /* control: 250 */
    RELAY_TEST_EXPECT_HELO_REPLY,      /* only the HELO/EHLO reply code is checked */
} RelayTestExpect;

typedef enum {
    RELAY_TEST_AUTH_NONE = 0,
    RELAY_TEST_AUTH_OK,       /* AUTH PLAIN with valid credentials (over TLS) */
    RELAY_TEST_AUTH_BAD,      /* AUTH PLAIN with a wrong password, then go on */
    RELAY_TEST_AUTH_RSET,     /* successful AUTH, then RSET */
    RELAY_TEST_AUTH_STARTTLS, /* successful AUTH, then STARTTLS */
} RelayTestAuth;

typedef struct {
    const char *id;
    const char *helo;        /* greeting command template; NULL: "EHLO client.example" */
    gboolean no_helo;        /* send no HELO/EHLO at all */
    const char *mail_from;   /* path template ("<...>"), NULL for HELO-only tests */
    const char *rcpt_to;     /* path template, or NULL when rcpt_to_raw is given */
    const char *rcpt_to_raw; /* whole RCPT command line template */
    gboolean mixed_case;     /* write the domain of rcpt_to in mixed case */
    RelayTestAuth auth;
    RelayTestExpect expect;
    guint expect_helo_reply; /* HELO_REPLY: the code wanted */
} RelayTest;

#define RELAY_TEST_COUNT 45
#define RELAY_TEST_DEFAULT_HELO "EHLO client.example"

/* The battery, in file order (transfer none, RELAY_TEST_COUNT entries). */
const RelayTest *relay_tests_table(guint *n);
const RelayTest *relay_tests_find(const char *id);
const char *relay_test_expect_name(RelayTestExpect e);
/* "ok", "bad", "rset", "starttls" ("none" for RELAY_TEST_AUTH_NONE). */
const char *relay_test_auth_name(RelayTestAuth a);

/* Placeholder values (relay-tests.yaml "placeholders"). */
typedef struct {
    const char *relay_host;
    const char *relay_ip;
    const char *local_domain;
    const char *local_user;
    const char *remote_domain;
    const char *other_ip;
} RelayTestPlaceholders;

/* Template with every placeholder replaced (transfer full). */
char *relay_test_expand(const char *tmpl, const RelayTestPlaceholders *ph);
/* "<u@relay-victim.example>" -> "<u@Relay-Victim.EXAMPLE>": the domain
 * after the last '@' alternates case per label (transfer full). */
char *relay_test_mixed_case(const char *path);

#endif
