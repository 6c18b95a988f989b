/* SPDX-License-Identifier: MIT
 * grade_exposure: equals_exposure answer checks.
 */
#include "app/grade_exposure.h"

#include <string.h>

#include "nodes/exposure.h"

gboolean
grade_exposure_read(GradeCheck *c, const GradeNode *v, GError **error)
{
    if (v->kind != GRADE_NODE_MAP)
        return grade_node_fail(v, error, GRADE_ERROR_SPEC,
                               "'equals_exposure' must be a mapping such as {message: m1, case: "
                               "tls, column: read}");
    static const char *const keys[] = {"message", "case", "column", NULL};
    for (guint i = 0; i + 1 < v->items->len; i += 2) {
        const GradeNode *k = v->items->pdata[i];
        if (k->kind != GRADE_NODE_SCALAR || !g_strv_contains(keys, k->value))
            return grade_node_fail(k, error, GRADE_ERROR_SPEC,
                                   "'equals_exposure' takes 'message', 'case' and 'column'");
    }
    const GradeNode *msg = grade_node_get(v, "message"), *cs = grade_node_get(v, "case"),
                    *col = grade_node_get(v, "column");
    if (msg == NULL || msg->kind != GRADE_NODE_SCALAR || grade_node_is_null(msg))
        return grade_node_fail(v, error, GRADE_ERROR_SPEC,
                               "'equals_exposure' needs 'message' (a message id)");
    c->exposure_msg = g_strdup(msg->value);
    c->exposure_case = EXPOSURE_ACTUAL;
    if (cs != NULL) {
        gboolean found = FALSE;
        for (guint i = 0; cs->kind == GRADE_NODE_SCALAR && i < EXPOSURE_N_CASES && !found; i++)
            if (strcmp(cs->value, exposure_case_name((ExposureCase)i)) == 0) {
                c->exposure_case = i;
                found = TRUE;
            }
        if (!found) {
            g_autoptr(GString) list = g_string_new(NULL);
            for (guint i = 0; i < EXPOSURE_N_CASES; i++)
                g_string_append_printf(list, "%s%s", i ? ", " : "",
                                       exposure_case_name((ExposureCase)i));
            return grade_node_fail(cs, error, GRADE_ERROR_SPEC, "'case' must be one of %s",
                                   list->str);
        }
    }
    c->exposure_alter = FALSE;
    if (col != NULL) {
        if (col->kind != GRADE_NODE_SCALAR ||
            (strcmp(col->value, "read") != 0 && strcmp(col->value, "alter") != 0))
            return grade_node_fail(col, error, GRADE_ERROR_SPEC,
                                   "'column' must be 'read' or 'alter'");
        c->exposure_alter = strcmp(col->value, "alter") == 0;
    }
    return TRUE;
}

char **
grade_exposure_parties(World *w, const GradeCheck *c)
{
    const TrackMsg *m = tracker_find(world_tracker(w), c->exposure_msg);
    if (m == NULL)
        return NULL;
    g_autoptr(ExposureTable) t = exposure_table_build(w, m);
    if (t == NULL)
        return NULL;
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    for (guint i = 0; i < t->rows->len; i++) {
        const ExposureRow *r = t->rows->pdata[i];
        gboolean on = c->exposure_alter ? r->alter[c->exposure_case] : r->read[c->exposure_case];
        if (on)
            g_strv_builder_add(b, r->party);
    }
    return g_strv_builder_end(b);
}

static gboolean
grade_exposure_subset(const char *const *a, const char *const *b)
{
    for (guint i = 0; a[i] != NULL; i++) {
        gboolean found = FALSE;
        for (guint j = 0; b[j] != NULL && !found; j++)
            found = g_ascii_strcasecmp(a[i], b[j]) == 0;
        if (!found)
            return FALSE;
    }
    return TRUE;
}

gboolean
grade_exposure_matches(const char *const *answer, const char *const *parties)
{
    return answer != NULL && parties != NULL && grade_exposure_subset(answer, parties) &&
           grade_exposure_subset(parties, answer);
}
