/* json_table.c - one table row per JSON element (see json_table.h). */
#include "json_table.h"

static int add_rows(const struct json_table *jt, struct table *t, const json_t *items)
{
        const char *key;
        const json_t *v;
        size_t i;

        json_array_foreach(items, i, v)
        {
                if (jt->add_row(t, NULL, v, jt->ctx) < 0)
                        return -1;
        }
        json_object_foreach((json_t *)items, key, v)
        {
                if (jt->add_row(t, key, v, jt->ctx) < 0)
                        return -1;
        }
        return 0;
}

int json_table_print(const struct json_table *jt, const json_t *items, FILE *out,
                     size_t *ret_rows)
{
        struct table *t = table_new(jt->columns, jt->count);
        int rc = -1;

        if (!t || add_rows(jt, t, items) < 0)
                goto done;
        if (jt->before)
                fputs(jt->before, out);
        table_print(t, out);
        if (ret_rows)
                *ret_rows = table_row_count(t);
        rc = 0;
done:
        table_free(t);
        return rc;
}
