/*
 * session_retry.h - which offer auto_retry may fall back to when the chosen
 * one is gone at the provider: the same canonical GPU model, at least as
 * many GPUs, a price no higher than the original times a configured ratio,
 * available, and not tried before by this request.
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_SESSION_RETRY_H
#define GS_SESSION_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/offer.h"

/* Percent base of the price ratio (120 = 1.2 x). */
#define SESSION_RETRY_PCT_BASE 100
/* Most fallback attempts any configuration may allow. */
#define SESSION_RETRY_ATTEMPTS_LIMIT 10

/* What a fallback offer must match. */
struct session_retry_want {
        const char *gpu_type;   /* canonical model of the original offer */
        uint32_t min_gpu_count; /* the original's gpu_count */
        int64_t max_price_uusd; /* session_retry_price_cap() */
};

/* price * max_price_pct / 100, rounded down, saturating at INT64_MAX. */
int64_t session_retry_price_cap(int64_t price_uusd, uint32_t max_price_pct);
/* id is one of tried[0..n). */
bool session_retry_was_tried(const char *const *tried, size_t n, const char *id);
/* The candidate is comparable (ignores the tried list). */
bool session_retry_is_comparable(const struct session_retry_want *want,
                                 const struct offer *candidate);

#endif /* GS_SESSION_RETRY_H */
