/* main.c - gpu-shopperd: arguments, --check-config, --describe-plugin, signals. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/token_store.h"
#include "domain/session_id.h"
#include "config/config.h"
#include "log.h"
#include "plugin/loader.h"
#include "plugin/registry.h"
#include "settings.h"
#include "status.h"

#ifndef GS_VERSION
#define GS_VERSION "0.0.0"
#endif

#define DEFAULT_CONFIG "/etc/gpu-shopper/gpu-shopper.ini"

static void usage(FILE *out)
{
        fprintf(out,
                "Usage: gpu-shopperd [--config FILE]\n"
                "       gpu-shopperd --check-config FILE\n"
                "       gpu-shopperd --describe-plugin NAME|PATH [--plugin-dir DIR]\n"
                "       gpu-shopperd --config FILE --create-token ROLE [--consumer IDS] "
                "[--label TEXT]\n"
                "\n"
                "Runs the gpu-shopper service: GPU inventory across providers, sessions with\n"
                "SSH hand-off, lifecycle enforcement and cost tracking.\n"
                "\n"
                "  -c, --config FILE          configuration (default " DEFAULT_CONFIG ")\n"
                "  -t, --check-config FILE    validate FILE and its plugins, print every error,\n"
                "                             exit 0 when valid, 1 otherwise\n"
                "  -d, --describe-plugin NAME print a plugin's configuration keys\n"
                "  -p, --plugin-dir DIR       where plugins are looked up (for -d)\n"
                "      --create-token ROLE    create an API token (admin, consumer, viewer) in the\n"
                "                             configured storage and print its secret once; the\n"
                "                             way to make the first admin token\n"
                "      --consumer IDS         consumer ids of a consumer token, comma-separated\n"
                "      --label TEXT           a note stored with the token\n"
                "  -V, --version              print the version\n"
                "  -h, --help                 this help\n"
                "\n"
                "Exit status: 0 success, 1 configuration error, 2 usage error, 3 start-up failure.\n");
}

static int check_config(const char *path)
{
        struct settings s;
        struct registry reg;
        struct cfg_errors *errs = cfg_errors_new();
        int r, rc = 1;

        if (!errs || loader_init() < 0) {
                fprintf(stderr, "gpu-shopperd: cannot initialise\n");
                cfg_errors_free(errs);
                return 3;
        }
        r = settings_load(path, &s, &reg, errs);
        if (r < 0 || cfg_errors_count(errs) > 0) {
                cfg_errors_print(errs, "gpu-shopperd", stderr);
                fprintf(stderr, "gpu-shopperd: %s: %zu error%s\n", path, cfg_errors_count(errs),
                        cfg_errors_count(errs) == 1 ? "" : "s");
        } else {
                printf("%s: configuration OK (storage '%s', %zu provider%s)\n", path,
                       reg.storage ? reg.storage->info->name : "none", reg.provider_count,
                       reg.provider_count == 1 ? "" : "s");
                for (size_t i = 0; i < reg.provider_count; i++) {
                        printf("[%s]\n", reg.providers[i]->section);
                        cfg_dump(reg.providers[i]->cfg, stdout);
                }
                if (reg.storage) {
                        printf("[storage]\n");
                        cfg_dump(reg.storage->cfg, stdout);
                }
                rc = 0;
        }
        registry_free(&reg);
        settings_done(&s);
        cfg_errors_free(errs);
        loader_exit();
        return rc;
}

static int describe_plugin(const char *name, const char *dir_opt)
{
        struct loader_plugin *p = NULL;
        char msg[LOADER_MSG_MAX];
        const struct gs_plugin_info *info;
        const struct gs_config_key *keys;
        size_t key_size = 0;
        char *dir = registry_plugin_dir(dir_opt);
        int rc = 1;

        if (!dir || loader_init() < 0) {
                free(dir);
                return 3;
        }
        if (loader_open(dir, name, 0, &p, msg, sizeof(msg)) < 0) {
                fprintf(stderr, "gpu-shopperd: plugin '%s': %s\n", name, msg);
                goto done;
        }
        info = loader_info(p);
        printf("plugin:  %s %s\nkind:    %s\nabi:     %u.%u\npath:    %s\n\n", info->name,
               info->version ? info->version : "", info->kind == GS_PLUGIN_PROVIDER ? "provider"
                                                                                    : "storage",
               info->abi_major, info->abi_minor, loader_path(p));
        keys = loader_config_keys(p, &key_size);
        cfg_describe_keys(keys, key_size, stdout);
        rc = 0;
done:
        loader_close(p);
        loader_exit();
        free(dir);
        return rc;
}

static int create_token(const char *config, const char *role_name, const char *consumers,
                        const char *label)
{
        struct settings s;
        struct registry reg;
        struct cfg_errors *errs = cfg_errors_new();
        char secret[TOKEN_SECRET_MAX], id[TOKEN_ID_MAX];
        struct gs_error err;
        int64_t created;
        int role = principal_role_parse(role_name);
        int rc = 1;

        if (role < 0 || (role == GS_ROLE_CONSUMER) != (consumers != NULL)) {
                fprintf(stderr, "gpu-shopperd: --create-token takes admin, consumer or viewer; "
                                "--consumer IDS is required for consumer tokens and only for "
                                "them\n");
                cfg_errors_free(errs);
                return 2;
        }
        for (const char *c = consumers; c && *c;) {
                char one[160];
                size_t len = strcspn(c, ",");

                (void)snprintf(one, sizeof(one), "%.*s", (int)(len < 159 ? len : 159), c);
                if (len >= sizeof(one) || !session_id_is_valid_consumer(one)) {
                        fprintf(stderr, "gpu-shopperd: '%s' is not a consumer id (1-128 of "
                                        "A-Z a-z 0-9 . _ : -)\n", one);
                        cfg_errors_free(errs);
                        return 2;
                }
                c += len + (c[len] == ',');
        }
        if (!errs || loader_init() < 0) {
                cfg_errors_free(errs);
                return 3;
        }
        if (settings_load(config, &s, &reg, errs) < 0) {
                cfg_errors_print(errs, "gpu-shopperd", stderr);
                goto done;
        }
        log_set_level(GS_LOG_WARNING);
        if (registry_init_storage(&reg) < 0)
                goto done;
        gs_error_init(&err);
        if (token_store_create(reg.storage, role, consumers, label, "cli:create-token", secret, id,
                               &created, &err) < 0) {
                fprintf(stderr, "gpu-shopperd: cannot create the token: %s\n", gs_error_msg(&err));
                goto done;
        }
        printf("token %s (%s) created; its secret, shown only now:\n%s\n", id, role_name, secret);
        memset(secret, 0, sizeof(secret));
        rc = 0;
done:
        registry_free(&reg);
        settings_done(&s);
        cfg_errors_free(errs);
        loader_exit();
        return rc;
}

static int run(const char *config)
{
        struct app app;
        sigset_t set;
        int sig = 0;

        /* Block the stop signals in every thread; main waits for them. */
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);
        if (app_start(&app, config) < 0) {
                fprintf(stderr, "gpu-shopperd: not started\n");
                return 3;
        }
        (void)sigwait(&set, &sig);
        LOG_NOTICE("core", "%s received, shutting down (instances are left running; "
                           "sessions resume on restart)",
                   sig == SIGINT ? "SIGINT" : "SIGTERM");
        app_stop(&app);
        LOG_NOTICE("core", "stopped");
        return 0;
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'c'},
                {"check-config", required_argument, NULL, 't'},
                {"describe-plugin", required_argument, NULL, 'd'},
                {"plugin-dir", required_argument, NULL, 'p'},
                {"create-token", required_argument, NULL, 'k'},
                {"consumer", required_argument, NULL, 'C'},
                {"label", required_argument, NULL, 'L'},
                {"version", no_argument, NULL, 'V'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *config = DEFAULT_CONFIG, *check = NULL, *describe = NULL, *pdir = NULL;
        const char *new_token = NULL, *consumers = NULL, *label = NULL;
        int c;

        while ((c = getopt_long(argc, argv, "c:t:d:p:Vh", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        config = optarg;
                        break;
                case 't':
                        check = optarg;
                        break;
                case 'd':
                        describe = optarg;
                        break;
                case 'p':
                        pdir = optarg;
                        break;
                case 'k':
                        new_token = optarg;
                        break;
                case 'C':
                        consumers = optarg;
                        break;
                case 'L':
                        label = optarg;
                        break;
                case 'V':
                        printf("gpu-shopperd %s (plugin ABI %d.%d)\n", GS_VERSION, GS_ABI_MAJOR,
                               GS_ABI_MINOR);
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "gpu-shopperd: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return 2;
        }
        if (check)
                return check_config(check);
        if (describe)
                return describe_plugin(describe, pdir);
        if (new_token)
                return create_token(config, new_token, consumers, label);
        return run(config);
}
