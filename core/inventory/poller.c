/* poller.c - the per-provider refresh thread and its rate governor. */
#include "inventory/poller.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/backoff.h"
#include "log.h"
#include "plugin/host_api.h"
#include "status.h"

#define LOG_COMPONENT "inventory"
#define NS_PER_MS 1000000L
#define MS_PER_S 1000

struct fetch_ctx {
        struct snapshot_builder *b;
};

static int sink_offer(void *ctx, const struct gs_offer *offer)
{
        struct fetch_ctx *fc = ctx;

        return snapshot_builder_add(fc->b, offer);
}

/* Sleep until `due_mono` or a stop request; returns true when asked to stop. */
static bool wait_until(struct poller *p, int64_t due_mono)
{
        bool stop;

        pthread_mutex_lock(&p->lock);
        while (!p->stop) {
                int64_t now = host_monotonic_ms();
                struct timespec ts;

                if (now >= due_mono)
                        break;
                ts.tv_sec = (time_t)(due_mono / MS_PER_S);
                ts.tv_nsec = (long)(due_mono % MS_PER_S) * NS_PER_MS;
                (void)pthread_cond_timedwait(&p->wake, &p->lock, &ts);
        }
        stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        return stop;
}

/* One listing into a new snapshot. 0 with *ret_snap, or a GS_E_* with err. */
static int fetch(struct poller *p, struct snapshot **ret_snap, struct gs_error *err)
{
        struct plugin_instance *pi = p->pi;
        struct gs_offer_filter filter;
        struct fetch_ctx fc;
        struct gs_offer_sink sink = {.fn = sink_offer, .ctx = &fc};
        int r;

        fc.b = snapshot_builder_new(pi->name, p->settings->max_offers_per_provider);
        if (!fc.b)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        memset(&filter, 0, sizeof(filter));
        filter.struct_size = sizeof(filter);
        registry_enter(pi);
        r = pi->provider->list_offers(pi->instance, &filter, &sink, err);
        registry_leave(pi);
        /* Stopped by our own cap: keep what fits. */
        if (r < 0 && snapshot_builder_truncated(fc.b))
                r = 0;
        if (r < 0) {
                if (err->status == 0)
                        (void)gs_error_set(err, r, 0, "list_offers failed");
                snapshot_builder_free(fc.b);
                return r;
        }
        r = snapshot_finish_take(fc.b, host_now_ms(), ret_snap);
        if (r < 0)
                return gs_error_set(err, r, 0, "out of memory building the snapshot");
        return 0;
}

/* Log a failure on the 1st, 2nd, 4th, 8th ... consecutive one (a rate-limited
 * complaint), always when the kind of failure changes. */
static bool worth_logging(uint32_t failures, int status, int prev_status)
{
        return status != prev_status || (failures & (failures - 1)) == 0;
}

static void on_failure(struct poller *p, const struct gs_error *err, int64_t started_ms,
                       int64_t delay_ms)
{
        struct poller_health *h = &p->health;
        int64_t now = host_now_ms();
        uint32_t failures;
        bool say;

        pthread_mutex_lock(&p->lock);
        h->consecutive_failures++;
        h->refreshes_failed++;
        say = worth_logging(h->consecutive_failures, err->status, h->last_error_status);
        h->last_attempt_ms = started_ms;
        h->last_error_ms = now;
        h->last_error_status = err->status;
        h->last_error_http = err->http_status;
        (void)snprintf(h->last_error, sizeof(h->last_error), "%s", gs_error_msg(err));
        h->last_duration_ms = now - started_ms;
        h->next_attempt_ms = now + delay_ms;
        failures = h->consecutive_failures;
        pthread_mutex_unlock(&p->lock);
        if (say)
                LOG_WARN(LOG_COMPONENT, "%s: %s (%s, %u in a row), retrying in %lld s", p->pi->name,
                         gs_error_msg(err), gs_status_name(err->status), failures,
                         (long long)((delay_ms + MS_PER_S - 1) / MS_PER_S));
}

/* What on_success records of a snapshot (read before it is handed over). */
struct snap_stats {
        size_t count;
        size_t dropped;
        bool truncated;
        int64_t fetched_at_ms;
};

