/*
 * hello_provider.c - the smallest complete gpu-shopper provider plugin.
 *
 * It offers one imaginary GPU and "creates" instances that exist only in
 * memory. Build it out of tree against the installed SDK:
 *
 *   cc -shared $(pkg-config --cflags --libs gpushop-sdk) -o hello.so hello_provider.c
 *
 * and load it with
 *
 *   [provider.hello]
 *   plugin = /path/to/hello.so
 *   greeting = hi
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpushop/plugin.h>

struct hello {
        const struct gs_host_api *api;
        struct gs_host *host;
        int64_t price_uusd;
        unsigned next_id;
};

/* Declared keys: the core validates them before init(). */
static const struct gs_config_key hello_keys[] = {
        {.name = "price", .type = GS_CFG_PRICE_UUSD, .default_value = "0.42",
         .description = "hourly price of the one offer, USD"},
        {.name = "greeting", .type = GS_CFG_STRING, .default_value = "hello",
         .description = "logged at start-up"},
        {.name = NULL},
};

static int hello_init(const struct gs_host_api *api, struct gs_host *host,
                      const struct gs_config *cfg, void **ret_instance, struct gs_error *err)
{
        struct hello *h = calloc(1, sizeof(*h));
        int r;

        if (!h)
                return api->error_set(err, GS_E_NOMEM, 0, "out of memory");
        h->api = api;
        h->host = host;
        r = api->config_price_uusd(cfg, "price", &h->price_uusd);
        if (r < 0) {
                free(h);
                return api->error_set(err, r, 0, "price: cannot read");
        }
        api->log(host, GS_LOG_INFO, "%s from the example provider", api->config_str(cfg, "greeting"));
        *ret_instance = h;
        return 0;
}

static void hello_shutdown(void *instance)
{
        free(instance);
}

static int hello_list_offers(void *instance, const struct gs_offer_filter *filter,
                             struct gs_offer_sink *sink, struct gs_error *err)
{
        struct hello *h = instance;
        struct gs_offer o = {
                .struct_size = sizeof(o),
                .gpu_count = 1,
                .offer_id = "1",
                .gpu_name_raw = "NVIDIA GeForce RTX 4090",
                .vram_mib = 24576,
                .price_uusd_per_hour = h->price_uusd,
                .location = "Nowhere, XX",
                .reliability_ppm = 990000,
                .available = 1,
        };

        (void)filter;
        (void)err;
        return h->api->offer_emit(sink, &o);
}

static int hello_create(void *instance, const struct gs_create_request *req,
                        struct gs_instance_sink *sink, struct gs_error *err)
{
        struct hello *h = instance;
        char id[32];
        struct gs_instance_info info = {.struct_size = sizeof(info)};

        if (strcmp(req->offer_id, "1") != 0)
                return h->api->error_set(err, GS_E_UNAVAILABLE, 0, "create: no offer '%s'",
                                         req->offer_id);
        (void)snprintf(id, sizeof(id), "hello-%u", ++h->next_id);
        info.instance_id = id;
        info.label = req->label;
        info.state = GS_INST_PENDING;
        return h->api->instance_emit(sink, &info);
}

static int hello_destroy(void *instance, const char *instance_id, struct gs_error *err)
{
        (void)instance;
        (void)instance_id;
        (void)err;
        return 0;
}

static const struct gs_provider_ops hello_ops = {
        .struct_size = sizeof(struct gs_provider_ops),
        .flags = 0, /* not thread-safe: the core serialises calls */
        .caps = 0,  /* no get_instance / list_instances */
        .config_key_size = sizeof(struct gs_config_key),
        .config_keys = hello_keys,
        .init = hello_init,
        .shutdown = hello_shutdown,
        .list_offers = hello_list_offers,
        .create_instance = hello_create,
        .destroy_instance = hello_destroy,
        .get_instance = NULL,    /* needs GS_PROV_CAP_STATUS */
        .list_instances = NULL,  /* needs GS_PROV_CAP_RECONCILE */
};

GS_PLUGIN_DEFINE(GS_PLUGIN_PROVIDER, "hello", "1.0.0", &hello_ops)
