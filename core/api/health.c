/* health.c - GET /health and GET /ready. */
#include <jansson.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "http/reply.h"
#include "plugin/host_api.h"

#ifndef GS_VERSION
#define GS_VERSION "0.0.0"
#endif

static json_t *providers_detail(const struct app *app, const char **ret_status)
{
        json_t *p = json_object();
        json_t *inst = json_object();

        for (size_t i = 0; i < app->reg.provider_count; i++) {
                const struct plugin_instance *pi = app->reg.providers[i];
                json_t *one = json_object();

                (void)json_object_set_new(one, "plugin", json_string(pi->info->name));
                (void)json_object_set_new(one, "status",
                                          json_string(pi->initialised ? "ok" : "down"));
                (void)json_object_set_new(inst, pi->name, one);
        }
        if (app->reg.provider_count == 0) {
                *ret_status = "degraded";
                (void)json_object_set_new(p, "status", json_string("degraded"));
                (void)json_object_set_new(
                        p, "detail",
                        json_string("no provider configured: add a [provider.NAME] section "
                                    "(see etc/gpu-shopper.ini)"));
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
