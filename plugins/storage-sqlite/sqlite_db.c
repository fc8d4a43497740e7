/*
 * sqlite_db.c - connection helpers: locking, statement preparation and
 * stepping, transactions, parameter binding and the mapping from SQLite result
 * codes to GS_E_* statuses.
 *
 * Error messages carry the op name, ids and SQLite's own text (which names
 * constraints and columns, never bound values): no record contents.
 */
#include <inttypes.h>
#include <string.h>

#include "sqlite_store.h"

void sqls_lock(struct sqls *s)
{
        (void)pthread_mutex_lock(&s->lock);
}

void sqls_unlock(struct sqls *s)
{
        (void)pthread_mutex_unlock(&s->lock);
}

/* Describe the connection's last failure `rc` (call before any other sqlite3
 * call on the connection, which would overwrite the message). */
int sqls_fail(struct sqls *s, int rc, const char *op, struct gs_error *err)
{
        const struct gs_host_api *api = s->api;
        int ext = sqlite3_extended_errcode(s->db);
        const char *msg = sqlite3_errmsg(s->db);

        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return api->error_set(err, GS_E_STORAGE, 0,
                                      "%s: database is busy (still locked by another connection "
                                      "after %" PRId64 " ms): %s",
                                      op, s->busy_timeout_ms, msg);
        case SQLITE_CONSTRAINT:
                if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE)
                        return api->error_set(err, GS_E_EXISTS, 0, "%s: %s", op, msg);
                return api->error_set(err, GS_E_INVAL, 0, "%s: rejected by the schema: %s", op,
                                      msg);
        case SQLITE_NOMEM:
                return api->error_set(err, GS_E_NOMEM, 0, "%s: out of memory", op);
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
                return api->error_set(err, GS_E_IO, 0, "%s: %s", op, msg);
        default:
                return api->error_set(err, GS_E_STORAGE, 0, "%s: %s", op, msg);
        }
}

int sqls_prepare_one(struct sqls *s, const char *sql, sqlite3_stmt **ret_st, struct gs_error *err)
{
        sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        if (rc != SQLITE_OK) {
                /* sqlite3_prepare_v2 leaves st NULL on failure */
                return sqls_fail(s, rc, "prepare", err);
        }
        *ret_st = st;
        return 0;
}

int sqls_prepare_table(struct sqls *s, const struct sqls_sql *table, size_t n, struct gs_error *err)
{
        size_t i;
        int r;

        for (i = 0; i < n; i++) {
                r = sqls_prepare_one(s, table[i].sql, &s->st[table[i].id], err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Run a constant multi-statement script (DDL, pragmas): each statement is
 * prepared with sqlite3_prepare_v2 and stepped to completion. */
int sqls_exec_script(struct sqls *s, const char *script, const char *op, struct gs_error *err)
{
        const char *next = script;
        sqlite3_stmt *st = NULL;
        int rc = SQLITE_OK;
        int r = 0;

        while (next && *next) {
                rc = sqlite3_prepare_v2(s->db, next, -1, &st, &next);
                if (rc != SQLITE_OK) {
                        r = sqls_fail(s, rc, op, err);
                        goto fail;
                }
                if (!st)
                        continue; /* whitespace or a comment */
                do
                        rc = sqlite3_step(st);
                while (rc == SQLITE_ROW);
                if (rc != SQLITE_DONE) {
                        r = sqls_fail(s, rc, op, err);
                        goto fail;
                }
                (void)sqlite3_finalize(st);
                st = NULL;
        }
        return 0;
fail:
        (void)sqlite3_finalize(st);
        return r;
}

/* Reset a statement and drop its bindings (which may borrow caller memory). */
void sqls_stmt_done(sqlite3_stmt *st)
{
        (void)sqlite3_reset(st);
        (void)sqlite3_clear_bindings(st);
}

/* Step a statement that returns no rows, then reset it. */
int sqls_step_done(struct sqls *s, sqlite3_stmt *st, const char *op, struct gs_error *err)
{
        int rc = sqlite3_step(st);
        int r = 0;

        if (rc != SQLITE_DONE)
                r = sqls_fail(s, rc, op, err);
        sqls_stmt_done(st);
        return r;
}

/* BEGIN IMMEDIATE for writes (takes the write lock up front, so the busy
 * timeout applies here and never mid-transaction), BEGIN for reads. */
int sqls_tx_begin(struct sqls *s, int write, const char *op, struct gs_error *err)
{
        return sqls_step_done(s, s->st[write ? SQLS_ST_BEGIN_WRITE : SQLS_ST_BEGIN_READ], op, err);
}

int sqls_tx_commit(struct sqls *s, const char *op, struct gs_error *err)
{
        return sqls_step_done(s, s->st[SQLS_ST_COMMIT], op, err);
}

/* Roll back the open transaction, if any. */
void sqls_tx_rollback(struct sqls *s)
{
        if (sqlite3_get_autocommit(s->db))
                return;
        (void)sqlite3_step(s->st[SQLS_ST_ROLLBACK]);
        sqls_stmt_done(s->st[SQLS_ST_ROLLBACK]);
}

static int bind_index(struct sqls *s, sqlite3_stmt *st, const char *name, const char *op,
                      struct gs_error *err, int *ret_idx)
{
        int idx = sqlite3_bind_parameter_index(st, name);

        if (idx == 0)
                return s->api->error_set(err, GS_E_STORAGE, 0,
                                         "%s: internal error: statement has no parameter %s", op,
                                         name);
        *ret_idx = idx;
        return 0;
}

/* Bind a borrowed string (NULL binds SQL NULL). The statement must be reset
 * with sqls_stmt_done() before the string's owner returns. */
int sqls_bind_text(struct sqls *s, sqlite3_stmt *st, const char *name, const char *value,
                   const char *op, struct gs_error *err)
{
        int idx = 0;
        int rc;
        int r;

        r = bind_index(s, st, name, op, err, &idx);
        if (r < 0)
                return r;
        if (value)
                rc = sqlite3_bind_text(st, idx, value, -1, SQLITE_STATIC);
        else
                rc = sqlite3_bind_null(st, idx);
        if (rc != SQLITE_OK)
                return sqls_fail(s, rc, op, err);
        return 0;
}

int sqls_bind_int64(struct sqls *s, sqlite3_stmt *st, const char *name, int64_t value,
                    const char *op, struct gs_error *err)
{
        int idx = 0;
        int rc;
        int r;

        r = bind_index(s, st, name, op, err, &idx);
        if (r < 0)
                return r;
        rc = sqlite3_bind_int64(st, idx, value);
        if (rc != SQLITE_OK)
                return sqls_fail(s, rc, op, err);
        return 0;
}

/* Refuse strings the host sinks could not hand back (GS_STRING_MAX). */
int sqls_check_len(struct sqls *s, const char *value, const char *field, const char *op,
                   struct gs_error *err)
{
        if (value && strnlen(value, GS_STRING_MAX) >= GS_STRING_MAX)
                return s->api->error_set(err, GS_E_TOOBIG, 0, "%s: %s is longer than %d bytes", op,
                                         field, GS_STRING_MAX - 1);
        return 0;
}

/* Column text, NULL for SQL NULL. Valid until the next step/reset. */
const char *sqls_column_text(sqlite3_stmt *st, int col)
{
        return (const char *)sqlite3_column_text(st, col);
}
