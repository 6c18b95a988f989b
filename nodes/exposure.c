/* SPDX-License-Identifier: MIT
 * exposure: the who-can-read / who-can-change table of a message. The
 * rules, per party and protection:
 * - The sender's MUA wrote the message, the recipient's MUA reads it:
 *   both see it in clear; neither counts as altering it.
 * - A relay or store holds the message (RFC 5321 2.3.10: the MTA is a
 *   store-and-forward hop): it reads it unless S/MIME encrypted it (RFC
 *   8551 3.3) and can change it unless a check after the change would
 *   fail: an S/MIME signature (RFC 8551 3.5) at the reader, or a DKIM
 *   signature (RFC 6376 3.7) made before the change and verified after
 *   it. Encryption alone does not stop a change: the recipient's
 *   certificate is public, so a relay can put a new message encrypted to
 *   it in place of the old one.
 * - A tap on a link reads and changes what crosses it in clear; TLS (RFC
 *   3207, RFC 8446) on that link stops both, and nothing else. XXX: TLS
 *   is counted as protecting a link whatever the client's verification
 *   level; an active attacker defeats unauthenticated TLS.
 */
#include "nodes/exposure.h"
#include "nodes/exposure_private.h"

#include <string.h>

#include "nodes/smime_setup.h"
#include "nodes/world_private.h"

static const char *const exposure_case_names[] = {
    "actual", "none", "tls", "dkim", "smime-signed", "smime-encrypted",
};

const char *
exposure_case_name(ExposureCase c)
{
    return (guint)c < G_N_ELEMENTS(exposure_case_names) ? exposure_case_names[c] : "?";
}

void
exposure_row_free(ExposureRow *r)
{
    g_free(r->party);
    g_free(r->role);
    g_free(r->link);
    g_free(r->to);
    g_free(r);
}

void
exposure_table_free(ExposureTable *t)
{
    if (t == NULL)
        return;
    g_free(t->msg_id);
    g_free(t->protection);
    g_free(t->dkim_signer);
    g_free(t->dkim_verifier);
    g_ptr_array_unref(t->rows);
    g_free(t);
}

static gboolean
exposure_hop_for(const TrackHop *h, const char *rcpt)
{
    if (rcpt == NULL || h->rcpts == NULL || h->rcpts[0] == NULL)
        return TRUE;
    for (char **p = h->rcpts; *p; p++)
        if (g_ascii_strcasecmp(*p, rcpt) == 0)
            return TRUE;
    return FALSE;
}

GArray *
exposure_stations_for(const TrackMsg *m, const char *rcpt)
{
    GArray *st = g_array_new(FALSE, TRUE, sizeof(ExposureStation));
    for (guint i = 0; i < m->hops->len; i++) {
        const TrackHop *h = m->hops->pdata[i];
        if (!exposure_hop_for(h, rcpt) || g_strcmp0(h->action, "bounce") == 0)
            continue;
        if (st->len && strcmp(g_array_index(st, ExposureStation, st->len - 1).node, h->node) == 0)
            continue;
        ExposureStation s = {h->node, h->tls_in};
        g_array_append_val(st, s);
    }
    return st;
}

const char *
exposure_role(World *w, const char *node)
{
    const NodeSpec *ns = world_spec_find_node(w->spec, node);
    return ns ? spec_role_name(ns->role) : "?";
}

static gboolean
exposure_link_tls(const ExposureProt *p, GArray *st, guint link)
{
    return p->all_tls || (p->actual_tls && g_array_index(st, ExposureStation, link + 1).tls_in);
}

/* DKIM detects a change made at station i (node) or on link l (tap:
 * between stations l and l + 1): signed before, verified after. */
static gboolean
exposure_dkim_detects(const ExposureProt *p, gint pos, gboolean on_link)
{
    if (p->signer < 0 || p->verifier <= p->signer)
        return FALSE;
    if (on_link)
        return pos >= p->signer && pos + 1 <= p->verifier;
    return pos > p->signer && pos < p->verifier;
}

