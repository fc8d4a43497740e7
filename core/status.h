/*
 * status.h - names and messages for the GS_STATUS_MAP codes, and the core's
 * definition of the SDK's opaque struct gs_error. Pure; thread-safe.
 */
#ifndef GS_STATUS_CORE_H
#define GS_STATUS_CORE_H

#include <stdint.h>

#include "gpushop/plugin.h"

/* "E_RATELIMIT"; "E_UNKNOWN" for a value not in the map. */
const char *gs_status_name(int status);
/* "provider rate limit exceeded"; "unknown status" for a value not in the map. */
const char *gs_strerror(int status);

/* Error detail: the SDK sees this type as opaque. Callers allocate it on the
 * stack and initialise with gs_error_init(). */
struct gs_error {
        int status;            /* GS_E_*, 0 = none */
        int http_status;       /* upstream HTTP status, 0 = none */
        int64_t retry_after_s; /* -1 = none */
        char msg[GS_ERROR_MSG_MAX];
};

void gs_error_init(struct gs_error *err);
/* Core-side equivalents of the host API functions (same semantics). */
int gs_error_set(struct gs_error *err, int status, int http_status, const char *fmt, ...)
        GS_PRINTF(4, 5);
void gs_error_set_retry_after(struct gs_error *err, int64_t seconds);
/* The message, or gs_strerror(status) when no message was set. */
const char *gs_error_msg(const struct gs_error *err);

#endif /* GS_STATUS_CORE_H */
