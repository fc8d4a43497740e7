/* test_json_text.c - untrusted text into JSON string literals, always valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/json_text.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_escapes_and_replaces(void **state)
{
        static const struct {
                const char *in;
                const char *want;
        } t[] = {
                {"", "\"\""},
                {"RTX 4090", "\"RTX 4090\""},
                {"a\"b\\c", "\"a\\\"b\\\\c\""},
                {"l1\nl2\r\t", "\"l1\\nl2\\r\\t\""},
                {"\x01\x1f", "\"\\u0001\\u001f\""},
                {"Montr\xc3\xa9"
                 "al",
                 "\"Montr\xc3\xa9"
                 "al\""},                                                 /* valid UTF-8 kept */
                {"\xe2\x82\xac 1", "\"\xe2\x82\xac 1\""},                 /* euro sign */
                {"\xf0\x9f\x9a\x80", "\"\xf0\x9f\x9a\x80\""},             /* 4-byte sequence */
                {"bad\xff", "\"bad\\ufffd\""},                            /* invalid byte */
                {"\xc3", "\"\\ufffd\""},                                  /* truncated */
                {"\xc0\xaf", "\"\\ufffd\\ufffd\""},                       /* overlong */
                {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},            /* surrogate */
                {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* > U+10FFFF */
                {"</script>", "\"</script>\""},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                char buf[128];
                size_t need = json_text_quote(t[i].in, NULL, 0);
                size_t n = json_text_quote(t[i].in, buf, sizeof(buf));

                if (strcmp(buf, t[i].want) != 0 || n != strlen(t[i].want) || need != n)
                        fail_msg("case %zu: got '%s' (%zu, measured %zu), want '%s'", i, buf, n,
                                 need, t[i].want);
        }
}

static void test_null_and_short_buffer(void **state)
{
        char buf[8] = "zzzzzzz";

        (void)state;
        assert_int_equal(json_text_quote(NULL, buf, sizeof(buf)), 4);
        assert_string_equal(buf, "null");
        /* needs 10 + NUL: nothing but "" is written */
        assert_int_equal(json_text_quote("abcdefgh", buf, sizeof(buf)), 10);
        assert_string_equal(buf, "");
        assert_int_equal(json_text_quote("abcde", buf, 8), 7);
        assert_string_equal(buf, "\"abcde\"");
        assert_int_equal(json_text_quote("abcdef", buf, 8), 8);
        assert_string_equal(buf, "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escapes_and_replaces),
                cmocka_unit_test(test_null_and_short_buffer),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
