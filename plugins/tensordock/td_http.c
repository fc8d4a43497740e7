/*
 * td_http.c - the tensordock plugin's HTTP transport (the only user of libcurl).
 */
#include "td_http.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* Longest Retry-After value kept from the response headers. */
#define RETRY_AFTER_TEXT_MAX 64
/* Retry-After values are capped at this many seconds. */
#define RETRY_AFTER_MAX_S 86400
/* Longest "Authorization: Bearer <token>" header built. */
#define AUTH_HEADER_MAX (GS_STRING_MAX + 32)
/* First allocation of a response body. */
#define BODY_INITIAL_CAP 4096

#define USER_AGENT "gpu-shopper-tensordock/1.0"

struct td_http {
        const struct gs_host_api *api;
        struct gs_host *host;
        CURL *curl;
        struct curl_slist *hdr_plain;     /* Accept */
        struct curl_slist *hdr_auth;      /* Accept, Authorization */
        struct curl_slist *hdr_auth_json; /* Accept, Authorization, Content-Type */
        const char *const *secrets;
        int64_t connect_timeout_ms;
        int64_t max_response_bytes;
        char errbuf[CURL_ERROR_SIZE];
};

/* State of one transfer, shared with the curl callbacks. */
struct xfer {
        char *body;
        size_t len, cap, max;
        bool too_big;
        bool nomem;
        char retry_after[RETRY_AFTER_TEXT_MAX];
};

int td_http_global_init(const struct gs_host_api *api, struct gs_error *err)
{
        CURLcode rc = curl_global_init(CURL_GLOBAL_ALL);

        if (rc != CURLE_OK)
                return api->error_set(err, GS_E_UPSTREAM, 0, "curl_global_init: %s",
                                      curl_easy_strerror(rc));
        return 0;
}

void td_http_global_done(void)
{
        curl_global_cleanup();
}

/* Overwrite header strings (they may hold the token) before freeing them. */
static void slist_wipe_free(struct curl_slist *list)
{
        struct curl_slist *l;

        for (l = list; l; l = l->next)
                if (l->data)
                        explicit_bzero(l->data, strlen(l->data));
        curl_slist_free_all(list);
}

static struct curl_slist *slist_add(struct curl_slist *list, const char *line, bool *ok)
{
        struct curl_slist *grown;

        if (!*ok)
                return list;
        grown = curl_slist_append(list, line);
        if (!grown) {
                *ok = false;
                return list;
        }
        return grown;
}

void td_http_free(struct td_http *http)
{
        if (!http)
                return;
        if (http->curl)
                curl_easy_cleanup(http->curl);
        slist_wipe_free(http->hdr_plain);
        slist_wipe_free(http->hdr_auth);
        slist_wipe_free(http->hdr_auth_json);
        free(http);
}

int td_http_new(const struct gs_host_api *api, struct gs_host *host,
                const struct td_http_config *cfg, struct td_http **ret_http,
                struct gs_error *err)
{
        char auth[AUTH_HEADER_MAX];
        struct td_http *h;
        bool ok = true;
        int n, r;

        h = calloc(1, sizeof(*h));
        if (!h)
                return api->error_set(err, GS_E_NOMEM, 0, "out of memory");
        h->api = api;
        h->host = host;
        h->secrets = cfg->secrets;
        h->connect_timeout_ms = cfg->connect_timeout_ms;
        h->max_response_bytes = cfg->max_response_bytes;
        h->curl = curl_easy_init();
        if (!h->curl) {
                r = api->error_set(err, GS_E_NOMEM, 0, "curl_easy_init failed");
                goto fail;
        }
        n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s", cfg->api_token);
        if (n < 0 || (size_t)n >= sizeof(auth)) {
                r = api->error_set(err, GS_E_CONFIG, 0, "api_token is too long");
                goto fail;
        }
        h->hdr_plain = slist_add(h->hdr_plain, "Accept: application/json", &ok);
        h->hdr_auth = slist_add(h->hdr_auth, "Accept: application/json", &ok);
        h->hdr_auth = slist_add(h->hdr_auth, auth, &ok);
        h->hdr_auth_json = slist_add(h->hdr_auth_json, "Accept: application/json", &ok);
        h->hdr_auth_json = slist_add(h->hdr_auth_json, auth, &ok);
        h->hdr_auth_json = slist_add(h->hdr_auth_json, "Content-Type: application/json", &ok);
        explicit_bzero(auth, sizeof(auth));
        if (!ok) {
                r = api->error_set(err, GS_E_NOMEM, 0, "out of memory");
                goto fail;
        }
        *ret_http = h;
        return 0;
fail:
        explicit_bzero(auth, sizeof(auth));
        td_http_free(h);
        return r;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct xfer *x = userdata;
        size_t n = size * nmemb;
        size_t cap;
        char *grown;

        if (n > x->max - x->len) {
                x->too_big = true;
                return 0;
        }
        if (x->len + n + 1 > x->cap) {
                cap = x->cap ? x->cap : BODY_INITIAL_CAP;
                while (cap < x->len + n + 1)
                        cap *= 2;
                grown = realloc(x->body, cap);
                if (!grown) {
                        x->nomem = true;
                        return 0;
                }
                x->body = grown;
                x->cap = cap;
        }
        memcpy(x->body + x->len, data, n);
        x->len += n;
        x->body[x->len] = '\0';
        return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
        static const char name[] = "retry-after:";
        struct xfer *x = userdata;
        size_t n = size * nmemb;
        size_t start = sizeof(name) - 1, end;

