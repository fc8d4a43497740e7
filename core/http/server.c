/* server.c - libmicrohttpd setup, body accumulation, dispatch and access log. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "http/ratelimit.h"
#include "http/reply.h"
#include "log.h"
#include "plugin/host_api.h"
#include "status.h"

#define STATUS_MIN 100
#define STATUS_SPAN 500 /* 100..599 */

struct http_server {
        struct MHD_Daemon *daemon;
        struct http_server_options opts;
        uint16_t port;
        /* [route_count + 1][STATUS_SPAN]: requests and summed microseconds. */
        uint64_t *counts;
        uint64_t *durations_us;
        struct ratelimit *limiter;
};

/* Per-connection request state, freed in request_completed(). */
struct request_state {
        char *raw_uri; /* as received, before MHD's unescaping */
        char *body;
        size_t len;
        size_t cap;
        bool too_large;
        bool seen; /* the first (headers-only) call has happened */
        int64_t started_us;
};

static int64_t now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *http_query(const struct http_request *req, const char *key)
{
        return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct query_check {
        const char *const *known;
        const char *bad;     /* first offending key */
        bool repeated;
        unsigned seen_mask;  /* bit i: known[i] already seen */
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
        struct query_check *c = cls;
        size_t i;

        (void)kind;
        (void)value;
        for (i = 0; c->known[i]; i++) {
                if (strcmp(key, c->known[i]) != 0)
                        continue;
                if (i < 32 && (c->seen_mask & (1u << i))) {
                        c->bad = key;
                        c->repeated = true;
                        return MHD_NO;
                }
                if (i < 32)
                        c->seen_mask |= 1u << i;
                return MHD_YES;
        }
        c->bad = key;
        return MHD_NO;
}

bool http_unknown_query(const struct http_request *req, const char *const *known,
                        struct http_response *res)
{
        struct query_check c = {.known = known};
        char list[256] = "";
        size_t used = 0;

        (void)MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, check_arg, &c);
        if (!c.bad)
                return false;
        if (c.repeated) {
                reply_error(res, req, 400, "invalid_parameter",
                            "query parameter '%.64s' given more than once", c.bad);
                return true;
        }
        for (size_t i = 0; known[i] && used < sizeof(list); i++) {
                int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                 known[i]);

                if (w < 0)
                        break;
                used += (size_t)w;
        }
        reply_error(res, req, 400, "invalid_parameter",
                    "unknown query parameter '%.64s' (known: %s)", c.bad, list);
        return true;
}

const char *http_header(const struct http_request *req, const char *name)
{
        return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static bool request_id_ok(const char *s)
{
        size_t n = 0;

        for (; s[n]; n++) {
                char c = s[n];

                if (n >= HTTP_REQUEST_ID_MAX - 1)
                        return false;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.'))
                        return false;
        }
        return n > 0;
}

static void make_request_id(struct http_request *req)
{
        static uint64_t seq;
        const char *given = http_header(req, "X-Request-ID");
        uint64_t n;

        if (given && request_id_ok(given)) {
                (void)snprintf(req->request_id, sizeof(req->request_id), "%s", given);
                return;
        }
        n = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
        (void)snprintf(req->request_id, sizeof(req->request_id), "req-%llx-%06llx",
                       (unsigned long long)host_now_ms(), (unsigned long long)n);
}

static void count(struct http_server *srv, size_t route, int status, int64_t dur_us)
{
        size_t idx;

        if (status < STATUS_MIN || status >= STATUS_MIN + STATUS_SPAN)
                status = 500;
        idx = route * STATUS_SPAN + (size_t)(status - STATUS_MIN);
        __atomic_add_fetch(&srv->counts[idx], 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&srv->durations_us[idx], (uint64_t)(dur_us > 0 ? dur_us : 0),
                           __ATOMIC_RELAXED);
}

/* MHD calls this first for every request, with the raw URI; its result
 * becomes the request's state. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
        struct request_state *st = calloc(1, sizeof(*st));

        (void)cls;
        (void)conn;
        if (!st)
                return NULL;
        st->started_us = now_us();
        st->raw_uri = strdup(uri ? uri : "");
        return st;
}

static bool hex_digit(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Reject malformed or NUL percent-escapes in the raw URI. */
static bool percent_encoding_ok(const char *s)
{
        for (; *s; s++) {
                if (*s != '%')
                        continue;
                if (!hex_digit(s[1]) || !hex_digit(s[2]) || (s[1] == '0' && s[2] == '0'))
                        return false;
                s += 2;
        }
        return true;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t len)
{
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = ci ? ci->client_addr : NULL;

        (void)snprintf(out, len, "unknown");
        if (sa && sa->sa_family == AF_INET)
                (void)inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                                (socklen_t)len);
        else if (sa && sa->sa_family == AF_INET6)
                (void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                                (socklen_t)len);
}

