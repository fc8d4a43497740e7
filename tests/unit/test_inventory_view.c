/*
 * test_inventory_view.c - snapshots and views without threads or plugins:
 * normalization and ids, duplicate and blank offers dropped, the offer cap,
 * the pre-rendered JSON (valid, exact prices), lookups by id, runs per GPU
 * model and the query cache giving the same pages as a scan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "domain/offer_filter.h"
#include "gpushop/plugin.h"
#include "inventory/offer_json.h"
#include "inventory/snapshot.h"
#include "inventory/view.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define FETCHED_MS INT64_C(1764259800000) /* 2025-11-27T16:10:00Z */

struct raw {
        const char *id;
        const char *gpu;
        uint32_t count;
        uint64_t vram_mib;
        int64_t price;
        const char *location;
        uint32_t rel_ppm;
};

static const struct raw vast_raw[] = {
        {"300", "NVIDIA GeForce RTX 4090", 1, 24564, 400000, "Texas, US", 990000},
        {"100", "RTX_4090", 2, 24564, 700000,
         "Qu\xc3\xa9"
         "bec, CA",
         970000},
        {"200", "A100-SXM4-80GB", 8, 81920, 10000000, NULL, 999000},
        {"100", "RTX 3090", 1, 24576, 1, "dup", 1}, /* duplicate id: dropped */
        {"400", "   ", 1, 24576, 1, "blank", 1},    /* blank GPU name: dropped */
        {"500", "Tesla V100", 1, 16384, 150000, "a\"b\\c\n", 800000},
};

static const struct raw td_raw[] = {
        {"loc1-geforcertx4090-pcie-24gb", "geforcertx4090-pcie-24gb", 4, 24576, 1600000,
         "Chicago, Illinois, US", 1000000},
        {"loc2-a100-pcie-80gb", "NVIDIA A100 PCIe 80GB", 1, 81920, 1200000, "Amsterdam, NL",
         660000},
};

static struct snapshot *build(const char *provider, const struct raw *r, size_t n, size_t cap,
                              int *ret_add_status)
{
        struct snapshot_builder *b = snapshot_builder_new(provider, cap);
        struct snapshot *s = NULL;
        int last = 0;

        assert_non_null(b);
        for (size_t i = 0; i < n; i++) {
                struct gs_offer o = {
                        .struct_size = sizeof(o),
                        .gpu_count = r[i].count,
                        .offer_id = r[i].id,
                        .gpu_name_raw = r[i].gpu,
                        .vram_mib = r[i].vram_mib,
                        .price_uusd_per_hour = r[i].price,
                        .location = r[i].location,
                        .reliability_ppm = r[i].rel_ppm,
                        .cuda_milli = 12400,
                        .available = 1,
                };

                last = snapshot_builder_add(b, &o);
                if (last < 0)
                        break;
        }
        if (ret_add_status)
                *ret_add_status = last;
        assert_int_equal(snapshot_finish_take(b, FETCHED_MS, &s), 0);
        return s;
}

static void test_snapshot_normalizes_and_dedupes(void **state)
{
        struct snapshot *s = build("vastai", vast_raw, ARRAY_LEN(vast_raw), 100, NULL);
        const struct offer *o;

        (void)state;
        assert_int_equal(s->count, 4);
        assert_int_equal(s->dropped, 2);
        assert_false(s->truncated);
        /* sorted by provider id */
        assert_string_equal(s->offers[0].provider_id, "100");
        assert_string_equal(s->offers[3].provider_id, "500");
        o = snapshot_find(s, "100");
        assert_non_null(o);
        assert_string_equal(o->id, "vastai-100");
        assert_string_equal(o->gpu_type, "RTX 4090"); /* the first "100" was kept */
        assert_int_equal(o->vram_gb, 24);
        assert_int_equal(o->price_uusd_per_gpu_hour, 350000);
        assert_string_equal(o->location_lc, "qu\xc3\xa9"
                                            "bec, ca");
        o = snapshot_find(s, "200");
        assert_string_equal(o->gpu_type, "A100");
        assert_string_equal(o->form_factor, "SXM");
        assert_string_equal(o->location, "");
        assert_null(snapshot_find(s, "400"));
        assert_null(snapshot_find(s, "10"));
        snapshot_unref(s);
}

