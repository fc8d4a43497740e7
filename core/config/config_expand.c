/* config_expand.c - expands ${VAR} and $$ in configuration values. */
#include "gpushop/plugin.h"

#include "config/config_expand.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_name_start(char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
        return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Append `len` bytes to out[*used]; false when the result would be too long. */
static bool append(char *out, size_t *used, const char *s, size_t len)
{
        if (len > CFG_VALUE_MAX - *used)
                return false;
        memcpy(out + *used, s, len);
        *used += len;
        return true;
}

int cfg_expand(const char *value, char **ret_value, char *msg, size_t msg_len)
{
        char out[CFG_VALUE_MAX + 1];
        char name[CFG_ENV_NAME_MAX + 1];
        const char *p = value;
        size_t used = 0;
        char *copy;

        if (!value || !ret_value)
                return GS_E_INVAL;
        while (*p) {
                const char *dollar = strchr(p, '$');
                const char *env;
                size_t n;

                if (!dollar) {
                        if (!append(out, &used, p, strlen(p)))
                                goto too_long;
                        break;
                }
                if (!append(out, &used, p, (size_t)(dollar - p)))
                        goto too_long;
                p = dollar;
                if (p[1] == '$' || p[1] != '{') {
                        /* "$$" is one '$'; a lone '$' stays. */
                        if (!append(out, &used, "$", 1))
                                goto too_long;
                        p += p[1] == '$' ? 2 : 1;
                        continue;
                }
                p += 2;
                for (n = 0; is_name_char(p[n]); n++)
                        ;
                if (p[n] != '}') {
                        snprintf(msg, msg_len, "%s",
                                 strchr(p, '}') ? "bad environment variable name in '${...}'"
                                                : "unterminated '${' (write '$$' for a literal "
                                                  "'$')");
                        return GS_E_CONFIG;
                }
                if (n == 0 || !is_name_start(p[0]) || n > CFG_ENV_NAME_MAX) {
                        snprintf(msg, msg_len, "bad environment variable name in '${...}'");
                        return GS_E_CONFIG;
                }
                memcpy(name, p, n);
                name[n] = '\0';
                env = getenv(name);
                if (!env) {
                        snprintf(msg, msg_len, "environment variable '%s' is not set", name);
                        return GS_E_CONFIG;
                }
                if (!append(out, &used, env, strlen(env)))
                        goto too_long;
                p += n + 1;
        }
        out[used] = '\0';
        copy = strdup(out);
        if (!copy)
                return GS_E_NOMEM;
        *ret_value = copy;
        return 0;
too_long:
        snprintf(msg, msg_len, "value is longer than %d bytes after expanding variables",
                 CFG_VALUE_MAX);
        return GS_E_CONFIG;
}
