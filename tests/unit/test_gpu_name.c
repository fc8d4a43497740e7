/*
 * test_gpu_name.c - raw provider spellings -> canonical model, form factor
 * and memory variant. Table driven: Vast.ai gpu_name values, TensorDock
 * displayName and v0Name values, nvidia-smi names and hand-typed queries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/gpu_name.h"
#include "gpushop/status.h"

struct name_case {
        const char *raw;
        const char *model;
        const char *form_factor;
        uint32_t mem_gb;
};

static const struct name_case cases[] = {
        /* Vast.ai gpu_name values */
        {"RTX 4090", "RTX 4090", "", 0},
        {"GeForce RTX 4090", "RTX 4090", "", 0},
        {"NVIDIA GeForce RTX 4090", "RTX 4090", "", 0},
        {"RTX 4090D", "RTX 4090 D", "", 0},
        {"RTX 4090 D", "RTX 4090 D", "", 0},
        {"RTX 5090", "RTX 5090", "", 0},
        {"RTX 5080", "RTX 5080", "", 0},
        {"RTX 5070 Ti", "RTX 5070 Ti", "", 0},
        {"RTX 5070", "RTX 5070", "", 0},
        {"RTX 5060 Ti", "RTX 5060 Ti", "", 0},
        {"RTX 4080", "RTX 4080", "", 0},
        {"RTX 4080S", "RTX 4080 SUPER", "", 0},
        {"RTX 4070 Ti SUPER", "RTX 4070 Ti SUPER", "", 0},
        {"RTX 4070S", "RTX 4070 SUPER", "", 0},
        {"RTX 3090", "RTX 3090", "", 0},
        {"RTX 3090 Ti", "RTX 3090 Ti", "", 0},
        {"RTX 3080", "RTX 3080", "", 0},
        {"RTX 3080 Ti", "RTX 3080 Ti", "", 0},
        {"RTX 3060", "RTX 3060", "", 0},
        {"RTX 2080 Ti", "RTX 2080 Ti", "", 0},
        {"GTX 1080 Ti", "GTX 1080 Ti", "", 0},
        {"GTX 1080", "GTX 1080", "", 0},
        {"Titan RTX", "TITAN RTX", "", 0},
        {"Titan Xp", "TITAN Xp", "", 0},
        {"RTX A6000", "RTX A6000", "", 0},
        {"RTX A5000", "RTX A5000", "", 0},
        {"RTX A4000", "RTX A4000", "", 0},
        {"RTX 6000Ada", "RTX 6000 Ada", "", 0},
        {"RTX 4000Ada", "RTX 4000 Ada", "", 0},
        {"RTX PRO 6000 WS", "RTX PRO 6000", "", 0},
        {"Q RTX 8000", "RTX 8000", "", 0},
        {"Q RTX 6000", "RTX 6000", "", 0},
        {"A100", "A100", "", 0},
        {"NVIDIA A100", "A100", "", 0},
        {"A100 PCIE", "A100", "PCIe", 0},
        {"A100_PCIE", "A100", "PCIe", 0},
        {"A100 SXM4", "A100", "SXM", 0},
        {"A100X", "A100X", "", 0},
        {"A800 PCIE", "A800", "PCIe", 0},
        {"H100 SXM", "H100", "SXM", 0},
        {"H100 PCIE", "H100", "PCIe", 0},
        {"H100 NVL", "H100", "NVL", 0},
        {"H100 SXM5", "H100", "SXM", 0},
        {"H200", "H200", "", 0},
        {"H200 NVL", "H200", "NVL", 0},
        {"GH200 SXM", "GH200", "SXM", 0},
        {"B200", "B200", "", 0},
        {"L40S", "L40S", "", 0},
        {"L40", "L40", "", 0},
        {"L4", "L4", "", 0},
        {"A40", "A40", "", 0},
        {"A10", "A10", "", 0},
        {"A10G", "A10G", "", 0},
        {"Tesla V100", "V100", "", 0},
        {"Tesla T4", "T4", "", 0},
        {"Tesla P100", "P100", "", 0},
        {"RTX_4090", "RTX 4090", "", 0},
        {"RTX_3090_Ti", "RTX 3090 Ti", "", 0},
        /* TensorDock displayName values */
        {"NVIDIA GeForce RTX 4090 PCIe 24GB", "RTX 4090", "PCIe", 24},
        {"NVIDIA GeForce RTX 3090 PCIe 24GB", "RTX 3090", "PCIe", 24},
        {"GeForce RTX 3090 PCIe 24GB", "RTX 3090", "PCIe", 24},
        {"NVIDIA A100 PCIe 80GB", "A100", "PCIe", 80},
        {"Tesla V100 PCIe 32GB", "V100", "PCIe", 32},
        {"H100 SXM5 80GB", "H100", "SXM", 80},
        {"RTX 4090 24GB", "RTX 4090", "", 24},
        {"RTX 3080 10GB", "RTX 3080", "", 10},
        {"A100 80GB", "A100", "", 80},
        {"V100 16GB", "V100", "", 16},
        {"RTX 4090 PCIe 48GB PCIe 24GB", "RTX 4090", "PCIe", 48},
        {"  NVIDIA GeForce RTX 4090 PCIe 24GB  ", "RTX 4090", "PCIe", 24},
        {"NVIDIA RTX A5000 PCIe 24GB", "RTX A5000", "PCIe", 24},
        {"NVIDIA RTX A6000 PCIe 48GB", "RTX A6000", "PCIe", 48},
        {"NVIDIA L4 PCIe 24GB", "L4", "PCIe", 24},
        {"NVIDIA L40S PCIe 48GB", "L40S", "PCIe", 48},
        {"NVIDIA A40 PCIe 48GB", "A40", "PCIe", 48},
        {"NVIDIA GeForce RTX 5090 PCIe 32GB", "RTX 5090", "PCIe", 32},
        {"Unknown GPU Model", "Unknown GPU Model", "", 0},
        {"GPU Model 3 24GB", "GPU Model 3", "", 24},
        /* TensorDock v0Name values */
        {"geforcertx4090-pcie-24gb", "RTX 4090", "PCIe", 24},
        {"geforcertx3090-pcie-24gb", "RTX 3090", "PCIe", 24},
        {"geforcertx5090-pcie-32gb", "RTX 5090", "PCIe", 32},
        {"geforcertx3080-pcie-10gb", "RTX 3080", "PCIe", 10},
        {"rtxa5000-pcie-24gb", "RTX A5000", "PCIe", 24},
        {"rtxa6000-pcie-48gb", "RTX A6000", "PCIe", 48},
        {"rtxa100-pcie-80gb", "A100", "PCIe", 80},
        {"a100-pcie-80gb", "A100", "PCIe", 80},
        {"a40-pcie-48gb", "A40", "PCIe", 48},
        {"l4-pcie-24gb", "L4", "PCIe", 24},
        {"l40s-pcie-48gb", "L40S", "PCIe", 48},
        {"h100-sxm5-80gb", "H100", "SXM", 80},
        {"v100-sxm2-16gb", "V100", "SXM", 16},
        {"a100-80gb", "A100", "", 80},
        {"rtx4090", "RTX 4090", "", 0},
        {"gpu-1-2", "gpu 1 2", "", 0},
        /* nvidia-smi style names */
        {"A100-SXM4-80GB", "A100", "SXM", 80},
        {"NVIDIA A100-SXM4-40GB", "A100", "SXM", 40},
        {"NVIDIA A100-PCIE-40GB", "A100", "PCIe", 40},
        {"NVIDIA A100 80GB PCIe", "A100", "PCIe", 80},
        {"NVIDIA H100 80GB HBM3", "H100", "", 80},
        {"NVIDIA H100 PCIe", "H100", "PCIe", 0},
        {"Tesla V100-SXM2-16GB", "V100", "SXM", 16},
        {"Tesla V100-PCIE-32GB", "V100", "PCIe", 32},
        {"NVIDIA RTX 6000 Ada Generation", "RTX 6000 Ada", "", 0},
        {"Quadro RTX 8000", "RTX 8000", "", 0},
        {"NVIDIA GeForce GTX 1080 Ti", "GTX 1080 Ti", "", 0},
        /* Hand-typed queries: case, missing spaces, separators */
        {"rtx 4090", "RTX 4090", "", 0},
        {"RTX4090", "RTX 4090", "", 0},
        {"rtx-4090", "RTX 4090", "", 0},
        {"RTX   4090", "RTX 4090", "", 0},
        {"rtx3090ti", "RTX 3090 Ti", "", 0},
        {"rtxa6000", "RTX A6000", "", 0},
        {"a6000", "RTX A6000", "", 0},
        {"rtx6000ada", "RTX 6000 Ada", "", 0},
        {"l40s", "L40S", "", 0},
        {"h100sxm", "H100", "SXM", 0},
        {"h100nvl", "H100", "NVL", 0},
        {"a100pcie80gb", "A100", "PCIe", 80},
        {"a10080gb", "A100", "", 80},
        {"a10", "A10", "", 0},
        {"RTX 4090 (24 GB)", "RTX 4090", "", 24},
        {"RTX 4090 PCI-E", "RTX 4090", "PCIe", 0},
        /* Unknown names pass through cleaned */
        {"NVIDIA GeForce RTX 3060 Laptop GPU", "RTX 3060 Laptop GPU", "", 0},
        {"  AMD   Instinct_MI300X ", "AMD Instinct MI300X", "", 0},
        {"Radeon-PRO-W7900 PCIe 48GB", "Radeon PRO W7900", "PCIe", 48},
        {"NVIDIA", "NVIDIA", "", 0},
        {"24GB", "24GB", "", 0},
        {"Quadro P4000", "Quadro P4000", "", 0},
};

