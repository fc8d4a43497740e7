/*
 * vastai_http.h - one libcurl easy handle per plugin instance: requests to
 * the Vast.ai API with the Bearer key, bounded bodies and Retry-After.
 * The only part of the plugin that knows libcurl.
 *
 * Threading: a struct vast_http is used by one thread at a time (the core
 * serialises calls into a plugin instance). vast_http_global_init() and
 * vast_http_global_cleanup() run on the main thread, paired.
 */
#ifndef VASTAI_HTTP_H
#define VASTAI_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "gpushop/plugin.h"

/* Sizes of the text we keep. */
#define VAST_URL_MAX 8192
#define VAST_HTTP_MSG_MAX 256

struct vast_http;

struct vast_http_config {
        const char *base_url; /* without trailing '/' */
        const char *api_key;  /* only ever placed in the Authorization header */
        int64_t timeout_ms;
        int64_t connect_timeout_ms;
        size_t max_response_bytes;
        /* Clock for HTTP-date Retry-After values. */
        const struct gs_host_api *api;
        struct gs_host *host;
};

struct vast_response {
        long status;            /* HTTP status */
        char *body;             /* NUL-terminated, owned; free with vast_response_done() */
        size_t len;
        int64_t retry_after_s;  /* Retry-After in seconds; -1 = none */
};

int vast_http_global_init(void);
void vast_http_global_cleanup(void);

/* 0 and a new handle in *ret_http, GS_E_NOMEM, or GS_E_CONFIG (message in msg). */
int vast_http_new(const struct vast_http_config *cfg, struct vast_http **ret_http, char *msg,
                  size_t msg_size);
/* NULL-safe; wipes the key. */
void vast_http_free(struct vast_http *h);

/*
 * One request: `method` "GET"/"PUT"/"POST"/"DELETE", `path` beginning with
 * '/', `q` (may be NULL) URL-encoded as ?q=..., `body` JSON or NULL.
 * Returns 0 when a response arrived (any HTTP status; *ret_resp filled), or
 * GS_E_TIMEOUT, GS_E_UPSTREAM (no response), GS_E_BADRESPONSE (body larger
 * than max_response_bytes), GS_E_NOMEM, with a sanitised message that never
 * contains the key or the query.
 */
int vast_http_request(struct vast_http *h, const char *method, const char *path, const char *q,
                      const char *body, struct vast_response *ret_resp, char *msg,
                      size_t msg_size);

/* Frees the body; NULL-safe; leaves the struct zeroed. */
void vast_response_done(struct vast_response *r);

#endif /* VASTAI_HTTP_H */
