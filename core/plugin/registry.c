/* registry.c - loads, validates, initialises and shuts down plugin instances. */
#include "plugin/registry.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "status.h"

#ifndef GS_DEFAULT_PLUGIN_DIR
#define GS_DEFAULT_PLUGIN_DIR "/usr/local/lib/gpu-shopper/plugins"
#endif

char *registry_plugin_dir(const char *configured)
{
        char exe[PATH_MAX];
        char candidate[PATH_MAX + 64];
        const char *env = getenv("GS_PLUGIN_DIR");
        struct stat st;
        ssize_t n;
        char *slash;

        if (configured && configured[0])
                return strdup(configured);
        if (env && env[0])
                return strdup(env);
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = '\0';
                slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        (void)snprintf(candidate, sizeof(candidate), "%s/../lib/gpu-shopper/plugins",
                                       exe);
                        if (stat(candidate, &st) == 0 && S_ISDIR(st.st_mode))
                                return strdup(candidate);
                }
        }
        return strdup(GS_DEFAULT_PLUGIN_DIR);
}

static bool valid_instance_name(const char *s)
{
        if (!s[0] || strlen(s) > 64)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                      *s == '-'))
                        return false;
        return true;
}

static void instance_free(struct plugin_instance *pi)
{
        if (!pi)
                return;
        if (pi->is_control) {
                /* Everything else is borrowed from the catalog twin. */
                if (pi->serialised)
                        pthread_mutex_destroy(&pi->lock);
                free(pi);
                return;
        }
        instance_free(pi->control);
        cfg_config_free(pi->cfg);
        loader_close(pi->plugin);
        if (pi->serialised)
                pthread_mutex_destroy(&pi->lock);
        free(pi->section);
        free(pi->name);
        free(pi);
}

/* Load one section's plugin and validate the section against its keys. */
static int load_section(const struct cfg_doc *doc, size_t idx, const char *plugin_dir,
                        uint32_t kind, const char *instance_name, const char *default_plugin,
                        struct plugin_instance **ret_pi, struct cfg_errors *errs)
{
        const char *section = cfg_doc_section_name(doc, idx);
        int line = cfg_doc_section_line(doc, idx);
        const char *plugin_name;
        const struct gs_config_key *keys;
        size_t key_size = 0;
        struct plugin_instance *pi;
        char msg[LOADER_MSG_MAX];
        int plugin_line = 0;
        int r;

        pi = calloc(1, sizeof(*pi));
        if (!pi || !(pi->section = strdup(section)) || !(pi->name = strdup(instance_name))) {
                instance_free(pi);
                return GS_E_NOMEM;
        }
        pi->line = line;
        plugin_name = cfg_doc_raw(doc, section, "plugin", &plugin_line);
        if (!plugin_name || !plugin_name[0])
                plugin_name = default_plugin;
        if (!cfg_plugin_ref_is_valid(plugin_name)) {
                cfg_errors_add(errs, cfg_doc_path(doc), plugin_line ? plugin_line : line, section,
                               "'%.64s' is not a plugin name (a-z, 0-9, '_', '-') or an "
                               "absolute path to a .so",
                               plugin_name);
                instance_free(pi);
                return GS_E_CONFIG;
        }
        r = loader_open(plugin_dir, plugin_name, kind, &pi->plugin, msg, sizeof(msg));
        if (r < 0) {
                cfg_errors_add(errs, cfg_doc_path(doc), plugin_line ? plugin_line : line, section,
                               "plugin '%s': %s", plugin_name, msg);
                instance_free(pi);
                return GS_E_CONFIG;
        }
        pi->info = loader_info(pi->plugin);
        if (kind == GS_PLUGIN_PROVIDER)
                pi->provider = pi->info->ops;
        else
                pi->storage = pi->info->ops;
        keys = loader_config_keys(pi->plugin, &key_size);
        r = cfg_section_validate(doc, section, keys, key_size, &pi->cfg, errs);
        if (r < 0) {
                instance_free(pi);
                return GS_E_CONFIG;
        }
        host_init(&pi->host, section);
        *ret_pi = pi;
        return 0;
}

int registry_load(struct registry *reg, const struct cfg_doc *doc, const char *plugin_dir,
                  struct cfg_errors *errs)
{
        size_t n = cfg_doc_section_count(doc);
        size_t prefix_len = strlen(PROVIDER_SECTION_PREFIX);
        bool storage_seen = false;
        int result = 0;

