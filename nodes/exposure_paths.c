/* SPDX-License-Identifier: MIT
 * exposure_paths: the exposure table of a message whose recipients' copies
 * went different ways (another MX, another store, another fetching MUA,
 * a tap on one copy's link only). One row per party over the union of the
 * distinct paths: the first path's rows in its order, then each further
 * path's new parties in its order (taps after the node they leave). A
 * party on several paths reads the message if it reads some copy, and
 * can alter it if it can alter some copy undetected; the reason given is
 * that of the first path that says so (else of the first path it lies
 * on). Each row names in `to` the recipients on whose paths it lies. A
 * message whose recipients share one path keeps the one-path table of
 * nodes/exposure.c, without `to`.
 */
#include "nodes/exposure_private.h"

#include <string.h>

#include "nodes/world_private.h"

typedef struct {
    GArray *st; /* ExposureStation */
    ExposureProt prots[EXPOSURE_N_CASES];
    gint signer, verifier; /* the run's DKIM: station indexes, -1: none */
} ExposurePath;

static void
exposure_path_free(ExposurePath *p)
{
    g_array_unref(p->st);
    g_free(p);
}

static gboolean
exposure_path_same(GArray *a, GArray *b)
{
    if (a->len != b->len)
        return FALSE;
    for (guint i = 0; i < a->len; i++) {
        const ExposureStation *x = &g_array_index(a, ExposureStation, i);
        const ExposureStation *y = &g_array_index(b, ExposureStation, i);
        if (strcmp(x->node, y->node) != 0 || x->tls_in != y->tls_in)
            return FALSE;
    }
    return TRUE;
}

/* The distinct paths of m's recipients, in order of their first
 * recipient; of_rcpt[i] gets recipient i's path (-1: it has none). */
static GPtrArray *
exposure_paths_collect(World *w, const TrackMsg *m, GArray *of_rcpt)
{
    GPtrArray *paths = g_ptr_array_new_with_free_func((GDestroyNotify)exposure_path_free);
    for (guint r = 0; r < m->rcpts->len; r++) {
        const TrackRcpt *rc = m->rcpts->pdata[r];
        GArray *st = exposure_stations_for(m, rc->address);
        gint index = -1;
        for (guint p = 0; p < paths->len && index < 0; p++)
            if (exposure_path_same(((ExposurePath *)paths->pdata[p])->st, st))
                index = (gint)p;
        if (index < 0 && st->len > 0) {
            ExposurePath *p = g_new0(ExposurePath, 1);
            p->st = g_array_ref(st);
            exposure_path_prots(w, m, st, p->prots, &p->signer, &p->verifier);
            index = (gint)paths->len;
            g_ptr_array_add(paths, p);
        }
        g_array_unref(st);
        g_array_append_val(of_rcpt, index);
    }
    return paths;
}

/* The rows being built, and for each the paths it lies on. */
typedef struct {
    ExposureTable *t;
    GPtrArray *on; /* guint8[n_paths] per row */
    guint n_paths;
} ExposureUnion;

/* Puts cell (transfer full), the party's row on path p, into the table:
 * a new row, or merged into the party's row from an earlier station. */
static void
exposure_union_add(ExposureUnion *u, guint p, ExposureRow *cell)
{
    GPtrArray *rows = u->t->rows;
    guint k = 0;
    while (k < rows->len) {
        const ExposureRow *r = rows->pdata[k];
        if (strcmp(r->party, cell->party) == 0 && (r->link == NULL) == (cell->link == NULL))
            break;
        k++;
    }
    if (k == rows->len) {
        g_ptr_array_add(rows, cell);
        guint8 *on = g_malloc0(u->n_paths);
        on[p] = 1;
        g_ptr_array_add(u->on, on);
        return;
    }
    ExposureRow *r = rows->pdata[k];
    ((guint8 *)u->on->pdata[k])[p] = 1;
    r->endpoint = r->endpoint || cell->endpoint;
    for (guint c = 0; c < EXPOSURE_N_CASES; c++) {
        if (!r->read[c] && cell->read[c]) {
            r->read[c] = TRUE;
            r->read_why[c] = cell->read_why[c];
        }
        if (!r->alter[c] && cell->alter[c]) {
            r->alter[c] = TRUE;
            r->alter_why[c] = cell->alter_why[c];
        }
    }
    exposure_row_free(cell);
}

