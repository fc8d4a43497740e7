/*
 * json_text.h - JSON string literals from untrusted C strings, for the
 * hand-built fast JSON of the inventory. Quotes, backslashes and control
 * characters are escaped; valid UTF-8 passes through; every byte that is not
 * part of a valid UTF-8 sequence becomes \ufffd, so the output is always
 * valid JSON whatever a provider sent. Pure and thread-safe.
 */
#ifndef GS_JSON_TEXT_H
#define GS_JSON_TEXT_H

#include <stddef.h>

/*
 * Write `s` as a quoted JSON string into out (cap bytes, NUL included).
 * Returns the length the quoted text needs, NUL excluded. When that does not
 * fit in cap, nothing but an empty string is written (out may be NULL with
 * cap 0 to measure). s == NULL is written as the literal null.
 */
size_t json_text_quote(const char *s, char *out, size_t cap);

#endif /* GS_JSON_TEXT_H */
