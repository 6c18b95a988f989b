/* SPDX-License-Identifier: MIT
 * psl: the Public Suffix List and the Organizational Domain of RFC 7489 3.2.
 * Reads the Mozilla list format (publicsuffix.org/list/): one rule a line,
 * "//" comments, "*." wildcards and "!" exceptions; the prevailing rule is the
 * exception if any, else the longest match, else "*". Loading from a file is
 * the caller's job (proto/ does no I/O): pass the text in.
 */
#ifndef PROTO_PSL_H
#define PROTO_PSL_H

#include <glib.h>

typedef struct Psl Psl;

/* An empty list (only the implicit "*" rule). */
Psl *psl_new(void);
/* Adds every rule of a list in the Mozilla format. Returns the number of
 * rules added. Lines that are not rules (comments, blanks) are skipped;
 * only the first whitespace-separated word of a line counts. */
guint psl_add_list(Psl *psl, const char *text, gsize len);
/* Adds one rule: "co.uk", "*.ck", "!www.ck". FALSE when it is not a rule. */
gboolean psl_add_rule(Psl *psl, const char *rule);
guint psl_n_rules(const Psl *psl);
void psl_free(Psl *psl);

/* The public suffix of domain (lower-cased, no trailing dot), e.g.
 * "co.uk" for "a.b.co.uk". NULL for an empty or malformed name.
 * (transfer full) */
char *psl_public_suffix(const Psl *psl, const char *domain);
/* RFC 7489 3.2: the public suffix plus one label, e.g. "b.co.uk" for
 * "a.b.co.uk"; a name that is itself a public suffix is its own
 * Organizational Domain. NULL for an empty or malformed name.
 * (transfer full) */
char *psl_org_domain(const Psl *psl, const char *domain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Psl, psl_free)

#endif
