/*
 * poller.h - one thread per provider instance that keeps that provider's
 * snapshot fresh: it lists the offers every refresh interval, hands each new
 * snapshot to the inventory, and on failure keeps the last good snapshot and
 * retries after an exponential backoff that honours Retry-After (its rate
 * governor). It records the provider's health for /health and /metrics.
 *
 * poller_start/poller_request_stop/poller_join run on the main thread;
 * poller_health may be called from any thread.
 */
#ifndef GS_POLLER_H
#define GS_POLLER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpushop/plugin.h"
#include "inventory/snapshot.h"
#include "plugin/registry.h"
#include "settings.h"

/* Everything the poller knows about its provider, copied out by value. */
struct poller_health {
        int64_t last_attempt_ms; /* wall clock; 0 = never tried */
        int64_t last_success_ms; /* 0 = never succeeded */
        int64_t last_error_ms;   /* 0 = never failed */
        int last_error_status;   /* GS_E_* of the last failure */
        int last_error_http;     /* its upstream HTTP status, 0 = none */
        char last_error[GS_ERROR_MSG_MAX];
        uint32_t consecutive_failures; /* 0 when the last attempt succeeded */
        uint64_t refreshes_ok;
        uint64_t refreshes_failed;
        size_t offers;            /* in the snapshot being served */
        size_t dropped;           /* of the last good listing */
        bool truncated;           /* the last good listing hit the cap */
        int64_t fetched_at_ms;    /* of the snapshot being served; 0 = none */
        int64_t last_duration_ms; /* of the last attempt */
        int64_t next_attempt_ms;  /* wall clock of the next attempt */
};

/* Called on the poller thread with a new snapshot (ownership passes). */
typedef int (*poller_publish_fn)(void *ctx, size_t index, struct snapshot *snap);

struct poller {
        size_t index;
        struct plugin_instance *pi;
        const struct inventory_settings *settings;
        poller_publish_fn publish;
        void *publish_ctx;
        pthread_t thread;
        bool running;
        pthread_mutex_t lock; /* guards stop and health */
        pthread_cond_t wake;
        bool sync_ready; /* lock and wake initialised */
        bool stop;
        struct poller_health health;
};

/* Initialise *p (zeroed by the caller, fields above set) and start its thread.
 * 0, or GS_E_NOMEM / GS_E_IO (nothing left running). */
int poller_start(struct poller *p);
/* Ask the thread to stop; it finishes a provider call in flight first. */
void poller_request_stop(struct poller *p);
/* Wait for the thread and release the poller's resources. NULL-safe. */
void poller_join(struct poller *p);
void poller_health(struct poller *p, struct poller_health *ret_health);

#endif /* GS_POLLER_H */
