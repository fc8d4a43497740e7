/* rfc3339.c - RFC 3339 UTC timestamps from epoch milliseconds. */
#include "domain/rfc3339.h"

#include <stdio.h>
#include <time.h>

#include "gpushop/status.h"

#define MS_PER_S 1000
#define YEAR_MAX 9999

int rfc3339_format_ms(int64_t ms, char *buf, size_t len)
{
        int64_t s = ms / MS_PER_S;
        struct tm tm;
        time_t t;
        int n;

        if (!buf || len < RFC3339_TEXT_MAX)
                return GS_E_INVAL;
        if (ms < 0 && ms % MS_PER_S != 0)
                s--;
        t = (time_t)s;
        if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > YEAR_MAX)
                return GS_E_INVAL;
        n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        if (n < 0 || (size_t)n >= len)
                return GS_E_INVAL;
        return 0;
}
