/*
 * cost_report.h - what was spent in a window, grouped by (provider,
 * gpu_type), optionally cut into day or month buckets: the storage ledger
 * (finalized sessions, cut pro rata by cost_aggregate) plus the live cost of
 * the sessions still billing (cost_meter rules, cut the same way).
 *
 * Consistency: a session is either live or in the ledger - the transition
 * that ends it appends its one ledger entry atomically. The report reads the
 * active sessions, then the ledger, then the active sessions again; when a
 * session was finalized in between (so it may be counted twice or not at
 * all) it starts over (up to COST_REPORT_ATTEMPTS), and adds the live costs
 * of the second read. So totals match the ledger an instant later, within
 * the rounding of cut entries (each cut part is truncated).
 *
 * Reads storage through registry_enter()/registry_leave(); thread-safe;
 * fills err and does not log.
 */
#ifndef GS_COST_REPORT_H
#define GS_COST_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "auth/principal.h"
#include "costs/cost_live.h"
#include "costs/cost_totals.h"
#include "domain/cost_range.h"
#include "plugin/registry.h"

/* Reads of the active sessions around the ledger before giving up on a
 * quiet moment (the last attempt is used as is). */
#define COST_REPORT_ATTEMPTS 3
/* Most buckets one report may have. */
#define COST_REPORT_BUCKETS_MAX 1200

struct cost_scope {
        const char *session_id;      /* NULL = any */
        const char *consumer_id;     /* NULL = any the principal may see */
        const struct principal *who; /* NULL = everything */
};

struct cost_bucket {
        struct cost_window window; /* the bucket cut to the report's window */
        struct cost_totals totals;
};

struct cost_report {
        struct cost_window window;
        int period;       /* enum cost_period */
        int64_t as_of_ms; /* the clock reading live costs were taken at */
        struct cost_totals totals;
        struct cost_bucket *buckets;
        size_t bucket_count;
};

/*
 * Build the report of scope over window (from_ms < to_ms) at now_ms, with
 * buckets of `period` (COST_PERIOD_NONE: none). 0 and *ret (free with
 * cost_report_done), GS_E_TOOBIG for more than COST_REPORT_BUCKETS_MAX
 * buckets or too many groups/active sessions, GS_E_NOMEM, storage errors.
 */
int cost_report_build(struct plugin_instance *st, const struct cost_scope *scope,
                      struct cost_window window, int period, int64_t now_ms,
                      struct cost_report *ret, struct gs_error *err);
void cost_report_done(struct cost_report *r);

/* Month-to-date spend of one consumer at now_ms (ledger + live), for
 * budgets. 0 and *ret_uusd, or an error as cost_report_build. */
int cost_report_month_spend(struct plugin_instance *st, const char *consumer_id, int64_t now_ms,
                            int64_t *ret_uusd, struct gs_error *err);

#endif /* GS_COST_REPORT_H */
