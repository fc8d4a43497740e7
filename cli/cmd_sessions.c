/*
 * cmd_sessions.c - `gpu-shopper sessions [list|get|done|extend|delete]` and the
 * top-level `done ID`, `extend ID --hours N` and `shutdown ID [--force]`:
 * listing sessions as a table, one session's details, and the calls that end
 * or extend a session.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "domain/session_id.h"
#include "domain/units.h"
#include "json_table.h"
#include "money.h"
#include "session.h"
#include "strbuf.h"
#include "table.h"
#include "url.h"

#define ANSWER_MAX 32
#define MONEY_MAX 64
#define GPU_CELL_MAX 160

/* One subcommand: prog is how messages name it ("sessions get", "done"). */
struct subcommand {
        const char *name;
        int (*run)(struct cli *cli, int argc, char **argv, const char *prog);
};

static const char sessions_usage[] =
        "Usage: gpu-shopper sessions [list] [OPTIONS]\n"
        "       gpu-shopper sessions --id ID\n"
        "       gpu-shopper sessions get|done|delete ID\n"
        "       gpu-shopper sessions extend ID --hours N\n"
        "\n"
        "Lists sessions (newest first), or shows, ends or extends one.\n"
        "\n"
        "Subcommands:\n"
        "  list               the table of sessions (the default)\n"
        "  get ID             one session's details (same as --id ID)\n"
        "  done ID            end a session gracefully (same as 'gpu-shopper done ID')\n"
        "  extend ID --hours N  add N hours to the reservation\n"
        "  delete ID [--force]  destroy the instance now (same as 'gpu-shopper shutdown ID')\n"
        "\n"
        "List options:\n"
        "      --id ID              show this one session\n"
        "  -c, --consumer-id ID     only this consumer's sessions\n"
        "  -s, --status STATUS      pending, provisioning, running, stopping, stopped, failed\n"
        "  -p, --provider NAME      only this provider instance\n"
        "      --limit N            sessions to show (default: the server's)\n"
        "      --offset N           skip the first N\n"
        "  -h, --help               this help ('gpu-shopper sessions SUBCOMMAND --help')\n"
        "\n"
        "Global options: --server URL, -o table|json.\n"
        "Examples:\n"
        "  gpu-shopper sessions\n"
        "  gpu-shopper sessions --id sess-abc123\n"
        "  gpu-shopper sessions -c my-app --status running\n";

static const char get_usage[] =
        "Usage: gpu-shopper sessions get ID\n"
        "       gpu-shopper sessions --id ID\n"
        "\n"
        "Shows one session: status (and why, when it stopped or failed), provider, GPU,\n"
        "price, cost so far, times, and the ssh command once the instance is up.\n"
        "Exit status 4 when no session has this ID.\n";

static const char done_usage[] =
        "Usage: gpu-shopper done ID\n"
        "       gpu-shopper sessions done ID\n"
        "\n"
        "Signals that the workload is finished: the session goes to 'stopping', the\n"
        "provider instance is destroyed (verified), then the session is 'stopped' and its\n"
        "cost final. Safe to repeat while the session is stopping.\n";

static const char extend_usage[] =
        "Usage: gpu-shopper extend ID --hours N\n"
        "       gpu-shopper sessions extend ID --hours N\n"
        "\n"
        "Adds N whole hours to a running session's reservation. The server refuses an\n"
        "extension past the hard maximum counted from the start (and says which).\n"
        "\n"
        "Options:\n"
        "  -t, --hours N   hours to add (required, at least 1)\n";

static const char delete_usage[] =
        "Usage: gpu-shopper shutdown ID [--force]\n"
        "       gpu-shopper sessions delete ID [--force]\n"
        "\n"
        "Destroys the session's instance now (DELETE), whatever its state; use\n"
        "'gpu-shopper done ID' for a graceful end. Asks for confirmation on a terminal.\n"
        "\n"
        "Options:\n"
        "  -f, --force     do not ask (needed when stdin is not a terminal)\n";

