/*
 * sqlite_store.c - the storage-sqlite plugin: declared config keys, init,
 * shutdown, the ops table and the one exported symbol.
 *
 * init opens one connection (WAL, busy timeout, foreign keys, the configured
 * synchronous level), brings the schema up to date and prepares the hot
 * statements; every op then runs under the instance mutex, so the plugin is
 * GS_PLUGIN_F_THREADSAFE.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

#ifndef SQLS_VERSION
#define SQLS_VERSION "0.0.0"
#endif

#define SQLS_STR_(x) #x
#define SQLS_STR(x) SQLS_STR_(x)
#define SQLS_MEMORY_PATH ":memory:"

static const struct gs_config_key sqls_keys[] = {
        {.name = "path",
         .type = GS_CFG_PATH,
         .default_value = "./run/data/gpu-shopper.db",
         .description = "database file (\":memory:\" for tests); missing directories are "
                        "created 0700, a missing file 0600"},
        {.name = "busy_timeout",
         .type = GS_CFG_DURATION_MS,
         .default_value = "5s",
         .min = SQLS_BUSY_TIMEOUT_MIN_MS,
         .max = SQLS_BUSY_TIMEOUT_MAX_MS,
         .description = "how long an op waits for a lock held by another process"},
        {.name = "synchronous",
         .type = GS_CFG_ENUM,
         .default_value = "full",
         .choices = "normal|full",
         .description = "fsync policy: full makes every committed state transition durable"},
        {.name = NULL},
};

/* `synchronous` choices -> constant pragma text (never built from input). */
static const struct {
        const char *choice;
        const char *pragma;
} sync_levels[] = {
        {"normal", "PRAGMA synchronous = NORMAL"},
        {"full", "PRAGMA synchronous = FULL"},
};

static const struct sqls_sql tx_sql[] = {
        {SQLS_ST_BEGIN_READ, "BEGIN DEFERRED"},
        {SQLS_ST_BEGIN_WRITE, "BEGIN IMMEDIATE"},
        {SQLS_ST_COMMIT, "COMMIT"},
        {SQLS_ST_ROLLBACK, "ROLLBACK"},
};

static const char connection_pragmas[] = "PRAGMA foreign_keys = ON;\n"
                                         "PRAGMA cache_size = -" SQLS_STR(SQLS_CACHE_KIB) ";\n";

/* Free a fully or partly initialised instance. NULL-safe. */
static void sqls_free(struct sqls *s)
{
        int i;

        if (!s)
                return;
        for (i = 0; i < _SQLS_ST_MAX; i++)
                (void)sqlite3_finalize(s->st[i]);
        sqls_sessions_finalize(s);
        (void)sqlite3_close(s->db); /* NULL-safe; every statement is finalized */
        if (s->lock_ready)
                (void)pthread_mutex_destroy(&s->lock);
        free(s);
}

static int read_config(struct sqls *s, const struct gs_config *cfg, const char **ret_path,
                       const char **ret_sync_pragma, struct gs_error *err)
{
        const struct gs_host_api *api = s->api;
        const char *path;
        const char *sync;
        int64_t busy = 0;
        size_t i;
        int r;

        path = api->config_str(cfg, "path");
        if (!path || !*path)
                return api->error_set(err, GS_E_CONFIG, 0, "path: not set");
        r = api->config_duration_ms(cfg, "busy_timeout", &busy);
        if (r < 0)
                return api->error_set(err, GS_E_CONFIG, 0, "busy_timeout: not a duration");
        if (busy < SQLS_BUSY_TIMEOUT_MIN_MS || busy > SQLS_BUSY_TIMEOUT_MAX_MS)
                return api->error_set(err, GS_E_CONFIG, 0, "busy_timeout: must be %d ms to %d ms",
                                      SQLS_BUSY_TIMEOUT_MIN_MS, SQLS_BUSY_TIMEOUT_MAX_MS);
        sync = api->config_str(cfg, "synchronous");
        for (i = 0; sync && i < sizeof(sync_levels) / sizeof(sync_levels[0]); i++) {
                if (strcmp(sync, sync_levels[i].choice) == 0) {
                        s->busy_timeout_ms = busy;
                        *ret_path = path;
                        *ret_sync_pragma = sync_levels[i].pragma;
                        return 0;
                }
        }
        return api->error_set(err, GS_E_CONFIG, 0, "synchronous: must be normal or full");
}

/* WAL for files; an in-memory database keeps its "memory" journal. */
static int enable_wal(struct sqls *s, int in_memory, struct gs_error *err)
{
        const char *op = "enable WAL";
        sqlite3_stmt *st = NULL;
        const char *mode;
        int rc;
        int r;

        r = sqls_prepare_one(s, "PRAGMA journal_mode = WAL", &st, err);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        mode = sqls_column_text(st, 0);
        if (!in_memory && (!mode || strcmp(mode, "wal") != 0))
                r = s->api->error_set(err, GS_E_STORAGE, 0,
                                      "%s: the database stays in journal mode '%s' "
                                      "(WAL needs a local file system)",
                                      op, mode ? mode : "?");
done:
        (void)sqlite3_finalize(st);
        return r;
}

