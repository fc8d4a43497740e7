/*
 * sqlite_schema.c - the schema_version table and the forward migrations.
 *
 * The schema is the list `migrations` below: step N (1-based) takes the
 * database from version N-1 to N and is never edited once released; a schema
 * change is a new step appended at the end. Each step runs in its own
 * BEGIN IMMEDIATE transaction that also re-reads the version, so two
 * processes starting together (daemon and CLI) apply every step once.
 * schema_version keeps one row per applied step.
 */
#include <inttypes.h>

#include "sqlite_store.h"

struct migration {
        const char *name;
        const char *sql;
};

static const struct migration migrations[] = {
        {"sessions and metadata",
         "CREATE TABLE meta (\n"
         "        key TEXT PRIMARY KEY NOT NULL,\n"
         "        value TEXT NOT NULL\n"
         ") WITHOUT ROWID;\n"
         "CREATE TABLE sessions (\n"
         "        id TEXT PRIMARY KEY NOT NULL,\n"
         "        status INTEGER NOT NULL,\n"
         "        consumer_id TEXT NOT NULL,\n"
         "        offer_id TEXT,\n"
         "        provider TEXT,\n"
         "        provider_instance_id TEXT,\n"
         "        label TEXT,\n"
         "        gpu_type TEXT,\n"
         "        gpu_count INTEGER NOT NULL,\n"
         "        ssh_port INTEGER NOT NULL,\n"
         "        ssh_host TEXT,\n"
         "        ssh_user TEXT,\n"
         "        ssh_public_key TEXT,\n"
         "        status_reason TEXT,\n"
         "        workload_type TEXT,\n"
         "        storage_policy TEXT,\n"
         "        template_hash_id TEXT,\n"
         "        idempotency_key TEXT,\n"
         "        reservation_hours INTEGER NOT NULL,\n"
         "        idle_threshold_minutes INTEGER NOT NULL,\n"
         "        disk_gb INTEGER NOT NULL,\n"
         "        flags INTEGER NOT NULL,\n"
         "        price_uusd_per_hour INTEGER NOT NULL,\n"
         "        charged_uusd_per_hour INTEGER NOT NULL,\n"
         "        created_at_ms INTEGER NOT NULL,\n"
         "        updated_at_ms INTEGER NOT NULL,\n"
         "        instance_created_at_ms INTEGER NOT NULL,\n"
         "        started_at_ms INTEGER NOT NULL,\n"
         "        expires_at_ms INTEGER NOT NULL,\n"
         "        stopped_at_ms INTEGER NOT NULL,\n"
         "        last_activity_ms INTEGER NOT NULL,\n"
         "        cost_uusd INTEGER NOT NULL,\n"
         "        detail_json TEXT\n"
         ");\n"
         "CREATE UNIQUE INDEX sessions_idempotency ON sessions (consumer_id, idempotency_key)\n"
         "        WHERE idempotency_key IS NOT NULL;\n"
         "CREATE INDEX sessions_status ON sessions (status, created_at_ms);\n"
         "CREATE INDEX sessions_consumer ON sessions (consumer_id, created_at_ms);\n"
         "CREATE INDEX sessions_provider_instance ON sessions (provider_instance_id);\n"
         "CREATE INDEX sessions_created ON sessions (created_at_ms, id);\n"},
        /*
         * The ledger is kept lean for the aggregate: strings are interned
         * (cost_keys for session/consumer ids, cost_groups for the
         * (provider, gpu_type) pairs rows are grouped by), leaving integer
         * columns only. The (group_id, start_ms) and (consumer_key, start_ms)
         * indexes cover every column the aggregate reads, so it never visits
         * the table, and per group a time window is one start_ms range:
         * cost_stats keeps the longest entry to bound that range.
         * cost_totals keeps each group's exact totals over its whole ledger
         * (entries with end_ms > start_ms), maintained by every append, for
         * windows that contain all of a group's entries. An overflowing sum
         * fails the CHECK instead of turning into a REAL.
         */
        {"cost ledger",
         "CREATE TABLE cost_keys (\n"
         "        id INTEGER PRIMARY KEY,\n"
         "        value TEXT NOT NULL UNIQUE\n"
         ");\n"
         "CREATE TABLE cost_groups (\n"
         "        id INTEGER PRIMARY KEY,\n"
         "        provider TEXT NOT NULL,\n"
         "        gpu_type TEXT NOT NULL,\n"
         "        UNIQUE (provider, gpu_type)\n"
         ");\n"
         "CREATE TABLE cost_ledger (\n"
         "        id INTEGER PRIMARY KEY,\n"
         "        start_ms INTEGER NOT NULL,\n"
         "        end_ms INTEGER NOT NULL,\n"
         "        group_id INTEGER NOT NULL REFERENCES cost_groups (id),\n"
         "        session_key INTEGER NOT NULL REFERENCES cost_keys (id),\n"
         "        amount_uusd INTEGER NOT NULL,\n"
         "        consumer_key INTEGER REFERENCES cost_keys (id),\n"
         "        price_uusd_per_hour INTEGER NOT NULL,\n"
         "        CHECK (start_ms >= 0),\n"
         "        CHECK (end_ms >= start_ms),\n"
         "        CHECK (end_ms > start_ms OR amount_uusd = 0)\n"
         ");\n"
         "CREATE INDEX cost_ledger_group_start ON cost_ledger\n"
         "        (group_id, start_ms, end_ms, session_key, amount_uusd);\n"
         "CREATE INDEX cost_ledger_consumer ON cost_ledger\n"
         "        (consumer_key, start_ms, end_ms, group_id, session_key, amount_uusd);\n"
         "CREATE INDEX cost_ledger_session ON cost_ledger\n"
         "        (session_key, group_id, start_ms, end_ms);\n"
         "CREATE TABLE cost_totals (\n"
         "        group_id INTEGER PRIMARY KEY REFERENCES cost_groups (id),\n"
         "        min_start_ms INTEGER NOT NULL,\n"
         "        max_end_ms INTEGER NOT NULL,\n"
         "        billed_ms INTEGER NOT NULL,\n"
         "        amount_uusd INTEGER NOT NULL,\n"
         "        session_count INTEGER NOT NULL,\n"
         "        CHECK (typeof(billed_ms) = 'integer' AND typeof(amount_uusd) = 'integer')\n"
         ");\n"
         "CREATE TABLE cost_stats (\n"
         "        id INTEGER PRIMARY KEY CHECK (id = 1),\n"
         "        max_span_ms INTEGER NOT NULL\n"
         ");\n"
         "INSERT INTO cost_stats (id, max_span_ms) VALUES (1, 0);\n"},
        {"events", "CREATE TABLE events (\n"
                   "        id INTEGER PRIMARY KEY,\n"
                   "        at_ms INTEGER NOT NULL,\n"
                   "        kind TEXT NOT NULL,\n"
                   "        actor TEXT,\n"
                   "        session_id TEXT,\n"
                   "        detail_json TEXT\n"
                   ");\n"
                   "CREATE INDEX events_session ON events (session_id, id);\n"
                   "CREATE INDEX events_kind ON events (kind, id);\n"},
        {"api tokens", "CREATE TABLE tokens (\n"
                       "        id TEXT PRIMARY KEY NOT NULL,\n"
                       "        secret_hash TEXT NOT NULL UNIQUE,\n"
                       "        role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),\n"
                       "        consumers TEXT,\n"
                       "        label TEXT,\n"
                       "        created_by TEXT,\n"
                       "        created_at_ms INTEGER NOT NULL,\n"
                       "        revoked_at_ms INTEGER NOT NULL DEFAULT 0\n"
                       ");\n"},
        /*
         * entry_count: the group's non-empty entries. When it equals
         * session_count every session has one entry in the group, so a
         * window's distinct sessions are its rows: the unfiltered aggregate
         * then counts rows instead of building a COUNT(DISTINCT) tree.
         */
        {"cost entry counts",
         "ALTER TABLE cost_totals ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;\n"
         "UPDATE cost_totals SET entry_count =\n"
         "        (SELECT COUNT(*) FROM cost_ledger AS l\n"
         "         WHERE l.group_id = cost_totals.group_id AND l.end_ms > l.start_ms);\n"},
};

