/*
 * offer_filter.h - the inventory query: parsing and validating the query
 * parameters of GET /api/v1/inventory, resolving them against the offers on
 * hand, matching, sorting and paging. Pure: libc only, no allocation.
 *
 * Three steps, each usable alone:
 *  1. offer_query_set() once per query parameter: strict validation (an
 *     unknown, repeated, empty, malformed, negative or out-of-range value is
 *     an error naming the parameter; nothing is silently ignored).
 *  2. offer_filter_compile() resolves names against the snapshot's tables:
 *     provider names to indexes (unknown -> error), canonical GPU models to
 *     the snapshot's type ids (unknown -> matches nothing).
 *  3. offer_filter_select() scans runs of keys pre-sorted with
 *     offer_keys_sort() (or, per GPU model, offer_keys_sort_by_type()) and
 *     returns one page plus the total number of matches.
 *
 * Matching rules (documented in docs/API.md):
 *  provider        comma list of instance names, case-insensitive
 *  gpu_type        comma list, each normalised with gpu_name_normalize(); an
 *                  offer matches one entry when the canonical models are equal
 *                  and, when the entry names them, the form factor and the
 *                  memory variant (per-GPU VRAM in GB) are equal too
 *  location        case-insensitive (ASCII) substring of the offer location
 *  min_vram        per-GPU VRAM in GB >= value
 *  max_price       whole-offer USD per hour <= value (0 matches only free)
 *  min_gpu_count   gpu_count >= value;  gpu_count: gpu_count == value
 *  min_reliability reliability >= value (0..1)
 *  min_cuda        CUDA version >= value (offers with unknown CUDA excluded)
 *  sort            price (default, ascending), price_per_gpu (ascending),
 *                  reliability (descending), vram_gb (descending)
 *  limit, offset   page size (1..OFFER_QUERY_LIMIT_MAX, default 100), skip
 * Offers not marked available are never listed.
 */
#ifndef GS_OFFER_FILTER_H
#define GS_OFFER_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/gpu_name.h"
#include "domain/offer.h"

#define OFFER_QUERY_LIMIT_DEFAULT 100
#define OFFER_QUERY_LIMIT_MAX 1000
#define OFFER_QUERY_OFFSET_MAX 100000000
/* Entries in the gpu_type and provider comma lists. */
#define OFFER_QUERY_GPU_TYPES_MAX 16
#define OFFER_QUERY_PROVIDERS_MAX 16
/* Longest provider instance name accepted (CORE_SCHEMA_MAX_INSTANCE_NAME). */
#define OFFER_QUERY_PROVIDER_NAME_MAX 32
#define OFFER_QUERY_LOCATION_MAX 128
/* Longest raw parameter value looked at; longer is an error. */
#define OFFER_QUERY_VALUE_MAX 512
/* Provider indexes fit a 64-bit mask (REGISTRY_MAX_PROVIDERS). */
#define OFFER_FILTER_PROVIDERS_MAX 64
/* Sizes of struct offer_query_error's fields. */
#define OFFER_QUERY_PARAM_MAX 32
#define OFFER_QUERY_MSG_MAX 256
/* Most bytes of a bad value quoted back in an error message. */
#define OFFER_QUERY_ECHO_MAX 48
/* type_id of a model no offer has. */
#define OFFER_TYPE_NONE UINT32_MAX

enum offer_sort {
        OFFER_SORT_PRICE,
        OFFER_SORT_PRICE_PER_GPU,
        OFFER_SORT_RELIABILITY,
        OFFER_SORT_VRAM,
        _OFFER_SORT_MAX,
        _OFFER_SORT_INVALID = -1,
};

enum offer_form {
        OFFER_FORM_ANY = 0, /* the name did not say */
        OFFER_FORM_PCIE,
        OFFER_FORM_SXM,
        OFFER_FORM_NVL,
};

/* Which parameters were given (duplicate detection). */
enum offer_param {
        OFFER_PARAM_PROVIDER,
        OFFER_PARAM_GPU_TYPE,
        OFFER_PARAM_LOCATION,
        OFFER_PARAM_MIN_VRAM,
        OFFER_PARAM_MAX_PRICE,
        OFFER_PARAM_MIN_GPU_COUNT,
        OFFER_PARAM_GPU_COUNT,
        OFFER_PARAM_MIN_RELIABILITY,
        OFFER_PARAM_MIN_CUDA,
        OFFER_PARAM_SORT,
        OFFER_PARAM_LIMIT,
        OFFER_PARAM_OFFSET,
        _OFFER_PARAM_MAX,
};

struct offer_query_error {
        char param[OFFER_QUERY_PARAM_MAX]; /* the parameter at fault */
        char msg[OFFER_QUERY_MSG_MAX];     /* one sentence naming it */
};

struct offer_query_gpu {
        char model[GPU_NAME_MODEL_MAX];
        uint8_t form; /* enum offer_form */
        uint32_t mem_gb;
};

