/* SPDX-License-Identifier: MIT
 * trace_model: turns trace records into the diagram model (nodes with a
 * role, message hops, SMTP sessions). The sender of a hop is found from
 * the connection that carried the message (conn.open has "msg" and
 * "peer"); a refusal at a server without a "msg" field is attributed
 * through the session that sent the matching RCPT TO (RFC 5321 4.1.1.3).
 * It does not read message bytes or any node state: records only.
 */
#include "viz/trace_model-private.h"

#include <string.h>

struct VizModelBuilder {
    VizTrace *vt;
    GHashTable *by_msg_server; /* "msg\nserver" -> latest VizSession carrying it */
    GHashTable *by_rcpt;       /* "server\nrcpt" -> latest VizSession that sent RCPT */
};

/* Inferred roles: a stronger clue overrides a weaker one. */
static int
viz_model_role_rank(VizRole role)
{
    static const int rank[] = {
        [VIZ_ROLE_UNKNOWN] = 0, [VIZ_ROLE_MTA] = 1, [VIZ_ROLE_DNS] = 2,   [VIZ_ROLE_MS] = 3,
        [VIZ_ROLE_MSA] = 4,     [VIZ_ROLE_MUA] = 5, [VIZ_ROLE_OTHER] = 0,
        [VIZ_ROLE_SPAMMER] = 0,
    };
    return rank[role];
}

static VizNode *
viz_model_node(VizModelBuilder *b, const char *name)
{
    if (name == NULL || *name == '\0')
        return NULL;
    VizNode *n = g_hash_table_lookup(b->vt->node_index, name);
    if (n == NULL) {
        n = g_new0(VizNode, 1);
        n->name = g_strdup(name);
        g_ptr_array_add(b->vt->nodes, n);
        g_hash_table_insert(b->vt->node_index, n->name, n);
    }
    return n;
}

static void
viz_model_hint_role(VizModelBuilder *b, const char *name, VizRole role)
{
    VizNode *n = viz_model_node(b, name);
    if (n && !n->role_explicit && viz_model_role_rank(role) > viz_model_role_rank(n->role))
        n->role = role;
}

static VizRole
viz_model_role_parse(const char *s)
{
    static const struct {
        const char *name;
        VizRole role;
    } roles[] = {{"mua", VIZ_ROLE_MUA},
                 {"msa", VIZ_ROLE_MSA},
                 {"mta", VIZ_ROLE_MTA},
                 {"ms", VIZ_ROLE_MS},
                 {"dns", VIZ_ROLE_DNS},
                 {"spammer", VIZ_ROLE_SPAMMER}};
    for (gsize i = 0; s && i < G_N_ELEMENTS(roles); i++)
        if (g_ascii_strcasecmp(s, roles[i].name) == 0)
            return roles[i].role;
    return VIZ_ROLE_OTHER;
}

static VizMessage *
viz_model_message(VizModelBuilder *b, const char *id)
{
    if (id == NULL || *id == '\0')
        return NULL;
    VizMessage *m = g_hash_table_lookup(b->vt->msg_index, id);
    if (m == NULL) {
        m = g_new0(VizMessage, 1);
        m->id = g_strdup(id);
        m->hops = g_ptr_array_new();
        g_ptr_array_add(b->vt->messages, m);
        g_hash_table_insert(b->vt->msg_index, m->id, m);
    }
    return m;
}

static VizHop *
viz_model_add_hop(VizMessage *m, const SimTraceRec *rec, VizHopAction action, const char *node,
                  const char *from, const char *detail)
{
    VizHop *h = g_new0(VizHop, 1);
    h->t = sim_trace_rec_time(rec);
    h->action = action;
    h->node = g_strdup(node);
    h->from = g_strdup(from);
    h->detail = g_strdup(detail ? detail : "");
    h->proto = g_strdup("");
    h->conn = -1;
    g_ptr_array_add(m->hops, h);
    return h;
}

