/*
 * duration_text.h - a duration in the largest unit that divides it, for
 * messages and in the config syntax: 600000 -> "10m", 30000 -> "30s",
 * 1500 -> "1500ms", 7200000 -> "2h". Pure and thread-safe.
 */
#ifndef GS_DURATION_TEXT_H
#define GS_DURATION_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any int64 in ms plus the unit and NUL. */
#define DURATION_TEXT_MAX 24

/* Returns what snprintf returned (>= len means truncated). */
int duration_text_format(int64_t ms, char *buf, size_t len);

#endif /* GS_DURATION_TEXT_H */
