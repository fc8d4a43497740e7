/* config_errors.c - the list of "file:line: [section] message" configuration errors. */
#include "config/config_errors.h"

#include <stdlib.h>
#include <string.h>

/* The last slot is kept for the "too many errors" notice. */
#define ERRORS_KEPT (CFG_MAX_ERRORS - 1)
#define ERROR_ELLIPSIS "..."

static const char too_many_msg[] = "too many errors; the rest are not shown";
static const char nomem_msg[] = "out of memory while recording configuration errors";

struct cfg_errors {
        char *msgs[ERRORS_KEPT];
        size_t count;
        bool overflow; /* an error arrived after ERRORS_KEPT */
        bool nomem;    /* an error could not be recorded */
};

struct cfg_errors *cfg_errors_new(void)
{
        return calloc(1, sizeof(struct cfg_errors));
}

void cfg_errors_free(struct cfg_errors *errs)
{
        if (!errs)
                return;
        for (size_t i = 0; i < errs->count; i++)
                free(errs->msgs[i]);
        free(errs);
}

/* Format the "file:line: [section] " prefix; returns what snprintf returns. */
static int format_prefix(char *buf, size_t len, const char *file, int line, const char *section)
{
        const char *sp = section ? " " : "";
        const char *ob = section ? "[" : "";
        const char *cb = section ? "]" : "";

        if (!section)
                section = "";
        if (file && line > 0)
                return snprintf(buf, len, "%s:%d: %s%s%s%s", file, line, ob, section, cb, sp);
        if (file)
                return snprintf(buf, len, "%s: %s%s%s%s", file, ob, section, cb, sp);
        if (line > 0)
                return snprintf(buf, len, "line %d: %s%s%s%s", line, ob, section, cb, sp);
        return snprintf(buf, len, "%s%s%s%s", ob, section, cb, sp);
}

void cfg_errors_addv(struct cfg_errors *errs, const char *file, int line, const char *section,
                     const char *fmt, va_list ap)
{
        char *msg = NULL;
        size_t len;
        va_list aq;
        int plen, mlen;

        if (!errs || !fmt)
                return;
        if (errs->count >= ERRORS_KEPT) {
                errs->overflow = true;
                return;
        }
        plen = format_prefix(NULL, 0, file, line, section);
        va_copy(aq, ap);
        mlen = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (plen < 0 || mlen < 0)
                goto fail;
        len = (size_t)plen + (size_t)mlen;
        if (len > CFG_ERROR_MAX - 1)
                len = CFG_ERROR_MAX - 1;
        msg = malloc(len + 1);
        if (!msg)
                goto fail;
        (void)format_prefix(msg, len + 1, file, line, section);
        if ((size_t)plen < len)
                (void)vsnprintf(msg + plen, len + 1 - (size_t)plen, fmt, ap);
        if ((size_t)plen + (size_t)mlen > len)
                memcpy(msg + len - strlen(ERROR_ELLIPSIS), ERROR_ELLIPSIS, strlen(ERROR_ELLIPSIS));
        errs->msgs[errs->count++] = msg;
        return;
fail:
        errs->nomem = true;
}

void cfg_errors_add(struct cfg_errors *errs, const char *file, int line, const char *section,
                    const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        cfg_errors_addv(errs, file, line, section, fmt, ap);
        va_end(ap);
}

size_t cfg_errors_count(const struct cfg_errors *errs)
{
        if (!errs)
                return 0;
        return errs->count + (errs->overflow ? 1 : 0) + (errs->nomem ? 1 : 0);
}

const char *cfg_errors_get(const struct cfg_errors *errs, size_t i)
{
        if (!errs)
                return NULL;
        if (i < errs->count)
                return errs->msgs[i];
        i -= errs->count;
        if (errs->overflow) {
                if (i == 0)
                        return too_many_msg;
                i--;
        }
        if (errs->nomem && i == 0)
                return nomem_msg;
        return NULL;
}

void cfg_errors_print(const struct cfg_errors *errs, const char *prog, FILE *out)
{
        size_t n = cfg_errors_count(errs);

        if (!out)
                return;
        for (size_t i = 0; i < n; i++)
                fprintf(out, "%s%s%s\n", prog ? prog : "", prog ? ": " : "",
                        cfg_errors_get(errs, i));
}
