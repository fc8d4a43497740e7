/*
 * event_tally.h - counts of stored events, for the counters /metrics derives
 * from stored state (gs_orphans_detected_total, gs_session_stops_total, ...).
 * A tally tracks a few event kinds, each as one total or split by one string
 * member of the events' detail JSON. Events are append-only with increasing
 * ids, so each refresh reads only the events newer than the newest counted
 * one: the first refresh after start counts the stored history once, later
 * ones cost what was appended since. Restarts lose nothing. Thread-safe.
 */
#ifndef GS_EVENT_TALLY_H
#define GS_EVENT_TALLY_H

#include <stdint.h>

#include "plugin/registry.h"
#include "status.h"

/* Kinds one tally may track. */
#define EVENT_TALLY_KINDS_MAX 8

struct event_tally;

/* NULL on OOM. storage must outlive the tally. */
struct event_tally *event_tally_new(struct plugin_instance *storage);
/* NULL-safe. */
void event_tally_free(struct event_tally *t);
/* Track `kind`, split by the detail member `key` (NULL: one total). Before
 * the first refresh. 0, GS_E_TOOBIG (too many kinds) or GS_E_NOMEM. */
int event_tally_track(struct event_tally *t, const char *kind, const char *key);
/* Count the events appended since the last refresh. 0, or the storage
 * failure (counts stay as they were). */
int event_tally_refresh(struct event_tally *t, struct gs_error *err);
/* The count of `kind` events whose split member is `value` (NULL: all of
 * them). 0 for an untracked kind. */
uint64_t event_tally_get(struct event_tally *t, const char *kind, const char *value);
/* Call fn for every distinct split value of `kind` seen so far, in first-seen order. */
void event_tally_visit(struct event_tally *t, const char *kind,
                       void (*fn)(void *ctx, const char *value, uint64_t count), void *ctx);

#endif /* GS_EVENT_TALLY_H */
