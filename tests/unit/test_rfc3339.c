/* test_rfc3339.c - epoch milliseconds to RFC 3339 UTC text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/rfc3339.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_formats_utc_seconds(void **state)
{
        static const struct {
                int64_t ms;
                const char *want;
        } t[] = {
                {0, "1970-01-01T00:00:00Z"},
                {999, "1970-01-01T00:00:00Z"},
                {1000, "1970-01-01T00:00:01Z"},
                {-1, "1969-12-31T23:59:59Z"},
                {1764259800123, "2025-11-27T16:10:00Z"},
                {951782400000, "2000-02-29T00:00:00Z"},
                {253402300799000, "9999-12-31T23:59:59Z"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                char buf[RFC3339_TEXT_MAX];

                if (rfc3339_format_ms(t[i].ms, buf, sizeof(buf)) != 0 ||
                    strcmp(buf, t[i].want) != 0)
                        fail_msg("%lld: got '%s', want '%s'", (long long)t[i].ms, buf, t[i].want);
        }
}

static void test_rejects_small_buffer_and_far_future(void **state)
{
        char buf[RFC3339_TEXT_MAX];

        (void)state;
        assert_int_equal(rfc3339_format_ms(0, buf, RFC3339_TEXT_MAX - 1), GS_E_INVAL);
        assert_int_equal(rfc3339_format_ms(253402300800000, buf, sizeof(buf)), GS_E_INVAL);
        assert_int_equal(rfc3339_format_ms(0, NULL, 64), GS_E_INVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_formats_utc_seconds),
                cmocka_unit_test(test_rejects_small_buffer_and_far_future),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
