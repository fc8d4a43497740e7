/*
 * offer_json.h - the JSON of one offer, rendered once when a snapshot is
 * built so that a request only copies bytes. The rendering stops after
 * `"age_seconds":`; the request appends the age it computes and the closing
 * brace. Field names and units are ARCHITECTURE §5's. Thread-safe (no state).
 */
#ifndef GS_OFFER_JSON_H
#define GS_OFFER_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "domain/offer.h"
#include "inventory/arena.h"

/* Longest tail a request appends: an int64 age and "}". */
#define OFFER_JSON_TAIL_MAX 24

/* Render o into the arena and set o->json / o->json_len. 0 or GS_E_NOMEM. */
int offer_json_render(struct offer *o, struct arena *a);

/* Write the tail for age `age_s` (clamped at 0) into buf (at least
 * OFFER_JSON_TAIL_MAX bytes); returns its length. */
size_t offer_json_tail(int64_t age_s, char *buf);

/* Seconds between fetched_at_ms and now_ms, never negative. */
int64_t offer_json_age_s(const struct offer *o, int64_t now_ms);

#endif /* GS_OFFER_JSON_H */
