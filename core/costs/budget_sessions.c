/* budget_sessions.c - stopping a session for its consumer's budget. */
#include "costs/budget_sessions.h"

#include "costs/budget.h"
#include "domain/session_fsm.h"
#include "session/session_ops.h"
#include "status.h"

int budget_sessions_stop(void *ctx, const char *session_id, const char *consumer_id)
{
        struct session_service *svc = ctx;
        struct gs_session_record rec = {0};
        struct session_op_info info;
        struct gs_error err;
        int r;

        (void)consumer_id;
        gs_error_init(&err);
        r = session_ops_stop(svc, session_id, SESSION_EV_BUDGET, BUDGET_ACTOR, &rec, &info, &err);
        if (r == 0)
                session_record_done(&rec);
        /* ended meanwhile, or not stoppable in its current status (pending) */
        if (r == GS_E_NOTFOUND || r == GS_E_CONFLICT)
                return 0;
        return r;
}
