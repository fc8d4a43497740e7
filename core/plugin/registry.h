/*
 * registry.h - the loaded plugin instances: one storage instance and any
 * number of provider instances, each with its validated config, host context
 * and (unless the plugin is thread-safe) a mutex serialising calls into it.
 *
 * Built, initialised and shut down on the main thread; after
 * registry_init_all() the set of instances is fixed and may be read from any
 * thread. Calls into an instance go through registry_enter()/registry_leave().
 */
#ifndef GS_REGISTRY_H
#define GS_REGISTRY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "gpushop/plugin.h"
#include "plugin/host_api.h"
#include "plugin/loader.h"

#define REGISTRY_MAX_PROVIDERS 64
#define PROVIDER_SECTION_PREFIX "provider."
#define DEFAULT_STORAGE_PLUGIN "storage-sqlite"

struct plugin_instance {
        char *section;  /* "provider.vastai" or "storage" */
        char *name;     /* instance name: "vastai" (the part after "provider.") */
        int line;       /* config line of the section header */
        struct loader_plugin *plugin;
        const struct gs_plugin_info *info;
        const struct gs_provider_ops *provider; /* kind == provider */
        const struct gs_storage_ops *storage;   /* kind == storage */
        struct gs_config *cfg;
        struct gs_host host;
        void *instance; /* what init() returned */
        bool serialised;
        bool initialised;
        pthread_mutex_t lock;
        /*
         * A provider plugin that is not thread-safe is initialised twice with
         * the same config: this "catalog" instance serves the inventory
         * poller's list_offers; `control`, its sibling with its own mutex,
         * serves create/get/destroy/list_instances (registry_provider()), so
         * a long catalog listing never delays a destroy. NULL when the plugin
         * is thread-safe (one instance serves both) or not yet initialised.
         */
        struct plugin_instance *control;
        bool is_control; /* borrows plugin, info, ops, cfg and names from its catalog twin */
};

struct registry {
        struct plugin_instance *storage;
        struct plugin_instance *providers[REGISTRY_MAX_PROVIDERS];
        size_t provider_count;
};

/*
 * Load and validate the plugins the document names: [storage] (plugin
 * defaults to storage-sqlite) and every [provider.NAME] (plugin defaults to
 * NAME). Every problem is added to errs as "file:line: [section] message".
 * Returns 0 when no error was added, GS_E_CONFIG otherwise (the registry
 * then holds what loaded; free it with registry_free()).
 */
int registry_load(struct registry *reg, const struct cfg_doc *doc, const char *plugin_dir,
                  struct cfg_errors *errs);
/* Call init() on storage then providers, in order (a provider that is not
 * thread-safe twice: catalog and control instance). On the first failure,
 * log it, shut down what was initialised and return its status. */
int registry_init_all(struct registry *reg);
/* Initialise only the storage instance (offline administration). */
int registry_init_storage(struct registry *reg);
/* Initialise one instance (offline tools that start only what they use);
 * logs a failure. registry_free shuts down whatever was initialised. */
int registry_init_one(struct plugin_instance *pi);
/* Shut down providers in reverse order, then storage; close plugins. */
void registry_free(struct registry *reg);

/* The instance session and lifecycle calls use: the provider's control
 * instance when it has one, else the provider instance itself. NULL when no
 * provider has that name. */
struct plugin_instance *registry_provider(const struct registry *reg, const char *name);

/* Serialise a call into a non-thread-safe instance. */
void registry_enter(struct plugin_instance *pi);
void registry_leave(struct plugin_instance *pi);

/* The plugin directory: `configured` if set, else $GS_PLUGIN_DIR, else
 * <exe dir>/../lib/gpu-shopper/plugins when it exists, else the compiled-in
 * install directory. Returns a malloc'd string or NULL (OOM). */
char *registry_plugin_dir(const char *configured);

#endif /* GS_REGISTRY_H */
