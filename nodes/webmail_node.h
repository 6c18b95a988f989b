/* SPDX-License-Identifier: MIT
 * webmail_node: the `webmail` role (DESIGN 4): an HTTP(S) server in front
 * of a virtual MUA. The browser logs in with its mail password, which the
 * server keeps for the session: it reads the user's store over POP3 with
 * it and submits to its MSA with SMTP AUTH with it. Every password and
 * every message passes through the server in clear — the privacy cost of
 * webmail — and the trace says so (webmail.handle). Inside nodes/ only.
 */
#ifndef NODES_WEBMAIL_NODE_H
#define NODES_WEBMAIL_NODE_H

#include <glib.h>

#include "nodes/http_session.h"
#include "nodes/node.h"

Node *webmail_node_new(World *world, const NodeSpec *spec);
Node *browser_node_new(World *world, const NodeSpec *spec);

/* The port a webmail node listens on (http_port, else 80 or 443). */
guint16 webmail_node_port(const NodeSpec *spec);

/* The browser tells the simulator which tracked message its next POST
 * /send on connection conn_id carries (the simulator knows; a form field
 * would be forgeable). msg_id copied. */
void webmail_node_expect_send(Node *webmail, guint64 conn_id, const char *msg_id);
/* The tracked message the webmail shows user as /message/n (1-based), or
 * NULL (transfer none). */
const char *webmail_node_message_tag(Node *webmail, const char *user, guint n);

/* --- the virtual MUA (webmail_mua.c) --- */
typedef struct WebmailBox WebmailBox;

/* One message the virtual MUA holds for a user. */
typedef struct {
    char *uid;    /* POP3 unique-id (nullable) */
    char *msg_id; /* tracked message (nullable) */
    GBytes *bytes;
} WebmailMsg;

WebmailBox *webmail_box_new(void);
void webmail_box_free(WebmailBox *box);
guint webmail_box_count(const WebmailBox *box);
const WebmailMsg *webmail_box_get(const WebmailBox *box, guint i);

/* Fetches the user's new mail from the store over POP3 (keep: UIDL,
 * nothing deleted) into box, then calls done(ok, reason). */
typedef void (*WebmailDoneFunc)(gboolean ok, const char *reason, gpointer user_data);
void webmail_mua_fetch(Node *node, WebmailBox *box, const char *user, const char *password,
                       WebmailDoneFunc done, gpointer user_data);

/* A message typed into the web form. */
typedef struct {
    const char *user;          /* the logged-in address: From and AUTH login */
    const char *password;      /* the user's password, held by the server */
    const char *to, *cc, *bcc; /* comma-separated addresses (nullable) */
    const char *subject;
    const char *body;
    const char *msg_id; /* tracked id (nullable: one is derived) */
    gboolean tls;       /* it came over HTTPS */
} WebmailCompose;

/* Writes the message and submits it to the node's MSA with SMTP AUTH;
 * done(ok, reason) once the MSA decided. FALSE (done not called) when
 * there is no recipient. */
gboolean webmail_mua_send(Node *node, const WebmailCompose *c, WebmailDoneFunc done,
                          gpointer user_data);

/* webmail.handle: the server had user's password or a message in clear;
 * tls: whether the browser's link was HTTPS (-1: not about the browser). */
void webmail_trace_handle(Node *node, const char *user, const char *what, const char *msg_id,
                          gsize size, gint tls);

#endif
