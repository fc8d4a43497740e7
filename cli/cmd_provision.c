/*
 * cmd_provision.c - `gpu-shopper provision`: POST /api/v1/sessions for an
 * offer (given, or the cheapest of a GPU type), hand the one-time private key
 * to the user (saved atomically with --save-key, else printed once), and with
 * --wait poll the session until it is running or has failed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "domain/session_id.h"
#include "domain/units.h"
#include "gpushop/plugin.h"
#include "keyfile.h"
#include "money.h"
#include "session.h"
#include "strbuf.h"
#include "url.h"

#define PROG "provision"
#define INVENTORY_PATH "/api/v1/inventory"
#define DEFAULT_WORKLOAD "llm"
#define DEFAULT_HOURS 2
#define STORAGE_DESTROY "destroy"
#define STORAGE_PRESERVE "preserve"
#define IDEMPOTENCY_HEADER "Idempotency-Key: "
#define IDEMPOTENCY_KEY_MAX 128
/* Printable ASCII without space: nothing that could end or split a header. */
#define HEADER_CHAR_MIN 0x21
#define HEADER_CHAR_MAX 0x7e
#define WAIT_POLL_MS 1000
#define NS_PER_MS 1000000L
#define MS_PER_S 1000
#define PROGRESS_WIDTH 72
#define MONEY_MAX 64

static const char usage_text[] =
        "Usage: gpu-shopper provision (--offer-id ID | --gpu-type NAME) --consumer-id ID\n"
        "                             [OPTIONS]\n"
        "\n"
        "Creates a session on an offer. The response carries the session's SSH private key\n"
        "ONCE: it is saved with --save-key, otherwise printed once on stdout.\n"
        "\n"
        "Options:\n"
        "  -i, --offer-id ID         the offer to rent (from 'gpu-shopper inventory')\n"
        "  -g, --gpu-type NAME       instead of --offer-id: the cheapest offer of this GPU\n"
        "  -c, --consumer-id ID      who the session is for (required; 1-128 of A-Z a-z 0-9 . _ : "
        "-)\n"
        "  -w, --workload-type TYPE  llm (default), llm_vllm, llm_tgi, training, batch,\n"
        "                            interactive, ssh\n"
        "  -t, --hours N             reservation in whole hours (default 2; the server's maximum\n"
        "                            applies, 12 unless configured)\n"
        "      --idle-timeout MIN    stop after MIN idle minutes (default 0: never)\n"
        "      --storage POLICY      destroy (default) or preserve\n"
        "      --disk GB             disk size (default: the server's, 50); cannot change later\n"
        "      --template HASH       provider template (Vast.ai template_hash_id)\n"
        "      --auto-retry          if the offer is gone, try the next comparable one\n"
        "      --idempotency-key K   repeat-safe: the same key returns the same session\n"
        "      --save-key PATH       write the private key to PATH (new file, mode 0600);\n"
        "                            an existing PATH is refused before anything is created\n"
        "      --wait                wait until the session is running (exit 5 if it fails)\n"
        "  -h, --help                this help\n"
        "\n"
        "Global options: --server URL, -o table|json.\n"
        "Example:\n"
        "  gpu-shopper provision --offer-id vastai-12345 --consumer-id my-app \\\n"
        "      --workload-type llm --hours 2 --save-key ~/.ssh/gs-session --wait\n";

enum opt_id {
        OPT_IDLE = 256,
        OPT_STORAGE,
        OPT_DISK,
        OPT_TEMPLATE,
        OPT_AUTO_RETRY,
        OPT_IDEMPOTENCY,
        OPT_SAVE_KEY,
        OPT_WAIT,
};

