/*
 * lifecycle_metrics.h - the lifecycle's Prometheus families, derived from
 * stored state at scrape time (defect 35: no gauge kept by running deltas):
 *
 *   gs_sessions{status,provider}        gauge, session counts in storage
 *   gs_destroy_unverified               gauge, stopping sessions whose destroy has failed
 *                                       and is being retried (status_reason says why)
 *   gs_orphans_detected_total           counter, `orphan.detected` events
 *   gs_orphans_destroyed_total          counter, `orphan.destroyed` events (verified gone)
 *   gs_ghosts_total                     counter, stops for reason ghost or instance_vanished
 *   gs_session_stops_total{reason}      counter, `session.stop_reason` events by reason
 *   gs_destroy_attempts_total{result}   counter, destroy_instance calls by outcome since this
 *                                       process started (only the process knows them)
 *
 * The counters come from the append-only event table through an
 * incremental tally, so they survive restarts. Thread-safe.
 */
#ifndef GS_LIFECYCLE_METRICS_H
#define GS_LIFECYCLE_METRICS_H

#include "lifecycle/event_tally.h"
#include "session/session_service.h"
#include "strbuf.h"

/* Register the event kinds the families read. 0 or GS_E_*. */
int lifecycle_metrics_track(struct event_tally *tally);
/* Append the families; a storage failure leaves its families out (logged). */
void lifecycle_metrics_render(struct session_service *svc, struct event_tally *tally,
                              struct strbuf *sb);

#endif /* GS_LIFECYCLE_METRICS_H */
