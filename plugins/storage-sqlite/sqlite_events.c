/*
 * sqlite_events.c - the audit/operational event log: append (id = rowid) and
 * list newest first with before_id paging.
 */
#include <stdint.h>

#include "sqlite_store.h"

#define LIST_HEAD                                                                                  \
        "SELECT id, at_ms, kind, actor, session_id, detail_json FROM events\n"                     \
        "WHERE id < :before AND at_ms >= :since"
#define LIST_TAIL "\nORDER BY id DESC LIMIT :limit"
#define LIST_SESSION " AND session_id = :session"
#define LIST_KIND " AND kind = :kind"

static const struct sqls_sql event_sql[] = {
        {SQLS_ST_EVENT_INSERT, "INSERT INTO events (at_ms, kind, actor, session_id, detail_json)\n"
                               "VALUES (:at, :kind, :actor, :session, :detail)"},
        {SQLS_ST_EVENT_LIST_ALL, LIST_HEAD LIST_TAIL},
        {SQLS_ST_EVENT_LIST_SESSION, LIST_HEAD LIST_SESSION LIST_TAIL},
        {SQLS_ST_EVENT_LIST_KIND, LIST_HEAD LIST_KIND LIST_TAIL},
        {SQLS_ST_EVENT_LIST_BOTH, LIST_HEAD LIST_SESSION LIST_KIND LIST_TAIL},
};

int sqls_events_prepare(struct sqls *s, struct gs_error *err)
{
        return sqls_prepare_table(s, event_sql, sizeof(event_sql) / sizeof(event_sql[0]), err);
}

int sqls_event_append(void *instance, const struct gs_event *ev, struct gs_error *err)
{
        const char *op = "event_append";
        struct sqls *s = instance;
        sqlite3_stmt *st = s->st[SQLS_ST_EVENT_INSERT];
        const char *kind;
        const char *actor;
        const char *session;
        const char *detail;
        int64_t at_ms;
        int r;

        if (!ev)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: NULL event", op);
        kind = SQLS_GET(ev, struct gs_event, kind, NULL);
        actor = SQLS_GET(ev, struct gs_event, actor, NULL);
        session = SQLS_GET(ev, struct gs_event, session_id, NULL);
        detail = SQLS_GET(ev, struct gs_event, detail_json, NULL);
        at_ms = SQLS_GET(ev, struct gs_event, at_ms, 0);
        if (!kind)
                return s->api->error_set(err, GS_E_INVAL, 0, "%s: kind is required", op);
        r = sqls_check_len(s, kind, "kind", op, err);
        if (r >= 0)
                r = sqls_check_len(s, actor, "actor", op, err);
        if (r >= 0)
                r = sqls_check_len(s, session, "session_id", op, err);
        if (r >= 0)
                r = sqls_check_len(s, detail, "detail_json", op, err);
        if (r < 0)
                return r;
        if (at_ms == 0)
                at_ms = s->api->now_ms(s->host);

        sqls_lock(s);
        r = sqls_bind_int64(s, st, ":at", at_ms, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":kind", kind, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":actor", actor, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":session", session, op, err);
        if (r >= 0)
                r = sqls_bind_text(s, st, ":detail", detail, op, err);
        if (r >= 0)
                r = sqls_step_done(s, st, op, err);
        sqls_stmt_done(st);
        sqls_unlock(s);
        return r;
}

/* The filter fields that fit inside the caller's struct_size. */
struct list_args {
        const char *session;
        const char *kind;
        int64_t since_ms;
        int64_t before_id;
        int64_t limit;
};

static void list_args_read(const struct gs_event_filter *f, struct list_args *a)
{
        uint32_t limit = f ? SQLS_GET(f, struct gs_event_filter, limit, 0) : 0;

        a->session = f ? SQLS_GET(f, struct gs_event_filter, session_id, NULL) : NULL;
        a->kind = f ? SQLS_GET(f, struct gs_event_filter, kind, NULL) : NULL;
        a->since_ms = f ? SQLS_GET(f, struct gs_event_filter, since_ms, 0) : 0;
        a->before_id = f ? SQLS_GET(f, struct gs_event_filter, before_id, 0) : 0;
        if (limit == 0)
                limit = SQLS_EVENT_LIMIT_DEFAULT;
        if (limit > SQLS_EVENT_LIMIT_MAX)
                limit = SQLS_EVENT_LIMIT_MAX;
        a->limit = limit;
        if (a->since_ms == 0)
                a->since_ms = INT64_MIN;
        if (a->before_id == 0)
                a->before_id = INT64_MAX;
}

int sqls_event_list(void *instance, const struct gs_event_filter *filter,
                    struct gs_event_sink *sink, struct gs_error *err)
{
        static const enum sqls_stmt variants[2][2] = {
                {SQLS_ST_EVENT_LIST_ALL, SQLS_ST_EVENT_LIST_KIND},
                {SQLS_ST_EVENT_LIST_SESSION, SQLS_ST_EVENT_LIST_BOTH},
        };
        const char *op = "event_list";
        struct sqls *s = instance;
        struct list_args a;
        struct gs_event ev;
        sqlite3_stmt *st;
        int rc;
        int r;

        list_args_read(filter, &a);
        st = s->st[variants[a.session != NULL][a.kind != NULL]];

        sqls_lock(s);
        r = sqls_bind_int64(s, st, ":before", a.before_id, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":since", a.since_ms, op, err);
        if (r >= 0)
                r = sqls_bind_int64(s, st, ":limit", a.limit, op, err);
        if (r >= 0 && a.session)
                r = sqls_bind_text(s, st, ":session", a.session, op, err);
        if (r >= 0 && a.kind)
                r = sqls_bind_text(s, st, ":kind", a.kind, op, err);
        if (r < 0)
                goto done;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                ev = (struct gs_event){.struct_size = sizeof(ev)};
                ev.id = sqlite3_column_int64(st, 0);
                ev.at_ms = sqlite3_column_int64(st, 1);
                ev.kind = sqls_column_text(st, 2);
                ev.actor = sqls_column_text(st, 3);
                ev.session_id = sqls_column_text(st, 4);
                ev.detail_json = sqls_column_text(st, 5);
                if (!ev.kind) {
                        r = s->api->error_set(err, GS_E_NOMEM, 0, "%s: out of memory", op);
                        goto done;
                }
                r = s->api->event_emit(sink, &ev);
                if (r < 0) {
                        r = s->api->error_set(err, r, 0, "%s: the sink refused event %lld", op,
                                              (long long)ev.id);
                        goto done;
                }
        }
        if (rc != SQLITE_DONE)
                r = sqls_fail(s, rc, op, err);
done:
        sqls_stmt_done(st);
        sqls_unlock(s);
        return r;
}
