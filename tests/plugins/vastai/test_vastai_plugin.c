/*
 * test_vastai_plugin.c - the real vastai.so, loaded with dlopen() and driven
 * through its ops table with a fake host table, against a scripted HTTP
 * server on loopback: exact requests (method, path, query, headers, body)
 * and the mapping of answers to GS_E_* statuses.
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
#include <unistd.h>

#include <cmocka.h>

#include "gpushop/plugin.h"

#define TEST_KEY "0123456789abcdef0123456789abcdefSECRETKEY"
#define REQ_MAX 65536
#define REQS_MAX 16
#define RESP_MAX 16
#define HANG_MS 3000

/* ---- the fake host: its own layout of the opaque SDK structs ---------- */

struct gs_error {
        int status, http_status;
        int64_t retry_after_s;
        char msg[GS_ERROR_MSG_MAX];
};

struct gs_config {
        const char *kv[16][2];
};

struct gs_offer_sink {
        int n;
        char first_id[32];
        int64_t first_price;
};

struct gs_instance_sink {
        int n;
        char id[32], label[128], host[128];
        uint32_t state, port;
};

static int h_log_debug_lines;

static void h_log(struct gs_host *h, int level, const char *fmt, ...)
{
        char line[1024];
        va_list ap;

        (void)h;
        va_start(ap, fmt);
        (void)vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        assert_null(strstr(line, TEST_KEY));
        if (level == GS_LOG_DEBUG)
                h_log_debug_lines++;
}

