/*
 * sessions.c - the session resource: POST/GET /api/v1/sessions,
 * GET/DELETE /api/v1/sessions/:id and POST .../done, .../extend,
 * .../heartbeat, GET .../diagnostics.
 *
 * Decodes and validates requests (unknown fields and parameters are 400s
 * naming them), scopes them to the principal's consumers, calls the session
 * service and renders its records (session/session_json.h) and its errors.
 * The private key of a new session is written into the 201 body only, and
 * every temporary copy is wiped.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/budget_refusal.h"
#include "api/session_body.h"
#include "app.h"
#include "auth/principal.h"
#include "domain/json_text.h"
#include "domain/session_fsm.h"
#include "domain/session_id.h"
#include "domain/session_request.h"
#include "domain/units.h"
#include "http/reply.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/provision.h"
#include "session/session_detail.h"
#include "session/session_json.h"
#include "session/session_ops.h"

#define COMPONENT "sessions"
/* Most bytes of an id quoted back in an error. */
#define ID_ECHO_MAX 128
/* GET /api/v1/sessions paging. */
#define SESSIONS_LIMIT_DEFAULT 100
#define SESSIONS_LIMIT_MAX 1000
#define SESSIONS_OFFSET_MAX 100000000
/* Idempotency-Key: 1..IDEMPOTENCY_KEY_MAX visible ASCII characters. */
#define IDEMPOTENCY_KEY_MAX 128
#define IDEMPOTENCY_HEADER "Idempotency-Key"
/* Unknown body fields named in one error. */
#define UNKNOWN_FIELDS_MAX 8
#define ACTOR_LOCAL "local"

static const char key_notice[] =
        "Save ssh_private_key now: it is returned only in this response and is never stored, "
        "logged or shown again.";
static const char replay_notice[] =
        "This Idempotency-Key already created this session; no new instance was created. The "
        "private key was returned only in the first response and is never returned again.";
static const char stale_hint[] =
        "The offer was rented by someone else since the inventory was refreshed. Refresh the "
        "inventory (GET /api/v1/inventory) and choose another offer, or send \"auto_retry\": "
        "true to fall back to a comparable offer.";

/* ------------------------------------------------------------------------ */
/* Replies.                                                                 */

static struct session_service *service(const struct http_request *req)
{
        return ((struct app *)req->app)->sessions;
}

static const char *actor(const struct http_request *req)
{
        return req->principal.actor[0] ? req->principal.actor : ACTOR_LOCAL;
}

/* The principal may see and act on this consumer's sessions. */
static bool may_act_for(const struct http_request *req, const char *consumer_id)
{
        if (!req->principal.authenticated)
                return true;
        return principal_allows_consumer(&req->principal, consumer_id);
}

static void set_body(struct http_response *res, int status, char *body)
{
        free(res->body);
        res->status = status;
        res->content_type = "application/json";
        res->body = body;
        res->body_len = strlen(body);
}

/* Serialise with money precision; takes body. */
static void reply_take(struct http_response *res, const struct http_request *req, int status,
                       json_t *body)
{
        char *text = body ? session_json_dumps(body) : NULL;

        json_decref(body);
        if (!text) {
                reply_error(res, req, 500, "internal", "out of memory");
                return;
        }
        set_body(res, status, text);
}

/* An error with extra members (extra taken; may be NULL). */
static void reply_error_with(struct http_response *res, const struct http_request *req, int status,
                             const char *type, json_t *extra, const char *fmt, ...) GS_PRINTF(6, 7);
static void reply_error_with(struct http_response *res, const struct http_request *req, int status,
                             const char *type, json_t *extra, const char *fmt, ...)
{
        char msg[GS_ERROR_MSG_MAX + 256];
        json_t *o = json_object();
        json_t *m;
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        m = json_string(msg);
        (void)json_object_set_new(o, "error", m ? m : json_string("invalid request"));
        (void)json_object_set_new(o, "error_type", json_string(type));
        (void)json_object_set_new(o, "request_id", json_string(req->request_id));
        if (extra)
                (void)json_object_update(o, extra);
        json_decref(extra);
        reply_take(res, req, status, o);
}

