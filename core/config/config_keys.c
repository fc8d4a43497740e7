/* config_keys.c - strided access to declared key tables and their sanity checks. */
#include "config/config_keys.h"

#include <stdio.h>
#include <string.h>

static const char *const type_names[] = {
        [GS_CFG_STRING] = "string",        [GS_CFG_INT] = "int",
        [GS_CFG_BOOL] = "bool",            [GS_CFG_DURATION_MS] = "duration",
        [GS_CFG_URL] = "url",              [GS_CFG_PRICE_UUSD] = "price",
        [GS_CFG_ENUM] = "enum",            [GS_CFG_PATH] = "path",
};

void cfg_keys_load(const struct gs_config_key *keys, size_t key_size, size_t i,
                   struct gs_config_key *ret_key)
{
        const unsigned char *base = (const unsigned char *)keys;
        size_t n = key_size < sizeof(*ret_key) ? key_size : sizeof(*ret_key);

        memset(ret_key, 0, sizeof(*ret_key));
        memcpy(ret_key, base + i * key_size, n);
}

const char *cfg_type_name(uint32_t type)
{
        if (type >= sizeof(type_names) / sizeof(type_names[0]))
                return NULL;
        return type_names[type];
}

bool cfg_key_name_is_valid(const char *name)
{
        size_t n = 0;

        if (!name || !*name)
                return false;
        for (; name[n]; n++) {
                char c = name[n];

                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                        return false;
        }
        return n <= CFG_MAX_KEY_NAME;
}

bool cfg_section_takes_plugin(const char *section)
{
        return section && (strcmp(section, "storage") == 0 ||
                           strncmp(section, "provider.", strlen("provider.")) == 0);
}

/* choices: '|'-separated non-empty words without spaces. */
static bool choices_are_valid(const char *choices)
{
        size_t word = 0;

        if (!choices || !*choices)
                return false;
        for (const char *p = choices;; p++) {
                if (*p == '|' || *p == '\0') {
                        if (word == 0)
                                return false;
                        if (*p == '\0')
                                return true;
                        word = 0;
                } else if (*p == ' ' || *p == '\t') {
                        return false;
                } else {
                        word++;
                }
        }
}

int cfg_key_check(const struct gs_config_key *key, char *msg, size_t msg_len)
{
        if (!cfg_key_name_is_valid(key->name)) {
                snprintf(msg, msg_len, "key table: bad key name '%.*s' (use [a-z0-9_], at most "
                         "%d bytes)", CFG_MAX_KEY_NAME, key->name ? key->name : "",
                         CFG_MAX_KEY_NAME);
                return GS_E_CONFIG;
        }
        if (strcmp(key->name, CFG_PLUGIN_KEY) == 0) {
                snprintf(msg, msg_len, "key table: key '%s' is reserved for the core",
                         key->name);
                return GS_E_CONFIG;
        }
        if (!cfg_type_name(key->type)) {
                snprintf(msg, msg_len, "key table: key '%s' has unknown type %u", key->name,
                         (unsigned)key->type);
                return GS_E_CONFIG;
        }
        if (key->type == GS_CFG_ENUM && !choices_are_valid(key->choices)) {
                snprintf(msg, msg_len, "key table: enum key '%s' needs choices like 'a|b'",
                         key->name);
                return GS_E_CONFIG;
        }
        if (key->min > key->max) {
                snprintf(msg, msg_len, "key table: key '%s' has min %lld above max %lld",
                         key->name, (long long)key->min, (long long)key->max);
                return GS_E_CONFIG;
        }
        return 0;
}
