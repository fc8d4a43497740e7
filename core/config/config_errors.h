/*
 * config_errors.h - private helpers of the cfg_errors list (see config.h).
 */
#ifndef GS_CONFIG_ERRORS_H
#define GS_CONFIG_ERRORS_H

#include <stdarg.h>

#include "config/config.h"

/* Longest single message kept (longer ones are cut and end in "..."). */
#define CFG_ERROR_MAX 4096

/* va_list form of cfg_errors_add(). */
void cfg_errors_addv(struct cfg_errors *errs, const char *file, int line, const char *section,
                     const char *fmt, va_list ap) GS_PRINTF(5, 0);

#endif /* GS_CONFIG_ERRORS_H */