static void reply_not_found(struct http_response *res, const struct http_request *req,
                            const char *id)
{
        reply_error(res, req, 404, "not_found", "session not found: %.*s", ID_ECHO_MAX, id);
}

/* Map a service failure (logged by the service when it was its fault). */
static void reply_op_error(struct http_response *res, const struct http_request *req,
                           const char *id, int r, const struct session_op_info *info,
                           const struct gs_error *err)
{
        const char *status = info ? session_fsm_status_name(info->old_status) : NULL;

        switch (r) {
        case GS_E_NOTFOUND:
                reply_not_found(res, req, id);
                return;
        case GS_E_CONFLICT:
                reply_error_with(res, req, 409, "conflict",
                                 status ? json_pack("{ss}", "status", status) : NULL, "%s",
                                 gs_error_msg(err));
                return;
        case GS_E_STORAGE:
                LOG_ERR(COMPONENT, "%s: %s", id, gs_error_msg(err));
                reply_error(res, req, 503, "storage_unavailable", "%s", gs_error_msg(err));
                return;
        default:
                LOG_ERR(COMPONENT, "%s: %s (%s)", id, gs_error_msg(err), gs_status_name(r));
                reply_error(res, req, 500, "internal", "%s", gs_error_msg(err));
        }
}

/* The :id parameter, or NULL after replying 404. */
static const char *path_id(const struct http_request *req, struct http_response *res)
{
        const char *id = req->param_count > 0 ? req->params[0] : "";

        if (!session_id_is_valid(id)) {
                reply_not_found(res, req, id);
                return NULL;
        }
        return id;
}

/* Read the session and check the principal may act on it (else 404). */
static int load_scoped(struct http_request *req, struct http_response *res, const char *id,
                       struct gs_session_record *ret_rec)
{
        struct gs_session_record rec;
        struct gs_error e;
        int r;

        gs_error_init(&e);
        r = session_ops_get(service(req), id, &rec, &e);
        if (r < 0) {
                reply_op_error(res, req, id, r, NULL, &e);
                return r;
        }
        if (!may_act_for(req, rec.consumer_id)) {
                session_record_done(&rec);
                reply_not_found(res, req, id);
                return GS_E_NOTFOUND;
        }
        *ret_rec = rec;
        return 0;
}

/* ------------------------------------------------------------------------ */
/* Request bodies.                                                          */

/* Parse the body as a JSON object; NULL after replying 400. An empty body
 * is an empty object when empty_ok. */
static json_t *body_object(const struct http_request *req, struct http_response *res, bool empty_ok)
{
        json_error_t jerr;
        json_t *doc;

        if (req->body_len == 0) {
                if (empty_ok)
                        return json_object();
                reply_error(res, req, 400, "invalid_request",
                            "a JSON object body is required (Content-Type: application/json)");
                return NULL;
        }
        doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc) {
                reply_error(res, req, 400, "invalid_json",
                            "the body is not valid JSON: %s (line %d, column %d)", jerr.text,
                            jerr.line, jerr.column);
                return NULL;
        }
        if (!json_is_object(doc)) {
                json_decref(doc);
                reply_error(res, req, 400, "invalid_request", "the body must be a JSON object");
                return NULL;
        }
        return doc;
}

/* 400 naming every member of doc not in `known` (NULL-terminated); true
 * when it replied. */
static bool reject_unknown(const struct http_request *req, struct http_response *res, json_t *doc,
                           const char *const *known, const char *known_text)
{
        char names[UNKNOWN_FIELDS_MAX * (SESSION_REQUEST_FIELD_MAX + 2) + 8] = "";
        json_t *list = json_array();
        const char *key;
        json_t *value;
        size_t used = 0, n = 0;

        json_object_foreach(doc, key, value)
        {
                bool ok = false;

                for (size_t i = 0; known[i] && !ok; i++)
                        ok = strcmp(known[i], key) == 0;
                if (ok)
                        continue;
                if (n < UNKNOWN_FIELDS_MAX) {
                        int w = snprintf(names + used, sizeof(names) - used, "%s'%.*s'",
                                         n ? ", " : "", SESSION_REQUEST_FIELD_MAX, key);

                        if (w > 0 && (size_t)w < sizeof(names) - used)
                                used += (size_t)w;
                        (void)json_array_append_new(list, json_string(key));
                }
                n++;
        }
        if (n == 0) {
                json_decref(list);
                return false;
        }
        reply_error_with(res, req, 400, "unknown_field", json_pack("{so}", "fields", list),
                         "unknown field%s %s%s (known: %s)", n == 1 ? "" : "s", names,
                         n > UNKNOWN_FIELDS_MAX ? ", ..." : "", known_text);
        return true;
}

