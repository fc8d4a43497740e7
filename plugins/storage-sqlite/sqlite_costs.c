/*
 * sqlite_costs.c - the cost ledger: append, and the aggregate by
 * (provider, gpu_type) over a time window.
 *
 * An entry bills amount_uusd for [start_ms, end_ms). Against a window
 * [from_ms, to_ms) (0 = unbounded) it counts pro rata:
 *
 *   overlap = min(end, to) - max(start, from)            (rows with overlap > 0)
 *   amount  = amount_uusd * overlap / (end - start)      (integer, truncated)
 *
 * computed in SQL. An entry inside the window counts its amount unchanged. A
 * cut entry uses (a / span) * ov + (a % span) * ov / span, which equals
 * a * ov / span and cannot overflow while span <= SQLS_PRORATE_SAFE_SPAN_MS
 * (~35 days); longer cut entries go through sqls_prorate(), a deterministic
 * SQL function doing the same in 128 bits. So the sum is exact to the micro-USD.
 *
 * The window becomes a bounded range on start_ms: no entry is longer than
 * cost_stats.max_span_ms, so one ending after `from` started after
 * from - max_span_ms.
 *
 * Distinct sessions: a group whose sessions each have one non-empty entry
 * (cost_totals.entry_count == session_count, the core's case: one entry per
 * session at finalization) counts rows; otherwise COUNT(DISTINCT).
 */
#include <stdint.h>

#include "sqlite_store.h"

#if !defined(__SIZEOF_INT128__)
#error "storage-sqlite needs a compiler with __int128 for exact long-entry pro-rating"
#endif
__extension__ typedef __int128 sqls_i128;

/* Billed time, pro-rated amount and distinct sessions of the rows in x. */
#define AGG_AMOUNTS                                                                                \
        "SUM(x.ov),\n"                                                                             \
        "       SUM(CASE WHEN x.ov = x.span THEN x.amount\n"                                       \
        "                WHEN x.span <= :safe_span\n"                                              \
        "                THEN (x.amount / x.span) * x.ov + (x.amount % x.span) * x.ov / x.span\n"  \
        "                ELSE sqls_prorate(x.amount, x.ov, x.span) END),\n"
#define AGG_SUMS AGG_AMOUNTS "       COUNT(DISTINCT x.session_key)\n"
/* One entry per session in the group: rows are sessions. */
#define AGG_SUMS_ONE AGG_AMOUNTS "       COUNT(*)\n"
/* Ledger rows overlapping [:from, :to); :lo = :from - max_span_ms. */
#define AGG_ROWS                                                                                   \
        "FROM (SELECT l.group_id AS group_id, l.session_key AS session_key,\n"                     \
        "             l.amount_uusd AS amount, l.end_ms - l.start_ms AS span,\n"                   \
        "             (CASE WHEN l.end_ms > :to THEN :to ELSE l.end_ms END) -\n"                   \
        "             (CASE WHEN l.start_ms < :from THEN :from ELSE l.start_ms END) AS ov\n"       \
        "      FROM cost_ledger AS l\n"                                                            \
        "      WHERE l.start_ms >= :lo AND l.start_ms < :to AND l.end_ms > :from\n"                \
        "        AND l.end_ms > l.start_ms"
#define AGG_GROUPED_HEAD "SELECT g.provider, g.gpu_type, " AGG_SUMS AGG_ROWS
#define AGG_GROUPED_TAIL                                                                           \
        ") AS x\n"                                                                                 \
        "JOIN cost_groups AS g ON g.id = x.group_id\n"                                             \
        "GROUP BY x.group_id\n"                                                                    \
        "ORDER BY g.provider, g.gpu_type"
#define AGG_SESSION " AND l.session_key = :session"
#define AGG_CONSUMER " AND l.consumer_key = :consumer"
/* with both filters the session's few rows drive; unary + keeps the planner
 * off the consumer index */
#define AGG_SESSION_CONSUMER " AND l.session_key = :session AND +l.consumer_key = :consumer"

