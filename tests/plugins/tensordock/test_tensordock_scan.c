/*
 * test_tensordock_scan.c - td_parse_locations() decodes /locations one
 * location at a time (plugins/common/json_scan.c): it must accept exactly
 * what json_loadb() accepts, keep jansson's "last member wins", bound the
 * nesting and emit nothing from a malformed body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "json_scan.h"
#include "td_parse.h"

#define LOC(uuid, gpu)                                                                     \
        "{\"id\": \"" uuid "\", \"city\": \"X\", \"gpus\": [{\"v0Name\": \"" gpu "\","    \
        " \"price_per_hr\": 0.5, \"max_count\": 2}]}"
#define UUID_A "11111111-2222-3333-4444-555555555555"
#define UUID_B "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
/* Bytes around the deep nesting of a depth test. */
#define DEEP_SLACK 64

struct seen {
        size_t n;
        char last[TD_OFFER_ID_MAX + 1];
};

static int count_offer(const struct td_offer *o, void *userdata)
{
        struct seen *s = userdata;

        s->n++;
        (void)snprintf(s->last, sizeof(s->last), "%s", o->offer_id);
        return 0;
}

static int parse(const char *body, struct seen *s, struct td_perr *perr)
{
        struct td_parse_stats st;

        memset(s, 0, sizeof(*s));
        perr->msg[0] = '\0';
        return td_parse_locations(body, strlen(body), count_offer, s, &st, perr);
}

/* Wrappers, blanks and other members around the list. */
static void test_scan_shapes(void **state)
{
        static const char body[] =
                " \n{\"status\": 200, \"meta\": {\"x\": [1, {\"locations\": 5}]},\n"
                "  \"data\" : { \"other\": [], \"locations\" : [ " LOC(UUID_A, "a-24gb") " ,\n"
                LOC(UUID_B, "b-48gb") " ] , \"z\": null } }\r\n";
        struct td_perr perr = {{0}};
        struct seen s;

        (void)state;
        assert_int_equal(parse(body, &s, &perr), 0);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.last, UUID_B "-b-48gb");
        assert_int_equal(parse("{\"data\":{\"locations\":[]}}", &s, &perr), 0);
        assert_int_equal(s.n, 0);
}

/* The last member of a name wins, at both levels, as in jansson. */
static void test_scan_last_member_wins(void **state)
{
        static const char *const ok[] = {
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "], \"locations\": ["
                LOC(UUID_B, "b") "]}}",
                "{\"data\": 1, \"data\": {\"locations\": [" LOC(UUID_B, "b") "]}}",
                "{\"data\": {\"locations\": 1}, \"data\": {\"locations\": [" LOC(UUID_B, "b")
                "]}}",
        };
        static const char *const gone[] = {
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}, \"data\": {}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}, \"data\": []}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "], \"locations\": {}}}",
                "{\"locations\": [" LOC(UUID_A, "a") "]}",
                "[{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}}]",
        };
        struct td_perr perr = {{0}};
        struct seen s;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                assert_int_equal(parse(ok[i], &s, &perr), 0);
                assert_int_equal(s.n, 1);
                assert_string_equal(s.last, UUID_B "-b");
        }
        for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
                assert_int_equal(parse(gone[i], &s, &perr), GS_E_BADRESPONSE);
                assert_string_equal(perr.msg, "body has no data.locations array");
                assert_int_equal(s.n, 0);
        }
}

/* Malformed anywhere, even after the list: nothing emitted, and jansson
 * refuses the same body whole. */
static void test_scan_malformed(void **state)
{
        static const char *const bodies[] = {
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}} x",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") ",]}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "}}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "] \"z\": 1}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}, \"z\": \"\\q\"}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}, \"z\": tru}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") ", {\"s\": \"\\u0000\"}]}}",
                "{\"a\\u0000\": 1, \"data\": {\"locations\": [" LOC(UUID_A, "a") "]}}",
                "{\"data\" {\"locations\": [" LOC(UUID_A, "a") "]}}",
                "{data: {\"locations\": [" LOC(UUID_A, "a") "]}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "],}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") ", \"unterminated]}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}}\"",
                "{\"data\": {\"locations\": [1 2]}}",
                "{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}",
                "  ",
        };
        struct td_perr perr = {{0}};
        struct seen s;
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
                assert_null(json_loadb(bodies[i], strlen(bodies[i]), 0, NULL));
                assert_int_equal(parse(bodies[i], &s, &perr), GS_E_BADRESPONSE);
                assert_non_null(strstr(perr.msg, "invalid JSON at byte "));
                assert_int_equal(s.n, 0);
        }
}