static void reply_invalid_field(struct http_response *res, const struct http_request *req,
                                const char *field, const char *msg)
{
        reply_error_with(res, req, 400, "invalid_request", json_pack("{ss}", "field", field), "%s",
                         msg);
}

/* Decode and validate a create body into *req (strings borrowed from *doc). */
static bool decode_create(const struct http_request *hreq, struct http_response *res,
                          const struct session_limits *lim, json_t **ret_doc,
                          struct session_request *req)
{
        static const char *const known[] = {"consumer_id",
                                            "offer_id",
                                            "workload_type",
                                            "reservation_hours",
                                            "idle_threshold_minutes",
                                            "storage_policy",
                                            "disk_gb",
                                            "template_hash_id",
                                            "auto_retry",
                                            NULL};
        struct session_request_error verr;
        json_t *doc = body_object(hreq, res, false);

        if (!doc)
                return false;
        if (reject_unknown(hreq, res, doc, known, session_request_field_names()))
                goto fail;
        memset(&verr, 0, sizeof(verr));
        if (session_body_decode(doc, req, &verr) < 0 ||
            session_request_validate(req, lim, &verr) < 0) {
                reply_invalid_field(res, hreq, verr.field, verr.msg);
                goto fail;
        }
        *ret_doc = doc;
        return true;
fail:
        json_decref(doc);
        return false;
}

/* The Idempotency-Key header (NULL when absent) into *ret_key; false after 400. */
static bool idempotency_key(const struct http_request *req, struct http_response *res,
                            const char **ret_key)
{
        const char *k = http_header(req, IDEMPOTENCY_HEADER);
        size_t n = 0;

        for (; k && k[n]; n++)
                if (k[n] < 0x21 || k[n] > 0x7e || n >= IDEMPOTENCY_KEY_MAX)
                        break;
        if (k && (n == 0 || k[n])) {
                reply_error(res, req, 400, "invalid_header",
                            IDEMPOTENCY_HEADER " must be 1-%d visible ASCII characters",
                            IDEMPOTENCY_KEY_MAX);
                return false;
        }
        *ret_key = k;
        return true;
}

/* ------------------------------------------------------------------------ */
/* POST /api/v1/sessions                                                    */

static json_t *tried_array(const struct provision_error *perr)
{
        json_t *a = json_array();

        for (size_t i = 0; i < perr->tried_count; i++)
                (void)json_array_append_new(a, json_string(perr->tried[i]));
        return a;
}

