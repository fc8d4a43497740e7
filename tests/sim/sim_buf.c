/* Growable text buffers and reference-counted immutable blobs (shared listing caches). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_BUF_MIN 256

void sim_buf_init(struct sim_buf *b)
{
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
        b->oom = false;
}

void sim_buf_done(struct sim_buf *b)
{
        free(b->data);
        sim_buf_init(b);
}

int sim_buf_reserve(struct sim_buf *b, size_t extra)
{
        size_t need, cap;
        char *p;

        if (b->oom)
                return -1;
        need = b->len + extra + 1;
        if (need <= b->cap)
                return 0;
        cap = b->cap ? b->cap : SIM_BUF_MIN;
        while (cap < need)
                cap *= 2;
        p = realloc(b->data, cap);
        if (!p) {
                b->oom = true;
                return -1;
        }
        b->data = p;
        b->cap = cap;
        return 0;
}

int sim_buf_append(struct sim_buf *b, const char *s, size_t n)
{
        if (sim_buf_reserve(b, n) < 0)
                return -1;
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

int sim_buf_puts(struct sim_buf *b, const char *s)
{
        return sim_buf_append(b, s, strlen(s));
}

int sim_buf_printf(struct sim_buf *b, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (sim_buf_reserve(b, 64) < 0)
                return -1;
        va_start(ap, fmt);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -1;
        if ((size_t)n >= b->cap - b->len) {
                if (sim_buf_reserve(b, (size_t)n) < 0)
                        return -1;
                va_start(ap, fmt);
                n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
                va_end(ap);
                if (n < 0)
                        return -1;
        }
        b->len += (size_t)n;
        return 0;
}

int sim_buf_json_str(struct sim_buf *b, const char *s)
{
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p;
        int r = 0;

        r |= sim_buf_append(b, "\"", 1);
        for (p = (const unsigned char *)s; *p; p++) {
                char esc[7] = "\\u00";

                if (*p == '"' || *p == '\\') {
                        esc[1] = (char)*p;
                        r |= sim_buf_append(b, esc, 2);
                } else if (*p < 0x20) {
                        esc[4] = hex[*p >> 4];
                        esc[5] = hex[*p & 15];
                        r |= sim_buf_append(b, esc, 6);
                } else {
                        r |= sim_buf_append(b, (const char *)p, 1);
                }
        }
        r |= sim_buf_append(b, "\"", 1);
        return r ? -1 : 0;
}

/* Prices are multiples of 100 micro-USD; print them with four decimals like the providers. */
int sim_buf_money(struct sim_buf *b, uint64_t uusd)
{
        uint64_t tenk = (uusd + 50) / 100;

        return sim_buf_printf(b, "%llu.%04llu", (unsigned long long)(tenk / 10000),
                              (unsigned long long)(tenk % 10000));
}

char *sim_buf_steal(struct sim_buf *b, size_t *ret_len)
{
        char *p;

        if (b->oom || sim_buf_reserve(b, 0) < 0) {
                sim_buf_done(b);
                return NULL;
        }
        p = b->data;
        if (ret_len)
                *ret_len = b->len;
        sim_buf_init(b);
        return p;
}

struct sim_blob *sim_blob_from_buf(struct sim_buf *b)
{
        struct sim_blob *blob = NULL;

        if (b->oom)
                goto out;
        blob = malloc(sizeof(*blob) + b->len + 1);
        if (!blob)
                goto out;
        atomic_init(&blob->refs, 1);
        blob->len = b->len;
        if (b->len)
                memcpy(blob->data, b->data, b->len);
        blob->data[b->len] = '\0';
out:
        sim_buf_done(b);
        return blob;
}

struct sim_blob *sim_blob_ref(struct sim_blob *blob)
{
        if (blob)
                atomic_fetch_add(&blob->refs, 1);
        return blob;
}

void sim_blob_unref(struct sim_blob *blob)
{
        if (blob && atomic_fetch_sub(&blob->refs, 1) == 1)
                free(blob);
}
