/*
 * test_offer_filter.c - the inventory query: parameter validation (every
 * rejection names its parameter and leaves the query untouched), GPU name
 * equivalence, matching, the four sort orders and paging. Table driven over
 * a small fixed catalogue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/offer.h"
#include "domain/offer_filter.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_PAIRS 4
#define PAGE_MAX 16

/* ---- parameter validation ---------------------------------------------- */

struct param_case {
        const char *key;
        const char *value;
        int status;
        const char *param; /* expected err.param on failure */
        const char *msg;   /* substring expected in err.msg on failure */
};

static const struct param_case param_cases[] = {
        {"provider", "vastai", 0, NULL, NULL},
        {"provider", "VastAI,tensordock", 0, NULL, NULL},
        {"gpu_type", "RTX 4090", 0, NULL, NULL},
        {"gpu_type", "rtx4090,A100-SXM4-80GB", 0, NULL, NULL},
        {"location", "US", 0, NULL, NULL},
        {"min_vram", "24", 0, NULL, NULL},
        {"min_vram", "0", 0, NULL, NULL},
        {"max_price", "0.50", 0, NULL, NULL},
        {"max_price", "0", 0, NULL, NULL},
        {"min_gpu_count", "2", 0, NULL, NULL},
        {"gpu_count", "1", 0, NULL, NULL},
        {"min_reliability", "0.95", 0, NULL, NULL},
        {"min_reliability", "1", 0, NULL, NULL},
        {"min_cuda", "12.4", 0, NULL, NULL},
        {"sort", "price_per_gpu", 0, NULL, NULL},
        {"sort", "vram", 0, NULL, NULL},
        {"limit", "1000", 0, NULL, NULL},
        {"offset", "0", 0, NULL, NULL},
        /* unknown, empty, malformed, negative, out of range */
        {"gpu", "RTX 4090", GS_E_INVAL, "gpu", "unknown parameter 'gpu'"},
        {"Min_Vram", "1", GS_E_INVAL, "Min_Vram", "unknown parameter"},
        {"min_vram", "", GS_E_INVAL, "min_vram", "empty value"},
        {"min_vram", NULL, GS_E_INVAL, "min_vram", "empty value"},
        {"min_vram", "-1", GS_E_INVAL, "min_vram", "must be non-negative"},
        {"min_vram", "abc", GS_E_INVAL, "min_vram", "must be an integer, got 'abc'"},
        {"min_vram", "1.5", GS_E_INVAL, "min_vram", "must be an integer"},
        {"min_vram", " 24", GS_E_INVAL, "min_vram", "must be an integer"},
        {"min_vram", "99999999999999999999", GS_E_INVAL, "min_vram", "too large"},
        {"max_price", "-0.5", GS_E_INVAL, "max_price", "must be non-negative"},
        {"max_price", "cheap", GS_E_INVAL, "max_price", "decimal number"},
        {"max_price", "0.1234567", GS_E_INVAL, "max_price", "at most 6 decimals"},
        {"max_price", "1e3", GS_E_INVAL, "max_price", "decimal number"},
        {"min_gpu_count", "-2", GS_E_INVAL, "min_gpu_count", "non-negative"},
        {"gpu_count", "0", GS_E_INVAL, "gpu_count", "between 1 and"},
        {"min_reliability", "1.5", GS_E_INVAL, "min_reliability", "between 0 and 1"},
        {"min_reliability", "-0.1", GS_E_INVAL, "min_reliability", "non-negative"},
        {"min_reliability", "high", GS_E_INVAL, "min_reliability", "decimal number"},
        {"min_cuda", "twelve", GS_E_INVAL, "min_cuda", "CUDA version"},
        {"sort", "cheapest", GS_E_INVAL, "sort", "'cheapest' is not one of"},
        {"limit", "0", GS_E_INVAL, "limit", "between 1 and 1000"},
        {"limit", "1001", GS_E_INVAL, "limit", "between 1 and 1000"},
        {"limit", "-5", GS_E_INVAL, "limit", "non-negative"},
        {"offset", "-1", GS_E_INVAL, "offset", "non-negative"},
        {"offset", "x", GS_E_INVAL, "offset", "must be an integer"},
        {"gpu_type", ",", GS_E_INVAL, "gpu_type", "empty name"},
        {"gpu_type", "RTX 4090,,A100", GS_E_INVAL, "gpu_type", "empty name"},
        {"gpu_type", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", GS_E_INVAL, "gpu_type", "more than 16"},
        {"provider", "vast ai", GS_E_INVAL, "provider", "not a provider instance name"},
        {"provider", "vastai,", GS_E_INVAL, "provider", "empty name"},
        {"location", "", GS_E_INVAL, "location", "empty value"},
};

static void test_params_validated_and_named(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(param_cases); i++) {
                const struct param_case *c = &param_cases[i];
                struct offer_query q, before;
                struct offer_query_error err;
                int r;

                offer_query_init(&q);
                before = q;
                memset(&err, 0, sizeof(err));
                r = offer_query_set(&q, c->key, c->value, &err);
                if (r != c->status)
                        fail_msg("%s=%s: status %d, want %d (%s)", c->key,
                                 c->value ? c->value : "(null)", r, c->status, err.msg);
                if (r == 0)
                        continue;
                if (memcmp(&q, &before, sizeof(q)) != 0)
                        fail_msg("%s=%s: query changed by a rejected parameter", c->key,
                                 c->value ? c->value : "(null)");
                if (strcmp(err.param, c->param) != 0)
                        fail_msg("%s=%s: err.param '%s', want '%s'", c->key,
                                 c->value ? c->value : "(null)", err.param, c->param);
                if (!strstr(err.msg, c->msg))
                        fail_msg("%s=%s: message '%s' lacks '%s'", c->key,
                                 c->value ? c->value : "(null)", err.msg, c->msg);
                if (!strstr(err.msg, c->param))
                        fail_msg("%s=%s: message '%s' does not name the parameter", c->key,
                                 c->value ? c->value : "(null)", err.msg);
        }
}