/*
 * Without a session/consumer filter the rows can be most of the ledger, and a
 * GROUP BY over them would sort them all. Instead each group is answered on
 * its own: from cost_totals when the window contains all of the group's
 * entries (each then counts in full, so the totals are the exact answer),
 * else from one start_ms range of cost_ledger_group_start, with no sort.
 * With a filter the rows are few and one grouped statement is used.
 */
static const struct sqls_sql cost_sql[] = {
        {SQLS_ST_KEY_FIND, "SELECT id FROM cost_keys WHERE value = :value"},
        {SQLS_ST_KEY_ADD, "INSERT INTO cost_keys (value) VALUES (:value)"},
        {SQLS_ST_GROUP_FIND,
         "SELECT id FROM cost_groups WHERE provider = :provider AND gpu_type = :gpu_type"},
        {SQLS_ST_GROUP_ADD,
         "INSERT INTO cost_groups (provider, gpu_type) VALUES (:provider, :gpu_type)"},
        {SQLS_ST_LEDGER_INSERT,
         "INSERT INTO cost_ledger (start_ms, end_ms, group_id, session_key, amount_uusd,\n"
         "                         consumer_key, price_uusd_per_hour)\n"
         "VALUES (:start, :end, :group, :session, :amount, :consumer, :price)"},
        {SQLS_ST_SPAN_RAISE,
         "UPDATE cost_stats SET max_span_ms = :span WHERE id = 1 AND max_span_ms < :span"},
        {SQLS_ST_SPAN_GET, "SELECT max_span_ms FROM cost_stats WHERE id = 1"},
        {SQLS_ST_TOTALS_SEEN,
         "SELECT EXISTS (SELECT 1 FROM cost_ledger WHERE session_key = :session\n"
         "               AND group_id = :group AND end_ms > start_ms)"},
        {SQLS_ST_TOTALS_ADD,
         "INSERT INTO cost_totals (group_id, min_start_ms, max_end_ms, billed_ms, amount_uusd,\n"
         "                         session_count, entry_count)\n"
         "VALUES (:group, :start, :end, :span, :amount, :new, 1)\n"
         "ON CONFLICT (group_id) DO UPDATE SET\n"
         "        min_start_ms = MIN(min_start_ms, excluded.min_start_ms),\n"
         "        max_end_ms = MAX(max_end_ms, excluded.max_end_ms),\n"
         "        billed_ms = billed_ms + excluded.billed_ms,\n"
         "        amount_uusd = amount_uusd + excluded.amount_uusd,\n"
         "        session_count = session_count + excluded.session_count,\n"
         "        entry_count = entry_count + 1"},
        {SQLS_ST_AGG_GROUPS, "SELECT g.id, g.provider, g.gpu_type, t.min_start_ms, t.max_end_ms,\n"
                             "       t.billed_ms, t.amount_uusd, t.session_count,\n"
                             "       t.entry_count = t.session_count\n"
                             "FROM cost_groups AS g JOIN cost_totals AS t ON t.group_id = g.id\n"
                             "ORDER BY g.provider, g.gpu_type"},
        {SQLS_ST_AGG_GROUP, "SELECT " AGG_SUMS AGG_ROWS " AND l.group_id = :group) AS x"},
        {SQLS_ST_AGG_GROUP_ONE, "SELECT " AGG_SUMS_ONE AGG_ROWS " AND l.group_id = :group) AS x"},
        {SQLS_ST_AGG_SESSION, AGG_GROUPED_HEAD AGG_SESSION AGG_GROUPED_TAIL},
        {SQLS_ST_AGG_CONSUMER, AGG_GROUPED_HEAD AGG_CONSUMER AGG_GROUPED_TAIL},
        {SQLS_ST_AGG_BOTH, AGG_GROUPED_HEAD AGG_SESSION_CONSUMER AGG_GROUPED_TAIL},
};

/* sqls_prorate(amount, overlap, span) = amount * overlap / span, truncated,
 * in 128-bit arithmetic. |result| <= |amount| because overlap <= span. */
static void prorate_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
        sqls_i128 amount = sqlite3_value_int64(argv[0]);
        sqls_i128 overlap = sqlite3_value_int64(argv[1]);
        sqls_i128 span = sqlite3_value_int64(argv[2]);

        (void)argc;
        if (span <= 0 || overlap < 0 || overlap > span) {
                sqlite3_result_error(ctx, "sqls_prorate: overlap outside the entry", -1);
                return;
        }
        sqlite3_result_int64(ctx, (int64_t)(amount * overlap / span));
}

