/* cost_meter.c - billed interval, price, amount and ledger entry of a session. */
#include "domain/cost_meter.h"

#include "domain/units.h"
#include "gpushop/status.h"

int64_t cost_meter_price_uusd(const struct gs_session_record *rec)
{
        if (rec->charged_uusd_per_hour > 0)
                return rec->charged_uusd_per_hour;
        return rec->price_uusd_per_hour > 0 ? rec->price_uusd_per_hour : 0;
}

bool cost_meter_has_instance(const struct gs_session_record *rec)
{
        return rec->instance_created_at_ms > 0;
}

bool cost_meter_is_live(const struct gs_session_record *rec)
{
        switch (rec->status) {
        case GS_SESSION_PROVISIONING:
        case GS_SESSION_RUNNING:
        case GS_SESSION_STOPPING:
                return cost_meter_has_instance(rec);
        default:
                return false;
        }
}

struct cost_interval cost_meter_interval(const struct gs_session_record *rec, int64_t end_ms)
{
        struct cost_interval iv = {0, 0};

        if (!cost_meter_has_instance(rec))
                return iv;
        iv.start_ms = rec->instance_created_at_ms;
        iv.end_ms = end_ms > iv.start_ms ? end_ms : iv.start_ms;
        return iv;
}

int64_t cost_meter_end_ms(const struct gs_session_record *rec, int64_t now_ms)
{
        return rec->stopped_at_ms > 0 ? rec->stopped_at_ms : now_ms;
}

int64_t cost_meter_amount_uusd(int64_t price_uusd_per_hour, struct cost_interval iv)
{
        if (iv.end_ms <= iv.start_ms || price_uusd_per_hour <= 0)
                return 0;
        return units_cost_uusd(price_uusd_per_hour, iv.end_ms - iv.start_ms);
}

int cost_meter_final_entry(const struct gs_session_record *rec, int64_t end_ms,
                           struct gs_cost_entry *ret_entry)
{
        struct gs_cost_entry e = {.struct_size = sizeof(e)};
        struct cost_interval iv;

        if (!rec || !rec->id || !rec->provider || !rec->gpu_type)
                return GS_E_INVAL;
        if (cost_meter_has_instance(rec)) {
                iv = cost_meter_interval(rec, end_ms);
        } else {
                iv.start_ms = rec->created_at_ms > 0 ? rec->created_at_ms : 0;
                iv.end_ms = iv.start_ms;
        }
        e.session_id = rec->id;
        e.consumer_id = rec->consumer_id;
        e.provider = rec->provider;
        e.gpu_type = rec->gpu_type;
        e.start_ms = iv.start_ms;
        e.end_ms = iv.end_ms;
        e.price_uusd_per_hour = cost_meter_price_uusd(rec);
        e.amount_uusd = cost_meter_amount_uusd(e.price_uusd_per_hour, iv);
        *ret_entry = e;
        return 0;
}

int64_t cost_meter_so_far_uusd(const struct gs_session_record *rec, int64_t now_ms)
{
        if (rec->status == GS_SESSION_STOPPED || rec->status == GS_SESSION_FAILED)
                return rec->cost_uusd;
        return cost_meter_amount_uusd(cost_meter_price_uusd(rec),
                                      cost_meter_interval(rec, cost_meter_end_ms(rec, now_ms)));
}

int64_t cost_meter_prorate_uusd(int64_t amount_uusd, struct cost_interval iv, int64_t from_ms,
                                int64_t to_ms, int64_t *ret_overlap_ms)
{
        __extension__ typedef __int128 i128;
        int64_t lo = iv.start_ms > from_ms ? iv.start_ms : from_ms;
        int64_t hi = iv.end_ms < to_ms ? iv.end_ms : to_ms;
        int64_t span = iv.end_ms - iv.start_ms;
        int64_t ov = hi > lo ? hi - lo : 0;

        if (ret_overlap_ms)
                *ret_overlap_ms = ov;
        if (ov == 0 || span <= 0)
                return 0;
        if (ov == span)
                return amount_uusd;
        /* |amount x ov| < 2^126: exact; C division truncates toward zero. */
        return (int64_t)((i128)amount_uusd * ov / span);
}
