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

/* Inventory series, one per provider instance: each writes its value into
 * buf and returns true, or false when the provider has none yet. */
typedef bool (*inv_value_fn)(const struct poller_health *h, int64_t now_ms, char *buf, size_t len);

static bool v_up(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)now_ms;
        (void)snprintf(buf, len, "%d", inventory_health_is_degraded(h) ? 0 : 1);
        return true;
}

static bool v_offers(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)now_ms;
        (void)snprintf(buf, len, "%zu", h->offers);
        return true;
}

static bool v_age(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)snprintf(buf, len, "%lld", (long long)((now_ms - h->fetched_at_ms) / 1000));
        return h->fetched_at_ms != 0;
}

static bool v_last_success(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)now_ms;
        (void)snprintf(buf, len, "%lld", (long long)(h->last_success_ms / 1000));
        return h->last_success_ms != 0;
}

static bool v_failures(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)now_ms;
        (void)snprintf(buf, len, "%u", h->consecutive_failures);
        return true;
}

static bool v_refresh_ok(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)now_ms;
        (void)snprintf(buf, len, "%llu", (unsigned long long)h->refreshes_ok);
        return true;
}

static bool v_refresh_err(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)now_ms;
        (void)snprintf(buf, len, "%llu", (unsigned long long)h->refreshes_failed);
        return true;
}

static bool v_duration(const struct poller_health *h, int64_t now_ms, char *buf, size_t len)
{
        (void)now_ms;
        (void)snprintf(buf, len, "%lld.%03lld", (long long)(h->last_duration_ms / 1000),
                       (long long)(h->last_duration_ms % 1000));
        return h->last_attempt_ms != 0;
}

static const struct {
        const char *name;
        const char *type; /* NULL: another series of the family above */
        const char *help;
        const char *labels; /* after provider="..." */
        inv_value_fn value;
} inv_series[] = {
        {"gs_inventory_provider_up", "gauge", "1 when the provider's last listing succeeded.", "",
         v_up},
        {"gs_inventory_offers", "gauge", "Offers in the snapshot being served.", "", v_offers},
        {"gs_inventory_snapshot_age_seconds", "gauge",
         "Age of the snapshot being served (absent before the first).", "", v_age},
        {"gs_inventory_last_success_timestamp_seconds", "gauge",
         "When the provider last listed its offers.", "", v_last_success},
        {"gs_inventory_consecutive_failures", "gauge", "Failed listings since the last success.",
         "", v_failures},
        {"gs_inventory_refreshes_total", "counter", "Listings by result.", ",result=\"ok\"",
         v_refresh_ok},
        {"gs_inventory_refreshes_total", NULL, NULL, ",result=\"error\"", v_refresh_err},
        {"gs_inventory_refresh_duration_seconds", "gauge", "Duration of the last listing.", "",
         v_duration},
};

static void inventory_metrics(struct strbuf *sb, struct app *app)
{
        struct poller_health h[OFFER_FILTER_PROVIDERS_MAX];
        bool have[OFFER_FILTER_PROVIDERS_MAX];
        size_t n = inventory_provider_count(app->inv);
        int64_t now = host_now_ms();
        char value[32];

        for (size_t i = 0; i < n; i++)
                have[i] = inventory_health(app->inv, i, &h[i]) == 0;
        for (size_t m = 0; m < sizeof(inv_series) / sizeof(inv_series[0]); m++) {
                if (inv_series[m].type)
                        strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", inv_series[m].name,
                                      inv_series[m].help, inv_series[m].name, inv_series[m].type);
                for (size_t i = 0; i < n; i++)
                        if (have[i] && inv_series[m].value(&h[i], now, value, sizeof(value)))
                                strbuf_printf(sb, "%s{provider=\"%s\"%s} %s\n", inv_series[m].name,
                                              inventory_provider_name(app->inv, i),
                                              inv_series[m].labels, value);
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
        budget_metrics(app->budget, &sb);
        lifecycle_metrics(app->lifecycle, &sb);
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
