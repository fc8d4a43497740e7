/*
 * app.h - the daemon: owns settings, the plugin registry, storage access and
 * the HTTP server, and orders start-up and shutdown.
 *
 * app_start/app_stop run on the main thread. After app_start returns, HTTP
 * handlers read the app from pool threads: everything they read is either
 * immutable after start, atomic (phase) or thread-safe (inv).
 */
#ifndef GS_APP_H
#define GS_APP_H

#include <stdint.h>

#include "costs/budget.h"
#include "http/server.h"
#include "inventory/inventory.h"
#include "lifecycle/lifecycle.h"
#include "plugin/registry.h"
#include "session/session_service.h"
#include "settings.h"

#define DEPLOYMENT_ID_CHARS 12
#define DEPLOYMENT_META_KEY "deployment_id"

enum app_phase { APP_STARTING = 0, APP_READY = 1, APP_STOPPING = 2 };

struct app {
        struct settings settings;
        struct registry reg;
        struct http_server *http;
        struct inventory *inv; /* pollers and the offer view */
        struct session_service *sessions; /* provisioning, verification, destroys */
        struct budget *budget; /* budget admission and monitor */
        struct lifecycle *lifecycle; /* time rules, reconciliation, crash recovery */
        struct auth auth;      /* API tokens; immutable after start */
        char deployment_id[DEPLOYMENT_ID_CHARS + 8];
        int64_t started_ms;
        int phase; /* enum app_phase, accessed atomically */
};

/* Load and validate the config (errors printed to stderr as file:line
 * lines), start plugins and storage, then HTTP. 0 or a negative status. */
int app_start(struct app *app, const char *config_path);
void app_stop(struct app *app);

int app_phase(const struct app *app);
void app_set_phase(struct app *app, enum app_phase phase);

#endif /* GS_APP_H */
