/*
 * test_ssh_probe.c - the SSH probe against a real OpenSSH sshd started by the
 * test on a loopback port (own host key, own authorized_keys, a fake
 * nvidia-smi on PATH), plus the pure nvidia-smi output parser.
 *
 * The sshd tests skip (with a message) only when /usr/sbin/sshd is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ssh/gpu_util.h"
#include "ssh/ssh_keys.h"
#include "ssh/ssh_mgmt_key.h"
#include "ssh/ssh_probe.h"

/* Overridable only to exercise the skip path by hand. */
#ifndef SSHD
#define SSHD "/usr/sbin/sshd"
#endif
#define SSH_KEYGEN "/usr/bin/ssh-keygen"
#define SSHD_PRIVSEP_DIR "/run/sshd"
#define SSHD_START_MS 10000
#define SSHD_START_ATTEMPTS 3
#define POLL_MS 20
#define DIR_LEN 64
#define PATH_LEN 256
#define TEXT_LEN 2048
#define NFTW_FDS 8
/* Generous: the suite also runs under valgrind. */
#define PROBE_TIMEOUT_MS 20000
#define SHORT_TIMEOUT_MS 600
#define TIMEOUT_SLACK_MS 3000
#define CONCURRENT_PROBES 4
#define PROBES_PER_THREAD 3
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

extern char **environ;

struct env {
        bool have_sshd;
        char dir[DIR_LEN];
        char user[64];
        uint32_t port;
        pid_t sshd_pid;
        char host_fp[SSH_PROBE_FINGERPRINT_MAX]; /* from ssh-keygen -lf */
        struct ssh_keypair *authorized;          /* in authorized_keys */
        struct ssh_keypair *stranger;            /* not */
        struct mgmt_key *mgmt;                   /* in authorized_keys */
};

static struct env env;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static int64_t mono_ms(void)
{
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

        (void)nanosleep(&ts, NULL);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static int write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
        char path[PATH_LEN];
        FILE *fp;
        int r;

        (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
        fp = fopen(path, "w");
        if (!fp)
                return -1;
        r = fputs(text, fp) < 0 ? -1 : 0;
        if (fclose(fp) != 0)
                r = -1;
        if (r == 0 && chmod(path, mode) < 0)
                r = -1;
        return r;
}

/* Run argv with stdout captured into out; its exit status, or -1. */
static int run_capture(char *const argv[], char *out, size_t out_len)
{
        posix_spawn_file_actions_t fa;
        int pipefd[2], status;
        size_t used = 0;
        pid_t pid;
        ssize_t n;

        if (pipe(pipefd) < 0)
                return -1;
        (void)posix_spawn_file_actions_init(&fa);
        (void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        (void)posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        (void)posix_spawn_file_actions_addclose(&fa, pipefd[0]);
        if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
                (void)posix_spawn_file_actions_destroy(&fa);
                (void)close(pipefd[0]);
                (void)close(pipefd[1]);
                return -1;
        }
        (void)posix_spawn_file_actions_destroy(&fa);
        (void)close(pipefd[1]);
        while (used + 1 < out_len && (n = read(pipefd[0], out + used, out_len - 1 - used)) > 0)
                used += (size_t)n;
        out[used] = '\0';
        (void)close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A loopback port nobody listens on right now. */
static uint32_t free_port(void)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t sl = sizeof(sa);
        uint32_t port = 0;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return 0;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
            getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
                port = ntohs(sa.sin_port);
        (void)close(fd);
        return port;
}

static bool port_accepts(uint32_t port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok;

        if (fd < 0)
                return false;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        (void)close(fd);
        return ok;
}

/* A listening socket that accepts TCP but never speaks SSH; its port in *ret_port. */
static int silent_listener(uint32_t *ret_port)
{
        struct sockaddr_in sa = {.sin_family = AF_INET};
        socklen_t sl = sizeof(sa);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        assert_true(fd >= 0);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 4), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
        *ret_port = ntohs(sa.sin_port);
        return fd;
}

