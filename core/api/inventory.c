/*
 * inventory.c - GET /api/v1/inventory and GET /api/v1/inventory/:id.
 *
 * Reads the inventory's current view (never a provider): validates every
 * query parameter (offer_filter), selects one page from the pre-sorted keys
 * and copies each offer's pre-rendered JSON into one response buffer.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "domain/offer_filter.h"
#include "http/reply.h"
#include "inventory/inventory.h"
#include "inventory/offer_json.h"
#include "plugin/host_api.h"

/* Most bytes of an offer id quoted back in a 404. */
#define ID_ECHO_MAX 128

static const char list_head[] = "{\"offers\":[";
/* "],\"count\":<n>,\"total\":<n>}" */
#define LIST_TAIL_MAX 64

struct args_ctx {
        struct offer_query *q;
        struct offer_query_error *err;
        int status;
};

static enum MHD_Result take_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
        struct args_ctx *c = cls;

        (void)kind;
        c->status = offer_query_set(c->q, key ? key : "", value, c->err);
        return c->status < 0 ? MHD_NO : MHD_YES;
}

static void reply_invalid(struct http_response *res, const struct http_request *req,
                          const struct offer_query_error *err)
{
        json_t *o = json_object();
        json_t *m = json_string(err->msg);
        json_t *p = json_string(err->param);

        (void)json_object_set_new(o, "error", m ? m : json_string("invalid parameter"));
        (void)json_object_set_new(o, "error_type", json_string("invalid_parameter"));
        (void)json_object_set_new(o, "parameter", p ? p : json_string(""));
        (void)json_object_set_new(o, "request_id", json_string(req->request_id));
        reply_json_take(res, 400, o);
}

static size_t put_size(char *out, size_t v)
{
        char digits[24];
        size_t n = 0, len = 0;

        do {
                digits[n++] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        while (n)
                out[len++] = digits[--n];
        return len;
}

/* {"offers":[...],"count":n,"total":m} from pre-rendered offers, one malloc. */
static void reply_page(struct http_response *res, const struct http_request *req,
                       const struct offer_key **page, size_t count, size_t total, int64_t now_ms)
{
        size_t cap = sizeof(list_head) + LIST_TAIL_MAX;
        size_t len = 0;
        char *buf;

        for (size_t i = 0; i < count; i++)
                cap += page[i]->offer->json_len + OFFER_JSON_TAIL_MAX + 1;
        buf = malloc(cap);
        if (!buf) {
                reply_error(res, req, 500, "internal", "out of memory");
                return;
        }
        memcpy(buf, list_head, sizeof(list_head) - 1);
        len = sizeof(list_head) - 1;
        for (size_t i = 0; i < count; i++) {
                const struct offer *o = page[i]->offer;

                if (i)
                        buf[len++] = ',';
                memcpy(buf + len, o->json, o->json_len);
                len += o->json_len;
                len += offer_json_tail(offer_json_age_s(o, now_ms), buf + len);
        }
        memcpy(buf + len, "],\"count\":", 10);
        len += 10;
        len += put_size(buf + len, count);
        memcpy(buf + len, ",\"total\":", 9);
        len += 9;
        len += put_size(buf + len, total);
        buf[len++] = '}';
        buf[len] = '\0';
        reply_json_body(res, req, 200, buf, len);
}

void api_inventory_list(struct http_request *req, struct http_response *res)
{
        struct app *app = req->app;
        const struct offer_key *page[OFFER_QUERY_LIMIT_MAX];
        struct offer_query_error err;
        struct offer_query q;
        struct offer_filter f;
        struct args_ctx ac = {.q = &q, .err = &err};
        struct view *v;
        size_t count, total;

        offer_query_init(&q);
        (void)MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, take_arg, &ac);
        if (ac.status < 0) {
                reply_invalid(res, req, &err);
                return;
        }
        v = inventory_view(app->inv);
        if (!v) {
                reply_error(res, req, 503, "unavailable", "the inventory is not running");
                return;
        }
        if (offer_filter_compile(&q, v->providers, v->n_providers, v->types, v->n_types, &f, &err) <
            0) {
                view_unref(v);
                reply_invalid(res, req, &err);
                return;
        }
        total = view_select(v, &f, q.sort, q.offset, q.limit, page, &count);
        reply_page(res, req, page, count, total, host_now_ms());
        view_unref(v);
}

void api_inventory_get(struct http_request *req, struct http_response *res)
{
        struct app *app = req->app;
        const char *id = req->param_count > 0 ? req->params[0] : "";
        const struct offer *o;
        struct view *v;
        char *buf;
        size_t len;

        v = inventory_view(app->inv);
        o = view_find(v, id);
        if (!o) {
                view_unref(v);
                reply_error(res, req, 404, "not_found", "offer not found: %.*s", ID_ECHO_MAX, id);
                return;
        }
        buf = malloc(o->json_len + OFFER_JSON_TAIL_MAX + 1);
        if (!buf) {
                view_unref(v);
                reply_error(res, req, 500, "internal", "out of memory");
                return;
        }
        memcpy(buf, o->json, o->json_len);
        len = o->json_len + offer_json_tail(offer_json_age_s(o, host_now_ms()), buf + o->json_len);
        buf[len] = '\0';
        view_unref(v);
        reply_json_body(res, req, 200, buf, len);
}
