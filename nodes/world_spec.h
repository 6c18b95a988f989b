/* SPDX-License-Identifier: MIT
 * world_spec: the scenario as plain data (DESIGN 5): network defaults, DNS
 * zone, nodes with their role settings, links, users, timed events and
 * expectations. Built by the YAML loader in app/ (or by tests, by hand) and
 * read by the world builder in nodes/. Pure data: no YAML, no simulator.
 * Times are SimTime-compatible microseconds (gint64). Every struct carries
 * the place in the scenario file it came from, so that run-time problems
 * can still say FILE:LINE:COL.
 */
#ifndef NODES_WORLD_SPEC_H
#define NODES_WORLD_SPEC_H

#include <glib.h>

#include "proto/dkim.h"
#include "proto/dns_zone.h"
#include "proto/smtp_data.h"
#include "proto/smtp_dsn.h"

/* 2026-01-01T00:00:00Z: virtual time 0 unless the scenario sets `epoch`. */
#define WORLD_SPEC_EPOCH_DEFAULT G_GINT64_CONSTANT(1767225600)
#define WORLD_SPEC_USEC G_GINT64_CONSTANT(1000000)

/* Where a spec item was written: file (interned, never freed), 1-based line
 * and column; line 0 means "not from a file". */
typedef struct {
    const char *file;
    guint line;
    guint col;
} SpecLoc;

typedef struct {
    gint64 latency;         /* one-way, microseconds (default 5 ms) */
    guint64 bandwidth;      /* bits per second (default 100 Mbit/s) */
    gint64 jitter;          /* microseconds, drawn from the seeded RNG (default 0) */
    gint64 connect_timeout; /* microseconds (default 30 s) */
    guint mtu;              /* re-chunk streams to this many bytes; 0 = no re-chunking */
} NetSpec;

typedef enum {
    SPEC_ROLE_NONE = 0,
    SPEC_ROLE_MUA,
    SPEC_ROLE_MSA,
    SPEC_ROLE_MTA,
    SPEC_ROLE_MS,
    SPEC_ROLE_DNS,
    /* Reserved for later roles; the loader does not accept them yet. */
    SPEC_ROLE_SPAMMER,
    SPEC_ROLE_EAVESDROPPER,
    SPEC_ROLE_MITM,
    SPEC_ROLE_WEBMAIL,
    SPEC_ROLE_BROWSER,
    SPEC_ROLE_GATEWAY,
} SpecRole;

typedef struct {
    char **domains;      /* recipient domains this MTA relays for (NULL-terminated) */
    char **networks;     /* client networks (IPv4 CIDR) allowed to relay anywhere */
    gboolean open_relay; /* relays for anybody (the classic misconfiguration) */
    /* Misconfigurations (all off: Postfix defaults). */
    gboolean trust_helo;    /* relays when the HELO name is in a local domain */
    gboolean percent_hack;  /* routes user%remote@local to user@remote */
    gboolean bang_path;     /* routes remote!user@local to user@remote */
    gboolean source_routes; /* follows <@local:user@remote> */
    gboolean dequote;       /* routes "user@remote"@local to user@remote */
    gboolean ip_literals;   /* any user@[IP] counts as mail for this host */
} RelaySpec;

typedef enum {
    SPEC_DNSBL_AT_CONNECT = 0, /* the greeting (delayed to RCPT for role accounts) */
    SPEC_DNSBL_AT_RCPT,
} SpecDnsblAt;

/* RFC 5782 client blocklists checked by an MTA. */
typedef struct {
    char **lists;   /* zones, e.g. bl.test (NULL-terminated; empty: no checks) */
    char **allow;   /* client networks never checked (IPv4 CIDR) */
    SpecDnsblAt reject_at;
} DnsblSpec;

typedef struct {
    gint64 first;       /* delay before the first retry (default 60 s) */
    guint backoff;      /* each later delay is multiplied by this (default 2) */
    guint max_attempts; /* delivery attempts before bouncing, first one included (default 4) */
    gint64 max_age;     /* bounce when the message is older than this (default 1 h) */
} RetrySpec;