static void test_repeated_and_overlong_params_rejected(void **state)
{
        struct offer_query q;
        struct offer_query_error err;
        char longv[OFFER_QUERY_VALUE_MAX + 2];

        (void)state;
        offer_query_init(&q);
        assert_int_equal(offer_query_set(&q, "min_vram", "24", &err), 0);
        assert_int_equal(offer_query_set(&q, "min_vram", "48", &err), GS_E_INVAL);
        assert_string_equal(err.param, "min_vram");
        assert_non_null(strstr(err.msg, "more than once"));
        assert_int_equal(q.min_vram_gb, 24);

        memset(longv, 'a', sizeof(longv) - 1);
        longv[sizeof(longv) - 1] = '\0';
        assert_int_equal(offer_query_set(&q, "location", longv, &err), GS_E_INVAL);
        assert_string_equal(err.param, "location");
        longv[OFFER_QUERY_LOCATION_MAX + 1] = '\0';
        assert_int_equal(offer_query_set(&q, "location", longv, &err), GS_E_INVAL);
        longv[OFFER_QUERY_LOCATION_MAX] = '\0';
        assert_int_equal(offer_query_set(&q, "location", longv, &err), 0);
}

static void test_error_echo_is_bounded_and_printable(void **state)
{
        struct offer_query q;
        struct offer_query_error err;
        char v[200];

        (void)state;
        memset(v, 'x', sizeof(v) - 1);
        v[sizeof(v) - 1] = '\0';
        v[3] = '\x01';
        v[4] = (char)0xc3;
        offer_query_init(&q);
        assert_int_equal(offer_query_set(&q, "sort", v, &err), GS_E_INVAL);
        for (const char *p = err.msg; *p; p++)
                if (*p < 0x20 || *p >= 0x7f)
                        fail_msg("unprintable byte 0x%02x echoed", (unsigned char)*p);
        assert_non_null(strstr(err.msg, "xxx??xx"));
        assert_null(strstr(err.msg, v + 10));
}

struct value_case {
        const char *key;
        const char *value;
        size_t off; /* offset of the field in struct offer_query */
        int width;  /* 4 or 8 bytes */
        int64_t want;
};

#define FIELD(f) offsetof(struct offer_query, f), (int)sizeof(((struct offer_query *)0)->f)

