/*
 * router.h - method + path matching over a static route table. Patterns are
 * literal segments and ":name" parameters ("/api/v1/sessions/:id/done").
 * Pure and thread-safe; the table is read-only.
 */
#ifndef GS_HTTP_ROUTER_H
#define GS_HTTP_ROUTER_H

#include <stddef.h>

#include "http/request.h"

typedef void (*route_handler_fn)(struct http_request *req, struct http_response *res);

struct route {
        const char *method;  /* "GET", "POST", "DELETE" */
        const char *pattern; /* "/api/v1/sessions/:id" */
        route_handler_fn handler;
        int access; /* enum route_access (auth/auth.h); 0 = admin only */
};

enum router_result { ROUTER_MATCH = 0, ROUTER_NOT_FOUND = 1, ROUTER_BAD_METHOD = 2 };

/*
 * Find the route for method+path. On ROUTER_MATCH *ret_index is the route's
 * index and params are filled (pointers into `scratch`, a copy of the path
 * the caller provides with at least strlen(path)+1 bytes). On
 * ROUTER_BAD_METHOD `allow` receives the comma-separated methods the path
 * accepts. A path longer than scratch_len is ROUTER_NOT_FOUND.
 */
enum router_result router_match(const struct route *routes, size_t count, const char *method,
                                const char *path, char *scratch, size_t scratch_len,
                                size_t *ret_index, const char **params, size_t *ret_param_count,
                                char *allow, size_t allow_len);

#endif /* GS_HTTP_ROUTER_H */