static const struct option long_opts[] = {
        {"offer-id", required_argument, NULL, 'i'},
        {"offer", required_argument, NULL, 'i'},
        {"gpu-type", required_argument, NULL, 'g'},
        {"gpu", required_argument, NULL, 'g'},
        {"consumer-id", required_argument, NULL, 'c'},
        {"consumer", required_argument, NULL, 'c'},
        {"workload-type", required_argument, NULL, 'w'},
        {"workload", required_argument, NULL, 'w'},
        {"hours", required_argument, NULL, 't'},
        {"idle-timeout", required_argument, NULL, OPT_IDLE},
        {"storage", required_argument, NULL, OPT_STORAGE},
        {"disk", required_argument, NULL, OPT_DISK},
        {"template", required_argument, NULL, OPT_TEMPLATE},
        {"auto-retry", no_argument, NULL, OPT_AUTO_RETRY},
        {"idempotency-key", required_argument, NULL, OPT_IDEMPOTENCY},
        {"save-key", required_argument, NULL, OPT_SAVE_KEY},
        {"wait", no_argument, NULL, OPT_WAIT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct request {
        const char *offer_id;
        const char *gpu_type;
        const char *consumer_id;
        const char *workload;
        int64_t hours;
        int64_t idle_minutes; /* -1: not given */
        const char *storage;
        int64_t disk_gb; /* -1: not given */
        const char *template_hash;
        bool auto_retry;
        const char *idempotency_key;
        const char *save_key;
        bool wait;
};

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
        (void)sig;
        interrupted = 1;
}

static int int_value(const char *flag, const char *v, int64_t min, int64_t *ret)
{
        int64_t n;

        if (units_parse_int64(v, &n) == 0 && n >= min) {
                *ret = n;
                return 0;
        }
        fprintf(stderr, "gpu-shopper " PROG ": %s needs an integer of at least %lld, got '%s'\n",
                flag, (long long)min, v);
        return -1;
}

static bool header_value_ok(const char *v)
{
        size_t n = strlen(v);

        if (n == 0 || n > IDEMPOTENCY_KEY_MAX)
                return false;
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
                if (*p < HEADER_CHAR_MIN || *p > HEADER_CHAR_MAX)
                        return false;
        return true;
}

/* Parse and check the command line; CLI_OK, CLI_ERR_USAGE, or -1 for --help. */
static int parse(int argc, char **argv, struct request *rq)
{
        int c;

        memset(rq, 0, sizeof(*rq));
        rq->workload = DEFAULT_WORKLOAD;
        rq->hours = DEFAULT_HOURS;
        rq->idle_minutes = -1;
        rq->disk_gb = -1;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":i:g:c:w:t:h", long_opts, NULL)) != -1) {
                switch (c) {
                case 'h':
                        return -1;
                case 'i':
                        rq->offer_id = optarg;
                        break;
                case 'g':
                        rq->gpu_type = optarg;
                        break;
                case 'c':
                        rq->consumer_id = optarg;
                        break;
                case 'w':
                        rq->workload = optarg;
                        break;
                case 't':
                        if (int_value("--hours", optarg, 1, &rq->hours) < 0)
                                return CLI_ERR_USAGE;
                        break;
                case OPT_IDLE:
                        if (int_value("--idle-timeout", optarg, 0, &rq->idle_minutes) < 0)
                                return CLI_ERR_USAGE;
                        break;
                case OPT_STORAGE:
                        if (strcmp(optarg, STORAGE_DESTROY) != 0 &&
                            strcmp(optarg, STORAGE_PRESERVE) != 0)
                                return args_error(PROG,
                                                  "--storage is destroy or preserve, not '%s'",
                                                  optarg);
                        rq->storage = optarg;
                        break;
                case OPT_DISK:
                        if (int_value("--disk", optarg, 1, &rq->disk_gb) < 0)
                                return CLI_ERR_USAGE;
                        break;
                case OPT_TEMPLATE:
                        rq->template_hash = optarg;
                        break;
                case OPT_AUTO_RETRY:
                        rq->auto_retry = true;
                        break;
                case OPT_IDEMPOTENCY:
                        if (!header_value_ok(optarg))
                                return args_error(PROG, "--idempotency-key needs 1-128 "
                                                        "printable characters without spaces");
                        rq->idempotency_key = optarg;
                        break;
                case OPT_SAVE_KEY:
                        rq->save_key = optarg;
                        break;
                case OPT_WAIT:
                        rq->wait = true;
                        break;
                default:
                        return args_bad_option(PROG, c, argv);
                }
        }
        if (optind < argc)
                return args_error(PROG, "unexpected argument '%s'", argv[optind]);
        if (!rq->consumer_id)
                return args_error(PROG, "--consumer-id is required");
        if (!session_id_is_valid_consumer(rq->consumer_id))
                return args_error(PROG,
                                  "--consumer-id '%s' is not 1-128 characters of "
                                  "A-Z a-z 0-9 . _ : -",
                                  rq->consumer_id);
        if (!rq->offer_id == !rq->gpu_type)
                return args_error(PROG, "give either --offer-id or --gpu-type%s",
                                  rq->offer_id ? ", not both" : "");
        if ((rq->offer_id && !rq->offer_id[0]) || (rq->gpu_type && !rq->gpu_type[0]) ||
            !rq->workload[0] || (rq->template_hash && !rq->template_hash[0]) ||
            (rq->save_key && !rq->save_key[0]))
                return args_error(PROG, "an option value is empty");
        return CLI_OK;
}

