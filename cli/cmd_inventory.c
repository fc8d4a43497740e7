/*
 * cmd_inventory.c - `gpu-shopper inventory`: GET /api/v1/inventory with the
 * filters given as options (URL-encoded), shown as an aligned table with a
 * total line, or the API's JSON with -o json.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "domain/units.h"
#include "strbuf.h"

#define INVENTORY_PATH "/api/v1/inventory"
/* Longest table cell; longer text is cut with "...". IDs are never cut (they
 * are what `provision` takes) up to the longest id the API can return. */
#define CELL_MAX 48
#define ID_CELL_MAX 256
#define COLUMNS 9
/* JSON numbers printed back with the precision the API sends (micro-USD). */
#define JSON_PRECISION 15
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

/* Percent-encode everything but RFC 3986 unreserved characters. */
static void url_encode(struct strbuf *sb, const char *s)
{
        static const char hex[] = "0123456789ABCDEF";

        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                char enc[3];

                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
                        strbuf_append(sb, (const char *)p, 1);
                        continue;
                }
                enc[0] = '%';
                enc[1] = hex[*p >> 4];
                enc[2] = hex[*p & 0xf];
                strbuf_append(sb, enc, sizeof(enc));
        }
}

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

struct row {
        char cell[COLUMNS][ID_CELL_MAX + 1];
};

static const char *const headers[COLUMNS] = {"ID",       "PROVIDER", "GPU",         "COUNT", "VRAM",
                                             "PRICE/HR", "LOCATION", "RELIABILITY", "AGE"};
/* Right-aligned columns: the numbers. */
static const bool right[COLUMNS] = {false, false, false, true, true, true, false, true, true};

/* Display width: UTF-8 code points, not bytes. */
static size_t width(const char *s)
{
        size_t w = 0;

        for (; *s; s++)
                if (((unsigned char)*s & 0xc0) != 0x80)
                        w++;
        return w;
}

static void set_cell(struct row *r, int col, const char *text)
{
        size_t n = strlen(text);
        size_t max = col == 0 ? ID_CELL_MAX : CELL_MAX;

        if (n > max) {
                n = max - 3;
                /* do not cut a UTF-8 sequence */
                while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
                        n--;
                memcpy(r->cell[col], text, n);
                memcpy(r->cell[col] + n, "...", 4);
                return;
        }
        memcpy(r->cell[col], text, n + 1);
}

static const char *str(const json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));

        return s && s[0] ? s : NULL;
}

/* "$0.4000" -> "$0.40", "$0.0602" kept: at least two decimals, at most four. */
static void format_price(double usd, char *buf, size_t len)
{
        char *dot;
        size_t n;

        (void)snprintf(buf, len, "$%.4f", usd);
        dot = strchr(buf, '.');
        n = strlen(buf);
        while (dot && n > (size_t)(dot - buf) + 3 && buf[n - 1] == '0')
                buf[--n] = '\0';
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

static void fill_row(struct row *r, const json_t *o)
{
        char buf[CELL_MAX + 1];
        const char *gpu = str(o, "gpu_type"), *ff = str(o, "form_factor");
        const json_t *rel = json_object_get(o, "reliability");

        set_cell(r, 0, str(o, "id") ? str(o, "id") : "-");
        set_cell(r, 1, str(o, "provider") ? str(o, "provider") : "-");
        (void)snprintf(buf, sizeof(buf), "%s%s%s", gpu ? gpu : "-", ff ? " " : "", ff ? ff : "");
        set_cell(r, 2, buf);
        (void)snprintf(buf, sizeof(buf), "%lld",
                       (long long)json_integer_value(json_object_get(o, "gpu_count")));
        set_cell(r, 3, buf);
        (void)snprintf(buf, sizeof(buf), "%lldGB",
                       (long long)json_integer_value(json_object_get(o, "vram_gb")));
        set_cell(r, 4, buf);
        format_price(json_number_value(json_object_get(o, "price_per_hour")), buf, sizeof(buf));
        set_cell(r, 5, buf);
        set_cell(r, 6, str(o, "location") ? str(o, "location") : "-");
        if (json_is_number(rel))
                (void)snprintf(buf, sizeof(buf), "%.3f", json_number_value(rel));
        else
                (void)snprintf(buf, sizeof(buf), "-");
        set_cell(r, 7, buf);
        format_age(json_integer_value(json_object_get(o, "age_seconds")), buf, sizeof(buf));
        set_cell(r, 8, buf);
}

static void print_cell(const char *text, size_t w, bool align_right, bool last)
{
        size_t pad = w - width(text);

        if (align_right)
                printf("%*s%s", (int)pad, "", text);
        else
                printf("%s%*s", text, last ? 0 : (int)pad, "");
        fputs(last ? "\n" : "  ", stdout);
}

static int print_table(const json_t *j)
{
        const json_t *offers = json_object_get(j, "offers");
        size_t n = json_array_size(offers);
        size_t w[COLUMNS];
        struct row *rows;
        json_int_t total = json_integer_value(json_object_get(j, "total"));

        if (n == 0) {
                printf("No offers found matching criteria.\n");
                return CLI_OK;
        }
        rows = calloc(n, sizeof(*rows));
        if (!rows) {
                fprintf(stderr, "gpu-shopper inventory: out of memory\n");
                return CLI_ERR_SERVER;
        }
        for (int c = 0; c < COLUMNS; c++)
                w[c] = width(headers[c]);
        for (size_t i = 0; i < n; i++) {
                fill_row(&rows[i], json_array_get(offers, i));
                for (int c = 0; c < COLUMNS; c++)
                        if (width(rows[i].cell[c]) > w[c])
                                w[c] = width(rows[i].cell[c]);
        }
        for (int c = 0; c < COLUMNS; c++)
                print_cell(headers[c], w[c], right[c], c == COLUMNS - 1);
        for (size_t i = 0; i < n; i++)
                for (int c = 0; c < COLUMNS; c++)
                        print_cell(rows[i].cell[c], w[c], right[c], c == COLUMNS - 1);
        printf("\n%zu of %lld offers\n", n, (long long)total);
        free(rows);
        return CLI_OK;
}

int cmd_inventory(struct cli *cli, int argc, char **argv)
{
        struct strbuf path;
        json_t *j = NULL;
        char *p = NULL;
        bool first = true;
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
                        fprintf(stderr, "gpu-shopper inventory: %s '%s' (try --help)\n",
                                c == ':' ? "missing value for" : "unknown option",
                                argv[optind - 1]);
                        goto done;
                }
                for (size_t i = 0; i < PARAM_COUNT; i++)
                        if (params[i].opt == c)
                                m = &params[i];
                if (!m || !value_ok(m, optarg))
                        goto done;
                strbuf_puts(&path, first ? "?" : "&");
                strbuf_puts(&path, m->param);
                strbuf_puts(&path, "=");
                url_encode(&path, optarg);
                first = false;
        }
        if (optind < argc) {
                fprintf(stderr, "gpu-shopper inventory: unexpected argument '%s' (try --help)\n",
                        argv[optind]);
                goto done;
        }
        p = strbuf_take(&path, NULL);
        if (!p) {
                fprintf(stderr, "gpu-shopper inventory: out of memory\n");
                goto done;
        }
        rc = cli_call(cli, "GET", p, NULL, &j);
        if (rc != CLI_OK)
                goto done;
        if (cli->json) {
                char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                                JSON_REAL_PRECISION(JSON_PRECISION));

                if (s)
                        puts(s);
                free(s);
        } else {
                rc = print_table(j);
        }
done:
        json_decref(j);
        free(p);
        strbuf_done(&path);
        return rc;
}
