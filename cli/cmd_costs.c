/*
 * cmd_costs.c - `gpu-shopper costs` (GET /api/v1/costs) and
 * `gpu-shopper costs summary` (GET /api/v1/costs/summary): the total, the
 * breakdown by provider and GPU type, and with --period one row per day or
 * month; or the API's JSON with -o json.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "domain/cost_range.h"
#include "domain/session_id.h"
#include "json_table.h"
#include "money.h"
#include "strbuf.h"
#include "table.h"
#include "url.h"

#define COSTS_PATH "/api/v1/costs"
#define SUMMARY_PATH "/api/v1/costs/summary"
/* "YYYY-MM" of a monthly period, "YYYY-MM-DD" of a daily one. */
#define MONTH_LABEL_LEN 7
#define HOURS_TEXT_MAX 32
#define HOURS_SHOWN_MIN 0.01

static const char costs_usage[] =
        "Usage: gpu-shopper costs [OPTIONS]\n"
        "       gpu-shopper costs summary [-c ID]\n"
        "\n"
        "Shows what sessions cost: billed per second from the provider's instance\n"
        "creation to its verified destruction, running sessions up to now. Without\n"
        "dates every cost so far; 'summary' is the current UTC month.\n"
        "\n"
        "Options:\n"
        "  -c, --consumer-id ID     one consumer's costs\n"
        "  -s, --session-id ID      one session's cost\n"
        "      --start YYYY-MM-DD   first day (UTC, inclusive)\n"
        "      --end YYYY-MM-DD     last day (UTC, inclusive)\n"
        "  -p, --period PERIOD      daily or monthly: one row per day or month\n"
        "                           (default range: this month / this year)\n"
        "  -h, --help               this help\n"
        "\n"
        "Global options: --server URL, -o table|json.\n"
        "Examples:\n"
        "  gpu-shopper costs -c my-app\n"
        "  gpu-shopper costs -s sess-abc123\n"
        "  gpu-shopper costs --start 2026-01-01 --end 2026-01-31 -p daily\n"
        "  gpu-shopper costs summary -c my-app\n";

static const char summary_usage[] =
        "Usage: gpu-shopper costs summary [-c ID]\n"
        "\n"
        "This UTC month's costs so far (running sessions up to now), by provider and GPU\n"
        "type; all consumers the token may see, or one with -c.\n"
        "\n"
        "Options:\n"
        "  -c, --consumer-id ID     one consumer\n"
        "  -h, --help               this help\n";

enum opt_id { OPT_START = 256, OPT_END };

