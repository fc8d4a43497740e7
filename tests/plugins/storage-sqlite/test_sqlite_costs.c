/*
 * test_sqlite_costs.c - storage-sqlite cost ledger: exact micro-USD sums,
 * pro-rating across a day boundary, distinct session counts, filters, long
 * entries beyond 64-bit products, and interval checks.
 */
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sqls_harness.h"

#define HOUR_MS INT64_C(3600000)
#define DAY_MS (24 * HOUR_MS)
/* 2023-11-15T00:00:00Z */
#define MIDNIGHT_MS INT64_C(1700006400000)

static struct gs_cost_sink costs;

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

        th_cost_sink_reset(&costs);
        th_cleanup(db);
        free(db);
        return 0;
}

static void append(struct th_db *db, const char *session, const char *consumer,
                   const char *provider, const char *gpu, int64_t start_ms, int64_t end_ms,
                   int64_t price, int64_t amount)
{
        struct gs_cost_entry e = {.struct_size = sizeof(e)};
        int r;

        e.session_id = session;
        e.consumer_id = consumer;
        e.provider = provider;
        e.gpu_type = gpu;
        e.start_ms = start_ms;
        e.end_ms = end_ms;
        e.price_uusd_per_hour = price;
        e.amount_uusd = amount;
        r = th_ops()->cost_append(db->inst, &e, &db->err);
        if (r < 0)
                fail_msg("cost_append: %d %s", r, db->err.msg);
}

/* Aggregate into `costs` (reset first). */
static void aggregate(struct th_db *db, const char *session, const char *consumer, int64_t from_ms,
                      int64_t to_ms)
{
        struct gs_cost_query q = {.struct_size = sizeof(q)};
        int r;

        q.session_id = session;
        q.consumer_id = consumer;
        q.from_ms = from_ms;
        q.to_ms = to_ms;
        th_cost_sink_reset(&costs);
        r = th_ops()->cost_aggregate(db->inst, &q, &costs, &db->err);
        if (r < 0)
                fail_msg("cost_aggregate: %d %s", r, db->err.msg);
}

/* What the core bills: price per hour x milliseconds, truncated. */
static int64_t bill(int64_t price_uusd_per_hour, int64_t ms)
{
        return price_uusd_per_hour * ms / HOUR_MS;
}

static void test_aggregate_is_exact_for_known_prices_and_durations(void **state)
{
        struct th_db *db = *state;
        const int64_t t0 = MIDNIGHT_MS;
        const struct gs_cost_row *row;

        /* $0.35/h for 2 h and 90 min; $1.234567/h for 45 min and 10 s */
        append(db, "sA", "alice", "vastai", "RTX 4090", t0, t0 + 2 * HOUR_MS, 350000,
               bill(350000, 2 * HOUR_MS));
        append(db, "sB", "alice", "vastai", "RTX 4090", t0, t0 + 90 * 60000, 350000,
               bill(350000, 90 * 60000));
        append(db, "sC", "bob", "tensordock", "A100 80GB", t0, t0 + 45 * 60000, 1234567,
               bill(1234567, 45 * 60000));
        append(db, "sC", "bob", "tensordock", "A100 80GB", t0 + HOUR_MS, t0 + HOUR_MS + 10000,
               1234567, bill(1234567, 10000));

        aggregate(db, NULL, NULL, 0, 0);
        assert_int_equal(costs.n, 2);
        /* ordered by provider, gpu_type */
        assert_string_equal(costs.row[0].provider, "tensordock");
        assert_string_equal(costs.row[1].provider, "vastai");
        row = th_cost_find(&costs, "vastai", "RTX 4090");
        assert_non_null(row);
        assert_int_equal(row->amount_uusd, 700000 + 525000);
        assert_int_equal(row->billed_ms, 12600000);
        assert_int_equal(row->session_count, 2);
        row = th_cost_find(&costs, "tensordock", "A100 80GB");
        assert_non_null(row);
        assert_int_equal(row->amount_uusd, 925925 + 3429);
        assert_int_equal(row->billed_ms, 2710000);
        assert_int_equal(row->session_count, 1);
}

