/* SPDX-License-Identifier: MIT
 * exposure_private: what nodes/exposure.c shares with
 * nodes/exposure_paths.c: a path's stations, the protections of the six
 * cases over a path, and the rows of a station and of a tap.
 */
#ifndef NODES_EXPOSURE_PRIVATE_H
#define NODES_EXPOSURE_PRIVATE_H

#include <glib.h>

#include "nodes/exposure.h"
#include "nodes/world_spec.h"

typedef struct {
    const char *node;
    gboolean tls_in; /* the link from the previous station carried TLS */
} ExposureStation;

/* A protection: which mechanisms act, and where DKIM signs and verifies. */
typedef struct {
    gboolean all_tls;    /* TLS on every link */
    gboolean actual_tls; /* TLS where the run had it */
    gint signer;         /* station index of the DKIM signer, -1: none */
    gint verifier;       /* station index of the DKIM verifier, -1: none */
    gboolean sign;       /* S/MIME signed */
    gboolean encrypt;    /* S/MIME encrypted */
} ExposureProt;

/* The stations (ExposureStation) of m's path to rcpt (NULL: every hop),
 * bounces left out, consecutive repeats merged (transfer container; the
 * node names are m's). */
GArray *exposure_stations_for(const TrackMsg *m, const char *rcpt);
/* The role name of node in w's scenario ("?" when unknown). */
const char *exposure_role(World *w, const char *node);
/* The S/MIME mode the message left the first station with (transfer full). */
char *exposure_protection(const TrackMsg *m, GArray *st);
/* The protections of the EXPOSURE_N_CASES cases over the path st, and the
 * run's DKIM signer and verifier (station indexes, -1: none). */
void exposure_path_prots(World *w, const TrackMsg *m, GArray *st, ExposureProt *prots, gint *as,
                         gint *av);
/* The row of station i of st, and of the tap ns on the link from station
 * link to the next (transfer full). */
ExposureRow *exposure_node_row(World *w, const ExposureProt *prots, GArray *st, guint i);
ExposureRow *exposure_tap_row(const NodeSpec *ns, const ExposureProt *prots, GArray *st,
                              guint link);
/* TRUE when ns is an eavesdropper or mitm on the link a~b (either order). */
gboolean exposure_taps(const NodeSpec *ns, const char *a, const char *b);
void exposure_row_free(ExposureRow *r);

/* exposure_paths.c: the table over the union of m's recipients' paths
 * (transfer full), or NULL when they share one path (or m has none). */
ExposureTable *exposure_paths_build(World *w, const TrackMsg *m);

#endif