/* The options of a command on one session: -h/--help and at most one more. */
struct id_command {
        const char *usage;
        const char *name; /* the other option's long name ("hours"); NULL: none */
        char letter;      /* its short name */
        int has_arg;      /* required_argument or no_argument */
        /* Its value (NULL for a flag): CLI_OK, or an exit code after a message. */
        int (*take)(const char *prog, const char *value, void *ctx);
};

/* The options, then exactly one positional argument: the session ID. CLI_OK
 * with *ret_id; ARGS_HELP after the usage; CLI_ERR_USAGE after a message. */
static int parse_id_command(int argc, char **argv, const char *prog, const struct id_command *cmd,
                            void *ctx, const char **ret_id)
{
        const struct option opts[] = {
                {"help", no_argument, NULL, 'h'},
                {cmd->name, cmd->has_arg, NULL, cmd->letter}, /* ends the list when NULL */
                {NULL, 0, NULL, 0},
        };
        const char shortopts[] = {':', 'h', cmd->letter,
                                  cmd->has_arg == required_argument ? ':' : '\0', '\0'};
        int c, rc;

        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
                if (c == 'h') {
                        fputs(cmd->usage, stdout);
                        return ARGS_HELP;
                }
                if (c == '?' || c == ':' || !cmd->name)
                        return args_bad_option(prog, c, argv);
                rc = cmd->take(prog, optarg, ctx);
                if (rc != CLI_OK)
                        return rc;
        }
        if (optind >= argc)
                return args_error(prog, "needs a session ID");
        if (optind + 1 < argc)
                return args_error(prog, "unexpected argument '%s'", argv[optind + 1]);
        if (!argv[optind][0]) {
                fprintf(stderr, "gpu-shopper %s: the session ID is empty\n", prog);
                return CLI_ERR_USAGE;
        }
        *ret_id = argv[optind];
        return CLI_OK;
}

/* A non-negative integer option value, or -1 after a message. */
static int64_t count_value(const char *prog, const char *flag, const char *v, int64_t min)
{
        int64_t n;

        if (units_parse_int64(v, &n) == 0 && n >= min)
                return n;
        fprintf(stderr, "gpu-shopper %s: %s needs an integer of at least %lld, got '%s'\n", prog,
                flag, (long long)min, v);
        return -1;
}

/* ---- sessions get / --id ------------------------------------------------ */

static int show_one(struct cli *cli, const char *id)
{
        json_t *j = NULL;
        const json_t *s;
        int rc;

        rc = session_fetch(cli, id, &j);
        if (rc != CLI_OK)
                goto done;
        if (cli->json) {
                cli_print_json(j);
                goto done;
        }
        s = session_of(j);
        if (!s) {
                fprintf(stderr, "gpu-shopper: the server's answer holds no session\n");
                rc = CLI_ERR_SERVER;
                goto done;
        }
        session_print_details(s, stdout);
done:
        json_decref(j);
        return rc;
}

static int run_get(struct cli *cli, int argc, char **argv, const char *prog)
{
        static const struct id_command get = {get_usage, NULL, 0, 0, NULL};
        const char *id;
        int rc = parse_id_command(argc, argv, prog, &get, NULL, &id);

        if (rc != CLI_OK)
                return rc == ARGS_HELP ? CLI_OK : rc;
        return show_one(cli, id);
}

/* ---- sessions [list] ---------------------------------------------------- */

enum list_opt { OPT_ID = 256, OPT_LIMIT, OPT_OFFSET };

static const struct table_column list_columns[] = {
        {"ID", TABLE_NO_CUT},  /* typed back: never shortened */
        {"CONSUMER", 0},       /* consumer_id */
        {"PROVIDER", 0},       /* provider instance */
        {"GPU", 0},            /* "<count>x <gpu_type>" */
        {"STATUS", 0},         /* status */
        {"EXPIRES", 0},        /* expires_at, RFC 3339 UTC */
        {"COST", TABLE_RIGHT}, /* cost_so_far */
};
#define LIST_COLUMNS (sizeof(list_columns) / sizeof(list_columns[0]))

