/* SPDX-License-Identifier: MIT
 * dkim_signer: the signing side of sender_auth. The key is the scenario's
 * PEM when one is named, else derived from the run's seed and the node,
 * domain and selector names (proto/dkim_keygen.h), so a run stays
 * reproducible; its record "v=DKIM1; k=...; p=..." is added to the zone at
 * SELECTOR._domainkey.DOMAIN (RFC 6376 3.6.2.1) in character-strings of at
 * most 255 octets (RFC 1035 3.3.14). Also the relay's `rewrite`: the body
 * or header changes that show which canonicalization survives what.
 */
#include "nodes/sender_auth_private.h"

#include <string.h>

#include "proto/address.h"
#include "proto/dkim_keygen.h"
#include "proto/message.h"

/* RFC 1035 3.3: a character-string holds at most 255 octets. */
#define DKIM_SIGNER_TXT_STRING_MAX 255

static DkimPrivateKey *
dkim_signer_derive(Node *node)
{
    const DkimSignSpec *d = &node->spec->dkim;
    GByteArray *seed = g_byte_array_new();
    guint64 s = node->world->seed;
    guint8 le[8];
    for (guint i = 0; i < 8; i++)
        le[i] = (guint8)(s >> (8 * i));
    g_byte_array_append(seed, (const guint8 *)"mhs-dkim", 9);
    g_byte_array_append(seed, le, 8);
    const char *parts[] = {node->name, d->domain, d->selector};
    for (guint i = 0; i < G_N_ELEMENTS(parts); i++)
        g_byte_array_append(seed, (const guint8 *)parts[i], (guint)strlen(parts[i]) + 1);
    g_autoptr(GError) error = NULL;
    DkimPrivateKey *k = dkim_private_key_derive(d->alg, d->rsa_bits, seed->data, seed->len, &error);
    g_byte_array_unref(seed);
    if (k == NULL)
        g_error("%s: DKIM key: %s", node->name, error->message); /* the loader checked */
    return k;
}

static void
dkim_signer_publish(Node *node, const DkimPrivateKey *k)
{
    const DkimSignSpec *d = &node->spec->dkim;
    DnsZone *zone = node->world->zone;
    g_autofree char *name = g_strdup_printf("%s._domainkey.%s", d->selector, d->domain);
    SimTraceRec *r = world_trace(node->world, "dkim.key", node->name);
    sim_trace_str(r, "name", name);
    if (dns_zone_has_name(zone, name)) {
        /* The scenario wrote its own record (maybe a wrong one, on purpose). */
        sim_trace_bool(r, "published", FALSE);
        sim_trace_end(r);
        return;
    }
    g_autofree char *txt = dkim_private_key_record(k);
    gsize len = strlen(txt);
    GPtrArray *strings = g_ptr_array_new_with_free_func(g_free);
    for (gsize off = 0; off < len; off += DKIM_SIGNER_TXT_STRING_MAX)
        g_ptr_array_add(strings, g_strndup(txt + off, DKIM_SIGNER_TXT_STRING_MAX));
    g_ptr_array_add(strings, NULL);
    dns_zone_add_txt(zone, name, (const char *const *)strings->pdata);
    g_ptr_array_unref(strings);
    sim_trace_bool(r, "published", TRUE);
    sim_trace_str(r, "a", dkim_alg_name(dkim_private_key_alg(k)));
    sim_trace_end(r);
}

DkimPrivateKey *
dkim_signer_key_new(Node *node)
{
    const DkimSignSpec *d = &node->spec->dkim;
    if (d->domain == NULL)
        return NULL;
    DkimPrivateKey *k = NULL;
    if (d->key_pem) {
        g_autoptr(GError) error = NULL;
        k = dkim_private_key_new_pem((const guint8 *)d->key_pem, strlen(d->key_pem), &error);
        if (k == NULL)
            g_error("%s: DKIM key %s: %s", node->name, d->key_file ? d->key_file : "",
                    error->message); /* the loader checked */
    } else {
        k = dkim_signer_derive(node);
    }
    dkim_signer_publish(node, k);
    return k;
}

char *
sender_auth_from_domain(GBytes *msg)
{
    g_autoptr(MailMessage) m = mail_message_parse_bytes(msg, NULL);
    const char *from = mail_message_get(m, "From");
    if (from == NULL)
        return NULL;
    g_autoptr(GPtrArray) list = mail_mailbox_list_parse(from, NULL);
    if (list == NULL || list->len == 0)
        return NULL;
    const MailMailbox *mb = list->pdata[0];
    return mb->domain ? g_ascii_strdown(mb->domain, -1) : NULL;
}

