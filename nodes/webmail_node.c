/* SPDX-License-Identifier: MIT
 * webmail_node: the HTTP front of the webmail role. Routes: GET / (login
 * form), POST /login (form user, password; a session cookie, RFC 6265
 * 4.1), GET /inbox (the virtual MUA reads the store over POP3), GET
 * /message/N, GET /compose, POST /send (form to, cc, bcc, subject, body;
 * submitted with SMTP AUTH as the user), POST /logout. Simple HTML pages,
 * every user-supplied text escaped. A wrong method gets 405 with Allow
 * (RFC 9110 15.5.6), no or a stale cookie 403, unknown paths 404.
 */
#include "nodes/webmail_node.h"

#include <string.h>

#include "nodes/world_private.h"
#include "proto/http_form.h"
#include "proto/message.h"

/* A logged-in browser: what the server keeps (the password included). */
typedef struct {
    char *user;
    char *password;
} WebmailLogin;

typedef struct {
    GHashTable *logins;    /* session id -> WebmailLogin* */
    GHashTable *boxes;     /* user (lower case) -> WebmailBox* */
    GHashTable *send_tags; /* conn id (gint64*) -> GQueue of msg ids */
} WebmailNode;

/* One request being answered (possibly after POP3 or SMTP). */
typedef struct {
    Node *node;
    HttpServerSession *hs;
    guint32 id;
    gboolean tls;
    guint64 conn;
    gboolean logged_in;
    char *user;     /* logged-in user (copied: a logout may come meanwhile) */
    char *password; /* the user's password (copied, wiped) */
    char *sid;      /* nullable */
} WebmailReq;

static WebmailNode *
webmail_node_priv(Node *node)
{
    return node->priv;
}

static void
webmail_login_free(WebmailLogin *l)
{
    g_free(l->user);
    if (l->password)
        memset(l->password, 0, strlen(l->password)); /* STYLE 6: wipe secrets */
    g_free(l->password);
    g_free(l);
}

static void
webmail_send_tags_free(gpointer p)
{
    g_queue_free_full(p, g_free);
}

guint16
webmail_node_port(const NodeSpec *spec)
{
    /* RFC 9110 4.2.1, 4.2.2: http on 80, https on 443. */
    return spec->http_port ? spec->http_port : spec->https ? 443 : 80;
}

void
webmail_node_expect_send(Node *webmail, guint64 conn_id, const char *msg_id)
{
    g_return_if_fail(webmail != NULL && webmail->spec->role == SPEC_ROLE_WEBMAIL);
    WebmailNode *wm = webmail_node_priv(webmail);
    gint64 key = (gint64)conn_id;
    GQueue *q = g_hash_table_lookup(wm->send_tags, &key);
    if (q == NULL) {
        q = g_queue_new();
        g_hash_table_insert(wm->send_tags, g_memdup2(&key, sizeof key), q);
    }
    g_queue_push_tail(q, g_strdup(msg_id));
}

static char *
webmail_node_take_send_tag(Node *node, guint64 conn_id)
{
    gint64 key = (gint64)conn_id;
    GQueue *q = g_hash_table_lookup(webmail_node_priv(node)->send_tags, &key);
    return q ? g_queue_pop_head(q) : NULL;
}

static WebmailBox *
webmail_node_box(Node *node, const char *user)
{
    WebmailNode *wm = webmail_node_priv(node);
    g_autofree char *key = g_ascii_strdown(user, -1);
    WebmailBox *box = g_hash_table_lookup(wm->boxes, key);
    if (box == NULL) {
        box = webmail_box_new();
        g_hash_table_insert(wm->boxes, g_steal_pointer(&key), box);
    }
    return box;
}

const char *
webmail_node_message_tag(Node *webmail, const char *user, guint n)
{
    g_return_val_if_fail(webmail != NULL && webmail->spec->role == SPEC_ROLE_WEBMAIL, NULL);
    const WebmailMsg *m = n > 0 ? webmail_box_get(webmail_node_box(webmail, user), n - 1) : NULL;
    return m ? m->msg_id : NULL;
}

/* ------------------------------------------------------------------ */
/* pages                                                              */

static GBytes *
webmail_page(const char *title, const char *body_html)
{
    g_autofree char *t = g_markup_escape_text(title, -1);
    char *s = g_strdup_printf("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                              "<title>%s</title></head>\n<body>\n<h1>%s</h1>\n%s</body></html>\n",
                              t, t, body_html);
    return g_bytes_new_take(s, strlen(s));
}

/* A request is held by the world until answered (world_jobs.c): the
 * run may stop while it waits for its submission. */
