/* enforce.c - expiry, hard maximum, idle and provisioning timeout, each tick. */
#include "lifecycle/enforce.h"

#include <stdio.h>
#include <string.h>

#include "domain/duration_text.h"
#include "domain/lifecycle_rules.h"
#include "domain/rfc3339.h"
#include "domain/session_fsm.h"
#include "domain/units.h"
#include "lifecycle/session_walk.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/session_ops.h"
#include "session/session_override.h"

#define COMPONENT "lifecycle"
#define ACTOR "lifecycle"

static const int rule_event[_LIFECYCLE_RULE_MAX] = {
        [LIFECYCLE_RULE_NONE] = -1,
        [LIFECYCLE_RULE_EXPIRED] = SESSION_EV_EXPIRE,
        [LIFECYCLE_RULE_HARD_MAX] = SESSION_EV_HARD_MAX,
        [LIFECYCLE_RULE_IDLE] = SESSION_EV_IDLE,
        [LIFECYCLE_RULE_PROVISION_TIMEOUT] = SESSION_EV_PROVISION_TIMEOUT,
};

/* The words after the reason word: which limit, and when it was reached. */
static void describe(const struct gs_session_record *rec, int rule, int64_t deadline,
                     const struct lifecycle_limits *lim, const struct lifecycle_settings *cfg,
                     bool overridden, char *out, size_t len)
{
        char at[RFC3339_TEXT_MAX] = "?", d[DURATION_TEXT_MAX] = "?";

        (void)rfc3339_format_ms(deadline, at, sizeof(at));
        switch (rule) {
        case LIFECYCLE_RULE_EXPIRED:
                (void)snprintf(out, len,
                               "the reservation (%u hours) ended at %s; extend a running session "
                               "before expires_at to keep it",
                               rec->reservation_hours, at);
                break;
        case LIFECYCLE_RULE_HARD_MAX:
                (void)duration_text_format(lim->hard_max_ms, d, sizeof(d));
                (void)snprintf(out, len,
                               "the hard maximum of %s from started_at%s was reached at %s",
                               d, overridden ? " (set by an admin override)" : " ([lifecycle] "
                                                                               "hard_max)",
                               at);
                break;
        case LIFECYCLE_RULE_IDLE:
                (void)duration_text_format(
                        lim->idle_unit_ms * (int64_t)rec->idle_threshold_minutes, d, sizeof(d));
                (void)snprintf(out, len,
                               "no heartbeat and GPU utilization at or below %u%% for %s "
                               "(idle_threshold_minutes %u), idle since %s",
                               cfg->idle_util_threshold_pct, d, rec->idle_threshold_minutes, at);
                break;
        default:
                (void)duration_text_format(lim->provisioning_timeout_ms, d, sizeof(d));
                (void)snprintf(out, len,
                               "still %s %s after it entered provisioning ([lifecycle] "
                               "provisioning_timeout); its instance, if any, is destroyed - "
                               "try another offer",
                               session_fsm_status_name(rec->status), d);
                break;
        }
}

/* What the rules say of rec, read as `status`, at now: the rule, its
 * deadline and the limits that applied. */
struct verdict {
        int rule;
        int64_t deadline;
        struct lifecycle_limits lim;
        bool overridden;
        int64_t idle_deadline;
};

static void judge(const struct lifecycle_settings *cfg, struct idle_watch *idle,
                  const struct gs_session_record *rec, int status, int64_t now,
                  struct verdict *v)
{
        struct lifecycle_facts f = {.status = status,
                                    .created_at_ms = rec->created_at_ms,
                                    .started_at_ms = rec->started_at_ms,
                                    .expires_at_ms = rec->expires_at_ms,
                                    .last_activity_ms = rec->last_activity_ms,
                                    .idle_threshold_minutes = rec->idle_threshold_minutes};
        uint32_t hours = 0;