/* The cheapest offer of rq->gpu_type: its id, copied into *ret_id. */
static int pick_offer(const struct cli *cli, const struct request *rq, char **ret_id)
{
        struct strbuf path;
        json_t *j = NULL;
        const json_t *o;
        char *p, price[MONEY_MAX];
        const char *id;
        int rc;

        strbuf_init(&path);
        strbuf_puts(&path, INVENTORY_PATH);
        url_append_query(&path, "gpu_type", rq->gpu_type);
        strbuf_puts(&path, "&sort=price&limit=1");
        p = strbuf_take(&path, NULL);
        if (!p) {
                fprintf(stderr, "gpu-shopper " PROG ": out of memory\n");
                rc = CLI_ERR_SERVER;
                goto done;
        }
        rc = cli_call(cli, "GET", p, NULL, &j);
        if (rc != CLI_OK)
                goto done;
        o = json_array_get(json_object_get(j, "offers"), 0);
        id = session_str(o, "id");
        if (!id) {
                fprintf(stderr,
                        "gpu-shopper " PROG ": no offer matches --gpu-type '%s' now "
                        "(see 'gpu-shopper inventory')\n",
                        rq->gpu_type);
                rc = CLI_ERR_NOTFOUND;
                goto done;
        }
        *ret_id = strdup(id);
        if (!*ret_id) {
                rc = CLI_ERR_SERVER;
                goto done;
        }
        money_format_price(json_number_value(json_object_get(o, "price_per_hour")), price,
                           sizeof(price));
        /* Keep stdout pure JSON with -o json. */
        fprintf(cli->json ? stderr : stdout,
                "Auto-selected offer %s (%s, %lldx %s, %s/hr), the cheapest '%s'.\n", id,
                session_str(o, "provider") ? session_str(o, "provider") : "?",
                (long long)json_integer_value(json_object_get(o, "gpu_count")),
                session_str(o, "gpu_type") ? session_str(o, "gpu_type") : "?", price, rq->gpu_type);
done:
        json_decref(j);
        free(p);
        strbuf_done(&path);
        return rc;
}

static char *request_body(const struct request *rq, const char *offer_id)
{
        json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "consumer_id", rq->consumer_id, "offer_id",
                              offer_id, "workload_type", rq->workload, "reservation_hours",
                              (json_int_t)rq->hours);
        char *s;

        if (!o)
                return NULL;
        if (rq->idle_minutes >= 0)
                (void)json_object_set_new(o, "idle_threshold_minutes",
                                          json_integer(rq->idle_minutes));
        if (rq->storage)
                (void)json_object_set_new(o, "storage_policy", json_string(rq->storage));
        if (rq->disk_gb >= 0)
                (void)json_object_set_new(o, "disk_gb", json_integer(rq->disk_gb));
        if (rq->template_hash)
                (void)json_object_set_new(o, "template_hash_id", json_string(rq->template_hash));
        if (rq->auto_retry)
                (void)json_object_set_new(o, "auto_retry", json_true());
        s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return s;
}

static int create(const struct cli *cli, const struct request *rq, const char *offer_id,
                  json_t **ret_json)
{
        char header[sizeof(IDEMPOTENCY_HEADER) + IDEMPOTENCY_KEY_MAX];
        const char *headers[2] = {NULL, NULL};
        char *body = request_body(rq, offer_id);
        int rc;

        if (!body) {
                fprintf(stderr, "gpu-shopper " PROG ": out of memory\n");
                return CLI_ERR_SERVER;
        }
        if (rq->idempotency_key) {
                (void)snprintf(header, sizeof(header), IDEMPOTENCY_HEADER "%s",
                               rq->idempotency_key);
                headers[0] = header;
        }
        rc = cli_call_with_headers(cli, "POST", SESSIONS_PATH, body, headers, ret_json);
        free(body);
        return rc;
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / MS_PER_S, (ms % MS_PER_S) * NS_PER_MS};

        /* A signal ends the sleep early; the caller checks `interrupted`. */
        (void)nanosleep(&ts, NULL);
}