static void
webmail_req_free(WebmailReq *r)
{
    world_release(r->node->world, r);
    g_free(r->sid);
    g_free(r->user);
    if (r->password)
        memset(r->password, 0, strlen(r->password));
    g_free(r->password);
    g_free(r);
}

static void
webmail_finish(WebmailReq *r, guint status, const char *title, const char *html,
               const char *const *extra)
{
    g_autoptr(GBytes) body = title ? webmail_page(title, html) : NULL;
    GPtrArray *fields = g_ptr_array_new();
    if (body) {
        g_ptr_array_add(fields, "Content-Type");
        g_ptr_array_add(fields, "text/html; charset=utf-8");
    }
    /* RFC 9111 5.2.2.3: pages with mail or credentials are not cached. */
    g_ptr_array_add(fields, "Cache-Control");
    g_ptr_array_add(fields, "no-store");
    for (guint i = 0; extra && extra[i]; i++)
        g_ptr_array_add(fields, (gpointer)extra[i]);
    g_ptr_array_add(fields, NULL);
    HttpResponse resp = {
        .status = status, .fields = (const char *const *)fields->pdata, .body = body};
    http_server_session_respond(r->hs, r->id, &resp);
    g_ptr_array_unref(fields);
    webmail_req_free(r);
}

static void
webmail_redirect(WebmailReq *r, const char *where, const char *cookie)
{
    /* RFC 9110 15.4.4: 303 See Other, the browser GETs the Location. */
    const char *extra[] = {"Location", where, cookie ? "Set-Cookie" : NULL, cookie, NULL};
    webmail_finish(r, 303, NULL, NULL, extra);
}

static void
webmail_login_form(WebmailReq *r, guint status, const char *note)
{
    g_autofree char *html =
        g_strdup_printf("%s<form method=\"post\" action=\"/login\">\n"
                        "<label>Address <input name=\"user\"></label>\n"
                        "<label>Password <input name=\"password\" type=\"password\"></label>\n"
                        "<button>Log in</button>\n</form>\n",
                        note ? note : "");
    webmail_finish(r, status, "Webmail", html, NULL);
}

/* ------------------------------------------------------------------ */
/* handlers                                                           */

static GPtrArray *
webmail_form(const HttpMessage *req)
{
    return http_form_decode(g_bytes_get_data(req->body, NULL), g_bytes_get_size(req->body));
}

static void
webmail_h_root(WebmailReq *r, const HttpMessage *req)
{
    if (r->logged_in)
        webmail_redirect(r, "/inbox", NULL);
    else
        webmail_login_form(r, 200, NULL);
}

static void
webmail_h_login(WebmailReq *r, const HttpMessage *req)
{
    Node *node = r->node;
    World *w = node->world;
    g_autoptr(GPtrArray) form = webmail_form(req);
    const char *user = http_form_get(form, "user");
    const char *password = http_form_get(form, "password");
    if (user == NULL || password == NULL || *user == '\0') {
        webmail_login_form(r, 400, "<p>Give an address and a password.</p>\n");
        return;
    }
    /* The user typed the mail password into this server: it has it now. */
    webmail_trace_handle(node, user, "password", NULL, 0, r->tls);
    const char *known = world_spec_user_password(w->spec, user);
    gboolean ok = known != NULL && strcmp(known, password) == 0;
    SimTraceRec *tr = world_trace(w, "webmail.login", node->name);
    sim_trace_str(tr, "user", user);
    sim_trace_str(tr, "peer", http_server_session_peer(r->hs));
    sim_trace_bool(tr, "ok", ok);
    sim_trace_end(tr);
    if (!ok) {
        webmail_login_form(r, 403, "<p>Wrong address or password.</p>\n");
        return;
    }
    /* 128 bits from the node's seeded stream: reproducible runs (STYLE
     * 9), unguessable only within the simulation. */
    char sid[33];
    g_snprintf(sid, sizeof sid, "%08x%08x%08x%08x", g_rand_int(node_rng(node)), g_rand_int(node_rng(node)),
               g_rand_int(node_rng(node)), g_rand_int(node_rng(node)));
    WebmailLogin *l = g_new0(WebmailLogin, 1);
    l->user = g_strdup(user);
    l->password = g_strdup(password);
    g_hash_table_replace(webmail_node_priv(node)->logins, g_strdup(sid), l);
    /* RFC 6265 4.1.2.5/4.1.2.6: Secure over HTTPS, HttpOnly always. */
    g_autofree char *cookie =
        g_strdup_printf("sid=%s; Path=/; HttpOnly%s", sid, r->tls ? "; Secure" : "");
    webmail_redirect(r, "/inbox", cookie);
}

static void
webmail_h_logout(WebmailReq *r, const HttpMessage *req)
{
    if (r->sid)
        g_hash_table_remove(webmail_node_priv(r->node)->logins, r->sid);
    webmail_redirect(r, "/", "sid=; Path=/; Max-Age=0");
}

