/*
 * tensordock.c - provider plugin for TensorDock API v2 ("Core Compute" VMs).
 *
 * Ops table, configuration keys, init/shutdown and the five provider ops.
 * HTTP lives in td_http.c, JSON in td_parse.c / td_request.c.
 *
 * Offers: one per (location, GPU model) of GET /locations, for max_count GPUs
 * of that model. The provider-local offer id is "<location uuid>-<v0Name>"
 * (the core prepends "<instance>-"); it is split right after a well-formed
 * UUID, so locations whose id is not a UUID are skipped (TensorDock's are
 * UUIDs; only test fixtures of the reference used "loc-123"). The price is the
 * whole VM: GPUs plus the vCPU, RAM and storage add-ons the VM is created
 * with (vcpus_per_gpu, ram_gb_per_gpu, storage_gb), so what is quoted is what
 * create_instance rents. create_instance re-reads /locations to size the VM
 * from the current catalogue; a vanished offer or a price above the quote is
 * GS_E_UNAVAILABLE. Reliability is tier / 3 capped at 1.0 (0 when the tier is
 * missing); location is "city, state, country" without empty or repeated parts.
 *
 * Instances: a status of "deleted" means gone: get_instance answers
 * GS_E_NOTFOUND and list_instances leaves it out. list_instances reports
 * every failure as an error, never as an empty list.
 *
 * Credentials: /locations takes them as api_key/api_token query parameters,
 * /instances* as "Authorization: Bearer <api_token>". Every message is built
 * from the operation and the path, and passes through fail(), which withholds
 * text that echoes a credential.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gpushop/plugin.h>

#include "td_http.h"
#include "td_parse.h"
#include "td_request.h"

#define TD_VERSION "1.0.0"
/* Login user of TensorDock's Ubuntu images. */
#define TD_SSH_USER "user"
/* Longest api_base_url (room is left for paths and the /locations query). */
#define TD_BASE_URL_MAX 1024
/* Upper bounds of the timeout and max_response_bytes keys. */
#define TD_TIMEOUT_MS_MAX 600000
#define TD_CONNECT_TIMEOUT_MS_MAX 120000
#define TD_RESPONSE_BYTES_MAX 1073741824
/* Longest auth_id / api_token accepted. */
#define TD_SECRET_MAX 512
/* Percent-encoded secret: three bytes per input byte. */
#define TD_SECRET_ESCAPED_MAX (3 * TD_SECRET_MAX + 1)
/* "/instances/<id>" */
#define TD_PATH_MAX (sizeof("/instances/") + TD_INSTANCE_ID_MAX)
/* "<op>: <METHOD> <path>" */
#define TD_WHAT_MAX (TD_PATH_MAX + 64)

static const struct gs_config_key td_keys[] = {
        {.name = "auth_id", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED | GS_CFG_SECRET,
         .env = "TENSORDOCK_AUTH_ID",
         .description = "TensorDock Authorization ID (sent as api_key to /locations)"},
        {.name = "api_token", .type = GS_CFG_STRING, .flags = GS_CFG_REQUIRED | GS_CFG_SECRET,
         .env = "TENSORDOCK_API_TOKEN",
         .description = "TensorDock API token (Bearer token; api_token to /locations)"},
        {.name = "api_base_url", .type = GS_CFG_URL,
         .default_value = "https://dashboard.tensordock.com/api/v2",
         .description = "TensorDock API v2 base URL"},
        {.name = "timeout", .type = GS_CFG_DURATION_MS, .default_value = "30s", .min = 1000,
         .max = TD_TIMEOUT_MS_MAX,
         .description = "whole-request timeout of every call except create"},
        {.name = "create_timeout", .type = GS_CFG_DURATION_MS, .default_value = "60s",
         .min = 1000, .max = TD_TIMEOUT_MS_MAX,
         .description = "whole-request timeout of POST /instances"},
        {.name = "connect_timeout", .type = GS_CFG_DURATION_MS, .default_value = "10s",
         .min = 100, .max = TD_CONNECT_TIMEOUT_MS_MAX, .description = "TCP/TLS connect timeout"},
        {.name = "max_response_bytes", .type = GS_CFG_INT, .default_value = "67108864",
         .min = 4096, .max = TD_RESPONSE_BYTES_MAX,
         .description = "largest response body accepted"},
        {.name = "image", .type = GS_CFG_STRING, .default_value = "ubuntu2204",
         .description = "OS image of created VMs (ubuntu2404 lacked NVIDIA drivers)"},
        {.name = "vcpus_per_gpu", .type = GS_CFG_INT, .default_value = "8", .min = 1,
         .max = 256, .description = "vCPUs per GPU of created VMs (capped by the location)"},
        {.name = "ram_gb_per_gpu", .type = GS_CFG_INT, .default_value = "32", .min = 1,
         .max = 2048, .description = "RAM GB per GPU of created VMs (capped by the location)"},
        {.name = "storage_gb", .type = GS_CFG_INT, .default_value = "100",
         .min = TD_STORAGE_GB_MIN, .max = 100000,
         .description = "disk GB of created VMs (larger when the request asks more)"},
        {.name = NULL},
};

