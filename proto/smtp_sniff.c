/* SPDX-License-Identifier: MIT
 * smtp_sniff: passive SMTP observer. Lines end at LF (a CR before it is
 * dropped); results do not depend on how the bytes are chunked. AUTH
 * tracking follows RFC 4954 4 (initial response or 334 exchange), PLAIN
 * RFC 4616 2 (authzid NUL authcid NUL passwd), LOGIN (user then password),
 * CRAM-MD5 RFC 2195 2 (challenge, then "user digest"), DIGEST-MD5 RFC 2831
 * 2.1 (digest-challenge in the first 334, digest-response in the client's
 * answer; the 334 rspauth and the empty line after it teach nothing more).
 * After STARTTLS and
 * its 220 (RFC 3207 4) only TLS record headers (RFC 8446 5.1) are read.
 * POP3 mode: USER then PASS (RFC 1939 7), RETR/TOP content summarised as a
 * message size (RFC 1939 3 multi-line responses), STLS and its +OK (RFC
 * 2595 4) switch to TLS records.
 */
#include "proto/smtp_sniff.h"

#include <string.h>

#include "proto/sasl.h"
#include "proto/sasl_digest_md5.h"
#include "proto/tls_pipe.h"

typedef enum {
    SMTP_SNIFF_AUTH_NONE = 0,
    SMTP_SNIFF_AUTH_PLAIN,       /* next client line: the PLAIN message */
    SMTP_SNIFF_AUTH_LOGIN_USER,  /* next client line: the user name */
    SMTP_SNIFF_AUTH_LOGIN_PASS,  /* next client line: the password */
    SMTP_SNIFF_AUTH_CRAM_CHAL,   /* next 334 from the server: the challenge */
    SMTP_SNIFF_AUTH_CRAM_RESP,   /* next client line: "user digest" */
    SMTP_SNIFF_AUTH_DIGEST_CHAL, /* next 334 from the server: the digest-challenge */
    SMTP_SNIFF_AUTH_DIGEST_RESP, /* next client line: the digest-response */
} SmtpSniffAuth;

typedef struct {
    GString *line;
    gboolean truncated;
    GByteArray *tls; /* TLS mode: bytes of an incomplete record */
} SmtpSniffSide;

struct SmtpSniffer {
    gboolean pop3; /* POP3 instead of SMTP */
    SmtpSniffSide side[2];
    GQueue events;
    gboolean tls;            /* both directions carry TLS records */
    gboolean starttls_asked; /* STARTTLS sent, reply not seen yet */
    gboolean data_asked;     /* DATA sent, reply not seen yet */
    gboolean in_data;        /* client sends message content */
    gsize data_size;
    SmtpSniffAuth auth;
    gboolean retr_asked; /* POP3: RETR/TOP sent, status line not seen yet */
    gboolean in_retr;    /* POP3: the server sends message content */
    char *login_user;
    char *cram_challenge;
};

static void smtp_sniff_pop3_line(SmtpSniffer *sn, SmtpSniffDir dir, const char *line, gsize len);

SmtpSniffer *
smtp_sniffer_new_pop3(void)
{
    SmtpSniffer *sn = smtp_sniffer_new();
    sn->pop3 = TRUE;
    return sn;
}

SmtpSniffer *
smtp_sniffer_new(void)
{
    SmtpSniffer *sn = g_new0(SmtpSniffer, 1);
    for (guint i = 0; i < 2; i++) {
        sn->side[i].line = g_string_new(NULL);
        sn->side[i].tls = g_byte_array_new();
    }
    g_queue_init(&sn->events);
    return sn;
}

static void
smtp_sniff_event_free(gpointer p)
{
    smtp_sniff_event_clear(p);
    g_free(p);
}

