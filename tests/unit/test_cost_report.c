/*
 * test_cost_report.c - cost reports over a fake storage (an in-memory ledger
 * with the plugin's pro-rating rule, and a session list) under an injected
 * clock: live costs split across midnight and month ends to the micro-dollar,
 * ledger + live totals, a session finalized while a report is read, consumer
 * scoping, month-to-date spend, and the exact JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "costs/cost_json.h"
#include "costs/cost_report.h"
#include "domain/cost_meter.h"
#include "plugin/host_api.h"
#include "status.h"
#include "strbuf.h"

/* 2026-01-31 22:30:00Z, 2026-02-01 00:00:00Z, 2026-02-01 01:15:00Z */
#define JAN31_2230 INT64_C(1769898600000)
#define FEB01_0000 INT64_C(1769904000000)
#define FEB01_0115 INT64_C(1769908500000)
#define JAN01_0000 INT64_C(1767225600000)
#define MAX_ROWS 16

struct fake_entry {
        const char *session, *consumer, *provider, *gpu;
        int64_t start_ms, end_ms, amount;
};

struct fake {
        struct fake_entry ledger[MAX_ROWS];
        size_t n_ledger;
        struct gs_session_record sessions[MAX_ROWS];
        size_t n_sessions;
        int lists;       /* session_list calls so far */
        int finalize_at; /* finalize sessions[0] when lists reaches this (0 = never) */
        int aggregates;
};

static int64_t clock_ms;

static int64_t test_clock(void *ctx)
{
        (void)ctx;
        return clock_ms;
}

static void finalize_first(struct fake *f)
{
        struct gs_session_record *r = &f->sessions[0];
        struct gs_cost_entry e;

        r->stopped_at_ms = clock_ms;
        assert_int_equal(cost_meter_final_entry(r, clock_ms, &e), 0);
        r->status = GS_SESSION_STOPPED;
        r->cost_uusd = e.amount_uusd;
        f->ledger[f->n_ledger++] =
                (struct fake_entry){r->id,      r->consumer_id, r->provider,  r->gpu_type,
                                    e.start_ms, e.end_ms,       e.amount_uusd};
}

static int fake_session_list(void *instance, const struct gs_session_filter *filter,
                             struct gs_session_sink *sink, uint64_t *ret_total,
                             struct gs_error *err)
{
        struct fake *f = instance;

        (void)err;
        if (++f->lists == f->finalize_at)
                finalize_first(f);
        for (size_t i = 0; i < f->n_sessions; i++) {
                const struct gs_session_record *r = &f->sessions[i];

                if (filter->status_mask && !(filter->status_mask & (1u << r->status)))
                        continue;
                if (filter->consumer_id && strcmp(filter->consumer_id, r->consumer_id) != 0)
                        continue;
                if (sink->fn(sink->ctx, r) < 0)
                        return GS_E_NOMEM;
        }
        if (ret_total)
                *ret_total = f->n_sessions;
        return 0;
}

/* The plugin's rule: rows overlapping [from, to) count amount x ov / span. */
static int fake_cost_aggregate(void *instance, const struct gs_cost_query *q,
                               struct gs_cost_sink *sink, struct gs_error *err)
{
        struct fake *f = instance;
        int64_t from = q->from_ms ? q->from_ms : INT64_MIN;
        int64_t to = q->to_ms ? q->to_ms : INT64_MAX;
        bool done[MAX_ROWS] = {false};

        (void)err;
        f->aggregates++;
        for (size_t i = 0; i < f->n_ledger; i++) {
                struct gs_cost_row row = {.struct_size = sizeof(row)};
                const char *seen[MAX_ROWS];
                size_t n_seen = 0;

                if (done[i])
                        continue;
                row.provider = f->ledger[i].provider;
                row.gpu_type = f->ledger[i].gpu;
                for (size_t j = i; j < f->n_ledger; j++) {
                        const struct fake_entry *e = &f->ledger[j];
                        struct cost_interval iv = {e->start_ms, e->end_ms};
                        int64_t ov = 0, part;
                        bool dup = false;

                        if (strcmp(e->provider, row.provider) || strcmp(e->gpu, row.gpu_type))
                                continue;
                        done[j] = true;
                        if ((q->session_id && strcmp(q->session_id, e->session)) ||
                            (q->consumer_id && strcmp(q->consumer_id, e->consumer)))
                                continue;
                        part = cost_meter_prorate_uusd(e->amount, iv, from, to, &ov);
                        if (ov <= 0)
                                continue;
                        row.amount_uusd += part;
                        row.billed_ms += ov;
                        for (size_t k = 0; k < n_seen; k++)
                                dup = dup || strcmp(seen[k], e->session) == 0;
                        if (!dup) {
                                seen[n_seen++] = e->session;
                                row.session_count++;
                        }
                }
                if (row.billed_ms > 0 && sink->fn(sink->ctx, &row) < 0)
                        return GS_E_NOMEM;
        }
        return 0;
}

static struct gs_storage_ops fake_ops;
static struct plugin_instance st;
static struct fake fk;

