/* json_text.c - escaping untrusted text into JSON string literals. */
#include "domain/json_text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* "\u0000" */
#define ESCAPE_MAX 6
static const char replacement[] = "\\ufffd";
static const char hex[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s, or 0 when s[0] starts none. */
static size_t utf8_seq(const unsigned char *s)
{
        unsigned char c = s[0];
        size_t n;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
        } else {
                return 0;
        }
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

/* The escape for one ASCII byte into esc; returns its length (1 = as is). */
static size_t escape_ascii(unsigned char c, char *esc)
{
        switch (c) {
        case '"':
                memcpy(esc, "\\\"", 2);
                return 2;
        case '\\':
                memcpy(esc, "\\\\", 2);
                return 2;
        case '\n':
                memcpy(esc, "\\n", 2);
                return 2;
        case '\r':
                memcpy(esc, "\\r", 2);
                return 2;
        case '\t':
                memcpy(esc, "\\t", 2);
                return 2;
        default:
                break;
        }
        if (c < 0x20) {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 0xf];
                return ESCAPE_MAX;
        }
        esc[0] = (char)c;
        return 1;
}

size_t json_text_quote(const char *s, char *out, size_t cap)
{
        const unsigned char *p = (const unsigned char *)s;
        char esc[ESCAPE_MAX];
        size_t need = 0, w = 0;
        bool fits;

        if (!s) {
                need = 4;
                if (out && cap > need)
                        memcpy(out, "null", need + 1);
                else if (out && cap > 0)
                        out[0] = '\0';
                return need;
        }
        /* Pass 1: measure. */
        need = 2;
        for (size_t i = 0; p[i];) {
                size_t n = utf8_seq(p + i);

                if (n == 0) {
                        need += sizeof(replacement) - 1;
                        i++;
                } else if (n == 1) {
                        need += escape_ascii(p[i], esc);
                        i++;
                } else {
                        need += n;
                        i += n;
                }
        }
        fits = out && cap > need;
        if (!fits) {
                if (out && cap > 0)
                        out[0] = '\0';
                return need;
        }
        /* Pass 2: write. */
        out[w++] = '"';
        for (size_t i = 0; p[i];) {
                size_t n = utf8_seq(p + i);

                if (n == 0) {
                        memcpy(out + w, replacement, sizeof(replacement) - 1);
                        w += sizeof(replacement) - 1;
                        i++;
                } else if (n == 1) {
                        size_t e = escape_ascii(p[i], esc);

                        memcpy(out + w, esc, e);
                        w += e;
                        i++;
                } else {
                        memcpy(out + w, p + i, n);
                        w += n;
                        i += n;
                }
        }
        out[w++] = '"';
        out[w] = '\0';
        return need;
}
