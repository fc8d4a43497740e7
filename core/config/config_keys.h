/*
 * config_keys.h - reading declared key tables (core's or a plugin's
 * gs_config_key arrays) by their stride, and checking them.
 */
#ifndef GS_CONFIG_KEYS_H
#define GS_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "gpushop/plugin.h"

/* Most keys one table may declare before its NULL terminator. */
#define CFG_MAX_KEYS 256
/* Longest key name a table may declare. */
#define CFG_MAX_KEY_NAME 64
/* The reserved key naming a section's plugin. */
#define CFG_PLUGIN_KEY "plugin"
/* Smallest stride that still holds `name` and `type`. */
#define CFG_MIN_KEY_SIZE (offsetof(struct gs_config_key, type) + sizeof(uint32_t))

/* Copy entry `i` of a table strided by `key_size`, reading only the bytes
 * that fit (fields past key_size read as zero / NULL). */
void cfg_keys_load(const struct gs_config_key *keys, size_t key_size, size_t i,
                   struct gs_config_key *ret_key);
/* "string", "int", ... or NULL for an unknown type. */
const char *cfg_type_name(uint32_t type);
/* [a-z0-9_]+, at most CFG_MAX_KEY_NAME bytes. */
bool cfg_key_name_is_valid(const char *name);
/* True for [storage] and [provider.*]: the sections that take `plugin`. */
bool cfg_section_takes_plugin(const char *section);
/* Check one declaration (name, type, choices, range), not its default.
 * 0, or GS_E_CONFIG with the reason in msg. */
int cfg_key_check(const struct gs_config_key *key, char *msg, size_t msg_len);

#endif /* GS_CONFIG_KEYS_H */
