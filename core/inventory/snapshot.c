/* snapshot.c - building and sharing one provider's immutable offer snapshot. */
#include "inventory/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "domain/gpu_name.h"
#include "inventory/offer_json.h"

#define BUILDER_INITIAL_CAP 256

struct snapshot_builder {
        struct snapshot *snap; /* offers/count grow here */
        size_t cap;
        size_t max_offers;
        size_t provider_len;
};

struct snapshot *snapshot_ref(struct snapshot *s)
{
        if (s)
                __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
        return s;
}

static void snapshot_free(struct snapshot *s)
{
        if (!s)
                return;
        free(s->offers);
        arena_done(&s->arena);
        free(s);
}

struct snapshot *snapshot_unref(struct snapshot *s)
{
        if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
                snapshot_free(s);
        return NULL;
}

const struct offer *snapshot_find(const struct snapshot *s, const char *provider_id)
{
        size_t lo = 0, hi = s ? s->count : 0;

        if (!provider_id)
                return NULL;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(provider_id, s->offers[mid].provider_id);

                if (c == 0)
                        return &s->offers[mid];
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

struct snapshot_builder *snapshot_builder_new(const char *provider, size_t max_offers)
{
        struct snapshot_builder *b = calloc(1, sizeof(*b));

        if (!b)
                return NULL;
        b->snap = calloc(1, sizeof(*b->snap));
        if (!b->snap)
                goto fail;
        arena_init(&b->snap->arena);
        b->snap->refs = 1;
        b->snap->provider = arena_strdup(&b->snap->arena, provider ? provider : "");
        if (!b->snap->provider)
                goto fail;
        b->provider_len = strlen(b->snap->provider);
        b->max_offers = max_offers;
        return b;
fail:
        snapshot_builder_free(b);
        return NULL;
}

void snapshot_builder_free(struct snapshot_builder *b)
{
        if (!b)
                return;
        snapshot_free(b->snap);
        free(b);
}

bool snapshot_builder_truncated(const struct snapshot_builder *b)
{
        return b->snap->truncated;
}

size_t snapshot_builder_count(const struct snapshot_builder *b)
{
        return b->snap->count;
}

static const char *form_literal(const char *ff)
{
        if (strcmp(ff, GPU_FORM_FACTOR_PCIE) == 0)
                return GPU_FORM_FACTOR_PCIE;
        if (strcmp(ff, GPU_FORM_FACTOR_SXM) == 0)
                return GPU_FORM_FACTOR_SXM;
        if (strcmp(ff, GPU_FORM_FACTOR_NVL) == 0)
                return GPU_FORM_FACTOR_NVL;
        return "";
}

static char *lower_copy(struct arena *a, const char *s)
{
        size_t n = strlen(s);
        char *d = arena_strndup(a, s, n);

        for (size_t i = 0; d && i < n; i++)
                if (d[i] >= 'A' && d[i] <= 'Z')
                        d[i] = (char)(d[i] - 'A' + 'a');
        return d;
}

int snapshot_builder_add(struct snapshot_builder *b, const struct gs_offer *in)
{
        struct snapshot *s = b->snap;
        struct arena *a = &s->arena;
        struct gpu_name gn;
        struct offer o;
        size_t id_len;
        char *id;

        if (s->count >= b->max_offers) {
                s->truncated = true;
                return GS_E_TOOBIG;
        }
        if (!in->offer_id || !in->offer_id[0] || !in->gpu_name_raw ||
            gpu_name_normalize(in->gpu_name_raw, &gn) < 0) {
                s->dropped++;
                return 0;
        }
        if (s->count == b->cap) {
                size_t cap = b->cap ? b->cap * 2 : BUILDER_INITIAL_CAP;
                struct offer *grown;

                if (cap > b->max_offers)
                        cap = b->max_offers;
                grown = realloc(s->offers, cap * sizeof(*grown));
                if (!grown)
                        return GS_E_NOMEM;
                s->offers = grown;
                b->cap = cap;
        }
        memset(&o, 0, sizeof(o));
        /* "<provider>-<offer id>": provider_id points into the id. */
        id_len = b->provider_len + 1 + strlen(in->offer_id);
        id = arena_alloc(a, id_len + 1);
        if (!id)
                return GS_E_NOMEM;
        memcpy(id, s->provider, b->provider_len);
        id[b->provider_len] = '-';
        memcpy(id + b->provider_len + 1, in->offer_id, id_len - b->provider_len);
        o.id = id;
        o.provider = s->provider;
        o.provider_id = id + b->provider_len + 1;
        o.gpu_type = arena_strdup(a, gn.model);
        o.form_factor = form_literal(gn.form_factor);
        o.gpu_name_raw = arena_strdup(a, in->gpu_name_raw);
        o.location = in->location ? arena_strdup(a, in->location) : "";
        o.location_lc = lower_copy(a, o.location ? o.location : "");
        o.machine_id = in->machine_id ? arena_strdup(a, in->machine_id) : "";
        if (!o.gpu_type || !o.gpu_name_raw || !o.location || !o.location_lc || !o.machine_id)
                return GS_E_NOMEM;
        o.gpu_count = in->gpu_count;
        o.vram_mib = in->vram_mib;
        o.vram_gb = offer_vram_gb(in->vram_mib);
        o.price_uusd_per_hour = in->price_uusd_per_hour;
        o.price_uusd_per_gpu_hour =
                offer_price_per_gpu_uusd(in->price_uusd_per_hour, in->gpu_count);
        o.price_uusd_per_vram_gb_hour =
                offer_price_per_vram_gb_uusd(in->price_uusd_per_hour, in->gpu_count, o.vram_gb);
        o.reliability_ppm = in->reliability_ppm;
        o.cuda_milli = in->cuda_milli;
        o.flags = in->flags;
        o.available = in->available != 0;
        o.max_duration_ms = in->max_duration_ms > 0 ? in->max_duration_ms : 0;
        s->offers[s->count++] = o;
        return 0;
}

/* Sort by provider_id; equal ids keep emission order (index tie-break). */
struct order {
        const char *pid;
        size_t index;
};

static int cmp_order(const void *pa, const void *pb)
{
        const struct order *a = pa, *b = pb;
        int c = strcmp(a->pid, b->pid);

        if (c)
                return c;
        return (a->index > b->index) - (a->index < b->index);
}

int snapshot_finish_take(struct snapshot_builder *b, int64_t fetched_at_ms,
                         struct snapshot **ret_snapshot)
{
        struct snapshot *s = b->snap;
        struct order *ord = NULL;
        struct offer *sorted = NULL;
        size_t n = 0;
        int r = GS_E_NOMEM;

        if (s->count > 0) {
                ord = malloc(s->count * sizeof(*ord));
                sorted = malloc(s->count * sizeof(*sorted));
                if (!ord || !sorted)
                        goto fail;
        }
        for (size_t i = 0; i < s->count; i++)
                ord[i] = (struct order){.pid = s->offers[i].provider_id, .index = i};
        if (s->count > 1)
                qsort(ord, s->count, sizeof(*ord), cmp_order);
        for (size_t i = 0; i < s->count; i++) {
                if (n > 0 && strcmp(sorted[n - 1].provider_id, ord[i].pid) == 0) {
                        s->dropped++;
                        continue;
                }
                sorted[n] = s->offers[ord[i].index];
                sorted[n].fetched_at_ms = fetched_at_ms;
                if (offer_json_render(&sorted[n], &s->arena) < 0)
                        goto fail;
                n++;
        }
        free(ord);
        ord = NULL;
        free(s->offers);
        s->offers = sorted;
        s->count = n;
        s->fetched_at_ms = fetched_at_ms;
        b->snap = NULL;
        snapshot_builder_free(b);
        *ret_snapshot = s;
        return 0;
fail:
        free(ord);
        free(sorted);
        snapshot_builder_free(b);
        return r;
}
