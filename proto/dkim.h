/* SPDX-License-Identifier: MIT
 * dkim: DomainKeys Identified Mail signer and sans-I/O verifier.
 * RFC 6376 (DKIM), RFC 8463 (ed25519-sha256), RFC 8301 (rsa-sha1 and keys
 * under 1024 bits are not accepted), RFC 8601 2.7.1 (result names).
 * The verifier never does DNS: it asks for key records (NEED_KEY) and is
 * answered; time is a parameter. Messages are raw bytes with CRLF endings
 * (use dkim_message_to_crlf() on LF-only files read from disk).
 * Not implemented: q= methods other than dns/txt, ARC, the g= tag of RFC 4871.
 */
#ifndef PROTO_DKIM_H
#define PROTO_DKIM_H

#include <glib.h>

/* RFC 6376 3.3 algorithms. rsa-sha1 is recognised only to be refused
 * (RFC 8301 3.1). */
typedef enum {
    DKIM_ALG_RSA_SHA256 = 0,
    DKIM_ALG_ED25519_SHA256, /* RFC 8463: pure Ed25519 over the SHA-256 hash */
    DKIM_ALG_RSA_SHA1,       /* verify: permerror; sign: refused */
} DkimAlg;

/* RFC 6376 3.4 canonicalization algorithms. */
typedef enum {
    DKIM_CANON_SIMPLE = 0,
    DKIM_CANON_RELAXED,
} DkimCanon;

/* RFC 8601 2.7.1 dkim= result values, one per signature. */
typedef enum {
    DKIM_RESULT_NONE = 0,  /* message not signed (no signature at all) */
    DKIM_RESULT_PASS,      /* signature verified */
    DKIM_RESULT_FAIL,      /* body hash or signature mismatch */
    DKIM_RESULT_POLICY,    /* verified syntax, refused by policy (key < 1024 bits) */
    DKIM_RESULT_NEUTRAL,   /* not processed (over the signature limit) */
    DKIM_RESULT_TEMPERROR, /* key lookup failed for now (SERVFAIL, timeout) */
    DKIM_RESULT_PERMERROR, /* malformed signature or key record, unusable key */
} DkimResult;

/* Why a signature got its result (RFC 6376 6.1 PERMFAIL/TEMPFAIL causes). */
typedef enum {
    DKIM_REASON_NONE = 0,
    DKIM_REASON_BODY_HASH_MISMATCH, /* 6.1.3: bh= differs from the computed hash */
    DKIM_REASON_SIGNATURE_MISMATCH, /* 6.1.3: b= does not verify */
    DKIM_REASON_SIG_SYNTAX,         /* 3.2 tag-list or tag-value syntax */
    DKIM_REASON_SIG_MISSING_TAG,    /* 6.1.1: v a b bh d h s are required */
    DKIM_REASON_SIG_VERSION,        /* 6.1.1: v= is not "1" */
    DKIM_REASON_SIG_ALGORITHM,      /* unknown a=, or rsa-sha1 (RFC 8301) */
    DKIM_REASON_SIG_CANON,          /* unknown c= */
    DKIM_REASON_SIG_QUERY_METHOD,   /* q= without dns/txt */
    DKIM_REASON_SIG_DOMAIN,         /* d= or s= is not a valid domain name */
    DKIM_REASON_SIG_IDENTITY,       /* 6.1.1: i= not d= or a subdomain of it */
    DKIM_REASON_SIG_FROM_UNSIGNED,  /* 6.1.1 / 5.4: h= lacks From */
    DKIM_REASON_SIG_X_BEFORE_T,     /* 3.5: x= earlier than t= */
    DKIM_REASON_SIG_EXPIRED,        /* 6.1.1: x= is in the past */
    DKIM_REASON_SIG_BODY_LENGTH,    /* l= larger than the canonical body */
    DKIM_REASON_KEY_NOT_FOUND,      /* 6.1.2: NXDOMAIN or no TXT record */
    DKIM_REASON_KEY_SYNTAX,         /* 3.6.1 key record tag-list syntax */
    DKIM_REASON_KEY_VERSION,        /* v= present and not "DKIM1" */
    DKIM_REASON_KEY_TYPE,           /* k= unknown, or not matching a= */
    DKIM_REASON_KEY_HASH,           /* h= of the key excludes sha256 */
    DKIM_REASON_KEY_SERVICE,        /* s= excludes email */
    DKIM_REASON_KEY_REVOKED,        /* 3.6.1: empty p= */
    DKIM_REASON_KEY_INVALID,        /* p= does not decode to a public key */
    DKIM_REASON_KEY_TOO_SMALL,      /* RFC 8301 3.2: RSA under 1024 bits */
    DKIM_REASON_KEY_STRICT,         /* key t=s and i= domain differs from d= */
    DKIM_REASON_DNS_FAILURE,        /* 6.1.2: SERVFAIL or timeout */
    DKIM_REASON_TOO_MANY_SIGNATURES /* over the verifier's signature limit */
} DkimReason;

