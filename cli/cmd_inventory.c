/*
 * cmd_inventory.c - `gpu-shopper inventory`: GET /api/v1/inventory with the
 * filters given as options (URL-encoded), shown as an aligned table with a
 * total line, or the API's JSON with -o json.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "args.h"
#include "cli.h"
#include "domain/units.h"
#include "json_table.h"
#include "money.h"
#include "strbuf.h"
#include "table.h"
#include "url.h"

#define INVENTORY_PATH "/api/v1/inventory"
#define COLUMNS 9
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR 3600
#define SECONDS_PER_DAY 86400

static const char usage_text[] =
        "Usage: gpu-shopper inventory [OPTIONS]\n"
        "\n"
        "Lists the GPU offers of every provider, cheapest first.\n"
        "\n"
        "Options:\n"
        "  -g, --gpu-type NAME      GPU model, any spelling (\"RTX 4090\", rtx4090, A100-SXM4);\n"
        "                           a comma list matches any of them\n"
        "      --min-vram GB        at least this much memory per GPU\n"
        "      --max-price USD      at most this price per hour for the whole offer\n"
        "  -p, --provider NAME      one provider instance (comma list allowed)\n"
        "      --min-gpus N         at least N GPUs per offer\n"
        "      --gpu-count N        exactly N GPUs per offer\n"
        "      --location TEXT      location contains TEXT (case-insensitive)\n"
        "      --min-reliability R  reliability at least R (0..1)\n"
        "      --min-cuda VERSION   CUDA version at least VERSION (e.g. 12.4)\n"
        "      --sort ORDER         price (default), price_per_gpu, reliability, vram_gb\n"
        "      --limit N            offers to show (1..1000, default 100)\n"
        "      --offset N           skip the first N matches\n"
        "  -h, --help               this help\n"
        "\n"
        "Global options: --server URL, -o table|json.\n"
        "Example: gpu-shopper inventory --gpu-type \"RTX 4090\" --max-price 0.50 -p vastai\n";

enum opt_id {
        OPT_MIN_VRAM = 256,
        OPT_MAX_PRICE,
        OPT_MIN_GPUS,
        OPT_GPU_COUNT,
        OPT_LOCATION,
        OPT_MIN_RELIABILITY,
        OPT_MIN_CUDA,
        OPT_SORT,
        OPT_LIMIT,
        OPT_OFFSET,
};

static const struct option long_opts[] = {
        {"gpu-type", required_argument, NULL, 'g'},
        {"gpu", required_argument, NULL, 'g'},
        {"provider", required_argument, NULL, 'p'},
        {"min-vram", required_argument, NULL, OPT_MIN_VRAM},
        {"max-price", required_argument, NULL, OPT_MAX_PRICE},
        {"min-gpus", required_argument, NULL, OPT_MIN_GPUS},
        {"gpu-count", required_argument, NULL, OPT_GPU_COUNT},
        {"location", required_argument, NULL, OPT_LOCATION},
        {"min-reliability", required_argument, NULL, OPT_MIN_RELIABILITY},
        {"min-cuda", required_argument, NULL, OPT_MIN_CUDA},
        {"sort", required_argument, NULL, OPT_SORT},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"offset", required_argument, NULL, OPT_OFFSET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* Option -> query parameter, and how the CLI checks its syntax. */
enum check { CHECK_TEXT, CHECK_COUNT, CHECK_DECIMAL };

struct param_map {
        int opt;
        const char *flag;
        const char *param;
        enum check check;
};

static const struct param_map params[] = {
        {'p', "--provider", "provider", CHECK_TEXT},
        {'g', "--gpu-type", "gpu_type", CHECK_TEXT},
        {OPT_LOCATION, "--location", "location", CHECK_TEXT},
        {OPT_MIN_VRAM, "--min-vram", "min_vram", CHECK_COUNT},
        {OPT_MAX_PRICE, "--max-price", "max_price", CHECK_DECIMAL},
        {OPT_MIN_GPUS, "--min-gpus", "min_gpu_count", CHECK_COUNT},
        {OPT_GPU_COUNT, "--gpu-count", "gpu_count", CHECK_COUNT},
        {OPT_MIN_RELIABILITY, "--min-reliability", "min_reliability", CHECK_DECIMAL},
        {OPT_MIN_CUDA, "--min-cuda", "min_cuda", CHECK_DECIMAL},
        {OPT_SORT, "--sort", "sort", CHECK_TEXT},
        {OPT_LIMIT, "--limit", "limit", CHECK_COUNT},
        {OPT_OFFSET, "--offset", "offset", CHECK_COUNT},
};
#define PARAM_COUNT (sizeof(params) / sizeof(params[0]))

