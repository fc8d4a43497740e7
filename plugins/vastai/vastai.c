/*
 * vastai.c - the Vast.ai provider plugin: declared keys, ops table,
 * init/shutdown and the mapping of Vast's HTTP answers to GS_E_* statuses
 * (provider-wire-contract §2, §7).
 *
 * [provider.vastai]
 * api_key = ${VASTAI_API_KEY}        ; or leave it out and set VASTAI_API_KEY
 * min_reliability = 950000           ; reliability2 floor in ppm (0.95)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpushop/plugin.h>

#include "vastai_http.h"
#include "vastai_parse.h"
#include "vastai_request.h"

#define VAST_VERSION "1.0.0"
#define VAST_DEFAULT_IMAGE "nvidia/cuda:12.6.3-runtime-ubuntu22.04"
#define VAST_PPM_MAX 1000000
#define VAST_SSH_KEYS_MAX 16
#define VAST_API_KEY_MAX 512
#define VAST_MSG_MAX GS_ERROR_MSG_MAX
#define VAST_PATH_MAX 64

/* Is field f of *p inside the struct_size its writer declared? */
#define HAS_FIELD(p, f) ((p)->struct_size >= offsetof(__typeof__(*(p)), f) + sizeof((p)->f))

static const struct gs_config_key vast_keys[] = {
        {.name = "api_key", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED | GS_CFG_SECRET,
         .env = "VASTAI_API_KEY", .description = "Vast.ai API key (sent as a Bearer token)"},
        {.name = "api_base_url", .type = GS_CFG_URL,
         .default_value = "https://console.vast.ai/api/v0",
         .description = "Vast.ai API root; tests point it at the simulator"},
        {.name = "min_reliability", .type = GS_CFG_INT, .default_value = "950000", .min = 0,
         .max = VAST_PPM_MAX,
         .description = "lowest reliability2 searched for, in parts per million (950000 = 0.95)"},
        {.name = "timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s", .min = 1000,
         .max = 120000, .description = "whole-request timeout of each API call"},
        {.name = "connect_timeout", .type = GS_CFG_DURATION_MS, .default_value = "10s",
         .min = 100, .max = 60000, .description = "TCP/TLS connect timeout"},
        {.name = "max_response_bytes", .type = GS_CFG_INT, .default_value = "67108864",
         .min = 65536, .max = 1073741824,
         .description = "larger API responses are rejected as bad responses"},
        {.name = "image", .type = GS_CFG_STRING, .default_value = VAST_DEFAULT_IMAGE,
         .description = "container image when the request names none"},
        {.name = NULL},
};

struct vast {
        const struct gs_host_api *api;
        struct gs_host *host;
        struct vast_http *http;
        char *image;
        uint32_t min_reliability_ppm;
};

/* What the emit callbacks need. */
struct emit_ctx {
        struct vast *v;
        void *sink;
        const char *want_id; /* get_instance: the id asked for */
        bool mismatch;       /* get_instance: the answer was about another id */
};

