/*
 * test_sqlite_sessions.c - storage-sqlite sessions: insert/get round trip,
 * uniqueness, list filters and paging, compare-and-set updates, the atomic
 * ledger append, and concurrent CAS.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sqls_harness.h"

#define RACE_ROUNDS 40

static struct gs_session_sink sink;
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

        th_session_sink_reset(&sink);
        th_cost_sink_reset(&costs);
        sink.limit = 0;
        th_cleanup(db);
        free(db);
        return 0;
}

static struct gs_session_record make_session(const char *id, const char *consumer, int32_t status,
                                             int64_t created_at_ms)
{
        struct gs_session_record rec = {.struct_size = sizeof(rec)};

        rec.id = id;
        rec.consumer_id = consumer;
        rec.status = status;
        rec.created_at_ms = created_at_ms;
        rec.updated_at_ms = created_at_ms;
        rec.provider = "vastai";
        rec.gpu_type = "RTX 4090";
        rec.gpu_count = 1;
        return rec;
}

static void insert_ok(struct th_db *db, const struct gs_session_record *rec)
{
        int r = th_ops()->session_insert(db->inst, rec, &db->err);

        if (r < 0)
                fail_msg("session_insert %s: %d %s", rec->id, r, db->err.msg);
}

/* Get one session into sink.rec[0] (the sink is reset first). */
static const struct gs_session_record *get_ok(struct th_db *db, const char *id)
{
        int r;

        th_session_sink_reset(&sink);
        r = th_ops()->session_get(db->inst, id, &sink, &db->err);
        if (r < 0)
                fail_msg("session_get %s: %d %s", id, r, db->err.msg);
        assert_int_equal(sink.n, 1);
        return &sink.rec[0];
}

static void test_insert_get_round_trips_every_field(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record in = {.struct_size = sizeof(in)};
        const struct gs_session_record *out;

        in.status = GS_SESSION_PROVISIONING;
        in.id = "sess-full";
        in.consumer_id = "alice";
        in.offer_id = "vastai-12345";
        in.provider = "vastai";
        in.provider_instance_id = "987654";
        in.label = "gs-dep-sess-full";
        in.gpu_type = "RTX 4090";
        in.gpu_count = 2;
        in.ssh_port = 40022;
        in.ssh_host = "203.0.113.7";
        in.ssh_user = "root";
        in.ssh_public_key = "ssh-ed25519 AAAAC3Nza test";
        in.status_reason = "creating";
        in.workload_type = "llm";
        in.storage_policy = "destroy";
        in.template_hash_id = "tmpl-abc";
        in.idempotency_key = "idem-1";
        in.reservation_hours = 12;
        in.idle_threshold_minutes = 30;
        in.disk_gb = 80;
        in.flags = 0x5;
        in.price_uusd_per_hour = 350000;
        in.charged_uusd_per_hour = 351234;
        in.created_at_ms = 1700000000001;
        in.updated_at_ms = 1700000000002;
        in.instance_created_at_ms = 1700000000003;
        in.started_at_ms = 1700000000004;
        in.expires_at_ms = 1700000000005;
        in.stopped_at_ms = 1700000000006;
        in.last_activity_ms = 1700000000007;
        in.cost_uusd = 4242;
        in.detail_json = "{\"offers_tried\":[\"vastai-1\"]}";
        insert_ok(db, &in);

        out = get_ok(db, "sess-full");
        assert_int_equal(out->struct_size, sizeof(*out));
        assert_int_equal(out->status, GS_SESSION_PROVISIONING);
        assert_string_equal(out->id, in.id);
        assert_string_equal(out->consumer_id, in.consumer_id);
        assert_string_equal(out->offer_id, in.offer_id);
        assert_string_equal(out->provider, in.provider);
        assert_string_equal(out->provider_instance_id, in.provider_instance_id);
        assert_string_equal(out->label, in.label);
        assert_string_equal(out->gpu_type, in.gpu_type);
        assert_int_equal(out->gpu_count, 2);
        assert_int_equal(out->ssh_port, 40022);
        assert_string_equal(out->ssh_host, in.ssh_host);
        assert_string_equal(out->ssh_user, in.ssh_user);
        assert_string_equal(out->ssh_public_key, in.ssh_public_key);
        assert_string_equal(out->status_reason, in.status_reason);
        assert_string_equal(out->workload_type, in.workload_type);
        assert_string_equal(out->storage_policy, in.storage_policy);
        assert_string_equal(out->template_hash_id, in.template_hash_id);
        assert_string_equal(out->idempotency_key, in.idempotency_key);
        assert_int_equal(out->reservation_hours, 12);
        assert_int_equal(out->idle_threshold_minutes, 30);
        assert_int_equal(out->disk_gb, 80);
        assert_int_equal(out->flags, 0x5);
        assert_int_equal(out->price_uusd_per_hour, 350000);
        assert_int_equal(out->charged_uusd_per_hour, 351234);
        assert_int_equal(out->created_at_ms, 1700000000001);
        assert_int_equal(out->updated_at_ms, 1700000000002);
        assert_int_equal(out->instance_created_at_ms, 1700000000003);
        assert_int_equal(out->started_at_ms, 1700000000004);
        assert_int_equal(out->expires_at_ms, 1700000000005);
        assert_int_equal(out->stopped_at_ms, 1700000000006);
        assert_int_equal(out->last_activity_ms, 1700000000007);
        assert_int_equal(out->cost_uusd, 4242);
        assert_string_equal(out->detail_json, in.detail_json);
}