static void test_aggregate_prorates_across_midnight(void **state)
{
        struct th_db *db = *state;
        const struct gs_cost_row *row;

        /* 22:00-02:00 for 4,000,001 uusd; 23:00-03:00 for 1,000,000 uusd */
        append(db, "sN1", "alice", "vastai", "RTX 4090", MIDNIGHT_MS - 2 * HOUR_MS,
               MIDNIGHT_MS + 2 * HOUR_MS, 1000000, 4000001);
        append(db, "sN2", "alice", "vastai", "RTX 4090", MIDNIGHT_MS - HOUR_MS,
               MIDNIGHT_MS + 3 * HOUR_MS, 250000, 1000000);

        aggregate(db, NULL, NULL, MIDNIGHT_MS - DAY_MS, MIDNIGHT_MS);
        row = th_cost_find(&costs, "vastai", "RTX 4090");
        assert_non_null(row);
        assert_int_equal(row->amount_uusd, 2000000 + 250000); /* 4000001 * 2/4 truncated */
        assert_int_equal(row->billed_ms, 3 * HOUR_MS);
        assert_int_equal(row->session_count, 2);

        aggregate(db, NULL, NULL, MIDNIGHT_MS, MIDNIGHT_MS + DAY_MS);
        row = th_cost_find(&costs, "vastai", "RTX 4090");
        assert_non_null(row);
        assert_int_equal(row->amount_uusd, 2000000 + 750000);
        assert_int_equal(row->billed_ms, 5 * HOUR_MS);

        /* open-ended windows */
        aggregate(db, NULL, NULL, MIDNIGHT_MS, 0);
        assert_int_equal(costs.row[0].amount_uusd, 2000000 + 750000);
        aggregate(db, NULL, NULL, 0, MIDNIGHT_MS);
        assert_int_equal(costs.row[0].amount_uusd, 2000000 + 250000);
        aggregate(db, NULL, NULL, 0, 0);
        assert_int_equal(costs.row[0].amount_uusd, 5000001);
        assert_int_equal(costs.row[0].billed_ms, 8 * HOUR_MS);
}

static void insert_two_sessions(struct th_db *db)
{
        const int64_t t0 = MIDNIGHT_MS;

        /* sA: three consecutive hours; sB: [0, 30 min) and [5 h, 6 h) */
        append(db, "sA", "alice", "vastai", "RTX 4090", t0, t0 + HOUR_MS, 100, 100);
        append(db, "sA", "alice", "vastai", "RTX 4090", t0 + HOUR_MS, t0 + 2 * HOUR_MS, 100, 100);
        append(db, "sA", "alice", "vastai", "RTX 4090", t0 + 2 * HOUR_MS, t0 + 3 * HOUR_MS, 100,
               100);
        append(db, "sB", "bob", "vastai", "RTX 4090", t0, t0 + HOUR_MS / 2, 200, 100);
        append(db, "sB", "bob", "vastai", "RTX 4090", t0 + 5 * HOUR_MS, t0 + 6 * HOUR_MS, 200, 200);
}

/* A group whose sessions have one entry each counts rows; a second entry of
 * one session switches it back to distinct counting, with the same answers. */
static void test_aggregate_counts_one_entry_sessions(void **state)
{
        struct th_db *db = *state;
        const int64_t t0 = MIDNIGHT_MS;

        append(db, "s1", "alice", "vastai", "A100", t0, t0 + HOUR_MS, 100, 100);
        append(db, "s2", "alice", "vastai", "A100", t0 + HOUR_MS / 2, t0 + 2 * HOUR_MS, 100,
               150);
        append(db, "s3", "bob", "vastai", "A100", t0 + 3 * HOUR_MS, t0 + 4 * HOUR_MS, 100, 100);
        append(db, "s4", "bob", "vastai", "A100", t0 + 3 * HOUR_MS, t0 + 3 * HOUR_MS, 100, 0);
        aggregate(db, NULL, NULL, t0 + HOUR_MS / 2, t0 + 3 * HOUR_MS + HOUR_MS / 2);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].session_count, 3);
        assert_int_equal(costs.row[0].billed_ms, 5 * HOUR_MS / 2);
        assert_int_equal(costs.row[0].amount_uusd, 50 + 150 + 50);
        /* s3 gets a second entry in the window: still three sessions */
        append(db, "s3", "bob", "vastai", "A100", t0 + HOUR_MS, t0 + 2 * HOUR_MS, 100, 100);
        aggregate(db, NULL, NULL, t0 + HOUR_MS / 2, t0 + 3 * HOUR_MS + HOUR_MS / 2);
        assert_int_equal(costs.row[0].session_count, 3);
        assert_int_equal(costs.row[0].billed_ms, 7 * HOUR_MS / 2);
        assert_int_equal(costs.row[0].amount_uusd, 50 + 150 + 50 + 100);
        aggregate(db, NULL, NULL, 0, 0);
        assert_int_equal(costs.row[0].session_count, 3);
}

