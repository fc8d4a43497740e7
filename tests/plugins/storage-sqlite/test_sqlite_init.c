/*
 * test_sqlite_init.c - storage-sqlite: info block, config keys, file and
 * directory modes, reopen, schema versioning and migrations, busy mapping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <cmocka.h>

#include "sqls_harness.h"

static struct gs_string_sink strings;
static struct gs_session_sink sessions;

/* Run `sql` on a separate raw connection to `path`. */
static void raw_exec(const char *path, const char *sql)
{
        sqlite3 *db = NULL;
        char *msg = NULL;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
                fail_msg("raw_exec: %s", msg);
        (void)sqlite3_close(db);
}

static int64_t raw_int(const char *path, const char *sql)
{
        sqlite3_stmt *st = NULL;
        sqlite3 *db = NULL;
        int64_t v;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int64(st, 0);
        (void)sqlite3_finalize(st);
        (void)sqlite3_close(db);
        return v;
}

static mode_t mode_of(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0)
                fail_msg("stat %s failed", path);
        return st.st_mode;
}

static void insert_session(struct th_db *db, const char *id)
{
        struct gs_session_record rec = {.struct_size = sizeof(rec)};
        int r;

        rec.id = id;
        rec.consumer_id = "alice";
        rec.status = GS_SESSION_RUNNING;
        r = th_ops()->session_insert(db->inst, &rec, &db->err);
        if (r < 0)
                fail_msg("session_insert: %d %s", r, db->err.msg);
}

static void test_plugin_info(void **state)
{
        const struct gs_plugin_info *info = th_info();
        const struct gs_storage_ops *ops = th_ops();
        const struct gs_config_key *k = ops->config_keys;

        (void)state;
        assert_int_equal(info->magic, GS_PLUGIN_MAGIC);
        assert_int_equal(info->abi_major, GS_ABI_MAJOR);
        assert_int_equal(info->struct_size, sizeof(struct gs_plugin_info));
        assert_int_equal(info->kind, GS_PLUGIN_STORAGE);
        assert_string_equal(info->name, "storage-sqlite");
        assert_int_equal(ops->struct_size, sizeof(struct gs_storage_ops));
        assert_int_equal(ops->flags, GS_PLUGIN_F_THREADSAFE);
        assert_int_equal(ops->config_key_size, sizeof(struct gs_config_key));
        assert_non_null(ops->init);
        assert_non_null(ops->shutdown);
        assert_non_null(ops->meta_get);
        assert_non_null(ops->meta_set_if_absent);
        assert_non_null(ops->session_insert);
        assert_non_null(ops->session_get);
        assert_non_null(ops->session_list);
        assert_non_null(ops->session_update);
        assert_non_null(ops->cost_append);
        assert_non_null(ops->cost_aggregate);
        assert_non_null(ops->event_append);
        assert_non_null(ops->event_list);

        assert_string_equal(k[0].name, "path");
        assert_int_equal(k[0].type, GS_CFG_PATH);
        assert_string_equal(k[0].default_value, "./run/data/gpu-shopper.db");
        assert_string_equal(k[1].name, "busy_timeout");
        assert_int_equal(k[1].type, GS_CFG_DURATION_MS);
        assert_string_equal(k[1].default_value, "5s");
        assert_int_equal(k[1].min, 100);
        assert_int_equal(k[1].max, 60000);
        assert_string_equal(k[2].name, "synchronous");
        assert_int_equal(k[2].type, GS_CFG_ENUM);
        assert_string_equal(k[2].choices, "normal|full");
        assert_string_equal(k[2].default_value, "full");
        assert_null(k[3].name);
        ops->shutdown(NULL); /* NULL-safe */
}

static void test_init_creates_private_dir_and_file(void **state)
{
        char dir[TH_PATH_MAX];
        char wal[TH_PATH_MAX];
        mode_t old_umask;
        struct th_db db;

        (void)state;
        /* With umask 0 only the plugin's own modes protect the files. */
        th_warnings = 0;
        old_umask = umask(0);
        th_open_file(&db, "a/b/c/gpu.db");
        (void)umask(old_umask);

        th_join(dir, sizeof(dir), db.dir, "a");
        assert_true(S_ISDIR(mode_of(dir)));
        assert_int_equal(mode_of(dir) & 07777, 0700);
        th_join(dir, sizeof(dir), db.dir, "a/b");
        assert_int_equal(mode_of(dir) & 07777, 0700);
        th_join(dir, sizeof(dir), db.dir, "a/b/c");
        assert_int_equal(mode_of(dir) & 07777, 0700);
        assert_true(S_ISREG(mode_of(db.path)));
        assert_int_equal(mode_of(db.path) & 07777, 0600);
        th_join(wal, sizeof(wal), db.dir, "a/b/c/gpu.db-wal");
        assert_int_equal(mode_of(wal) & 07777, 0600); /* WAL mode, same private mode */
        assert_int_equal(th_warnings, 0);
        th_cleanup(&db);
}

