/* session_store.c - session records through the storage plugin's ops. */
#include "session/session_store.h"

#include <string.h>

#include "log.h"
#include "plugin/host_api.h"

struct one_ctx {
        struct gs_session_record rec;
        int status; /* 1 = copied */
};

static int copy_one(void *ctx, const struct gs_session_record *rec)
{
        struct one_ctx *c = ctx;
        int r;

        if (c->status)
                return 0;
        r = session_record_copy(&c->rec, rec);
        if (r < 0)
                return r;
        c->status = 1;
        return 0;
}

static int copy_into_list(void *ctx, const struct gs_session_record *rec)
{
        return session_list_add(ctx, rec);
}

int session_store_insert(struct plugin_instance *st, const struct gs_session_record *rec,
                         struct gs_error *err)
{
        int r;

        registry_enter(st);
        r = st->storage->session_insert(st->instance, rec, err);
        registry_leave(st);
        return r;
}

int session_store_get(struct plugin_instance *st, const char *id, struct gs_session_record *ret_rec,
                      struct gs_error *err)
{
        struct one_ctx c = {.status = 0};
        struct gs_session_sink sink = {.fn = copy_one, .ctx = &c};
        int r;

        registry_enter(st);
        r = st->storage->session_get(st->instance, id, &sink, err);
        registry_leave(st);
        if (r == 0 && !c.status)
                r = gs_error_set(err, GS_E_STORAGE, 0, "session_get: '%s' emitted nothing", id);
        if (r < 0) {
                session_record_done(&c.rec);
                return r;
        }
        *ret_rec = c.rec;
        return 0;
}

int session_store_update(struct plugin_instance *st, struct gs_session_record *rec,
                         int expected_status, const struct gs_cost_entry *ledger,
                         struct gs_error *err)
{
        int r;

        rec->struct_size = sizeof(*rec);
        rec->updated_at_ms = host_now_ms();
        registry_enter(st);
        r = st->storage->session_update(st->instance, rec, expected_status, ledger, err);
        registry_leave(st);
        return r;
}

int session_store_list(struct plugin_instance *st, const struct gs_session_filter *filter,
                       struct session_list *ret_list, struct gs_error *err)
{
        struct session_list l;
        struct gs_session_sink sink = {.fn = copy_into_list, .ctx = &l};
        uint64_t total = 0;
        int r;

        memset(&l, 0, sizeof(l));
        registry_enter(st);
        r = st->storage->session_list(st->instance, filter, &sink, &total, err);
        registry_leave(st);
        if (r < 0) {
                session_list_done(&l);
                return r;
        }
        l.total = total;
        *ret_list = l;
        return 0;
}

int session_store_find_idempotent(struct plugin_instance *st, const char *consumer_id,
                                  const char *key, struct gs_session_record *ret_rec,
                                  struct gs_error *err)
{
        struct gs_session_filter f = {.struct_size = sizeof(f),
                                      .consumer_id = consumer_id,
                                      .idempotency_key = key,
                                      .limit = 1};
        struct session_list l;
        int r;

        r = session_store_list(st, &f, &l, err);
        if (r < 0)
                return r;
        if (l.count == 0) {
                session_list_done(&l);
                return gs_error_set(err, GS_E_NOTFOUND, 0, "no session with this key");
        }
        *ret_rec = l.items[0];
        l.count = 0; /* the record now belongs to the caller */
        session_list_done(&l);
        return 0;
}

void session_store_event(struct plugin_instance *st, const char *kind, const char *actor,
                         const char *session_id, const char *detail_json)
{
        struct gs_event ev = {.struct_size = sizeof(ev),
                              .at_ms = host_now_ms(),
                              .kind = kind,
                              .actor = actor,
                              .session_id = session_id,
                              .detail_json = detail_json};
        struct gs_error err;
        int r;

        gs_error_init(&err);
        registry_enter(st);
        r = st->storage->event_append(st->instance, &ev, &err);
        registry_leave(st);
        if (r < 0)
                LOG_WARN("sessions", "%s: cannot record event %s: %s, ignoring", session_id, kind,
                         gs_error_msg(&err));
}
