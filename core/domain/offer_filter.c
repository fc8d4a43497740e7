/* offer_filter.c - inventory query parameters: validation, matching, sorting, paging. */
#include "domain/offer_filter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/units.h"
#include "gpushop/plugin.h"

#define PPM_MAX 1000000u
/* Largest per-GPU VRAM (GB) and GPU count a query may ask for. */
#define QUERY_COUNT_MAX 1000000
/* Largest CUDA version a query may ask for, in micro units (1000.0). */
#define QUERY_CUDA_UMAX INT64_C(1000000000)
#define MICRO_PER_MILLI 1000

static const char *const param_names[_OFFER_PARAM_MAX] = {
        [OFFER_PARAM_PROVIDER] = "provider",   [OFFER_PARAM_GPU_TYPE] = "gpu_type",
        [OFFER_PARAM_LOCATION] = "location",   [OFFER_PARAM_MIN_VRAM] = "min_vram",
        [OFFER_PARAM_MAX_PRICE] = "max_price", [OFFER_PARAM_MIN_GPU_COUNT] = "min_gpu_count",
        [OFFER_PARAM_GPU_COUNT] = "gpu_count", [OFFER_PARAM_MIN_RELIABILITY] = "min_reliability",
        [OFFER_PARAM_MIN_CUDA] = "min_cuda",   [OFFER_PARAM_SORT] = "sort",
        [OFFER_PARAM_LIMIT] = "limit",         [OFFER_PARAM_OFFSET] = "offset",
};

static const char *const sort_names[_OFFER_SORT_MAX] = {
        [OFFER_SORT_PRICE] = "price",
        [OFFER_SORT_PRICE_PER_GPU] = "price_per_gpu",
        [OFFER_SORT_RELIABILITY] = "reliability",
        [OFFER_SORT_VRAM] = "vram_gb",
};

