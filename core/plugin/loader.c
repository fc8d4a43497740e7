/* loader.c - opens plugins with libltdl and checks the ABI handshake. */
#include "plugin/loader.h"

#include <ltdl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

struct loader_plugin {
        lt_dlhandle handle;
        const struct gs_plugin_info *info;
        char *path;
};

/* Sizes of the ABI 1.0 structs: anything smaller is truncated. */
#define INFO_V1_0_SIZE (offsetof(struct gs_plugin_info, ops) + sizeof(void *))
#define PROVIDER_OPS_V1_0_SIZE                                                                     \
        (offsetof(struct gs_provider_ops, list_instances) + sizeof(void (*)(void)))
#define STORAGE_OPS_V1_0_SIZE                                                                      \
        (offsetof(struct gs_storage_ops, token_revoke) + sizeof(void (*)(void)))
#define CONFIG_KEY_V1_0_SIZE (offsetof(struct gs_config_key, description) + sizeof(char *))

static int initialised;

int loader_init(void)
{
        if (initialised++ > 0)
                return 0;
        if (lt_dlinit() != 0) {
                initialised = 0;
                return GS_E_PLUGIN;
        }
        return 0;
}

void loader_exit(void)
{
        if (initialised > 0 && --initialised == 0)
                (void)lt_dlexit();
}

static const char *kind_name(uint32_t kind)
{
        switch (kind) {
        case GS_PLUGIN_PROVIDER:
                return "provider";
        case GS_PLUGIN_STORAGE:
                return "storage";
        default:
                return "unknown";
        }
}

#define FAIL(...)                                                                                  \
        (void)snprintf(msg, msg_len, __VA_ARGS__)

/* One op slot of an ops table: its offset and name. */
struct op_slot {
        size_t off;
        const char *name;
};

/* The part both ops tables share: their header (struct_size, flags, caps,
 * config_key_size, config_keys) and a list of required ops. */
struct ops_header {
        uint32_t struct_size, flags, caps, config_key_size;
        const struct gs_config_key *config_keys;
};

_Static_assert(offsetof(struct gs_provider_ops, config_keys) ==
                       offsetof(struct ops_header, config_keys) &&
               offsetof(struct gs_storage_ops, config_keys) ==
                       offsetof(struct ops_header, config_keys),
               "ops tables no longer share the header layout");

static bool slot_is_null(const void *ops, size_t off)
{
        void (*fn)(void);

        memcpy(&fn, (const char *)ops + off, sizeof(fn));
        return fn == NULL;
}

static int check_common(const void *ops, const char *kind, size_t min_size,
                        const struct op_slot *required, size_t n, char *msg, size_t msg_len)
{
        struct ops_header h;

        memcpy(&h, ops, sizeof(h));
        if (h.struct_size < min_size) {
                FAIL("its %s ops table is truncated (%u bytes, ABI 1.0 needs %zu); rebuild it "
                     "against this SDK",
                     kind, h.struct_size, min_size);
                return GS_E_PLUGIN;
        }
        for (size_t i = 0; i < n; i++) {
                if (slot_is_null(ops, required[i].off)) {
                        FAIL("required op '%s' is missing (NULL in its %s ops table)",
                             required[i].name, kind);
                        return GS_E_PLUGIN;
                }
        }
        if (h.config_keys && h.config_key_size < CONFIG_KEY_V1_0_SIZE) {
                FAIL("its config key table has element size %u, ABI 1.0 needs %zu",
                     h.config_key_size, CONFIG_KEY_V1_0_SIZE);
                return GS_E_PLUGIN;
        }
        return 0;
}

#define SLOT(type, op) {offsetof(struct type, op), #op}

