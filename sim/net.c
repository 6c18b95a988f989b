/* SPDX-License-Identifier: MIT
 * net: hosts and their IPv4 addresses, links between host pairs, listeners,
 * taps and wire observers. Connections themselves live in net_stream.c.
 * Links are made on first use for pairs the scenario did not describe; such
 * links follow the net default parameters until given their own.
 */
#include "sim/net.h"

#include <string.h>

#include "sim/net_private.h"

static void
sim_net_host_free(gpointer p)
{
    SimHost *h = p;
    g_free(h->name);
    g_array_free(h->addrs, TRUE);
    g_free(h);
}

static void
sim_net_tap_clear(gpointer p)
{
    SimTap *t = p;
    if (t->destroy != NULL)
        t->destroy(t->user_data);
}

static void
sim_net_observer_clear(gpointer p)
{
    SimWireObserver *o = p;
    if (o->destroy != NULL)
        o->destroy(o->user_data);
}

static void
sim_net_link_free(gpointer p)
{
    SimLink *l = p;
    g_queue_clear_full(&l->held, sim_net_free_held);
    g_array_free(l->taps, TRUE);
    g_free(l);
}

static void
sim_net_listener_free(gpointer p)
{
    SimListener *l = p;
    if (l->destroy != NULL)
        l->destroy(l->user_data);
    g_free(l);
}

SimNet *
sim_net_new(SimWorld *world)
{
    g_return_val_if_fail(world != NULL, NULL);
    SimNet *net = g_new0(SimNet, 1);
    net->world = world;
    net->connect_timeout = SIM_NET_CONNECT_TIMEOUT_DEFAULT;
    net->hosts = g_ptr_array_new_with_free_func(sim_net_host_free);
    net->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    net->by_addr = g_hash_table_new(g_direct_hash, g_direct_equal);
    net->links = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, sim_net_link_free);
    net->listeners = g_hash_table_new(g_direct_hash, g_direct_equal);
    net->all_listeners = g_ptr_array_new_with_free_func(sim_net_listener_free);
    net->taps = g_array_new(FALSE, TRUE, sizeof(SimTap));
    g_array_set_clear_func(net->taps, sim_net_tap_clear);
    net->observers = g_array_new(FALSE, TRUE, sizeof(SimWireObserver));
    g_array_set_clear_func(net->observers, sim_net_observer_clear);
    net->next_tap_id = 1;
    net->next_conn_id = 1;
    return net;
}

void
sim_net_free(SimNet *net)
{
    if (net == NULL)
        return;
    sim_net_free_conns(net);
    g_hash_table_destroy(net->links);
    g_hash_table_destroy(net->listeners);
    g_ptr_array_unref(net->all_listeners);
    g_array_free(net->taps, TRUE);
    g_array_free(net->observers, TRUE);
    g_hash_table_destroy(net->by_name);
    g_hash_table_destroy(net->by_addr);
    g_ptr_array_unref(net->hosts);
    g_free(net);
}

SimWorld *
sim_net_world(const SimNet *net)
{
    return net->world;
}

void
sim_net_set_default(SimNet *net, const SimLinkParams *p)
{
    g_return_if_fail(net != NULL && p != NULL);
    net->def = *p;
}

void
sim_net_set_connect_timeout(SimNet *net, SimTime timeout)
{
    g_return_if_fail(net != NULL && timeout > 0);
    net->connect_timeout = timeout;
}

/* --- hosts --- */

SimHost *
sim_net_add_host(SimNet *net, const char *name)
{
    g_return_val_if_fail(net != NULL && name != NULL, NULL);
    g_return_val_if_fail(g_hash_table_lookup(net->by_name, name) == NULL, NULL);
    SimHost *h = g_new0(SimHost, 1);
    h->net = net;
    h->name = g_strdup(name);
    h->id = net->hosts->len;
    h->addrs = g_array_new(FALSE, FALSE, sizeof(guint32));
    h->next_port = SIM_NET_EPHEMERAL_FIRST;
    g_ptr_array_add(net->hosts, h);
    g_hash_table_insert(net->by_name, h->name, h);
    return h;
}

