/* HTTP front end: MHD setup, routing to a dialect or the control API, faults and replies. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "sim.h"

#define VAST_PREFIX "/vast/api/v0"
#define TD_PREFIX "/td/api/v2"
#define TD_PREFIX_LONG "/tensordock/api/v2"
#define CONTROL_PREFIX "/_sim/"
#define SIM_WAITERS_MAX 10000
#define SIM_CONN_LIMIT 4096
#define SIM_CONN_MEMORY (256 * 1024)
#define REQLOG_PATH_MAX 256
#define HUGE_PAD_KEY "{\"_padding\":\""

#define SIM_ROUTE_NAME_(name, str) str,
static const char *const route_names[_SIM_ROUTE_MAX] = {SIM_ROUTE_MAP(SIM_ROUTE_NAME_)};
#undef SIM_ROUTE_NAME_

enum stage { ST_NEW, ST_AFTER_DELAY, ST_AFTER_HANG };

struct req_ctx {
        struct sim_buf body;
        bool too_large;
        bool routed;
        bool control;
        bool abort; /* hang cap or shutdown: close without answering */
        enum stage stage;
        struct sim_req req;
};

struct waiter {
        struct MHD_Connection *conn;
        struct req_ctx *ctx;
        int64_t deadline;
        uint64_t hang_rule; /* 0 for a delay */
};

struct reqlog_entry {
        int64_t at_ms;
        int provider;
        int route;
        unsigned int status;
        char method[8];
        char path[REQLOG_PATH_MAX];
        char q[SIM_REQLOG_Q_MAX];
};

static struct MHD_Daemon *daemon_;
static struct waiter waiters[SIM_WAITERS_MAX];
static size_t n_waiters;
static struct reqlog_entry reqlog[SIM_REQLOG_MAX];
static size_t reqlog_next;
static uint64_t reqlog_total;

const char *sim_provider_name(enum sim_provider p)
{
        return p == SIM_VAST ? "vast" : p == SIM_TD ? "td" : "?";
}

enum sim_provider sim_provider_from_name(const char *s)
{
        if (!s)
                return _SIM_PROVIDER_INVALID;
        if (strcmp(s, "vast") == 0 || strcmp(s, "vastai") == 0)
                return SIM_VAST;
        if (strcmp(s, "td") == 0 || strcmp(s, "tensordock") == 0)
                return SIM_TD;
        return _SIM_PROVIDER_INVALID;
}

const char *sim_route_name(enum sim_route r)
{
        return r >= 0 && r < _SIM_ROUTE_MAX ? route_names[r] : "?";
}

enum sim_route sim_route_from_name(const char *s)
{
        size_t i;

        for (i = 0; s && i < _SIM_ROUTE_MAX; i++)
                if (strcmp(route_names[i], s) == 0)
                        return (enum sim_route)i;
        return _SIM_ROUTE_INVALID;
}

const struct sim_dialect *sim_dialect_of(enum sim_provider p)
{
        return p == SIM_VAST ? &sim_vast_dialect : &sim_td_dialect;
}

/* ---- replies ---- */

void sim_reply_json(struct sim_reply *r, unsigned int status, json_t *j)
{
        char *s = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;

        json_decref(j);
        r->status = s ? status : MHD_HTTP_INTERNAL_SERVER_ERROR;
        r->body = s ? s : strdup("{\"error\":\"out of memory\"}");
        r->len = r->body ? strlen(r->body) : 0;
}

void sim_reply_text(struct sim_reply *r, unsigned int status, const char *text)
{
        r->status = status;
        r->body = strdup(text);
        r->len = r->body ? strlen(r->body) : 0;
}

void sim_reply_printf(struct sim_reply *r, unsigned int status, const char *fmt, ...)
{
        struct sim_buf b;
        va_list ap;
        int n;

        sim_buf_init(&b);
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n >= 0 && sim_buf_reserve(&b, (size_t)n) == 0) {
                va_start(ap, fmt);
                (void)vsnprintf(b.data, (size_t)n + 1, fmt, ap);
                va_end(ap);
                b.len = (size_t)n;
        }
        r->status = status;
        r->body = sim_buf_steal(&b, &r->len);
}