#define MIGRATION_COUNT ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char version_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_version (\n"
                                        "        version INTEGER PRIMARY KEY,\n"
                                        "        name TEXT NOT NULL,\n"
                                        "        applied_at_ms INTEGER NOT NULL\n"
                                        ");\n";

static int read_version(struct sqls *s, int64_t *ret_version, struct gs_error *err)
{
        sqlite3_stmt *st = NULL;
        int64_t version;
        int rc;
        int r;

        r = sqls_prepare_one(s, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &st, err);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
                r = sqls_fail(s, rc, "schema: read version", err);
                goto fail;
        }
        version = sqlite3_column_int64(st, 0);
        (void)sqlite3_finalize(st);
        *ret_version = version;
        return 0;
fail:
        (void)sqlite3_finalize(st);
        return r;
}

static int record_version(struct sqls *s, int version, const char *name, struct gs_error *err)
{
        const char *op = "schema: record version";
        sqlite3_stmt *st = NULL;
        int r;

        r = sqls_prepare_one(s,
                             "INSERT INTO schema_version (version, name, applied_at_ms) "
                             "VALUES (:version, :name, :at)",
                             &st, err);
        if (r < 0)
                return r;
        r = sqls_bind_int64(s, st, ":version", version, op, err);
        if (r < 0)
                goto done;
        r = sqls_bind_text(s, st, ":name", name, op, err);
        if (r < 0)
                goto done;
        r = sqls_bind_int64(s, st, ":at", s->api->now_ms(s->host), op, err);
        if (r < 0)
                goto done;
        r = sqls_step_done(s, st, op, err);
done:
        (void)sqlite3_finalize(st);
        return r;
}