static int add_session_row(struct table *t, const char *key, const json_t *s, const void *ctx)
{
        char gpu[GPU_CELL_MAX], cost[MONEY_MAX];
        const json_t *c = json_object_get(s, "cost_so_far");
        const char *cells[LIST_COLUMNS];

        (void)key;
        (void)ctx;
        (void)snprintf(gpu, sizeof(gpu), "%lldx %s",
                       (long long)json_integer_value(json_object_get(s, "gpu_count")),
                       session_str(s, "gpu_type") ? session_str(s, "gpu_type") : "?");
        if (json_is_number(c))
                money_format_price(json_number_value(c), cost, sizeof(cost));
        else
                (void)snprintf(cost, sizeof(cost), "-");
        cells[0] = session_str(s, "id");
        cells[1] = session_str(s, "consumer_id");
        cells[2] = session_str(s, "provider");
        cells[3] = gpu;
        cells[4] = session_str(s, "status");
        cells[5] = session_str(s, "expires_at");
        cells[6] = cost;
        return table_add_row(t, cells);
}

static int print_list(const json_t *j)
{
        static const struct json_table sessions = {list_columns, LIST_COLUMNS, add_session_row,
                                                   NULL, NULL};
        const json_t *list = json_object_get(j, "sessions");
        const json_t *total = json_object_get(j, "total");
        size_t n;

        if (json_array_size(list) == 0) {
                printf("No sessions found.\n");
                return CLI_OK;
        }
        if (json_table_print(&sessions, list, stdout, &n) < 0)
                return cli_out_of_memory("sessions");
        if (json_is_integer(total))
                printf("\n%zu of %lld sessions\n", n, (long long)json_integer_value(total));
        else
                printf("\n%zu sessions\n", n);
        return CLI_OK;
}

static int run_list(struct cli *cli, int argc, char **argv, const char *prog)
{
        static const struct option opts[] = {
                {"id", required_argument, NULL, OPT_ID},
                {"consumer-id", required_argument, NULL, 'c'},
                {"consumer", required_argument, NULL, 'c'},
                {"status", required_argument, NULL, 's'},
                {"provider", required_argument, NULL, 'p'},
                {"limit", required_argument, NULL, OPT_LIMIT},
                {"offset", required_argument, NULL, OPT_OFFSET},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        struct strbuf path;
        const char *id = NULL;
        json_t *j = NULL;
        bool filtered = false;
        char *p = NULL;
        int rc = CLI_ERR_USAGE;
        int c;

        strbuf_init(&path);
        strbuf_puts(&path, SESSIONS_PATH);
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":c:s:p:h", opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        fputs(sessions_usage, stdout);
                        rc = CLI_OK;
                        goto done;
                case OPT_ID:
                        id = optarg;
                        continue;
                case 'c':
                        url_append_query(&path, "consumer_id", optarg);
                        break;
                case 's':
                        url_append_query(&path, "status", optarg);
                        break;
                case 'p':
                        url_append_query(&path, "provider", optarg);
                        break;
                case OPT_LIMIT:
                        if (count_value(prog, "--limit", optarg, 0) < 0)
                                goto done;
                        url_append_query(&path, "limit", optarg);
                        break;
                case OPT_OFFSET:
                        if (count_value(prog, "--offset", optarg, 0) < 0)
                                goto done;
                        url_append_query(&path, "offset", optarg);
                        break;
                default:
                        rc = args_bad_option(prog, c, argv);
                        goto done;
                }
                filtered = true;
        }
        if (optind < argc) {
                if (strncmp(argv[optind], SESSION_ID_PREFIX, SESSION_ID_PREFIX_LEN) == 0)
                        fprintf(stderr,
                                "gpu-shopper %s: unexpected argument '%s' (for one "
                                "session: gpu-shopper sessions --id %s)\n",
                                prog, argv[optind], argv[optind]);
                else
                        fprintf(stderr,
                                "gpu-shopper %s: unexpected argument '%s' (try "
                                "--help)\n",
                                prog, argv[optind]);
                goto done;
        }
        if (id) {
                if (filtered || !id[0]) {
                        fprintf(stderr,
                                "gpu-shopper %s: --id takes a session ID and no "
                                "filters\n",
                                prog);
                        goto done;
                }
                rc = show_one(cli, id);
                goto done;
        }
        p = strbuf_take(&path, NULL);
        if (!p) {
                rc = cli_out_of_memory(prog);
                goto done;
        }
        rc = cli_call(cli, "GET", p, NULL, &j);
        if (rc != CLI_OK)
                goto done;
        if (cli->json)
                cli_print_json(j);
        else
                rc = print_list(j);
