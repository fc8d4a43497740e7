/* view.c - the merged, pre-sorted, reference-counted inventory view. */
#include "inventory/view.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gpushop/status.h"

struct view *view_ref(struct view *v)
{
        if (v)
                __atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
        return v;
}

static void view_free(struct view *v)
{
        if (!v)
                return;
        for (size_t i = 0; v->snaps && i < v->n_providers; i++)
                snapshot_unref(v->snaps[i]);
        free(v->snaps);
        free(v->types);
        for (int s = 0; s < _OFFER_SORT_MAX; s++) {
                free(v->keys[s]);
                free(v->by_type[s]);
        }
        free(v->type_start);
        query_cache_free(v->cache);
        free(v);
}

struct view *view_unref(struct view *v)
{
        if (v && __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0)
                view_free(v);
        return NULL;
}

static int cmp_cstr(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted unique canonical models of every offer. */
static int intern_types(struct view *v)
{
        size_t n = 0, u = 0;

        if (v->n_keys == 0)
                return 0;
        v->types = malloc(v->n_keys * sizeof(*v->types));
        if (!v->types)
                return GS_E_NOMEM;
        for (size_t i = 0; i < v->n_providers; i++)
                for (size_t j = 0; v->snaps[i] && j < v->snaps[i]->count; j++)
                        v->types[n++] = v->snaps[i]->offers[j].gpu_type;
        qsort(v->types, n, sizeof(*v->types), cmp_cstr);
        for (size_t i = 0; i < n; i++)
                if (u == 0 || strcmp(v->types[u - 1], v->types[i]) != 0)
                        v->types[u++] = v->types[i];
        v->n_types = u;
        return 0;
}

int view_build(const char *const *providers, struct snapshot *const *snaps, size_t n_providers,
               struct view **ret_view)
{
        struct view *v;
        size_t k = 0;
        int r = GS_E_NOMEM;

        if (n_providers > OFFER_FILTER_PROVIDERS_MAX || (n_providers && (!providers || !snaps)))
                return GS_E_INVAL;
        v = calloc(1, sizeof(*v));
        if (!v)
                return GS_E_NOMEM;
        v->refs = 1;
        v->providers = providers;
        v->n_providers = n_providers;
        v->snaps = calloc(n_providers ? n_providers : 1, sizeof(*v->snaps));
        if (!v->snaps)
                goto fail;
        for (size_t i = 0; i < n_providers; i++) {
                v->snaps[i] = snapshot_ref(snaps[i]);
                v->n_keys += snaps[i] ? snaps[i]->count : 0;
        }
        /* Without a cache every query scans: slower, still correct. */
        v->cache = query_cache_new();
        r = intern_types(v);
        if (r < 0)
                goto fail;
        r = GS_E_NOMEM;
        for (int s = 0; s < _OFFER_SORT_MAX; s++) {
                v->keys[s] = malloc((v->n_keys ? v->n_keys : 1) * sizeof(struct offer_key));
                v->by_type[s] = malloc((v->n_keys ? v->n_keys : 1) * sizeof(struct offer_key));
                if (!v->keys[s] || !v->by_type[s])
                        goto fail;
        }
        v->type_start = calloc(v->n_types + 1, sizeof(*v->type_start));
        if (!v->type_start)
                goto fail;
        for (size_t i = 0; i < n_providers; i++) {
                for (size_t j = 0; v->snaps[i] && j < v->snaps[i]->count; j++) {
                        const struct offer *o = &v->snaps[i]->offers[j];
                        const char **t = bsearch(&o->gpu_type, v->types, v->n_types,
                                                 sizeof(*v->types), cmp_cstr);

                        offer_key_init(o, t ? (uint32_t)(t - v->types) : OFFER_TYPE_NONE,
                                       (uint8_t)i, &v->keys[0][k++]);
                }
        }
        for (int s = 0; s < _OFFER_SORT_MAX; s++) {
                if (s > 0)
                        memcpy(v->keys[s], v->keys[0], v->n_keys * sizeof(struct offer_key));
                memcpy(v->by_type[s], v->keys[0], v->n_keys * sizeof(struct offer_key));
        }
        for (int s = 0; s < _OFFER_SORT_MAX; s++) {
                offer_keys_sort(v->keys[s], v->n_keys, (enum offer_sort)s);
                offer_keys_sort_by_type(v->by_type[s], v->n_keys, (enum offer_sort)s);
        }
        /* Every offer has an interned type, so the groups cover all keys. */
        for (size_t i = 0; i < v->n_keys; i++)
                if (v->by_type[0][i].type_id < v->n_types)
                        v->type_start[v->by_type[0][i].type_id + 1]++;
        for (size_t t = 0; t < v->n_types; t++)
                v->type_start[t + 1] += v->type_start[t];
        *ret_view = v;
        return 0;
fail:
        view_free(v);
        return r;
}

size_t view_runs(const struct view *v, const struct offer_filter *f, enum offer_sort s,
                 struct offer_key_range *runs)
{
        uint32_t ids[OFFER_QUERY_GPU_TYPES_MAX];
        size_t n;

        if (s < 0 || s >= _OFFER_SORT_MAX || f->match_none)
                return 0;
        if (f->gpu_count_types == 0) {
                runs[0] = (struct offer_key_range){.keys = v->keys[s], .n = v->n_keys};
                return 1;
        }
        n = offer_filter_type_ids(f, ids);
        for (size_t i = 0; i < n; i++) {
                size_t a = v->type_start[ids[i]], b = v->type_start[ids[i] + 1];

                runs[i] = (struct offer_key_range){.keys = v->by_type[s] + a, .n = b - a};
        }
        return n;
}

size_t view_select(const struct view *v, const struct offer_filter *f, enum offer_sort s,
                   uint64_t offset, uint32_t limit, const struct offer_key **page,
                   size_t *ret_count)
{
        struct offer_key_range runs[OFFER_QUERY_GPU_TYPES_MAX];
        size_t total, n;

        if (query_cache_get(v->cache, f, s, offset, limit, page, ret_count, &total))
                return total;
        n = view_runs(v, f, s, runs);
        total = offer_filter_select(f, runs, n, s, offset, limit, page, ret_count);
        query_cache_put(v->cache, f, s, offset, limit, page, *ret_count, total);
        return total;
}

const struct offer *view_find(const struct view *v, const char *id)
{
        if (!v || !id)
                return NULL;
        for (size_t i = 0; i < v->n_providers; i++) {
                const char *name = v->providers[i];
                size_t n = strlen(name);
                const struct offer *o;

                if (!v->snaps[i] || strncasecmp(id, name, n) != 0 || id[n] != '-')
                        continue;
                o = snapshot_find(v->snaps[i], id + n + 1);
                if (o)
                        return o;
        }
        return NULL;
}
