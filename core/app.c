/* app.c - daemon start-up and shutdown order, and the route table. */
#include "app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "costs/budget_sessions.h"
#include "crash_point.h"
#include "log.h"
#include "plugin/host_api.h"
#include "random.h"
#include "status.h"

static const struct route routes[] = {
        {"GET", "/health", api_health, ROUTE_PUBLIC},
        {"GET", "/ready", api_ready, ROUTE_PUBLIC},
        {"GET", "/metrics", api_metrics, ROUTE_METRICS},
        {"GET", "/api/v1/inventory", api_inventory_list, ROUTE_READ},
        {"GET", "/api/v1/inventory/:id", api_inventory_get, ROUTE_READ},
        {"POST", "/api/v1/tokens", api_tokens_create, ROUTE_ADMIN},
        {"GET", "/api/v1/tokens", api_tokens_list, ROUTE_ADMIN},
        {"DELETE", "/api/v1/tokens/:id", api_tokens_revoke, ROUTE_ADMIN},
        {"GET", "/api/v1/events", api_events_list, ROUTE_ADMIN},
        {"POST", "/api/v1/sessions", api_sessions_create, ROUTE_WRITE},
        {"GET", "/api/v1/sessions", api_sessions_list, ROUTE_READ},
        {"GET", "/api/v1/sessions/:id", api_sessions_get, ROUTE_READ},
        {"DELETE", "/api/v1/sessions/:id", api_sessions_delete, ROUTE_WRITE},
        {"POST", "/api/v1/sessions/:id/done", api_sessions_done, ROUTE_WRITE},
        {"POST", "/api/v1/sessions/:id/extend", api_sessions_extend, ROUTE_WRITE},
        {"POST", "/api/v1/sessions/:id/heartbeat", api_sessions_heartbeat, ROUTE_WRITE},
        {"GET", "/api/v1/sessions/:id/diagnostics", api_sessions_diagnostics, ROUTE_READ},
        {"POST", "/api/v1/sessions/:id/override", api_sessions_override, ROUTE_ADMIN},
        {"GET", "/api/v1/costs", api_costs_get, ROUTE_READ},
        {"GET", "/api/v1/costs/summary", api_costs_summary, ROUTE_READ},
        {"GET", "/api/v1/budgets", api_budgets_list, ROUTE_READ},
};

static bool authorize(void *ctx, struct http_request *req, int access, struct http_response *res)
{
        struct app *app = ctx;

        return auth_check(&app->auth, req, access, res);
}

int app_phase(const struct app *app)
{
        return __atomic_load_n(&app->phase, __ATOMIC_ACQUIRE);
}

void app_set_phase(struct app *app, enum app_phase phase)
{
        __atomic_store_n(&app->phase, (int)phase, __ATOMIC_RELEASE);
}

