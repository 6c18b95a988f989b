/* SPDX-License-Identifier: MIT
 * exposure: who can read and who can change a message (the course's
 * end-to-end argument). For a message's path (the hops of its journey to
 * its recipients: sender MUA, MSA, each MTA, the store, the recipient MUA
 * that fetched it, and each eavesdropper or mitm on a link between two of
 * them; the union of the paths when recipients' copies went different
 * ways, nodes/exposure_paths.c) it says, for every party, whether it saw the
 * content in clear and whether it could have altered it undetected by
 * the recipient, under the message's actual protection and under each of
 * five cases taken alone: no protection, TLS on every link, DKIM (signed
 * at the MSA, verified at the last MTA, or where the run did), S/MIME
 * signed, S/MIME encrypted. Written as `exposure` trace records at the end
 * of a run; app/ prints the tables.
 */
#ifndef NODES_EXPOSURE_H
#define NODES_EXPOSURE_H

#include <glib.h>

#include "nodes/tracker.h"
#include "nodes/world.h"

typedef enum {
    EXPOSURE_ACTUAL = 0,      /* what the run did: TLS per link, DKIM, S/MIME */
    EXPOSURE_NONE,            /* no protection at all */
    EXPOSURE_TLS,             /* TLS on every link, nothing else */
    EXPOSURE_DKIM,            /* DKIM alone */
    EXPOSURE_SMIME_SIGNED,    /* S/MIME signature alone */
    EXPOSURE_SMIME_ENCRYPTED, /* S/MIME encryption alone (no signature) */
    EXPOSURE_N_CASES,
} ExposureCase;

/* "actual", "none", "tls", "dkim", "smime-signed", "smime-encrypted". */
const char *exposure_case_name(ExposureCase c);

typedef struct {
    char *party;       /* node name */
    char *role;        /* "mua", "msa", "mta", "ms", "tap" (eavesdropper), "mitm", ... */
    char *link;        /* taps: "a~b", the link it taps; NULL for nodes */
    char *to;          /* nullable: with several paths, the recipients on whose paths it
                        * lies ("a@x,b@y", in recipient order); NULL with one path */
    gboolean endpoint; /* the sender's or the recipient's MUA */
    gboolean read[EXPOSURE_N_CASES];
    gboolean alter[EXPOSURE_N_CASES];
    const char *read_why[EXPOSURE_N_CASES];  /* static text */
    const char *alter_why[EXPOSURE_N_CASES]; /* static text */
} ExposureRow;

typedef struct {
    char *msg_id;
    char *protection;    /* the sender MUA's S/MIME mode ("none", "sign", ...) */
    guint links;         /* links on the path */
    guint tls_links;     /* of which carried the message over TLS */
    char *dkim_signer;   /* nullable: node that signed */
    char *dkim_verifier; /* nullable: last node after it with dkim=pass */
    GPtrArray *rows;     /* ExposureRow*, in path order, taps after the node they leave */
    guint paths;         /* distinct recipients' paths (1: the table follows one path) */
} ExposureTable;

/* The table of m (transfer full); NULL when m has no hops. */
ExposureTable *exposure_table_build(World *w, const TrackMsg *m);
void exposure_table_free(ExposureTable *t);

/* TRUE when the run writes exposure records: the scenario uses S/MIME or
 * says `exposure: true`. */
gboolean exposure_enabled(World *w);
/* TRUE for the messages that get a table: mail and replies (not DSNs,
 * not traffic). */
gboolean exposure_wanted(const TrackMsg *m);
/* Writes the exposure records of every wanted message (end of run). */
void exposure_trace_all(World *w);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ExposureTable, exposure_table_free)

#endif