/* msa, mta: DKIM signing (RFC 6376) of the mail it relays for `domain`. */
typedef struct {
    char *domain;      /* d=; NULL: the node does not sign */
    char *selector;    /* s= (default "mhs") */
    char *key_pem;     /* (nullable) the private key as PEM text; NULL: derived at build */
    char *key_file;    /* (nullable) where key_pem came from, for messages */
    DkimAlg alg;       /* default ed25519-sha256 */
    guint rsa_bits;    /* derived RSA keys: modulus bits (default 2048) */
    DkimCanon header_canon, body_canon; /* default relaxed/relaxed */
    char **headers;    /* (nullable) h= names; NULL: the signer's default list */
} DkimSignSpec;

/* What a receiving mta does with an SPF result (RFC 7208 8). */
typedef enum {
    SPEC_SPF_TAG = 0, /* accept, record it in Received-SPF and Authentication-Results */
    SPEC_SPF_REJECT,  /* 550 5.7.23 at MAIL (RFC 7372 3.2) */
} SpecSpfAction;

/* mta: sender authentication checks on incoming mail. */
typedef struct {
    gboolean spf;           /* SPF on MAIL FROM (HELO for <>), RFC 7208 */
    gboolean dkim;          /* DKIM verification at DATA, RFC 6376 */
    gboolean dmarc;         /* DMARC evaluation at DATA, RFC 7489 */
    gboolean dmarc_enforce; /* apply p=reject (550 5.7.1) and p=quarantine */
    SpecSpfAction spf_fail;     /* default reject */
    SpecSpfAction spf_softfail; /* default tag */
} AuthChecksSpec;

/* mta: changes a relay makes to what it forwards (to show what breaks
 * DKIM). */
typedef struct {
    char *body_append;      /* (nullable) text added as a last body line */
    gboolean rewrap_headers; /* double every space in header fields */
} RewriteSpec;
/* mta: an attacker's changes to the mail it relays (S/MIME lab: what a
 * signature detects). */
typedef struct {
    char *append_body; /* (nullable) a line added at the end of the body */
    char **replace;    /* (nullable) pairs old, new (NULL-terminated, even length):
                          every occurrence of old in the body becomes new */
} TamperSpec;

/* S/MIME (RFC 8551): the key of a user's certificate from the scenario CA. */
typedef enum {
    SPEC_SMIME_KEY_NONE = 0, /* no certificate */
    SPEC_SMIME_KEY_RSA,      /* RSA-2048 (default of `smime: true`) */
    SPEC_SMIME_KEY_P256,     /* ECDSA / ECDH over P-256 */
} SpecSmimeKey;

/* send: how the MUA protects the message. */
typedef enum {
    SPEC_SMIME_NONE = 0,
    SPEC_SMIME_SIGN,         /* clear-signed, multipart/signed */
    SPEC_SMIME_OPAQUE_SIGN,  /* application/pkcs7-mime signed-data */
    SPEC_SMIME_ENCRYPT,      /* enveloped for every recipient */
    SPEC_SMIME_SIGN_ENCRYPT, /* clear-signed, then enveloped */
} SpecSmimeMode;

/* mua: what to do when a certificate the protection needs is missing. */
typedef enum {
    SPEC_SMIME_MISSING_REFUSE = 0, /* do not send; the recipients are rejected at the MUA */
    SPEC_SMIME_MISSING_SEND_PLAIN, /* send without S/MIME and say so in the trace */
} SpecSmimeMissing;

/* TLS levels in Postfix's vocabulary (smtp_tls_security_level). Server:
 * NONE, MAY (offer STARTTLS), ENCRYPT (also refuse mail before TLS).
 * Client: NONE, MAY (opportunistic), ENCRYPT (mandatory, no certificate
 * check), VERIFY and SECURE (chain to the scenario CA and the next hop's
 * name must match). */
typedef enum {
    SPEC_TLS_NONE = 0,
    SPEC_TLS_MAY,
    SPEC_TLS_ENCRYPT,
    SPEC_TLS_VERIFY,
    SPEC_TLS_SECURE,
} SpecTlsLevel;

