/* test_session_request.c - validation and defaults of session create requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/session_request.h"
#include "gpushop/status.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define GIVEN(f) (1u << (f))
#define REQUIRED                                                                                   \
        (GIVEN(SESSION_FIELD_CONSUMER_ID) | GIVEN(SESSION_FIELD_OFFER_ID) |                        \
         GIVEN(SESSION_FIELD_WORKLOAD_TYPE) | GIVEN(SESSION_FIELD_RESERVATION_HOURS))

static const struct session_limits lim = {
        .max_reservation_hours = 12, .default_disk_gb = 50, .min_disk_gb = 10, .max_disk_gb = 2048};

static struct session_request base(void)
{
        struct session_request r;

        memset(&r, 0, sizeof(r));
        r.given = REQUIRED;
        r.consumer_id = "my-app";
        r.offer_id = "vastai-12345";
        r.workload_type = "llm";
        r.reservation_hours = 2;
        return r;
}

static void test_minimal_request_gets_defaults(void **state)
{
        struct session_request r = base();
        struct session_request_error e;

        (void)state;
        r.storage_policy = "garbage"; /* not given: ignored and defaulted */
        r.disk_gb = 7;
        r.auto_retry = true;
        assert_int_equal(session_request_validate(&r, &lim, &e), 0);
        assert_string_equal(r.storage_policy, "destroy");
        assert_int_equal(r.disk_gb, 50);
        assert_int_equal(r.idle_threshold_minutes, 0);
        assert_null(r.template_hash_id);
        assert_false(r.auto_retry);
}

static void test_full_request_is_kept(void **state)
{
        struct session_request r = base();
        struct session_request_error e;

        (void)state;
        r.given |= GIVEN(SESSION_FIELD_IDLE_THRESHOLD_MINUTES) |
                   GIVEN(SESSION_FIELD_STORAGE_POLICY) | GIVEN(SESSION_FIELD_DISK_GB) |
                   GIVEN(SESSION_FIELD_TEMPLATE_HASH_ID) | GIVEN(SESSION_FIELD_AUTO_RETRY);
        r.workload_type = "ssh";
        r.reservation_hours = 12;
        r.idle_threshold_minutes = 30;
        r.storage_policy = "preserve";
        r.disk_gb = 200;
        r.template_hash_id = "a8a44c7363cbca20056020397e3bf072";
        r.auto_retry = true;
        assert_int_equal(session_request_validate(&r, &lim, &e), 0);
        assert_string_equal(r.storage_policy, "preserve");
        assert_int_equal(r.disk_gb, 200);
        assert_int_equal(r.idle_threshold_minutes, 30);
        assert_true(r.auto_retry);
}

struct bad_case {
        const char *what;
        void (*mutate)(struct session_request *r);
        const char *field;
        const char *words;
};

static void no_consumer(struct session_request *r)
{
        r->given &= ~GIVEN(SESSION_FIELD_CONSUMER_ID);
}
static void no_hours(struct session_request *r)
{
        r->given &= ~GIVEN(SESSION_FIELD_RESERVATION_HOURS);
}
static void bad_consumer(struct session_request *r)
{
        r->consumer_id = "my app";
}
static void empty_consumer(struct session_request *r)
{
        r->consumer_id = "";
}
static void long_consumer(struct session_request *r)
{
        static char s[130];

        memset(s, 'a', 129);
        r->consumer_id = s;
}
static void bad_offer(struct session_request *r)
{
        r->offer_id = "vastai/1";
}
static void bad_workload(struct session_request *r)
{
        r->workload_type = "inference";
}
static void zero_hours(struct session_request *r)
{
        r->reservation_hours = 0;
}
static void many_hours(struct session_request *r)
{
        r->reservation_hours = 13;
}
static void negative_idle(struct session_request *r)
{
        r->given |= GIVEN(SESSION_FIELD_IDLE_THRESHOLD_MINUTES);
        r->idle_threshold_minutes = -1;
}
static void huge_idle(struct session_request *r)
{
        r->given |= GIVEN(SESSION_FIELD_IDLE_THRESHOLD_MINUTES);
        r->idle_threshold_minutes = 12 * 60 + 1;
}
static void bad_storage(struct session_request *r)
{
        r->given |= GIVEN(SESSION_FIELD_STORAGE_POLICY);
        r->storage_policy = "Destroy";
}
static void small_disk(struct session_request *r)
{
        r->given |= GIVEN(SESSION_FIELD_DISK_GB);
        r->disk_gb = 9;
}
static void big_disk(struct session_request *r)
{
        r->given |= GIVEN(SESSION_FIELD_DISK_GB);
        r->disk_gb = 2049;
}
static void bad_template(struct session_request *r)
{
        r->given |= GIVEN(SESSION_FIELD_TEMPLATE_HASH_ID);
        r->template_hash_id = "a b";
}