static void test_aggregate_counts_distinct_sessions_with_overlap(void **state)
{
        struct th_db *db = *state;
        const int64_t t0 = MIDNIGHT_MS;

        insert_two_sessions(db);
        aggregate(db, NULL, NULL, 0, 0);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].session_count, 2);
        assert_int_equal(costs.row[0].amount_uusd, 600);

        /* [1 h, 2 h): sA's first entry only touches it (end == from) */
        aggregate(db, NULL, NULL, t0 + HOUR_MS, t0 + 2 * HOUR_MS);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].session_count, 1);
        assert_int_equal(costs.row[0].billed_ms, HOUR_MS);
        assert_int_equal(costs.row[0].amount_uusd, 100);

        aggregate(db, NULL, NULL, t0, t0 + HOUR_MS);
        assert_int_equal(costs.row[0].session_count, 2);
        assert_int_equal(costs.row[0].billed_ms, HOUR_MS + HOUR_MS / 2);

        aggregate(db, NULL, NULL, t0 + 3 * HOUR_MS, t0 + 5 * HOUR_MS);
        assert_int_equal(costs.n, 0);

        aggregate(db, NULL, NULL, t0 + 4 * HOUR_MS, t0 + 5 * HOUR_MS + 1);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].session_count, 1);
        assert_int_equal(costs.row[0].billed_ms, 1);
        assert_int_equal(costs.row[0].amount_uusd, 0); /* 200 * 1 / 3600000 */

        /* an empty or inverted window emits nothing */
        aggregate(db, NULL, NULL, t0 + HOUR_MS, t0 + HOUR_MS);
        assert_int_equal(costs.n, 0);
        aggregate(db, NULL, NULL, t0 + 2 * HOUR_MS, t0 + HOUR_MS);
        assert_int_equal(costs.n, 0);
}

static void test_aggregate_filters_by_session_and_consumer(void **state)
{
        struct th_db *db = *state;

        insert_two_sessions(db);
        append(db, "sC", "bob", "tensordock", "A100", MIDNIGHT_MS, MIDNIGHT_MS + HOUR_MS, 5, 5);

        aggregate(db, "sA", NULL, 0, 0);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].amount_uusd, 300);
        assert_int_equal(costs.row[0].session_count, 1);

        aggregate(db, NULL, "bob", 0, 0);
        assert_int_equal(costs.n, 2);
        assert_int_equal(th_cost_find(&costs, "vastai", "RTX 4090")->amount_uusd, 300);
        assert_int_equal(th_cost_find(&costs, "tensordock", "A100")->amount_uusd, 5);

        aggregate(db, "sB", "bob", MIDNIGHT_MS + HOUR_MS, 0);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].amount_uusd, 200);

        aggregate(db, "sA", "bob", 0, 0);
        assert_int_equal(costs.n, 0);
        aggregate(db, NULL, "nobody", 0, 0);
        assert_int_equal(costs.n, 0);
        aggregate(db, "sess-none", NULL, 0, 0);
        assert_int_equal(costs.n, 0);
}

/*
 * Worst case for pro-rating a cut entry: an odd span, amount = k * span + r
 * with r = (span + 1) / 2 and a 2 ms cut, so amount * overlap / span lies
 * 1/span below an integer. 64-bit products overflow (into SQLite REALs) and
 * doubles round up; only exact integer arithmetic gives k * (span - 2) + r - 2.
 */
