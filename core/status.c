/* status.c - the status-code tables and struct gs_error helpers. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
        int value;
        const char *name;
        const char *msg;
} status_table[] = {
#define GS_X_(name, val, msg) {val, #name, msg},
        GS_STATUS_MAP(GS_X_)
#undef GS_X_
};

#define STATUS_TABLE_LEN (sizeof(status_table) / sizeof(status_table[0]))
_Static_assert(STATUS_TABLE_LEN == GS_STATUS_COUNT, "GS_STATUS_COUNT out of date");

const char *gs_status_name(int status)
{
        for (size_t i = 0; i < STATUS_TABLE_LEN; i++)
                if (status_table[i].value == status)
                        return status_table[i].name;
        return "E_UNKNOWN";
}

const char *gs_strerror(int status)
{
        for (size_t i = 0; i < STATUS_TABLE_LEN; i++)
                if (status_table[i].value == status)
                        return status_table[i].msg;
        return "unknown status";
}

void gs_error_init(struct gs_error *err)
{
        if (!err)
                return;
        memset(err, 0, sizeof(*err));
        err->retry_after_s = -1;
}

int gs_error_set(struct gs_error *err, int status, int http_status, const char *fmt, ...)
{
        va_list ap;

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

void gs_error_set_retry_after(struct gs_error *err, int64_t seconds)
{
        if (err && seconds >= 0)
                err->retry_after_s = seconds;
}

const char *gs_error_msg(const struct gs_error *err)
{
        if (!err)
                return "";
        if (err->msg[0])
                return err->msg;
        return gs_strerror(err->status);
}
