/*
 * vastai_http.c - libcurl transport for the Vast.ai plugin (see vastai_http.h).
 */
#include "vastai_http.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vastai_parse.h"

#define VAST_USER_AGENT "gpu-shopper-vastai/1"
/* First allocation for a response body; it doubles up to the cap. */
#define VAST_BODY_INITIAL 16384
/* A Retry-After header line we look at, and the longest wait we believe. */
#define VAST_HEADER_LINE_MAX 256
#define VAST_RETRY_AFTER_MAX_S 86400
#define VAST_RETRY_AFTER_DIGITS_MAX 9
#define MS_PER_S 1000

struct vast_http {
        CURL *curl;
        char *base_url;
        char *auth_header; /* "Authorization: Bearer <key>": the key lives only here */
        int64_t timeout_ms;
        int64_t connect_timeout_ms;
        size_t max_bytes;
        const struct gs_host_api *api;
        struct gs_host *host;
        char errbuf[CURL_ERROR_SIZE];
};

struct body_buf {
        char *data;
        size_t len, cap, max;
        bool oversized;
};

struct header_state {
        int64_t retry_after_s;
        int64_t now_s;
};

int vast_http_global_init(void)
{
        return curl_global_init(CURL_GLOBAL_ALL) == CURLE_OK ? 0 : GS_E_NOMEM;
}

void vast_http_global_cleanup(void)
{
        curl_global_cleanup();
}

static void wipe_free(char *s)
{
        if (s) {
                explicit_bzero(s, strlen(s));
                free(s);
        }
}

static void wipe_slist(struct curl_slist *l)
{
        struct curl_slist *n;

        for (n = l; n; n = n->next)
                if (n->data)
                        explicit_bzero(n->data, strlen(n->data));
        curl_slist_free_all(l);
}

void vast_http_free(struct vast_http *h)
{
        if (!h)
                return;
        if (h->curl)
                curl_easy_cleanup(h->curl);
        wipe_free(h->auth_header);
        free(h->base_url);
        free(h);
}

int vast_http_new(const struct vast_http_config *cfg, struct vast_http **ret_http, char *msg,
                  size_t msg_size)
{
        static const char prefix[] = "Authorization: Bearer ";
        struct vast_http *h = NULL;
        size_t klen;
        int r = GS_E_NOMEM;

        if (!cfg || !ret_http || !cfg->base_url || !cfg->api_key || !cfg->api) {
                r = GS_E_INVAL;
                goto fail;
        }
        h = calloc(1, sizeof(*h));
        if (!h)
                goto fail;
        h->base_url = strdup(cfg->base_url);
        klen = strlen(cfg->api_key);
        h->auth_header = malloc(sizeof(prefix) + klen);
        h->curl = curl_easy_init();
        if (!h->base_url || !h->auth_header || !h->curl)
                goto fail;
        memcpy(h->auth_header, prefix, sizeof(prefix) - 1);
        memcpy(h->auth_header + sizeof(prefix) - 1, cfg->api_key, klen + 1);
        h->timeout_ms = cfg->timeout_ms;
        h->connect_timeout_ms = cfg->connect_timeout_ms;
        h->max_bytes = cfg->max_response_bytes;
        h->api = cfg->api;
        h->host = cfg->host;
        *ret_http = h;
        return 0;
fail:
        if (msg && msg_size)
                (void)snprintf(msg, msg_size, "%s",
                               r == GS_E_NOMEM ? "out of memory" : "invalid HTTP settings");
        vast_http_free(h);
        return r;
}

void vast_response_done(struct vast_response *r)
{
        if (!r)
                return;
        free(r->body);
        *r = (struct vast_response){.retry_after_s = -1};
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct body_buf *b = userdata;
        size_t n = size * nmemb;

        if (n > b->max - b->len) {
                b->oversized = true;
                return 0; /* CURLE_WRITE_ERROR */
        }
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : VAST_BODY_INITIAL;
                char *p;

                while (cap < b->len + n + 1)
                        cap *= 2;
                if (cap > b->max + 1)
                        cap = b->max + 1;
                p = realloc(b->data, cap);
                if (!p)
                        return 0;
                b->data = p;
                b->cap = cap;
        }
        memcpy(b->data + b->len, ptr, n);
        b->len += n;
        b->data[b->len] = '\0';
        return n;
}

/* Retry-After: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
static void parse_retry_after(const char *v, struct header_state *hs)
{
        size_t nd = strspn(v, "0123456789");

        if (nd > 0 && v[nd] == '\0') {
                hs->retry_after_s = nd > VAST_RETRY_AFTER_DIGITS_MAX ? VAST_RETRY_AFTER_MAX_S
                                                                    : strtoll(v, NULL, 10);
        } else {
                time_t t = curl_getdate(v, NULL);

                if (t < 0)
                        return;
                hs->retry_after_s = (int64_t)t > hs->now_s ? (int64_t)t - hs->now_s : 0;
        }
        if (hs->retry_after_s > VAST_RETRY_AFTER_MAX_S)
                hs->retry_after_s = VAST_RETRY_AFTER_MAX_S;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        static const char name[] = "retry-after:";
        struct header_state *hs = userdata;
        size_t n = size * nmemb;
        char line[VAST_HEADER_LINE_MAX];
        size_t len, start = sizeof(name) - 1;

        /* A new status line starts a new response (e.g. after 100 Continue). */
        if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
                hs->retry_after_s = -1;
                return n;
        }
        if (n <= start || n >= sizeof(line) || strncasecmp(ptr, name, start) != 0)
                return n;
        memcpy(line, ptr, n);
        len = n;
        while (len > start && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
                               line[len - 1] == ' ' || line[len - 1] == '\t'))
                len--;
        line[len] = '\0';
        while (line[start] == ' ' || line[start] == '\t')
                start++;
        parse_retry_after(line + start, hs);
        return n;
}