static char ascii_lower(char c)
{
        return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_ieq(const char *a, const char *b)
{
        for (; *a && *b; a++, b++)
                if (ascii_lower(*a) != ascii_lower(*b))
                        return false;
        return *a == *b;
}

static int set_error(struct offer_query_error *err, const char *param, const char *fmt, ...)
        GS_PRINTF(3, 4);
static int set_error(struct offer_query_error *err, const char *param, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return GS_E_INVAL;
        (void)snprintf(err->param, sizeof(err->param), "%s", param ? param : "");
        va_start(ap, fmt);
        (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        return GS_E_INVAL;
}

/* A bounded, printable-ASCII copy of untrusted input for messages. */
static const char *echo(const char *s, char *buf, size_t len)
{
        size_t n = 0;

        for (; s && s[n] && n + 1 < len && n < OFFER_QUERY_ECHO_MAX; n++)
                buf[n] = (s[n] >= 0x20 && s[n] < 0x7f && s[n] != '\'') ? s[n] : '?';
        buf[n] = '\0';
        if (s && s[n] && n + 4 <= len)
                memcpy(buf + n, "...", 4);
        return buf;
}

void offer_query_init(struct offer_query *q)
{
        memset(q, 0, sizeof(*q));
        q->max_price_uusd = -1;
        q->sort = OFFER_SORT_PRICE;
        q->limit = OFFER_QUERY_LIMIT_DEFAULT;
}

enum offer_sort offer_sort_from_name(const char *name)
{
        if (!name)
                return _OFFER_SORT_INVALID;
        for (int i = 0; i < _OFFER_SORT_MAX; i++)
                if (ascii_ieq(name, sort_names[i]))
                        return (enum offer_sort)i;
        if (ascii_ieq(name, "vram"))
                return OFFER_SORT_VRAM;
        return _OFFER_SORT_INVALID;
}

const char *offer_sort_name(enum offer_sort s)
{
        return (s >= 0 && s < _OFFER_SORT_MAX) ? sort_names[s] : NULL;
}

uint8_t offer_form_from_name(const char *form_factor)
{
        if (!form_factor)
                return OFFER_FORM_ANY;
        if (strcmp(form_factor, GPU_FORM_FACTOR_PCIE) == 0)
                return OFFER_FORM_PCIE;
        if (strcmp(form_factor, GPU_FORM_FACTOR_SXM) == 0)
                return OFFER_FORM_SXM;
        if (strcmp(form_factor, GPU_FORM_FACTOR_NVL) == 0)
                return OFFER_FORM_NVL;
        return OFFER_FORM_ANY;
}

/* ---- value parsers: each writes *ret only on success ---------------------- */

static int parse_count(const char *param, const char *v, int64_t min, int64_t max, uint64_t *ret,
                       struct offer_query_error *err)
{
        char e[OFFER_QUERY_ECHO_MAX + 4];
        int64_t n;
        int r = units_parse_int64(v, &n);

        if (r == GS_E_TOOBIG)
                return set_error(err, param, "invalid %s: %s is too large (at most %lld)", param,
                                 echo(v, e, sizeof(e)), (long long)max);
        if (r < 0)
                return set_error(err, param, "invalid %s: must be an integer, got '%s'", param,
                                 echo(v, e, sizeof(e)));
        if (n < 0)
                return set_error(err, param, "invalid %s: must be non-negative, got %lld", param,
                                 (long long)n);
        if (n < min || n > max)
                return set_error(err, param, "invalid %s: must be between %lld and %lld, got %lld",
                                 param, (long long)min, (long long)max, (long long)n);
        *ret = (uint64_t)n;
        return 0;
}

/* Non-negative decimal with up to 6 fraction digits, in millionths. */
static int parse_micro(const char *param, const char *v, int64_t max, const char *unit,
                       int64_t *ret, struct offer_query_error *err)
{
        char e[OFFER_QUERY_ECHO_MAX + 4];
        int64_t n;
        int r;

        if (v[0] == '-' && units_parse_price_uusd(v + 1, &n) == 0)
                return set_error(err, param, "invalid %s: must be non-negative, got %s", param,
                                 echo(v, e, sizeof(e)));
        r = units_parse_price_uusd(v, &n);
        if (r < 0 || n > max)
                return set_error(err, param,
                                 "invalid %s: must be a decimal number %s with at most 6 "
                                 "decimals, got '%s'",
                                 param, unit, echo(v, e, sizeof(e)));
        *ret = n;
        return 0;
}

static int parse_providers(struct offer_query *q, const char *v, struct offer_query_error *err)
{
        const char *param = param_names[OFFER_PARAM_PROVIDER];
        char e[OFFER_QUERY_ECHO_MAX + 4];
        char names[OFFER_QUERY_PROVIDERS_MAX][OFFER_QUERY_PROVIDER_NAME_MAX + 1];
        size_t count = 0;

        for (const char *p = v;; p++) {
                size_t n = strcspn(p, ",");

                if (n == 0)
                        return set_error(err, param, "invalid provider: empty name in '%s'",
                                         echo(v, e, sizeof(e)));
                if (count == OFFER_QUERY_PROVIDERS_MAX)
                        return set_error(err, param, "invalid provider: more than %d names",
                                         OFFER_QUERY_PROVIDERS_MAX);
                if (n > OFFER_QUERY_PROVIDER_NAME_MAX)
                        return set_error(err, param,
                                         "invalid provider: name longer than %d "
                                         "characters",
                                         OFFER_QUERY_PROVIDER_NAME_MAX);
                for (size_t i = 0; i < n; i++) {
                        char c = ascii_lower(p[i]);

                        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                              c == '-'))
                                return set_error(err, param,
                                                 "invalid provider: '%s' is not a provider "
                                                 "instance name",
                                                 echo(v, e, sizeof(e)));
                        names[count][i] = c;
                }
                names[count++][n] = '\0';
                p += n;
                if (*p == '\0')
                        break;
        }
        memcpy(q->providers, names, sizeof(names));
        q->provider_count = count;
        return 0;
}

static int parse_gpu_types(struct offer_query *q, const char *v, struct offer_query_error *err)
{
        const char *param = param_names[OFFER_PARAM_GPU_TYPE];
        char e[OFFER_QUERY_ECHO_MAX + 4];
        char item[GPU_NAME_RAW_MAX];
        struct offer_query_gpu gpus[OFFER_QUERY_GPU_TYPES_MAX];
        size_t count = 0;

        for (const char *p = v;; p++) {
                size_t n = strcspn(p, ",");
                struct gpu_name gn;

                if (count == OFFER_QUERY_GPU_TYPES_MAX)
                        return set_error(err, param, "invalid gpu_type: more than %d names",
                                         OFFER_QUERY_GPU_TYPES_MAX);
                if (n >= sizeof(item))
                        return set_error(err, param,
                                         "invalid gpu_type: name longer than %zu "
                                         "bytes",
                                         sizeof(item) - 1);
                memcpy(item, p, n);
                item[n] = '\0';
                if (gpu_name_normalize(item, &gn) < 0)
                        return set_error(err, param, "invalid gpu_type: empty name in '%s'",
                                         echo(v, e, sizeof(e)));
                memcpy(gpus[count].model, gn.model, sizeof(gn.model));
                gpus[count].form = offer_form_from_name(gn.form_factor);
                gpus[count].mem_gb = gn.mem_gb;
                count++;
                p += n;
                if (*p == '\0')
                        break;
        }
        memcpy(q->gpus, gpus, count * sizeof(gpus[0]));
        q->gpu_count_types = count;
        return 0;
}