static void check_cut_entry_is_exact(struct th_db *db, int64_t span)
{
        const int64_t k = 28;
        const int64_t r = (span + 1) / 2;
        const int64_t amount = k * span + r;
        const int64_t start = MIDNIGHT_MS;

        assert_int_equal(span % 2, 1);
        append(db, "sLong", "alice", "vastai", "H100", start, start + span, 0, amount);
        aggregate(db, NULL, NULL, start + 2, 0);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].billed_ms, span - 2);
        assert_int_equal(costs.row[0].amount_uusd, k * (span - 2) + r - 2);
        aggregate(db, NULL, NULL, 0, 0);
        assert_int_equal(costs.row[0].amount_uusd, amount);
}

static void test_aggregate_long_entry_beyond_64_bit_products(void **state)
{
        /* (amount % span) * overlap > INT64_MAX: the 128-bit path */
        check_cut_entry_is_exact(*state, 60 * DAY_MS + 1);
}

static void test_aggregate_month_entry_split_formula(void **state)
{
        /* amount * overlap > INT64_MAX, (amount % span) * overlap fits */
        check_cut_entry_is_exact(*state, 30 * DAY_MS + 1);
}

static void test_aggregate_window_finds_long_entries_started_earlier(void **state)
{
        struct th_db *db = *state;
        const int64_t t0 = MIDNIGHT_MS;

        append(db, "sLong", "alice", "vastai", "H100", t0, t0 + 30 * DAY_MS, 0, 30 * 24000);
        append(db, "sShort", "alice", "vastai", "H100", t0 + 29 * DAY_MS + HOUR_MS,
               t0 + 29 * DAY_MS + 2 * HOUR_MS, 0, 1000);
        aggregate(db, NULL, NULL, t0 + 29 * DAY_MS, t0 + 31 * DAY_MS);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].session_count, 2);
        assert_int_equal(costs.row[0].billed_ms, DAY_MS + HOUR_MS);
        assert_int_equal(costs.row[0].amount_uusd, 24000 + 1000);
        aggregate(db, NULL, "alice", t0 + 29 * DAY_MS, t0 + 31 * DAY_MS);
        assert_int_equal(costs.row[0].amount_uusd, 24000 + 1000);
}

static void test_aggregate_mixes_totals_and_scans_per_group(void **state)
{
        struct th_db *db = *state;
        const int64_t t0 = MIDNIGHT_MS;
        const struct gs_cost_row *row;
        uint32_t sessions = 0;
        int64_t amount = 0;
        int64_t billed = 0;
        size_t i;

        insert_two_sessions(db); /* vastai/RTX 4090: t0 .. t0 + 6 h */
        append(db, "sC", "carol", "tensordock", "A100", t0 + HOUR_MS, t0 + 2 * HOUR_MS, 0, 40);
        append(db, "sC", "carol", "tensordock", "A100", t0 + 2 * HOUR_MS, t0 + 2 * HOUR_MS, 0, 0);

        /* contains all of A100 (its totals), cuts RTX 4090 (scanned) */
        aggregate(db, NULL, NULL, t0 + HOUR_MS, t0 + 2 * HOUR_MS + 1);
        assert_int_equal(costs.n, 2);
        row = th_cost_find(&costs, "tensordock", "A100");
        assert_non_null(row);
        assert_int_equal(row->amount_uusd, 40);
        assert_int_equal(row->billed_ms, HOUR_MS);
        assert_int_equal(row->session_count, 1);
        row = th_cost_find(&costs, "vastai", "RTX 4090");
        assert_non_null(row);
        assert_int_equal(row->amount_uusd, 100);
        assert_int_equal(row->billed_ms, HOUR_MS + 1);
        assert_int_equal(row->session_count, 1);

        /* the totals agree with the per-consumer scans */
        aggregate(db, NULL, NULL, t0 - DAY_MS, t0 + DAY_MS);
        row = th_cost_find(&costs, "vastai", "RTX 4090");
        assert_non_null(row);
        assert_int_equal(row->amount_uusd, 600);
        assert_int_equal(row->billed_ms, 4 * HOUR_MS + HOUR_MS / 2);
        assert_int_equal(row->session_count, 2);
        aggregate(db, NULL, "alice", 0, 0);
        for (i = 0; i < costs.n; i++) {
                amount += costs.row[i].amount_uusd;
                billed += costs.row[i].billed_ms;
                sessions += costs.row[i].session_count;
        }
        aggregate(db, NULL, "bob", 0, 0);
        for (i = 0; i < costs.n; i++) {
                amount += costs.row[i].amount_uusd;
                billed += costs.row[i].billed_ms;
                sessions += costs.row[i].session_count;
        }
        assert_int_equal(amount, 600);
        assert_int_equal(billed, 4 * HOUR_MS + HOUR_MS / 2);
        assert_int_equal(sessions, 2);
}