typedef struct {
    SpecTlsLevel server;      /* msa, mta */
    SpecTlsLevel client;      /* mua, msa, mta (outgoing) */
    guint min_version;        /* 0 default (TLS 1.2), 12 = TLS 1.2, 13 = TLS 1.3 */
    gboolean session_tickets; /* issue (server) and resume (client); default TRUE */
    SpecTlsLevel pop3;        /* mua: STLS when fetching (RFC 2595); ms: see server */
} TlsSpec;

/* SMTP AUTH (RFC 4954). Server side (msa, mta): required, mechanisms,
 * tls_only, sender_login_match. Client side (mua): mechanism, force. */
typedef struct {
    gboolean required;           /* MAIL needs AUTH first: 530 5.7.0 */
    char **mechanisms;           /* offered; NULL: none (no AUTH) */
    gboolean tls_only;           /* Postfix smtpd_tls_auth_only: AUTH only after STARTTLS */
    gboolean sender_login_match; /* Postfix reject_sender_login_mismatch */
    char *mechanism;             /* mua: mechanism to use; NULL: no AUTH */
    gboolean force;              /* mua: AUTH even when the server does not offer it */
    guint max_failures;          /* server: failed AUTH exchanges per session before
                                    421 (default 3) */
    gint64 failure_delay;        /* server: microseconds before that 421 (default 1 s) */
} AuthSpec;

/* mua: what the client does with a request for a read receipt
 * (Disposition-Notification-To, RFC 8098 2.1). */
typedef enum {
    SPEC_MDN_NEVER = 0, /* ignore the request (the default: a request, not a guarantee) */
    SPEC_MDN_ALWAYS,    /* send one automatically (automatic-action/MDN-sent-automatically) */
    SPEC_MDN_ASK,       /* ask the user (manual-action/MDN-sent-manually if agreed) */
} SpecMdnMode;
/* mitm: one byte rewrite rule, applied to whole clear-text lines. */
typedef struct {
    char *match;        /* non-empty */
    char *replace;      /* "" deletes */
    gboolean to_client; /* FALSE: lines going to the server */
} MitmRuleSpec;

/* mitm: the active attacker on a link (proto/smtp_mitm.h). */
typedef struct {
    gboolean strip_starttls; /* remove STARTTLS from EHLO replies (default TRUE) */
    gboolean block_starttls; /* answer 454 to STARTTLS, never forward it (default TRUE) */
    GPtrArray *rules;        /* (nullable) MitmRuleSpec*, in order */
} MitmSpec;

/* msa, mta: SMTP AUTH (RFC 4954) as a client to the relayhost. */
typedef struct {
    char *user;      /* NULL: no AUTH */
    char *password;  /* NULL: the users table's password of user */
    char *mechanism; /* default PLAIN */
} RelayhostAuthSpec;

/* One node. Role fields sit in one flat struct; fields of other roles stay
 * at their zero/default value. Strings are owned (transfer full). */
