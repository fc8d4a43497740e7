/* session_ops.c - get, list, done/DELETE, extend, heartbeat, diagnostics. */
#include "session/session_ops.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "domain/rfc3339.h"
#include "domain/session_extend.h"
#include "domain/session_fsm.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/destroy.h"
#include "session/session_override.h"
#include "session/session_store.h"
#include "session/session_transition.h"

#define COMPONENT "sessions"

static void info_init(struct session_op_info *info)
{
        memset(info, 0, sizeof(*info));
        info->old_status = -1;
}

int session_ops_get(struct session_service *svc, const char *id, struct gs_session_record *ret_rec,
                    struct gs_error *err)
{
        return session_store_get(session_service_storage(svc), id, ret_rec, err);
}

int session_ops_list(struct session_service *svc, const struct gs_session_filter *filter,
                     struct session_list *ret_list, struct gs_error *err)
{
        return session_store_list(session_service_storage(svc), filter, ret_list, err);
}

/* ------------------------------------------------------------------------ */

/* What stopped the session, after the reason word in status_reason. */
static const char *stop_cause(int event)
{
        switch (event) {
        case SESSION_EV_DONE:
                return "the consumer signalled completion (POST /done)";
        case SESSION_EV_DELETE:
                return "force-destroyed (DELETE)";
        case SESSION_EV_BUDGET:
                return "the consumer's budget is exhausted";
        default:
                return session_fsm_event_name(event);
        }
}

static const char *stop_audit_kind(int event)
{
        switch (event) {
        case SESSION_EV_DONE:
                return "session.done";
        case SESSION_EV_DELETE:
                return "session.delete";
        default:
                return "session.stop";
        }
}

struct stop_args {
        const char *cause; /* NULL = stop_cause(event) */
        session_stop_guard_fn guard;
        void *guard_ctx;
};

static int mutate_stop(struct gs_session_record *rec, int old_status, struct session_change *c,
                       struct gs_error *err)
{
        const struct stop_args *a = c->ctx;
        const char *word =
                session_fsm_stop_reason_name(session_fsm_stop_reason(old_status, c->event));
        const char *cause = a->cause ? a->cause : stop_cause(c->event);

        if (a->guard && !a->guard(rec, old_status, a->guard_ctx))
                return gs_error_set(err, GS_E_CONFLICT, 0, "session %s: '%s' no longer applies",
                                    rec->id, session_fsm_event_name(c->event));
        if (session_record_setf(&rec->status_reason, "%s: %s", word ? word : "stopped", cause) < 0)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        return 0;
}

int session_ops_stop(struct session_service *svc, const char *id, int event, const char *actor,
                     struct gs_session_record *ret_rec, struct session_op_info *info,
                     struct gs_error *err)
{
        return session_ops_stop_because(svc, id, event, actor, NULL, NULL, NULL, ret_rec, info,
                                        err);
}

int session_ops_stop_because(struct session_service *svc, const char *id, int event,
                             const char *actor, const char *cause, session_stop_guard_fn guard,
                             void *guard_ctx, struct gs_session_record *ret_rec,
                             struct session_op_info *info, struct gs_error *err)
{
        struct stop_args args = {.cause = cause, .guard = guard, .guard_ctx = guard_ctx};
        struct session_change c;
        struct gs_session_record rec;
        int r;

        info_init(info);
        session_change_init(&c, event, mutate_stop, &args);
        r = session_transition(svc, id, &c, &rec, err);
        info->old_status = c.old_status;
        info->idempotent = c.idempotent;
        if (r < 0)
                return r;
        if (!c.idempotent) {
                audit_record(session_service_storage(svc), actor, stop_audit_kind(event), id, NULL);
                LOG_INFO(COMPONENT, "%s: stopping (%s by %s)", id, session_fsm_event_name(event),
                         actor ? actor : "?");
                r = destroy_start(svc, id, 0);
                if (r < 0) {
                        LOG_ERR(COMPONENT,
                                "%s: cannot schedule the destroy (out of memory); it "
                                "resumes at the next start",
                                id);
                        r = 0; /* the session is durably stopping */
                }
        }
        *ret_rec = rec;
        return r;
}

/* ------------------------------------------------------------------------ */

struct extend_ctx {
        struct session_service *svc;
        uint32_t hours;
        struct session_op_info *info;
};

