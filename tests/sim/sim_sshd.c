/* Real OpenSSH endpoints: the state dir, host key, fake nvidia-smi and one sshd per instance. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

#define SSHD_PRIVSEP_DIR "/run/sshd"
#define SSHD_KILL_WAIT_MS 2000
#define SSHD_POLL_MS 10
#define HOST_KEY_NAME "ssh_host_ed25519_key"

extern char **environ;

/* The fake nvidia-smi (POSIX sh). Per instance it reads $GS_SIM_INSTANCE_DIR/{gpus,gpu_name,
 * vram_mb,util}; util holds one value per GPU line (the last line repeats). */
static const char nvidia_smi_script[] =
        "#!/bin/sh\n"
        "# gpu-market-sim fake nvidia-smi.\n"
        "# Reads $GS_SIM_INSTANCE_DIR/{gpus,gpu_name,vram_mb,util}.\n"
        "d=\"${GS_SIM_INSTANCE_DIR:-}\"\n"
        "n=1\n"
        "name=\"NVIDIA GPU\"\n"
        "mem=24576\n"
        "if [ -n \"$d\" ]; then\n"
        "    [ -r \"$d/gpus\" ] && n=$(cat \"$d/gpus\")\n"
        "    [ -r \"$d/gpu_name\" ] && name=$(cat \"$d/gpu_name\")\n"
        "    [ -r \"$d/vram_mb\" ] && mem=$(cat \"$d/vram_mb\")\n"
        "fi\n"
        "util_of() {\n"
        "    u=\"\"\n"
        "    if [ -n \"$d\" ] && [ -r \"$d/util\" ]; then\n"
        "        u=$(sed -n \"$(($1 + 1))p\" \"$d/util\")\n"
        "        [ -z \"$u\" ] && u=$(sed -n '$p' \"$d/util\")\n"
        "    fi\n"
        "    echo \"${u:-0}\"\n"
        "}\n"
        "query=\"\"\n"
        "fmt=\"\"\n"
        "list=0\n"
        "prev=\"\"\n"
        "for a in \"$@\"; do\n"
        "    case \"$prev\" in\n"
        "    --query-gpu) query=\"$a\" ;;\n"
        "    --format) fmt=\"$a\" ;;\n"
        "    esac\n"
        "    prev=\"\"\n"
        "    case \"$a\" in\n"
        "    --query-gpu=*) query=\"${a#--query-gpu=}\" ;;\n"
        "    --format=*) fmt=\"${a#--format=}\" ;;\n"
        "    --query-gpu|--format) prev=\"$a\" ;;\n"
        "    -L|--list-gpus) list=1 ;;\n"
        "    esac\n"
        "done\n"
        "noheader=0\n"
        "nounits=0\n"
        "case \",$fmt,\" in *,noheader,*) noheader=1 ;; esac\n"
        "case \",$fmt,\" in *,nounits,*) nounits=1 ;; esac\n"
        "if [ \"$list\" = 1 ]; then\n"
        "    i=0\n"
        "    while [ \"$i\" -lt \"$n\" ]; do\n"
        "        echo \"GPU $i: $name (UUID: GPU-00000000-0000-4000-8000-00000000000$i)\"\n"
        "        i=$((i + 1))\n"
        "    done\n"
        "    exit 0\n"
        "fi\n"
        "if [ -z \"$query\" ]; then\n"
        "    echo \"+------------------------------------------------------------------+\"\n"
        "    echo \"| NVIDIA-SMI 550.127.05  Driver Version: 550.127.05  CUDA: 12.4    |\"\n"
        "    echo \"|   (gpu-market-sim fake)                                          |\"\n"
        "    echo \"+------------------------------------------------------------------+\"\n"
        "    i=0\n"
        "    while [ \"$i\" -lt \"$n\" ]; do\n"
        "        echo \"|  $i  $name  util $(util_of \"$i\")%  mem ${mem}MiB\"\n"
        "        i=$((i + 1))\n"
        "    done\n"
        "    exit 0\n"
        "fi\n"
        "fields=$(echo \"$query\" | tr ',' ' ')\n"
        "for f in $fields; do\n"
        "    case \"$f\" in\n"
        "    utilization.gpu|index|name|memory.total|memory.used|memory.free) ;;\n"
        "    uuid|temperature.gpu|power.draw|pci.bus_id|driver_version|count) ;;\n"
        "    *) echo \"Field \\\"$f\\\" is not a valid field to query.\" >&2; exit 2 ;;\n"
        "    esac\n"
        "done\n"
        "if [ \"$noheader\" = 0 ]; then\n"
        "    h=\"\"\n"
        "    for f in $fields; do\n"
        "        case \"$f\" in\n"
        "        utilization.gpu) u=\" [%]\" ;;\n"
        "        memory.*) u=\" [MiB]\" ;;\n"
        "        power.draw) u=\" [W]\" ;;\n"
        "        *) u=\"\" ;;\n"
        "        esac\n"
        "        [ \"$nounits\" = 1 ] && u=\"\"\n"
        "        h=\"${h:+$h, }$f$u\"\n"
        "    done\n"
        "    echo \"$h\"\n"
        "fi\n"
        "i=0\n"
        "while [ \"$i\" -lt \"$n\" ]; do\n"
        "    ut=$(util_of \"$i\")\n"
        "    line=\"\"\n"
        "    for f in $fields; do\n"
        "        case \"$f\" in\n"
        "        utilization.gpu) v=\"$ut\"; [ \"$nounits\" = 1 ] || v=\"$v %\" ;;\n"
        "        index) v=\"$i\" ;;\n"
        "        count) v=\"$n\" ;;\n"
        "        name) v=\"$name\" ;;\n"
        "        memory.total) v=\"$mem\"; [ \"$nounits\" = 1 ] || v=\"$v MiB\" ;;\n"
        "        memory.used) v=$((mem * ut / 100))\n"
        "            [ \"$nounits\" = 1 ] || v=\"$v MiB\" ;;\n"
        "        memory.free) v=$((mem - mem * ut / 100))\n"
        "            [ \"$nounits\" = 1 ] || v=\"$v MiB\" ;;\n"
        "        uuid) v=\"GPU-00000000-0000-4000-8000-00000000000$i\" ;;\n"
        "        temperature.gpu) v=$((30 + ut / 2)) ;;\n"
        "        power.draw) v=\"$((50 + ut * 3)).00\"\n"
        "            [ \"$nounits\" = 1 ] || v=\"$v W\" ;;\n"
        "        pci.bus_id) v=\"00000000:0$i:00.0\" ;;\n"
        "        driver_version) v=\"550.127.05\" ;;\n"
        "        esac\n"
        "        line=\"${line:+$line, }$v\"\n"
        "    done\n"
        "    echo \"$line\"\n"
        "    i=$((i + 1))\n"
        "done\n";

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int sim_sshd_write_file(const char *dir, const char *name, const char *text)
{
        char path[SIM_PATH_MAX], tmp[SIM_PATH_MAX];
        size_t len = strlen(text);
        int fd, r = -1;

        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
            (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp))
                return -1;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        while (len > 0) {
                ssize_t n = write(fd, text, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        goto out;
                text += n;
                len -= (size_t)n;
        }
        if (rename(tmp, path) < 0)
                goto out;
        r = 0;
out:
        (void)close(fd);
        if (r < 0)
                (void)unlink(tmp);
        return r;
}