done:
        json_decref(j);
        free(p);
        strbuf_done(&path);
        return rc;
}

/* ---- done --------------------------------------------------------------- */

/* POST/DELETE on a session; *ret_json is the answer. */
static int session_action(struct cli *cli, const char *method, const char *id, const char *suffix,
                          const char *body, json_t **ret_json)
{
        char *path = session_path(id, suffix);
        int rc;

        if (!path)
                return cli_out_of_memory("session");
        rc = cli_call(cli, method, path, body, ret_json);
        free(path);
        return rc;
}

static const char *status_after(const json_t *j)
{
        const char *st = session_str(session_of(j), "status");

        return st ? st : "unknown";
}

/* POST .../done or DELETE the session and show the answer: its JSON, "Session
 * ID is already STATUS." when it had ended, else "Session ID: DOING (status
 * STATUS)AFTER". */
static int end_session(struct cli *cli, const char *method, const char *suffix, const char *id,
                       const char *doing, const char *after)
{
        json_t *j = NULL;
        int rc = session_action(cli, method, id, suffix, NULL, &j);

        if (rc != CLI_OK)
                goto done;
        if (cli->json)
                cli_print_json(j);
        else if (session_is_final(session_of(j)))
                printf("Session %s is already %s.\n", id, status_after(j));
        else
                printf("Session %s: %s (status %s)%s\n", id, doing, status_after(j), after);
done:
        json_decref(j);
        return rc;
}

static int run_done(struct cli *cli, int argc, char **argv, const char *prog)
{
        static const struct id_command done = {done_usage, NULL, 0, 0, NULL};
        const char *id;
        int rc = parse_id_command(argc, argv, prog, &done, NULL, &id);

        if (rc != CLI_OK)
                return rc == ARGS_HELP ? CLI_OK : rc;
        return end_session(cli, "POST", "/done", id, "shutdown initiated",
                           "; the instance is being destroyed.");
}

/* ---- extend ------------------------------------------------------------- */

/* --hours N into *(int64_t *)ctx. */
static int take_hours(const char *prog, const char *value, void *ctx)
{
        int64_t hours = count_value(prog, "--hours", value, 1);

        if (hours < 0)
                return CLI_ERR_USAGE;
        *(int64_t *)ctx = hours;
        return CLI_OK;
}

static int run_extend(struct cli *cli, int argc, char **argv, const char *prog)
{
        static const struct id_command extend = {extend_usage, "hours", 't', required_argument,
                                                 take_hours};
        const char *id, *expires;
        int64_t hours = -1;
        json_t *j = NULL;
        char *body = NULL;
        int rc = parse_id_command(argc, argv, prog, &extend, &hours, &id);

        if (rc != CLI_OK)
                return rc == ARGS_HELP ? CLI_OK : rc;
        if (hours < 0)
                return args_error(prog, "--hours N is required");
        j = json_pack("{s:I}", "additional_hours", (json_int_t)hours);
        body = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        j = NULL;
        if (!body) {
                rc = cli_out_of_memory(prog);
                goto done;
        }
        rc = session_action(cli, "POST", id, "/extend", body, &j);
        if (rc != CLI_OK)
                goto done;
        if (cli->json) {
                cli_print_json(j);
                goto done;
        }
        /* The answer may lack the new expiry (BUG-047): say what is known. */
        expires = session_str(session_of(j), "expires_at");
        printf("Session %s extended by %lld hour%s.", id, (long long)hours, hours == 1 ? "" : "s");
        if (expires)
                printf(" New expiration: %s", expires);
        putchar('\n');
done:
        json_decref(j);
        free(body);
        return rc;
}

