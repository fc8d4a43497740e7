/*
 * sqlite_tokens.c - API tokens: only the secret's hash is stored; lookup by
 * hash, listing, and one-way revocation.
 */
#include <stdint.h>

#include "sqlite_store.h"

#define TOKEN_COLUMNS "id, secret_hash, role, consumers, label, created_by, created_at_ms, revoked_at_ms"

static const struct sqls_sql token_sql[] = {
        {SQLS_ST_TOKEN_INSERT,
         "INSERT INTO tokens (" TOKEN_COLUMNS ")\n"
         "VALUES (:id, :hash, :role, :consumers, :label, :by, :created, 0)"},
        {SQLS_ST_TOKEN_BY_HASH, "SELECT " TOKEN_COLUMNS " FROM tokens WHERE secret_hash = :hash"},
        {SQLS_ST_TOKEN_LIST,
         "SELECT " TOKEN_COLUMNS " FROM tokens ORDER BY created_at_ms DESC, id DESC"},
        {SQLS_ST_TOKEN_REVOKE,
         "UPDATE tokens SET revoked_at_ms = :at WHERE id = :id AND revoked_at_ms = 0"},
        {SQLS_ST_TOKEN_STATE, "SELECT revoked_at_ms FROM tokens WHERE id = :id"},
};

int sqls_tokens_prepare(struct sqls *s, struct gs_error *err)
{
        return sqls_prepare_table(s, token_sql, sizeof(token_sql) / sizeof(token_sql[0]), err);
}

int sqls_token_insert(void *instance, const struct gs_token_record *tok, struct gs_error *err)
{
        const char *op = "token_insert";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_TOKEN_INSERT];
        const char *id, *hash, *consumers, *label, *by;
        int64_t created;
        uint32_t role;
        int r;

        if (!tok)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL token", op);
        id = SQLS_GET(tok, struct gs_token_record, id, NULL);
        hash = SQLS_GET(tok, struct gs_token_record, secret_hash, NULL);
        consumers = SQLS_GET(tok, struct gs_token_record, consumers, NULL);
        label = SQLS_GET(tok, struct gs_token_record, label, NULL);
        by = SQLS_GET(tok, struct gs_token_record, created_by, NULL);
        created = SQLS_GET(tok, struct gs_token_record, created_at_ms, 0);
        role = SQLS_GET(tok, struct gs_token_record, role, 0);
        if (!id || !hash)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: id and secret_hash are required",
                                         op);
        r = sqls_check_len(s, id, "id", op, err);
        if (r >= 0)
                r = sqls_check_len(s, consumers, "consumers", op, err);
        if (r >= 0)
                r = sqls_check_len(s, label, "label", op, err);
        if (r >= 0)
                r = sqls_check_len(s, by, "created_by", op, err);
        if (r < 0)
                return r;
        if (created == 0)
                created = s->api->now_ms(s->host);
        sqls_lock(s);
        r = sqls_bind_text(s, st, ":id", id, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":hash", hash, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":role", role, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":consumers", consumers, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":label", label, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":by", by, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":created", created, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        sqls_unlock(s);
        return r;
}

/* Emit every row `st` yields (already bound); 0 rows is fine unless `need_one`. */
static int emit_rows(struct sqls *s, sqlite3_stmt *st, struct gs_token_sink *sink, int need_one,
                     const char *op, struct gs_error *err)
{
        int rows = 0;
        int rc;
        int r;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct gs_token_record t = {.struct_size = sizeof(t)};

                t.id = sqls_column_text(st, 0);
                t.secret_hash = sqls_column_text(st, 1);
                t.role = (uint32_t)sqlite3_column_int64(st, 2);
                t.consumers = (const char *)sqlite3_column_text(st, 3);
                t.label = (const char *)sqlite3_column_text(st, 4);
                t.created_by = (const char *)sqlite3_column_text(st, 5);
                t.created_at_ms = sqlite3_column_int64(st, 6);
                t.revoked_at_ms = sqlite3_column_int64(st, 7);
                r = s->api->token_emit(sink, &t);
                if (r < 0)
                        return s->api->error_set(err, r, 0, "%s: the sink refused a token", op);
                rows++;
        }
        if (rc != SQLITE_DONE)
                return sqls_fail(s, rc, op, err);
        if (need_one && rows == 0)
                return s->api->error_set(err, GS_E_NOTFOUND, 0, "%s: no such token", op);
        return 0;
}

int sqls_token_find_by_hash(void *instance, const char *secret_hash, struct gs_token_sink *sink,
                            struct gs_error *err)
{
        const char *op = "token_find_by_hash";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_TOKEN_BY_HASH];
        int r;

        if (!secret_hash)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL hash", op);
        sqls_lock(s);
        r = sqls_bind_text(s, st, ":hash", secret_hash, op, err);
        if (r >= 0)
                r = emit_rows(s, st, sink, 1, op, err);
        sqls_stmt_done(st);
        sqls_unlock(s);
        return r;
}

int sqls_token_list(void *instance, struct gs_token_sink *sink, struct gs_error *err)
{
        const char *op = "token_list";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_TOKEN_LIST];
        int r;

        sqls_lock(s);
        r = emit_rows(s, st, sink, 0, op, err);
        sqls_stmt_done(st);
        sqls_unlock(s);
        return r;
}

int sqls_token_revoke(void *instance, const char *id, int64_t at_ms, struct gs_error *err)
{
        const char *op = "token_revoke";
        struct sqls *s = instance;
        sqlite3_stmt *up = s->st[SQLS_ST_TOKEN_REVOKE];
        sqlite3_stmt *state = s->st[SQLS_ST_TOKEN_STATE];
        int rc;
        int r;

        if (!id)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL id", op);
        if (at_ms <= 0)
                at_ms = s->api->now_ms(s->host);
        sqls_lock(s);
        r = sqls_bind_int64(s, up, ":at", at_ms, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, up, ":id", id, op, err);
        if (r >= 0)
                r = sqls_step_done(s, up, op, err);
        sqls_stmt_done(up);
        if (r >= 0 && sqlite3_changes(s->db) == 0) {
                r = sqls_bind_text(s, state, ":id", id, op, err);
                if (r >= 0) {
                        rc = sqlite3_step(state);
                        if (rc == SQLITE_ROW)
                                r = s->api->error_set(err, GS_E_CONFLICT, 0,
                                                      "%s: token '%s' is already revoked", op, id);
                        else if (rc == SQLITE_DONE)
                                r = s->api->error_set(err, GS_E_NOTFOUND, 0,
                                                      "%s: no token '%s'", op, id);
                        else
                                r = sqls_fail(s, rc, op, err);
                }
                sqls_stmt_done(state);
        }
        sqls_unlock(s);
        return r;
}