void sim_reply_blob(struct sim_reply *r, unsigned int status, struct sim_blob *blob)
{
        r->status = status;
        r->blob = blob;
}

const char *sim_req_arg(const struct sim_req *req, const char *key)
{
        return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *sim_req_header(const struct sim_req *req, const char *key)
{
        return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, key);
}

static void blob_free_cb(void *cls)
{
        sim_blob_unref(cls);
}

static enum MHD_Result queue_reply(struct MHD_Connection *conn, struct sim_reply *r)
{
        struct MHD_Response *resp;
        enum MHD_Result ret;
        const char *data;

        if (r->close) {
                free(r->body);
                sim_blob_unref(r->blob);
                return MHD_NO;
        }
        if (r->blob) {
                data = r->blob->data;
                resp = MHD_create_response_from_buffer_with_free_callback_cls(
                        r->blob->len, r->blob->data, blob_free_cb, r->blob);
                if (!resp)
                        sim_blob_unref(r->blob);
        } else {
                if (!r->body) {
                        r->body = strdup("");
                        r->len = 0;
                        if (!r->body)
                                return MHD_NO;
                }
                data = r->body;
                resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
                if (!resp)
                        free(r->body);
        }
        r->body = NULL;
        r->blob = NULL;
        if (!resp)
                return MHD_NO;
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                      data[0] == '<' ? "text/html" : "application/json");
        if (r->retry_after >= 0) {
                char ra[24];

                (void)snprintf(ra, sizeof(ra), "%d", r->retry_after);
                (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
        }
        ret = MHD_queue_response(conn, r->status ? r->status : MHD_HTTP_OK, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* ---- request log ---- */

void sim_reqlog_add(const struct sim_req *req, unsigned int status)
{
        struct reqlog_entry *e = &reqlog[reqlog_next];
        const char *q = req->route == ROUTE_LIST_OFFERS ? sim_req_arg(req, "q") : NULL;

        e->at_ms = sim_now_ms();
        e->provider = req->provider;
        e->route = req->route;
        e->status = status;
        (void)snprintf(e->method, sizeof(e->method), "%s", req->method);
        (void)snprintf(e->path, sizeof(e->path), "%s", req->url);
        (void)snprintf(e->q, sizeof(e->q), "%s", q ? q : "");
        reqlog_next = (reqlog_next + 1) % SIM_REQLOG_MAX;
        reqlog_total++;
}

json_t *sim_reqlog_json(const char *route, const char *provider, size_t limit)
{
        size_t n = reqlog_total < SIM_REQLOG_MAX ? (size_t)reqlog_total : SIM_REQLOG_MAX, i;
        json_t *arr = json_array();

        for (i = 0; arr && i < n; i++) {
                size_t idx = (reqlog_next + SIM_REQLOG_MAX - n + i) % SIM_REQLOG_MAX;
                const struct reqlog_entry *e = &reqlog[idx];
                json_t *j;

                if (route && strcmp(route, sim_route_name((enum sim_route)e->route)) != 0)
                        continue;
                if (provider && sim_provider_from_name(provider) != e->provider)
                        continue;
                j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:i}", "at_ms", (json_int_t)e->at_ms,
                              "provider", sim_provider_name((enum sim_provider)e->provider),
                              "route", sim_route_name((enum sim_route)e->route), "method",
                              e->method, "path", e->path, "status", (int)e->status);
                if (j && e->q[0])
                        (void)json_object_set_new(j, "q", json_string(e->q));
                if (j)
                        (void)json_array_append_new(arr, j);
        }
        while (arr && limit && json_array_size(arr) > limit)
                (void)json_array_remove(arr, 0);
        return arr;
}