void
smtp_sniffer_free(SmtpSniffer *sn)
{
    if (sn == NULL)
        return;
    for (guint i = 0; i < 2; i++) {
        g_string_free(sn->side[i].line, TRUE);
        g_byte_array_unref(sn->side[i].tls);
    }
    g_queue_clear_full(&sn->events, smtp_sniff_event_free);
    g_free(sn->login_user);
    g_free(sn->cram_challenge);
    g_free(sn);
}

void
smtp_sniff_event_clear(SmtpSniffEvent *ev)
{
    g_free(ev->text);
    g_free(ev->mech);
    g_free(ev->user);
    if (ev->password)
        memset(ev->password, 0, strlen(ev->password));
    g_free(ev->password);
    g_free(ev->authzid);
    g_free(ev->challenge);
    g_free(ev->response);
    if (ev->sizes)
        g_array_unref(ev->sizes);
    memset(ev, 0, sizeof *ev);
}

static SmtpSniffEvent *
smtp_sniff_push(SmtpSniffer *sn, SmtpSniffEventKind kind, SmtpSniffDir dir)
{
    SmtpSniffEvent *ev = g_new0(SmtpSniffEvent, 1);
    ev->kind = kind;
    ev->dir = dir;
    g_queue_push_tail(&sn->events, ev);
    return ev;
}

/* Strict base64 (RFC 4954 4) to a NUL-terminated string; NULL when invalid.
 * *len gets the decoded length (the text may hold NULs: PLAIN). */
static char *
smtp_sniff_b64(const char *text, gsize *len)
{
    GBytes *b = NULL;
    if (sasl_line_decode(text, strlen(text), FALSE, &b) != SASL_LINE_DATA)
        return NULL;
    gsize n;
    const char *d = g_bytes_get_data(b, &n);
    char *s = g_strndup(d ? d : "", n);
    memcpy(s, d ? d : "", n);
    *len = n;
    g_bytes_unref(b);
    return s;
}

static void
smtp_sniff_credentials(SmtpSniffer *sn, const char *mech, const char *authzid, const char *user,
                       const char *password)
{
    SmtpSniffEvent *ev = smtp_sniff_push(sn, SMTP_SNIFF_EV_CREDENTIALS, SMTP_SNIFF_C2S);
    ev->mech = g_strdup(mech);
    ev->authzid = g_strdup(authzid ? authzid : "");
    ev->user = g_strdup(user);
    ev->password = g_strdup(password);
}

/* RFC 4616 2: [authzid] NUL authcid NUL passwd. */
static void
smtp_sniff_plain(SmtpSniffer *sn, const char *b64)
{
    gsize n = 0;
    g_autofree char *d = smtp_sniff_b64(b64, &n);
    const char *nul1 = d ? memchr(d, '\0', n) : NULL;
    const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', n - (gsize)(nul1 + 1 - d)) : NULL;
    if (nul2 != NULL)
        smtp_sniff_credentials(sn, "PLAIN", d, nul1 + 1, nul2 + 1);
    if (d)
        memset(d, 0, n);
}

