/* backoff.c - exponential backoff honouring Retry-After, capped. */
#include "domain/backoff.h"

#define MS_PER_S 1000

int64_t backoff_delay_ms(const struct backoff_policy *p, uint32_t failures, int64_t retry_after_s)
{
        int64_t cap, d;

        if (!p || failures == 0)
                return 0;
        cap = p->max_ms > 0 ? p->max_ms : 0;
        d = p->initial_ms > 0 ? p->initial_ms : 0;
        for (uint32_t i = 1; i < failures && d < cap; i++)
                d = d > cap / 2 ? cap : d * 2;
        if (retry_after_s >= 0)
                d = retry_after_s > cap / MS_PER_S
                            ? cap
                            : (retry_after_s * MS_PER_S > d ? retry_after_s * MS_PER_S : d);
        return d < cap ? d : cap;
}
