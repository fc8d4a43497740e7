/* health.c - GET /health and GET /ready. */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "domain/rfc3339.h"
#include "http/reply.h"
#include "inventory/inventory.h"
#include "plugin/host_api.h"
#include "status.h"

#ifndef GS_VERSION
#define GS_VERSION "0.0.0"
#endif

static json_t *time_or_null(int64_t ms)
{
        char buf[RFC3339_TEXT_MAX];

        if (ms <= 0 || rfc3339_format_ms(ms, buf, sizeof(buf)) < 0)
                return json_null();
        return json_string(buf);
}

/* One provider instance: plugin state plus its inventory poller's health. */
static json_t *provider_detail(const struct app *app, size_t i, bool *ret_degraded)
{
        const struct plugin_instance *pi = app->reg.providers[i];
        struct poller_health h;
        json_t *one = json_object();
        json_t *e;
        int64_t now = host_now_ms();
        bool degraded = true;

        (void)json_object_set_new(one, "plugin", json_string(pi->info->name));
        if (inventory_health(app->inv, i, &h) < 0) {
                (void)json_object_set_new(one, "status",
                                          json_string(pi->initialised ? "ok" : "down"));
                *ret_degraded = !pi->initialised;
                return one;
        }
        degraded = !pi->initialised || inventory_health_is_degraded(&h);
        (void)json_object_set_new(one, "status", json_string(degraded ? "degraded" : "ok"));
        if (h.last_success_ms == 0)
                (void)json_object_set_new(one, "detail",
                                          json_string(h.last_attempt_ms
                                                              ? "no successful listing yet"
                                                              : "first listing in progress"));
        (void)json_object_set_new(one, "offers", json_integer((json_int_t)h.offers));
        (void)json_object_set_new(one, "age_seconds",
                                  h.fetched_at_ms ? json_integer((now - h.fetched_at_ms) / 1000)
                                                  : json_null());
        (void)json_object_set_new(one, "last_success", time_or_null(h.last_success_ms));
        (void)json_object_set_new(one, "consecutive_failures",
                                  json_integer(h.consecutive_failures));
        if (h.last_error_ms) {
                e = json_object();
                (void)json_object_set_new(e, "message", json_string(h.last_error));
                (void)json_object_set_new(e, "status",
                                          json_string(gs_status_name(h.last_error_status)));
                if (h.last_error_http)
                        (void)json_object_set_new(e, "http_status",
                                                  json_integer(h.last_error_http));
                (void)json_object_set_new(e, "at", time_or_null(h.last_error_ms));
                (void)json_object_set_new(one, "last_error", e);
        } else {
                (void)json_object_set_new(one, "last_error", json_null());
        }
        (void)json_object_set_new(one, "next_refresh", time_or_null(h.next_attempt_ms));
        if (h.truncated)
                (void)json_object_set_new(one, "truncated", json_true());
        *ret_degraded = degraded;
        return one;
}

static json_t *providers_detail(const struct app *app, const char **ret_status)
{
        json_t *p = json_object();
        json_t *inst = json_object();
        size_t failing = 0;

        for (size_t i = 0; i < app->reg.provider_count; i++) {
                bool degraded = false;

                (void)json_object_set_new(inst, app->reg.providers[i]->name,
                                          provider_detail(app, i, &degraded));
                failing += degraded ? 1 : 0;
        }
        if (app->reg.provider_count == 0) {
                *ret_status = "degraded";
                (void)json_object_set_new(p, "status", json_string("degraded"));
                (void)json_object_set_new(
                        p, "detail",
                        json_string("no provider configured: add a [provider.NAME] section "
                                    "(see etc/gpu-shopper.ini)"));
        } else if (failing) {
                *ret_status = "degraded";
                (void)json_object_set_new(p, "status", json_string("degraded"));
                (void)json_object_set_new(
                        p, "detail",
                        json_string(failing == 1 ? "one provider is failing or has not "
                                                   "listed offers yet; inventory serves its "
                                                   "last good snapshot"
                                                 : "several providers are failing or have "
                                                   "not listed offers yet; inventory serves "
                                                   "their last good snapshots"));
        } else {
                (void)json_object_set_new(p, "status", json_string("ok"));
        }
        (void)json_object_set_new(p, "instances", inst);
        return p;
}

void api_health(struct http_request *req, struct http_response *res)
{
        const struct app *app = req->app;
        const char *status = "ok";
        int phase = app_phase(app);
        json_t *o = json_object();
        json_t *comp = json_object();
        json_t *st = json_object();

        (void)json_object_set_new(st, "status", json_string(app->reg.storage &&
                                                                     app->reg.storage->initialised
                                                             ? "ok"
                                                             : "down"));
        if (app->reg.storage)
                (void)json_object_set_new(st, "plugin",
                                          json_string(app->reg.storage->info->name));
        (void)json_object_set_new(comp, "storage", st);
        (void)json_object_set_new(comp, "providers", providers_detail(app, &status));
        if (phase == APP_STARTING)
                status = "starting";
        else if (phase == APP_STOPPING)
                status = "stopping";
        (void)json_object_set_new(o, "status", json_string(status));
        (void)json_object_set_new(o, "version", json_string(GS_VERSION));
        (void)json_object_set_new(o, "deployment_id", json_string(app->deployment_id));
        (void)json_object_set_new(o, "uptime_seconds",
                                  json_integer((host_now_ms() - app->started_ms) / 1000));
        (void)json_object_set_new(o, "components", comp);
        reply_json_take(res, phase == APP_READY ? 200 : 503, o);
}

void api_ready(struct http_request *req, struct http_response *res)
{
        const struct app *app = req->app;
        int phase = app_phase(app);
        json_t *o = json_object();

        (void)json_object_set_new(o, "ready", json_boolean(phase == APP_READY));
        if (phase != APP_READY)
                (void)json_object_set_new(o, "reason",
                                          json_string(phase == APP_STARTING
                                                              ? "start-up sweep in progress"
                                                              : "shutting down"));
        reply_json_take(res, phase == APP_READY ? 200 : 503, o);
}
