/*
 * cmd_budgets.c - `gpu-shopper budgets`: GET /api/v1/budgets, each monthly
 * budget with this month's spend and what remains, and the running $/h
 * against the global ceiling; or the API's JSON with -o json.
 */
#include <stdio.h>

#include "args.h"
#include "cli.h"
#include "domain/session_id.h"
#include "json_table.h"
#include "money.h"
#include "strbuf.h"
#include "table.h"
#include "url.h"

#define BUDGETS_PATH "/api/v1/budgets"
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

static int add_budget_row(struct table *t, const char *key, const json_t *b, const void *ctx)
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

        (void)key;
        (void)ctx;
        money_format_json(json_object_get(b, "monthly_usd"), limit, sizeof(limit));
        money_format_json(json_object_get(b, "spent_usd"), spent, sizeof(spent));
        money_format_json(json_object_get(b, "remaining_usd"), left, sizeof(left));
        percent(b, used, sizeof(used));
        return table_add_row(t, cells);
}

static int print_table(const json_t *j)
{
        static const struct table_column cols[COLUMNS] = {
                {"CONSUMER", TABLE_NO_CUT}, {"BUDGET", TABLE_RIGHT}, {"SPENT", TABLE_RIGHT},
                {"REMAINING", TABLE_RIGHT}, {"USED", TABLE_RIGHT},   {"STATUS", 0},
        };
        static const struct json_table budgets = {cols, COLUMNS, add_budget_row, NULL, "\n"};
        const json_t *list = json_object_get(j, "budgets");

        print_ceiling(j);
        if (json_array_size(list) == 0) {
                printf("\nNo monthly budgets configured.\n");
                return CLI_OK;
        }
        if (json_table_print(&budgets, list, stdout, NULL) < 0)
                return cli_out_of_memory("budgets");
        return CLI_OK;
}

int cmd_budgets(struct cli *cli, int argc, char **argv)
{
        const char *consumer;
        struct strbuf path;
        int rc = args_consumer_only(argc, argv, "budgets", usage_text, &consumer);

        if (rc != CLI_OK)
                return rc == ARGS_HELP ? CLI_OK : rc;
        if (consumer && !session_id_is_valid_consumer(consumer)) {
                fprintf(stderr, "gpu-shopper budgets: '%s' is not a consumer id\n", consumer);
                return CLI_ERR_USAGE;
        }
        strbuf_init(&path);
        strbuf_puts(&path, BUDGETS_PATH);
        url_append_query(&path, "consumer_id", consumer);
        rc = cli_get_and_print(cli, "budgets", &path, print_table);
        strbuf_done(&path);
        return rc;
}
