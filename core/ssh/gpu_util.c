/* gpu_util.c - parse nvidia-smi's utilization.gpu CSV (noheader, nounits). */
#include "ssh/gpu_util.h"

#include <stdbool.h>
#include <stddef.h>

#include "gpushop/status.h"

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r';
}

/* Parse [start, end) as one percentage; blanks around it allowed. */
static int parse_line(const char *start, const char *end, uint32_t *ret_pct)
{
        uint32_t v = 0;
        size_t digits = 0;

        while (start < end && is_blank(*start))
                start++;
        while (end > start && is_blank(end[-1]))
                end--;
        for (const char *p = start; p < end; p++) {
                if (*p < '0' || *p > '9' || ++digits > 3)
                        return GS_E_BADRESPONSE;
                v = v * 10 + (uint32_t)(*p - '0');
        }
        if (digits == 0 || v > GPU_UTIL_PCT_MAX)
                return GS_E_BADRESPONSE;
        *ret_pct = v;
        return 0;
}

int gpu_util_parse(const char *text, uint32_t *ret_max_util_pct)
{
        uint32_t max = 0, pct;
        size_t lines = 0;
        const char *p;

        if (!text || !ret_max_util_pct)
                return GS_E_INVAL;
        for (p = text; *p;) {
                const char *eol = p;
                bool empty = true;

                while (*eol && *eol != '\n') {
                        if (!is_blank(*eol))
                                empty = false;
                        eol++;
                }
                if (!empty) {
                        if (eol - p > GPU_UTIL_LINE_MAX || ++lines > GPU_UTIL_LINES_MAX ||
                            parse_line(p, eol, &pct) < 0)
                                return GS_E_BADRESPONSE;
                        if (pct > max)
                                max = pct;
                }
                p = *eol ? eol + 1 : eol;
        }
        if (lines == 0)
                return GS_E_BADRESPONSE;
        *ret_max_util_pct = max;
        return 0;
}
