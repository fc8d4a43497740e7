/*
 * fuzz_offer_query.c - the inventory query parameters (domain/offer_filter.h)
 * from an arbitrary query string, then the whole query path on a fixed set
 * of offers.
 *
 * The input is a raw query string ("gpu_type=RTX%204090&max_price=0.50"):
 * split on '&', each part split at the first '=', both sides percent- and
 * '+'-decoded as libmicrohttpd does (a part without '=' has a NULL value).
 * Every pair goes to offer_query_set(). Checks: a refused pair leaves the
 * query unchanged and an error message of printable ASCII; the accepted
 * query stays inside its documented bounds; compiled against the fixed
 * offers, offer_filter_select() returns exactly the matches a brute-force
 * scan finds, in sort order, paged by offset and limit, both from one run
 * of all keys and from the per-GPU-model runs the inventory view uses.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "domain/offer.h"
#include "domain/offer_filter.h"
#include "fuzz.h"
#include "gpushop/status.h"

#define N_OFFERS (sizeof(offers) / sizeof(offers[0]))

static const char *const providers[] = {"vastai", "tensordock", "td-eu"};
/* Canonical models of the offers below, sorted by strcmp (type_id = index). */
static const char *const types[] = {"A100", "H100", "L40S", "RTX 3090", "RTX 4090"};

#define OFFER(id_, prov, type, ff, gb, count, price, rel, cuda, loc, avail)                        \
        {.id = id_, .provider = prov, .provider_id = id_, .gpu_type = type,                        \
         .form_factor = ff, .gpu_name_raw = type, .location = loc, .location_lc = loc,             \
         .machine_id = "", .vram_mib = (uint64_t)(gb) * 1024, .price_uusd_per_hour = price,      \
         .price_uusd_per_gpu_hour = (price) / (count), .price_uusd_per_vram_gb_hour = -1,          \
         .gpu_count = count, .vram_gb = gb, .reliability_ppm = rel, .cuda_milli = cuda,            \
         .available = avail}

/* Ties on price and reliability on purpose: the tie-break must be total. */
static const struct offer offers[] = {
        OFFER("vastai-1", "vastai", "RTX 4090", "", 24, 1, 350000, 990000, 12400,
              "quebec, ca", true),
        OFFER("vastai-2", "vastai", "RTX 4090", "", 24, 2, 700000, 990000, 12200,
              "texas, us", true),
        OFFER("vastai-3", "vastai", "A100", "SXM", 80, 8, 9600000, 995000, 12400,
              "oregon, us", true),
        OFFER("vastai-4", "vastai", "A100", "PCIe", 40, 1, 700000, 900000, 11800, "", true),
        OFFER("vastai-5", "vastai", "RTX 3090", "", 24, 1, 200000, 0, 0, "poland, pl", false),
        OFFER("tensordock-a", "tensordock", "H100", "SXM", 80, 1, 2100000, 1000000, 12400,
              "dallas, texas, us", true),
        OFFER("tensordock-b", "tensordock", "H100", "PCIe", 80, 4, 7200000, 666666, 12400,
              "orlando, florida, us", true),
        OFFER("tensordock-c", "tensordock", "RTX 4090", "", 24, 1, 350000, 990000, 12400,
              "dallas, texas, us", true),
        OFFER("tensordock-d", "tensordock", "L40S", "", 48, 2, 1500000, 333333, 12200,
              "chubbuck, idaho, us", true),
        OFFER("td-eu-x", "td-eu", "RTX 3090", "", 24, 1, 0, 333333, 12000,
              "frankfurt, hesse, de", true),
        OFFER("td-eu-y", "td-eu", "A100", "SXM", 40, 2, 2000000, 666666, 12400,
              "amsterdam, nl", true),
        OFFER("td-eu-z", "td-eu", "RTX 4090", "", 24, 8, 2800000, 990000, 12400,
              "frankfurt, hesse, de", true),
};

static int hex_value(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Decode s[0..len) into out (room for len + 1): '+' is a blank, %XX a byte. */
static void url_decode(const char *s, size_t len, char *out)
{
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
                int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;

                if (s[i] == '%' && hi >= 0 && lo >= 0) {
                        out[o++] = (char)(hi << 4 | lo);
                        i += 2;
                } else {
                        out[o++] = s[i] == '+' ? ' ' : s[i];
                }
        }
        out[o] = '\0';
}

static void set_one(struct offer_query *q, const char *key, const char *value)
{
        struct offer_query before;
        struct offer_query_error err;
        int r;

        memcpy(&before, q, sizeof(before));
        memset(&err, 'X', sizeof(err));
        r = offer_query_set(q, key, value, &err);
        if (r == 0)
                return;
        fuzz_check(r == GS_E_INVAL);
        fuzz_check(memcmp(&before, q, sizeof(before)) == 0);
        fuzz_check_text(err.param, sizeof(err.param));
        fuzz_check_text(err.msg, sizeof(err.msg));
}