static int parse_location(struct offer_query *q, const char *v, struct offer_query_error *err)
{
        size_t n = strlen(v);

        if (n > OFFER_QUERY_LOCATION_MAX)
                return set_error(err, "location", "invalid location: longer than %d bytes",
                                 OFFER_QUERY_LOCATION_MAX);
        for (size_t i = 0; i <= n; i++)
                q->location_lc[i] = ascii_lower(v[i]);
        return 0;
}

static int apply(struct offer_query *q, enum offer_param p, const char *v,
                 struct offer_query_error *err)
{
        const char *name = param_names[p];
        char e[OFFER_QUERY_ECHO_MAX + 4];
        uint64_t u;
        int64_t m;
        int r;

        switch (p) {
        case OFFER_PARAM_PROVIDER:
                return parse_providers(q, v, err);
        case OFFER_PARAM_GPU_TYPE:
                return parse_gpu_types(q, v, err);
        case OFFER_PARAM_LOCATION:
                return parse_location(q, v, err);
        case OFFER_PARAM_MIN_VRAM:
                r = parse_count(name, v, 0, QUERY_COUNT_MAX, &u, err);
                if (r == 0)
                        q->min_vram_gb = (uint32_t)u;
                return r;
        case OFFER_PARAM_MAX_PRICE:
                r = parse_micro(name, v, INT64_MAX, "of USD per hour", &m, err);
                if (r == 0)
                        q->max_price_uusd = m;
                return r;
        case OFFER_PARAM_MIN_GPU_COUNT:
                r = parse_count(name, v, 0, QUERY_COUNT_MAX, &u, err);
                if (r == 0)
                        q->min_gpu_count = (uint32_t)u;
                return r;
        case OFFER_PARAM_GPU_COUNT:
                r = parse_count(name, v, 1, QUERY_COUNT_MAX, &u, err);
                if (r == 0)
                        q->gpu_count = (uint32_t)u;
                return r;
        case OFFER_PARAM_MIN_RELIABILITY:
                if (v[0] != '-' && units_parse_price_uusd(v, &m) == 0 && m > (int64_t)PPM_MAX)
                        return set_error(err, name,
                                         "invalid min_reliability: must be between 0 "
                                         "and 1, got %s",
                                         echo(v, e, sizeof(e)));
                r = parse_micro(name, v, PPM_MAX, "between 0 and 1", &m, err);
                if (r == 0)
                        q->min_reliability_ppm = (uint32_t)m;
                return r;
        case OFFER_PARAM_MIN_CUDA:
                r = parse_micro(name, v, QUERY_CUDA_UMAX, "(a CUDA version such as 12.4)", &m, err);
                if (r == 0) /* offers know milli-versions: round the bound up */
                        q->min_cuda_milli = (uint32_t)((m + MICRO_PER_MILLI - 1) / MICRO_PER_MILLI);
                return r;
        case OFFER_PARAM_SORT:
                if (offer_sort_from_name(v) == _OFFER_SORT_INVALID)
                        return set_error(err, name,
                                         "invalid sort: '%s' is not one of price, "
                                         "price_per_gpu, reliability, vram_gb",
                                         echo(v, e, sizeof(e)));
                q->sort = offer_sort_from_name(v);
                return 0;
        case OFFER_PARAM_LIMIT:
                r = parse_count(name, v, 1, OFFER_QUERY_LIMIT_MAX, &u, err);
                if (r == 0)
                        q->limit = (uint32_t)u;
                return r;
        case OFFER_PARAM_OFFSET:
                r = parse_count(name, v, 0, OFFER_QUERY_OFFSET_MAX, &u, err);
                if (r == 0)
                        q->offset = u;
                return r;
        default:
                return set_error(err, "", "internal: parameter %d", (int)p);
        }
}