static VizSession *
viz_model_session(VizModelBuilder *b, const SimTraceRec *rec)
{
    gint64 conn;
    if (!sim_trace_rec_get_int(rec, "conn", &conn))
        return NULL;
    return g_hash_table_lookup(b->vt->sess_index, &conn);
}

static VizSession *
viz_model_session_new(VizModelBuilder *b, gint64 conn, const char *client, const char *server)
{
    VizSession *s = g_new0(VizSession, 1);
    s->conn = conn;
    s->client = g_strdup(client);
    s->server = g_strdup(server);
    s->lines = g_ptr_array_new();
    g_ptr_array_add(b->vt->sessions, s);
    g_hash_table_insert(b->vt->sess_index, &s->conn, s);
    return s;
}

static void
viz_model_add_line(VizSession *s, const SimTraceRec *rec, VizLineKind kind, gint code,
                   const char *text)
{
    VizLine *l = g_new0(VizLine, 1);
    l->t = sim_trace_rec_time(rec);
    l->kind = kind;
    l->code = code;
    l->text = g_strdup(text ? text : "");
    g_ptr_array_add(s->lines, l);
}

/* The protocol a session speaks, from its greeting command (RFC 5321 4.1.1.1,
 * RFC 2033 4.1 for LHLO). */
static const char *
viz_model_session_proto(const VizSession *s)
{
    for (guint i = 0; s && i < s->lines->len; i++) {
        const VizLine *l = s->lines->pdata[i];
        if (l->kind != VIZ_LINE_CMD)
            continue;
        if (g_ascii_strncasecmp(l->text, "EHLO", 4) == 0)
            return "ESMTP";
        if (g_ascii_strncasecmp(l->text, "HELO", 4) == 0)
            return "SMTP";
        if (g_ascii_strncasecmp(l->text, "LHLO", 4) == 0)
            return "LMTP";
    }
    return "";
}

/* The hop's sender: the client of the latest connection that carried the
 * message to this node. */
static void
viz_model_hop_link(VizModelBuilder *b, VizHop *h, const char *msg)
{
    g_autofree char *key = g_strdup_printf("%s\n%s", msg, h->node);
    VizSession *s = g_hash_table_lookup(b->by_msg_server, key);
    if (s == NULL)
        return;
    g_free(h->from);
    h->from = g_strdup(s->client);
    h->conn = s->conn;
    if (*h->proto == '\0') {
        g_free(h->proto);
        h->proto = g_strdup(viz_model_session_proto(s));
    }
}

static void
viz_model_conn_open(VizModelBuilder *b, const SimTraceRec *rec)
{
    gint64 conn, port = 0;
    if (!sim_trace_rec_get_int(rec, "conn", &conn))
        return;
    const char *peer = sim_trace_rec_get_str(rec, "peer");
    viz_model_node(b, peer);
    VizSession *s = g_hash_table_lookup(b->vt->sess_index, &conn);
    if (s == NULL)
        s = viz_model_session_new(b, conn, sim_trace_rec_node(rec), peer);
    sim_trace_rec_get_int(rec, "port", &port);
    s->port = (gint)port;
    /* RFC 6409 3.1: 587 is submission; 25 is relay (RFC 5321 4.5.4.2). */
    if (port == 587 || port == 25)
        viz_model_hint_role(b, peer, port == 587 ? VIZ_ROLE_MSA : VIZ_ROLE_MTA);
    const char *msg = sim_trace_rec_get_str(rec, "msg");
    if (msg && peer) {
        g_free(s->msg);
        s->msg = g_strdup(msg);
        g_hash_table_insert(b->by_msg_server, g_strdup_printf("%s\n%s", msg, peer), s);
    }
}