static void reply_provision_error(struct http_response *res, const struct http_request *req,
                                  const struct provision_error *perr)
{
        const char *msg = gs_error_msg(&perr->err);
        json_t *x = json_object();

        if (perr->session_id[0]) {
                (void)json_object_set_new(x, "session_id", json_string(perr->session_id));
                (void)json_object_set_new(
                        x, "session_status",
                        json_string(session_fsm_status_name(perr->session_status)));
        }
        switch (perr->failure) {
        case PROVISION_FAIL_OFFER_UNKNOWN:
                (void)json_object_set_new(x, "offer_id", json_string(perr->offer_id));
                reply_error_with(res, req, 404, "not_found", x, "%s", msg);
                return;
        case PROVISION_FAIL_STALE:
                (void)json_object_set_new(x, "offer_id", json_string(perr->offer_id));
                (void)json_object_set_new(x, "provider", json_string(perr->provider));
                (void)json_object_set_new(x, "retry_suggested", json_true());
                (void)json_object_set_new(x, "hint", json_string(stale_hint));
                (void)json_object_set_new(x, "offers_tried", tried_array(perr));
                reply_error_with(res, req, 503, "stale_inventory", x, "%s", msg);
                return;
        case PROVISION_FAIL_PROVIDER:
                (void)json_object_set_new(x, "provider", json_string(perr->provider));
                (void)json_object_set_new(x, "offer_id", json_string(perr->offer_id));
                (void)json_object_set_new(x, "retry_suggested", json_true());
                if (perr->err.status == GS_E_RATELIMIT) {
                        res->retry_after_s = perr->err.retry_after_s;
                        reply_error_with(res, req, 503, "provider_rate_limited", x, "%s", msg);
                } else {
                        reply_error_with(res, req, 502, "provider_error", x, "%s", msg);
                }
                return;
        case PROVISION_FAIL_UNSUPPORTED:
                (void)json_object_set_new(x, "provider", json_string(perr->provider));
                reply_error_with(res, req, 422, "provider_unsupported", x, "%s", msg);
                return;
        case PROVISION_FAIL_LIMIT:
                reply_error_with(res, req, 429, "too_many_sessions", x, "%s", msg);
                return;
        case PROVISION_FAIL_IDEMPOTENCY:
                reply_error_with(res, req, 422, "idempotency_key_reused", x, "%s", msg);
                return;
        default:
                reply_error_with(res, req, perr->err.status == GS_E_STORAGE ? 503 : 500,
                                 perr->err.status == GS_E_STORAGE ? "storage_unavailable"
                                                                  : "internal",
                                 x, "%s", msg);
        }
}

/* {"session":{...},"message":...,"ssh_private_key":"..."}: the key is
 * spliced in as text so it never sits in a JSON tree; temporaries are wiped. */
static void reply_created(struct http_response *res, const struct http_request *req,
                          const struct provision_result *pr)
{
        json_t *o = json_pack("{so ss}", "session", session_json(&pr->rec, host_now_ms()),
                              "message", key_notice);
        char *head = o ? session_json_dumps(o) : NULL;
        size_t head_len, key_len, cap;
        char *body = NULL;

        json_decref(o);
        if (!head)
                goto fail;
        head_len = strlen(head);
        key_len = json_text_quote(pr->private_key, NULL, 0);
        cap = head_len + sizeof(",\"ssh_private_key\":") + key_len + 2;
        body = malloc(cap);
        if (!body || head_len < 2)
                goto fail;
        memcpy(body, head, head_len - 1); /* without the closing '}' */
        memcpy(body + head_len - 1, ",\"ssh_private_key\":", sizeof(",\"ssh_private_key\":") - 1);
        (void)json_text_quote(pr->private_key,
                              body + head_len - 1 + sizeof(",\"ssh_private_key\":") - 1,
                              key_len + 1);
        memcpy(body + head_len - 1 + sizeof(",\"ssh_private_key\":") - 1 + key_len, "}", 2);
        free(head);
        set_body(res, 201, body);
        return;
fail:
        free(head);
        free(body);
        reply_error(res, req, 500, "internal", "out of memory");
}

/* Budget admission (costs/budget.h) for session_provision(). */
struct budget_admission {
        struct budget *budget; /* NULL = no budgets */
        struct budget_decision decision;
        bool refused;
};

static int admit_budget(void *ctx, const char *consumer_id, int64_t price_uusd_per_hour,
                        uint32_t reservation_hours, struct gs_error *err)
{
        struct budget_admission *b = ctx;
        int r;

        if (!b->budget)
                return 0;
        r = budget_admit(b->budget, consumer_id, price_uusd_per_hour, reservation_hours,
                         host_now_ms(), &b->decision, err);
        if (r < 0)
                return r;
        b->refused = b->decision.verdict != COST_BUDGET_OK;
        return b->refused ? GS_E_TOOBIG : 0;
}

