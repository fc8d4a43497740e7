/* ini_reader.c - serves inih one physical line at a time and flags over-long lines. */
#include "config/ini_reader.h"

#include <stdbool.h>
#include <string.h>

static const char utf8_bom[] = "\xEF\xBB\xBF";

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void ini_reader_init(struct ini_reader *rd, const char *text, size_t len,
                     ini_reader_line_fn on_line, void *ctx)
{
        rd->pos = text;
        rd->end = text + len;
        rd->line = 0;
        rd->on_line = on_line;
        rd->ctx = ctx;
}

char *ini_reader_read(char *str, int num, void *stream)
{
        struct ini_reader *rd = stream;
        enum ini_reader_status status = INI_READER_OK;
        const char *start, *nl;
        size_t len, skip = 0;

        if (!rd || !str || num < 1 || rd->pos >= rd->end)
                return NULL;
        start = rd->pos;
        nl = memchr(start, '\n', (size_t)(rd->end - start));
        len = nl ? (size_t)(nl - start) : (size_t)(rd->end - start);
        rd->pos = nl ? nl + 1 : rd->end;
        rd->line++;

        if (len > (size_t)num - 1)
                status = INI_READER_TOO_LONG;
        else if (memchr(start, '\0', len))
                status = INI_READER_NUL;
        if (status != INI_READER_OK) {
                str[0] = '\0';
                goto out;
        }
        if (rd->line == 1 && len >= strlen(utf8_bom) &&
            memcmp(start, utf8_bom, strlen(utf8_bom)) == 0)
                skip = strlen(utf8_bom);
        while (skip < len && is_blank(start[skip]))
                skip++;
        memcpy(str, start + skip, len - skip);
        str[len - skip] = '\0';
out:
        if (rd->on_line)
                rd->on_line(rd->ctx, rd->line, str, status);
        return str;
}
