/* duration_text.c - durations as "10m", "30s", "1500ms". */
#include "domain/duration_text.h"

#include <stdio.h>

#include "domain/units.h"

int duration_text_format(int64_t ms, char *buf, size_t len)
{
        if (ms != 0 && ms % MS_PER_HOUR == 0)
                return snprintf(buf, len, "%lldh", (long long)(ms / MS_PER_HOUR));
        if (ms != 0 && ms % MS_PER_MINUTE == 0)
                return snprintf(buf, len, "%lldm", (long long)(ms / MS_PER_MINUTE));
        if (ms != 0 && ms % MS_PER_SECOND == 0)
                return snprintf(buf, len, "%llds", (long long)(ms / MS_PER_SECOND));
        return snprintf(buf, len, "%lldms", (long long)ms);
}
