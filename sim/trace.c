/* SPDX-License-Identifier: MIT
 * trace: record builder, kept records, and the JSON Lines, text and callback
 * sinks (DESIGN 6, STYLE 10). JSON is produced by json-glib; only the "t"
 * member is written here, from the integer SimTime, so that it reads as an
 * exact six-decimal number (json-glib would print a double with %g). String
 * values that are not valid UTF-8 are stored escaped by sim_trace_printable().
 */
#include "sim/trace.h"

#include <errno.h>
#include <string.h>

#include <json-glib/json-glib.h>

typedef struct {
    char *key;
    SimTraceFieldType type;
    char *s;
    gint64 i;
} SimTraceField;

struct SimTraceRec {
    SimTrace *tr;
    SimTime t;
    char *ev;
    char *node;     /* nullable */
    GArray *fields; /* SimTraceField */
};

typedef enum {
    SIM_TRACE_SINK_JSONL_FILE = 0,
    SIM_TRACE_SINK_TEXT_FILE,
    SIM_TRACE_SINK_JSONL_STRING,
    SIM_TRACE_SINK_TEXT_STRING,
    SIM_TRACE_SINK_CALLBACK,
} SimTraceSinkKind;

typedef struct {
    SimTraceSinkKind kind;
    FILE *fp;
    gboolean owns_fp;
    GString *str;
    SimTraceFunc fn;
    gpointer user_data;
    GDestroyNotify destroy;
} SimTraceSink;

struct SimTrace {
    GArray *sinks;      /* SimTraceSink */
    GPtrArray *records; /* kept SimTraceRec, NULL unless keeping */
    gboolean want_json, want_text;
};

static void sim_trace_rec_free(SimTraceRec *r);

SimTrace *
sim_trace_new(void)
{
    SimTrace *tr = g_new0(SimTrace, 1);
    tr->sinks = g_array_new(FALSE, TRUE, sizeof(SimTraceSink));
    return tr;
}

void
sim_trace_free(SimTrace *tr)
{
    if (tr == NULL)
        return;
    for (guint i = 0; i < tr->sinks->len; i++) {
        SimTraceSink *s = &g_array_index(tr->sinks, SimTraceSink, i);
        if (s->fp != NULL && s->owns_fp)
            fclose(s->fp);
        else if (s->fp != NULL)
            fflush(s->fp);
        if (s->destroy != NULL)
            s->destroy(s->user_data);
    }
    g_array_free(tr->sinks, TRUE);
    g_clear_pointer(&tr->records, g_ptr_array_unref);
    g_free(tr);
}

static void
sim_trace_add_sink(SimTrace *tr, const SimTraceSink *sink)
{
    g_array_append_val(tr->sinks, *sink);
    if (sink->kind == SIM_TRACE_SINK_JSONL_FILE || sink->kind == SIM_TRACE_SINK_JSONL_STRING)
        tr->want_json = TRUE;
    if (sink->kind == SIM_TRACE_SINK_TEXT_FILE || sink->kind == SIM_TRACE_SINK_TEXT_STRING)
        tr->want_text = TRUE;
}

static gboolean
sim_trace_add_file(SimTrace *tr, SimTraceSinkKind kind, const char *path, GError **error)
{
    g_return_val_if_fail(tr != NULL && path != NULL, FALSE);
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", path, g_strerror(e));
        return FALSE;
    }
    sim_trace_add_sink(tr, &(SimTraceSink){.kind = kind, .fp = fp, .owns_fp = TRUE});
    return TRUE;
}

gboolean
sim_trace_add_jsonl_file(SimTrace *tr, const char *path, GError **error)
{
    return sim_trace_add_file(tr, SIM_TRACE_SINK_JSONL_FILE, path, error);
}

gboolean
sim_trace_add_text_file(SimTrace *tr, const char *path, GError **error)
{
    return sim_trace_add_file(tr, SIM_TRACE_SINK_TEXT_FILE, path, error);
}

void
sim_trace_add_jsonl_stream(SimTrace *tr, FILE *fp)
{
    g_return_if_fail(tr != NULL && fp != NULL);
    sim_trace_add_sink(tr, &(SimTraceSink){.kind = SIM_TRACE_SINK_JSONL_FILE, .fp = fp});
}

void
sim_trace_add_text_stream(SimTrace *tr, FILE *fp)
{
    g_return_if_fail(tr != NULL && fp != NULL);
    sim_trace_add_sink(tr, &(SimTraceSink){.kind = SIM_TRACE_SINK_TEXT_FILE, .fp = fp});
}