gboolean
sim_host_add_address_u32(SimHost *host, guint32 addr)
{
    g_return_val_if_fail(host != NULL, FALSE);
    if (g_hash_table_contains(host->net->by_addr, GUINT_TO_POINTER(addr)))
        return FALSE;
    g_array_append_val(host->addrs, addr);
    g_hash_table_insert(host->net->by_addr, GUINT_TO_POINTER(addr), host);
    return TRUE;
}

gboolean
sim_host_add_address(SimHost *host, const char *ipv4)
{
    guint32 addr;
    g_return_val_if_fail(host != NULL && ipv4 != NULL, FALSE);
    return sim_ipv4_parse(ipv4, &addr) && sim_host_add_address_u32(host, addr);
}

const char *
sim_host_name(const SimHost *host)
{
    return host->name;
}

guint
sim_host_id(const SimHost *host)
{
    return host->id;
}

guint32
sim_host_address(const SimHost *host)
{
    return host->addrs->len > 0 ? g_array_index(host->addrs, guint32, 0) : 0;
}

SimHost *
sim_net_host_by_name(const SimNet *net, const char *name)
{
    return g_hash_table_lookup(net->by_name, name);
}

SimHost *
sim_net_host_by_addr(const SimNet *net, guint32 addr)
{
    return g_hash_table_lookup(net->by_addr, GUINT_TO_POINTER(addr));
}

SimHost *
sim_net_lookup(const SimNet *net, const char *ip_or_name)
{
    guint32 addr;
    if (sim_ipv4_parse(ip_or_name, &addr))
        return sim_net_host_by_addr(net, addr);
    return sim_net_host_by_name(net, ip_or_name);
}

guint
sim_net_n_hosts(const SimNet *net)
{
    return net->hosts->len;
}

SimHost *
sim_net_host(const SimNet *net, guint id)
{
    g_return_val_if_fail(id < net->hosts->len, NULL);
    return g_ptr_array_index(net->hosts, id);
}

gboolean
sim_ipv4_parse(const char *s, guint32 *out)
{
    guint32 addr = 0;
    const char *p = s;
    for (int part = 0; part < 4; part++) {
        guint v = 0, digits = 0;
        while (g_ascii_isdigit(*p) && digits < 4) {
            v = v * 10 + (guint)(*p++ - '0');
            digits++;
        }
        /* No empty parts, no leading zeros ("01" reads as octal elsewhere). */
        if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && *(p - digits) == '0'))
            return FALSE;
        addr = addr << 8 | v;
        if (part < 3 && *p++ != '.')
            return FALSE;
    }
    if (*p != '\0')
        return FALSE;
    if (out != NULL)
        *out = addr;
    return TRUE;
}

char *
sim_ipv4_format(guint32 addr, char buf[16])
{
    /* "%u.%u.%u.%u" without printf: every accepted connection formats one. */
    char *p = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        guint octet = (addr >> shift) & 255;
        if (octet >= 100)
            *p++ = (char)('0' + octet / 100);
        if (octet >= 10)
            *p++ = (char)('0' + octet / 10 % 10);
        *p++ = (char)('0' + octet % 10);
        *p++ = shift ? '.' : '\0';
    }
    return buf;
}

/* --- links --- */

SimLink *
sim_net_link(SimNet *net, SimHost *a, SimHost *b)
{
    g_return_val_if_fail(net != NULL && a != NULL && b != NULL, NULL);
    if (a->id > b->id) {
        SimHost *t = a;
        a = b;
        b = t;
    }
    guint64 key = (guint64)a->id << 32 | b->id;
    SimLink *l = g_hash_table_lookup(net->links, &key);
    if (l != NULL)
        return l;
    l = g_new0(SimLink, 1);
    l->net = net;
    l->a = a;
    l->b = b;
    l->key = key;
    l->up = TRUE;
    l->taps = g_array_new(FALSE, TRUE, sizeof(SimTap));
    g_array_set_clear_func(l->taps, sim_net_tap_clear);
    g_queue_init(&l->held);
    g_hash_table_insert(net->links, &l->key, l);
    return l;
}