/* Checks that apply before routing; true when `res` was filled. */
static bool refuse_early(struct http_server *srv, struct http_request *req,
                         struct request_state *st, struct http_response *res)
{
        const char *raw = st->raw_uri ? st->raw_uri : "";
        const char *q = strchr(raw, '?');
        char client[RATELIMIT_KEY_MAX];
        int64_t retry = 1;

        if (strlen(raw) >= HTTP_MAX_URL_BYTES) {
                reply_error(res, req, 414, "uri_too_long", "request URI longer than %d bytes",
                            HTTP_MAX_URL_BYTES);
                return true;
        }
        if (q && strlen(q + 1) > srv->opts.max_query_bytes) {
                reply_error(res, req, 414, "uri_too_long", "query string longer than %zu bytes",
                            srv->opts.max_query_bytes);
                return true;
        }
        if (!percent_encoding_ok(raw)) {
                reply_error(res, req, 400, "bad_request",
                            "malformed percent-encoding in the request URI");
                return true;
        }
        if (strncmp(req->path, HTTP_RATE_LIMITED_PREFIX, strlen(HTTP_RATE_LIMITED_PREFIX)) == 0) {
                client_address(req->conn, client, sizeof(client));
                if (!ratelimit_take(srv->limiter, client, now_us() / 1000, &retry)) {
                        res->retry_after_s = retry;
                        reply_error(res, req, 429, "rate_limited",
                                    "too many requests from this client; retry in %lld s",
                                    (long long)retry);
                        return true;
                }
        }
        return false;
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct http_response *res,
                                     const char *request_id)
{
        struct MHD_Response *r;
        enum MHD_Result ret;
        char num[32];

        r = MHD_create_response_from_buffer(res->body_len, res->body, MHD_RESPMEM_MUST_FREE);
        if (!r) {
                free(res->body);
                res->body = NULL;
                return MHD_NO;
        }
        res->body = NULL; /* owned by MHD now */
        (void)MHD_add_response_header(r, "Content-Type",
                                      res->content_type ? res->content_type : "application/json");
        (void)MHD_add_response_header(r, "X-Request-ID", request_id);
        (void)MHD_add_response_header(r, "Cache-Control", "no-store");
        (void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        if (res->retry_after_s >= 0) {
                (void)snprintf(num, sizeof(num), "%lld", (long long)res->retry_after_s);
                (void)MHD_add_response_header(r, "Retry-After", num);
        }
        if (res->allow[0])
                (void)MHD_add_response_header(r, "Allow", res->allow);
        if (res->www_authenticate)
                (void)MHD_add_response_header(r, "WWW-Authenticate",
                                              "Bearer realm=\"gpu-shopper\"");
        ret = MHD_queue_response(conn, (unsigned)res->status, r);
        MHD_destroy_response(r);
        return ret;
}

/* "application/json", optionally followed by parameters ("; charset=utf-8"). */
static bool is_json_content_type(const char *v)
{
        static const char json[] = "application/json";
        size_t n = sizeof(json) - 1;

        if (!v || strncasecmp(v, json, n) != 0)
                return false;
        v += n;
        while (*v == ' ' || *v == '\t')
                v++;
        return *v == '\0' || *v == ';';
}

static void dispatch(struct http_server *srv, struct http_request *req, struct request_state *st,
                     struct http_response *res, size_t *ret_route)
{
        char scratch[HTTP_MAX_URL_BYTES];
        size_t route = srv->opts.route_count;
        enum router_result rr;

        if (st->too_large) {
                reply_error(res, req, 413, "payload_too_large",
                            "request body exceeds the limit of %zu bytes",
                            srv->opts.max_body_bytes);
                goto done;
        }
        rr = router_match(srv->opts.routes, srv->opts.route_count, req->method, req->path,
                          scratch, sizeof(scratch), &route, req->params, &req->param_count,
                          res->allow, sizeof(res->allow));
        if (rr == ROUTER_NOT_FOUND) {
                route = srv->opts.route_count;
                reply_error(res, req, 404, "not_found", "no route for %s %s", req->method,
                            req->path);
                goto done;
        }
        if (rr == ROUTER_BAD_METHOD) {
                route = srv->opts.route_count;
                reply_error(res, req, 405, "method_not_allowed",
                            "method %s not allowed on %s (allowed: %s)", req->method, req->path,
                            res->allow);
                goto done;
        }
        if (req->body_len > 0 && !is_json_content_type(http_header(req, "Content-Type"))) {
                reply_error(res, req, 415, "unsupported_media_type",
                            "request bodies must be JSON (Content-Type: application/json)");
                goto done;
        }
        if (srv->opts.authorize &&
            !srv->opts.authorize(srv->opts.authorize_ctx, req, srv->opts.routes[route].access,
                                 res))
                goto done;
        srv->opts.routes[route].handler(req, res);
        if (res->status == 0)
                reply_error(res, req, 500, "internal", "handler produced no response");
done:
        *ret_route = route;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
        struct http_server *srv = cls;
        struct request_state *st = *req_cls;
        struct http_request req;
        struct http_response res;
        size_t route = 0;
        enum MHD_Result ret;
        int64_t dur;

        (void)version;
        if (!st)
                return MHD_NO; /* out of memory in on_uri */
        if (!st->seen) {
                const char *cl;

                st->seen = true;
                cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
                if (cl && strtoull(cl, NULL, 10) > srv->opts.max_body_bytes)
                        st->too_large = true;
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                size_t n = *upload_data_size;

                if (!st->too_large && st->len + n > srv->opts.max_body_bytes)
                        st->too_large = true;
                if (!st->too_large) {
                        if (st->len + n + 1 > st->cap) {
                                size_t cap = (st->len + n + 1) * 2;
                                char *b;

                                if (cap > srv->opts.max_body_bytes + 1)
                                        cap = srv->opts.max_body_bytes + 1;
                                b = realloc(st->body, cap);
                                if (!b)
                                        return MHD_NO;
                                st->body = b;
                                st->cap = cap;
                        }
                        memcpy(st->body + st->len, upload_data, n);
                        st->len += n;
                        st->body[st->len] = '\0';
                }
                *upload_data_size = 0;
                return MHD_YES;
        }

        memset(&req, 0, sizeof(req));
        memset(&res, 0, sizeof(res));
        res.retry_after_s = -1;
        req.conn = conn;
        req.method = method;
        req.path = url;
        req.body = st->body ? st->body : "";
        req.body_len = st->len;
        req.app = srv->opts.app;
        req.server = srv;
        make_request_id(&req);
        if (refuse_early(srv, &req, st, &res)) {
                route = srv->opts.route_count;
        } else {
                dispatch(srv, &req, st, &res, &route);
        }
        dur = now_us() - st->started_us;
        count(srv, route, res.status, dur);
        if (srv->opts.access_log)
                LOG_INFO("http", "%s %s %d %lld.%03lldms id=%s", method,
                         route < srv->opts.route_count ? srv->opts.routes[route].pattern : url,
                         res.status, (long long)(dur / 1000), (long long)(dur % 1000),
                         req.request_id);
        ret = send_response(conn, &res, req.request_id);
        return ret;
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
        struct request_state *st = *req_cls;

        (void)cls;
        (void)conn;
        (void)toe;
        if (st) {
                free(st->raw_uri);
                free(st->body);
                free(st);
                *req_cls = NULL;
        }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
        char line[512];
        size_t n;

        (void)cls;
        (void)vsnprintf(line, sizeof(line), fmt, ap);
        n = strlen(line);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
        LOG_WARN("http", "%s", line);
}

int http_server_start(const struct http_server_options *opts, struct http_server **ret_server)
{
        struct http_server *srv = NULL;
        struct sockaddr_storage ss;
        const union MHD_DaemonInfo *info;
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
        size_t slots;
        int r = GS_E_IO;

        memset(&ss, 0, sizeof(ss));
        if (inet_pton(AF_INET, opts->listen, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
                ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
                ((struct sockaddr_in *)&ss)->sin_port = htons(opts->port);
        } else if (inet_pton(AF_INET6, opts->listen, &((struct sockaddr_in6 *)&ss)->sin6_addr) ==
                   1) {
                ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
                ((struct sockaddr_in6 *)&ss)->sin6_port = htons(opts->port);
                flags |= MHD_USE_IPv6;
        } else {
                LOG_ERR("http", "listen address '%s' is not a numeric IPv4 or IPv6 address",
                        opts->listen);
                return GS_E_CONFIG;
        }
        srv = calloc(1, sizeof(*srv));
        if (!srv)
                return GS_E_NOMEM;
        srv->opts = *opts;
        slots = (opts->route_count + 1) * STATUS_SPAN;
        srv->counts = calloc(slots, sizeof(uint64_t));
        srv->durations_us = calloc(slots, sizeof(uint64_t));
        srv->limiter = ratelimit_new(opts->rate_limit_per_s, opts->rate_limit_burst);
        if (!srv->counts || !srv->durations_us || !srv->limiter) {
                r = GS_E_NOMEM;
                goto fail;
        }
        srv->daemon = MHD_start_daemon(
                flags, opts->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
                mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &ss,
                MHD_OPTION_THREAD_POOL_SIZE, (unsigned)opts->threads,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned)opts->max_connections,
                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)opts->connection_timeout_s,
                MHD_OPTION_CONNECTION_MEMORY_LIMIT, opts->max_header_bytes,
                MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                MHD_OPTION_NOTIFY_COMPLETED, request_completed, srv, MHD_OPTION_END);
        if (!srv->daemon) {
                LOG_ERR("http", "cannot listen on %s:%u (address in use or not available)",
                        opts->listen, (unsigned)opts->port);
                goto fail;
        }
        info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
        srv->port = info ? info->port : opts->port;
        *ret_server = srv;
        return 0;
fail:
        http_server_stop(srv);
        return r;
}

uint16_t http_server_port(const struct http_server *srv)
{
        return srv->port;
}

void http_server_stop(struct http_server *srv)
{
        if (!srv)
                return;
        if (srv->daemon)
                MHD_stop_daemon(srv->daemon);
        free(srv->counts);
        free(srv->durations_us);
        ratelimit_free(srv->limiter);
        free(srv);
}

void http_server_visit_counters(const struct http_server *srv, const struct http_counters_visit *v)
{
        for (size_t route = 0; route <= srv->opts.route_count; route++) {
                for (int s = 0; s < STATUS_SPAN; s++) {
                        size_t idx = route * STATUS_SPAN + (size_t)s;
                        uint64_t n = __atomic_load_n(&srv->counts[idx], __ATOMIC_RELAXED);

                        if (!n)
                                continue;
                        v->fn(v->ctx,
                              route < srv->opts.route_count ? srv->opts.routes[route].method : "",
                              route < srv->opts.route_count ? srv->opts.routes[route].pattern
                                                            : "unmatched",
                              s + STATUS_MIN, n,
                              __atomic_load_n(&srv->durations_us[idx], __ATOMIC_RELAXED));
                }
        }
}
