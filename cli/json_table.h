/*
 * json_table.h - a table (table.h) with one row per element of a JSON array
 * or member of a JSON object, built and printed in one call. The caller's
 * add_row formats one row and hands it to table_add_row, which copies it;
 * the table lives only inside json_table_print.
 */
#ifndef GS_CLI_JSON_TABLE_H
#define GS_CLI_JSON_TABLE_H

#include <jansson.h>
#include <stdio.h>

#include "table.h"

struct json_table {
        const struct table_column *columns; /* must outlive the call */
        size_t count;
        /* Add item's row to t (key: its member name when the items are an
         * object, NULL for an array element); table_add_row's result. */
        int (*add_row)(struct table *t, const char *key, const json_t *item, const void *ctx);
        const void *ctx; /* passed to add_row */
        const char *before; /* printed before the table (e.g. "\n"); NULL: nothing */
};

/* Print jt->before and the table of items (array or object; anything else has
 * no rows) to out, and set *ret_rows (may be NULL) to the number of rows. -1,
 * having printed nothing, when out of memory. */
int json_table_print(const struct json_table *jt, const json_t *items, FILE *out,
                     size_t *ret_rows);

#endif /* GS_CLI_JSON_TABLE_H */