static const struct value_case value_cases[] = {
        {"max_price", "0.50", FIELD(max_price_uusd), 500000},
        {"max_price", "0", FIELD(max_price_uusd), 0},
        {"max_price", "12.000001", FIELD(max_price_uusd), 12000001},
        {"min_reliability", "0.95", FIELD(min_reliability_ppm), 950000},
        {"min_reliability", "1", FIELD(min_reliability_ppm), 1000000},
        {"min_cuda", "12.4", FIELD(min_cuda_milli), 12400},
        {"min_cuda", "12", FIELD(min_cuda_milli), 12000},
        {"min_cuda", "12.4001", FIELD(min_cuda_milli), 12401},
        {"min_vram", "80", FIELD(min_vram_gb), 80},
        {"min_gpu_count", "8", FIELD(min_gpu_count), 8},
        {"gpu_count", "2", FIELD(gpu_count), 2},
        {"limit", "50", FIELD(limit), 50},
        {"offset", "100000000", FIELD(offset), 100000000},
        {"sort", "RELIABILITY", FIELD(sort), OFFER_SORT_RELIABILITY},
        {"sort", "vram_gb", FIELD(sort), OFFER_SORT_VRAM},
};

static void test_values_parsed_exactly(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(value_cases); i++) {
                const struct value_case *c = &value_cases[i];
                struct offer_query q;
                struct offer_query_error err;
                int64_t got;

                offer_query_init(&q);
                if (offer_query_set(&q, c->key, c->value, &err) != 0)
                        fail_msg("%s=%s rejected: %s", c->key, c->value, err.msg);
                if (c->width == 8) {
                        int64_t v;

                        memcpy(&v, (char *)&q + c->off, sizeof(v));
                        got = v;
                } else {
                        uint32_t v;

                        memcpy(&v, (char *)&q + c->off, sizeof(v));
                        got = v;
                }
                if (got != c->want)
                        fail_msg("%s=%s: got %lld, want %lld", c->key, c->value, (long long)got,
                                 (long long)c->want);
        }
}

static void test_defaults(void **state)
{
        struct offer_query q;

        (void)state;
        offer_query_init(&q);
        assert_int_equal(q.limit, OFFER_QUERY_LIMIT_DEFAULT);
        assert_int_equal(q.sort, OFFER_SORT_PRICE);
        assert_int_equal(q.max_price_uusd, -1);
        assert_int_equal(q.offset, 0);
        assert_int_equal(q.given, 0);
}

static void test_gpu_type_spellings_are_one_model(void **state)
{
        static const char *const spellings[] = {
                "rtx4090",
                "RTX_4090",
                "GeForce RTX 4090",
                "RTX 4090",
                "NVIDIA GeForce RTX 4090",
                "rtx 4090",
                "geforcertx4090-pcie-24gb",
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(spellings); i++) {
                struct offer_query q;
                struct offer_query_error err;

                offer_query_init(&q);
                if (offer_query_set(&q, "gpu_type", spellings[i], &err) != 0)
                        fail_msg("'%s' rejected: %s", spellings[i], err.msg);
                assert_int_equal(q.gpu_count_types, 1);
                if (strcmp(q.gpus[0].model, "RTX 4090") != 0)
                        fail_msg("'%s' -> '%s', want 'RTX 4090'", spellings[i], q.gpus[0].model);
        }
}

/* ---- matching, sorting, paging over a fixed catalogue -------------------- */

static const char *const providers[] = {"vastai", "tensordock"};

#define O(id_, prov_, pid_, type_, ff_, loc_, count_, vram_, price_, rel_, cuda_, avail_)          \
        {                                                                                          \
                .id = (id_), .provider = providers[prov_], .provider_id = (pid_),                  \
                .gpu_type = (type_), .form_factor = (ff_), .gpu_name_raw = (type_),                \
                .location = (loc_), .location_lc = (loc_), .machine_id = "",                       \
                .vram_mib = (uint64_t)(vram_)*1024, .price_uusd_per_hour = (price_),               \
                .price_uusd_per_gpu_hour = (price_) / (count_), .gpu_count = (count_),             \
                .vram_gb = (vram_), .reliability_ppm = (rel_), .cuda_milli = (cuda_),              \
                .available = (avail_)                                                              \
        }

/* location_lc is lower case already in this table. */
static const struct offer catalogue[] = {
        O("vastai-1", 0, "1", "RTX 4090", "", "texas, us", 1, 24, 400000, 990000, 12400, true),
        O("vastai-2", 0, "2", "RTX 4090", "", "quebec, ca", 2, 24, 700000, 970000, 12200, true),
        O("vastai-3", 0, "3", "A100", "SXM", "oregon, us", 8, 80, 10000000, 999000, 12600, true),
        O("vastai-4", 0, "4", "RTX 3090", "", "", 1, 24, 200000, 900000, 0, true),
        O("tensordock-a", 1, "a", "RTX 4090", "PCIe", "chicago, illinois, us", 4, 24, 1600000,
          1000000, 0, true),
        O("tensordock-b", 1, "b", "A100", "PCIe", "amsterdam, nl", 1, 80, 1200000, 660000, 0, true),
        O("tensordock-c", 1, "c", "L40S", "", "chicago, illinois, us", 2, 48, 1500000, 1000000, 0,
          false),
};
#define N_OFFERS ARRAY_LEN(catalogue)

