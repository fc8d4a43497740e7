/* session_override.c - the audited hard-maximum override of one session. */
#include "session/session_override.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "domain/session_flags.h"
#include "domain/session_fsm.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/session_detail.h"
#include "session/session_transition.h"

#define COMPONENT "sessions"
#define DETAIL_KEY "hard_max_override"
#define AUDIT_KIND "session.hard_max_override"

int session_override_hours(const struct gs_session_record *rec, uint32_t *ret_hours)
{
        json_t *detail, *o;
        json_int_t h = 0;

        if (!(rec->flags & SESSION_FLAG_HARD_MAX_OVERRIDE))
                return GS_E_NOTFOUND;
        detail = session_detail_parse(rec->detail_json);
        o = detail ? json_object_get(detail, DETAIL_KEY) : NULL;
        if (json_is_integer(json_object_get(o, "hours")))
                h = json_integer_value(json_object_get(o, "hours"));
        json_decref(detail);
        if (h <= 0 || h > UINT32_MAX)
                return GS_E_NOTFOUND;
        *ret_hours = (uint32_t)h;
        return 0;
}

uint32_t session_override_limit_hours(const struct gs_session_record *rec, uint32_t default_hours)
{
        uint32_t h;

        return session_override_hours(rec, &h) == 0 ? h : default_hours;
}

struct override_ctx {
        uint32_t hours;
        const char *reason;
        const char *actor;
};

static int mutate_override(struct gs_session_record *rec, int old_status, struct session_change *c,
                           struct gs_error *err)
{
        const struct override_ctx *x = c->ctx;
        json_t *detail = session_detail_parse(rec->detail_json);
        json_t *o = json_pack("{sI ss ss sI}", "hours", (json_int_t)x->hours, "reason", x->reason,
                              "by", x->actor, "at_ms", (json_int_t)host_now_ms());
        char *text = NULL;
        int r = GS_E_NOMEM;

        (void)old_status;
        if (detail && o && session_detail_set(detail, DETAIL_KEY, o) == 0) {
                o = NULL; /* taken */
                text = session_detail_dump(detail);
                if (text && session_record_set(&rec->detail_json, text) == 0)
                        r = 0;
        }
        json_decref(o);
        json_decref(detail);
        free(text);
        if (r < 0)
                return gs_error_set(err, GS_E_NOMEM, 0,
                                    "cannot record the override (out of memory or reason too "
                                    "long)");
        rec->flags |= SESSION_FLAG_HARD_MAX_OVERRIDE;
        return 0;
}

int session_ops_override(struct session_service *svc, const char *id, uint32_t hours,
                         const char *reason, const char *actor, struct gs_session_record *ret_rec,
                         struct session_op_info *info, struct gs_error *err)
{
        struct override_ctx x = {.hours = hours, .reason = reason, .actor = actor ? actor : "?"};
        struct session_change c;
        json_t *d;
        char *text;
        int r;

        memset(info, 0, sizeof(*info));
        info->old_status = -1;
        session_change_init(&c, SESSION_EV_OVERRIDE, mutate_override, &x);
        r = session_transition(svc, id, &c, ret_rec, err);
        info->old_status = c.old_status;
        if (r < 0)
                return r;
        d = json_pack("{sI ss}", "hard_max_hours", (json_int_t)hours, "reason", reason);
        text = d ? json_dumps(d, JSON_COMPACT) : NULL;
        audit_record(session_service_storage(svc), actor, AUDIT_KIND, id, text);
        LOG_NOTICE(COMPONENT, "%s: hard maximum overridden to %u hours from started_at by %s: %s",
                   id, hours, x.actor, reason);
        free(text);
        json_decref(d);
        return 0;
}
