/* reply.c - JSON and error response builders. */
#include "http/reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_body(struct http_response *res, int status, const char *type, char *body,
                     size_t len)
{
        free(res->body);
        res->status = status;
        res->content_type = type;
        res->body = body;
        res->body_len = len;
}

/* '<', '>' and '&' can only occur inside JSON strings, so replacing them by
 * \u escapes keeps the document equal while no quoted input can ever be read
 * as markup by a client that sniffs content. Takes `text`; NULL on OOM. */
static char *escape_markup(char *text)
{
        size_t n = 0, len = strlen(text);
        char *out, *o;

        for (const char *p = text; (p = strpbrk(p, "<>&")); p++)
                n++;
        if (n == 0)
                return text;
        out = malloc(len + n * 5 + 1);
        if (!out) {
                free(text);
                return NULL;
        }
        o = out;
        for (const char *p = text; *p; p++) {
                if (*p == '<' || *p == '>' || *p == '&') {
                        (void)snprintf(o, 7, "\\u%04x", (unsigned)(unsigned char)*p);
                        o += 6;
                } else {
                        *o++ = *p;
                }
        }
        *o = '\0';
        free(text);
        return out;
}

void reply_json_body(struct http_response *res, const struct http_request *req, int status,
                     char *body, size_t len)
{
        if (!body) {
                reply_error(res, req, 500, "internal", "out of memory");
                return;
        }
        set_body(res, status, "application/json", body, len);
}

void reply_json_take(struct http_response *res, int status, json_t *body)
{
        char *text = NULL;

        if (body)
                text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
        json_decref(body);
        if (text)
                text = escape_markup(text);
        if (!text) {
                static const char oom[] =
                        "{\"error\":\"out of memory\",\"error_type\":\"internal\"}";

                text = strdup(oom);
                status = 500;
                if (!text) {
                        set_body(res, 500, "application/json", NULL, 0);
                        return;
                }
        }
        set_body(res, status, "application/json", text, strlen(text));
}

void reply_text(struct http_response *res, int status, const char *content_type,
                const char *text, size_t len)
{
        char *copy = malloc(len + 1);

        if (!copy) {
                set_body(res, 500, "text/plain", NULL, 0);
                return;
        }
        memcpy(copy, text, len);
        copy[len] = '\0';
        set_body(res, status, content_type, copy, len);
}

void reply_error(struct http_response *res, const struct http_request *req, int status,
                 const char *error_type, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        json_t *o, *m;

        va_start(ap, fmt);
        (void)vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        o = json_object();
        m = json_string(msg);
        if (!m) /* the message quoted input that is not UTF-8 */
                m = json_string("the request contained bytes that are not valid UTF-8");
        (void)json_object_set_new(o, "error", m);
        (void)json_object_set_new(o, "error_type", json_string(error_type));
        (void)json_object_set_new(o, "request_id",
                                  json_string(req && req->request_id[0] ? req->request_id : ""));
        reply_json_take(res, status, o);
}
