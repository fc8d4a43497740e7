/*
 * costs.c - GET /api/v1/costs and GET /api/v1/costs/summary.
 *
 * /costs: session_id (404 for an unknown session, or one of a consumer the
 * token may not see), consumer_id (403 outside a consumer token's list),
 * start_date / end_date (YYYY-MM-DD, UTC, both inclusive; 400 when malformed
 * or start is after end), period = daily | monthly (buckets under
 * "periods"). Without dates the window is unbounded (period_start /
 * period_end null). With a period, a missing start_date is the current UTC
 * month's first day (daily) or the current year's (monthly) and a missing
 * end_date the end of the current bucket.
 * /costs/summary: the current UTC month, optional consumer_id.
 *
 * A consumer token without consumer_id gets the sum over its consumers.
 * Costs of running sessions are included up to now (cost_report.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "costs/cost_json.h"
#include "costs/cost_report.h"
#include "domain/session_id.h"
#include "http/reply.h"
#include "log.h"
#include "plugin/host_api.h"
#include "status.h"
#include "strbuf.h"

/* Most bytes of rejected input quoted back in an error message. */
#define ECHO_MAX 64

struct owner_ctx {
        char consumer_id[CONSUMER_ID_MAX + 1];
        bool found;
};

static int take_owner(void *ctx, const struct gs_session_record *rec)
{
        struct owner_ctx *c = ctx;
        size_t n = rec->consumer_id ? strlen(rec->consumer_id) : 0;

        if (n >= sizeof(c->consumer_id))
                n = sizeof(c->consumer_id) - 1;
        memcpy(c->consumer_id, rec->consumer_id ? rec->consumer_id : "", n);
        c->consumer_id[n] = '\0';
        c->found = true;
        return 0;
}

/* 0 when the session exists and the principal may see it; otherwise the
 * response is filled (404 / 503) and a negative status returned. */
static int check_session(struct http_request *req, struct http_response *res,
                         struct plugin_instance *st, const char *id)
{
        struct owner_ctx c = {.found = false};
        struct gs_session_sink sink = {.fn = take_owner, .ctx = &c};
        struct gs_error err;
        int r;

        gs_error_init(&err);
        registry_enter(st);
        r = st->storage->session_get(st->instance, id, &sink, &err);
        registry_leave(st);
        if (r == GS_E_NOTFOUND ||
            (r == 0 && (!c.found || !principal_allows_consumer(&req->principal, c.consumer_id)))) {
                reply_error(res, req, 404, "not_found", "session not found: %s", id);
                return GS_E_NOTFOUND;
        }
        if (r < 0) {
                LOG_ERR("costs", "cannot read session %s: %s", id, gs_error_msg(&err));
                reply_error(res, req, 503, "storage_unavailable", "cannot read the session");
                return r;
        }
        return 0;
}

/* 0 when consumer_id is well-formed and visible to the principal. */
static int check_consumer(struct http_request *req, struct http_response *res, const char *id)
{
        if (!session_id_is_valid_consumer(id)) {
                reply_error(res, req, 400, "invalid_parameter",
                            "consumer_id must be 1-%d characters of A-Z a-z 0-9 . _ : -",
                            CONSUMER_ID_MAX);
                return GS_E_INVAL;
        }
        if (!principal_allows_consumer(&req->principal, id)) {
                reply_error(res, req, 403, "forbidden",
                            "this token may not read the costs of consumer %s", id);
                return GS_E_INVAL;
        }
        return 0;
}

static void reply_report(struct http_request *req, struct http_response *res,
                         struct plugin_instance *st, const struct cost_scope *scope,
                         struct cost_window w, int period, const struct cost_json_echo *echo)
{
        struct cost_report report;
        struct gs_error err;
        struct strbuf sb;
        char *body;
        size_t len;
        int r;

        gs_error_init(&err);
        r = cost_report_build(st, scope, w, period, host_now_ms(), &report, &err);
        if (r == GS_E_TOOBIG) {
                reply_error(res, req, 400, "invalid_parameter", "%s; narrow the date range",
                            gs_error_msg(&err));
                return;
        }
        if (r < 0) {
                LOG_ERR("costs", "cannot compute costs: %s", gs_error_msg(&err));
                reply_error(res, req, r == GS_E_NOMEM ? 500 : 503,
                            r == GS_E_NOMEM ? "internal" : "storage_unavailable",
                            "cannot compute costs");
                return;
        }
        strbuf_init(&sb);
        cost_json_report(&sb, &report, echo);
        cost_report_done(&report);
        body = strbuf_take(&sb, &len);
        reply_json_body(res, req, 200, body, len);
}