/* The lifecycle's start-up sweep is done: ready, unless already stopping. */
static void app_swept(void *ctx)
{
        struct app *app = ctx;
        int expected = APP_STARTING;

        (void)__atomic_compare_exchange_n(&app->phase, &expected, (int)APP_READY, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* mkdir -p with mode 0700 for every created component. */
static int make_dirs(const char *path)
{
        char buf[4096];
        size_t len = strlen(path);

        if (len == 0 || len >= sizeof(buf))
                return GS_E_INVAL;
        memcpy(buf, path, len + 1);
        for (size_t i = 1; i <= len; i++) {
                if (buf[i] != '/' && buf[i] != '\0')
                        continue;
                buf[i] = '\0';
                if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                        return GS_E_IO;
                buf[i] = path[i];
        }
        return 0;
}

struct id_copy {
        char *out;
        size_t len;
};

static int copy_id(void *ctx, const char *value)
{
        struct id_copy *c = ctx;

        (void)snprintf(c->out, c->len, "%s", value ? value : "");
        return 0;
}

static int load_deployment_id(struct app *app)
{
        struct plugin_instance *st = app->reg.storage;
        char fresh[sizeof(app->deployment_id)];
        struct id_copy c = {.out = app->deployment_id, .len = sizeof(app->deployment_id)};
        struct gs_string_sink sink = {.fn = copy_id, .ctx = &c};
        struct gs_error err;
        int r;

        gs_error_init(&err);
        r = random_id("", DEPLOYMENT_ID_CHARS, fresh, sizeof(fresh));
        if (r < 0)
                return r;
        registry_enter(st);
        r = st->storage->meta_set_if_absent(st->instance, DEPLOYMENT_META_KEY, fresh, &sink, &err);
        registry_leave(st);
        if (r < 0) {
                LOG_ERR("storage", "cannot read or store the deployment id: %s",
                        gs_error_msg(&err));
                return r;
        }
        return 0;
}

int app_start(struct app *app, const char *config_path)
{
        struct cfg_errors *errs = cfg_errors_new();
        struct http_server_options opts;
        int r;

        memset(app, 0, sizeof(*app));
        app->started_ms = host_now_ms();
        crash_point_init(); /* test-only; inert unless GS_TEST_CRASH_AT is set */
        app_set_phase(app, APP_STARTING);
        if (!errs)
                return GS_E_NOMEM;
        r = loader_init();
        if (r < 0) {
                LOG_ERR("core", "cannot initialise the plugin loader");
                goto fail;
        }
        r = settings_load(config_path, &app->settings, &app->reg, errs);
        if (r < 0) {
                cfg_errors_print(errs, "gpu-shopperd", stderr);
                goto fail;
        }
        log_set_level(app->settings.log_level);
        r = make_dirs(app->settings.data_dir);
        if (r < 0) {
                LOG_ERR("core", "cannot create data directory '%s': %s", app->settings.data_dir,
                        strerror(errno));
                goto fail;
        }
        r = registry_init_all(&app->reg);
        if (r < 0)
                goto fail;
        r = load_deployment_id(app);
        if (r < 0)
                goto fail;
        if (app->reg.provider_count == 0)
                LOG_WARN("core", "no provider configured: inventory will be empty until a "
                                 "[provider.NAME] section is added");
        /* Pollers call into initialised plugins; requests read their view. */
        r = inventory_start(&app->reg, &app->settings.inventory, &app->inv);
        if (r < 0)
                goto fail;
        /* Verification and destroy workers read the view and call plugins. */
        r = session_service_start(&app->reg, app->inv, &app->settings.sessions,
                                  app->deployment_id, app->settings.data_dir, &app->sessions);
        if (r < 0)
                goto fail;
        /* The budget monitor stops sessions through the session service. */
        r = budget_start(&app->settings.budget, app->reg.storage, budget_sessions_stop,
                         app->sessions, &app->budget);
        if (r < 0)
                goto fail;
        memset(&opts, 0, sizeof(opts));
        opts.listen = app->settings.listen;
        opts.port = app->settings.port;
        opts.threads = app->settings.threads;
        opts.max_body_bytes = (size_t)app->settings.max_body_bytes;
        opts.max_connections = app->settings.max_connections;
        opts.connection_timeout_s = (unsigned)(app->settings.connection_timeout_ms / 1000);
        opts.access_log = app->settings.access_log;
        opts.max_header_bytes = (size_t)app->settings.max_header_bytes;
        opts.max_query_bytes = (size_t)app->settings.max_query_bytes;
        opts.rate_limit_per_s = (uint32_t)app->settings.rate_limit_per_second;
        opts.rate_limit_burst = (uint32_t)app->settings.rate_limit_burst;
        opts.routes = routes;
        opts.route_count = sizeof(routes) / sizeof(routes[0]);
        opts.app = app;
        auth_init(&app->auth, &app->settings.auth, app->reg.storage);
        opts.authorize = authorize;
        opts.authorize_ctx = app;
        r = http_server_start(&opts, &app->http);
        if (r < 0)
                goto fail;
        LOG_NOTICE("core", "gpu-shopperd listening on http://%s:%u (deployment %s, %zu provider%s)",
                   app->settings.listen, (unsigned)http_server_port(app->http),
                   app->deployment_id, app->reg.provider_count,
                   app->reg.provider_count == 1 ? "" : "s");
        if (!app->settings.auth.enabled)
                LOG_NOTICE("auth", "API tokens are off (loopback only); set [auth] enabled = true "
                                   "before exposing the API");
        /* /ready and /health say "starting" until the start-up sweep (crash
         * recovery and reconciliation) is done; app_swept() turns them ready. */
        r = lifecycle_start(&app->settings.lifecycle, app->sessions, app->started_ms, app_swept,
                            app, &app->lifecycle);
        if (r < 0)
                goto fail;
        cfg_errors_free(errs);
        return 0;
fail:
        cfg_errors_free(errs);
        app_stop(app);
        return r;
}

void app_stop(struct app *app)
{
        app_set_phase(app, APP_STOPPING);
        http_server_stop(app->http);
        app->http = NULL;
        /* Never destroys an instance either; probes in flight end with the workers. */
        lifecycle_stop(app->lifecycle);
        app->lifecycle = NULL;
        budget_stop(app->budget);
        app->budget = NULL;
        /* Never destroys an instance: stopping sessions resume at the next start. */
        session_service_stop(app->sessions);
        app->sessions = NULL;
        /* Before the plugins shut down: pollers call into them. */
        inventory_stop(app->inv);
        app->inv = NULL;
        registry_free(&app->reg);
        settings_done(&app->settings);
        loader_exit();
}
