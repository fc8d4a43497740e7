/* url.c - percent-encoding for request paths and query strings. */
#include "url.h"

#include <stdbool.h>
#include <string.h>

#define HEX_DIGITS "0123456789ABCDEF"
#define NIBBLE_BITS 4
#define NIBBLE_MASK 0xfu

static bool is_unreserved(unsigned char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.' || c == '_' || c == '~';
}

void url_append_encoded(struct strbuf *sb, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                char enc[3];

                if (is_unreserved(*p)) {
                        strbuf_append(sb, (const char *)p, 1);
                        continue;
                }
                enc[0] = '%';
                enc[1] = HEX_DIGITS[*p >> NIBBLE_BITS];
                enc[2] = HEX_DIGITS[*p & NIBBLE_MASK];
                strbuf_append(sb, enc, sizeof(enc));
        }
}

void url_append_query(struct strbuf *sb, const char *name, const char *value)
{
        bool first = !sb->data || !memchr(sb->data, '?', sb->len);

        if (!value)
                return;
        strbuf_puts(sb, first ? "?" : "&");
        strbuf_puts(sb, name);
        strbuf_puts(sb, "=");
        url_append_encoded(sb, value);
}
