/* test_session_retry.c - the comparable-offer rule of auto_retry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/session_retry.h"

static struct offer offer(const char *id, const char *type, uint32_t count, int64_t price,
                          bool available)
{
        struct offer o;

        memset(&o, 0, sizeof(o));
        o.id = id;
        o.gpu_type = type;
        o.gpu_count = count;
        o.price_uusd_per_hour = price;
        o.available = available;
        return o;
}

static void test_price_cap(void **state)
{
        (void)state;
        assert_int_equal(session_retry_price_cap(500000, 120), 600000);
        assert_int_equal(session_retry_price_cap(333333, 120), 399999);
        assert_int_equal(session_retry_price_cap(0, 120), 0);
        assert_int_equal(session_retry_price_cap(INT64_MAX / 2, 1000), INT64_MAX);
}

static void test_comparable(void **state)
{
        struct session_retry_want w = {
                .gpu_type = "RTX 4090", .min_gpu_count = 2, .max_price_uusd = 600000};
        struct offer same = offer("a", "RTX 4090", 2, 600000, true);
        struct offer more = offer("b", "RTX 4090", 4, 100000, true);
        struct offer dear = offer("c", "RTX 4090", 2, 600001, true);
        struct offer fewer = offer("d", "RTX 4090", 1, 100000, true);
        struct offer other = offer("e", "RTX 3090", 2, 100000, true);
        struct offer gone = offer("f", "RTX 4090", 2, 100000, false);

        (void)state;
        assert_true(session_retry_is_comparable(&w, &same));
        assert_true(session_retry_is_comparable(&w, &more));
        assert_false(session_retry_is_comparable(&w, &dear));
        assert_false(session_retry_is_comparable(&w, &fewer));
        assert_false(session_retry_is_comparable(&w, &other));
        assert_false(session_retry_is_comparable(&w, &gone));
        assert_false(session_retry_is_comparable(NULL, &same));
}

static void test_tried(void **state)
{
        const char *tried[] = {"vastai-1", "tensordock-x"};

        (void)state;
        assert_true(session_retry_was_tried(tried, 2, "vastai-1"));
        assert_false(session_retry_was_tried(tried, 2, "vastai-2"));
        assert_false(session_retry_was_tried(tried, 0, "vastai-1"));
        assert_false(session_retry_was_tried(tried, 2, NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_price_cap),
                cmocka_unit_test(test_comparable),
                cmocka_unit_test(test_tried),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