struct td {
        const struct gs_host_api *api;
        struct gs_host *host;
        struct td_http *http;
        char *auth_id;
        char *api_token;
        char *base_url;
        char *image;
        const char *secrets[3]; /* auth_id, api_token, NULL */
        int64_t timeout_ms;
        int64_t create_timeout_ms;
        int64_t connect_timeout_ms;
        int64_t max_response_bytes;
        struct td_sizing sizing;
        bool curl_ready;
};

/* Fill err through the host, withholding any text that echoes a credential. */
static int fail(const struct td *td, struct gs_error *err, int status, long http,
                const char *fmt, ...) GS_PRINTF(5, 6);

static int fail(const struct td *td, struct gs_error *err, int status, long http,
                const char *fmt, ...)
{
        char msg[GS_ERROR_MSG_MAX];
        va_list ap;
        size_t i;

        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        for (i = 0; td->secrets[i]; i++) {
                if (strstr(msg, td->secrets[i])) {
                        (void)snprintf(msg, sizeof(msg),
                                       "provider reply withheld: it echoed a credential");
                        break;
                }
        }
        return td->api->error_set(err, status, (int)http, "%s", msg);
}

/* Text of a non-2xx reply turned into GS_E_* with "<what>: HTTP <n>: <text>". */
static int http_fail(const struct td *td, const char *what, const struct td_http_reply *rep,
                     bool create, struct gs_error *err)
{
        char text[TD_PROVIDER_TEXT_MAX + 1];
        int status;

        td_error_text(rep->body, rep->len, text, sizeof(text));
        status = td_gs_status(rep->status, create, text);
        if (status == GS_E_RATELIMIT && rep->retry_after_s >= 0)
                td->api->error_set_retry_after(err, rep->retry_after_s);
        return fail(td, err, status, rep->status, "%s: HTTP %ld: %s", what, rep->status, text);
}

/* 0 for a 2xx reply, else its GS_E_* with err filled as http_fail does. */
static int reply_ok(const struct td *td, const char *what, const struct td_http_reply *rep,
                    bool create, struct gs_error *err)
{
        if (rep->status >= 200 && rep->status <= 299)
                return 0;
        return http_fail(td, what, rep, create, err);
}

/* Secrets go into headers and one query string: no control bytes, no spaces. */
static bool is_header_safe(const char *s)
{
        size_t n;

        for (n = 0; s[n] != '\0'; n++)
                if (n >= TD_SECRET_MAX || s[n] <= 0x20 || s[n] >= 0x7f)
                        return false;
        return n > 0;
}

/* Config --------------------------------------------------------------------- */

static int read_secret(struct td *td, const struct gs_config *cfg, const char *key,
                       char **ret_value, struct gs_error *err)
{
        const char *v = td->api->config_str(cfg, key);
        char *copy;

        if (!v || !is_header_safe(v))
                return td->api->error_set(err, GS_E_CONFIG, 0,
                                          "%s must be 1..%d printable characters without spaces",
                                          key, TD_SECRET_MAX);
        copy = strdup(v);
        if (!copy)
                return td->api->error_set(err, GS_E_NOMEM, 0, "out of memory");
        *ret_value = copy;
        return 0;
}

