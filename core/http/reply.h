/*
 * reply.h - building JSON responses and JSON errors
 * {"error": "...", "error_type": "...", "request_id": "..."}. Every error
 * response of the API goes through reply_error(). Thread-safe.
 */
#ifndef GS_HTTP_REPLY_H
#define GS_HTTP_REPLY_H

#include <jansson.h>

#include "gpushop/plugin.h"
#include "http/request.h"

/* Take ownership of `body` (decref'd here, even on failure) and serialise it. */
void reply_json_take(struct http_response *res, int status, json_t *body);
/* A JSON document the caller rendered itself (malloc'd, taken even on
 * failure; no '<', '>' or '&' outside strings). NULL body (the caller ran
 * out of memory) -> a 500 JSON error instead. */
void reply_json_body(struct http_response *res, const struct http_request *req, int status,
                     char *body, size_t len);
/* Plain text (for /metrics); copies `text`. */
void reply_text(struct http_response *res, int status, const char *content_type,
                const char *text, size_t len);
/* JSON error; the message is formatted, then JSON-escaped by jansson. */
void reply_error(struct http_response *res, const struct http_request *req, int status,
                 const char *error_type, const char *fmt, ...) GS_PRINTF(5, 6);

#endif /* GS_HTTP_REPLY_H */