void sim_reqlog_clear(void)
{
        reqlog_next = 0;
        reqlog_total = 0;
}

/* ---- faults turned into replies ---- */

static bool is_read_only(enum sim_route r)
{
        return r == ROUTE_LIST_OFFERS || r == ROUTE_GET || r == ROUTE_LIST || r == ROUTE_BALANCE;
}

static void fault_reply(struct sim_req *req, const struct sim_fault *f, struct sim_reply *r)
{
        const struct sim_dialect *d = sim_dialect_of(req->provider);

        switch (f->kind) {
        case SIM_FAULT_STATUS:
                if (f->body)
                        sim_reply_text(r, (unsigned int)f->status, f->body);
                else
                        d->error(r, (unsigned int)f->status, "injected fault");
                break;
        case SIM_FAULT_DESTROY_FAIL:
                if (f->silent)
                        sim_reply_text(r, MHD_HTTP_OK, d->canned(ROUTE_DESTROY));
                else if (f->body)
                        sim_reply_text(r, (unsigned int)f->status, f->body);
                else
                        d->error(r, (unsigned int)f->status, "injected destroy failure");
                break;
        case SIM_FAULT_STALE:
                d->stale(r, req);
                break;
        case SIM_FAULT_MALFORMED:
                if (is_read_only(req->route))
                        sim_route_handle(d, req, r);
                else
                        sim_reply_text(r, MHD_HTTP_OK, d->canned(req->route));
                if (r->blob) {
                        size_t cut = r->blob->len / 2;

                        r->body = strndup(r->blob->data, cut ? cut : 1);
                        r->len = r->body ? strlen(r->body) : 0;
                        sim_blob_unref(r->blob);
                        r->blob = NULL;
                } else if (r->body) {
                        r->len = r->len / 2 ? r->len / 2 : 1;
                        r->body[r->len] = '\0';
                }
                r->status = MHD_HTTP_OK;
                break;
        case SIM_FAULT_WRONG_TYPES:
                sim_reply_text(r, MHD_HTTP_OK, d->wrong_types(req->route));
                break;
        case SIM_FAULT_HUGE: {
                const char *canned = d->canned(req->route);
                struct sim_buf b;

                sim_buf_init(&b);
                if (sim_buf_reserve(&b, f->bytes + strlen(canned) + 32) == 0) {
                        (void)sim_buf_puts(&b, HUGE_PAD_KEY);
                        memset(b.data + b.len, 'A', f->bytes);
                        b.len += f->bytes;
                        b.data[b.len] = '\0';
                        (void)sim_buf_puts(&b, "\",");
                        (void)sim_buf_puts(&b, canned + 1);
                }
                r->status = MHD_HTTP_OK;
                r->body = sim_buf_steal(&b, &r->len);
                break;
        }
        default:
                d->error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "unexpected fault");
                break;
        }
        if (f->retry_after >= 0)
                r->retry_after = f->retry_after;
}

/* ---- suspension (delay and hang) ---- */

static bool suspend_locked(struct MHD_Connection *conn, struct req_ctx *ctx, int64_t ms,
                           uint64_t hang_rule)
{
        if (n_waiters >= SIM_WAITERS_MAX || sim.stopping)
                return false;
        MHD_suspend_connection(conn);
        waiters[n_waiters].conn = conn;
        waiters[n_waiters].ctx = ctx;
        waiters[n_waiters].deadline = sim_mono_ms() + ms;
        waiters[n_waiters].hang_rule = hang_rule;
        n_waiters++;
        sim_ticker_kick();
        return true;
}

