/*
 * reconcile.h - reconciliation of what the providers hold with what the
 * sessions say (ARCHITECTURE §8), run by the lifecycle thread at start-up
 * (before /ready) and every reconcile_interval:
 *
 *  - every provider that can list its instances is listed through its
 *    control instance;
 *  - an instance carrying our deployment's label that no live session owns
 *    (no session, a stopped or failed one, or a second instance under a live
 *    session's label), older than orphan_grace, is an orphan: reported once
 *    (`orphan.detected` event, log) and, with orphan_policy = destroy, handed
 *    to a verified-destroy job that never gives up (`orphan.destroyed` when
 *    confirmed gone). Other deployments' and unlabelled instances are never
 *    touched; a create in flight (live session, no instance id yet) is not
 *    an orphan;
 *  - a running session whose instance is missing from a successful listing
 *    is a ghost candidate; when get_instance still says "not found"
 *    ghost_confirm_interval later (checked every tick), the session becomes
 *    stopped (reason `ghost`), billed until the instance was last seen.
 *
 * Only the lifecycle thread calls these functions.
 */
#ifndef GS_RECONCILE_H
#define GS_RECONCILE_H

#include <stdbool.h>

#include "lifecycle/lifecycle_settings.h"
#include "session/session_service.h"

struct reconcile;

/* NULL on OOM. svc and cfg must outlive it. */
struct reconcile *reconcile_new(struct session_service *svc, const struct lifecycle_settings *cfg);
/* NULL-safe. */
void reconcile_free(struct reconcile *r);
/* One pass over every provider; stop(ctx) is asked between providers. */
void reconcile_pass(struct reconcile *r, bool (*stop)(void *ctx), void *ctx);
/* Confirm the ghost candidates that are due (a provider call each). */
void reconcile_confirm(struct reconcile *r);

#endif /* GS_RECONCILE_H */
