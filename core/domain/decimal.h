/*
 * decimal.h - fixed-point integers as the shortest exact decimal text:
 * (350000, 6) -> "0.35", (12000000, 6) -> "12", (-5, 3) -> "-0.005".
 * Used for money (micro-USD, scale 6), reliability (ppm, scale 6) and CUDA
 * versions (milli, scale 3) in JSON. No locale, no floating point.
 * Pure and thread-safe.
 */
#ifndef GS_DECIMAL_H
#define GS_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* Largest scale decimal_format() accepts (10^18 still fits int64). */
#define DECIMAL_SCALE_MAX 18
/* Buffer size that always holds the result: sign, 19 digits, dot, leading
 * "0." padding for the largest scale and the NUL. */
#define DECIMAL_TEXT_MAX 48

/*
 * Write value / 10^scale into buf without trailing fraction zeros. Returns
 * the length written (NUL excluded), or GS_E_INVAL for a scale above
 * DECIMAL_SCALE_MAX or a buffer too small (buf is then left "" when len > 0).
 */
int decimal_format(int64_t value, unsigned scale, char *buf, size_t len);

#endif /* GS_DECIMAL_H */