typedef struct {
    SpecLoc loc;
    char *name;
    SpecRole role;
    char **ips; /* IPv4 addresses, at least one (NULL-terminated) */

    /* common */
    char *hostname;           /* greeting / Received name; default: the node name */
    guint max_recipients;     /* per message (default 100, RFC 5321 4.5.3.1.8) */
    guint64 max_message_size; /* bytes (default 10 MiB) */
    guint16 smtp_port;        /* default 25 */
    guint16 submission_port;  /* default 587 */
    guint16 pop3_port;        /* default 110 */
    TlsSpec tls;              /* STARTTLS server and client levels */
    AuthSpec auth;            /* SMTP AUTH (server for msa/mta, client for mua) */

    /* mua */
    char *user;     /* mail address of the user of this client */
    char *password; /* NULL: taken from `users` */
    char *msa;      /* node name of the submission server */
    char *ms;       /* node name of the message store (POP3) */
    gboolean keep;  /* leave fetched mail on the server (default TRUE) */
    SpecSmimeKey smime_key;         /* the user's S/MIME certificate (`smime`) */
    SpecSmimeMissing smime_missing; /* `smime_missing_cert` */

    /* msa, mta */
    DkimSignSpec dkim;     /* signing (domain NULL: none) */
    AuthChecksSpec checks; /* mta: SPF/DKIM/DMARC on incoming mail */
    RewriteSpec rewrite;   /* mta: alter relayed mail */
    TamperSpec tamper;     /* mta: an attacker's changes (after the Received field) */
    char *relayhost; /* node name or host name; NULL: route by MX */

    /* mta */
    RelaySpec relay;
    char **local_domains; /* domains whose mail goes to deliver_to */
    char *deliver_to;     /* ms node name */
    RetrySpec retry;
    DnsblSpec dnsbl;
    gboolean exempt_role_accounts; /* postmaster@, abuse@ of local domains pass DNSBLs
                                      (RFC 5321 4.5.1, RFC 2142; default TRUE) */
    SmtpDataEndMode data_end;      /* msa, mta: end-of-data reading (default strict) */

    /* ms */
    char **domains; /* domains whose mailboxes this store holds */
    char *journal;     /* (nullable) journal mailbox: a copy of every delivery */
    gboolean backup;   /* keep a backup copy of every delivery (survives DELE) */
    char *backup_node; /* (nullable) the node holding the backup; NULL: this one */

    /* dns */
    gint64 answer_latency; /* delay before an answer (default 1 ms) */

    /* eavesdropper, mitm */
    char **tap; /* the two node names at the ends of the tapped link */

    /* receipts and bounces (RFC 8098 MDN, RFC 3461 DSN) */
    SpecMdnMode mdn;        /* mua */
    gboolean mdn_declines;  /* mua, mdn ask: the user says no */
    gboolean dsn_offered;   /* msa, mta: advertise DSN and take its parameters (RFC 3461) */
    gint64 delay_warning;   /* msa, mta: "delayed" DSN after this long queued (0: never) */
    /* gateway: an mta whose outgoing SMTP goes to a real server, "host:port"
     * (reachable only under `mhs serve`; see nodes/gateway_node.h) */
    char *connect;
    /* mitm */
    MitmSpec mitm;

    /* msa, mta */
    RelayhostAuthSpec relayhost_auth; /* AUTH to the relayhost */

    /* webmail (also msa, ms, auth.mechanism), browser (also user, password) */
    char *webmail;     /* browser: node name of its webmail server */
    gboolean https;    /* webmail: serve HTTPS (RFC 2818); browser: use it */
    guint16 http_port; /* webmail: listening port; 0: 80, or 443 with https */
} NodeSpec;

typedef struct {
    gint64 at;
    gboolean up;
} LinkChange;

typedef struct {
    SpecLoc loc;
    char *a, *b;       /* node names */
    gint64 latency;    /* -1: the network default */
    guint64 bandwidth; /* 0: the network default */
    gint64 jitter;     /* -1: the network default */
    GArray *schedule;  /* LinkChange, sorted by time as written */
} LinkSpec;

typedef struct {
    SpecLoc loc;
    char *address;
    char *password; /* nullable */
    char *ms;       /* nullable: the ms serving the address's domain */
    SpecSmimeKey smime_key; /* the user's S/MIME certificate (`smime`) */
} UserSpec;

typedef enum {
    SPEC_EVENT_SEND = 1,
    SPEC_EVENT_REPLY,
    SPEC_EVENT_FETCH,
    SPEC_EVENT_FAULT,
    SPEC_EVENT_TRAFFIC,
    SPEC_EVENT_RELAY_TEST,
    SPEC_EVENT_RAW_SEND,
    SPEC_EVENT_WEBMAIL_SEND, /* send: from is a browser */
    SPEC_EVENT_WEBMAIL_READ, /* fetch: by is a browser */
} SpecEventKind;

typedef struct {
    char *name;
    char *value;
} SpecHeader;

