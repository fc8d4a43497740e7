/*
 * test_tensordock_plugin.c - the built tensordock.so driven through its ops
 * table with a fake host table, against a loopback fake of the TensorDock v2
 * API (libmicrohttpd) that serves fixtures and records every request.
 *
 * Checks the wire format of each request (paths, credentials placement,
 * headers, create body), the status mapping of each failure, and that no
 * credential ever reaches an error message or a log line.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <microhttpd.h>

#include <gpushop/plugin.h>

#include "td_fixture.h"

/* Credentials with characters that need percent-encoding in a query. */
#define AUTH_ID "auth+id/&=SECRET1"
#define API_TOKEN "tok-SECRET-2"
#define MAX_ROUTES 4
#define MAX_REQUESTS 8
#define MAX_RECORDS 8
#define FIELD_MAX 512
#define BODY_MAX 65536
#define LOG_MAX 8192

#define OFFER_3090 "1a779525-4c04-4f2c-aa45-58b47d54bb38-geforcertx3090-pcie-24gb"
#define KEY_ED "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl gs"
#define INSTANCE_ID "468b716a-6747-4cbe-9f13-afc153a21c14"

/* Fake host objects ----------------------------------------------------------- */

struct gs_error {
        int status;
        int http;
        int64_t retry_after;
        char msg[GS_ERROR_MSG_MAX];
};

struct gs_host {
        char log[LOG_MAX];
        size_t log_len;
};

struct gs_config {
        const char *keys[16];
        const char *values[16];
        size_t n;
};

struct gs_offer_sink {
        size_t n;
        struct gs_offer o[MAX_RECORDS];
        char ids[MAX_RECORDS][FIELD_MAX];
        char names[MAX_RECORDS][FIELD_MAX];
        char locations[MAX_RECORDS][FIELD_MAX];
};

struct got_info {
        struct gs_instance_info info;
        char id[FIELD_MAX], label[FIELD_MAX], status[FIELD_MAX], host[FIELD_MAX];
        char user[FIELD_MAX], offer[FIELD_MAX], gpu[FIELD_MAX];
};

struct gs_instance_sink {
        size_t n;
        struct got_info i[MAX_RECORDS];
};

static void host_log(struct gs_host *h, int level, const char *fmt, ...)
{
        va_list ap;
        int n;

        (void)level;
        va_start(ap, fmt);
        n = vsnprintf(h->log + h->log_len, sizeof(h->log) - h->log_len, fmt, ap);
        va_end(ap);
        if (n > 0 && h->log_len + (size_t)n + 1 < sizeof(h->log)) {
                h->log_len += (size_t)n;
                h->log[h->log_len++] = '\n';
                h->log[h->log_len] = '\0';
        }
}

