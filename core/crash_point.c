/* crash_point.c - the GS_TEST_CRASH_AT hook (test-only, inert unless set). */
#include "crash_point.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Written once by crash_point_init() before threads start, then read-only. */
static bool armed;
static char point[CRASH_POINT_NAME_MAX + 1];
static unsigned long target = 1;
static unsigned long hits; /* atomic */

void crash_point_init(void)
{
        const char *v = getenv(CRASH_POINT_ENV);
        const char *colon;
        size_t len;
        char *end = NULL;

        armed = false;
        if (!v || !v[0])
                return;
        colon = strchr(v, ':');
        len = colon ? (size_t)(colon - v) : strlen(v);
        if (len == 0 || len > CRASH_POINT_NAME_MAX) {
                fprintf(stderr, "gpu-shopperd: ignoring %s='%s': bad point name\n",
                        CRASH_POINT_ENV, v);
                return;
        }
        target = 1;
        if (colon) {
                errno = 0;
                target = strtoul(colon + 1, &end, 10);
                if (errno || !end || *end || target == 0) {
                        fprintf(stderr, "gpu-shopperd: ignoring %s='%s': bad hit count\n",
                                CRASH_POINT_ENV, v);
                        return;
                }
        }
        memcpy(point, v, len);
        point[len] = '\0';
        armed = true;
        fprintf(stderr, "gpu-shopperd: TEST HOOK ARMED: SIGKILL at '%s' hit %lu\n", point, target);
}

void crash_point(const char *name)
{
        if (!armed || strcmp(name, point) != 0)
                return;
        if (__atomic_add_fetch(&hits, 1, __ATOMIC_SEQ_CST) != target)
                return;
        fprintf(stderr, "gpu-shopperd: crash point '%s' reached: SIGKILL\n", name);
        (void)kill(getpid(), SIGKILL);
        _exit(137); /* not reached */
}
