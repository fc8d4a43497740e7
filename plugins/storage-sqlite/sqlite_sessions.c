/*
 * sqlite_sessions.c - session rows: insert, get, list, compare-and-set update.
 *
 * The column list is one X-macro over struct gs_session_record, so the
 * generated INSERT/SELECT/UPDATE texts, the binding and the row reader cannot
 * drift from each other. (The CREATE TABLE lives in sqlite_schema.c as a frozen
 * migration; a mismatch fails the prepare at init.) Parameters of the fixed
 * statements are numbered by column: ?1 is the id, ?N+1 the expected status.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sqlite_store.h"

enum { COL_TEXT, COL_I32, COL_U32, COL_I64 };
enum { COL_FIXED = 0, COL_MUTABLE = 1 };

/* name, type, whether session_update overwrites it. id must stay first. */
#define SESSION_COLUMNS(X)                                                                         \
        X(id, TEXT, FIXED)                                                                         \
        X(status, I32, MUTABLE)                                                                    \
        X(consumer_id, TEXT, FIXED)                                                                \
        X(offer_id, TEXT, MUTABLE)                                                                 \
        X(provider, TEXT, MUTABLE)                                                                 \
        X(provider_instance_id, TEXT, MUTABLE)                                                     \
        X(label, TEXT, MUTABLE)                                                                    \
        X(gpu_type, TEXT, MUTABLE)                                                                 \
        X(gpu_count, U32, MUTABLE)                                                                 \
        X(ssh_port, U32, MUTABLE)                                                                  \
        X(ssh_host, TEXT, MUTABLE)                                                                 \
        X(ssh_user, TEXT, MUTABLE)                                                                 \
        X(ssh_public_key, TEXT, MUTABLE)                                                           \
        X(status_reason, TEXT, MUTABLE)                                                            \
        X(workload_type, TEXT, MUTABLE)                                                            \
        X(storage_policy, TEXT, MUTABLE)                                                           \
        X(template_hash_id, TEXT, MUTABLE)                                                         \
        X(idempotency_key, TEXT, FIXED)                                                            \
        X(reservation_hours, U32, MUTABLE)                                                         \
        X(idle_threshold_minutes, U32, MUTABLE)                                                    \
        X(disk_gb, U32, MUTABLE)                                                                   \
        X(flags, U32, MUTABLE)                                                                     \
        X(price_uusd_per_hour, I64, MUTABLE)                                                       \
        X(charged_uusd_per_hour, I64, MUTABLE)                                                     \
        X(created_at_ms, I64, FIXED)                                                               \
        X(updated_at_ms, I64, MUTABLE)                                                             \
        X(instance_created_at_ms, I64, MUTABLE)                                                    \
        X(started_at_ms, I64, MUTABLE)                                                             \
        X(expires_at_ms, I64, MUTABLE)                                                             \
        X(stopped_at_ms, I64, MUTABLE)                                                             \
        X(last_activity_ms, I64, MUTABLE)                                                          \
        X(cost_uusd, I64, MUTABLE)                                                                 \
        X(detail_json, TEXT, MUTABLE)

struct column {
        const char *name;
        int type;
        int mutable_;
        size_t offset;
        size_t size;
};

#define SESSION_COLUMN(name_, type_, mut_)                                                         \
        {#name_, COL_##type_, COL_##mut_, offsetof(struct gs_session_record, name_),               \
         sizeof(((struct gs_session_record *)0)->name_)},
static const struct column columns[] = {SESSION_COLUMNS(SESSION_COLUMN)};
#undef SESSION_COLUMN

#define COLUMN_COUNT ((int)(sizeof(columns) / sizeof(columns[0])))
#define PARAM_EXPECTED (COLUMN_COUNT + 1)
#define COL_ID 0
#define COL_STATUS 1

/* ------------------------------------------------------------------------ */
/* Statement text.                                                          */

struct sqlbuf {
        char text[SQLS_SQL_MAX];
        size_t len;
        int overflow;
};

static void sb_add(struct sqlbuf *b, const char *fmt, ...) GS_PRINTF(2, 3);
static void sb_add(struct sqlbuf *b, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (b->overflow)
                return;
        va_start(ap, fmt);
        n = vsnprintf(b->text + b->len, sizeof(b->text) - b->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(b->text) - b->len) {
                b->overflow = 1;
                return;
        }
        b->len += (size_t)n;
}

