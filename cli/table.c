/* table.c - aligned text tables (see table.h). */
#include "table.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "..."
#define ELLIPSIS_LEN 3
#define COLUMN_GAP "  "
#define UTF8_CONT_MASK 0xc0u
#define UTF8_CONT 0x80u
#define INITIAL_ROWS 16

struct table {
        const struct table_column *columns;
        size_t count; /* columns */
        char **cells; /* rows * count, row-major */
        size_t rows;
        size_t cap; /* rows allocated */
};

static bool is_continuation(unsigned char c)
{
        return (c & UTF8_CONT_MASK) == UTF8_CONT;
}

/* Display width: UTF-8 code points, not bytes. */
static size_t width(const char *s)
{
        size_t w = 0;

        for (; *s; s++)
                if (!is_continuation((unsigned char)*s))
                        w++;
        return w;
}

/* The longest cell of a column before it is cut (SIZE_MAX: never). */
static size_t cell_max(unsigned flags)
{
        if (flags & TABLE_NO_CUT)
                return SIZE_MAX;
        return (flags & TABLE_LONG) ? TABLE_LONG_CELL_MAX : TABLE_CELL_MAX;
}

/* A copy of text, cut to max bytes ending in "...". */
static char *cell_dup(const char *text, size_t max)
{
        size_t n = strlen(text);
        char *c;

        if (n <= max)
                return strdup(text);
        n = max - ELLIPSIS_LEN;
        while (n > 0 && is_continuation((unsigned char)text[n]))
                n--; /* never cut a UTF-8 sequence */
        c = malloc(n + ELLIPSIS_LEN + 1);
        if (!c)
                return NULL;
        memcpy(c, text, n);
        memcpy(c + n, ELLIPSIS, ELLIPSIS_LEN + 1);
        return c;
}

struct table *table_new(const struct table_column *columns, size_t count)
{
        struct table *t = calloc(1, sizeof(*t));

        if (!t)
                return NULL;
        t->columns = columns;
        t->count = count;
        return t;
}

int table_add_row(struct table *t, const char *const *cells)
{
        char **row;

        if (t->rows == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : INITIAL_ROWS;
                char **c = realloc(t->cells, cap * t->count * sizeof(*c));

                if (!c)
                        return -1;
                t->cells = c;
                t->cap = cap;
        }
        row = t->cells + t->rows * t->count;
        for (size_t i = 0; i < t->count; i++) {
                row[i] = cell_dup(cells[i] ? cells[i] : "-", cell_max(t->columns[i].flags));
                if (!row[i]) {
                        while (i-- > 0)
                                free(row[i]);
                        return -1;
                }
        }
        t->rows++;
        return 0;
}

size_t table_row_count(const struct table *t)
{
        return t->rows;
}

static void print_cell(FILE *out, const char *text, size_t w, bool right, bool last)
{
        int pad = (int)(w - width(text));

        if (right)
                fprintf(out, "%*s%s", pad, "", text);
        else
                fprintf(out, "%s%*s", text, last ? 0 : pad, "");
        fputs(last ? "\n" : COLUMN_GAP, out);
}

static void print_row(const struct table *t, FILE *out, const char *const *cells, const size_t *w)
{
        for (size_t c = 0; c < t->count; c++)
                print_cell(out, cells[c], w[c], (t->columns[c].flags & TABLE_RIGHT) != 0,
                           c + 1 == t->count);
}

void table_print(const struct table *t, FILE *out)
{
        size_t *w = calloc(t->count, sizeof(*w));
        const char **hdr = calloc(t->count, sizeof(*hdr));

        if (!w || !hdr)
                goto done;
        for (size_t c = 0; c < t->count; c++) {
                hdr[c] = t->columns[c].header;
                w[c] = width(hdr[c]);
        }
        for (size_t r = 0; r < t->rows; r++)
                for (size_t c = 0; c < t->count; c++) {
                        size_t cw = width(t->cells[r * t->count + c]);

                        if (cw > w[c])
                                w[c] = cw;
                }
        print_row(t, out, hdr, w);
        for (size_t r = 0; r < t->rows; r++)
                print_row(t, out, (const char *const *)(t->cells + r * t->count), w);
done:
        free(hdr);
        free(w);
}

void table_free(struct table *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->rows * t->count; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
}
