/*
 * cost_json.h - the JSON of cost reports (GET /api/v1/costs and
 * /costs/summary), with money written as exact decimals built from integer
 * micro-USD (decimal_format), never through a double:
 *
 *   {"session_id"?, "consumer_id"?, "total_cost": 1.35, "total_cost_uusd": 1350000,
 *    "currency": "USD", "session_count": 1, "hours_used": 3.857534,
 *    "by_provider": {"vastai": 1.35}, "by_gpu_type": {"RTX 4090": 1.35},
 *    "period_start": "...Z" | null, "period_end": "...Z" | null, "as_of": "...Z",
 *    "period"?: "daily", "periods"?: [{"period_start", "period_end", "total_cost",
 *    "total_cost_uusd", "session_count", "hours_used", "by_provider", "by_gpu_type"}]}
 *
 * hours_used is billed instance time in hours, rounded to 6 decimals.
 * Thread-safe (no state).
 */
#ifndef GS_COST_JSON_H
#define GS_COST_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "costs/cost_report.h"
#include "strbuf.h"

struct cost_json_echo {
        const char *session_id;  /* NULL = not echoed */
        const char *consumer_id; /* NULL = not echoed */
        bool open_start;         /* period_start is null (no lower bound asked) */
        bool open_end;           /* period_end is null (no upper bound asked) */
};

/* Append the report's JSON to sb (check sb->failed afterwards). */
void cost_json_report(struct strbuf *sb, const struct cost_report *r,
                      const struct cost_json_echo *echo);
/* Append `"key":` followed by the exact decimal of uusd / 10^6. */
void cost_json_usd_field(struct strbuf *sb, const char *key, int64_t uusd);
/* Append a JSON string (escaped; NULL as null). */
void cost_json_string(struct strbuf *sb, const char *s);
/* Append an RFC 3339 time, or null for ms <= 0 / unformattable. */
void cost_json_time(struct strbuf *sb, int64_t ms);

#endif /* GS_COST_JSON_H */