static int read_int(struct td *td, const struct gs_config *cfg, const char *key, bool duration,
                    int64_t *ret_value, struct gs_error *err)
{
        int64_t v;
        int r;

        r = duration ? td->api->config_duration_ms(cfg, key, &v)
                     : td->api->config_int(cfg, key, &v);
        if (r < 0)
                return td->api->error_set(err, GS_E_CONFIG, 0, "%s: cannot read value", key);
        *ret_value = v;
        return 0;
}

static int read_base_url(struct td *td, const struct gs_config *cfg, struct gs_error *err)
{
        const char *v = td->api->config_str(cfg, "api_base_url");
        size_t n;

        if (!v || strpbrk(v, "?# \t\r\n"))
                return td->api->error_set(err, GS_E_CONFIG, 0,
                                          "api_base_url must be a URL without query or fragment");
        n = strnlen(v, TD_BASE_URL_MAX + 1);
        if (n > TD_BASE_URL_MAX)
                return td->api->error_set(err, GS_E_CONFIG, 0,
                                          "api_base_url is longer than %d characters",
                                          TD_BASE_URL_MAX);
        while (n > 0 && v[n - 1] == '/')
                n--;
        td->base_url = strndup(v, n);
        if (!td->base_url)
                return td->api->error_set(err, GS_E_NOMEM, 0, "out of memory");
        return 0;
}

/* Numeric keys; the core validates the declared ranges, checked here again. */
static int read_numbers(struct td *td, const struct gs_config *cfg, struct gs_error *err)
{
        int64_t vcpus = 0, ram = 0, storage = 0;
        const struct {
                const char *key;
                bool duration;
                int64_t min, max;
                int64_t *value;
        } keys[] = {
                {"timeout", true, 1, TD_TIMEOUT_MS_MAX, &td->timeout_ms},
                {"create_timeout", true, 1, TD_TIMEOUT_MS_MAX, &td->create_timeout_ms},
                {"connect_timeout", true, 1, TD_CONNECT_TIMEOUT_MS_MAX, &td->connect_timeout_ms},
                {"max_response_bytes", false, 1, TD_RESPONSE_BYTES_MAX, &td->max_response_bytes},
                {"vcpus_per_gpu", false, 1, TD_RESOURCE_MAX, &vcpus},
                {"ram_gb_per_gpu", false, 1, TD_RESOURCE_MAX, &ram},
                {"storage_gb", false, TD_STORAGE_GB_MIN, TD_RESOURCE_MAX, &storage},
        };
        size_t i;
        int r;

        for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                r = read_int(td, cfg, keys[i].key, keys[i].duration, keys[i].value, err);
                if (r < 0)
                        return r;
                if (*keys[i].value < keys[i].min || *keys[i].value > keys[i].max)
                        return td->api->error_set(err, GS_E_CONFIG, 0,
                                                  "%s must be between %lld and %lld", keys[i].key,
                                                  (long long)keys[i].min,
                                                  (long long)keys[i].max);
        }
        td->sizing.vcpus_per_gpu = (uint32_t)vcpus;
        td->sizing.ram_gb_per_gpu = (uint32_t)ram;
        td->sizing.storage_gb = (uint32_t)storage;
        return 0;
}

static int read_config(struct td *td, const struct gs_config *cfg, struct gs_error *err)
{
        const char *image;
        int r;

        r = read_secret(td, cfg, "auth_id", &td->auth_id, err);
        if (r < 0)
                return r;
        r = read_secret(td, cfg, "api_token", &td->api_token, err);
        if (r < 0)
                return r;
        td->secrets[0] = td->auth_id;
        td->secrets[1] = td->api_token;
        r = read_base_url(td, cfg, err);
        if (r < 0)
                return r;
        image = td->api->config_str(cfg, "image");
        if (!td_is_os_image(image))
                return td->api->error_set(err, GS_E_CONFIG, 0,
                                          "image must be a TensorDock OS image id such as "
                                          "ubuntu2204");
        td->image = strdup(image);
        if (!td->image)
                return td->api->error_set(err, GS_E_NOMEM, 0, "out of memory");
        return read_numbers(td, cfg, err);
}