static int vast_init(const struct gs_host_api *api, struct gs_host *host,
                     const struct gs_config *cfg, void **ret_instance, struct gs_error *err)
{
        char msg[VAST_HTTP_MSG_MAX] = "";
        struct vast_http_config hc = {.api = api, .host = host};
        struct vast *v = NULL;
        const char *key, *base, *image;
        char *base_copy = NULL;
        int64_t ppm, max_bytes;
        bool curl_up = false;
        size_t blen;
        int r;

        key = api->config_str(cfg, "api_key");
        base = api->config_str(cfg, "api_base_url");
        image = api->config_str(cfg, "image");
        if (!key || vast_check_text(key, VAST_API_KEY_MAX) < 0 || strchr(key, ' ')) {
                r = api->error_set(err, GS_E_CONFIG, 0,
                                   "api_key: missing, or not one printable word");
                goto fail;
        }
        if (!base || vast_check_text(base, VAST_URL_MAX / 2) < 0 || strpbrk(base, "?# ")) {
                r = api->error_set(err, GS_E_CONFIG, 0, "api_base_url: not a plain URL");
                goto fail;
        }
        if (!image || vast_check_text(image, VAST_IMAGE_MAX) < 0) {
                r = api->error_set(err, GS_E_CONFIG, 0, "image: empty or too long");
                goto fail;
        }
        r = api->config_int(cfg, "min_reliability", &ppm);
        if (r == 0)
                r = api->config_duration_ms(cfg, "timeout", &hc.timeout_ms);
        if (r == 0)
                r = api->config_duration_ms(cfg, "connect_timeout", &hc.connect_timeout_ms);
        if (r == 0)
                r = api->config_int(cfg, "max_response_bytes", &max_bytes);
        if (r < 0 || ppm < 0 || ppm > VAST_PPM_MAX || max_bytes <= 0) {
                r = api->error_set(err, GS_E_CONFIG, 0, "cannot read the declared keys");
                goto fail;
        }

        v = calloc(1, sizeof(*v));
        base_copy = strdup(base);
        if (v)
                v->image = strdup(image);
        if (!v || !base_copy || !v->image) {
                r = api->error_set(err, GS_E_NOMEM, 0, "out of memory");
                goto fail;
        }
        /* "https://x/api/v0/" and "https://x/api/v0" name the same root. */
        blen = strlen(base_copy);
        while (blen > 0 && base_copy[blen - 1] == '/')
                base_copy[--blen] = '\0';
        v->api = api;
        v->host = host;
        v->min_reliability_ppm = (uint32_t)ppm;

        if (vast_http_global_init() < 0) {
                r = api->error_set(err, GS_E_NOMEM, 0, "curl_global_init failed");
                goto fail;
        }
        curl_up = true;
        hc.base_url = base_copy;
        hc.api_key = key;
        hc.max_response_bytes = (size_t)max_bytes;
        r = vast_http_new(&hc, &v->http, msg, sizeof(msg));
        if (r < 0) {
                r = api->error_set(err, r, 0, "%s", msg);
                goto fail;
        }
        free(base_copy);
        *ret_instance = v;
        return 0;
fail:
        free(base_copy);
        if (v) {
                free(v->image);
                free(v);
        }
        if (curl_up)
                vast_http_global_cleanup();
        return r;
}

static void vast_shutdown(void *instance)
{
        struct vast *v = instance;

        if (!v)
                return;
        vast_http_free(v->http);
        vast_http_global_cleanup();
        free(v->image);
        free(v);
}

/*
 * The HTTP status of a response that is not a success -> GS_E_* with the
 * provider's words (capped, sanitised). Returns 0 for 2xx.
 */
static int check_status(struct vast *v, const char *op, const struct vast_response *resp,
                        struct gs_error *err)
{
        char text[VAST_PROVIDER_TEXT_MAX + 4];
        long st = resp->status;
        int r;

        if (st >= 200 && st <= 299)
                return 0;
        vast_error_text(resp->body, resp->len, text, sizeof(text));
        if (st == 401 || st == 403)
                r = GS_E_AUTH;
        else if (st == 429)
                r = GS_E_RATELIMIT;
        else if (st == 404)
                r = GS_E_NOTFOUND;
        else
                r = GS_E_UPSTREAM;
        r = v->api->error_set(err, r, (int)st, "%s: HTTP %ld%s%s", op, st, text[0] ? ": " : "",
                              text);
        /* Honoured by the core's rate governor: 429, and 503 when it says. */
        if ((st == 429 || st == 503) && resp->retry_after_s >= 0)
                v->api->error_set_retry_after(err, resp->retry_after_s);
        return r;
}

/* One request; transport failures are turned into err here. */
static int request(struct vast *v, const char *op, const char *method, const char *path,
                   const char *q, const char *body, struct vast_response *ret_resp,
                   struct gs_error *err)
{
        char msg[VAST_HTTP_MSG_MAX] = "";
        int r;

        r = vast_http_request(v->http, method, path, q, body, ret_resp, msg, sizeof(msg));
        if (r < 0)
                return v->api->error_set(err, r, 0, "%s: %s", op, msg);
        v->api->log(v->host, GS_LOG_DEBUG, "%s: %s %s -> HTTP %ld, %zu bytes", op, method, path,
                    ret_resp->status, ret_resp->len);
        return 0;
}