struct fixture {
        const char *types[N_OFFERS];
        size_t n_types;
        struct offer_key keys[_OFFER_SORT_MAX][N_OFFERS];    /* global order */
        struct offer_key by_type[_OFFER_SORT_MAX][N_OFFERS]; /* grouped by type */
};

static int cmp_cstr(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fixture_build(struct fixture *fx, const size_t *order)
{
        memset(fx, 0, sizeof(*fx));
        for (size_t i = 0; i < N_OFFERS; i++) {
                bool seen = false;

                for (size_t j = 0; j < fx->n_types; j++)
                        seen |= strcmp(fx->types[j], catalogue[i].gpu_type) == 0;
                if (!seen)
                        fx->types[fx->n_types++] = catalogue[i].gpu_type;
        }
        qsort(fx->types, fx->n_types, sizeof(fx->types[0]), cmp_cstr);
        for (int s = 0; s < _OFFER_SORT_MAX; s++) {
                for (size_t i = 0; i < N_OFFERS; i++) {
                        const struct offer *o = &catalogue[order ? order[i] : i];
                        const char *const *t = bsearch(&o->gpu_type, fx->types, fx->n_types,
                                                       sizeof(fx->types[0]), cmp_cstr);
                        uint8_t prov = strcmp(o->provider, "vastai") == 0 ? 0 : 1;

                        offer_key_init(o, (uint32_t)(t - fx->types), prov, &fx->keys[s][i]);
                }
                memcpy(fx->by_type[s], fx->keys[s], sizeof(fx->keys[s]));
                offer_keys_sort(fx->keys[s], N_OFFERS, (enum offer_sort)s);
                offer_keys_sort_by_type(fx->by_type[s], N_OFFERS, (enum offer_sort)s);
        }
}

struct pair {
        const char *key;
        const char *value;
};

struct match_case {
        struct pair params[MAX_PAIRS];
        const char *want; /* page ids, space separated, in order */
        size_t total;
};

static const struct match_case match_cases[] = {
        {{{NULL, NULL}}, "vastai-4 vastai-1 vastai-2 tensordock-b tensordock-a vastai-3", 6},
        {{{"gpu_type", "RTX 4090"}}, "vastai-1 vastai-2 tensordock-a", 3},
        {{{"gpu_type", "rtx4090"}}, "vastai-1 vastai-2 tensordock-a", 3},
        {{{"gpu_type", "RTX_4090"}}, "vastai-1 vastai-2 tensordock-a", 3},
        {{{"gpu_type", "GeForce RTX 4090"}}, "vastai-1 vastai-2 tensordock-a", 3},
        {{{"gpu_type", "RTX 4090,A100"}},
         "vastai-1 vastai-2 tensordock-b tensordock-a vastai-3",
         5},
        {{{"gpu_type", "A100 SXM"}}, "vastai-3", 1},
        {{{"gpu_type", "A100-PCIE-80GB"}}, "tensordock-b", 1},
        {{{"gpu_type", "A100 40GB"}}, "", 0},
        {{{"gpu_type", "H100"}}, "", 0},
        {{{"gpu_type", "H100,RTX 3090"}}, "vastai-4", 1},
        {{{"gpu_type", "L40S"}}, "", 0}, /* only offer is unavailable */
        {{{"min_vram", "48"}}, "tensordock-b vastai-3", 2},
        {{{"min_vram", "0"}}, "vastai-4 vastai-1 vastai-2 tensordock-b tensordock-a vastai-3", 6},
        {{{"max_price", "0.50"}}, "vastai-4 vastai-1", 2},
        {{{"max_price", "0.4"}}, "vastai-4 vastai-1", 2},
        {{{"max_price", "0.399999"}}, "vastai-4", 1},
        {{{"max_price", "0"}}, "", 0},
        {{{"provider", "vastai"}}, "vastai-4 vastai-1 vastai-2 vastai-3", 4},
        {{{"provider", "TensorDock"}}, "tensordock-b tensordock-a", 2},
        {{{"provider", "tensordock,vastai"}},
         "vastai-4 vastai-1 vastai-2 tensordock-b tensordock-a vastai-3",
         6},
        {{{"min_gpu_count", "2"}}, "vastai-2 tensordock-a vastai-3", 3},
        {{{"gpu_count", "2"}}, "vastai-2", 1},
        {{{"gpu_count", "1"}, {"min_gpu_count", "2"}}, "", 0},
        {{{"min_reliability", "0.98"}}, "vastai-1 tensordock-a vastai-3", 3},
        {{{"min_reliability", "1"}}, "tensordock-a", 1},
        {{{"min_cuda", "12.4"}}, "vastai-1 vastai-3", 2},
        {{{"min_cuda", "12.41"}}, "vastai-3", 1},
        {{{"location", "US"}}, "vastai-1 tensordock-a vastai-3", 3},
        {{{"location", "TEXAS"}}, "vastai-1", 1},
        {{{"location", "illinois, us"}}, "tensordock-a", 1},
        {{{"location", "zz"}}, "", 0},
        {{{"sort", "price_per_gpu"}},
         "vastai-4 vastai-2 vastai-1 tensordock-a tensordock-b vastai-3",
         6},
        {{{"sort", "reliability"}},
         "tensordock-a vastai-3 vastai-1 vastai-2 vastai-4 tensordock-b",
         6},
        {{{"sort", "vram_gb"}}, "tensordock-b vastai-3 vastai-4 vastai-1 vastai-2 tensordock-a", 6},
        {{{"limit", "2"}}, "vastai-4 vastai-1", 6},
        {{{"limit", "2"}, {"offset", "2"}}, "vastai-2 tensordock-b", 6},
        {{{"offset", "5"}}, "vastai-3", 6},
        {{{"offset", "6"}}, "", 6},
        {{{"offset", "100000000"}}, "", 6},
        {{{"gpu_type", "RTX 4090"}, {"max_price", "0.50"}, {"provider", "vastai"}}, "vastai-1", 1},
        {{{"gpu_type", "RTX 4090"}, {"sort", "reliability"}, {"limit", "1"}}, "tensordock-a", 3},
        {{{"gpu_type", "A100,RTX 3090,RTX 4090"}, {"sort", "reliability"}},
         "tensordock-a vastai-3 vastai-1 vastai-2 vastai-4 tensordock-b",
         6},
        {{{"gpu_type", "A100,RTX 3090,RTX 4090"},
          {"sort", "vram_gb"},
          {"offset", "1"},
          {"limit", "3"}},
         "vastai-3 vastai-4 vastai-1",
         6},
        {{{"gpu_type", "RTX 4090,rtx4090,RTX_4090"}}, "vastai-1 vastai-2 tensordock-a", 3},
        {{{"gpu_type", "RTX 4090,A100"}, {"offset", "4"}}, "vastai-3", 5},
        {{{"gpu_type", "RTX 4090,A100 SXM"}, {"provider", "vastai"}},
         "vastai-1 vastai-2 vastai-3",
         3},
};

static void page_ids(const struct offer_key **page, size_t count, char *buf, size_t len)
{
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < count && n < len; i++) {
                const struct offer *o = page[i]->offer;
                int w = snprintf(buf + n, len - n, "%s%s", i ? " " : "", o->id);

                if (w < 0)
                        break;
                n += (size_t)w;
        }
}

