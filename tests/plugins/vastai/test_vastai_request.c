/*
 * test_vastai_request.c - the exact JSON sent to Vast.ai: search query
 * (provider-wire-contract §2.3), create body (§2.4), attach-key body (§2.5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vastai_request.h"

static void test_query_defaults(void **state)
{
        struct vast_query q = {.min_reliability_ppm = 950000};
        char *s = NULL;

        (void)state;
        assert_int_equal(vast_query_json(&q, &s), 0);
        assert_string_equal(s, "{\"reliability2\":{\"gte\":0.95},\"rentable\":{\"eq\":true},"
                               "\"type\":\"on-demand\"}");
        free(s);
}

static void test_query_all_hints(void **state)
{
        struct vast_query q = {
                .min_reliability_ppm = 990000,
                .gpu_name = "RTX 4090",
                .min_gpu_count = 2,
                .min_vram_mib = 24576,
                .max_price_uusd_per_hour = 500000,
                .min_cuda_milli = 12400,
        };
        char *s = NULL;

        (void)state;
        assert_int_equal(vast_query_json(&q, &s), 0);
        assert_string_equal(s, "{\"cuda_max_good\":{\"gte\":12.4},"
                               "\"dph_total\":{\"lte\":0.5},"
                               "\"gpu_name\":{\"in\":[\"RTX 4090\",\"Tesla RTX 4090\","
                               "\"Q RTX 4090\",\"RTX 4090 PCIE\",\"RTX 4090 SXM\","
                               "\"RTX 4090 SXM2\",\"RTX 4090 SXM4\",\"RTX 4090 SXM5\","
                               "\"RTX 4090 NVL\",\"RTX 4090 WS\",\"RTX 4090 S\",\"RTX4090\"]},"
                               "\"gpu_ram\":{\"gte\":24576},"
                               "\"num_gpus\":{\"gte\":2},"
                               "\"reliability2\":{\"gte\":0.99},"
                               "\"rentable\":{\"eq\":true},"
                               "\"type\":\"on-demand\"}");
        free(s);
}

/* The canonical name reaches Vast's own spellings of the same model. */
static void test_query_name_variants(void **state)
{
        static const char *const pairs[][2] = {
                {"A100", "\"A100 SXM4\""},         {"A100", "\"A100 PCIE\""},
                {"H100", "\"H100 NVL\""},          {"V100", "\"Tesla V100\""},
                {"RTX 8000", "\"Q RTX 8000\""},    {"RTX 6000 Ada", "\"RTX 6000Ada\""},
                {"RTX 4080 SUPER", "\"RTX 4080S\""}, {"RTX 4090 D", "\"RTX 4090D\""},
                {"TITAN RTX", "\"Titan RTX\""},    {"RTX PRO 6000", "\"RTX PRO 6000 WS\""},
                {"L4", "[\"L4\","},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
                struct vast_query q = {.min_reliability_ppm = 0, .gpu_name = pairs[i][0]};
                char *s = NULL;

                assert_int_equal(vast_query_json(&q, &s), 0);
                if (!strstr(s, pairs[i][1]))
                        print_error("%s: %s lacks %s\n", pairs[i][0], s, pairs[i][1]);
                assert_non_null(strstr(s, pairs[i][1]));
                /* "L4" must not be widened into "L40S" */
                assert_null(strstr(s, "L40"));
                free(s);
        }
}

static void test_query_refusals(void **state)
{
        struct vast_query q = {.min_reliability_ppm = 1000001};
        char *s = (char *)"untouched";

        (void)state;
        assert_int_equal(vast_query_json(&q, &s), GS_E_INVAL);
        q.min_reliability_ppm = 0;
        q.gpu_name = "RTX\n4090";
        assert_int_equal(vast_query_json(&q, &s), GS_E_INVAL);
        assert_int_equal(vast_query_json(NULL, &s), GS_E_INVAL);
        assert_string_equal(s, "untouched");
}

