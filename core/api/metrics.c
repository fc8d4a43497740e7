/* metrics.c - GET /metrics in the Prometheus text exposition format. */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "app.h"
#include "http/reply.h"
#include "inventory/inventory.h"
#include "plugin/host_api.h"
#include "strbuf.h"

#ifndef GS_VERSION
#define GS_VERSION "0.0.0"
#endif

static long resident_bytes(void)
{
        long pages = 0, rss = 0;
        FILE *f = fopen("/proc/self/statm", "r");

        if (!f)
                return 0;
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
                rss = 0;
        fclose(f);
        return rss * sysconf(_SC_PAGESIZE);
}

static long open_fds(void)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        long n = 0;

        if (!d)
                return 0;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n - 1; /* the directory stream itself */
}

struct counters_ctx {
        struct strbuf *sb;
        bool durations;
};

static void emit_counter(void *ctx, const char *method, const char *route, int status,
                         uint64_t count, uint64_t duration_us_sum)
{
        struct counters_ctx *c = ctx;

        if (c->durations)
                strbuf_printf(c->sb,
                              "gs_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\","
                              "code=\"%d\"} %llu.%06llu\n",
                              method, route, status,
                              (unsigned long long)(duration_us_sum / 1000000),
                              (unsigned long long)(duration_us_sum % 1000000));
        else
                strbuf_printf(c->sb,
                              "gs_http_requests_total{method=\"%s\",route=\"%s\",code=\"%d\"} "
                              "%llu\n",
                              method, route, status, (unsigned long long)count);
}

/* One gauge or counter family over every provider instance. */
enum inv_metric {
        INV_UP,
        INV_OFFERS,
        INV_AGE,
        INV_LAST_SUCCESS,
        INV_FAILURES,
        INV_REFRESH_OK,
        INV_REFRESH_ERR,
        INV_DURATION,
        _INV_METRIC_MAX,
};

static const struct {
        const char *name;
        const char *type;
        const char *help;
} inv_metrics[_INV_METRIC_MAX] = {
        [INV_UP] = {"gs_inventory_provider_up", "gauge",
                    "1 when the provider's last listing succeeded."},
        [INV_OFFERS] = {"gs_inventory_offers", "gauge", "Offers in the snapshot being served."},
        [INV_AGE] = {"gs_inventory_snapshot_age_seconds", "gauge",
                     "Age of the snapshot being served (absent before the first)."},
        [INV_LAST_SUCCESS] = {"gs_inventory_last_success_timestamp_seconds", "gauge",
                              "When the provider last listed its offers."},
        [INV_FAILURES] = {"gs_inventory_consecutive_failures", "gauge",
                          "Failed listings since the last success."},
        [INV_REFRESH_OK] = {"gs_inventory_refreshes_total", "counter",
                            "Listings by result."},
        [INV_REFRESH_ERR] = {NULL, NULL, NULL}, /* same family as INV_REFRESH_OK */
        [INV_DURATION] = {"gs_inventory_refresh_duration_seconds", "gauge",
                          "Duration of the last listing."},
};