static void test_get_unknown_is_notfound(void **state)
{
        struct th_db *db = *state;
        int r;

        r = th_ops()->session_get(db->inst, "sess-none", &sink, &db->err);
        assert_int_equal(r, GS_E_NOTFOUND);
        assert_int_equal(db->err.status, GS_E_NOTFOUND);
        assert_int_equal(sink.n, 0);
}

static void test_short_struct_reads_missing_fields_as_null(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record in = make_session("sess-old", "alice", GS_SESSION_PENDING, 5);
        const struct gs_session_record *out;

        /* An older core's record ends before ssh_host: everything after is absent. */
        in.struct_size = (uint32_t)offsetof(struct gs_session_record, ssh_host);
        in.ssh_port = 22;
        in.ssh_host = "must-not-be-read";
        in.idempotency_key = "must-not-be-read";
        in.created_at_ms = 99;
        insert_ok(db, &in);
        out = get_ok(db, "sess-old");
        assert_int_equal(out->ssh_port, 22);
        assert_string_equal(out->gpu_type, "RTX 4090");
        assert_null(out->ssh_host);
        assert_null(out->idempotency_key);
        assert_int_equal(out->created_at_ms, 0);
}

static void test_insert_duplicate_id_is_exists(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record a = make_session("sess-dup", "alice", GS_SESSION_PENDING, 1);
        struct gs_session_record b = make_session("sess-dup", "bob", GS_SESSION_RUNNING, 2);
        int r;

        insert_ok(db, &a);
        r = th_ops()->session_insert(db->inst, &b, &db->err);
        assert_int_equal(r, GS_E_EXISTS);
        assert_non_null(strstr(db->err.msg, "sess-dup"));
        assert_string_equal(get_ok(db, "sess-dup")->consumer_id, "alice");
}

static void test_insert_duplicate_idempotency_key_is_exists(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record rec = make_session("sess-i1", "alice", GS_SESSION_PENDING, 1);
        uint64_t total = 0;
        int r;

        rec.idempotency_key = "key-1";
        insert_ok(db, &rec);
        rec.id = "sess-i2"; /* same consumer, same key */
        r = th_ops()->session_insert(db->inst, &rec, &db->err);
        assert_int_equal(r, GS_E_EXISTS);
        assert_non_null(strstr(db->err.msg, "idempotency key"));
        assert_null(strstr(db->err.msg, "key-1")); /* no record contents */

        rec.consumer_id = "bob"; /* another consumer may use the same key */
        insert_ok(db, &rec);
        rec.id = "sess-i3"; /* no key: never a duplicate */
        rec.idempotency_key = NULL;
        insert_ok(db, &rec);
        rec.id = "sess-i4";
        insert_ok(db, &rec);

        r = th_ops()->session_list(db->inst, NULL, &sink, &total, &db->err);
        assert_int_equal(r, 0);
        assert_int_equal(total, 4);
}