typedef struct {
    char *from;             /* mua node */
    char **to, **cc, **bcc; /* addresses (never NULL; may be empty) */
    char *subject;          /* nullable */
    char *body;             /* nullable */
    GPtrArray *headers;     /* SpecHeader*, in order: extra or forged headers */
    char *id;               /* scenario message id (unique) */
    char *envelope_from;    /* nullable: MAIL FROM override */
    /* Receipts and bounces. */
    gboolean receipt;           /* Disposition-Notification-To: the user (RFC 8098 2.1) */
    gboolean return_receipt_to; /* the older, non-standard Return-Receipt-To: the user */
    guint notify;               /* RCPT NOTIFY= for every recipient (SmtpDsnNotify), 0 none */
    SmtpDsnRet ret;             /* MAIL RET= (RFC 3461 4.3) */
    char *envid;                /* nullable: MAIL ENVID= (RFC 3461 4.4) */
    char *on_behalf_of;         /* nullable: the author (From); the user is then Sender
                                   (RFC 5322 3.6.2) */
    SpecSmimeMode smime;    /* S/MIME protection (default none) */
} SendSpec;

typedef struct {
    char *by; /* mua node */
    char *to; /* message id replied to */
    char *id;
    char *body;    /* nullable */
    char *subject; /* nullable: default "Re: " + original */
    SpecSmimeMode smime; /* S/MIME protection of the reply (default none) */
} ReplySpec;

typedef struct {
    char *by;          /* mua node */
    gboolean keep;     /* default: the mua's keep */
    gboolean has_keep; /* keep was written */
    SpecTlsLevel tls;  /* STLS level of this fetch (RFC 2595) */
    gboolean has_tls;  /* tls was written; otherwise the mua's tls.pop3 */
} FetchSpec;

typedef struct {
    char *a, *b; /* link ends (NULL for a node fault) */
    gboolean up;
    /* Node faults (nodes/node_fault.h): node names the node. */
    char *node;
    gboolean crash, has_crash;         /* crash: TRUE crashes, FALSE restarts */
    gboolean disk_full, has_disk_full; /* disk_full: TRUE fills the disk, FALSE frees it */
} FaultSpec;

typedef struct {
    guint count;
    gint64 interval; /* between messages, from `rate` (messages/s) or `interval` */
    char **from;     /* mua nodes, used round robin */
    char **to;       /* addresses, used round robin */
    char *id_prefix; /* ids are id_prefix + N, N from `start` */
    guint start;     /* first N (default 1) */
    gsize size;      /* body bytes (default 1000) */
    /* Spam campaigns: `from` names spammer nodes (nodes/spam_campaign.h). */
    char *campaign;     /* nullable: the campaign's name (default: id_prefix) */
    char *via;          /* nullable: relay node sent through; NULL: each recipient's MX */
    char **mail_from;   /* nullable: envelope senders, round robin (forged: backscatter) */
    char *helo;         /* nullable: EHLO name (forged); NULL: the node's host name */
    char *subject;      /* nullable: Subject (default "Traffic message N") */
    GPtrArray *headers; /* SpecHeader*: forged or extra fields (From, Sender, Date, ...) */
    char **received;    /* nullable: fake Received field values, prepended in order */
} TrafficSpec;

/* The open-relay battery (proto/relay_tests.h) from one node against another. */
typedef struct {
    char *from;          /* any node: the client host */
    char *target;        /* msa or mta under test */
    char *remote_domain; /* default relay-victim.example */
    char *other_ip;      /* default 192.0.2.99 */
    char *local_user;    /* nullable: default a user of the target's first local domain */
} RelayTestSpec;

/* One SMTP transaction written byte for byte (no dot-stuffing, no CR/LF
 * repair): what spam software or a smuggling attacker sends. */
typedef struct {
    char *from;      /* any node */
    char *target;    /* msa or mta */
    guint16 port;    /* default: the target's SMTP (mta) or submission (msa) port */
    char *helo;      /* default "EHLO " + the from node's host name */
    char *mail_from; /* address without <> ("" for the null path) */
    char **rcpt_to;  /* addresses */
    char *data;      /* message bytes; ".\r\n" is appended (after a CRLF if missing) */
    char *id;        /* nullable: scenario message id */
} RawSendSpec;

typedef struct {
    SpecLoc loc;
    gint64 at;
    SpecEventKind kind;
    SendSpec send;
    ReplySpec reply;
    FetchSpec fetch;
    FaultSpec fault;
    TrafficSpec traffic;
    RelayTestSpec relay_test;
    RawSendSpec raw_send;
} EventSpec;

