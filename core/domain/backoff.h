/*
 * backoff.h - the retry delay of a rate governor: exponential backoff after
 * consecutive failures, never shorter than the provider's Retry-After, never
 * longer than the configured cap. Pure and thread-safe.
 */
#ifndef GS_BACKOFF_H
#define GS_BACKOFF_H

#include <stdint.h>

struct backoff_policy {
        int64_t initial_ms; /* delay after the first failure, > 0 */
        int64_t max_ms;     /* cap on every delay, >= initial_ms */
};

/*
 * Delay before the next attempt after `failures` consecutive failures:
 * 0 when failures is 0; otherwise initial_ms * 2^(failures - 1), raised to
 * retry_after_s seconds when that is >= 0 (the provider's Retry-After), and
 * capped at max_ms. Never overflows.
 */
int64_t backoff_delay_ms(const struct backoff_policy *p, uint32_t failures, int64_t retry_after_s);

#endif /* GS_BACKOFF_H */