static void on_success(struct poller *p, const struct snap_stats *snap, int64_t started_ms)
{
        struct poller_health *h = &p->health;
        int64_t now = host_now_ms();
        uint32_t had_failures;
        bool first, was_truncated;

        pthread_mutex_lock(&p->lock);
        had_failures = h->consecutive_failures;
        first = h->last_success_ms == 0;
        was_truncated = h->truncated;
        h->consecutive_failures = 0;
        h->refreshes_ok++;
        h->last_attempt_ms = started_ms;
        h->last_success_ms = now;
        h->offers = snap->count;
        h->dropped = snap->dropped;
        h->truncated = snap->truncated;
        h->fetched_at_ms = snap->fetched_at_ms;
        h->last_duration_ms = now - started_ms;
        h->next_attempt_ms = now + p->settings->refresh_interval_ms;
        pthread_mutex_unlock(&p->lock);
        if (had_failures)
                LOG_NOTICE(LOG_COMPONENT,
                           "%s: list_offers recovered after %u failure%s, %zu "
                           "offers",
                           p->pi->name, had_failures, had_failures == 1 ? "" : "s", snap->count);
        else if (first)
                LOG_INFO(LOG_COMPONENT, "%s: first snapshot, %zu offers in %lld ms", p->pi->name,
                         snap->count, (long long)(now - started_ms));
        if (snap->truncated && !was_truncated)
                LOG_WARN(LOG_COMPONENT,
                         "%s: listing truncated at %zu offers "
                         "(max_offers_per_provider), keeping the first ones",
                         p->pi->name, snap->count);
}

static void *run(void *arg)
{
        struct poller *p = arg;
        const struct inventory_settings *s = p->settings;
        struct backoff_policy policy = {.initial_ms = s->retry_backoff_ms,
                                        .max_ms = s->max_backoff_ms};
        int64_t due = host_monotonic_ms();

        while (!wait_until(p, due)) {
                struct snapshot *snap = NULL;
                struct snap_stats st;
                struct gs_error err;
                int64_t started = host_now_ms();
                int r;

                gs_error_init(&err);
                r = fetch(p, &snap, &err);
                if (r == 0) {
                        st = (struct snap_stats){.count = snap->count,
                                                 .dropped = snap->dropped,
                                                 .truncated = snap->truncated,
                                                 .fetched_at_ms = snap->fetched_at_ms};
                        r = p->publish(p->publish_ctx, p->index, snap);
                        if (r < 0)
                                LOG_ERR(LOG_COMPONENT,
                                        "%s: cannot publish the snapshot: %s, "
                                        "serving the previous one",
                                        p->pi->name, gs_strerror(r));
                        on_success(p, &st, started);
                        due = host_monotonic_ms() + s->refresh_interval_ms;
                        /* The plugin's parse of a large listing and the
                         * previous view leave free heap behind in this
                         * thread's arena: give it back. */
                        (void)malloc_trim(0);
                } else {
                        int64_t delay = backoff_delay_ms(
                                &policy, p->health.consecutive_failures + 1, err.retry_after_s);

                        on_failure(p, &err, started, delay);
                        due = host_monotonic_ms() + delay;
                }
        }
        return NULL;
}

int poller_start(struct poller *p)
{
        pthread_condattr_t ca;
        int r;

        if (pthread_condattr_init(&ca) != 0)
                return GS_E_NOMEM;
        (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        r = pthread_cond_init(&p->wake, &ca);
        (void)pthread_condattr_destroy(&ca);
        if (r != 0)
                return GS_E_NOMEM;
        if (pthread_mutex_init(&p->lock, NULL) != 0) {
                (void)pthread_cond_destroy(&p->wake);
                return GS_E_NOMEM;
        }
        p->sync_ready = true;
        p->stop = false;
        if (pthread_create(&p->thread, NULL, run, p) != 0) {
                LOG_ERR(LOG_COMPONENT, "%s: cannot start the poller thread: %s", p->pi->name,
                        strerror(errno));
                return GS_E_IO;
        }
        p->running = true;
        return 0;
}

void poller_request_stop(struct poller *p)
{
        if (!p || !p->sync_ready)
                return;
        pthread_mutex_lock(&p->lock);
        p->stop = true;
        pthread_cond_signal(&p->wake);
        pthread_mutex_unlock(&p->lock);
}

void poller_join(struct poller *p)
{
        if (!p)
                return;
        poller_request_stop(p);
        if (p->running)
                (void)pthread_join(p->thread, NULL);
        p->running = false;
        if (p->sync_ready) {
                (void)pthread_mutex_destroy(&p->lock);
                (void)pthread_cond_destroy(&p->wake);
                p->sync_ready = false;
        }
}

void poller_health(struct poller *p, struct poller_health *ret_health)
{
        pthread_mutex_lock(&p->lock);
        *ret_health = p->health;
        pthread_mutex_unlock(&p->lock);
}
