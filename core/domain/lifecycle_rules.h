/*
 * lifecycle_rules.h - which lifecycle rule stops a session now
 * (ARCHITECTURE §8): reservation expiry at expires_at, the hard maximum from
 * started_at, idle (no activity for idle_threshold_minutes, proven by a probe
 * that saw the GPU unused after that deadline) for running sessions, and the
 * provisioning timeout for sessions not yet running. When several deadlines
 * have passed, the earliest one names the rule.
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_LIFECYCLE_RULES_H
#define GS_LIFECYCLE_RULES_H

#include <stdint.h>

enum lifecycle_rule {
        LIFECYCLE_RULE_NONE = 0,
        LIFECYCLE_RULE_EXPIRED,           /* expires_at reached */
        LIFECYCLE_RULE_HARD_MAX,          /* started_at + hard maximum reached */
        LIFECYCLE_RULE_IDLE,              /* no activity for the idle threshold */
        LIFECYCLE_RULE_PROVISION_TIMEOUT, /* not running within the provisioning timeout */
        _LIFECYCLE_RULE_MAX
};

/* The limits that apply to one session. */
struct lifecycle_limits {
        int64_t hard_max_ms;             /* from started_at; the session's override applied */
        int64_t provisioning_timeout_ms; /* from created_at (= entering provisioning) */
        int64_t idle_unit_ms;            /* length of one minute of idle_threshold_minutes */
};

/* What the rules read of one session. Times are epoch ms, 0 = unset. */
struct lifecycle_facts {
        int status; /* GS_SESSION_* */
        int64_t created_at_ms;
        int64_t started_at_ms;
        int64_t expires_at_ms;
        int64_t last_activity_ms; /* heartbeat, busy or failed probe, or started_at */
        uint32_t idle_threshold_minutes;
        int64_t idle_seen_at_ms; /* latest successful probe that saw the GPU idle, 0 = none */
};

/*
 * The rule that stops the session at now_ms: LIFECYCLE_RULE_NONE, or the
 * rule whose deadline passed first, with that deadline in *ret_deadline_ms
 * (may be NULL; written only when a rule is returned). Idle needs evidence:
 * idle_seen_at_ms at or after the idle deadline; without it (no probe yet,
 * probes failing) idle never fires.
 */
int lifecycle_rule_due(const struct lifecycle_facts *f, const struct lifecycle_limits *lim,
                       int64_t now_ms, int64_t *ret_deadline_ms);

/* The idle deadline (last activity + threshold), or 0 when idle is off, the
 * session is not running or has no activity time. */
int64_t lifecycle_idle_deadline_ms(const struct lifecycle_facts *f,
                                   const struct lifecycle_limits *lim);

/* "expired", "hard_max", "idle", "provision_timeout"; NULL otherwise. */
const char *lifecycle_rule_name(int rule);

#endif /* GS_LIFECYCLE_RULES_H */
