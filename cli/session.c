/* session.c - session paths, fetching and display shared by the session commands. */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "shell_word.h"
#include "strbuf.h"
#include "url.h"

#define KEY_PLACEHOLDER "KEY_FILE"

char *session_path(const char *id, const char *suffix)
{
        struct strbuf sb;

        strbuf_init(&sb);
        strbuf_puts(&sb, SESSIONS_PATH "/");
        url_append_encoded(&sb, id);
        strbuf_puts(&sb, suffix);
        return strbuf_take(&sb, NULL);
}

const json_t *session_of(const json_t *response)
{
        const json_t *s = json_object_get(response, "session");

        if (json_is_object(s))
                return s;
        if (json_is_object(response) && json_is_string(json_object_get(response, "id")))
                return response;
        return NULL;
}

const char *session_str(const json_t *s, const char *key)
{
        const char *v = json_string_value(json_object_get(s, key));

        return v && v[0] ? v : NULL;
}

int session_fetch(const struct cli *cli, const char *id, json_t **ret_response)
{
        char *path = session_path(id, "");
        int rc;

        if (!path) {
                fprintf(stderr, "gpu-shopper: out of memory\n");
                return CLI_ERR_SERVER;
        }
        rc = cli_call(cli, "GET", path, NULL, ret_response);
        free(path);
        return rc;
}

bool session_is_final(const json_t *s)
{
        const char *st = session_str(s, "status");

        return st &&
               (strcmp(st, SESSION_STATUS_STOPPED) == 0 || strcmp(st, SESSION_STATUS_FAILED) == 0);
}

static bool is_stopping(const json_t *s)
{
        const char *st = session_str(s, "status");

        return st && strcmp(st, SESSION_STATUS_STOPPING) == 0;
}

static void line(FILE *out, const char *label, const char *value)
{
        fprintf(out, "%-13s %s\n", label, value ? value : "-");
}

static void money_line(FILE *out, const char *label, const json_t *v, const char *unit)
{
        char buf[64];

        if (!json_is_number(v)) {
                line(out, label, NULL);
                return;
        }
        money_format_price(json_number_value(v), buf, sizeof(buf));
        fprintf(out, "%-13s %s%s\n", label, buf, unit);
}

void session_print_details(const json_t *s, FILE *out)
{
        const json_t *idle = json_object_get(s, "idle_threshold_minutes");
        const json_t *disk = json_object_get(s, "disk_gb");
        const char *reason = session_str(s, "status_reason");
        char buf[256];

        line(out, "ID", session_str(s, "id"));
        line(out, "Consumer", session_str(s, "consumer_id"));
        line(out, "Status", session_str(s, "status"));
        if (reason)
                line(out, "Reason", reason);
        line(out, "Provider", session_str(s, "provider"));
        (void)snprintf(buf, sizeof(buf), "%lldx %s",
                       (long long)json_integer_value(json_object_get(s, "gpu_count")),
                       session_str(s, "gpu_type") ? session_str(s, "gpu_type") : "?");
        line(out, "GPU", buf);
        line(out, "Offer", session_str(s, "offer_id"));
        line(out, "Workload", session_str(s, "workload_type"));
        money_line(out, "Price", json_object_get(s, "price_per_hour"), "/hr");
        money_line(out, "Cost so far", json_object_get(s, "cost_so_far"), "");
        (void)snprintf(buf, sizeof(buf), "%lld h",
                       (long long)json_integer_value(json_object_get(s, "reservation_hours")));
        line(out, "Reservation", buf);
        if (json_integer_value(idle) > 0)
                (void)snprintf(buf, sizeof(buf), "%lld min", (long long)json_integer_value(idle));
        else
                (void)snprintf(buf, sizeof(buf), "off");
        line(out, "Idle timeout", buf);
        if (json_is_integer(disk))
                (void)snprintf(buf, sizeof(buf), "%s, %lld GB disk",
                               session_str(s, "storage_policy") ? session_str(s, "storage_policy")
                                                                : "-",
                               (long long)json_integer_value(disk));
        else
                (void)snprintf(buf, sizeof(buf), "%s",
                               session_str(s, "storage_policy") ? session_str(s, "storage_policy")
                                                                : "-");
        line(out, "Storage", buf);
        line(out, "Created", session_str(s, "created_at"));
        line(out, "Started", session_str(s, "started_at"));
        line(out, "Expires", session_str(s, "expires_at"));
        if (session_str(s, "stopped_at"))
                line(out, "Stopped", session_str(s, "stopped_at"));
        fprintf(out, "%-13s ", "SSH");
        if (session_is_final(s) || is_stopping(s))
                fputs("- (the instance is gone or going)\n", out);
        else if (!session_print_ssh_command(s, NULL, out))
                fputs("- (known once the instance is up)\n", out);
}

bool session_print_ssh_command(const json_t *s, const char *key_path, FILE *out)
{
        const char *host = session_str(s, "ssh_host"), *user = session_str(s, "ssh_user");
        json_int_t port = json_integer_value(json_object_get(s, "ssh_port"));

        if (!host || !user || port <= 0)
                return false;
        fputs("ssh -i ", out);
        shell_word_print(out, key_path ? key_path : KEY_PLACEHOLDER);
        fprintf(out, " -p %lld ", (long long)port);
        shell_word_print(out, user);
        fputc('@', out);
        shell_word_print(out, host);
        fputc('\n', out);
        return true;
}