static int write_sshd_config(uint32_t port)
{
        char text[TEXT_LEN];
        int n = snprintf(text, sizeof(text),
                         "ListenAddress 127.0.0.1\n"
                         "Port %u\n"
                         "HostKey %s/host_key\n"
                         "AuthorizedKeysFile %s/authorized_keys\n"
                         "PubkeyAuthentication yes\n"
                         "PasswordAuthentication no\n"
                         "KbdInteractiveAuthentication no\n"
                         "UsePAM no\n"
                         "PermitRootLogin prohibit-password\n"
                         "StrictModes no\n"
                         "PidFile none\n"
                         "UseDNS no\n"
                         "PrintMotd no\n"
                         "LogLevel VERBOSE\n"
                         "SetEnv PATH=%s/bin:/usr/bin:/bin\n",
                         port, env.dir, env.dir, env.dir);

        if (n < 0 || (size_t)n >= sizeof(text))
                return -1;
        return write_text(env.dir, "sshd_config", text, 0644);
}

static pid_t spawn_sshd(void)
{
        char cfg[PATH_LEN], log[PATH_LEN];
        char *argv[] = {SSHD, "-D", "-e", "-f", cfg, NULL};
        posix_spawn_file_actions_t fa;
        pid_t pid;

        (void)snprintf(cfg, sizeof(cfg), "%s/sshd_config", env.dir);
        (void)snprintf(log, sizeof(log), "%s/sshd.log", env.dir);
        (void)posix_spawn_file_actions_init(&fa);
        (void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        (void)posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        (void)posix_spawn_file_actions_adddup2(&fa, 1, 2);
        if (posix_spawn(&pid, SSHD, &fa, NULL, argv, environ) != 0)
                pid = -1;
        (void)posix_spawn_file_actions_destroy(&fa);
        return pid;
}

/* Start sshd on a free port and wait until it accepts; 0 or -1. */
static int start_sshd(void)
{
        for (int attempt = 0; attempt < SSHD_START_ATTEMPTS; attempt++) {
                int64_t until;
                int status;

                env.port = free_port();
                if (env.port == 0 || write_sshd_config(env.port) < 0)
                        return -1;
                env.sshd_pid = spawn_sshd();
                if (env.sshd_pid < 0)
                        return -1;
                until = mono_ms() + SSHD_START_MS;
                while (mono_ms() < until) {
                        if (waitpid(env.sshd_pid, &status, WNOHANG) == env.sshd_pid)
                                break; /* exited: port taken meanwhile or bad config */
                        if (port_accepts(env.port))
                                return 0;
                        sleep_ms(POLL_MS);
                }
                (void)kill(env.sshd_pid, SIGKILL);
                (void)waitpid(env.sshd_pid, &status, 0);
                env.sshd_pid = -1;
        }
        return -1;
}

static void print_sshd_log(void)
{
        char path[PATH_LEN], text[TEXT_LEN];
        FILE *fp;
        size_t n;

        (void)snprintf(path, sizeof(path), "%s/sshd.log", env.dir);
        fp = fopen(path, "r");
        if (!fp)
                return;
        n = fread(text, 1, sizeof(text) - 1, fp);
        text[n] = '\0';
        (void)fclose(fp);
        print_message("sshd log:\n%s\n", text);
}

/* The host key's "SHA256:..." as OpenSSH's ssh-keygen prints it. */
static int read_host_fingerprint(void)
{
        char pub[PATH_LEN], out[TEXT_LEN];
        char *argv[] = {SSH_KEYGEN, "-l", "-E", "sha256", "-f", pub, NULL};
        char *start, *end;

        (void)snprintf(pub, sizeof(pub), "%s/host_key.pub", env.dir);
        if (run_capture(argv, out, sizeof(out)) != 0)
                return -1;
        start = strchr(out, ' ');
        end = start ? strchr(start + 1, ' ') : NULL;
        if (!end || (size_t)(end - start - 1) >= sizeof(env.host_fp))
                return -1;
        memcpy(env.host_fp, start + 1, (size_t)(end - start - 1));
        env.host_fp[end - start - 1] = '\0';
        return 0;
}

static int group_setup(void **state)
{
        char key[PATH_LEN], bin[PATH_LEN], script[TEXT_LEN], keys[TEXT_LEN];
        char *kg_argv[] = {SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", key, NULL};
        struct passwd *pw = getpwuid(geteuid());
        struct gs_error err;
        char out[64];

        (void)state;
        env.sshd_pid = -1;
        env.have_sshd = access(SSHD, X_OK) == 0;
        gs_error_init(&err);
        if (!pw ||
            (size_t)snprintf(env.user, sizeof(env.user), "%s", pw->pw_name) >= sizeof(env.user))
                return -1;
        if (ssh_keypair_generate(&env.authorized, &err) < 0 ||
            ssh_keypair_generate(&env.stranger, &err) < 0)
                return -1;
        if (!env.have_sshd)
                return 0;
        (void)snprintf(env.dir, sizeof(env.dir), "/tmp/gs-test-ssh-probe-XXXXXX");
        if (!mkdtemp(env.dir))
                return -1;
        if (mgmt_key_load_or_create(env.dir, &env.mgmt, &err) < 0) {
                print_message("management key: %s\n", gs_error_msg(&err));
                return -1;
        }
        (void)snprintf(key, sizeof(key), "%s/host_key", env.dir);
        (void)snprintf(bin, sizeof(bin), "%s/bin", env.dir);
        if (mkdir(SSHD_PRIVSEP_DIR, 0755) < 0 && errno != EEXIST)
                return -1;
        if (mkdir(bin, 0755) < 0 || run_capture(kg_argv, out, sizeof(out)) != 0 ||
            read_host_fingerprint() < 0)
                return -1;
        /* The fake nvidia-smi: "37\n82\n", unless the test leaves an override file. */
        (void)snprintf(script, sizeof(script),
                       "#!/bin/sh\n"
                       "if [ -f %s/util_override ]; then cat %s/util_override; exit 0; fi\n"
                       "printf '37\\n82\\n'\n",
                       env.dir, env.dir);
        (void)snprintf(keys, sizeof(keys), "%s\n%s\n", env.authorized->public_line,
                       mgmt_key_public_line(env.mgmt));
        if (write_text(bin, "nvidia-smi", script, 0755) < 0 ||
            write_text(env.dir, "authorized_keys", keys, 0600) < 0)
                return -1;
        if (start_sshd() < 0) {
                print_message("cannot start %s\n", SSHD);
                print_sshd_log();
                return -1;
        }
        return 0;
}

static int group_teardown(void **state)
{
        int status;

        (void)state;
        if (env.sshd_pid > 0) {
                (void)kill(env.sshd_pid, SIGTERM);
                (void)waitpid(env.sshd_pid, &status, 0);
        }
        if (env.dir[0])
                (void)nftw(env.dir, rm_entry, NFTW_FDS, FTW_DEPTH | FTW_PHYS);
        ssh_keypair_free(env.authorized);
        ssh_keypair_free(env.stranger);
        mgmt_key_free(env.mgmt);
        return 0;
}

static void require_sshd(void)
{
        if (!env.have_sshd) {
                print_message("skipped: %s is not installed (apt-get install openssh-server)\n",
                              SSHD);
                skip();
        }
}

static struct ssh_target target_with(const char *private_key, ssh_key key)
{
        struct ssh_target t = {
                .host = "127.0.0.1",
                .port = env.port,
                .user = env.user,
                .private_key_openssh = private_key,
                .key = key,
        };

        return t;
}

/* ------------------------------------------------------------------------ */
/* Pure: nvidia-smi output                                                   */

static void test_gpu_util_parse_table(void **state)
{
        static const struct {
                const char *in;
                int status;
                uint32_t want;
        } cases[] = {
                {"37\n82\n", 0, 82},
                {"0\n", 0, 0},
                {"100", 0, 100},
                {" 5 \r\n 7\r\n", 0, 7},
                {"\n\n12\n\n", 0, 12},
                {"82\n37\n", 0, 82},
                {"", GS_E_BADRESPONSE, 0},
                {"\n \n", GS_E_BADRESPONSE, 0},
                {"[N/A]\n", GS_E_BADRESPONSE, 0},
                {"37\n[N/A]\n", GS_E_BADRESPONSE, 0},
                {"101\n", GS_E_BADRESPONSE, 0},
                {"-1\n", GS_E_BADRESPONSE, 0},
                {"+5\n", GS_E_BADRESPONSE, 0},
                {"37 %\n", GS_E_BADRESPONSE, 0},
                {"3 7\n", GS_E_BADRESPONSE, 0},
                {"0037\n", GS_E_BADRESPONSE, 0},
                {"utilization.gpu [%]\n37\n", GS_E_BADRESPONSE, 0},
                {"sh: 1: nvidia-smi: not found\n", GS_E_BADRESPONSE, 0},
        };
        char many[GPU_UTIL_LINES_MAX * 3 + 8];

        (void)state;
        for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
                uint32_t v = 777;
                int r = gpu_util_parse(cases[i].in, &v);

                if (r != cases[i].status || v != (r == 0 ? cases[i].want : 777))
                        fail_msg("'%s': got %d/%u, want %d/%u", cases[i].in, r, v, cases[i].status,
                                 cases[i].want);
        }
        many[0] = '\0';
        for (int i = 0; i < GPU_UTIL_LINES_MAX; i++)
                (void)strncat(many, "9\n", sizeof(many) - strlen(many) - 1);
        {
                uint32_t v = 0;

                assert_int_equal(gpu_util_parse(many, &v), 0);
                assert_int_equal(v, 9);
                (void)strncat(many, "9\n", sizeof(many) - strlen(many) - 1);
                assert_int_equal(gpu_util_parse(many, &v), GS_E_BADRESPONSE);
                assert_int_equal(gpu_util_parse(NULL, &v), GS_E_INVAL);
                assert_int_equal(gpu_util_parse("1", NULL), GS_E_INVAL);
        }
}

static void test_probe_rejects_bad_arguments(void **state)
{
        struct ssh_target t = target_with("x", NULL);
        struct gs_error err;
        char out[16];

        (void)state;
        gs_error_init(&err);
        t.port = 22;
        t.host = "root@127.0.0.1";
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
        t.host = "-oProxyCommand=x";
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
        t.host = "127.0.0.1";
        t.port = 0;
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
        t.port = 70000;
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
        t.port = 22;
        t.user = "ro ot";
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
        t.user = "root";
        t.key = (ssh_key)&t; /* both keys */
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
        t.key = NULL;
        t.private_key_openssh = NULL; /* no key */
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
        t.private_key_openssh = "x";
        assert_int_equal(ssh_probe_run(&t, "", out, sizeof(out), 1000, &err), GS_E_INVAL);
        assert_int_equal(ssh_probe_run(&t, "true", out, 0, 1000, &err), GS_E_INVAL);
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), 0, &err), GS_E_INVAL);
        assert_int_equal(
                ssh_probe_run(&t, "true", out, sizeof(out), SSH_PROBE_TIMEOUT_MAX_MS + 1, &err),
                GS_E_INVAL);
        assert_int_equal(ssh_probe_run(NULL, "true", out, sizeof(out), 1000, &err), GS_E_INVAL);
}

