/*
 * sqlite_store.h - private declarations shared by the storage-sqlite plugin's
 * source files. Nothing here crosses the plugin boundary: the only export is
 * gs_plugin_entry() in sqlite_store.c; everything else is hidden.
 *
 * Locking: one sqlite3 connection per instance, guarded by sqls.lock. Every
 * op takes the lock for its whole duration (statement use, transaction and
 * emission), so the connection is opened SQLITE_OPEN_NOMUTEX.
 */
#ifndef SQLITE_STORE_H
#define SQLITE_STORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <gpushop/plugin.h>

/* Limits and tunables, all in one place. */
#define SQLS_PATH_MAX 4096           /* database path, bytes incl. NUL */
#define SQLS_SQL_MAX 8192            /* generated statement text, bytes incl. NUL */
#define SQLS_BUSY_TIMEOUT_MIN_MS 100 /* busy_timeout key range */
#define SQLS_BUSY_TIMEOUT_MAX_MS 60000
#define SQLS_EVENT_LIMIT_DEFAULT 100 /* event_list page when filter.limit is 0 */
#define SQLS_EVENT_LIMIT_MAX 1000    /* event_list page cap */
#define SQLS_CACHE_KIB 16384         /* per-connection page cache */
#define SQLS_DIR_MODE 0700           /* directories we create */
#define SQLS_FILE_MODE 0600          /* database file we create */
#define SQLS_STATUS_SLOTS 32         /* bits in gs_session_filter.status_mask */
/* Largest span for which (amount % span) * overlap cannot overflow int64:
 * floor(sqrt(INT64_MAX)). Longer entries are pro-rated in 128 bits. */
#define SQLS_PRORATE_SAFE_SPAN_MS INT64_C(3037000499)

/* Session-list filter combinations, one cached statement pair per mask. */
enum {
        SQLS_LF_STATUS = 1 << 0,
        SQLS_LF_CONSUMER = 1 << 1,
        SQLS_LF_PROVIDER = 1 << 2,
        SQLS_LF_INSTANCE = 1 << 3,
        SQLS_LF_IDEMPOTENCY = 1 << 4,
        SQLS_LF_VARIANTS = 1 << 5
};

/* Statements prepared once at init, indexed by this enum. */
enum sqls_stmt {
        SQLS_ST_BEGIN_READ,
        SQLS_ST_BEGIN_WRITE,
        SQLS_ST_COMMIT,
        SQLS_ST_ROLLBACK,
        SQLS_ST_META_GET,
        SQLS_ST_META_INSERT,
        SQLS_ST_SESSION_INSERT,
        SQLS_ST_SESSION_GET,
        SQLS_ST_SESSION_UPDATE,
        SQLS_ST_SESSION_STATUS,
        SQLS_ST_KEY_FIND,
        SQLS_ST_KEY_ADD,
        SQLS_ST_GROUP_FIND,
        SQLS_ST_GROUP_ADD,
        SQLS_ST_LEDGER_INSERT,
        SQLS_ST_SPAN_RAISE,
        SQLS_ST_TOTALS_SEEN,
        SQLS_ST_TOTALS_ADD,
        SQLS_ST_SPAN_GET,
        SQLS_ST_AGG_GROUPS,
        SQLS_ST_AGG_GROUP,
        SQLS_ST_AGG_GROUP_ONE, /* every session of the group has one entry */
        SQLS_ST_AGG_SESSION,
        SQLS_ST_AGG_CONSUMER,
        SQLS_ST_AGG_BOTH,
        SQLS_ST_EVENT_INSERT,
        SQLS_ST_EVENT_LIST_ALL,
        SQLS_ST_EVENT_LIST_SESSION,
        SQLS_ST_EVENT_LIST_KIND,
        SQLS_ST_EVENT_LIST_BOTH,
        SQLS_ST_TOKEN_INSERT,
        SQLS_ST_TOKEN_BY_HASH,
        SQLS_ST_TOKEN_LIST,
        SQLS_ST_TOKEN_REVOKE,
        SQLS_ST_TOKEN_STATE,
        _SQLS_ST_MAX
};

/* One plugin instance. */
struct sqls {
        const struct gs_host_api *api;
        struct gs_host *host;
        pthread_mutex_t lock;
        int lock_ready;
        sqlite3 *db;
        int64_t busy_timeout_ms;
        sqlite3_stmt *st[_SQLS_ST_MAX];
        /* session_list statements, prepared on first use of each mask */
        sqlite3_stmt *list_st[SQLS_LF_VARIANTS];
        sqlite3_stmt *count_st[SQLS_LF_VARIANTS];
};

/* A statement to prepare at init. */
struct sqls_sql {
        enum sqls_stmt id;
        const char *sql;
};

