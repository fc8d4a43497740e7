/* cli_common.c - request/response handling shared by every command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strbuf.h"

/* Significant digits of reals in -o json reports: the API's micro-USD decimals. */
#define JSON_DECIMAL_PRECISION 15

int cli_call(const struct cli *cli, const char *method, const char *path, const char *body,
             json_t **ret_json)
{
        return cli_call_with_headers(cli, method, path, body, NULL, ret_json);
}

int cli_call_with_headers(const struct cli *cli, const char *method, const char *path,
                          const char *body, const char *const *headers, json_t **ret_json)
{
        struct client_response r;
        json_t *j;
        int rc;

        if (client_request_with_headers(cli->server, method, path, body, headers, &r) < 0) {
                fprintf(stderr,
                        "gpu-shopper: cannot reach the server at %s (%s); is gpu-shopperd "
                        "running? Use --server URL or set GPU_SHOPPER_URL.\n",
                        cli->server, r.error);
                return CLI_ERR_CONNECT;
        }
        j = client_json(&r);
        if (r.status >= 200 && r.status < 300) {
                if (!j) {
                        fprintf(stderr, "gpu-shopper: the server sent a response that is not "
                                        "JSON (HTTP %ld)\n",
                                r.status);
                        rc = CLI_ERR_SERVER;
                } else {
                        *ret_json = j;
                        j = NULL;
                        rc = CLI_OK;
                }
        } else {
                const char *msg = j ? json_string_value(json_object_get(j, "error")) : NULL;
                const char *type = j ? json_string_value(json_object_get(j, "error_type")) : NULL;

                if (cli->json && j)
                        cli_print_json(j);
                else
                        fprintf(stderr, "gpu-shopper: %s (HTTP %ld%s%s)\n",
                                msg ? msg : "request failed", r.status, type ? ", " : "",
                                type ? type : "");
                rc = r.status == 404 ? CLI_ERR_NOTFOUND : CLI_ERR_SERVER;
        }
        json_decref(j);
        client_response_done(&r);
        return rc;
}

void cli_print_json(const json_t *v)
{
        char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

        if (s) {
                puts(s);
                free(s);
        }
}

void cli_print_json_decimal(const json_t *v)
{
        char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(JSON_DECIMAL_PRECISION));

        if (s)
                puts(s);
        free(s);
}

int cli_get_and_print(const struct cli *cli, const char *prog, struct strbuf *path,
                      int (*print_table)(const json_t *answer))
{
        char *p = strbuf_take(path, NULL);
        json_t *j = NULL;
        int rc;

        if (!p) {
                (void)cli_out_of_memory(prog);
                rc = CLI_ERR_USAGE;
                goto done;
        }
        rc = cli_call(cli, "GET", p, NULL, &j);
        if (rc != CLI_OK)
                goto done;
        if (cli->json)
                cli_print_json_decimal(j);
        else
                rc = print_table(j);
done:
        json_decref(j);
        free(p);
        return rc;
}

int cli_out_of_memory(const char *prog)
{
        fprintf(stderr, "gpu-shopper %s: out of memory\n", prog);
        return CLI_ERR_SERVER;
}
