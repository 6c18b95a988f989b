/* SPDX-License-Identifier: MIT
 * scenario: loads a YAML scenario (DESIGN 5, schema in scenarios/README.md)
 * into a WorldSpec, checking every key, type, value and cross reference
 * before anything runs. Every error reads "FILE:LINE:COL: what is wrong"
 * (1-based, at the offending YAML node) with a suggestion for misspelt keys
 * and names. Never crashes on any input.
 */
#ifndef APP_SCENARIO_H
#define APP_SCENARIO_H

#include <glib.h>

#include <yaml.h>

#include "nodes/world_spec.h"
#include "proto/dns_zone.h"

#define SCENARIO_ERROR (scenario_error_quark())
GQuark scenario_error_quark(void);

typedef enum {
    SCENARIO_ERROR_IO = 1,      /* the file cannot be read, or is too large */
    SCENARIO_ERROR_SYNTAX,      /* not YAML (libyaml's problem and mark) */
    SCENARIO_ERROR_EMPTY,       /* no document */
    SCENARIO_ERROR_UNKNOWN_KEY, /* a key the schema does not know */
    SCENARIO_ERROR_TYPE,        /* list where a string is needed, and so on */
    SCENARIO_ERROR_VALUE,       /* bad duration, IP, bandwidth, status... */
    SCENARIO_ERROR_MISSING,     /* a required key is absent */
    SCENARIO_ERROR_DUPLICATE,   /* node name, key, user, message id given twice */
    SCENARIO_ERROR_ROLE,        /* unknown or unsupported role */
    SCENARIO_ERROR_REFERENCE,   /* unknown node or message id, or wrong role */
    SCENARIO_ERROR_EVENT,       /* an event or expectation not in a valid form */
} ScenarioErrorCode;

/* Largest scenario file accepted. */
#define SCENARIO_FILE_MAX (64 * 1024 * 1024)

/* Loads the scenario at path; messages name the file as path is written.
 * Returns (transfer full) the spec, or NULL with error set. */
WorldSpec *scenario_load(const char *path, GError **error);
/* Same from text; display_name is the FILE of messages. */
WorldSpec *scenario_load_string(const char *text, const char *display_name, GError **error);

/* Same from a document already parsed (e.g. a lab's scenario merged with a
 * student's files, app/grade_merge.c). doc is taken (transfer full; left
 * zeroed). origins (nullable, borrowed, n_origins entries) gives the file
 * each node came from, indexed by node index - 1, so that an error names
 * the file and LINE:COL the node was written at; NULL entries (and no
 * table) mean display_name. */
WorldSpec *scenario_load_document(yaml_document_t *doc, const char *const *origins,
                                  gsize n_origins, const char *display_name, GError **error);

/* Loads a DNS zone from a file holding a zone mapping alone
 * ({name: {A: ..., MX: [...]}, ...}) or a whole scenario (its `dns:` key;
 * only the zone is checked then). Returns (transfer full) or NULL with
 * error set. */
DnsZone *scenario_load_zone(const char *path, GError **error);
DnsZone *scenario_load_zone_string(const char *text, const char *display_name, GError **error);

#endif
