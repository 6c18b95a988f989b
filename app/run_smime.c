/* SPDX-License-Identifier: MIT
 * run_smime: exposure tables for people, and the S/MIME export of a run.
 * The private keys are written only when asked (--smime-dir), like the TLS
 * key log: they are the simulated users' lab keys, derived from the seed.
 */
#include "app/run_smime.h"

#include <string.h>

#include <glib/gstdio.h>

#include "nodes/exposure.h"
#include "nodes/smime_setup.h"
#include "nodes/tls_setup.h"

static const ExposureCase run_exposure_order[] = {
    EXPOSURE_ACTUAL, EXPOSURE_NONE,         EXPOSURE_TLS,
    EXPOSURE_DKIM,   EXPOSURE_SMIME_SIGNED, EXPOSURE_SMIME_ENCRYPTED,
};

static const char *const run_exposure_heads[] = {"actual", "none",   "tls",
                                                 "dkim",   "signed", "encrypted"};

static void
run_exposure_table(FILE *out, const ExposureTable *t)
{
    fprintf(out, "\nexposure %s (S/MIME %s; TLS on %u of %u links; DKIM %s%s%s%s)\n", t->msg_id,
            t->protection, t->tls_links, t->links, t->dkim_signer ? "signed at " : "none",
            t->dkim_signer ? t->dkim_signer : "", t->dkim_verifier ? ", verified at " : "",
            t->dkim_verifier ? t->dkim_verifier : "");
    fprintf(out, "  R: saw the content in clear, A: could alter it undetected\n");
    fprintf(out, "  %-40s %-5s", "PARTY", "ROLE");
    for (guint c = 0; c < G_N_ELEMENTS(run_exposure_order); c++)
        fprintf(out, c + 1 < G_N_ELEMENTS(run_exposure_order) ? " %-9s" : " %s",
                run_exposure_heads[c]);
    fputc('\n', out);
    for (guint i = 0; i < t->rows->len; i++) {
        const ExposureRow *r = t->rows->pdata[i];
        g_autofree char *party =
            r->link ? g_strdup_printf("  %s [%s]", r->party, r->link) : g_strdup(r->party);
        fprintf(out, "  %-40s %-5s", party, r->role);
        for (guint c = 0; c < G_N_ELEMENTS(run_exposure_order); c++) {
            ExposureCase k = run_exposure_order[c];
            char cell[3] = {r->read[k] ? 'R' : '-', r->alter[k] ? 'A' : '-', '\0'};
            fprintf(out, c + 1 < G_N_ELEMENTS(run_exposure_order) ? " %-9s" : " %s", cell);
        }
        if (r->to != NULL) /* several paths: whose copies it lies on */
            fprintf(out, "  to %s", r->to);
        fputc('\n', out);
    }
}

void
run_exposure_print(FILE *out, World *w, gboolean all)
{
    const GPtrArray *msgs = tracker_messages(world_tracker(w));
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *m = msgs->pdata[i];
        if (!exposure_wanted(m))
            continue;
        g_autoptr(ExposureTable) t = exposure_table_build(w, m);
        if (t != NULL && (all || strcmp(t->protection, "none") != 0))
            run_exposure_table(out, t);
    }
}

static gboolean
run_smime_write(const char *dir, const char *name, const char *data, gsize len, GError **error)
{
    /* Names come from addresses and message ids: keep them plain. */
    g_autofree char *safe = g_strdup(name);
    g_strcanon(safe, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@.-_+", '_');
    g_autofree char *path = g_build_filename(dir, safe, NULL);
    return g_file_set_contents(path, data, (gssize)len, error);
}

static gboolean
run_smime_write_identity(const char *dir, const char *base, TlsIdentity *id, GError **error)
{
    g_autofree char *cert = tls_identity_cert_pem(id);
    g_autofree char *cert_name = g_strconcat(base, ".pem", NULL);
    if (!run_smime_write(dir, cert_name, cert, strlen(cert), error))
        return FALSE;
    if (!tls_identity_has_key(id))
        return TRUE;
    g_autofree char *key = tls_identity_key_pem(id);
    g_autofree char *key_name = g_strconcat(base, ".key", NULL);
    gboolean ok = run_smime_write(dir, key_name, key, strlen(key), error);
    memset(key, 0, strlen(key));
    return ok;
}

gboolean
run_smime_export(World *w, const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create directory '%s'", dir);
        return FALSE;
    }
    TlsIdentity *ca = world_tls_ca(w);
    if (ca != NULL) {
        g_autofree char *pem = tls_identity_cert_pem(ca);
        if (!run_smime_write(dir, "ca.pem", pem, strlen(pem), error))
            return FALSE;
    }
    g_auto(GStrv) users = world_smime_users(w);
    for (char **u = users; *u; u++)
        if (!run_smime_write_identity(dir, *u, world_smime_identity(w, *u), error))
            return FALSE;
    const GPtrArray *msgs = tracker_messages(world_tracker(w));
    for (guint i = 0; i < msgs->len; i++) {
        const TrackMsg *m = msgs->pdata[i];
        for (guint k = 0; k < m->rcpts->len; k++) {
            const TrackRcpt *r = m->rcpts->pdata[k];
            g_autoptr(GBytes) copy = world_copy_read(w, m->id, r->address, error);
            if (copy == NULL && error != NULL && *error != NULL)
                return FALSE;
            if (copy == NULL)
                continue;
            g_autofree char *name = g_strdup_printf("%s.%s.eml", m->id, r->address);
            gsize len;
            const char *data = g_bytes_get_data(copy, &len);
            if (!run_smime_write(dir, name, data, len, error))
                return FALSE;
        }
    }
    return TRUE;
}
