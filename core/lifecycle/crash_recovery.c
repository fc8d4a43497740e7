/* crash_recovery.c - fail sessions a crash left before running, destroying their instances. */
#include "lifecycle/crash_recovery.h"

#include "domain/session_fsm.h"
#include "lifecycle/session_walk.h"
#include "log.h"
#include "session/session_ops.h"

#define COMPONENT "lifecycle"
#define ACTOR "lifecycle"

static const char cause[] =
        "the service restarted before the session was running, so its client may never have "
        "received the private key; its instance, if any, is destroyed and verified gone - "
        "provision again";

int crash_recovery_run(struct session_service *svc, int64_t boot_ms)
{
        struct session_list l;
        struct session_op_info info;
        struct gs_session_record rec;
        struct gs_error e;
        int n = 0, r;

        gs_error_init(&e);
        r = session_walk(svc, (1u << GS_SESSION_PENDING) | (1u << GS_SESSION_PROVISIONING), NULL,
                         &l, &e);
        if (r < 0) {
                LOG_ERR(COMPONENT, "crash recovery: cannot read the unfinished sessions: %s",
                        gs_error_msg(&e));
                return r;
        }
        for (size_t i = 0; i < l.count; i++) {
                const struct gs_session_record *s = &l.items[i];

                /* Sessions this process created are its own business. */
                if (s->created_at_ms >= boot_ms)
                        continue;
                gs_error_init(&e);
                r = session_ops_stop_because(svc, s->id, SESSION_EV_ABANDONED, ACTOR, cause, NULL,
                                             NULL, &rec, &info, &e);
                if (r < 0) {
                        if (r != GS_E_CONFLICT && r != GS_E_NOTFOUND)
                                LOG_ERR(COMPONENT, "crash recovery: %s: %s", s->id,
                                        gs_error_msg(&e));
                        continue;
                }
                LOG_WARN(COMPONENT,
                         "crash recovery: %s was %s when the previous run ended; failing it and "
                         "destroying its instance %s",
                         s->id, session_fsm_status_name(s->status),
                         s->provider_instance_id ? s->provider_instance_id
                                                 : "(none recorded: found by its label)");
                session_record_done(&rec);
                n++;
        }
        session_list_done(&l);
        return n;
}