static int sb_prepare(struct sqls *s, struct sqlbuf *b, sqlite3_stmt **ret_st, struct gs_error *err)
{
        if (b->overflow)
                return s->api->error_set(err, GS_E_STORAGE, 0,
                                         "internal error: statement longer than %d bytes",
                                         SQLS_SQL_MAX);
        return sqls_prepare_one(s, b->text, ret_st, err);
}

static void sb_select(struct sqlbuf *b, const char *what)
{
        int i;

        sb_add(b, "SELECT ");
        if (what) {
                sb_add(b, "%s", what);
        } else {
                for (i = 0; i < COLUMN_COUNT; i++)
                        sb_add(b, "%s%s", i ? ", " : "", columns[i].name);
        }
        sb_add(b, " FROM sessions");
}

int sqls_sessions_prepare(struct sqls *s, struct gs_error *err)
{
        struct sqlbuf b;
        int first = 1;
        int i;
        int r;

        memset(&b, 0, sizeof(b));
        sb_add(&b, "INSERT INTO sessions (");
        for (i = 0; i < COLUMN_COUNT; i++)
                sb_add(&b, "%s%s", i ? ", " : "", columns[i].name);
        sb_add(&b, ") VALUES (");
        for (i = 0; i < COLUMN_COUNT; i++)
                sb_add(&b, "%s?%d", i ? ", " : "", i + 1);
        sb_add(&b, ")");
        r = sb_prepare(s, &b, &s->st[SQLS_ST_SESSION_INSERT], err);
        if (r < 0)
                return r;

        memset(&b, 0, sizeof(b));
        sb_select(&b, NULL);
        sb_add(&b, " WHERE id = ?1");
        r = sb_prepare(s, &b, &s->st[SQLS_ST_SESSION_GET], err);
        if (r < 0)
                return r;

        memset(&b, 0, sizeof(b));
        sb_add(&b, "UPDATE sessions SET ");
        for (i = 0; i < COLUMN_COUNT; i++) {
                if (!columns[i].mutable_)
                        continue;
                sb_add(&b, "%s%s = ?%d", first ? "" : ", ", columns[i].name, i + 1);
                first = 0;
        }
        sb_add(&b, " WHERE id = ?1 AND (?%d = %d OR status = ?%d)", PARAM_EXPECTED, GS_SESSION_ANY,
               PARAM_EXPECTED);
        r = sb_prepare(s, &b, &s->st[SQLS_ST_SESSION_UPDATE], err);
        if (r < 0)
                return r;

        memset(&b, 0, sizeof(b));
        sb_select(&b, "status");
        sb_add(&b, " WHERE id = ?1");
        return sb_prepare(s, &b, &s->st[SQLS_ST_SESSION_STATUS], err);
}

/* The statement for one filter combination, prepared on first use. */
static int list_statement(struct sqls *s, unsigned mask, int count, sqlite3_stmt **ret_st,
                          struct gs_error *err)
{
        sqlite3_stmt **slot = count ? &s->count_st[mask] : &s->list_st[mask];
        struct sqlbuf b;
        int i;
        int r;

        if (*slot) {
                *ret_st = *slot;
                return 0;
        }
        memset(&b, 0, sizeof(b));
        sb_select(&b, count ? "COUNT(*)" : NULL);
        sb_add(&b, " WHERE 1 = 1");
        if (mask & SQLS_LF_STATUS) {
                sb_add(&b, " AND status IN (");
                for (i = 0; i < SQLS_STATUS_SLOTS; i++)
                        sb_add(&b, "%s:s%d", i ? ", " : "", i);
                sb_add(&b, ")");
        }
        if (mask & SQLS_LF_CONSUMER)
                sb_add(&b, " AND consumer_id = :consumer");
        if (mask & SQLS_LF_PROVIDER)
                sb_add(&b, " AND provider = :provider");
        if (mask & SQLS_LF_INSTANCE)
                sb_add(&b, " AND provider_instance_id = :instance");
        if (mask & SQLS_LF_IDEMPOTENCY)
                sb_add(&b, " AND idempotency_key = :idempotency");
        if (!count)
                sb_add(&b, " ORDER BY created_at_ms DESC, id DESC LIMIT :limit OFFSET :offset");
        r = sb_prepare(s, &b, slot, err);
        if (r < 0)
                return r;
        *ret_st = *slot;
        return 0;
}

void sqls_sessions_finalize(struct sqls *s)
{
        int i;

        for (i = 0; i < SQLS_LF_VARIANTS; i++) {
                (void)sqlite3_finalize(s->list_st[i]);
                (void)sqlite3_finalize(s->count_st[i]);
                s->list_st[i] = NULL;
                s->count_st[i] = NULL;
        }
}

