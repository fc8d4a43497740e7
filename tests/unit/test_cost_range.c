/* test_cost_range.c - UTC dates, inclusive date ranges and day/month buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/cost_range.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SENTINEL INT64_C(-777)

/* Epoch ms of some UTC midnights (checked against Python's calendar). */
#define MS_1970_01_01 INT64_C(0)
#define MS_2000_02_29 INT64_C(951782400000)
#define MS_2024_02_29 INT64_C(1709164800000)
#define MS_2024_03_01 INT64_C(1709251200000)
#define MS_2024_12_31 INT64_C(1735603200000)
#define MS_2025_01_01 INT64_C(1735689600000)
#define MS_2026_02_01 INT64_C(1769904000000)
#define MS_9999_12_31 INT64_C(253402214400000)

static void test_date_parse_accepts_real_dates(void **state)
{
        static const struct {
                const char *in;
                int64_t want;
        } t[] = {
                {"1970-01-01", MS_1970_01_01}, {"2000-02-29", MS_2000_02_29},
                {"2024-02-29", MS_2024_02_29}, {"2024-03-01", MS_2024_03_01},
                {"2024-12-31", MS_2024_12_31}, {"2025-01-01", MS_2025_01_01},
                {"2026-02-01", MS_2026_02_01}, {"9999-12-31", MS_9999_12_31},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                int64_t v = SENTINEL;

                assert_int_equal(cost_date_parse(t[i].in, &v), 0);
                if (v != t[i].want)
                        fail_msg("%s: got %lld want %lld", t[i].in, (long long)v,
                                 (long long)t[i].want);
        }
}

static void test_date_parse_rejects_malformed_and_impossible(void **state)
{
        static const char *const bad[] = {
                NULL,           "",
                "2026-1-01",    "2026-01-1",
                "2026/01/01",   "2026-01-01T",
                " 2026-01-01",  "2026-01-01 ",
                "20260101",     "2026-00-10",
                "2026-13-01",   "2026-01-00",
                "2026-01-32",   "2025-02-29",
                "2100-02-29",   "2026-04-31",
                "1969-12-31",   "+026-01-01",
                "2026-0a-01",   "10000-01-01",
                "2026-01-01\n",
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
                int64_t v = SENTINEL;

                if (cost_date_parse(bad[i], &v) != GS_E_INVAL || v != SENTINEL)
                        fail_msg("'%s' was accepted", bad[i] ? bad[i] : "(null)");
        }
}

