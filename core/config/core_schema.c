/* core_schema.c - declared keys of [server], [log], [storage] and [inventory]. */
#include "config/core_schema.h"

#include <string.h>

#include "domain/session_id.h"
#include "domain/session_request.h"
#include "domain/session_retry.h"
#include "domain/units.h"

#define PROVIDER_PREFIX "provider."
#define BUDGET_PREFIX "budget."

static const struct gs_config_key server_keys[] = {
        {.name = "listen", .type = GS_CFG_STRING, .default_value = "127.0.0.1",
         .description = "address the HTTP API listens on"},
        {.name = "port", .type = GS_CFG_INT, .default_value = "8080", .min = 0, .max = 65535,
         .description = "TCP port of the HTTP API (0 = any free port, logged)"},
        {.name = "threads", .type = GS_CFG_INT, .default_value = "4", .min = 1, .max = 64,
         .description = "HTTP worker threads"},
        {.name = "max_body_bytes", .type = GS_CFG_INT, .default_value = "1048576", .min = 1024,
         .max = 16777216, .description = "largest request body accepted"},
        {.name = "max_connections", .type = GS_CFG_INT, .default_value = "512", .min = 1,
         .max = 100000, .description = "most concurrent HTTP connections"},
        {.name = "connection_timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s",
         .min = 1 * MS_PER_SECOND, .max = 10 * MS_PER_MINUTE,
         .description = "idle time before an HTTP connection is closed"},
        {.name = "max_header_bytes", .type = GS_CFG_INT, .default_value = "32768", .min = 8192,
         .max = 1048576, .description = "memory for one request's line and headers (431 beyond)"},
        {.name = "max_query_bytes", .type = GS_CFG_INT, .default_value = "4096", .min = 256,
         .max = 8000, .description = "longest query string accepted (414 beyond)"},
        {.name = "rate_limit_per_second", .type = GS_CFG_INT, .default_value = "0", .min = 0,
         .max = 1000000, .description = "API requests per second per client address; 0 = off"},
        {.name = "rate_limit_burst", .type = GS_CFG_INT, .default_value = "50", .min = 1,
         .max = 1000000, .description = "requests a client may send at once before limiting"},
        {.name = "plugin_dir", .type = GS_CFG_PATH,
         .description = "directory of plugin .so files (default: the compiled-in one)"},
        {.name = "data_dir", .type = GS_CFG_PATH, .default_value = "./run/data",
         .description = "directory for runtime data"},
        {.name = NULL},
};

static const struct gs_config_key log_keys[] = {
        {.name = "level", .type = GS_CFG_ENUM, .default_value = "info",
         .choices = "err|warning|notice|info|debug", .description = "lowest level logged"},
        {.name = "access_log", .type = GS_CFG_BOOL, .default_value = "true",
         .description = "log one line per HTTP request"},
        {.name = NULL},
};

static const struct gs_config_key inventory_keys[] = {
        {.name = "refresh_interval", .type = GS_CFG_DURATION_MS, .default_value = "60s",
         .min = INVENTORY_REFRESH_MIN_MS, .max = 24 * MS_PER_HOUR,
         .description = "how often each provider's offers are listed again (the snapshot TTL)"},
        {.name = "retry_backoff", .type = GS_CFG_DURATION_MS, .default_value = "5s",
         .min = INVENTORY_REFRESH_MIN_MS, .max = MS_PER_HOUR,
         .description = "delay after a failed listing; doubles per consecutive failure"},
        {.name = "max_backoff", .type = GS_CFG_DURATION_MS, .default_value = "10m",
         .min = INVENTORY_REFRESH_MIN_MS, .max = 24 * MS_PER_HOUR,
         .description = "cap on the failure backoff, Retry-After included"},
        {.name = "max_offers_per_provider", .type = GS_CFG_INT, .default_value = "100000",
         .min = 1, .max = INVENTORY_OFFERS_HARD_MAX,
         .description = "offers kept per provider instance; a longer listing is truncated"},
        {.name = NULL},
};