int offer_query_set(struct offer_query *q, const char *key, const char *value,
                    struct offer_query_error *err)
{
        char e[OFFER_QUERY_ECHO_MAX + 4];
        struct offer_query tmp;
        int p = -1;
        int r;

        if (!q || !key)
                return set_error(err, "", "missing parameter name");
        for (int i = 0; i < _OFFER_PARAM_MAX; i++)
                if (strcmp(key, param_names[i]) == 0)
                        p = i;
        if (p < 0)
                return set_error(err, echo(key, e, sizeof(e)),
                                 "unknown parameter '%s' (known: provider, gpu_type, location, "
                                 "min_vram, max_price, min_gpu_count, gpu_count, "
                                 "min_reliability, min_cuda, sort, limit, offset)",
                                 echo(key, e, sizeof(e)));
        if (q->given & (1u << p))
                return set_error(err, key, "invalid %s: given more than once", key);
        if (!value || !value[0])
                return set_error(err, key, "invalid %s: empty value", key);
        if (strnlen(value, OFFER_QUERY_VALUE_MAX + 1) > OFFER_QUERY_VALUE_MAX)
                return set_error(err, key, "invalid %s: value longer than %d bytes", key,
                                 OFFER_QUERY_VALUE_MAX);
        /* Apply to a copy so q is unchanged on failure. */
        tmp = *q;
        r = apply(&tmp, (enum offer_param)p, value, err);
        if (r < 0)
                return r;
        tmp.given |= 1u << p;
        *q = tmp;
        return 0;
}

/* ---- resolving and matching --------------------------------------------- */

void offer_key_init(const struct offer *o, uint32_t type_id, uint8_t provider_index,
                    struct offer_key *ret_key)
{
        struct offer_key k;

        memset(&k, 0, sizeof(k));
        k.price_uusd = o->price_uusd_per_hour;
        k.vram_gb = o->vram_gb;
        k.gpu_count = o->gpu_count;
        k.reliability_ppm = o->reliability_ppm;
        k.cuda_milli = o->cuda_milli;
        k.type_id = type_id;
        k.provider_index = provider_index;
        k.form = offer_form_from_name(o->form_factor);
        k.available = o->available ? 1 : 0;
        k.offer = o;
        *ret_key = k;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int offer_filter_compile(const struct offer_query *q, const char *const *providers,
                         size_t n_providers, const char *const *types, size_t n_types,
                         struct offer_filter *ret_filter, struct offer_query_error *err)
{
        struct offer_filter f;
        size_t resolved = 0;