/* ------------------------------------------------------------------------ */
/* Against the real sshd                                                     */

static void test_authorized_key_runs_commands(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64], seen[SSH_PROBE_FINGERPRINT_MAX] = "";

        (void)state;
        require_sshd();
        t = target_with(env.authorized->private_openssh, NULL);
        t.seen_host_key = seen;
        t.seen_host_key_len = sizeof(seen);
        gs_error_init(&err);
        if (ssh_probe_run(&t, "true", out, sizeof(out), PROBE_TIMEOUT_MS, &err) != 0) {
                print_sshd_log();
                fail_msg("true: %s", gs_error_msg(&err));
        }
        assert_string_equal(out, "");
        /* Trust on first use: the fingerprint we record is the host key's. */
        assert_string_equal(seen, env.host_fp);
        assert_int_equal(ssh_probe_run(&t, "echo hi", out, sizeof(out), PROBE_TIMEOUT_MS, &err), 0);
        assert_string_equal(out, "hi\n");
}

static void test_loaded_management_key_authenticates(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64];

        (void)state;
        require_sshd();
        t = target_with(NULL, mgmt_key_ssh_key(env.mgmt));
        gs_error_init(&err);
        if (ssh_probe_run(&t, "echo mgmt", out, sizeof(out), PROBE_TIMEOUT_MS, &err) != 0)
                fail_msg("mgmt: %s", gs_error_msg(&err));
        assert_string_equal(out, "mgmt\n");
}