static void test_insert_requires_id_and_consumer(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record rec = make_session(NULL, "alice", GS_SESSION_PENDING, 1);

        assert_int_equal(th_ops()->session_insert(db->inst, &rec, &db->err), GS_E_INVAL);
        rec.id = "sess-x";
        rec.consumer_id = NULL;
        assert_int_equal(th_ops()->session_insert(db->inst, &rec, &db->err), GS_E_INVAL);
        assert_int_equal(th_ops()->session_insert(db->inst, NULL, &db->err), GS_E_INVAL);
}

static void test_insert_rejects_oversized_string(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record rec = make_session("sess-big", "alice", GS_SESSION_PENDING, 1);
        char *big = malloc(GS_STRING_MAX + 1);

        assert_non_null(big);
        memset(big, 'x', GS_STRING_MAX);
        big[GS_STRING_MAX] = '\0';
        rec.detail_json = big;
        assert_int_equal(th_ops()->session_insert(db->inst, &rec, &db->err), GS_E_TOOBIG);
        assert_non_null(strstr(db->err.msg, "detail_json"));
        free(big);
        assert_int_equal(th_ops()->session_get(db->inst, "sess-big", &sink, &db->err),
                         GS_E_NOTFOUND);
}

/* Ten sessions with known attributes for the list tests. */
static void insert_list_fixture(struct th_db *db)
{
        static const struct {
                const char *id, *consumer, *provider, *instance, *idem;
                int32_t status;
                int64_t created;
        } rows[] = {
                {"s01", "alice", "vastai", "v-1", NULL, GS_SESSION_RUNNING, 100},
                {"s02", "alice", "vastai", "v-2", "k-a", GS_SESSION_STOPPED, 200},
                {"s03", "bob", "tensordock", "t-1", NULL, GS_SESSION_RUNNING, 300},
                {"s04", "bob", "vastai", NULL, NULL, GS_SESSION_PENDING, 400},
                {"s05", "carol", "tensordock", "t-2", "k-a", GS_SESSION_FAILED, 500},
                {"s06", "alice", "tensordock", "t-3", NULL, GS_SESSION_RUNNING, 600},
                {"s07", "alice", "vastai", "v-3", NULL, GS_SESSION_PROVISIONING, 700},
                {"s08", "bob", "vastai", "v-4", NULL, GS_SESSION_STOPPING, 800},
                {"s09", "carol", "vastai", "v-5", NULL, GS_SESSION_RUNNING, 800},
                {"s10", "alice", "vastai", "v-6", "k-b", GS_SESSION_RUNNING, 1000},
        };
        struct gs_session_record rec;
        size_t i;

        for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                rec = make_session(rows[i].id, rows[i].consumer, rows[i].status, rows[i].created);
                rec.provider = rows[i].provider;
                rec.provider_instance_id = rows[i].instance;
                rec.idempotency_key = rows[i].idem;
                insert_ok(db, &rec);
        }
}

/* List with `f`, return the ids in order as "a,b,c" and the total. */
static const char *list_ids(struct th_db *db, const struct gs_session_filter *f,
                            uint64_t *ret_total)
{
        static char buf[1024];
        size_t len = 0;
        size_t i;
        int r;

        th_session_sink_reset(&sink);
        r = th_ops()->session_list(db->inst, f, &sink, ret_total, &db->err);
        if (r < 0)
                fail_msg("session_list: %d %s", r, db->err.msg);
        buf[0] = '\0';
        for (i = 0; i < sink.n; i++)
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "",
                                        sink.rec[i].id);
        return buf;
}