static void test_create_body(void **state)
{
        struct vast_create_body b = {
                .image = "nvidia/cuda:12.6.3-runtime-ubuntu22.04",
                .label = "gs-dep1-sess-abcdefghijkl",
                .ssh_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG x@y",
                .disk_gb = 50,
        };
        char *s = NULL;

        (void)state;
        assert_int_equal(vast_create_json(&b, &s), 0);
        assert_string_equal(s, "{\"client_id\":\"me\",\"disk\":50,"
                               "\"image\":\"nvidia/cuda:12.6.3-runtime-ubuntu22.04\","
                               "\"label\":\"gs-dep1-sess-abcdefghijkl\",\"runtype\":\"ssh_proxy\","
                               "\"ssh_key\":\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG x@y\"}");
        free(s);

        /* Template mode: no image; no key. */
        b.template_hash_id = "4e17788f74f075dd9aab7d0d4427968f";
        b.ssh_key = NULL;
        assert_int_equal(vast_create_json(&b, &s), 0);
        assert_string_equal(s, "{\"client_id\":\"me\",\"disk\":50,"
                               "\"label\":\"gs-dep1-sess-abcdefghijkl\",\"runtype\":\"ssh_proxy\","
                               "\"template_hash_id\":\"4e17788f74f075dd9aab7d0d4427968f\"}");
        free(s);
}

static void test_create_body_refusals(void **state)
{
        struct vast_create_body good = {.image = "img", .label = "gs-a-b", .disk_gb = 10};
        struct vast_create_body b;
        char *s = (char *)"untouched";

        (void)state;
        b = good;
        b.label = "gs-a\nX-Injected: 1";
        assert_int_equal(vast_create_json(&b, &s), GS_E_INVAL);
        b = good;
        b.label = NULL;
        assert_int_equal(vast_create_json(&b, &s), GS_E_INVAL);
        b = good;
        b.disk_gb = 0;
        assert_int_equal(vast_create_json(&b, &s), GS_E_INVAL);
        b = good;
        b.disk_gb = VAST_DISK_GB_MAX + 1;
        assert_int_equal(vast_create_json(&b, &s), GS_E_INVAL);
        b = good;
        b.image = NULL;
        assert_int_equal(vast_create_json(&b, &s), GS_E_INVAL);
        b = good;
        b.ssh_key = "ssh-ed25519 \xff\xfe bad-utf8";
        assert_int_equal(vast_create_json(&b, &s), GS_E_INVAL);
        assert_string_equal(s, "untouched");
}

static void test_ssh_key_body(void **state)
{
        char *s = NULL;

        (void)state;
        assert_int_equal(vast_ssh_key_json("ssh-ed25519 AAAA \"quoted\"", &s), 0);
        assert_string_equal(s, "{\"ssh_key\":\"ssh-ed25519 AAAA \\\"quoted\\\"\"}");
        free(s);
        assert_int_equal(vast_ssh_key_json("two\nlines", &s), GS_E_INVAL);
        assert_int_equal(vast_ssh_key_json("", &s), GS_E_INVAL);
}

static void test_ids(void **state)
{
        (void)state;
        assert_int_equal(vast_check_id("12345"), 0);
        assert_int_equal(vast_check_id("9007199254740992"), 0);
        assert_int_equal(vast_check_id("12345678901234567"), GS_E_INVAL);
        assert_int_equal(vast_check_id("0"), GS_E_INVAL);
        assert_int_equal(vast_check_id("012"), GS_E_INVAL);
        assert_int_equal(vast_check_id("12a"), GS_E_INVAL);
        assert_int_equal(vast_check_id("../1"), GS_E_INVAL);
        assert_int_equal(vast_check_id("vastai-12"), GS_E_INVAL);
        assert_int_equal(vast_check_id(""), GS_E_INVAL);
        assert_int_equal(vast_check_id(NULL), GS_E_INVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_query_defaults),
                cmocka_unit_test(test_query_all_hints),
                cmocka_unit_test(test_query_name_variants),
                cmocka_unit_test(test_query_refusals),
                cmocka_unit_test(test_create_body),
                cmocka_unit_test(test_create_body_refusals),
                cmocka_unit_test(test_ssh_key_body),
                cmocka_unit_test(test_ids),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
