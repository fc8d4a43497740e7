/* audit.c - stores audit events through the storage plugin. */
#include "audit.h"

#include "log.h"
#include "plugin/host_api.h"
#include "status.h"

void audit_record(struct plugin_instance *storage, const char *actor, const char *kind,
                  const char *session_id, const char *detail_json)
{
        struct gs_event ev = {.struct_size = sizeof(ev)};
        struct gs_error err;
        int r;

        if (!storage)
                return;
        ev.at_ms = host_now_ms();
        ev.kind = kind;
        ev.actor = actor;
        ev.session_id = session_id;
        ev.detail_json = detail_json;
        gs_error_init(&err);
        registry_enter(storage);
        r = storage->storage->event_append(storage->instance, &ev, &err);
        registry_leave(storage);
        if (r < 0)
                LOG_ERR("audit", "cannot record '%s' by %s: %s", kind, actor ? actor : "?",
                        gs_error_msg(&err));
}
