/* SPDX-License-Identifier: MIT
 * smtp_path: the RFC 5321 4.1.2 envelope path grammar (Reverse-path,
 * Forward-path, Mailbox, Dot-string / Quoted-string local parts, domains and
 * address literals) with the 4.5.3.1 size limits, and the ESMTP parameter
 * list after a path (4.1.2 Mail-parameters). Header addresses (RFC 5322) are
 * parsed elsewhere (proto/address.h); this is only the envelope syntax.
 * Not supported: SMTPUTF8 (RFC 6531) UTF-8 in paths.
 */
#ifndef PROTO_SMTP_PATH_H
#define PROTO_SMTP_PATH_H

#include <glib.h>

/* RFC 5321 4.5.3.1.1-3 */
#define SMTP_PATH_LOCAL_MAX 64
#define SMTP_PATH_DOMAIN_MAX 255
#define SMTP_PATH_MAX 256

typedef enum {
    SMTP_PATH_OK = 0,
    SMTP_PATH_ERR_SYNTAX,    /* not a Path */
    SMTP_PATH_ERR_TOO_LONG,  /* over a 4.5.3.1 limit */
    SMTP_PATH_ERR_NULL,      /* "<>" where a Forward-path is needed */
} SmtpPathError;

typedef struct {
    gboolean is_null;          /* "<>" (Reverse-path only) */
    gboolean is_postmaster;    /* "<Postmaster>" without domain (4.1.1.3, RCPT only) */
    gboolean has_source_route; /* "<@a,@b:u@d>": A-d-l given (4.1.1.3, obsolete) */
    char *source_route;        /* (nullable) the A-d-l text, "@a,@b" */
    char *local;               /* local part as written (quotes kept); NULL for <> */
    char *domain;              /* domain or "[address literal]"; NULL for <>, <Postmaster>;
                                  in local's allocation (smtp_path_clear() frees both) */
    gboolean is_quoted;        /* local part is a Quoted-string */
    gboolean is_literal;       /* domain is an address literal */
} SmtpPath;

/* Parses a path at the start of s (len octets). reverse: "<>" allowed;
 * postmaster_ok: "<Postmaster>" allowed. *consumed gets the octets of the
 * path ("<" to ">"). Fills *path (cleared first) on success. */
SmtpPathError smtp_path_parse(const char *s, gsize len, gboolean reverse, gboolean postmaster_ok,
                              SmtpPath *path, gsize *consumed);
void smtp_path_clear(SmtpPath *path);
/* "local@domain", "" for <>, "Postmaster" for <Postmaster>. (transfer full) */
char *smtp_path_to_address(const SmtpPath *path);
/* Octets smtp_path_write_address() writes, its NUL included. */
gsize smtp_path_address_size(const SmtpPath *path);
/* Writes the address of smtp_path_to_address() at out (room for
 * smtp_path_address_size() octets); returns the octets written. */
gsize smtp_path_write_address(const SmtpPath *path, char *out);

/* RFC 5321 4.1.2 Domain (sub-domain *("." sub-domain)); also accepts an
 * address literal when literal_ok. */
gboolean smtp_path_is_domain(const char *s, gsize len, gboolean literal_ok);

/* One ESMTP parameter "KEYWORD[=value]" (4.1.2 esmtp-param). */
typedef struct {
    char *keyword; /* as sent */
    char *value;   /* (nullable) */
} SmtpParam;

/* Parses " KEY=val KEY2 ..." after a path: SP-separated esmtp-params.
 * Returns a GPtrArray of SmtpParam* (transfer full), or NULL on bad syntax. */
GPtrArray *smtp_params_parse(const char *s);
/* Value of keyword (case-insensitive), or NULL; *found tells presence. */
const char *smtp_params_get(const GPtrArray *params, const char *keyword, gboolean *found);

/* RFC 3461 4 xtext decoding ("+3D" -> "="); NULL when malformed. (transfer full) */
char *smtp_xtext_decode(const char *s);

#endif
