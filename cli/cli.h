/*
 * cli.h - shared state and helpers of the gpu-shopper command-line client.
 * Exit codes (documented in docs/CLI.md):
 */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "client.h"

struct strbuf;

enum cli_exit {
        CLI_OK = 0,               /* success */
        CLI_ERR_SERVER = 1,       /* the server answered with an error (4xx/5xx) */
        CLI_ERR_USAGE = 2,        /* bad command line */
        CLI_ERR_CONNECT = 3,      /* the server could not be reached */
        CLI_ERR_NOTFOUND = 4,     /* the thing asked for does not exist (404) */
        CLI_ERR_STATE = 5,        /* the session is not (or did not become) running:
                                     provision --wait ended failed/stopped, ssh on a
                                     session that is not running */
        CLI_ERR_ABORTED = 6,      /* a confirmation was declined (shutdown) */
        CLI_ERR_EXEC = 127,       /* ssh could not be started */
        CLI_ERR_INTERRUPTED = 130 /* Ctrl-C while provision --wait was waiting */
};

#define CLI_DEFAULT_URL "http://localhost:8080"

struct cli {
        const char *server; /* base URL */
        bool json;          /* -o json */
};

struct cli_command {
        const char *name;
        const char *summary;
        int (*run)(struct cli *cli, int argc, char **argv); /* argv[0] = command name */
};

/* Perform a request and handle transport failures and HTTP errors uniformly:
 * prints a clear message and returns the exit code; on 2xx returns CLI_OK
 * with *ret_json set (caller decrefs). */
int cli_call(const struct cli *cli, const char *method, const char *path, const char *body,
             json_t **ret_json);
/* As cli_call, plus request headers ("Name: value", NULL-terminated; may be NULL). */
int cli_call_with_headers(const struct cli *cli, const char *method, const char *path,
                          const char *body, const char *const *headers, json_t **ret_json);
/* Print a JSON value pretty (for -o json). */
void cli_print_json(const json_t *v);
/* The same with reals at 15 significant digits, the precision of the API's
 * micro-USD decimals (0.1 stays 0.1): the reports of inventory, costs, budgets. */
void cli_print_json_decimal(const json_t *v);
/* GET the path built in *path (emptied) and show the answer: with -o json
 * cli_print_json_decimal, else print_table(answer), whose code is returned.
 * "gpu-shopper PROG: out of memory" and CLI_ERR_USAGE when the path could not
 * be built; cli_call's code when the request fails. */
int cli_get_and_print(const struct cli *cli, const char *prog, struct strbuf *path,
                      int (*print_table)(const json_t *answer));
/* "gpu-shopper PROG: out of memory" on stderr; returns CLI_ERR_SERVER. */
int cli_out_of_memory(const char *prog);

int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_health(struct cli *cli, int argc, char **argv);
int cmd_cleanup_orphans(struct cli *cli, int argc, char **argv);
int cmd_tokens(struct cli *cli, int argc, char **argv);
int cmd_inventory(struct cli *cli, int argc, char **argv);
/* Sessions: cmd_provision.c, cmd_sessions.c, cmd_ssh.c. */
int cmd_provision(struct cli *cli, int argc, char **argv);
int cmd_sessions(struct cli *cli, int argc, char **argv);
int cmd_done(struct cli *cli, int argc, char **argv);
int cmd_extend(struct cli *cli, int argc, char **argv);
int cmd_shutdown(struct cli *cli, int argc, char **argv);
int cmd_ssh(struct cli *cli, int argc, char **argv);
/* Costs and budgets: cmd_costs.c, cmd_budgets.c. */
int cmd_costs(struct cli *cli, int argc, char **argv);
int cmd_budgets(struct cli *cli, int argc, char **argv);

#endif /* GS_CLI_H */