void
sim_trace_add_jsonl_string(SimTrace *tr, GString *out)
{
    g_return_if_fail(tr != NULL && out != NULL);
    sim_trace_add_sink(tr, &(SimTraceSink){.kind = SIM_TRACE_SINK_JSONL_STRING, .str = out});
}

void
sim_trace_add_text_string(SimTrace *tr, GString *out)
{
    g_return_if_fail(tr != NULL && out != NULL);
    sim_trace_add_sink(tr, &(SimTraceSink){.kind = SIM_TRACE_SINK_TEXT_STRING, .str = out});
}

void
sim_trace_keep_records(SimTrace *tr)
{
    g_return_if_fail(tr != NULL);
    if (tr->records == NULL)
        tr->records = g_ptr_array_new_with_free_func((GDestroyNotify)sim_trace_rec_free);
}

void
sim_trace_add_callback(SimTrace *tr, SimTraceFunc fn, gpointer user_data, GDestroyNotify destroy)
{
    g_return_if_fail(tr != NULL && fn != NULL);
    sim_trace_add_sink(tr, &(SimTraceSink){.kind = SIM_TRACE_SINK_CALLBACK,
                                           .fn = fn,
                                           .user_data = user_data,
                                           .destroy = destroy});
}

void
sim_trace_flush(SimTrace *tr)
{
    g_return_if_fail(tr != NULL);
    for (guint i = 0; i < tr->sinks->len; i++) {
        SimTraceSink *s = &g_array_index(tr->sinks, SimTraceSink, i);
        if (s->fp != NULL)
            fflush(s->fp);
    }
}

gboolean
sim_trace_enabled(const SimTrace *tr)
{
    return tr != NULL && (tr->sinks->len > 0 || tr->records != NULL);
}

/* --- builder --- */

static void
sim_trace_field_clear(gpointer p)
{
    SimTraceField *f = p;
    g_free(f->key);
    g_free(f->s);
}

static void
sim_trace_rec_free(SimTraceRec *r)
{
    if (r == NULL)
        return;
    g_free(r->ev);
    g_free(r->node);
    g_array_free(r->fields, TRUE);
    g_free(r);
}

SimTraceRec *
sim_trace_begin(SimTrace *tr, SimTime t, const char *ev, const char *node)
{
    if (!sim_trace_enabled(tr))
        return NULL;
    g_return_val_if_fail(ev != NULL, NULL);
    SimTraceRec *r = g_new0(SimTraceRec, 1);
    r->tr = tr;
    r->t = t;
    r->ev = g_strdup(ev);
    r->node = g_strdup(node);
    r->fields = g_array_sized_new(FALSE, TRUE, sizeof(SimTraceField), 8);
    g_array_set_clear_func(r->fields, sim_trace_field_clear);
    return r;
}

static void
sim_trace_add_field(SimTraceRec *r, const char *key, SimTraceFieldType type, char *s, gint64 i)
{
    SimTraceField f = {.key = g_strdup(key), .type = type, .s = s, .i = i};
    g_array_append_val(r->fields, f);
}

void
sim_trace_str(SimTraceRec *r, const char *key, const char *value)
{
    if (r == NULL)
        return;
    g_return_if_fail(key != NULL);
    if (value == NULL)
        value = "";
    char *v = g_utf8_validate(value, -1, NULL)
                  ? g_strdup(value)
                  : sim_trace_printable((const guint8 *)value, strlen(value));
    sim_trace_add_field(r, key, SIM_TRACE_FIELD_STR, v, 0);
}

void
sim_trace_bytes(SimTraceRec *r, const char *key, const guint8 *data, gsize len)
{
    if (r == NULL)
        return;
    g_return_if_fail(key != NULL);
    sim_trace_add_field(r, key, SIM_TRACE_FIELD_STR, sim_trace_printable(data, len), 0);
}

void
sim_trace_int(SimTraceRec *r, const char *key, gint64 value)
{
    if (r == NULL)
        return;
    g_return_if_fail(key != NULL);
    sim_trace_add_field(r, key, SIM_TRACE_FIELD_INT, NULL, value);
}

void
sim_trace_bool(SimTraceRec *r, const char *key, gboolean value)
{
    if (r == NULL)
        return;
    g_return_if_fail(key != NULL);
    sim_trace_add_field(r, key, SIM_TRACE_FIELD_BOOL, NULL, value ? 1 : 0);
}