/* RFC 6376 3.2: at most this many header fields are looked at. */
#define DKIM_MAX_HEADER_FIELDS 1000
/* Signatures verified per message (further ones are NEUTRAL). */
#define DKIM_MAX_SIGNATURES 10
/* Longest tag-list accepted (signature value or key record), in octets. */
#define DKIM_MAX_TAG_LIST 8192
/* Entries accepted in a signature's h= list. */
#define DKIM_MAX_SIGNED_HEADERS 100

/* The result of one DKIM-Signature field. Strings are owned by the verifier. */
typedef struct {
    DkimResult result;
    DkimReason reason;
    guint index;          /* position among the DKIM-Signature fields, top = 0 */
    const char *domain;   /* (nullable) d= as written */
    const char *selector; /* (nullable) s= */
    const char *identity; /* (nullable) i=, or "@" + d= when absent */
    DkimAlg alg;
    DkimCanon header_canon;
    DkimCanon body_canon;
    gboolean is_testing; /* key record has t=y (RFC 6376 3.6.1) */
    guint key_bits;      /* 0 when no key was loaded */
    const char *detail;  /* human text, e.g. "body hash mismatch (computed X)" */
} DkimSigResult;

const char *dkim_result_name(DkimResult r); /* "pass", "fail", ... */
const char *dkim_reason_name(DkimReason r); /* "body hash mismatch", ... */
const char *dkim_alg_name(DkimAlg a);       /* "rsa-sha256", ... */

/* ---- verifier (sans-I/O) ---- */

typedef struct DkimVerifier DkimVerifier;

typedef enum {
    DKIM_VERIFIER_ACT_NONE = 0, /* zero value only; poll() returned FALSE */
    DKIM_VERIFIER_ACT_NEED_KEY, /* look up TXT act->qname, answer with query_id */
    DKIM_VERIFIER_ACT_DONE,     /* every result is final (given once) */
} DkimVerifierActKind;

typedef struct {
    DkimVerifierActKind kind;
    guint32 query_id;
    char *qname; /* (transfer full) "sel._domainkey.example.com" */
} DkimVerifierAct;

/* DNS outcome of a key lookup. */
typedef enum {
    DKIM_DNS_FOUND = 0, /* records given (possibly none: then "no key") */
    DKIM_DNS_NXDOMAIN,  /* PERMFAIL: no key for signature */
    DKIM_DNS_SERVFAIL,  /* TEMPFAIL */
    DKIM_DNS_TIMEOUT,   /* TEMPFAIL */
} DkimDnsStatus;

/* Parsed key records kept across verifiers (dkim_key_cache.c): the same
 * TXT record is parsed once. Outcomes are those of parsing every time. */
typedef struct DkimKeyCache DkimKeyCache;

DkimKeyCache *dkim_key_cache_new(void);
void dkim_key_cache_free(DkimKeyCache *c);
guint dkim_key_cache_size(const DkimKeyCache *c); /* distinct records held */
guint dkim_key_cache_hits(const DkimKeyCache *c); /* lookups answered from it */

typedef struct {
    gint64 now_unix;         /* for x= (expiry) */
    guint max_signatures;    /* 0 = DKIM_MAX_SIGNATURES */
    guint min_rsa_bits;      /* 0 = 1024 (RFC 8301 3.2) */
    DkimKeyCache *key_cache; /* (nullable, transfer none) outlives the verifier */
} DkimVerifyConfig;

/* Parses msg (copied; CRLF endings) and prepares one result per
 * DKIM-Signature field. Never fails: a message without signatures yields
 * DONE at once and no results. */
DkimVerifier *dkim_verifier_new(const guint8 *msg, gsize len, gint64 now_unix);
DkimVerifier *dkim_verifier_new_full(const guint8 *msg, gsize len, const DkimVerifyConfig *cfg);
void dkim_verifier_free(DkimVerifier *v);

