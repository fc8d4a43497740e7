/*
 * config_expand.h - ${VAR} expansion of INI values from the environment.
 *
 * "${NAME}" is replaced by the value of environment variable NAME
 * ([A-Za-z_][A-Za-z0-9_]*); "$$" is a literal '$'; a '$' before anything else
 * is kept as is. Messages name at most the variable, never the value or what
 * the variable holds. Reads the environment: main thread only.
 */
#ifndef GS_CONFIG_EXPAND_H
#define GS_CONFIG_EXPAND_H

#include <stddef.h>

#include "gpushop/plugin.h"

/* Longest variable name accepted inside ${...}. */
#define CFG_ENV_NAME_MAX 128
/* Longest value after expansion (bytes, without the NUL). */
#define CFG_VALUE_MAX (GS_STRING_MAX - 1)

/* 0 with *ret_value a malloc()ed copy; GS_E_CONFIG with the reason in `msg`;
 * GS_E_NOMEM. */
int cfg_expand(const char *value, char **ret_value, char *msg, size_t msg_len);

#endif /* GS_CONFIG_EXPAND_H */
