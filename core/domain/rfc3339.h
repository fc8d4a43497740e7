/*
 * rfc3339.h - epoch milliseconds as RFC 3339 UTC text ("2025-11-27T16:10:00Z"),
 * the time format of every API response. Pure (libc gmtime_r) and thread-safe.
 */
#ifndef GS_RFC3339_H
#define GS_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SSZ" plus NUL. */
#define RFC3339_TEXT_MAX 21

/*
 * Format `ms` (whole seconds; milliseconds are truncated toward the past)
 * into buf. Returns 0, or GS_E_INVAL for a buffer smaller than
 * RFC3339_TEXT_MAX or a time outside the years 0000..9999.
 */
int rfc3339_format_ms(int64_t ms, char *buf, size_t len);

#endif /* GS_RFC3339_H */
