/*
 * settings.h - the core's typed settings from the [server], [log] and
 * [inventory] sections, and the whole-file validation entry point shared by the daemon
 * and the CLI (cleanup-orphans): parse, validate core sections, load and
 * validate plugin sections, collecting every error.
 *
 * Main thread only; the result is immutable afterwards.
 */
#ifndef GS_SETTINGS_H
#define GS_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "config/config.h"
#include "costs/budget_settings.h"
#include "lifecycle/lifecycle_settings.h"
#include "plugin/registry.h"
#include "session/session_settings.h"

/* [inventory]: the pollers' timing and bounds. */
struct inventory_settings {
        int64_t refresh_interval_ms;
        int64_t retry_backoff_ms;
        int64_t max_backoff_ms;
        uint32_t max_offers_per_provider;
};

struct settings {
        char *listen;
        uint16_t port;
        unsigned threads;
        int64_t max_body_bytes;
        unsigned max_connections;
        int64_t connection_timeout_ms;
        int64_t max_header_bytes;
        int64_t max_query_bytes;
        int64_t rate_limit_per_second;
        int64_t rate_limit_burst;
        char *plugin_dir; /* resolved */
        char *data_dir;
        int log_level;
        bool access_log;
        char *config_path;
        struct inventory_settings inventory;
        struct auth_settings auth;
        struct session_settings sessions; /* [sessions] */
        struct lifecycle_settings lifecycle; /* [lifecycle] */
        struct budget_settings budget;    /* [budget], [budget.<consumer>] */
};

/*
 * Load `path` completely: core sections into *s, plugin sections into *reg
 * (loaded, validated, not yet initialised). Returns 0, or GS_E_CONFIG with
 * every problem in errs (then call settings_done and registry_free anyway).
 */
int settings_load(const char *path, struct settings *s, struct registry *reg,
                  struct cfg_errors *errs);
void settings_done(struct settings *s);

#endif /* GS_SETTINGS_H */
