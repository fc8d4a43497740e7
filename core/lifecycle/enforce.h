/*
 * enforce.h - one tick of the lifecycle's time rules (ARCHITECTURE §8): every
 * pending, provisioning and running session is checked against
 * lifecycle_rule_due() - reservation expiry, the hard maximum from
 * started_at (or the session's audited override), idle on probe evidence,
 * and the provisioning timeout - and stopped through the session service
 * (stopping, then its verified destroy) with a reason naming the rule.
 * Running sessions with an idle threshold get their utilization probes
 * scheduled. Runs on the lifecycle thread.
 */
#ifndef GS_ENFORCE_H
#define GS_ENFORCE_H

#include "lifecycle/idle_watch.h"
#include "lifecycle/lifecycle_settings.h"
#include "session/session_service.h"

void enforce_tick(struct session_service *svc, const struct lifecycle_settings *cfg,
                  struct idle_watch *idle);

#endif /* GS_ENFORCE_H */