static int check_provider_ops(const struct gs_provider_ops *ops, char *msg, size_t msg_len)
{
        static const struct op_slot required[] = {
                SLOT(gs_provider_ops, init),
                SLOT(gs_provider_ops, shutdown),
                SLOT(gs_provider_ops, list_offers),
                SLOT(gs_provider_ops, create_instance),
                SLOT(gs_provider_ops, destroy_instance),
        };
        static const struct {
                uint32_t cap;
                const char *cap_name;
                struct op_slot op;
        } caps[] = {
                {GS_PROV_CAP_STATUS, "GS_PROV_CAP_STATUS", SLOT(gs_provider_ops, get_instance)},
                {GS_PROV_CAP_RECONCILE, "GS_PROV_CAP_RECONCILE",
                 SLOT(gs_provider_ops, list_instances)},
        };
        int r = check_common(ops, "provider", PROVIDER_OPS_V1_0_SIZE, required,
                             sizeof(required) / sizeof(required[0]), msg, msg_len);

        if (r < 0)
                return r;
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
                if ((ops->caps & caps[i].cap) && slot_is_null(ops, caps[i].op.off)) {
                        FAIL("it announces %s but its op '%s' is NULL", caps[i].cap_name,
                             caps[i].op.name);
                        return GS_E_PLUGIN;
                }
        }
        if (ops->caps & ~GS_PROV_CAP_KNOWN_MASK) {
                FAIL("it announces unknown capability bits 0x%x; rebuild it against this SDK",
                     ops->caps & ~GS_PROV_CAP_KNOWN_MASK);
                return GS_E_PLUGIN;
        }
        return 0;
}

static int check_storage_ops(const struct gs_storage_ops *ops, char *msg, size_t msg_len)
{
        static const struct op_slot required[] = {
                SLOT(gs_storage_ops, init),           SLOT(gs_storage_ops, shutdown),
                SLOT(gs_storage_ops, meta_get),       SLOT(gs_storage_ops, meta_set_if_absent),
                SLOT(gs_storage_ops, session_insert), SLOT(gs_storage_ops, session_get),
                SLOT(gs_storage_ops, session_list),   SLOT(gs_storage_ops, session_update),
                SLOT(gs_storage_ops, cost_append),    SLOT(gs_storage_ops, cost_aggregate),
                SLOT(gs_storage_ops, event_append),   SLOT(gs_storage_ops, event_list),
                SLOT(gs_storage_ops, token_insert),   SLOT(gs_storage_ops, token_find_by_hash),
                SLOT(gs_storage_ops, token_list),     SLOT(gs_storage_ops, token_revoke),
        };

        return check_common(ops, "storage", STORAGE_OPS_V1_0_SIZE, required,
                            sizeof(required) / sizeof(required[0]), msg, msg_len);
}

int loader_check_ops(uint32_t kind, const void *ops, char *msg, size_t msg_len)
{
        if (!ops) {
                FAIL("its info block has no ops table");
                return GS_E_PLUGIN;
        }
        if (kind == GS_PLUGIN_PROVIDER)
                return check_provider_ops(ops, msg, msg_len);
        if (kind == GS_PLUGIN_STORAGE)
                return check_storage_ops(ops, msg, msg_len);
        FAIL("its kind %u is not a known plugin kind", kind);
        return GS_E_PLUGIN;
}

static char *resolve_path(const char *dir, const char *name)
{
        char *path = NULL;
        size_t len;

        if (strchr(name, '/'))
                return strdup(name);
        len = strlen(dir) + strlen(name) + 5;
        path = malloc(len);
        if (path)
                (void)snprintf(path, len, "%s/%s.so", dir, name);
        return path;
}

int loader_open(const char *dir, const char *name, uint32_t expected_kind,
                struct loader_plugin **ret_plugin, char *msg, size_t msg_len)
{
        struct loader_plugin *p = NULL;
        lt_dladvise advise = NULL;
        gs_plugin_entry_fn entry;
        const struct gs_plugin_info *info;
        void *sym;
        int r = GS_E_PLUGIN;