static void
exposure_union_path(ExposureUnion *u, World *w, guint p, const ExposurePath *path)
{
    GArray *st = path->st;
    for (guint i = 0; i < st->len; i++) {
        exposure_union_add(u, p, exposure_node_row(w, path->prots, st, i));
        if (i + 1 == st->len)
            continue;
        const char *a = g_array_index(st, ExposureStation, i).node;
        const char *b = g_array_index(st, ExposureStation, i + 1).node;
        for (guint n = 0; n < w->spec->nodes->len; n++) {
            const NodeSpec *ns = w->spec->nodes->pdata[n];
            if (exposure_taps(ns, a, b))
                exposure_union_add(u, p, exposure_tap_row(ns, path->prots, st, i));
        }
    }
}

/* Each row's `to`: the recipients, in m's order, whose path it lies on. */
static void
exposure_union_to(ExposureUnion *u, const TrackMsg *m, GArray *of_rcpt)
{
    for (guint k = 0; k < u->t->rows->len; k++) {
        const guint8 *on = u->on->pdata[k];
        GString *to = g_string_new(NULL);
        for (guint r = 0; r < m->rcpts->len; r++) {
            gint p = g_array_index(of_rcpt, gint, r);
            if (p < 0 || !on[p])
                continue;
            if (to->len)
                g_string_append_c(to, ',');
            g_string_append(to, ((const TrackRcpt *)m->rcpts->pdata[r])->address);
        }
        ((ExposureRow *)u->t->rows->pdata[k])->to = g_string_free(to, FALSE);
    }
}

/* links: distinct (from, to) station pairs over the paths; tls_links:
 * those every path crossed over TLS. */
static void
exposure_union_links(ExposureTable *t, const GPtrArray *paths)
{
    g_autoptr(GHashTable) links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint p = 0; p < paths->len; p++) {
        GArray *st = ((const ExposurePath *)paths->pdata[p])->st;
        for (guint i = 1; i < st->len; i++) {
            const ExposureStation *b = &g_array_index(st, ExposureStation, i);
            char *key =
                g_strconcat(g_array_index(st, ExposureStation, i - 1).node, "\n", b->node, NULL);
            gboolean tls = b->tls_in;
            gpointer old = NULL;
            if (g_hash_table_lookup_extended(links, key, NULL, &old))
                tls = tls && GPOINTER_TO_INT(old) == 2;
            g_hash_table_replace(links, key, GINT_TO_POINTER(tls ? 2 : 1));
        }
    }
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, links);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        t->links++;
        t->tls_links += GPOINTER_TO_INT(v) == 2;
    }
}

/* The distinct nodes at a station index of each path (signer or
 * verifier), comma-separated in path order; NULL when none. */
static char *
exposure_union_nodes(const GPtrArray *paths, gboolean verifier)
{
    g_autoptr(GPtrArray) seen = g_ptr_array_new();
    for (guint p = 0; p < paths->len; p++) {
        const ExposurePath *path = paths->pdata[p];
        gint at = verifier ? path->verifier : path->signer;
        if (at < 0)
            continue;
        const char *node = g_array_index(path->st, ExposureStation, at).node;
        if (!g_ptr_array_find_with_equal_func(seen, node, g_str_equal, NULL))
            g_ptr_array_add(seen, (gpointer)node);
    }
    if (seen->len == 0)
        return NULL;
    g_ptr_array_add(seen, NULL);
    return g_strjoinv(",", (char **)seen->pdata);
}

ExposureTable *
exposure_paths_build(World *w, const TrackMsg *m)
{
    if (m->rcpts->len < 2)
        return NULL;
    g_autoptr(GArray) of_rcpt = g_array_new(FALSE, FALSE, sizeof(gint));
    g_autoptr(GPtrArray) paths = exposure_paths_collect(w, m, of_rcpt);
    if (paths->len < 2)
        return NULL;
    ExposureTable *t = g_new0(ExposureTable, 1);
    t->msg_id = g_strdup(m->id);
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)exposure_row_free);
    t->paths = paths->len;
    t->protection = exposure_protection(m, ((const ExposurePath *)paths->pdata[0])->st);
    t->dkim_signer = exposure_union_nodes(paths, FALSE);
    t->dkim_verifier = exposure_union_nodes(paths, TRUE);
    exposure_union_links(t, paths);
    ExposureUnion u = {.t = t, .on = g_ptr_array_new_with_free_func(g_free), .n_paths = paths->len};
    for (guint p = 0; p < paths->len; p++)
        exposure_union_path(&u, w, p, paths->pdata[p]);
    exposure_union_to(&u, m, of_rcpt);
    g_ptr_array_unref(u.on);
    return t;
}