/* Window and period from the query; fills res and returns < 0 when invalid. */
static int parse_window(struct http_request *req, struct http_response *res, int64_t now_ms,
                        struct cost_window *ret_w, int *ret_period, struct cost_json_echo *echo)
{
        const char *start = http_query(req, "start_date");
        const char *end = http_query(req, "end_date");
        const char *p = http_query(req, "period");
        const char *bad = NULL;
        struct cost_window w, now_bucket;
        int period = COST_PERIOD_NONE;
        int r;

        if (p && cost_period_parse(p, &period) < 0) {
                reply_error(res, req, 400, "invalid_parameter",
                            "period must be daily or monthly, got '%.*s'", ECHO_MAX, p);
                return GS_E_INVAL;
        }
        r = cost_window_from_dates(start, end, &w, &bad);
        if (r == GS_E_CONFLICT) {
                reply_error(res, req, 400, "invalid_parameter",
                            "start_date (%s) is after end_date (%s)", start, end);
                return r;
        }
        if (r < 0) {
                const char *v = strcmp(bad, "start_date") == 0 ? start : end;

                reply_error(res, req, 400, "invalid_parameter",
                            "%s must be a date YYYY-MM-DD (UTC) between %d and %d, got '%.*s'", bad,
                            COST_RANGE_YEAR_MIN, COST_RANGE_YEAR_MAX, ECHO_MAX, v);
                return r;
        }
        echo->open_start = !start;
        echo->open_end = !end;
        if (period != COST_PERIOD_NONE) {
                now_bucket = cost_bucket_of(period, now_ms);
                if (!start)
                        w.from_ms = period == COST_PERIOD_DAILY ? cost_month_start_ms(now_ms)
                                                                : cost_year_start_ms(now_ms);
                if (!end) {
                        w.to_ms = now_bucket.to_ms;
                        if (w.to_ms <= w.from_ms)
                                w.to_ms = cost_bucket_of(period, w.from_ms).to_ms;
                }
                if (w.from_ms >= w.to_ms) {
                        reply_error(res, req, 400, "invalid_parameter",
                                    "end_date is before the default start_date; give "
                                    "start_date too");
                        return GS_E_INVAL;
                }
                if (cost_bucket_count(period, w) > COST_REPORT_BUCKETS_MAX) {
                        reply_error(res, req, 400, "invalid_parameter",
                                    "the range holds more than %d %s periods; narrow "
                                    "start_date/end_date",
                                    COST_REPORT_BUCKETS_MAX, cost_period_name(period));
                        return GS_E_INVAL;
                }
                echo->open_start = false;
                echo->open_end = false;
        }
        *ret_w = w;
        *ret_period = period;
        return 0;
}

void api_costs_get(struct http_request *req, struct http_response *res)
{
        static const char *const known[] = {"session_id", "consumer_id", "start_date",
                                            "end_date",   "period",      NULL};
        struct app *app = req->app;
        struct plugin_instance *st = app->reg.storage;
        struct cost_scope scope = {.who = &req->principal};
        struct cost_json_echo echo = {0};
        struct cost_window w;
        int period;

        if (http_unknown_query(req, known, res))
                return;
        scope.session_id = http_query(req, "session_id");
        scope.consumer_id = http_query(req, "consumer_id");
        if (scope.session_id && !session_id_is_valid(scope.session_id)) {
                reply_error(res, req, 400, "invalid_parameter",
                            "session_id must look like sess-xxxxxxxx, got '%.*s'", ECHO_MAX,
                            scope.session_id);
                return;
        }
        if (scope.consumer_id && check_consumer(req, res, scope.consumer_id) < 0)
                return;
        if (parse_window(req, res, host_now_ms(), &w, &period, &echo) < 0)
                return;
        if (scope.session_id && check_session(req, res, st, scope.session_id) < 0)
                return;
        echo.session_id = scope.session_id;
        echo.consumer_id = scope.consumer_id;
        reply_report(req, res, st, &scope, w, period, &echo);
}

void api_costs_summary(struct http_request *req, struct http_response *res)
{
        static const char *const known[] = {"consumer_id", NULL};
        struct app *app = req->app;
        struct cost_scope scope = {.who = &req->principal};
        struct cost_json_echo echo = {0};

        if (http_unknown_query(req, known, res))
                return;
        scope.consumer_id = http_query(req, "consumer_id");
        if (scope.consumer_id && check_consumer(req, res, scope.consumer_id) < 0)
                return;
        echo.consumer_id = scope.consumer_id;
        reply_report(req, res, app->reg.storage, &scope,
                     cost_bucket_of(COST_PERIOD_MONTHLY, host_now_ms()), COST_PERIOD_NONE, &echo);
}
