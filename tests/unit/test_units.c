/* test_units.c - table-driven tests of the pure unit parsers and formatters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/units.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Written by no successful parse in these tables. */
#define SENTINEL INT64_C(-777)

struct i64_case {
        const char *in;
        int status;
        int64_t want;
};

static void run_i64_table(int (*parse)(const char *, int64_t *), const struct i64_case *t,
                          size_t n)
{
        for (size_t i = 0; i < n; i++) {
                int64_t v = SENTINEL;
                int r = parse(t[i].in, &v);

                /* On failure *ret_value must be untouched. */
                if (r != t[i].status || v != (r == 0 ? t[i].want : SENTINEL))
                        fail_msg("input '%s': got status %d value %lld, want status %d "
                                 "value %lld", t[i].in ? t[i].in : "(null)", r, (long long)v,
                                 t[i].status, (long long)t[i].want);
        }
}

static void test_int64_accepts_decimal_with_sign(void **state)
{
        static const struct i64_case t[] = {
                {"0", 0, 0},
                {"42", 0, 42},
                {"+42", 0, 42},
                {"-42", 0, -42},
                {"007", 0, 7},
                {"-0", 0, 0},
                {"9223372036854775807", 0, INT64_MAX},
                {"-9223372036854775808", 0, INT64_MIN},
        };

        (void)state;
        run_i64_table(units_parse_int64, t, ARRAY_LEN(t));
}

static void test_int64_rejects_malformed_and_overflow(void **state)
{
        static const struct i64_case t[] = {
                {"", GS_E_INVAL, 0},
                {NULL, GS_E_INVAL, 0},
                {"+", GS_E_INVAL, 0},
                {"-", GS_E_INVAL, 0},
                {" 1", GS_E_INVAL, 0},
                {"1 ", GS_E_INVAL, 0},
                {"1e3", GS_E_INVAL, 0},
                {"0x10", GS_E_INVAL, 0},
                {"1.0", GS_E_INVAL, 0},
                {"1,000", GS_E_INVAL, 0},
                {"--1", GS_E_INVAL, 0},
                {"12abc", GS_E_INVAL, 0},
                {"99999999999999999999x", GS_E_INVAL, 0},
                {"9223372036854775808", GS_E_TOOBIG, 0},
                {"-9223372036854775809", GS_E_TOOBIG, 0},
                {"99999999999999999999", GS_E_TOOBIG, 0},
        };

        (void)state;
        run_i64_table(units_parse_int64, t, ARRAY_LEN(t));
}

static void test_bool_accepts_words_case_insensitively(void **state)
{
        static const struct {
                const char *in;
                bool want;
        } good[] = {
                {"true", true}, {"TRUE", true},  {"Yes", true},   {"on", true},  {"1", true},
                {"false", false}, {"No", false}, {"OFF", false}, {"0", false},
        };
        static const char *const bad[] = {"", "maybe", "tru", "truee", "2", " yes", "y", "n"};

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(good); i++) {
                bool v = !good[i].want;

                if (units_parse_bool(good[i].in, &v) != 0 || v != good[i].want)
                        fail_msg("input '%s' not parsed as %d", good[i].in, good[i].want);
        }
        for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
                bool v = true;

                if (units_parse_bool(bad[i], &v) != GS_E_INVAL || !v)
                        fail_msg("input '%s' not rejected", bad[i]);
        }
        assert_int_equal(units_parse_bool(NULL, &(bool){false}), GS_E_INVAL);
}

static void test_duration_accepts_units(void **state)
{
        static const struct i64_case t[] = {
                {"0", 0, 0},
                {"250", 0, 250},
                {"250ms", 0, 250},
                {"30s", 0, 30000},
                {"5m", 0, 300000},
                {"12h", 0, 43200000},
                {"0h", 0, 0},
                {"9223372036854775807", 0, INT64_MAX},
                {"9223372036854775807ms", 0, INT64_MAX},
                {"2562047788015h", 0, INT64_C(2562047788015) * 3600000},
        };

        (void)state;
        run_i64_table(units_parse_duration_ms, t, ARRAY_LEN(t));
}

static void test_duration_rejects_malformed_and_overflow(void **state)
{
        static const struct i64_case t[] = {
                {"", GS_E_INVAL, 0},
                {"s", GS_E_INVAL, 0},
                {"1.5s", GS_E_INVAL, 0},
                {"-1s", GS_E_INVAL, 0},
                {"+1s", GS_E_INVAL, 0},
                {" 1s", GS_E_INVAL, 0},
                {"1 s", GS_E_INVAL, 0},
                {"1s ", GS_E_INVAL, 0},
                {"1d", GS_E_INVAL, 0},
                {"1S", GS_E_INVAL, 0},
                {"1sec", GS_E_INVAL, 0},
                {"1e3", GS_E_INVAL, 0},
                {"1hm", GS_E_INVAL, 0},
                {"9223372036854775808", GS_E_TOOBIG, 0},
                {"9223372036854776s", GS_E_TOOBIG, 0},
                {"2562047788016h", GS_E_TOOBIG, 0},
        };

        (void)state;
        run_i64_table(units_parse_duration_ms, t, ARRAY_LEN(t));
}

