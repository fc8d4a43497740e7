/* The background thread: resumes delayed/hung requests, starts instances, notices dead sshds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "sim.h"

#define TICK_IDLE_MS 250

static pthread_t thread;
static bool started;
static bool stop_flag;

void sim_ticker_kick(void)
{
        (void)pthread_cond_signal(&sim.cond);
}

static struct sim_instance *find_seq(uint64_t seq)
{
        size_t i;

        for (i = 0; i < sim.n_instances; i++)
                if (sim.instances[i]->seq == seq)
                        return sim.instances[i];
        return NULL;
}

static void reap_dead_sshds(void)
{
        size_t i;

        for (i = 0; i < sim.n_instances; i++) {
                struct sim_instance *inst = sim.instances[i];
                int status;

                if (inst->sshd_pid > 0 &&
                    waitpid(inst->sshd_pid, &status, WNOHANG) == inst->sshd_pid) {
                        (void)fprintf(stderr,
                                      "gpu-market-sim: sshd of instance %s exited "
                                      "(see %s/sshd.log)\n",
                                      inst->id, inst->dir);
                        inst->sshd_pid = 0;
                }
        }
}

/* Called and returns with the lock held; drops it around the sshd start. */
static void start_instance(struct sim_instance *inst)
{
        char dir[SIM_PATH_MAX], err[SIM_ERRTEXT_MAX];
        uint64_t seq = inst->seq;
        pid_t pid = 0;
        int port = 0, rc;

        if (!sim.with_ssh || inst->foreign) {
                inst->phase = SIM_PHASE_RUNNING;
                inst->running_ms = sim_now_ms();
                return;
        }
        inst->phase = SIM_PHASE_SPAWNING;
        (void)snprintf(dir, sizeof(dir), "%s", inst->dir);
        sim_unlock();
        rc = sim_sshd_spawn(dir, &pid, &port, err, sizeof(err));
        sim_lock();
        inst = find_seq(seq);
        if (!inst || inst->phase == SIM_PHASE_DEAD) {
                sim_unlock();
                if (rc == 0)
                        sim_sshd_kill(pid);
                sim_lock();
                return;
        }
        inst->phase = SIM_PHASE_RUNNING;
        inst->running_ms = sim_now_ms();
        if (rc == 0) {
                inst->sshd_pid = pid;
                inst->ssh_port = port;
                return;
        }
        (void)fprintf(stderr, "gpu-market-sim: instance %s: %s\n", inst->id, err);
        inst->sshd_failed = true;
        if (!inst->forced_state)
                inst->forced_state = strdup(inst->provider == SIM_VAST ? "exited" : "error");
}

static void *ticker_main(void *arg)
{
        (void)arg;
        sim_lock();
        while (!stop_flag) {
                int64_t now = sim_mono_ms(), next = now + TICK_IDLE_MS;
                struct sim_instance *due = NULL;
                struct timespec ts;
                size_t i;

                sim_http_wake_due(now, &next);
                reap_dead_sshds();
                for (i = 0; i < sim.n_instances; i++) {
                        struct sim_instance *inst = sim.instances[i];

                        if (inst->phase != SIM_PHASE_LOADING)
                                continue;
                        if (inst->ready_at_mono <= now) {
                                due = inst;
                                break;
                        }
                        if (inst->ready_at_mono < next)
                                next = inst->ready_at_mono;
                }
                if (due) {
                        start_instance(due);
                        continue;
                }
                if (next <= now)
                        continue;
                (void)clock_gettime(CLOCK_MONOTONIC, &ts);
                ts.tv_sec += (next - now) / 1000;
                ts.tv_nsec += ((next - now) % 1000) * 1000000L;
                if (ts.tv_nsec >= 1000000000L) {
                        ts.tv_sec++;
                        ts.tv_nsec -= 1000000000L;
                }
                (void)pthread_cond_timedwait(&sim.cond, &sim.lock, &ts);
        }
        sim_unlock();
        return NULL;
}

int sim_ticker_start(void)
{
        stop_flag = false;
        if (pthread_create(&thread, NULL, ticker_main, NULL) != 0)
                return -1;
        started = true;
        return 0;
}

void sim_ticker_stop(void)
{
        if (!started)
                return;
        sim_lock();
        stop_flag = true;
        sim_ticker_kick();
        sim_unlock();
        (void)pthread_join(thread, NULL);
        started = false;
}
