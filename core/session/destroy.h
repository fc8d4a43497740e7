/*
 * destroy.h - verified destruction of a session that is `stopping`
 * (ARCHITECTURE §8): destroy the instance, then confirm it gone by
 * consecutive "not found" observations spaced by destroy_confirm_interval;
 * an instance still there is destroyed again; failures retry with capped
 * exponential backoff and never give up. Only then the session becomes
 * `stopped` (or `failed` after a fault) with stopped_at, its final cost and
 * a ledger entry. A session without a recorded instance id is searched for by
 * its label, so an unclear create leaves nothing behind.
 * Runs on the service's workers; exactly one job per stopping session (the
 * transition to stopping has one winner).
 */
#ifndef GS_DESTROY_H
#define GS_DESTROY_H

#include <stdint.h>

#include "session/session_service.h"

/* Written into status_reason (after the stop reason) while a stopping
 * session's destroy keeps failing, until the instance is confirmed gone; the
 * gs_destroy_unverified gauge counts the sessions that carry it. */
#define DESTROY_UNVERIFIED_MARK " [destroy not verified yet: "

/* Start the verified destruction of session id in delay_ms. 0 or GS_E_NOMEM. */
int destroy_start(struct session_service *svc, const char *id, int64_t delay_ms);

/*
 * The same verified destruction for an orphan: an instance of `provider`
 * carrying our label (for logs and the audit event) that no live session
 * owns. No session changes; when the instance is confirmed gone an
 * `orphan.destroyed` event is recorded. The caller starts one job per
 * instance; the job never gives up. 0 or GS_E_NOMEM.
 */
int destroy_orphan_start(struct session_service *svc, const char *provider,
                         const char *instance_id, const char *label);

#endif /* GS_DESTROY_H */
