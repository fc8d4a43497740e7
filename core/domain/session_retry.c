/* session_retry.c - the comparable-offer rule of auto_retry. */
#include "domain/session_retry.h"

#include <string.h>

int64_t session_retry_price_cap(int64_t price_uusd, uint32_t max_price_pct)
{
        if (price_uusd <= 0)
                return 0;
        if (max_price_pct != 0 && price_uusd > INT64_MAX / max_price_pct)
                return INT64_MAX;
        return price_uusd * (int64_t)max_price_pct / SESSION_RETRY_PCT_BASE;
}

bool session_retry_was_tried(const char *const *tried, size_t n, const char *id)
{
        for (size_t i = 0; id && i < n; i++)
                if (tried[i] && strcmp(tried[i], id) == 0)
                        return true;
        return false;
}

bool session_retry_is_comparable(const struct session_retry_want *want,
                                 const struct offer *candidate)
{
        if (!want || !candidate || !want->gpu_type || !candidate->gpu_type)
                return false;
        return candidate->available && strcmp(candidate->gpu_type, want->gpu_type) == 0 &&
               candidate->gpu_count >= want->min_gpu_count && candidate->price_uusd_per_hour >= 0 &&
               candidate->price_uusd_per_hour <= want->max_price_uusd;
}
