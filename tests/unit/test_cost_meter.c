/*
 * test_cost_meter.c - metering rules to the micro-dollar: billed interval,
 * price choice, ledger entry at finalization, live cost under a test clock,
 * and pro-rating across midnight and month ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/cost_meter.h"
#include "domain/cost_range.h"
#include "gpushop/status.h"

/* 2026-01-31 22:30:00Z, 2026-02-01 00:00:00Z, 2026-02-01 01:15:00Z */
#define JAN31_2230 INT64_C(1769898600000)
#define FEB01_0000 INT64_C(1769904000000)
#define FEB01_0115 INT64_C(1769908500000)

/* The test clock every "now" below comes from. */
static int64_t clock_ms;

static void clock_set(int64_t ms)
{
        clock_ms = ms;
}

static int64_t now(void)
{
        return clock_ms;
}

static struct gs_session_record session(int status, int64_t quoted, int64_t charged,
                                        int64_t created, int64_t stopped)
{
        struct gs_session_record r = {.struct_size = sizeof(r)};

        r.status = status;
        r.id = "sess-test";
        r.consumer_id = "my-app";
        r.provider = "vastai";
        r.gpu_type = "RTX 4090";
        r.price_uusd_per_hour = quoted;
        r.charged_uusd_per_hour = charged;
        r.created_at_ms = created ? created - 5000 : JAN31_2230;
        r.instance_created_at_ms = created;
        r.stopped_at_ms = stopped;
        return r;
}

static void test_price_is_charged_when_reported_else_quoted(void **state)
{
        struct gs_session_record r = session(GS_SESSION_RUNNING, 400000, 0, JAN31_2230, 0);

        (void)state;
        assert_int_equal(cost_meter_price_uusd(&r), 400000);
        r.charged_uusd_per_hour = 412300;
        assert_int_equal(cost_meter_price_uusd(&r), 412300);
        r.charged_uusd_per_hour = 0;
        r.price_uusd_per_hour = -5;
        assert_int_equal(cost_meter_price_uusd(&r), 0);
}

static void test_exact_amount_to_the_micro_dollar(void **state)
{
        /* $0.35/h for 3 h 51 min 27.123 s = 1.3501369583 -> 1.350137 */
        struct gs_session_record r =
                session(GS_SESSION_STOPPED, 350000, 0, JAN31_2230, JAN31_2230 + 13887123);
        struct gs_cost_entry e;

        (void)state;
        assert_int_equal(cost_meter_final_entry(&r, r.stopped_at_ms, &e), 0);
        assert_int_equal(e.start_ms, JAN31_2230);
        assert_int_equal(e.end_ms, JAN31_2230 + 13887123);
        assert_int_equal(e.price_uusd_per_hour, 350000);
        assert_int_equal(e.amount_uusd, 1350137);
        assert_string_equal(e.session_id, "sess-test");
        assert_string_equal(e.consumer_id, "my-app");
        assert_string_equal(e.provider, "vastai");
        assert_string_equal(e.gpu_type, "RTX 4090");
        /* $1.234567/h for 1.001 s = 343.278 uusd -> 343 */
        r.price_uusd_per_hour = 1234567;
        assert_int_equal(cost_meter_final_entry(&r, JAN31_2230 + 1001, &e), 0);
        assert_int_equal(e.amount_uusd, 343);
        /* half a micro-dollar rounds up, just under it rounds down */
        r.price_uusd_per_hour = 1;
        assert_int_equal(cost_meter_final_entry(&r, JAN31_2230 + 1800000, &e), 0);
        assert_int_equal(e.amount_uusd, 1);
        assert_int_equal(cost_meter_final_entry(&r, JAN31_2230 + 1799999, &e), 0);
        assert_int_equal(e.amount_uusd, 0);
}

static void test_charged_price_is_billed(void **state)
{
        /* quoted $0.40, provider charges $0.4123: 2 h -> $0.8246 */
        struct gs_session_record r =
                session(GS_SESSION_STOPPED, 400000, 412300, JAN31_2230, JAN31_2230 + 7200000);
        struct gs_cost_entry e;

        (void)state;
        assert_int_equal(cost_meter_final_entry(&r, r.stopped_at_ms, &e), 0);
        assert_int_equal(e.price_uusd_per_hour, 412300);
        assert_int_equal(e.amount_uusd, 824600);
}

