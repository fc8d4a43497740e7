/* events.c - GET /api/v1/events (admin): the audit trail, newest first. */
#include <jansson.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "domain/rfc3339.h"
#include "domain/session_id.h"
#include "domain/units.h"
#include "http/reply.h"
#include "status.h"

#define EVENTS_LIMIT_DEFAULT 100
#define EVENTS_LIMIT_MAX 1000
#define EVENT_KIND_MAX 64

static int collect_event(void *ctx, const struct gs_event *ev)
{
        char at[RFC3339_TEXT_MAX] = "";
        json_t *o = json_object();
        json_t *detail = NULL;

        (void)rfc3339_format_ms(ev->at_ms, at, sizeof(at));
        if (ev->detail_json)
                detail = json_loads(ev->detail_json, 0, NULL);
        (void)json_object_set_new(o, "id", json_integer(ev->id));
        (void)json_object_set_new(o, "at", json_string(at));
        (void)json_object_set_new(o, "kind", json_string(ev->kind));
        (void)json_object_set_new(o, "actor", ev->actor ? json_string(ev->actor) : json_null());
        (void)json_object_set_new(o, "session_id",
                                  ev->session_id ? json_string(ev->session_id) : json_null());
        (void)json_object_set_new(o, "detail", detail ? detail : json_null());
        return json_array_append_new(ctx, o) == 0 ? 0 : GS_E_NOMEM;
}

static bool kind_ok(const char *s)
{
        size_t n = 0;

        for (; s[n]; n++)
                if (!((s[n] >= 'a' && s[n] <= 'z') || s[n] == '.' || s[n] == '_'))
                        return false;
        return n > 0 && n <= EVENT_KIND_MAX;
}

void api_events_list(struct http_request *req, struct http_response *res)
{
        static const char *const known[] = {"session_id", "kind", "limit", "before_id", NULL};
        struct app *app = req->app;
        struct plugin_instance *st = app->reg.storage;
        struct gs_event_filter f = {.struct_size = sizeof(f), .limit = EVENTS_LIMIT_DEFAULT};
        const char *v;
        json_t *list;
        struct gs_event_sink sink;
        struct gs_error err;
        int64_t n;
        int r;

        if (http_unknown_query(req, known, res))
                return;
        v = http_query(req, "session_id");
        if (v && !session_id_is_valid(v)) {
                reply_error(res, req, 400, "invalid_parameter", "session_id is not a session id");
                return;
        }
        f.session_id = v;
        v = http_query(req, "kind");
        if (v && !kind_ok(v)) {
                reply_error(res, req, 400, "invalid_parameter",
                            "kind must be like 'session.create' (a-z . _)");
                return;
        }
        f.kind = v;
        v = http_query(req, "limit");
        if (v) {
                if (units_parse_int64(v, &n) < 0 || n < 1 || n > EVENTS_LIMIT_MAX) {
                        reply_error(res, req, 400, "invalid_parameter",
                                    "limit must be an integer 1..%d", EVENTS_LIMIT_MAX);
                        return;
                }
                f.limit = (uint32_t)n;
        }
        v = http_query(req, "before_id");
        if (v) {
                if (units_parse_int64(v, &n) < 0 || n < 1) {
                        reply_error(res, req, 400, "invalid_parameter",
                                    "before_id must be a positive integer");
                        return;
                }
                f.before_id = n;
        }
        list = json_array();
        sink.fn = collect_event;
        sink.ctx = list;
        gs_error_init(&err);
        registry_enter(st);
        r = st->storage->event_list(st->instance, &f, &sink, &err);
        registry_leave(st);
        if (r < 0) {
                json_decref(list);
                reply_error(res, req, 503, "storage_unavailable", "cannot read events");
                return;
        }
        reply_json_take(res, 200, json_pack("{s:o,s:I}", "events", list, "count",
                                            (json_int_t)json_array_size(list)));
}
