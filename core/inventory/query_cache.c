/* query_cache.c - per-view cache of query results, lock-striped. */
#include "inventory/query_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

/* Everything that decides a result, with no pointers and zeroed padding so
 * keys compare with memcmp. */
struct qc_key {
        uint64_t provider_mask;
        uint64_t offset;
        int64_t max_price_uusd;
        struct offer_filter_gpu gpus[OFFER_QUERY_GPU_TYPES_MAX];
        uint32_t gpu_count_types;
        uint32_t min_vram_gb;
        uint32_t min_gpu_count;
        uint32_t gpu_count;
        uint32_t min_reliability_ppm;
        uint32_t min_cuda_milli;
        uint32_t limit;
        int32_t sort;
        uint8_t match_none;
        char location_lc[OFFER_QUERY_LOCATION_MAX + 1];
};

struct qc_entry {
        bool used;
        uint64_t hash;
        struct qc_key key;
        size_t count;
        size_t total;
        const struct offer_key **page; /* [count] */
};

struct qc_stripe {
        pthread_rwlock_t lock; /* readers share it: hits never wait for each other */
        unsigned next;         /* round-robin victim, under the write lock */
        struct qc_entry e[QUERY_CACHE_WAYS];
};

struct query_cache {
        struct qc_stripe s[QUERY_CACHE_STRIPES];
};

static void make_key(const struct offer_filter *f, enum offer_sort s, uint64_t offset,
                     uint32_t limit, struct qc_key *k, uint64_t *ret_hash)
{
        const unsigned char *p = (const unsigned char *)k;
        uint64_t h = FNV_OFFSET;

        memset(k, 0, sizeof(*k));
        k->provider_mask = f->provider_mask;
        k->offset = offset;
        k->max_price_uusd = f->max_price_uusd;
        for (size_t i = 0; i < f->gpu_count_types && i < OFFER_QUERY_GPU_TYPES_MAX; i++) {
                k->gpus[i].type_id = f->gpus[i].type_id;
                k->gpus[i].form = f->gpus[i].form;
                k->gpus[i].mem_gb = f->gpus[i].mem_gb;
        }
        k->gpu_count_types = (uint32_t)f->gpu_count_types;
        k->min_vram_gb = f->min_vram_gb;
        k->min_gpu_count = f->min_gpu_count;
        k->gpu_count = f->gpu_count;
        k->min_reliability_ppm = f->min_reliability_ppm;
        k->min_cuda_milli = f->min_cuda_milli;
        k->limit = limit;
        k->sort = (int32_t)s;
        k->match_none = f->match_none ? 1 : 0;
        if (f->location_lc)
                strncpy(k->location_lc, f->location_lc, OFFER_QUERY_LOCATION_MAX);
        for (size_t i = 0; i < sizeof(*k); i++)
                h = (h ^ p[i]) * FNV_PRIME;
        *ret_hash = h;
}

struct query_cache *query_cache_new(void)
{
        struct query_cache *c = calloc(1, sizeof(*c));
        size_t i;

        if (!c)
                return NULL;
        for (i = 0; i < QUERY_CACHE_STRIPES; i++)
                if (pthread_rwlock_init(&c->s[i].lock, NULL) != 0)
                        goto fail;
        return c;
fail:
        while (i-- > 0)
                pthread_rwlock_destroy(&c->s[i].lock);
        free(c);
        return NULL;
}

void query_cache_free(struct query_cache *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < QUERY_CACHE_STRIPES; i++) {
                for (size_t j = 0; j < QUERY_CACHE_WAYS; j++)
                        free(c->s[i].e[j].page);
                pthread_rwlock_destroy(&c->s[i].lock);
        }
        free(c);
}

bool query_cache_get(struct query_cache *c, const struct offer_filter *f, enum offer_sort s,
                     uint64_t offset, uint32_t limit, const struct offer_key **page,
                     size_t *ret_count, size_t *ret_total)
{
        struct qc_key k;
        struct qc_stripe *st;
        uint64_t h;
        bool hit = false;

        if (!c)
                return false;
        make_key(f, s, offset, limit, &k, &h);
        st = &c->s[h % QUERY_CACHE_STRIPES];
        pthread_rwlock_rdlock(&st->lock);
        for (size_t j = 0; j < QUERY_CACHE_WAYS; j++) {
                struct qc_entry *e = &st->e[j];

                if (!e->used || e->hash != h || memcmp(&e->key, &k, sizeof(k)) != 0)
                        continue;
                if (e->count)
                        memcpy(page, e->page, e->count * sizeof(*page));
                *ret_count = e->count;
                *ret_total = e->total;
                hit = true;
                break;
        }
        pthread_rwlock_unlock(&st->lock);
        return hit;
}

void query_cache_put(struct query_cache *c, const struct offer_filter *f, enum offer_sort s,
                     uint64_t offset, uint32_t limit, const struct offer_key *const *page,
                     size_t count, size_t total)
{
        const struct offer_key **copy = NULL;
        struct qc_stripe *st;
        struct qc_entry *e;
        struct qc_key k;
        uint64_t h;

        if (!c)
                return;
        if (count) {
                copy = malloc(count * sizeof(*copy));
                if (!copy)
                        return;
                memcpy(copy, page, count * sizeof(*copy));
        }
        make_key(f, s, offset, limit, &k, &h);
        st = &c->s[h % QUERY_CACHE_STRIPES];
        pthread_rwlock_wrlock(&st->lock);
        for (size_t j = 0; j < QUERY_CACHE_WAYS; j++) {
                e = &st->e[j];
                if (e->used && e->hash == h && memcmp(&e->key, &k, sizeof(k)) == 0) {
                        /* another thread got there first */
                        pthread_rwlock_unlock(&st->lock);
                        free(copy);
                        return;
                }
        }
        e = &st->e[st->next];
        st->next = (st->next + 1) % QUERY_CACHE_WAYS;
        free(e->page);
        e->used = true;
        e->hash = h;
        memcpy(&e->key, &k, sizeof(k));
        e->count = count;
        e->total = total;
        e->page = copy;
        pthread_rwlock_unlock(&st->lock);
}
