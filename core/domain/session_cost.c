/* session_cost.c - per-millisecond cost of a session in micro-USD. */
#include "domain/session_cost.h"

#include "domain/units.h"

int64_t session_cost_price_uusd(const struct gs_session_record *rec)
{
        if (rec->charged_uusd_per_hour > 0)
                return rec->charged_uusd_per_hour;
        return rec->price_uusd_per_hour > 0 ? rec->price_uusd_per_hour : 0;
}

int64_t session_cost_billed_ms(const struct gs_session_record *rec, int64_t now_ms)
{
        int64_t end = rec->stopped_at_ms > 0 ? rec->stopped_at_ms : now_ms;

        if (rec->instance_created_at_ms <= 0 || end <= rec->instance_created_at_ms)
                return 0;
        return end - rec->instance_created_at_ms;
}

int64_t session_cost_uusd(const struct gs_session_record *rec, int64_t now_ms)
{
        return units_cost_uusd(session_cost_price_uusd(rec), session_cost_billed_ms(rec, now_ms));
}