static void check_query(const struct offer_query *q)
{
        fuzz_check(q->limit >= 1 && q->limit <= OFFER_QUERY_LIMIT_MAX);
        fuzz_check(q->offset <= OFFER_QUERY_OFFSET_MAX);
        fuzz_check(q->provider_count <= OFFER_QUERY_PROVIDERS_MAX);
        fuzz_check(q->gpu_count_types <= OFFER_QUERY_GPU_TYPES_MAX);
        fuzz_check(q->sort >= 0 && q->sort < _OFFER_SORT_MAX);
        fuzz_check(q->min_reliability_ppm <= 1000000);
        fuzz_check(q->max_price_uusd >= -1);
        fuzz_check(memchr(q->location_lc, '\0', sizeof(q->location_lc)) != NULL);
        for (size_t i = 0; i < q->provider_count; i++)
                fuzz_check(q->providers[i][0] != '\0' &&
                           memchr(q->providers[i], '\0', sizeof(q->providers[i])) != NULL);
        for (size_t i = 0; i < q->gpu_count_types; i++)
                fuzz_check(q->gpus[i].model[0] != '\0' && q->gpus[i].form <= OFFER_FORM_NVL);
}

static uint32_t type_id_of(const char *model)
{
        for (uint32_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(types[i], model) == 0)
                        return i;
        return OFFER_TYPE_NONE;
}

static uint8_t provider_of(const char *name)
{
        for (uint8_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
                if (strcmp(providers[i], name) == 0)
                        return i;
        abort();
}

/* The page a brute-force scan of the sorted keys gives, compared with got. */
static void check_page(const struct offer_filter *f, const struct offer_key *sorted,
                       const struct offer_query *q, const struct offer_key **got, size_t count,
                       size_t total)
{
        size_t matches = 0, want = 0;

        for (size_t i = 0; i < N_OFFERS; i++) {
                if (!offer_filter_match(f, &sorted[i]))
                        continue;
                if (matches >= q->offset && want < q->limit) {
                        fuzz_check(want < count);
                        fuzz_check(got[want]->offer == sorted[i].offer);
                        want++;
                }
                matches++;
        }
        fuzz_check(total == matches);
        fuzz_check(count == want);
}

static void run_query(const struct offer_query *q)
{
        static const struct offer_key *page[OFFER_QUERY_LIMIT_MAX];
        struct offer_key keys[N_OFFERS], by_type[N_OFFERS];
        struct offer_key_range runs[OFFER_QUERY_GPU_TYPES_MAX];
        uint32_t ids[OFFER_QUERY_GPU_TYPES_MAX];
        size_t start[sizeof(types) / sizeof(types[0]) + 1] = {0};
        struct offer_query_error err;
        struct offer_filter f;
        size_t count, total, n_runs;

        memset(&err, 'X', sizeof(err));
        if (offer_filter_compile(q, providers, sizeof(providers) / sizeof(providers[0]), types,
                                 sizeof(types) / sizeof(types[0]), &f, &err) < 0) {
                fuzz_check_text(err.msg, sizeof(err.msg));
                fuzz_check(q->provider_count > 0);
                return;
        }
        for (size_t i = 0; i < N_OFFERS; i++)
                offer_key_init(&offers[i], type_id_of(offers[i].gpu_type),
                               provider_of(offers[i].provider), &keys[i]);
        memcpy(by_type, keys, sizeof(keys));
        offer_keys_sort(keys, N_OFFERS, q->sort);
        for (size_t i = 1; i < N_OFFERS; i++)
                fuzz_check(offer_key_compare(q->sort, &keys[i - 1], &keys[i]) < 0);

        /* One run of every key. */
        runs[0] = (struct offer_key_range){.keys = keys, .n = N_OFFERS};
        total = offer_filter_select(&f, runs, f.match_none ? 0 : 1, q->sort, q->offset, q->limit,
                                    page, &count);
        check_page(&f, keys, q, page, count, total);
        if (f.gpu_count_types == 0)
                return;

        /* The view's way: one run per GPU model the filter names. */
        offer_keys_sort_by_type(by_type, N_OFFERS, q->sort);
        for (size_t i = 0; i < N_OFFERS; i++)
                start[by_type[i].type_id + 1]++;
        for (size_t t = 0; t + 1 < sizeof(start) / sizeof(start[0]); t++)
                start[t + 1] += start[t];
        n_runs = offer_filter_type_ids(&f, ids);
        for (size_t i = 0; i < n_runs; i++) {
                fuzz_check(ids[i] < sizeof(types) / sizeof(types[0]));
                fuzz_check(i == 0 || ids[i - 1] < ids[i]);
                runs[i] = (struct offer_key_range){.keys = by_type + start[ids[i]],
                                                   .n = start[ids[i] + 1] - start[ids[i]]};
        }
        total = offer_filter_select(&f, runs, n_runs, q->sort, q->offset, q->limit, page, &count);
        check_page(&f, keys, q, page, count, total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_strndup(data, size);
        char *key = malloc(size + 1), *value = malloc(size + 1);
        struct offer_query q;

        if (!s || !key || !value)
                goto done;
        offer_query_init(&q);
        for (const char *p = s;; p++) {
                size_t n = strcspn(p, "&");
                const char *eq = memchr(p, '=', n);

                if (n > 0) {
                        url_decode(p, eq ? (size_t)(eq - p) : n, key);
                        if (eq)
                                url_decode(eq + 1, n - (size_t)(eq + 1 - p), value);
                        set_one(&q, key, eq ? value : NULL);
                }
                p += n;
                if (*p == '\0')
                        break;
        }
        check_query(&q);
        run_query(&q);
done:
        free(s);
        free(key);
        free(value);
        return 0;
}