/* Apply one step, or find there is nothing left to do (*ret_done = 1). */
static int migrate_once(struct sqls *s, int *ret_done, struct gs_error *err)
{
        const struct migration *m;
        int64_t version = 0;
        int step;
        int r;

        r = sqls_tx_begin(s, 1, "schema: begin", err);
        if (r < 0)
                return r;
        r = sqls_exec_script(s, version_table_sql, "schema: create schema_version", err);
        if (r < 0)
                goto fail;
        r = read_version(s, &version, err);
        if (r < 0)
                goto fail;
        if (version > MIGRATION_COUNT) {
                r = s->api->error_set(err, GS_E_STORAGE, 0,
                                      "database schema version %" PRId64
                                      " is newer than this plugin (%d); upgrade gpu-shopper",
                                      version, MIGRATION_COUNT);
                goto fail;
        }
        if (version == MIGRATION_COUNT) {
                r = sqls_tx_commit(s, "schema: commit", err);
                if (r < 0)
                        goto fail;
                *ret_done = 1;
                return 0;
        }

        step = (int)version + 1;
        m = &migrations[step - 1];
        r = sqls_exec_script(s, m->sql, "schema", err);
        if (r >= 0)
                r = record_version(s, step, m->name, err);
        if (r >= 0)
                r = sqls_tx_commit(s, "schema: commit", err);
        if (r < 0) {
                /* Name the step; SQLite's text is still the current message. */
                r = s->api->error_set(err, r, 0,
                                      "schema migration %d (%s) failed and was rolled back: %s",
                                      step, m->name, sqlite3_errmsg(s->db));
                goto fail;
        }
        *ret_done = 0;
        return 0;
fail:
        sqls_tx_rollback(s);
        return r;
}

int sqls_schema_migrate(struct sqls *s, struct gs_error *err)
{
        int done = 0;
        int r;

        while (!done) {
                r = migrate_once(s, &done, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
