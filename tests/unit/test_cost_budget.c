/* test_cost_budget.c - budget admission, crossing and re-arming decisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/cost_budget.h"
#include "gpushop/status.h"

#define USD(x) ((int64_t)(x)*INT64_C(1000000))

static void test_monthly_budget_counts_projection(void **state)
{
        /* $100 budget, $90.50 spent, $0.80/h x 12 h = $9.60 -> $100.10 > $100 */
        struct cost_budget_request req = {
                .monthly_limit_uusd = USD(100),
                .month_spent_uusd = USD(90) + 500000,
                .price_uusd_per_hour = 800000,
                .reservation_hours = 12,
        };
        struct cost_budget_refusal ref = {.verdict = -1};

        (void)state;
        assert_int_equal(cost_budget_admit(&req, &ref), COST_BUDGET_MONTHLY);
        assert_int_equal(ref.verdict, COST_BUDGET_MONTHLY);
        assert_int_equal(ref.limit_uusd, USD(100));
        assert_int_equal(ref.current_uusd, USD(90) + 500000);
        assert_int_equal(ref.requested_uusd, 9600000);
        assert_int_equal(ref.resulting_uusd, USD(100) + 100000);
        assert_string_equal(cost_budget_verdict_name(ref.verdict), "monthly_budget");
        /* exactly reaching the budget is allowed */
        req.month_spent_uusd = USD(90) + 400000;
        ref.verdict = -1;
        assert_int_equal(cost_budget_admit(&req, &ref), COST_BUDGET_OK);
        assert_int_equal(ref.verdict, -1);
}

static void test_ceiling_counts_running_price(void **state)
{
        struct cost_budget_request req = {
                .price_uusd_per_hour = 1500000,
                .reservation_hours = 1,
                .ceiling_uusd_per_hour = USD(5),
                .running_uusd_per_hour = 3500001,
        };
        struct cost_budget_refusal ref;

        (void)state;
        assert_int_equal(cost_budget_admit(&req, &ref), COST_BUDGET_CEILING);
        assert_int_equal(ref.limit_uusd, USD(5));
        assert_int_equal(ref.current_uusd, 3500001);
        assert_int_equal(ref.requested_uusd, 1500000);
        assert_int_equal(ref.resulting_uusd, USD(5) + 1);
        req.running_uusd_per_hour = 3500000;
        assert_int_equal(cost_budget_admit(&req, &ref), COST_BUDGET_OK);
}

static void test_no_limits_admit_everything(void **state)
{
        struct cost_budget_request req = {
                .month_spent_uusd = INT64_MAX,
                .price_uusd_per_hour = INT64_MAX,
                .reservation_hours = UINT32_MAX,
                .running_uusd_per_hour = INT64_MAX,
        };
        struct cost_budget_refusal ref;

        (void)state;
        assert_int_equal(cost_budget_admit(&req, &ref), COST_BUDGET_OK);
}

static void test_monthly_is_checked_before_ceiling(void **state)
{
        struct cost_budget_request req = {
                .monthly_limit_uusd = 1,
                .price_uusd_per_hour = 2,
                .reservation_hours = 1,
                .ceiling_uusd_per_hour = 1,
        };
        struct cost_budget_refusal ref;

        (void)state;
        assert_int_equal(cost_budget_admit(&req, &ref), COST_BUDGET_MONTHLY);
}

static void test_saturating_arithmetic(void **state)
{
        (void)state;
        assert_int_equal(cost_budget_projected_uusd(INT64_MAX / 2, 3), INT64_MAX);
        assert_int_equal(cost_budget_projected_uusd(USD(2), 12), USD(24));
        assert_int_equal(cost_budget_projected_uusd(-1, 12), 0);
        assert_int_equal(cost_budget_add(INT64_MAX, 1), INT64_MAX);
        assert_int_equal(cost_budget_add(-5, 7), 7);
}

static void test_crossing_and_rearm(void **state)
{
        int64_t jan = INT64_C(1767225600000), feb = INT64_C(1769904000000);

        (void)state;
        assert_false(cost_budget_is_over(0, USD(1000)));
        assert_false(cost_budget_is_over(USD(100), USD(100)));
        assert_true(cost_budget_is_over(USD(100), USD(100) + 1));
        /* reported once per month, again in the next month */
        assert_true(cost_budget_should_report(0, jan));
        assert_false(cost_budget_should_report(jan, jan));
        assert_true(cost_budget_should_report(jan, feb));
        assert_int_equal(cost_budget_remaining_uusd(USD(100), USD(120)), -USD(20));
        assert_int_equal(cost_budget_remaining_uusd(0, USD(120)), 0);
}

static void test_policy_names(void **state)
{
        int p = -1;

        (void)state;
        assert_int_equal(cost_budget_policy_parse("stop", &p), 0);
        assert_int_equal(p, COST_BUDGET_STOP);
        assert_int_equal(cost_budget_policy_parse("alert", &p), 0);
        assert_int_equal(p, COST_BUDGET_ALERT);
        assert_int_equal(cost_budget_policy_parse("kill", &p), GS_E_INVAL);
        assert_string_equal(cost_budget_policy_name(COST_BUDGET_STOP), "stop");
        assert_null(cost_budget_verdict_name(COST_BUDGET_OK));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_monthly_budget_counts_projection),
                cmocka_unit_test(test_ceiling_counts_running_price),
                cmocka_unit_test(test_no_limits_admit_everything),
                cmocka_unit_test(test_monthly_is_checked_before_ceiling),
                cmocka_unit_test(test_saturating_arithmetic),
                cmocka_unit_test(test_crossing_and_rearm),
                cmocka_unit_test(test_policy_names),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
