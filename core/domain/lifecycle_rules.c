/* lifecycle_rules.c - deadlines of expiry, hard maximum, idle and provisioning timeout. */
#include "domain/lifecycle_rules.h"

#include <stddef.h>

#include "gpushop/plugin.h"

static const char *const rule_names[] = {
        [LIFECYCLE_RULE_NONE] = NULL,
        [LIFECYCLE_RULE_EXPIRED] = "expired",
        [LIFECYCLE_RULE_HARD_MAX] = "hard_max",
        [LIFECYCLE_RULE_IDLE] = "idle",
        [LIFECYCLE_RULE_PROVISION_TIMEOUT] = "provision_timeout",
};

_Static_assert(sizeof(rule_names) / sizeof(rule_names[0]) == _LIFECYCLE_RULE_MAX,
               "rule names out of date");

/* a + b, saturating at INT64_MAX (both >= 0). */
static int64_t add_sat(int64_t a, int64_t b)
{
        return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* b * n, saturating (b >= 0). */
static int64_t mul_sat(int64_t b, uint32_t n)
{
        return n != 0 && b > INT64_MAX / (int64_t)n ? INT64_MAX : b * (int64_t)n;
}

const char *lifecycle_rule_name(int rule)
{
        return rule > LIFECYCLE_RULE_NONE && rule < _LIFECYCLE_RULE_MAX ? rule_names[rule] : NULL;
}

int64_t lifecycle_idle_deadline_ms(const struct lifecycle_facts *f,
                                   const struct lifecycle_limits *lim)
{
        int64_t since = f->last_activity_ms > f->started_at_ms ? f->last_activity_ms
                                                               : f->started_at_ms;

        if (f->status != GS_SESSION_RUNNING || f->idle_threshold_minutes == 0 || since <= 0 ||
            lim->idle_unit_ms <= 0)
                return 0;
        return add_sat(since, mul_sat(lim->idle_unit_ms, f->idle_threshold_minutes));
}

/* Keep the earliest passed deadline; ties keep the rule found first. */
static void consider(int rule, int64_t deadline, int64_t now_ms, int *best, int64_t *best_at)
{
        if (deadline <= 0 || deadline > now_ms)
                return;
        if (*best == LIFECYCLE_RULE_NONE || deadline < *best_at) {
                *best = rule;
                *best_at = deadline;
        }
}

int lifecycle_rule_due(const struct lifecycle_facts *f, const struct lifecycle_limits *lim,
                       int64_t now_ms, int64_t *ret_deadline_ms)
{
        int best = LIFECYCLE_RULE_NONE;
        int64_t at = 0, idle;

        if (!f || !lim)
                return LIFECYCLE_RULE_NONE;
        switch (f->status) {
        case GS_SESSION_PENDING:
        case GS_SESSION_PROVISIONING:
                if (f->created_at_ms > 0 && lim->provisioning_timeout_ms > 0)
                        consider(LIFECYCLE_RULE_PROVISION_TIMEOUT,
                                 add_sat(f->created_at_ms, lim->provisioning_timeout_ms), now_ms,
                                 &best, &at);
                break;
        case GS_SESSION_RUNNING:
                if (f->started_at_ms > 0 && lim->hard_max_ms > 0)
                        consider(LIFECYCLE_RULE_HARD_MAX,
                                 add_sat(f->started_at_ms, lim->hard_max_ms), now_ms, &best, &at);
                consider(LIFECYCLE_RULE_EXPIRED, f->expires_at_ms, now_ms, &best, &at);
                idle = lifecycle_idle_deadline_ms(f, lim);
                if (idle > 0 && f->idle_seen_at_ms >= idle)
                        consider(LIFECYCLE_RULE_IDLE, idle, now_ms, &best, &at);
                break;
        default:
                break;
        }
        if (best != LIFECYCLE_RULE_NONE && ret_deadline_ms)
                *ret_deadline_ms = at;
        return best;
}
