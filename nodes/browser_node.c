/* SPDX-License-Identifier: MIT
 * browser_node: the `browser` role, a user at a web browser in front of a
 * webmail node. Each scenario event is one visit on one persistent
 * connection (RFC 9112 9.3): POST /login with the user's address and mail
 * password (a form, application/x-www-form-urlencoded), then either POST
 * /send with the message typed in (webmail_send) or GET /inbox and GET
 * /message/1, /message/2... until 404 (webmail_read), then POST /logout.
 * The session cookie (RFC 6265 5.4) goes back in Cookie. The browser does
 * not read the HTML: its steps are fixed, as a user's clicks would be.
 */
#include <string.h>

#include "nodes/webmail_node.h"
#include "nodes/world_private.h"
#include "proto/http_form.h"

typedef enum {
    BROWSER_STEP_LOGIN = 0,
    BROWSER_STEP_SEND,
    BROWSER_STEP_INBOX,
    BROWSER_STEP_MESSAGE,
    BROWSER_STEP_LOGOUT,
} BrowserStep;

typedef struct {
    GHashTable *read; /* tracked messages already read */
} BrowserNode;

typedef struct {
    Node *node;
    Node *webmail;
    HttpClientSession *cs;
    BrowserStep step;
    const SendSpec *send; /* webmail_send; NULL for webmail_read (borrowed from the spec) */
    char *msg_id;         /* webmail_send */
    char *cookie;         /* "sid=..." */
    guint n;              /* message being read */
    gboolean ok;
    const char *why;
} BrowserVisit;

static const char *
browser_node_password(Node *node)
{
    const NodeSpec *spec = node->spec;
    return spec->password ? spec->password
                          : world_spec_user_password(node->world->spec, spec->user);
}

static void
browser_visit_trace(BrowserVisit *v, const char *what)
{
    SimTraceRec *r = world_trace(v->node->world, "browser.visit", v->node->name);
    sim_trace_str(r, "webmail", v->webmail->name);
    sim_trace_str(r, "what", what);
    sim_trace_bool(r, "ok", v->ok);
    if (v->why)
        sim_trace_str(r, "reason", v->why);
    if (v->msg_id)
        sim_trace_str(r, "msg", v->msg_id);
    sim_trace_bool(r, "https", v->node->spec->https);
    sim_trace_end(r);
}

/* Sends the next request; fields may carry the cookie. */
static void
browser_visit_request(BrowserVisit *v, const char *method, const char *target, const char *form)
{
    g_autoptr(GBytes) body = form ? g_bytes_new(form, strlen(form)) : NULL;
    const char *fields[] = {v->cookie ? "Cookie" : "Accept", v->cookie ? v->cookie : "text/html",
                            form ? "Content-Type" : NULL, "application/x-www-form-urlencoded",
                            NULL};
    HttpRequest req = {.method = method, .target = target, .fields = fields, .body = body};
    if (http_client_session_request(v->cs, &req) == 0) {
        v->why = "the connection is closed";
        http_client_session_close(v->cs);
    }
}

static char *
browser_join(char **addrs)
{
    return addrs && addrs[0] ? g_strjoinv(", ", addrs) : g_strdup("");
}

static void
browser_visit_send(BrowserVisit *v)
{
    const SendSpec *s = v->send;
    g_autofree char *to = browser_join(s->to);
    g_autofree char *cc = browser_join(s->cc);
    g_autofree char *bcc = browser_join(s->bcc);
    const char *pairs[] = {"to",      to,
                           "cc",      cc,
                           "bcc",     bcc,
                           "subject", s->subject ? s->subject : "",
                           "body",    s->body ? s->body : "Hello.\n",
                           NULL};
    g_autofree char *form = http_form_encode(pairs);
    /* The simulator, not a form field, says which message this is. */
    webmail_node_expect_send(v->webmail, http_client_session_conn_id(v->cs), v->msg_id);
    v->step = BROWSER_STEP_SEND;
    browser_visit_request(v, "POST", "/send", form);
}

