/*
 * test_plugin.c - one provider plugin source compiled into several
 * deliberately broken variants (see CMakeLists.txt) to exercise every loader
 * rejection. Without any BROKEN_* define it is a valid plugin.
 */
#include <string.h>

#include <gpushop/plugin.h>

static int t_init(const struct gs_host_api *api, struct gs_host *host, const struct gs_config *cfg,
                  void **ret_instance, struct gs_error *err)
{
        (void)api;
        (void)host;
        (void)cfg;
        (void)err;
        *ret_instance = NULL;
        return 0;
}

static void t_shutdown(void *instance)
{
        (void)instance;
}

static int t_list(void *instance, const struct gs_offer_filter *filter, struct gs_offer_sink *sink,
                  struct gs_error *err)
{
        (void)instance;
        (void)filter;
        (void)sink;
        (void)err;
        return 0;
}

#ifndef BROKEN_MISSING_OP
static int t_create(void *instance, const struct gs_create_request *req,
                    struct gs_instance_sink *sink, struct gs_error *err)
{
        (void)instance;
        (void)req;
        (void)sink;
        (void)err;
        return GS_E_NOTSUP;
}
#endif

static int t_destroy(void *instance, const char *id, struct gs_error *err)
{
        (void)instance;
        (void)id;
        (void)err;
        return 0;
}

#ifndef BROKEN_CAP_WITHOUT_OP
static int t_get(void *instance, const char *id, struct gs_instance_sink *sink,
                 struct gs_error *err)
{
        (void)instance;
        (void)id;
        (void)sink;
        (void)err;
        return GS_E_NOTFOUND;
}
#endif

static const struct gs_config_key t_keys[] = {
        {.name = "api_key", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED | GS_CFG_SECRET,
         .env = "TEST_PLUGIN_API_KEY", .description = "credential"},
        {.name = "timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s", .min = 100,
         .max = 60000, .description = "request timeout"},
        {.name = NULL},
};

static const struct gs_provider_ops t_ops = {
        .struct_size = sizeof(struct gs_provider_ops),
        .caps = GS_PROV_CAP_STATUS,
        .config_key_size = sizeof(struct gs_config_key),
        .config_keys = t_keys,
        .init = t_init,
        .shutdown = t_shutdown,
        .list_offers = t_list,
#ifndef BROKEN_MISSING_OP
        .create_instance = t_create,
#endif
        .destroy_instance = t_destroy,
#ifndef BROKEN_CAP_WITHOUT_OP
        .get_instance = t_get,
#endif
};

#if defined(BROKEN_NO_ENTRY)
GS_EXPORT const struct gs_provider_ops *not_the_entry(void);
const struct gs_provider_ops *not_the_entry(void)
{
        return &t_ops;
}
#else
GS_EXPORT const struct gs_plugin_info *gs_plugin_entry(void);
const struct gs_plugin_info *gs_plugin_entry(void)
{
        static const struct gs_plugin_info info = {
#ifdef BROKEN_MAGIC
                .magic = 0x12345678u,
#else
                .magic = GS_PLUGIN_MAGIC,
#endif
#ifdef BROKEN_ABI_MAJOR
                .abi_major = GS_ABI_MAJOR + 1,
#else
                .abi_major = GS_ABI_MAJOR,
#endif
                .abi_minor = GS_ABI_MINOR,
#ifdef BROKEN_TRUNCATED
                .struct_size = 8,
#else
                .struct_size = sizeof(struct gs_plugin_info),
#endif
                .kind = GS_PLUGIN_PROVIDER,
                .name = "testprov",
                .version = "0.0.1",
                .ops = &t_ops,
        };
        return &info;
}
#endif
