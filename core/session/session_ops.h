/*
 * session_ops.h - the session API's operations behind the HTTP layer: read,
 * list, done/DELETE (stopping + verified destroy, idempotent while
 * stopping), extend (never past the hard maximum from started_at), heartbeat
 * and diagnostics. Every change goes through session_transition().
 * Thread-safe; only diagnostics calls a provider.
 */
#ifndef GS_SESSION_OPS_H
#define GS_SESSION_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "session/probe_notes.h"
#include "session/provider_call.h"
#include "session/session_record.h"
#include "session/session_service.h"

/* What an operation saw, for precise HTTP answers (also on failure). */
struct session_op_info {
        int old_status;       /* status when the operation read it; -1 = not read */
        bool idempotent;      /* done/DELETE on a stopping session: nothing changed */
        uint32_t limit_hours; /* extend: the hard maximum */
        uint32_t hours_left;  /* extend: most hours still allowed */
        int64_t limit_at_ms;  /* extend: started_at + hard maximum */
};

int session_ops_get(struct session_service *svc, const char *id, struct gs_session_record *ret_rec,
                    struct gs_error *err);
int session_ops_list(struct session_service *svc, const struct gs_session_filter *filter,
                     struct session_list *ret_list, struct gs_error *err);

/* event SESSION_EV_DONE, SESSION_EV_DELETE or another stopping event
 * (SESSION_EV_BUDGET, ...). 0 and the session (stopping);
 * GS_E_NOTFOUND; GS_E_CONFLICT (info->old_status names the status). */
int session_ops_stop(struct session_service *svc, const char *id, int event, const char *actor,
                     struct gs_session_record *ret_rec, struct session_op_info *info,
                     struct gs_error *err);
/* Asked under the session's lock with the freshly read record (rec->status
 * is already the new one; old_status the stored one): false abandons the stop
 * with GS_E_CONFLICT because its reason no longer holds (an extension or a
 * heartbeat came first). */
typedef bool (*session_stop_guard_fn)(const struct gs_session_record *rec, int old_status,
                                      void *ctx);

/* The same with the words after the reason word in status_reason ("expired:
 * <cause>"; cause NULL = the event's usual words) and an optional guard. For
 * the lifecycle's rules, whose cause names the limit that fired. */
int session_ops_stop_because(struct session_service *svc, const char *id, int event,
                             const char *actor, const char *cause, session_stop_guard_fn guard,
                             void *guard_ctx, struct gs_session_record *ret_rec,
                             struct session_op_info *info, struct gs_error *err);
/* 0 and the extended session; GS_E_TOOBIG past the hard maximum (info has
 * the limit); GS_E_CONFLICT when not running; GS_E_NOTFOUND. */
int session_ops_extend(struct session_service *svc, const char *id, uint32_t hours,
                       const char *actor, struct gs_session_record *ret_rec,
                       struct session_op_info *info, struct gs_error *err);
/* Record activity now. 0, GS_E_CONFLICT when not running, GS_E_NOTFOUND. */
int session_ops_heartbeat(struct session_service *svc, const char *id,
                          struct gs_session_record *ret_rec, struct session_op_info *info,
                          struct gs_error *err);

struct session_diagnostics {
        struct gs_session_record rec;
        int instance_status; /* 0: inst is valid; 1: no instance id; else GS_E_* */
        struct instance_state inst;
        char instance_error[GS_ERROR_MSG_MAX];
        bool has_probe; /* verification in progress: its last probe */
        struct probe_note probe;
        size_t jobs_waiting; /* background jobs queued (all sessions) */
};

/* The session plus what its provider says about the instance now. */
int session_ops_diagnose(struct session_service *svc, const char *id,
                         struct session_diagnostics *ret_diag, struct gs_error *err);
void session_diagnostics_done(struct session_diagnostics *d);

#endif /* GS_SESSION_OPS_H */
