/*
 * server.h - the libmicrohttpd front end: listens, accumulates bodies up to a
 * limit, assigns request ids, routes, answers, writes one access-log line per
 * request and counts requests for /metrics.
 *
 * Started and stopped on the main thread; handlers run on MHD's pool threads.
 */
#ifndef GS_HTTP_SERVER_H
#define GS_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/router.h"

#define HTTP_MAX_URL_BYTES 8192
/* Only paths under this prefix are rate limited (health probes never are). */
#define HTTP_RATE_LIMITED_PREFIX "/api/"

struct http_server_options {
        const char *listen;        /* numeric IPv4 or IPv6 address */
        uint16_t port;             /* 0 = ephemeral */
        unsigned threads;
        size_t max_body_bytes;
        unsigned max_connections;
        unsigned connection_timeout_s;
        bool access_log;
        size_t max_header_bytes;   /* request line + headers; MHD answers 431 beyond */
        size_t max_query_bytes;    /* raw query string; 414 beyond */
        uint32_t rate_limit_per_s; /* per client address on /api/; 0 = off */
        uint32_t rate_limit_burst;
        const struct route *routes;
        size_t route_count;
        void *app;
        /* Called after routing, before the handler; false = res was filled. */
        bool (*authorize)(void *ctx, struct http_request *req, int access,
                          struct http_response *res);
        void *authorize_ctx;
};

struct http_server;

/* Start listening; on success *ret_server is set and the bound port is
 * available from http_server_port(). GS_E_IO with a logged reason otherwise. */
int http_server_start(const struct http_server_options *opts, struct http_server **ret_server);
uint16_t http_server_port(const struct http_server *srv);
/* Stop accepting, wait for handlers to return, free. NULL-safe. */
void http_server_stop(struct http_server *srv);

/* Request counters for /metrics: route index (route_count = unmatched) x status. */
struct http_counters_visit {
        void (*fn)(void *ctx, const char *method, const char *route, int status, uint64_t count,
                   uint64_t duration_us_sum);
        void *ctx;
};
void http_server_visit_counters(const struct http_server *srv, const struct http_counters_visit *v);

#endif /* GS_HTTP_SERVER_H */