static void test_table(void **state)
{
        size_t i, n = sizeof(cases) / sizeof(cases[0]);
        int failures = 0;

        (void)state;
        assert_true(n >= 80);
        for (i = 0; i < n; i++) {
                struct gpu_name g;
                int r = gpu_name_normalize(cases[i].raw, &g);

                if (r != 0 || strcmp(g.model, cases[i].model) != 0 ||
                    strcmp(g.form_factor, cases[i].form_factor) != 0 ||
                    g.mem_gb != cases[i].mem_gb) {
                        print_error("'%s': got r=%d '%s' '%s' %u, want '%s' '%s' %u\n",
                                    cases[i].raw, r, g.model, g.form_factor, g.mem_gb,
                                    cases[i].model, cases[i].form_factor, cases[i].mem_gb);
                        failures++;
                }
        }
        assert_int_equal(failures, 0);
}

static void test_idempotent(void **state)
{
        size_t i, n = sizeof(cases) / sizeof(cases[0]);

        (void)state;
        for (i = 0; i < n; i++) {
                struct gpu_name a, b;

                assert_int_equal(gpu_name_normalize(cases[i].raw, &a), 0);
                assert_int_equal(gpu_name_normalize(a.model, &b), 0);
                if (strcmp(a.model, b.model) != 0)
                        print_error("'%s' -> '%s' -> '%s'\n", cases[i].raw, a.model, b.model);
                assert_string_equal(a.model, b.model);
        }
}