static int open_database(struct sqls *s, const char *path, const char *sync_pragma,
                         struct gs_error *err)
{
        int in_memory = strcmp(path, SQLS_MEMORY_PATH) == 0;
        int rc;
        int r;

        if (!in_memory) {
                r = sqls_file_prepare(s, path, err);
                if (r < 0)
                        return r;
        }
        rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
        if (rc != SQLITE_OK)
                return s->api->error_set(err, GS_E_IO, 0, "cannot open database '%s': %s", path,
                                         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        rc = sqlite3_busy_timeout(s->db, (int)s->busy_timeout_ms);
        if (rc != SQLITE_OK)
                return sqls_fail(s, rc, "busy_timeout", err);
        r = sqls_prepare_table(s, tx_sql, sizeof(tx_sql) / sizeof(tx_sql[0]), err);
        if (r < 0)
                return r;
        r = enable_wal(s, in_memory, err);
        if (r < 0)
                return r;
        r = sqls_exec_script(s, connection_pragmas, "connection pragmas", err);
        if (r < 0)
                return r;
        return sqls_exec_script(s, sync_pragma, "synchronous", err);
}

/* Every slot of the statement table must have been filled by a module. */
static int check_prepared(struct sqls *s, struct gs_error *err)
{
        int i;

        for (i = 0; i < _SQLS_ST_MAX; i++) {
                if (!s->st[i])
                        return s->api->error_set(err, GS_E_STORAGE, 0,
                                                 "init: internal error: statement %d not prepared",
                                                 i);
        }
        return 0;
}

static int sqls_init(const struct gs_host_api *api, struct gs_host *host,
                     const struct gs_config *cfg, void **ret_instance, struct gs_error *err)
{
        const char *sync_pragma = NULL;
        const char *path = NULL;
        struct sqls *s;
        int r;

        if (!api)
                return GS_E_INVAL;
        if (!ret_instance)
                return api->error_set(err, GS_E_INVAL, 0, "init: NULL ret_instance");
        s = calloc(1, sizeof(*s));
        if (!s)
                return api->error_set(err, GS_E_NOMEM, 0, "init: out of memory");
        s->api = api;
        s->host = host;
        if (pthread_mutex_init(&s->lock, NULL) != 0) {
                r = api->error_set(err, GS_E_NOMEM, 0, "init: cannot create the mutex");
                goto fail;
        }
        s->lock_ready = 1;

        r = read_config(s, cfg, &path, &sync_pragma, err);
        if (r < 0)
                goto fail;
        r = open_database(s, path, sync_pragma, err);
        if (r < 0)
                goto fail;
        r = sqls_schema_migrate(s, err);
        if (r < 0)
                goto fail;
        r = sqls_meta_prepare(s, err);
        if (r >= 0)
                r = sqls_sessions_prepare(s, err);
        if (r >= 0)
                r = sqls_costs_prepare(s, err);
        if (r >= 0)
                r = sqls_events_prepare(s, err);
        if (r >= 0)
                r = sqls_tokens_prepare(s, err);
        if (r >= 0)
                r = check_prepared(s, err);
        if (r < 0)
                goto fail;

        *ret_instance = s;
        return 0;
fail:
        sqls_free(s);
        return r;
}

static void sqls_shutdown(void *instance)
{
        sqls_free(instance);
}

static const struct gs_storage_ops sqls_ops = {
        .struct_size = sizeof(struct gs_storage_ops),
        .flags = GS_PLUGIN_F_THREADSAFE, /* one connection behind the instance mutex */
        .caps = 0,
        .config_key_size = sizeof(struct gs_config_key),
        .config_keys = sqls_keys,
        .init = sqls_init,
        .shutdown = sqls_shutdown,
        .meta_get = sqls_meta_get,
        .meta_set_if_absent = sqls_meta_set_if_absent,
        .session_insert = sqls_session_insert,
        .session_get = sqls_session_get,
        .session_list = sqls_session_list,
        .session_update = sqls_session_update,
        .cost_append = sqls_cost_append,
        .cost_aggregate = sqls_cost_aggregate,
        .event_append = sqls_event_append,
        .event_list = sqls_event_list,
        .token_insert = sqls_token_insert,
        .token_find_by_hash = sqls_token_find_by_hash,
        .token_list = sqls_token_list,
        .token_revoke = sqls_token_revoke,
};

GS_PLUGIN_DEFINE(GS_PLUGIN_STORAGE, "storage-sqlite", SQLS_VERSION, &sqls_ops)