/* The runs of each type a filter names, as the inventory view builds them. */
static size_t type_runs(const struct fixture *fx, const struct offer_filter *f, enum offer_sort s,
                        struct offer_key_range *runs)
{
        uint32_t ids[OFFER_QUERY_GPU_TYPES_MAX];
        size_t n = offer_filter_type_ids(f, ids);

        for (size_t i = 0; i < n; i++) {
                size_t a = 0, b;

                while (a < N_OFFERS && fx->by_type[s][a].type_id < ids[i])
                        a++;
                b = a;
                while (b < N_OFFERS && fx->by_type[s][b].type_id == ids[i])
                        b++;
                runs[i] = (struct offer_key_range){.keys = fx->by_type[s] + a, .n = b - a};
        }
        return n;
}

static void run_match_cases(const struct fixture *fx)
{
        for (size_t i = 0; i < ARRAY_LEN(match_cases); i++) {
                const struct match_case *c = &match_cases[i];
                struct offer_query q;
                struct offer_filter f;
                struct offer_query_error err;
                struct offer_key_range runs[OFFER_QUERY_GPU_TYPES_MAX];
                const struct offer_key *page[PAGE_MAX];
                uint32_t limit;
                char got[512];
                size_t count, total, n_runs;

                offer_query_init(&q);
                for (size_t p = 0; p < MAX_PAIRS && c->params[p].key; p++)
                        if (offer_query_set(&q, c->params[p].key, c->params[p].value, &err) != 0)
                                fail_msg("case %zu: %s rejected: %s", i, c->params[p].key, err.msg);
                if (offer_filter_compile(&q, providers, ARRAY_LEN(providers), fx->types,
                                         fx->n_types, &f, &err) != 0)
                        fail_msg("case %zu: compile failed: %s", i, err.msg);
                limit = q.limit < PAGE_MAX ? q.limit : PAGE_MAX;
                /* 1. one scan over every key in the query's order */
                runs[0] = (struct offer_key_range){.keys = fx->keys[q.sort], .n = N_OFFERS};
                total = offer_filter_select(&f, runs, 1, q.sort, q.offset, limit, page, &count);
                page_ids(page, count, got, sizeof(got));
                if (strcmp(got, c->want) != 0 || total != c->total)
                        fail_msg("case %zu (%s=%s): got [%s] total %zu, want [%s] total %zu", i,
                                 c->params[0].key ? c->params[0].key : "-",
                                 c->params[0].value ? c->params[0].value : "-", got, total, c->want,
                                 c->total);
                /* 2. merged per-model runs give the same page */
                if (q.gpu_count_types == 0)
                        continue;
                n_runs = type_runs(fx, &f, q.sort, runs);
                total = offer_filter_select(&f, runs, n_runs, q.sort, q.offset, limit, page,
                                            &count);
                page_ids(page, count, got, sizeof(got));
                if (strcmp(got, c->want) != 0 || total != c->total)
                        fail_msg("case %zu (%s=%s) by type: got [%s] total %zu, want [%s] "
                                 "total %zu",
                                 i, c->params[0].key, c->params[0].value, got, total, c->want,
                                 c->total);
        }
}

