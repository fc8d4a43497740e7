/* lifecycle.c - the lifecycle thread: start-up sweep, then ticks and reconcile passes. */
#include "lifecycle/lifecycle.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "lifecycle/crash_recovery.h"
#include "lifecycle/enforce.h"
#include "lifecycle/event_tally.h"
#include "lifecycle/idle_watch.h"
#include "lifecycle/lifecycle_metrics.h"
#include "lifecycle/reconcile.h"
#include "log.h"
#include "plugin/host_api.h"

#define COMPONENT "lifecycle"
#define MS_PER_S 1000
#define NS_PER_MS 1000000

struct lifecycle {
        struct lifecycle_settings cfg;
        struct session_service *svc;
        int64_t boot_ms;
        void (*on_swept)(void *ctx);
        void *ctx;
        struct reconcile *recon;
        struct idle_watch *idle;
        struct event_tally *tally;
        pthread_mutex_t mu;
        pthread_cond_t cond; /* CLOCK_MONOTONIC */
        bool stop;           /* under mu */
        bool started;
        pthread_t thread;
};

static bool should_stop(void *ctx)
{
        struct lifecycle *lc = ctx;
        bool stop;

        pthread_mutex_lock(&lc->mu);
        stop = lc->stop;
        pthread_mutex_unlock(&lc->mu);
        return stop;
}

/* Sleep delay_ms or until asked to stop; true when asked to stop. */
static bool sleep_or_stop(struct lifecycle *lc, int64_t delay_ms)
{
        int64_t due = host_monotonic_ms() + delay_ms;
        struct timespec ts = {.tv_sec = (time_t)(due / MS_PER_S),
                              .tv_nsec = (long)(due % MS_PER_S) * NS_PER_MS};
        bool stop;

        pthread_mutex_lock(&lc->mu);
        while (!lc->stop && host_monotonic_ms() < due)
                (void)pthread_cond_timedwait(&lc->cond, &lc->mu, &ts);
        stop = lc->stop;
        pthread_mutex_unlock(&lc->mu);
        return stop;
}

static void sweep(struct lifecycle *lc)
{
        int64_t t0 = host_monotonic_ms();
        int failed;

        failed = crash_recovery_run(lc->svc, lc->boot_ms);
        if (!should_stop(lc))
                enforce_tick(lc->svc, &lc->cfg, lc->idle);
        if (!should_stop(lc))
                reconcile_pass(lc->recon, should_stop, lc);
        if (should_stop(lc))
                return;
        LOG_NOTICE(COMPONENT,
                   "start-up sweep done in %lld ms (%d unfinished session%s from the previous "
                   "run failed and destroyed); ready",
                   (long long)(host_monotonic_ms() - t0), failed > 0 ? failed : 0,
                   failed == 1 ? "" : "s");
        if (lc->on_swept)
                lc->on_swept(lc->ctx);
}

static void *thread_main(void *arg)
{
        struct lifecycle *lc = arg;
        int64_t next_reconcile;

        sweep(lc);
        next_reconcile = host_monotonic_ms() + lc->cfg.reconcile_interval_ms;
        while (!sleep_or_stop(lc, lc->cfg.tick_interval_ms)) {
                enforce_tick(lc->svc, &lc->cfg, lc->idle);
                if (should_stop(lc))
                        break;
                reconcile_confirm(lc->recon);
                if (host_monotonic_ms() >= next_reconcile && !should_stop(lc)) {
                        reconcile_pass(lc->recon, should_stop, lc);
                        next_reconcile = host_monotonic_ms() + lc->cfg.reconcile_interval_ms;
                }
        }
        return NULL;
}

static void lifecycle_free(struct lifecycle *lc)
{
        reconcile_free(lc->recon);
        idle_watch_unref(lc->idle);
        event_tally_free(lc->tally);
        pthread_cond_destroy(&lc->cond);
        pthread_mutex_destroy(&lc->mu);
        free(lc);
}

int lifecycle_start(const struct lifecycle_settings *cfg, struct session_service *svc,
                    int64_t boot_ms, void (*on_swept)(void *ctx), void *ctx,
                    struct lifecycle **ret_lc)
{
        struct lifecycle *lc = calloc(1, sizeof(*lc));
        pthread_condattr_t attr;
        int r = GS_E_NOMEM;

        if (!lc)
                return GS_E_NOMEM;
        lc->cfg = *cfg;
        lc->svc = svc;
        lc->boot_ms = boot_ms;
        lc->on_swept = on_swept;
        lc->ctx = ctx;
        pthread_mutex_init(&lc->mu, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&lc->cond, &attr);
        pthread_condattr_destroy(&attr);
        lc->recon = reconcile_new(svc, &lc->cfg);
        lc->idle = idle_watch_new(svc, &lc->cfg);
        lc->tally = event_tally_new(session_service_storage(svc));
        if (!lc->recon || !lc->idle || !lc->tally ||
            lifecycle_metrics_track(lc->tally) < 0)
                goto fail;
        if (pthread_create(&lc->thread, NULL, thread_main, lc) != 0) {
                r = GS_E_IO;
                goto fail;
        }
        lc->started = true;
        *ret_lc = lc;
        return 0;
fail:
        LOG_ERR(COMPONENT, "cannot start the lifecycle thread (%s)", gs_status_name(r));
        lifecycle_free(lc);
        return r;
}

void lifecycle_stop(struct lifecycle *lc)
{
        if (!lc)
                return;
        if (lc->started) {
                pthread_mutex_lock(&lc->mu);
                lc->stop = true;
                pthread_cond_broadcast(&lc->cond);
                pthread_mutex_unlock(&lc->mu);
                (void)pthread_join(lc->thread, NULL);
        }
        lifecycle_free(lc);
}

void lifecycle_metrics(struct lifecycle *lc, struct strbuf *sb)
{
        if (lc)
                lifecycle_metrics_render(lc->svc, lc->tally, sb);
}