/* Canonical names are fixed points. */
static void test_canonical_names_are_fixed_points(void **state)
{
        static const char *const canon[] = {
                "RTX 5090", "RTX 5090 D", "RTX 5080", "RTX 5070 Ti", "RTX 4090", "RTX 4090 D",
                "RTX 4080 SUPER", "RTX 4080", "RTX 4070 Ti SUPER", "RTX 3090 Ti", "RTX 3090",
                "RTX 3080", "RTX 2080 Ti", "TITAN RTX", "GTX 1080 Ti", "RTX PRO 6000",
                "RTX 6000 Ada", "RTX 4000 Ada", "RTX A6000", "RTX A5000", "RTX A4000", "RTX 8000",
                "RTX 6000", "GB200", "B200", "GH200", "H200", "H100", "A100", "A40", "A10G",
                "A10", "L40S", "L40", "L4", "T4", "V100", "P100", "K80",
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
                struct gpu_name g;

                assert_int_equal(gpu_name_normalize(canon[i], &g), 0);
                assert_string_equal(g.model, canon[i]);
                assert_string_equal(g.form_factor, "");
                assert_int_equal(g.mem_gb, 0);
        }
}

/* The pairs the table must keep apart. */
static void test_near_misses(void **state)
{
        static const char *const pairs[][2] = {
                {"L4", "L40S"},          {"L4", "L40"},         {"L40", "L40S"},
                {"RTX 4090", "RTX 4090 D"}, {"RTX 3090", "RTX 3090 Ti"}, {"A10", "A100"},
                {"RTX A6000", "RTX 6000 Ada"}, {"RTX 6000", "RTX 6000 Ada"},
                {"RTX 6000", "RTX A6000"},  {"A10", "A10G"},     {"H100", "H200"},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
                struct gpu_name a, b;

                assert_int_equal(gpu_name_normalize(pairs[i][0], &a), 0);
                assert_int_equal(gpu_name_normalize(pairs[i][1], &b), 0);
                assert_string_equal(a.model, pairs[i][0]);
                assert_string_equal(b.model, pairs[i][1]);
                assert_string_not_equal(a.model, b.model);
        }
}

