/*
 * gpu_util.h - parsing of `nvidia-smi --query-gpu=utilization.gpu
 * --format=csv,noheader,nounits`: one integer percentage per GPU per line.
 *
 * Pure: libc only, no allocation, no state, thread-safe (kept beside the SSH
 * probe that produces its input).
 */
#ifndef GS_GPU_UTIL_H
#define GS_GPU_UTIL_H

#include <stdint.h>

/* Most GPU lines accepted in one answer. */
#define GPU_UTIL_LINES_MAX 64
/* Longest line accepted, surrounding blanks included. */
#define GPU_UTIL_LINE_MAX 16
#define GPU_UTIL_PCT_MAX 100

/*
 * The highest utilisation across the lines of `text`. Each non-empty line is
 * a decimal 0..100, optionally surrounded by blanks and ended by "\r\n" or
 * "\n"; empty lines are skipped. 0 and *ret_max_util_pct; GS_E_INVAL for a
 * NULL argument; GS_E_BADRESPONSE for anything else (no line, "[N/A]", a
 * value above 100, more than GPU_UTIL_LINES_MAX lines, ...).
 */
int gpu_util_parse(const char *text, uint32_t *ret_max_util_pct);

#endif /* GS_GPU_UTIL_H */
