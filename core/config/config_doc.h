/*
 * config_doc.h - the parsed document's layout, shared by the loader and the
 * validator (private to core/config).
 */
#ifndef GS_CONFIG_DOC_H
#define GS_CONFIG_DOC_H

#include "config/config.h"

/* Largest file cfg_doc_load() reads (bytes). */
#define CFG_MAX_FILE_BYTES (1024 * 1024)
/* Most distinct [sections] one file may hold. */
#define CFG_MAX_SECTIONS 1024
/* Returned by cfg_doc_find_section() for an absent section. */
#define CFG_NO_SECTION ((size_t)-1)

struct cfg_section {
        char *name;
        int line;     /* first header */
        int dup_line; /* second header, 0 if none */
};

/* One "key = value" line; value already ${VAR}-expanded. */
struct cfg_record {
        size_t section; /* index into cfg_doc.sections */
        char *key;
        char *value;
        int line;
        bool from_env; /* the text used ${VAR}: the file itself does not hold the value */
};

struct cfg_doc {
        char *path;
        struct cfg_section *sections;
        size_t section_count, section_cap;
        struct cfg_record *records;
        size_t record_count, record_cap;
};

/* An empty document named `path`; NULL on OOM. */
struct cfg_doc *cfg_doc_new(const char *path);
/* Index of section `name`, or CFG_NO_SECTION. */
size_t cfg_doc_find_section(const struct cfg_doc *doc, const char *name);

/* Note a header for `name` at `line`: a new section, or the second header of
 * an existing one. 0 with *ret_index set; GS_E_TOOBIG past CFG_MAX_SECTIONS;
 * GS_E_NOMEM. */
int cfg_doc_add_section(struct cfg_doc *doc, const char *name, int line, size_t *ret_index);
/* Append a record, copying key; takes `value` (malloc()ed) even on failure.
 * GS_E_TOOBIG past CFG_MAX_RECORDS; GS_E_NOMEM. */
int cfg_doc_add_record_take(struct cfg_doc *doc, size_t section, const char *key, char *value,
                            int line);

#endif /* GS_CONFIG_DOC_H */