/* A client line while an AUTH exchange is open. */
static void
smtp_sniff_auth_line(SmtpSniffer *sn, const char *line)
{
    gsize n = 0;
    SmtpSniffAuth st = sn->auth;
    sn->auth = SMTP_SNIFF_AUTH_NONE;
    if (strcmp(line, "*") == 0) /* RFC 4954 4: cancelled */
        return;
    if (st == SMTP_SNIFF_AUTH_PLAIN) {
        smtp_sniff_plain(sn, line);
        return;
    }
    g_autofree char *d = smtp_sniff_b64(line, &n);
    if (d == NULL)
        return;
    if (st == SMTP_SNIFF_AUTH_LOGIN_USER) {
        g_free(sn->login_user);
        sn->login_user = g_strdup(d);
        sn->auth = SMTP_SNIFF_AUTH_LOGIN_PASS;
    } else if (st == SMTP_SNIFF_AUTH_LOGIN_PASS) {
        smtp_sniff_credentials(sn, "LOGIN", NULL, sn->login_user ? sn->login_user : "", d);
        memset(d, 0, n);
    } else if (st == SMTP_SNIFF_AUTH_CRAM_RESP) {
        const char *sp = strrchr(d, ' ');
        if (sp == NULL)
            return;
        SmtpSniffEvent *ev = smtp_sniff_push(sn, SMTP_SNIFF_EV_CRAM_MD5, SMTP_SNIFF_C2S);
        ev->user = g_strndup(d, (gsize)(sp - d));
        ev->response = g_strdup(sp + 1);
        ev->challenge = g_strdup(sn->cram_challenge ? sn->cram_challenge : "");
    } else if (st == SMTP_SNIFF_AUTH_DIGEST_RESP) {
        /* RFC 2831 2.1.2: username="..." names the user; a response that
         * does not parse is no exchange. */
        g_autoptr(SaslDigestDirectives) dir = sasl_digest_parse(d, n, NULL);
        const char *user = dir ? sasl_digest_get(dir, "username") : NULL;
        if (user == NULL)
            return;
        SmtpSniffEvent *ev = smtp_sniff_push(sn, SMTP_SNIFF_EV_DIGEST_MD5, SMTP_SNIFF_C2S);
        ev->user = g_strdup(user);
        ev->response = g_strdup(d);
        ev->challenge = g_strdup(sn->cram_challenge ? sn->cram_challenge : "");
    }
}

/* "AUTH mech [initial-response]" (RFC 4954 4). */
static void
smtp_sniff_auth_cmd(SmtpSniffer *sn, const char *args)
{
    g_auto(GStrv) w = g_strsplit(args, " ", 3);
    if (w[0] == NULL)
        return;
    const char *ir = w[1] && strcmp(w[1], "=") != 0 ? w[1] : NULL;
    if (g_ascii_strcasecmp(w[0], "PLAIN") == 0) {
        if (ir)
            smtp_sniff_plain(sn, ir);
        else
            sn->auth = SMTP_SNIFF_AUTH_PLAIN;
    } else if (g_ascii_strcasecmp(w[0], "LOGIN") == 0) {
        sn->auth = SMTP_SNIFF_AUTH_LOGIN_USER;
        if (ir)
            smtp_sniff_auth_line(sn, ir);
    } else if (g_ascii_strcasecmp(w[0], "CRAM-MD5") == 0) {
        sn->auth = SMTP_SNIFF_AUTH_CRAM_CHAL;
    } else if (g_ascii_strcasecmp(w[0], "DIGEST-MD5") == 0) {
        /* RFC 2831 2.1: the server speaks first; no initial response. */
        sn->auth = SMTP_SNIFF_AUTH_DIGEST_CHAL;
    }
}

static void
smtp_sniff_client_line(SmtpSniffer *sn, const char *line)
{
    if (sn->auth == SMTP_SNIFF_AUTH_PLAIN || sn->auth == SMTP_SNIFF_AUTH_LOGIN_USER ||
        sn->auth == SMTP_SNIFF_AUTH_LOGIN_PASS || sn->auth == SMTP_SNIFF_AUTH_CRAM_RESP ||
        sn->auth == SMTP_SNIFF_AUTH_DIGEST_RESP) {
        smtp_sniff_auth_line(sn, line);
        return;
    }
    if (g_ascii_strncasecmp(line, "AUTH ", 5) == 0)
        smtp_sniff_auth_cmd(sn, line + 5);
    else if (g_ascii_strcasecmp(line, "STARTTLS") == 0)
        sn->starttls_asked = TRUE;
    else if (g_ascii_strcasecmp(line, "DATA") == 0)
        sn->data_asked = TRUE;
}

