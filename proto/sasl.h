/* SPDX-License-Identifier: MIT
 * sasl: sans-I/O SASL mechanisms (RFC 4422) for SMTP AUTH (RFC 4954):
 * PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195)
 * and DIGEST-MD5 (RFC 2831, Historic per RFC 6331), client and server, plus
 * the RFC 4954 section 4 base64 line rules and offline cracking helpers for
 * labs. Challenges and responses are raw bytes: base64 framing is the
 * protocol engine's job (helpers below). No security layers (qop=auth only).
 */
#ifndef PROTO_SASL_H
#define PROTO_SASL_H

#include <glib.h>

typedef enum {
    SASL_MECH_NONE = 0, /* unknown / unset */
    SASL_MECH_PLAIN,
    SASL_MECH_LOGIN,
    SASL_MECH_CRAM_MD5,
    SASL_MECH_DIGEST_MD5,
} SaslMech;

/* "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5" ("NONE" for SASL_MECH_NONE). */
const char *sasl_mech_name(SaslMech mech);
/* Case-insensitive (RFC 4422 3.1 names are upper case); SASL_MECH_NONE when unknown. */
SaslMech sasl_mech_from_name(const char *name);
/* TRUE when the client may send an initial response (PLAIN; LOGIN sends the
 * user name). CRAM-MD5 and DIGEST-MD5 are server-first: an initial response
 * is a protocol error (RFC 4954 4: 501 5.7.0). */
gboolean sasl_mech_is_client_first(SaslMech mech);
/* TRUE when the password crosses the wire in clear (PLAIN, LOGIN): RFC 4954
 * 4 says servers should offer these only under TLS. */
gboolean sasl_mech_is_plaintext(SaslMech mech);
/* TRUE when the server must store a cleartext-equivalent secret (CRAM-MD5,
 * DIGEST-MD5: the HMAC key / H(user:realm:pass) is enough to log in). */
gboolean sasl_mech_needs_cleartext_secret(SaslMech mech);

/* ---- RFC 4954 section 4 base64 lines ---------------------------------- */

typedef enum {
    SASL_LINE_DATA = 0, /* *out holds the decoded bytes (may be empty) */
    SASL_LINE_CANCEL,   /* "*": the client cancels (server replies 501) */
    SASL_LINE_INVALID,  /* not strict base64 (server replies 501 5.5.2) */
} SaslLineResult;

/* Decodes one client line strictly: alphabet A-Z a-z 0-9 + /, length a
 * multiple of 4, '=' padding only at the end (at most two). is_initial: the
 * line is an AUTH initial response, where "=" means "present but empty";
 * elsewhere an empty line is an empty response. *out (transfer full) is set
 * only on SASL_LINE_DATA. */
SaslLineResult sasl_line_decode(const char *line, gsize len, gboolean is_initial, GBytes **out);
/* Encodes data for a 334 challenge or a client response ("" when empty). */
char *sasl_line_encode(const guint8 *data, gsize len);
/* Encodes an initial response: "=" when empty (RFC 4954 4). */
char *sasl_line_encode_initial(const guint8 *data, gsize len);
/* Strict base64 check alone (same rules as sasl_line_decode). */
gboolean sasl_base64_is_valid(const char *text, gsize len);

/* ---- server ------------------------------------------------------------ */

typedef struct {
    const char *service;  /* GSSAPI service name, digest-uri prefix; NULL = "smtp" */
    const char *hostname; /* CRAM-MD5 challenge, digest-uri host; NULL = "localhost" */
    const char *realm;    /* DIGEST-MD5 realm; NULL = hostname */
    GRand *rand;          /* (transfer none) challenge/nonce randomness; required by
                             CRAM-MD5 and DIGEST-MD5 unless fixed_challenge is set */
    gint64 timestamp;     /* CRAM-MD5 challenge timestamp (RFC 2195 2), e.g. virtual seconds */
    const char *fixed_challenge; /* (nullable) replay/tests: the whole CRAM-MD5 challenge
                                    or the DIGEST-MD5 nonce, instead of drawing from rand */
} SaslServerConfig;

typedef enum {
    SASL_SERVER_ACT_NONE = 0,    /* zero value only */
    SASL_SERVER_ACT_CHALLENGE,   /* act->data (transfer full, maybe empty): send to client */
    SASL_SERVER_ACT_NEED_SECRET, /* act->secret_kind, authcid...: answer with
                                    sasl_server_answer_secret() */
    SASL_SERVER_ACT_SUCCESS,     /* act->authcid, act->authzid authenticated */
    SASL_SERVER_ACT_FAILURE,     /* act->reason */
} SaslServerActKind;

typedef enum {
    SASL_SECRET_NONE = 0,
    SASL_SECRET_PASSWORD,  /* PLAIN, LOGIN: the stored password is compared with
                              act->password (what the client sent) */
    SASL_SECRET_CLEARTEXT, /* CRAM-MD5, DIGEST-MD5: the engine needs the
                              cleartext-equivalent secret to recompute the digest */
} SaslSecretKind;

typedef enum {
    SASL_FAIL_NONE = 0,
    SASL_FAIL_MALFORMED,          /* client message breaks the mechanism's syntax */
    SASL_FAIL_CREDENTIALS,        /* unknown user or wrong password/digest (RFC 4954: 535 5.7.8) */
    SASL_FAIL_AUTHZID,            /* authenticated, but may not act as authzid (535 5.7.8) */
    SASL_FAIL_CANCELLED,          /* client sent "*" (RFC 4954: 501) */
    SASL_FAIL_UNEXPECTED_INITIAL, /* initial response to a server-first mechanism (501 5.7.0) */
} SaslFailure;

