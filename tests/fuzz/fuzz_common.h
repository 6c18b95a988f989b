/* SPDX-License-Identifier: MIT
 * fuzz_common: what every libFuzzer entry point in tests/fuzz/ shares: the
 * entry point's prototype, GLib criticals and warnings made fatal (a
 * g_return_if_fail reached from peer input is a bug), and a cursor that
 * draws choices (flags, split points, chunk lengths) from the input.
 */
#ifndef TESTS_FUZZ_FUZZ_COMMON_H
#define TESTS_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

/* Bound on actions drained from one engine for one input: an engine that
 * keeps yielding actions without input is looping. */
#define FUZZ_ACTIONS_MAX 100000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* GLib stops on a fatal message with SIGTRAP, which libFuzzer does not
 * catch (no crash input is saved): print, then abort() instead. */
static inline void
fuzz_log_handler(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    g_log_default_handler(domain, level, message, data);
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
        abort();
}

static inline void
fuzz_init(void)
{
    static gboolean done;
    if (!done) {
        g_log_set_default_handler(fuzz_log_handler, NULL);
        done = TRUE;
    }
}

/* A cursor over the input. */
typedef struct {
    const guint8 *p;
    gsize n;
} FuzzInput;

static inline guint8
fuzz_take_u8(FuzzInput *in)
{
    if (in->n == 0)
        return 0;
    guint8 b = in->p[0];
    in->p++;
    in->n--;
    return b;
}

static inline guint16
fuzz_take_u16(FuzzInput *in)
{
    guint16 hi = fuzz_take_u8(in);
    return (guint16)(hi << 8 | fuzz_take_u8(in));
}

/* The next chunk: a length byte, then up to that many bytes (fewer at the
 * end of the input). Returns FALSE when the input is used up. */
static inline gboolean
fuzz_take_chunk(FuzzInput *in, const guint8 **chunk, gsize *len)
{
    if (in->n == 0)
        return FALSE;
    gsize want = fuzz_take_u8(in);
    *len = MIN(want, in->n);
    *chunk = in->p;
    in->p += *len;
    in->n -= *len;
    return TRUE;
}

/* The rest of the input as a NUL-terminated string (cut at the first NUL)
 * (transfer full). */
static inline char *
fuzz_take_rest_string(FuzzInput *in)
{
    char *s = in->n > 0 ? g_strndup((const char *)in->p, in->n) : g_strdup("");
    in->p += in->n;
    in->n = 0;
    return s;
}

#endif
