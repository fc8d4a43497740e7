/*
 * session_store.h - the session service's access to the storage plugin:
 * sessions (insert, get, list, compare-and-set update) and audit events, with
 * results copied into owned records (session_record.h).
 *
 * Thread-safe: every call goes through registry_enter()/registry_leave().
 * Functions fill err and do not log, except session_store_event(), which is
 * best effort and logs its own failure.
 */
#ifndef GS_SESSION_STORE_H
#define GS_SESSION_STORE_H

#include <stdint.h>

#include "plugin/registry.h"
#include "session/session_record.h"
#include "status.h"

/* Page size used when walking every session of a filter. */
#define SESSION_STORE_PAGE 500

/* GS_E_EXISTS for a duplicate id or (consumer_id, idempotency_key). */
int session_store_insert(struct plugin_instance *st, const struct gs_session_record *rec,
                         struct gs_error *err);
/* 0 and an owned copy in *ret_rec, GS_E_NOTFOUND, or another failure. */
int session_store_get(struct plugin_instance *st, const char *id, struct gs_session_record *ret_rec,
                      struct gs_error *err);
/* Stamp rec->updated_at_ms and write every mutable field if the stored
 * status is expected_status (GS_E_CONFLICT otherwise; GS_E_NOTFOUND). The
 * ledger entry, when given, is appended in the same transaction. */
int session_store_update(struct plugin_instance *st, struct gs_session_record *rec,
                         int expected_status, const struct gs_cost_entry *ledger,
                         struct gs_error *err);
/* One page of matches, newest first, into *ret_list (which must be empty). */
int session_store_list(struct plugin_instance *st, const struct gs_session_filter *filter,
                       struct session_list *ret_list, struct gs_error *err);
/* The session a consumer created with this idempotency key: 0 and *ret_rec,
 * GS_E_NOTFOUND, or another failure. */
int session_store_find_idempotent(struct plugin_instance *st, const char *consumer_id,
                                  const char *key, struct gs_session_record *ret_rec,
                                  struct gs_error *err);
/* Append an audit event "session.<what>" (best effort; a failure is logged). */
void session_store_event(struct plugin_instance *st, const char *kind, const char *actor,
                         const char *session_id, const char *detail_json);

#endif /* GS_SESSION_STORE_H */