static bool value_ok(const struct param_map *m, const char *v)
{
        int64_t n;

        switch (m->check) {
        case CHECK_COUNT:
                if (units_parse_int64(v, &n) == 0 && n >= 0)
                        return true;
                fprintf(stderr,
                        "gpu-shopper inventory: %s needs a non-negative integer, got '%s'\n",
                        m->flag, v);
                return false;
        case CHECK_DECIMAL:
                if (units_parse_price_uusd(v, &n) == 0)
                        return true;
                fprintf(stderr,
                        "gpu-shopper inventory: %s needs a non-negative decimal number, "
                        "got '%s'\n",
                        m->flag, v);
                return false;
        case CHECK_TEXT:
        default:
                if (v[0])
                        return true;
                fprintf(stderr, "gpu-shopper inventory: %s needs a value\n", m->flag);
                return false;
        }
}

/* ---- table ------------------------------------------------------------- */

static const struct table_column columns[COLUMNS] = {
        {"ID", TABLE_LONG}, /* what `provision` takes: cut only past the longest id */
        {"PROVIDER", 0},
        {"GPU", 0},
        {"COUNT", TABLE_RIGHT},
        {"VRAM", TABLE_RIGHT},
        {"PRICE/HR", TABLE_RIGHT},
        {"LOCATION", 0},
        {"RELIABILITY", TABLE_RIGHT},
        {"AGE", TABLE_RIGHT},
};

static const char *str(const json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));

        return s && s[0] ? s : NULL;
}

static void format_age(json_int_t s, char *buf, size_t len)
{
        if (s < SECONDS_PER_MINUTE)
                (void)snprintf(buf, len, "%llds", (long long)s);
        else if (s < SECONDS_PER_HOUR)
                (void)snprintf(buf, len, "%lldm", (long long)(s / SECONDS_PER_MINUTE));
        else if (s < SECONDS_PER_DAY)
                (void)snprintf(buf, len, "%lldh", (long long)(s / SECONDS_PER_HOUR));
        else
                (void)snprintf(buf, len, "%lldd", (long long)(s / SECONDS_PER_DAY));
}

/* The formatted cells are cut at TABLE_CELL_MAX bytes by snprintf (no "..."). */
static int add_offer_row(struct table *t, const char *key, const json_t *o, const void *ctx)
{
        char gpu[TABLE_CELL_MAX + 1], count[TABLE_CELL_MAX + 1], vram[TABLE_CELL_MAX + 1],
                price[TABLE_CELL_MAX + 1], reliability[TABLE_CELL_MAX + 1], age[TABLE_CELL_MAX + 1];
        const char *cells[COLUMNS] = {str(o, "id"), str(o, "provider"), gpu, count, vram, price,
                                      str(o, "location"), reliability, age};
        const char *type = str(o, "gpu_type"), *ff = str(o, "form_factor");
        const json_t *rel = json_object_get(o, "reliability");

        (void)key;
        (void)ctx;
        (void)snprintf(gpu, sizeof(gpu), "%s%s%s", type ? type : "-", ff ? " " : "", ff ? ff : "");
        (void)snprintf(count, sizeof(count), "%lld",
                       (long long)json_integer_value(json_object_get(o, "gpu_count")));
        (void)snprintf(vram, sizeof(vram), "%lldGB",
                       (long long)json_integer_value(json_object_get(o, "vram_gb")));
        money_format_price(json_number_value(json_object_get(o, "price_per_hour")), price,
                           sizeof(price));
        if (json_is_number(rel))
                (void)snprintf(reliability, sizeof(reliability), "%.3f", json_number_value(rel));
        else
                (void)snprintf(reliability, sizeof(reliability), "-");
        format_age(json_integer_value(json_object_get(o, "age_seconds")), age, sizeof(age));
        return table_add_row(t, cells);
}

static int print_table(const json_t *j)
{
        static const struct json_table offers = {columns, COLUMNS, add_offer_row, NULL, NULL};
        json_int_t total = json_integer_value(json_object_get(j, "total"));
        size_t n;

        if (json_array_size(json_object_get(j, "offers")) == 0) {
                printf("No offers found matching criteria.\n");
                return CLI_OK;
        }
        if (json_table_print(&offers, json_object_get(j, "offers"), stdout, &n) < 0)
                return cli_out_of_memory("inventory");
        printf("\n%zu of %lld offers\n", n, (long long)total);
        return CLI_OK;
}

int cmd_inventory(struct cli *cli, int argc, char **argv)
{
        struct strbuf path;
        int rc = CLI_ERR_USAGE;
        int c;

        strbuf_init(&path);
        strbuf_puts(&path, INVENTORY_PATH);
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":g:p:h", long_opts, NULL)) != -1) {
                const struct param_map *m = NULL;

                if (c == 'h') {
                        fputs(usage_text, stdout);
                        rc = CLI_OK;
                        goto done;
                }
                if (c == '?' || c == ':') {
                        rc = args_bad_option("inventory", c, argv);
                        goto done;
                }
                for (size_t i = 0; i < PARAM_COUNT; i++)
                        if (params[i].opt == c)
                                m = &params[i];
                if (!m || !value_ok(m, optarg))
                        goto done;
                url_append_query(&path, m->param, optarg);
        }
        if (optind < argc) {
                rc = args_error("inventory", "unexpected argument '%s'", argv[optind]);
                goto done;
        }
        rc = cli_get_and_print(cli, "inventory", &path, print_table);
done:
        strbuf_done(&path);
        return rc;
}