static void test_match_sort_and_page(void **state)
{
        struct fixture fx;

        (void)state;
        fixture_build(&fx, NULL);
        run_match_cases(&fx);
}

static void test_order_independent_of_input_order(void **state)
{
        static const size_t reversed[N_OFFERS] = {6, 5, 4, 3, 2, 1, 0};
        static const size_t shuffled[N_OFFERS] = {3, 6, 0, 5, 2, 4, 1};
        struct fixture fx;

        (void)state;
        fixture_build(&fx, reversed);
        run_match_cases(&fx);
        fixture_build(&fx, shuffled);
        run_match_cases(&fx);
}

static void test_type_ids_distinct_ascending(void **state)
{
        struct offer_filter f;
        uint32_t ids[OFFER_QUERY_GPU_TYPES_MAX];

        (void)state;
        memset(&f, 0, sizeof(f));
        f.gpu_count_types = 4;
        f.gpus[0].type_id = 7;
        f.gpus[1].type_id = 2;
        f.gpus[2].type_id = 7;
        f.gpus[3].type_id = 0;
        assert_int_equal(offer_filter_type_ids(&f, ids), 3);
        assert_int_equal(ids[0], 0);
        assert_int_equal(ids[1], 2);
        assert_int_equal(ids[2], 7);
        f.match_none = true;
        assert_int_equal(offer_filter_type_ids(&f, ids), 0);
}

static void test_unknown_provider_is_a_named_error(void **state)
{
        struct offer_query q;
        struct offer_filter f;
        struct offer_query_error err;
        struct fixture fx;

        (void)state;
        fixture_build(&fx, NULL);
        offer_query_init(&q);
        assert_int_equal(offer_query_set(&q, "provider", "lambda", &err), 0);
        memset(&f, 0x5a, sizeof(f));
        assert_int_equal(offer_filter_compile(&q, providers, ARRAY_LEN(providers), fx.types,
                                              fx.n_types, &f, &err),
                         GS_E_INVAL);
        assert_string_equal(err.param, "provider");
        assert_non_null(strstr(err.msg, "unknown provider 'lambda'"));
        assert_non_null(strstr(err.msg, "configured: vastai, tensordock"));
        assert_int_equal(f.provider_mask, 0x5a5a5a5a5a5a5a5aull); /* untouched */

        assert_int_equal(offer_filter_compile(&q, NULL, 0, NULL, 0, &f, &err), GS_E_INVAL);
        assert_non_null(strstr(err.msg, "no provider is configured"));
}

