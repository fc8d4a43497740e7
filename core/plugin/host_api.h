/*
 * host_api.h - the core's implementation of struct gs_host_api (the table
 * handed to plugins) and of the SDK's opaque sink and host types.
 *
 * A sink is a callback plus context: the host's *_emit function first copies
 * the plugin's record into a zeroed record of the core's own size (reading
 * only the bytes inside the plugin's struct_size), checks required fields and
 * string bounds, then calls the callback, which copies what it keeps.
 * Threading: the table is immutable; emit functions run on the caller's thread.
 */
#ifndef GS_HOST_API_H
#define GS_HOST_API_H

#include <stdint.h>

#include "gpushop/plugin.h"

/* Per plugin-instance context. */
struct gs_host {
        char component[96]; /* "provider.vastai": the log prefix */
};

void host_init(struct gs_host *h, const char *component);
const struct gs_host_api *host_api_table(void);

/* The process clock every component reads (epoch ms). Tests may replace it
 * before any thread starts; NULL restores the real clock. */
typedef int64_t (*host_clock_fn)(void *ctx);
void host_set_clock(host_clock_fn fn, void *ctx);
int64_t host_now_ms(void);
/* Monotonic milliseconds, for measuring intervals. */
int64_t host_monotonic_ms(void);

struct gs_offer_sink {
        int (*fn)(void *ctx, const struct gs_offer *offer);
        void *ctx;
};
struct gs_instance_sink {
        int (*fn)(void *ctx, const struct gs_instance_info *info);
        void *ctx;
};
struct gs_session_sink {
        int (*fn)(void *ctx, const struct gs_session_record *rec);
        void *ctx;
};
struct gs_cost_sink {
        int (*fn)(void *ctx, const struct gs_cost_row *row);
        void *ctx;
};
struct gs_event_sink {
        int (*fn)(void *ctx, const struct gs_event *ev);
        void *ctx;
};
struct gs_string_sink {
        int (*fn)(void *ctx, const char *value);
        void *ctx;
};
struct gs_token_sink {
        int (*fn)(void *ctx, const struct gs_token_record *tok);
        void *ctx;
};

#endif /* GS_HOST_API_H */
