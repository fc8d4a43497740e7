/*
 * query_cache.h - the results of recent queries against one immutable view:
 * the page (pointers into the view's keys) and the total, keyed by the
 * resolved filter, sort, offset and limit. A view never changes, so an entry
 * is valid for the view's whole life and the cache dies with the view; a
 * repeated query costs a hash and a copy instead of a scan. Ages are not
 * cached: they are computed per request from the offers.
 *
 * Thread-safe: read-write locks striped by key hash; a hit holds a read lock
 * for one lookup and a copy of at most `limit` pointers.
 */
#ifndef GS_QUERY_CACHE_H
#define GS_QUERY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/offer_filter.h"

/* Lock stripes and entries per stripe: 64 cached queries per view. */
#define QUERY_CACHE_STRIPES 8
#define QUERY_CACHE_WAYS 8

struct query_cache;

/* NULL = OOM. */
struct query_cache *query_cache_new(void);
/* NULL-safe. */
void query_cache_free(struct query_cache *c);

/* On a hit, copy the page into page (room for `limit`), set *ret_count and
 * *ret_total and return true. */
bool query_cache_get(struct query_cache *c, const struct offer_filter *f, enum offer_sort s,
                     uint64_t offset, uint32_t limit, const struct offer_key **page,
                     size_t *ret_count, size_t *ret_total);
/* Remember a result (best effort: silently skipped on OOM). */
void query_cache_put(struct query_cache *c, const struct offer_filter *f, enum offer_sort s,
                     uint64_t offset, uint32_t limit, const struct offer_key *const *page,
                     size_t count, size_t total);

#endif /* GS_QUERY_CACHE_H */
