/*
 * cmd_costs.c - `gpu-shopper costs` (GET /api/v1/costs) and
 * `gpu-shopper costs summary` (GET /api/v1/costs/summary): the total, the
 * breakdown by provider and GPU type, and with --period one row per day or
 * month; or the API's JSON with -o json.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "domain/cost_range.h"
#include "domain/session_id.h"
#include "money.h"
#include "strbuf.h"
#include "table.h"
#include "url.h"

#define COSTS_PATH "/api/v1/costs"
#define SUMMARY_PATH "/api/v1/costs/summary"
/* JSON numbers printed back with the precision the API sends (micro-USD). */
#define JSON_PRECISION 15
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

static void add_param(struct strbuf *sb, bool *first, const char *name, const char *value)
{
        if (!value)
                return;
        strbuf_puts(sb, *first ? "?" : "&");
        strbuf_puts(sb, name);
        strbuf_puts(sb, "=");
        url_append_encoded(sb, value);
        *first = false;
}

static int usage_error(const char *prog, const char *fmt, ...) GS_PRINTF(2, 3);

static int usage_error(const char *prog, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "gpu-shopper %s: ", prog);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, " (try --help)\n");
        return CLI_ERR_USAGE;
}

static int check_args(const struct costs_args *a)
{
        int64_t day;
        int period;

        if (a->consumer_id && !session_id_is_valid_consumer(a->consumer_id))
                return usage_error("costs", "'%s' is not a consumer id", a->consumer_id);
        if (a->session_id && !session_id_is_valid(a->session_id))
                return usage_error("costs", "'%s' is not a session id (sess-...)", a->session_id);
        if (a->start && cost_date_parse(a->start, &day) < 0)
                return usage_error("costs", "--start '%s' is not a date YYYY-MM-DD", a->start);
        if (a->end && cost_date_parse(a->end, &day) < 0)
                return usage_error("costs", "--end '%s' is not a date YYYY-MM-DD", a->end);
        if (a->period && cost_period_parse(a->period, &period) < 0)
                return usage_error("costs", "--period '%s' is not daily or monthly", a->period);
        return CLI_OK;
}

/* ---- output ------------------------------------------------------------ */

static void print_json(const json_t *j)
{
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(JSON_PRECISION));

        if (s)
                puts(s);
        free(s);
}

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

static int print_breakdown(const json_t *j, const char *key, const char *header)
{
        const struct table_column cols[] = {{header, 0}, {"COST", TABLE_RIGHT}};
        const json_t *m = json_object_get(j, key);
        const char *k;
        const json_t *v;
        struct table *t;

        if (json_object_size(m) == 0)
                return CLI_OK;
        t = table_new(cols, 2);
        if (!t)
                goto nomem;
        json_object_foreach((json_t *)m, k, v)
        {
                char cost[MONEY_TEXT_MAX];
                const char *cells[2] = {k, cost};

                money_format_json(v, cost, sizeof(cost));
                if (table_add_row(t, cells) < 0)
                        goto nomem;
        }
        putchar('\n');
        table_print(t, stdout);
        table_free(t);
        return CLI_OK;
nomem:
        table_free(t);
        fprintf(stderr, "gpu-shopper costs: out of memory\n");
        return CLI_ERR_SERVER;
}

static int print_periods(const json_t *j)
{
        static const struct table_column cols[] = {
                {"PERIOD", 0},
                {"COST", TABLE_RIGHT},
                {"SESSIONS", TABLE_RIGHT},
                {"HOURS", TABLE_RIGHT},
        };
        const json_t *list = json_object_get(j, "periods");
        bool monthly = str(j, "period") && strcmp(str(j, "period"), "monthly") == 0;
        struct table *t = table_new(cols, 4);
        size_t i;
        const json_t *p;

        if (!t)
                goto nomem;
        json_array_foreach(list, i, p)
        {
                char label[COST_DATE_TEXT_MAX], cost[MONEY_TEXT_MAX], n[HOURS_TEXT_MAX],
                        hours[HOURS_TEXT_MAX];
                const char *cells[4] = {label, cost, n, hours};

                period_label(str(p, "period_start"), monthly, label, sizeof(label));
                money_format(total_uusd(p), cost, sizeof(cost));
                (void)snprintf(n, sizeof(n), "%lld",
                               (long long)json_integer_value(json_object_get(p, "session_count")));
                format_hours(json_object_get(p, "hours_used"), hours, sizeof(hours));
                if (table_add_row(t, cells) < 0)
                        goto nomem;
        }
        putchar('\n');
        table_print(t, stdout);
        table_free(t);
        return CLI_OK;
nomem:
        table_free(t);
        fprintf(stderr, "gpu-shopper costs: out of memory\n");
        return CLI_ERR_SERVER;
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

static int fetch_and_print(struct cli *cli, const char *path)
{
        json_t *j = NULL;
        int rc = cli_call(cli, "GET", path, NULL, &j);

        if (rc != CLI_OK)
                return rc;
        if (cli->json)
                print_json(j);
        else
                rc = print_report(j);
        json_decref(j);
        return rc;
}

static int run_summary(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"consumer-id", required_argument, NULL, 'c'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *consumer = NULL;
        struct strbuf path;
        bool first = true;
        char *p = NULL;
        int rc = CLI_ERR_USAGE;
        int c;

        strbuf_init(&path);
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(summary_usage, stdout);
                        rc = CLI_OK;
                        goto done;
                }
                if (c != 'c') {
                        rc = usage_error("costs summary",
                                         c == ':' ? "missing value for '%s'"
                                                  : "unknown option '%s'",
                                         argv[optind - 1]);
                        goto done;
                }
                consumer = optarg;
        }
        if (optind < argc) {
                rc = usage_error("costs summary", "unexpected argument '%s'", argv[optind]);
                goto done;
        }
        if (consumer && !session_id_is_valid_consumer(consumer)) {
                rc = usage_error("costs summary", "'%s' is not a consumer id", consumer);
                goto done;
        }
        strbuf_puts(&path, SUMMARY_PATH);
        add_param(&path, &first, "consumer_id", consumer);
        p = strbuf_take(&path, NULL);
        if (!p) {
                fprintf(stderr, "gpu-shopper costs: out of memory\n");
                goto done;
        }
        rc = fetch_and_print(cli, p);
done:
        free(p);
        strbuf_done(&path);
        return rc;
}

int cmd_costs(struct cli *cli, int argc, char **argv)
{
        struct costs_args a = {0};
        struct strbuf path;
        bool first = true;
        char *p = NULL;
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
                        rc = usage_error("costs",
                                         c == ':' ? "missing value for '%s'"
                                                  : "unknown option '%s'",
                                         argv[optind - 1]);
                        goto done;
                }
        }
        if (optind < argc) {
                rc = usage_error("costs", "unexpected argument '%s'", argv[optind]);
                goto done;
        }
        rc = check_args(&a);
        if (rc != CLI_OK)
                goto done;
        strbuf_puts(&path, COSTS_PATH);
        add_param(&path, &first, "session_id", a.session_id);
        add_param(&path, &first, "consumer_id", a.consumer_id);
        add_param(&path, &first, "start_date", a.start);
        add_param(&path, &first, "end_date", a.end);
        add_param(&path, &first, "period", a.period);
        p = strbuf_take(&path, NULL);
        if (!p) {
                fprintf(stderr, "gpu-shopper costs: out of memory\n");
                rc = CLI_ERR_USAGE;
                goto done;
        }
        rc = fetch_and_print(cli, p);
done:
        free(p);
        strbuf_done(&path);
        return rc;
}
