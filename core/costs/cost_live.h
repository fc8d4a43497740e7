/*
 * cost_live.h - a snapshot of the sessions that bill but are not in the
 * ledger yet (cost_meter_is_live: provisioning/running/stopping with an
 * instance), plus the quoted price of every session that will bill soon
 * (pending/provisioning/running), read from storage for cost reports and
 * budgets. Each entry keeps what metering needs, copied; entries are sorted
 * by session id.
 *
 * Reads go through registry_enter()/registry_leave(); a snapshot belongs to
 * one thread. Functions fill err and do not log.
 */
#ifndef GS_COST_LIVE_H
#define GS_COST_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/session_id.h"
#include "gpushop/plugin.h"
#include "plugin/registry.h"

/* Page size when walking active sessions, and the most one snapshot holds. */
#define COST_LIVE_PAGE 500
#define COST_LIVE_MAX 100000

struct cost_live_session {
        char id[SESSION_ID_SIZE];
        char consumer_id[CONSUMER_ID_MAX + 1];
        char *provider;
        char *gpu_type;
        int32_t status;
        int64_t price_uusd_per_hour; /* cost_meter_price_uusd */
        int64_t instance_created_at_ms;
        int64_t stopped_at_ms;
};

struct cost_live {
        struct cost_live_session *items;
        size_t count;
        size_t cap;
};

/*
 * Snapshot the pending, provisioning, running and stopping sessions of
 * consumer_id (NULL = all) into *ret (which must be empty or zeroed).
 * 0, GS_E_TOOBIG beyond COST_LIVE_MAX, GS_E_NOMEM or a storage error.
 */
int cost_live_load(struct plugin_instance *st, const char *consumer_id, struct cost_live *ret,
                   struct gs_error *err);
void cost_live_done(struct cost_live *l);

/* Whether the entry bills now (an instance exists and it is not finalized). */
bool cost_live_is_billing(const struct cost_live_session *s);
/* Whether the entry is, or will soon be, billing: pending, provisioning or
 * running (stopping sessions are on their way out). */
bool cost_live_is_committed(const struct cost_live_session *s);
/* Whether every billing session of `before` is still billing in `after`
 * (none was finalized, i.e. moved into the ledger, in between). */
bool cost_live_none_finalized(const struct cost_live *before, const struct cost_live *after);
/* Live amount of s at now_ms over its whole interval so far. */
int64_t cost_live_amount_uusd(const struct cost_live_session *s, int64_t now_ms);

#endif /* GS_COST_LIVE_H */