static void wipe_free(char *s)
{
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

static void td_shutdown(void *instance)
{
        struct td *td = instance;

        if (!td)
                return;
        td_http_free(td->http);
        if (td->curl_ready)
                td_http_global_done();
        wipe_free(td->auth_id);
        wipe_free(td->api_token);
        free(td->base_url);
        free(td->image);
        free(td);
}

static int td_init(const struct gs_host_api *api, struct gs_host *host,
                   const struct gs_config *cfg, void **ret_instance, struct gs_error *err)
{
        struct td_http_config hc = {0};
        struct td *td;
        int r;

        td = calloc(1, sizeof(*td));
        if (!td)
                return api->error_set(err, GS_E_NOMEM, 0, "out of memory");
        td->api = api;
        td->host = host;
        r = td_http_global_init(api, err);
        if (r < 0)
                goto fail;
        td->curl_ready = true;
        r = read_config(td, cfg, err);
        if (r < 0)
                goto fail;
        hc.api_token = td->api_token;
        hc.secrets = td->secrets;
        hc.connect_timeout_ms = td->connect_timeout_ms;
        hc.max_response_bytes = td->max_response_bytes;
        r = td_http_new(api, host, &hc, &td->http, err);
        if (r < 0)
                goto fail;
        *ret_instance = td;
        return 0;
fail:
        td_shutdown(td);
        return r;
}

/* Requests ------------------------------------------------------------------- */

/* "<base><path>" into url; GS_E_TOOBIG when it does not fit. */
static int build_url(const struct td *td, const char *path, char *url, size_t size)
{
        int n = snprintf(url, size, "%s%s", td->base_url, path);

        return n < 0 || (size_t)n >= size ? GS_E_TOOBIG : 0;
}

/* GET /locations with the credentials in the query (the only place they go in a URL). */
static int fetch_locations(struct td *td, const char *what, struct td_http_reply *ret_reply,
                           struct gs_error *err)
{
        char key[TD_SECRET_ESCAPED_MAX], token[TD_SECRET_ESCAPED_MAX], url[TD_URL_MAX];
        struct td_http_request req = {
                .method = "GET", .url = url, .what = what, .timeout_ms = td->timeout_ms};
        int n, r;

        if (td_http_escape(td->auth_id, key, sizeof(key)) < 0 ||
            td_http_escape(td->api_token, token, sizeof(token)) < 0) {
                r = fail(td, err, GS_E_CONFIG, 0, "%s: credentials too long", what);
                goto out;
        }
        n = snprintf(url, sizeof(url), "%s/locations?api_key=%s&api_token=%s", td->base_url, key,
                     token);
        if (n < 0 || (size_t)n >= sizeof(url)) {
                r = fail(td, err, GS_E_CONFIG, 0, "%s: URL longer than %d bytes", what,
                         TD_URL_MAX);
                goto out;
        }
        r = td_http_do(td->http, &req, ret_reply, err);
out:
        explicit_bzero(key, sizeof(key));
        explicit_bzero(token, sizeof(token));
        explicit_bzero(url, sizeof(url));
        return r;
}

/* A request to /instances* with the Bearer header. */
static int call_instances(struct td *td, const char *method, const char *path, const char *body,
                          int64_t timeout_ms, const char *what, struct td_http_reply *ret_reply,
                          struct gs_error *err)
{
        char url[TD_URL_MAX];
        struct td_http_request req = {.method = method,
                                      .url = url,
                                      .what = what,
                                      .bearer = 1,
                                      .body = body,
                                      .timeout_ms = timeout_ms};

        if (build_url(td, path, url, sizeof(url)) < 0)
                return fail(td, err, GS_E_CONFIG, 0, "%s: URL longer than %d bytes", what,
                            TD_URL_MAX);
        return td_http_do(td->http, &req, ret_reply, err);
}

/* Parse failure of a 2xx body: the callback's status passes through as is. */
static int parse_fail(const struct td *td, const char *what, int r, const struct td_perr *perr,
                      int sink_status, long http, struct gs_error *err)
{
        if (sink_status < 0 && r == sink_status)
                return fail(td, err, r, 0, "%s: host refused a record", what);
        return fail(td, err, r, perr->upstream_status ? perr->upstream_status : http,
                    "%s: %s", what, perr->msg);
}

static void log_skipped(const struct td *td, const char *what, const struct td_parse_stats *st)
{
        if (st->malformed > 0)
                td->api->log(td->host, GS_LOG_DEBUG, "%s: skipped %u of %u entries, first: %s",
                             what, st->malformed, st->entries, st->first_malformed);
}

/* list_offers ---------------------------------------------------------------- */

struct offer_ctx {
        const struct td *td;
        struct gs_offer_sink *sink;
        int sink_status;
};

static int emit_offer(const struct td_offer *o, void *userdata)
{
        struct offer_ctx *ctx = userdata;
        struct td_resources res;
        struct gs_offer g = {.struct_size = sizeof(g)};
        int r;

        td_resources_for(o, o->max_count, &ctx->td->sizing, &res);
        g.gpu_count = o->max_count;
        g.offer_id = o->offer_id;
        g.gpu_name_raw = o->gpu_display;
        g.vram_mib = o->vram_mib;
        g.price_uusd_per_hour = td_price_uusd(o, &res);
        g.location = o->location[0] ? o->location : NULL;
        g.reliability_ppm = o->reliability_ppm;
        g.available = 1;
        g.machine_id = o->location_id;
        r = ctx->td->api->offer_emit(ctx->sink, &g);
        if (r < 0)
                ctx->sink_status = r;
        return r;
}

/*
 * GET /locations and hand each offer to fn, every failure reported into err.
 * sink_status: where fn keeps the host's refusal (NULL when fn never refuses).
 * The skipped entries are logged when log_skips.
 */
static int walk_locations(struct td *td, const char *what, td_offer_fn fn, void *userdata,
                          const int *sink_status, bool log_skips, struct gs_error *err)
{
        struct td_http_reply rep = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};
        int r;

        r = fetch_locations(td, what, &rep, err);
        if (r < 0)
                return r;
        r = reply_ok(td, what, &rep, false, err);
        if (r < 0)
                goto out;
        r = td_parse_locations(rep.body, rep.len, fn, userdata, &st, &perr);
        if (r < 0) {
                r = parse_fail(td, what, r, &perr, sink_status ? *sink_status : 0, rep.status,
                               err);
                goto out;
        }
        if (log_skips)
                log_skipped(td, what, &st);
out:
        td_http_reply_done(&rep);
        return r;
}

