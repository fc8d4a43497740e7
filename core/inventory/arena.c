/* arena.c - block bump allocator for snapshot strings. */
#include "inventory/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
        struct arena_block *next;
        size_t size;
        alignas(max_align_t) unsigned char data[];
};

void arena_init(struct arena *a)
{
        memset(a, 0, sizeof(*a));
}

void arena_done(struct arena *a)
{
        struct arena_block *b, *next;

        if (!a)
                return;
        for (b = a->head; b; b = next) {
                next = b->next;
                free(b);
        }
        arena_init(a);
}

/* n bytes at an offset that is a multiple of align (a power of two). */
static void *bump(struct arena *a, size_t n, size_t align)
{
        struct arena_block *b;
        size_t off;
        void *p;

        if (n == 0)
                n = 1;
        off = a->head ? (a->used + align - 1) & ~(align - 1) : 0;
        if (!a->head || off > a->head->size || a->head->size - off < n) {
                size_t size = n > ARENA_BLOCK_BYTES ? n : ARENA_BLOCK_BYTES;

                if (size > SIZE_MAX - sizeof(*b))
                        return NULL;
                b = malloc(sizeof(*b) + size);
                if (!b)
                        return NULL;
                b->size = size;
                a->total += size;
                /* A big private block goes behind the head so the head's free
                 * space stays in use. */
                if (a->head && size > ARENA_BLOCK_BYTES) {
                        b->next = a->head->next;
                        a->head->next = b;
                        return b->data;
                }
                b->next = a->head;
                a->head = b;
                off = 0;
        }
        p = a->head->data + off;
        a->used = off + n;
        return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
        return bump(a, n, alignof(max_align_t));
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
        char *d = n < SIZE_MAX ? bump(a, n + 1, 1) : NULL;

        if (!d)
                return NULL;
        memcpy(d, s, n);
        d[n] = '\0';
        return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
        return arena_strndup(a, s, strlen(s));
}