void sim_http_wake_due(int64_t now, int64_t *next_deadline)
{
        size_t i = 0;

        while (i < n_waiters) {
                struct waiter *w = &waiters[i];
                bool wake = false;

                if (sim.stopping) {
                        w->ctx->abort = true;
                        wake = true;
                } else if (w->hang_rule && !sim_fault_exists(w->hang_rule)) {
                        wake = true;
                } else if (now >= w->deadline) {
                        if (w->hang_rule)
                                w->ctx->abort = true;
                        wake = true;
                }
                if (wake) {
                        MHD_resume_connection(w->conn);
                        waiters[i] = waiters[--n_waiters];
                        continue;
                }
                if (w->deadline < *next_deadline)
                        *next_deadline = w->deadline;
                i++;
        }
}

void sim_http_release_all(void)
{
        int64_t next = INT64_MAX;
        bool was = sim.stopping;

        sim.stopping = true;
        sim_http_wake_due(sim_mono_ms(), &next);
        sim.stopping = was;
}

/* ---- the access handler ---- */

static void route_request(struct req_ctx *ctx)
{
        struct sim_req *req = &ctx->req;
        const char *url = req->url;

        req->provider = _SIM_PROVIDER_INVALID;
        req->route = ROUTE_OTHER;
        if (strncmp(url, CONTROL_PREFIX, strlen(CONTROL_PREFIX)) == 0) {
                ctx->control = true;
                req->path = url + strlen(CONTROL_PREFIX) - 1;
                return;
        }
        if (strncmp(url, VAST_PREFIX, strlen(VAST_PREFIX)) == 0 &&
            (url[strlen(VAST_PREFIX)] == '/' || url[strlen(VAST_PREFIX)] == '\0')) {
                req->provider = SIM_VAST;
                req->path = url + strlen(VAST_PREFIX);
        } else if (strncmp(url, TD_PREFIX, strlen(TD_PREFIX)) == 0 &&
                   (url[strlen(TD_PREFIX)] == '/' || url[strlen(TD_PREFIX)] == '\0')) {
                req->provider = SIM_TD;
                req->path = url + strlen(TD_PREFIX);
        } else if (strncmp(url, TD_PREFIX_LONG, strlen(TD_PREFIX_LONG)) == 0 &&
                   (url[strlen(TD_PREFIX_LONG)] == '/' || url[strlen(TD_PREFIX_LONG)] == '\0')) {
                req->provider = SIM_TD;
                req->path = url + strlen(TD_PREFIX_LONG);
        } else {
                return;
        }
        (void)sim_dialect_of(req->provider)->route(req);
}

static enum MHD_Result provider_request(struct MHD_Connection *conn, struct req_ctx *ctx)
{
        struct sim_req *req = &ctx->req;
        const struct sim_dialect *d = sim_dialect_of(req->provider);
        struct sim_reply r = {.retry_after = -1};
        struct sim_fault f;
        bool have_fault = false;
        enum MHD_Result ret;