void api_sessions_create(struct http_request *req, struct http_response *res)
{
        struct session_service *svc = service(req);
        struct session_limits lim = {
                .max_reservation_hours = svc->cfg.max_reservation_hours,
                .default_disk_gb = svc->cfg.default_disk_gb,
                .min_disk_gb = svc->cfg.min_disk_gb,
                .max_disk_gb = svc->cfg.max_disk_gb,
        };
        struct budget_admission ba = {.budget = ((struct app *)req->app)->budget};
        struct provision_admission adm = {.fn = admit_budget, .ctx = &ba};
        struct provision_result pr;
        struct provision_error perr;
        struct session_request sreq;
        const char *key = NULL;
        json_t *doc = NULL;

        if (!idempotency_key(req, res, &key) || !decode_create(req, res, &lim, &doc, &sreq))
                return;
        if (!may_act_for(req, sreq.consumer_id)) {
                reply_error(res, req, 403, "forbidden", "this token may not act for consumer '%s'",
                            sreq.consumer_id);
                goto done;
        }
        memset(&pr, 0, sizeof(pr));
        if (session_provision(svc, &sreq, key, actor(req), &adm, &pr, &perr) < 0) {
                if (perr.failure == PROVISION_FAIL_ADMISSION && ba.refused)
                        budget_reply_refusal(res, req, sreq.consumer_id,
                                             (uint32_t)sreq.reservation_hours,
                                             &ba.decision.refusal);
                else
                        reply_provision_error(res, req, &perr);
                goto done;
        }
        if (pr.outcome == PROVISION_CREATED) {
                reply_created(res, req, &pr);
        } else {
                reply_take(res, req, 200,
                           json_pack("{so sb sn ss}", "session",
                                     session_json(&pr.rec, host_now_ms()), "idempotent_replay", 1,
                                     "ssh_private_key", "message", replay_notice));
        }
        provision_result_done(&pr);
done:
        json_decref(doc);
}

/* ------------------------------------------------------------------------ */
/* GET /api/v1/sessions                                                     */

static bool parse_status_list(const char *value, uint32_t *ret_mask)
{
        char word[16];
        uint32_t mask = 0;
        const char *p = value;
        int status;

        while (p && *p) {
                size_t n = strcspn(p, ",");

                if (n == 0 || n >= sizeof(word))
                        return false;
                memcpy(word, p, n);
                word[n] = '\0';
                if (session_fsm_status_parse(word, &status) < 0)
                        return false;
                mask |= 1u << status;
                p += n;
                if (*p == ',' && !*++p)
                        return false;
        }
        if (!mask)
                return false;
        *ret_mask = mask;
        return true;
}

static bool parse_bounded(const char *value, int64_t min, int64_t max, int64_t *ret_value)
{
        int64_t v;

        if (!value || units_parse_int64(value, &v) < 0 || v < min || v > max)
                return false;
        *ret_value = v;
        return true;
}

static void reply_bad_param(struct http_response *res, const struct http_request *req,
                            const char *param, const char *fmt, ...) GS_PRINTF(4, 5);
static void reply_bad_param(struct http_response *res, const struct http_request *req,
                            const char *param, const char *fmt, ...)
{
        char msg[256];
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        reply_error_with(res, req, 400, "invalid_parameter", json_pack("{ss}", "parameter", param),
                         "%s", msg);
}

/* Fill the filter from the query; false after 400/403. */
static bool list_filter(const struct http_request *req, struct http_response *res,
                        struct gs_session_filter *f)
{
        static const char *const known[] = {"consumer_id", "status", "provider",
                                            "limit",       "offset", NULL};
        struct app *app = req->app;
        const char *consumer = http_query(req, "consumer_id");
        const char *status = http_query(req, "status");
        const char *provider = http_query(req, "provider");
        const char *limit = http_query(req, "limit");
        const char *offset = http_query(req, "offset");
        int64_t v;