/* Does the From domain belong to d (itself or a subdomain)? */
static gboolean
dkim_signer_domain_matches(const char *from_domain, const char *d)
{
    gsize fl = strlen(from_domain), dl = strlen(d);
    if (fl < dl || g_ascii_strcasecmp(from_domain + fl - dl, d) != 0)
        return FALSE;
    return fl == dl || from_domain[fl - dl - 1] == '.';
}

GBytes *
sender_auth_sign(SenderAuth *sa, const char *msg_id, GBytes *msg)
{
    if (sa == NULL || sa->key == NULL)
        return msg;
    const DkimSignSpec *d = &sa->spec->dkim;
    g_autofree char *from_domain = sender_auth_from_domain(msg);
    if (from_domain == NULL || !dkim_signer_domain_matches(from_domain, d->domain))
        return msg;
    World *w = sa->node->world;
    DkimSignConfig cfg = {
        .domain = d->domain,
        .selector = d->selector,
        .header_canon = d->header_canon,
        .body_canon = d->body_canon,
        .headers = (const char *const *)d->headers,
        .now_unix = world_unix_now(w),
    };
    gsize len;
    const guint8 *data = g_bytes_get_data(msg, &len);
    g_autoptr(GError) error = NULL;
    g_autofree char *field = dkim_sign(data, len, &cfg, sa->key, &error);
    SimTraceRec *r = world_trace(w, "dkim.sign", sa->node->name);
    sim_trace_str(r, "msg", msg_id);
    sim_trace_str(r, "d", d->domain);
    sim_trace_str(r, "s", d->selector);
    sim_trace_str(r, "a", dkim_alg_name(dkim_private_key_alg(sa->key)));
    sim_trace_str(r, "c",
                  d->header_canon == DKIM_CANON_RELAXED
                      ? (d->body_canon == DKIM_CANON_RELAXED ? "relaxed/relaxed" : "relaxed/simple")
                      : (d->body_canon == DKIM_CANON_RELAXED ? "simple/relaxed" : "simple/simple"));
    if (field == NULL)
        sim_trace_str(r, "error", error->message);
    sim_trace_end(r);
    if (field == NULL)
        return msg;
    TrackMsg *tm = tracker_find(w->tracker, msg_id);
    if (tm != NULL)
        track_msg_note(tm, sa->node->name, "dkim-sign", d->domain);
    gsize flen = strlen(field);
    guint8 *out = g_malloc(flen + len);
    memcpy(out, field, flen);
    memcpy(out + flen, data, len);
    g_bytes_unref(msg);
    return g_bytes_new_take(out, flen + len);
}

/* Every space of a field doubled: what relaxed header canonicalization
 * undoes (RFC 6376 3.4.2) and simple does not (3.4.1). */
static void
dkim_signer_rewrap(GString *out, const char *raw, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        g_string_append_c(out, raw[i]);
        if (raw[i] == ' ')
            g_string_append_c(out, ' ');
    }
}

GBytes *
dkim_signer_rewrite(Node *node, GBytes *msg)
{
    const RewriteSpec *rw = &node->spec->rewrite;
    if (rw->body_append == NULL && !rw->rewrap_headers)
        return g_bytes_ref(msg);
    g_autoptr(MailMessage) m = mail_message_parse_bytes(msg, NULL);
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < mail_message_n_fields(m); i++) {
        gsize len;
        const char *raw = mail_message_field_raw(m, i, &len);
        if (rw->rewrap_headers)
            dkim_signer_rewrap(out, raw, len);
        else
            g_string_append_len(out, raw, (gssize)len);
    }
    g_string_append(out, "\r\n");
    gsize blen;
    const guint8 *body = mail_message_get_body(m, &blen);
    g_string_append_len(out, (const char *)body, (gssize)blen);
    if (rw->body_append) {
        if (out->len >= 2 && !(out->str[out->len - 2] == '\r' && out->str[out->len - 1] == '\n'))
            g_string_append(out, "\r\n");
        g_string_append_printf(out, "%s\r\n", rw->body_append);
    }
    gsize n = out->len;
    return g_bytes_new_take(g_string_free(out, FALSE), n);
}