static int td_list_offers(void *instance, const struct gs_offer_filter *filter,
                          struct gs_offer_sink *sink, struct gs_error *err)
{
        struct td *td = instance;
        struct offer_ctx ctx = {.td = td, .sink = sink};

        (void)filter; /* the core re-applies every criterion; /locations has no filters */
        return walk_locations(td, "list_offers: GET /locations", emit_offer, &ctx,
                              &ctx.sink_status, true, err);
}

/* create_instance ------------------------------------------------------------ */

/* The current catalogue entry of one offer id, copied out of the parse. */
struct find_ctx {
        const struct td_offer_id *id;
        struct td_offer offer;
        char display[TD_DISPLAY_NAME_MAX + 1];
        bool found;
};

static int find_offer(const struct td_offer *o, void *userdata)
{
        struct find_ctx *ctx = userdata;

        if (ctx->found || strcasecmp(o->location_id, ctx->id->location_id) != 0 ||
            strcmp(o->gpu, ctx->id->gpu) != 0)
                return 0;
        ctx->offer = *o;
        (void)snprintf(ctx->display, sizeof(ctx->display), "%s", o->gpu_display);
        ctx->offer.location_id = ctx->id->location_id;
        ctx->offer.gpu = ctx->id->gpu;
        ctx->offer.gpu_display = ctx->display;
        ctx->found = true;
        return 0;
}

