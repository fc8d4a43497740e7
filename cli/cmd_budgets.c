/*
 * cmd_budgets.c - `gpu-shopper budgets`: GET /api/v1/budgets, each monthly
 * budget with this month's spend and what remains, and the running $/h
 * against the global ceiling; or the API's JSON with -o json.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "domain/session_id.h"
#include "money.h"
#include "strbuf.h"
#include "table.h"
#include "url.h"

#define BUDGETS_PATH "/api/v1/budgets"
#define JSON_PRECISION 15
#define PERCENT_TEXT_MAX 48
/* Percent with one decimal from micro-USD: spent * 1000 / limit tenths. */
#define TENTHS_PER_WHOLE 1000
#define COLUMNS 6

static const char usage_text[] =
        "Usage: gpu-shopper budgets [-c ID]\n"
        "\n"
        "Shows each consumer's monthly budget ([budget.<consumer>] in the server's\n"
        "config), what it spent this UTC month (running sessions up to now), what\n"
        "remains, and the running cost per hour against the global ceiling.\n"
        "\n"
        "Options:\n"
        "  -c, --consumer-id ID     one consumer (its own or the default budget)\n"
        "  -h, --help               this help\n"
        "\n"
        "Global options: --server URL, -o table|json.\n";

static const char *str(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static void percent(const json_t *b, char *buf, size_t len)
{
        int64_t limit = money_uusd(json_object_get(b, "monthly_usd"));
        int64_t spent = money_uusd(json_object_get(b, "spent_usd"));
        int64_t tenths;

        if (limit <= 0 || spent < 0 || spent > INT64_MAX / TENTHS_PER_WHOLE) {
                (void)snprintf(buf, len, "-");
                return;
        }
        tenths = spent * TENTHS_PER_WHOLE / limit;
        (void)snprintf(buf, len, "%lld.%lld%%", (long long)(tenths / 10), (long long)(tenths % 10));
}

static void print_ceiling(const json_t *j)
{
        const json_t *c = json_object_get(j, "ceiling");
        char running[MONEY_TEXT_MAX], max[MONEY_TEXT_MAX], left[MONEY_TEXT_MAX];

        money_format_json(json_object_get(c, "running_usd_per_hour"), running, sizeof(running));
        printf("Policy:     %s\n", str(j, "policy") ? str(j, "policy") : "-");
        printf("Month:      %.10s .. %.10s (UTC, end exclusive)\n",
               str(j, "period_start") ? str(j, "period_start") : "-",
               str(j, "period_end") ? str(j, "period_end") : "-");
        if (!json_is_number(json_object_get(c, "max_running_usd_per_hour"))) {
                printf("Running:    %s/h (no ceiling)\n", running);
                return;
        }
        money_format_json(json_object_get(c, "max_running_usd_per_hour"), max, sizeof(max));
        money_format_json(json_object_get(c, "remaining_usd_per_hour"), left, sizeof(left));
        printf("Running:    %s/h of the %s/h ceiling (%s/h left)\n", running, max, left);
}

static int print_table(const json_t *j)
{
        static const struct table_column cols[COLUMNS] = {
                {"CONSUMER", TABLE_NO_CUT}, {"BUDGET", TABLE_RIGHT}, {"SPENT", TABLE_RIGHT},
                {"REMAINING", TABLE_RIGHT}, {"USED", TABLE_RIGHT},   {"STATUS", 0},
        };
        const json_t *list = json_object_get(j, "budgets");
        struct table *t;
        const json_t *b;
        size_t i;

        print_ceiling(j);
        if (json_array_size(list) == 0) {
                printf("\nNo monthly budgets configured.\n");
                return CLI_OK;
        }
        t = table_new(cols, COLUMNS);
        if (!t)
                goto nomem;
        json_array_foreach(list, i, b)
        {
                char limit[MONEY_TEXT_MAX], spent[MONEY_TEXT_MAX], left[MONEY_TEXT_MAX],
                        used[PERCENT_TEXT_MAX];
                const char *cells[COLUMNS] = {
                        str(b, "consumer_id"),
                        limit,
                        spent,
                        left,
                        used,
                        json_is_true(json_object_get(b, "exceeded")) ? "EXCEEDED" : "ok"};

                money_format_json(json_object_get(b, "monthly_usd"), limit, sizeof(limit));
                money_format_json(json_object_get(b, "spent_usd"), spent, sizeof(spent));
                money_format_json(json_object_get(b, "remaining_usd"), left, sizeof(left));
                percent(b, used, sizeof(used));
                if (table_add_row(t, cells) < 0)
                        goto nomem;
        }
        putchar('\n');
        table_print(t, stdout);
        table_free(t);
        return CLI_OK;
nomem:
        table_free(t);
        fprintf(stderr, "gpu-shopper budgets: out of memory\n");
        return CLI_ERR_SERVER;
}

int cmd_budgets(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"consumer-id", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *consumer = NULL;
        struct strbuf path;
        json_t *j = NULL;
        char *p = NULL;
        int rc = CLI_ERR_USAGE;
        int c;

        strbuf_init(&path);
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(usage_text, stdout);
                        rc = CLI_OK;
                        goto done;
                }
                if (c != 'c') {
                        fprintf(stderr, "gpu-shopper budgets: %s '%s' (try --help)\n",
                                c == ':' ? "missing value for" : "unknown option",
                                argv[optind - 1]);
                        goto done;
                }
                consumer = optarg;
        }
        if (optind < argc) {
                fprintf(stderr, "gpu-shopper budgets: unexpected argument '%s' (try --help)\n",
                        argv[optind]);
                goto done;
        }
        if (consumer && !session_id_is_valid_consumer(consumer)) {
                fprintf(stderr, "gpu-shopper budgets: '%s' is not a consumer id\n", consumer);
                goto done;
        }
        strbuf_puts(&path, BUDGETS_PATH);
        if (consumer) {
                strbuf_puts(&path, "?consumer_id=");
                url_append_encoded(&path, consumer);
        }
        p = strbuf_take(&path, NULL);
        if (!p) {
                fprintf(stderr, "gpu-shopper budgets: out of memory\n");
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
