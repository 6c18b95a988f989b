/* SPDX-License-Identifier: MIT
 * mua_smime: S/MIME at the sending and the receiving MUA. RFC 8551 3.1
 * (canonical form), 3.5.3 (clear-signed), 3.5.2 (opaque-signed), 3.3
 * (enveloped), 3.7 (signed, then encrypted); RFC 8550 3 (the From address
 * must be the signer's rfc822Name). The sender encrypts to every envelope
 * recipient and to itself when it holds a certificate, so that it can
 * read its sent copy, as mail clients do. Verification trusts the scenario
 * CA only and checks validity at virtual time.
 */
#include "nodes/mua_smime.h"

#include <string.h>

#include "nodes/smime_setup.h"
#include "nodes/tls_setup.h"
#include "nodes/world_private.h"
#include "proto/smime.h"

static void
mua_smime_trace_steps(Node *node, const char *msg_id, const char *op, GArray *steps)
{
    for (guint i = 0; i < steps->len; i++) {
        const SmimeStep *s = &g_array_index(steps, SmimeStep, i);
        SimTraceRec *r = world_trace(node->world, "smime.step", node->name);
        if (msg_id)
            sim_trace_str(r, "msg", msg_id);
        sim_trace_str(r, "op", op);
        sim_trace_int(r, "n", i + 1);
        sim_trace_str(r, "step", s->name);
        sim_trace_int(r, "size", (gint64)s->size);
        sim_trace_str(r, "detail", s->detail);
        sim_trace_end(r);
    }
}

/* The addresses whose certificate the protection needs and the world
 * lacks, comma-separated (transfer full), or NULL when none is missing. */
static char *
mua_smime_missing(Node *node, SpecSmimeMode mode, char **rcpts)
{
    World *w = node->world;
    GString *missing = g_string_new(NULL);
    gboolean sign = mode != SPEC_SMIME_ENCRYPT;
    gboolean encrypt = mode == SPEC_SMIME_ENCRYPT || mode == SPEC_SMIME_SIGN_ENCRYPT;
    const char *user = node->spec->user;
    if (sign && world_smime_identity(w, user) == NULL)
        g_string_append(missing, user);
    for (char **p = rcpts; encrypt && *p; p++) {
        if (world_smime_identity(w, *p) == NULL)
            g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", *p);
    }
    if (missing->len == 0) {
        g_string_free(missing, TRUE);
        return NULL;
    }
    return g_string_free(missing, FALSE);
}

static void
mua_smime_trace_protect(Node *node, TrackMsg *m, SpecSmimeMode mode, const char *result,
                        const char *missing, const char *reason, gsize in, gsize out)
{
    SimTraceRec *r = world_trace(node->world, "smime.protect", node->name);
    sim_trace_str(r, "msg", m->id);
    sim_trace_str(r, "mode", spec_smime_mode_name(mode));
    sim_trace_str(r, "result", result);
    if (missing)
        sim_trace_str(r, "missing", missing);
    if (reason)
        sim_trace_str(r, "reason", reason);
    sim_trace_int(r, "size_in", (gint64)in);
    sim_trace_int(r, "size_out", (gint64)out);
    sim_trace_end(r);
}

static void
mua_smime_refuse(Node *node, TrackMsg *m, char **rcpts, const char *why)
{
    SimTime now = sim_world_now(node->world->sim);
    for (char **p = rcpts; *p; p++)
        track_msg_set_status(m, *p, TRACK_STATUS_REJECTED, 0, why, node->name, now);
}

/* The recipients' certificates, then the sender's (transfer container). */
static GPtrArray *
mua_smime_recipient_ids(Node *node, char **rcpts)
{
    World *w = node->world;
    GPtrArray *ids = g_ptr_array_new();
    for (char **p = rcpts; *p; p++) {
        TlsIdentity *id = world_smime_identity(w, *p);
        if (id && !g_ptr_array_find(ids, id, NULL))
            g_ptr_array_add(ids, id);
    }
    TlsIdentity *self = world_smime_identity(w, node->spec->user);
    if (self && !g_ptr_array_find(ids, self, NULL))
        g_ptr_array_add(ids, self);
    g_ptr_array_add(ids, NULL);
    return ids;
}

GBytes *
mua_smime_protect(Node *node, TrackMsg *m, SpecSmimeMode mode, char **rcpts, GBytes *bytes)
{
    if (mode == SPEC_SMIME_NONE)
        return g_bytes_ref(bytes);
    World *w = node->world;
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    g_autofree char *missing = mua_smime_missing(node, mode, rcpts);
    if (missing != NULL) {
        g_autofree char *why = g_strdup_printf("S/MIME %s: no certificate for %s",
                                               spec_smime_mode_name(mode), missing);
        if (node->spec->smime_missing == SPEC_SMIME_MISSING_SEND_PLAIN) {
            mua_smime_trace_protect(node, m, mode, "sent-plain", missing, why, len, len);
            track_msg_note(m, node->name, "smime-protection", "none");
            return g_bytes_ref(bytes);
        }
        mua_smime_trace_protect(node, m, mode, "refused", missing, why, len, 0);
        mua_smime_refuse(node, m, rcpts, why);
        return NULL;
    }
    SmimeSignConfig sign = {
        .signer = world_smime_identity(w, node->spec->user),
        .form = mode == SPEC_SMIME_OPAQUE_SIGN ? SMIME_SIGN_OPAQUE : SMIME_SIGN_CLEAR,
        .signing_time = world_unix_now(w),
    };
    g_autoptr(GPtrArray) ids = mua_smime_recipient_ids(node, rcpts);
    SmimeEncryptConfig enc = {.recipients = (TlsIdentity *const *)ids->pdata};
    g_autoptr(GArray) steps = smime_steps_new();
    g_autoptr(GError) error = NULL;
    GBytes *out;
    if (mode == SPEC_SMIME_ENCRYPT)
        out = smime_encrypt(data, len, &enc, steps, &error);
    else if (mode == SPEC_SMIME_SIGN_ENCRYPT)
        out = smime_sign_encrypt(data, len, &sign, &enc, steps, &error);
    else
        out = smime_sign(data, len, &sign, steps, &error);
    mua_smime_trace_steps(node, m->id, spec_smime_mode_name(mode), steps);
    if (out == NULL) {
        /* A key the engine cannot use: the message is not sent. */
        mua_smime_trace_protect(node, m, mode, "refused", NULL, error->message, len, 0);
        mua_smime_refuse(node, m, rcpts, error->message);
        return NULL;
    }
    mua_smime_trace_protect(node, m, mode, "protected", NULL, NULL, len, g_bytes_get_size(out));
    track_msg_note(m, node->name, "smime-protection", spec_smime_mode_name(mode));
    return out;
}