static void test_compare_is_a_total_order(void **state)
{
        struct fixture fx;

        (void)state;
        fixture_build(&fx, NULL);
        for (int s = 0; s < _OFFER_SORT_MAX; s++)
                for (size_t i = 0; i < N_OFFERS; i++)
                        for (size_t j = 0; j < N_OFFERS; j++) {
                                int a = offer_key_compare((enum offer_sort)s, &fx.keys[s][i],
                                                          &fx.keys[s][j]);
                                int b = offer_key_compare((enum offer_sort)s, &fx.keys[s][j],
                                                          &fx.keys[s][i]);

                                if ((i == j) != (a == 0) || (a > 0) != (b < 0))
                                        fail_msg("sort %d: keys %zu,%zu compare %d/%d", s, i, j, a,
                                                 b);
                                if ((i < j) != (a < 0) && i != j)
                                        fail_msg("sort %d: keys %zu,%zu out of order", s, i, j);
                        }
}

static void test_sort_names_round_trip(void **state)
{
        (void)state;
        for (int s = 0; s < _OFFER_SORT_MAX; s++)
                assert_int_equal(offer_sort_from_name(offer_sort_name((enum offer_sort)s)), s);
        assert_int_equal(offer_sort_from_name("bogus"), _OFFER_SORT_INVALID);
        assert_int_equal(offer_sort_from_name(NULL), _OFFER_SORT_INVALID);
        assert_null(offer_sort_name(_OFFER_SORT_MAX));
}

/* ---- value metrics ------------------------------------------------------ */

static void test_offer_metrics_round_half_up(void **state)
{
        static const struct {
                uint64_t mib;
                uint32_t gb;
        } vram[] = {
                {0, 0},      {511, 0},    {512, 1},    {24564, 24},
                {24576, 24}, {81920, 80}, {49140, 48}, {UINT64_MAX, UINT32_MAX},
        };
        static const struct {
                int64_t price;
                uint32_t count, gb;
                int64_t per_gpu, per_gb;
        } price[] = {
                {400000, 1, 24, 400000, 16667},
                {700000, 2, 24, 350000, 14583},
                {1000000, 3, 0, 333333, -1},
                {5, 2, 1, 3, 3},
                {1, 3, 1, 0, 0},
                {0, 8, 80, 0, 0},
                {1200000, 0, 80, 1200000, -1},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(vram); i++)
                if (offer_vram_gb(vram[i].mib) != vram[i].gb)
                        fail_msg("vram %llu MiB -> %u GB, want %u", (unsigned long long)vram[i].mib,
                                 offer_vram_gb(vram[i].mib), vram[i].gb);
        for (size_t i = 0; i < ARRAY_LEN(price); i++) {
                int64_t g = offer_price_per_gpu_uusd(price[i].price, price[i].count);
                int64_t v =
                        offer_price_per_vram_gb_uusd(price[i].price, price[i].count, price[i].gb);

                if (g != price[i].per_gpu || v != price[i].per_gb)
                        fail_msg("price %lld/%u/%u: per gpu %lld per gb %lld, want %lld %lld",
                                 (long long)price[i].price, price[i].count, price[i].gb,
                                 (long long)g, (long long)v, (long long)price[i].per_gpu,
                                 (long long)price[i].per_gb);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_params_validated_and_named),
                cmocka_unit_test(test_repeated_and_overlong_params_rejected),
                cmocka_unit_test(test_error_echo_is_bounded_and_printable),
                cmocka_unit_test(test_values_parsed_exactly),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_gpu_type_spellings_are_one_model),
                cmocka_unit_test(test_match_sort_and_page),
                cmocka_unit_test(test_order_independent_of_input_order),
                cmocka_unit_test(test_type_ids_distinct_ascending),
                cmocka_unit_test(test_unknown_provider_is_a_named_error),
                cmocka_unit_test(test_compare_is_a_total_order),
                cmocka_unit_test(test_sort_names_round_trip),
                cmocka_unit_test(test_offer_metrics_round_half_up),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