static void
browser_visit_logout(BrowserVisit *v)
{
    v->step = BROWSER_STEP_LOGOUT;
    browser_visit_request(v, "POST", "/logout", "");
}

/* A message page came back: the user has read it. */
static void
browser_visit_read(BrowserVisit *v)
{
    World *w = v->node->world;
    BrowserNode *b = v->node->priv;
    const char *msg_id = webmail_node_message_tag(v->webmail, v->node->spec->user, v->n);
    SimTraceRec *r = world_trace(w, "msg.read", v->node->name);
    if (msg_id)
        sim_trace_str(r, "msg", msg_id);
    sim_trace_int(r, "n", v->n);
    sim_trace_str(r, "webmail", v->webmail->name);
    sim_trace_bool(r, "https", v->node->spec->https);
    sim_trace_end(r);
    TrackMsg *m = msg_id ? tracker_find(w->tracker, msg_id) : NULL;
    if (m == NULL || g_hash_table_contains(b->read, msg_id))
        return;
    g_hash_table_add(b->read, g_strdup(msg_id));
    SimTime now = sim_world_now(w->sim);
    const char *rcpts[] = {v->node->spec->user, NULL};
    TrackHop *h = track_msg_add_hop(m, v->node->name, now, "fetch",
                                    v->node->spec->https ? "HTTPS" : "HTTP", rcpts, NULL);
    h->t_out = now;
    h->tls_in = v->node->spec->https; /* the page came over HTTPS */
}

static void
browser_visit_next_message(BrowserVisit *v)
{
    v->n++;
    v->step = BROWSER_STEP_MESSAGE;
    g_autofree char *target = g_strdup_printf("/message/%u", v->n);
    browser_visit_request(v, "GET", target, NULL);
}

static void
browser_visit_sent(BrowserVisit *v, const HttpMessage *resp)
{
    World *w = v->node->world;
    TrackMsg *m = tracker_find(w->tracker, v->msg_id);
    TrackHop *h = m ? track_msg_open_hop(m, v->node->name) : NULL;
    if (h)
        h->t_out = sim_world_now(w->sim);
    v->ok = resp->status == 200;
    if (!v->ok)
        v->why = "the webmail did not send it";
    browser_visit_logout(v);
}

static void
browser_visit_on_response(HttpClientSession *cs, guint32 id, const HttpMessage *resp,
                          const char *why, gpointer user_data)
{
    BrowserVisit *v = user_data;
    if (resp == NULL) {
        v->why = why ? why : "no response";
        return; /* on_closed follows */
    }
    switch (v->step) {
    case BROWSER_STEP_LOGIN: {
        g_autofree char *sid = http_cookie_get(http_message_get(resp, "Set-Cookie"), "sid");
        if (resp->status != 303 || sid == NULL) {
            v->why = "login refused";
            http_client_session_close(v->cs);
            return;
        }
        v->cookie = g_strdup_printf("sid=%s", sid);
        if (v->send) {
            browser_visit_send(v);
        } else {
            v->step = BROWSER_STEP_INBOX;
            browser_visit_request(v, "GET", "/inbox", NULL);
        }
        return;
    }
    case BROWSER_STEP_SEND:
        browser_visit_sent(v, resp);
        return;
    case BROWSER_STEP_INBOX:
        v->ok = resp->status == 200;
        if (!v->ok) {
            v->why = "the inbox could not be read";
            browser_visit_logout(v);
            return;
        }
        browser_visit_next_message(v);
        return;
    case BROWSER_STEP_MESSAGE:
        if (resp->status == 200) {
            browser_visit_read(v);
            browser_visit_next_message(v);
        } else {
            browser_visit_logout(v); /* 404: past the last message */
        }
        return;
    case BROWSER_STEP_LOGOUT:
        http_client_session_close(v->cs);
        return;
    }
}

static void
browser_visit_free(gpointer data)
{
    BrowserVisit *v = data;
    g_free(v->msg_id);
    g_free(v->cookie);
    g_free(v);
}