/* Every spelling the architecture promises maps to one model. */
static void test_same_offers_for_query_spellings(void **state)
{
        static const char *const spellings[] = {"rtx4090", "RTX_4090", "GeForce RTX 4090",
                                                "RTX 4090", "NVIDIA GeForce RTX 4090",
                                                "geforcertx4090-pcie-24gb"};
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
                struct gpu_name g;

                assert_int_equal(gpu_name_normalize(spellings[i], &g), 0);
                assert_string_equal(g.model, "RTX 4090");
        }
}

static void test_invalid_input(void **state)
{
        struct gpu_name g = {.mem_gb = 77};

        (void)state;
        assert_int_equal(gpu_name_normalize(NULL, &g), GS_E_INVAL);
        assert_int_equal(gpu_name_normalize("RTX 4090", NULL), GS_E_INVAL);
        assert_int_equal(gpu_name_normalize("", &g), GS_E_INVAL);
        assert_int_equal(gpu_name_normalize("   ", &g), GS_E_INVAL);
        assert_int_equal(gpu_name_normalize("_-_ /\t\n", &g), GS_E_INVAL);
        /* ret_name untouched on failure */
        assert_int_equal(g.mem_gb, 77);
}

static void test_long_and_hostile_names(void **state)
{
        char big[4 * GPU_NAME_RAW_MAX];
        char utf8[GPU_NAME_MODEL_MAX * 2 + 1];
        struct gpu_name g, again;
        size_t i;

        (void)state;
        /* Longer than the model field: truncated, never empty, idempotent. */
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(gpu_name_normalize(big, &g), 0);
        assert_int_equal(strlen(g.model), GPU_NAME_MODEL_MAX - 1);
        assert_int_equal(gpu_name_normalize(g.model, &again), 0);
        assert_string_equal(g.model, again.model);

        /* Many tiny tokens. */
        for (i = 0; i + 1 < sizeof(big); i += 2) {
                big[i] = 'a';
                big[i + 1] = ' ';
        }
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(gpu_name_normalize(big, &g), 0);
        assert_true(strlen(g.model) < GPU_NAME_MODEL_MAX);

        /* Two-byte UTF-8 characters are never cut in half. */
        for (i = 0; i + 1 < sizeof(utf8); i += 2) {
                utf8[i] = (char)0xC3;
                utf8[i + 1] = (char)0xA9;
        }
        utf8[sizeof(utf8) - 1] = '\0';
        assert_int_equal(gpu_name_normalize(utf8, &g), 0);
        assert_int_equal(strlen(g.model) % 2, 0);
        assert_true(strlen(g.model) > 0);

        /* Control characters are separators. */
        assert_int_equal(gpu_name_normalize("RTX\x01" "4090\x7f", &g), 0);
        assert_string_equal(g.model, "RTX 4090");

        /* Out-of-range memory sizes stay in the name. */
        assert_int_equal(gpu_name_normalize("Foo 99999GB", &g), 0);
        assert_string_equal(g.model, "Foo 99999GB");
        assert_int_equal(g.mem_gb, 0);
        assert_int_equal(gpu_name_normalize("Foo 0GB", &g), 0);
        assert_string_equal(g.model, "Foo 0GB");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_idempotent),
                cmocka_unit_test(test_canonical_names_are_fixed_points),
                cmocka_unit_test(test_near_misses),
                cmocka_unit_test(test_same_offers_for_query_spellings),
                cmocka_unit_test(test_invalid_input),
                cmocka_unit_test(test_long_and_hostile_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
