/* SPDX-License-Identifier: MIT
 * http_form: the text formats a web form travels in. RFC 3986 2.1
 * percent-encoding, application/x-www-form-urlencoded (WHATWG URL
 * "application/x-www-form-urlencoded" parsing and serializing: '+' is a
 * space, '&' separates pairs), and the Cookie request header (RFC 6265
 * 5.4: "name=value; name=value"). Decoding is lenient the way the WHATWG
 * parser is: a '%' not followed by two hex digits stays as it is.
 */
#ifndef PROTO_HTTP_FORM_H
#define PROTO_HTTP_FORM_H

#include <glib.h>

typedef struct {
    char *name;
    char *value;
} HttpFormField;

/* RFC 3986 2.1 percent-decoding of len octets of s; with plus_is_space,
 * '+' becomes a space (form encoding). The result may hold NUL octets:
 * *out_len says how long it is (transfer full, NUL-terminated). */
char *http_percent_decode(const char *s, gsize len, gboolean plus_is_space, gsize *out_len);

/* Splits a form body into its fields, in order (transfer full: a
 * GPtrArray of HttpFormField* that frees them). Empty pairs are skipped;
 * a pair without '=' has an empty value. */
GPtrArray *http_form_decode(const guint8 *data, gsize len);
/* The value of the first field called name, or NULL (transfer none). */
const char *http_form_get(const GPtrArray *form, const char *name);
/* Serializes name/value pairs (NULL-terminated list of alternating names
 * and values): unreserved characters (RFC 3986 2.3) stay, space is '+',
 * everything else is %XX (transfer full). */
char *http_form_encode(const char *const *pairs);

/* The value of cookie name in a Cookie header value (RFC 6265 5.4), or
 * NULL (transfer full). */
char *http_cookie_get(const char *header, const char *name);

#endif