static void test_other_key_is_refused(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64], seen[SSH_PROBE_FINGERPRINT_MAX] = "untouched";

        (void)state;
        require_sshd();
        t = target_with(env.stranger->private_openssh, NULL);
        t.seen_host_key = seen;
        t.seen_host_key_len = sizeof(seen);
        gs_error_init(&err);
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), PROBE_TIMEOUT_MS, &err),
                         GS_E_AUTH);
        assert_non_null(strstr(err.msg, "the instance refused the session key"));
        assert_string_equal(seen, "untouched");
        assert_null(strstr(err.msg, "PRIVATE"));
}

static void test_unparsable_private_key_is_inval(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64];

        (void)state;
        require_sshd();
        t = target_with("-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n", NULL);
        gs_error_init(&err);
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), PROBE_TIMEOUT_MS, &err),
                         GS_E_INVAL);
        assert_non_null(strstr(err.msg, "not a valid unencrypted OpenSSH private key"));
}

static void test_closed_port_fails_fast(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64], want[64];
        int64_t start;
        int r;

        (void)state;
        t = target_with(env.authorized->private_openssh, NULL);
        t.port = free_port();
        assert_true(t.port > 0);
        gs_error_init(&err);
        start = mono_ms();
        r = ssh_probe_run(&t, "true", out, sizeof(out), PROBE_TIMEOUT_MS, &err);
        assert_true(r == GS_E_IO || r == GS_E_TIMEOUT);
        assert_int_equal(r, GS_E_IO); /* refused at once on loopback */
        assert_true(mono_ms() - start < PROBE_TIMEOUT_MS);
        (void)snprintf(want, sizeof(want), "cannot connect to 127.0.0.1:%u", t.port);
        if (!strstr(err.msg, want) || !strstr(err.msg, "refused"))
                fail_msg("unexpected message: %s", err.msg);
}

