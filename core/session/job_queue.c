/* job_queue.c - a due-time ordered list of jobs and the workers that run them. */
#include "session/job_queue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "gpushop/status.h"
#include "plugin/host_api.h"

#define MS_PER_S 1000
#define NS_PER_MS 1000000

struct job_queue {
        pthread_mutex_t mutex;
        pthread_cond_t cond; /* CLOCK_MONOTONIC */
        struct job *head;    /* sorted by due_ms, FIFO among equals */
        size_t waiting;
        bool stopping;
        void *ctx;
        pthread_t threads[JOB_QUEUE_WORKERS_MAX];
        unsigned started;
};

static void wait_until(struct job_queue *q, int64_t due_ms)
{
        struct timespec ts;

        ts.tv_sec = (time_t)(due_ms / MS_PER_S);
        ts.tv_nsec = (long)(due_ms % MS_PER_S) * NS_PER_MS;
        (void)pthread_cond_timedwait(&q->cond, &q->mutex, &ts);
}

static void *worker(void *arg)
{
        struct job_queue *q = arg;
        struct job *job;

        pthread_mutex_lock(&q->mutex);
        for (;;) {
                if (q->stopping)
                        break;
                if (!q->head) {
                        pthread_cond_wait(&q->cond, &q->mutex);
                        continue;
                }
                if (q->head->due_ms > host_monotonic_ms()) {
                        wait_until(q, q->head->due_ms);
                        continue;
                }
                job = q->head;
                q->head = job->next;
                q->waiting--;
                job->next = NULL;
                /* Another worker may take the next due job. */
                pthread_cond_signal(&q->cond);
                pthread_mutex_unlock(&q->mutex);
                job->run(job, q->ctx);
                pthread_mutex_lock(&q->mutex);
        }
        pthread_mutex_unlock(&q->mutex);
        return NULL;
}

static void stop_threads(struct job_queue *q)
{
        pthread_mutex_lock(&q->mutex);
        q->stopping = true;
        pthread_cond_broadcast(&q->cond);
        pthread_mutex_unlock(&q->mutex);
        for (unsigned i = 0; i < q->started; i++)
                (void)pthread_join(q->threads[i], NULL);
        q->started = 0;
}

static void destroy(struct job_queue *q)
{
        struct job *job, *next;

        for (job = q->head; job; job = next) {
                next = job->next;
                job->drop(job);
        }
        pthread_cond_destroy(&q->cond);
        pthread_mutex_destroy(&q->mutex);
        free(q);
}

int job_queue_start(unsigned workers, void *ctx, struct job_queue **ret_queue)
{
        struct job_queue *q;
        pthread_condattr_t attr;

        if (workers < 1 || workers > JOB_QUEUE_WORKERS_MAX || !ret_queue)
                return GS_E_INVAL;
        q = calloc(1, sizeof(*q));
        if (!q)
                return GS_E_NOMEM;
        q->ctx = ctx;
        pthread_mutex_init(&q->mutex, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&q->cond, &attr);
        pthread_condattr_destroy(&attr);
        for (; q->started < workers; q->started++) {
                if (pthread_create(&q->threads[q->started], NULL, worker, q) != 0) {
                        stop_threads(q);
                        destroy(q);
                        return GS_E_IO;
                }
        }
        *ret_queue = q;
        return 0;
}

void job_queue_push(struct job_queue *q, struct job *job, int64_t delay_ms)
{
        struct job **pp;

        job->due_ms = host_monotonic_ms() + (delay_ms > 0 ? delay_ms : 0);
        pthread_mutex_lock(&q->mutex);
        if (q->stopping) {
                pthread_mutex_unlock(&q->mutex);
                job->drop(job);
                return;
        }
        for (pp = &q->head; *pp && (*pp)->due_ms <= job->due_ms; pp = &(*pp)->next)
                ;
        job->next = *pp;
        *pp = job;
        q->waiting++;
        pthread_cond_signal(&q->cond);
        pthread_mutex_unlock(&q->mutex);
}

size_t job_queue_waiting(struct job_queue *q)
{
        size_t n;

        pthread_mutex_lock(&q->mutex);
        n = q->waiting;
        pthread_mutex_unlock(&q->mutex);
        return n;
}

void job_queue_stop(struct job_queue *q)
{
        if (!q)
                return;
        stop_threads(q);
        destroy(q);
}
