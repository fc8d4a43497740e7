/* session_fsm.c - the session transition table and the status/event/reason names. */
#include "domain/session_fsm.h"

#include <stddef.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define NO_REASON _SESSION_STOP_REASON_INVALID

/* X(value, name): one row per status, so names cannot drift from values. */
#define SESSION_STATUS_MAP(X)                                                                      \
        X(GS_SESSION_PENDING, "pending")                                                           \
        X(GS_SESSION_PROVISIONING, "provisioning")                                                 \
        X(GS_SESSION_RUNNING, "running")                                                           \
        X(GS_SESSION_STOPPING, "stopping")                                                         \
        X(GS_SESSION_STOPPED, "stopped")                                                           \
        X(GS_SESSION_FAILED, "failed")

#define SESSION_EVENT_MAP(X)                                                                       \
        X(SESSION_EV_PROVISION_START, "provision_start")                                           \
        X(SESSION_EV_INSTANCE_CREATED, "instance_created")                                         \
        X(SESSION_EV_VERIFIED, "verified")                                                         \
        X(SESSION_EV_CREATE_FAILED, "create_failed")                                               \
        X(SESSION_EV_VERIFY_FAILED, "verify_failed")                                               \
        X(SESSION_EV_VERIFY_TIMEOUT, "verify_timeout")                                             \
        X(SESSION_EV_ABANDONED, "abandoned")                                                       \
        X(SESSION_EV_FAULT, "fault")                                                               \
        X(SESSION_EV_DONE, "done")                                                                 \
        X(SESSION_EV_DELETE, "delete")                                                             \
        X(SESSION_EV_EXPIRE, "expire")                                                             \
        X(SESSION_EV_HARD_MAX, "hard_max")                                                         \
        X(SESSION_EV_IDLE, "idle")                                                                 \
        X(SESSION_EV_BUDGET, "budget")                                                             \
        X(SESSION_EV_GHOST, "ghost")                                                               \
        X(SESSION_EV_DESTROY_VERIFIED, "destroy_verified")                                         \
        X(SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT, "destroy_verified_after_fault")                 \
        X(SESSION_EV_EXTEND, "extend")                                                             \
        X(SESSION_EV_HEARTBEAT, "heartbeat")                                                       \
        X(SESSION_EV_PROVISION_TIMEOUT, "provision_timeout")                                       \
        X(SESSION_EV_DESTROY_RETRY, "destroy_retry")                                               \
        X(SESSION_EV_OVERRIDE, "override")

/* X(value, name, is_fault) */
#define SESSION_STOP_REASON_MAP(X)                                                                 \
        X(SESSION_STOP_DONE, "done", false)                                                        \
        X(SESSION_STOP_DELETED, "deleted", false)                                                  \
        X(SESSION_STOP_EXPIRED, "expired", false)                                                  \
        X(SESSION_STOP_HARD_MAX, "hard_max", false)                                                \
        X(SESSION_STOP_IDLE, "idle", false)                                                        \
        X(SESSION_STOP_GHOST, "ghost", false)                                                      \
        X(SESSION_STOP_BUDGET, "budget", false)                                                    \
        X(SESSION_STOP_PROVISION_FAILED, "provision_failed", true)                                 \
        X(SESSION_STOP_VERIFY_FAILED, "verify_failed", true)                                       \
        X(SESSION_STOP_VERIFY_TIMEOUT, "verify_timeout", true)                                     \
        X(SESSION_STOP_INSTANCE_STOPPED, "instance_stopped", true)                                 \
        X(SESSION_STOP_INSTANCE_VANISHED, "instance_vanished", true)                               \
        X(SESSION_STOP_CRASH_RECOVERY, "crash_recovery", true)                                     \
        X(SESSION_STOP_PROVISION_TIMEOUT, "provision_timeout", true)

static const char *const status_names[] = {
#define X_(value, name) [value] = name,
        SESSION_STATUS_MAP(X_)
#undef X_
};

static const char *const event_names[] = {
#define X_(value, name) [value] = name,
        SESSION_EVENT_MAP(X_)
#undef X_
};

static const struct {
        const char *name;
        bool is_fault;
} stop_reasons[] = {
#define X_(value, name, fault) [value] = {name, fault},
        SESSION_STOP_REASON_MAP(X_)
#undef X_
};