        if (http_unknown_query(req, known, res))
                return false;
        memset(f, 0, sizeof(*f));
        f->struct_size = sizeof(*f);
        f->limit = SESSIONS_LIMIT_DEFAULT;
        if (consumer && !session_id_is_valid_consumer(consumer)) {
                reply_bad_param(res, req, "consumer_id",
                                "invalid consumer_id: must be 1-%d characters of A-Z a-z 0-9 . "
                                "_ : -",
                                CONSUMER_ID_MAX);
                return false;
        }
        if (status && !parse_status_list(status, &f->status_mask)) {
                reply_bad_param(res, req, "status",
                                "invalid status '%.32s': must be one or more (comma-separated) "
                                "of pending, provisioning, running, stopping, stopped, failed",
                                status);
                return false;
        }
        if (provider && !registry_provider(&app->reg, provider)) {
                reply_bad_param(res, req, "provider",
                                "unknown provider '%.32s': not a configured [provider.NAME]",
                                provider);
                return false;
        }
        if (limit) {
                if (!parse_bounded(limit, 1, SESSIONS_LIMIT_MAX, &v)) {
                        reply_bad_param(res, req, "limit",
                                        "invalid limit '%.32s': must be an integer 1-%d", limit,
                                        SESSIONS_LIMIT_MAX);
                        return false;
                }
                f->limit = (uint32_t)v;
        }
        if (offset) {
                if (!parse_bounded(offset, 0, SESSIONS_OFFSET_MAX, &v)) {
                        reply_bad_param(res, req, "offset",
                                        "invalid offset '%.32s': must be an integer >= 0", offset);
                        return false;
                }
                f->offset = (uint32_t)v;
        }
        if (consumer && !may_act_for(req, consumer)) {
                reply_error(res, req, 403, "forbidden", "this token may not act for consumer '%s'",
                            consumer);
                return false;
        }
        if (!consumer && req->principal.authenticated && req->principal.role == GS_ROLE_CONSUMER) {
                if (strchr(req->principal.consumers, ',')) {
                        reply_bad_param(res, req, "consumer_id",
                                        "consumer_id is required: this token acts for several "
                                        "consumers");
                        return false;
                }
                consumer = req->principal.consumers;
        }
        f->consumer_id = consumer;
        f->provider = provider;
        return true;
}

void api_sessions_list(struct http_request *req, struct http_response *res)
{
        struct gs_session_filter f;
        struct session_list l;
        struct gs_error e;
        json_t *arr;
        int64_t now = host_now_ms();
        int r;

        if (!list_filter(req, res, &f))
                return;
        gs_error_init(&e);
        r = session_ops_list(service(req), &f, &l, &e);
        if (r < 0) {
                reply_op_error(res, req, "sessions", r, NULL, &e);
                return;
        }
        arr = json_array();
        for (size_t i = 0; i < l.count; i++)
                (void)json_array_append_new(arr, session_json(&l.items[i], now));
        reply_take(res, req, 200,
                   json_pack("{so sI sI}", "sessions", arr, "count", (json_int_t)l.count, "total",
                             (json_int_t)l.total));
        session_list_done(&l);
}

/* ------------------------------------------------------------------------ */
/* One session.                                                             */

void api_sessions_get(struct http_request *req, struct http_response *res)
{
        const char *id = path_id(req, res);
        struct gs_session_record rec;

        if (!id || load_scoped(req, res, id, &rec) < 0)
                return;
        reply_take(res, req, 200, session_json(&rec, host_now_ms()));
        session_record_done(&rec);
}

static void stop(struct http_request *req, struct http_response *res, int event)
{
        const char *id = path_id(req, res);
        struct gs_session_record rec;
        struct session_op_info info;
        struct gs_error e;
        const char *msg;
        int r;

        if (!id || load_scoped(req, res, id, &rec) < 0)
                return;
        session_record_done(&rec);
        gs_error_init(&e);
        r = session_ops_stop(service(req), id, event, actor(req), &rec, &info, &e);
        if (r < 0) {
                reply_op_error(res, req, id, r, &info, &e);
                return;
        }
        if (info.idempotent)
                msg = "the session is already stopping; its instance is being destroyed (no "
                      "second destroy was requested)";
        else if (event == SESSION_EV_DONE)
                msg = "session shutdown initiated: stopping, the instance is being destroyed and "
                      "then verified gone before the session becomes stopped";
        else
                msg = "session destroy initiated: stopping, the instance is being destroyed and "
                      "then verified gone before the session becomes stopped";
        reply_take(res, req, 200,
                   json_pack("{ss ss sb so}", "message", msg, "session_id", id, "already_stopping",
                             info.idempotent, "session", session_json(&rec, host_now_ms())));
        session_record_done(&rec);
}

