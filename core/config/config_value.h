/*
 * config_value.h - checks one value's text against its declared key and
 * produces the typed value or the user-facing reason it is wrong.
 */
#ifndef GS_CONFIG_VALUE_H
#define GS_CONFIG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpushop/plugin.h"

/* Longest piece of a value quoted in a message; longer ones end in "...". */
#define CFG_QUOTE_MAX 80
/* Room for a message about one value. */
#define CFG_VALUE_MSG_MAX 512

struct cfg_parsed {
        int64_t num;      /* INT, DURATION_MS, PRICE_UUSD; BOOL as 0/1 */
        const char *word; /* ENUM: the matching choice inside key->choices */
        size_t word_len;
};

/*
 * 0 with *ret filled, or GS_E_CONFIG with the reason in `msg`, e.g.
 * "'abc' is not an integer" or "port 0 out of range 1..65535". The text of a
 * GS_CFG_SECRET key never appears: "value of secret key 'api_key' is ...".
 */
int cfg_value_parse(const struct gs_config_key *key, const char *text, struct cfg_parsed *ret,
                    char *msg, size_t msg_len);
/* "1..65535", "100..60000 ms", "0.1..2 USD"; false (buf empty) when unbounded
 * or the type has no range. */
bool cfg_value_format_range(const struct gs_config_key *key, char *buf, size_t len);

#endif /* GS_CONFIG_VALUE_H */