static void test_init_warns_on_world_readable_file(void **state)
{
        char dir[TH_PATH_MAX];
        char path[TH_PATH_MAX];
        struct th_db db;
        FILE *f;
        int r;

        (void)state;
        memset(&db, 0, sizeof(db));
        th_tmpdir(dir, sizeof(dir));
        th_join(path, sizeof(path), dir, "open.db");
        f = fopen(path, "w");
        assert_non_null(f);
        (void)fclose(f);
        assert_int_equal(chmod(path, 0644), 0);
        th_config_set(&db.cfg, "path", path);
        th_warnings = 0;
        r = th_open(&db);
        assert_int_equal(r, 0);
        assert_int_equal(th_warnings, 1);
        assert_int_equal(mode_of(path) & 07777, 0644); /* the operator's file is left alone */
        th_close(&db);
        th_warnings = 0;
        th_rmrf(dir);
}

static void test_reopen_keeps_data_and_deployment_meta(void **state)
{
        const struct gs_storage_ops *ops = th_ops();
        struct th_db db;
        int r;

        (void)state;
        th_open_file(&db, "data/gpu.db");
        memset(&strings, 0, sizeof(strings));
        r = ops->meta_set_if_absent(db.inst, "deployment_id", "dep-first", &strings, &db.err);
        assert_int_equal(r, 0);
        assert_string_equal(strings.value, "dep-first");
        insert_session(&db, "sess-keep");
        th_close(&db);

        assert_int_equal(th_open(&db), 0);
        r = ops->meta_set_if_absent(db.inst, "deployment_id", "dep-second", &strings, &db.err);
        assert_int_equal(r, 0);
        assert_string_equal(strings.value, "dep-first");
        r = ops->meta_get(db.inst, "deployment_id", &strings, &db.err);
        assert_int_equal(r, 0);
        assert_string_equal(strings.value, "dep-first");
        assert_int_equal(strings.n, 3);
        r = ops->meta_get(db.inst, "no-such-key", &strings, &db.err);
        assert_int_equal(r, GS_E_NOTFOUND);
        assert_int_equal(db.err.status, GS_E_NOTFOUND);
        assert_int_equal(strings.n, 3);

        r = ops->session_get(db.inst, "sess-keep", &sessions, &db.err);
        assert_int_equal(r, 0);
        assert_int_equal(sessions.n, 1);
        assert_string_equal(sessions.rec[0].consumer_id, "alice");
        th_session_sink_reset(&sessions);
        assert_int_equal(raw_int(db.path, "SELECT MAX(version) FROM schema_version"), 5);
        assert_int_equal(raw_int(db.path, "SELECT COUNT(*) FROM schema_version"), 5);
        th_cleanup(&db);
}

static void test_schema_newer_than_plugin_fails(void **state)
{
        void *sentinel = &sentinel;
        struct th_db db;
        int r;

        (void)state;
        th_open_file(&db, "gpu.db");
        th_close(&db);
        raw_exec(db.path, "INSERT INTO schema_version (version, name, applied_at_ms) "
                          "VALUES (7, 'from the future', 0)");

        db.inst = sentinel;
        r = th_open(&db);
        assert_int_equal(r, GS_E_STORAGE);
        assert_int_equal(db.err.status, GS_E_STORAGE);
        assert_string_equal(db.err.msg, "database schema version 7 is newer than this plugin "
                                        "(5); upgrade gpu-shopper");
        assert_ptr_equal(db.inst, sentinel); /* untouched on failure */
        db.inst = NULL;
        th_cleanup(&db);
}

static void test_failed_migration_rolls_back(void **state)
{
        char dir[TH_PATH_MAX];
        char path[TH_PATH_MAX];
        struct th_db db;
        int r;

        (void)state;
        memset(&db, 0, sizeof(db));
        th_tmpdir(dir, sizeof(dir));
        th_join(path, sizeof(path), dir, "gpu.db");
        /* A database at version 1 where step 2's last table already exists. */
        raw_exec(path, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                       "name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL);"
                       "INSERT INTO schema_version VALUES (1, 'sessions and metadata', 0);"
                       "CREATE TABLE cost_ledger (squatter INTEGER);");
        th_config_set(&db.cfg, "path", path);
        r = th_open(&db);
        assert_int_equal(r, GS_E_STORAGE);
        assert_non_null(strstr(db.err.msg, "schema migration 2 (cost ledger) failed"));
        assert_non_null(strstr(db.err.msg, "table cost_ledger already exists"));
        assert_null(db.inst);
        /* nothing of step 2 survived; the version is unchanged */
        assert_int_equal(raw_int(path, "SELECT MAX(version) FROM schema_version"), 1);
        assert_int_equal(raw_int(path, "SELECT COUNT(*) FROM sqlite_master "
                                       "WHERE name IN ('cost_keys', 'cost_groups')"),
                         0);
        th_rmrf(dir);
}

