/*
 * cmd_cleanup_orphans.c - `gpu-shopper cleanup-orphans`: find and destroy
 * instances that carry this deployment's label but belong to no live
 * session. Works without the server: it loads the provider plugins named in
 * the daemon's config and reads its database (when reachable) to keep every
 * live session's instance out of the list.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "domain/label.h"
#include "domain/units.h"
#include "log.h"
#include "plugin/host_api.h"
#include "plugin/loader.h"
#include "settings.h"
#include "status.h"
#include "table.h"

#define ORPHANS_MAX 4096
#define CONFIG_ENV "GPU_SHOPPER_CONFIG"
#define DEFAULT_CONFIG_PATH "/etc/gpu-shopper/gpu-shopper.ini"
#define LIVE_STATUS_MASK                                                                           \
        ((1u << GS_SESSION_PENDING) | (1u << GS_SESSION_PROVISIONING) |                            \
         (1u << GS_SESSION_RUNNING) | (1u << GS_SESSION_STOPPING))

struct orphan {
        struct plugin_instance *pi;
        char *instance_id;
        char *label;
        char *session_id;
        char *status;
        int64_t price_uusd_per_hour;
        int64_t created_at_ms;
        int destroyed; /* 1 ok, -1 failed, 0 not attempted */
        char error[160];
};

struct scan {
        struct orphan items[ORPHANS_MAX];
        size_t n;
        const char *deployment;
        struct plugin_instance *pi;
        struct plugin_instance *storage; /* NULL when the database is unreachable */
        size_t truncated;
};

static const char usage_text[] =
        "Usage: gpu-shopper cleanup-orphans [--config FILE] [-p PROVIDER] [--deployment ID]\n"
        "                                   [--execute [--force]] [-o table|json]\n"
        "\n"
        "Lists instances that carry this deployment's label (gs-<deployment>-<session>) but\n"
        "belong to no live session, with their total $/hour. Nothing is destroyed unless\n"
        "--execute is given; it asks for confirmation on a terminal (--force skips it).\n"
        "Works without the server: it loads the provider plugins from the daemon's config\n"
        "(--config, $" CONFIG_ENV ", else " DEFAULT_CONFIG_PATH ") and reads its database\n"
        "when reachable; instances of live sessions and of other deployments are never\n"
        "touched.\n"
        "\n"
        "  -p, --provider NAME   only this provider instance ([provider.NAME])\n"
        "      --deployment ID   deployment id, needed when the database is unreachable\n"
        "      --execute         destroy what is listed\n"
        "      --force           do not ask for confirmation\n";

static void orphan_done(struct orphan *o)
{
        free(o->instance_id);
        free(o->label);
        free(o->session_id);
        free(o->status);
}

struct session_probe {
        int found;
        int status;
};

static int take_session(void *ctx, const struct gs_session_record *rec)
{
        struct session_probe *p = ctx;

        p->found = 1;
        p->status = rec->status;
        return 0;
}

/* Is the session of this label live (so its instance is not an orphan)? */
static int session_is_live(struct plugin_instance *storage, const char *session_id,
                           int *ret_live)
{
        struct session_probe p = {0};
        struct gs_session_sink sink = {.fn = take_session, .ctx = &p};
        struct gs_error err;
        int r;

        gs_error_init(&err);
        registry_enter(storage);
        r = storage->storage->session_get(storage->instance, session_id, &sink, &err);
        registry_leave(storage);
        if (r == GS_E_NOTFOUND) {
                *ret_live = 0;
                return 0;
        }
        if (r < 0)
                return r;
        *ret_live = p.found && ((1u << p.status) & LIVE_STATUS_MASK) != 0;
        return 0;
}

static int take_instance(void *ctx, const struct gs_instance_info *info)
{
        struct scan *s = ctx;
        char dep[LABEL_DEPLOYMENT_MAX + 1], sess[LABEL_SESSION_MAX + 1];
        struct orphan *o;
        int live = 0;

        if (!info->label || !label_parse(info->label, dep, sizeof(dep), sess, sizeof(sess)) ||
            strcmp(dep, s->deployment) != 0)
                return 0; /* not ours: never touched */
        if (info->state == GS_INST_DELETING)
                return 0;
        if (s->storage && session_is_live(s->storage, sess, &live) < 0)
                return GS_E_STORAGE;
        if (live)
                return 0;
        if (s->n >= ORPHANS_MAX) {
                s->truncated++;
                return 0;
        }
        o = &s->items[s->n];
        memset(o, 0, sizeof(*o));
        o->pi = s->pi;
        o->instance_id = strdup(info->instance_id);
        o->label = strdup(info->label);
        o->session_id = strdup(sess);
        o->status = strdup(info->status_raw ? info->status_raw : "?");
        o->price_uusd_per_hour = info->price_uusd_per_hour;
        o->created_at_ms = info->created_at_ms;
        if (!o->instance_id || !o->label || !o->session_id || !o->status) {
                orphan_done(o);
                return GS_E_NOMEM;
        }
        s->n++;
        return 0;
}

