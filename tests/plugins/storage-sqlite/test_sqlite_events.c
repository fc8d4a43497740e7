/*
 * test_sqlite_events.c - storage-sqlite events: ids, newest-first order,
 * before_id paging, filters, limit default and cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sqls_harness.h"

static struct gs_event_sink events;

static int setup(void **state)
{
        struct th_db *db = calloc(1, sizeof(*db));

        if (!db)
                return -1;
        th_open_memory(db);
        *state = db;
        return 0;
}

static int teardown(void **state)
{
        struct th_db *db = *state;

        th_event_sink_reset(&events);
        th_cleanup(db);
        free(db);
        return 0;
}

static void append(struct th_db *db, int64_t at_ms, const char *kind, const char *session)
{
        struct gs_event ev = {.struct_size = sizeof(ev)};
        int r;

        ev.id = 424242; /* ignored on append */
        ev.at_ms = at_ms;
        ev.kind = kind;
        ev.actor = "lifecycle";
        ev.session_id = session;
        ev.detail_json = "{\"n\":1}";
        r = th_ops()->event_append(db->inst, &ev, &db->err);
        if (r < 0)
                fail_msg("event_append: %d %s", r, db->err.msg);
}

static void list(struct th_db *db, const struct gs_event_filter *f)
{
        int r;

        th_event_sink_reset(&events);
        r = th_ops()->event_list(db->inst, f, &events, &db->err);
        if (r < 0)
                fail_msg("event_list: %d %s", r, db->err.msg);
}

static void test_events_newest_first_with_before_id_paging(void **state)
{
        struct th_db *db = *state;
        struct gs_event_filter f = {.struct_size = sizeof(f)};
        size_t i;
        int n;

        for (n = 1; n <= 25; n++)
                append(db, 1000 + n, "session.create", NULL);
        f.limit = 10;
        list(db, &f);
        assert_int_equal(events.n, 10);
        for (i = 0; i < events.n; i++) {
                assert_int_equal(events.ev[i].id, 25 - (int64_t)i);
                assert_int_equal(events.ev[i].at_ms, 1000 + 25 - (int64_t)i);
        }
        assert_string_equal(events.ev[0].kind, "session.create");
        assert_string_equal(events.ev[0].actor, "lifecycle");
        assert_null(events.ev[0].session_id);
        assert_string_equal(events.ev[0].detail_json, "{\"n\":1}");

        f.before_id = events.ev[9].id;
        list(db, &f);
        assert_int_equal(events.n, 10);
        assert_int_equal(events.ev[0].id, 15);
        assert_int_equal(events.ev[9].id, 6);
        f.before_id = events.ev[9].id;
        list(db, &f);
        assert_int_equal(events.n, 5);
        assert_int_equal(events.ev[4].id, 1);
        f.before_id = 1;
        list(db, &f);
        assert_int_equal(events.n, 0);
}

static void test_events_filter_by_session_kind_and_time(void **state)
{
        struct th_db *db = *state;
        struct gs_event_filter f = {.struct_size = sizeof(f)};

        append(db, 100, "session.create", "s1"); /* id 1 */
        append(db, 200, "token.revoke", NULL);   /* id 2 */
        append(db, 300, "session.stop", "s1");   /* id 3 */
        append(db, 400, "session.create", "s2"); /* id 4 */
        append(db, 500, "session.create", "s1"); /* id 5 */

        f.session_id = "s1";
        list(db, &f);
        assert_int_equal(events.n, 3);
        assert_int_equal(events.ev[0].id, 5);
        assert_int_equal(events.ev[1].id, 3);
        assert_int_equal(events.ev[2].id, 1);
        f.kind = "session.create";
        list(db, &f);
        assert_int_equal(events.n, 2);
        assert_int_equal(events.ev[1].id, 1);
        f.session_id = NULL;
        list(db, &f);
        assert_int_equal(events.n, 3);
        assert_int_equal(events.ev[1].id, 4);
        f.since_ms = 400;
        list(db, &f);
        assert_int_equal(events.n, 2);
        f.kind = NULL;
        f.since_ms = 250;
        f.before_id = 5;
        list(db, &f);
        assert_int_equal(events.n, 2);
        assert_int_equal(events.ev[0].id, 4);
        assert_int_equal(events.ev[1].id, 3);
        list(db, NULL);
        assert_int_equal(events.n, 5);
}

static void test_events_limit_default_and_cap(void **state)
{
        struct th_db *db = *state;
        struct gs_event_filter f = {.struct_size = sizeof(f)};
        int n;

        for (n = 0; n < 1100; n++)
                append(db, 1 + n, "inventory.refresh", NULL);
        list(db, &f);
        assert_int_equal(events.n, 100);
        f.limit = 5000;
        list(db, &f);
        assert_int_equal(events.n, 1000);
        assert_int_equal(events.ev[0].id, 1100);
        assert_int_equal(events.ev[999].id, 101);
}

static void test_event_time_defaults_to_host_clock(void **state)
{
        struct th_db *db = *state;

        th_now = 1234567;
        append(db, 0, "session.create", "s1");
        list(db, NULL);
        assert_int_equal(events.n, 1);
        assert_int_equal(events.ev[0].at_ms, 1234567);
        assert_string_equal(events.ev[0].session_id, "s1");
}

static void test_event_requires_kind(void **state)
{
        struct th_db *db = *state;
        struct gs_event ev = {.struct_size = sizeof(ev)};

        ev.at_ms = 5;
        assert_int_equal(th_ops()->event_append(db->inst, &ev, &db->err), GS_E_INVAL);
        assert_int_equal(db->err.status, GS_E_INVAL);
        /* a record too short to carry kind counts as having none */
        ev.kind = "session.create";
        ev.struct_size = (uint32_t)offsetof(struct gs_event, kind);
        assert_int_equal(th_ops()->event_append(db->inst, &ev, &db->err), GS_E_INVAL);
        list(db, NULL);
        assert_int_equal(events.n, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_events_newest_first_with_before_id_paging,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_events_filter_by_session_kind_and_time, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_events_limit_default_and_cap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_event_time_defaults_to_host_clock, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_event_requires_kind, setup, teardown),
        };
        int failed;

        th_load();
        failed = cmocka_run_group_tests(tests, NULL, NULL);
        th_unload();
        return failed;
}
