/*
 * session_fsm.h - the session state machine: statuses, the events that move a
 * session between them, and the reasons a session stops.
 *
 *   pending -> provisioning -> running -> stopping -> stopped
 *   failed (terminal) from pending/provisioning when no instance can exist,
 *   or from stopping when the instance was verified gone after a fault.
 *
 * Every change of status goes through session_fsm_next(); storage then
 * applies it with compare-and-set on the old status, so two actors can never
 * both win. Statuses are the SDK's GS_SESSION_* values (stored as is).
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_SESSION_FSM_H
#define GS_SESSION_FSM_H

#include <stdbool.h>

#include "gpushop/plugin.h"

/* Statuses are GS_SESSION_PENDING (0) .. GS_SESSION_FAILED (5). */
#define SESSION_STATUS_COUNT 6

/*
 * What happened to a session. Self-loops (next status == current) are
 * transitions too: they tell the caller "allowed, write the fields".
 */
enum session_event {
        SESSION_EV_PROVISION_START,   /* pending -> provisioning: about to call create */
        SESSION_EV_INSTANCE_CREATED,  /* provisioning -> provisioning: store instance id/SSH */
        SESSION_EV_VERIFIED,          /* provisioning -> running: SSH verification passed */
        SESSION_EV_CREATE_FAILED,     /* pending|provisioning -> failed: the provider created
                                         nothing (when unsure, use VERIFY_FAILED instead) */
        SESSION_EV_VERIFY_FAILED,     /* provisioning -> stopping: terminal provider state or
                                         permanent SSH error; destroy, then end failed */
        SESSION_EV_VERIFY_TIMEOUT,    /* provisioning -> stopping: verification deadline */
        SESSION_EV_ABANDONED,         /* pending|provisioning -> stopping: found at startup, the
                                         client may never have received the key */
        SESSION_EV_FAULT,             /* running -> stopping: the instance broke (provider
                                         reports it stopped); destroy, then end failed */
        SESSION_EV_DONE,              /* pending|provisioning|running -> stopping; idempotent
                                         while stopping */
        SESSION_EV_DELETE,            /* as DONE */
        SESSION_EV_EXPIRE,            /* running -> stopping: expires_at reached */
        SESSION_EV_HARD_MAX,          /* running -> stopping: hard max from started_at */
        SESSION_EV_IDLE,              /* running -> stopping: idle threshold */
        SESSION_EV_BUDGET,            /* provisioning|running -> stopping: budget exhausted */
        SESSION_EV_GHOST,             /* running -> stopped, provisioning -> failed: provider
                                         confirmed (twice) it no longer has the instance */
        SESSION_EV_DESTROY_VERIFIED,  /* stopping -> stopped: instance confirmed gone */
        SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT, /* stopping -> failed: confirmed gone after a
                                                    fault (session_fsm_stop_reason_is_fault) */
        SESSION_EV_EXTEND,            /* running -> running: new expires_at */
        SESSION_EV_HEARTBEAT,         /* running -> running: activity */
        SESSION_EV_PROVISION_TIMEOUT, /* pending|provisioning -> stopping: still not running
                                         [lifecycle] provisioning_timeout after creation */
        SESSION_EV_DESTROY_RETRY,     /* stopping -> stopping: record why the destroy is not
                                         verified yet (status_reason) */
        SESSION_EV_OVERRIDE,          /* pending|provisioning|running -> same: an admin's
                                         audited hard-maximum override */
        _SESSION_EV_MAX,
        _SESSION_EV_INVALID = -1
};

/* Why a session stopped; stored as status_reason's leading word and used as
 * the `reason` label of gs_session_stops_total. */
enum session_stop_reason {
        SESSION_STOP_DONE,              /* the consumer called /done */
        SESSION_STOP_DELETED,           /* DELETE */
        SESSION_STOP_EXPIRED,           /* reservation ended */
        SESSION_STOP_HARD_MAX,          /* hard maximum from started_at */
        SESSION_STOP_IDLE,              /* no activity for idle_threshold_minutes */
        SESSION_STOP_GHOST,             /* the provider lost a running instance */
        SESSION_STOP_BUDGET,            /* a budget was exhausted */
        SESSION_STOP_PROVISION_FAILED,  /* create_instance failed */
        SESSION_STOP_VERIFY_FAILED,     /* SSH verification failed permanently */
        SESSION_STOP_VERIFY_TIMEOUT,    /* SSH verification did not pass in time */
        SESSION_STOP_INSTANCE_STOPPED,  /* the provider reports the instance stopped */
        SESSION_STOP_INSTANCE_VANISHED, /* the instance disappeared while provisioning */
        SESSION_STOP_CRASH_RECOVERY,    /* abandoned by a restart before running */
        SESSION_STOP_PROVISION_TIMEOUT, /* not running within provisioning_timeout */
        _SESSION_STOP_REASON_MAX,
        _SESSION_STOP_REASON_INVALID = -1
};

/* "pending", ...; NULL for a value that is not a status. */
const char *session_fsm_status_name(int status);
/* Exact lower-case name -> GS_SESSION_*; 0 or GS_E_INVAL. */
int session_fsm_status_parse(const char *name, int *ret_status);
/* "provision_start", ...; NULL for a value that is not an event. */
const char *session_fsm_event_name(int event);
/* "done", "hard_max", ...; NULL for a value that is not a reason. */
const char *session_fsm_stop_reason_name(int reason);
/* Exact lower-case name -> SESSION_STOP_*; 0 or GS_E_INVAL. */
int session_fsm_stop_reason_parse(const char *name, int *ret_reason);

/*
 * The status after `event` on a session in `status`. Returns 0 and writes
 * *ret_status, GS_E_CONFLICT when the event is not allowed in that status
 * (HTTP 409 naming the current status), or GS_E_INVAL for a value that is not
 * a status or an event, or a NULL ret_status.
 *
 * A 0 return does not always mean "act": DONE and DELETE while stopping
 * return 0 with stopping, and must not destroy again (see
 * session_fsm_is_idempotent_stop()).
 */
int session_fsm_next(int status, int event, int *ret_status);

/* stopped or failed: nothing can happen to it any more. */
bool session_fsm_is_terminal(int status);
/* pending, provisioning or running: the consumer's session is live (duplicate
 * checks, per-consumer limits). Note that stopping is neither active nor
 * terminal: its instance still exists and must not be treated as an orphan. */
bool session_fsm_is_active(int status);
/* DONE or DELETE on a session already stopping: answer 200, no second
 * destroy. */
bool session_fsm_is_idempotent_stop(int status, int event);
/* The reason implied by an event that starts stopping or ends a session from
 * `status` (DONE -> done, GHOST from provisioning -> instance_vanished, ...);
 * _SESSION_STOP_REASON_INVALID when the transition does not stop the session,
 * is not allowed, or (DESTROY_VERIFIED*) only completes an earlier stop. */
int session_fsm_stop_reason(int status, int event);
/* A stop after which the session ends failed rather than stopped: finish its
 * destroy with SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT. */
bool session_fsm_stop_reason_is_fault(int reason);

#endif /* GS_SESSION_FSM_H */
