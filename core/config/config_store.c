/* config_store.c - struct gs_config: validated values of one section and their getters. */
#include "config/config_store.h"

#include <stdlib.h>
#include <string.h>

#define NO_ENTRY ((size_t)-1)
#define REDACTED "<redacted>"

struct gs_config *cfg_config_new(const char *section, size_t count)
{
        struct gs_config *cfg = calloc(1, sizeof(*cfg));

        if (!cfg)
                return NULL;
        cfg->section = strdup(section);
        cfg->entries = calloc(count ? count : 1, sizeof(*cfg->entries));
        if (!cfg->section || !cfg->entries) {
                cfg_config_free(cfg);
                return NULL;
        }
        cfg->count = count;
        return cfg;
}

void cfg_config_free(struct gs_config *cfg)
{
        if (!cfg)
                return;
        for (size_t i = 0; cfg->entries && i < cfg->count; i++) {
                free(cfg->entries[i].name);
                free(cfg->entries[i].text);
        }
        free(cfg->entries);
        free(cfg->section);
        free(cfg);
}

int cfg_config_declare(struct gs_config *cfg, size_t i, const char *name, uint32_t type,
                       uint32_t flags)
{
        struct cfg_entry *e = &cfg->entries[i];

        e->name = strdup(name);
        if (!e->name)
                return GS_E_NOMEM;
        e->type = type;
        e->flags = flags;
        return 0;
}

int cfg_config_set(struct gs_config *cfg, size_t i, const char *text, size_t len, int64_t num,
                   int line)
{
        struct cfg_entry *e = &cfg->entries[i];
        char *copy = strndup(text, len);

        if (!copy)
                return GS_E_NOMEM;
        free(e->text);
        e->text = copy;
        e->num = num;
        e->line = line;
        return 0;
}

size_t cfg_config_index(const struct gs_config *cfg, const char *name)
{
        for (size_t i = 0; cfg && name && i < cfg->count; i++)
                if (cfg->entries[i].name && strcmp(cfg->entries[i].name, name) == 0)
                        return i;
        return NO_ENTRY;
}

const char *cfg_get_str(const struct gs_config *cfg, const char *key)
{
        size_t i = cfg_config_index(cfg, key);

        return i == NO_ENTRY ? NULL : cfg->entries[i].text;
}

/* Typed lookup shared by the numeric getters. */
static int get_num(const struct gs_config *cfg, const char *key, uint32_t type,
                   int64_t *ret_value)
{
        size_t i;

        if (!cfg || !key || !ret_value)
                return GS_E_INVAL;
        i = cfg_config_index(cfg, key);
        if (i == NO_ENTRY)
                return GS_E_NOTFOUND;
        if (cfg->entries[i].type != type)
                return GS_E_INVAL;
        if (!cfg->entries[i].text)
                return GS_E_NOTFOUND;
        *ret_value = cfg->entries[i].num;
        return 0;
}

int cfg_get_int(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        return get_num(cfg, key, GS_CFG_INT, ret_value);
}

int cfg_get_bool(const struct gs_config *cfg, const char *key, int *ret_value)
{
        int64_t v;
        int r;

        if (!ret_value)
                return GS_E_INVAL;
        r = get_num(cfg, key, GS_CFG_BOOL, &v);
        if (r < 0)
                return r;
        *ret_value = v != 0;
        return 0;
}

int cfg_get_duration_ms(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        return get_num(cfg, key, GS_CFG_DURATION_MS, ret_value);
}

int cfg_get_price_uusd(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        return get_num(cfg, key, GS_CFG_PRICE_UUSD, ret_value);
}

const char *cfg_section_of(const struct gs_config *cfg)
{
        return cfg ? cfg->section : NULL;
}

void cfg_dump(const struct gs_config *cfg, FILE *out)
{
        if (!cfg || !out)
                return;
        for (size_t i = 0; i < cfg->count; i++) {
                const struct cfg_entry *e = &cfg->entries[i];

                if (!e->text)
                        continue;
                fprintf(out, "%s = %s\n", e->name,
                        (e->flags & GS_CFG_SECRET) ? REDACTED : e->text);
        }
}