static void
webmail_inbox_page(WebmailReq *r, const char *problem)
{
    WebmailBox *box = webmail_node_box(r->node, r->user);
    GString *html = g_string_new(NULL);
    if (problem) {
        g_autofree char *p = g_markup_escape_text(problem, -1);
        g_string_append_printf(html, "<p>Could not read the mailbox: %s</p>\n", p);
    }
    g_string_append(html, "<p><a href=\"/compose\">Write</a></p>\n<table>\n"
                          "<tr><th>#</th><th>From</th><th>Subject</th></tr>\n");
    for (guint i = 0; i < webmail_box_count(box); i++) {
        g_autoptr(MailMessage) m = mail_message_parse_bytes(webmail_box_get(box, i)->bytes, NULL);
        const char *from = m ? mail_message_get(m, "From") : NULL;
        const char *subject = m ? mail_message_get(m, "Subject") : NULL;
        g_autofree char *f = g_markup_escape_text(from ? from : "", -1);
        g_autofree char *s = g_markup_escape_text(subject ? subject : "", -1);
        g_string_append_printf(html,
                               "<tr><td>%u</td><td>%s</td><td><a href=\"/message/%u\">%s</a>"
                               "</td></tr>\n",
                               i + 1, f, i + 1, s);
    }
    g_string_append(html, "</table>\n");
    g_autofree char *title = g_strdup_printf("Inbox of %s", r->user);
    webmail_finish(r, problem ? 502 : 200, title, html->str, NULL);
    g_string_free(html, TRUE);
}

static void
webmail_inbox_fetched(gboolean ok, const char *reason, gpointer user_data)
{
    WebmailReq *r = user_data;
    webmail_inbox_page(r, ok ? NULL : reason ? reason : "POP3 failed");
}

static void
webmail_h_inbox(WebmailReq *r, const HttpMessage *req)
{
    WebmailBox *box = webmail_node_box(r->node, r->user);
    webmail_mua_fetch(r->node, box, r->user, r->password, webmail_inbox_fetched, r);
}

static void
webmail_h_message(WebmailReq *r, const HttpMessage *req)
{
    guint64 n = 0;
    WebmailBox *box = webmail_node_box(r->node, r->user);
    const char *num = req->target + strlen("/message/");
    if (!g_ascii_string_to_unsigned(num, 10, 1, G_MAXUINT, &n, NULL) ||
        n > webmail_box_count(box)) {
        webmail_finish(r, 404, "No such message", "<p><a href=\"/inbox\">Inbox</a></p>\n", NULL);
        return;
    }
    GBytes *bytes = webmail_box_get(box, (guint)n - 1)->bytes;
    g_autofree char *text = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
    g_autofree char *esc =
        g_markup_escape_text(g_utf8_validate(text, -1, NULL) ? text : "(binary)", -1);
    g_autofree char *html =
        g_strdup_printf("<p><a href=\"/inbox\">Inbox</a></p>\n<pre>%s</pre>\n", esc);
    g_autofree char *title = g_strdup_printf("Message %" G_GUINT64_FORMAT, n);
    webmail_finish(r, 200, title, html, NULL);
}

static void
webmail_h_compose(WebmailReq *r, const HttpMessage *req)
{
    webmail_finish(r, 200, "Write",
                   "<form method=\"post\" action=\"/send\">\n"
                   "<label>To <input name=\"to\"></label>\n<label>Cc <input name=\"cc\"></label>\n"
                   "<label>Bcc <input name=\"bcc\"></label>\n"
                   "<label>Subject <input name=\"subject\"></label>\n"
                   "<textarea name=\"body\"></textarea>\n<button>Send</button>\n</form>\n",
                   NULL);
}

static void
webmail_sent(gboolean ok, const char *reason, gpointer user_data)
{
    WebmailReq *r = user_data;
    if (ok) {
        webmail_finish(r, 200, "Sent", "<p>Sent. <a href=\"/inbox\">Inbox</a></p>\n", NULL);
        return;
    }
    g_autofree char *esc = g_markup_escape_text(reason ? reason : "failed", -1);
    g_autofree char *html = g_strdup_printf("<p>Not sent: %s</p>\n", esc);
    /* RFC 9110 15.6.3: the server, acting as a gateway, got a refusal. */
    webmail_finish(r, 502, "Not sent", html, NULL);
}