/* ---- receiving ---- */

static const char *
mua_smime_signer(const SmimeVerifyResult *v)
{
    if (v->signer_emails && v->signer_emails->len > 0)
        return v->signer_emails->pdata[0];
    return v->signer_subject;
}

/* Verifies a signed message; returns the verdict. */
static const char *
mua_smime_verify(Node *node, const char *msg_id, GBytes *msg)
{
    World *w = node->world;
    TlsIdentity *anchors[] = {world_tls_ca(w), NULL};
    SmimeVerifyConfig cfg = {.anchors = anchors, .now_unix = world_unix_now(w)};
    g_autoptr(GArray) steps = smime_steps_new();
    SmimeVerifyResult v = {0};
    gsize len;
    const guint8 *data = g_bytes_get_data(msg, &len);
    smime_verify(data, len, &cfg, steps, &v);
    mua_smime_trace_steps(node, msg_id, "verify", steps);
    SimTraceRec *r = world_trace(w, "smime.verify", node->name);
    if (msg_id)
        sim_trace_str(r, "msg", msg_id);
    sim_trace_str(r, "result", smime_verify_status_name(v.status));
    sim_trace_bool(r, "valid", v.status == SMIME_VERIFY_VALID);
    if (mua_smime_signer(&v))
        sim_trace_str(r, "signer", mua_smime_signer(&v));
    if (v.from_address)
        sim_trace_str(r, "from", v.from_address);
    if (v.detail)
        sim_trace_str(r, "detail", v.detail);
    sim_trace_end(r);
    const char *verdict = v.status == SMIME_VERIFY_VALID ? "verified" : "failed";
    smime_verify_result_clear(&v);
    return verdict;
}

/* Decrypts; returns the plaintext message (transfer full) or NULL. */
static GBytes *
mua_smime_decrypt(Node *node, const char *msg_id, GBytes *msg)
{
    World *w = node->world;
    TlsIdentity *self = world_smime_identity(w, node->spec->user);
    gsize len;
    const guint8 *data = g_bytes_get_data(msg, &len);
    SmimeDecryptResult d = {0};
    g_autoptr(GArray) steps = smime_steps_new();
    if (self != NULL) {
        smime_decrypt(data, len, self, steps, &d);
    } else {
        d.status = SMIME_DECRYPT_NOT_RECIPIENT;
        d.kind = smime_message_kind(data, len);
        d.detail = g_strdup("the user has no certificate and no key");
    }
    mua_smime_trace_steps(node, msg_id, "decrypt", steps);
    SimTraceRec *r = world_trace(w, "smime.decrypt", node->name);
    if (msg_id)
        sim_trace_str(r, "msg", msg_id);
    sim_trace_str(r, "result", smime_decrypt_status_name(d.status));
    sim_trace_bool(r, "ok", d.status == SMIME_DECRYPT_OK);
    sim_trace_str(r, "kind", smime_kind_name(d.kind));
    if (d.message)
        sim_trace_int(r, "size", (gint64)g_bytes_get_size(d.message));
    if (d.detail)
        sim_trace_str(r, "detail", d.detail);
    sim_trace_end(r);
    GBytes *out = d.status == SMIME_DECRYPT_OK && d.message ? g_bytes_ref(d.message) : NULL;
    smime_decrypt_result_clear(&d);
    return out;
}

static gboolean
mua_smime_is_signed(GBytes *msg)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(msg, &len);
    SmimeKind k = smime_message_kind(data, len);
    return k == SMIME_KIND_CLEAR_SIGNED || k == SMIME_KIND_OPAQUE_SIGNED;
}

void
mua_smime_on_fetch(Node *node, const char *msg_id, GBytes *bytes)
{
    World *w = node->world;
    gsize len;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    SmimeKind kind = smime_message_kind(data, len);
    const char *verdict = "none";
    if (kind == SMIME_KIND_ENVELOPED || kind == SMIME_KIND_AUTH_ENVELOPED) {
        g_autoptr(GBytes) plain = mua_smime_decrypt(node, msg_id, bytes);
        if (plain == NULL)
            verdict = "unreadable";
        else if (mua_smime_is_signed(plain))
            verdict = mua_smime_verify(node, msg_id, plain);
        else
            verdict = "decrypted";
    } else if (kind != SMIME_KIND_NONE) {
        verdict = mua_smime_verify(node, msg_id, bytes);
    }
    TrackMsg *m = msg_id ? tracker_find(w->tracker, msg_id) : NULL;
    if (m != NULL)
        track_msg_note(m, node->name, "smime", verdict);
}
