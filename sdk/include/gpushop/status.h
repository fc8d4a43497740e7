/*
 * gpushop/status.h - the one status-code list shared by the core, the SDK and
 * every plugin.
 *
 * 0 is success, failures are negative. The numbers are ABI: entries are only
 * ever appended; a code is never renumbered, reused or removed (an obsolete
 * code keeps its slot). Since ABI 1.0.
 *
 * Thread rules: constants only; the host's gs_status_name()/gs_strerror()
 * equivalents are pure and callable from any thread.
 */
#ifndef GPUSHOP_STATUS_H
#define GPUSHOP_STATUS_H

/* X(name, value, message). Append only. */
#define GS_STATUS_MAP(X)                                                                           \
        X(OK, 0, "success")                                                                        \
        X(E_INVAL, -1, "invalid argument")                                                         \
        X(E_NOMEM, -2, "out of memory")                                                            \
        X(E_CONFIG, -3, "invalid configuration")                                                   \
        X(E_AUTH, -4, "provider rejected credentials")                                             \
        X(E_RATELIMIT, -5, "provider rate limit exceeded")                                         \
        X(E_NOTFOUND, -6, "no such instance or offer")                                             \
        X(E_UNAVAILABLE, -7, "offer no longer available")                                          \
        X(E_UPSTREAM, -8, "provider API error")                                                    \
        X(E_BADRESPONSE, -9, "invalid provider response")                                          \
        X(E_TIMEOUT, -10, "timed out")                                                             \
        X(E_NOTSUP, -11, "not supported by this plugin")                                           \
        X(E_STORAGE, -12, "storage backend error")                                                 \
        X(E_IO, -13, "I/O error")                                                                  \
        X(E_CONFLICT, -14, "state changed concurrently")                                           \
        X(E_EXISTS, -15, "already exists")                                                         \
        X(E_PLUGIN, -16, "plugin rejected by the loader")                                          \
        X(E_TOOBIG, -17, "size limit exceeded")

enum gs_status {
#define GS_X_(name, val, msg) GS_##name = (val),
        GS_STATUS_MAP(GS_X_)
#undef GS_X_
};

/* Number of codes; the lowest valid code is -(GS_STATUS_COUNT - 1). */
#define GS_STATUS_COUNT 18

#endif /* GPUSHOP_STATUS_H */
