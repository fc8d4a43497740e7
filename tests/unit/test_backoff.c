/* test_backoff.c - the rate governor's retry delay: doubling, Retry-After, cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/backoff.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_doubles_honours_retry_after_and_caps(void **state)
{
        static const struct {
                int64_t initial, max;
                uint32_t failures;
                int64_t retry_after_s;
                int64_t want;
        } t[] = {
                {1000, 60000, 0, -1, 0},
                {1000, 60000, 1, -1, 1000},
                {1000, 60000, 2, -1, 2000},
                {1000, 60000, 3, -1, 4000},
                {1000, 60000, 6, -1, 32000},
                {1000, 60000, 7, -1, 60000},
                {1000, 60000, UINT32_MAX, -1, 60000},
                {1000, 60000, 1, 5, 5000}, /* Retry-After longer than backoff wins */
                {1000, 60000, 4, 5, 8000}, /* backoff longer than Retry-After wins */
                {1000, 60000, 1, 0, 1000},
                {1000, 60000, 1, 3600, 60000}, /* capped */
                {1000, 60000, 1, INT64_MAX, 60000},
                {5000, 5000, 3, -1, 5000},
                {INT64_MAX / 2 + 1, INT64_MAX, 3, -1, INT64_MAX},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                struct backoff_policy p = {.initial_ms = t[i].initial, .max_ms = t[i].max};
                int64_t got = backoff_delay_ms(&p, t[i].failures, t[i].retry_after_s);

                if (got != t[i].want)
                        fail_msg("case %zu: got %lld ms, want %lld", i, (long long)got,
                                 (long long)t[i].want);
        }
        assert_int_equal(backoff_delay_ms(NULL, 3, -1), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_doubles_honours_retry_after_and_caps),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