static void test_matches_the_simulators_ledger(void **state)
{
        /* $0.0779/h for 11.334 s: the sim's ledger bills the same window 245 uUSD. */
        struct gs_session_record r =
                session(GS_SESSION_STOPPED, 77900, 0, JAN31_2230, JAN31_2230 + 11334);
        struct gs_cost_entry e;

        (void)state;
        assert_int_equal(cost_meter_final_entry(&r, r.stopped_at_ms, &e), 0);
        assert_int_equal(e.amount_uusd, 245);
}

static void test_no_instance_costs_nothing(void **state)
{
        struct gs_session_record r = session(GS_SESSION_FAILED, 400000, 0, 0, JAN31_2230 + 60000);
        struct gs_cost_entry e;

        (void)state;
        assert_false(cost_meter_has_instance(&r));
        assert_int_equal(cost_meter_final_entry(&r, JAN31_2230 + 60000, &e), 0);
        assert_int_equal(e.amount_uusd, 0);
        assert_int_equal(e.start_ms, e.end_ms);
        assert_int_equal(e.start_ms, r.created_at_ms);
        r.status = GS_SESSION_PROVISIONING;
        assert_false(cost_meter_is_live(&r));
        clock_set(JAN31_2230 + 3600000);
        assert_int_equal(cost_meter_so_far_uusd(&r, now()), 0);
}

static void test_ghost_is_billed_to_last_sighting(void **state)
{
        /* lost at some point after 01:00; last seen holding it at 00:45 */
        struct gs_session_record r = session(GS_SESSION_RUNNING, 600000, 0, JAN31_2230, 0);
        int64_t last_seen = FEB01_0000 + 45 * 60000;
        struct gs_cost_entry e;

        (void)state;
        clock_set(FEB01_0115);
        assert_int_equal(cost_meter_final_entry(&r, last_seen, &e), 0);
        assert_int_equal(e.end_ms, last_seen);
        assert_int_equal(e.amount_uusd, 1350000); /* 2.25 h x $0.60 */
        /* a last sighting before the creation bills nothing */
        assert_int_equal(cost_meter_final_entry(&r, JAN31_2230 - 1, &e), 0);
        assert_int_equal(e.end_ms, JAN31_2230);
        assert_int_equal(e.amount_uusd, 0);
}

static void test_live_cost_follows_the_clock(void **state)
{
        struct gs_session_record r = session(GS_SESSION_RUNNING, 350000, 0, JAN31_2230, 0);

        (void)state;
        assert_true(cost_meter_is_live(&r));
        clock_set(JAN31_2230 - 1000); /* clock behind the provider's */
        assert_int_equal(cost_meter_so_far_uusd(&r, now()), 0);
        clock_set(JAN31_2230 + 3600000);
        assert_int_equal(cost_meter_so_far_uusd(&r, now()), 350000);
        clock_set(JAN31_2230 + 13887123);
        assert_int_equal(cost_meter_so_far_uusd(&r, now()), 1350137);
        /* stopping with a known end: the end, not the clock */
        r.status = GS_SESSION_STOPPING;
        r.stopped_at_ms = JAN31_2230 + 3600000;
        assert_int_equal(cost_meter_so_far_uusd(&r, now()), 350000);
        /* finalized: the stored cost */
        r.status = GS_SESSION_STOPPED;
        r.cost_uusd = 349999;
        assert_false(cost_meter_is_live(&r));
        assert_int_equal(cost_meter_so_far_uusd(&r, now()), 349999);
}

