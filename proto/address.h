/* SPDX-License-Identifier: MIT
 * address: RFC 5322 3.4 address parsing: mailbox (name-addr or addr-spec),
 * group, mailbox-list and address-list, with CFWS (3.2.2), quoted strings
 * (3.2.4) and the obsolete forms of 4.4 (obs-route, obs-local-part,
 * obs-domain, empty list elements). Also an addr-spec classifier in the
 * spirit of is_email. Display names are not RFC 2047-decoded here.
 */
#ifndef PROTO_ADDRESS_H
#define PROTO_ADDRESS_H

#include <glib.h>

/* RFC 5321 4.5.3.1.1 / 4.5.3.1.2: local part <= 64, domain <= 255 octets. */
#define MAIL_ADDRESS_LOCAL_MAX 64
#define MAIL_ADDRESS_DOMAIN_MAX 255
/* RFC 5321 4.5.3.1.3: a path is at most 256 octets incl. "<" and ">". */
#define MAIL_ADDRESS_PATH_MAX 256
/* Not an RFC limit: addresses kept per list, so hostile input stays small. */
#define MAIL_ADDRESS_LIST_MAX 10000

/* One mailbox. Transparent; owned fields. */
typedef struct {
    char *display_name; /* nullable: quotes removed, quoted-pairs decoded, words joined by one SP */
    char *local_part;   /* semantic form: quotes removed, quoted-pairs decoded */
    char *domain;       /* the domain (a literal keeps its brackets); NULL if absent */
    char *addr;         /* clean "local@domain" (local part re-quoted if needed), or
                           just the local part when there is no domain */
    char *route;        /* nullable: obsolete source route "@a,@b" (RFC 5322 4.4) */
} MailMailbox;

/* An address: a mailbox, or a group (group_name non-NULL). */
typedef struct {
    char *group_name;     /* nullable: set for a group */
    MailMailbox *mailbox; /* set when not a group */
    GPtrArray *members;   /* group members (MailMailbox*), empty for "x:;" */
} MailAddress;

/* Flags describing what a parse saw. */
typedef enum {
    MAIL_ADDRESS_FLAG_NONE = 0,
    MAIL_ADDRESS_FLAG_OBSOLETE = 1 << 0,     /* RFC 5322 4.4 syntax was used */
    MAIL_ADDRESS_FLAG_COMMENTS = 1 << 1,     /* comments were present */
    MAIL_ADDRESS_FLAG_NO_DOMAIN = 1 << 2,    /* a mailbox had no "@domain" (accepted leniently) */
    MAIL_ADDRESS_FLAG_NO_GROUP_END = 1 << 3, /* a group lacked its closing ';' */
} MailAddressFlags;

/* Out-parameters of a parse (caller-allocated; mail_address_info_clear). */
typedef struct {
    guint flags;         /* MailAddressFlags */
    GPtrArray *comments; /* char*: each outermost comment's text (quoted-pairs decoded,
                            nested parentheses kept), in order; NULL until used */
} MailAddressInfo;
void mail_address_info_clear(MailAddressInfo *info);

/* Parses an address-list (To, Cc, Bcc, Reply-To, Resent-To...). Returns a
 * GPtrArray of MailAddress* (transfer full), empty for an empty or
 * all-CFWS value (Bcc), or NULL on a syntax error. info is nullable. */
GPtrArray *mail_address_list_parse(const char *text, MailAddressInfo *info);
/* Parses a mailbox-list (From): like above but groups are an error. The
 * result holds MailMailbox* (transfer full). */
GPtrArray *mail_mailbox_list_parse(const char *text, MailAddressInfo *info);
/* Parses exactly one mailbox (Sender), or NULL. */
MailMailbox *mail_mailbox_parse(const char *text, MailAddressInfo *info);

MailMailbox *mail_mailbox_new(const char *display_name, const char *local_part, const char *domain);
/* "Name <addr>" with the name quoted when needed, or "addr" (transfer full). */
char *mail_mailbox_to_string(const MailMailbox *mb);
void mail_mailbox_free(MailMailbox *mb);
void mail_address_free(MailAddress *a);
/* Every mailbox in an address list, groups flattened (transfer container). */
GPtrArray *mail_address_list_flatten(GPtrArray *list);

/* Classification of a bare addr-spec, in increasing order of doubt, after
 * is_email's categories (which add DNS checks that belong elsewhere). */
typedef enum {
    MAIL_ADDR_SPEC_VALID = 0, /* dot-atom@dot-atom domain with a letter-ful TLD */
    MAIL_ADDR_SPEC_RFC5321,   /* valid RFC 5321 Mailbox, but unusual (quoted local
                                 part, address literal, numeric or lone TLD) */
    MAIL_ADDR_SPEC_CFWS,      /* valid only in a header: comments or folding */
    MAIL_ADDR_SPEC_DEPREC,    /* uses RFC 5322 4.4 obsolete syntax */
    MAIL_ADDR_SPEC_RFC5322,   /* RFC 5322 addr-spec, but not an RFC 5321 Mailbox
                                 (over-long parts, bad domain literal) */
    MAIL_ADDR_SPEC_ERR,       /* not an addr-spec at all */
} MailAddrSpecClass;

/* Classifies s (len bytes; may contain CR, LF, NUL). diag is nullable and
 * receives a short static reason ("consecutive dots", ...). */
MailAddrSpecClass mail_addr_spec_classify(const char *s, gsize len, const char **diag);
/* TRUE when s is acceptable as an RFC 5321 Mailbox (class VALID or RFC5321). */
gboolean mail_addr_spec_is_smtp_mailbox(const char *s, gsize len);
const char *mail_addr_spec_class_name(MailAddrSpecClass c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(MailMailbox, mail_mailbox_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MailAddress, mail_address_free)

#endif