static void
sim_trace_sink_write(SimTraceSink *s, const char *line)
{
    if (s->fp != NULL) {
        fputs(line, s->fp);
        fputc('\n', s->fp);
    } else {
        g_string_append(s->str, line);
        g_string_append_c(s->str, '\n');
    }
}

void
sim_trace_end(SimTraceRec *r)
{
    if (r == NULL)
        return;
    SimTrace *tr = r->tr;
    g_autofree char *json = tr->want_json ? sim_trace_rec_to_json(r) : NULL;
    g_autofree char *text = tr->want_text ? sim_trace_rec_to_text(r) : NULL;
    for (guint i = 0; i < tr->sinks->len; i++) {
        SimTraceSink *s = &g_array_index(tr->sinks, SimTraceSink, i);
        switch (s->kind) {
        case SIM_TRACE_SINK_JSONL_FILE:
        case SIM_TRACE_SINK_JSONL_STRING:
            sim_trace_sink_write(s, json);
            break;
        case SIM_TRACE_SINK_TEXT_FILE:
        case SIM_TRACE_SINK_TEXT_STRING:
            sim_trace_sink_write(s, text);
            break;
        case SIM_TRACE_SINK_CALLBACK:
            s->fn(r, s->user_data);
            break;
        default:
            g_assert_not_reached();
        }
    }
    if (tr->records != NULL)
        g_ptr_array_add(tr->records, r);
    else
        sim_trace_rec_free(r);
}

/* --- kept records and accessors --- */

guint
sim_trace_n_records(const SimTrace *tr)
{
    g_return_val_if_fail(tr != NULL, 0);
    return tr->records != NULL ? tr->records->len : 0;
}

const SimTraceRec *
sim_trace_record(const SimTrace *tr, guint i)
{
    g_return_val_if_fail(tr != NULL && tr->records != NULL && i < tr->records->len, NULL);
    return g_ptr_array_index(tr->records, i);
}

void
sim_trace_clear_records(SimTrace *tr)
{
    g_return_if_fail(tr != NULL);
    if (tr->records != NULL)
        g_ptr_array_set_size(tr->records, 0);
}

SimTime
sim_trace_rec_time(const SimTraceRec *r)
{
    return r->t;
}

const char *
sim_trace_rec_ev(const SimTraceRec *r)
{
    return r->ev;
}

const char *
sim_trace_rec_node(const SimTraceRec *r)
{
    return r->node;
}

guint
sim_trace_rec_n_fields(const SimTraceRec *r)
{
    return r->fields->len;
}

static const SimTraceField *
sim_trace_rec_field(const SimTraceRec *r, guint i)
{
    g_assert(i < r->fields->len);
    return &g_array_index(r->fields, SimTraceField, i);
}

const char *
sim_trace_rec_field_key(const SimTraceRec *r, guint i)
{
    return sim_trace_rec_field(r, i)->key;
}

SimTraceFieldType
sim_trace_rec_field_type(const SimTraceRec *r, guint i)
{
    return sim_trace_rec_field(r, i)->type;
}

const char *
sim_trace_rec_field_str(const SimTraceRec *r, guint i)
{
    const SimTraceField *f = sim_trace_rec_field(r, i);
    g_assert(f->type == SIM_TRACE_FIELD_STR);
    return f->s;
}

gint64
sim_trace_rec_field_int(const SimTraceRec *r, guint i)
{
    const SimTraceField *f = sim_trace_rec_field(r, i);
    g_assert(f->type == SIM_TRACE_FIELD_INT);
    return f->i;
}

gboolean
sim_trace_rec_field_bool(const SimTraceRec *r, guint i)
{
    const SimTraceField *f = sim_trace_rec_field(r, i);
    g_assert(f->type == SIM_TRACE_FIELD_BOOL);
    return f->i != 0;
}

gint
sim_trace_rec_find(const SimTraceRec *r, const char *key)
{
    for (guint i = 0; i < r->fields->len; i++)
        if (strcmp(g_array_index(r->fields, SimTraceField, i).key, key) == 0)
            return (gint)i;
    return -1;
}

const char *
sim_trace_rec_get_str(const SimTraceRec *r, const char *key)
{
    gint i = sim_trace_rec_find(r, key);
    if (i < 0 || sim_trace_rec_field(r, (guint)i)->type != SIM_TRACE_FIELD_STR)
        return NULL;
    return sim_trace_rec_field(r, (guint)i)->s;
}