static int emit_offer(void *ctx, const struct gs_offer *offer)
{
        struct emit_ctx *ec = ctx;

        return ec->v->api->offer_emit(ec->sink, offer);
}

static int vast_list_offers(void *instance, const struct gs_offer_filter *filter,
                            struct gs_offer_sink *sink, struct gs_error *err)
{
        struct vast *v = instance;
        struct vast_query q = {.min_reliability_ppm = v->min_reliability_ppm};
        struct vast_response resp = {.retry_after_s = -1};
        struct vast_parse_stats st = {0};
        struct emit_ctx ec = {.v = v, .sink = sink};
        char msg[VAST_MSG_MAX] = "";
        char *qjson = NULL;
        int r;

        /* Hints only: the core re-applies every criterion. Read only the
         * fields the caller's struct_size covers. */
        if (filter) {
                if (HAS_FIELD(filter, min_reliability_ppm) &&
                    filter->min_reliability_ppm > q.min_reliability_ppm &&
                    filter->min_reliability_ppm <= VAST_PPM_MAX)
                        q.min_reliability_ppm = filter->min_reliability_ppm;
                if (HAS_FIELD(filter, gpu_name) && filter->gpu_name &&
                    vast_check_text(filter->gpu_name, VAST_LABEL_MAX) == 0)
                        q.gpu_name = filter->gpu_name;
                if (HAS_FIELD(filter, min_gpu_count))
                        q.min_gpu_count = filter->min_gpu_count;
                if (HAS_FIELD(filter, min_vram_mib))
                        q.min_vram_mib = filter->min_vram_mib;
                if (HAS_FIELD(filter, max_price_uusd_per_hour))
                        q.max_price_uusd_per_hour = filter->max_price_uusd_per_hour;
                if (HAS_FIELD(filter, min_cuda_milli))
                        q.min_cuda_milli = filter->min_cuda_milli;
        }
        r = vast_query_json(&q, &qjson);
        if (r < 0) {
                r = v->api->error_set(err, r, 0, "list_offers: cannot build the search query");
                goto done;
        }
        r = request(v, "list_offers", "GET", "/bundles/", qjson, NULL, &resp, err);
        if (r < 0)
                goto done;
        r = check_status(v, "list_offers", &resp, err);
        if (r < 0)
                goto done;
        r = vast_parse_offers(resp.body, resp.len, emit_offer, &ec, &st, msg, sizeof(msg));
        if (r < 0) {
                r = v->api->error_set(err, r, (int)resp.status, "list_offers: %s", msg);
                goto done;
        }
        if (st.skipped > 0)
                v->api->log(v->host, GS_LOG_DEBUG,
                            "list_offers: skipped %u of %u offers, first: %s", st.skipped,
                            st.total, msg);
done:
        vast_response_done(&resp);
        free(qjson);
        return r;
}

static int emit_instance(void *ctx, const struct gs_instance_info *info)
{
        struct emit_ctx *ec = ctx;

        if (ec->want_id && strcmp(info->instance_id, ec->want_id) != 0) {
                ec->mismatch = true;
                return GS_E_BADRESPONSE;
        }
        return ec->v->api->instance_emit(ec->sink, info);
}

/* Attach one key; failure is not fatal (the key is in the create body too)
 * but is said once, since nothing else will report it. */
static void attach_key(struct vast *v, const char *contract, const char *key, uint32_t i)
{
        struct vast_response resp = {.retry_after_s = -1};
        struct gs_error *none = NULL;
        char path[VAST_PATH_MAX];
        char *body = NULL;
        int r;

        (void)snprintf(path, sizeof(path), "/instances/%s/ssh/", contract);
        r = vast_ssh_key_json(key, &body);
        if (r == 0)
                r = request(v, "create", "POST", path, NULL, body, &resp, none);
        if (r == 0 && (resp.status < 200 || resp.status > 299))
                r = GS_E_UPSTREAM;
        if (r < 0)
                v->api->log(v->host, GS_LOG_WARNING,
                            "create: instance %s: attaching SSH key %u failed (%s, HTTP %ld), "
                            "relying on the key sent with the create request",
                            contract, i + 1, r == GS_E_UPSTREAM ? "refused" : "no answer",
                            resp.status);
        vast_response_done(&resp);
        free(body);
}