static void inventory_metrics(struct strbuf *sb, struct app *app)
{
        size_t n = inventory_provider_count(app->inv);
        int64_t now = host_now_ms();

        for (int m = 0; m < _INV_METRIC_MAX; m++) {
                if (inv_metrics[m].name)
                        strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", inv_metrics[m].name,
                                      inv_metrics[m].help, inv_metrics[m].name,
                                      inv_metrics[m].type);
                for (size_t i = 0; i < n; i++) {
                        const char *p = inventory_provider_name(app->inv, i);
                        struct poller_health h;

                        if (inventory_health(app->inv, i, &h) < 0)
                                continue;
                        switch (m) {
                        case INV_UP:
                                strbuf_printf(sb, "gs_inventory_provider_up{provider=\"%s\"} %d\n",
                                              p, inventory_health_is_degraded(&h) ? 0 : 1);
                                break;
                        case INV_OFFERS:
                                strbuf_printf(sb, "gs_inventory_offers{provider=\"%s\"} %zu\n", p,
                                              h.offers);
                                break;
                        case INV_AGE:
                                if (h.fetched_at_ms)
                                        strbuf_printf(sb,
                                                      "gs_inventory_snapshot_age_seconds{provider="
                                                      "\"%s\"} %lld\n",
                                                      p, (long long)((now - h.fetched_at_ms) / 1000));
                                break;
                        case INV_LAST_SUCCESS:
                                if (h.last_success_ms)
                                        strbuf_printf(sb,
                                                      "gs_inventory_last_success_timestamp_seconds"
                                                      "{provider=\"%s\"} %lld\n",
                                                      p, (long long)(h.last_success_ms / 1000));
                                break;
                        case INV_FAILURES:
                                strbuf_printf(sb,
                                              "gs_inventory_consecutive_failures{provider=\"%s\"} "
                                              "%u\n",
                                              p, h.consecutive_failures);
                                break;
                        case INV_REFRESH_OK:
                                strbuf_printf(sb,
                                              "gs_inventory_refreshes_total{provider=\"%s\","
                                              "result=\"ok\"} %llu\n",
                                              p, (unsigned long long)h.refreshes_ok);
                                break;
                        case INV_REFRESH_ERR:
                                strbuf_printf(sb,
                                              "gs_inventory_refreshes_total{provider=\"%s\","
                                              "result=\"error\"} %llu\n",
                                              p, (unsigned long long)h.refreshes_failed);
                                break;
                        case INV_DURATION:
                                if (h.last_attempt_ms)
                                        strbuf_printf(sb,
                                                      "gs_inventory_refresh_duration_seconds"
                                                      "{provider=\"%s\"} %lld.%03lld\n",
                                                      p, (long long)(h.last_duration_ms / 1000),
                                                      (long long)(h.last_duration_ms % 1000));
                                break;
                        default:
                                break;
                        }
                }
        }
}

void api_metrics(struct http_request *req, struct http_response *res)
{
        struct app *app = req->app;
        struct strbuf sb;
        struct counters_ctx cc = {.sb = &sb};
        struct http_counters_visit visit = {.fn = emit_counter, .ctx = &cc};
        char *text;
        size_t len;

        strbuf_init(&sb);
        strbuf_printf(&sb, "# HELP gs_build_info Build information.\n# TYPE gs_build_info gauge\n"
                           "gs_build_info{version=\"%s\"} 1\n",
                      GS_VERSION);
        strbuf_printf(&sb, "# HELP process_start_time_seconds Start time since the epoch.\n"
                           "# TYPE process_start_time_seconds gauge\n"
                           "process_start_time_seconds %lld\n",
                      (long long)(app->started_ms / 1000));
        strbuf_printf(&sb, "# HELP process_resident_memory_bytes Resident memory size.\n"
                           "# TYPE process_resident_memory_bytes gauge\n"
                           "process_resident_memory_bytes %ld\n",
                      resident_bytes());
        strbuf_printf(&sb, "# HELP process_open_fds Open file descriptors.\n"
                           "# TYPE process_open_fds gauge\nprocess_open_fds %ld\n",
                      open_fds());
        strbuf_printf(&sb, "# HELP gs_providers_configured Provider instances loaded.\n"
                           "# TYPE gs_providers_configured gauge\ngs_providers_configured %zu\n",
                      app->reg.provider_count);
        inventory_metrics(&sb, app);
        strbuf_puts(&sb, "# HELP gs_http_requests_total HTTP requests by route and status.\n"
                         "# TYPE gs_http_requests_total counter\n");
        http_server_visit_counters(req->server, &visit);
        strbuf_puts(&sb, "# HELP gs_http_request_duration_seconds_sum Time spent answering.\n"
                         "# TYPE gs_http_request_duration_seconds_sum counter\n");
        cc.durations = true;
        http_server_visit_counters(req->server, &visit);
        text = strbuf_take(&sb, &len);
        if (!text) {
                reply_error(res, req, 500, "internal", "out of memory");
                return;
        }
        reply_text(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
        free(text);
}