/*
 * ABI records are read through the writer's struct_size: a field that does
 * not fit inside it is absent and reads as `absent_` (NULL / 0).
 */
#define SQLS_HAS(rec_, type_, field_)                                                              \
        ((rec_)->struct_size >= offsetof(type_, field_) + sizeof(((type_ *)0)->field_))
#define SQLS_GET(rec_, type_, field_, absent_)                                                     \
        (SQLS_HAS(rec_, type_, field_) ? (rec_)->field_ : (absent_))

/* sqlite_db.c: connection helpers. */
void sqls_lock(struct sqls *s);
void sqls_unlock(struct sqls *s);
int sqls_fail(struct sqls *s, int rc, const char *op, struct gs_error *err);
int sqls_prepare_one(struct sqls *s, const char *sql, sqlite3_stmt **ret_st, struct gs_error *err);
int sqls_prepare_table(struct sqls *s, const struct sqls_sql *table, size_t n,
                       struct gs_error *err);
int sqls_exec_script(struct sqls *s, const char *script, const char *op, struct gs_error *err);
void sqls_stmt_done(sqlite3_stmt *st);
int sqls_step_done(struct sqls *s, sqlite3_stmt *st, const char *op, struct gs_error *err);
int sqls_tx_begin(struct sqls *s, int write, const char *op, struct gs_error *err);
int sqls_tx_commit(struct sqls *s, const char *op, struct gs_error *err);
void sqls_tx_rollback(struct sqls *s);
int sqls_bind_text(struct sqls *s, sqlite3_stmt *st, const char *name, const char *value,
                   const char *op, struct gs_error *err);
int sqls_bind_int64(struct sqls *s, sqlite3_stmt *st, const char *name, int64_t value,
                    const char *op, struct gs_error *err);
int sqls_check_len(struct sqls *s, const char *value, const char *field, const char *op,
                   struct gs_error *err);
const char *sqls_column_text(sqlite3_stmt *st, int col);

/* sqlite_file.c: directory and file creation with private modes. */
int sqls_file_prepare(struct sqls *s, const char *path, struct gs_error *err);

/* sqlite_schema.c: schema_version table and forward migrations. */
int sqls_schema_migrate(struct sqls *s, struct gs_error *err);

/* sqlite_meta.c */
int sqls_meta_prepare(struct sqls *s, struct gs_error *err);
int sqls_meta_get(void *instance, const char *key, struct gs_string_sink *sink,
                  struct gs_error *err);
int sqls_meta_set_if_absent(void *instance, const char *key, const char *value,
                            struct gs_string_sink *sink, struct gs_error *err);

/* sqlite_sessions.c */
int sqls_sessions_prepare(struct sqls *s, struct gs_error *err);
void sqls_sessions_finalize(struct sqls *s);
int sqls_session_insert(void *instance, const struct gs_session_record *rec, struct gs_error *err);
int sqls_session_get(void *instance, const char *id, struct gs_session_sink *sink,
                     struct gs_error *err);
int sqls_session_list(void *instance, const struct gs_session_filter *filter,
                      struct gs_session_sink *sink, uint64_t *ret_total, struct gs_error *err);
int sqls_session_update(void *instance, const struct gs_session_record *rec,
                        int32_t expected_status, const struct gs_cost_entry *ledger,
                        struct gs_error *err);

/* sqlite_costs.c */
int sqls_costs_prepare(struct sqls *s, struct gs_error *err);
int sqls_cost_insert_locked(struct sqls *s, const struct gs_cost_entry *entry, const char *op,
                            struct gs_error *err);
int sqls_cost_append(void *instance, const struct gs_cost_entry *entry, struct gs_error *err);
int sqls_cost_aggregate(void *instance, const struct gs_cost_query *query,
                        struct gs_cost_sink *sink, struct gs_error *err);

/* sqlite_events.c */
int sqls_events_prepare(struct sqls *s, struct gs_error *err);
int sqls_event_append(void *instance, const struct gs_event *ev, struct gs_error *err);
int sqls_event_list(void *instance, const struct gs_event_filter *filter,
                    struct gs_event_sink *sink, struct gs_error *err);

/* sqlite_tokens.c */
int sqls_tokens_prepare(struct sqls *s, struct gs_error *err);
int sqls_token_insert(void *instance, const struct gs_token_record *tok, struct gs_error *err);
int sqls_token_find_by_hash(void *instance, const char *secret_hash, struct gs_token_sink *sink,
                            struct gs_error *err);
int sqls_token_list(void *instance, struct gs_token_sink *sink, struct gs_error *err);
int sqls_token_revoke(void *instance, const char *id, int64_t at_ms, struct gs_error *err);

#endif /* SQLITE_STORE_H */
