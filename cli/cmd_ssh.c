/*
 * cmd_ssh.c - `gpu-shopper ssh ID --key PATH [-- SSH ARGS]`: look the session
 * up, refuse unless it is running and the key file is private, then replace
 * this process with `ssh -i KEY -p PORT USER@HOST [SSH ARGS]`.
 *
 * Host keys: each session gets its own known_hosts file under
 * $XDG_STATE_HOME/gpu-shopper/known_hosts/ (default ~/.local/state/...), with
 * StrictHostKeyChecking=accept-new: the first connection pins the instance's
 * key, later ones are checked against it, and a provider reusing a host:port
 * for a new instance never trips the "host identification changed" alarm of
 * the user's own known_hosts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "domain/session_id.h"
#include "keyfile.h"
#include "session.h"
#include "shell_word.h"
#include "strbuf.h"

#define PROG "ssh"
#define SSH_BINARY "ssh"
#define STATE_SUBDIR "gpu-shopper/known_hosts"
#define DEFAULT_STATE_HOME ".local/state"
#define STATE_DIR_MODE 0700
/* ssh, -i K, -p P, 3 x (-o X), destination, NULL. */
#define FIXED_ARGS 13
#define PORT_MAX_CHARS 24
/* Characters ssh would expand or split in an -o value. */
#define SSH_OPTION_UNSAFE " \t\"'%~\\"

static const char usage_text[] =
        "Usage: gpu-shopper ssh ID --key PATH [--print] [--system-known-hosts] [-- SSH ARGS]\n"
        "\n"
        "Connects to a running session: runs ssh -i PATH -p PORT USER@HOST with the\n"
        "session's endpoint, then SSH ARGS (ssh options or a remote command).\n"
        "\n"
        "Options:\n"
        "  -k, --key PATH          the session's private key (from provision --save-key);\n"
        "                          refused unless only its owner can read it (chmod 600)\n"
        "      --print             print the ssh command instead of running it\n"
        "      --system-known-hosts  use ssh's own known_hosts and prompts instead of the\n"
        "                          per-session file (see docs/CLI.md)\n"
        "  -h, --help              this help\n"
        "\n"
        "Exit status: ssh's own (255 for an ssh error) once it runs; 5 when the session\n"
        "is not running; 127 when ssh cannot be started.\n"
        "Example: gpu-shopper ssh sess-abc123 --key ~/.ssh/gs-session -- nvidia-smi\n";

enum opt_id { OPT_PRINT = 256, OPT_SYSTEM_KNOWN_HOSTS };

