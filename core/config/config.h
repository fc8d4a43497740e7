/*
 * config.h - INI configuration: parsing into records, validation against
 * declared keys, typed values for the core and for plugins.
 *
 * Two phases. cfg_doc_load() reads the file through a line-counting reader
 * (Debian's inih truncates long lines silently; we reject them) into
 * (section, key, value, line) records. cfg_section_validate() then checks one
 * section against a key table (the core's or a plugin's gs_config_key array)
 * and builds a typed struct gs_config. Every problem goes to a cfg_errors
 * list as "file:line: [section] message"; callers report the whole list and
 * refuse to start when it is not empty.
 *
 * Ownership: a cfg_doc owns its records; a gs_config owns copies of its
 * values and outlives the doc. Threading: build on the main thread; a
 * finished gs_config is immutable and may be read from any thread.
 */
#ifndef GS_CONFIG_H
#define GS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gpushop/plugin.h"

/* Inih's line buffer in Debian's build (INI_MAX_LINE); longer lines are an error. */
#define CFG_MAX_LINE 200
/* Upper bounds on what one file may hold. */
#define CFG_MAX_RECORDS 4096
#define CFG_MAX_ERRORS 256

/* ---- error list -------------------------------------------------------- */

struct cfg_errors;

struct cfg_errors *cfg_errors_new(void);
void cfg_errors_free(struct cfg_errors *errs);
/* Append "file:line: [section] message" (file/section may be NULL, line 0 = none). */
void cfg_errors_add(struct cfg_errors *errs, const char *file, int line, const char *section,
                    const char *fmt, ...) GS_PRINTF(5, 6);
size_t cfg_errors_count(const struct cfg_errors *errs);
const char *cfg_errors_get(const struct cfg_errors *errs, size_t i);
/* Print every error, one per line, each prefixed with `prog: `. */
void cfg_errors_print(const struct cfg_errors *errs, const char *prog, FILE *out);

/* ---- parsed document --------------------------------------------------- */

struct cfg_doc;

/* Parse `path`. Returns 0 with *ret_doc set even when errors were added (so
 * validation can report more); GS_E_IO when the file cannot be read (error
 * added), GS_E_NOMEM. ${VAR} in values is expanded from the environment
 * (an unset variable is an error naming it). */
int cfg_doc_load(const char *path, struct cfg_doc **ret_doc, struct cfg_errors *errs);
/* Same from a string; `name` is used as the file name in messages. */
int cfg_doc_load_string(const char *name, const char *text, struct cfg_doc **ret_doc,
                        struct cfg_errors *errs);
void cfg_doc_free(struct cfg_doc *doc);

const char *cfg_doc_path(const struct cfg_doc *doc);
/* Sections in file order, each once (the first header line is reported). */
size_t cfg_doc_section_count(const struct cfg_doc *doc);
const char *cfg_doc_section_name(const struct cfg_doc *doc, size_t i);
int cfg_doc_section_line(const struct cfg_doc *doc, size_t i);
/* Line of a second header for the same section, 0 if it appears once. */
int cfg_doc_section_dup_line(const struct cfg_doc *doc, size_t i);
/* Raw value of section/key before validation (first occurrence), or NULL. */
const char *cfg_doc_raw(const struct cfg_doc *doc, const char *section, const char *key,
                        int *ret_line);

/* True when section/key is written literally in the file (not via ${VAR}). */
bool cfg_doc_is_literal(const struct cfg_doc *doc, const char *section, const char *key);

/* ---- validation -------------------------------------------------------- */

/*
 * Validate every record of `section` against `keys` (an array of key_size
 * strided gs_config_key terminated by name == NULL; keys may be NULL).
 * Reserved key `plugin` is accepted in [storage] and [provider.*] sections.
 * Reports: unknown key (listing the known ones), duplicate key (both lines),
 * missing required key, bad type, out of range, bad enum choice. Defaults
 * and `env` fallbacks fill absent keys. On success (no new errors) sets
 * *ret_cfg and returns 0; otherwise GS_E_CONFIG with errors added.
 */
int cfg_section_validate(const struct cfg_doc *doc, const char *section,
                         const struct gs_config_key *keys, size_t key_size,
                         struct gs_config **ret_cfg, struct cfg_errors *errs);
void cfg_config_free(struct gs_config *cfg);
/* A `plugin = ` value: a bare name of a-z 0-9 _ - (looked up in the plugin
 * directory) or an absolute path ending in .so. */
bool cfg_plugin_ref_is_valid(const char *value);

/* ---- typed access (backs gs_host_api.config_*) ------------------------- */

const char *cfg_get_str(const struct gs_config *cfg, const char *key);
int cfg_get_int(const struct gs_config *cfg, const char *key, int64_t *ret_value);
int cfg_get_bool(const struct gs_config *cfg, const char *key, int *ret_value);
int cfg_get_duration_ms(const struct gs_config *cfg, const char *key, int64_t *ret_value);
int cfg_get_price_uusd(const struct gs_config *cfg, const char *key, int64_t *ret_value);
const char *cfg_section_of(const struct gs_config *cfg);
/* Write "key = value" lines for the section, secrets as "<redacted>". */
void cfg_dump(const struct gs_config *cfg, FILE *out);

/* Print a key table for --describe-plugin: name, type, default, flags, help. */
void cfg_describe_keys(const struct gs_config_key *keys, size_t key_size, FILE *out);

#endif /* GS_CONFIG_H */
