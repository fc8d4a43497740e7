/*
 * log.h - the daemon's one logging function: one line per event on stderr,
 * "<time> <level> [<component>] message". Levels are syslog's (GS_LOG_*).
 * Thread-safe (each line is written with one fputs under a lock).
 * Never pass secrets: callers redact before logging.
 */
#ifndef GS_LOG_H
#define GS_LOG_H

#include <stdarg.h>

#include "gpushop/plugin.h"

#define LOG_LINE_MAX 2048

/* Lines above `level` are dropped. Default GS_LOG_INFO. */
void log_set_level(int level);
int log_get_level(void);
/* Parse "err|warning|notice|info|debug"; returns the level or -1. */
int log_level_parse(const char *name);
const char *log_level_name(int level);

void gs_log(int level, const char *component, const char *fmt, ...) GS_PRINTF(3, 4);
void gs_logv(int level, const char *component, const char *fmt, va_list ap) GS_PRINTF(3, 0);

#define LOG_ERR(comp, ...) gs_log(GS_LOG_ERR, comp, __VA_ARGS__)
#define LOG_WARN(comp, ...) gs_log(GS_LOG_WARNING, comp, __VA_ARGS__)
#define LOG_NOTICE(comp, ...) gs_log(GS_LOG_NOTICE, comp, __VA_ARGS__)
#define LOG_INFO(comp, ...) gs_log(GS_LOG_INFO, comp, __VA_ARGS__)
#define LOG_DEBUG(comp, ...) gs_log(GS_LOG_DEBUG, comp, __VA_ARGS__)

#endif /* GS_LOG_H */