static int host_error_set(struct gs_error *err, int status, int http, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return status;
        err->status = status;
        err->http = http;
        va_start(ap, fmt);
        (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        return status;
}

static void host_retry_after(struct gs_error *err, int64_t seconds)
{
        err->retry_after = seconds;
}

static const char *host_config_str(const struct gs_config *cfg, const char *key)
{
        size_t i;

        for (i = 0; i < cfg->n; i++)
                if (strcmp(cfg->keys[i], key) == 0)
                        return cfg->values[i];
        return NULL;
}

static int host_config_int(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        const char *v = host_config_str(cfg, key);

        if (!v)
                return GS_E_NOTFOUND;
        *ret_value = strtoll(v, NULL, 10);
        return 0;
}

static int host_config_duration(const struct gs_config *cfg, const char *key, int64_t *ret_value)
{
        const char *v = host_config_str(cfg, key);
        char *end;
        int64_t n;

        if (!v)
                return GS_E_NOTFOUND;
        n = strtoll(v, &end, 10);
        if (strcmp(end, "s") == 0)
                n *= 1000;
        *ret_value = n;
        return 0;
}

static int host_offer_emit(struct gs_offer_sink *sink, const struct gs_offer *o)
{
        size_t i = sink->n;

        if (i >= MAX_RECORDS)
                return GS_E_TOOBIG;
        sink->o[i] = *o;
        (void)snprintf(sink->ids[i], FIELD_MAX, "%s", o->offer_id);
        (void)snprintf(sink->names[i], FIELD_MAX, "%s", o->gpu_name_raw);
        (void)snprintf(sink->locations[i], FIELD_MAX, "%s", o->location ? o->location : "(null)");
        sink->n++;
        return 0;
}

static void copy_field(char *dst, const char *src)
{
        (void)snprintf(dst, FIELD_MAX, "%s", src ? src : "(null)");
}

static int host_instance_emit(struct gs_instance_sink *sink, const struct gs_instance_info *info)
{
        struct got_info *g;

        if (sink->n >= MAX_RECORDS)
                return GS_E_TOOBIG;
        if (!info->instance_id)
                return GS_E_INVAL;
        g = &sink->i[sink->n++];
        g->info = *info;
        copy_field(g->id, info->instance_id);
        copy_field(g->label, info->label);
        copy_field(g->status, info->status_raw);
        copy_field(g->host, info->ssh_host);
        copy_field(g->user, info->ssh_user);
        copy_field(g->offer, info->offer_id);
        copy_field(g->gpu, info->gpu_name_raw);
        return 0;
}

static int64_t host_now_ms(struct gs_host *h)
{
        (void)h;
        return INT64_C(1700000000000);
}

static const struct gs_host_api host_api = {
        .struct_size = sizeof(struct gs_host_api),
        .abi_major = GS_ABI_MAJOR,
        .abi_minor = GS_ABI_MINOR,
        .log = host_log,
        .error_set = host_error_set,
        .error_set_retry_after = host_retry_after,
        .config_str = host_config_str,
        .config_int = host_config_int,
        .config_duration_ms = host_config_duration,
        .offer_emit = host_offer_emit,
        .instance_emit = host_instance_emit,
        .now_ms = host_now_ms,
};

/* Fake TensorDock API ------------------------------------------------------------ */

struct route {
        const char *method;
        const char *path;
        unsigned status;
        const char *fixture; /* file under tests/fixtures/tensordock, or NULL */
        const char *body;    /* used when fixture is NULL */
        const char *header;  /* extra "Name: value", or NULL */
        unsigned delay_ms;
};

struct seen {
        char method[16];
        char path[FIELD_MAX];
        char api_key[FIELD_MAX];
        char api_token[FIELD_MAX];
        char auth[FIELD_MAX];
        char content_type[FIELD_MAX];
        char accept[FIELD_MAX];
        char body[BODY_MAX];
};

static struct {
        pthread_mutex_t lock;
        struct MHD_Daemon *daemon;
        unsigned port;
        struct route routes[MAX_ROUTES];
        size_t n_routes;
        struct seen seen[MAX_REQUESTS];
        size_t n_seen;
        void *dl;
        const struct gs_provider_ops *ops;
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct upload {
        char body[BODY_MAX];
        size_t len;
};

static void copy_value(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key,
                       char *dst)
{
        const char *v = MHD_lookup_connection_value(c, kind, key);

        (void)snprintf(dst, FIELD_MAX, "%s", v ? v : "");
}

static enum MHD_Result respond(struct MHD_Connection *c, const struct route *rt)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;
        char *data = NULL, name[128];
        const char *colon;
        size_t len;

        if (rt && rt->fixture) {
                data = td_fixture_read(rt->fixture, &len);
        } else {
                const char *b = rt && rt->body ? rt->body : "{\"error\": \"no route\"}";

                len = strlen(b);
                data = strdup(b);
        }
        resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (rt && rt->header && (colon = strchr(rt->header, ':'))) {
                (void)snprintf(name, sizeof(name), "%.*s", (int)(colon - rt->header),
                               rt->header);
                (void)MHD_add_response_header(resp, name, colon + 2);
        }
        ret = MHD_queue_response(c, rt ? rt->status : 599, resp);
        MHD_destroy_response(resp);
        return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **req_cls)
{
        struct upload *up = *req_cls;
        const struct route *rt = NULL;
        struct seen *s;
        size_t i;

        (void)cls;
        (void)version;
        if (!up) {
                up = calloc(1, sizeof(*up));
                *req_cls = up;
                return up ? MHD_YES : MHD_NO;
        }
        if (*upload_size > 0) {
                size_t n = *upload_size;

                if (n > sizeof(up->body) - 1 - up->len)
                        n = sizeof(up->body) - 1 - up->len;
                memcpy(up->body + up->len, upload_data, n);
                up->len += n;
                *upload_size = 0;
                return MHD_YES;
        }
        pthread_mutex_lock(&fake.lock);
        if (fake.n_seen < MAX_REQUESTS) {
                s = &fake.seen[fake.n_seen++];
                (void)snprintf(s->method, sizeof(s->method), "%s", method);
                (void)snprintf(s->path, sizeof(s->path), "%s", url);
                copy_value(c, MHD_GET_ARGUMENT_KIND, "api_key", s->api_key);
                copy_value(c, MHD_GET_ARGUMENT_KIND, "api_token", s->api_token);
                copy_value(c, MHD_HEADER_KIND, "Authorization", s->auth);
                copy_value(c, MHD_HEADER_KIND, "Content-Type", s->content_type);
                copy_value(c, MHD_HEADER_KIND, "Accept", s->accept);
                memcpy(s->body, up->body, up->len + 1);
        }
        for (i = 0; i < fake.n_routes; i++)
                if (strcmp(fake.routes[i].method, method) == 0 &&
                    strcmp(fake.routes[i].path, url) == 0)
                        rt = &fake.routes[i];
        pthread_mutex_unlock(&fake.lock);
        if (rt && rt->delay_ms) {
                struct timespec ts = {.tv_sec = rt->delay_ms / 1000,
                                      .tv_nsec = (long)(rt->delay_ms % 1000) * 1000000L};

                (void)nanosleep(&ts, NULL);
        }
        return respond(c, rt);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
        (void)cls;
        (void)c;
        (void)toe;
        free(*req_cls);
        *req_cls = NULL;
}

static void set_routes(const struct route *routes, size_t n)
{
        assert_true(n <= MAX_ROUTES);
        pthread_mutex_lock(&fake.lock);
        if (n > 0)
                memcpy(fake.routes, routes, n * sizeof(*routes));
        fake.n_routes = n;
        fake.n_seen = 0;
        memset(fake.seen, 0, sizeof(fake.seen));
        pthread_mutex_unlock(&fake.lock);
}

static size_t n_seen(void)
{
        size_t n;

        pthread_mutex_lock(&fake.lock);
        n = fake.n_seen;
        pthread_mutex_unlock(&fake.lock);
        return n;
}

/* Plugin under test ---------------------------------------------------------------- */

struct plugin {
        struct gs_host host;
        struct gs_config cfg;
        char base_url[128];
        void *instance;
};

static void config_set(struct gs_config *cfg, const char *key, const char *value)
{
        size_t i;

        for (i = 0; i < cfg->n; i++) {
                if (strcmp(cfg->keys[i], key) == 0) {
                        cfg->values[i] = value;
                        return;
                }
        }
        assert_true(cfg->n < sizeof(cfg->keys) / sizeof(cfg->keys[0]));
        cfg->keys[cfg->n] = key;
        cfg->values[cfg->n++] = value;
}

/* The declared defaults, as the core would supply them. */
static void config_defaults(struct plugin *p, unsigned port)
{
        const struct gs_config_key *k;

        (void)snprintf(p->base_url, sizeof(p->base_url), "http://127.0.0.1:%u/api/v2/", port);
        for (k = fake.ops->config_keys; k->name; k++)
                if (k->default_value)
                        config_set(&p->cfg, k->name, k->default_value);
        config_set(&p->cfg, "auth_id", AUTH_ID);
        config_set(&p->cfg, "api_token", API_TOKEN);
        config_set(&p->cfg, "api_base_url", p->base_url);
        config_set(&p->cfg, "timeout", "5000");
}

static void plugin_start(struct plugin *p)
{
        struct gs_error err = {0};

        assert_int_equal(fake.ops->init(&host_api, &p->host, &p->cfg, &p->instance, &err), 0);
        assert_non_null(p->instance);
}

static struct plugin *plugin_new(void)
{
        struct plugin *p = calloc(1, sizeof(*p));

        assert_non_null(p);
        config_defaults(p, fake.port);
        return p;
}

/* Stop the instance; its log must not hold a credential. */
static void plugin_free(struct plugin *p)
{
        fake.ops->shutdown(p->instance);
        assert_null(strstr(p->host.log, "SECRET"));
        free(p);
}

static void assert_clean(const struct gs_error *err)
{
        if (strstr(err->msg, "SECRET") || strstr(err->msg, "api_key") ||
            strstr(err->msg, "api_token"))
                fail_msg("credential in message: %s", err->msg);
}

static int setup(void **state)
{
        struct sockaddr_in addr = {.sin_family = AF_INET};
        const union MHD_DaemonInfo *info;

        (void)state;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fake.daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
                                               MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
                                       0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
                                       (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
                                       on_completed, NULL, MHD_OPTION_END);
        if (!fake.daemon)
                return -1;
        info = MHD_get_daemon_info(fake.daemon, MHD_DAEMON_INFO_BIND_PORT);
        fake.port = info->port;
        fake.dl = dlopen(TD_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        if (!fake.dl) {
                fprintf(stderr, "dlopen %s: %s\n", TD_PLUGIN_PATH, dlerror());
                return -1;
        }
        {
                gs_plugin_entry_fn entry;
                const struct gs_plugin_info *pi;

                *(void **)&entry = dlsym(fake.dl, GS_PLUGIN_ENTRY_SYMBOL);
                if (!entry)
                        return -1;
                pi = entry();
                if (pi->magic != GS_PLUGIN_MAGIC || pi->kind != GS_PLUGIN_PROVIDER ||
                    strcmp(pi->name, "tensordock") != 0)
                        return -1;
                fake.ops = pi->ops;
        }
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        if (fake.daemon)
                MHD_stop_daemon(fake.daemon);
#ifndef GS_SANITIZED
        if (fake.dl)
                (void)dlclose(fake.dl);
#endif
        return 0;
}

/* Tests ------------------------------------------------------------------------------ */

static void test_ops_table(void **state)
{
        const struct gs_config_key *k;
        int secrets = 0;

        (void)state;
        assert_int_equal(fake.ops->flags & GS_PLUGIN_F_THREADSAFE, 0);
        assert_int_equal(fake.ops->caps, GS_PROV_CAP_STATUS | GS_PROV_CAP_RECONCILE);
        assert_non_null(fake.ops->get_instance);
        assert_non_null(fake.ops->list_instances);
        for (k = fake.ops->config_keys; k->name; k++) {
                if (k->flags & GS_CFG_SECRET) {
                        secrets++;
                        assert_true(k->flags & GS_CFG_REQUIRED);
                        assert_non_null(k->env);
                }
        }
        assert_int_equal(secrets, 2);
}

static void test_list_offers_ok(void **state)
{
        static const struct route routes[] = {
                {"GET", "/api/v2/locations", 200, "locations_ok.json", NULL, NULL, 0}};
        struct plugin *p = plugin_new();
        struct gs_offer_sink sink = {0};
        struct gs_error err = {0};

        (void)state;
        set_routes(routes, 1);
        plugin_start(p);
        assert_int_equal(fake.ops->list_offers(p->instance, NULL, &sink, &err), 0);
        assert_int_equal(sink.n, 4);
        assert_string_equal(sink.ids[1], OFFER_3090);
        assert_string_equal(sink.names[1], "NVIDIA GeForce RTX 3090 PCIe 24GB");
        assert_string_equal(sink.locations[1], "Texas, United States");
        assert_int_equal(sink.o[1].gpu_count, 2);
        assert_int_equal(sink.o[1].vram_mib, 24576);
        assert_int_equal(sink.o[1].price_uusd_per_hour, 567000);
        assert_int_equal(sink.o[1].reliability_ppm, 1000000);
        assert_int_equal(sink.o[1].available, 1);
        assert_int_equal(sink.o[0].price_uusd_per_hour, 1586400);

        /* Credentials in the query, decoded back exactly; no Authorization header. */
        assert_int_equal(n_seen(), 1);
        assert_string_equal(fake.seen[0].method, "GET");
        assert_string_equal(fake.seen[0].path, "/api/v2/locations");
        assert_string_equal(fake.seen[0].api_key, AUTH_ID);
        assert_string_equal(fake.seen[0].api_token, API_TOKEN);
        assert_string_equal(fake.seen[0].auth, "");
        assert_string_equal(fake.seen[0].accept, "application/json");
        plugin_free(p);
}

static void test_list_offers_failures(void **state)
{
        static const struct {
                struct route rt;
                int want;
                int http;
                const char *msg;
        } cases[] = {
                {{"GET", "/api/v2/locations", 401, "error_401.json", NULL, NULL, 0}, GS_E_AUTH, 401,
                 "list_offers: GET /locations: HTTP 401: Invalid API credentials"},
                {{"GET", "/api/v2/locations", 403, NULL, "{\"error\": \"Forbidden\"}", NULL, 0},
                 GS_E_AUTH, 403, "list_offers: GET /locations: HTTP 403: Forbidden"},
                {{"GET", "/api/v2/locations", 429, "error_429.json", NULL, "Retry-After: 17", 0},
                 GS_E_RATELIMIT, 429,
                 "list_offers: GET /locations: HTTP 429: Rate limit exceeded. Please try again "
                 "later."},
                {{"GET", "/api/v2/locations", 502, NULL, "<html>Bad Gateway</html>", NULL, 0},
                 GS_E_UPSTREAM, 502,
                 "list_offers: GET /locations: HTTP 502: <html>Bad Gateway</html>"},
                {{"GET", "/api/v2/locations", 404, NULL, "", NULL, 0}, GS_E_NOTFOUND, 404,
                 "list_offers: GET /locations: HTTP 404: (empty body)"},
                {{"GET", "/api/v2/locations", 200, "locations_truncated.json", NULL, NULL, 0},
                 GS_E_BADRESPONSE, 200, NULL},
                {{"GET", "/api/v2/locations", 200, "locations_wrong_types.json", NULL, NULL, 0},
                 GS_E_BADRESPONSE, 200,
                 "list_offers: GET /locations: all 12 entries malformed; first: locations[0]: not "
                 "an object"},
                {{"GET", "/api/v2/locations", 400, NULL,
                  "{\"error\": \"bad credentials " AUTH_ID " / " API_TOKEN "\"}", NULL, 0},
                 GS_E_UPSTREAM, 400, "provider reply withheld: it echoed a credential"},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct plugin *p = plugin_new();
                struct gs_offer_sink sink = {0};
                struct gs_error err = {.retry_after = -1};

                set_routes(&cases[i].rt, 1);
                plugin_start(p);
                assert_int_equal(fake.ops->list_offers(p->instance, NULL, &sink, &err),
                                 cases[i].want);
                assert_int_equal(err.status, cases[i].want);
                assert_int_equal(err.http, cases[i].http);
                if (cases[i].msg)
                        assert_string_equal(err.msg, cases[i].msg);
                assert_clean(&err);
                assert_int_equal(err.retry_after, cases[i].want == GS_E_RATELIMIT ? 17 : -1);
                assert_int_equal(sink.n, 0);
                plugin_free(p);
        }
}

static void test_oversized_and_timeout(void **state)
{
        static char big[20000];
        struct route routes[] = {{"GET", "/api/v2/locations", 200, NULL, big, NULL, 0}};
        struct gs_offer_sink sink = {0};
        struct gs_error err = {0};
        struct plugin *p;

        (void)state;
        memset(big, ' ', sizeof(big) - 1);
        set_routes(routes, 1);
        p = plugin_new();
        config_set(&p->cfg, "max_response_bytes", "4096");
        plugin_start(p);
        assert_int_equal(fake.ops->list_offers(p->instance, NULL, &sink, &err), GS_E_BADRESPONSE);
        assert_string_equal(err.msg, "list_offers: GET /locations: response larger than 4096 "
                                     "bytes");
        plugin_free(p);

        routes[0].body = "{}";
        routes[0].delay_ms = 1500;
        set_routes(routes, 1);
        p = plugin_new();
        config_set(&p->cfg, "timeout", "300");
        plugin_start(p);
        assert_int_equal(fake.ops->list_offers(p->instance, NULL, &sink, &err), GS_E_TIMEOUT);
        assert_string_equal(err.msg, "list_offers: GET /locations: timed out after 300 ms");
        plugin_free(p);
}

static void test_connection_refused(void **state)
{
        struct sockaddr_in addr = {.sin_family = AF_INET};
        socklen_t alen = sizeof(addr);
        struct gs_instance_sink sink = {0};
        struct gs_error err = {0};
        struct plugin *p;
        char url[128];
        int fd;

        (void)state;
        /* A loopback port that was free a moment ago. */
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &alen), 0);
        (void)close(fd);
        (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u", ntohs(addr.sin_port));
        p = plugin_new();
        config_set(&p->cfg, "api_base_url", url);
        plugin_start(p);
        assert_int_equal(fake.ops->list_instances(p->instance, &sink, &err), GS_E_UPSTREAM);
        assert_non_null(strstr(err.msg, "list_instances: GET /instances: "));
        assert_clean(&err);
        assert_int_equal(fake.ops->list_offers(p->instance, NULL, NULL, &err), GS_E_UPSTREAM);
        assert_non_null(strstr(err.msg, "list_offers: GET /locations: "));
        assert_clean(&err);
        plugin_free(p);
}

static struct gs_create_request create_request(void)
{
        static const char *const keys[] = {KEY_ED};
        struct gs_create_request req = {
                .struct_size = sizeof(req),
                .disk_gb = 150,
                .offer_id = OFFER_3090,
                .label = "gs-dep1-sess-abc",
                .ssh_public_keys = keys,
                .ssh_public_key_count = 1,
                .image = "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
                .expected_price_uusd_per_hour = 567000,
        };

        return req;
}

static void test_create_ok(void **state)
{
        static const struct route routes[] = {
                {"GET", "/api/v2/locations", 200, "locations_ok.json", NULL, NULL, 0},
                {"POST", "/api/v2/instances", 200, "create_creating.json", NULL, NULL, 0},
        };
        struct gs_create_request req = create_request();
        struct gs_instance_sink sink = {0};
        struct gs_error err = {0};
        struct plugin *p = plugin_new();
        json_t *body, *attrs, *res;

        (void)state;
        set_routes(routes, 2);
        plugin_start(p);
        assert_int_equal(fake.ops->create_instance(p->instance, &req, &sink, &err), 0);
        assert_int_equal(sink.n, 1);
        assert_string_equal(sink.i[0].id, INSTANCE_ID);
        assert_string_equal(sink.i[0].label, "gs-dep1-sess-abc");
        assert_string_equal(sink.i[0].status, "creating");
        assert_int_equal(sink.i[0].info.state, GS_INST_PENDING);
        assert_string_equal(sink.i[0].host, "(null)");
        assert_string_equal(sink.i[0].user, "user");
        assert_string_equal(sink.i[0].offer, OFFER_3090);
        assert_string_equal(sink.i[0].gpu, "NVIDIA GeForce RTX 3090 PCIe 24GB");
        assert_int_equal(sink.i[0].info.gpu_count, 2);
        /* 2 x 0.2 + 8 x 0.004 + 64 x 0.002 + 150 x 0.00007 */
        assert_int_equal(sink.i[0].info.price_uusd_per_hour, 570500);

        assert_int_equal(n_seen(), 2);
        assert_string_equal(fake.seen[1].method, "POST");
        assert_string_equal(fake.seen[1].path, "/api/v2/instances");
        assert_string_equal(fake.seen[1].auth, "Bearer " API_TOKEN);
        assert_string_equal(fake.seen[1].content_type, "application/json");
        assert_string_equal(fake.seen[1].api_key, "");
        body = json_loads(fake.seen[1].body, 0, NULL);
        assert_non_null(body);
        attrs = json_object_get(json_object_get(body, "data"), "attributes");
        assert_string_equal(json_string_value(json_object_get(attrs, "name")), "gs-dep1-sess-abc");
        /* A container image is not a TensorDock OS image: the configured one is used. */
        assert_string_equal(json_string_value(json_object_get(attrs, "image")), "ubuntu2204");
        assert_string_equal(json_string_value(json_object_get(attrs, "location_id")),
                            "1a779525-4c04-4f2c-aa45-58b47d54bb38");
        assert_string_equal(json_string_value(json_object_get(attrs, "ssh_key")), KEY_ED);
        res = json_object_get(attrs, "resources");
        assert_int_equal(json_integer_value(json_object_get(res, "vcpu_count")), 8);
        assert_int_equal(json_integer_value(json_object_get(res, "ram_gb")), 64);
        assert_int_equal(json_integer_value(json_object_get(res, "storage_gb")), 150);
        assert_int_equal(json_integer_value(json_object_get(
                                 json_object_get(json_object_get(res, "gpus"),
                                                 "geforcertx3090-pcie-24gb"),
                                 "count")),
                         2);
        assert_int_equal(json_array_size(json_object_get(json_object_get(attrs, "cloud_init"),
                                                         "runcmd")),
                         6);
        json_decref(body);
        plugin_free(p);
}

static void test_create_failures(void **state)
{
        static const struct {
                struct route post;
                int want;
                const char *msg; /* substring */
        } cases[] = {
                {{"POST", "/api/v2/instances", 200, "create_stale.json", NULL, NULL, 0},
                 GS_E_UNAVAILABLE, "No available nodes found"},
                {{"POST", "/api/v2/instances", 201, NULL,
                  "{\"status\": 400, \"error\": \"No available public IPs\"}", NULL, 0},
                 GS_E_UNAVAILABLE, "No available public IPs"},
                {{"POST", "/api/v2/instances", 400, NULL, "{\"error\": \"GPU out of stock\"}",
                  NULL, 0},
                 GS_E_UNAVAILABLE, "HTTP 400: GPU out of stock"},
                {{"POST", "/api/v2/instances", 200, "create_error_other.json", NULL, NULL, 0},
                 GS_E_UPSTREAM, "Invalid image name"},
                {{"POST", "/api/v2/instances", 400, "error_validation.json", NULL, NULL, 0},
                 GS_E_UPSTREAM, "HTTP 400: Name is required; Invalid location_id format"},
                {{"POST", "/api/v2/instances", 503, NULL, "Service temporarily unavailable", NULL,
                  0},
                 GS_E_UPSTREAM, "HTTP 503"},
                {{"POST", "/api/v2/instances", 401, "error_401.json", NULL, NULL, 0}, GS_E_AUTH,
                 "HTTP 401"},
                {{"POST", "/api/v2/instances", 200, "create_no_id.json", NULL, NULL, 0},
                 GS_E_BADRESPONSE, "reconciliation finds it by its label"},
                {{"POST", "/api/v2/instances", 200, NULL, "{\"data\": {\"id\": \"a", NULL, 0},
                 GS_E_BADRESPONSE, "invalid JSON"},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct route routes[] = {
                        {"GET", "/api/v2/locations", 200, "locations_ok.json", NULL, NULL, 0},
                        cases[i].post,
                };
                struct gs_create_request req = create_request();
                struct gs_instance_sink sink = {0};
                struct gs_error err = {0};
                struct plugin *p = plugin_new();

                set_routes(routes, 2);
                plugin_start(p);
                assert_int_equal(fake.ops->create_instance(p->instance, &req, &sink, &err),
                                 cases[i].want);
                if (!strstr(err.msg, cases[i].msg))
                        fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
                assert_clean(&err);
                assert_int_equal(sink.n, 0);
                assert_int_equal(n_seen(), 2);
                plugin_free(p);
        }
}

/* Refusals before the POST: bad input, a vanished offer, a price rise. */
static void test_create_refused_early(void **state)
{
        static const struct route routes[] = {
                {"GET", "/api/v2/locations", 200, "locations_ok.json", NULL, NULL, 0},
                {"POST", "/api/v2/instances", 200, "create_ok.json", NULL, NULL, 0},
        };
        static const char *const bad_key[] = {"not a key"};
        struct gs_create_request req;
        struct gs_instance_sink sink = {0};
        struct gs_error err = {0};
        struct plugin *p = plugin_new();

        (void)state;
        set_routes(routes, 2);
        plugin_start(p);

        req = create_request();
        req.offer_id = "1a779525-4c04-4f2c-aa45-58b47d54bb38";
        assert_int_equal(fake.ops->create_instance(p->instance, &req, &sink, &err), GS_E_INVAL);
        assert_non_null(strstr(err.msg, "bare location UUID"));
        req = create_request();
        req.ssh_public_keys = bad_key;
        assert_int_equal(fake.ops->create_instance(p->instance, &req, &sink, &err), GS_E_INVAL);
        req = create_request();
        req.ssh_public_key_count = 0;
        assert_int_equal(fake.ops->create_instance(p->instance, &req, &sink, &err), GS_E_INVAL);
        assert_int_equal(n_seen(), 0);

        req = create_request();
        req.offer_id = "1a779525-4c04-4f2c-aa45-58b47d54bb38-a100-sxm4-80gb";
        assert_int_equal(fake.ops->create_instance(p->instance, &req, &sink, &err),
                         GS_E_UNAVAILABLE);
        assert_non_null(strstr(err.msg, "no longer listed"));
        req = create_request();
        req.expected_price_uusd_per_hour = 500000;
        assert_int_equal(fake.ops->create_instance(p->instance, &req, &sink, &err),
                         GS_E_UNAVAILABLE);
        assert_non_null(strstr(err.msg, "now costs 567000 uUSD/h"));
        assert_int_equal(n_seen(), 2); /* two GET /locations, no POST */
        assert_string_equal(fake.seen[1].method, "GET");
        assert_int_equal(sink.n, 0);
        plugin_free(p);
}

static void test_get_instance(void **state)
{
        static const struct route routes[] = {
                {"GET", "/api/v2/instances/" INSTANCE_ID, 200, "instance_running.json", NULL, NULL,
                 0},
                {"GET", "/api/v2/instances/creating-1", 200, "instance_creating.json", NULL, NULL,
                 0},
                {"GET", "/api/v2/instances/deleted-1", 200, "instance_deleted.json", NULL, NULL, 0},
                {"GET", "/api/v2/instances/gone-1", 404, NULL,
                 "{\"error\": \"Instance not found\"}", NULL, 0},
        };
        struct gs_instance_sink sink = {0};
        struct gs_error err = {0};
        struct plugin *p = plugin_new();

        (void)state;
        set_routes(routes, 4);
        plugin_start(p);
        assert_int_equal(fake.ops->get_instance(p->instance, INSTANCE_ID, &sink, &err), 0);
        assert_int_equal(sink.n, 1);
        assert_string_equal(sink.i[0].id, INSTANCE_ID);
        assert_string_equal(sink.i[0].label, "shopper-ssh-test-1234");
        assert_int_equal(sink.i[0].info.state, GS_INST_RUNNING);
        assert_string_equal(sink.i[0].host, "174.94.145.71");
        assert_int_equal(sink.i[0].info.ssh_port, 20456);
        assert_string_equal(sink.i[0].user, "user");
        assert_int_equal(sink.i[0].info.price_uusd_per_hour, 272999);
        assert_string_equal(fake.seen[0].auth, "Bearer " API_TOKEN);
        assert_string_equal(fake.seen[0].api_key, "");

        assert_int_equal(fake.ops->get_instance(p->instance, "creating-1", &sink, &err), 0);
        assert_int_equal(sink.i[1].info.state, GS_INST_PENDING);
        assert_string_equal(sink.i[1].id, "0fb9b44c-7c5d-4b0d-8f0b-59f262d0718b");
        assert_string_equal(sink.i[1].host, "(null)");
        assert_int_equal(sink.i[1].info.ssh_port, 0);

        assert_int_equal(fake.ops->get_instance(p->instance, "deleted-1", &sink, &err),
                         GS_E_NOTFOUND);
        assert_string_equal(err.msg, "get_instance: GET /instances/deleted-1: instance is deleted");
        assert_int_equal(fake.ops->get_instance(p->instance, "gone-1", &sink, &err),
                         GS_E_NOTFOUND);
        assert_int_equal(err.http, 404);
        assert_int_equal(sink.n, 2);

        assert_int_equal(n_seen(), 4);
        assert_int_equal(fake.ops->get_instance(p->instance, "../locations", &sink, &err),
                         GS_E_INVAL);
        assert_int_equal(fake.ops->get_instance(p->instance, "", &sink, &err), GS_E_INVAL);
        assert_int_equal(n_seen(), 4);
        plugin_free(p);
}

static void test_list_instances(void **state)
{
        struct route routes[] = {
                {"GET", "/api/v2/instances", 200, "instances_attributes.json", NULL, NULL, 0}};
        struct gs_instance_sink sink = {0};
        struct gs_error err = {0};
        struct plugin *p = plugin_new();

        (void)state;
        set_routes(routes, 1);
        plugin_start(p);
        assert_int_equal(fake.ops->list_instances(p->instance, &sink, &err), 0);
        assert_int_equal(sink.n, 1);
        assert_string_equal(sink.i[0].label, "gs-dep1-sess-abc");
        assert_string_equal(sink.i[0].id, "468b716a-6747-4cbe-9f13-afc153a21c14");
        assert_int_equal(sink.i[0].info.ssh_port, 22);
        assert_string_equal(fake.seen[0].auth, "Bearer " API_TOKEN);
        /* The skipped entries are reported at DEBUG, without values. */
        assert_non_null(strstr(p->host.log, "skipped 3 of 5 entries"));

        /* Failures are errors, never an empty list. */
        routes[0].status = 500;
        routes[0].fixture = NULL;
        routes[0].body = "oops";
        set_routes(routes, 1);
        sink.n = 0;
        assert_int_equal(fake.ops->list_instances(p->instance, &sink, &err), GS_E_UPSTREAM);
        assert_string_equal(err.msg, "list_instances: GET /instances: HTTP 500: oops");
        routes[0].status = 429;
        set_routes(routes, 1);
        assert_int_equal(fake.ops->list_instances(p->instance, &sink, &err), GS_E_RATELIMIT);
        assert_int_equal(sink.n, 0);
        plugin_free(p);
}

static void test_destroy(void **state)
{
        static const struct {
                unsigned status;
                const char *body;
                int want;
        } cases[] = {
                {200, "{\"data\": {\"type\": \"success\"}}", 0},
                {204, "", 0},
                {404, "{\"error\": \"Instance not found\"}", 0},
                {200, "{\"status\": 404, \"error\": \"Instance not found\"}", 0},
                {200, "{\"status\": 400, \"error\": \"Instance is locked\"}", GS_E_UPSTREAM},
                {500, "<html>oops</html>", GS_E_UPSTREAM},
                {429, "{}", GS_E_RATELIMIT},
                {401, "{}", GS_E_AUTH},
        };
        struct gs_error err = {0};
        struct plugin *p = plugin_new();
        size_t i;

        (void)state;
        plugin_start(p);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct route rt = {"DELETE", "/api/v2/instances/" INSTANCE_ID,
                                         cases[i].status, NULL, cases[i].body, NULL, 0};

                set_routes(&rt, 1);
                if (fake.ops->destroy_instance(p->instance, INSTANCE_ID, &err) != cases[i].want)
                        fail_msg("case %zu: got %s", i, err.msg);
                assert_int_equal(n_seen(), 1);
                assert_string_equal(fake.seen[0].method, "DELETE");
                assert_string_equal(fake.seen[0].auth, "Bearer " API_TOKEN);
        }
        set_routes(NULL, 0);
        assert_int_equal(fake.ops->destroy_instance(p->instance, "a/../b", &err), GS_E_INVAL);
        assert_int_equal(fake.ops->destroy_instance(p->instance, NULL, &err), GS_E_INVAL);
        assert_int_equal(n_seen(), 0);
        plugin_free(p);
}

