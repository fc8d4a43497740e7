/* host_api.c - the gs_host_api table plugins call back into. */
#include "plugin/host_api.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "log.h"
#include "status.h"

static host_clock_fn clock_fn;
static void *clock_ctx;

void host_set_clock(host_clock_fn fn, void *ctx)
{
        clock_fn = fn;
        clock_ctx = ctx;
}

int64_t host_now_ms(void)
{
        struct timespec ts;

        if (clock_fn)
                return clock_fn(clock_ctx);
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t host_monotonic_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void host_init(struct gs_host *h, const char *component)
{
        (void)snprintf(h->component, sizeof(h->component), "%s", component ? component : "plugin");
}

static void host_log(struct gs_host *h, int level, const char *fmt, ...) GS_PRINTF(3, 4);
static void host_log(struct gs_host *h, int level, const char *fmt, ...)
{
        va_list ap;

        if (level < GS_LOG_ERR)
                level = GS_LOG_ERR;
        if (level > GS_LOG_DEBUG)
                level = GS_LOG_DEBUG;
        va_start(ap, fmt);
        gs_logv(level, h ? h->component : "plugin", fmt, ap);
        va_end(ap);
}

static int host_error_set(struct gs_error *err, int status, int http_status, const char *fmt, ...)
        GS_PRINTF(4, 5);
static int host_error_set(struct gs_error *err, int status, int http_status, const char *fmt, ...)
{
        va_list ap;

        if (status > 0)
                status = GS_E_INVAL;
        if (!err)
                return status;
        err->status = status;
        err->http_status = http_status;
        err->msg[0] = '\0';
        if (fmt) {
                va_start(ap, fmt);
                (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
        }
        return status;
}

static void host_error_set_retry_after(struct gs_error *err, int64_t seconds)
{
        gs_error_set_retry_after(err, seconds);
}

static int64_t host_clock(struct gs_host *h)
{
        (void)h;
        return host_now_ms();
}

/* Copy a plugin record of `have` bytes into `dst` of `want` bytes, zero-filling
 * the fields the plugin did not know. Returns false for a size too small to
 * hold the mandatory prefix `min`. */
static bool copy_sized(void *dst, size_t want, const void *src, size_t min)
{
        uint32_t have;

        memcpy(&have, src, sizeof(have));
        if (have < min)
                return false;
        memset(dst, 0, want);
        memcpy(dst, src, have < want ? have : want);
        ((uint32_t *)dst)[0] = (uint32_t)want;
        return true;
}

static bool str_ok(const char *s, bool required)
{
        if (!s)
                return !required;
        return strnlen(s, GS_STRING_MAX + 1) <= GS_STRING_MAX && (!required || s[0]);
}

#define MIN_OFFER_SIZE (offsetof(struct gs_offer, flags) + sizeof(uint32_t))
#define MIN_INSTANCE_SIZE (offsetof(struct gs_instance_info, created_at_ms) + sizeof(int64_t))

static int host_offer_emit(struct gs_offer_sink *sink, const struct gs_offer *offer)
{
        struct gs_offer o;

        if (!sink || !offer || !copy_sized(&o, sizeof(o), offer, MIN_OFFER_SIZE))
                return GS_E_INVAL;
        if (!str_ok(o.offer_id, true) || !str_ok(o.gpu_name_raw, true) ||
            !str_ok(o.location, false) || !str_ok(o.machine_id, false) || o.gpu_count == 0 ||
            o.price_uusd_per_hour < 0 || o.reliability_ppm > 1000000)
                return GS_E_INVAL;
        return sink->fn(sink->ctx, &o);
}

static int host_instance_emit(struct gs_instance_sink *sink, const struct gs_instance_info *info)
{
        struct gs_instance_info i;

        if (!sink || !info || !copy_sized(&i, sizeof(i), info, MIN_INSTANCE_SIZE))
                return GS_E_INVAL;
        if (!str_ok(i.instance_id, true) || !str_ok(i.label, false) ||
            !str_ok(i.status_raw, false) || !str_ok(i.ssh_host, false) ||
            !str_ok(i.ssh_user, false) || !str_ok(i.offer_id, false) ||
            !str_ok(i.gpu_name_raw, false) || i.ssh_port > 65535 || i.state > GS_INST_DELETING)
                return GS_E_INVAL;
        return sink->fn(sink->ctx, &i);
}

static int host_session_emit(struct gs_session_sink *sink, const struct gs_session_record *rec)
{
        struct gs_session_record r;

        if (!sink || !rec || !copy_sized(&r, sizeof(r), rec, offsetof(struct gs_session_record, id) + sizeof(char *)))
                return GS_E_INVAL;
        if (!str_ok(r.id, true))
                return GS_E_INVAL;
        return sink->fn(sink->ctx, &r);
}

static int host_cost_emit(struct gs_cost_sink *sink, const struct gs_cost_row *row)
{
        struct gs_cost_row r;

        if (!sink || !row || !copy_sized(&r, sizeof(r), row, sizeof(r)))
                return GS_E_INVAL;
        return sink->fn(sink->ctx, &r);
}

static int host_event_emit(struct gs_event_sink *sink, const struct gs_event *ev)
{
        struct gs_event e;

        if (!sink || !ev || !copy_sized(&e, sizeof(e), ev, offsetof(struct gs_event, kind) + sizeof(char *)))
                return GS_E_INVAL;
        if (!str_ok(e.kind, true))
                return GS_E_INVAL;
        return sink->fn(sink->ctx, &e);
}

static int host_string_emit(struct gs_string_sink *sink, const char *value)
{
        if (!sink || !str_ok(value, false))
                return GS_E_INVAL;
        return sink->fn(sink->ctx, value);
}

static int host_token_emit(struct gs_token_sink *sink, const struct gs_token_record *tok)
{
        struct gs_token_record t;

        if (!sink || !tok ||
            !copy_sized(&t, sizeof(t), tok, offsetof(struct gs_token_record, revoked_at_ms) +
                                                    sizeof(int64_t)))
                return GS_E_INVAL;
        if (!str_ok(t.id, true) || !str_ok(t.secret_hash, true) || !str_ok(t.consumers, false) ||
            !str_ok(t.label, false) || !str_ok(t.created_by, false) || t.role < GS_ROLE_ADMIN ||
            t.role > GS_ROLE_VIEWER)
                return GS_E_INVAL;
        return sink->fn(sink->ctx, &t);
}

static const struct gs_host_api host_api = {
        .struct_size = sizeof(struct gs_host_api),
        .abi_major = GS_ABI_MAJOR,
        .abi_minor = GS_ABI_MINOR,
        .log = host_log,
        .error_set = host_error_set,
        .error_set_retry_after = host_error_set_retry_after,
        .config_str = cfg_get_str,
        .config_int = cfg_get_int,
        .config_bool = cfg_get_bool,
        .config_duration_ms = cfg_get_duration_ms,
        .config_price_uusd = cfg_get_price_uusd,
        .offer_emit = host_offer_emit,
        .instance_emit = host_instance_emit,
        .session_emit = host_session_emit,
        .cost_emit = host_cost_emit,
        .event_emit = host_event_emit,
        .string_emit = host_string_emit,
        .now_ms = host_clock,
        .token_emit = host_token_emit,
};

const struct gs_host_api *host_api_table(void)
{
        return &host_api;
}
