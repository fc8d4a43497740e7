/*
 * fuzz.h - what every fuzz target defines and what they share.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput(); it is linked either
 * with libFuzzer (clang, GS_FUZZ=ON) or with fuzz_main.c (every build), which
 * replays a corpus directory. A target signals a finding by crashing: a
 * sanitizer report or abort() from fuzz_check().
 */
#ifndef GS_FUZZ_H
#define GS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() with a message when an invariant of the code under test is broken. */
#define fuzz_check(cond)                                                                           \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
                                #cond);                                                            \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* A message buffer of `size` bytes holds a NUL-terminated, printable-ASCII text. */
static inline void fuzz_check_text(const char *s, size_t size)
{
        const char *end = memchr(s, '\0', size);

        fuzz_check(end != NULL);
        for (const char *p = s; p < end; p++)
                fuzz_check(*p >= 0x20 && *p < 0x7f);
}

/* Read every byte of an optional string (so ASan sees a bad pointer); its length. */
static inline size_t fuzz_touch(const char *s)
{
        return s ? strlen(s) : 0;
}

/* A NUL-terminated heap copy of the input (NULL when out of memory). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (s) {
                if (size)
                        memcpy(s, data, size);
                s[size] = '\0';
        }
        return s;
}

#endif /* GS_FUZZ_H */