void api_sessions_done(struct http_request *req, struct http_response *res)
{
        stop(req, res, SESSION_EV_DONE);
}

void api_sessions_delete(struct http_request *req, struct http_response *res)
{
        stop(req, res, SESSION_EV_DELETE);
}

void api_sessions_extend(struct http_request *req, struct http_response *res)
{
        static const char *const known[] = {"additional_hours", NULL};
        struct session_service *svc = service(req);
        const char *id = path_id(req, res);
        struct gs_session_record rec;
        struct session_op_info info;
        struct gs_error e;
        json_t *doc, *h;
        char msg[128];
        int r;

        if (!id)
                return;
        doc = body_object(req, res, false);
        if (!doc)
                return;
        if (reject_unknown(req, res, doc, known, "additional_hours"))
                goto done;
        h = json_object_get(doc, "additional_hours");
        if (!h || json_is_null(h)) {
                reply_invalid_field(res, req, "additional_hours", "additional_hours is required");
                goto done;
        }
        if (!json_is_integer(h) || json_integer_value(h) < 1 ||
            json_integer_value(h) > svc->cfg.max_reservation_hours) {
                (void)snprintf(msg, sizeof(msg),
                               "additional_hours must be an integer between 1 and %u",
                               svc->cfg.max_reservation_hours);
                reply_invalid_field(res, req, "additional_hours", msg);
                goto done;
        }
        if (load_scoped(req, res, id, &rec) < 0)
                goto done;
        session_record_done(&rec);
        gs_error_init(&e);
        r = session_ops_extend(svc, id, (uint32_t)json_integer_value(h), actor(req), &rec, &info,
                               &e);
        if (r == GS_E_TOOBIG) {
                reply_error_with(res, req, 409, "hard_max_exceeded",
                                 json_pack("{sI sI so}", "limit_hours",
                                           (json_int_t)info.limit_hours, "max_additional_hours",
                                           (json_int_t)info.hours_left, "limit_at",
                                           session_json_time(info.limit_at_ms)),
                                 "%s", gs_error_msg(&e));
                goto done;
        }
        if (r < 0) {
                reply_op_error(res, req, id, r, &info, &e);
                goto done;
        }
        reply_take(res, req, 200,
                   json_pack("{ss ss sI so sI so}", "message", "session extended", "session_id", id,
                             "additional_hours", json_integer_value(h), "new_expires_at",
                             session_json_time(rec.expires_at_ms), "max_additional_hours",
                             (json_int_t)info.hours_left, "session",
                             session_json(&rec, host_now_ms())));
        session_record_done(&rec);
done:
        json_decref(doc);
}

void api_sessions_heartbeat(struct http_request *req, struct http_response *res)
{
        static const char *const known[] = {NULL};
        const char *id = path_id(req, res);
        struct gs_session_record rec;
        struct session_op_info info;
        struct gs_error e;
        json_t *doc;
        int r;

        if (!id)
                return;
        doc = body_object(req, res, true);
        if (!doc)
                return;
        if (reject_unknown(req, res, doc, known, "none: send an empty body or {}"))
                goto done;
        if (load_scoped(req, res, id, &rec) < 0)
                goto done;
        session_record_done(&rec);
        gs_error_init(&e);
        r = session_ops_heartbeat(service(req), id, &rec, &info, &e);
        if (r < 0) {
                reply_op_error(res, req, id, r, &info, &e);
                goto done;
        }
        reply_take(res, req, 200,
                   json_pack("{ss ss so so}", "message", "heartbeat recorded", "session_id", id,
                             "last_activity_at", session_json_time(rec.last_activity_ms),
                             "expires_at", session_json_time(rec.expires_at_ms)));
        session_record_done(&rec);
done:
        json_decref(doc);
}

/* ------------------------------------------------------------------------ */
/* GET /api/v1/sessions/:id/diagnostics                                     */