static int vast_create(void *instance, const struct gs_create_request *req,
                       struct gs_instance_sink *sink, struct gs_error *err)
{
        struct vast *v = instance;
        struct vast_create_body cb = {0};
        struct vast_response resp = {.retry_after_s = -1};
        struct gs_instance_info info = {.struct_size = sizeof(info)};
        char contract[VAST_ID_STR_MAX], path[VAST_PATH_MAX], msg[VAST_MSG_MAX] = "";
        const char *const *keys = NULL;
        uint32_t nkeys = 0, i;
        char *body = NULL;
        int r;

        if (!req || !HAS_FIELD(req, label) || vast_check_id(req->offer_id) < 0) {
                r = v->api->error_set(err, GS_E_INVAL, 0,
                                      "create: offer id is not a Vast.ai ask id");
                goto done;
        }
        if (HAS_FIELD(req, ssh_public_key_count) && req->ssh_public_key_count > 0) {
                keys = req->ssh_public_keys;
                nkeys = req->ssh_public_key_count;
        }
        if (nkeys > VAST_SSH_KEYS_MAX || (nkeys > 0 && !keys)) {
                r = v->api->error_set(err, GS_E_INVAL, 0, "create: at most %d SSH keys",
                                      VAST_SSH_KEYS_MAX);
                goto done;
        }
        for (i = 0; i < nkeys; i++) {
                if (vast_check_text(keys[i], VAST_SSH_KEY_MAX) < 0) {
                        r = v->api->error_set(err, GS_E_INVAL, 0,
                                              "create: SSH key %u is not one text line", i + 1);
                        goto done;
                }
        }
        cb.label = req->label;
        cb.disk_gb = req->disk_gb;
        cb.image = v->image;
        if (HAS_FIELD(req, image) && req->image)
                cb.image = req->image;
        if (HAS_FIELD(req, template_id) && req->template_id)
                cb.template_hash_id = req->template_id;
        cb.ssh_key = nkeys > 0 ? keys[0] : NULL;
        r = vast_create_json(&cb, &body);
        if (r < 0) {
                r = v->api->error_set(err, r, 0,
                                      "create: label, image, template or disk size refused "
                                      "(disk_gb 1..%d, no control characters)",
                                      VAST_DISK_GB_MAX);
                goto done;
        }

        (void)snprintf(path, sizeof(path), "/asks/%s/", req->offer_id);
        r = request(v, "create", "PUT", path, NULL, body, &resp, err);
        if (r < 0)
                goto done;
        /* A gone offer: 400 no_such_ask, or 404/410 for the ask itself. */
        if ((resp.status == 400 && vast_body_says_stale(resp.body, resp.len)) ||
            resp.status == 404 || resp.status == 410) {
                char text[VAST_PROVIDER_TEXT_MAX + 4];

                vast_error_text(resp.body, resp.len, text, sizeof(text));
                r = v->api->error_set(err, GS_E_UNAVAILABLE, (int)resp.status,
                                      "create: offer %s is no longer available: HTTP %ld: %s",
                                      req->offer_id, resp.status, text);
                goto done;
        }
        r = check_status(v, "create", &resp, err);
        if (r < 0)
                goto done;
        r = vast_parse_create(resp.body, resp.len, contract, msg, sizeof(msg));
        if (r < 0) {
                r = v->api->error_set(err, r, (int)resp.status, "create: offer %s: %s",
                                      req->offer_id, msg);
                goto done;
        }

        for (i = 0; i < nkeys; i++)
                attach_key(v, contract, keys[i], i);

        info.instance_id = contract;
        info.label = req->label;
        info.state = GS_INST_PENDING;
        info.status_raw = "creating";
        info.ssh_user = "root";
        info.offer_id = req->offer_id;
        r = v->api->instance_emit(sink, &info);
        if (r < 0)
                r = v->api->error_set(err, r, 0, "create: instance %s refused by the host",
                                      contract);
done:
        vast_response_done(&resp);
        free(body);
        return r;
}

