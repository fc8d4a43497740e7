/* test_label.c - provider labels: format, parse, ownership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/label.h"
#include "gpushop/status.h"

static void test_format_and_parse_round_trip(void **state)
{
        char label[LABEL_MAX], dep[LABEL_DEPLOYMENT_MAX + 1], sess[LABEL_SESSION_MAX + 1];

        (void)state;
        assert_int_equal(label_format("abc234xyz567", "sess-k2j3h4g5f6d7s8a9", label,
                                      sizeof(label)),
                         0);
        assert_string_equal(label, "gs-abc234xyz567-sess-k2j3h4g5f6d7s8a9");
        assert_true(label_parse(label, dep, sizeof(dep), sess, sizeof(sess)));
        assert_string_equal(dep, "abc234xyz567");
        assert_string_equal(sess, "sess-k2j3h4g5f6d7s8a9");
}

static void test_format_rejects_bad_input(void **state)
{
        char small[10], label[LABEL_MAX];

        (void)state;
        assert_int_equal(label_format("dep", "sess-abc", small, sizeof(small)), GS_E_INVAL);
        assert_int_equal(label_format("de-p", "sess-abc", label, sizeof(label)), GS_E_INVAL);
        assert_int_equal(label_format("", "sess-abc", label, sizeof(label)), GS_E_INVAL);
        assert_int_equal(label_format("dep", "", label, sizeof(label)), GS_E_INVAL);
}

static void test_parse_rejects_foreign_labels(void **state)
{
        static const char *const bad[] = {
                "shopper-sess-abc",       /* the Go reference's labels */
                "gs-",                    "gs-dep",         "gs-dep-",
                "gs--sess-abc",           "gs-dep-sess-",   "gs-dep-notsess-abc",
                "gs-DEP-sess-abc",        "gs-dep-sess-ABC", "gs-dep-sess-a b",
                "xgs-dep-sess-abc",       "",
        };
        char dep[LABEL_DEPLOYMENT_MAX + 1] = "untouched", sess[LABEL_SESSION_MAX + 1];

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (label_parse(bad[i], dep, sizeof(dep), sess, sizeof(sess)))
                        fail_msg("accepted '%s'", bad[i]);
                assert_string_equal(dep, "untouched");
        }
        assert_false(label_parse(NULL, dep, sizeof(dep), sess, sizeof(sess)));
}

static void test_ownership_is_exact(void **state)
{
        (void)state;
        assert_true(label_is_ours("gs-mine-sess-abc", "mine"));
        assert_false(label_is_ours("gs-mine2-sess-abc", "mine"));
        assert_false(label_is_ours("gs-min-sess-abc", "mine"));
        assert_false(label_is_ours("gs-other-sess-abc", "mine"));
        assert_false(label_is_ours("gs-mine-sess-abc", ""));
        assert_false(label_is_ours("gs-mine-sess-abc", NULL));
        assert_false(label_is_ours(NULL, "mine"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format_and_parse_round_trip),
                cmocka_unit_test(test_format_rejects_bad_input),
                cmocka_unit_test(test_parse_rejects_foreign_labels),
                cmocka_unit_test(test_ownership_is_exact),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
