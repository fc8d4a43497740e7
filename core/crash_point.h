/*
 * crash_point.h - test-only crash hooks. Named points on the provisioning and
 * destroy paths where the daemon kills itself with SIGKILL (exactly what
 * `kill -9` does) when the environment variable GS_TEST_CRASH_AT names that
 * point, so tests/blackbox/test_crash.py can stop the process at an exact
 * step and check that a restart leaves no orphan behind.
 *
 *   GS_TEST_CRASH_AT=<point>       crash the first time <point> is reached
 *   GS_TEST_CRASH_AT=<point>:<n>   crash the n-th time
 *
 * Compiled into every build but inert unless the variable is set: one
 * pointer test per point. The points are listed in docs/LIFECYCLE.md.
 * crash_point_init() runs on the main thread before any other thread;
 * crash_point() is thread-safe.
 */
#ifndef GS_CRASH_POINT_H
#define GS_CRASH_POINT_H

#define CRASH_POINT_ENV "GS_TEST_CRASH_AT"
/* Longest point name. */
#define CRASH_POINT_NAME_MAX 63

/* Read GS_TEST_CRASH_AT (a malformed value is reported on stderr and
 * ignored). */
void crash_point_init(void);
/* SIGKILL this process when `name` is the armed point and its hit count is
 * reached; otherwise return at once. */
void crash_point(const char *name);

#endif /* GS_CRASH_POINT_H */
