/*
 * td_http.h - the tensordock plugin's HTTP transport (the only user of libcurl).
 *
 * One handle per plugin instance. The plugin is not GS_PLUGIN_F_THREADSAFE,
 * so the core never runs two requests on one handle at once.
 *
 * Transport failures are written to err with a message built from the
 * caller's `what` ("list_offers: GET /locations"), never from the URL, which
 * may carry credentials.
 */
#ifndef TD_HTTP_H
#define TD_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <gpushop/plugin.h>

/* Longest URL built for a request. */
#define TD_URL_MAX 2048

struct td_http;

struct td_http_config {
        const char *api_token;       /* sent as "Authorization: Bearer" when asked */
        const char *const *secrets;  /* redacted from transport messages; NULL-terminated */
        int64_t connect_timeout_ms;
        int64_t max_response_bytes;
};

struct td_http_request {
        const char *method;   /* "GET", "POST" or "DELETE" */
        const char *url;      /* may carry credentials: never copied into a message */
        const char *what;     /* "<op>: <METHOD> <path>", used in messages */
        int bearer;           /* 1 = send the Authorization header */
        const char *body;     /* JSON for POST, else NULL */
        int64_t timeout_ms;
};

struct td_http_reply {
        long status;           /* HTTP status */
        char *body;            /* NUL-terminated; owned, released by td_http_reply_done */
        size_t len;
        int64_t retry_after_s; /* -1 when absent */
};

/* curl_global_init / curl_global_cleanup (reference-counted by libcurl). Main thread. */
int td_http_global_init(const struct gs_host_api *api, struct gs_error *err);
void td_http_global_done(void);

int td_http_new(const struct gs_host_api *api, struct gs_host *host,
                const struct td_http_config *cfg, struct td_http **ret_http,
                struct gs_error *err);
void td_http_free(struct td_http *http);

/*
 * Perform one request. 0 with *ret_reply filled whatever the HTTP status;
 * GS_E_TIMEOUT, GS_E_UPSTREAM (connection), GS_E_BADRESPONSE (body larger
 * than max_response_bytes) or GS_E_NOMEM with err filled.
 */
int td_http_do(struct td_http *http, const struct td_http_request *req,
               struct td_http_reply *ret_reply, struct gs_error *err);
void td_http_reply_done(struct td_http_reply *reply);

/* Percent-encode s into out (RFC 3986 unreserved kept); GS_E_TOOBIG when it does not fit. */
int td_http_escape(const char *s, char *out, size_t size);

#endif /* TD_HTTP_H */
