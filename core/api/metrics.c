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

void api_metrics(struct http_request *req, struct http_response *res)
{
        const struct app *app = req->app;
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
