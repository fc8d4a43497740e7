/*
 * config_store.h - the layout of struct gs_config (opaque in the SDK): the
 * validated, typed values of one section. Private to core/config.
 */
#ifndef GS_CONFIG_STORE_H
#define GS_CONFIG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct cfg_entry {
        char *name;
        uint32_t type;  /* GS_CFG_* */
        uint32_t flags; /* GS_CFG_REQUIRED | GS_CFG_SECRET */
        char *text;     /* NULL = absent; ENUM holds the declared spelling */
        int64_t num;    /* INT, DURATION_MS, PRICE_UUSD; BOOL as 0/1 */
        int line;       /* line it was set on in the file, 0 = not from the file */
};

struct gs_config {
        char *section;
        struct cfg_entry *entries;
        size_t count;
};

/* A config for `section` with `count` unnamed entries; NULL on OOM. */
struct gs_config *cfg_config_new(const char *section, size_t count);
/* Name entry i (copied). 0 or GS_E_NOMEM. */
int cfg_config_declare(struct gs_config *cfg, size_t i, const char *name, uint32_t type,
                       uint32_t flags);
/* Give entry i the first `len` bytes of `text` (copied) and its typed value.
 * 0 or GS_E_NOMEM. */
int cfg_config_set(struct gs_config *cfg, size_t i, const char *text, size_t len, int64_t num,
                   int line);
/* Index of entry `name`, or (size_t)-1. */
size_t cfg_config_index(const struct gs_config *cfg, const char *name);

#endif /* GS_CONFIG_STORE_H */