/* Look the offer up in the live catalogue: GS_E_UNAVAILABLE when it is gone. */
static int lookup_offer(struct td *td, const char *offer_id, struct find_ctx *ctx,
                        struct gs_error *err)
{
        int r;

        r = walk_locations(td, "create_instance: GET /locations", find_offer, ctx, NULL, false,
                           err);
        if (r < 0)
                return r;
        if (!ctx->found)
                r = fail(td, err, GS_E_UNAVAILABLE, 0,
                         "create_instance: offer %s is no longer listed (or has no GPUs free)",
                         offer_id);
        return r;
}

struct create_ctx {
        const struct td *td;
        const struct gs_create_request *req;
        const struct find_ctx *found;
        const struct td_resources *res;
        int64_t price_uusd;
        struct gs_instance_sink *sink;
        int sink_status;
};

static uint32_t state_of(const char *status)
{
        /* A create reply without a status word is a VM being set up. */
        return status ? td_status_to_state(status) : GS_INST_PENDING;
}

/* Fill the fields of info every instance reply gives alike, then emit it to sink. */
static int emit_info(const struct td *td, const struct td_instance *inst,
                     struct gs_instance_info *info, struct gs_instance_sink *sink,
                     int *sink_status)
{
        int r;

        info->status_raw = inst->status;
        info->ssh_host = inst->ip;
        info->ssh_port = inst->ip ? inst->ssh_port : 0;
        info->ssh_user = inst->ssh_user ? inst->ssh_user : TD_SSH_USER;
        info->created_at_ms = inst->created_at_ms;
        r = td->api->instance_emit(sink, info);
        if (r < 0)
                *sink_status = r;
        return r;
}

static int emit_created(const struct td_instance *inst, void *userdata)
{
        struct create_ctx *ctx = userdata;
        struct gs_instance_info info = {.struct_size = sizeof(info)};

        info.state = state_of(inst->status);
        info.instance_id = inst->id;
        info.label = inst->name ? inst->name : ctx->req->label;
        info.price_uusd_per_hour = inst->price_uusd_per_hour ? inst->price_uusd_per_hour
                                                             : ctx->price_uusd;
        info.offer_id = ctx->req->offer_id;
        info.gpu_name_raw = ctx->found->offer.gpu_display;
        info.gpu_count = ctx->res->gpu_count;
        return emit_info(ctx->td, inst, &info, ctx->sink, &ctx->sink_status);
}

static int td_create(void *instance, const struct gs_create_request *req,
                     struct gs_instance_sink *sink, struct gs_error *err)
{
        static const char what[] = "create_instance: POST /instances";
        struct td *td = instance;
        struct td_offer_id id;
        struct find_ctx found = {.id = &id};
        struct td_resources quoted, res;
        struct td_create_params p = {0};
        struct td_http_reply rep = {0};
        struct td_perr perr = {{0}};
        struct create_ctx ctx = {.td = td, .req = req, .found = &found, .res = &res,
                                 .sink = sink};
        char *body = NULL;
        int64_t quoted_uusd;
        int r;

        if (!req || !req->offer_id)
                return fail(td, err, GS_E_INVAL, 0, "create_instance: no offer id");
        r = td_offer_id_parse(req->offer_id, &id, &perr);
        if (r < 0)
                return fail(td, err, r, 0, "create_instance: %s", perr.msg);
        p.name = req->label;
        p.image = td->image;
        if (req->image && td_is_os_image(req->image))
                p.image = req->image;
        else if (req->image)
                td->api->log(td->host, GS_LOG_DEBUG,
                             "create_instance: image is not a TensorDock OS image id, using %s",
                             td->image);
        p.location_id = id.location_id;
        p.gpu = id.gpu;
        p.ssh_keys = req->ssh_public_keys;
        p.ssh_key_count = req->ssh_public_key_count;
        r = td_create_check(&p, &perr);
        if (r < 0)
                return fail(td, err, r, 0, "create_instance: %s", perr.msg);
        r = lookup_offer(td, req->offer_id, &found, err);
        if (r < 0)
                return r;

