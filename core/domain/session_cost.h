/*
 * session_cost.h - what a session has cost: its price per hour times the
 * milliseconds from the provider's instance creation to its verified
 * destruction (or to now while it lives), in integer micro-USD. A session
 * that never got an instance costs 0.
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_SESSION_COST_H
#define GS_SESSION_COST_H

#include <stdint.h>

#include "gpushop/plugin.h"

/* The price billed: what the provider reported charging when it did (> 0),
 * else the quoted offer price. */
int64_t session_cost_price_uusd(const struct gs_session_record *rec);
/* Billed milliseconds up to stopped_at_ms, or up to now_ms while not stopped;
 * 0 without an instance or when the clock is behind the creation. */
int64_t session_cost_billed_ms(const struct gs_session_record *rec, int64_t now_ms);
/* session_cost_price_uusd() over session_cost_billed_ms(), rounded half up. */
int64_t session_cost_uusd(const struct gs_session_record *rec, int64_t now_ms);

#endif /* GS_SESSION_COST_H */
