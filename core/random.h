/*
 * random.h - cryptographic randomness from the kernel (getrandom) and the
 * identifiers built from it. Thread-safe.
 */
#ifndef GS_RANDOM_H
#define GS_RANDOM_H

#include <stddef.h>

/* Fill buf with len random bytes; 0 or GS_E_IO. */
int random_bytes(void *buf, size_t len);
/* Write prefix + n lower-case base32 characters (a-z2-7) + NUL into out
 * (out_len >= strlen(prefix) + n + 1). 0, GS_E_IO or GS_E_INVAL. */
int random_id(const char *prefix, size_t n, char *out, size_t out_len);

#endif /* GS_RANDOM_H */