        td_resources_for(&found.offer, found.offer.max_count, &td->sizing, &quoted);
        quoted_uusd = td_price_uusd(&found.offer, &quoted);
        if (req->expected_price_uusd_per_hour > 0 &&
            quoted_uusd > req->expected_price_uusd_per_hour)
                return fail(td, err, GS_E_UNAVAILABLE, 0,
                            "create_instance: offer %s now costs %lld uUSD/h, above the quoted "
                            "%lld",
                            req->offer_id, (long long)quoted_uusd,
                            (long long)req->expected_price_uusd_per_hour);
        res = quoted;
        if (req->disk_gb > res.storage_gb) {
                struct td_sizing bigger = td->sizing;

                bigger.storage_gb = req->disk_gb;
                td_resources_for(&found.offer, found.offer.max_count, &bigger, &res);
        }
        ctx.price_uusd = td_price_uusd(&found.offer, &res);

        p.res = res;
        r = td_create_body(&p, &body, &perr);
        if (r < 0)
                return fail(td, err, r, 0, "create_instance: %s", perr.msg);

        r = call_instances(td, "POST", "/instances", body, td->create_timeout_ms, what, &rep,
                           err);
        if (r < 0)
                goto out;
        r = reply_ok(td, what, &rep, true, err);
        if (r < 0)
                goto out;
        r = td_parse_create(rep.body, rep.len, emit_created, &ctx, &perr);
        if (r == GS_E_BADRESPONSE) {
                r = fail(td, err, r, rep.status,
                         "%s: %s (a VM may exist; reconciliation finds it by its label)", what,
                         perr.msg);
                goto out;
        }
        if (r < 0)
                r = parse_fail(td, what, r, &perr, ctx.sink_status, rep.status, err);
out:
        free(body);
        td_http_reply_done(&rep);
        return r;
}

/* get_instance / list_instances ------------------------------------------------ */

struct inst_ctx {
        const struct td *td;
        const char *fallback_id;
        struct gs_instance_sink *sink;
        int sink_status;
        bool gone;
};

static int emit_instance(const struct td_instance *inst, void *userdata)
{
        struct inst_ctx *ctx = userdata;
        struct gs_instance_info info = {.struct_size = sizeof(info)};

        if (td_status_is_gone(inst->status)) {
                ctx->gone = true;
                return 0;
        }
        info.state = td_status_to_state(inst->status);
        info.instance_id = inst->id ? inst->id : ctx->fallback_id;
        info.label = inst->name;
        info.price_uusd_per_hour = inst->price_uusd_per_hour;
        info.gpu_name_raw = inst->gpu_model;
        info.gpu_count = inst->gpu_count;
        return emit_info(ctx->td, inst, &info, ctx->sink, &ctx->sink_status);
}

static int check_instance_id(const struct td *td, const char *op, const char *instance_id,
                             struct gs_error *err)
{
        if (td_is_instance_id(instance_id))
                return 0;
        return fail(td, err, GS_E_INVAL, 0,
                    "%s: instance id must be 1..%d characters of [A-Za-z0-9._-]", op,
                    TD_INSTANCE_ID_MAX);
}

/* <method> /instances/<id> for op, after checking the id; what gets "<op>: <method> <path>". */
static int instance_call(struct td *td, const char *op, const char *method,
                         const char *instance_id, char what[TD_WHAT_MAX],
                         struct td_http_reply *ret_reply, struct gs_error *err)
{
        char path[TD_PATH_MAX];
        int r;

        r = check_instance_id(td, op, instance_id, err);
        if (r < 0)
                return r;
        (void)snprintf(path, sizeof(path), "/instances/%s", instance_id);
        (void)snprintf(what, TD_WHAT_MAX, "%s: %s %s", op, method, path);
        return call_instances(td, method, path, NULL, td->timeout_ms, what, ret_reply, err);
}

