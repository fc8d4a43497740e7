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

/* Start the verified destruction of session id in delay_ms. 0 or GS_E_NOMEM. */
int destroy_start(struct session_service *svc, const char *id, int64_t delay_ms);

#endif /* GS_DESTROY_H */
