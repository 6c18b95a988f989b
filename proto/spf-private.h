/* SPDX-License-Identifier: MIT
 * spf-private: the pieces of the SPF engine shared between its files and
 * reachable by the tests: the record parser (RFC 7208 4.5, 4.6, 12), the
 * macro expander (RFC 7208 7) and address helpers. Not a public API.
 */
#ifndef PROTO_SPF_PRIVATE_H
#define PROTO_SPF_PRIVATE_H

#include <glib.h>

#include "proto/spf.h"

/* RFC 7208 3.4 asks records to stay under 450 octets; we accept up to this
 * many (several character-strings joined) and call anything longer a
 * permerror rather than parse it. */
#define SPF_RECORD_MAX 4096
/* RFC 7208 7.3: a domain name is at most 253 octets (left labels dropped). */
#define SPF_DOMAIN_MAX 253
/* RFC 1035 2.3.4: a label is at most 63 octets. */
#define SPF_LABEL_MAX 63
/* Bound on one macro expansion (a macro bomb ends here with an error). */
#define SPF_MACRO_OUT_MAX 4096
/* Bound on the request's sender and HELO texts (RFC 5321 4.5.3.1.3: 256). */
#define SPF_INPUT_MAX 1024

typedef enum {
    SPF_MECH_ALL,
    SPF_MECH_INCLUDE,
    SPF_MECH_A,
    SPF_MECH_MX,
    SPF_MECH_PTR,
    SPF_MECH_IP4,
    SPF_MECH_IP6,
    SPF_MECH_EXISTS,
} SpfMechKind;

typedef struct {
    SpfMechKind kind;
    SpfResult qualifier; /* PASS, FAIL, SOFTFAIL or NEUTRAL (RFC 7208 4.6.2) */
    char *domain;        /* domain-spec as written (macro-string), NULL when absent */
    guint8 addr[16];     /* ip4 (first 4 octets) / ip6 network */
    int cidr4;           /* 0..32, default 32 */
    int cidr6;           /* 0..128, default 128 */
    char *text;          /* the term as written, for steps and results */
} SpfMech;

typedef struct {
    GPtrArray *mechs; /* SpfMech*, in order */
    char *redirect;   /* redirect= domain-spec (nullable) */
    char *exp;        /* exp= domain-spec (nullable) */
} SpfRecord;

/* TRUE when text is an SPF record: "v=spf1" alone or followed by a space
 * (RFC 7208 4.5), case-insensitively. */
gboolean spf_record_is_spf(const char *text);
/* Parses a whole record (RFC 7208 4.6, 12). Returns NULL and a reason in
 * *problem (transfer full) on any syntax error (a permerror). */
SpfRecord *spf_record_parse(const char *text, char **problem);
void spf_record_free(SpfRecord *rec);
const char *spf_mech_kind_name(SpfMechKind kind);

/* RFC 7208 7: the values the macros expand to. */
typedef struct {
    const char *sender;        /* s */
    const char *local;         /* l */
    const char *sender_domain; /* o */
    const char *domain;        /* d */
    const guint8 *ip;          /* i, c, v: 4 or 16 octets */
    gboolean is_v6;
    gboolean hex_upper;    /* IPv6 %{i} nibbles in upper case (see spf_macro.c) */
    const char *validated; /* p (nullable: "unknown") */
    const char *helo;      /* h */
    const char *receiver;  /* r (nullable: "unknown") */
    gint64 now_unix;       /* t */
} SpfMacroContext;

typedef enum {
    SPF_MACRO_OK = 0,
    SPF_MACRO_SYNTAX,   /* not a macro-string (or c/r/t outside exp) */
    SPF_MACRO_TOO_LONG, /* the output passed SPF_MACRO_OUT_MAX */
} SpfMacroStatus;