static void test_busy_database_maps_to_storage_error(void **state)
{
        struct gs_session_record rec = {.struct_size = sizeof(rec)};
        struct gs_cost_entry entry = {.struct_size = sizeof(entry)};
        sqlite3 *raw = NULL;
        struct th_db db;
        int r;

        (void)state;
        memset(&db, 0, sizeof(db));
        th_config_set(&db.cfg, "busy_timeout", "100ms");
        th_tmpdir(db.dir, sizeof(db.dir));
        th_join(db.path, sizeof(db.path), db.dir, "gpu.db");
        th_config_set(&db.cfg, "path", db.path);
        assert_int_equal(th_open(&db), 0);

        assert_int_equal(sqlite3_open(db.path, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
        rec.id = "sess-busy";
        rec.consumer_id = "alice";
        entry.session_id = "sess-busy";
        entry.provider = "vastai";
        entry.gpu_type = "RTX 4090";
        entry.start_ms = 1;
        entry.end_ms = 2;
        r = th_ops()->session_insert(db.inst, &rec, &db.err);
        assert_int_equal(r, GS_E_STORAGE);
        assert_non_null(strstr(db.err.msg, "busy"));
        assert_non_null(strstr(db.err.msg, "100 ms"));
        r = th_ops()->cost_append(db.inst, &entry, &db.err);
        assert_int_equal(r, GS_E_STORAGE);
        assert_int_equal(sqlite3_exec(raw, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
        (void)sqlite3_close(raw);

        r = th_ops()->session_insert(db.inst, &rec, &db.err);
        assert_int_equal(r, 0);
        th_cleanup(&db);
}

static void test_config_values_are_checked(void **state)
{
        struct th_db db;

        (void)state;
        memset(&db, 0, sizeof(db));
        th_config_set(&db.cfg, "path", ":memory:");
        th_config_set(&db.cfg, "synchronous", "sometimes");
        assert_int_equal(th_open(&db), GS_E_CONFIG);
        assert_non_null(strstr(db.err.msg, "synchronous"));
        th_config_set(&db.cfg, "synchronous", "normal");
        th_config_set(&db.cfg, "busy_timeout", "50ms");
        assert_int_equal(th_open(&db), GS_E_CONFIG);
        assert_non_null(strstr(db.err.msg, "busy_timeout"));
        th_config_set(&db.cfg, "busy_timeout", "2s");
        assert_int_equal(th_open(&db), 0);
        th_close(&db);
}

static void test_unwritable_directory_is_an_io_error(void **state)
{
        struct th_db db;
        char path[TH_PATH_MAX];
        char dir[TH_PATH_MAX];
        FILE *f;

        (void)state;
        memset(&db, 0, sizeof(db));
        th_tmpdir(dir, sizeof(dir));
        /* a regular file where a directory should be */
        th_join(path, sizeof(path), dir, "file");
        f = fopen(path, "w");
        assert_non_null(f);
        (void)fclose(f);
        th_join(path, sizeof(path), dir, "file/sub/gpu.db");
        th_config_set(&db.cfg, "path", path);
        assert_int_equal(th_open(&db), GS_E_IO);
        assert_non_null(strstr(db.err.msg, "cannot create directory"));
        assert_null(db.inst);
        th_rmrf(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plugin_info),
                cmocka_unit_test(test_init_creates_private_dir_and_file),
                cmocka_unit_test(test_init_warns_on_world_readable_file),
                cmocka_unit_test(test_reopen_keeps_data_and_deployment_meta),
                cmocka_unit_test(test_schema_newer_than_plugin_fails),
                cmocka_unit_test(test_failed_migration_rolls_back),
                cmocka_unit_test(test_busy_database_maps_to_storage_error),
                cmocka_unit_test(test_config_values_are_checked),
                cmocka_unit_test(test_unwritable_directory_is_an_io_error),
        };
        int failed;

        th_load();
        failed = cmocka_run_group_tests(tests, NULL, NULL);
        th_unload();
        return failed;
}
