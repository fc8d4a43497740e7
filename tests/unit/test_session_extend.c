/* test_session_extend.c - expiry arithmetic and the hard maximum of extensions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/session_extend.h"
#include "domain/units.h"
#include "gpushop/status.h"

#define T0 INT64_C(1790000000000)
#define H MS_PER_HOUR
#define SENTINEL INT64_C(-777)

static void test_expiry_adds_hours_and_saturates(void **state)
{
        (void)state;
        assert_int_equal(session_extend_expiry_ms(T0, 2), T0 + 2 * H);
        assert_int_equal(session_extend_expiry_ms(T0, 0), T0);
        assert_int_equal(session_extend_expiry_ms(INT64_MAX - 5, 1), INT64_MAX);
}

static void test_extension_up_to_the_hard_max_is_allowed(void **state)
{
        int64_t v = SENTINEL;

        (void)state;
        /* started T0, 2 h reserved: 10 more reach exactly 12 h. */
        assert_int_equal(session_extend_compute(T0, T0 + 2 * H, 10, 12, &v), 0);
        assert_int_equal(v, T0 + 12 * H);
        assert_int_equal(session_extend_compute(T0, T0 + 2 * H, 2, 12, &v), 0);
        assert_int_equal(v, T0 + 4 * H);
}

static void test_extension_past_the_hard_max_is_refused(void **state)
{
        int64_t v = SENTINEL;

        (void)state;
        assert_int_equal(session_extend_compute(T0, T0 + 2 * H, 11, 12, &v), GS_E_TOOBIG);
        assert_int_equal(v, SENTINEL);
        /* Repeated early extensions cannot creep past it (the reference's loophole). */
        assert_int_equal(session_extend_compute(T0, T0 + 12 * H, 1, 12, &v), GS_E_TOOBIG);
        assert_int_equal(session_extend_compute(T0, T0 + 11 * H + 1, 1, 12, &v), GS_E_TOOBIG);
        assert_int_equal(v, SENTINEL);
}

static void test_bad_arguments(void **state)
{
        int64_t v = SENTINEL;

        (void)state;
        assert_int_equal(session_extend_compute(T0, T0 + H, 0, 12, &v), GS_E_INVAL);
        assert_int_equal(session_extend_compute(0, T0 + H, 1, 12, &v), GS_E_INVAL);
        assert_int_equal(session_extend_compute(T0, T0 + H, 1, 0, &v), GS_E_INVAL);
        assert_int_equal(session_extend_compute(T0, T0 + H, 1, 12, NULL), GS_E_INVAL);
        assert_int_equal(v, SENTINEL);
}

static void test_hours_left(void **state)
{
        (void)state;
        assert_int_equal(session_extend_hours_left(T0, T0 + 2 * H, 12), 10);
        assert_int_equal(session_extend_hours_left(T0, T0 + 2 * H + 1, 12), 9);
        assert_int_equal(session_extend_hours_left(T0, T0 + 12 * H, 12), 0);
        assert_int_equal(session_extend_hours_left(T0, T0 + 13 * H, 12), 0);
        assert_int_equal(session_extend_hours_left(0, T0, 12), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_expiry_adds_hours_and_saturates),
                cmocka_unit_test(test_extension_up_to_the_hard_max_is_allowed),
                cmocka_unit_test(test_extension_past_the_hard_max_is_refused),
                cmocka_unit_test(test_bad_arguments),
                cmocka_unit_test(test_hours_left),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
