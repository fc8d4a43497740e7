/* test_session_cost.c - per-millisecond session cost in micro-USD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/session_cost.h"
#include "domain/units.h"

#define T0 INT64_C(1790000000000)

static struct gs_session_record rec(int64_t price, int64_t charged, int64_t created,
                                    int64_t stopped)
{
        struct gs_session_record r;

        memset(&r, 0, sizeof(r));
        r.struct_size = sizeof(r);
        r.price_uusd_per_hour = price;
        r.charged_uusd_per_hour = charged;
        r.instance_created_at_ms = created;
        r.stopped_at_ms = stopped;
        return r;
}

static void test_no_instance_costs_nothing(void **state)
{
        struct gs_session_record r = rec(1000000, 0, 0, 0);

        (void)state;
        assert_int_equal(session_cost_billed_ms(&r, T0), 0);
        assert_int_equal(session_cost_uusd(&r, T0), 0);
}

static void test_live_session_bills_until_now(void **state)
{
        struct gs_session_record r = rec(360000, 0, T0, 0); /* $0.36/h = 100 uUSD/s */

        (void)state;
        assert_int_equal(session_cost_billed_ms(&r, T0 + 90 * MS_PER_SECOND), 90000);
        assert_int_equal(session_cost_uusd(&r, T0 + 90 * MS_PER_SECOND), 9000);
        assert_int_equal(session_cost_uusd(&r, T0 - 5), 0); /* clock behind */
}

static void test_stopped_session_bills_until_stop(void **state)
{
        struct gs_session_record r = rec(77900, 0, T0, T0 + 11334);

        (void)state;
        /* The sim's ledger for the same window: 245 uUSD. */
        assert_int_equal(session_cost_uusd(&r, T0 + MS_PER_HOUR), 245);
}

static void test_charged_price_wins(void **state)
{
        struct gs_session_record r = rec(360000, 720000, T0, T0 + MS_PER_HOUR);

        (void)state;
        assert_int_equal(session_cost_price_uusd(&r), 720000);
        assert_int_equal(session_cost_uusd(&r, 0), 720000);
        r.charged_uusd_per_hour = 0;
        assert_int_equal(session_cost_uusd(&r, 0), 360000);
        r.price_uusd_per_hour = -1;
        assert_int_equal(session_cost_price_uusd(&r), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_instance_costs_nothing),
                cmocka_unit_test(test_live_session_bills_until_now),
                cmocka_unit_test(test_stopped_session_bills_until_stop),
                cmocka_unit_test(test_charged_price_wins),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