static void test_list_filters_total_and_paging(void **state)
{
        struct th_db *db = *state;
        struct gs_session_filter f = {.struct_size = sizeof(f)};
        uint64_t total = 0;

        insert_list_fixture(db);

        /* newest first by created_at_ms, then id (s09 and s08 tie at 800) */
        assert_string_equal(list_ids(db, &f, &total), "s10,s09,s08,s07,s06,s05,s04,s03,s02,s01");
        assert_int_equal(total, 10);

        f.status_mask = 1u << GS_SESSION_RUNNING;
        assert_string_equal(list_ids(db, &f, &total), "s10,s09,s06,s03,s01");
        assert_int_equal(total, 5);
        f.status_mask = (1u << GS_SESSION_PENDING) | (1u << GS_SESSION_STOPPING) |
                        (1u << GS_SESSION_FAILED);
        assert_string_equal(list_ids(db, &f, &total), "s08,s05,s04");
        f.status_mask = 1u << 20; /* a status nobody has */
        assert_string_equal(list_ids(db, &f, &total), "");
        assert_int_equal(total, 0);
        f.status_mask = 0;

        f.consumer_id = "alice";
        assert_string_equal(list_ids(db, &f, &total), "s10,s07,s06,s02,s01");
        assert_int_equal(total, 5);
        f.provider = "tensordock";
        assert_string_equal(list_ids(db, &f, &total), "s06");
        assert_int_equal(total, 1);
        f.consumer_id = NULL;
        assert_string_equal(list_ids(db, &f, &total), "s06,s05,s03");
        f.provider = NULL;

        f.provider_instance_id = "v-4";
        assert_string_equal(list_ids(db, &f, &total), "s08");
        f.provider_instance_id = NULL;

        f.idempotency_key = "k-a";
        assert_string_equal(list_ids(db, &f, &total), "s05,s02");
        f.consumer_id = "carol";
        assert_string_equal(list_ids(db, &f, &total), "s05");
        f.consumer_id = NULL;
        f.idempotency_key = NULL;

        /* paging: total ignores limit/offset */
        f.status_mask = 1u << GS_SESSION_RUNNING;
        f.limit = 2;
        assert_string_equal(list_ids(db, &f, &total), "s10,s09");
        assert_int_equal(total, 5);
        f.offset = 2;
        assert_string_equal(list_ids(db, &f, &total), "s06,s03");
        f.offset = 4;
        assert_string_equal(list_ids(db, &f, &total), "s01");
        f.offset = 6;
        assert_string_equal(list_ids(db, &f, &total), "");
        assert_int_equal(total, 5);
        f.limit = 0;
        f.offset = 3;
        assert_string_equal(list_ids(db, &f, NULL), "s03,s01");
}

static void test_list_short_filter_ignores_missing_fields(void **state)
{
        struct th_db *db = *state;
        struct gs_session_filter f = {.struct_size = sizeof(f)};
        uint64_t total = 0;

        insert_list_fixture(db);
        f.consumer_id = "bob";
        f.limit = 1; /* beyond the short struct: must be ignored */
        f.struct_size = (uint32_t)offsetof(struct gs_session_filter, provider);
        assert_string_equal(list_ids(db, &f, &total), "s08,s04,s03");
        assert_int_equal(total, 3);
}

static void test_list_stops_when_sink_is_full(void **state)
{
        struct th_db *db = *state;
        uint64_t total = 77;
        int r;

        insert_list_fixture(db);
        sink.limit = 3;
        r = th_ops()->session_list(db->inst, NULL, &sink, &total, &db->err);
        assert_int_equal(r, GS_E_TOOBIG);
        assert_int_equal(db->err.status, GS_E_TOOBIG);
        assert_int_equal(sink.n, 3);
        assert_int_equal(total, 77); /* ret_total written only on success */
}