/* A decoding error inside an entry is reported at its place in the body,
 * with the offending bytes sanitized. */
static void test_scan_error_position(void **state)
{
        static const char body[] = "{\"data\": {\"locations\": [" LOC(UUID_A, "a") ", "
                                   "{\"id\": \"\x01\"}]}}";
        struct td_perr perr = {{0}};
        json_error_t jerr;
        char want[64];
        struct seen s;
        size_t i;

        (void)state;
        assert_null(json_loadb(body, strlen(body), 0, &jerr));
        assert_int_equal(parse(body, &s, &perr), GS_E_BADRESPONSE);
        (void)snprintf(want, sizeof(want), "invalid JSON at byte %d: ", jerr.position);
        assert_non_null(strstr(perr.msg, want));
        for (i = 0; perr.msg[i]; i++)
                assert_true(perr.msg[i] >= 0x20 && perr.msg[i] < 0x7f);
}

/* Nesting up to the limit is accepted, one more level is not: inside a
 * location, in a member of data and in a member of the root. */
static void test_scan_depth_limit(void **state)
{
        static const struct {
                const char *head, *tail;
                size_t around; /* containers around the nesting */
        } cases[] = {
                {"{\"data\": {\"locations\": [{\"id\": \"" UUID_A "\", \"gpus\": [{\"v0Name\":"
                 " \"a\", \"price_per_hr\": 1, \"max_count\": 1}], \"deep\": ",
                 "}]}}", 4},
                {"{\"data\": {\"locations\": [" LOC(UUID_A, "a") "], \"deep\": ", "}}", 2},
                {"{\"data\": {\"locations\": [" LOC(UUID_A, "a") "]}, \"deep\": ", "}", 1},
        };
        const size_t cap = 2 * JSON_SCAN_DEPTH_MAX + sizeof(cases[0].head) + 512 + DEEP_SLACK;
        char *buf = malloc(cap);
        struct td_perr perr = {{0}};
        struct seen s;
        size_t c, i, n, extra;
        int over;

        (void)state;
        assert_non_null(buf);
        for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                for (over = 0; over < 2; over++) {
                        json_t *whole;

                        extra = JSON_SCAN_DEPTH_MAX - cases[c].around + (size_t)over;
                        n = (size_t)snprintf(buf, cap, "%s", cases[c].head);
                        for (i = 0; i < extra; i++)
                                buf[n++] = '[';
                        for (i = 0; i < extra; i++)
                                buf[n++] = ']';
                        (void)snprintf(buf + n, cap - n, "%s", cases[c].tail);
                        whole = json_loadb(buf, strlen(buf), 0, NULL);
                        assert_int_equal(whole == NULL, over);
                        json_decref(whole);
                        assert_int_equal(parse(buf, &s, &perr), over ? GS_E_BADRESPONSE : 0);
                        assert_int_equal(s.n, over ? 0 : 1);
                        if (over)
                                assert_non_null(strstr(perr.msg, "depth"));
                }
        }
        free(buf);
}

/* The scanner alone: the list found, its entries counted and walked. */
static int count_entry(void *arg, json_t *e, size_t idx)
{
        (void)idx;
        assert_true(json_is_integer(e));
        *(json_int_t *)arg += json_integer_value(e);
        return json_integer_value(e) == 3 ? JSON_SCAN_STOP : 0;
}

static void test_scan_api(void **state)
{
        static const char body[] = "{\"a\": {\"b\": [1, 2, 3, 4]}, \"c\": [9]}";
        static const char *const path[] = {"a", "b"};
        struct json_scan js = {.body = body, .len = sizeof(body) - 1};
        size_t arr, count;
        unsigned depth;
        json_int_t sum = 0;

        (void)state;
        assert_int_equal(json_scan_find(&js, 0, path, 2, &arr, &count, &depth), 0);
        assert_int_equal(count, 4);
        assert_int_equal(depth, 3);
        assert_int_equal(body[arr], '[');
        assert_int_equal(json_scan_walk(&js, arr, depth, count_entry, &sum), JSON_SCAN_STOP);
        assert_int_equal(sum, 6);
        assert_false(js.failed);
        assert_int_equal(json_scan_find(&js, 0, path, 1, &arr, &count, &depth), 0);
        assert_int_equal(arr, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scan_shapes),
                cmocka_unit_test(test_scan_last_member_wins),
                cmocka_unit_test(test_scan_malformed),
                cmocka_unit_test(test_scan_error_position),
                cmocka_unit_test(test_scan_depth_limit),
                cmocka_unit_test(test_scan_api),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