static void test_init_rejects(void **state)
{
        static const struct {
                const char *key;
                const char *value;
        } cases[] = {
                {"api_token", "has space"},     {"auth_id", ""},
                {"auth_id", "line\nbreak"},     {"image", "pytorch/pytorch:latest"},
                {"api_base_url", "http://x/?a"}, {"storage_gb", "50"},
        };
        size_t i;

        (void)state;
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct plugin *p = plugin_new();
                struct gs_error err = {0};
                void *instance = (void *)&err;

                config_set(&p->cfg, cases[i].key, cases[i].value);
                assert_int_equal(fake.ops->init(&host_api, &p->host, &p->cfg, &instance, &err),
                                 GS_E_CONFIG);
                assert_ptr_equal(instance, (void *)&err); /* untouched */
                assert_non_null(strstr(err.msg, cases[i].key));
                assert_null(strstr(err.msg, cases[i].value[0] ? cases[i].value : "\x01"));
                free(p);
        }
        fake.ops->shutdown(NULL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ops_table),
                cmocka_unit_test(test_list_offers_ok),
                cmocka_unit_test(test_list_offers_failures),
                cmocka_unit_test(test_oversized_and_timeout),
                cmocka_unit_test(test_connection_refused),
                cmocka_unit_test(test_create_ok),
                cmocka_unit_test(test_create_failures),
                cmocka_unit_test(test_create_refused_early),
                cmocka_unit_test(test_get_instance),
                cmocka_unit_test(test_list_instances),
                cmocka_unit_test(test_destroy),
                cmocka_unit_test(test_init_rejects),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
