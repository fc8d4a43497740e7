/*
 * idle_watch.h - the GPU-utilization probes of idle detection (ARCHITECTURE
 * §8). For running sessions with idle_threshold_minutes > 0 the lifecycle
 * thread asks for a probe every idle_probe_interval (and once more as soon as
 * the idle deadline passes); the probe runs on the session service's
 * workers: SSH with the management key, `nvidia-smi` utilization query, the
 * host key pinned at verification. Outcomes:
 *   - utilization at or below idle_util_threshold_pct: "idle seen now",
 *     the only evidence on which the idle rule may fire;
 *   - above it, or any failure (no answer, refused, no nvidia-smi): activity,
 *     written as the session's last_activity (fail-safe: a probe that cannot
 *     tell never lets a session look idle; the hard maximum still applies).
 * The table is shared by the lifecycle thread and the probe jobs, which hold
 * references, so it outlives a lifecycle stop until the last job ends.
 * Thread-safe.
 */
#ifndef GS_IDLE_WATCH_H
#define GS_IDLE_WATCH_H

#include <stdint.h>

#include "lifecycle/lifecycle_settings.h"
#include "session/session_service.h"

struct idle_watch;

/* NULL on OOM. svc must outlive every probe (it does: its workers run them). */
struct idle_watch *idle_watch_new(struct session_service *svc,
                                  const struct lifecycle_settings *cfg);
/* Drop the caller's reference. NULL-safe. */
void idle_watch_unref(struct idle_watch *w);

/* When a probe last saw session id's GPUs idle (wall clock), 0 = never. */
int64_t idle_watch_idle_seen_ms(struct idle_watch *w, const char *id);
/* Probe rec (running, idle threshold set) if one is due: none in flight and
 * the interval passed, or the idle deadline passed after the last probe. */
void idle_watch_consider(struct idle_watch *w, const struct gs_session_record *rec,
                         int64_t idle_deadline_ms, int64_t now_ms);
/* Forget sessions not considered since before_ms (stopped, idle turned off). */
void idle_watch_forget_older(struct idle_watch *w, int64_t before_ms);

#endif /* GS_IDLE_WATCH_H */