static int td_get(void *instance, const char *instance_id, struct gs_instance_sink *sink,
                  struct gs_error *err)
{
        struct td *td = instance;
        char what[TD_WHAT_MAX];
        struct td_http_reply rep = {0};
        struct td_perr perr = {{0}};
        struct inst_ctx ctx = {.td = td, .fallback_id = instance_id, .sink = sink};
        int r;

        r = instance_call(td, "get_instance", "GET", instance_id, what, &rep, err);
        if (r < 0)
                return r;
        if (rep.status == 404) {
                r = fail(td, err, GS_E_NOTFOUND, rep.status, "%s: instance not found", what);
                goto out;
        }
        r = reply_ok(td, what, &rep, false, err);
        if (r < 0)
                goto out;
        r = td_parse_instance(rep.body, rep.len, emit_instance, &ctx, &perr);
        if (r < 0) {
                r = parse_fail(td, what, r, &perr, ctx.sink_status, rep.status, err);
                goto out;
        }
        if (ctx.gone)
                r = fail(td, err, GS_E_NOTFOUND, rep.status, "%s: instance is deleted", what);
out:
        td_http_reply_done(&rep);
        return r;
}

static int td_list_instances(void *instance, struct gs_instance_sink *sink, struct gs_error *err)
{
        static const char what[] = "list_instances: GET /instances";
        struct td *td = instance;
        struct td_http_reply rep = {0};
        struct td_parse_stats st;
        struct td_perr perr = {{0}};
        struct inst_ctx ctx = {.td = td, .sink = sink};
        int r;

        r = call_instances(td, "GET", "/instances", NULL, td->timeout_ms, what, &rep, err);
        if (r < 0)
                return r;
        r = reply_ok(td, what, &rep, false, err);
        if (r < 0)
                goto out;
        r = td_parse_instance_list(rep.body, rep.len, emit_instance, &ctx, &st, &perr);
        if (r < 0) {
                r = parse_fail(td, what, r, &perr, ctx.sink_status, rep.status, err);
                goto out;
        }
        log_skipped(td, what, &st);
out:
        td_http_reply_done(&rep);
        return r;
}

/* destroy_instance ------------------------------------------------------------- */

static int td_destroy(void *instance, const char *instance_id, struct gs_error *err)
{
        struct td *td = instance;
        char what[TD_WHAT_MAX], text[TD_PROVIDER_TEXT_MAX + 1];
        struct td_http_reply rep = {0};
        int code = 0, status;
        int r;

        r = instance_call(td, "destroy_instance", "DELETE", instance_id, what, &rep, err);
        if (r < 0)
                return r;
        if (rep.status == 404) {
                r = 0; /* already gone */
                goto out;
        }
        r = reply_ok(td, what, &rep, false, err);
        if (r < 0)
                goto out;
        /* A 2xx can still carry {"status": 4xx, "error": ...}; 404 there means gone too. */
        if (td_error_body(rep.body, rep.len, &code, text, sizeof(text))) {
                status = td_gs_status(code, false, text);
                r = status == GS_E_NOTFOUND
                            ? 0
                            : fail(td, err, status, code, "%s: provider refused (status %d): %s",
                                   what, code, text);
        }
out:
        td_http_reply_done(&rep);
        return r;
}

static const struct gs_provider_ops td_ops = {
        .struct_size = sizeof(struct gs_provider_ops),
        .flags = 0, /* one CURL handle per instance: the core serialises calls */
        .caps = GS_PROV_CAP_STATUS | GS_PROV_CAP_RECONCILE,
        .config_key_size = sizeof(struct gs_config_key),
        .config_keys = td_keys,
        .init = td_init,
        .shutdown = td_shutdown,
        .list_offers = td_list_offers,
        .create_instance = td_create,
        .destroy_instance = td_destroy,
        .get_instance = td_get,
        .list_instances = td_list_instances,
};

GS_PLUGIN_DEFINE(GS_PLUGIN_PROVIDER, "tensordock", TD_VERSION, &td_ops)
