/*
 * cost_meter.h - the metering rules: what a session is billed, for which
 * interval, at which price, and the ledger entry that finalizes it.
 *
 *  - Interval: from the provider's instance creation (instance_created_at_ms)
 *    to the end of billing, metered to the millisecond (finer than the
 *    per-second billing of the providers, so never above what they bill).
 *    The end is the destroy that was then verified (stopped_at_ms); for a
 *    ghost, the last time the provider was seen holding the instance. A
 *    session whose provision never produced an instance is billed nothing.
 *  - Price: what the provider reported charging (charged_uusd_per_hour) when
 *    it did, else the quoted offer price.
 *  - Amount: price x interval, rounded half up to the micro-USD
 *    (units_cost_uusd).
 *  - A session is live (billing, not yet in the ledger) from its instance's
 *    creation until the transition that appends its one ledger entry.
 *  - A window cuts an entry pro rata: amount x overlap / span, truncated -
 *    the rule the storage ledger applies (gpushop/plugin.h cost_aggregate),
 *    so a live cost and the entry that later replaces it agree.
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_COST_METER_H
#define GS_COST_METER_H

#include <stdbool.h>
#include <stdint.h>

#include "gpushop/plugin.h"

/* A billed interval [start_ms, end_ms); empty when end_ms == start_ms. */
struct cost_interval {
        int64_t start_ms;
        int64_t end_ms;
};

/* Charged price when the provider reported one (> 0), else the quoted one;
 * never negative. */
int64_t cost_meter_price_uusd(const struct gs_session_record *rec);
/* Whether the provider ever created an instance for the session. */
bool cost_meter_has_instance(const struct gs_session_record *rec);
/* Billed and not yet finalized: provisioning/running/stopping with an instance. */
bool cost_meter_is_live(const struct gs_session_record *rec);

/* The interval billed when billing ends at end_ms: empty (at 0) without an
 * instance, empty at the creation when end_ms is not after it. */
struct cost_interval cost_meter_interval(const struct gs_session_record *rec, int64_t end_ms);
/* Where billing ends for a session still in the store's hands: stopped_at_ms
 * when set, else now_ms. */
int64_t cost_meter_end_ms(const struct gs_session_record *rec, int64_t now_ms);
/* Amount of price over an interval, rounded half up. */
int64_t cost_meter_amount_uusd(int64_t price_uusd_per_hour, struct cost_interval iv);

/*
 * The ledger entry that finalizes rec when billing ended at end_ms (the
 * verified destroy, or a ghost's last sighting). Strings are borrowed from
 * rec. A session without an instance gets an empty entry at its creation
 * with amount 0 (so finalization is still recorded once). GS_E_INVAL when
 * rec lacks its id, provider or gpu_type.
 */
int cost_meter_final_entry(const struct gs_session_record *rec, int64_t end_ms,
                           struct gs_cost_entry *ret_entry);

/* Cost so far at now_ms: the final cost_uusd once stopped or failed, else
 * the live amount (0 without an instance). */
int64_t cost_meter_so_far_uusd(const struct gs_session_record *rec, int64_t now_ms);

/*
 * The part of `amount` billed over iv that falls in [from_ms, to_ms):
 * amount x overlap / span truncated toward zero; the whole amount when iv
 * lies inside the window; 0 without overlap. *ret_overlap_ms (may be NULL)
 * gets the overlapping milliseconds.
 */
int64_t cost_meter_prorate_uusd(int64_t amount_uusd, struct cost_interval iv, int64_t from_ms,
                                int64_t to_ms, int64_t *ret_overlap_ms);

#endif /* GS_COST_METER_H */