static void test_price_accepts_decimal_usd(void **state)
{
        static const struct i64_case t[] = {
                {"0", 0, 0},
                {"0.35", 0, 350000},
                {"12", 0, 12000000},
                {".5", 0, 500000},
                {"0.000001", 0, 1},
                {"1.100000", 0, 1100000},
                {"0012.5", 0, 12500000},
                {"9223372036854.775807", 0, INT64_MAX},
        };

        (void)state;
        run_i64_table(units_parse_price_uusd, t, ARRAY_LEN(t));
}

static void test_price_rejects_malformed_and_overflow(void **state)
{
        static const struct i64_case t[] = {
                {"", GS_E_INVAL, 0},
                {".", GS_E_INVAL, 0},
                {"5.", GS_E_INVAL, 0},
                {"-0.1", GS_E_INVAL, 0},
                {"+1", GS_E_INVAL, 0},
                {" 1", GS_E_INVAL, 0},
                {"1 ", GS_E_INVAL, 0},
                {"1e3", GS_E_INVAL, 0},
                {"0.0000001", GS_E_INVAL, 0},
                {"0.1000000", GS_E_INVAL, 0},
                {"1,5", GS_E_INVAL, 0},
                {"1,000.00", GS_E_INVAL, 0},
                {"$1", GS_E_INVAL, 0},
                {"1.2.3", GS_E_INVAL, 0},
                {"9223372036854.775808", GS_E_TOOBIG, 0},
                {"9223372036855", GS_E_TOOBIG, 0},
                {"99999999999999999999999", GS_E_TOOBIG, 0},
        };

        (void)state;
        run_i64_table(units_parse_price_uusd, t, ARRAY_LEN(t));
}

static void test_parsers_reject_null_out_param(void **state)
{
        (void)state;
        assert_int_equal(units_parse_int64("1", NULL), GS_E_INVAL);
        assert_int_equal(units_parse_bool("1", NULL), GS_E_INVAL);
        assert_int_equal(units_parse_duration_ms("1", NULL), GS_E_INVAL);
        assert_int_equal(units_parse_price_uusd("1", NULL), GS_E_INVAL);
}

static void test_format_usd_prints_six_decimals(void **state)
{
        static const struct {
                int64_t in;
                const char *want;
        } t[] = {
                {0, "0.000000"},
                {1350000, "1.350000"},
                {-1, "-0.000001"},
                {350000, "0.350000"},
                {INT64_MAX, "9223372036854.775807"},
                {INT64_MIN, "-9223372036854.775808"},
        };
        char buf[64];

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                int n = units_format_usd(t[i].in, buf, sizeof(buf));

                assert_string_equal(buf, t[i].want);
                assert_int_equal(n, (int)strlen(t[i].want));
        }
}

static void test_format_usd_reports_truncation(void **state)
{
        char buf[4];

        (void)state;
        assert_int_equal(units_format_usd(1350000, buf, sizeof(buf)), 8);
        assert_string_equal(buf, "1.3");
}

static void test_cost_rounds_half_up(void **state)
{
        static const struct {
                int64_t rate, ms, want;
        } t[] = {
                {3600000, 1000, 1000},       /* $3.60/h for 1 s = 1000 uusd */
                {1000000, 3600000, 1000000}, /* one hour */
                {1000000, 0, 0},
                {0, 123456, 0},
                {1, 1800000, 1},             /* exactly 0.5 -> 1 */
                {1, 1799999, 0},             /* just under 0.5 -> 0 */
                {3, 1800000, 2},             /* 1.5 -> 2 */
                {-1, 1800000, 0},            /* -0.5 -> 0 (half up) */
                {-1, 1800001, -1},           /* just under -0.5 -> -1 */
                {350000, 90 * 60000, 525000},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                int64_t got = units_cost_uusd(t[i].rate, t[i].ms);

                if (got != t[i].want)
                        fail_msg("rate %lld ms %lld: got %lld, want %lld", (long long)t[i].rate,
                                 (long long)t[i].ms, (long long)got, (long long)t[i].want);
        }
}

static void test_cost_does_not_overflow(void **state)
{
        (void)state;
        /* The product overflows int64 but the result fits. */
        assert_true(units_cost_uusd(INT64_MAX, 3600000) == INT64_MAX);
        assert_true(units_cost_uusd(INT64_MAX / 2, 7200000) == INT64_MAX / 2 * 2);
        assert_true(units_cost_uusd(4611686018427387904, 1800000) == 2305843009213693952);
        /* Saturation. */
        assert_true(units_cost_uusd(INT64_MAX, INT64_MAX) == INT64_MAX);
        assert_true(units_cost_uusd(INT64_MAX, 3600001) == INT64_MAX);
        assert_true(units_cost_uusd(INT64_MIN, INT64_MAX) == INT64_MIN);
        assert_true(units_cost_uusd(INT64_MIN, INT64_MIN) == INT64_MAX);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_int64_accepts_decimal_with_sign),
                cmocka_unit_test(test_int64_rejects_malformed_and_overflow),
                cmocka_unit_test(test_bool_accepts_words_case_insensitively),
                cmocka_unit_test(test_duration_accepts_units),
                cmocka_unit_test(test_duration_rejects_malformed_and_overflow),
                cmocka_unit_test(test_price_accepts_decimal_usd),
                cmocka_unit_test(test_price_rejects_malformed_and_overflow),
                cmocka_unit_test(test_parsers_reject_null_out_param),
                cmocka_unit_test(test_format_usd_prints_six_decimals),
                cmocka_unit_test(test_format_usd_reports_truncation),
                cmocka_unit_test(test_cost_rounds_half_up),
                cmocka_unit_test(test_cost_does_not_overflow),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