/* ------------------------------------------------------------------------ */
/* Records <-> rows.                                                        */

/* Field `c` of `rec`, or NULL/0 when the writer's struct_size lacks it. */
static const char *field_text(const struct gs_session_record *rec, const struct column *c)
{
        const char *v = NULL;

        if (rec->struct_size >= c->offset + c->size)
                memcpy(&v, (const char *)rec + c->offset, sizeof(v));
        return v;
}

static int64_t field_int(const struct gs_session_record *rec, const struct column *c)
{
        const char *p = (const char *)rec + c->offset;
        int32_t i32 = 0;
        uint32_t u32 = 0;
        int64_t i64 = 0;

        if (rec->struct_size < c->offset + c->size)
                return 0;
        switch (c->type) {
        case COL_I32:
                memcpy(&i32, p, sizeof(i32));
                return i32;
        case COL_U32:
                memcpy(&u32, p, sizeof(u32));
                return u32;
        default:
                memcpy(&i64, p, sizeof(i64));
                return i64;
        }
}

/* Bind column i of rec to ?i+1. */
static int bind_column(struct sqls *s, sqlite3_stmt *st, const struct gs_session_record *rec, int i,
                       const char *op, struct gs_error *err)
{
        const struct column *c = &columns[i];
        const char *text;
        int rc;
        int r;

        if (c->type == COL_TEXT) {
                text = field_text(rec, c);
                r = sqls_check_len(s, text, c->name, op, err);
                if (r < 0)
                        return r;
                if (text)
                        rc = sqlite3_bind_text(st, i + 1, text, -1, SQLITE_STATIC);
                else
                        rc = sqlite3_bind_null(st, i + 1);
        } else {
                rc = sqlite3_bind_int64(st, i + 1, field_int(rec, c));
        }
        if (rc != SQLITE_OK)
                return sqls_fail(s, rc, op, err);
        return 0;
}

/* Fill *rec from the current row of a full-column SELECT. Strings point into
 * the statement and are valid until its next step/reset. */
static int row_to_record(struct sqls *s, sqlite3_stmt *st, struct gs_session_record *rec,
                         const char *op, struct gs_error *err)
{
        char *base = (char *)rec;
        const char *text;
        int64_t v;
        int32_t i32;
        uint32_t u32;
        int i;

        memset(rec, 0, sizeof(*rec));
        rec->struct_size = sizeof(*rec);
        for (i = 0; i < COLUMN_COUNT; i++) {
                const struct column *c = &columns[i];

                switch (c->type) {
                case COL_TEXT:
                        text = sqls_column_text(st, i);
                        if (!text && sqlite3_column_type(st, i) != SQLITE_NULL)
                                return s->api->error_set(err, GS_E_NOMEM, 0, "%s: out of memory",
                                                         op);
                        memcpy(base + c->offset, &text, sizeof(text));
                        break;
                case COL_I32:
                        i32 = (int32_t)sqlite3_column_int64(st, i);
                        memcpy(base + c->offset, &i32, sizeof(i32));
                        break;
                case COL_U32:
                        u32 = (uint32_t)sqlite3_column_int64(st, i);
                        memcpy(base + c->offset, &u32, sizeof(u32));
                        break;
                default:
                        v = sqlite3_column_int64(st, i);
                        memcpy(base + c->offset, &v, sizeof(v));
                        break;
                }
        }
        return 0;
}

/* Step `st` and emit every row; returns the first failure. */
static int emit_rows(struct sqls *s, sqlite3_stmt *st, struct gs_session_sink *sink, const char *op,
                     struct gs_error *err)
{
        struct gs_session_record rec;
        int rc;
        int r;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = row_to_record(s, st, &rec, op, err);
                if (r < 0)
                        return r;
                r = s->api->session_emit(sink, &rec);
                if (r < 0)
                        return s->api->error_set(err, r, 0, "%s: the sink refused session '%s'", op,
                                                 rec.id);
        }
        if (rc != SQLITE_DONE)
                return sqls_fail(s, rc, op, err);
        return 0;
}

/* ------------------------------------------------------------------------ */
/* Ops.                                                                     */