static void test_cost_append_refuses_an_overflowing_total(void **state)
{
        struct th_db *db = *state;
        struct gs_cost_entry e = {.struct_size = sizeof(e)};

        append(db, "s1", "alice", "vastai", "H100", 0, HOUR_MS, 0, INT64_MAX - 10);
        e.session_id = "s2";
        e.provider = "vastai";
        e.gpu_type = "H100";
        e.start_ms = 0;
        e.end_ms = HOUR_MS;
        e.amount_uusd = 100;
        assert_int_equal(th_ops()->cost_append(db->inst, &e, &db->err), GS_E_INVAL);
        aggregate(db, NULL, NULL, 0, 0);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].amount_uusd, INT64_MAX - 10);
        assert_int_equal(costs.row[0].session_count, 1);
}

static void test_cost_append_checks_the_entry(void **state)
{
        struct th_db *db = *state;
        struct gs_cost_entry e = {.struct_size = sizeof(e)};
        int r;

        e.session_id = "s1";
        e.provider = "vastai";
        e.gpu_type = "RTX 4090";
        e.start_ms = 2000;
        e.end_ms = 1000;
        r = th_ops()->cost_append(db->inst, &e, &db->err);
        assert_int_equal(r, GS_E_INVAL); /* end before start */
        e.end_ms = 2000;
        e.amount_uusd = 5;
        r = th_ops()->cost_append(db->inst, &e, &db->err);
        assert_int_equal(r, GS_E_INVAL); /* money on an empty interval would vanish */
        e.amount_uusd = 0;
        r = th_ops()->cost_append(db->inst, &e, &db->err);
        assert_int_equal(r, 0);
        e.start_ms = -5;
        r = th_ops()->cost_append(db->inst, &e, &db->err);
        assert_int_equal(r, GS_E_INVAL);
        e.start_ms = 1000;
        e.provider = NULL;
        r = th_ops()->cost_append(db->inst, &e, &db->err);
        assert_int_equal(r, GS_E_INVAL);
        assert_int_equal(th_ops()->cost_append(db->inst, NULL, &db->err), GS_E_INVAL);

        /* consumer_id is optional */
        append(db, "s2", NULL, "vastai", "RTX 4090", 1000, 2000, 0, 7);
        aggregate(db, NULL, NULL, 0, 0);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].amount_uusd, 7);
        assert_int_equal(costs.row[0].session_count, 1); /* s1's empty entry has no overlap */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(
                        test_aggregate_is_exact_for_known_prices_and_durations, setup, teardown),
                cmocka_unit_test_setup_teardown(test_aggregate_prorates_across_midnight, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(
                        test_aggregate_counts_distinct_sessions_with_overlap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_aggregate_counts_one_entry_sessions, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_aggregate_filters_by_session_and_consumer,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_aggregate_long_entry_beyond_64_bit_products,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_aggregate_month_entry_split_formula, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(
                        test_aggregate_window_finds_long_entries_started_earlier, setup, teardown),
                cmocka_unit_test_setup_teardown(test_aggregate_mixes_totals_and_scans_per_group,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_cost_append_refuses_an_overflowing_total,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_cost_append_checks_the_entry, setup, teardown),
        };
        int failed;

        th_load();
        failed = cmocka_run_group_tests(tests, NULL, NULL);
        th_unload();
        return failed;
}