/* Checks the syntax of a macro-string; is_exp allows c, r, t (RFC 7208 7.1). */
gboolean spf_macro_is_valid(const char *s, gboolean is_exp);
/* TRUE when s uses %{p} (so the validated name must be resolved first). */
gboolean spf_macro_uses_p(const char *s);
/* Expands s into *out (transfer full, only on SPF_MACRO_OK). When
 * is_domain, the result is truncated to 253 octets as RFC 7208 7.3 says. */
SpfMacroStatus spf_macro_expand(const char *s, const SpfMacroContext *ctx, gboolean is_exp,
                                gboolean is_domain, char **out);
/* TRUE when a domain-spec (unexpanded) ends as RFC 7208 12 requires:
 * "." toplabel ["."] or a macro-expand. */
gboolean spf_domain_spec_is_valid(const char *s);

/* Parses an address; IPv4-mapped IPv6 becomes IPv4. */
gboolean spf_ip_parse(const char *text, guint8 out[16], gboolean *is_v6);
/* TRUE when a and b share their first bits bits. */
gboolean spf_ip_prefix_match(const guint8 *a, const guint8 *b, int bits);

/* RFC 7208 4.6.4: limits on DNS-querying terms and void lookups. */
#define SPF_LOOKUP_MAX 10
#define SPF_VOID_MAX 2
/* RFC 7208 4.6.4: at most 10 MX hosts / PTR names are examined. */
#define SPF_NAMES_MAX 10
/* Nested include frames; the lookup limit already stops loops, this bounds
 * the stack whatever the limit is. */
#define SPF_DEPTH_MAX 16

/* What the pending query is for. */
typedef enum {
    SPF_WAIT_NONE = 0,
    SPF_WAIT_RECORD,   /* TXT of a frame's domain (4.4) */
    SPF_WAIT_MECH,     /* the first query of a, mx, ptr or exists */
    SPF_WAIT_MX_ADDR,  /* A/AAAA of one MX host (5.4) */
    SPF_WAIT_PTR_ADDR, /* A/AAAA of one PTR name (5.5) */
    SPF_WAIT_P_PTR,    /* PTR for the %{p} macro (7.3) */
    SPF_WAIT_P_ADDR,   /* A/AAAA of one name for %{p} */
    SPF_WAIT_EXP,      /* TXT of the exp= domain (6.2) */
} SpfWait;

typedef struct {
    char *domain;         /* <domain> of this check_host() call */
    SpfRecord *rec;       /* NULL until the record arrives */
    guint term;           /* next mechanism */
    gboolean is_redirect; /* reached through redirect=: none becomes permerror */
    gboolean asked;       /* the record query was sent */
} SpfFrame;

struct SpfCheck {
    char *sender, *local, *sender_domain, *helo, *receiver;
    gint64 now_unix;
    guint8 ip[16];
    gboolean is_v6;
    gboolean hex_upper; /* the address was written with upper-case hex digits */
    GPtrArray *frames;  /* SpfFrame*, the include stack; top is last */
    GQueue acts;        /* SpfAct* waiting for poll() */
    guint32 next_id;
    SpfWait wait;
    guint32 wait_id;
    char *target;     /* expanded target of the mechanism in progress */
    GPtrArray *names; /* MX hosts or PTR names being checked (char*) */
    guint name_idx;
    gboolean p_done; /* %{p} resolved (p_value NULL = "unknown") */
    char *p_value;
    guint lookups, voids;
    int exp_stage; /* 0 none, 1 expand domain, 2 expand text */
    char *exp_spec, *exp_domain, *exp_text;
    SpfResult result;
    char *mech; /* the deciding term */
    char *explanation;
    gboolean done;
};

void spf_frame_free(SpfFrame *f);

/* spf_eval.c: the check_host() state machine driven by spf_check.c. */
void spf_eval_start(SpfCheck *c, const char *domain);
void spf_eval_run(SpfCheck *c);
void spf_eval_on_answer(SpfCheck *c, const SpfAnswer *ans);
void spf_eval_finish(SpfCheck *c, SpfResult r, const char *mech);
void spf_eval_step(SpfCheck *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