static void test_snapshot_cap_truncates(void **state)
{
        int last = 0;
        struct snapshot *s = build("vastai", vast_raw, ARRAY_LEN(vast_raw), 2, &last);

        (void)state;
        assert_int_equal(last, GS_E_TOOBIG);
        assert_int_equal(s->count, 2);
        assert_true(s->truncated);
        snapshot_unref(s);
}

static void test_offer_json_is_valid_and_exact(void **state)
{
        struct snapshot *s = build("vastai", vast_raw, ARRAY_LEN(vast_raw), 100, NULL);
        char tail[OFFER_JSON_TAIL_MAX];

        (void)state;
        for (size_t i = 0; i < s->count; i++) {
                const struct offer *o = &s->offers[i];
                size_t n = offer_json_tail(offer_json_age_s(o, FETCHED_MS + 61999), tail);
                char *text = malloc(o->json_len + n + 1);
                json_error_t jerr;
                json_t *j;

                assert_non_null(text);
                memcpy(text, o->json, o->json_len);
                memcpy(text + o->json_len, tail, n);
                text[o->json_len + n] = '\0';
                j = json_loads(text, 0, &jerr);
                if (!j)
                        fail_msg("offer %zu: invalid JSON (%s): %s", i, jerr.text, text);
                assert_string_equal(json_string_value(json_object_get(j, "id")), o->id);
                assert_int_equal(json_integer_value(json_object_get(j, "age_seconds")), 61);
                assert_string_equal(json_string_value(json_object_get(j, "fetched_at")),
                                    "2025-11-27T16:10:00Z");
                if (strcmp(o->provider_id, "100") == 0) {
                        assert_non_null(strstr(text, "\"price_per_hour\":0.7,"));
                        assert_non_null(strstr(text, "\"price_per_gpu_hour\":0.35,"));
                        assert_non_null(strstr(text, "\"reliability\":0.97,"));
                        assert_non_null(strstr(text, "\"cuda_version\":12.4,"));
                        assert_non_null(strstr(text, "\"form_factor\":null"));
                }
                if (strcmp(o->provider_id, "200") == 0)
                        assert_non_null(strstr(text, "\"location\":null"));
                if (strcmp(o->provider_id, "500") == 0)
                        assert_string_equal(json_string_value(json_object_get(j, "location")),
                                            "a\"b\\c\n");
                json_decref(j);
                free(text);
        }
        snapshot_unref(s);
}

static const char *const names[] = {"vastai", "tensordock"};

static struct view *two_provider_view(void)
{
        struct snapshot *snaps[2];
        struct view *v = NULL;

        snaps[0] = build("vastai", vast_raw, ARRAY_LEN(vast_raw), 100, NULL);
        snaps[1] = build("tensordock", td_raw, ARRAY_LEN(td_raw), 100, NULL);
        assert_int_equal(view_build(names, snaps, 2, &v), 0);
        /* the view holds its own references */
        snapshot_unref(snaps[0]);
        snapshot_unref(snaps[1]);
        return v;
}

static void test_view_find_by_public_id(void **state)
{
        struct view *v = two_provider_view();

        (void)state;
        assert_string_equal(view_find(v, "vastai-300")->gpu_type, "RTX 4090");
        assert_string_equal(view_find(v, "VastAI-300")->id, "vastai-300");
        assert_string_equal(view_find(v, "tensordock-loc2-a100-pcie-80gb")->gpu_type, "A100");
        assert_null(view_find(v, "vastai-999"));
        assert_null(view_find(v, "vastai"));
        assert_null(view_find(v, "lambda-1"));
        assert_null(view_find(v, "tensordock-LOC2-a100-pcie-80gb")); /* provider id is exact */
        view_unref(v);
}