/* The link's jitter stream, made on first use (jitter is rare; a GRand
 * holds 2.5 KB). Named by host names, so the stream survives other hosts
 * being added. */
GRand *
sim_link_rng(SimLink *l)
{
    if (l->rng == NULL) {
        g_autofree char *name = g_strdup_printf("link:%s|%s", l->a->name, l->b->name);
        l->rng = sim_world_rng(l->net->world, name);
    }
    return l->rng;
}

void
sim_link_set_params(SimLink *link, const SimLinkParams *p)
{
    g_return_if_fail(link != NULL && p != NULL);
    g_return_if_fail(p->latency >= 0 && p->jitter >= 0);
    link->params = *p;
    link->has_params = TRUE;
}

const SimLinkParams *
sim_link_effective(const SimLink *link)
{
    return link->has_params ? &link->params : &link->net->def;
}

const SimLinkParams *
sim_link_params(const SimLink *link)
{
    return sim_link_effective(link);
}

void
sim_link_set_up(SimLink *link, gboolean up)
{
    g_return_if_fail(link != NULL);
    link->up = up;
    /* Resend what waited, in order; a resend on a link gone down again
     * lands back in held, behind nothing, so order is kept. */
    while (link->up && !g_queue_is_empty(&link->held))
        sim_net_resend_held(g_queue_pop_head(&link->held));
}

gboolean
sim_link_is_up(const SimLink *link)
{
    return link->up;
}

typedef struct {
    SimLink *link;
    gboolean up;
} SimLinkChange;

static void
sim_link_change_run(SimWorld *w, gpointer data)
{
    SimLinkChange *c = data;
    sim_link_set_up(c->link, c->up);
}

void
sim_link_schedule(SimLink *link, SimTime at, gboolean up)
{
    g_return_if_fail(link != NULL);
    SimLinkChange *c = g_new(SimLinkChange, 1);
    c->link = link;
    c->up = up;
    sim_world_schedule_at(link->net->world, at, sim_link_change_run, c, g_free);
}

SimHost *
sim_link_host_a(const SimLink *link)
{
    return link->a;
}

SimHost *
sim_link_host_b(const SimLink *link)
{
    return link->b;
}

/* --- taps and observers --- */

const char *
sim_seg_kind_name(SimSegKind kind)
{
    static const char *const names[] = {"SYN", "SYNACK", "ACK", "DATA", "FIN", "RST"};
    g_return_val_if_fail((guint)kind < G_N_ELEMENTS(names), "?");
    return names[kind];
}

static SimTapId
sim_net_tap_add(SimNet *net, GArray *taps, SimTapFunc fn, gpointer user_data,
                GDestroyNotify destroy)
{
    SimTap t = {.id = net->next_tap_id++, .fn = fn, .user_data = user_data, .destroy = destroy};
    g_array_append_val(taps, t);
    return t.id;
}

SimTapId
sim_link_add_tap(SimLink *link, SimTapFunc fn, gpointer user_data, GDestroyNotify destroy)
{
    g_return_val_if_fail(link != NULL && fn != NULL, 0);
    return sim_net_tap_add(link->net, link->taps, fn, user_data, destroy);
}

SimTapId
sim_net_add_tap(SimNet *net, SimTapFunc fn, gpointer user_data, GDestroyNotify destroy)
{
    g_return_val_if_fail(net != NULL && fn != NULL, 0);
    return sim_net_tap_add(net, net->taps, fn, user_data, destroy);
}