_Static_assert(ARRAY_LEN(status_names) == SESSION_STATUS_COUNT, "status map out of date");
_Static_assert(GS_SESSION_FAILED == SESSION_STATUS_COUNT - 1, "statuses are not 0..COUNT-1");
_Static_assert(ARRAY_LEN(event_names) == _SESSION_EV_MAX, "event map out of date");
_Static_assert(ARRAY_LEN(stop_reasons) == _SESSION_STOP_REASON_MAX, "reason map out of date");

/*
 * Every allowed (status, event) pair; anything absent is a conflict. `reason`
 * is the stop reason the transition implies, or NO_REASON.
 */
static const struct {
        int from;
        int event;
        int to;
        int reason;
} transitions[] = {
        {GS_SESSION_PENDING, SESSION_EV_PROVISION_START, GS_SESSION_PROVISIONING, NO_REASON},
        {GS_SESSION_PENDING, SESSION_EV_CREATE_FAILED, GS_SESSION_FAILED,
         SESSION_STOP_PROVISION_FAILED},
        {GS_SESSION_PENDING, SESSION_EV_ABANDONED, GS_SESSION_STOPPING,
         SESSION_STOP_CRASH_RECOVERY},
        {GS_SESSION_PENDING, SESSION_EV_DONE, GS_SESSION_STOPPING, SESSION_STOP_DONE},
        {GS_SESSION_PENDING, SESSION_EV_DELETE, GS_SESSION_STOPPING, SESSION_STOP_DELETED},
        {GS_SESSION_PENDING, SESSION_EV_PROVISION_TIMEOUT, GS_SESSION_STOPPING,
         SESSION_STOP_PROVISION_TIMEOUT},
        {GS_SESSION_PENDING, SESSION_EV_OVERRIDE, GS_SESSION_PENDING, NO_REASON},

        {GS_SESSION_PROVISIONING, SESSION_EV_INSTANCE_CREATED, GS_SESSION_PROVISIONING, NO_REASON},
        {GS_SESSION_PROVISIONING, SESSION_EV_VERIFIED, GS_SESSION_RUNNING, NO_REASON},
        {GS_SESSION_PROVISIONING, SESSION_EV_CREATE_FAILED, GS_SESSION_FAILED,
         SESSION_STOP_PROVISION_FAILED},
        {GS_SESSION_PROVISIONING, SESSION_EV_VERIFY_FAILED, GS_SESSION_STOPPING,
         SESSION_STOP_VERIFY_FAILED},
        {GS_SESSION_PROVISIONING, SESSION_EV_VERIFY_TIMEOUT, GS_SESSION_STOPPING,
         SESSION_STOP_VERIFY_TIMEOUT},
        {GS_SESSION_PROVISIONING, SESSION_EV_ABANDONED, GS_SESSION_STOPPING,
         SESSION_STOP_CRASH_RECOVERY},
        {GS_SESSION_PROVISIONING, SESSION_EV_DONE, GS_SESSION_STOPPING, SESSION_STOP_DONE},
        {GS_SESSION_PROVISIONING, SESSION_EV_DELETE, GS_SESSION_STOPPING, SESSION_STOP_DELETED},
        {GS_SESSION_PROVISIONING, SESSION_EV_BUDGET, GS_SESSION_STOPPING, SESSION_STOP_BUDGET},
        {GS_SESSION_PROVISIONING, SESSION_EV_GHOST, GS_SESSION_FAILED,
         SESSION_STOP_INSTANCE_VANISHED},
        {GS_SESSION_PROVISIONING, SESSION_EV_PROVISION_TIMEOUT, GS_SESSION_STOPPING,
         SESSION_STOP_PROVISION_TIMEOUT},
        {GS_SESSION_PROVISIONING, SESSION_EV_OVERRIDE, GS_SESSION_PROVISIONING, NO_REASON},

        {GS_SESSION_RUNNING, SESSION_EV_FAULT, GS_SESSION_STOPPING, SESSION_STOP_INSTANCE_STOPPED},
        {GS_SESSION_RUNNING, SESSION_EV_DONE, GS_SESSION_STOPPING, SESSION_STOP_DONE},
        {GS_SESSION_RUNNING, SESSION_EV_DELETE, GS_SESSION_STOPPING, SESSION_STOP_DELETED},
        {GS_SESSION_RUNNING, SESSION_EV_EXPIRE, GS_SESSION_STOPPING, SESSION_STOP_EXPIRED},
        {GS_SESSION_RUNNING, SESSION_EV_HARD_MAX, GS_SESSION_STOPPING, SESSION_STOP_HARD_MAX},
        {GS_SESSION_RUNNING, SESSION_EV_IDLE, GS_SESSION_STOPPING, SESSION_STOP_IDLE},
        {GS_SESSION_RUNNING, SESSION_EV_BUDGET, GS_SESSION_STOPPING, SESSION_STOP_BUDGET},
        {GS_SESSION_RUNNING, SESSION_EV_GHOST, GS_SESSION_STOPPED, SESSION_STOP_GHOST},
        {GS_SESSION_RUNNING, SESSION_EV_EXTEND, GS_SESSION_RUNNING, NO_REASON},
        {GS_SESSION_RUNNING, SESSION_EV_HEARTBEAT, GS_SESSION_RUNNING, NO_REASON},
        {GS_SESSION_RUNNING, SESSION_EV_OVERRIDE, GS_SESSION_RUNNING, NO_REASON},

        /* Idempotent: the destroy already under way is the only one. */
        {GS_SESSION_STOPPING, SESSION_EV_DONE, GS_SESSION_STOPPING, NO_REASON},
        {GS_SESSION_STOPPING, SESSION_EV_DELETE, GS_SESSION_STOPPING, NO_REASON},
        {GS_SESSION_STOPPING, SESSION_EV_DESTROY_RETRY, GS_SESSION_STOPPING, NO_REASON},
        {GS_SESSION_STOPPING, SESSION_EV_DESTROY_VERIFIED, GS_SESSION_STOPPED, NO_REASON},
        {GS_SESSION_STOPPING, SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT, GS_SESSION_FAILED,
         NO_REASON},
};