static int build_url(struct vast_http *h, const char *path, const char *q, char **ret_url)
{
        char *esc = NULL, *url;
        size_t len;
        int r = GS_E_NOMEM;

        if (q) {
                esc = curl_easy_escape(h->curl, q, 0);
                if (!esc)
                        return GS_E_NOMEM;
        }
        len = strlen(h->base_url) + strlen(path) + (esc ? strlen(esc) + 3 : 0) + 1;
        if (len > VAST_URL_MAX) {
                r = GS_E_INVAL;
                goto done;
        }
        url = malloc(len);
        if (!url)
                goto done;
        (void)snprintf(url, len, "%s%s%s%s", h->base_url, path, esc ? "?q=" : "", esc ? esc : "");
        *ret_url = url;
        r = 0;
done:
        curl_free(esc);
        return r;
}

static int map_curl_error(struct vast_http *h, CURLcode c, const struct body_buf *b,
                          const char *method, const char *path, char *msg, size_t msg_size)
{
        char text[CURL_ERROR_SIZE];
        const char *why = h->errbuf[0] ? h->errbuf : curl_easy_strerror(c);
        int r;

        vast_sanitize(why, strlen(why), VAST_PROVIDER_TEXT_MAX, text, sizeof(text));
        if (b->oversized || c == CURLE_FILESIZE_EXCEEDED) {
                (void)snprintf(msg, msg_size, "%s %s: response larger than %zu bytes", method, path,
                               h->max_bytes);
                return GS_E_BADRESPONSE;
        }
        switch (c) {
        case CURLE_OPERATION_TIMEDOUT:
                r = GS_E_TIMEOUT;
                break;
        case CURLE_OUT_OF_MEMORY:
                r = GS_E_NOMEM;
                break;
        case CURLE_BAD_CONTENT_ENCODING:
                r = GS_E_BADRESPONSE;
                break;
        case CURLE_WRITE_ERROR:
                /* Only our body callback fails writes: realloc failed. */
                r = GS_E_NOMEM;
                break;
        default:
                r = GS_E_UPSTREAM;
                break;
        }
        (void)snprintf(msg, msg_size, "%s %s: %s", method, path, text);
        return r;
}

int vast_http_request(struct vast_http *h, const char *method, const char *path, const char *q,
                      const char *body, struct vast_response *ret_resp, char *msg,
                      size_t msg_size)
{
        struct body_buf b = {0};
        struct header_state hs = {.retry_after_s = -1};
        struct curl_slist *hdrs = NULL, *tmp;
        char *url = NULL;
        CURLcode c = CURLE_OK;
        long status = 0;
        int r;

        if (!h || !method || !path || path[0] != '/' || !ret_resp) {
                r = GS_E_INVAL;
                (void)snprintf(msg, msg_size, "invalid request");
                goto done;
        }
        r = build_url(h, path, q, &url);
        if (r < 0) {
                (void)snprintf(msg, msg_size, "%s %s: cannot build the URL", method, path);
                goto done;
        }
        b.max = h->max_bytes;
        hs.now_s = h->api->now_ms(h->host) / MS_PER_S;
        h->errbuf[0] = '\0';

        r = GS_E_NOMEM;
        hdrs = curl_slist_append(NULL, h->auth_header);
        if (!hdrs)
                goto nomem;
        /* Vast's DELETE carries neither a body nor Accept ("Accept:" makes
         * curl drop its default one). */
        tmp = curl_slist_append(hdrs, strcmp(method, "DELETE") == 0 ? "Accept:"
                                                                    : "Accept: application/json");
        if (!tmp)
                goto nomem;
        hdrs = tmp;
        if (body) {
                tmp = curl_slist_append(hdrs, "Content-Type: application/json");
                if (!tmp)
                        goto nomem;
                hdrs = tmp;
        }
        tmp = curl_slist_append(hdrs, "Expect:");
        if (!tmp)
                goto nomem;
        hdrs = tmp;

        curl_easy_reset(h->curl);
        c = curl_easy_setopt(h->curl, CURLOPT_URL, url);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS,
                                     (long)h->connect_timeout_ms);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
        /* Never follow redirects: the Authorization header must not travel. */
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_USERAGENT, VAST_USER_AGENT);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_ACCEPT_ENCODING, "");
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_MAXFILESIZE_LARGE,
                                     (curl_off_t)h->max_bytes);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &b);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
        if (c == CURLE_OK)
                c = curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &hs);
        if (c == CURLE_OK && strcmp(method, "GET") != 0)
                c = curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
        if (c == CURLE_OK && body)
                c = curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
        if (c == CURLE_OK && body)
                c = curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
                                     (curl_off_t)strlen(body));
        if (c == CURLE_OK)
                c = curl_easy_perform(h->curl);
        if (c != CURLE_OK) {
                r = map_curl_error(h, c, &b, method, path, msg, msg_size);
                goto done;
        }
        (void)curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
        if (!b.data) {
                b.data = calloc(1, 1);
                if (!b.data)
                        goto nomem;
        }
        *ret_resp = (struct vast_response){
                .status = status, .body = b.data, .len = b.len, .retry_after_s = hs.retry_after_s};
        b.data = NULL;
        r = 0;
        goto done;
nomem:
        r = GS_E_NOMEM;
        (void)snprintf(msg, msg_size, "%s %s: out of memory", method, path);
done:
        /* Drop our pointers from the handle before freeing what they point to. */
        if (h && h->curl)
                curl_easy_reset(h->curl);
        wipe_slist(hdrs);
        free(url);
        free(b.data);
        return r;
}