/* ---- delete / shutdown -------------------------------------------------- */

/* Ask on the terminal; true only for "y" or "yes". */
static bool confirm_destroy(const json_t *s, const char *id)
{
        char answer[ANSWER_MAX];
        size_t n;

        fprintf(stderr,
                "Destroy session %s (%s, %lldx %s, %s)? Its instance and any data on it are "
                "destroyed now. [y/N] ",
                id, session_str(s, "provider") ? session_str(s, "provider") : "?",
                (long long)json_integer_value(json_object_get(s, "gpu_count")),
                session_str(s, "gpu_type") ? session_str(s, "gpu_type") : "?",
                session_str(s, "status") ? session_str(s, "status") : "?");
        fflush(stderr);
        if (!fgets(answer, sizeof(answer), stdin))
                return false;
        n = strlen(answer);
        while (n > 0 && isspace((unsigned char)answer[n - 1]))
                answer[--n] = '\0';
        return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

/* --force: *(bool *)ctx = true. */
static int take_force(const char *prog, const char *value, void *ctx)
{
        (void)prog;
        (void)value;
        *(bool *)ctx = true;
        return CLI_OK;
}

/* Without --force: refuse off a terminal, else show the session (failing early
 * on a wrong ID) and ask. CLI_OK to go on, or the exit code. */
static int may_destroy(struct cli *cli, const char *id, const char *prog)
{
        json_t *j = NULL;
        int rc;

        if (!isatty(STDIN_FILENO)) {
                fprintf(stderr,
                        "gpu-shopper %s: refusing to destroy session %s without "
                        "confirmation: stdin is not a terminal; use --force\n",
                        prog, id);
                return CLI_ERR_USAGE;
        }
        rc = session_fetch(cli, id, &j);
        if (rc == CLI_OK && !confirm_destroy(session_of(j), id)) {
                fprintf(stderr, "Aborted; session %s was not changed.\n", id);
                rc = CLI_ERR_ABORTED;
        }
        json_decref(j);
        return rc;
}

static int run_delete(struct cli *cli, int argc, char **argv, const char *prog)
{
        static const struct id_command delete = {delete_usage, "force", 'f', no_argument,
                                                 take_force};
        const char *id;
        bool force = false;
        int rc = parse_id_command(argc, argv, prog, &delete, &force, &id);

        if (rc != CLI_OK)
                return rc == ARGS_HELP ? CLI_OK : rc;
        if (!force) {
                rc = may_destroy(cli, id, prog);
                if (rc != CLI_OK)
                        return rc;
        }
        return end_session(cli, "DELETE", "", id, "destroying its instance now", ".");
}

/* ---- entry points ------------------------------------------------------- */

static const struct subcommand subcommands[] = {
        {"list", run_list},     {"get", run_get},       {"done", run_done},
        {"extend", run_extend}, {"delete", run_delete},
};
#define SUBCOMMAND_COUNT (sizeof(subcommands) / sizeof(subcommands[0]))

int cmd_sessions(struct cli *cli, int argc, char **argv)
{
        char prog[32];

        if (argc > 1) {
                for (size_t i = 0; i < SUBCOMMAND_COUNT; i++) {
                        if (strcmp(argv[1], subcommands[i].name) != 0)
                                continue;
                        (void)snprintf(prog, sizeof(prog), "sessions %s", subcommands[i].name);
                        return subcommands[i].run(cli, argc - 1, argv + 1, prog);
                }
        }
        return run_list(cli, argc, argv, "sessions");
}

int cmd_done(struct cli *cli, int argc, char **argv)
{
        return run_done(cli, argc, argv, "done");
}

int cmd_extend(struct cli *cli, int argc, char **argv)
{
        return run_extend(cli, argc, argv, "extend");
}

int cmd_shutdown(struct cli *cli, int argc, char **argv)
{
        return run_delete(cli, argc, argv, "shutdown");
}