        memset(reg, 0, sizeof(*reg));
        for (size_t i = 0; i < n; i++) {
                const char *section = cfg_doc_section_name(doc, i);
                int line = cfg_doc_section_line(doc, i);
                int dup = cfg_doc_section_dup_line(doc, i);
                struct plugin_instance *pi = NULL;
                bool is_storage = strcmp(section, "storage") == 0;
                bool is_provider = strncmp(section, PROVIDER_SECTION_PREFIX, prefix_len) == 0;
                const char *name = section + (is_provider ? prefix_len : 0);

                if (!is_storage && !is_provider)
                        continue;
                if (dup > 0) {
                        cfg_errors_add(errs, cfg_doc_path(doc), dup, section,
                                       "section defined twice (lines %d and %d); give each "
                                       "instance its own name",
                                       line, dup);
                        result = GS_E_CONFIG;
                        continue;
                }
                if (is_provider && !valid_instance_name(name)) {
                        cfg_errors_add(errs, cfg_doc_path(doc), line, section,
                                       "provider instance name '%s' must be 1-64 characters of "
                                       "a-z 0-9 _ -",
                                       name);
                        result = GS_E_CONFIG;
                        continue;
                }
                if (is_provider && reg->provider_count >= REGISTRY_MAX_PROVIDERS) {
                        cfg_errors_add(errs, cfg_doc_path(doc), line, section,
                                       "too many provider sections (limit %d)",
                                       REGISTRY_MAX_PROVIDERS);
                        result = GS_E_CONFIG;
                        continue;
                }
                if (load_section(doc, i, plugin_dir,
                                 is_storage ? GS_PLUGIN_STORAGE : GS_PLUGIN_PROVIDER,
                                 is_storage ? "storage" : name,
                                 is_storage ? DEFAULT_STORAGE_PLUGIN : name, &pi, errs) < 0) {
                        result = GS_E_CONFIG;
                        continue;
                }
                if (is_storage) {
                        reg->storage = pi;
                        storage_seen = true;
                } else {
                        reg->providers[reg->provider_count++] = pi;
                }
        }
        if (!storage_seen && result == 0) {
                /* No [storage] section: the embedded default with its defaults. */
                struct cfg_doc *empty = NULL;
                int r = cfg_doc_load_string(cfg_doc_path(doc), "[storage]\n", &empty, errs);

                if (r == 0 && load_section(empty, 0, plugin_dir, GS_PLUGIN_STORAGE, "storage",
                                           DEFAULT_STORAGE_PLUGIN, &reg->storage, errs) < 0)
                        result = GS_E_CONFIG;
                cfg_doc_free(empty);
                if (r < 0)
                        result = r;
        }
        return result;
}

static int init_one(struct plugin_instance *pi)
{
        const struct gs_host_api *api = host_api_table();
        struct gs_error err;
        void *instance = NULL;
        uint32_t flags;
        int r;

        gs_error_init(&err);
        if (pi->provider) {
                flags = pi->provider->flags;
                r = pi->provider->init(api, &pi->host, pi->cfg, &instance, &err);
        } else {
                flags = pi->storage->flags;
                r = pi->storage->init(api, &pi->host, pi->cfg, &instance, &err);
        }
        if (r < 0) {
                LOG_ERR(pi->section, "plugin '%s' failed to start: %s (%s)", pi->info->name,
                        gs_error_msg(&err), gs_status_name(r));
                return r;
        }
        pi->serialised = !(flags & GS_PLUGIN_F_THREADSAFE);
        if (pi->serialised)
                pthread_mutex_init(&pi->lock, NULL);
        pi->instance = instance;
        pi->initialised = true;
        LOG_INFO(pi->section, "plugin '%s' %s started%s (%s)", pi->info->name,
                 pi->info->version ? pi->info->version : "?",
                 pi->is_control ? " as the control instance" : "", loader_path(pi->plugin));
        return 0;
}

/* A provider whose calls are serialised gets a second instance for session
 * calls (see registry.h); a thread-safe one needs none. */
static int init_control(struct plugin_instance *pi)
{
        struct plugin_instance *c;
        int r;

        if (!pi->provider || !pi->serialised || pi->control)
                return 0;
        c = calloc(1, sizeof(*c));
        if (!c)
                return GS_E_NOMEM;
        c->section = pi->section;
        c->name = pi->name;
        c->line = pi->line;
        c->plugin = pi->plugin;
        c->info = pi->info;
        c->provider = pi->provider;
        c->cfg = pi->cfg;
        c->is_control = true;
        host_init(&c->host, pi->section);
        r = init_one(c);
        if (r < 0) {
                free(c);
                return r;
        }
        pi->control = c;
        return 0;
}

static void shutdown_one(struct plugin_instance *pi)
{
        if (!pi || !pi->initialised)
                return;
        shutdown_one(pi->control);
        if (pi->provider)
                pi->provider->shutdown(pi->instance);
        else
                pi->storage->shutdown(pi->instance);
        pi->initialised = false;
        pi->instance = NULL;
}

int registry_init_all(struct registry *reg)
{
        int r;

        if (reg->storage) {
                r = init_one(reg->storage);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < reg->provider_count; i++) {
                r = init_one(reg->providers[i]);
                if (r == 0)
                        r = init_control(reg->providers[i]);
                if (r < 0)
                        goto fail;
        }
        return 0;
fail:
        for (size_t i = reg->provider_count; i-- > 0;)
                shutdown_one(reg->providers[i]);
        shutdown_one(reg->storage);
        return r;
}

int registry_init_one(struct plugin_instance *pi)
{
        return pi->initialised ? 0 : init_one(pi);
}

int registry_init_storage(struct registry *reg)
{
        return reg->storage ? init_one(reg->storage) : GS_E_CONFIG;
}

void registry_free(struct registry *reg)
{
        for (size_t i = reg->provider_count; i-- > 0;) {
                shutdown_one(reg->providers[i]);
                instance_free(reg->providers[i]);
                reg->providers[i] = NULL;
        }
        shutdown_one(reg->storage);
        instance_free(reg->storage);
        memset(reg, 0, sizeof(*reg));
}

struct plugin_instance *registry_provider(const struct registry *reg, const char *name)
{
        for (size_t i = 0; name && i < reg->provider_count; i++) {
                struct plugin_instance *pi = reg->providers[i];

                if (strcmp(pi->name, name) == 0)
                        return pi->control && pi->control->initialised ? pi->control : pi;
        }
        return NULL;
}

void registry_enter(struct plugin_instance *pi)
{
        if (pi->serialised)
                pthread_mutex_lock(&pi->lock);
}

void registry_leave(struct plugin_instance *pi)
{
        if (pi->serialised)
                pthread_mutex_unlock(&pi->lock);
}
