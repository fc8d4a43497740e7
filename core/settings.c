/* settings.c - validates a whole config file into settings + plugin registry. */
#include "settings.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/core_schema.h"
#include "log.h"
#include "status.h"

static int read_core(const struct gs_config *server, const struct gs_config *logc,
                     struct settings *s)
{
        int64_t v;
        int b;
        const char *str;

        str = cfg_get_str(server, "listen");
        s->listen = strdup(str ? str : "127.0.0.1");
        if (cfg_get_int(server, "port", &v) == 0)
                s->port = (uint16_t)v;
        if (cfg_get_int(server, "threads", &v) == 0)
                s->threads = (unsigned)v;
        if (cfg_get_int(server, "max_body_bytes", &v) == 0)
                s->max_body_bytes = v;
        if (cfg_get_int(server, "max_connections", &v) == 0)
                s->max_connections = (unsigned)v;
        (void)cfg_get_duration_ms(server, "connection_timeout", &s->connection_timeout_ms);
        (void)cfg_get_int(server, "max_header_bytes", &s->max_header_bytes);
        (void)cfg_get_int(server, "max_query_bytes", &s->max_query_bytes);
        (void)cfg_get_int(server, "rate_limit_per_second", &s->rate_limit_per_second);
        (void)cfg_get_int(server, "rate_limit_burst", &s->rate_limit_burst);
        str = cfg_get_str(server, "data_dir");
        s->data_dir = strdup(str ? str : "./run/data");
        s->plugin_dir = registry_plugin_dir(cfg_get_str(server, "plugin_dir"));
        str = cfg_get_str(logc, "level");
        s->log_level = log_level_parse(str ? str : "info");
        if (s->log_level < 0)
                s->log_level = GS_LOG_INFO;
        if (cfg_get_bool(logc, "access_log", &b) == 0)
                s->access_log = b != 0;
        if (!s->listen || !s->data_dir || !s->plugin_dir)
                return GS_E_NOMEM;
        return 0;
}

static void read_inventory(const struct gs_config *inv, const struct cfg_doc *doc, const char *path,
                           struct settings *s, struct cfg_errors *errs)
{
        struct inventory_settings *is = &s->inventory;
        int64_t v;
        int line = 0;

        (void)cfg_get_duration_ms(inv, "refresh_interval", &is->refresh_interval_ms);
        (void)cfg_get_duration_ms(inv, "retry_backoff", &is->retry_backoff_ms);
        (void)cfg_get_duration_ms(inv, "max_backoff", &is->max_backoff_ms);
        if (cfg_get_int(inv, "max_offers_per_provider", &v) == 0)
                is->max_offers_per_provider = (uint32_t)v;
        if (is->max_backoff_ms < is->retry_backoff_ms) {
                if (!cfg_doc_raw(doc, "inventory", "max_backoff", &line))
                        (void)cfg_doc_raw(doc, "inventory", "retry_backoff", &line);
                cfg_errors_add(errs, path, line, "inventory",
                               "max_backoff (%lld ms) is shorter than retry_backoff (%lld ms)",
                               (long long)is->max_backoff_ms, (long long)is->retry_backoff_ms);
        }
}

static void read_auth(const struct gs_config *auth, const struct cfg_doc *doc, const char *path,
                      struct settings *s, struct cfg_errors *errs)
{
        const char *token = cfg_get_str(auth, "admin_token");
        int line = 0;
        int b;

        if (cfg_get_bool(auth, "enabled", &b) == 0)
                s->auth.enabled = b != 0;
        if (cfg_get_bool(auth, "metrics_public", &b) == 0)
                s->auth.metrics_public = b != 0;
        if (token && token[0] && token_hash(token, s->auth.admin_token_hash) < 0)
                cfg_errors_add(errs, path, 0, "auth", "cannot hash admin_token");
        if (!s->auth.enabled && s->listen && !auth_is_loopback(s->listen)) {
                (void)cfg_doc_raw(doc, "server", "listen", &line);
                cfg_errors_add(errs, path, line, "server",
                               "listen = '%s' exposes the API beyond this machine: set [auth] "
                               "enabled = true (with an admin_token) or listen on 127.0.0.1",
                               s->listen);
        }
}

