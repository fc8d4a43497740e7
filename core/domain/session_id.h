/*
 * session_id.h - the syntax of session ids and consumer ids, checked before
 * either reaches storage, a log line or a provider label.
 *
 * Session id: "sess-" + SESSION_ID_RANDOM_CHARS lower-case base32 characters
 * when we generate it (random_id(SESSION_ID_PREFIX, SESSION_ID_RANDOM_CHARS,
 * ...)); accepted on input as "sess-" + 1..SESSION_ID_SUFFIX_MAX of [a-z0-9],
 * so a well-formed id we never issued is a 404, not a 400.
 * Consumer id: 1..CONSUMER_ID_MAX characters of [A-Za-z0-9._:-].
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_SESSION_ID_H
#define GS_SESSION_ID_H

#include <stdbool.h>

#define SESSION_ID_PREFIX "sess-"
#define SESSION_ID_PREFIX_LEN 5
/* Characters we generate after the prefix (80 random bits). */
#define SESSION_ID_RANDOM_CHARS 16
/* Longest suffix accepted on input. */
#define SESSION_ID_SUFFIX_MAX 64
/* Buffer size for any valid session id, NUL included. */
#define SESSION_ID_SIZE (SESSION_ID_PREFIX_LEN + SESSION_ID_SUFFIX_MAX + 1)
#define CONSUMER_ID_MAX 128

/* "sess-" followed by 1..SESSION_ID_SUFFIX_MAX of [a-z0-9]; false for NULL. */
bool session_id_is_valid(const char *id);
/* 1..CONSUMER_ID_MAX of [A-Za-z0-9._:-]; false for NULL. */
bool session_id_is_valid_consumer(const char *consumer_id);

#endif /* GS_SESSION_ID_H */
