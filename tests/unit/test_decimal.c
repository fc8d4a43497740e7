/* test_decimal.c - fixed-point integers to the shortest exact decimal text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/decimal.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_shortest_exact_text(void **state)
{
        static const struct {
                int64_t v;
                unsigned scale;
                const char *want;
        } t[] = {
                {0, 6, "0"},
                {350000, 6, "0.35"},
                {12000000, 6, "12"},
                {1, 6, "0.000001"},
                {16667, 6, "0.016667"},
                {1000000, 6, "1"},
                {950000, 6, "0.95"},
                {12400, 3, "12.4"},
                {12000, 3, "12"},
                {-5, 3, "-0.005"},
                {-1500000, 6, "-1.5"},
                {42, 0, "42"},
                {INT64_MAX, 6, "9223372036854.775807"},
                {INT64_MIN, 6, "-9223372036854.775808"},
                {1, 18, "0.000000000000000001"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                char buf[DECIMAL_TEXT_MAX];
                int n = decimal_format(t[i].v, t[i].scale, buf, sizeof(buf));

                if (n < 0 || strcmp(buf, t[i].want) != 0 || (size_t)n != strlen(t[i].want))
                        fail_msg("%lld/10^%u: got '%s' (%d), want '%s'", (long long)t[i].v,
                                 t[i].scale, buf, n, t[i].want);
        }
}

static void test_rejects_small_buffer_and_bad_scale(void **state)
{
        char buf[4] = "xyz";

        (void)state;
        assert_int_equal(decimal_format(350000, 6, buf, sizeof(buf)), GS_E_INVAL);
        assert_string_equal(buf, "");
        assert_int_equal(decimal_format(35, 0, buf, 3), 2);
        assert_string_equal(buf, "35");
        assert_int_equal(decimal_format(350, 0, buf, 3), GS_E_INVAL);
        assert_int_equal(decimal_format(1, DECIMAL_SCALE_MAX + 1, buf, sizeof(buf)), GS_E_INVAL);
        assert_int_equal(decimal_format(1, 0, NULL, 0), GS_E_INVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shortest_exact_text),
                cmocka_unit_test(test_rejects_small_buffer_and_bad_scale),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