typedef enum {
    SPEC_EXPECT_STATUS = 1,   /* message, status, to?, code? */
    SPEC_EXPECT_PATH,         /* message, path */
    SPEC_EXPECT_PATH_DIFFERS, /* message, other */
    SPEC_EXPECT_HEADER,       /* message, header, present, to? */
    SPEC_EXPECT_DELIVERED,    /* count */
    SPEC_EXPECT_FETCHED,      /* message, fetched_by */
    SPEC_EXPECT_MAILBOX,      /* mailbox, count */
    SPEC_EXPECT_SPF,          /* message, verdict, at? */
    SPEC_EXPECT_DKIM,         /* message, verdict, at? */
    SPEC_EXPECT_DMARC,        /* message, verdict, at? */
    SPEC_EXPECT_RELAY_TESTS,  /* relay_mode, target */
    SPEC_EXPECT_COPIES_AT,    /* message, copies_at: exactly these nodes hold copies */
    SPEC_EXPECT_HELD_BY,      /* message, held_by, copy_kind?, present */
    /* count, to?, campaign? */
    SPEC_EXPECT_SPAM_DELIVERED,
    /* rejected_by, message? or campaign?, to?, code? */
    SPEC_EXPECT_REJECTED_BY,
    /* message, status (the verdict), to?, at?, code?, stage? */
    SPEC_EXPECT_SPAM_VERDICT,
    SPEC_EXPECT_SMIME,        /* message, verdict, at? (the recipient MUA's S/MIME result) */
    SPEC_EXPECT_STORED,       /* message, text (contains), present, to? (the stored copy) */
    SPEC_EXPECT_TAP,          /* tap, saw, present, user? (what an eavesdropper or mitm read) */
    SPEC_EXPECT_EXPOSURE,     /* message, exposure_case, party, read?, alter? (exposure table) */
} SpecExpectKind;

typedef enum {
    SPEC_RELAY_ALL_REFUSED = 1, /* no test relayed, controls accepted */
    SPEC_RELAY_EXPLOITED,       /* at least one test relayed */
} SpecRelayMode;

typedef enum {
    SPEC_STATUS_NONE = 0,
    SPEC_STATUS_DELIVERED,
    SPEC_STATUS_REJECTED,
    SPEC_STATUS_BOUNCED,
    SPEC_STATUS_QUEUED,
} SpecStatus;

typedef struct {
    SpecLoc loc;
    SpecExpectKind kind;
    char *message; /* message id (not for DELIVERED) */
    SpecStatus status;
    char *to;    /* nullable: one recipient */
    guint code;  /* 0: any reply code */
    char **path; /* node names */
    char *other; /* path_differs_from */
    char *header;
    gboolean present;
    guint count;      /* DELIVERED, MAILBOX */
    char *fetched_by; /* FETCHED: mua node */
    char *mailbox;    /* MAILBOX: address */
    char *verdict;    /* SPF/DKIM/DMARC: the result name expected */
    char *at;         /* nullable: the node that recorded it */
    SpecRelayMode relay_mode;
    char *target; /* relay_tests: node name */
    char **copies_at; /* COPIES_AT: node names */
    char *held_by;    /* HELD_BY: node name */
    char *copy_kind;  /* HELD_BY: nullable: mailbox, journal, backup, queue, client */
    char *campaign;    /* nullable: spam expectations: one campaign */
    char *rejected_by; /* REJECTED_BY: the node that refused */
    char *stage;       /* nullable: SPAM_VERDICT: the SMTP stage (RCPT, CONNECT, ...) */
    char *contains; /* STORED: text looked for in the delivered copy */
    char *tap;      /* TAP: the eavesdropper or mitm node */
    char *saw;      /* TAP: a tap.observe `what` (credentials, tls-records, ...) */
    char *user;     /* TAP: nullable: whose credentials */
    guint exposure_case; /* EXPOSURE: an ExposureCase (nodes/exposure.h) */
    char *party;         /* EXPOSURE: the row's node */
    gboolean read, alter, has_read, has_alter; /* EXPOSURE: has_*: the key was given */
} ExpectSpec;

