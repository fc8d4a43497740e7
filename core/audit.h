/*
 * audit.h - the audit trail: one stored event per state-changing API action
 * (session create/extend/done/delete, overrides, token changes) with the
 * acting principal. Thread-safe; a storage failure is logged here, once,
 * and does not fail the action that was already durable.
 */
#ifndef GS_AUDIT_H
#define GS_AUDIT_H

#include "plugin/registry.h"

/* detail_json may be NULL; session_id may be NULL. */
void audit_record(struct plugin_instance *storage, const char *actor, const char *kind,
                  const char *session_id, const char *detail_json);

#endif /* GS_AUDIT_H */
