/* session_json.c - the API's JSON rendering of a session. */
#include "session/session_json.h"

#include "domain/rfc3339.h"
#include "domain/cost_meter.h"
#include "domain/session_flags.h"
#include "domain/session_fsm.h"
#include "domain/units.h"
#include "session/session_detail.h"

json_t *session_json_time(int64_t ms)
{
        char buf[RFC3339_TEXT_MAX];

        if (ms <= 0 || rfc3339_format_ms(ms, buf, sizeof(buf)) < 0)
                return json_null();
        return json_string(buf);
}

json_t *session_json_usd(int64_t uusd)
{
        /* uusd / 10^6 correctly rounded; printed with 15 significant digits it
         * reads back as the exact decimal. */
        return json_real((double)uusd / (double)UUSD_PER_USD);
}

char *session_json_dumps(const json_t *value)
{
        return json_dumps(value, JSON_COMPACT | JSON_ENSURE_ASCII |
                                         JSON_REAL_PRECISION(SESSION_JSON_REAL_PRECISION));
}

static json_t *str_or_null(const char *s)
{
        json_t *j = s ? json_string(s) : NULL;

        return j ? j : json_null();
}

static void set(json_t *o, const char *key, json_t *value)
{
        (void)json_object_set_new(o, key, value);
}

/* offers_tried from detail_json, when auto_retry recorded any. */
static void set_offers_tried(json_t *o, const struct gs_session_record *rec)
{
        json_t *detail = session_detail_parse(rec->detail_json);
        json_t *tried = json_object_get(detail, "offers_tried");

        if (json_is_array(tried))
                set(o, "offers_tried", json_incref(tried));
        json_decref(detail);
}

json_t *session_json(const struct gs_session_record *rec, int64_t now_ms)
{
        int64_t cost;
        json_t *o = json_object();

        if (!o)
                return NULL;
        cost = cost_meter_so_far_uusd(rec, now_ms);
        set(o, "id", str_or_null(rec->id));
        set(o, "consumer_id", str_or_null(rec->consumer_id));
        set(o, "offer_id", str_or_null(rec->offer_id));
        set(o, "provider", str_or_null(rec->provider));
        set(o, "provider_instance_id", str_or_null(rec->provider_instance_id));
        set(o, "gpu_type", str_or_null(rec->gpu_type));
        set(o, "gpu_count", json_integer(rec->gpu_count));
        set(o, "status", str_or_null(session_fsm_status_name(rec->status)));
        set(o, "status_reason", str_or_null(rec->status_reason));
        set(o, "ssh_host", str_or_null(rec->ssh_host));
        set(o, "ssh_port", rec->ssh_port ? json_integer(rec->ssh_port) : json_null());
        set(o, "ssh_user", str_or_null(rec->ssh_user));
        set(o, "workload_type", str_or_null(rec->workload_type));
        set(o, "reservation_hours", json_integer(rec->reservation_hours));
        set(o, "idle_threshold_minutes", json_integer(rec->idle_threshold_minutes));
        set(o, "storage_policy", str_or_null(rec->storage_policy));
        set(o, "disk_gb", json_integer(rec->disk_gb));
        set(o, "template_hash_id", str_or_null(rec->template_hash_id));
        set(o, "price_per_hour", session_json_usd(rec->price_uusd_per_hour));
        set(o, "created_at", session_json_time(rec->created_at_ms));
        set(o, "started_at", session_json_time(rec->started_at_ms));
        set(o, "expires_at", session_json_time(rec->expires_at_ms));
        set(o, "stopped_at", session_json_time(rec->stopped_at_ms));
        set(o, "last_activity_at", session_json_time(rec->last_activity_ms));
        set(o, "cost_so_far", session_json_usd(cost));
        set(o, "auto_retry", json_boolean(rec->flags & SESSION_FLAG_AUTO_RETRY));
        set_offers_tried(o, rec);
        return o;
}