static int setup(void **state)
{
        (void)state;
        memset(&fk, 0, sizeof(fk));
        memset(&fake_ops, 0, sizeof(fake_ops));
        fake_ops.struct_size = sizeof(fake_ops);
        fake_ops.session_list = fake_session_list;
        fake_ops.cost_aggregate = fake_cost_aggregate;
        memset(&st, 0, sizeof(st));
        st.storage = &fake_ops;
        st.instance = &fk;
        host_set_clock(test_clock, NULL);
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        host_set_clock(NULL, NULL);
        return 0;
}

static void add_running(const char *id, const char *consumer, const char *provider, const char *gpu,
                        int64_t price, int64_t created)
{
        struct gs_session_record *r = &fk.sessions[fk.n_sessions++];

        memset(r, 0, sizeof(*r));
        r->struct_size = sizeof(*r);
        r->status = GS_SESSION_RUNNING;
        r->id = id;
        r->consumer_id = consumer;
        r->provider = provider;
        r->gpu_type = gpu;
        r->price_uusd_per_hour = price;
        r->created_at_ms = created - 1000;
        r->instance_created_at_ms = created;
}

static void add_entry(const char *session, const char *consumer, const char *provider,
                      const char *gpu, int64_t start, int64_t end, int64_t amount)
{
        fk.ledger[fk.n_ledger++] =
                (struct fake_entry){session, consumer, provider, gpu, start, end, amount};
}

static struct cost_report build(const struct cost_scope *scope, struct cost_window w, int period)
{
        struct cost_report r;
        struct gs_error err;

        gs_error_init(&err);
        assert_int_equal(cost_report_build(&st, scope, w, period, host_now_ms(), &r, &err), 0);
        return r;
}

static void test_live_session_across_midnight_split_by_day(void **state)
{
        struct cost_scope all = {0};
        struct cost_window w;
        struct cost_report r;

        (void)state;
        clock_ms = FEB01_0115;
        /* $0.35/h since 22:30: 2.75 h = $0.9625 = 1.5 h on Jan 31 + 1.25 h on Feb 1 */
        add_running("sess-a", "my-app", "vastai", "RTX 4090", 350000, JAN31_2230);
        assert_int_equal(cost_window_from_dates("2026-01-31", "2026-02-01", &w, NULL), 0);
        r = build(&all, w, COST_PERIOD_DAILY);
        assert_int_equal(r.totals.amount_uusd, 962500);
        assert_int_equal(r.totals.billed_ms, 165 * 60000);
        assert_int_equal(r.totals.session_count, 1);
        assert_int_equal(r.bucket_count, 2);
        assert_int_equal(r.buckets[0].window.to_ms, FEB01_0000);
        assert_int_equal(r.buckets[0].totals.amount_uusd, 525000);
        assert_int_equal(r.buckets[0].totals.billed_ms, 90 * 60000);
        assert_int_equal(r.buckets[1].totals.amount_uusd, 437500);
        assert_int_equal(r.buckets[1].totals.session_count, 1);
        cost_report_done(&r);
        /* an hour later the live cost grew by $0.35, all of it on Feb 1 */
        clock_ms += 3600000;
        r = build(&all, w, COST_PERIOD_DAILY);
        assert_int_equal(r.totals.amount_uusd, 962500 + 350000);
        assert_int_equal(r.buckets[0].totals.amount_uusd, 525000);
        assert_int_equal(r.buckets[1].totals.amount_uusd, 437500 + 350000);
        cost_report_done(&r);
}

static void test_ledger_and_live_by_month(void **state)
{
        struct cost_scope all = {0};
        struct cost_window w;
        struct cost_report r;

        (void)state;
        clock_ms = FEB01_0115;
        add_entry("sess-old", "my-app", "tensordock", "A100", JAN01_0000 + 3600000,
                  JAN01_0000 + 3 * 3600000, 2400000);
        add_running("sess-a", "my-app", "vastai", "RTX 4090", 350000, JAN31_2230);
        assert_int_equal(cost_window_from_dates("2026-01-01", "2026-02-28", &w, NULL), 0);
        r = build(&all, w, COST_PERIOD_MONTHLY);
        assert_int_equal(r.bucket_count, 2);
        assert_int_equal(r.buckets[0].totals.amount_uusd, 2400000 + 525000);
        assert_int_equal(r.buckets[0].totals.session_count, 2);
        assert_int_equal(r.buckets[1].totals.amount_uusd, 437500);
        assert_int_equal(r.buckets[1].totals.session_count, 1);
        assert_int_equal(r.totals.amount_uusd, 2400000 + 962500);
        assert_int_equal(r.totals.count, 2);
        assert_string_equal(r.totals.groups[0].provider, "tensordock");
        assert_string_equal(r.totals.groups[1].gpu_type, "RTX 4090");
        cost_report_done(&r);
}

