/*
 * sqlite_meta.c - the key/value metadata ops (deployment id, ...).
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

static const struct sqls_sql meta_sql[] = {
        {SQLS_ST_META_GET, "SELECT value FROM meta WHERE key = :key"},
        {SQLS_ST_META_INSERT, "INSERT OR IGNORE INTO meta (key, value) VALUES (:key, :value)"},
};

int sqls_meta_prepare(struct sqls *s, struct gs_error *err)
{
        return sqls_prepare_table(s, meta_sql, sizeof(meta_sql) / sizeof(meta_sql[0]), err);
}

/* Copy the stored value of `key` into *ret_value (malloc'd), or GS_E_NOTFOUND. */
static int read_value(struct sqls *s, const char *key, const char *op, char **ret_value,
                      struct gs_error *err)
{
        sqlite3_stmt *st = s->st[SQLS_ST_META_GET];
        char *copy;
        int rc;
        int r;

        r = sqls_bind_text(s, st, ":key", key, op, err);
        if (r < 0)
                goto done;
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
                r = s->api->error_set(err, GS_E_NOTFOUND, 0, "%s: no metadata key '%s'", op, key);
                goto done;
        }
        if (rc != SQLITE_ROW) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        copy = strdup(sqls_column_text(st, 0));
        if (!copy) {
                r = s->api->error_set(err, GS_E_NOMEM, 0, "%s: out of memory", op);
                goto done;
        }
        *ret_value = copy;
done:
        sqls_stmt_done(st);
        return r;
}

static int emit_value(struct sqls *s, struct gs_string_sink *sink, const char *value,
                      const char *op, struct gs_error *err)
{
        int r = s->api->string_emit(sink, value);

        if (r < 0)
                return s->api->error_set(err, r, 0, "%s: the sink refused the value", op);
        return 0;
}

int sqls_meta_get(void *instance, const char *key, struct gs_string_sink *sink,
                  struct gs_error *err)
{
        const char *op = "meta_get";
        struct sqls *s = instance;
        char *value = NULL;
        int r;

        if (!key)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL key", op);
        sqls_lock(s);
        r = read_value(s, key, op, &value, err);
        sqls_unlock(s);
        if (r < 0)
                return r;
        r = emit_value(s, sink, value, op, err);
        free(value);
        return r;
}

int sqls_meta_set_if_absent(void *instance, const char *key, const char *value,
                            struct gs_string_sink *sink, struct gs_error *err)
{
        const char *op = "meta_set_if_absent";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_META_INSERT];
        char *stored = NULL;
        int r;

        if (!key || !value)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL key or value", op);
        r = sqls_check_len(s, value, "value", op, err);
        if (r < 0)
                return r;
        r = sqls_check_len(s, key, "key", op, err);
        if (r < 0)
                return r;

        sqls_lock(s);
        r = sqls_tx_begin(s, 1, op, err);
        if (r < 0)
                goto fail;
        r = sqls_bind_text(s, st, ":key", key, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":value", value, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        if (r < 0)
                goto fail;
        r = read_value(s, key, op, &stored, err);
        if (r < 0)
                goto fail;
        r = sqls_tx_commit(s, op, err);
        if (r < 0)
                goto fail;
        sqls_unlock(s);

        /* emitted after COMMIT: the value handed out is durable */
        r = emit_value(s, sink, stored, op, err);
        free(stored);
        return r;
fail:
        sqls_tx_rollback(s); /* no-op outside a transaction */
        sqls_unlock(s);
        free(stored);
        return r;
}