static const struct option costs_opts[] = {
        {"consumer-id", required_argument, NULL, 'c'},
        {"session-id", required_argument, NULL, 's'},
        {"start", required_argument, NULL, OPT_START},
        {"end", required_argument, NULL, OPT_END},
        {"period", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct costs_args {
        const char *consumer_id;
        const char *session_id;
        const char *start;
        const char *end;
        const char *period;
};

static int check_args(const struct costs_args *a)
{
        int64_t day;
        int period;

        if (a->consumer_id && !session_id_is_valid_consumer(a->consumer_id))
                return args_error("costs", "'%s' is not a consumer id", a->consumer_id);
        if (a->session_id && !session_id_is_valid(a->session_id))
                return args_error("costs", "'%s' is not a session id (sess-...)", a->session_id);
        if (a->start && cost_date_parse(a->start, &day) < 0)
                return args_error("costs", "--start '%s' is not a date YYYY-MM-DD", a->start);
        if (a->end && cost_date_parse(a->end, &day) < 0)
                return args_error("costs", "--end '%s' is not a date YYYY-MM-DD", a->end);
        if (a->period && cost_period_parse(a->period, &period) < 0)
                return args_error("costs", "--period '%s' is not daily or monthly", a->period);
        return CLI_OK;
}

/* ---- output ------------------------------------------------------------ */

static const char *str(const json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

/* Hours (not money) with 2 decimals; "<0.01" for a few seconds. */
static void format_hours(const json_t *v, char *buf, size_t len)
{
        double h = json_number_value(v);

        if (h > 0 && h < HOURS_SHOWN_MIN)
                (void)snprintf(buf, len, "<%.2f", HOURS_SHOWN_MIN);
        else
                (void)snprintf(buf, len, "%.2f", h);
}

static int64_t total_uusd(const json_t *o)
{
        const json_t *u = json_object_get(o, "total_cost_uusd");

        return json_is_integer(u) ? (int64_t)json_integer_value(u)
                                  : money_uusd(json_object_get(o, "total_cost"));
}

/* "2026-11-01" or "2026-11" from an RFC 3339 time, "-" without one. */
static void period_label(const char *rfc3339, bool monthly, char *buf, size_t len)
{
        size_t n = monthly ? MONTH_LABEL_LEN : COST_DATE_TEXT_MAX - 1;

        if (!rfc3339 || strlen(rfc3339) < n) {
                (void)snprintf(buf, len, "-");
                return;
        }
        (void)snprintf(buf, len, "%.*s", (int)n, rfc3339);
}

/* The window line: "2026-01-01 .. 2026-01-31" (end is exclusive in the API). */
static void print_window(const json_t *j)
{
        const char *from = str(j, "period_start"), *to = str(j, "period_end");
        char a[COST_DATE_TEXT_MAX], b[COST_DATE_TEXT_MAX];
        int64_t end_ms;

        period_label(from, false, a, sizeof(a));
        if (!from && !to) {
                printf("Period:     all time (to now)\n");
                return;
        }
        if (to && strlen(to) >= COST_DATE_TEXT_MAX - 1) {
                (void)snprintf(b, sizeof(b), "%.10s", to);
                if (cost_date_parse(b, &end_ms) == 0)
                        (void)cost_date_format(end_ms - MS_PER_DAY, b, sizeof(b));
        } else {
                (void)snprintf(b, sizeof(b), "now");
        }
        printf("Period:     %s .. %s (UTC, inclusive)\n", from ? a : "the beginning", b);
}

static int add_breakdown_row(struct table *t, const char *key, const json_t *v, const void *ctx)
{
        char cost[MONEY_TEXT_MAX];
        const char *cells[2] = {key, cost};

        (void)ctx;
        money_format_json(v, cost, sizeof(cost));
        return table_add_row(t, cells);
}

static int print_breakdown(const json_t *j, const char *key, const char *header)
{
        const struct table_column cols[] = {{header, 0}, {"COST", TABLE_RIGHT}};
        const struct json_table breakdown = {cols, 2, add_breakdown_row, NULL, "\n"};
        const json_t *m = json_object_get(j, key);

        if (json_object_size(m) == 0)
                return CLI_OK;
        if (json_table_print(&breakdown, m, stdout, NULL) < 0)
                return cli_out_of_memory("costs");
        return CLI_OK;
}

/* ctx: the bool "the periods are months". */
static int add_period_row(struct table *t, const char *key, const json_t *p, const void *ctx)
{
        char label[COST_DATE_TEXT_MAX], cost[MONEY_TEXT_MAX], n[HOURS_TEXT_MAX],
                hours[HOURS_TEXT_MAX];
        const char *cells[4] = {label, cost, n, hours};

        (void)key;
        period_label(str(p, "period_start"), *(const bool *)ctx, label, sizeof(label));
        money_format(total_uusd(p), cost, sizeof(cost));
        (void)snprintf(n, sizeof(n), "%lld",
                       (long long)json_integer_value(json_object_get(p, "session_count")));
        format_hours(json_object_get(p, "hours_used"), hours, sizeof(hours));
        return table_add_row(t, cells);
}

static int print_periods(const json_t *j)
{
        static const struct table_column cols[] = {
                {"PERIOD", 0},
                {"COST", TABLE_RIGHT},
                {"SESSIONS", TABLE_RIGHT},
                {"HOURS", TABLE_RIGHT},
        };
        bool monthly = str(j, "period") && strcmp(str(j, "period"), "monthly") == 0;
        const struct json_table periods = {cols, 4, add_period_row, &monthly, "\n"};

        if (json_table_print(&periods, json_object_get(j, "periods"), stdout, NULL) < 0)
                return cli_out_of_memory("costs");
        return CLI_OK;
}

static int print_report(const json_t *j)
{
        char cost[MONEY_TEXT_MAX], hours[HOURS_TEXT_MAX];
        json_int_t sessions = json_integer_value(json_object_get(j, "session_count"));
        int rc;

        if (str(j, "session_id"))
                printf("Session:    %s\n", str(j, "session_id"));
        if (str(j, "consumer_id"))
                printf("Consumer:   %s\n", str(j, "consumer_id"));
        print_window(j);
        money_format(total_uusd(j), cost, sizeof(cost));
        format_hours(json_object_get(j, "hours_used"), hours, sizeof(hours));
        printf("Total:      %s %s (%lld session%s, %s hours)\n", cost,
               str(j, "currency") ? str(j, "currency") : "USD", (long long)sessions,
               sessions == 1 ? "" : "s", hours);
        rc = print_breakdown(j, "by_provider", "PROVIDER");
        if (rc == CLI_OK)
                rc = print_breakdown(j, "by_gpu_type", "GPU TYPE");
        if (rc == CLI_OK && json_is_array(json_object_get(j, "periods")))
                rc = print_periods(j);
        return rc;
}

/* ---- commands ---------------------------------------------------------- */

static int run_summary(struct cli *cli, int argc, char **argv)
{
        const char *consumer;
        struct strbuf path;
        int rc = args_consumer_only(argc, argv, "costs summary", summary_usage, &consumer);

        if (rc != CLI_OK)
                return rc == ARGS_HELP ? CLI_OK : rc;
        if (consumer && !session_id_is_valid_consumer(consumer))
                return args_error("costs summary", "'%s' is not a consumer id", consumer);
        strbuf_init(&path);
        strbuf_puts(&path, SUMMARY_PATH);
        url_append_query(&path, "consumer_id", consumer);
        rc = cli_get_and_print(cli, "costs", &path, print_report);
        strbuf_done(&path);
        return rc;
}

int cmd_costs(struct cli *cli, int argc, char **argv)
{
        struct costs_args a = {0};
        struct strbuf path;
        int rc = CLI_ERR_USAGE;
        int c;

        if (argc > 1 && strcmp(argv[1], "summary") == 0)
                return run_summary(cli, argc - 1, argv + 1);
        strbuf_init(&path);
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":c:s:p:h", costs_opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        fputs(costs_usage, stdout);
                        rc = CLI_OK;
                        goto done;
                case 'c':
                        a.consumer_id = optarg;
                        break;
                case 's':
                        a.session_id = optarg;
                        break;
                case 'p':
                        a.period = optarg;
                        break;
                case OPT_START:
                        a.start = optarg;
                        break;
                case OPT_END:
                        a.end = optarg;
                        break;
                default:
                        rc = args_bad_option("costs", c, argv);
                        goto done;
                }
        }
        if (optind < argc) {
                rc = args_error("costs", "unexpected argument '%s'", argv[optind]);
                goto done;
        }
        rc = check_args(&a);
        if (rc != CLI_OK)
                goto done;
        strbuf_puts(&path, COSTS_PATH);
        url_append_query(&path, "session_id", a.session_id);
        url_append_query(&path, "consumer_id", a.consumer_id);
        url_append_query(&path, "start_date", a.start);
        url_append_query(&path, "end_date", a.end);
        url_append_query(&path, "period", a.period);
        rc = cli_get_and_print(cli, "costs", &path, print_report);
done:
        strbuf_done(&path);
        return rc;
}