static const struct gs_config_key auth_keys[] = {
        {.name = "enabled", .type = GS_CFG_BOOL, .default_value = "false",
         .description = "require API tokens on /api/v1 (mandatory when listen is not loopback)"},
        {.name = "admin_token", .type = GS_CFG_STRING, .flags = GS_CFG_SECRET,
         .env = "GS_ADMIN_TOKEN",
         .description = "bootstrap admin token (kept only as a hash in memory); create others "
                        "with 'gpu-shopper tokens create'"},
        {.name = "metrics_public", .type = GS_CFG_BOOL, .default_value = "true",
         .description = "serve /metrics without a token"},
        {.name = NULL},
};

static const struct gs_config_key sessions_keys[] = {
        {.name = "max_reservation_hours", .type = GS_CFG_INT, .default_value = "12", .min = 1,
         .max = SESSION_RESERVATION_HOURS_LIMIT,
         .description = "longest reservation, and the hard maximum an extension may reach, "
                        "counted from started_at"},
        {.name = "default_disk_gb", .type = GS_CFG_INT, .default_value = "50", .min = 1,
         .max = SESSION_DISK_GB_LIMIT, .description = "disk_gb when a request gives none"},
        {.name = "min_disk_gb", .type = GS_CFG_INT, .default_value = "10", .min = 1,
         .max = SESSION_DISK_GB_LIMIT, .description = "smallest disk_gb accepted"},
        {.name = "max_disk_gb", .type = GS_CFG_INT, .default_value = "2048", .min = 1,
         .max = SESSION_DISK_GB_LIMIT, .description = "largest disk_gb accepted"},
        {.name = "max_active_per_consumer", .type = GS_CFG_INT, .default_value = "100",
         .min = 1, .max = 100000,
         .description = "live (not stopped or failed) sessions one consumer may have"},
        {.name = "verify_timeout", .type = GS_CFG_DURATION_MS, .default_value = "10m",
         .min = MS_PER_SECOND, .max = 24 * MS_PER_HOUR,
         .description = "time from the create to a working SSH login before the instance is "
                        "destroyed and the session fails"},
        {.name = "verify_poll_interval", .type = GS_CFG_DURATION_MS, .default_value = "5s",
         .min = SESSIONS_INTERVAL_MIN_MS, .max = 10 * MS_PER_MINUTE,
         .description = "first delay between verification polls; doubles per poll"},
        {.name = "verify_poll_max_interval", .type = GS_CFG_DURATION_MS, .default_value = "30s",
         .min = SESSIONS_INTERVAL_MIN_MS, .max = 10 * MS_PER_MINUTE,
         .description = "cap on the delay between verification polls"},
        {.name = "verify_auth_failures", .type = GS_CFG_INT, .default_value = "5", .min = 1,
         .max = 100,
         .description = "consecutive SSH key refusals that fail a verification early"},
        {.name = "ssh_probe_timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s",
         .min = SESSIONS_INTERVAL_MIN_MS, .max = SESSIONS_PROBE_TIMEOUT_MAX_MS,
         .description = "budget of one SSH connect, login and command"},
        {.name = "destroy_confirm_interval", .type = GS_CFG_DURATION_MS, .default_value = "10s",
         .min = SESSIONS_INTERVAL_MIN_MS, .max = MS_PER_HOUR,
         .description = "spacing of the \"instance gone\" observations after a destroy"},
        {.name = "destroy_confirmations", .type = GS_CFG_INT, .default_value = "2", .min = 1,
         .max = 20,
         .description = "consecutive \"gone\" observations before a session is stopped"},
        {.name = "destroy_retry_backoff", .type = GS_CFG_DURATION_MS, .default_value = "5s",
         .min = SESSIONS_INTERVAL_MIN_MS, .max = MS_PER_HOUR,
         .description = "delay after a failed destroy or status call; doubles per failure"},
        {.name = "destroy_max_backoff", .type = GS_CFG_DURATION_MS, .default_value = "5m",
         .min = SESSIONS_INTERVAL_MIN_MS, .max = 24 * MS_PER_HOUR,
         .description = "cap on the destroy retry delay (retries never stop)"},
        {.name = "workers", .type = GS_CFG_INT, .default_value = "4", .min = 1,
         .max = SESSIONS_WORKERS_MAX,
         .description = "threads verifying new instances and destroying stopped ones"},
        {.name = "auto_retry_max_attempts", .type = GS_CFG_INT, .default_value = "3", .min = 1,
         .max = SESSION_RETRY_ATTEMPTS_LIMIT,
         .description = "fallback offers auto_retry tries after a stale one"},
        {.name = "auto_retry_max_price_pct", .type = GS_CFG_INT, .default_value = "120",
         .min = 100, .max = 1000,
         .description = "a fallback offer costs at most this percentage of the original"},
        {.name = NULL},
};