static long elapsed_s(const struct timespec *start)
{
        struct timespec now;

        (void)clock_gettime(CLOCK_MONOTONIC, &now);
        return (long)(now.tv_sec - start->tv_sec);
}

/*
 * Poll the session until it is running or final. *ret_session is the last
 * answer (replacing the one passed in). CLI_OK when running, CLI_ERR_STATE
 * when it ended otherwise, CLI_ERR_INTERRUPTED on Ctrl-C, or cli_call's code.
 */
static int wait_running(const struct cli *cli, const char *id, json_t **io_response)
{
        bool tty = isatty(STDERR_FILENO);
        struct sigaction sa, old_int;
        struct timespec start;
        char last[32] = "";
        int rc;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_interrupt; /* no SA_RESTART: the sleep ends at once */
        (void)sigemptyset(&sa.sa_mask);
        (void)sigaction(SIGINT, &sa, &old_int);
        (void)clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
                const json_t *s = session_of(*io_response);
                const char *st = session_str(s, "status");
                json_t *next = NULL;

                if (!st) {
                        fprintf(stderr, "gpu-shopper " PROG ": the server's answer holds no "
                                        "session status\n");
                        rc = CLI_ERR_SERVER;
                        goto done;
                }
                if (tty) {
                        char line[PROGRESS_WIDTH + 1];

                        /* Padded so a shorter line fully covers the previous one. */
                        (void)snprintf(line, sizeof(line), "waiting for %s: %s (%lds)", id, st,
                                       elapsed_s(&start));
                        fprintf(stderr, "\r%-*s", PROGRESS_WIDTH, line);
                } else if (strcmp(st, last) != 0) {
                        fprintf(stderr, "%s: %s\n", id, st);
                }
                (void)snprintf(last, sizeof(last), "%s", st);
                if (strcmp(st, SESSION_STATUS_RUNNING) == 0 || session_is_final(s)) {
                        rc = strcmp(st, SESSION_STATUS_RUNNING) == 0 ? CLI_OK : CLI_ERR_STATE;
                        goto done;
                }
                sleep_ms(WAIT_POLL_MS);
                if (interrupted) {
                        rc = CLI_ERR_INTERRUPTED;
                        goto done;
                }
                rc = session_fetch(cli, id, &next);
                if (rc != CLI_OK)
                        goto done;
                json_decref(*io_response);
                *io_response = next;
        }
done:
        if (tty)
                fputc('\n', stderr);
        (void)sigaction(SIGINT, &old_int, NULL);
        return rc;
}

/* Save the key; on failure print it instead so it is not lost. */
static int deliver_key(const struct request *rq, struct keyfile *kf, const char *key, bool json)
{
        char err[KEYFILE_ERR_MAX];

        if (!key) {
                fprintf(stderr, "gpu-shopper " PROG ": the server returned no private key (a "
                                "repeated Idempotency-Key returns the session only)\n");
                return CLI_OK;
        }
        if (rq->save_key) {
                if (keyfile_commit(kf, key, strlen(key), err) == 0) {
                        if (!json)
                                printf("Private key saved to %s (mode 0600).\n", rq->save_key);
                        return CLI_OK;
                }
                fprintf(stderr, "gpu-shopper " PROG ": could not save the key: %s\n", err);
        }
        fprintf(stderr,
                "WARNING: the session's private key %s is shown only this once and "
                "cannot be retrieved later; save it now (e.g. --save-key PATH next "
                "time).\n",
                json ? "(ssh_private_key)" : "below");
        if (!json) {
                fputs(key, stdout);
                if (key[0] && key[strlen(key) - 1] != '\n')
                        putchar('\n');
        }
        return rq->save_key ? CLI_ERR_SERVER : CLI_OK;
}