        if (!name || !name[0] || !ret_plugin) {
                FAIL("no plugin name given");
                return GS_E_INVAL;
        }
        p = calloc(1, sizeof(*p));
        if (!p || !(p->path = resolve_path(dir ? dir : ".", name))) {
                FAIL("out of memory");
                r = GS_E_NOMEM;
                goto fail;
        }
        if (lt_dladvise_init(&advise) != 0 || lt_dladvise_local(&advise) != 0) {
                FAIL("cannot initialise libltdl: %s", lt_dlerror());
                goto fail;
        }
        p->handle = lt_dlopenadvise(p->path, advise);
        if (!p->handle) {
                const char *why = lt_dlerror();

                FAIL("cannot load '%s': %s; check the path and its dependencies with ldd(1)",
                     p->path, why ? why : "unknown error");
                goto fail;
        }
        sym = lt_dlsym(p->handle, GS_PLUGIN_ENTRY_SYMBOL);
        if (!sym) {
                FAIL("'%s' is not a gpu-shopper plugin (no %s symbol)", p->path,
                     GS_PLUGIN_ENTRY_SYMBOL);
                goto fail;
        }
        memcpy(&entry, &sym, sizeof(entry));
        info = entry();
        if (!info) {
                FAIL("'%s': %s() returned NULL", p->path, GS_PLUGIN_ENTRY_SYMBOL);
                goto fail;
        }
        if (info->magic != GS_PLUGIN_MAGIC) {
                FAIL("'%s' is not a gpu-shopper plugin (bad magic 0x%08x)", p->path,
                     (unsigned)info->magic);
                goto fail;
        }
        if (info->abi_major != GS_ABI_MAJOR) {
                FAIL("'%s' was built for plugin ABI %u.x, this server provides %d.x; rebuild it "
                     "against this SDK",
                     p->path, info->abi_major, GS_ABI_MAJOR);
                goto fail;
        }
        if (info->struct_size < INFO_V1_0_SIZE) {
                FAIL("'%s' has a truncated info block (%u bytes, ABI 1.0 needs %zu); rebuild it "
                     "against this SDK",
                     p->path, info->struct_size, INFO_V1_0_SIZE);
                goto fail;
        }
        if (!info->name || !info->name[0]) {
                FAIL("'%s' has no name in its info block", p->path);
                goto fail;
        }
        if (expected_kind != 0 && info->kind != expected_kind) {
                FAIL("'%s' is a %s plugin, but this section needs a %s plugin", p->path,
                     kind_name(info->kind), kind_name(expected_kind));
                goto fail;
        }
        {
                char why[LOADER_MSG_MAX];

                if (loader_check_ops(info->kind, info->ops, why, sizeof(why)) < 0) {
                        FAIL("'%s' rejected: %s", p->path, why);
                        goto fail;
                }
        }
        p->info = info;
        (void)lt_dladvise_destroy(&advise);
        *ret_plugin = p;
        return 0;
fail:
        if (advise)
                (void)lt_dladvise_destroy(&advise);
        loader_close(p);
        return r;
}

void loader_close(struct loader_plugin *p)
{
        if (!p)
                return;
        if (p->handle)
                (void)lt_dlclose(p->handle);
        free(p->path);
        free(p);
}

const struct gs_plugin_info *loader_info(const struct loader_plugin *p)
{
        return p->info;
}

const char *loader_path(const struct loader_plugin *p)
{
        return p->path;
}

const struct gs_config_key *loader_config_keys(const struct loader_plugin *p, size_t *ret_size)
{
        const struct gs_provider_ops *pops;
        const struct gs_storage_ops *sops;

        if (p->info->kind == GS_PLUGIN_PROVIDER) {
                pops = p->info->ops;
                *ret_size = pops->config_key_size;
                return pops->config_keys;
        }
        sops = p->info->ops;
        *ret_size = sops->config_key_size;
        return sops->config_keys;
}
