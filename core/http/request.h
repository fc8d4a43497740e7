/*
 * request.h - one HTTP exchange as handlers see it: the parsed request
 * (borrowed from the server for the duration of the handler) and the
 * response the handler fills. Handlers run on MHD pool threads.
 */
#ifndef GS_HTTP_REQUEST_H
#define GS_HTTP_REQUEST_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/principal.h"

#define HTTP_MAX_PATH_PARAMS 4
#define HTTP_REQUEST_ID_MAX 64
#define HTTP_MAX_ALLOW 64

struct MHD_Connection;
struct http_server;

struct http_request {
        struct MHD_Connection *conn;
        const char *method;
        const char *path;
        const char *body; /* NUL-terminated copy of the body; "" when none */
        size_t body_len;
        const char *params[HTTP_MAX_PATH_PARAMS]; /* ":id" segments, in order */
        size_t param_count;
        char request_id[HTTP_REQUEST_ID_MAX];
        void *app; /* the application the server was started for */
        const struct http_server *server;
        struct principal principal; /* filled by the server's authorize hook */
};

struct http_response {
        int status;
        char *body; /* malloc'd, owned by the response */
        size_t body_len;
        const char *content_type;
        int64_t retry_after_s; /* -1 = no Retry-After header */
        char allow[HTTP_MAX_ALLOW]; /* Allow header for 405, "" = none */
        bool www_authenticate;      /* add a Bearer challenge (401) */
};

/* Query-string value (decoded by MHD) or NULL. */
const char *http_query(const struct http_request *req, const char *key);
/* When a query parameter is not in `known` (NULL-terminated) or appears
 * twice, fill `res` with a 400 naming it and return true. */
bool http_unknown_query(const struct http_request *req, const char *const *known,
                        struct http_response *res);
/* Request header or NULL. */
const char *http_header(const struct http_request *req, const char *name);

#endif /* GS_HTTP_REQUEST_H */