static void test_date_format_round_trips(void **state)
{
        char buf[COST_DATE_TEXT_MAX];
        int64_t v;

        (void)state;
        assert_int_equal(cost_date_format(MS_2024_02_29 + 86399999, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "2024-02-29");
        assert_int_equal(cost_date_format(MS_9999_12_31, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "9999-12-31");
        assert_int_equal(cost_date_parse(buf, &v), 0);
        assert_int_equal(v, MS_9999_12_31);
        assert_int_equal(cost_date_format(0, buf, sizeof(buf) - 1), GS_E_INVAL);
}

static void test_window_end_date_is_inclusive(void **state)
{
        struct cost_window w = {SENTINEL, SENTINEL};
        const char *bad = NULL;

        (void)state;
        assert_int_equal(cost_window_from_dates("2024-02-29", "2024-02-29", &w, &bad), 0);
        assert_int_equal(w.from_ms, MS_2024_02_29);
        assert_int_equal(w.to_ms, MS_2024_03_01);
        assert_int_equal(cost_window_from_dates("2024-12-31", NULL, &w, &bad), 0);
        assert_int_equal(w.from_ms, MS_2024_12_31);
        assert_true(w.to_ms > MS_9999_12_31);
        assert_int_equal(cost_window_from_dates(NULL, "2024-12-31", &w, &bad), 0);
        assert_int_equal(w.from_ms, 0);
        assert_int_equal(w.to_ms, MS_2025_01_01);
}

static void test_window_rejects_start_after_end_and_bad_dates(void **state)
{
        struct cost_window w = {SENTINEL, SENTINEL};
        const char *bad = NULL;

        (void)state;
        assert_int_equal(cost_window_from_dates("2025-01-01", "2024-12-31", &w, &bad),
                         GS_E_CONFLICT);
        assert_string_equal(bad, "start_date");
        assert_int_equal(cost_window_from_dates("2025-01-01", "2025-02-30", &w, &bad), GS_E_INVAL);
        assert_string_equal(bad, "end_date");
        assert_int_equal(cost_window_from_dates("yesterday", "2025-02-03", &w, &bad), GS_E_INVAL);
        assert_string_equal(bad, "start_date");
        assert_int_equal(w.from_ms, SENTINEL);
        assert_int_equal(w.to_ms, SENTINEL);
}

static void test_period_parse(void **state)
{
        int p = -1;

        (void)state;
        assert_int_equal(cost_period_parse("daily", &p), 0);
        assert_int_equal(p, COST_PERIOD_DAILY);
        assert_int_equal(cost_period_parse("monthly", &p), 0);
        assert_int_equal(p, COST_PERIOD_MONTHLY);
        assert_int_equal(cost_period_parse("weekly", &p), GS_E_INVAL);
        assert_int_equal(cost_period_parse("Daily", &p), GS_E_INVAL);
        assert_int_equal(cost_period_parse(NULL, &p), GS_E_INVAL);
        assert_int_equal(p, COST_PERIOD_MONTHLY);
        assert_string_equal(cost_period_name(COST_PERIOD_DAILY), "daily");
}

static void test_month_boundaries_including_february(void **state)
{
        struct cost_window w;

        (void)state;
        /* leap February: 29 days */
        assert_int_equal(cost_month_start_ms(MS_2024_02_29 + 5), MS_2024_02_29 - 28 * MS_PER_DAY);
        assert_int_equal(cost_next_month_ms(MS_2024_02_29), MS_2024_03_01);
        w = cost_bucket_of(COST_PERIOD_MONTHLY, MS_2024_02_29);
        assert_int_equal((w.to_ms - w.from_ms) / MS_PER_DAY, 29);
        /* common February: 28 days; 2100 is not a leap year */
        assert_int_equal(cost_date_parse("2100-02-01", &w.from_ms), 0);
        assert_int_equal(cost_next_month_ms(w.from_ms) - w.from_ms, 28 * MS_PER_DAY);
        assert_int_equal(cost_date_parse("2000-02-01", &w.from_ms), 0);
        assert_int_equal(cost_next_month_ms(w.from_ms) - w.from_ms, 29 * MS_PER_DAY);
        /* year end */
        assert_int_equal(cost_next_month_ms(MS_2024_12_31 + 86399999), MS_2025_01_01);
        assert_int_equal(cost_month_start_ms(MS_2025_01_01 - 1), MS_2024_12_31 - 30 * MS_PER_DAY);
        assert_int_equal(cost_year_start_ms(MS_2024_12_31 + 5), MS_2024_12_31 - 365 * MS_PER_DAY);
        assert_int_equal(cost_year_start_ms(MS_2025_01_01), MS_2025_01_01);
        /* the first instant of a month is in that month */
        assert_int_equal(cost_month_start_ms(MS_2024_03_01), MS_2024_03_01);
        w = cost_bucket_of(COST_PERIOD_DAILY, MS_2024_03_01 - 1);
        assert_int_equal(w.from_ms, MS_2024_02_29);
        assert_int_equal(w.to_ms, MS_2024_03_01);
}

static void test_bucket_count(void **state)
{
        struct cost_window w;

        (void)state;
        assert_int_equal(cost_window_from_dates("2024-01-15", "2024-03-02", &w, NULL), 0);
        assert_int_equal(cost_bucket_count(COST_PERIOD_MONTHLY, w), 3);
        assert_int_equal(cost_bucket_count(COST_PERIOD_DAILY, w), 17 + 29 + 2);
        assert_int_equal(cost_window_from_dates("2024-12-31", "2025-01-01", &w, NULL), 0);
        assert_int_equal(cost_bucket_count(COST_PERIOD_MONTHLY, w), 2);
        assert_int_equal(cost_bucket_count(COST_PERIOD_DAILY, w), 2);
        w.to_ms = w.from_ms;
        assert_int_equal(cost_bucket_count(COST_PERIOD_DAILY, w), 0);
        /* a window cut mid-day still touches that day */
        w.from_ms = MS_2024_02_29 + 1000;
        w.to_ms = MS_2024_03_01 + 1;
        assert_int_equal(cost_bucket_count(COST_PERIOD_DAILY, w), 2);
}

static void test_window_clip(void **state)
{
        struct cost_window a = {100, 200}, b = {150, 300}, c = {250, 300}, w;

        (void)state;
        w = cost_window_clip(a, b);
        assert_int_equal(w.from_ms, 150);
        assert_int_equal(w.to_ms, 200);
        w = cost_window_clip(a, c);
        assert_true(w.to_ms <= w.from_ms);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_date_parse_accepts_real_dates),
                cmocka_unit_test(test_date_parse_rejects_malformed_and_impossible),
                cmocka_unit_test(test_date_format_round_trips),
                cmocka_unit_test(test_window_end_date_is_inclusive),
                cmocka_unit_test(test_window_rejects_start_after_end_and_bad_dates),
                cmocka_unit_test(test_period_parse),
                cmocka_unit_test(test_month_boundaries_including_february),
                cmocka_unit_test(test_bucket_count),
                cmocka_unit_test(test_window_clip),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
