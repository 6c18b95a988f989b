/* SPDX-License-Identifier: MIT
 * grade_output: the four output formats of `mhs grade`. JSON is written
 * with json-glib, XML escaped with g_markup_escape_text.
 */
#include "app/grade_output.h"

#include <string.h>

#include <json-glib/json-glib.h>

gboolean
grade_format_from_name(const char *name, GradeFormat *format)
{
    static const struct {
        const char *name;
        GradeFormat format;
    } names[] = {
        {"text", GRADE_FORMAT_TEXT},
        {"json", GRADE_FORMAT_JSON},
        {"junit", GRADE_FORMAT_JUNIT},
        {"gradescope", GRADE_FORMAT_GRADESCOPE},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        if (strcmp(names[i].name, name) == 0) {
            *format = names[i].format;
            return TRUE;
        }
    return FALSE;
}

const char *
grade_output_visibility(const GradeCheck *c)
{
    return c->hidden ? "after_published" : "visible";
}

/* The output a student sees for a check: what happened, and the hint on
 * failure. */
static char *
grade_output_check_text(const GradeResult *res, const GradeCheckResult *r)
{
    if (r->passed || r->check->feedback == NULL || res->error != NULL)
        return g_strdup(r->output);
    return g_strdup_printf("%s\nHint: %s", r->output, r->check->feedback);
}

/* ---- text ---- */

static char *
grade_output_text(const GradeResult *r, gboolean colour)
{
    const char *green = colour ? "\033[32m" : "", *red = colour ? "\033[31m" : "";
    const char *bold = colour ? "\033[1m" : "", *off = colour ? "\033[0m" : "";
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s%s%s (%s)\n", bold, r->title, off, r->lab);
    g_string_append_printf(s, "submission: %s%s%s\n", r->submission,
                           r->student ? "  student: " : "", r->student ? r->student : "");
    if (r->error != NULL)
        g_string_append_printf(s, "%serror%s: %s\n", red, off, r->error);
    for (guint i = 0; i < r->checks->len; i++) {
        const GradeCheckResult *c = r->checks->pdata[i];
        g_string_append_printf(s, "%s%s%s %5g/%-5g %s%s\n", c->passed ? green : red,
                               c->passed ? "PASS" : "FAIL", off, c->score, c->check->points,
                               c->check->name, c->check->hidden ? " (hidden)" : "");
        g_autofree char *text = grade_output_check_text(r, c);
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        if (r->error == NULL)
            for (char **l = lines; *l; l++)
                g_string_append_printf(s, "             %s\n", *l);
    }
    g_string_append_printf(s, "%sscore: %g/%g%s\n", bold, r->score, r->max, off);
    return g_string_free(s, FALSE);
}

/* ---- JSON ---- */

static char *
grade_output_json_string(JsonBuilder *b)
{
    g_autoptr(JsonNode) root = json_builder_get_root(b);
    g_autoptr(JsonGenerator) gen = json_generator_new();
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    char *text = json_generator_to_data(gen, NULL);
    char *out = g_strconcat(text, "\n", NULL);
    g_free(text);
    return out;
}

static void
grade_output_member_str(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value != NULL)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void
grade_output_member_num(JsonBuilder *b, const char *key, double value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_double_value(b, value);
}

static char *
grade_output_json(const GradeResult *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    grade_output_member_str(b, "lab", r->lab);
    grade_output_member_str(b, "title", r->title);
    grade_output_member_str(b, "student", r->student);
    grade_output_member_str(b, "submission", r->submission);
    grade_output_member_num(b, "score", r->score);
    grade_output_member_num(b, "max_score", r->max);
    grade_output_member_str(b, "error", r->error);
    json_builder_set_member_name(b, "seeds");
    json_builder_begin_array(b);
    for (guint i = 0; i < r->seeds->len; i++)
        json_builder_add_int_value(b, (gint64)g_array_index(r->seeds, guint64, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "checks");
    json_builder_begin_array(b);
    for (guint i = 0; i < r->checks->len; i++) {
        const GradeCheckResult *c = r->checks->pdata[i];
        json_builder_begin_object(b);
        grade_output_member_str(b, "name", c->check->name);
        grade_output_member_num(b, "score", c->score);
        grade_output_member_num(b, "max_score", c->check->points);
        json_builder_set_member_name(b, "passed");
        json_builder_add_boolean_value(b, c->passed);
        json_builder_set_member_name(b, "hidden");
        json_builder_add_boolean_value(b, c->check->hidden);
        grade_output_member_str(b, "output", c->output);
        grade_output_member_str(b, "feedback", c->passed || r->error ? NULL : c->check->feedback);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return grade_output_json_string(b);
}

/* ---- Gradescope ---- */

static char *
grade_output_gradescope(const GradeResult *r)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    json_builder_begin_object(b);
    grade_output_member_num(b, "score", r->score);
    g_autofree char *summary =
        r->error != NULL ? g_strdup_printf("Your submission could not be graded:\n%s", r->error)
                         : g_strdup_printf("%s: %g of %g points", r->title, r->score, r->max);
    grade_output_member_str(b, "output", summary);
    grade_output_member_str(b, "visibility", "visible");
    json_builder_set_member_name(b, "tests");
    json_builder_begin_array(b);
    for (guint i = 0; i < r->checks->len; i++) {
        const GradeCheckResult *c = r->checks->pdata[i];
        g_autofree char *text = grade_output_check_text(r, c);
        json_builder_begin_object(b);
        grade_output_member_str(b, "name", c->check->name);
        grade_output_member_num(b, "score", c->score);
        grade_output_member_num(b, "max_score", c->check->points);
        grade_output_member_str(b, "status", c->passed ? "passed" : "failed");
        grade_output_member_str(b, "output", text);
        grade_output_member_str(b, "visibility", grade_output_visibility(c->check));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return grade_output_json_string(b);
}

/* ---- JUnit XML ---- */

static void
grade_output_xml_attr(GString *s, const char *name, const char *value)
{
    g_autofree char *esc = g_markup_escape_text(value != NULL ? value : "", -1);
    g_string_append_printf(s, " %s=\"%s\"", name, esc);
}

static char *
grade_output_junit(const GradeResult *r)
{
    guint failures = 0;
    for (guint i = 0; i < r->checks->len; i++)
        failures += !((GradeCheckResult *)r->checks->pdata[i])->passed;
    GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    grade_output_xml_attr(s, "name", r->title);
    g_string_append_printf(s, " tests=\"%u\" failures=\"%u\" errors=\"%u\">\n", r->checks->len,
                           r->error ? 0 : failures, r->error ? r->checks->len : 0);
    g_string_append(s, "  <testsuite");
    g_autofree char *suite =
        g_strdup_printf("%s%s%s", r->lab, r->student ? "." : "", r->student ? r->student : "");
    grade_output_xml_attr(s, "name", suite);
    g_string_append_printf(
        s, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"0\" time=\"0\">\n",
        r->checks->len, r->error ? 0 : failures, r->error ? r->checks->len : 0);
    g_string_append(s, "    <properties>\n      <property name=\"score\"");
    g_autofree char *score = g_strdup_printf("%g", r->score), *max = g_strdup_printf("%g", r->max);
    grade_output_xml_attr(s, "value", score);
    g_string_append(s, "/>\n      <property name=\"max_score\"");
    grade_output_xml_attr(s, "value", max);
    g_string_append(s, "/>\n    </properties>\n");
    for (guint i = 0; i < r->checks->len; i++) {
        const GradeCheckResult *c = r->checks->pdata[i];
        g_string_append(s, "    <testcase");
        grade_output_xml_attr(s, "classname", r->lab);
        grade_output_xml_attr(s, "name", c->check->name);
        g_string_append(s, " time=\"0\"");
        if (c->passed) {
            g_string_append(s, "/>\n");
            continue;
        }
        const char *elem = r->error ? "error" : "failure";
        g_autofree char *text = grade_output_check_text(r, c);
        g_autofree char *body = g_markup_escape_text(r->error ? r->error : text, -1);
        g_string_append_printf(s, ">\n      <%s", elem);
        grade_output_xml_attr(s, "message", r->error ? "submission error" : c->output);
        grade_output_xml_attr(s, "type", r->error ? "submission" : "check");
        g_string_append_printf(s, ">%s</%s>\n    </testcase>\n", body, elem);
    }
    g_string_append(s, "  </testsuite>\n</testsuites>\n");
    return g_string_free(s, FALSE);
}

char *
grade_output_format(const GradeResult *r, GradeFormat format, gboolean colour)
{
    switch (format) {
    case GRADE_FORMAT_JSON:
        return grade_output_json(r);
    case GRADE_FORMAT_JUNIT:
        return grade_output_junit(r);
    case GRADE_FORMAT_GRADESCOPE:
        return grade_output_gradescope(r);
    default:
        return grade_output_text(r, colour);
    }
}
