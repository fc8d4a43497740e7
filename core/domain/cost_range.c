/* cost_range.c - UTC dates, date ranges and day/month buckets in epoch ms. */
#include "domain/cost_range.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gpushop/status.h"

#define DATE_LEN 10
#define MONTHS_PER_YEAR 12
/* Days in a 400-year Gregorian era and the era's day of 1970-01-01. */
#define DAYS_PER_ERA 146097
#define DAYS_EPOCH_SHIFT 719468

struct civil {
        int64_t year;
        unsigned month; /* 1..12 */
        unsigned day;   /* 1..31 */
};

static bool is_leap(int64_t y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
        static const unsigned days[MONTHS_PER_YEAR] = {31, 28, 31, 30, 31, 30,
                                                       31, 31, 30, 31, 30, 31};

        return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil;
 * years >= 0, so the era arithmetic never sees a negative value). */
static int64_t days_from_civil(struct civil c)
{
        int64_t y = c.month <= 2 ? c.year - 1 : c.year;
        int64_t era = y / 400;
        int64_t yoe = y - era * 400;
        int64_t mp = c.month > 2 ? c.month - 3 : c.month + 9;
        int64_t doy = (153 * mp + 2) / 5 + c.day - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

        return era * DAYS_PER_ERA + doe - DAYS_EPOCH_SHIFT;
}

/* Inverse of days_from_civil for days >= 0. */
static struct civil civil_from_days(int64_t z)
{
        struct civil c;
        int64_t era, doe, yoe, doy, mp;

        z += DAYS_EPOCH_SHIFT;
        era = z / DAYS_PER_ERA;
        doe = z - era * DAYS_PER_ERA;
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        c.day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
        c.month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
        c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
        return c;
}

static int64_t floor_div(int64_t a, int64_t b)
{
        int64_t q = a / b;

        return (a % b != 0 && a < 0) ? q - 1 : q;
}

static bool digits(const char *s, size_t n, unsigned *ret)
{
        unsigned v = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        *ret = v;
        return true;
}

int cost_date_parse(const char *s, int64_t *ret_day_ms)
{
        struct civil c;
        unsigned y, m, d;

        if (!s || strlen(s) != DATE_LEN || s[4] != '-' || s[7] != '-')
                return GS_E_INVAL;
        if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
                return GS_E_INVAL;
        if (y < COST_RANGE_YEAR_MIN || y > COST_RANGE_YEAR_MAX || m < 1 || m > MONTHS_PER_YEAR ||
            d < 1 || d > days_in_month(y, m))
                return GS_E_INVAL;
        c.year = y;
        c.month = m;
        c.day = d;
        *ret_day_ms = days_from_civil(c) * MS_PER_DAY;
        return 0;
}

int cost_date_format(int64_t ms, char *buf, size_t len)
{
        struct civil c;
        int n;

        if (!buf || len < COST_DATE_TEXT_MAX || ms < 0)
                return GS_E_INVAL;
        c = civil_from_days(ms / MS_PER_DAY);
        if (c.year > COST_RANGE_YEAR_MAX)
                return GS_E_INVAL;
        n = snprintf(buf, len, "%04lld-%02u-%02u", (long long)c.year, c.month, c.day);
        return n < 0 || (size_t)n >= len ? GS_E_INVAL : 0;
}

/* The day after the last allowed date: the end of every unbounded range. */
static int64_t range_end_ms(void)
{
        struct civil c = {.year = COST_RANGE_YEAR_MAX + 1, .month = 1, .day = 1};

        return days_from_civil(c) * MS_PER_DAY;
}

int cost_window_from_dates(const char *start, const char *end, struct cost_window *ret_window,
                           const char **ret_bad)
{
        struct cost_window w = {.from_ms = 0, .to_ms = range_end_ms()};
        int64_t day;

        if (start) {
                if (cost_date_parse(start, &day) < 0)
                        goto bad_start;
                w.from_ms = day;
        }
        if (end) {
                if (cost_date_parse(end, &day) < 0)
                        goto bad_end;
                w.to_ms = day + MS_PER_DAY;
        }
        if (w.from_ms >= w.to_ms) {
                if (ret_bad)
                        *ret_bad = "start_date";
                return GS_E_CONFLICT;
        }
        *ret_window = w;
        return 0;
bad_start:
        if (ret_bad)
                *ret_bad = "start_date";
        return GS_E_INVAL;
bad_end:
        if (ret_bad)
                *ret_bad = "end_date";
        return GS_E_INVAL;
}

int cost_period_parse(const char *s, int *ret_period)
{
        if (s && strcmp(s, "daily") == 0)
                *ret_period = COST_PERIOD_DAILY;
        else if (s && strcmp(s, "monthly") == 0)
                *ret_period = COST_PERIOD_MONTHLY;
        else
                return GS_E_INVAL;
        return 0;
}

const char *cost_period_name(int period)
{
        switch (period) {
        case COST_PERIOD_DAILY:
                return "daily";
        case COST_PERIOD_MONTHLY:
                return "monthly";
        default:
                return NULL;
        }
}

int64_t cost_day_start_ms(int64_t ms)
{
        return floor_div(ms, MS_PER_DAY) * MS_PER_DAY;
}

int64_t cost_month_start_ms(int64_t ms)
{
        struct civil c = civil_from_days(floor_div(ms, MS_PER_DAY));

        c.day = 1;
        return days_from_civil(c) * MS_PER_DAY;
}

int64_t cost_year_start_ms(int64_t ms)
{
        struct civil c = civil_from_days(floor_div(ms, MS_PER_DAY));

        c.month = 1;
        c.day = 1;
        return days_from_civil(c) * MS_PER_DAY;
}

int64_t cost_next_month_ms(int64_t ms)
{
        struct civil c = civil_from_days(floor_div(ms, MS_PER_DAY));

        c.day = 1;
        if (++c.month > MONTHS_PER_YEAR) {
                c.month = 1;
                c.year++;
        }
        return days_from_civil(c) * MS_PER_DAY;
}

struct cost_window cost_bucket_of(int period, int64_t ms)
{
        struct cost_window w;

        if (period == COST_PERIOD_MONTHLY) {
                w.from_ms = cost_month_start_ms(ms);
                w.to_ms = cost_next_month_ms(ms);
        } else {
                w.from_ms = cost_day_start_ms(ms);
                w.to_ms = w.from_ms + MS_PER_DAY;
        }
        return w;
}

int64_t cost_bucket_count(int period, struct cost_window w)
{
        struct civil a, b;
        int64_t last;

        if (w.to_ms <= w.from_ms)
                return 0;
        last = w.to_ms - 1;
        if (period != COST_PERIOD_MONTHLY)
                return floor_div(last, MS_PER_DAY) - floor_div(w.from_ms, MS_PER_DAY) + 1;
        a = civil_from_days(floor_div(w.from_ms, MS_PER_DAY));
        b = civil_from_days(floor_div(last, MS_PER_DAY));
        return (b.year - a.year) * MONTHS_PER_YEAR + (int64_t)b.month - (int64_t)a.month + 1;
}

struct cost_window cost_window_clip(struct cost_window a, struct cost_window b)
{
        struct cost_window w;

        w.from_ms = a.from_ms > b.from_ms ? a.from_ms : b.from_ms;
        w.to_ms = a.to_ms < b.to_ms ? a.to_ms : b.to_ms;
        return w;
}