static void
viz_model_conn_accept(VizModelBuilder *b, const SimTraceRec *rec)
{
    gint64 conn, port = 0;
    if (!sim_trace_rec_get_int(rec, "conn", &conn))
        return;
    const char *peer = sim_trace_rec_get_str(rec, "peer");
    viz_model_node(b, peer);
    VizSession *s = g_hash_table_lookup(b->vt->sess_index, &conn);
    if (s == NULL)
        s = viz_model_session_new(b, conn, peer, sim_trace_rec_node(rec));
    if (s->server == NULL)
        s->server = g_strdup(sim_trace_rec_node(rec));
    sim_trace_rec_get_int(rec, "port", &port);
    /* RFC 6409 3.1: port 587 is message submission. */
    if (port == 587)
        viz_model_hint_role(b, sim_trace_rec_node(rec), VIZ_ROLE_MSA);
    viz_model_add_line(s, rec, VIZ_LINE_OPEN, 0, "");
}

static void
viz_model_conn_fail(VizModelBuilder *b, const SimTraceRec *rec)
{
    VizSession *s = viz_model_session(b, rec);
    const char *peer = sim_trace_rec_get_str(rec, "peer");
    VizMessage *m = s ? viz_model_message(b, s->msg) : NULL;
    if (s)
        viz_model_add_line(s, rec, VIZ_LINE_CLOSE, 0, sim_trace_rec_get_str(rec, "reason"));
    if (m == NULL || peer == NULL)
        return;
    VizHop *h = viz_model_add_hop(m, rec, VIZ_HOP_FAIL, peer, sim_trace_rec_node(rec),
                                  sim_trace_rec_get_str(rec, "reason"));
    h->conn = s->conn;
}