/* [lifecycle]: the lifecycle thread's timers and policies (docs/LIFECYCLE.md). */
static const struct gs_config_key lifecycle_keys[] = {
        {.name = "tick_interval", .type = GS_CFG_DURATION_MS, .default_value = "10s",
         .min = LIFECYCLE_INTERVAL_MIN_MS, .max = 10 * MS_PER_MINUTE,
         .description = "how often expiry, the hard maximum, idle and provisioning timeouts are "
                        "checked"},
        {.name = "hard_max", .type = GS_CFG_DURATION_MS, .default_value = "0",
         .min = 0, .max = LIFECYCLE_HARD_MAX_LIMIT_HOURS * MS_PER_HOUR,
         .description = "a running session is stopped this long after started_at unless an admin "
                        "overrode it (0 = [sessions] max_reservation_hours)"},
        {.name = "max_override_hours", .type = GS_CFG_INT, .default_value = "168", .min = 1,
         .max = LIFECYCLE_HARD_MAX_LIMIT_HOURS,
         .description = "largest hard_max_hours an admin override may set"},
        {.name = "provisioning_timeout", .type = GS_CFG_DURATION_MS, .default_value = "30m",
         .min = MS_PER_SECOND, .max = 48 * MS_PER_HOUR,
         .description = "a session not running this long after it entered provisioning is "
                        "stopped (backstop; longer than [sessions] verify_timeout)"},
        {.name = "idle_probe_interval", .type = GS_CFG_DURATION_MS, .default_value = "60s",
         .min = LIFECYCLE_INTERVAL_MIN_MS, .max = MS_PER_HOUR,
         .description = "how often GPU utilization of sessions with an idle threshold is probed "
                        "over SSH with the management key"},
        {.name = "idle_util_threshold_pct", .type = GS_CFG_INT, .default_value = "5", .min = 0,
         .max = 100, .description = "GPU utilization above this percentage counts as activity"},
        {.name = "idle_unit", .type = GS_CFG_DURATION_MS, .default_value = "1m",
         .min = LIFECYCLE_INTERVAL_MIN_MS, .max = MS_PER_MINUTE,
         .description = "length of one minute of idle_threshold_minutes (only tests shorten "
                        "it)"},
        {.name = "reconcile_interval", .type = GS_CFG_DURATION_MS, .default_value = "2m",
         .min = LIFECYCLE_INTERVAL_MIN_MS, .max = 24 * MS_PER_HOUR,
         .description = "how often every provider's instances are listed and compared with the "
                        "sessions (also once at start-up, before /ready)"},
        {.name = "orphan_grace", .type = GS_CFG_DURATION_MS, .default_value = "10m", .min = 0,
         .max = 24 * MS_PER_HOUR,
         .description = "age an instance with our label and no live session must reach before "
                        "it counts as an orphan"},
        {.name = "orphan_policy", .type = GS_CFG_ENUM, .default_value = "destroy",
         .choices = "destroy|alert",
         .description = "what to do with an orphan: destroy it (verified), or alert only "
                        "(log, event, metric)"},
        {.name = "ghost_confirm_interval", .type = GS_CFG_DURATION_MS, .default_value = "30s",
         .min = LIFECYCLE_INTERVAL_MIN_MS, .max = MS_PER_HOUR,
         .description = "a running session's instance missing from a listing is declared gone "
                        "only if the provider still does not have it this much later"},
        {.name = NULL},
};