static int vast_destroy(void *instance, const char *instance_id, struct gs_error *err)
{
        struct vast *v = instance;
        struct vast_response resp = {.retry_after_s = -1};
        char path[VAST_PATH_MAX], msg[VAST_MSG_MAX] = "";
        int r;

        if (vast_check_id(instance_id) < 0)
                return v->api->error_set(err, GS_E_INVAL, 0,
                                         "destroy: instance id is not a Vast.ai contract id");
        (void)snprintf(path, sizeof(path), "/instances/%s/", instance_id);
        r = request(v, "destroy", "DELETE", path, NULL, NULL, &resp, err);
        if (r < 0)
                goto done;
        if (resp.status == 404) {
                r = 0; /* already gone */
                goto done;
        }
        r = check_status(v, "destroy", &resp, err);
        if (r < 0)
                goto done;
        r = vast_parse_destroy(resp.body, resp.len, msg, sizeof(msg));
        if (r < 0)
                r = v->api->error_set(err, r, (int)resp.status, "destroy: instance %s: %s",
                                      instance_id, msg);
done:
        vast_response_done(&resp);
        return r;
}

static int vast_get_instance(void *instance, const char *instance_id,
                             struct gs_instance_sink *sink, struct gs_error *err)
{
        struct vast *v = instance;
        struct vast_response resp = {.retry_after_s = -1};
        struct emit_ctx ec = {.v = v, .sink = sink, .want_id = instance_id};
        char path[VAST_PATH_MAX], msg[VAST_MSG_MAX] = "";
        int r;

        if (vast_check_id(instance_id) < 0)
                return v->api->error_set(err, GS_E_INVAL, 0,
                                         "get_instance: id is not a Vast.ai contract id");
        (void)snprintf(path, sizeof(path), "/instances/%s/", instance_id);
        r = request(v, "get_instance", "GET", path, NULL, NULL, &resp, err);
        if (r < 0)
                goto done;
        r = check_status(v, "get_instance", &resp, err);
        if (r < 0)
                goto done;
        r = vast_parse_instance(resp.body, resp.len, emit_instance, &ec, msg, sizeof(msg));
        if (ec.mismatch)
                (void)snprintf(msg, sizeof(msg), "the answer is about another instance");
        if (r < 0)
                r = v->api->error_set(err, r, (int)resp.status, "get_instance %s: %s",
                                      instance_id, msg);
done:
        vast_response_done(&resp);
        return r;
}

static int vast_list_instances(void *instance, struct gs_instance_sink *sink,
                               struct gs_error *err)
{
        struct vast *v = instance;
        struct vast_response resp = {.retry_after_s = -1};
        struct emit_ctx ec = {.v = v, .sink = sink};
        struct vast_parse_stats st = {0};
        char msg[VAST_MSG_MAX] = "";
        int r;

        r = request(v, "list_instances", "GET", "/instances/", NULL, NULL, &resp, err);
        if (r < 0)
                goto done;
        r = check_status(v, "list_instances", &resp, err);
        if (r < 0)
                goto done;
        r = vast_parse_instances(resp.body, resp.len, emit_instance, &ec, &st, msg, sizeof(msg));
        if (r < 0)
                r = v->api->error_set(err, r, (int)resp.status, "list_instances: %s", msg);
        else if (st.skipped > 0)
                v->api->log(v->host, GS_LOG_DEBUG,
                            "list_instances: skipped %u of %u entries, first: %s", st.skipped,
                            st.total, msg);
done:
        vast_response_done(&resp);
        return r;
}

static const struct gs_provider_ops vast_ops = {
        .struct_size = sizeof(struct gs_provider_ops),
        .flags = 0, /* not thread-safe: one CURL handle, the core serialises calls */
        .caps = GS_PROV_CAP_STATUS | GS_PROV_CAP_RECONCILE,
        .config_key_size = sizeof(struct gs_config_key),
        .config_keys = vast_keys,
        .init = vast_init,
        .shutdown = vast_shutdown,
        .list_offers = vast_list_offers,
        .create_instance = vast_create,
        .destroy_instance = vast_destroy,
        .get_instance = vast_get_instance,     /* GS_PROV_CAP_STATUS */
        .list_instances = vast_list_instances, /* GS_PROV_CAP_RECONCILE */
};

GS_PLUGIN_DEFINE(GS_PLUGIN_PROVIDER, "vastai", VAST_VERSION, &vast_ops)
