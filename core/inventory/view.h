/*
 * view.h - what a request reads: the current snapshot of every provider
 * instance merged into one immutable, reference-counted view, with the
 * filter keys pre-sorted in each sort order and the canonical GPU models
 * interned. A view is built on a poller thread whenever a snapshot changes
 * and is read concurrently by any number of HTTP threads.
 */
#ifndef GS_VIEW_H
#define GS_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "domain/offer_filter.h"
#include "inventory/query_cache.h"
#include "inventory/snapshot.h"

struct view {
        unsigned refs;                /* atomic */
        size_t n_providers;           /* <= OFFER_FILTER_PROVIDERS_MAX */
        const char *const *providers; /* instance names by index (borrowed, immutable) */
        struct snapshot **snaps;      /* [n_providers], NULL = none yet; one ref each */
        const char **types;           /* canonical models, sorted by strcmp */
        size_t n_types;
        struct offer_key *keys[_OFFER_SORT_MAX]; /* every offer, sorted per order */
        size_t n_keys;
        /* The same keys grouped by type_id, each group sorted per order: a
         * gpu_type query scans only its models' runs. Run of type t in
         * by_type[s] = [type_start[t], type_start[t + 1]). */
        struct offer_key *by_type[_OFFER_SORT_MAX];
        size_t *type_start;        /* [n_types + 1] */
        struct query_cache *cache; /* results of recent queries; NULL = none */
};

/* The runs a filter needs in order `s` into runs (room for
 * OFFER_QUERY_GPU_TYPES_MAX); returns their number. */
size_t view_runs(const struct view *v, const struct offer_filter *f, enum offer_sort s,
                 struct offer_key_range *runs);
/*
 * One page of the offers matching f in order s (offer_filter_select() over
 * view_runs(), through the view's query cache). page needs room for limit
 * pointers, valid while the caller holds the view. Returns the total.
 */
size_t view_select(const struct view *v, const struct offer_filter *f, enum offer_sort s,
                   uint64_t offset, uint32_t limit, const struct offer_key **page,
                   size_t *ret_count);

/*
 * Build a view over snaps[0..n_providers) (NULL entries allowed); takes a
 * reference on each snapshot it keeps. `providers` must outlive the view.
 * Returns 0 with *ret_view holding one reference, or GS_E_NOMEM / GS_E_INVAL.
 */
int view_build(const char *const *providers, struct snapshot *const *snaps, size_t n_providers,
               struct view **ret_view);
struct view *view_ref(struct view *v);
/* NULL-safe; returns NULL. */
struct view *view_unref(struct view *v);

/* The offer with public id "<instance>-<provider id>" (instance name matched
 * case-insensitively), or NULL. Valid while the caller holds the view. */
const struct offer *view_find(const struct view *v, const char *id);

#endif /* GS_VIEW_H */