/* Warn (once, at load) when a file holding secrets is readable by others. */
static void warn_readable_secrets(const char *path, const struct cfg_doc *doc,
                                  const struct registry *reg)
{
        const struct plugin_instance *all[REGISTRY_MAX_PROVIDERS + 1];
        size_t n = 0;
        struct stat st;

        if (stat(path, &st) < 0 || !(st.st_mode & (S_IRGRP | S_IROTH)))
                return;
        if (cfg_doc_is_literal(doc, "auth", "admin_token"))
                goto warn;
        if (reg->storage)
                all[n++] = reg->storage;
        for (size_t i = 0; i < reg->provider_count; i++)
                all[n++] = reg->providers[i];
        for (size_t i = 0; i < n; i++) {
                size_t size = 0;
                const unsigned char *p = (const void *)loader_config_keys(all[i]->plugin, &size);

                for (; p && ((const struct gs_config_key *)(const void *)p)->name; p += size) {
                        const struct gs_config_key *key = (const void *)p;

                        if ((key->flags & GS_CFG_SECRET) &&
                            cfg_doc_is_literal(doc, all[i]->section, key->name))
                                goto warn;
                }
        }
        return;
warn:
        LOG_WARN("config", "%s holds secrets and is readable by other users (mode %03o); run "
                           "chmod 600 on it or move the secrets to environment variables",
                 path, (unsigned)(st.st_mode & 0777));
}

int settings_load(const char *path, struct settings *s, struct registry *reg,
                  struct cfg_errors *errs)
{
        struct cfg_doc *doc = NULL;
        struct gs_config *server = NULL, *logc = NULL, *inv = NULL, *auth = NULL;
        struct gs_config *sessions = NULL;
        struct gs_config *lifecycle = NULL;
        struct gs_config *budget = NULL;
        size_t n;
        int r;

        memset(s, 0, sizeof(*s));
        memset(reg, 0, sizeof(*reg));
        s->config_path = strdup(path);
        r = cfg_doc_load(path, &doc, errs);
        if (r < 0)
                goto done;
        n = cfg_doc_section_count(doc);
        for (size_t i = 0; i < n; i++) {
                const char *name = cfg_doc_section_name(doc, i);

                if (!core_schema_is_known_section(name))
                        cfg_errors_add(errs, path, cfg_doc_section_line(doc, i), name,
                                       "unknown section (known: %s)",
                                       core_schema_section_names());
        }
        /* Core sections are validated even when absent so defaults apply. */
        (void)cfg_section_validate(doc, "server", core_schema_keys("server"),
                                   sizeof(struct gs_config_key), &server, errs);
        (void)cfg_section_validate(doc, "log", core_schema_keys("log"),
                                   sizeof(struct gs_config_key), &logc, errs);
        (void)cfg_section_validate(doc, "inventory", core_schema_keys("inventory"),
                                   sizeof(struct gs_config_key), &inv, errs);
        if (inv)
                read_inventory(inv, doc, path, s, errs);
        if (server && logc) {
                r = read_core(server, logc, s);
                if (r < 0)
                        goto done;
        }
        (void)cfg_section_validate(doc, "auth", core_schema_keys("auth"),
                                   sizeof(struct gs_config_key), &auth, errs);
        if (auth)
                read_auth(auth, doc, path, s, errs);
        (void)cfg_section_validate(doc, "sessions", core_schema_keys("sessions"),
                                   sizeof(struct gs_config_key), &sessions, errs);
        if (sessions)
                session_settings_read(sessions, doc, path, &s->sessions, errs);
        (void)cfg_section_validate(doc, "lifecycle", core_schema_keys("lifecycle"),
                                   sizeof(struct gs_config_key), &lifecycle, errs);
        if (lifecycle && sessions)
                lifecycle_settings_read(lifecycle, doc, path, &s->sessions, &s->lifecycle, errs);
        (void)cfg_section_validate(doc, BUDGET_SECTION, core_schema_keys(BUDGET_SECTION),
                                   sizeof(struct gs_config_key), &budget, errs);
        budget_settings_read(budget, doc, path, &s->budget, errs);
        (void)registry_load(reg, doc, s->plugin_dir ? s->plugin_dir : ".", errs);
        warn_readable_secrets(path, doc, reg);
        r = cfg_errors_count(errs) ? GS_E_CONFIG : 0;
done:
        cfg_config_free(server);
        cfg_config_free(logc);
        cfg_config_free(inv);
        cfg_config_free(auth);
        cfg_config_free(sessions);
        cfg_config_free(lifecycle);
        cfg_config_free(budget);
        cfg_doc_free(doc);
        if (r == 0 && cfg_errors_count(errs))
                r = GS_E_CONFIG;
        return r;
}

void settings_done(struct settings *s)
{
        free(s->listen);
        free(s->plugin_dir);
        free(s->data_dir);
        free(s->config_path);
        budget_settings_done(&s->budget);
        memset(s, 0, sizeof(*s));
}
