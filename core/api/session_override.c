/*
 * session_override.c - POST /api/v1/sessions/:id/override (admin only): the
 * explicit, audited way past the hard maximum (ARCHITECTURE §8).
 *
 *   {"hard_max_hours": N, "reason": "why"}   N in 1..[lifecycle] max_override_hours
 *
 * Sets the session's own hard maximum to N hours from started_at (extensions
 * may then reach it too), records who and why in the session and the audit
 * trail, and answers 200 with the new limit and the session. 400 for a bad
 * body, 404 for an unknown session, 409 when it is stopping or over.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "domain/session_fsm.h"
#include "domain/session_id.h"
#include "domain/units.h"
#include "http/reply.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/session_json.h"
#include "session/session_override.h"

#define COMPONENT "sessions"
#define ID_ECHO_MAX 128

/* 200 with money at full precision (session_json_dumps); takes body. */
static void reply_session_json(struct http_response *res, const struct http_request *req,
                               json_t *body)
{
        char *text = body ? session_json_dumps(body) : NULL;

        json_decref(body);
        if (!text) {
                reply_error(res, req, 500, "internal", "out of memory");
                return;
        }
        reply_text(res, 200, "application/json", text, strlen(text));
        free(text);
}

static void reply_bad(struct http_response *res, const struct http_request *req,
                      const char *field, const char *msg)
{
        json_t *o = json_pack("{ss ss ss ss}", "error", msg, "error_type", "invalid_request",
                              "request_id", req->request_id, "field", field);

        reply_json_take(res, 400, o);
}

/* A reason is 1..SESSION_OVERRIDE_REASON_MAX printable bytes, not blank. */
static bool reason_ok(const char *s, size_t len)
{
        bool visible = false;

        if (len == 0 || len > SESSION_OVERRIDE_REASON_MAX || strlen(s) != len)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c < 0x20 || c == 0x7f)
                        return false;
                if (c != ' ')
                        visible = true;
        }
        return visible;
}

void api_sessions_override(struct http_request *req, struct http_response *res)
{
        struct app *app = req->app;
        uint32_t max = app->settings.lifecycle.max_override_hours;
        const char *id = req->param_count > 0 ? req->params[0] : "";
        const char *actor = req->principal.actor[0] ? req->principal.actor : "local";
        struct gs_session_record rec;
        struct session_op_info info;
        struct gs_error e;
        json_error_t jerr;
        json_t *doc = NULL, *h, *why, *limit_at;
        const char *key;
        json_t *value;
        char msg[160];
        int r;

        if (!session_id_is_valid(id)) {
                reply_error(res, req, 404, "not_found", "session not found: %.*s", ID_ECHO_MAX,
                            id);
                return;
        }
        doc = req->body_len ? json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr)
                            : NULL;
        if (!json_is_object(doc)) {
                reply_error(res, req, 400, "invalid_request",
                            "a JSON object body {\"hard_max_hours\": N, \"reason\": \"...\"} is "
                            "required");
                goto done;
        }
        json_object_foreach(doc, key, value)
        {
                if (strcmp(key, "hard_max_hours") != 0 && strcmp(key, "reason") != 0) {
                        reply_error(res, req, 400, "unknown_field",
                                    "unknown field '%.64s' (known: hard_max_hours, reason)", key);
                        goto done;
                }
        }
        h = json_object_get(doc, "hard_max_hours");
        if (!json_is_integer(h) || json_integer_value(h) < 1 ||
            json_integer_value(h) > (json_int_t)max) {
                (void)snprintf(msg, sizeof(msg),
                               "hard_max_hours must be an integer between 1 and %u "
                               "([lifecycle] max_override_hours)",
                               max);
                reply_bad(res, req, "hard_max_hours", msg);
                goto done;
        }
        why = json_object_get(doc, "reason");
        if (!json_is_string(why) || !reason_ok(json_string_value(why), json_string_length(why))) {
                (void)snprintf(msg, sizeof(msg),
                               "reason is required: why the hard maximum is overridden (1-%d "
                               "printable characters); it is kept in the audit trail",
                               SESSION_OVERRIDE_REASON_MAX);
                reply_bad(res, req, "reason", msg);
                goto done;
        }
        gs_error_init(&e);
        r = session_ops_override(app->sessions, id, (uint32_t)json_integer_value(h),
                                 json_string_value(why), actor, &rec, &info, &e);
        if (r == GS_E_NOTFOUND) {
                reply_error(res, req, 404, "not_found", "session not found: %s", id);
                goto done;
        }
        if (r == GS_E_CONFLICT) {
                json_t *o = json_pack("{ss ss ss ss}", "error", gs_error_msg(&e), "error_type",
                                      "conflict", "request_id", req->request_id, "status",
                                      session_fsm_status_name(info.old_status)
                                              ? session_fsm_status_name(info.old_status)
                                              : "unknown");

                reply_json_take(res, 409, o);
                goto done;
        }
        if (r < 0) {
                LOG_ERR(COMPONENT, "%s: override failed: %s", id, gs_error_msg(&e));
                reply_error(res, req, r == GS_E_STORAGE ? 503 : 500,
                            r == GS_E_STORAGE ? "storage_unavailable" : "internal", "%s",
                            gs_error_msg(&e));
                goto done;
        }
        limit_at = rec.started_at_ms > 0
                           ? session_json_time(rec.started_at_ms +
                                               (int64_t)json_integer_value(h) * MS_PER_HOUR)
                           : json_null();
        reply_session_json(res, req,
                           json_pack("{ss ss sI ss so so}", "message", "hard maximum overridden",
                                     "session_id", id, "hard_max_hours", json_integer_value(h),
                                     "reason", json_string_value(why), "hard_max_at", limit_at,
                                     "session", session_json(&rec, host_now_ms())));
        session_record_done(&rec);
done:
        json_decref(doc);
}
