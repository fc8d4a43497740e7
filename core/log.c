/* log.c - formats and writes log lines to stderr (see log.h). */
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int log_level = GS_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct {
        int level;
        const char *name;
} levels[] = {
        {GS_LOG_ERR, "err"},   {GS_LOG_WARNING, "warning"}, {GS_LOG_NOTICE, "notice"},
        {GS_LOG_INFO, "info"}, {GS_LOG_DEBUG, "debug"},
};

void log_set_level(int level)
{
        __atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

int log_get_level(void)
{
        return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

int log_level_parse(const char *name)
{
        for (size_t i = 0; name && i < sizeof(levels) / sizeof(levels[0]); i++)
                if (strcasecmp(name, levels[i].name) == 0)
                        return levels[i].level;
        return -1;
}

const char *log_level_name(int level)
{
        for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
                if (levels[i].level == level)
                        return levels[i].name;
        return "?";
}

void gs_logv(int level, const char *component, const char *fmt, va_list ap)
{
        char line[LOG_LINE_MAX];
        struct timespec ts;
        struct tm tm;
        size_t n;
        int w;

        if (level > log_get_level())
                return;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
        w = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s [%s] ", ts.tv_nsec / 1000000L,
                     log_level_name(level), component ? component : "core");
        if (w < 0)
                return;
        n += (size_t)w < sizeof(line) - n ? (size_t)w : sizeof(line) - n - 1;
        w = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
        if (w < 0)
                return;
        n += (size_t)w < sizeof(line) - n ? (size_t)w : sizeof(line) - n - 1;
        /* One event, one line: neutralise embedded line breaks. */
        for (size_t i = 0; i < n; i++)
                if (line[i] == '\n' || line[i] == '\r')
                        line[i] = ' ';
        pthread_mutex_lock(&log_lock);
        fputs(line, stderr);
        fputc('\n', stderr);
        pthread_mutex_unlock(&log_lock);
}

void gs_log(int level, const char *component, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        gs_logv(level, component, fmt, ap);
        va_end(ap);
}
