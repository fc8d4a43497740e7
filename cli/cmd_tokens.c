/*
 * cmd_tokens.c - `gpu-shopper tokens create|list|revoke` (admin): manage API
 * tokens through /api/v1/tokens. The secret of a new token is printed once.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "table.h"

#define TOKENS_CONSUMERS_MAX 32

static const char tokens_usage[] =
        "Usage: gpu-shopper tokens create --role admin|consumer|viewer [--consumer ID]...\n"
        "                                 [--label TEXT]\n"
        "       gpu-shopper tokens list\n"
        "       gpu-shopper tokens revoke TOKEN_ID\n"
        "\n"
        "Manage API tokens (needs an admin token: --token or $GPU_SHOPPER_TOKEN). A consumer\n"
        "token acts only for its consumer ids (repeat --consumer); a viewer token reads.\n"
        "The secret of a new token is printed once and never again.\n";

static int tokens_create(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"role", required_argument, NULL, 'r'},
                {"consumer", required_argument, NULL, 'c'},
                {"label", required_argument, NULL, 'l'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        json_t *body = json_object(), *consumers = json_array(), *out = NULL;
        const char *role = NULL;
        int rc = CLI_ERR_USAGE, c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "r:c:l:h", opts, NULL)) != -1) {
                switch (c) {
                case 'r':
                        role = optarg;
                        break;
                case 'c':
                        if (json_array_size(consumers) >= TOKENS_CONSUMERS_MAX)
                                goto usage;
                        (void)json_array_append_new(consumers, json_string(optarg));
                        break;
                case 'l':
                        (void)json_object_set_new(body, "label", json_string(optarg));
                        break;
                case 'h':
                        fputs(tokens_usage, stdout);
                        rc = CLI_OK;
                        goto done;
                default:
                        goto usage;
                }
        }
        if (!role || optind < argc)
                goto usage;
        (void)json_object_set_new(body, "role", json_string(role));
        if (json_array_size(consumers) > 0)
                (void)json_object_set(body, "consumers", consumers);
        {
                char *text = json_dumps(body, JSON_COMPACT);

                rc = cli_call(cli, "POST", "/api/v1/tokens", text ? text : "{}", &out);
                free(text);
        }
        if (rc != CLI_OK)
                goto done;
        if (cli->json) {
                cli_print_json(out);
        } else {
                json_t *t = json_object_get(out, "token");

                printf("token %s (%s) created; its secret, shown only now:\n%s\n",
                       json_string_value(json_object_get(t, "id")),
                       json_string_value(json_object_get(t, "role")),
                       json_string_value(json_object_get(out, "secret")));
        }
        goto done;
usage:
        fputs(tokens_usage, stderr);
        rc = CLI_ERR_USAGE;
done:
        json_decref(out);
        json_decref(body);
        json_decref(consumers);
        return rc;
}

static int tokens_list(struct cli *cli)
{
        static const struct table_column cols[] = {
                {"ID", TABLE_NO_CUT}, {"ROLE", 0},       {"CONSUMERS", 0},
                {"LABEL", 0},         {"CREATED", 0},    {"REVOKED", 0},
        };
        json_t *out = NULL, *t;
        struct table *tab;
        size_t i;
        int rc = cli_call(cli, "GET", "/api/v1/tokens", NULL, &out);

        if (rc != CLI_OK)
                return rc;
        if (cli->json) {
                cli_print_json(out);
                json_decref(out);
                return CLI_OK;
        }
        tab = table_new(cols, sizeof(cols) / sizeof(cols[0]));
        json_array_foreach(json_object_get(out, "tokens"), i, t) {
                char consumers[512] = "";
                size_t used = 0, j;
                json_t *c;
                const char *cells[6];

                json_array_foreach(json_object_get(t, "consumers"), j, c) {
                        int w = snprintf(consumers + used, sizeof(consumers) - used, "%s%s",
                                         used ? "," : "", json_string_value(c));

                        if (w < 0 || (size_t)w >= sizeof(consumers) - used)
                                break;
                        used += (size_t)w;
                }
                cells[0] = json_string_value(json_object_get(t, "id"));
                cells[1] = json_string_value(json_object_get(t, "role"));
                cells[2] = used ? consumers : NULL;
                cells[3] = json_string_value(json_object_get(t, "label"));
                cells[4] = json_string_value(json_object_get(t, "created_at"));
                cells[5] = json_string_value(json_object_get(t, "revoked_at"));
                if (tab)
                        (void)table_add_row(tab, cells);
        }
        if (tab) {
                table_print(tab, stdout);
                printf("%zu token%s\n", table_row_count(tab),
                       table_row_count(tab) == 1 ? "" : "s");
        }
        table_free(tab);
        json_decref(out);
        return CLI_OK;
}

static int tokens_revoke(struct cli *cli, const char *id)
{
        char path[128];
        json_t *out = NULL;
        int rc;

        if ((size_t)snprintf(path, sizeof(path), "/api/v1/tokens/%s", id) >= sizeof(path) ||
            strchr(id, '/') || strchr(id, '?')) {
                fprintf(stderr, "gpu-shopper tokens revoke: '%s' is not a token id\n", id);
                return CLI_ERR_USAGE;
        }
        rc = cli_call(cli, "DELETE", path, NULL, &out);
        if (rc == CLI_OK) {
                if (cli->json)
                        cli_print_json(out);
                else
                        printf("token %s revoked\n", id);
        }
        json_decref(out);
        return rc;
}

int cmd_tokens(struct cli *cli, int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                fputs(tokens_usage, argc < 2 ? stderr : stdout);
                return argc < 2 ? CLI_ERR_USAGE : CLI_OK;
        }
        if (strcmp(argv[1], "create") == 0)
                return tokens_create(cli, argc - 1, argv + 1);
        if (argc == 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
                fputs(tokens_usage, stdout);
                return CLI_OK;
        }
        if (strcmp(argv[1], "list") == 0 && argc == 2)
                return tokens_list(cli);
        if (strcmp(argv[1], "revoke") == 0 && argc == 3)
                return tokens_revoke(cli, argv[2]);
        fputs(tokens_usage, stderr);
        return CLI_ERR_USAGE;
}