static int h_error_set(struct gs_error *err, int status, int http_status, const char *fmt, ...)
{
        va_list ap;

        if (!err)
                return status;
        err->status = status;
        err->http_status = http_status;
        va_start(ap, fmt);
        (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        return status;
}

static void h_retry_after(struct gs_error *err, int64_t s)
{
        if (err)
                err->retry_after_s = s;
}

static const char *h_config_str(const struct gs_config *cfg, const char *key)
{
        size_t i;

        for (i = 0; i < 16 && cfg->kv[i][0]; i++)
                if (strcmp(cfg->kv[i][0], key) == 0)
                        return cfg->kv[i][1];
        return NULL;
}

static int h_config_int(const struct gs_config *cfg, const char *key, int64_t *ret)
{
        const char *s = h_config_str(cfg, key);
        char *end;
        long long v;

        if (!s)
                return GS_E_NOTFOUND;
        v = strtoll(s, &end, 10);
        if (*end)
                return GS_E_INVAL;
        *ret = v;
        return 0;
}

static int h_config_bool(const struct gs_config *cfg, const char *key, int *ret)
{
        (void)cfg;
        (void)key;
        (void)ret;
        return GS_E_NOTFOUND;
}

static int h_offer_emit(struct gs_offer_sink *sink, const struct gs_offer *o)
{
        if (sink->n++ == 0) {
                (void)snprintf(sink->first_id, sizeof(sink->first_id), "%s", o->offer_id);
                sink->first_price = o->price_uusd_per_hour;
        }
        return 0;
}

static int h_instance_emit(struct gs_instance_sink *sink, const struct gs_instance_info *i)
{
        sink->n++;
        (void)snprintf(sink->id, sizeof(sink->id), "%s", i->instance_id);
        (void)snprintf(sink->label, sizeof(sink->label), "%s", i->label ? i->label : "");
        (void)snprintf(sink->host, sizeof(sink->host), "%s", i->ssh_host ? i->ssh_host : "");
        sink->state = i->state;
        sink->port = i->ssh_port;
        return 0;
}

static int64_t h_now_ms(struct gs_host *h)
{
        (void)h;
        return INT64_C(1700000000000);
}

static const struct gs_host_api host_api = {
        .struct_size = sizeof(struct gs_host_api),
        .abi_major = GS_ABI_MAJOR,
        .abi_minor = GS_ABI_MINOR,
        .log = h_log,
        .error_set = h_error_set,
        .error_set_retry_after = h_retry_after,
        .config_str = h_config_str,
        .config_int = h_config_int,
        .config_bool = h_config_bool,
        .config_duration_ms = h_config_int,
        .config_price_uusd = h_config_int,
        .offer_emit = h_offer_emit,
        .instance_emit = h_instance_emit,
        .now_ms = h_now_ms,
};

/* ---- the scripted server ------------------------------------------------ */

struct canned {
        int status;          /* 0 = accept, then hang up without answering after HANG_MS */
        const char *headers; /* extra header lines, each ending in \r\n */
        const char *body;
        size_t body_len;     /* 0 = strlen(body) */
};

struct seen {
        char head[4096];
        char body[REQ_MAX];
};

static struct server {
        int fd;
        uint16_t port;
        pthread_t thread;
        pthread_mutex_t lock;
        struct canned resp[RESP_MAX];
        size_t nresp, next;
        struct seen *reqs;
        size_t nreqs;
        int stop;
} srv;

static void serve_one(int c)
{
        char *buf = malloc(REQ_MAX + 1);
        size_t len = 0, clen = 0;
        char *end = NULL, *cl;
        struct canned k = {.status = 503, .body = "{\"error\":\"script exhausted\"}"};
        char head[512];
        size_t blen;

        assert_non_null(buf);
        while (len < REQ_MAX) {
                ssize_t n = recv(c, buf + len, REQ_MAX - len, 0);

                if (n <= 0)
                        break;
                len += (size_t)n;
                buf[len] = '\0';
                end = strstr(buf, "\r\n\r\n");
                if (!end)
                        continue;
                cl = strcasestr(buf, "\r\nContent-Length:");
                clen = cl && cl < end ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
                if (len >= (size_t)(end + 4 - buf) + clen)
                        break;
        }
        if (!end)
                goto done;
        pthread_mutex_lock(&srv.lock);
        if (srv.nreqs < REQS_MAX) {
                struct seen *s = &srv.reqs[srv.nreqs++];
                size_t hl = (size_t)(end - buf);

                (void)snprintf(s->head, sizeof(s->head), "%.*s", (int)hl, buf);
                (void)snprintf(s->body, sizeof(s->body), "%.*s", (int)clen, end + 4);
        }
        if (srv.next < srv.nresp)
                k = srv.resp[srv.next++];
        pthread_mutex_unlock(&srv.lock);
        if (k.status == 0) {
                usleep(HANG_MS * 1000);
                goto done;
        }
        blen = k.body_len ? k.body_len : strlen(k.body);
        (void)snprintf(head, sizeof(head),
                       "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%s"
                       "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                       k.status, k.headers ? k.headers : "", blen);
        (void)!write(c, head, strlen(head));
        (void)!write(c, k.body, blen);
done:
        free(buf);
        close(c);
}

static void *serve(void *arg)
{
        (void)arg;
        for (;;) {
                int c = accept(srv.fd, NULL, NULL);

                if (c < 0 || srv.stop) {
                        if (c >= 0)
                                close(c);
                        return NULL;
                }
                serve_one(c);
        }
}

static void script(const struct canned *resp, size_t n)
{
        pthread_mutex_lock(&srv.lock);
        if (n > 0)
                memcpy(srv.resp, resp, n * sizeof(*resp));
        srv.nresp = n;
        srv.next = 0;
        srv.nreqs = 0;
        pthread_mutex_unlock(&srv.lock);
}

/* ---- the plugin under test --------------------------------------------- */

struct fixture {
        void *dl;
        const struct gs_provider_ops *ops;
        void *inst;
        char base[128];
        struct gs_config cfg;
};

static const struct gs_provider_ops *load_ops(void **ret_dl)
{
        void *dl = dlopen(GS_VASTAI_SO, RTLD_NOW | RTLD_LOCAL);
        gs_plugin_entry_fn entry;
        const struct gs_plugin_info *info;

        if (!dl)
                print_error("dlopen: %s\n", dlerror());
        assert_non_null(dl);
        *(void **)&entry = dlsym(dl, GS_PLUGIN_ENTRY_SYMBOL);
        assert_non_null(entry);
        info = entry();
        assert_int_equal(info->magic, GS_PLUGIN_MAGIC);
        assert_int_equal(info->abi_major, GS_ABI_MAJOR);
        assert_int_equal(info->kind, GS_PLUGIN_PROVIDER);
        assert_string_equal(info->name, "vastai");
        *ret_dl = dl;
        return info->ops;
}

static void set_cfg(struct fixture *f, const char *timeout, const char *max_bytes)
{
        const char *kv[][2] = {
                {"api_key", TEST_KEY},       {"api_base_url", f->base},
                {"min_reliability", "950000"}, {"timeout", timeout},
                {"connect_timeout", "1000"},  {"max_response_bytes", max_bytes},
                {"image", "nvidia/cuda:12.6.3-runtime-ubuntu22.04"},
        };

        memset(&f->cfg, 0, sizeof(f->cfg));
        memcpy(f->cfg.kv, kv, sizeof(kv));
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        struct gs_error err = {0};

        assert_non_null(f);
        f->ops = load_ops(&f->dl);
        (void)snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%u/api/v0/", srv.port);
        set_cfg(f, "2000", "65536");
        assert_int_equal(f->ops->init(&host_api, NULL, &f->cfg, &f->inst, &err), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;

        f->ops->shutdown(f->inst);
        dlclose(f->dl);
        free(f);
        return 0;
}

static void assert_no_key(const struct gs_error *err)
{
        assert_null(strstr(err->msg, TEST_KEY));
}

/* Percent-decoding of the q parameter. */
static void url_decode(const char *s, char *out, size_t size)
{
        size_t o = 0;

        while (*s && *s != ' ' && o + 1 < size) {
                if (s[0] == '%' && s[1] && s[2]) {
                        char hex[3] = {s[1], s[2], 0};

                        out[o++] = (char)strtol(hex, NULL, 16);
                        s += 3;
                } else {
                        out[o++] = *s == '+' ? ' ' : *s;
                        s++;
                }
        }
        out[o] = '\0';
}

static void test_keys_table(void **state)
{
        struct fixture *f = *state;
        const struct gs_config_key *k = f->ops->config_keys;
        int seen_key = 0, n = 0;

        assert_int_equal(f->ops->config_key_size, sizeof(struct gs_config_key));
        assert_int_equal(f->ops->caps, GS_PROV_CAP_STATUS | GS_PROV_CAP_RECONCILE);
        assert_int_equal(f->ops->flags & GS_PLUGIN_F_THREADSAFE, 0);
        for (; k->name; k++, n++) {
                assert_non_null(k->description);
                if (strcmp(k->name, "api_key") == 0) {
                        seen_key = 1;
                        assert_int_equal(k->flags, GS_CFG_REQUIRED | GS_CFG_SECRET);
                        assert_string_equal(k->env, "VASTAI_API_KEY");
                } else {
                        assert_non_null(k->default_value);
                }
        }
        assert_true(seen_key);
        assert_int_equal(n, 7);
}

static void test_list_offers_request_and_records(void **state)
{
        static const char body[] =
                "{\"offers\": [{\"id\": 30406190, \"gpu_name\": \"RTX 5090\", \"gpu_ram\": 32607,"
                " \"num_gpus\": 1, \"dph_total\": 0.2288, \"geolocation\": \", CN\","
                " \"reliability2\": 0.9941378, \"rentable\": true, \"rented\": false}]}";
        const struct canned c[] = {{200, NULL, body, 0}};
        struct gs_offer_filter flt = {.struct_size = sizeof(flt), .gpu_name = "RTX 5090",
                                      .min_vram_mib = 24576, .max_price_uusd_per_hour = 500000};
        struct fixture *f = *state;
        struct gs_offer_sink sink = {0};
        struct gs_error err = {0};
        char q[4096];
        const char *p;

        script(c, 1);
        assert_int_equal(f->ops->list_offers(f->inst, &flt, &sink, &err), 0);
        assert_int_equal(sink.n, 1);
        assert_string_equal(sink.first_id, "30406190");
        assert_int_equal(sink.first_price, 228800);
        assert_int_equal(srv.nreqs, 1);
        assert_true(strncmp(srv.reqs[0].head, "GET /api/v0/bundles/?q=", 23) == 0);
        url_decode(srv.reqs[0].head + 23, q, sizeof(q));
        assert_string_equal(q, "{\"dph_total\":{\"lte\":0.5},\"gpu_name\":{\"in\":[\"RTX 5090\","
                               "\"Tesla RTX 5090\",\"Q RTX 5090\",\"RTX 5090 PCIE\","
                               "\"RTX 5090 SXM\",\"RTX 5090 SXM2\",\"RTX 5090 SXM4\","
                               "\"RTX 5090 SXM5\",\"RTX 5090 NVL\",\"RTX 5090 WS\","
                               "\"RTX 5090 S\",\"RTX5090\"]},\"gpu_ram\":{\"gte\":24576},"
                               "\"reliability2\":{\"gte\":0.95},\"rentable\":{\"eq\":true},"
                               "\"type\":\"on-demand\"}");
        p = strcasestr(srv.reqs[0].head, "\r\nAuthorization: Bearer " TEST_KEY "\r\n");
        assert_non_null(p);
        assert_non_null(strcasestr(srv.reqs[0].head, "\r\nAccept: application/json"));
        /* the key is nowhere but the Authorization header */
        assert_null(strstr(srv.reqs[0].head, "?q=" TEST_KEY));
        assert_null(strstr(srv.reqs[0].head + 24, TEST_KEY "&"));

        /* struct_size covering only the first fields: the rest is ignored */
        flt.struct_size = offsetof(struct gs_offer_filter, gpu_name);
        script(c, 1);
        sink.n = 0;
        assert_int_equal(f->ops->list_offers(f->inst, &flt, &sink, &err), 0);
        url_decode(srv.reqs[0].head + 23, q, sizeof(q));
        assert_null(strstr(q, "gpu_name"));
        assert_null(strstr(q, "dph_total"));
}

static void test_status_mapping(void **state)
{
        static const char big[] = "{\"offers\": []}";
        char *huge = malloc(100000);
        const struct {
                struct canned c;
                int want;
                int64_t retry;
        } cases[] = {
                {{401, NULL, "{\"detail\":\"bad key\"}", 0}, GS_E_AUTH, -1},
                {{403, NULL, "{\"msg\":\"insufficient balance\"}", 0}, GS_E_AUTH, -1},
                {{429, "Retry-After: 7\r\n", "{\"message\":\"too many\"}", 0}, GS_E_RATELIMIT, 7},
                {{429, "Retry-After: Tue, 14 Nov 2023 22:13:50 GMT\r\n", "{}", 0},
                 GS_E_RATELIMIT, 30},
                {{429, NULL, "{}", 0}, GS_E_RATELIMIT, -1},
                {{500, NULL, "<html>oops</html>", 0}, GS_E_UPSTREAM, -1},
                {{503, NULL, "", 0}, GS_E_UPSTREAM, -1},
                {{503, "Retry-After: 120\r\n", "", 0}, GS_E_UPSTREAM, 120},
                {{200, NULL, "{\"offers\": [", 0}, GS_E_BADRESPONSE, -1},
                {{200, NULL, "null", 0}, GS_E_BADRESPONSE, -1},
                {{200, NULL, NULL, 100000}, GS_E_BADRESPONSE, -1},
                {{200, NULL, big, 0}, 0, -1},
        };
        struct fixture *f = *state;
        size_t i;

        assert_non_null(huge);
        memset(huge, ' ', 100000);
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct canned c = cases[i].c;
                struct gs_offer_sink sink = {0};
                struct gs_error err = {.retry_after_s = -1};
                int r;

                if (!c.body)
                        c.body = huge; /* larger than max_response_bytes */
                script(&c, 1);
                r = f->ops->list_offers(f->inst, NULL, &sink, &err);
                if (r != cases[i].want)
                        print_error("case %zu: r=%d msg=%s\n", i, r, err.msg);
                assert_int_equal(r, cases[i].want);
                assert_int_equal(err.retry_after_s, cases[i].retry);
                assert_no_key(&err);
                if (r < 0)
                        assert_non_null(strstr(err.msg, "list_offers"));
        }
        free(huge);
}

static void test_create_sends_contract_body_and_keys(void **state)
{
        static const char *const keys[] = {"ssh-ed25519 AAAAone a@b", "ssh-ed25519 AAAAtwo c@d"};
        const struct canned c[] = {
                {200, NULL, "{\"success\": true, \"new_contract\": 12345678, \"error\": \"\"}", 0},
                {200, NULL, "{\"success\": true}", 0},
                {500, NULL, "{}", 0}, /* second key: not fatal */
        };
        struct gs_create_request req = {
                .struct_size = sizeof(req),
                .disk_gb = 50,
                .offer_id = "30406190",
                .label = "gs-dep1-sess-abcdefghijkl",
                .ssh_public_keys = keys,
                .ssh_public_key_count = 2,
        };
        struct fixture *f = *state;
        struct gs_instance_sink sink = {0};
        struct gs_error err = {0};

        script(c, 3);
        assert_int_equal(f->ops->create_instance(f->inst, &req, &sink, &err), 0);
        assert_int_equal(sink.n, 1);
        assert_string_equal(sink.id, "12345678");
        assert_string_equal(sink.label, "gs-dep1-sess-abcdefghijkl");
        assert_int_equal(sink.state, GS_INST_PENDING);
        assert_int_equal(srv.nreqs, 3);
        assert_true(strncmp(srv.reqs[0].head, "PUT /api/v0/asks/30406190/ HTTP/1.1", 35) == 0);
        assert_non_null(strcasestr(srv.reqs[0].head, "\r\nContent-Type: application/json"));
        assert_string_equal(srv.reqs[0].body,
                            "{\"client_id\":\"me\",\"disk\":50,"
                            "\"image\":\"nvidia/cuda:12.6.3-runtime-ubuntu22.04\","
                            "\"label\":\"gs-dep1-sess-abcdefghijkl\",\"runtype\":\"ssh_proxy\","
                            "\"ssh_key\":\"ssh-ed25519 AAAAone a@b\"}");
        assert_true(strncmp(srv.reqs[1].head, "POST /api/v0/instances/12345678/ssh/ ", 37) == 0);
        assert_string_equal(srv.reqs[1].body, "{\"ssh_key\":\"ssh-ed25519 AAAAone a@b\"}");
        assert_string_equal(srv.reqs[2].body, "{\"ssh_key\":\"ssh-ed25519 AAAAtwo c@d\"}");
}

static void test_create_failures(void **state)
{
        const struct {
                struct canned c;
                int want;
        } cases[] = {
                {{400, NULL,
                  "{\"success\":false,\"error\":\"invalid_args\",\"msg\":\"error 404/3603: "
                  "no_such_ask  Instance type by id 29907796 is not available.\","
                  "\"ask_id\":29907796}",
                  0},
                 GS_E_UNAVAILABLE},
                {{404, NULL, "{}", 0}, GS_E_UNAVAILABLE},
                {{200, NULL, "{\"success\": false, \"error\": \"no_such_ask\"}", 0},
                 GS_E_UNAVAILABLE},
                {{200, NULL, "{\"success\": false, \"msg\": \"balance too low\"}", 0},
                 GS_E_UPSTREAM},
                {{400, NULL, "{\"msg\": \"bad image\"}", 0}, GS_E_UPSTREAM},
                {{401, NULL, "{}", 0}, GS_E_AUTH},
        };
        struct gs_create_request req = {.struct_size = sizeof(req), .disk_gb = 20,
                                        .offer_id = "29907796", .label = "gs-a-b"};
        struct fixture *f = *state;
        size_t i;

        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct gs_instance_sink sink = {0};
                struct gs_error err = {0};

                script(&cases[i].c, 1);
                assert_int_equal(f->ops->create_instance(f->inst, &req, &sink, &err),
                                 cases[i].want);
                assert_int_equal(sink.n, 0);
                assert_no_key(&err);
        }
        /* refused before any request */
        script(NULL, 0);
        {
                struct gs_instance_sink sink = {0};
                struct gs_error err = {0};
                struct gs_create_request bad = req;

                bad.offer_id = "vastai-1/../../x";
                assert_int_equal(f->ops->create_instance(f->inst, &bad, &sink, &err),
                                 GS_E_INVAL);
                bad = req;
                bad.label = "gs\r\nHost: evil";
                assert_int_equal(f->ops->create_instance(f->inst, &bad, &sink, &err),
                                 GS_E_INVAL);
                assert_int_equal(srv.nreqs, 0);
        }
}

static void test_get_list_destroy(void **state)
{
        const struct canned get[] = {
                {200, NULL,
                 "{\"instances\": {\"id\": 12345, \"actual_status\": \"running\","
                 " \"ssh_host\": \"ssh.vast.ai\", \"ssh_port\": 20544, \"label\": \"gs-x-y\"}}",
                 0},
                {200, NULL, "{\"instances\": null}", 0},
                {404, NULL, "{}", 0},
                {200, NULL, "{\"instances\": {\"id\": 999, \"actual_status\": \"running\"}}", 0},
        };
        const int get_want[] = {0, GS_E_NOTFOUND, GS_E_NOTFOUND, GS_E_BADRESPONSE};
        const struct canned list[] = {
                {200, NULL,
                 "{\"instances\": [{\"id\": 123, \"label\": \"gs-x-y\", \"actual_status\":"
                 " \"running\"}, {\"id\": 124, \"label\": \"other\"}]}",
                 0},
        };
        const struct canned del[] = {
                {200, NULL, "{\"success\": true}", 0}, {204, NULL, "", 0},
                {404, NULL, "{}", 0},                  {500, NULL, "{}", 0},
                {200, NULL, "{\"success\": false, \"msg\": \"locked\"}", 0},
        };
        const int del_want[] = {0, 0, 0, GS_E_UPSTREAM, GS_E_UPSTREAM};
        struct fixture *f = *state;
        size_t i;

        for (i = 0; i < 4; i++) {
                struct gs_instance_sink sink = {0};
                struct gs_error err = {0};

                script(&get[i], 1);
                assert_int_equal(f->ops->get_instance(f->inst, "12345", &sink, &err),
                                 get_want[i]);
                assert_true(strncmp(srv.reqs[0].head, "GET /api/v0/instances/12345/ ", 29) == 0);
                if (i == 0) {
                        assert_int_equal(sink.n, 1);
                        assert_int_equal(sink.state, GS_INST_RUNNING);
                        assert_string_equal(sink.host, "ssh.vast.ai");
                        assert_int_equal(sink.port, 20544);
                }
        }
        {
                struct gs_instance_sink sink = {0};
                struct gs_error err = {0};

                script(list, 1);
                assert_int_equal(f->ops->list_instances(f->inst, &sink, &err), 0);
                assert_int_equal(sink.n, 2);
                assert_true(strncmp(srv.reqs[0].head, "GET /api/v0/instances/ ", 23) == 0);
        }
        for (i = 0; i < 5; i++) {
                struct gs_error err = {0};

                script(&del[i], 1);
                assert_int_equal(f->ops->destroy_instance(f->inst, "12345", &err), del_want[i]);
                assert_true(strncmp(srv.reqs[0].head, "DELETE /api/v0/instances/12345/ ", 32) ==
                            0);
                assert_null(strcasestr(srv.reqs[0].head, "\r\nAccept:"));
        }
        {
                struct gs_error err = {0};

                assert_int_equal(f->ops->destroy_instance(f->inst, "12 34", &err), GS_E_INVAL);
        }
}

static void test_transport_failures(void **state)
{
        const struct canned hang = {0, NULL, "", 0};
        struct fixture *f = *state;
        struct gs_offer_sink sink = {0};
        struct gs_error err = {0};
        struct fixture g = {0};
        int closed;
        struct sockaddr_in a = {.sin_family = AF_INET};
        socklen_t alen = sizeof(a);

        /* The server accepts and never answers: the 2 s timeout fires. */
        script(&hang, 1);
        assert_int_equal(f->ops->list_offers(f->inst, NULL, &sink, &err), GS_E_TIMEOUT);
        assert_no_key(&err);

        /* Nobody listens: connect fails. */
        closed = socket(AF_INET, SOCK_STREAM, 0);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(bind(closed, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(getsockname(closed, (struct sockaddr *)&a, &alen), 0);
        close(closed);
        g.ops = f->ops;
        (void)snprintf(g.base, sizeof(g.base), "http://127.0.0.1:%u/api/v0",
                       ntohs(a.sin_port));
        set_cfg(&g, "2000", "65536");
        assert_int_equal(g.ops->init(&host_api, NULL, &g.cfg, &g.inst, &err), 0);
        assert_int_equal(g.ops->list_offers(g.inst, NULL, &sink, &err), GS_E_UPSTREAM);
        assert_no_key(&err);
        g.ops->shutdown(g.inst);
}

static void test_init_refusals(void **state)
{
        struct fixture *f = *state;
        struct fixture g = {0};
        struct gs_error err = {0};
        void *inst = (void *)&g;

        g.ops = f->ops;
        (void)snprintf(g.base, sizeof(g.base), "http://127.0.0.1:1/api/v0?x=1");
        set_cfg(&g, "2000", "65536");
        assert_int_equal(g.ops->init(&host_api, NULL, &g.cfg, &inst, &err), GS_E_CONFIG);
        assert_ptr_equal(inst, &g);
        (void)snprintf(g.base, sizeof(g.base), "http://127.0.0.1:1/api/v0");
        g.cfg.kv[0][1] = "key with\nnewline";
        assert_int_equal(g.ops->init(&host_api, NULL, &g.cfg, &inst, &err), GS_E_CONFIG);
        assert_ptr_equal(inst, &g);
        assert_null(strstr(err.msg, "newline"));
        f->ops->shutdown(NULL);
}

static int start_server(void **state)
{
        struct sockaddr_in a = {.sin_family = AF_INET};
        socklen_t alen = sizeof(a);

        (void)state;
        srv.reqs = calloc(REQS_MAX, sizeof(*srv.reqs));
        assert_non_null(srv.reqs);
        pthread_mutex_init(&srv.lock, NULL);
        srv.fd = socket(AF_INET, SOCK_STREAM, 0);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(bind(srv.fd, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(listen(srv.fd, 16), 0);
        assert_int_equal(getsockname(srv.fd, (struct sockaddr *)&a, &alen), 0);
        srv.port = ntohs(a.sin_port);
        assert_int_equal(pthread_create(&srv.thread, NULL, serve, NULL), 0);
        return 0;
}

static int stop_server(void **state)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(srv.port)};
        int c = socket(AF_INET, SOCK_STREAM, 0);

        (void)state;
        srv.stop = 1;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        (void)connect(c, (struct sockaddr *)&a, sizeof(a));
        close(c);
        pthread_join(srv.thread, NULL);
        close(srv.fd);
        pthread_mutex_destroy(&srv.lock);
        free(srv.reqs);
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_keys_table, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list_offers_request_and_records, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_status_mapping, setup, teardown),
                cmocka_unit_test_setup_teardown(test_create_sends_contract_body_and_keys, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_create_failures, setup, teardown),
                cmocka_unit_test_setup_teardown(test_get_list_destroy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transport_failures, setup, teardown),
                cmocka_unit_test_setup_teardown(test_init_refusals, setup, teardown),
        };

        return cmocka_run_group_tests(tests, start_server, stop_server);
}
