/*
 * lifecycle.h - the lifecycle thread (ARCHITECTURE §8, docs/LIFECYCLE.md):
 * one thread that enforces every session's time limits and keeps the
 * providers and the sessions in agreement, so that no instance we create is
 * ever left running without a live session.
 *
 * At start, before the daemon reports ready, it runs the start-up sweep:
 * crash recovery (sessions an earlier run left pending/provisioning are
 * failed and their instances destroyed), one tick of the time rules and one
 * reconciliation pass; then it calls on_swept (the app turns /ready and
 * /health ready). Afterwards, every tick_interval: the time rules (expiry,
 * hard maximum, idle, provisioning timeout), due ghost confirmations, and
 * every reconcile_interval a reconciliation pass.
 *
 * Stopping never destroys an instance: the thread finishes the step it is in
 * (a provider call ends within the plugin's own timeout) and exits; verified
 * destroys already under way belong to the session service and resume at the
 * next start. lifecycle_start/stop run on the main thread; lifecycle_metrics
 * on any thread.
 */
#ifndef GS_LIFECYCLE_H
#define GS_LIFECYCLE_H

#include <stdint.h>

#include "lifecycle/lifecycle_settings.h"
#include "session/session_service.h"
#include "strbuf.h"

struct lifecycle;

/*
 * Start the thread. boot_ms: when this process started (sessions created
 * before it are crash-recovery candidates). on_swept(ctx) is called once
 * from the lifecycle thread when the start-up sweep is done (not when the
 * lifecycle is stopped first). svc must outlive the lifecycle.
 * 0 and *ret_lc, or GS_E_NOMEM / GS_E_IO (logged).
 */
int lifecycle_start(const struct lifecycle_settings *cfg, struct session_service *svc,
                    int64_t boot_ms, void (*on_swept)(void *ctx), void *ctx,
                    struct lifecycle **ret_lc);
/* Stop the thread promptly and free. NULL-safe. */
void lifecycle_stop(struct lifecycle *lc);

/* Append the lifecycle's Prometheus families (from stored state). NULL-safe. */
void lifecycle_metrics(struct lifecycle *lc, struct strbuf *sb);

#endif /* GS_LIFECYCLE_H */
