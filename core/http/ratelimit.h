/*
 * ratelimit.h - per-client token buckets (one per client address) for the
 * API's request rate limit. Fixed memory: RATELIMIT_SLOTS buckets; clients
 * hashing to a busy slot evict it when it has been idle longest, so a flood
 * of distinct addresses cannot grow memory. Thread-safe (one mutex; the
 * critical section is a few arithmetic operations).
 */
#ifndef GS_HTTP_RATELIMIT_H
#define GS_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 4096
#define RATELIMIT_KEY_MAX 48 /* textual IPv6 address + NUL */

struct ratelimit;

/* rate_per_s == 0 disables limiting (ratelimit_take always allows). */
struct ratelimit *ratelimit_new(uint32_t rate_per_s, uint32_t burst);
void ratelimit_free(struct ratelimit *rl);

/* Take one token for `client` at monotonic time now_ms. Returns true when
 * allowed; otherwise false with *ret_retry_after_s set (>= 1). */
bool ratelimit_take(struct ratelimit *rl, const char *client, int64_t now_ms,
                    int64_t *ret_retry_after_s);

#endif /* GS_HTTP_RATELIMIT_H */