        if (!q || !ret_filter || (n_providers && !providers) || (n_types && !types))
                return set_error(err, "", "internal: NULL argument");
        memset(&f, 0, sizeof(f));
        if (n_providers > OFFER_FILTER_PROVIDERS_MAX)
                n_providers = OFFER_FILTER_PROVIDERS_MAX;
        if (q->provider_count == 0) {
                f.provider_mask = n_providers == OFFER_FILTER_PROVIDERS_MAX
                                          ? UINT64_MAX
                                          : (UINT64_C(1) << n_providers) - 1;
        }
        for (size_t i = 0; i < q->provider_count; i++) {
                size_t j = 0;
                char known[OFFER_QUERY_MSG_MAX / 2] = "";
                size_t kl = 0;

                while (j < n_providers && strcmp(q->providers[i], providers[j]) != 0)
                        j++;
                if (j < n_providers) {
                        f.provider_mask |= UINT64_C(1) << j;
                        continue;
                }
                for (size_t k = 0; k < n_providers && kl + 1 < sizeof(known); k++) {
                        int n = snprintf(known + kl, sizeof(known) - kl, "%s%s", k ? ", " : "",
                                         providers[k]);

                        if (n < 0)
                                break;
                        kl += (size_t)n;
                }
                return set_error(err, "provider", "invalid provider: unknown provider '%s' (%s%s)",
                                 q->providers[i], n_providers ? "configured: " : "",
                                 n_providers ? known : "no provider is configured");
        }
        for (size_t i = 0; i < q->gpu_count_types; i++) {
                const char *key = q->gpus[i].model;
                const char *const *hit =
                        n_types ? bsearch(&key, types, n_types, sizeof(*types), cmp_str) : NULL;

                if (!hit)
                        continue;
                f.gpus[resolved].type_id = (uint32_t)(hit - types);
                f.gpus[resolved].form = q->gpus[i].form;
                f.gpus[resolved].mem_gb = q->gpus[i].mem_gb;
                resolved++;
        }
        f.gpu_count_types = resolved;
        f.match_none = q->gpu_count_types > 0 && resolved == 0;
        f.location_lc = q->location_lc[0] ? q->location_lc : NULL;
        f.min_vram_gb = q->min_vram_gb;
        f.max_price_uusd = q->max_price_uusd;
        f.min_gpu_count = q->min_gpu_count;
        f.gpu_count = q->gpu_count;
        f.min_reliability_ppm = q->min_reliability_ppm;
        f.min_cuda_milli = q->min_cuda_milli;
        *ret_filter = f;
        return 0;
}

static bool gpu_matches(const struct offer_filter *f, const struct offer_key *k)
{
        for (size_t i = 0; i < f->gpu_count_types; i++) {
                const struct offer_filter_gpu *g = &f->gpus[i];

                if (g->type_id == k->type_id && (g->form == OFFER_FORM_ANY || g->form == k->form) &&
                    (g->mem_gb == 0 || g->mem_gb == k->vram_gb))
                        return true;
        }
        return false;
}

bool offer_filter_match(const struct offer_filter *f, const struct offer_key *k)
{
        if (f->match_none || !k->available)
                return false;
        if (f->gpu_count_types && !gpu_matches(f, k))
                return false;
        if (!((f->provider_mask >> k->provider_index) & 1))
                return false;
        if (f->max_price_uusd >= 0 && k->price_uusd > f->max_price_uusd)
                return false;
        if (k->vram_gb < f->min_vram_gb || k->gpu_count < f->min_gpu_count)
                return false;
        if (f->gpu_count && k->gpu_count != f->gpu_count)
                return false;
        if (k->reliability_ppm < f->min_reliability_ppm || k->cuda_milli < f->min_cuda_milli)
                return false;
        if (f->location_lc &&
            !(k->offer->location_lc && strstr(k->offer->location_lc, f->location_lc)))
                return false;
        return true;
}

/* ---- ordering and paging ------------------------------------------------ */

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int tie_break(const struct offer_key *a, const struct offer_key *b)
{
        const char *ia = a->offer && a->offer->id ? a->offer->id : "";
        const char *ib = b->offer && b->offer->id ? b->offer->id : "";
        int c = strcmp(ia, ib);

        return c ? c : CMP(a->provider_index, b->provider_index);
}

static int64_t per_gpu(const struct offer_key *k)
{
        return k->offer ? k->offer->price_uusd_per_gpu_hour : k->price_uusd;
}

int offer_key_compare(enum offer_sort s, const struct offer_key *a, const struct offer_key *b)
{
        int c = 0;

        switch (s) {
        case OFFER_SORT_PRICE_PER_GPU:
                c = CMP(per_gpu(a), per_gpu(b));
                break;
        case OFFER_SORT_RELIABILITY:
                c = CMP(b->reliability_ppm, a->reliability_ppm);
                break;
        case OFFER_SORT_VRAM:
                c = CMP(b->vram_gb, a->vram_gb);
                break;
        case OFFER_SORT_PRICE:
        default:
                c = CMP(a->price_uusd, b->price_uusd);
                if (!c)
                        c = CMP(b->reliability_ppm, a->reliability_ppm);
                break;
        }
        if (!c)
                c = CMP(a->price_uusd, b->price_uusd);
        return c ? c : tie_break(a, b);
}

#define SORT_CMP_FN(name, order)                                                                   \
        static int name(const void *a, const void *b)                                              \
        {                                                                                          \
                return offer_key_compare(order, a, b);                                             \
        }                                                                                          \
        static int name##_by_type(const void *a, const void *b)                                    \
        {                                                                                          \
                const struct offer_key *ka = a, *kb = b;                                           \
                int c = CMP(ka->type_id, kb->type_id);                                             \
                                                                                                   \
                return c ? c : offer_key_compare(order, ka, kb);                                   \
        }

SORT_CMP_FN(cmp_price, OFFER_SORT_PRICE)
SORT_CMP_FN(cmp_price_per_gpu, OFFER_SORT_PRICE_PER_GPU)
SORT_CMP_FN(cmp_reliability, OFFER_SORT_RELIABILITY)
SORT_CMP_FN(cmp_vram, OFFER_SORT_VRAM)

typedef int (*key_cmp_fn)(const void *, const void *);

static const key_cmp_fn cmps[_OFFER_SORT_MAX] = {
        [OFFER_SORT_PRICE] = cmp_price,
        [OFFER_SORT_PRICE_PER_GPU] = cmp_price_per_gpu,
        [OFFER_SORT_RELIABILITY] = cmp_reliability,
        [OFFER_SORT_VRAM] = cmp_vram,
};

static const key_cmp_fn cmps_by_type[_OFFER_SORT_MAX] = {
        [OFFER_SORT_PRICE] = cmp_price_by_type,
        [OFFER_SORT_PRICE_PER_GPU] = cmp_price_per_gpu_by_type,
        [OFFER_SORT_RELIABILITY] = cmp_reliability_by_type,
        [OFFER_SORT_VRAM] = cmp_vram_by_type,
};

static enum offer_sort valid_sort(enum offer_sort s)
{
        return (s >= 0 && s < _OFFER_SORT_MAX) ? s : OFFER_SORT_PRICE;
}

void offer_keys_sort(struct offer_key *keys, size_t n, enum offer_sort s)
{
        if (keys && n > 1)
                qsort(keys, n, sizeof(*keys), cmps[valid_sort(s)]);
}

void offer_keys_sort_by_type(struct offer_key *keys, size_t n, enum offer_sort s)
{
        if (keys && n > 1)
                qsort(keys, n, sizeof(*keys), cmps_by_type[valid_sort(s)]);
}

size_t offer_filter_type_ids(const struct offer_filter *f, uint32_t *ids)
{
        size_t n = 0;

        if (f->match_none)
                return 0;
        for (size_t i = 0; i < f->gpu_count_types; i++) {
                uint32_t id = f->gpus[i].type_id;
                size_t j = n;

                /* insertion into the ascending, distinct list */
                while (j > 0 && ids[j - 1] > id)
                        j--;
                if (j > 0 && ids[j - 1] == id)
                        continue;
                memmove(ids + j + 1, ids + j, (n - j) * sizeof(*ids));
                ids[j] = id;
                n++;
        }
        return n;
}

/* One run: count every match, keep those in [offset, offset + limit). */
static size_t select_run(const struct offer_filter *f, const struct offer_key *keys, size_t n,
                         uint64_t offset, uint32_t limit, const struct offer_key **page,
                         size_t *ret_count)
{
        size_t total = 0, count = 0;

        for (size_t i = 0; i < n; i++) {
                if (!offer_filter_match(f, &keys[i]))
                        continue;
                if (total >= offset && count < limit)
                        page[count++] = &keys[i];
                total++;
        }
        *ret_count = count;
        return total;
}

/* Next match in run r at or after *pos, or NULL. */
static const struct offer_key *next_match(const struct offer_filter *f,
                                          const struct offer_key_range *r, size_t *pos)
{
        for (; *pos < r->n; (*pos)++)
                if (offer_filter_match(f, &r->keys[*pos]))
                        return &r->keys[*pos];
        return NULL;
}

size_t offer_filter_select(const struct offer_filter *f, const struct offer_key_range *runs,
                           size_t n_runs, enum offer_sort s, uint64_t offset, uint32_t limit,
                           const struct offer_key **page, size_t *ret_count)
{
        const struct offer_key *head[OFFER_QUERY_GPU_TYPES_MAX];
        size_t pos[OFFER_QUERY_GPU_TYPES_MAX];
        size_t total = 0, count = 0, seen = 0, unused;

        *ret_count = 0;
        if (f->match_none || n_runs == 0)
                return 0;
        if (n_runs == 1)
                return select_run(f, runs[0].keys, runs[0].n, offset, limit, page, ret_count);
        if (n_runs > OFFER_QUERY_GPU_TYPES_MAX)
                n_runs = OFFER_QUERY_GPU_TYPES_MAX;
        /* Count everything, then merge the runs' matches up to the page end. */
        for (size_t r = 0; r < n_runs; r++) {
                total += select_run(f, runs[r].keys, runs[r].n, 0, 0, page, &unused);
                pos[r] = 0;
                head[r] = next_match(f, &runs[r], &pos[r]);
        }
        while (count < limit && seen < total) {
                size_t best = n_runs;

                for (size_t r = 0; r < n_runs; r++)
                        if (head[r] &&
                            (best == n_runs || offer_key_compare(s, head[r], head[best]) < 0))
                                best = r;
                if (best == n_runs)
                        break;
                if (seen >= offset)
                        page[count++] = head[best];
                seen++;
                pos[best]++;
                head[best] = next_match(f, &runs[best], &pos[best]);
        }
        *ret_count = count;
        return total;
}
