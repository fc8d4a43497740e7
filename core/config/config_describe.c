/* config_describe.c - prints a declared key table as an aligned text table. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "config/config_value.h"

#define COL_GAP "  "
#define NONE "-"
#define REDACTED "<redacted>"

enum { COL_KEY, COL_TYPE, COL_FLAGS, COL_DEFAULT, COL_ENV, COL_RANGE, COL_HELP, COL_COUNT };

static const char *const headings[COL_COUNT] = {
        "KEY", "TYPE", "FLAGS", "DEFAULT", "ENV", "RANGE", "DESCRIPTION",
};

/* Room for a formatted range or choice list. */
#define RANGE_CELL_MAX 128
#define FLAGS_CELL_MAX 24

struct row {
        const char *cell[COL_COUNT];
        char range[RANGE_CELL_MAX];
        char flags[FLAGS_CELL_MAX];
};

static void fill_row(const struct gs_config_key *k, struct row *row)
{
        const char *type = cfg_type_name(k->type);
        bool req = k->flags & GS_CFG_REQUIRED, sec = k->flags & GS_CFG_SECRET;

        snprintf(row->flags, sizeof(row->flags), "%s%s%s", req ? "required" : "",
                 req && sec ? "," : "", sec ? "secret" : "");
        if (k->type == GS_CFG_ENUM)
                snprintf(row->range, sizeof(row->range), "%s", k->choices ? k->choices : "");
        else
                (void)cfg_value_format_range(k, row->range, sizeof(row->range));
        row->cell[COL_KEY] = k->name;
        row->cell[COL_TYPE] = type ? type : "?";
        row->cell[COL_FLAGS] = row->flags;
        row->cell[COL_DEFAULT] = k->default_value ? (sec ? REDACTED : k->default_value) : NULL;
        row->cell[COL_ENV] = k->env;
        row->cell[COL_RANGE] = row->range;
        row->cell[COL_HELP] = k->description;
        for (int c = 0; c < COL_COUNT; c++)
                if (!row->cell[c] || !row->cell[c][0])
                        row->cell[c] = NONE;
}

static void print_row(const char *const *cells, const size_t *width, FILE *out)
{
        for (int c = 0; c < COL_COUNT; c++) {
                if (c == COL_COUNT - 1)
                        fprintf(out, "%s\n", cells[c]);
                else
                        fprintf(out, "%-*s%s", (int)width[c], cells[c], COL_GAP);
        }
}

void cfg_describe_keys(const struct gs_config_key *keys, size_t key_size, FILE *out)
{
        size_t width[COL_COUNT];
        struct gs_config_key k;
        struct row *rows = NULL;
        size_t n = 0;

        if (!out)
                return;
        if (!keys || key_size < CFG_MIN_KEY_SIZE)
                goto out;
        rows = calloc(CFG_MAX_KEYS, sizeof(*rows));
        if (!rows)
                goto out;
        for (; n < CFG_MAX_KEYS; n++) {
                cfg_keys_load(keys, key_size, n, &k);
                if (!k.name)
                        break;
                fill_row(&k, &rows[n]);
        }
out:
        for (int c = 0; c < COL_COUNT; c++)
                width[c] = strlen(headings[c]);
        for (size_t i = 0; i < n; i++)
                for (int c = 0; c < COL_COUNT; c++)
                        if (strlen(rows[i].cell[c]) > width[c])
                                width[c] = strlen(rows[i].cell[c]);
        print_row(headings, width, out);
        for (size_t i = 0; i < n; i++)
                print_row(rows[i].cell, width, out);
        free(rows);
}