static void
exposure_cell(ExposureRow *r, ExposureCase c, const ExposureProt *p, GArray *st, gint pos,
              gboolean on_link)
{
    if (r->endpoint) {
        r->read[c] = TRUE;
        r->read_why[c] = pos == 0 ? "the author" : "the reader";
        r->alter[c] = FALSE;
        r->alter_why[c] = pos == 0 ? "the author" : "the reader";
        return;
    }
    gboolean tls = on_link && exposure_link_tls(p, st, (guint)pos);
    if (p->encrypt) {
        r->read[c] = FALSE;
        r->read_why[c] = "S/MIME ciphertext only";
    } else if (tls) {
        r->read[c] = FALSE;
        r->read_why[c] = "TLS on this link";
    } else {
        r->read[c] = TRUE;
        r->read_why[c] = on_link ? "clear text on the wire" : "holds the message in clear";
    }
    r->alter[c] = FALSE;
    if (tls)
        r->alter_why[c] = "TLS on this link";
    else if (p->sign)
        r->alter_why[c] = "the S/MIME signature would fail";
    else if (exposure_dkim_detects(p, pos, on_link))
        r->alter_why[c] = "the DKIM signature would fail at the verifier";
    else {
        r->alter[c] = TRUE;
        r->alter_why[c] = p->encrypt ? "can replace it with a new message encrypted to the "
                                       "recipient's public certificate"
                          : on_link  ? "can rewrite the clear text in transit"
                                     : "can rewrite the message it holds";
    }
}

/* Where DKIM signed and (the last node after it) verified with pass. */
static void
exposure_dkim_actual(const TrackMsg *m, GArray *st, gint *signer, gint *verifier)
{
    *signer = *verifier = -1;
    for (guint i = 0; i < st->len && *signer < 0; i++)
        if (track_msg_get_note(m, g_array_index(st, ExposureStation, i).node, "dkim-sign"))
            *signer = (gint)i;
    for (guint i = *signer < 0 ? st->len : (guint)*signer + 1; i < st->len; i++) {
        const char *v = track_msg_get_note(m, g_array_index(st, ExposureStation, i).node, "dkim");
        if (g_strcmp0(v, "pass") == 0)
            *verifier = (gint)i;
    }
}

/* The DKIM case: the run's signer and verifier, else the first MSA signs
 * and the last MTA (the one that delivers to the store) verifies. */
static void
exposure_dkim_model(World *w, GArray *st, gint asigner, gint averifier, gint *signer,
                    gint *verifier)
{
    *signer = asigner;
    *verifier = averifier;
    for (guint i = 0; *signer < 0 && i < st->len; i++)
        if (strcmp(exposure_role(w, g_array_index(st, ExposureStation, i).node), "msa") == 0)
            *signer = (gint)i;
    for (guint i = st->len; *verifier < 0 && i-- > 0;)
        if (strcmp(exposure_role(w, g_array_index(st, ExposureStation, i).node), "mta") == 0 &&
            (gint)i > *signer)
            *verifier = (gint)i;
}

static void
exposure_fill(ExposureRow *r, const ExposureProt *prots, GArray *st, gint pos, gboolean on_link)
{
    for (guint c = 0; c < EXPOSURE_N_CASES; c++)
        exposure_cell(r, (ExposureCase)c, &prots[c], st, pos, on_link);
}

gboolean
exposure_taps(const NodeSpec *ns, const char *a, const char *b)
{
    if ((ns->role != SPEC_ROLE_EAVESDROPPER && ns->role != SPEC_ROLE_MITM) || ns->tap == NULL ||
        g_strv_length(ns->tap) != 2)
        return FALSE;
    return (strcmp(ns->tap[0], a) == 0 && strcmp(ns->tap[1], b) == 0) ||
           (strcmp(ns->tap[0], b) == 0 && strcmp(ns->tap[1], a) == 0);
}