static int take_deployment(void *ctx, const char *value)
{
        (void)snprintf(ctx, LABEL_DEPLOYMENT_MAX + 1, "%s", value);
        return 0;
}

static bool confirm(size_t n, int64_t uusd)
{
        char price[32], line[16];

        (void)units_format_usd(uusd, price, sizeof(price));
        fprintf(stderr, "Destroy %zu instance%s costing $%s/hour? [y/N] ", n, n == 1 ? "" : "s",
                price);
        if (!fgets(line, sizeof(line), stdin))
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

static void destroy_all(struct scan *s)
{
        for (size_t i = 0; i < s->n; i++) {
                struct orphan *o = &s->items[i];
                struct gs_error err;
                int r;

                gs_error_init(&err);
                registry_enter(o->pi);
                r = o->pi->provider->destroy_instance(o->pi->instance, o->instance_id, &err);
                registry_leave(o->pi);
                o->destroyed = r < 0 ? -1 : 1;
                if (r < 0)
                        (void)snprintf(o->error, sizeof(o->error), "%s", gs_error_msg(&err));
        }
}

static void print_results(const struct cli *cli, const struct scan *s, bool executed)
{
        static const struct table_column cols[] = {
                {"PROVIDER", 0}, {"INSTANCE", TABLE_NO_CUT}, {"SESSION", TABLE_NO_CUT},
                {"STATUS", 0},   {"$/HR", TABLE_RIGHT},      {"RESULT", 0},
        };
        int64_t total = 0;
        char price[32];

        for (size_t i = 0; i < s->n; i++)
                total += s->items[i].price_uusd_per_hour;
        if (cli->json) {
                json_t *list = json_array();

                for (size_t i = 0; i < s->n; i++) {
                        const struct orphan *o = &s->items[i];

                        (void)units_format_usd(o->price_uusd_per_hour, price, sizeof(price));
                        (void)json_array_append_new(
                                list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s?}", "provider",
                                                o->pi->name, "instance_id", o->instance_id,
                                                "label", o->label, "session_id", o->session_id,
                                                "status", o->status, "price_per_hour", price,
                                                "result",
                                                !executed ? "listed"
                                                : o->destroyed > 0 ? "destroyed"
                                                                   : "failed",
                                                "error", o->destroyed < 0 ? o->error : NULL));
                }
                (void)units_format_usd(total, price, sizeof(price));
                json_t *out = json_pack("{s:o,s:I,s:s,s:b}", "orphans", list, "count",
                                        (json_int_t)s->n, "total_price_per_hour", price,
                                        "executed", executed);
                cli_print_json(out);
                json_decref(out);
                return;
        }
        if (s->n == 0) {
                printf("no orphaned instances for deployment %s\n", s->deployment);
                return;
        }
        struct table *t = table_new(cols, sizeof(cols) / sizeof(cols[0]));

        for (size_t i = 0; t && i < s->n; i++) {
                const struct orphan *o = &s->items[i];
                const char *cells[6];

                (void)units_format_usd(o->price_uusd_per_hour, price, sizeof(price));
                cells[0] = o->pi->name;
                cells[1] = o->instance_id;
                cells[2] = o->session_id;
                cells[3] = o->status;
                cells[4] = price;
                cells[5] = !executed ? "would destroy" : o->destroyed > 0 ? "destroyed" : o->error;
                (void)table_add_row(t, cells);
        }
        if (t)
                table_print(t, stdout);
        table_free(t);
        (void)units_format_usd(total, price, sizeof(price));
        printf("%zu orphan%s, $%s/hour%s\n", s->n, s->n == 1 ? "" : "s", price,
               executed ? "" : " (dry run: add --execute to destroy)");
}