static void
webmail_h_send(WebmailReq *r, const HttpMessage *req)
{
    g_autoptr(GPtrArray) form = webmail_form(req);
    g_autofree char *tag = webmail_node_take_send_tag(r->node, r->conn);
    WebmailCompose c = {
        .user = r->user,
        .password = r->password,
        .to = http_form_get(form, "to"),
        .cc = http_form_get(form, "cc"),
        .bcc = http_form_get(form, "bcc"),
        .subject = http_form_get(form, "subject"),
        .body = http_form_get(form, "body"),
        .msg_id = tag,
        .tls = r->tls,
    };
    if (!webmail_mua_send(r->node, &c, webmail_sent, r))
        webmail_finish(r, 400, "Not sent", "<p>No recipient.</p>\n", NULL);
}

typedef struct {
    const char *method;
    const char *path;
    gboolean prefix; /* path is a prefix ("/message/") */
    gboolean needs_login;
    void (*handler)(WebmailReq *r, const HttpMessage *req);
} WebmailRoute;

static const WebmailRoute webmail_routes[] = {
    {"GET", "/", FALSE, FALSE, webmail_h_root},
    {"POST", "/login", FALSE, FALSE, webmail_h_login},
    {"POST", "/logout", FALSE, FALSE, webmail_h_logout},
    {"GET", "/inbox", FALSE, TRUE, webmail_h_inbox},
    {"GET", "/message/", TRUE, TRUE, webmail_h_message},
    {"GET", "/compose", FALSE, TRUE, webmail_h_compose},
    {"POST", "/send", FALSE, TRUE, webmail_h_send},
};

static gboolean
webmail_route_matches(const WebmailRoute *rt, const char *target)
{
    return rt->prefix ? g_str_has_prefix(target, rt->path) : strcmp(target, rt->path) == 0;
}

static void
webmail_node_on_request(HttpServerSession *hs, guint32 id, const HttpMessage *req,
                        gpointer user_data)
{
    Node *node = user_data;
    WebmailReq *r = g_new0(WebmailReq, 1);
    r->node = node;
    world_hold(node->world, r, (GDestroyNotify)webmail_req_free);
    r->hs = hs;
    r->id = id;
    r->tls = http_server_session_is_tls(hs);
    r->conn = http_server_session_conn_id(hs);
    r->sid = http_cookie_get(http_message_get(req, "Cookie"), "sid");
    WebmailLogin *login =
        r->sid ? g_hash_table_lookup(webmail_node_priv(node)->logins, r->sid) : NULL;
    if (login != NULL) {
        r->logged_in = TRUE;
        r->user = g_strdup(login->user);
        r->password = g_strdup(login->password);
    }
    /* RFC 9110 9.3.2: HEAD is GET without the body (the engine drops it). */
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    const char *allow = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(webmail_routes); i++) {
        const WebmailRoute *rt = &webmail_routes[i];
        if (!webmail_route_matches(rt, req->target))
            continue;
        if (strcmp(rt->method, method) != 0) {
            allow = strcmp(rt->method, "GET") == 0 ? "GET, HEAD" : rt->method;
            continue;
        }
        if (rt->needs_login && !r->logged_in) {
            webmail_login_form(r, 403, "<p>Please log in.</p>\n");
            return;
        }
        rt->handler(r, req);
        return;
    }
    if (allow) {
        const char *extra[] = {"Allow", allow, NULL};
        webmail_finish(r, 405, "Method not allowed", "", extra);
        return;
    }
    webmail_finish(r, 404, "Not found", "<p><a href=\"/\">Webmail</a></p>\n", NULL);
}

static const HttpServerPolicy webmail_node_policy = {
    .on_request = webmail_node_on_request,
};

static void
webmail_node_accept(SimListener *l, SimStream *s, gpointer user_data)
{
    Node *node = user_data;
    HttpServerConfig cfg = {.server_name = "mhs-webmail"};
    http_server_session_new(node, s, &cfg, node->spec->https, &webmail_node_policy, node);
}

static void
webmail_node_start(Node *node)
{
    World *w = node->world;
    guint16 port = webmail_node_port(node->spec);
    if (sim_net_listen(w->net, node->host, port, webmail_node_accept, node, NULL) == NULL)
        g_warning("%s: port %u is taken", node->name, port);
}

static void
webmail_node_free(Node *node)
{
    WebmailNode *wm = webmail_node_priv(node);
    g_hash_table_unref(wm->logins);
    g_hash_table_unref(wm->boxes);
    g_hash_table_unref(wm->send_tags);
    g_free(wm);
}

static const NodeClass webmail_node_class = {
    .kind = "webmail",
    .start = webmail_node_start,
    .free = webmail_node_free,
};

Node *
webmail_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &webmail_node_class, spec);
    WebmailNode *wm = g_new0(WebmailNode, 1);
    wm->logins =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)webmail_login_free);
    wm->boxes =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)webmail_box_free);
    wm->send_tags =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, webmail_send_tags_free);
    node->priv = wm;
    return node;
}