        /* A new status line (redirect, 100 Continue) starts a new header block. */
        if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
                x->retry_after[0] = '\0';
        if (n <= start || strncasecmp(data, name, start) != 0)
                return n;
        while (start < n && (data[start] == ' ' || data[start] == '\t'))
                start++;
        end = n;
        while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n' ||
                               data[end - 1] == ' ' || data[end - 1] == '\t'))
                end--;
        if (end - start < sizeof(x->retry_after)) {
                memcpy(x->retry_after, data + start, end - start);
                x->retry_after[end - start] = '\0';
        }
        return n;
}

/* Seconds from a Retry-After value (delta-seconds or HTTP-date); -1 when unusable. */
static int64_t retry_after_seconds(struct td_http *h, const char *v)
{
        int64_t secs;
        time_t when;
        char *end;

        if (v[0] == '\0')
                return -1;
        if (v[0] >= '0' && v[0] <= '9') {
                secs = strtoll(v, &end, 10);
                if (*end != '\0')
                        return -1;
        } else {
                when = curl_getdate(v, NULL);
                if (when < 0)
                        return -1;
                secs = (int64_t)when - h->api->now_ms(h->host) / 1000;
        }
        if (secs < 0)
                secs = 0;
        if (secs > RETRY_AFTER_MAX_S)
                secs = RETRY_AFTER_MAX_S;
        return secs;
}

/* curl's error detail, unless it could carry a credential. */
static const char *safe_detail(const struct td_http *h)
{
        const char *const *s;

        if (h->errbuf[0] == '\0' || strstr(h->errbuf, "api_key") ||
            strstr(h->errbuf, "api_token") || strstr(h->errbuf, "Bearer"))
                return "";
        for (s = h->secrets; s && *s; s++)
                if ((*s)[0] != '\0' && strstr(h->errbuf, *s))
                        return "";
        return h->errbuf;
}

static int transport_error(struct td_http *h, const struct td_http_request *req,
                           const struct xfer *x, CURLcode rc, struct gs_error *err)
{
        const char *detail;

        if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED)
                return h->api->error_set(err, GS_E_BADRESPONSE, 0,
                                         "%s: response larger than %lld bytes", req->what,
                                         (long long)h->max_response_bytes);
        if (x->nomem || rc == CURLE_OUT_OF_MEMORY)
                return h->api->error_set(err, GS_E_NOMEM, 0, "%s: out of memory", req->what);
        if (rc == CURLE_OPERATION_TIMEDOUT)
                return h->api->error_set(err, GS_E_TIMEOUT, 0, "%s: timed out after %lld ms",
                                         req->what, (long long)req->timeout_ms);
        detail = safe_detail(h);
        return h->api->error_set(err, GS_E_UPSTREAM, 0, "%s: %s%s%s", req->what,
                                 curl_easy_strerror(rc), detail[0] ? ": " : "", detail);
}

static CURLcode setup(struct td_http *h, const struct td_http_request *req, struct xfer *x)
{
        struct curl_slist *hdrs = h->hdr_plain;
        CURL *c = h->curl;
        CURLcode rc = CURLE_OK;

        if (req->bearer)
                hdrs = req->body ? h->hdr_auth_json : h->hdr_auth;
        curl_easy_reset(c);
        h->errbuf[0] = '\0';
        rc |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        rc |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
        rc |= curl_easy_setopt(c, CURLOPT_URL, req->url);
        rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        rc |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        rc |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->connect_timeout_ms);
        rc |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
        rc |= curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
        rc |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        rc |= curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
        rc |= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                               (curl_off_t)h->max_response_bytes);
        rc |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        rc |= curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
        rc |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        rc |= curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
        if (strcmp(req->method, "GET") == 0) {
                rc |= curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        } else if (strcmp(req->method, "POST") == 0) {
                rc |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
                rc |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                                       (curl_off_t)(req->body ? strlen(req->body) : 0));
        } else {
                rc |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
        }
        return rc;
}

int td_http_do(struct td_http *http, const struct td_http_request *req,
               struct td_http_reply *ret_reply, struct gs_error *err)
{
        struct xfer x = {0};
        long status = 0;
        CURLcode rc;
        int r;

        x.max = (size_t)http->max_response_bytes;
        if (setup(http, req, &x) != CURLE_OK) {
                r = http->api->error_set(err, GS_E_UPSTREAM, 0, "%s: cannot set up request",
                                         req->what);
                goto fail;
        }
        rc = curl_easy_perform(http->curl);
        if (rc != CURLE_OK) {
                r = transport_error(http, req, &x, rc, err);
                goto fail;
        }
        (void)curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &status);
        if (!x.body) {
                x.body = calloc(1, 1);
                if (!x.body) {
                        r = http->api->error_set(err, GS_E_NOMEM, 0, "out of memory");
                        goto fail;
                }
        }
        ret_reply->status = status;
        ret_reply->body = x.body;
        ret_reply->len = x.len;
        ret_reply->retry_after_s = retry_after_seconds(http, x.retry_after);
        return 0;
fail:
        free(x.body);
        return r;
}

void td_http_reply_done(struct td_http_reply *reply)
{
        if (!reply)
                return;
        free(reply->body);
        reply->body = NULL;
        reply->len = 0;
}

int td_http_escape(const char *s, char *out, size_t size)
{
        static const char hex[] = "0123456789ABCDEF";
        size_t o = 0;

        for (; *s != '\0'; s++) {
                unsigned char c = (unsigned char)*s;
                bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                             c == '~';

                if (o + (plain ? 1 : 3) >= size)
                        return GS_E_TOOBIG;
                if (plain) {
                        out[o++] = (char)c;
                } else {
                        out[o++] = '%';
                        out[o++] = hex[c >> 4];
                        out[o++] = hex[c & 0xf];
                }
        }
        if (o >= size)
                return GS_E_TOOBIG;
        out[o] = '\0';
        return 0;
}
