/* SPDX-License-Identifier: MIT
 * sequence: a sequence diagram of one SMTP or HTTP session, written as SVG text
 * (not through Graphviz): two lanes, client and server, one arrow per
 * command (client to server) or reply (server to client), top to bottom
 * in virtual-time order, each with its time. Connection open and close
 * are drawn as notes. The output is plain ASCII-safe XML, deterministic.
 */
#ifndef VIZ_SEQUENCE_H
#define VIZ_SEQUENCE_H

#include <glib.h>

#include "viz/trace_reader.h"

/* The SVG document of session s. (transfer full) */
GBytes *viz_sequence_render(const VizSession *s);
/* Renders session conn of vt into path. FALSE with VIZ_ERROR_NOT_FOUND
 * (no such connection) or VIZ_ERROR_IO. */
gboolean viz_sequence_write(const VizTrace *vt, gint64 conn, const char *path, GError **error);

#endif
