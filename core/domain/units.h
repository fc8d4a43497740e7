/*
 * units.h - pure parsing and formatting of the units used throughout:
 * integers, booleans, durations (ms), money (integer micro-USD). No locale,
 * no floating point. Thread-safe (no state).
 *
 * Every parser returns 0 and writes *ret_value only on success, or GS_E_INVAL
 * for malformed input and GS_E_TOOBIG for values out of the int64 range.
 */
#ifndef GS_UNITS_H
#define GS_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UUSD_PER_USD INT64_C(1000000)
#define MS_PER_SECOND INT64_C(1000)
#define MS_PER_MINUTE INT64_C(60000)
#define MS_PER_HOUR INT64_C(3600000)

/* Decimal integer with optional sign; no spaces, no trailing garbage. */
int units_parse_int64(const char *s, int64_t *ret_value);
/* true/false/yes/no/on/off/1/0, case-insensitive. */
int units_parse_bool(const char *s, bool *ret_value);
/* "<n>ms" | "<n>s" | "<n>m" | "<n>h" | "<n>" (ms). Non-negative integers. */
int units_parse_duration_ms(const char *s, int64_t *ret_value);
/* Non-negative decimal USD with at most 6 fraction digits: "0.35" -> 350000,
 * "12" -> 12000000, ".5" -> 500000. No sign, exponent or thousands separator. */
int units_parse_price_uusd(const char *s, int64_t *ret_value);
/* Format micro-USD as a plain decimal with 6 fraction digits ("-0.000001",
 * "1.350000"); returns what snprintf would, so >= len means truncated. */
int units_format_usd(int64_t uusd, char *buf, size_t len);
/* Cost of `ms` milliseconds at `uusd_per_hour`, rounded half up; saturates
 * at INT64_MAX instead of overflowing. */
int64_t units_cost_uusd(int64_t uusd_per_hour, int64_t ms);

#endif /* GS_UNITS_H */