int sqls_session_insert(void *instance, const struct gs_session_record *rec, struct gs_error *err)
{
        const char *op = "session_insert";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_SESSION_INSERT];
        const char *id;
        const char *consumer;
        int rc;
        int r = 0;
        int i;

        if (!rec)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL record", op);
        id = SQLS_GET(rec, struct gs_session_record, id, NULL);
        consumer = SQLS_GET(rec, struct gs_session_record, consumer_id, NULL);
        if (!id || !consumer)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: id and consumer_id are required",
                                         op);

        sqls_lock(s);
        for (i = 0; i < COLUMN_COUNT && r >= 0; i++)
                r = bind_column(s, st, rec, i, op, err);
        if (r < 0)
                goto done;
        rc = sqlite3_step(st);
        if (rc == SQLITE_CONSTRAINT &&
            sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
                r = s->api->error_set(err, GS_E_EXISTS, 0, "%s: session '%s' already exists", op,
                                      id);
        else if (rc == SQLITE_CONSTRAINT &&
                 sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_UNIQUE)
                r = s->api->error_set(err, GS_E_EXISTS, 0,
                                      "%s: consumer '%s' already has a session with this "
                                      "idempotency key",
                                      op, consumer);
        else if (rc != SQLITE_DONE)
                r = sqls_fail(s, rc, op, err);
done:
        sqls_stmt_done(st);
        sqls_unlock(s);
        return r;
}

int sqls_session_get(void *instance, const char *id, struct gs_session_sink *sink,
                     struct gs_error *err)
{
        const char *op = "session_get";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_SESSION_GET];
        struct gs_session_record rec;
        int rc;
        int r;

        if (!id)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL id", op);
        sqls_lock(s);
        rc = sqlite3_bind_text(st, COL_ID + 1, id, -1, SQLITE_STATIC);
        if (rc != SQLITE_OK) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
                r = s->api->error_set(err, GS_E_NOTFOUND, 0, "%s: no session '%s'", op, id);
                goto done;
        }
        if (rc != SQLITE_ROW) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        r = row_to_record(s, st, &rec, op, err);
        if (r < 0)
                goto done;
        r = s->api->session_emit(sink, &rec);
        if (r < 0)
                r = s->api->error_set(err, r, 0, "%s: the sink refused session '%s'", op, id);
done:
        sqls_stmt_done(st);
        sqls_unlock(s);
        return r;
}

/* The filter fields that fit inside the caller's struct_size. */
struct list_args {
        unsigned mask;
        uint32_t status_mask;
        const char *consumer;
        const char *provider;
        const char *instance;
        const char *idempotency;
        int64_t limit;
        int64_t offset;
};

static void list_args_read(const struct gs_session_filter *f, struct list_args *a)
{
        memset(a, 0, sizeof(*a));
        a->limit = -1; /* SQLite: no limit */
        if (!f)
                return;
        a->status_mask = SQLS_GET(f, struct gs_session_filter, status_mask, 0);
        a->consumer = SQLS_GET(f, struct gs_session_filter, consumer_id, NULL);
        a->provider = SQLS_GET(f, struct gs_session_filter, provider, NULL);
        a->instance = SQLS_GET(f, struct gs_session_filter, provider_instance_id, NULL);
        a->idempotency = SQLS_GET(f, struct gs_session_filter, idempotency_key, NULL);
        if (SQLS_GET(f, struct gs_session_filter, limit, 0) != 0)
                a->limit = f->limit;
        a->offset = SQLS_GET(f, struct gs_session_filter, offset, 0);
        a->mask = (a->status_mask ? SQLS_LF_STATUS : 0) | (a->consumer ? SQLS_LF_CONSUMER : 0) |
                  (a->provider ? SQLS_LF_PROVIDER : 0) | (a->instance ? SQLS_LF_INSTANCE : 0) |
                  (a->idempotency ? SQLS_LF_IDEMPOTENCY : 0);
}

static int bind_filter(struct sqls *s, sqlite3_stmt *st, const struct list_args *a, const char *op,
                       struct gs_error *err)
{
        char name[16];
        int r = 0;
        int i;

        for (i = 0; i < SQLS_STATUS_SLOTS && r >= 0; i++) {
                /* unbound slots stay NULL and match nothing */
                if (!(a->status_mask & (UINT32_C(1) << i)))
                        continue;
                (void)snprintf(name, sizeof(name), ":s%d", i);
                r = sqls_bind_int64(s, st, name, i, op, err);
        }
        if (r >= 0 && a->consumer)
                r = sqls_bind_text(s, st, ":consumer", a->consumer, op, err);
        if (r >= 0 && a->provider)
                r = sqls_bind_text(s, st, ":provider", a->provider, op, err);
        if (r >= 0 && a->instance)
                r = sqls_bind_text(s, st, ":instance", a->instance, op, err);
        if (r >= 0 && a->idempotency)
                r = sqls_bind_text(s, st, ":idempotency", a->idempotency, op, err);
        return r;
}

