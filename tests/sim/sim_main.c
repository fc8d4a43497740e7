/* gpu-market-sim entry point: options, start-up, signal wait and clean shutdown. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim.h"

#define SIM_VERSION "0.1.0"
#define SIM_DEFAULT_SEED 1
#define SIM_DEFAULT_VAST_KEY "sim-vast-key"
#define SIM_DEFAULT_TD_AUTH_ID "sim-td-auth-id"
#define SIM_DEFAULT_TD_TOKEN "sim-td-token"
#define SIM_DEFAULT_SSHD "/usr/sbin/sshd"
#define SIM_STATE_TEMPLATE "/tmp/gpu-market-sim.XXXXXX"
#define SIM_VAST_CONTRACT_BASE 32000001u
#define SIM_ID_STREAM UINT64_C(0x7d5a1f0e3c2b4a69)

struct sim_state sim;

void sim_lock(void)
{
        (void)pthread_mutex_lock(&sim.lock);
}

void sim_unlock(void)
{
        (void)pthread_mutex_unlock(&sim.lock);
}

static void usage(FILE *f)
{
        (void)fprintf(
                f,
                "usage: gpu-market-sim [options]\n"
                "  --port P            listen on 127.0.0.1:P (0 = ephemeral; default 0)\n"
                "  --offers N          catalogue size, 0..%d (default %d; half Vast.ai, half "
                "TensorDock)\n"
                "  --seed S            catalogue seed (default %d)\n"
                "  --vast-key K        Vast.ai API key (default %s)\n"
                "  --td-auth-id A      TensorDock authorization id (default %s)\n"
                "  --td-token T        TensorDock API token (default %s)\n"
                "  --state-dir DIR     sshd configs/keys (default: a fresh %s, removed on exit)\n"
                "  --ready-after-ms MS loading/starting -> running after MS (default %d)\n"
                "  --no-ssh            no real sshd per instance (benchmarks)\n"
                "  --threads N         HTTP thread pool size (default %d)\n"
                "  --sshd PATH         sshd binary (default %s)\n"
                "  --help, --version\n"
                "Prints 'listening on 127.0.0.1:<port>' as the first stdout line.\n"
                "See docs/SIM.md.\n",
                SIM_OFFERS_MAX, SIM_OFFERS_DEFAULT, SIM_DEFAULT_SEED, SIM_DEFAULT_VAST_KEY,
                SIM_DEFAULT_TD_AUTH_ID, SIM_DEFAULT_TD_TOKEN, SIM_STATE_TEMPLATE,
                SIM_READY_DEFAULT_MS, SIM_THREADS_DEFAULT, SIM_DEFAULT_SSHD);
}

static int parse_u64(const char *name, const char *s, uint64_t max, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        errno = 0;
        if (!s || !*s || *s == '-') {
                (void)fprintf(stderr, "gpu-market-sim: %s needs a non-negative integer\n", name);
                return -1;
        }
        v = strtoull(s, &end, 0);
        if (errno || *end || v > max) {
                (void)fprintf(stderr, "gpu-market-sim: invalid %s '%s' (max %llu)\n", name, s,
                              (unsigned long long)max);
                return -1;
        }
        *ret = v;
        return 0;
}

static int copy_opt(const char *name, const char *s, char *dst, size_t len)
{
        size_t n = strlen(s);

        if (n == 0 || n >= len) {
                (void)fprintf(stderr, "gpu-market-sim: %s must be 1..%zu characters\n", name,
                              len - 1);
                return -1;
        }
        memcpy(dst, s, n + 1);
        return 0;
}

static bool safe_path(const char *s)
{
        for (; *s; s++)
                if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '"' || *s == '\'' ||
                    *s == '\\' || *s == '%')
                        return false;
        return true;
}

enum {
        OPT_PORT = 256,
        OPT_OFFERS,
        OPT_SEED,
        OPT_VAST_KEY,
        OPT_TD_AUTH,
        OPT_TD_TOKEN,
        OPT_STATE_DIR,
        OPT_READY,
        OPT_NO_SSH,
        OPT_THREADS,
        OPT_SSHD,
        OPT_HELP,
        OPT_VERSION,
};

struct options {
        uint64_t port;
        uint64_t offers;
        uint64_t seed;
        uint64_t ready_ms;
        uint64_t threads;
        const char *state_dir;
};

static int parse_args(int argc, char **argv, struct options *o)
{
        static const struct option longopts[] = {
                {"port", required_argument, NULL, OPT_PORT},
                {"offers", required_argument, NULL, OPT_OFFERS},
                {"seed", required_argument, NULL, OPT_SEED},
                {"vast-key", required_argument, NULL, OPT_VAST_KEY},
                {"td-auth-id", required_argument, NULL, OPT_TD_AUTH},
                {"td-token", required_argument, NULL, OPT_TD_TOKEN},
                {"state-dir", required_argument, NULL, OPT_STATE_DIR},
                {"ready-after-ms", required_argument, NULL, OPT_READY},
                {"no-ssh", no_argument, NULL, OPT_NO_SSH},
                {"threads", required_argument, NULL, OPT_THREADS},
                {"sshd", required_argument, NULL, OPT_SSHD},
                {"help", no_argument, NULL, OPT_HELP},
                {"version", no_argument, NULL, OPT_VERSION},
                {NULL, 0, NULL, 0},
        };
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_PORT:
                        r = parse_u64("--port", optarg, 65535, &o->port);
                        break;
                case OPT_OFFERS:
                        r = parse_u64("--offers", optarg, SIM_OFFERS_MAX, &o->offers);
                        break;
                case OPT_SEED:
                        r = parse_u64("--seed", optarg, UINT64_MAX, &o->seed);
                        break;
                case OPT_VAST_KEY:
                        r = copy_opt("--vast-key", optarg, sim.vast_key, sizeof(sim.vast_key));
                        break;
                case OPT_TD_AUTH:
                        r = copy_opt("--td-auth-id", optarg, sim.td_auth_id,
                                     sizeof(sim.td_auth_id));
                        break;
                case OPT_TD_TOKEN:
                        r = copy_opt("--td-token", optarg, sim.td_token, sizeof(sim.td_token));
                        break;
                case OPT_STATE_DIR:
                        o->state_dir = optarg;
                        break;
                case OPT_READY:
                        r = parse_u64("--ready-after-ms", optarg, SIM_HANG_CAP_MS, &o->ready_ms);
                        break;
                case OPT_NO_SSH:
                        sim.with_ssh = false;
                        break;
                case OPT_THREADS:
                        r = parse_u64("--threads", optarg, SIM_THREADS_MAX, &o->threads);
                        if (r == 0 && o->threads == 0) {
                                (void)fprintf(stderr, "gpu-market-sim: --threads must be >= 1\n");
                                r = -1;
                        }
                        break;
                case OPT_SSHD:
                        r = copy_opt("--sshd", optarg, sim.sshd_path, sizeof(sim.sshd_path));
                        break;
                case OPT_HELP:
                        usage(stdout);
                        exit(0);
                case OPT_VERSION:
                        (void)printf("gpu-market-sim " SIM_VERSION "\n");
                        exit(0);
                default:
                        usage(stderr);
                        return -1;
                }
                if (r < 0)
                        return -1;
        }
        if (optind < argc) {
                (void)fprintf(stderr, "gpu-market-sim: unexpected argument '%s'\n", argv[optind]);
                return -1;
        }
        return 0;
}

static int prepare_state_dir(const char *wanted, bool *ret_owned)
{
        char tmpl[] = SIM_STATE_TEMPLATE;

        if (!wanted) {
                if (!mkdtemp(tmpl)) {
                        (void)fprintf(stderr, "gpu-market-sim: mkdtemp: %s\n", strerror(errno));
                        return -1;
                }
                (void)snprintf(sim.state_dir, sizeof(sim.state_dir), "%s", tmpl);
                *ret_owned = true;
                return 0;
        }
        if (wanted[0] != '/' || !safe_path(wanted) || strlen(wanted) >= SIM_PATH_MAX - 64) {
                (void)fprintf(stderr, "gpu-market-sim: --state-dir must be an absolute path "
                                      "without spaces, quotes, backslashes or '%%'\n");
                return -1;
        }
        if (mkdir(wanted, 0700) < 0 && errno != EEXIST) {
                (void)fprintf(stderr, "gpu-market-sim: mkdir %s: %s\n", wanted, strerror(errno));
                return -1;
        }
        (void)snprintf(sim.state_dir, sizeof(sim.state_dir), "%s", wanted);
        *ret_owned = false;
        return 0;
}

static int init_sync(void)
{
        pthread_condattr_t ca;

        if (pthread_mutex_init(&sim.lock, NULL) != 0)
                return -1;
        if (pthread_condattr_init(&ca) != 0)
                return -1;
        (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        if (pthread_cond_init(&sim.cond, &ca) != 0)
                return -1;
        (void)pthread_condattr_destroy(&ca);
        return 0;
}

int main(int argc, char **argv)
{
        struct options o = {.offers = SIM_OFFERS_DEFAULT,
                            .seed = SIM_DEFAULT_SEED,
                            .ready_ms = SIM_READY_DEFAULT_MS,
                            .threads = SIM_THREADS_DEFAULT};
        char err[SIM_ERRTEXT_MAX];
        struct passwd *pw;
        sigset_t set;
        bool owned_dir = false, http_up = false, ticker_up = false;
        uint16_t port = 0;
        pid_t *pids = NULL;
        size_t n_pids = 0, i;
        int sig = 0, rc = 1;

        sim.with_ssh = true;
        (void)snprintf(sim.vast_key, sizeof(sim.vast_key), "%s", SIM_DEFAULT_VAST_KEY);
        (void)snprintf(sim.td_auth_id, sizeof(sim.td_auth_id), "%s", SIM_DEFAULT_TD_AUTH_ID);
        (void)snprintf(sim.td_token, sizeof(sim.td_token), "%s", SIM_DEFAULT_TD_TOKEN);
        (void)snprintf(sim.sshd_path, sizeof(sim.sshd_path), "%s", SIM_DEFAULT_SSHD);
        if (parse_args(argc, argv, &o) < 0)
                return 2;
        sim.ready_after_ms = (int64_t)o.ready_ms;
        sim.ready_after_default_ms = (int64_t)o.ready_ms;
        sim.next_vast_contract = SIM_VAST_CONTRACT_BASE;
        sim_rng_init(&sim.id_rng, o.seed ^ SIM_ID_STREAM);
        pw = getpwuid(geteuid());
        (void)snprintf(sim.user, sizeof(sim.user), "%s", pw && pw->pw_name ? pw->pw_name : "root");
        if (init_sync() < 0) {
                (void)fprintf(stderr, "gpu-market-sim: cannot initialise locks\n");
                return 1;
        }

        /* Signals: SIGINT/SIGTERM are taken by sigwait below; every thread inherits the mask. */
        (void)signal(SIGPIPE, SIG_IGN);
        (void)sigemptyset(&set);
        (void)sigaddset(&set, SIGINT);
        (void)sigaddset(&set, SIGTERM);
        (void)sigaddset(&set, SIGHUP);
        (void)pthread_sigmask(SIG_BLOCK, &set, NULL);

        if (prepare_state_dir(o.state_dir, &owned_dir) < 0)
                return o.state_dir ? 2 : 1;
        if (sim_catalog_build(&sim.catalog, o.seed, (size_t)o.offers) < 0) {
                (void)fprintf(stderr, "gpu-market-sim: out of memory building the catalogue\n");
                goto out;
        }
        if (sim_sshd_setup(sim.state_dir, sim.with_ssh, err, sizeof(err)) < 0) {
                (void)fprintf(stderr, "gpu-market-sim: %s\n", err);
                goto out;
        }
        if (sim_ticker_start() < 0) {
                (void)fprintf(stderr, "gpu-market-sim: cannot start the ticker thread\n");
                goto out;
        }
        ticker_up = true;
        if (sim_http_start((uint16_t)o.port, (unsigned int)o.threads, &port, err, sizeof(err)) <
            0) {
                (void)fprintf(stderr, "gpu-market-sim: %s\n", err);
                goto out;
        }
        http_up = true;
        (void)printf("listening on 127.0.0.1:%u\n", port);
        (void)fflush(stdout);
        (void)fprintf(stderr,
                      "gpu-market-sim: seed %llu, %zu Vast.ai offers, %zu TensorDock offers in %zu "
                      "locations, ssh %s, state dir %s\n",
                      (unsigned long long)o.seed, sim.catalog.n_vast, sim.catalog.n_td,
                      sim.catalog.n_locs, sim.with_ssh ? "on" : "off", sim.state_dir);
        while (sigwait(&set, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
                ; /* SIGHUP: ignored */
        (void)fprintf(stderr, "gpu-market-sim: signal %d, shutting down\n", sig);
        rc = 0;
out:
        sim_lock();
        sim.stopping = true;
        sim_http_release_all();
        sim_unlock();
        if (http_up)
                sim_http_stop();
        if (ticker_up)
                sim_ticker_stop();
        sim_lock();
        sim_instance_reset_all(&pids, &n_pids);
        sim_unlock();
        for (i = 0; i < n_pids; i++)
                sim_sshd_kill(pids[i]);
        free(pids);
        sim_instance_free_all();
        sim_fault_clear();
        sim_catalog_done(&sim.catalog);
        if (owned_dir && sim.state_dir[0])
                (void)sim_rmtree(sim.state_dir);
        return rc;
}