ExposureRow *
exposure_tap_row(const NodeSpec *ns, const ExposureProt *prots, GArray *st, guint link)
{
    const char *a = g_array_index(st, ExposureStation, link).node;
    const char *b = g_array_index(st, ExposureStation, link + 1).node;
    ExposureRow *r = g_new0(ExposureRow, 1);
    r->party = g_strdup(ns->name);
    r->role = g_strdup(ns->role == SPEC_ROLE_MITM ? "mitm" : "tap");
    r->link = g_strdup_printf("%s~%s", a, b);
    exposure_fill(r, prots, st, (gint)link, TRUE);
    return r;
}

static void
exposure_add_taps(World *w, ExposureTable *t, const ExposureProt *prots, GArray *st, guint link)
{
    const char *a = g_array_index(st, ExposureStation, link).node;
    const char *b = g_array_index(st, ExposureStation, link + 1).node;
    for (guint i = 0; i < w->spec->nodes->len; i++) {
        const NodeSpec *ns = w->spec->nodes->pdata[i];
        if (exposure_taps(ns, a, b))
            g_ptr_array_add(t->rows, exposure_tap_row(ns, prots, st, link));
    }
}

ExposureRow *
exposure_node_row(World *w, const ExposureProt *prots, GArray *st, guint i)
{
    const char *node = g_array_index(st, ExposureStation, i).node;
    ExposureRow *r = g_new0(ExposureRow, 1);
    r->party = g_strdup(node);
    r->role = g_strdup(exposure_role(w, node));
    /* The first station is the sender's MUA (or browser); one at the end fetched it. */
    r->endpoint = (strcmp(r->role, "mua") == 0 || strcmp(r->role, "browser") == 0) &&
                  (i == 0 || i + 1 == st->len);
    exposure_fill(r, prots, st, (gint)i, FALSE);
    return r;
}

char *
exposure_protection(const TrackMsg *m, GArray *st)
{
    const char *first = g_array_index(st, ExposureStation, 0).node;
    const char *mode = track_msg_get_note(m, first, "smime-protection");
    return g_strdup(mode ? mode : "none");
}

void
exposure_path_prots(World *w, const TrackMsg *m, GArray *st, ExposureProt *prots, gint *as,
                    gint *av)
{
    g_autofree char *protection = exposure_protection(m, st);
    gint ms, mv;
    exposure_dkim_actual(m, st, as, av);
    exposure_dkim_model(w, st, *as, *av, &ms, &mv);
    SpecSmimeMode sm = SPEC_SMIME_NONE;
    spec_smime_mode_from_name(protection, &sm);
    for (guint c = 0; c < EXPOSURE_N_CASES; c++)
        prots[c] = (ExposureProt){.signer = -1, .verifier = -1};
    prots[EXPOSURE_ACTUAL] = (ExposureProt){
        .actual_tls = TRUE,
        .signer = *as,
        .verifier = *av,
        .sign =
            sm == SPEC_SMIME_SIGN || sm == SPEC_SMIME_OPAQUE_SIGN || sm == SPEC_SMIME_SIGN_ENCRYPT,
        .encrypt = sm == SPEC_SMIME_ENCRYPT || sm == SPEC_SMIME_SIGN_ENCRYPT,
    };
    prots[EXPOSURE_TLS].all_tls = TRUE;
    prots[EXPOSURE_DKIM].signer = ms;
    prots[EXPOSURE_DKIM].verifier = mv;
    prots[EXPOSURE_SMIME_SIGNED].sign = TRUE;
    prots[EXPOSURE_SMIME_ENCRYPTED].encrypt = TRUE;
}

static void
exposure_prots(World *w, const TrackMsg *m, ExposureTable *t, GArray *st, ExposureProt *prots)
{
    t->protection = exposure_protection(m, st);
    gint as, av;
    exposure_path_prots(w, m, st, prots, &as, &av);
    if (as >= 0)
        t->dkim_signer = g_strdup(g_array_index(st, ExposureStation, as).node);
    if (av >= 0)
        t->dkim_verifier = g_strdup(g_array_index(st, ExposureStation, av).node);
}

