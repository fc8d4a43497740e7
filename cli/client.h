/*
 * client.h - the CLI's HTTP client for the gpu-shopper API (libcurl).
 * One call = one request; not thread-safe (the CLI is single-threaded).
 */
#ifndef GS_CLI_CLIENT_H
#define GS_CLI_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#define CLIENT_MAX_RESPONSE (64u * 1024u * 1024u)
#define CLIENT_TIMEOUT_MS 60000L
#define CLIENT_CONNECT_TIMEOUT_MS 5000L

struct client_response {
        long status;   /* HTTP status; 0 when the server could not be reached */
        char *body;    /* NUL-terminated, malloc'd */
        size_t len;
        char error[256]; /* transport error when status == 0 */
};

/* method "GET"/"POST"/"DELETE"; path starting with '/'; body may be NULL.
 * Returns 0 when an HTTP response arrived (any status), -1 otherwise. */
/* Send `Authorization: Bearer <token>` with every later request (NULL or ""
 * = none). The string must outlive the requests. */
void client_set_token(const char *token);

int client_request(const char *base_url, const char *method, const char *path,
                   const char *json_body, struct client_response *ret);
/* As client_request, plus extra request headers: a NULL-terminated list of
 * "Name: value" strings, or NULL. */
int client_request_with_headers(const char *base_url, const char *method, const char *path,
                                const char *json_body, const char *const *headers,
                                struct client_response *ret);
void client_response_done(struct client_response *r);

/* Parse the response body as JSON (NULL on failure). */
json_t *client_json(const struct client_response *r);

#endif /* GS_CLI_CLIENT_H */
