/* client.c - libcurl requests from the CLI to the daemon. */
#include "client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct body_buf {
        char *data;
        size_t len;
        size_t cap;
        int too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
        struct body_buf *b = ud;
        size_t n = size * nmemb;

        if (b->len + n > CLIENT_MAX_RESPONSE) {
                b->too_big = 1;
                return 0;
        }
        if (b->len + n + 1 > b->cap) {
                size_t cap = (b->len + n + 1) * 2;
                char *d = realloc(b->data, cap);

                if (!d)
                        return 0;
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, ptr, n);
        b->len += n;
        b->data[b->len] = '\0';
        return n;
}

#define AUTH_HEADER_MAX 256

static const char *bearer_token;

void client_set_token(const char *token)
{
        bearer_token = token && token[0] ? token : NULL;
}

int client_request(const char *base_url, const char *method, const char *path,
                   const char *json_body, struct client_response *ret)
{
        return client_request_with_headers(base_url, method, path, json_body, NULL, ret);
}

int client_request_with_headers(const char *base_url, const char *method, const char *path,
                                const char *json_body, const char *const *headers,
                                struct client_response *ret)
{
        struct body_buf b = {0};
        struct curl_slist *hdrs = NULL;
        char url[4096];
        size_t blen = strlen(base_url);
        CURL *c;
        CURLcode cc;
        int rc = -1;

        memset(ret, 0, sizeof(*ret));
        while (blen > 0 && base_url[blen - 1] == '/')
                blen--;
        if ((size_t)snprintf(url, sizeof(url), "%.*s%s", (int)blen, base_url, path) >=
            sizeof(url)) {
                (void)snprintf(ret->error, sizeof(ret->error), "URL too long");
                return -1;
        }
        c = curl_easy_init();
        if (!c) {
                (void)snprintf(ret->error, sizeof(ret->error), "cannot initialise libcurl");
                return -1;
        }
        hdrs = curl_slist_append(hdrs, "Accept: application/json");
        if (json_body)
                hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        for (size_t i = 0; headers && headers[i]; i++)
                hdrs = curl_slist_append(hdrs, headers[i]);
        if (bearer_token) {
                char auth[AUTH_HEADER_MAX];

                if ((size_t)snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
                                     bearer_token) < sizeof(auth))
                        hdrs = curl_slist_append(hdrs, auth); /* curl copies it */
                memset(auth, 0, sizeof(auth));
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, CLIENT_TIMEOUT_MS);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CLIENT_CONNECT_TIMEOUT_MS);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        if (json_body)
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
        else if (strcmp(method, "POST") == 0)
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        cc = curl_easy_perform(c);
        if (cc != CURLE_OK) {
                (void)snprintf(ret->error, sizeof(ret->error), "%s",
                               b.too_big ? "response too large" : curl_easy_strerror(cc));
                free(b.data);
                goto done;
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
        ret->body = b.data ? b.data : strdup("");
        ret->len = b.len;
        rc = 0;
done:
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(c);
        return rc;
}

void client_response_done(struct client_response *r)
{
        free(r->body);
        memset(r, 0, sizeof(*r));
}

json_t *client_json(const struct client_response *r)
{
        if (!r->body)
                return NULL;
        return json_loadb(r->body, r->len, 0, NULL);
}
