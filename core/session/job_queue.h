/*
 * job_queue.h - delayed jobs run by a small pool of worker threads: the
 * session service's background verification and verified destruction. A job
 * is due at a monotonic time; workers run due jobs in due order. A running
 * job owns itself: it pushes itself again (to poll later) or frees itself.
 *
 * Started and stopped on the main thread; job_queue_push() is thread-safe and
 * may be called from inside a job. Stopping waits for running jobs to return
 * and drops (never runs) the rest.
 */
#ifndef GS_JOB_QUEUE_H
#define GS_JOB_QUEUE_H

#include <stddef.h>
#include <stdint.h>

/* Most worker threads a queue may have. */
#define JOB_QUEUE_WORKERS_MAX 64

struct job {
        struct job *next; /* queue-private */
        int64_t due_ms;   /* queue-private: host_monotonic_ms() */
        /* Runs on a worker; the job then belongs to the callee. */
        void (*run)(struct job *job, void *ctx);
        /* Frees a job that will not run (stop, or a push after stop). */
        void (*drop)(struct job *job);
};

struct job_queue;

/* Start `workers` (1..JOB_QUEUE_WORKERS_MAX) threads that pass ctx to every
 * job. 0 and *ret_queue, or GS_E_INVAL / GS_E_NOMEM / GS_E_IO. */
int job_queue_start(unsigned workers, void *ctx, struct job_queue **ret_queue);
/* Queue job to run delay_ms from now (<= 0: as soon as a worker is free).
 * After job_queue_stop() began, the job is dropped at once. */
void job_queue_push(struct job_queue *q, struct job *job, int64_t delay_ms);
/* Jobs waiting (not running). */
size_t job_queue_waiting(struct job_queue *q);
/* Stop the workers (running jobs finish), drop what is queued, free. NULL-safe. */
void job_queue_stop(struct job_queue *q);

#endif /* GS_JOB_QUEUE_H */