static int run_wait(char *const argv[])
{
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, def;
        pid_t pid;
        int r, status;

        (void)posix_spawn_file_actions_init(&fa);
        (void)posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        (void)posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        (void)posix_spawnattr_init(&attr);
        (void)sigemptyset(&none);
        (void)sigemptyset(&def);
        (void)sigaddset(&def, SIGPIPE);
        (void)sigaddset(&def, SIGINT);
        (void)sigaddset(&def, SIGTERM);
        (void)posix_spawnattr_setsigmask(&attr, &none);
        (void)posix_spawnattr_setsigdefault(&attr, &def);
        (void)posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        r = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
        (void)posix_spawn_file_actions_destroy(&fa);
        (void)posix_spawnattr_destroy(&attr);
        if (r != 0)
                return -1;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -1;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int sim_sshd_setup(const char *state_dir, bool with_ssh, char *errbuf, size_t errlen)
{
        char bin[SIM_PATH_MAX], key[SIM_PATH_MAX];
        char *kg_argv[] = {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key, NULL};
        struct stat st;

        if ((size_t)snprintf(bin, sizeof(bin), "%s/bin", state_dir) >= sizeof(bin) ||
            (size_t)snprintf(key, sizeof(key), "%s/%s", state_dir, HOST_KEY_NAME) >= sizeof(key)) {
                (void)snprintf(errbuf, errlen, "state dir path too long");
                return -1;
        }
        if (mkdir(bin, 0755) < 0 && errno != EEXIST) {
                (void)snprintf(errbuf, errlen, "mkdir %s: %s", bin, strerror(errno));
                return -1;
        }
        if (sim_sshd_write_file(bin, "nvidia-smi", nvidia_smi_script) < 0) {
                (void)snprintf(errbuf, errlen, "cannot write %s/nvidia-smi", bin);
                return -1;
        }
        {
                char path[SIM_PATH_MAX + 16];

                (void)snprintf(path, sizeof(path), "%s/nvidia-smi", bin);
                if (chmod(path, 0755) < 0) {
                        (void)snprintf(errbuf, errlen, "chmod %s: %s", path, strerror(errno));
                        return -1;
                }
        }
        if (!with_ssh)
                return 0;
        if (access(sim.sshd_path, X_OK) < 0) {
                (void)snprintf(errbuf, errlen, "%s is not executable (use --no-ssh?)",
                               sim.sshd_path);
                return -1;
        }
        if (stat(SSHD_PRIVSEP_DIR, &st) < 0 && mkdir(SSHD_PRIVSEP_DIR, 0755) < 0)
                (void)fprintf(stderr, "gpu-market-sim: warning: cannot create %s: %s\n",
                              SSHD_PRIVSEP_DIR, strerror(errno));
        if (stat(key, &st) == 0)
                return 0;
        if (run_wait(kg_argv) < 0) {
                (void)snprintf(errbuf, errlen, "ssh-keygen failed for %s", key);
                return -1;
        }
        return 0;
}

static int free_port(void)
{
        struct sockaddr_in sa;
        socklen_t sl = sizeof(sa);
        int fd, port = -1;

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
            getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
                port = ntohs(sa.sin_port);
        (void)close(fd);
        return port;
}

static bool port_accepts(int port)
{
        struct sockaddr_in sa;
        int fd;
        bool ok;

        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = htons((uint16_t)port);
        ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        (void)close(fd);
        return ok;
}

static int write_config(const char *dir, int port)
{
        struct sim_buf b;
        int r;

        sim_buf_init(&b);
        (void)sim_buf_printf(&b,
                             "# gpu-market-sim instance sshd\n"
                             "ListenAddress 127.0.0.1\n"
                             "Port %d\n"
                             "HostKey %s/" HOST_KEY_NAME "\n"
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
                             "MaxStartups 100:30:200\n"
                             "LogLevel INFO\n"
                             "Subsystem sftp internal-sftp\n"
                             "SetEnv PATH=%s/bin:/usr/bin:/bin GS_SIM_INSTANCE_DIR=%s\n",
                             port, sim.state_dir, dir, sim.state_dir, dir);
        if (b.oom) {
                sim_buf_done(&b);
                return -1;
        }
        r = sim_sshd_write_file(dir, "sshd_config", b.data);
        sim_buf_done(&b);
        return r;
}

static pid_t start_sshd(const char *dir)
{
        char cfg[SIM_PATH_MAX], log[SIM_PATH_MAX];
        char *argv[] = {sim.sshd_path, "-D", "-e", "-f", cfg, NULL};
        pid_t parent = getpid(), pid;
        int logfd, nullfd;
        sigset_t none;

        if ((size_t)snprintf(cfg, sizeof(cfg), "%s/sshd_config", dir) >= sizeof(cfg) ||
            (size_t)snprintf(log, sizeof(log), "%s/sshd.log", dir) >= sizeof(log))
                return -1;
        logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (logfd < 0)
                return -1;
        nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (nullfd < 0) {
                (void)close(logfd);
                return -1;
        }
        (void)sigemptyset(&none);
        pid = fork();
        if (pid == 0) {
                /* child: async-signal-safe calls only */
                struct sigaction dfl;

                memset(&dfl, 0, sizeof(dfl));
                dfl.sa_handler = SIG_DFL;
                (void)sigaction(SIGPIPE, &dfl, NULL);
                (void)sigaction(SIGINT, &dfl, NULL);
                (void)sigaction(SIGTERM, &dfl, NULL);
                (void)sigprocmask(SIG_SETMASK, &none, NULL);
                (void)setpgid(0, 0);
                (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != parent)
                        _exit(127);
                if (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
                        _exit(127);
                (void)close_range(3, ~0u, 0);
                execv(argv[0], argv);
                _exit(127);
        }
        (void)close(logfd);
        (void)close(nullfd);
        return pid;
}

int sim_sshd_spawn(const char *dir, pid_t *ret_pid, int *ret_port, char *errbuf, size_t errlen)
{
        int attempt;

        for (attempt = 0; attempt < SIM_SSHD_TRIES; attempt++) {
                int64_t deadline = sim_mono_ms() + SIM_SSHD_READY_MS;
                int port = free_port(), status;
                pid_t pid;

                if (port <= 0 || write_config(dir, port) < 0) {
                        (void)snprintf(errbuf, errlen, "cannot prepare sshd config in %s", dir);
                        return -1;
                }
                pid = start_sshd(dir);
                if (pid < 0) {
                        (void)snprintf(errbuf, errlen, "fork sshd: %s", strerror(errno));
                        return -1;
                }
                for (;;) {
                        pid_t w = waitpid(pid, &status, WNOHANG);

                        if (w == pid)
                                break; /* exited: port taken or bad config; retry */
                        if (port_accepts(port)) {
                                *ret_pid = pid;
                                *ret_port = port;
                                return 0;
                        }
                        if (sim_mono_ms() > deadline) {
                                sim_sshd_kill(pid);
                                break;
                        }
                        sleep_ms(SSHD_POLL_MS);
                }
        }
        (void)snprintf(errbuf, errlen, "sshd did not start after %d attempts (see %s/sshd.log)",
                       SIM_SSHD_TRIES, dir);
        return -1;
}

void sim_sshd_kill(pid_t pid)
{
        int64_t deadline;
        int status;

        if (pid <= 0)
                return;
        (void)kill(-pid, SIGTERM);
        (void)kill(pid, SIGTERM);
        deadline = sim_mono_ms() + SSHD_KILL_WAIT_MS;
        for (;;) {
                pid_t w = waitpid(pid, &status, WNOHANG);

                if (w == pid || (w < 0 && errno != EINTR))
                        return;
                if (sim_mono_ms() > deadline)
                        break;
                sleep_ms(SSHD_POLL_MS);
        }
        (void)kill(-pid, SIGKILL);
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

int sim_rmtree(const char *path)
{
        return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