static void
browser_visit_on_closed(HttpClientSession *cs, gpointer user_data)
{
    BrowserVisit *v = user_data;
    if (v->send && !v->ok && v->msg_id) {
        /* Never handed over: the message stops at the browser. */
        World *w = v->node->world;
        TrackMsg *m = tracker_find(w->tracker, v->msg_id);
        for (guint i = 0; m && i < m->rcpts->len; i++) {
            TrackRcpt *r = m->rcpts->pdata[i];
            if (r->status == TRACK_STATUS_PENDING && track_msg_open_hop(m, v->node->name))
                track_msg_set_status(m, r->address, TRACK_STATUS_REJECTED, 0, v->why,
                                     v->webmail->name, sim_world_now(w->sim));
        }
    }
    browser_visit_trace(v, v->send ? "send" : "read");
    browser_visit_free(v);
}

static const HttpClientCallbacks browser_visit_callbacks = {
    .on_response = browser_visit_on_response,
    .on_closed = browser_visit_on_closed,
    .on_drop = browser_visit_free,
};

/* Opens a visit and logs in. */
static void
browser_visit_start(Node *node, const SendSpec *send)
{
    World *w = node->world;
    Node *webmail = world_node(w, node->spec->webmail);
    BrowserVisit *v = g_new0(BrowserVisit, 1);
    v->node = node;
    v->webmail = webmail;
    v->send = send;
    if (send) {
        SimTime now = sim_world_now(w->sim);
        v->msg_id =
            send->id ? g_strdup(send->id) : tracker_derive_id(w->tracker, node->name, "web");
        TrackMsg *m = tracker_add(w->tracker, v->msg_id, "mail", now);
        m->from = g_strdup(node->spec->user);
        m->subject = g_strdup(send->subject);
        GPtrArray *rcpts = g_ptr_array_new();
        for (char **lists[] = {send->to, send->cc, send->bcc}, ***l = lists; l < lists + 3; l++)
            for (char **p = *l; p && *p; p++) {
                track_msg_rcpt(m, *p);
                g_ptr_array_add(rcpts, *p);
            }
        g_ptr_array_add(rcpts, NULL);
        track_msg_add_hop(m, node->name, now, "submit", node->spec->https ? "HTTPS" : "HTTP",
                          (const char *const *)rcpts->pdata, NULL);
        SimTraceRec *tr = world_trace(w, "msg.submit", node->name);
        sim_trace_str(tr, "msg", v->msg_id);
        sim_trace_str(tr, "from", node->spec->user);
        sim_trace_int(tr, "rcpts", rcpts->len - 1);
        sim_trace_str(tr, "via", webmail->name);
        sim_trace_end(tr);
        g_ptr_array_unref(rcpts);
    }
    HttpClientConfig cfg = {.host = webmail->hostname, .user_agent = "mhs-browser"};
    v->cs = http_client_session_start(node, node_ip(webmail), webmail_node_port(webmail->spec),
                                      webmail->name, node->spec->https, v->msg_id, &cfg,
                                      &browser_visit_callbacks, v);
    const char *pairs[] = {"user", node->spec->user, "password", browser_node_password(node), NULL};
    g_autofree char *form = http_form_encode(pairs);
    v->step = BROWSER_STEP_LOGIN;
    browser_visit_request(v, "POST", "/login", form);
}

void
browser_node_send(Node *node, const SendSpec *send)
{
    browser_visit_start(node, send);
}

void
browser_node_read(Node *node, const FetchSpec *fetch)
{
    browser_visit_start(node, NULL);
}

static void
browser_node_free(Node *node)
{
    BrowserNode *b = node->priv;
    g_hash_table_unref(b->read);
    g_free(b);
}

static const NodeClass browser_node_class = {
    .kind = "browser",
    .free = browser_node_free,
};

Node *
browser_node_new(World *world, const NodeSpec *spec)
{
    Node *node = node_new(world, &browser_node_class, spec);
    BrowserNode *b = g_new0(BrowserNode, 1);
    b->read = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    node->priv = b;
    return node;
}
