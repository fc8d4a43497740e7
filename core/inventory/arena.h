/*
 * arena.h - a bump allocator for the many small immutable strings of one
 * inventory snapshot: one free() per block instead of one per string, and
 * the strings of one snapshot packed together. Not thread-safe; owned by the
 * snapshot builder, then read-only.
 */
#ifndef GS_ARENA_H
#define GS_ARENA_H

#include <stddef.h>

/* Default block size; larger requests get a block of their own. */
#define ARENA_BLOCK_BYTES (64u * 1024u)

struct arena_block;

struct arena {
        struct arena_block *head;
        size_t used;  /* bytes used in head */
        size_t total; /* bytes allocated in all blocks */
};

void arena_init(struct arena *a);
/* Free every block; the arena is empty again. NULL-safe. */
void arena_done(struct arena *a);
/* n bytes aligned for any object, or NULL (OOM). */
void *arena_alloc(struct arena *a, size_t n);
/* Copies of s / of n bytes of s plus a NUL, or NULL (OOM). */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif /* GS_ARENA_H */
