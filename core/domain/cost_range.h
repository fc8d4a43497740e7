/*
 * cost_range.h - UTC calendar arithmetic for cost queries: strict
 * YYYY-MM-DD dates, inclusive date ranges turned into half-open millisecond
 * windows [first day 00:00, day after the last 00:00), and day / month
 * buckets (a bucket is the half-open window of one UTC day or month).
 *
 * Proleptic Gregorian calendar, no time zones, no leap seconds (epoch
 * milliseconds have none). Dates are limited to COST_RANGE_YEAR_MIN ..
 * COST_RANGE_YEAR_MAX so every bound fits an int64 with room to spare.
 *
 * Pure: libc only, no allocation, no state, thread-safe. Functions that can
 * fail return 0 and write ret_* only on success, or GS_E_INVAL.
 */
#ifndef GS_COST_RANGE_H
#define GS_COST_RANGE_H

#include <stddef.h>
#include <stdint.h>

#define COST_RANGE_YEAR_MIN 1970
#define COST_RANGE_YEAR_MAX 9999
/* "YYYY-MM-DD" plus NUL. */
#define COST_DATE_TEXT_MAX 11
#define MS_PER_DAY INT64_C(86400000)

enum cost_period {
        COST_PERIOD_NONE = 0, /* one window, no buckets */
        COST_PERIOD_DAILY,    /* UTC days */
        COST_PERIOD_MONTHLY,  /* UTC calendar months */
};

/* A half-open window [from_ms, to_ms); the caller keeps from_ms < to_ms. */
struct cost_window {
        int64_t from_ms;
        int64_t to_ms;
};

/* "YYYY-MM-DD" (exactly 10 characters, a real calendar date within the
 * year limits) -> that day's 00:00 UTC in epoch ms. */
int cost_date_parse(const char *s, int64_t *ret_day_ms);
/* "YYYY-MM-DD" of the UTC day holding ms (>= 0); GS_E_INVAL for a short buffer. */
int cost_date_format(int64_t ms, char *buf, size_t len);

/*
 * Inclusive dates -> window [start 00:00, end + 1 day 00:00). Either may be
 * NULL: a missing start is the epoch (0), a missing end the day after the
 * last allowed date. GS_E_INVAL for a malformed date; GS_E_CONFLICT when
 * start is after end. *ret_bad (may be NULL) names the offending parameter
 * ("start_date" / "end_date") on failure.
 */
int cost_window_from_dates(const char *start, const char *end, struct cost_window *ret_window,
                           const char **ret_bad);

/* "daily" | "monthly" -> COST_PERIOD_DAILY / _MONTHLY. */
int cost_period_parse(const char *s, int *ret_period);
const char *cost_period_name(int period);

/* 00:00 UTC of the day / first of the month holding ms (ms >= 0). */
int64_t cost_day_start_ms(int64_t ms);
int64_t cost_month_start_ms(int64_t ms);
/* January 1st 00:00 UTC of the year holding ms (ms >= 0). */
int64_t cost_year_start_ms(int64_t ms);
/* First of the month after the one holding ms (ms >= 0). */
int64_t cost_next_month_ms(int64_t ms);
/* The bucket of `period` (DAILY or MONTHLY) holding ms: its window. */
struct cost_window cost_bucket_of(int period, int64_t ms);
/* How many buckets of `period` overlap w (0 for an empty window). */
int64_t cost_bucket_count(int period, struct cost_window w);
/* The part of a and b both cover; to_ms <= from_ms when they do not meet. */
struct cost_window cost_window_clip(struct cost_window a, struct cost_window b);

#endif /* GS_COST_RANGE_H */