static void test_silent_server_times_out_within_budget(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64];
        int64_t start, took;
        int fd;

        (void)state;
        t = target_with(env.authorized->private_openssh, NULL);
        fd = silent_listener(&t.port);
        gs_error_init(&err);
        start = mono_ms();
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), SHORT_TIMEOUT_MS, &err),
                         GS_E_TIMEOUT);
        took = mono_ms() - start;
        (void)close(fd);
        if (took < SHORT_TIMEOUT_MS - 50 || took > SHORT_TIMEOUT_MS + TIMEOUT_SLACK_MS)
                fail_msg("took %lld ms for a %d ms budget", (long long)took, SHORT_TIMEOUT_MS);
        assert_non_null(strstr(err.msg, "timed out"));
}

static void test_slow_command_times_out_within_budget(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64];
        int64_t start, took;
        int64_t budget = 3000;

        (void)state;
        require_sshd();
        t = target_with(env.authorized->private_openssh, NULL);
        gs_error_init(&err);
        start = mono_ms();
        assert_int_equal(ssh_probe_run(&t, "sleep 30", out, sizeof(out), budget, &err),
                         GS_E_TIMEOUT);
        took = mono_ms() - start;
        if (took > budget + TIMEOUT_SLACK_MS)
                fail_msg("took %lld ms for a %lld ms budget", (long long)took, (long long)budget);
}

static void test_gpu_util_is_max_across_gpus(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        uint32_t pct = 0;

        (void)state;
        require_sshd();
        t = target_with(NULL, mgmt_key_ssh_key(env.mgmt));
        gs_error_init(&err);
        if (ssh_probe_gpu_util(&t, PROBE_TIMEOUT_MS, &pct, &err) != 0)
                fail_msg("gpu util: %s", gs_error_msg(&err));
        assert_int_equal(pct, 82);
}

static void test_gpu_util_malformed_is_badresponse(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        uint32_t pct = 777;
        char path[PATH_LEN];
        int r;

        (void)state;
        require_sshd();
        assert_int_equal(write_text(env.dir, "util_override", "[N/A]\n", 0644), 0);
        t = target_with(NULL, mgmt_key_ssh_key(env.mgmt));
        gs_error_init(&err);
        r = ssh_probe_gpu_util(&t, PROBE_TIMEOUT_MS, &pct, &err);
        (void)snprintf(path, sizeof(path), "%s/util_override", env.dir);
        (void)unlink(path);
        assert_int_equal(r, GS_E_BADRESPONSE);
        assert_int_equal(pct, 777);
        assert_non_null(strstr(err.msg, "[N/A]"));
}