static const struct gs_config_key budget_keys[] = {
        {.name = "max_running_usd_per_hour", .type = GS_CFG_PRICE_UUSD, .default_value = "0",
         .min = 0, .max = BUDGET_USD_MAX_UUSD,
         .description = "ceiling on the summed $/h of pending, provisioning and running "
                        "sessions; a provision above it gets 402 (0 = no ceiling)"},
        {.name = "policy", .type = GS_CFG_ENUM, .default_value = "alert", .choices = "alert|stop",
         .description = "when a consumer's monthly spend passes its budget: alert (log and "
                        "count) or stop (also stop its sessions)"},
        {.name = "check_interval", .type = GS_CFG_DURATION_MS, .default_value = "60s",
         .min = BUDGET_CHECK_INTERVAL_MIN_MS, .max = MS_PER_HOUR,
         .description = "how often running spend is checked against the budgets"},
        {.name = "default_monthly_usd", .type = GS_CFG_PRICE_UUSD, .default_value = "0",
         .min = 0, .max = BUDGET_USD_MAX_UUSD,
         .description = "monthly budget of consumers without a [budget.<consumer>] section "
                        "(0 = none)"},
        {.name = NULL},
};

/* [budget.<consumer>] */
static const struct gs_config_key budget_consumer_keys[] = {
        {.name = "monthly_usd", .type = GS_CFG_PRICE_UUSD, .flags = GS_CFG_REQUIRED, .min = 1,
         .max = BUDGET_USD_MAX_UUSD,
         .description = "the consumer's budget per UTC calendar month (USD, e.g. 100.00)"},
        {.name = NULL},
};

/* Only the reserved `plugin` key, which validation adds itself. */
static const struct gs_config_key storage_keys[] = {
        {.name = NULL},
};

static const struct {
        const char *section;
        const struct gs_config_key *keys;
} core_sections[] = {
        {"server", server_keys},
        {"log", log_keys},
        {"storage", storage_keys},
        {"inventory", inventory_keys},
        {"auth", auth_keys},
        {"sessions", sessions_keys},
        {"lifecycle", lifecycle_keys},
        {"budget", budget_keys},
};

const struct gs_config_key *core_schema_keys(const char *section)
{
        for (size_t i = 0; section && i < sizeof(core_sections) / sizeof(core_sections[0]); i++)
                if (strcmp(section, core_sections[i].section) == 0)
                        return core_sections[i].keys;
        if (section && strncmp(section, BUDGET_PREFIX, strlen(BUDGET_PREFIX)) == 0 &&
            session_id_is_valid_consumer(section + strlen(BUDGET_PREFIX)))
                return budget_consumer_keys;
        return NULL;
}

static bool is_instance_name(const char *s)
{
        size_t n = 0;

        for (; s[n]; n++) {
                char c = s[n];

                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                        return false;
        }
        return n > 0 && n <= CORE_SCHEMA_MAX_INSTANCE_NAME;
}

bool core_schema_is_known_section(const char *section)
{
        if (!section)
                return false;
        if (core_schema_keys(section))
                return true;
        return strncmp(section, PROVIDER_PREFIX, strlen(PROVIDER_PREFIX)) == 0 &&
               is_instance_name(section + strlen(PROVIDER_PREFIX));
}

const char *core_schema_section_names(void)
{
        return "server, log, storage, inventory, auth, sessions, lifecycle, budget, "
               "budget.<consumer>, provider.<name>";
}
