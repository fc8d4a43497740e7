/*
 * cost_totals.h - an accumulator of costs grouped by (provider, gpu_type),
 * with the grand totals: amount (micro-USD), billed milliseconds and
 * sessions. Merging a row for a group already present adds to it. Owned by
 * one thread; strings are copied.
 */
#ifndef GS_COST_TOTALS_H
#define GS_COST_TOTALS_H

#include <stddef.h>
#include <stdint.h>

/* Most (provider, gpu_type) groups one report may hold. */
#define COST_TOTALS_GROUPS_MAX 4096

struct cost_group {
        char *provider;
        char *gpu_type;
        int64_t amount_uusd;
        int64_t billed_ms;
        uint32_t session_count;
};

struct cost_totals {
        struct cost_group *groups; /* sorted by (provider, gpu_type) */
        size_t count;
        size_t cap;
        int64_t amount_uusd;
        int64_t billed_ms;
        uint32_t session_count;
};

void cost_totals_init(struct cost_totals *t);
void cost_totals_done(struct cost_totals *t);
/* Add one row; sessions are counted as given (a session belongs to one
 * group, so the sum over groups is the distinct count). 0, GS_E_NOMEM, or
 * GS_E_TOOBIG beyond COST_TOTALS_GROUPS_MAX. Sums saturate at INT64_MAX. */
int cost_totals_add(struct cost_totals *t, const char *provider, const char *gpu_type,
                    int64_t amount_uusd, int64_t billed_ms, uint32_t sessions);

/* A key -> amount view: by provider or by GPU type (sums over groups). */
struct cost_sum {
        const char *key; /* borrowed from the totals */
        int64_t amount_uusd;
};
/* Sums of t by provider (by_gpu false) or GPU type (true), sorted by key;
 * *ret_sums is malloc'd (free it), NULL with *ret_count 0 when t is empty.
 * 0 or GS_E_NOMEM. */
int cost_totals_sums(const struct cost_totals *t, int by_gpu, struct cost_sum **ret_sums,
                     size_t *ret_count);

#endif /* GS_COST_TOTALS_H */
