/*
 * token.h - API token secrets: generation, hashing (SHA-256 via OpenSSL's
 * libcrypto, a maintained implementation instead of hand-written crypto) and
 * constant-time comparison. Thread-safe.
 */
#ifndef GS_TOKEN_H
#define GS_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_SECRET_PREFIX "gst_"
#define TOKEN_SECRET_CHARS 40 /* base32: 200 random bits */
#define TOKEN_SECRET_MAX 64
#define TOKEN_ID_PREFIX "tok-"
#define TOKEN_ID_CHARS 12
#define TOKEN_ID_MAX 24
#define TOKEN_HASH_HEX 65 /* 64 hex digits + NUL */

/* A fresh secret "gst_<40 base32>" and a public id "tok-<12 base32>". */
int token_generate(char secret[TOKEN_SECRET_MAX], char id[TOKEN_ID_MAX]);
/* Lower-case hex SHA-256 of `secret`. 0 or GS_E_IO. */
int token_hash(const char *secret, char out[TOKEN_HASH_HEX]);
/* Constant-time equality of two NUL-terminated strings of equal length;
 * different lengths compare unequal without early exit on content. */
bool token_equal(const char *a, const char *b);

#endif /* GS_TOKEN_H */