static const struct option long_opts[] = {
        {"key", required_argument, NULL, 'k'},
        {"print", no_argument, NULL, OPT_PRINT},
        {"system-known-hosts", no_argument, NULL, OPT_SYSTEM_KNOWN_HOSTS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

/* mkdir -p with STATE_DIR_MODE for every missing component. */
static int make_dirs(char *path)
{
        for (char *p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(path, STATE_DIR_MODE) < 0 && errno != EEXIST) {
                        *p = '/';
                        return -1;
                }
                *p = '/';
        }
        if (mkdir(path, STATE_DIR_MODE) < 0 && errno != EEXIST)
                return -1;
        return 0;
}

/* "UserKnownHostsFile=<state>/gpu-shopper/known_hosts/<id>", or NULL when no
 * usable place exists (ssh's own configuration then applies). */
static char *known_hosts_option(const char *id)
{
        const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
        struct strbuf sb;
        char *dir = NULL, *opt = NULL;

        if (!session_id_is_valid(id))
                return NULL;
        strbuf_init(&sb);
        if (xdg && xdg[0] == '/')
                strbuf_printf(&sb, "%s/" STATE_SUBDIR, xdg);
        else if (home && home[0] == '/')
                strbuf_printf(&sb, "%s/" DEFAULT_STATE_HOME "/" STATE_SUBDIR, home);
        else
                goto done;
        dir = strbuf_take(&sb, NULL);
        if (!dir || strpbrk(dir, SSH_OPTION_UNSAFE))
                goto done;
        if (make_dirs(dir) < 0) {
                fprintf(stderr,
                        "gpu-shopper " PROG ": cannot create %s (%s); using ssh's own "
                        "known_hosts\n",
                        dir, strerror(errno));
                goto done;
        }
        strbuf_printf(&sb, "UserKnownHostsFile=%s/%s", dir, id);
        opt = strbuf_take(&sb, NULL);
done:
        free(dir);
        strbuf_done(&sb);
        return opt;
}

static void print_command(char *const *args)
{
        for (size_t i = 0; args[i]; i++) {
                if (i > 0)
                        putchar(' ');
                shell_word_print(stdout, args[i]);
        }
        putchar('\n');
}

/* "user@host"; NULL when out of memory. */
static char *join_destination(const char *user, const char *host)
{
        struct strbuf sb;

        strbuf_init(&sb);
        strbuf_printf(&sb, "%s@%s", user, host);
        return strbuf_take(&sb, NULL);
}

/* The session must be running with a complete SSH endpoint. */
static int check_session(const json_t *s, const char *id)
{
        const char *st = session_str(s, "status"), *reason = session_str(s, "status_reason");

        if (!st || strcmp(st, SESSION_STATUS_RUNNING) != 0) {
                fprintf(stderr,
                        "gpu-shopper " PROG ": session %s is %s%s%s; ssh needs a running "
                        "session%s\n",
                        id, st ? st : "in no known state", reason ? ": " : "", reason ? reason : "",
                        st && strcmp(st, "provisioning") == 0 ? " (try again shortly, or "
                                                                "provision --wait)"
                                                              : "");
                return CLI_ERR_STATE;
        }
        if (!session_str(s, "ssh_host") || !session_str(s, "ssh_user") ||
            json_integer_value(json_object_get(s, "ssh_port")) <= 0) {
                fprintf(stderr,
                        "gpu-shopper " PROG ": session %s reports no complete SSH "
                        "endpoint (host, port, user)\n",
                        id);
                return CLI_ERR_SERVER;
        }
        return CLI_OK;
}

int cmd_ssh(struct cli *cli, int argc, char **argv)
{
        const char *key = NULL, *id;
        bool print = false, system_known_hosts = false;
        char err[KEYFILE_ERR_MAX], port[PORT_MAX_CHARS];
        char *dest = NULL, *known = NULL;
        char **args = NULL;
        int own_argc = argc, extra = 0, n = 0;
        json_t *j = NULL;
        const json_t *s;
        int rc = CLI_ERR_USAGE, c;

        /* Everything after "--" goes to ssh untouched. */
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        own_argc = i;
                        extra = argc - i - 1;
                        break;
                }
        }
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(own_argc, argv, ":k:h", long_opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        fputs(usage_text, stdout);
                        rc = CLI_OK;
                        goto done;
                case 'k':
                        key = optarg;
                        break;
                case OPT_PRINT:
                        print = true;
                        break;
                case OPT_SYSTEM_KNOWN_HOSTS:
                        system_known_hosts = true;
                        break;
                default:
                        fprintf(stderr, "gpu-shopper " PROG ": %s '%s' (try --help)\n",
                                c == ':' ? "missing value for" : "unknown option",
                                argv[optind - 1]);
                        goto done;
                }
        }
        if (optind >= own_argc || optind + 1 < own_argc || !argv[optind][0]) {
                fprintf(stderr, "gpu-shopper " PROG ": needs exactly one session ID before "
                                "'--' (try --help)\n");
                goto done;
        }
        id = argv[optind];
        if (!key || !key[0]) {
                fprintf(stderr, "gpu-shopper " PROG ": --key PATH is required: the private key "
                                "saved at provision time (try --help)\n");
                goto done;
        }
        if (keyfile_check_private(key, err) < 0) {
                fprintf(stderr, "gpu-shopper " PROG ": %s\n", err);
                goto done;
        }
        rc = session_fetch(cli, id, &j);
        if (rc != CLI_OK)
                goto done;
        s = session_of(j);
        rc = check_session(s, id);
        if (rc != CLI_OK)
                goto done;
        (void)snprintf(port, sizeof(port), "%lld",
                       (long long)json_integer_value(json_object_get(s, "ssh_port")));
        dest = join_destination(session_str(s, "ssh_user"), session_str(s, "ssh_host"));
        if (!dest) {
                rc = CLI_ERR_SERVER;
                goto done;
        }
        if (!system_known_hosts)
                known = known_hosts_option(session_str(s, "id") ? session_str(s, "id") : id);
        args = calloc((size_t)(FIXED_ARGS + extra), sizeof(*args));
        if (!args) {
                rc = CLI_ERR_SERVER;
                goto done;
        }
        args[n++] = SSH_BINARY;
        args[n++] = "-i";
        args[n++] = (char *)key;
        args[n++] = "-p";
        args[n++] = port;
        args[n++] = "-o";
        args[n++] = "IdentitiesOnly=yes";
        if (known) {
                args[n++] = "-o";
                args[n++] = "StrictHostKeyChecking=accept-new";
                args[n++] = "-o";
                args[n++] = known;
        }
        args[n++] = dest;
        for (int i = 0; i < extra; i++)
                args[n++] = argv[own_argc + 1 + i];
        args[n] = NULL;
        if (print) {
                print_command(args);
                rc = CLI_OK;
                goto done;
        }
        fflush(stdout);
        fflush(stderr);
        execvp(SSH_BINARY, args);
        fprintf(stderr, "gpu-shopper " PROG ": cannot run %s: %s\n", SSH_BINARY, strerror(errno));
        rc = CLI_ERR_EXEC;
done:
        free(args);
        free(known);
        free(dest);
        json_decref(j);
        return rc;
}