        if (ctx->stage == ST_NEW) {
                if (ctx->too_large) {
                        d->error(&r, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
                        goto reply;
                }
                if (req->route != ROUTE_OTHER && !d->auth_ok(req)) {
                        d->error(&r, MHD_HTTP_UNAUTHORIZED, NULL);
                        goto reply;
                }
                ctx->stage = ST_AFTER_DELAY;
                sim_lock();
                if (sim_fault_take(req->provider, req->route, SIM_STAGE_DELAY, &f)) {
                        free(f.body);
                        if (f.ms > 0 && suspend_locked(conn, ctx, f.ms, 0)) {
                                sim_unlock();
                                return MHD_YES;
                        }
                }
                sim_unlock();
        }
        if (ctx->stage == ST_AFTER_DELAY) {
                ctx->stage = ST_AFTER_HANG;
                sim_lock();
                if (sim_fault_take(req->provider, req->route, SIM_STAGE_HANG, &f)) {
                        free(f.body);
                        if (suspend_locked(conn, ctx, f.ms, f.id)) {
                                sim_unlock();
                                return MHD_YES;
                        }
                }
                sim_unlock();
        }
        if (ctx->abort) {
                sim_lock();
                sim_reqlog_add(req, 0);
                sim_unlock();
                return MHD_NO;
        }
        sim_lock();
        have_fault = sim_fault_take(req->provider, req->route, SIM_STAGE_RESPONSE, &f);
        sim_unlock();
        if (have_fault) {
                fault_reply(req, &f, &r);
                free(f.body);
        } else {
                sim_route_handle(d, req, &r);
        }
reply:
        sim_lock();
        sim_reqlog_add(req, r.status ? r.status : MHD_HTTP_OK);
        sim_unlock();
        ret = queue_reply(conn, &r);
        return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
        struct req_ctx *ctx = *req_cls;

        (void)cls;
        (void)version;
        if (!ctx) {
                ctx = calloc(1, sizeof(*ctx));
                if (!ctx)
                        return MHD_NO;
                sim_buf_init(&ctx->body);
                *req_cls = ctx;
                return MHD_YES;
        }
        if (*upload_data_size) {
                if (ctx->body.len + *upload_data_size > SIM_BODY_MAX)
                        ctx->too_large = true;
                else
                        (void)sim_buf_append(&ctx->body, upload_data, *upload_data_size);
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (!ctx->routed) {
                ctx->routed = true;
                ctx->req.conn = conn;
                ctx->req.method = method;
                ctx->req.url = url;
                ctx->req.body = ctx->body.data ? ctx->body.data : "";
                ctx->req.body_len = ctx->body.len;
                ctx->req.body_too_large = ctx->too_large;
                route_request(ctx);
                if (ctx->req.provider >= 0) {
                        sim_lock();
                        sim.request_counts[ctx->req.provider][ctx->req.route]++;
                        sim_unlock();
                }
        }
        if (ctx->control) {
                struct sim_reply r = {.retry_after = -1};

                if (ctx->too_large)
                        sim_reply_text(&r, MHD_HTTP_CONTENT_TOO_LARGE,
                                       "{\"error\":\"request body too large\"}");
                else
                        sim_control_handle(&ctx->req, &r);
                return queue_reply(conn, &r);
        }
        if (ctx->req.provider < 0) {
                struct sim_reply r = {.retry_after = -1};

                sim_reply_printf(&r, MHD_HTTP_NOT_FOUND,
                                 "{\"error\":\"no such route; providers live under " VAST_PREFIX
                                 " and " TD_PREFIX ", control under /_sim/\"}");
                return queue_reply(conn, &r);
        }
        return provider_request(conn, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
        struct req_ctx *ctx = *req_cls;

        (void)cls;
        (void)conn;
        (void)toe;
        if (!ctx)
                return;
        sim_buf_done(&ctx->body);
        free(ctx);
        *req_cls = NULL;
}

/* MHD's own diagnostics; dropping a hung request on purpose is not worth a line. */
static void mhd_log(void *cls, const char *fmt, va_list ap) SIM_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
        char line[SIM_ERRTEXT_MAX];

        (void)cls;
        (void)vsnprintf(line, sizeof(line), fmt, ap);
        if (strstr(line, "Application reported internal error"))
                return;
        (void)fprintf(stderr, "gpu-market-sim: mhd: %s%s", line,
                      line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

int sim_http_start(uint16_t port, unsigned int threads, uint16_t *ret_port, char *errbuf,
                   size_t errlen)
{
        struct sockaddr_in sa;
        const union MHD_DaemonInfo *info;

        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        daemon_ = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
                                           MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                                   port, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
                                   mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                   MHD_OPTION_THREAD_POOL_SIZE, threads,
                                   MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SIM_CONN_LIMIT,
                                   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SIM_CONN_MEMORY,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
        if (!daemon_) {
                (void)snprintf(errbuf, errlen, "cannot listen on 127.0.0.1:%u", port);
                return -1;
        }
        info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
        *ret_port = info ? info->port : port;
        return 0;
}

void sim_http_stop(void)
{
        if (!daemon_)
                return;
        MHD_stop_daemon(daemon_);
        daemon_ = NULL;
}