ExposureTable *
exposure_table_build(World *w, const TrackMsg *m)
{
    ExposureTable *union_table = exposure_paths_build(w, m);
    if (union_table != NULL)
        return union_table;
    /* One path: the first recipient's (all of them share it). */
    const char *rcpt = m->rcpts->len ? ((const TrackRcpt *)m->rcpts->pdata[0])->address : NULL;
    g_autoptr(GArray) st = exposure_stations_for(m, rcpt);
    if (st->len == 0)
        return NULL;
    ExposureTable *t = g_new0(ExposureTable, 1);
    t->msg_id = g_strdup(m->id);
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)exposure_row_free);
    ExposureProt prots[EXPOSURE_N_CASES];
    exposure_prots(w, m, t, st, prots);
    t->paths = 1;
    t->links = st->len - 1;
    for (guint i = 1; i < st->len; i++)
        t->tls_links += g_array_index(st, ExposureStation, i).tls_in;
    for (guint i = 0; i < st->len; i++) {
        g_ptr_array_add(t->rows, exposure_node_row(w, prots, st, i));
        if (i + 1 < st->len)
            exposure_add_taps(w, t, prots, st, i);
    }
    return t;
}

gboolean
exposure_enabled(World *w)
{
    return w->spec->exposure || world_smime_in_use(w);
}

gboolean
exposure_wanted(const TrackMsg *m)
{
    return g_strcmp0(m->kind, "mail") == 0 || g_strcmp0(m->kind, "reply") == 0;
}

static void
exposure_trace_table(World *w, const ExposureTable *t)
{
    for (guint c = 0; c < EXPOSURE_N_CASES; c++) {
        for (guint i = 0; i < t->rows->len; i++) {
            const ExposureRow *r = t->rows->pdata[i];
            SimTraceRec *rec = world_trace(w, "exposure", r->party);
            sim_trace_str(rec, "msg", t->msg_id);
            sim_trace_str(rec, "case", exposure_case_name((ExposureCase)c));
            sim_trace_int(rec, "row", i);
            sim_trace_str(rec, "party", r->party);
            sim_trace_str(rec, "role", r->role);
            if (r->link)
                sim_trace_str(rec, "link", r->link);
            if (r->to)
                sim_trace_str(rec, "to", r->to);
            sim_trace_bool(rec, "read", r->read[c]);
            sim_trace_bool(rec, "alter", r->alter[c]);
            sim_trace_str(rec, "read_why", r->read_why[c]);
            sim_trace_str(rec, "alter_why", r->alter_why[c]);
            sim_trace_end(rec);
        }
    }
}

void
exposure_trace_all(World *w)
{
    if (!world_tracing(w) || !exposure_enabled(w))
        return;
    const GPtrArray *msgs = tracker_messages(w->tracker);
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *m = msgs->pdata[i];
        if (!exposure_wanted(m))
            continue;
        g_autoptr(ExposureTable) t = exposure_table_build(w, m);
        if (t == NULL)
            continue;
        const ExposureRow *first = t->rows->pdata[0];
        SimTraceRec *rec = world_trace(w, "exposure.msg", first->party);
        sim_trace_str(rec, "msg", t->msg_id);
        sim_trace_str(rec, "protection", t->protection);
        sim_trace_int(rec, "links", t->links);
        sim_trace_int(rec, "tls_links", t->tls_links);
        if (t->dkim_signer)
            sim_trace_str(rec, "dkim_signer", t->dkim_signer);
        if (t->dkim_verifier)
            sim_trace_str(rec, "dkim_verifier", t->dkim_verifier);
        sim_trace_int(rec, "rows", t->rows->len);
        if (t->paths > 1)
            sim_trace_int(rec, "paths", t->paths);
        sim_trace_end(rec);
        exposure_trace_table(w, t);
    }
}
