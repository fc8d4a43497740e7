/*
 * session_override.h - the admin's hard-maximum override (ARCHITECTURE §8):
 * the only way for a session to run, or be extended, past the hard maximum
 * measured from started_at. It sets the session's own limit to N hours from
 * started_at, is recorded in the session (flag SESSION_FLAG_HARD_MAX_OVERRIDE
 * and detail_json "hard_max_override": {"hours", "reason", "by", "at_ms"})
 * and in the audit trail (`session.hard_max_override`, with the reason).
 * Reached only through POST /api/v1/sessions/:id/override, an admin route.
 * Thread-safe.
 */
#ifndef GS_SESSION_OVERRIDE_H
#define GS_SESSION_OVERRIDE_H

#include <stdint.h>

#include "session/session_ops.h"

/* Longest reason accepted (bytes). */
#define SESSION_OVERRIDE_REASON_MAX 500

/* The session's overriding hard maximum: 0 and *ret_hours, or GS_E_NOTFOUND
 * when it has none. */
int session_override_hours(const struct gs_session_record *rec, uint32_t *ret_hours);
/* The hours past started_at a session may run: its override, else
 * default_hours. */
uint32_t session_override_limit_hours(const struct gs_session_record *rec, uint32_t default_hours);

/*
 * Set session id's hard maximum to `hours` from started_at because of
 * `reason` (non-empty), acting as `actor`; audited. 0 and the updated
 * session; GS_E_NOTFOUND; GS_E_CONFLICT when it is stopping, stopped or
 * failed (info->old_status names the status).
 */
int session_ops_override(struct session_service *svc, const char *id, uint32_t hours,
                         const char *reason, const char *actor, struct gs_session_record *ret_rec,
                         struct session_op_info *info, struct gs_error *err);

#endif /* GS_SESSION_OVERRIDE_H */
