/*
 * session_walk.h - every stored session matching a filter, read page by page
 * into one list before the caller acts on any of them, so that acting
 * (which changes statuses) cannot shift the pages. For the lifecycle's scans
 * of active sessions. Thread-safe (no state).
 */
#ifndef GS_SESSION_WALK_H
#define GS_SESSION_WALK_H

#include "session/session_record.h"
#include "session/session_service.h"

/* 0 and *ret_list (free with session_list_done), or the storage failure. */
int session_walk(struct session_service *svc, uint32_t status_mask, const char *provider,
                 struct session_list *ret_list, struct gs_error *err);

#endif /* GS_SESSION_WALK_H */