/* Next action: all NEED_KEY actions first (one per signature that passed
 * syntax checks), then DONE once every query is answered, then FALSE.
 * Returns FALSE while queries are outstanding. */
gboolean dkim_verifier_poll(DkimVerifier *v, DkimVerifierAct *act);
void dkim_verifier_act_clear(DkimVerifierAct *act);
char *dkim_verifier_act_to_string(const DkimVerifierAct *act); /* (transfer full) */

/* Answers query_id. records: (nullable) NULL-terminated array, one entry per
 * TXT record with its character-strings already concatenated (RFC 6376
 * 3.6.2.2). Copied. Unknown or already answered ids are a programmer error. */
void dkim_verifier_answer(DkimVerifier *v, guint32 query_id, DkimDnsStatus status,
                          const char *const *records);

gboolean dkim_verifier_is_done(const DkimVerifier *v);
/* Results in signature order; (transfer none), valid until the verifier is
 * freed. Final only when dkim_verifier_is_done(). */
guint dkim_verifier_n_results(const DkimVerifier *v);
const DkimSigResult *dkim_verifier_result(const DkimVerifier *v, guint i);

/* ---- signer ---- */

#define DKIM_ERROR (dkim_error_quark())
GQuark dkim_error_quark(void);
typedef enum {
    DKIM_ERROR_KEY,     /* private key unreadable or of the wrong type */
    DKIM_ERROR_MESSAGE, /* message unusable (no From field, no header end) */
    DKIM_ERROR_CONFIG,  /* bad domain, selector, identity or algorithm */
} DkimError;

typedef struct DkimPrivateKey DkimPrivateKey;

/* PEM: PKCS#1 or PKCS#8 RSA, or PKCS#8 Ed25519. */
DkimPrivateKey *dkim_private_key_new_pem(const guint8 *pem, gsize len, GError **error);
/* Raw Ed25519 32-octet seed (RFC 8032 5.1.5), e.g. decoded from base64. */
DkimPrivateKey *dkim_private_key_new_ed25519_seed(const guint8 *seed, gsize len, GError **error);
/* Base64 of the raw seed as in RFC 8463 A.1 and dkimpy's *.key files. */
DkimPrivateKey *dkim_private_key_new_ed25519_b64(const char *b64, GError **error);
DkimAlg dkim_private_key_alg(const DkimPrivateKey *k); /* RSA_SHA256 or ED25519_SHA256 */
/* The p= value for a key record (base64 SPKI for RSA, raw 32 octets for
 * Ed25519). (transfer full) */
char *dkim_private_key_public_b64(const DkimPrivateKey *k);
void dkim_private_key_free(DkimPrivateKey *k);

typedef struct {
    const char *domain;   /* d= (required) */
    const char *selector; /* s= (required) */
    const char *identity; /* (nullable) i= */
    DkimCanon header_canon;
    DkimCanon body_canon;
    /* (nullable) NULL-terminated header names for h=, in order; a name listed
     * more often than it occurs over-signs (RFC 6376 8.15). NULL = From, To,
     * Cc, Subject, Date, Message-ID, Reply-To, In-Reply-To, References,
     * MIME-Version, Content-Type, Content-Transfer-Encoding — those present,
     * each listed once more to over-sign. "from" is added when absent. */
    const char *const *headers;
    const char *h_separator; /* (nullable) between h= names; NULL = ":" */
    gboolean body_length;    /* add l= (the canonical body length) */
    gboolean include_query;  /* add q=dns/txt */
    gboolean omit_timestamp; /* no t= */
    gint64 now_unix;         /* t= */
    gint64 expire_after;     /* > 0: x= now_unix + expire_after */
} DkimSignConfig;

/* Signs msg (CRLF endings) and returns the complete field to prepend,
 * "DKIM-Signature: ...\r\n", folded at 78 columns (b= split with
 * FWS). The algorithm is the key's. NULL with error when the message has no
 * From field (RFC 6376 5.4) or the config is invalid. (transfer full) */
char *dkim_sign(const guint8 *msg, gsize len, const DkimSignConfig *cfg, const DkimPrivateKey *key,
                GError **error);

/* Copies an LF-only (or mixed) message with every bare LF turned into CRLF.
 * (transfer full) */
GBytes *dkim_message_to_crlf(const guint8 *msg, gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DkimVerifier, dkim_verifier_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DkimKeyCache, dkim_key_cache_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DkimPrivateKey, dkim_private_key_free)

#endif