/* A parsed, validated query. Initialise with offer_query_init(). */
struct offer_query {
        uint32_t given; /* 1u << enum offer_param */
        char providers[OFFER_QUERY_PROVIDERS_MAX][OFFER_QUERY_PROVIDER_NAME_MAX + 1];
        size_t provider_count;
        struct offer_query_gpu gpus[OFFER_QUERY_GPU_TYPES_MAX];
        size_t gpu_count_types;
        char location_lc[OFFER_QUERY_LOCATION_MAX + 1];
        uint32_t min_vram_gb;
        int64_t max_price_uusd; /* -1 = no limit */
        uint32_t min_gpu_count;
        uint32_t gpu_count; /* 0 = any */
        uint32_t min_reliability_ppm;
        uint32_t min_cuda_milli;
        enum offer_sort sort;
        uint32_t limit;
        uint64_t offset;
};

/* The hot fields of one offer, laid out for the filter scan (40 bytes: the
 * scan over every offer is bound by memory bandwidth). */
struct offer_key {
        int64_t price_uusd;
        uint32_t vram_gb;
        uint32_t gpu_count;
        uint32_t reliability_ppm;
        uint32_t cuda_milli;
        uint32_t type_id;       /* index of gpu_type in the caller's sorted type table */
        uint8_t provider_index; /* < OFFER_FILTER_PROVIDERS_MAX */
        uint8_t form;           /* enum offer_form */
        uint8_t available;
        const struct offer *offer; /* the rest: location, id, price per GPU, JSON */
};

/* A run of keys sorted in one order (e.g. all keys of one GPU model). */
struct offer_key_range {
        const struct offer_key *keys;
        size_t n;
};

struct offer_filter_gpu {
        uint32_t type_id;
        uint8_t form;
        uint32_t mem_gb;
};

/* A query resolved against one set of offers. */
struct offer_filter {
        uint64_t provider_mask; /* bit i = provider index i allowed */
        bool match_none;        /* a gpu_type list none of whose models exist */
        struct offer_filter_gpu gpus[OFFER_QUERY_GPU_TYPES_MAX];
        size_t gpu_count_types;  /* 0 = any GPU */
        const char *location_lc; /* borrowed from the query; NULL = any */
        uint32_t min_vram_gb;
        int64_t max_price_uusd;
        uint32_t min_gpu_count;
        uint32_t gpu_count;
        uint32_t min_reliability_ppm;
        uint32_t min_cuda_milli;
};

/* Defaults: no constraint, sort by price, limit OFFER_QUERY_LIMIT_DEFAULT. */
void offer_query_init(struct offer_query *q);
/*
 * Apply one query parameter (key and value as decoded from the URL; value
 * NULL for "?key" without '='). Returns 0, or GS_E_INVAL with *err naming
 * the parameter; q is unchanged on failure.
 */
int offer_query_set(struct offer_query *q, const char *key, const char *value,
                    struct offer_query_error *err);

/* "price" -> OFFER_SORT_PRICE ...; _OFFER_SORT_INVALID for anything else. */
enum offer_sort offer_sort_from_name(const char *name);
const char *offer_sort_name(enum offer_sort s);
/* "PCIe"/"SXM"/"NVL" (gpu_name's spellings) -> enum offer_form; else ANY. */
uint8_t offer_form_from_name(const char *form_factor);

/* Fill *ret_key from an offer (which must outlive the key). */
void offer_key_init(const struct offer *o, uint32_t type_id, uint8_t provider_index,
                    struct offer_key *ret_key);

/*
 * Resolve q against the offers on hand: `providers` are the instance names by
 * index (at most OFFER_FILTER_PROVIDERS_MAX), `types` the canonical models
 * sorted by strcmp (type_id = index). Returns 0 with *ret_filter filled, or
 * GS_E_INVAL with *err when a provider name is unknown. The filter borrows
 * q's location: keep q alive while using it.
 */
int offer_filter_compile(const struct offer_query *q, const char *const *providers,
                         size_t n_providers, const char *const *types, size_t n_types,
                         struct offer_filter *ret_filter, struct offer_query_error *err);

bool offer_filter_match(const struct offer_filter *f, const struct offer_key *k);

/* Total order of `s` (ties broken by price, then id). Negative, 0, positive. */
int offer_key_compare(enum offer_sort s, const struct offer_key *a, const struct offer_key *b);
void offer_keys_sort(struct offer_key *keys, size_t n, enum offer_sort s);
/* Sort by type_id first, then by `s`: each model's keys form one sorted run. */
void offer_keys_sort_by_type(struct offer_key *keys, size_t n, enum offer_sort s);

/*
 * The distinct type ids a filter with a gpu_type list can match, ascending,
 * into ids (room for OFFER_QUERY_GPU_TYPES_MAX). Returns their number; 0 when
 * the filter has no gpu_type list (every type matches) or matches nothing.
 */
size_t offer_filter_type_ids(const struct offer_filter *f, uint32_t *ids);

/*
 * Select one page from runs each sorted in order `s`: pointers to the
 * matches number offset .. offset+limit-1 of the runs merged in that order go
 * into page (room for `limit`). Returns the number of all matches;
 * *ret_count gets the page size.
 */
size_t offer_filter_select(const struct offer_filter *f, const struct offer_key_range *runs,
                           size_t n_runs, enum offer_sort s, uint64_t offset, uint32_t limit,
                           const struct offer_key **page, size_t *ret_count);

#endif /* GS_OFFER_FILTER_H */
