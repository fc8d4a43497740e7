/*
 * reconcile_rules.h - what reconciliation makes of one provider instance
 * (ARCHITECTURE §8): not ours (another deployment's label, or no label of
 * ours at all: never touched), owned by a live session, the instance of a
 * create still in flight, or an orphan once it is older than the grace
 * period; and from when a ghost's billing ends.
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_RECONCILE_RULES_H
#define GS_RECONCILE_RULES_H

#include <stdbool.h>
#include <stdint.h>

enum orphan_verdict {
        ORPHAN_NOT_OURS = 0, /* another deployment's, or not labelled by us: never touched */
        ORPHAN_OWNED,        /* the recorded instance of a live session */
        ORPHAN_IN_FLIGHT,    /* a live session with no instance id yet (create or destroy
                                under way; the destroy finds it by label) */
        ORPHAN_YOUNG,        /* would be an orphan, but younger than the grace period */
        ORPHAN_YES,          /* ours, no live session owns it, older than the grace */
};

/* One listed instance and what storage says of the session its label names. */
struct orphan_facts {
        bool ours;                       /* label_is_ours(label, deployment) */
        bool session_found;              /* the label's session exists */
        int session_status;              /* GS_SESSION_* when found */
        const char *session_provider;    /* when found */
        const char *session_instance_id; /* when found; NULL = none recorded */
        const char *provider;            /* where the instance was listed */
        const char *instance_id;
        int64_t age_ms; /* since the provider created it, or since we first saw it */
        int64_t grace_ms;
};

int orphan_classify(const struct orphan_facts *f);

/*
 * When a ghost's instance was last seen: the provider's previous successful
 * listing (prev_listing_ms, 0 = none since start) when the session was
 * already running then, else the latest proof of life we hold
 * (started_at, last_activity); never after first_missing_ms, and
 * first_missing_ms when nothing better is known.
 */
int64_t ghost_last_seen_ms(int64_t prev_listing_ms, int64_t started_at_ms,
                           int64_t last_activity_ms, int64_t first_missing_ms);

#endif /* GS_RECONCILE_RULES_H */