static void test_each_rule_names_its_field(void **state)
{
        static const struct bad_case t[] = {
                {"missing consumer", no_consumer, "consumer_id", "is required"},
                {"missing hours", no_hours, "reservation_hours", "is required"},
                {"space in consumer", bad_consumer, "consumer_id", "1-128 characters"},
                {"empty consumer", empty_consumer, "consumer_id", "1-128 characters"},
                {"129-char consumer", long_consumer, "consumer_id", "1-128 characters"},
                {"slash in offer", bad_offer, "offer_id", "characters"},
                {"unknown workload", bad_workload, "workload_type", "got 'inference'"},
                {"0 hours", zero_hours, "reservation_hours", "between 1 and 12"},
                {"13 hours", many_hours, "reservation_hours", "got 13"},
                {"idle -1", negative_idle, "idle_threshold_minutes", "between 0"},
                {"idle > max", huge_idle, "idle_threshold_minutes", "got 721"},
                {"storage case", bad_storage, "storage_policy", "destroy, preserve"},
                {"disk 9", small_disk, "disk_gb", "between 10 and 2048"},
                {"disk 2049", big_disk, "disk_gb", "got 2049"},
                {"template", bad_template, "template_hash_id", "characters"},
        };

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(t); i++) {
                struct session_request r = base();
                struct session_request_error e;

                memset(&e, 0, sizeof(e));
                t[i].mutate(&r);
                if (session_request_validate(&r, &lim, &e) != GS_E_INVAL ||
                    strcmp(e.field, t[i].field) != 0 || !strstr(e.msg, t[i].words))
                        fail_msg("%s: field '%s' message '%s'", t[i].what, e.field, e.msg);
        }
}

static void test_every_workload_type_is_accepted(void **state)
{
        static const char *const ok[] = {"llm",   "llm_vllm",    "llm_tgi", "training",
                                         "batch", "interactive", "ssh"};

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(ok); i++)
                assert_true(session_request_workload_is_valid(ok[i]));
        assert_false(session_request_workload_is_valid("LLM"));
        assert_false(session_request_workload_is_valid(NULL));
}

static void test_field_table_round_trips(void **state)
{
        (void)state;
        for (int f = 0; f < _SESSION_FIELD_MAX; f++) {
                assert_non_null(session_request_field_name(f));
                assert_int_equal(session_request_field_parse(session_request_field_name(f)), f);
                assert_non_null(
                        strstr(session_request_field_names(), session_request_field_name(f)));
        }
        assert_int_equal(session_request_field_parse("colour"), _SESSION_FIELD_INVALID);
        assert_int_equal(session_request_field_type(SESSION_FIELD_DISK_GB), SESSION_FIELD_INTEGER);
        assert_int_equal(session_request_field_type(SESSION_FIELD_AUTO_RETRY), SESSION_FIELD_BOOL);
        assert_null(session_request_field_name(_SESSION_FIELD_MAX));
}

static void test_echo_is_printable_and_bounded(void **state)
{
        struct session_request r = base();
        struct session_request_error e;
        char wl[200];

        (void)state;
        memset(wl, 'x', sizeof(wl) - 1);
        wl[0] = '\x01';
        wl[sizeof(wl) - 1] = '\0';
        r.workload_type = wl;
        assert_int_equal(session_request_validate(&r, &lim, &e), GS_E_INVAL);
        assert_null(strchr(e.msg, '\x01'));
        assert_true(strlen(e.msg) < sizeof(e.msg));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal_request_gets_defaults),
                cmocka_unit_test(test_full_request_is_kept),
                cmocka_unit_test(test_each_rule_names_its_field),
                cmocka_unit_test(test_every_workload_type_is_accepted),
                cmocka_unit_test(test_field_table_round_trips),
                cmocka_unit_test(test_echo_is_printable_and_bounded),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
