/* strbuf.c - growable string buffer. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb)
{
        memset(sb, 0, sizeof(*sb));
}

void strbuf_done(struct strbuf *sb)
{
        free(sb->data);
        strbuf_init(sb);
}

static bool grow(struct strbuf *sb, size_t extra)
{
        size_t need, cap;
        char *d;

        if (sb->failed)
                return false;
        if (extra > SIZE_MAX / 2 - sb->len) {
                sb->failed = true;
                return false;
        }
        need = sb->len + extra + 1;
        if (need <= sb->cap)
                return true;
        cap = sb->cap ? sb->cap : 256;
        while (cap < need)
                cap *= 2;
        d = realloc(sb->data, cap);
        if (!d) {
                sb->failed = true;
                return false;
        }
        sb->data = d;
        sb->cap = cap;
        return true;
}

void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
        if (!grow(sb, n))
                return;
        memcpy(sb->data + sb->len, s, n);
        sb->len += n;
        sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *s)
{
        strbuf_append(sb, s, strlen(s));
}

void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || !grow(sb, (size_t)n))
                return;
        va_start(ap, fmt);
        (void)vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        sb->len += (size_t)n;
}

char *strbuf_take(struct strbuf *sb, size_t *ret_len)
{
        char *d;

        if (sb->failed) {
                strbuf_done(sb);
                return NULL;
        }
        if (!sb->data && !grow(sb, 0))
                return NULL;
        d = sb->data;
        if (ret_len)
                *ret_len = sb->len;
        strbuf_init(sb);
        return d;
}
