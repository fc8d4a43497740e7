/* reconcile_rules.c - orphan verdicts and a ghost's last sighting. */
#include "domain/reconcile_rules.h"

#include <string.h>

#include "domain/session_fsm.h"

static bool same(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

int orphan_classify(const struct orphan_facts *f)
{
        bool live;

        if (!f || !f->ours)
                return ORPHAN_NOT_OURS;
        live = f->session_found && !session_fsm_is_terminal(f->session_status);
        if (live && same(f->session_provider, f->provider)) {
                if (!f->session_instance_id)
                        return ORPHAN_IN_FLIGHT;
                if (same(f->session_instance_id, f->instance_id))
                        return ORPHAN_OWNED;
        }
        /* No session, a finished one, or a second instance under a live
         * session's label: nobody will ever destroy it but us. */
        return f->age_ms >= f->grace_ms ? ORPHAN_YES : ORPHAN_YOUNG;
}

int64_t ghost_last_seen_ms(int64_t prev_listing_ms, int64_t started_at_ms,
                           int64_t last_activity_ms, int64_t first_missing_ms)
{
        int64_t seen = started_at_ms > last_activity_ms ? started_at_ms : last_activity_ms;

        if (prev_listing_ms > 0 && started_at_ms > 0 && prev_listing_ms >= started_at_ms &&
            prev_listing_ms > seen)
                seen = prev_listing_ms;
        if (seen <= 0 || (first_missing_ms > 0 && seen > first_missing_ms))
                seen = first_missing_ms;
        return seen;
}