static void test_view_without_snapshots_is_empty(void **state)
{
        struct snapshot *none[2] = {NULL, NULL};
        const struct offer_key *page[4];
        struct offer_query q;
        struct offer_filter f;
        struct offer_query_error err;
        struct view *v = NULL;
        size_t count = 99;

        (void)state;
        assert_int_equal(view_build(names, none, 2, &v), 0);
        offer_query_init(&q);
        assert_int_equal(offer_query_set(&q, "gpu_type", "RTX 4090", &err), 0);
        assert_int_equal(offer_filter_compile(&q, v->providers, v->n_providers, v->types,
                                              v->n_types, &f, &err),
                         0);
        assert_int_equal(view_select(v, &f, q.sort, 0, 4, page, &count), 0);
        assert_int_equal(count, 0);
        assert_null(view_find(v, "vastai-300"));
        view_unref(v);
}

struct query_case {
        const char *key;
        const char *value;
        const char *want; /* ids in order */
};

static const struct query_case queries[] = {
        {"gpu_type", "RTX 4090", "vastai-300 vastai-100 tensordock-loc1-geforcertx4090-pcie-24gb"},
        {"gpu_type", "A100,V100", "vastai-500 tensordock-loc2-a100-pcie-80gb vastai-200"},
        {"gpu_type", "A100 PCIe", "tensordock-loc2-a100-pcie-80gb"},
        {"provider", "tensordock",
         "tensordock-loc2-a100-pcie-80gb tensordock-loc1-geforcertx4090-pcie-24gb"},
        {"location", "BEC", "vastai-100"},
        {"sort", "reliability",
         "tensordock-loc1-geforcertx4090-pcie-24gb vastai-200 vastai-300 vastai-100 vastai-500 "
         "tensordock-loc2-a100-pcie-80gb"},
};

static void ids_of(const struct offer_key **page, size_t n, char *buf, size_t len)
{
        size_t w = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                int k = snprintf(buf + w, len - w, "%s%s", i ? " " : "", page[i]->offer->id);

                if (k < 0 || (size_t)k >= len - w)
                        break;
                w += (size_t)k;
        }
}

static void test_view_select_runs_and_cache_agree(void **state)
{
        struct view *v = two_provider_view();

        (void)state;
        for (int pass = 0; pass < 2; pass++) /* pass 1 is answered by the cache */
                for (size_t i = 0; i < ARRAY_LEN(queries); i++) {
                        const struct offer_key *page[16];
                        struct offer_query q;
                        struct offer_filter f;
                        struct offer_query_error err;
                        char got[512];
                        size_t count, total;

                        offer_query_init(&q);
                        assert_int_equal(
                                offer_query_set(&q, queries[i].key, queries[i].value, &err), 0);
                        assert_int_equal(offer_filter_compile(&q, v->providers, v->n_providers,
                                                              v->types, v->n_types, &f, &err),
                                         0);
                        total = view_select(v, &f, q.sort, 0, 16, page, &count);
                        ids_of(page, count, got, sizeof(got));
                        if (strcmp(got, queries[i].want) != 0 || total != count)
                                fail_msg("pass %d %s=%s: got [%s] (%zu/%zu), want [%s]", pass,
                                         queries[i].key, queries[i].value, got, count, total,
                                         queries[i].want);
                }
        view_unref(v);
}

static void test_view_keeps_snapshots_alive(void **state)
{
        struct view *v = two_provider_view();
        struct view *extra = view_ref(v);
        const struct offer *o;

        (void)state;
        view_unref(v);
        o = view_find(extra, "vastai-500");
        assert_non_null(o);
        assert_string_equal(o->gpu_type, "V100");
        view_unref(extra);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_snapshot_normalizes_and_dedupes),
                cmocka_unit_test(test_snapshot_cap_truncates),
                cmocka_unit_test(test_offer_json_is_valid_and_exact),
                cmocka_unit_test(test_view_find_by_public_id),
                cmocka_unit_test(test_view_without_snapshots_is_empty),
                cmocka_unit_test(test_view_select_runs_and_cache_agree),
                cmocka_unit_test(test_view_keeps_snapshots_alive),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
