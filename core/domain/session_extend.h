/*
 * session_extend.h - reservation arithmetic: when a session expires, and how
 * far an extension may push that, never past the hard maximum measured from
 * started_at (ARCHITECTURE §8).
 *
 * Pure: libc only, no allocation, no state, thread-safe.
 */
#ifndef GS_SESSION_EXTEND_H
#define GS_SESSION_EXTEND_H

#include <stdint.h>

/* start_ms + hours, saturating at INT64_MAX. */
int64_t session_extend_expiry_ms(int64_t start_ms, uint32_t hours);

/*
 * The expires_at after adding additional_hours (>= 1) to expires_at_ms.
 * Returns 0 and *ret_expires_at_ms, GS_E_TOOBIG when the result would lie
 * past started_at_ms + max_hours, or GS_E_INVAL for additional_hours 0, a
 * session that has not started (started_at_ms <= 0) or max_hours 0.
 */
int session_extend_compute(int64_t started_at_ms, int64_t expires_at_ms, uint32_t additional_hours,
                           uint32_t max_hours, int64_t *ret_expires_at_ms);

/* Whole hours an extension may still add (0 when none); for error messages. */
uint32_t session_extend_hours_left(int64_t started_at_ms, int64_t expires_at_ms,
                                   uint32_t max_hours);

#endif /* GS_SESSION_EXTEND_H */