typedef struct {
    char *file; /* display name of the scenario source */
    char *name;
    guint64 seed;      /* default 1 */
    gint64 epoch_unix; /* unix seconds of virtual time 0 */
    NetSpec network;
    DnsZone *zone;      /* never NULL (transfer: owned, one reference) */
    GPtrArray *nodes;   /* NodeSpec* */
    GPtrArray *links;   /* LinkSpec* */
    GPtrArray *users;   /* UserSpec* */
    GPtrArray *events;  /* EventSpec*, in file order (not sorted by time) */
    GPtrArray *expects; /* ExpectSpec* */
    char *psl_text;     /* nullable: a Public Suffix List (Mozilla format) for DMARC */
    char **psl_rules;   /* extra rules from the scenario's `psl` (NULL-terminated) */
    gboolean exposure;  /* `exposure: true`: exposure records for every message */
    struct WorldSpecIndex *index; /* private: look-up tables of world_spec_find_node/user */
} WorldSpec;

/* An empty spec with every default set (transfer full). */
WorldSpec *world_spec_new(void);
void world_spec_free(WorldSpec *spec);

/* A node with the defaults of role (transfer full). */
NodeSpec *node_spec_new(SpecRole role);
void node_spec_free(NodeSpec *node);
LinkSpec *link_spec_new(void);
void link_spec_free(LinkSpec *link);
UserSpec *user_spec_new(void);
void user_spec_free(UserSpec *user);
EventSpec *event_spec_new(SpecEventKind kind);
void event_spec_free(EventSpec *event);
ExpectSpec *expect_spec_new(SpecExpectKind kind);
void expect_spec_free(ExpectSpec *expect);
void spec_header_free(SpecHeader *h);
void mitm_rule_spec_free(MitmRuleSpec *r);

/* Look-ups (transfer none; NULL when absent). Addresses compare
 * case-insensitively. */
/* Look-ups by node name and by user address (case-insensitive): the first
 * entry with that key. Hash tables built on first use and extended as the
 * arrays grow, so they stay O(1) with thousands of users; entries must not
 * be renamed or removed once added. */
NodeSpec *world_spec_find_node(const WorldSpec *spec, const char *name);
UserSpec *world_spec_find_user(const WorldSpec *spec, const char *address);
/* The link between a and b in either direction, or NULL. */
LinkSpec *world_spec_find_link(const WorldSpec *spec, const char *a, const char *b);
/* The ms node holding address's mailbox: the user's `ms`, else the first ms
 * whose `domains` holds the address's domain, else the `deliver_to` of an
 * mta with the domain in local_domains. NULL when none. */
const char *world_spec_mailbox_node(const WorldSpec *spec, const char *address);
/* The password of address (users table, else a mua with that user). */
const char *world_spec_user_password(const WorldSpec *spec, const char *address);

/* "FILE:LINE:COL" (transfer full); "FILE" alone when line is 0. */
char *spec_loc_to_string(const SpecLoc *loc);

/* Name tables: "mua", "send", "delivered"...; from_name returns 0 when unknown. */
const char *spec_role_name(SpecRole role);
SpecRole spec_role_from_name(const char *name);
const char *spec_event_kind_name(SpecEventKind kind);
const char *spec_expect_kind_name(SpecExpectKind kind);
const char *spec_status_name(SpecStatus status);
/* "none", "may", "encrypt", "verify", "secure"; from_name: FALSE when unknown. */
const char *spec_tls_level_name(SpecTlsLevel level);
gboolean spec_tls_level_from_name(const char *name, SpecTlsLevel *out);
SpecStatus spec_status_from_name(const char *name);
/* "sign", "opaque-sign", "encrypt", "sign+encrypt" ("none" for NONE);
 * from_name: FALSE when unknown. */
const char *spec_smime_mode_name(SpecSmimeMode mode);
gboolean spec_smime_mode_from_name(const char *name, SpecSmimeMode *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(WorldSpec, world_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NodeSpec, node_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LinkSpec, link_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UserSpec, user_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EventSpec, event_spec_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ExpectSpec, expect_spec_free)

#endif