/* A reply line: only the last line of a reply ("NNN " form) decides. */
static void
smtp_sniff_server_line(SmtpSniffer *sn, const char *line)
{
    gsize len = strlen(line);
    if (len < 3 || !g_ascii_isdigit(line[0]) || (len > 3 && line[3] != ' '))
        return;
    char c = line[0];
    if ((sn->auth == SMTP_SNIFF_AUTH_CRAM_CHAL || sn->auth == SMTP_SNIFF_AUTH_DIGEST_CHAL) &&
        strncmp(line, "334", 3) == 0) {
        gsize n = 0;
        gboolean digest = sn->auth == SMTP_SNIFF_AUTH_DIGEST_CHAL;
        g_free(sn->cram_challenge);
        sn->cram_challenge = smtp_sniff_b64(len > 4 ? line + 4 : "", &n);
        sn->auth = sn->cram_challenge == NULL ? SMTP_SNIFF_AUTH_NONE
                   : digest                   ? SMTP_SNIFF_AUTH_DIGEST_RESP
                                              : SMTP_SNIFF_AUTH_CRAM_RESP;
        return;
    }
    if (c != '3')
        sn->auth = SMTP_SNIFF_AUTH_NONE; /* 235, 5xx: the exchange is over */
    if (sn->starttls_asked) {
        sn->starttls_asked = FALSE;
        if (strncmp(line, "220", 3) == 0) {
            sn->tls = TRUE;
            smtp_sniff_push(sn, SMTP_SNIFF_EV_STARTTLS, SMTP_SNIFF_S2C);
        }
    } else if (sn->data_asked && strncmp(line, "354", 3) == 0) {
        sn->data_asked = FALSE;
        sn->in_data = TRUE;
        sn->data_size = 0;
    } else if (sn->data_asked && c != '2') {
        sn->data_asked = FALSE; /* DATA refused (RFC 2920 3.1: 554 after bad RCPTs) */
    }
}

static void
smtp_sniff_line(SmtpSniffer *sn, SmtpSniffDir dir)
{
    SmtpSniffSide *sd = &sn->side[dir];
    if (sd->line->len > 0 && sd->line->str[sd->line->len - 1] == '\r')
        g_string_truncate(sd->line, sd->line->len - 1);
    const char *line = sd->line->str;
    if (sn->pop3) {
        smtp_sniff_pop3_line(sn, dir, line, sd->line->len);
    } else if (dir == SMTP_SNIFF_C2S && sn->in_data) {
        /* RFC 5321 4.1.1.4: the content ends with a line holding only ".". */
        if (strcmp(line, ".") == 0) {
            smtp_sniff_push(sn, SMTP_SNIFF_EV_MESSAGE, dir)->size = sn->data_size;
            sn->in_data = FALSE;
        } else {
            sn->data_size += sd->line->len + 2;
        }
    } else {
        SmtpSniffEvent *ev = smtp_sniff_push(sn, SMTP_SNIFF_EV_LINE, dir);
        ev->text = g_strdup(line);
        ev->truncated = sd->truncated;
        if (dir == SMTP_SNIFF_C2S)
            smtp_sniff_client_line(sn, line);
        else
            smtp_sniff_server_line(sn, line);
    }
    g_string_truncate(sd->line, 0);
    sd->truncated = FALSE;
}

static void
smtp_sniff_tls(SmtpSniffer *sn, SmtpSniffDir dir, const guint8 *data, gsize len)
{
    gsize used = 0;
    GArray *sizes = tls_records_take(sn->side[dir].tls, data, len, &used);
    if (sizes == NULL)
        return;
    SmtpSniffEvent *ev = smtp_sniff_push(sn, SMTP_SNIFF_EV_TLS_RECORDS, dir);
    ev->sizes = sizes;
    ev->size = used;
}

void
smtp_sniffer_feed(SmtpSniffer *sn, SmtpSniffDir dir, const guint8 *data, gsize len)
{
    g_return_if_fail(sn != NULL && (dir == SMTP_SNIFF_C2S || dir == SMTP_SNIFF_S2C));
    SmtpSniffSide *sd = &sn->side[dir];
    for (gsize i = 0; i < len; i++) {
        if (sn->tls) {
            smtp_sniff_tls(sn, dir, data + i, len - i);
            return;
        }
        if (data[i] == '\n') {
            smtp_sniff_line(sn, dir);
            continue;
        }
        if (sd->line->len < SMTP_SNIFF_LINE_MAX)
            g_string_append_c(sd->line, (char)data[i]);
        else
            sd->truncated = TRUE;
    }
}