typedef struct {
    SaslServerActKind kind;
    GBytes *data;               /* CHALLENGE: raw challenge (transfer full) */
    SaslSecretKind secret_kind; /* NEED_SECRET */
    const char *authcid;        /* NEED_SECRET, SUCCESS: (transfer none) valid until the next
                                   call on the server */
    const char *authzid;        /* NEED_SECRET, SUCCESS: "" when none requested */
    const char *realm;          /* NEED_SECRET for DIGEST-MD5: the realm chosen by the client */
    const char *password;       /* NEED_SECRET for PLAIN/LOGIN: what the client sent
                                   (transfer none; the trace shows it was sniffable) */
    const char *server_final;   /* SUCCESS for DIGEST-MD5: the "rspauth=..." already sent */
    SaslFailure reason;         /* FAILURE */
} SaslServerAct;

typedef struct SaslServer SaslServer;

/* cfg is copied (strings duplicated; rand stays borrowed). NULL when mech
 * is SASL_MECH_NONE. */
SaslServer *sasl_server_new(SaslMech mech, const SaslServerConfig *cfg);
void sasl_server_free(SaslServer *srv);
SaslMech sasl_server_get_mech(const SaslServer *srv);

/* Starts the exchange. initial: the decoded initial response, or NULL when
 * the client sent none (len 0 with non-NULL pointer is "=", an empty one).
 * Fills *act (clear it with sasl_server_act_clear()). Legal once. */
void sasl_server_start(SaslServer *srv, const guint8 *initial, gsize len, SaslServerAct *act);
/* The client's decoded answer to the last CHALLENGE. */
void sasl_server_step(SaslServer *srv, const guint8 *data, gsize len, SaslServerAct *act);
/* Answers NEED_SECRET: secret is the stored secret (NULL: no such user);
 * authz_ok says whether authcid may act as the requested authzid (ignored
 * when authzid is empty or equal to authcid). The engine compares in
 * constant time and fills *act with SUCCESS, FAILURE or (DIGEST-MD5) the
 * rspauth CHALLENGE. */
void sasl_server_answer_secret(SaslServer *srv, const char *secret, gboolean authz_ok,
                               SaslServerAct *act);
/* The client sent "*": FAILURE/CANCELLED. */
void sasl_server_cancel(SaslServer *srv, SaslServerAct *act);
gboolean sasl_server_is_done(const SaslServer *srv);
void sasl_server_act_clear(SaslServerAct *act);
const char *sasl_failure_name(SaslFailure reason);
/* "CHALLENGE 12 bytes", "NEED_SECRET cleartext authcid=tim", "SUCCESS tim",
 * "FAILURE credentials" (tests and traces; never prints secrets). */
char *sasl_server_act_to_string(const SaslServerAct *act);

/* ---- client ------------------------------------------------------------ */

typedef enum {
    SASL_CLIENT_CONTINUE = 0, /* *response (transfer full, maybe empty): send it */
    SASL_CLIENT_DONE,         /* nothing more to send; expect the server's outcome */
    SASL_CLIENT_ERROR,        /* bad challenge or rspauth mismatch: cancel ("*") */
} SaslClientResult;

typedef struct SaslClient SaslClient;

/* user, password copied (password wiped on free); authzid nullable. rand
 * (transfer none) draws the DIGEST-MD5 cnonce. */
SaslClient *sasl_client_new(SaslMech mech, const char *user, const char *password,
                            const char *authzid, GRand *rand);
void sasl_client_free(SaslClient *cl);
/* DIGEST-MD5 digest-uri "service/host" (default "smtp/" + the challenge realm). */
void sasl_client_set_service(SaslClient *cl, const char *service, const char *host);
/* Tests/replay: a fixed DIGEST-MD5 cnonce instead of drawing from rand. */
void sasl_client_set_cnonce(SaslClient *cl, const char *cnonce);
/* LOGIN only: send the user name as an initial response (default FALSE). */
void sasl_client_set_login_initial(SaslClient *cl, gboolean on);
/* TRUE and *response set when the mechanism sends an initial response
 * (PLAIN always; LOGIN when enabled). Call before the first step, once. */
gboolean sasl_client_initial_response(SaslClient *cl, GBytes **response);
/* Answers one server challenge (raw bytes). */
SaslClientResult sasl_client_step(SaslClient *cl, const guint8 *challenge, gsize len,
                                  GBytes **response);
/* DIGEST-MD5: TRUE once the server's rspauth was checked and matched. */
gboolean sasl_client_server_verified(const SaslClient *cl);
/* Why the last step returned SASL_CLIENT_ERROR (static string) or NULL. */
const char *sasl_client_get_error(const SaslClient *cl);

/* ---- offline helpers (labs: dictionary attacks on sniffed exchanges) --- */

/* lowercase hex HMAC-MD5(secret, challenge) (RFC 2195 2). */
char *sasl_cram_md5_digest_hex(const char *secret, const guint8 *challenge, gsize len);
/* "user hexdigest" for the raw challenge text (angle brackets included). */
char *sasl_cram_md5_response(const char *user, const char *secret, const char *challenge);
/* Tries each word: returns a copy of the matching password or NULL.
 * response is the decoded client line "user hexdigest". */
char *sasl_crack_cram_md5(const char *user, const char *challenge, const char *response,
                          const char *const *wordlist);
/* challenge, response: the decoded DIGEST-MD5 server challenge and client
 * response; returns the password whose response= matches, or NULL. */
char *sasl_crack_digest_md5(const char *challenge, const char *response,
                            const char *const *wordlist);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SaslServer, sasl_server_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SaslClient, sasl_client_free)

#endif