int cmd_cleanup_orphans(struct cli *cli, int argc, char **argv)
{
        static const struct option opts[] = {
                {"config", required_argument, NULL, 'f'},
                {"provider", required_argument, NULL, 'p'},
                {"deployment", required_argument, NULL, 'D'},
                {"execute", no_argument, NULL, 'x'},
                {"force", no_argument, NULL, 'F'},
                {"help", no_argument, NULL, 'h'},
                {NULL, 0, NULL, 0},
        };
        const char *config = getenv(CONFIG_ENV), *only = NULL, *dep_opt = NULL;
        char deployment[LABEL_DEPLOYMENT_MAX + 1] = "";
        bool execute = false, force = false;
        struct settings set;
        struct registry reg;
        struct cfg_errors *errs = NULL;
        struct scan *s = NULL;
        size_t failed = 0;
        int rc = CLI_ERR_USAGE, c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "f:p:D:xFh", opts, NULL)) != -1) {
                switch (c) {
                case 'f': config = optarg; break;
                case 'p': only = optarg; break;
                case 'D': dep_opt = optarg; break;
                case 'x': execute = true; break;
                case 'F': force = true; break;
                case 'h': fputs(usage_text, stdout); return CLI_OK;
                default: fputs(usage_text, stderr); return CLI_ERR_USAGE;
                }
        }
        if (optind < argc || (force && !execute)) {
                fprintf(stderr, "gpu-shopper cleanup-orphans: %s\n",
                        optind < argc ? "unexpected argument" : "--force needs --execute");
                return CLI_ERR_USAGE;
        }
        if (!config || !config[0])
                config = DEFAULT_CONFIG_PATH;
        log_set_level(GS_LOG_WARNING);
        errs = cfg_errors_new();
        s = calloc(1, sizeof(*s));
        if (!errs || !s || loader_init() < 0) {
                rc = CLI_ERR_SERVER;
                goto out;
        }
        if (settings_load(config, &set, &reg, errs) < 0) {
                cfg_errors_print(errs, "gpu-shopper", stderr);
                rc = CLI_ERR_USAGE;
                goto done;
        }
        if (only && !registry_provider(&reg, only)) {
                fprintf(stderr, "gpu-shopper cleanup-orphans: no [provider.%s] in %s\n", only,
                        config);
                goto done;
        }
        if (registry_init_storage(&reg) == 0) {
                struct gs_string_sink sink = {.fn = take_deployment, .ctx = deployment};
                struct gs_error err;

                gs_error_init(&err);
                registry_enter(reg.storage);
                r = reg.storage->storage->meta_get(reg.storage->instance, "deployment_id", &sink,
                                                   &err);
                registry_leave(reg.storage);
                if (r == 0)
                        s->storage = reg.storage;
        }
        if (dep_opt) {
                if (deployment[0] && strcmp(deployment, dep_opt) != 0) {
                        fprintf(stderr, "gpu-shopper cleanup-orphans: --deployment %s differs "
                                        "from the database's %s; refusing\n",
                                dep_opt, deployment);
                        goto done;
                }
                (void)snprintf(deployment, sizeof(deployment), "%s", dep_opt);
        }
        if (!deployment[0]) {
                fprintf(stderr, "gpu-shopper cleanup-orphans: the database is unreachable, so "
                                "this deployment's id is unknown; pass --deployment ID (see "
                                "/health)\n");
                goto done;
        }
        if (!s->storage)
                fprintf(stderr, "gpu-shopper cleanup-orphans: warning: database unreachable; "
                                "every labelled instance of deployment %s is listed\n",
                        deployment);
        s->deployment = deployment;
        for (size_t i = 0; i < reg.provider_count; i++) {
                struct plugin_instance *pi = reg.providers[i];
                struct gs_instance_sink sink = {.fn = take_instance, .ctx = s};
                struct gs_error err;

                if (only && strcmp(pi->name, only) != 0)
                        continue;
                if (!pi->provider->list_instances) {
                        fprintf(stderr, "gpu-shopper cleanup-orphans: provider %s cannot list "
                                        "instances; skipped\n", pi->name);
                        continue;
                }
                if (registry_init_one(pi) < 0) {
                        rc = CLI_ERR_SERVER;
                        goto done;
                }
                gs_error_init(&err);
                s->pi = pi;
                registry_enter(pi);
                r = pi->provider->list_instances(pi->instance, &sink, &err);
                registry_leave(pi);
                if (r < 0) {
                        fprintf(stderr, "gpu-shopper cleanup-orphans: %s: cannot list instances: "
                                        "%s\n", pi->name, gs_error_msg(&err));
                        rc = CLI_ERR_SERVER;
                        goto done;
                }
        }
        if (execute && s->n > 0) {
                if (!force && !isatty(STDIN_FILENO)) {
                        fprintf(stderr, "gpu-shopper cleanup-orphans: not a terminal: add --force "
                                        "to destroy without confirmation\n");
                        goto done;
                }
                int64_t total = 0;

                for (size_t i = 0; i < s->n; i++)
                        total += s->items[i].price_uusd_per_hour;
                if (!force && !confirm(s->n, total)) {
                        fprintf(stderr, "nothing destroyed\n");
                        rc = CLI_OK;
                        goto done;
                }
                destroy_all(s);
        }
        print_results(cli, s, execute);
        for (size_t i = 0; i < s->n; i++)
                failed += s->items[i].destroyed < 0;
        rc = failed ? CLI_ERR_SERVER : CLI_OK;
done:
        for (size_t i = 0; i < s->n; i++)
                orphan_done(&s->items[i]);
        registry_free(&reg);
        settings_done(&set);
        loader_exit();
out:
        free(s);
        cfg_errors_free(errs);
        return rc;
}
