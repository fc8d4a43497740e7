/* session_id.c - syntax checks for session ids and consumer ids. */
#include "domain/session_id.h"

#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(SESSION_ID_PREFIX) - 1 == SESSION_ID_PREFIX_LEN, "prefix length");
_Static_assert(SESSION_ID_RANDOM_CHARS <= SESSION_ID_SUFFIX_MAX, "generated ids must validate");

/* Locale-independent character classes. */
static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_consumer_char(char c)
{
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == ':' ||
               c == '-';
}

bool session_id_is_valid(const char *id)
{
        size_t n = 0;

        if (!id || strncmp(id, SESSION_ID_PREFIX, SESSION_ID_PREFIX_LEN) != 0)
                return false;
        for (const char *p = id + SESSION_ID_PREFIX_LEN; *p; p++) {
                if (!is_lower_alnum(*p) || ++n > SESSION_ID_SUFFIX_MAX)
                        return false;
        }
        return n > 0;
}

bool session_id_is_valid_consumer(const char *consumer_id)
{
        size_t n = 0;

        if (!consumer_id)
                return false;
        for (const char *p = consumer_id; *p; p++) {
                if (!is_consumer_char(*p) || ++n > CONSUMER_ID_MAX)
                        return false;
        }
        return n > 0;
}