/* RFC 1939 7: "USER name" then "PASS string" (the rest of the line,
 * spaces included); section 3: a multi-line response ends with ".". */
static void
smtp_sniff_pop3_client_line(SmtpSniffer *sn, const char *line)
{
    if (g_ascii_strncasecmp(line, "USER ", 5) == 0) {
        g_free(sn->login_user);
        sn->login_user = g_strdup(line + 5);
    } else if (g_ascii_strncasecmp(line, "PASS ", 5) == 0) {
        smtp_sniff_credentials(sn, "USER/PASS", NULL, sn->login_user ? sn->login_user : "",
                               line + 5);
    } else if (g_ascii_strcasecmp(line, "STLS") == 0) {
        sn->starttls_asked = TRUE;
    } else if (g_ascii_strncasecmp(line, "RETR ", 5) == 0 ||
               g_ascii_strncasecmp(line, "TOP ", 4) == 0) {
        sn->retr_asked = TRUE;
    }
}

/* The first server line after a command is its status line (one command
 * in flight: the clients seen here do not pipeline). */
static void
smtp_sniff_pop3_server_line(SmtpSniffer *sn, const char *line)
{
    gboolean ok = strncmp(line, "+OK", 3) == 0;
    if (sn->starttls_asked) {
        sn->starttls_asked = FALSE;
        if (ok) {
            sn->tls = TRUE;
            smtp_sniff_push(sn, SMTP_SNIFF_EV_STARTTLS, SMTP_SNIFF_S2C);
        }
    } else if (sn->retr_asked) {
        sn->retr_asked = FALSE;
        sn->in_retr = ok;
        sn->data_size = 0;
    }
}

/* POP3 lines: message content is summed up, the rest reported. */
static void
smtp_sniff_pop3_line(SmtpSniffer *sn, SmtpSniffDir dir, const char *line, gsize len)
{
    if (dir == SMTP_SNIFF_S2C && sn->in_retr) {
        if (strcmp(line, ".") == 0) {
            smtp_sniff_push(sn, SMTP_SNIFF_EV_MESSAGE, dir)->size = sn->data_size;
            sn->in_retr = FALSE;
        } else {
            sn->data_size += len + 2;
        }
        return;
    }
    SmtpSniffEvent *ev = smtp_sniff_push(sn, SMTP_SNIFF_EV_LINE, dir);
    ev->text = g_strdup(line);
    ev->truncated = sn->side[dir].truncated;
    if (dir == SMTP_SNIFF_C2S)
        smtp_sniff_pop3_client_line(sn, line);
    else
        smtp_sniff_pop3_server_line(sn, line);
}

gboolean
smtp_sniffer_poll(SmtpSniffer *sn, SmtpSniffEvent *ev)
{
    g_return_val_if_fail(sn != NULL && ev != NULL, FALSE);
    memset(ev, 0, sizeof *ev);
    SmtpSniffEvent *e = g_queue_pop_head(&sn->events);
    if (e == NULL)
        return FALSE;
    *ev = *e;
    g_free(e);
    return TRUE;
}

gboolean
smtp_sniffer_is_tls(const SmtpSniffer *sn)
{
    g_return_val_if_fail(sn != NULL, FALSE);
    return sn->tls;
}

const char *
smtp_sniff_event_kind_name(SmtpSniffEventKind kind)
{
    static const char *const names[] = {"none",     "line",     "message",     "credentials",
                                        "cram-md5", "starttls", "tls-records", "digest-md5"};
    return (guint)kind < G_N_ELEMENTS(names) ? names[kind] : "?";
}
