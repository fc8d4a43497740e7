/* config_doc.c - the parsed document: sections and (section, key, value, line) records. */
#include "config/config_doc.h"

#include <stdlib.h>
#include <string.h>

/* First allocation of the section and record arrays. */
#define DOC_INITIAL_CAP 16

struct cfg_doc *cfg_doc_new(const char *path)
{
        struct cfg_doc *doc = calloc(1, sizeof(*doc));

        if (!doc)
                return NULL;
        doc->path = strdup(path ? path : "");
        if (!doc->path) {
                free(doc);
                return NULL;
        }
        return doc;
}

void cfg_doc_free(struct cfg_doc *doc)
{
        if (!doc)
                return;
        for (size_t i = 0; i < doc->section_count; i++)
                free(doc->sections[i].name);
        for (size_t i = 0; i < doc->record_count; i++) {
                free(doc->records[i].key);
                free(doc->records[i].value);
        }
        free(doc->sections);
        free(doc->records);
        free(doc->path);
        free(doc);
}

/* Make room for one more element in *arr (count, *cap, elem_size). */
static int grow(void **arr, size_t count, size_t *cap, size_t elem_size)
{
        size_t ncap;
        void *p;

        if (count < *cap)
                return 0;
        ncap = *cap ? *cap * 2 : DOC_INITIAL_CAP;
        p = reallocarray(*arr, ncap, elem_size);
        if (!p)
                return GS_E_NOMEM;
        *arr = p;
        *cap = ncap;
        return 0;
}

size_t cfg_doc_find_section(const struct cfg_doc *doc, const char *name)
{
        for (size_t i = 0; doc && name && i < doc->section_count; i++)
                if (strcmp(doc->sections[i].name, name) == 0)
                        return i;
        return CFG_NO_SECTION;
}

int cfg_doc_add_section(struct cfg_doc *doc, const char *name, int line, size_t *ret_index)
{
        size_t i = cfg_doc_find_section(doc, name);
        struct cfg_section *s;
        void *arr;
        int r;

        if (i != CFG_NO_SECTION) {
                if (doc->sections[i].dup_line == 0)
                        doc->sections[i].dup_line = line;
                *ret_index = i;
                return 0;
        }
        if (doc->section_count >= CFG_MAX_SECTIONS)
                return GS_E_TOOBIG;
        arr = doc->sections;
        r = grow(&arr, doc->section_count, &doc->section_cap, sizeof(*doc->sections));
        doc->sections = arr;
        if (r < 0)
                return r;
        s = &doc->sections[doc->section_count];
        s->name = strdup(name);
        if (!s->name)
                return GS_E_NOMEM;
        s->line = line;
        s->dup_line = 0;
        *ret_index = doc->section_count++;
        return 0;
}

int cfg_doc_add_record_take(struct cfg_doc *doc, size_t section, const char *key, char *value,
                            int line)
{
        struct cfg_record *rec;
        void *arr;
        int r;

        if (doc->record_count >= CFG_MAX_RECORDS) {
                r = GS_E_TOOBIG;
                goto fail;
        }
        arr = doc->records;
        r = grow(&arr, doc->record_count, &doc->record_cap, sizeof(*doc->records));
        doc->records = arr;
        if (r < 0)
                goto fail;
        rec = &doc->records[doc->record_count];
        rec->key = strdup(key);
        if (!rec->key) {
                r = GS_E_NOMEM;
                goto fail;
        }
        rec->section = section;
        rec->value = value;
        rec->line = line;
        doc->record_count++;
        return 0;
fail:
        free(value);
        return r;
}

const char *cfg_doc_path(const struct cfg_doc *doc)
{
        return doc ? doc->path : NULL;
}

size_t cfg_doc_section_count(const struct cfg_doc *doc)
{
        return doc ? doc->section_count : 0;
}

const char *cfg_doc_section_name(const struct cfg_doc *doc, size_t i)
{
        return doc && i < doc->section_count ? doc->sections[i].name : NULL;
}

int cfg_doc_section_line(const struct cfg_doc *doc, size_t i)
{
        return doc && i < doc->section_count ? doc->sections[i].line : 0;
}

int cfg_doc_section_dup_line(const struct cfg_doc *doc, size_t i)
{
        return doc && i < doc->section_count ? doc->sections[i].dup_line : 0;
}

const char *cfg_doc_raw(const struct cfg_doc *doc, const char *section, const char *key,
                        int *ret_line)
{
        size_t s = cfg_doc_find_section(doc, section);

        if (s == CFG_NO_SECTION || !key)
                return NULL;
        for (size_t i = 0; i < doc->record_count; i++) {
                const struct cfg_record *rec = &doc->records[i];

                if (rec->section == s && strcmp(rec->key, key) == 0) {
                        if (ret_line)
                                *ret_line = rec->line;
                        return rec->value;
                }
        }
        return NULL;
}

bool cfg_doc_is_literal(const struct cfg_doc *doc, const char *section, const char *key)
{
        size_t s = cfg_doc_find_section(doc, section);

        if (s == CFG_NO_SECTION || !key)
                return false;
        for (size_t i = 0; i < doc->record_count; i++) {
                const struct cfg_record *rec = &doc->records[i];

                if (rec->section == s && strcmp(rec->key, key) == 0)
                        return !rec->from_env;
        }
        return false;
}