gboolean
sim_trace_rec_get_int(const SimTraceRec *r, const char *key, gint64 *out)
{
    gint i = sim_trace_rec_find(r, key);
    if (i < 0 || sim_trace_rec_field(r, (guint)i)->type != SIM_TRACE_FIELD_INT)
        return FALSE;
    if (out != NULL)
        *out = sim_trace_rec_field(r, (guint)i)->i;
    return TRUE;
}

/* --- formatting --- */

char *
sim_trace_rec_to_json(const SimTraceRec *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "ev");
    json_builder_add_string_value(b, r->ev);
    json_builder_set_member_name(b, "node");
    if (r->node != NULL)
        json_builder_add_string_value(b, r->node);
    else
        json_builder_add_null_value(b);
    for (guint i = 0; i < r->fields->len; i++) {
        const SimTraceField *f = &g_array_index(r->fields, SimTraceField, i);
        json_builder_set_member_name(b, f->key);
        if (f->type == SIM_TRACE_FIELD_STR)
            json_builder_add_string_value(b, f->s);
        else if (f->type == SIM_TRACE_FIELD_INT)
            json_builder_add_int_value(b, f->i);
        else
            json_builder_add_boolean_value(b, f->i != 0);
    }
    json_builder_end_object(b);
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, root);
    g_autofree char *body = json_generator_to_data(gen, NULL);
    g_assert(body[0] == '{');
    /* Splice the exact t member in front of json-glib's members. */
    GString *out = g_string_sized_new(strlen(body) + 24);
    g_string_append(out, "{\"t\":");
    sim_time_append(out, r->t);
    g_string_append_c(out, ',');
    g_string_append(out, body + 1);
    return g_string_free(out, FALSE);
}

static gboolean
sim_trace_text_needs_quotes(const char *s)
{
    if (*s == '\0')
        return TRUE;
    for (const guchar *p = (const guchar *)s; *p != '\0'; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '=' || *p == '\\')
            return TRUE;
    return FALSE;
}

/* Text values: printable ASCII kept (backslash too, so wire data already
 * escaped by sim_trace_printable() reads once), '"' and controls escaped. */
static void
sim_trace_text_append_value(GString *out, const char *s)
{
    if (!sim_trace_text_needs_quotes(s)) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '"');
    for (const guchar *p = (const guchar *)s; *p != '\0'; p++) {
        if (*p == '"')
            g_string_append(out, "\\\"");
        else if (*p == '\\' || (*p >= 0x20 && *p < 0x7f))
            g_string_append_c(out, (char)*p);
        else
            sim_trace_printable_append(out, p, 1);
    }
    g_string_append_c(out, '"');
}

char *
sim_trace_rec_to_text(const SimTraceRec *r)
{
    GString *out = g_string_sized_new(128);
    g_string_append(out, "t=");
    sim_time_append(out, r->t);
    g_string_append(out, " node=");
    sim_trace_text_append_value(out, r->node != NULL ? r->node : "-");
    g_string_append(out, " ev=");
    sim_trace_text_append_value(out, r->ev);
    for (guint i = 0; i < r->fields->len; i++) {
        const SimTraceField *f = &g_array_index(r->fields, SimTraceField, i);
        g_string_append_printf(out, " %s=", f->key);
        if (f->type == SIM_TRACE_FIELD_STR)
            sim_trace_text_append_value(out, f->s);
        else if (f->type == SIM_TRACE_FIELD_INT)
            g_string_append_printf(out, "%" G_GINT64_FORMAT, f->i);
        else
            g_string_append(out, f->i ? "true" : "false");
    }
    return g_string_free(out, FALSE);
}

void
sim_trace_printable_append(GString *out, const guint8 *data, gsize len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (gsize i = 0; i < len; i++) {
        guint8 c = data[i];
        switch (c) {
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                g_string_append_c(out, (char)c);
            } else {
                g_string_append(out, "\\x");
                g_string_append_c(out, hex[c >> 4]);
                g_string_append_c(out, hex[c & 15]);
            }
        }
    }
}

char *
sim_trace_printable(const guint8 *data, gsize len)
{
    GString *out = g_string_sized_new(len + 8);
    sim_trace_printable_append(out, data, len);
    return g_string_free(out, FALSE);
}