static void print_next_steps(const json_t *s, const struct request *rq, bool running)
{
        const char *id = session_str(s, "id");
        const char *key = rq->save_key ? rq->save_key : "KEY_FILE";

        if (running) {
                printf("\nSession %s is running. Connect with:\n  ", id);
                if (!session_print_ssh_command(s, rq->save_key, stdout))
                        printf("(no SSH endpoint reported)\n");
                printf("  gpu-shopper ssh %s --key %s\n", id, key);
                return;
        }
        printf("\nNext: 'gpu-shopper sessions --id %s' until the status is running\n"
               "(or use --wait), then 'gpu-shopper ssh %s --key %s'.\n",
               id, id, key);
}

/* -o json: the answer (latest session) with the key, or its file name once saved. */
static void print_json(json_t *created, const json_t *latest, const struct request *rq,
                       bool key_saved)
{
        json_t *out = json_object();

        if (!out)
                return;
        (void)json_object_set(out, "session", (json_t *)session_of(latest));
        if (key_saved)
                (void)json_object_set_new(out, "ssh_private_key_file", json_string(rq->save_key));
        else
                (void)json_object_set(out, "ssh_private_key",
                                      json_object_get(created, "ssh_private_key"));
        cli_print_json(out);
        json_decref(out);
}

int cmd_provision(struct cli *cli, int argc, char **argv)
{
        struct keyfile kf = {.fd = -1};
        struct request rq;
        json_t *created = NULL, *latest = NULL;
        const json_t *s;
        const char *key, *id;
        char *picked = NULL;
        char err[KEYFILE_ERR_MAX];
        bool saved;
        int rc, key_rc;

        rc = parse(argc, argv, &rq);
        if (rc < 0) {
                fputs(usage_text, stdout);
                rc = CLI_OK;
                goto done;
        }
        if (rc != CLI_OK)
                goto done;
        /* Refuse a bad --save-key before the server creates anything. */
        if (rq.save_key && keyfile_reserve(&kf, rq.save_key, err) < 0) {
                fprintf(stderr, "gpu-shopper " PROG ": --save-key: %s\n", err);
                rc = CLI_ERR_USAGE;
                goto done;
        }
        if (rq.gpu_type) {
                rc = pick_offer(cli, &rq, &picked);
                if (rc != CLI_OK)
                        goto done;
        }
        rc = create(cli, &rq, picked ? picked : rq.offer_id, &created);
        if (rc != CLI_OK)
                goto done;
        s = session_of(created);
        id = session_str(s, "id");
        if (!id) {
                fprintf(stderr, "gpu-shopper " PROG ": the server's answer holds no session\n");
                rc = CLI_ERR_SERVER;
                goto done;
        }
        key = session_str(created, "ssh_private_key");
        if (!cli->json) {
                printf("Session %s created for %s (status %s).\n\n", id,
                       session_str(s, "consumer_id") ? session_str(s, "consumer_id") : "?",
                       session_str(s, "status") ? session_str(s, "status") : "?");
                session_print_details(s, stdout);
                putchar('\n');
        }
        /* The key first: nothing after this point may lose it. */
        key_rc = deliver_key(&rq, &kf, key, cli->json);
        saved = rq.save_key && key && key_rc == CLI_OK;
        fflush(stdout);
        latest = json_incref(created);
        if (rq.wait) {
                rc = wait_running(cli, id, &latest);
                if (rc == CLI_ERR_STATE && !cli->json) {
                        const json_t *ls = session_of(latest);

                        printf("Session %s did not become running: it is %s (%s).\n", id,
                               session_str(ls, "status"),
                               session_str(ls, "status_reason") ? session_str(ls, "status_reason")
                                                                : "no reason given");
                } else if (rc == CLI_ERR_INTERRUPTED || (rc != CLI_OK && rc != CLI_ERR_STATE)) {
                        fprintf(stderr,
                                "gpu-shopper " PROG ": stopped waiting; session %s "
                                "exists: 'gpu-shopper sessions --id %s' shows it.\n",
                                id, id);
                }
        }
        if (cli->json)
                print_json(created, latest, &rq, saved);
        else if (rc == CLI_OK)
                print_next_steps(session_of(latest), &rq,
                                 rq.wait && strcmp(session_str(session_of(latest), "status"),
                                                   SESSION_STATUS_RUNNING) == 0);
        if (rc == CLI_OK)
                rc = key_rc;
done:
        json_decref(latest);
        json_decref(created);
        free(picked);
        keyfile_done(&kf);
        return rc;
}