static const char *instance_state_name(uint32_t state)
{
        static const char *const names[] = {"unknown", "pending", "running", "stopped", "deleting"};

        return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

static json_t *str_or_null(const char *s)
{
        json_t *j = s ? json_string(s) : NULL;

        return j ? j : json_null();
}

static json_t *seconds_between(int64_t from_ms, int64_t to_ms)
{
        return from_ms > 0 && to_ms > 0 ? json_integer((to_ms - from_ms) / MS_PER_SECOND)
                                        : json_null();
}

static json_t *instance_json(const struct session_diagnostics *d)
{
        if (d->instance_status == 1)
                return json_null();
        if (d->instance_status == GS_E_NOTFOUND)
                return json_pack("{sb ss}", "found", 0, "detail", d->instance_error);
        if (d->instance_status < 0)
                return json_pack("{sn ss ss}", "found", "error", d->instance_error, "status",
                                 gs_status_name(d->instance_status));
        return json_pack("{sb ss so so so so}", "found", 1, "state",
                         instance_state_name(d->inst.state), "status_raw",
                         str_or_null(d->inst.status_raw), "ssh_host", str_or_null(d->inst.ssh_host),
                         "ssh_port",
                         d->inst.ssh_port ? json_integer(d->inst.ssh_port) : json_null(),
                         "ssh_user", str_or_null(d->inst.ssh_user));
}

static json_t *probe_json(const struct session_diagnostics *d, const json_t *detail)
{
        const json_t *lp = json_object_get(detail, "last_probe");

        if (d->has_probe)
                return json_pack("{so sb ss so sI}", "at", session_json_time(d->probe.at_ms), "ok",
                                 d->probe.ok, "stage", d->probe.stage, "error",
                                 d->probe.error[0] ? json_string(d->probe.error) : json_null(),
                                 "attempts", (json_int_t)d->probe.attempts);
        if (json_is_object(lp))
                return json_pack(
                        "{so sb so}", "at",
                        session_json_time(json_integer_value(json_object_get(lp, "at_ms"))), "ok",
                        json_is_true(json_object_get(lp, "ok")), "error",
                        str_or_null(json_string_value(json_object_get(lp, "error"))));
        return json_null();
}

void api_sessions_diagnostics(struct http_request *req, struct http_response *res)
{
        const char *id = path_id(req, res);
        struct session_diagnostics d;
        struct gs_session_record rec;
        struct gs_error e;
        const struct gs_session_record *s = &d.rec;
        int64_t now = host_now_ms();
        bool ssh_known;
        json_t *detail, *o;
        int r;

        if (!id || load_scoped(req, res, id, &rec) < 0)
                return;
        session_record_done(&rec);
        gs_error_init(&e);
        r = session_ops_diagnose(service(req), id, &d, &e);
        if (r < 0) {
                reply_op_error(res, req, id, r, NULL, &e);
                return;
        }
        ssh_known = s->ssh_host && s->ssh_port;
        detail = session_detail_parse(s->detail_json);
        o = json_pack("{ss so so so so sI so so so so so}", "session_id", id, "status",
                      str_or_null(session_fsm_status_name(s->status)), "status_reason",
                      str_or_null(s->status_reason), "provider", str_or_null(s->provider),
                      "provider_instance_id", str_or_null(s->provider_instance_id), "jobs_waiting",
                      (json_int_t)d.jobs_waiting, "instance", instance_json(&d), "last_probe",
                      probe_json(&d, detail), "host_key",
                      str_or_null(session_detail_str(detail, "host_key")), "session",
                      session_json(s, now), "ssh",
                      json_pack("{so so so sb}", "host", str_or_null(s->ssh_host), "port",
                                s->ssh_port ? json_integer(s->ssh_port) : json_null(), "user",
                                str_or_null(s->ssh_user), "available",
                                ssh_known && s->status == GS_SESSION_RUNNING));
        if (o) {
                (void)json_object_set_new(
                        o, "uptime_seconds",
                        s->stopped_at_ms ? seconds_between(s->started_at_ms, s->stopped_at_ms)
                                         : seconds_between(s->started_at_ms, now));
                (void)json_object_set_new(o, "time_to_expiry_seconds",
                                          s->status == GS_SESSION_RUNNING
                                                  ? seconds_between(now, s->expires_at_ms)
                                                  : json_null());
        }
        json_decref(detail);
        reply_take(res, req, 200, o);
        session_diagnostics_done(&d);
}