int sqls_costs_prepare(struct sqls *s, struct gs_error *err)
{
        int rc;

        rc = sqlite3_create_function_v2(s->db, "sqls_prorate", 3,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        NULL, prorate_fn, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return sqls_fail(s, rc, "register sqls_prorate", err);
        return sqls_prepare_table(s, cost_sql, sizeof(cost_sql) / sizeof(cost_sql[0]), err);
}

/* Step a bound single-id lookup: *ret_id on a hit, *ret_found = 0 on a miss.
 * Resets the statement. */
static int find_id(struct sqls *s, sqlite3_stmt *st, int *ret_found, int64_t *ret_id,
                   const char *op, struct gs_error *err)
{
        int rc = sqlite3_step(st);
        int r = 0;

        if (rc == SQLITE_ROW) {
                *ret_id = sqlite3_column_int64(st, 0);
                *ret_found = 1;
        } else if (rc == SQLITE_DONE) {
                *ret_found = 0;
        } else {
                r = sqls_fail(s, rc, op, err);
        }
        sqls_stmt_done(st);
        return r;
}

/* Id of an interned session/consumer id; with `add`, interned on a miss.
 * Without `add`, a miss returns 0 and leaves *ret_found = 0. */
static int key_id(struct sqls *s, const char *value, int add, int *ret_found, int64_t *ret_id,
                  const char *op, struct gs_error *err)
{
        sqlite3_stmt *st = s->st[SQLS_ST_KEY_FIND];
        int found = 0;
        int r;

        r = sqls_bind_text(s, st, ":value", value, op, err);
        if (r >= 0)
                r = find_id(s, st, &found, ret_id, op, err);
        sqls_stmt_done(st);
        if (r < 0)
                return r;
        if (found || !add) {
                *ret_found = found;
                return 0;
        }
        st = s->st[SQLS_ST_KEY_ADD];
        r = sqls_bind_text(s, st, ":value", value, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        if (r < 0)
                return r;
        *ret_id = sqlite3_last_insert_rowid(s->db);
        *ret_found = 1;
        return 0;
}

static int bind_group(struct sqls *s, sqlite3_stmt *st, const char *provider, const char *gpu_type,
                      const char *op, struct gs_error *err)
{
        int r = sqls_bind_text(s, st, ":provider", provider, op, err);

        if (r >= 0)
                r = sqls_bind_text(s, st, ":gpu_type", gpu_type, op, err);
        return r;
}

/* Id of the (provider, gpu_type) group, interned on a miss. */
static int group_id(struct sqls *s, const char *provider, const char *gpu_type, int64_t *ret_id,
                    const char *op, struct gs_error *err)
{
        sqlite3_stmt *st = s->st[SQLS_ST_GROUP_FIND];
        int found = 0;
        int r;

        r = bind_group(s, st, provider, gpu_type, op, err);
        if (r >= 0)
                r = find_id(s, st, &found, ret_id, op, err);
        sqls_stmt_done(st);
        if (r < 0 || found)
                return r;
        st = s->st[SQLS_ST_GROUP_ADD];
        r = bind_group(s, st, provider, gpu_type, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        if (r < 0)
                return r;
        *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

/* The ledger fields that fit inside the caller's struct_size. */
struct entry_args {
        const char *session;
        const char *consumer;
        const char *provider;
        const char *gpu_type;
        int64_t start_ms;
        int64_t end_ms;
        int64_t price;
        int64_t amount;
};

static int entry_args_read(struct sqls *s, const struct gs_cost_entry *e, struct entry_args *a,
                           const char *op, struct gs_error *err)
{
        int r;

        if (!e)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL ledger entry", op);
        a->session = SQLS_GET(e, struct gs_cost_entry, session_id, NULL);
        a->consumer = SQLS_GET(e, struct gs_cost_entry, consumer_id, NULL);
        a->provider = SQLS_GET(e, struct gs_cost_entry, provider, NULL);
        a->gpu_type = SQLS_GET(e, struct gs_cost_entry, gpu_type, NULL);
        a->start_ms = SQLS_GET(e, struct gs_cost_entry, start_ms, 0);
        a->end_ms = SQLS_GET(e, struct gs_cost_entry, end_ms, 0);
        a->price = SQLS_GET(e, struct gs_cost_entry, price_uusd_per_hour, 0);
        a->amount = SQLS_GET(e, struct gs_cost_entry, amount_uusd, 0);
        if (!a->session || !a->provider || !a->gpu_type)
                return s->api->error_set(err, GS_E_INVAL, 0,
                                         "%s: ledger entry needs session_id, provider and "
                                         "gpu_type",
                                         op);
        r = sqls_check_len(s, a->session, "session_id", op, err);
        if (r >= 0)
                r = sqls_check_len(s, a->consumer, "consumer_id", op, err);
        if (r >= 0)
                r = sqls_check_len(s, a->provider, "provider", op, err);
        if (r >= 0)
                r = sqls_check_len(s, a->gpu_type, "gpu_type", op, err);
        return r;
}

/* Whether the session already has a non-empty entry in the group. */
static int session_seen(struct sqls *s, int64_t session_key, int64_t group, int *ret_seen,
                        const char *op, struct gs_error *err)
{
        sqlite3_stmt *st = s->st[SQLS_ST_TOTALS_SEEN];
        int rc;
        int r;

        r = sqls_bind_int64(s, st, ":session", session_key, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":group", group, op, err);
        if (r < 0)
                goto done;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        *ret_seen = sqlite3_column_int(st, 0);
done:
        sqls_stmt_done(st);
        return r;
}

/* Add a non-empty entry to its group's cost_totals row. */
static int add_totals(struct sqls *s, const struct entry_args *a, int64_t group, int new_session,
                      const char *op, struct gs_error *err)
{
        sqlite3_stmt *st = s->st[SQLS_ST_TOTALS_ADD];
        int r;

        r = sqls_bind_int64(s, st, ":group", group, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":start", a->start_ms, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":end", a->end_ms, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":span", a->end_ms - a->start_ms, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":amount", a->amount, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":new", new_session, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        return r;
}

/* Append one entry; the caller holds the lock and an open write transaction.
 * Interval rules (start >= 0, end >= start, no amount on an empty interval)
 * are CHECK constraints of the table. */
int sqls_cost_insert_locked(struct sqls *s, const struct gs_cost_entry *entry, const char *op,
                            struct gs_error *err)
{
        sqlite3_stmt *st = s->st[SQLS_ST_LEDGER_INSERT];
        struct entry_args a = {0};
        int64_t session_key = 0;
        int64_t consumer_key = 0;
        int64_t group = 0;
        int found = 0;
        int seen = 0;
        int r;

        r = entry_args_read(s, entry, &a, op, err);
        if (r < 0)
                return r;
        r = key_id(s, a.session, 1, &found, &session_key, op, err);
        if (r >= 0 && a.consumer)
                r = key_id(s, a.consumer, 1, &found, &consumer_key, op, err);
        if (r >= 0)
                r = group_id(s, a.provider, a.gpu_type, &group, op, err);
        if (r < 0)
                return r;

        if (a.end_ms > a.start_ms)
                r = session_seen(s, session_key, group, &seen, op, err);
        if (r < 0)
                return r;

        r = sqls_bind_int64(s, st, ":start", a.start_ms, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":end", a.end_ms, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":group", group, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":session", session_key, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":amount", a.amount, op, err);
        if (r >= 0 && a.consumer)
                r = sqls_bind_int64(s, st, ":consumer", consumer_key, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":price", a.price, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        if (r < 0)
                return r;

        /* the CHECKs held, 0 <= start <= end: end - start cannot overflow */
        st = s->st[SQLS_ST_SPAN_RAISE];
        r = sqls_bind_int64(s, st, ":span", a.end_ms - a.start_ms, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        if (r < 0 || a.end_ms <= a.start_ms)
                return r; /* an empty entry never overlaps a window */
        return add_totals(s, &a, group, !seen, op, err);
}

int sqls_cost_append(void *instance, const struct gs_cost_entry *entry, struct gs_error *err)
{
        const char *op = "cost_append";
        struct sqls *s = instance;
        int r;

        sqls_lock(s);
        r = sqls_tx_begin(s, 1, op, err);
        if (r < 0)
                goto fail;
        r = sqls_cost_insert_locked(s, entry, op, err);
        if (r < 0)
                goto fail;
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

/* The query fields that fit inside the caller's struct_size. */
struct query_args {
        const char *session;
        const char *consumer;
        int64_t from_ms;
        int64_t to_ms;
};

static void query_args_read(const struct gs_cost_query *q, struct query_args *a)
{
        a->session = q ? SQLS_GET(q, struct gs_cost_query, session_id, NULL) : NULL;
        a->consumer = q ? SQLS_GET(q, struct gs_cost_query, consumer_id, NULL) : NULL;
        a->from_ms = q ? SQLS_GET(q, struct gs_cost_query, from_ms, 0) : 0;
        a->to_ms = q ? SQLS_GET(q, struct gs_cost_query, to_ms, 0) : 0;
}

static int read_max_span(struct sqls *s, int64_t *ret_span, const char *op, struct gs_error *err)
{
        int found = 0;
        int r;

        r = find_id(s, s->st[SQLS_ST_SPAN_GET], &found, ret_span, op, err);
        if (r >= 0 && !found)
                r = s->api->error_set(err, GS_E_STORAGE, 0, "%s: cost_stats row is missing", op);
        return r;
}

/* Bind the window [:from, :to) and its start_ms lower bound :lo. */
static int bind_window(struct sqls *s, sqlite3_stmt *st, const struct query_args *a,
                       int64_t max_span, const char *op, struct gs_error *err)
{
        int64_t from = a->from_ms ? a->from_ms : INT64_MIN;
        int64_t to = a->to_ms ? a->to_ms : INT64_MAX;
        int64_t lo = INT64_MIN;
        int r;

        if (a->from_ms && a->from_ms > INT64_MIN + max_span)
                lo = a->from_ms - max_span;
        r = sqls_bind_int64(s, st, ":lo", lo, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":from", from, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":to", to, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":safe_span", SQLS_PRORATE_SAFE_SPAN_MS, op, err);
        return r;
}

/* Emit one aggregate row; `col` is the statement's billed_ms column, followed
 * by the amount and the session count. */
static int emit_row(struct sqls *s, sqlite3_stmt *st, int col, const char *provider,
                    const char *gpu_type, struct gs_cost_sink *sink, const char *op,
                    struct gs_error *err)
{
        struct gs_cost_row row = {.struct_size = sizeof(row)};
        int r;

        if (!provider || !gpu_type)
                return s->api->error_set(err, GS_E_NOMEM, 0, "%s: out of memory", op);
        row.provider = provider;
        row.gpu_type = gpu_type;
        row.billed_ms = sqlite3_column_int64(st, col);
        row.amount_uusd = sqlite3_column_int64(st, col + 1);
        row.session_count = (uint32_t)sqlite3_column_int64(st, col + 2);
        r = s->api->cost_emit(sink, &row);
        if (r < 0)
                return s->api->error_set(err, r, 0, "%s: the sink refused a row", op);
        return 0;
}

/* Column layout of SQLS_ST_AGG_GROUPS. */
enum {
        GROUPS_ID,
        GROUPS_PROVIDER,
        GROUPS_GPU,
        GROUPS_MIN_START,
        GROUPS_MAX_END,
        GROUPS_BILLED,
        GROUPS_AMOUNT,
        GROUPS_SESSIONS,
        GROUPS_ONE_ENTRY_EACH,
};

/* Aggregate one group (unfiltered query); emits nothing when no row overlaps. */
static int aggregate_group(struct sqls *s, sqlite3_stmt *groups, const struct query_args *a,
                           int64_t max_span, struct gs_cost_sink *sink, const char *op,
                           struct gs_error *err)
{
        sqlite3_stmt *st = s->st[sqlite3_column_int(groups, GROUPS_ONE_ENTRY_EACH)
                                         ? SQLS_ST_AGG_GROUP_ONE
                                         : SQLS_ST_AGG_GROUP];
        const char *provider = sqls_column_text(groups, GROUPS_PROVIDER);
        const char *gpu_type = sqls_column_text(groups, GROUPS_GPU);
        int rc;
        int r;

        if ((a->from_ms == 0 || a->from_ms <= sqlite3_column_int64(groups, GROUPS_MIN_START)) &&
            (a->to_ms == 0 || a->to_ms >= sqlite3_column_int64(groups, GROUPS_MAX_END)))
                return emit_row(s, groups, GROUPS_BILLED, provider, gpu_type, sink, op, err);

        r = bind_window(s, st, a, max_span, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":group", sqlite3_column_int64(groups, GROUPS_ID), op,
                                    err);
        if (r < 0)
                goto done;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = sqls_fail(s, rc, op, err);
                goto done;
        }
        if (sqlite3_column_int64(st, 2) > 0)
                r = emit_row(s, st, 0, provider, gpu_type, sink, op, err);
done:
        sqls_stmt_done(st);
        return r;
}

static int aggregate_by_group(struct sqls *s, const struct query_args *a, int64_t max_span,
                              struct gs_cost_sink *sink, const char *op, struct gs_error *err)
{
        sqlite3_stmt *groups = s->st[SQLS_ST_AGG_GROUPS];
        int rc = SQLITE_DONE;
        int r = 0;

        while (r >= 0 && (rc = sqlite3_step(groups)) == SQLITE_ROW)
                r = aggregate_group(s, groups, a, max_span, sink, op, err);
        if (r >= 0 && rc != SQLITE_DONE)
                r = sqls_fail(s, rc, op, err);
        sqls_stmt_done(groups);
        return r;
}

/* One grouped statement for session and/or consumer filters. */
static int aggregate_filtered(struct sqls *s, const struct query_args *a, int64_t session_key,
                              int64_t consumer_key, int64_t max_span, struct gs_cost_sink *sink,
                              const char *op, struct gs_error *err)
{
        sqlite3_stmt *st;
        int rc;
        int r;

        if (a->session && a->consumer)
                st = s->st[SQLS_ST_AGG_BOTH];
        else if (a->session)
                st = s->st[SQLS_ST_AGG_SESSION];
        else
                st = s->st[SQLS_ST_AGG_CONSUMER];
        r = bind_window(s, st, a, max_span, op, err);
        if (r >= 0 && a->session)
                r = sqls_bind_int64(s, st, ":session", session_key, op, err);
        if (r >= 0 && a->consumer)
                r = sqls_bind_int64(s, st, ":consumer", consumer_key, op, err);
        if (r < 0)
                goto done;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                r = emit_row(s, st, 2, sqls_column_text(st, 0), sqls_column_text(st, 1), sink, op,
                             err);
                if (r < 0)
                        goto done;
        }
        if (rc != SQLITE_DONE)
                r = sqls_fail(s, rc, op, err);
done:
        sqls_stmt_done(st);
        return r;
}

int sqls_cost_aggregate(void *instance, const struct gs_cost_query *query,
                        struct gs_cost_sink *sink, struct gs_error *err)
{
        const char *op = "cost_aggregate";
        struct sqls *s = instance;
        struct query_args a;
        int64_t session_key = 0;
        int64_t consumer_key = 0;
        int64_t max_span = 0;
        int found = 1;
        int r;

        query_args_read(query, &a);
        if (a.from_ms && a.to_ms && a.to_ms <= a.from_ms)
                return 0; /* empty window */

        sqls_lock(s);
        r = sqls_tx_begin(s, 0, op, err);
        if (r < 0)
                goto fail;
        if (a.session)
                r = key_id(s, a.session, 0, &found, &session_key, op, err);
        if (r >= 0 && found && a.consumer)
                r = key_id(s, a.consumer, 0, &found, &consumer_key, op, err);
        if (r >= 0 && found)
                r = read_max_span(s, &max_span, op, err);
        if (r >= 0 && found && !a.session && !a.consumer)
                r = aggregate_by_group(s, &a, max_span, sink, op, err);
        else if (r >= 0 && found)
                r = aggregate_filtered(s, &a, session_key, consumer_key, max_span, sink, op, err);
        if (r < 0)
                goto fail;
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