static int mutate_extend(struct gs_session_record *rec, int old_status, struct session_change *c,
                         struct gs_error *err)
{
        struct extend_ctx *x = c->ctx;
        uint32_t max = session_override_limit_hours(rec, x->svc->cfg.max_reservation_hours);
        char at[RFC3339_TEXT_MAX] = "?", limit[RFC3339_TEXT_MAX] = "?";
        int64_t new_expires;
        int r;

        (void)old_status;
        x->info->limit_hours = max;
        x->info->limit_at_ms = session_extend_expiry_ms(rec->started_at_ms, max);
        x->info->hours_left =
                session_extend_hours_left(rec->started_at_ms, rec->expires_at_ms, max);
        r = session_extend_compute(rec->started_at_ms, rec->expires_at_ms, x->hours, max,
                                   &new_expires);
        if (r == GS_E_TOOBIG) {
                (void)rfc3339_format_ms(session_extend_expiry_ms(rec->expires_at_ms, x->hours), at,
                                        sizeof(at));
                (void)rfc3339_format_ms(x->info->limit_at_ms, limit, sizeof(limit));
                return gs_error_set(err, GS_E_TOOBIG, 0,
                                    "extending by %u hours would end the session at %s, past "
                                    "the %u-hour hard maximum from started_at (%s); at most %u "
                                    "more hours are allowed (max_reservation_hours)",
                                    x->hours, at, max, limit, x->info->hours_left);
        }
        if (r < 0)
                return gs_error_set(err, r, 0, "session %s has not started", rec->id);
        rec->expires_at_ms = new_expires;
        rec->reservation_hours += x->hours;
        x->info->hours_left =
                session_extend_hours_left(rec->started_at_ms, rec->expires_at_ms, max);
        return 0;
}

int session_ops_extend(struct session_service *svc, const char *id, uint32_t hours,
                       const char *actor, struct gs_session_record *ret_rec,
                       struct session_op_info *info, struct gs_error *err)
{
        struct extend_ctx x = {.svc = svc, .hours = hours, .info = info};
        struct session_change c;
        char detail[64];
        int r;

        info_init(info);
        session_change_init(&c, SESSION_EV_EXTEND, mutate_extend, &x);
        r = session_transition(svc, id, &c, ret_rec, err);
        info->old_status = c.old_status;
        if (r == 0) {
                (void)snprintf(detail, sizeof(detail), "{\"additional_hours\":%u}", hours);
                audit_record(session_service_storage(svc), actor, "session.extend", id, detail);
        }
        return r;
}

static int mutate_heartbeat(struct gs_session_record *rec, int old_status, struct session_change *c,
                            struct gs_error *err)
{
        (void)old_status;
        (void)c;
        (void)err;
        rec->last_activity_ms = host_now_ms();
        return 0;
}

int session_ops_heartbeat(struct session_service *svc, const char *id,
                          struct gs_session_record *ret_rec, struct session_op_info *info,
                          struct gs_error *err)
{
        struct session_change c;
        int r;

        info_init(info);
        session_change_init(&c, SESSION_EV_HEARTBEAT, mutate_heartbeat, NULL);
        r = session_transition(svc, id, &c, ret_rec, err);
        info->old_status = c.old_status;
        return r;
}

/* ------------------------------------------------------------------------ */

int session_ops_diagnose(struct session_service *svc, const char *id,
                         struct session_diagnostics *ret_diag, struct gs_error *err)
{
        struct session_diagnostics d;
        struct plugin_instance *pi;
        struct gs_error e;
        int r;

        memset(&d, 0, sizeof(d));
        r = session_store_get(session_service_storage(svc), id, &d.rec, err);
        if (r < 0)
                return r;
        d.instance_status = 1;
        pi = registry_provider(svc->reg, d.rec.provider);
        if (d.rec.provider_instance_id && pi) {
                gs_error_init(&e);
                d.instance_status = provider_call_get(pi, d.rec.provider_instance_id, &d.inst, &e);
                if (d.instance_status < 0)
                        (void)snprintf(d.instance_error, sizeof(d.instance_error), "%s",
                                       gs_error_msg(&e));
        }
        d.has_probe = probe_notes_get(svc->probes, id, &d.probe) == 0;
        d.jobs_waiting = job_queue_waiting(svc->jobs);
        *ret_diag = d;
        return 0;
}

void session_diagnostics_done(struct session_diagnostics *d)
{
        if (!d)
                return;
        session_record_done(&d->rec);
        instance_state_done(&d->inst);
}