        memset(v, 0, sizeof(*v));
        v->lim = (struct lifecycle_limits){.hard_max_ms = cfg->hard_max_ms,
                                           .provisioning_timeout_ms = cfg->provisioning_timeout_ms,
                                           .idle_unit_ms = cfg->idle_unit_ms};
        v->overridden = session_override_hours(rec, &hours) == 0;
        if (v->overridden)
                v->lim.hard_max_ms = (int64_t)hours * MS_PER_HOUR;
        if (status == GS_SESSION_RUNNING && rec->idle_threshold_minutes > 0)
                f.idle_seen_at_ms = idle_watch_idle_seen_ms(idle, rec->id);
        v->rule = lifecycle_rule_due(&f, &v->lim, now, &v->deadline);
        v->idle_deadline = lifecycle_idle_deadline_ms(&f, &v->lim);
}

struct guard_ctx {
        const struct lifecycle_settings *cfg;
        struct idle_watch *idle;
        int rule;
};

/* Under the session's lock, on the fresh record: does the rule still hold?
 * (An extension, a heartbeat or an override may have come in between.) */
static bool still_due(const struct gs_session_record *rec, int old_status, void *ctx)
{
        const struct guard_ctx *g = ctx;
        struct verdict v;

        judge(g->cfg, g->idle, rec, old_status, host_now_ms(), &v);
        return v.rule == g->rule;
}

static void stop(struct session_service *svc, const struct lifecycle_settings *cfg,
                 struct idle_watch *idle, const struct gs_session_record *rec, int rule,
                 const char *cause)
{
        struct guard_ctx g = {.cfg = cfg, .idle = idle, .rule = rule};
        struct session_op_info info;
        struct gs_session_record out;
        struct gs_error e;
        int r;

        gs_error_init(&e);
        r = session_ops_stop_because(svc, rec->id, rule_event[rule], ACTOR, cause, still_due, &g,
                                     &out, &info, &e);
        if (r == GS_E_CONFLICT || r == GS_E_NOTFOUND)
                return; /* someone else stopped it first, or the rule no longer holds */
        if (r < 0) {
                LOG_ERR(COMPONENT, "%s: cannot stop it (%s): %s", rec->id,
                        lifecycle_rule_name(rule), gs_error_msg(&e));
                return;
        }
        LOG_NOTICE(COMPONENT, "%s: %s: %s", rec->id, lifecycle_rule_name(rule), cause);
        session_record_done(&out);
}

static void check(struct session_service *svc, const struct lifecycle_settings *cfg,
                  struct idle_watch *idle, const struct gs_session_record *rec, int64_t now)
{
        struct verdict v;
        char cause[512];

        judge(cfg, idle, rec, rec->status, now, &v);
        if (v.rule != LIFECYCLE_RULE_NONE) {
                describe(rec, v.rule, v.deadline, &v.lim, cfg, v.overridden, cause,
                         sizeof(cause));
                stop(svc, cfg, idle, rec, v.rule, cause);
                return;
        }
        if (rec->status == GS_SESSION_RUNNING && rec->idle_threshold_minutes > 0)
                idle_watch_consider(idle, rec, v.idle_deadline, now);
}

void enforce_tick(struct session_service *svc, const struct lifecycle_settings *cfg,
                  struct idle_watch *idle)
{
        struct session_list l;
        struct gs_error e;
        int64_t now = host_now_ms();

        gs_error_init(&e);
        if (session_walk(svc,
                         (1u << GS_SESSION_PENDING) | (1u << GS_SESSION_PROVISIONING) |
                                 (1u << GS_SESSION_RUNNING),
                         NULL, &l, &e) < 0) {
                LOG_WARN(COMPONENT, "cannot read the active sessions: %s; retrying next tick",
                         gs_error_msg(&e));
                return;
        }
        for (size_t i = 0; i < l.count; i++)
                check(svc, cfg, idle, &l.items[i], now);
        session_list_done(&l);
        idle_watch_forget_older(idle, now);
}