static void test_nonzero_exit_is_upstream(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64];

        (void)state;
        require_sshd();
        t = target_with(env.authorized->private_openssh, NULL);
        gs_error_init(&err);
        assert_int_equal(ssh_probe_run(&t, "echo partial; echo oops >&2; exit 3", out, sizeof(out),
                                       PROBE_TIMEOUT_MS, &err),
                         GS_E_UPSTREAM);
        assert_non_null(strstr(err.msg, "exited with status 3"));
        assert_non_null(strstr(err.msg, "oops"));
        assert_string_equal(out, "partial\n");
}

static void test_output_larger_than_buffer_is_toobig(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[16];

        (void)state;
        require_sshd();
        t = target_with(env.authorized->private_openssh, NULL);
        gs_error_init(&err);
        assert_int_equal(
                ssh_probe_run(&t, "printf '%0100d' 0", out, sizeof(out), PROBE_TIMEOUT_MS, &err),
                GS_E_TOOBIG);
        assert_true(strlen(out) <= sizeof(out) - 1);
        /* Exactly out_len - 1 bytes fit. */
        assert_int_equal(
                ssh_probe_run(&t, "printf '%015d' 0", out, sizeof(out), PROBE_TIMEOUT_MS, &err), 0);
        assert_string_equal(out, "000000000000000");
}

static void test_pinned_host_key_is_enforced(void **state)
{
        struct ssh_target t;
        struct gs_error err;
        char out[64];

        (void)state;
        require_sshd();
        t = target_with(env.authorized->private_openssh, NULL);
        t.pinned_host_key = env.host_fp;
        gs_error_init(&err);
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), PROBE_TIMEOUT_MS, &err), 0);
        t.pinned_host_key = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_int_equal(ssh_probe_run(&t, "true", out, sizeof(out), PROBE_TIMEOUT_MS, &err),
                         GS_E_AUTH);
        assert_non_null(strstr(err.msg, "host key"));
        assert_non_null(strstr(err.msg, env.host_fp));
}

static void *probe_thread(void *arg)
{
        struct ssh_target t = target_with(NULL, mgmt_key_ssh_key(env.mgmt));
        struct gs_error err;
        uint32_t pct;
        int *failures = arg;

        for (int i = 0; i < PROBES_PER_THREAD; i++) {
                gs_error_init(&err);
                pct = 0;
                if (ssh_probe_gpu_util(&t, PROBE_TIMEOUT_MS, &pct, &err) != 0 || pct != 82) {
                        print_message("concurrent probe: %s\n", gs_error_msg(&err));
                        (*failures)++;
                }
        }
        return NULL;
}

static void test_concurrent_probes_share_management_key(void **state)
{
        pthread_t threads[CONCURRENT_PROBES];
        int failures[CONCURRENT_PROBES] = {0};

        (void)state;
        require_sshd();
        for (int i = 0; i < CONCURRENT_PROBES; i++)
                assert_int_equal(pthread_create(&threads[i], NULL, probe_thread, &failures[i]), 0);
        for (int i = 0; i < CONCURRENT_PROBES; i++) {
                assert_int_equal(pthread_join(threads[i], NULL), 0);
                assert_int_equal(failures[i], 0);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_gpu_util_parse_table),
                cmocka_unit_test(test_probe_rejects_bad_arguments),
                cmocka_unit_test(test_authorized_key_runs_commands),
                cmocka_unit_test(test_loaded_management_key_authenticates),
                cmocka_unit_test(test_other_key_is_refused),
                cmocka_unit_test(test_unparsable_private_key_is_inval),
                cmocka_unit_test(test_closed_port_fails_fast),
                cmocka_unit_test(test_silent_server_times_out_within_budget),
                cmocka_unit_test(test_slow_command_times_out_within_budget),
                cmocka_unit_test(test_gpu_util_is_max_across_gpus),
                cmocka_unit_test(test_gpu_util_malformed_is_badresponse),
                cmocka_unit_test(test_nonzero_exit_is_upstream),
                cmocka_unit_test(test_output_larger_than_buffer_is_toobig),
                cmocka_unit_test(test_pinned_host_key_is_enforced),
                cmocka_unit_test(test_concurrent_probes_share_management_key),
        };
        int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);

        ssh_finalize();
        return failed;
}
