/*
 * strbuf.h - a growable NUL-terminated byte buffer with printf appends.
 * Not thread-safe; owned by its user. A failed allocation latches `failed`
 * and later appends are ignored, so callers check once at the end.
 */
#ifndef GS_STRBUF_H
#define GS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "gpushop/plugin.h"

struct strbuf {
        char *data;
        size_t len;
        size_t cap;
        bool failed;
};

void strbuf_init(struct strbuf *sb);
void strbuf_done(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_printf(struct strbuf *sb, const char *fmt, ...) GS_PRINTF(2, 3);
/* Hand over the buffer (caller frees); NULL when an append failed. */
char *strbuf_take(struct strbuf *sb, size_t *ret_len);

#endif /* GS_STRBUF_H */
