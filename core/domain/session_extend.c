/* session_extend.c - expiry and the hard-maximum check of extensions. */
#include "domain/session_extend.h"

#include "domain/units.h"
#include "gpushop/status.h"

int64_t session_extend_expiry_ms(int64_t start_ms, uint32_t hours)
{
        int64_t add = (int64_t)hours * MS_PER_HOUR;

        if (start_ms > INT64_MAX - add)
                return INT64_MAX;
        return start_ms + add;
}

int session_extend_compute(int64_t started_at_ms, int64_t expires_at_ms, uint32_t additional_hours,
                           uint32_t max_hours, int64_t *ret_expires_at_ms)
{
        int64_t want, limit;

        if (additional_hours == 0 || started_at_ms <= 0 || max_hours == 0 || !ret_expires_at_ms)
                return GS_E_INVAL;
        want = session_extend_expiry_ms(expires_at_ms, additional_hours);
        limit = session_extend_expiry_ms(started_at_ms, max_hours);
        if (want > limit)
                return GS_E_TOOBIG;
        *ret_expires_at_ms = want;
        return 0;
}

uint32_t session_extend_hours_left(int64_t started_at_ms, int64_t expires_at_ms, uint32_t max_hours)
{
        int64_t limit = session_extend_expiry_ms(started_at_ms, max_hours);

        if (started_at_ms <= 0 || expires_at_ms >= limit)
                return 0;
        return (uint32_t)((limit - expires_at_ms) / MS_PER_HOUR);
}