static void test_finalized_while_reading_counts_once(void **state)
{
        struct cost_scope all = {0};
        struct cost_window w = {0, INT64_MAX};
        struct cost_report r;

        (void)state;
        clock_ms = FEB01_0115;
        add_running("sess-a", "my-app", "vastai", "RTX 4090", 350000, JAN31_2230);
        /* list #2 is the one after the first ledger read: the session moves
         * into the ledger between the reads, so the report starts over */
        fk.finalize_at = 2;
        r = build(&all, w, COST_PERIOD_NONE);
        assert_int_equal(r.totals.amount_uusd, 962500);
        assert_int_equal(r.totals.session_count, 1);
        assert_int_equal(fk.aggregates, 2);
        cost_report_done(&r);
}

static void test_consumer_scope(void **state)
{
        struct principal who = {.authenticated = true, .role = GS_ROLE_CONSUMER};
        struct cost_scope mine = {.who = &who};
        struct cost_scope one = {.consumer_id = "b", .who = &who};
        struct cost_window w = {0, INT64_MAX};
        struct cost_report r;

        (void)state;
        clock_ms = FEB01_0115;
        memcpy(who.consumers, "a,b", 4);
        add_entry("sess-1", "a", "vastai", "A100", JAN01_0000, JAN01_0000 + 3600000, 1000000);
        add_entry("sess-2", "b", "vastai", "A100", JAN01_0000, JAN01_0000 + 3600000, 2000000);
        add_entry("sess-3", "c", "vastai", "A100", JAN01_0000, JAN01_0000 + 3600000, 4000000);
        add_running("sess-4", "c", "vastai", "A100", 1000000, JAN31_2230);
        add_running("sess-5", "a", "vastai", "A100", 1000000, FEB01_0000);
        r = build(&mine, w, COST_PERIOD_NONE);
        assert_int_equal(r.totals.amount_uusd, 1000000 + 2000000 + 1250000);
        assert_int_equal(r.totals.session_count, 3);
        cost_report_done(&r);
        r = build(&one, w, COST_PERIOD_NONE);
        assert_int_equal(r.totals.amount_uusd, 2000000);
        cost_report_done(&r);
}

static void test_month_spend(void **state)
{
        struct gs_error err;
        int64_t spent = -1;

        (void)state;
        clock_ms = FEB01_0115;
        add_entry("sess-old", "my-app", "vastai", "A100", JAN01_0000, JAN01_0000 + 3600000,
                  1000000);
        add_running("sess-a", "my-app", "vastai", "RTX 4090", 350000, JAN31_2230);
        add_running("sess-b", "other", "vastai", "RTX 4090", 350000, JAN31_2230);
        gs_error_init(&err);
        assert_int_equal(cost_report_month_spend(&st, "my-app", clock_ms, &spent, &err), 0);
        assert_int_equal(spent, 437500); /* February's part of the live session only */
}

static void test_json_is_exact(void **state)
{
        struct cost_scope all = {0};
        struct cost_json_echo echo = {.consumer_id = "my-app"};
        struct cost_window w;
        struct cost_report r;
        struct strbuf sb;
        char *text;

        (void)state;
        clock_ms = FEB01_0115;
        add_entry("sess-1", "my-app", "vastai", "RTX 4090", JAN01_0000, JAN01_0000 + 13887123,
                  1350137);
        add_entry("sess-2", "my-app", "tensordock", "A100", JAN01_0000, JAN01_0000 + 3600000,
                  20670000);
        assert_int_equal(cost_window_from_dates("2026-01-01", "2026-01-31", &w, NULL), 0);
        r = build(&all, w, COST_PERIOD_NONE);
        strbuf_init(&sb);
        cost_json_report(&sb, &r, &echo);
        cost_report_done(&r);
        text = strbuf_take(&sb, NULL);
        assert_non_null(text);
        assert_string_equal(
                text,
                "{\"consumer_id\":\"my-app\",\"total_cost\":22.020137,"
                "\"total_cost_uusd\":22020137,\"currency\":\"USD\",\"session_count\":2,"
                "\"hours_used\":4.857534,\"by_provider\":{\"tensordock\":20.67,"
                "\"vastai\":1.350137},\"by_gpu_type\":{\"A100\":20.67,\"RTX 4090\":1.350137},"
                "\"period_start\":\"2026-01-01T00:00:00Z\","
                "\"period_end\":\"2026-02-01T00:00:00Z\",\"as_of\":\"2026-02-01T01:15:00Z\"}");
        free(text);
}

static void test_too_many_buckets(void **state)
{
        struct cost_scope all = {0};
        struct cost_window w;
        struct cost_report r;
        struct gs_error err;

        (void)state;
        clock_ms = FEB01_0115;
        assert_int_equal(cost_window_from_dates("2000-01-01", "2026-01-01", &w, NULL), 0);
        gs_error_init(&err);
        assert_int_equal(cost_report_build(&st, &all, w, COST_PERIOD_DAILY, clock_ms, &r, &err),
                         GS_E_TOOBIG);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_live_session_across_midnight_split_by_day,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_ledger_and_live_by_month, setup, teardown),
                cmocka_unit_test_setup_teardown(test_finalized_while_reading_counts_once, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_consumer_scope, setup, teardown),
                cmocka_unit_test_setup_teardown(test_month_spend, setup, teardown),
                cmocka_unit_test_setup_teardown(test_json_is_exact, setup, teardown),
                cmocka_unit_test_setup_teardown(test_too_many_buckets, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