static void test_session_across_midnight_is_split_between_days(void **state)
{
        /* $0.35/h from 22:30 to 01:15: 2.75 h = $0.9625; 1.5 h on Jan 31, 1.25 h on Feb 1 */
        struct gs_session_record r = session(GS_SESSION_RUNNING, 350000, 0, JAN31_2230, 0);
        struct cost_interval iv;
        struct cost_window jan31, feb01, jan, feb;
        int64_t amount, ov = -1;

        (void)state;
        clock_set(FEB01_0115);
        iv = cost_meter_interval(&r, cost_meter_end_ms(&r, now()));
        amount = cost_meter_amount_uusd(cost_meter_price_uusd(&r), iv);
        assert_int_equal(amount, 962500);
        jan31 = cost_bucket_of(COST_PERIOD_DAILY, JAN31_2230);
        feb01 = cost_bucket_of(COST_PERIOD_DAILY, FEB01_0115);
        assert_int_equal(jan31.to_ms, FEB01_0000);
        assert_int_equal(cost_meter_prorate_uusd(amount, iv, jan31.from_ms, jan31.to_ms, &ov),
                         525000);
        assert_int_equal(ov, 90 * 60000);
        assert_int_equal(cost_meter_prorate_uusd(amount, iv, feb01.from_ms, feb01.to_ms, &ov),
                         437500);
        assert_int_equal(ov, 75 * 60000);
        /* the same split by month (Jan 31 is the month's last day) */
        jan = cost_bucket_of(COST_PERIOD_MONTHLY, JAN31_2230);
        feb = cost_bucket_of(COST_PERIOD_MONTHLY, FEB01_0115);
        assert_int_equal(cost_meter_prorate_uusd(amount, iv, jan.from_ms, jan.to_ms, NULL), 525000);
        assert_int_equal(cost_meter_prorate_uusd(amount, iv, feb.from_ms, feb.to_ms, NULL), 437500);
        /* a window holding the whole interval gets the whole amount */
        assert_int_equal(cost_meter_prorate_uusd(amount, iv, 0, INT64_MAX, &ov), 962500);
        assert_int_equal(ov, iv.end_ms - iv.start_ms);
        /* no overlap */
        assert_int_equal(cost_meter_prorate_uusd(amount, iv, FEB01_0115, FEB01_0115 + 1, &ov), 0);
        assert_int_equal(ov, 0);
}

static void test_uneven_split_truncates_like_the_ledger(void **state)
{
        /* $0.333333/h, odd milliseconds: each part is amount x overlap / span
         * truncated, so the parts may sum to 1 uusd below the whole */
        struct gs_session_record r =
                session(GS_SESSION_STOPPED, 333333, 0, JAN31_2230 + 1234, FEB01_0115 + 567);
        struct split {
                int64_t whole, jan, feb;
        } want = {916604, 499885, 416718};
        struct gs_cost_entry e;
        struct cost_interval iv;

        (void)state;
        assert_int_equal(cost_meter_final_entry(&r, r.stopped_at_ms, &e), 0);
        assert_int_equal(e.amount_uusd, want.whole);
        iv.start_ms = e.start_ms;
        iv.end_ms = e.end_ms;
        assert_int_equal(cost_meter_prorate_uusd(e.amount_uusd, iv, 0, FEB01_0000, NULL), want.jan);
        assert_int_equal(cost_meter_prorate_uusd(e.amount_uusd, iv, FEB01_0000, INT64_MAX, NULL),
                         want.feb);
}

static void test_final_entry_needs_identity(void **state)
{
        struct gs_session_record r = session(GS_SESSION_STOPPED, 1, 0, JAN31_2230, FEB01_0000);
        struct gs_cost_entry e = {.amount_uusd = -9};

        (void)state;
        r.gpu_type = NULL;
        assert_int_equal(cost_meter_final_entry(&r, FEB01_0000, &e), GS_E_INVAL);
        assert_int_equal(e.amount_uusd, -9);
        assert_int_equal(cost_meter_final_entry(NULL, FEB01_0000, &e), GS_E_INVAL);
}

static void test_huge_values_saturate(void **state)
{
        struct cost_interval iv = {0, INT64_MAX};

        (void)state;
        assert_int_equal(cost_meter_amount_uusd(INT64_MAX, iv), INT64_MAX);
        assert_int_equal(cost_meter_prorate_uusd(INT64_MAX, iv, 0, INT64_MAX / 2, NULL),
                         INT64_MAX / 2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_price_is_charged_when_reported_else_quoted),
                cmocka_unit_test(test_exact_amount_to_the_micro_dollar),
                cmocka_unit_test(test_charged_price_is_billed),
                cmocka_unit_test(test_matches_the_simulators_ledger),
                cmocka_unit_test(test_no_instance_costs_nothing),
                cmocka_unit_test(test_ghost_is_billed_to_last_sighting),
                cmocka_unit_test(test_live_cost_follows_the_clock),
                cmocka_unit_test(test_session_across_midnight_is_split_between_days),
                cmocka_unit_test(test_uneven_split_truncates_like_the_ledger),
                cmocka_unit_test(test_final_entry_needs_identity),
                cmocka_unit_test(test_huge_values_saturate),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