static gboolean
sim_net_tap_remove_from(GArray *taps, SimTapId id)
{
    for (guint i = 0; i < taps->len; i++) {
        if (g_array_index(taps, SimTap, i).id == id) {
            g_array_remove_index(taps, i);
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
sim_net_remove_tap(SimNet *net, SimTapId id)
{
    g_return_val_if_fail(net != NULL, FALSE);
    if (sim_net_tap_remove_from(net->taps, id))
        return TRUE;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, net->links);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (sim_net_tap_remove_from(((SimLink *)v)->taps, id))
            return TRUE;
    return FALSE;
}

static void
sim_net_run_tap_list(GArray *taps, SimSegment *seg)
{
    for (guint i = 0; i < taps->len; i++) {
        SimTap *t = &g_array_index(taps, SimTap, i);
        GBytes *repl = t->fn(seg, t->user_data);
        if (repl == NULL)
            continue;
        if (seg->kind == SIM_SEG_FIN && seg->data != NULL) {
            /* Bytes several taps still held: all leave, in tap order. */
            GByteArray *all = g_bytes_unref_to_array(seg->data);
            gsize n;
            const guint8 *d = g_bytes_get_data(repl, &n);
            g_byte_array_append(all, d, (guint)n);
            g_bytes_unref(repl);
            seg->data = g_byte_array_free_to_bytes(all);
            continue;
        }
        if (seg->kind != SIM_SEG_DATA && seg->kind != SIM_SEG_FIN) {
            g_bytes_unref(repl);
            continue;
        }
        if (seg->data != NULL)
            g_bytes_unref(seg->data);
        seg->data = repl;
    }
}

GBytes *
sim_net_run_taps(SimNet *net, SimLink *link, SimSegment *seg)
{
    /* seg->data is a reference owned here while taps run. */
    if (seg->data != NULL)
        g_bytes_ref(seg->data);
    if (link != NULL)
        sim_net_run_tap_list(link->taps, seg);
    sim_net_run_tap_list(net->taps, seg);
    return seg->data;
}

void
sim_net_add_wire_observer(SimNet *net, SimWireFunc fn, gpointer user_data, GDestroyNotify destroy)
{
    g_return_if_fail(net != NULL && fn != NULL);
    SimWireObserver o = {.fn = fn, .user_data = user_data, .destroy = destroy};
    g_array_append_val(net->observers, o);
}

void
sim_net_notify_wire(SimNet *net, SimWireKind kind, const SimSegment *seg)
{
    SimWireEvent ev = {.kind = kind, .seg = seg};
    for (guint i = 0; i < net->observers->len; i++) {
        SimWireObserver *o = &g_array_index(net->observers, SimWireObserver, i);
        o->fn(&ev, o->user_data);
    }
}

/* --- listeners --- */

static gpointer
sim_net_listener_key(SimHost *host, guint16 port)
{
    return GUINT_TO_POINTER((guint)host->id << 16 | port);
}

SimListener *
sim_net_find_listener(SimNet *net, SimHost *host, guint16 port)
{
    return g_hash_table_lookup(net->listeners, sim_net_listener_key(host, port));
}

SimListener *
sim_net_listen(SimNet *net, SimHost *host, guint16 port, SimAcceptFunc fn, gpointer user_data,
               GDestroyNotify destroy)
{
    g_return_val_if_fail(net != NULL && host != NULL && fn != NULL, NULL);
    g_return_val_if_fail(host->id < 65536, NULL);
    if (sim_net_find_listener(net, host, port) != NULL)
        return NULL;
    SimListener *l = g_new0(SimListener, 1);
    l->net = net;
    l->host = host;
    l->port = port;
    l->fn = fn;
    l->user_data = user_data;
    l->destroy = destroy;
    g_hash_table_insert(net->listeners, sim_net_listener_key(host, port), l);
    g_ptr_array_add(net->all_listeners, l);
    return l;
}

void
sim_listener_close(SimListener *l)
{
    g_return_if_fail(l != NULL);
    if (l->closed)
        return;
    l->closed = TRUE;
    g_hash_table_remove(l->net->listeners, sim_net_listener_key(l->host, l->port));
}
