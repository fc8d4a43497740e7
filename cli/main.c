/* main.c - gpu-shopper: global options and command dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"

static const struct cli_command commands[] = {
        {"budgets", "monthly budgets, spend this month and the running $/h ceiling",
         cmd_budgets},
        {"cleanup-orphans", "find (and with --execute destroy) orphaned instances",
         cmd_cleanup_orphans},
        {"costs", "costs by session, consumer, dates or period; 'costs summary' = this month",
         cmd_costs},
        {"done", "end a session gracefully: done ID", cmd_done},
        {"extend", "add hours to a session: extend ID --hours N", cmd_extend},
        {"health", "show the service's health", cmd_health},
        {"inventory", "list GPU offers across providers (filters: --help)", cmd_inventory},
        {"provision", "create a session on an offer (or the cheapest of a GPU type)",
         cmd_provision},
        {"sessions", "list sessions, or --id ID for one (list|get|done|extend|delete)",
         cmd_sessions},
        {"shutdown", "destroy a session's instance now: shutdown ID [--force]", cmd_shutdown},
        {"ssh", "ssh into a running session: ssh ID --key PATH [-- ARGS]", cmd_ssh},
        {"tokens", "create, list or revoke API tokens (admin)", cmd_tokens},
        {"version", "print client and server versions", cmd_version},
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
        fprintf(out, "Usage: gpu-shopper [--server URL] [-o table|json] COMMAND [ARGS]\n\n"
                     "Commands:\n");
        for (size_t i = 0; i < COMMAND_COUNT; i++)
                fprintf(out, "  %-18s %s\n", commands[i].name, commands[i].summary);
        fprintf(out, "\nGlobal options:\n"
                     "  --server URL      service URL (default $GPU_SHOPPER_URL or " CLI_DEFAULT_URL
                     ")\n"
                     "  --token TOKEN     API token (default $GPU_SHOPPER_TOKEN; prefer the\n"
                     "                    variable: arguments are visible to other users)\n"
                     "  -o, --output FMT  table (default) or json\n"
                     "  -h, --help        help; 'gpu-shopper COMMAND --help' for a command\n"
                     "\nExit status: 0 ok, 1 server error, 2 usage, 3 server unreachable, "
                     "4 not found,\n5 session not running, 6 declined, 127 ssh not started, "
                     "130 interrupted (docs/CLI.md).\n");
}

static int set_output(struct cli *cli, const char *v)
{
        if (strcmp(v, "json") == 0)
                cli->json = true;
        else if (strcmp(v, "table") == 0)
                cli->json = false;
        else {
                fprintf(stderr, "gpu-shopper: output format '%s' is not table or json\n", v);
                return -1;
        }
        return 0;
}

/* Remove global options from argv wherever they appear; returns new argc or -1. */
static int take_globals(struct cli *cli, int argc, char **argv)
{
        int out = 0;

        for (int i = 0; i < argc; i++) {
                const char *a = argv[i];
                const char *val = NULL;

                if (strcmp(a, "--server") == 0 || strcmp(a, "-o") == 0 ||
                    strcmp(a, "--token") == 0 ||
                    strcmp(a, "--output") == 0) {
                        if (i + 1 >= argc) {
                                fprintf(stderr, "gpu-shopper: %s needs a value\n", a);
                                return -1;
                        }
                        val = argv[++i];
                } else if (strncmp(a, "--server=", 9) == 0) {
                        val = a + 9;
                        a = "--server";
                } else if (strncmp(a, "--output=", 9) == 0) {
                        val = a + 9;
                        a = "--output";
                } else if (strcmp(a, "--") == 0) {
                        while (i < argc)
                                argv[out++] = argv[i++];
                        break;
                } else {
                        argv[out++] = argv[i];
                        continue;
                }
                if (strcmp(a, "--server") == 0)
                        cli->server = val;
                else if (strcmp(a, "--token") == 0)
                        client_set_token(val);
                else if (set_output(cli, val) < 0)
                        return -1;
        }
        return out;
}

int main(int argc, char **argv)
{
        struct cli cli = {0};
        const char *env = getenv("GPU_SHOPPER_URL");
        int rc = CLI_ERR_USAGE;

        client_set_token(getenv("GPU_SHOPPER_TOKEN"));

        cli.server = env && env[0] ? env : CLI_DEFAULT_URL;
        argc = take_globals(&cli, argc - 1, argv + 1);
        argv++;
        if (argc < 0)
                return CLI_ERR_USAGE;
        if (argc == 0) {
                usage(stderr);
                return CLI_ERR_USAGE;
        }
        if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0 ||
            strcmp(argv[0], "help") == 0) {
                usage(stdout);
                return CLI_OK;
        }
        if (strcmp(argv[0], "--version") == 0)
                argv[0] = "version";
        curl_global_init(CURL_GLOBAL_ALL);
        for (size_t i = 0; i < COMMAND_COUNT; i++) {
                if (strcmp(argv[0], commands[i].name) == 0) {
                        rc = commands[i].run(&cli, argc, argv);
                        goto done;
                }
        }
        fprintf(stderr, "gpu-shopper: unknown command '%s' (try 'gpu-shopper --help')\n", argv[0]);
done:
        curl_global_cleanup();
        return rc;
}
