/* SPDX-License-Identifier: MIT
 * message_id: RFC 5322 3.6.4 msg-id = [CFWS] "<" id-left "@" id-right ">"
 * [CFWS], with CFWS inside the brackets accepted as obs-id-left /
 * obs-id-right (4.5.4) and removed, and the phrases that obsolete
 * In-Reply-To / References lists may hold skipped.
 */
#include "proto/message_id.h"

#include <string.h>

char *
mail_message_id_make(const char *token, const char *domain)
{
    g_return_val_if_fail(token != NULL && *token != '\0', NULL);
    g_return_val_if_fail(domain != NULL && *domain != '\0', NULL);
    return g_strdup_printf("<%s@%s>", token, domain);
}

/* Skips a comment at *p (which is '('); returns FALSE when unclosed. */
static gboolean
mail_message_id_skip_comment(const char **pp)
{
    const char *p = *pp;
    int depth = 0;
    while (*p) {
        if (*p == '\\' && p[1]) {
            p += 2;
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0) {
            *pp = p + 1;
            return TRUE;
        }
        p++;
    }
    *pp = p;
    return FALSE;
}

/* Reads "<...>" at *pp; returns the id with CFWS removed, or NULL. */
static char *
mail_message_id_read(const char **pp)
{
    const char *p = *pp + 1;
    GString *id = g_string_new(NULL);
    gboolean in_quote = FALSE;
    while (*p && (*p != '>' || in_quote)) {
        if (*p == '\\' && p[1]) {
            g_string_append_len(id, p, 2);
            p += 2;
            continue;
        }
        if (*p == '"')
            in_quote = !in_quote;
        if (!in_quote && *p == '(') {
            if (!mail_message_id_skip_comment(&p))
                break;
            continue;
        }
        if (in_quote || (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n'))
            g_string_append_c(id, *p);
        p++;
    }
    if (*p != '>') {
        *pp = p;
        g_string_free(id, TRUE);
        return NULL;
    }
    *pp = p + 1;
    /* id-left "@" id-right, both non-empty. */
    const char *at = strrchr(id->str, '@');
    if (at == NULL || at == id->str || at[1] == '\0') {
        g_string_free(id, TRUE);
        return NULL;
    }
    return g_string_free(id, FALSE);
}

GPtrArray *
mail_message_id_parse_list(const char *text)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_return_val_if_fail(text != NULL, out);
    const char *p = text;
    while (*p) {
        if (*p == '(') {
            if (!mail_message_id_skip_comment(&p))
                break;
            continue;
        }
        if (*p == '"') {
            /* A quoted phrase (obs-phrase between ids): skip it whole. */
            p++;
            while (*p && *p != '"')
                p += (*p == '\\' && p[1]) ? 2 : 1;
            if (*p)
                p++;
            continue;
        }
        if (*p != '<') {
            p++;
            continue;
        }
        char *id = mail_message_id_read(&p);
        if (id != NULL)
            g_ptr_array_add(out, id);
    }
    return out;
}

char *
mail_message_id_parse(const char *text)
{
    g_autoptr(GPtrArray) ids = mail_message_id_parse_list(text);
    return ids->len > 0 ? g_strdup(ids->pdata[0]) : NULL;
}
