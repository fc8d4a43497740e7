/* cmd_basic.c - `version` and `health`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef GS_VERSION
#define GS_VERSION "0.0.0"
#endif

/* Returns 1 when argv asks for help (and prints it), 0 otherwise. */
static int wants_help(int argc, char **argv, const char *text)
{
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                        fputs(text, stdout);
                        return 1;
                }
        }
        return 0;
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
        json_t *j = NULL;
        int rc;

        if (wants_help(argc, argv, "Usage: gpu-shopper version\n\nPrints the client version "
                                   "and, when reachable, the server's.\n"))
                return CLI_OK;
        if (argc > 1) {
                fprintf(stderr, "gpu-shopper version: unexpected argument '%s'\n", argv[1]);
                return CLI_ERR_USAGE;
        }
        rc = cli_call(cli, "GET", "/health", NULL, &j);
        if (cli->json) {
                json_t *o = json_pack("{s:s}", "client", GS_VERSION);

                if (j)
                        (void)json_object_set(o, "server", json_object_get(j, "version"));
                cli_print_json(o);
                json_decref(o);
        } else {
                printf("client %s\n", GS_VERSION);
                if (j)
                        printf("server %s (%s)\n", json_string_value(json_object_get(j, "version")),
                               cli->server);
        }
        json_decref(j);
        return rc == CLI_ERR_CONNECT ? rc : CLI_OK;
}

int cmd_health(struct cli *cli, int argc, char **argv)
{
        json_t *j = NULL, *comp, *v;
        const char *key;
        int rc;

        if (wants_help(argc, argv, "Usage: gpu-shopper health\n\nShows the service status "
                                   "(ok, degraded, starting) and each component.\n"))
                return CLI_OK;
        if (argc > 1) {
                fprintf(stderr, "gpu-shopper health: unexpected argument '%s'\n", argv[1]);
                return CLI_ERR_USAGE;
        }
        /* /health answers 503 while starting; still show it. */
        rc = cli_call(cli, "GET", "/health", NULL, &j);
        if (rc != CLI_OK)
                return rc;
        if (cli->json) {
                cli_print_json(j);
        } else {
                printf("status      %s\nversion     %s\ndeployment  %s\nuptime      %llds\n",
                       json_string_value(json_object_get(j, "status")),
                       json_string_value(json_object_get(j, "version")),
                       json_string_value(json_object_get(j, "deployment_id")),
                       (long long)json_integer_value(json_object_get(j, "uptime_seconds")));
                comp = json_object_get(j, "components");
                json_object_foreach(comp, key, v) {
                        const char *detail = json_string_value(json_object_get(v, "detail"));

                        printf("%-11s %s%s%s\n", key,
                               json_string_value(json_object_get(v, "status")),
                               detail ? " - " : "", detail ? detail : "");
                }
        }
        json_decref(j);
        return CLI_OK;
}
