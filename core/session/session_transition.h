/*
 * session_transition.h - the one way a session's stored state changes: under
 * the session's in-process lock, read the record, ask the state machine
 * (session_fsm_next) whether `event` is allowed, let the caller change
 * fields, then compare-and-set on the status that was read. Two actors can
 * never both win; DONE/DELETE on a stopping session change nothing.
 * Thread-safe.
 */
#ifndef GS_SESSION_TRANSITION_H
#define GS_SESSION_TRANSITION_H

#include <stdbool.h>

#include "domain/session_fsm.h"
#include "session/session_service.h"

struct session_change;

/* Change fields of rec (its status is already the new one; old_status is the
 * stored one). Return 0 to write, or a GS_E_* (with err) to abandon. */
typedef int (*session_mutate_fn)(struct gs_session_record *rec, int old_status,
                                 struct session_change *change, struct gs_error *err);

struct session_change {
        int event;            /* enum session_event */
        session_mutate_fn fn; /* may be NULL */
        void *ctx;            /* for fn */
        /* Filled by fn when the write must append a ledger entry. */
        struct gs_cost_entry ledger;
        bool has_ledger;
        /* Outputs, written on success and on failure: */
        int old_status;  /* status read, -1 when the session was not read */
        bool idempotent; /* DONE/DELETE on a stopping session: nothing written */
};

void session_change_init(struct session_change *c, int event, session_mutate_fn fn, void *ctx);

/*
 * For a mutate function that ends billing at rec->stopped_at_ms (set by the
 * caller): rec->cost_uusd becomes the final cost (core/domain/cost_meter) and,
 * when the session ever had an instance, its one ledger entry is queued on c
 * for the same write (without one, the cost is 0 and nothing is queued). The
 * entry borrows rec's strings: call it on the record the mutate function was
 * given. GS_E_INVAL (with err) when a session with an instance lacks its id,
 * provider or GPU type (the ledger could not hold it).
 */
int session_change_bill(struct session_change *c, struct gs_session_record *rec,
                        struct gs_error *err);

/*
 * Apply c to session id. 0 and (when ret_rec is not NULL) the record as
 * written; GS_E_NOTFOUND; GS_E_CONFLICT with err naming the current status
 * when the event is not allowed (or the status changed between read and
 * write); the mutate function's error; storage errors.
 */
int session_transition(struct session_service *svc, const char *id, struct session_change *c,
                       struct gs_session_record *ret_rec, struct gs_error *err);
/* The same, for a caller that already holds the session's lock. */
int session_transition_locked(struct session_service *svc, const char *id, struct session_change *c,
                              struct gs_session_record *ret_rec, struct gs_error *err);

#endif /* GS_SESSION_TRANSITION_H */