/* "RCPT TO:<a@b> ..." -> "a@b" (lower case), or NULL. */
static char *
viz_model_rcpt_of(const char *line)
{
    if (g_ascii_strncasecmp(line, "RCPT TO:", 8) != 0)
        return NULL;
    const char *lt = strchr(line, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (gt == NULL)
        return NULL;
    return g_ascii_strdown(lt + 1, gt - lt - 1);
}

static void
viz_model_smtp(VizModelBuilder *b, const SimTraceRec *rec, gboolean is_cmd)
{
    VizSession *s = viz_model_session(b, rec);
    if (s == NULL) {
        gint64 conn;
        if (!sim_trace_rec_get_int(rec, "conn", &conn))
            return;
        const char *node = sim_trace_rec_node(rec), *peer = sim_trace_rec_get_str(rec, "peer");
        s = viz_model_session_new(b, conn, is_cmd ? peer : node, is_cmd ? node : peer);
    }
    if (!is_cmd) {
        gint64 code = 0;
        sim_trace_rec_get_int(rec, "code", &code);
        viz_model_add_line(s, rec, VIZ_LINE_REPLY, (gint)code, sim_trace_rec_get_str(rec, "text"));
        return;
    }
    const char *line = sim_trace_rec_get_str(rec, "line");
    viz_model_add_line(s, rec, VIZ_LINE_CMD, 0, line);
    g_autofree char *rcpt = line ? viz_model_rcpt_of(line) : NULL;
    if (rcpt && s->server)
        g_hash_table_insert(b->by_rcpt, g_strdup_printf("%s\n%s", s->server, rcpt), s);
}

/* http.request (at the server) and http.response (at the client), drawn
 * like SMTP commands and replies (RFC 9112 3 request line, 4 status). */
static void
viz_model_http(VizModelBuilder *b, const SimTraceRec *rec, gboolean is_request)
{
    VizSession *s = viz_model_session(b, rec);
    if (s == NULL) {
        gint64 conn;
        if (!sim_trace_rec_get_int(rec, "conn", &conn))
            return;
        const char *node = sim_trace_rec_node(rec), *peer = sim_trace_rec_get_str(rec, "peer");
        s = viz_model_session_new(b, conn, is_request ? peer : node, is_request ? node : peer);
    }
    gint i = sim_trace_rec_find(rec, "tls");
    gboolean tls = i >= 0 && sim_trace_rec_field_type(rec, (guint)i) == SIM_TRACE_FIELD_BOOL &&
                   sim_trace_rec_field_bool(rec, (guint)i);
    g_free(s->proto);
    s->proto = g_strdup(tls ? "HTTPS" : "HTTP");
    if (is_request) {
        viz_model_add_line(s, rec, VIZ_LINE_CMD, 0, sim_trace_rec_get_str(rec, "line"));
        return;
    }
    gint64 code = 0;
    sim_trace_rec_get_int(rec, "code", &code);
    viz_model_add_line(s, rec, VIZ_LINE_REPLY, (gint)code, sim_trace_rec_get_str(rec, "text"));
}

static void
viz_model_msg_reject(VizModelBuilder *b, const SimTraceRec *rec)
{
    const char *rcpt = sim_trace_rec_get_str(rec, "rcpt");
    const char *reason = sim_trace_rec_get_str(rec, "reason");
    gint64 code = 0;
    sim_trace_rec_get_int(rec, "code", &code);
    g_autofree char *detail =
        g_strdup_printf("%" G_GINT64_FORMAT " %s%s%s%s", code, reason ? reason : "",
                        rcpt ? " (" : "", rcpt ? rcpt : "", rcpt ? ")" : "");
    const char *msg = sim_trace_rec_get_str(rec, "msg");
    if (msg) {
        /* Recorded by the client: "by" is the server that refused. */
        const char *by = sim_trace_rec_get_str(rec, "by");
        viz_model_node(b, by);
        viz_model_add_hop(viz_model_message(b, msg), rec, VIZ_HOP_REJECT,
                          by ? by : sim_trace_rec_node(rec), by ? sim_trace_rec_node(rec) : NULL,
                          detail);
        return;
    }
    /* Recorded by the server: find the session that asked for rcpt. */
    if (sim_trace_rec_node(rec) == NULL)
        return;
    g_autofree char *low = g_ascii_strdown(rcpt ? rcpt : "", -1);
    g_autofree char *key = g_strdup_printf("%s\n%s", sim_trace_rec_node(rec), low);
    VizSession *s = g_hash_table_lookup(b->by_rcpt, key);
    VizMessage *m = s ? viz_model_message(b, s->msg) : NULL;
    if (m == NULL)
        return;
    VizHop *h =
        viz_model_add_hop(m, rec, VIZ_HOP_REJECT, sim_trace_rec_node(rec), s->client, detail);
    h->conn = s->conn;
    g_free(h->proto);
    h->proto = g_strdup(viz_model_session_proto(s));
}

static void
viz_model_msg_simple(VizModelBuilder *b, const SimTraceRec *rec, VizHopAction action,
                     const char *detail_key)
{
    const char *node = sim_trace_rec_node(rec);
    VizMessage *m = viz_model_message(b, sim_trace_rec_get_str(rec, "msg"));
    if (m == NULL || node == NULL)
        return;
    VizHop *h =
        viz_model_add_hop(m, rec, action, node, NULL, sim_trace_rec_get_str(rec, detail_key));
    if (action != VIZ_HOP_ACCEPT && action != VIZ_HOP_DELIVER)
        return;
    const char *proto = sim_trace_rec_get_str(rec, "proto");
    if (proto) {
        g_free(h->proto);
        h->proto = g_strdup(proto);
    }
    viz_model_hop_link(b, h, m->id);
}

static void
viz_model_msg_dsn(VizModelBuilder *b, const SimTraceRec *rec)
{
    VizMessage *m = viz_model_message(b, sim_trace_rec_get_str(rec, "msg"));
    const char *about = sim_trace_rec_get_str(rec, "about");
    if (m == NULL)
        return;
    if (about && m->about == NULL)
        m->about = g_strdup(about);
    viz_model_add_hop(m, rec, VIZ_HOP_SUBMIT, sim_trace_rec_node(rec), NULL,
                      sim_trace_rec_get_str(rec, "to"));
}

static void
viz_model_msg_submit(VizModelBuilder *b, const SimTraceRec *rec)
{
    viz_model_hint_role(b, sim_trace_rec_node(rec), VIZ_ROLE_MUA);
    viz_model_hint_role(b, sim_trace_rec_get_str(rec, "msa"), VIZ_ROLE_MSA);
    viz_model_msg_simple(b, rec, VIZ_HOP_SUBMIT, "from");
}

static void
viz_model_node_info(VizModelBuilder *b, const SimTraceRec *rec)
{
    VizNode *n = viz_model_node(b, sim_trace_rec_node(rec));
    const char *role = sim_trace_rec_get_str(rec, "role");
    if (n && role) {
        n->role = viz_model_role_parse(role);
        n->role_explicit = TRUE;
    }
}

void
viz_model_builder_feed(VizModelBuilder *b, const SimTraceRec *rec)
{
    const char *ev = sim_trace_rec_ev(rec), *node = sim_trace_rec_node(rec);
    viz_model_node(b, node);
    if (strcmp(ev, "node.info") == 0) {
        viz_model_node_info(b, rec);
    } else if (strcmp(ev, "msg.submit") == 0) {
        viz_model_msg_submit(b, rec);
    } else if (strcmp(ev, "msg.accept") == 0) {
        viz_model_hint_role(b, node, VIZ_ROLE_MTA);
        viz_model_msg_simple(b, rec, VIZ_HOP_ACCEPT, "from");
    } else if (strcmp(ev, "msg.deliver") == 0) {
        viz_model_hint_role(b, node, VIZ_ROLE_MS);
        viz_model_msg_simple(b, rec, VIZ_HOP_DELIVER, "rcpt");
    } else if (strcmp(ev, "msg.defer") == 0) {
        viz_model_msg_simple(b, rec, VIZ_HOP_DEFER, "reason");
    } else if (strcmp(ev, "msg.bounce") == 0) {
        viz_model_msg_simple(b, rec, VIZ_HOP_BOUNCE, "reason");
    } else if (strcmp(ev, "msg.reject") == 0) {
        viz_model_msg_reject(b, rec);
    } else if (strcmp(ev, "msg.dsn") == 0) {
        viz_model_msg_dsn(b, rec);
    } else if (strcmp(ev, "conn.open") == 0) {
        viz_model_conn_open(b, rec);
    } else if (strcmp(ev, "conn.accept") == 0) {
        viz_model_conn_accept(b, rec);
    } else if (strcmp(ev, "conn.fail") == 0) {
        viz_model_conn_fail(b, rec);
    } else if (strcmp(ev, "conn.close") == 0) {
        VizSession *s = viz_model_session(b, rec);
        if (s)
            viz_model_add_line(s, rec, VIZ_LINE_CLOSE, 0, sim_trace_rec_get_str(rec, "side"));
    } else if (strcmp(ev, "smtp.cmd") == 0 || strcmp(ev, "smtp.reply") == 0) {
        viz_model_smtp(b, rec, ev[5] == 'c');
    } else if (strcmp(ev, "http.request") == 0 || strcmp(ev, "http.response") == 0) {
        viz_model_http(b, rec, strcmp(ev, "http.request") == 0);
    } else if (strcmp(ev, "dns.query") == 0) {
        viz_model_hint_role(b, sim_trace_rec_get_str(rec, "server"), VIZ_ROLE_DNS);
    } else if (strcmp(ev, "dns.stats") == 0) {
        viz_model_hint_role(b, node, VIZ_ROLE_DNS);
    } else if (strcmp(ev, "spam.verdict") == 0) {
        viz_model_add_verdict(b->vt, rec);
    }
}

VizModelBuilder *
viz_model_builder_new(VizTrace *vt)
{
    VizModelBuilder *b = g_new0(VizModelBuilder, 1);
    b->vt = vt;
    b->by_msg_server = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b->by_rcpt = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return b;
}

void
viz_model_builder_free(VizModelBuilder *b)
{
    if (b == NULL)
        return;
    g_hash_table_destroy(b->by_msg_server);
    g_hash_table_destroy(b->by_rcpt);
    g_free(b);
}
