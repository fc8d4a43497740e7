/* session_transition.c - lock, read, check with the FSM, mutate, compare-and-set. */
#include "session/session_transition.h"

#include <stdio.h>
#include <string.h>

#include "domain/cost_meter.h"
#include "session/session_store.h"

/* The event recording why a session stopped (gs_session_stops_total). */
#define STOP_REASON_EVENT "session.stop_reason"

/* A transition that stops the session (or ends it at once, a ghost) is
 * recorded with its reason, once, after the write succeeded. */
static void record_stop_reason(struct session_service *svc, const char *id, int old_status,
                               int event)
{
        int why = session_fsm_stop_reason(old_status, event);
        const char *reason = session_fsm_stop_reason_name(why);
        char detail[160];

        if (!reason)
                return;
        (void)snprintf(detail, sizeof(detail),
                       "{\"reason\":\"%s\",\"from\":\"%s\",\"event\":\"%s\"}", reason,
                       session_fsm_status_name(old_status), session_fsm_event_name(event));
        session_store_event(session_service_storage(svc), STOP_REASON_EVENT, SESSION_ACTOR_SERVICE,
                            id, detail);
}

void session_change_init(struct session_change *c, int event, session_mutate_fn fn, void *ctx)
{
        memset(c, 0, sizeof(*c));
        c->event = event;
        c->fn = fn;
        c->ctx = ctx;
        c->old_status = -1;
}

int session_change_bill(struct session_change *c, struct gs_session_record *rec,
                        struct gs_error *err)
{
        struct gs_cost_entry e;

        if (!cost_meter_has_instance(rec)) {
                rec->cost_uusd = 0; /* never billed; nothing for the ledger */
                return 0;
        }
        if (cost_meter_final_entry(rec, rec->stopped_at_ms, &e) < 0)
                return gs_error_set(err, GS_E_INVAL, 0,
                                    "session %s: cannot bill a record without its id, provider "
                                    "or GPU type",
                                    rec->id ? rec->id : "(no id)");
        rec->cost_uusd = e.amount_uusd;
        c->ledger = e;
        c->has_ledger = true;
        return 0;
}

int session_transition_locked(struct session_service *svc, const char *id, struct session_change *c,
                              struct gs_session_record *ret_rec, struct gs_error *err)
{
        struct plugin_instance *st = session_service_storage(svc);
        struct gs_session_record rec;
        int next;
        int r;

        memset(&rec, 0, sizeof(rec));
        c->idempotent = false;
        c->has_ledger = false;
        r = session_store_get(st, id, &rec, err);
        if (r < 0)
                return r;
        c->old_status = rec.status;
        r = session_fsm_next(rec.status, c->event, &next);
        if (r == GS_E_CONFLICT) {
                r = gs_error_set(err, GS_E_CONFLICT, 0,
                                 "session %s is %s: '%s' is not allowed in that state", id,
                                 session_fsm_status_name(rec.status),
                                 session_fsm_event_name(c->event));
                goto done;
        }
        if (r < 0) {
                r = gs_error_set(err, r, 0, "session %s: invalid transition", id);
                goto done;
        }
        c->idempotent = session_fsm_is_idempotent_stop(rec.status, c->event);
        if (!c->idempotent) {
                rec.status = next;
                if (c->fn) {
                        r = c->fn(&rec, c->old_status, c, err);
                        if (r < 0)
                                goto done;
                }
                r = session_store_update(st, &rec, c->old_status, c->has_ledger ? &c->ledger : NULL,
                                         err);
                if (r == GS_E_CONFLICT)
                        r = gs_error_set(err, GS_E_CONFLICT, 0,
                                         "session %s changed concurrently (another replica?)", id);
                if (r < 0)
                        goto done;
                record_stop_reason(svc, id, c->old_status, c->event);
        }
        if (ret_rec) {
                *ret_rec = rec;
                return 0;
        }
done:
        session_record_done(&rec);
        return r;
}

int session_transition(struct session_service *svc, const char *id, struct session_change *c,
                       struct gs_session_record *ret_rec, struct gs_error *err)
{
        int r;

        r = session_locks_acquire(svc->locks, id);
        if (r < 0)
                return gs_error_set(err, r, 0, "session %s: cannot take its lock", id);
        r = session_transition_locked(svc, id, c, ret_rec, err);
        session_locks_release(svc->locks, id);
        return r;
}