static int count_matches(struct sqls *s, const struct list_args *a, uint64_t *ret_total,
                         const char *op, struct gs_error *err)
{
        sqlite3_stmt *st = NULL;
        int rc;
        int r;

        r = list_statement(s, a->mask, 1, &st, err);
        if (r < 0)
                return r;
        r = bind_filter(s, st, a, op, err);
        if (r < 0)
                goto done;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        *ret_total = (uint64_t)sqlite3_column_int64(st, 0);
done:
        sqls_stmt_done(st);
        return r;
}

int sqls_session_list(void *instance, const struct gs_session_filter *filter,
                      struct gs_session_sink *sink, uint64_t *ret_total, struct gs_error *err)
{
        const char *op = "session_list";
        struct sqls *s = instance;
        sqlite3_stmt *st = NULL;
        struct list_args a;
        uint64_t total = 0;
        int r;

        list_args_read(filter, &a);
        sqls_lock(s);
        r = sqls_tx_begin(s, 0, op, err);
        if (r < 0)
                goto fail;
        if (ret_total) {
                r = count_matches(s, &a, &total, op, err);
                if (r < 0)
                        goto fail;
        }
        r = list_statement(s, a.mask, 0, &st, err);
        if (r < 0)
                goto fail;
        r = bind_filter(s, st, &a, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":limit", a.limit, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":offset", a.offset, op, err);
        if (r >= 0)
                r = emit_rows(s, st, sink, op, err);
        sqls_stmt_done(st);
        if (r < 0)
                goto fail;
        r = sqls_tx_commit(s, op, err);
        if (r < 0)
                goto fail;
        sqls_unlock(s);
        if (ret_total)
                *ret_total = total;
        return 0;
fail:
        sqls_tx_rollback(s);
        sqls_unlock(s);
        return r;
}

/* Why the CAS matched no row: GS_E_NOTFOUND or GS_E_CONFLICT. */
static int explain_no_match(struct sqls *s, const char *id, int32_t expected, const char *op,
                            struct gs_error *err)
{
        sqlite3_stmt *st = s->st[SQLS_ST_SESSION_STATUS];
        int rc;
        int r;

        rc = sqlite3_bind_text(st, COL_ID + 1, id, -1, SQLITE_STATIC);
        if (rc != SQLITE_OK) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = s->api->error_set(err, GS_E_CONFLICT, 0,
                                      "%s: session '%s' has status %" PRId64 ", expected %" PRId32,
                                      op, id, (int64_t)sqlite3_column_int64(st, 0), expected);
        else if (rc == SQLITE_DONE)
                r = s->api->error_set(err, GS_E_NOTFOUND, 0, "%s: no session '%s'", op, id);
        else
                r = sqls_fail(s, rc, op, err);
done:
        sqls_stmt_done(st);
        return r;
}

int sqls_session_update(void *instance, const struct gs_session_record *rec,
                        int32_t expected_status, const struct gs_cost_entry *ledger,
                        struct gs_error *err)
{
        const char *op = "session_update";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_SESSION_UPDATE];
        const char *id;
        int rc;
        int r = 0;
        int i;

        if (!rec)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL record", op);
        id = SQLS_GET(rec, struct gs_session_record, id, NULL);
        if (!id)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: id is required", op);

        sqls_lock(s);
        r = sqls_tx_begin(s, 1, op, err);
        if (r < 0)
                goto fail;
        for (i = 0; i < COLUMN_COUNT && r >= 0; i++) {
                if (i == COL_ID || columns[i].mutable_)
                        r = bind_column(s, st, rec, i, op, err);
        }
        if (r >= 0) {
                rc = sqlite3_bind_int64(st, PARAM_EXPECTED, expected_status);
                if (rc != SQLITE_OK)
                        r = sqls_fail(s, rc, op, err);
        }
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        if (r < 0)
                goto fail;
        if (sqlite3_changes(s->db) == 0) {
                r = explain_no_match(s, id, expected_status, op, err);
                goto fail;
        }
        if (ledger) {
                r = sqls_cost_insert_locked(s, ledger, op, err);
                if (r < 0)
                        goto fail;
        }
        r = sqls_tx_commit(s, op, err);
        if (r < 0)
                goto fail;
        sqls_unlock(s);
        return 0;
fail:
        sqls_tx_rollback(s);
        sqls_unlock(s);
        return r;
}