static void test_update_cas_from_expected_status_only(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record rec = make_session("sess-cas", "alice", GS_SESSION_PENDING, 10);
        const struct gs_session_record *out;
        int r;

        insert_ok(db, &rec);

        rec.status = GS_SESSION_PROVISIONING;
        rec.provider_instance_id = "v-77";
        rec.updated_at_ms = 20;
        rec.consumer_id = "mallory"; /* immutable: ignored */
        rec.created_at_ms = 999;     /* immutable: ignored */
        r = th_ops()->session_update(db->inst, &rec, GS_SESSION_PENDING, NULL, &db->err);
        assert_int_equal(r, 0);
        out = get_ok(db, "sess-cas");
        assert_int_equal(out->status, GS_SESSION_PROVISIONING);
        assert_string_equal(out->provider_instance_id, "v-77");
        assert_int_equal(out->updated_at_ms, 20);
        assert_string_equal(out->consumer_id, "alice");
        assert_int_equal(out->created_at_ms, 10);

        /* the loser of a race expected PENDING: conflict, nothing written */
        rec.status = GS_SESSION_FAILED;
        rec.status_reason = "lost race";
        rec.updated_at_ms = 30;
        r = th_ops()->session_update(db->inst, &rec, GS_SESSION_PENDING, NULL, &db->err);
        assert_int_equal(r, GS_E_CONFLICT);
        assert_int_equal(db->err.status, GS_E_CONFLICT);
        assert_non_null(strstr(db->err.msg, "sess-cas"));
        out = get_ok(db, "sess-cas");
        assert_int_equal(out->status, GS_SESSION_PROVISIONING);
        assert_null(out->status_reason);
        assert_int_equal(out->updated_at_ms, 20);

        /* GS_SESSION_ANY skips the compare */
        r = th_ops()->session_update(db->inst, &rec, GS_SESSION_ANY, NULL, &db->err);
        assert_int_equal(r, 0);
        out = get_ok(db, "sess-cas");
        assert_int_equal(out->status, GS_SESSION_FAILED);
        assert_string_equal(out->status_reason, "lost race");
}

static void test_update_unknown_id_is_notfound(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record rec = make_session("sess-ghost", "alice", GS_SESSION_RUNNING, 1);

        assert_int_equal(
                th_ops()->session_update(db->inst, &rec, GS_SESSION_PENDING, NULL, &db->err),
                GS_E_NOTFOUND);
        assert_int_equal(th_ops()->session_update(db->inst, &rec, GS_SESSION_ANY, NULL, &db->err),
                         GS_E_NOTFOUND);
        assert_int_equal(db->err.status, GS_E_NOTFOUND);
}

static void aggregate_all(struct th_db *db)
{
        int r;

        th_cost_sink_reset(&costs);
        r = th_ops()->cost_aggregate(db->inst, NULL, &costs, &db->err);
        if (r < 0)
                fail_msg("cost_aggregate: %d %s", r, db->err.msg);
}

static void test_update_with_ledger_is_atomic(void **state)
{
        struct th_db *db = *state;
        struct gs_session_record rec = make_session("sess-led", "alice", GS_SESSION_STOPPING, 1);
        struct gs_cost_entry bad = {.struct_size = sizeof(bad)};
        struct gs_cost_entry good;
        const struct gs_session_record *out;
        int r;

        insert_ok(db, &rec);
        bad.session_id = "sess-led";
        bad.consumer_id = "alice";
        bad.provider = "vastai";
        bad.gpu_type = "RTX 4090";
        bad.start_ms = 5000;
        bad.end_ms = 4000; /* violates CHECK (end_ms >= start_ms) */
        bad.amount_uusd = 123;
        good = bad;
        good.end_ms = 3605000;
        good.amount_uusd = 350000;

        rec.status = GS_SESSION_STOPPED;
        rec.cost_uusd = 350000;
        r = th_ops()->session_update(db->inst, &rec, GS_SESSION_STOPPING, &bad, &db->err);
        assert_int_equal(r, GS_E_INVAL);
        assert_non_null(strstr(db->err.msg, "CHECK"));
        out = get_ok(db, "sess-led");
        assert_int_equal(out->status, GS_SESSION_STOPPING);
        assert_int_equal(out->cost_uusd, 0);
        aggregate_all(db);
        assert_int_equal(costs.n, 0);

        r = th_ops()->session_update(db->inst, &rec, GS_SESSION_STOPPING, &good, &db->err);
        assert_int_equal(r, 0);
        out = get_ok(db, "sess-led");
        assert_int_equal(out->status, GS_SESSION_STOPPED);
        assert_int_equal(out->cost_uusd, 350000);
        aggregate_all(db);
        assert_int_equal(costs.n, 1);
        assert_int_equal(costs.row[0].amount_uusd, 350000);
        assert_int_equal(costs.row[0].billed_ms, 3600000);

        /* a CAS conflict writes no ledger entry either */
        r = th_ops()->session_update(db->inst, &rec, GS_SESSION_STOPPING, &good, &db->err);
        assert_int_equal(r, GS_E_CONFLICT);
        aggregate_all(db);
        assert_int_equal(costs.row[0].amount_uusd, 350000);
}