static bool is_status(int status)
{
        return status >= 0 && status < SESSION_STATUS_COUNT;
}

static bool is_event(int event)
{
        return event >= 0 && event < _SESSION_EV_MAX;
}

static bool is_reason(int reason)
{
        return reason >= 0 && reason < _SESSION_STOP_REASON_MAX;
}

/* The transitions[] index for (status, event), or -1. */
static int find(int status, int event)
{
        for (size_t i = 0; i < ARRAY_LEN(transitions); i++)
                if (transitions[i].from == status && transitions[i].event == event)
                        return (int)i;
        return -1;
}

const char *session_fsm_status_name(int status)
{
        return is_status(status) ? status_names[status] : NULL;
}

int session_fsm_status_parse(const char *name, int *ret_status)
{
        if (!name || !ret_status)
                return GS_E_INVAL;
        for (int i = 0; i < SESSION_STATUS_COUNT; i++) {
                if (strcmp(status_names[i], name) == 0) {
                        *ret_status = i;
                        return 0;
                }
        }
        return GS_E_INVAL;
}

const char *session_fsm_event_name(int event)
{
        return is_event(event) ? event_names[event] : NULL;
}

const char *session_fsm_stop_reason_name(int reason)
{
        return is_reason(reason) ? stop_reasons[reason].name : NULL;
}

int session_fsm_stop_reason_parse(const char *name, int *ret_reason)
{
        if (!name || !ret_reason)
                return GS_E_INVAL;
        for (int i = 0; i < _SESSION_STOP_REASON_MAX; i++) {
                if (strcmp(stop_reasons[i].name, name) == 0) {
                        *ret_reason = i;
                        return 0;
                }
        }
        return GS_E_INVAL;
}

int session_fsm_next(int status, int event, int *ret_status)
{
        int i;

        if (!is_status(status) || !is_event(event) || !ret_status)
                return GS_E_INVAL;
        i = find(status, event);
        if (i < 0)
                return GS_E_CONFLICT;
        *ret_status = transitions[i].to;
        return 0;
}

bool session_fsm_is_terminal(int status)
{
        return status == GS_SESSION_STOPPED || status == GS_SESSION_FAILED;
}

bool session_fsm_is_active(int status)
{
        return status == GS_SESSION_PENDING || status == GS_SESSION_PROVISIONING ||
               status == GS_SESSION_RUNNING;
}

bool session_fsm_is_idempotent_stop(int status, int event)
{
        return status == GS_SESSION_STOPPING &&
               (event == SESSION_EV_DONE || event == SESSION_EV_DELETE);
}

int session_fsm_stop_reason(int status, int event)
{
        int i;

        if (!is_status(status) || !is_event(event))
                return _SESSION_STOP_REASON_INVALID;
        i = find(status, event);
        if (i < 0)
                return _SESSION_STOP_REASON_INVALID;
        return transitions[i].reason;
}

bool session_fsm_stop_reason_is_fault(int reason)
{
        return is_reason(reason) && stop_reasons[reason].is_fault;
}
