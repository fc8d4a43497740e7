/*
 * table.h - aligned text tables for the CLI: a header row, then one row per
 * item, columns separated by two spaces and padded to the widest cell
 * (counted in UTF-8 code points). Cells are copied.
 */
#ifndef GS_CLI_TABLE_H
#define GS_CLI_TABLE_H

#include <stdio.h>

#define TABLE_CELL_MAX 48 /* longer cells end in "..." unless TABLE_NO_CUT/TABLE_LONG */
#define TABLE_LONG_CELL_MAX 256 /* the same for TABLE_LONG cells */

#define TABLE_RIGHT (1u << 0)  /* right-align (numbers, money) */
#define TABLE_NO_CUT (1u << 1) /* never shorten (ids the user types back) */
#define TABLE_LONG (1u << 2)   /* shorten only past TABLE_LONG_CELL_MAX (offer ids) */

struct table_column {
        const char *header;
        unsigned flags; /* TABLE_* */
};

struct table;

/* columns must outlive the table. NULL when out of memory. */
struct table *table_new(const struct table_column *columns, size_t count);
/* Append a row of `count` cells (NULL cells print "-"); -1 when out of memory. */
int table_add_row(struct table *t, const char *const *cells);
size_t table_row_count(const struct table *t);
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif /* GS_CLI_TABLE_H */