struct racer {
        struct th_db *db;
        pthread_barrier_t *start;
        const char *id;
        int result;
        char msg[GS_ERROR_MSG_MAX];
};

static void *race(void *arg)
{
        struct racer *rc = arg;
        struct gs_session_record rec = make_session(rc->id, "alice", GS_SESSION_STOPPING, 1);
        struct gs_error err;

        memset(&err, 0, sizeof(err));
        (void)pthread_barrier_wait(rc->start);
        rc->result = th_ops()->session_update(rc->db->inst, &rec, GS_SESSION_RUNNING, NULL, &err);
        memcpy(rc->msg, err.msg, sizeof(rc->msg));
        return NULL;
}

static void test_concurrent_cas_has_exactly_one_winner(void **state)
{
        struct th_db file_db;
        pthread_barrier_t start;
        struct racer racers[2];
        pthread_t threads[2];
        char id[32];
        int round;
        int wins;
        int i;

        (void)state;
        /* a real file, so the race also covers WAL and fsync paths */
        th_open_file(&file_db, "race.db");
        assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
        for (round = 0; round < RACE_ROUNDS; round++) {
                struct gs_session_record rec;

                (void)snprintf(id, sizeof(id), "sess-race-%d", round);
                rec = make_session(id, "alice", GS_SESSION_RUNNING, round);
                insert_ok(&file_db, &rec);
                for (i = 0; i < 2; i++) {
                        racers[i] = (struct racer){.db = &file_db, .start = &start, .id = id};
                        assert_int_equal(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
                }
                wins = 0;
                for (i = 0; i < 2; i++) {
                        assert_int_equal(pthread_join(threads[i], NULL), 0);
                        if (racers[i].result == 0)
                                wins++;
                        else if (racers[i].result != GS_E_CONFLICT)
                                fail_msg("round %d: %d %s", round, racers[i].result, racers[i].msg);
                }
                assert_int_equal(wins, 1);
                assert_int_equal(get_ok(&file_db, id)->status, GS_SESSION_STOPPING);
        }
        (void)pthread_barrier_destroy(&start);
        th_session_sink_reset(&sink);
        th_cleanup(&file_db);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_insert_get_round_trips_every_field, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_get_unknown_is_notfound, setup, teardown),
                cmocka_unit_test_setup_teardown(test_short_struct_reads_missing_fields_as_null,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_insert_duplicate_id_is_exists, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_insert_duplicate_idempotency_key_is_exists,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_insert_requires_id_and_consumer, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_insert_rejects_oversized_string, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_list_filters_total_and_paging, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_list_short_filter_ignores_missing_fields,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_stops_when_sink_is_full, setup, teardown),
                cmocka_unit_test_setup_teardown(test_update_cas_from_expected_status_only, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_update_unknown_id_is_notfound, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_update_with_ledger_is_atomic, setup, teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_cas_has_exactly_one_winner, setup,
                                                teardown),
        };
        int failed;

        th_load();
        failed = cmocka_run_group_tests(tests, NULL, NULL);
        th_unload();
        return failed;
}
