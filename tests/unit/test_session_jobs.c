/* test_session_jobs.c - the session service's job queue and per-session locks. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "domain/duration_text.h"
#include "gpushop/status.h"
#include "plugin/host_api.h"
#include "session/job_queue.h"
#include "session/session_locks.h"

#define WAIT_LIMIT_MS 10000

struct counter {
        pthread_mutex_t mutex;
        int ran;
        int dropped;
        int order[16];
};

struct test_job {
        struct job base;
        struct counter *c;
        int tag;
};

static void test_job_run(struct job *job, void *ctx)
{
        struct test_job *j = (struct test_job *)(void *)job;

        (void)ctx;
        pthread_mutex_lock(&j->c->mutex);
        if (j->c->ran < 16)
                j->c->order[j->c->ran] = j->tag;
        j->c->ran++;
        pthread_mutex_unlock(&j->c->mutex);
        free(j);
}

static void test_job_drop(struct job *job)
{
        struct test_job *j = (struct test_job *)(void *)job;

        pthread_mutex_lock(&j->c->mutex);
        j->c->dropped++;
        pthread_mutex_unlock(&j->c->mutex);
        free(j);
}

static struct test_job *make(struct counter *c, int tag)
{
        struct test_job *j = calloc(1, sizeof(*j));

        assert_non_null(j);
        j->base.run = test_job_run;
        j->base.drop = test_job_drop;
        j->c = c;
        j->tag = tag;
        return j;
}

static int ran(struct counter *c)
{
        int n;

        pthread_mutex_lock(&c->mutex);
        n = c->ran;
        pthread_mutex_unlock(&c->mutex);
        return n;
}

static void wait_ran(struct counter *c, int want)
{
        int64_t deadline = host_monotonic_ms() + WAIT_LIMIT_MS;
        struct timespec ts = {0, 1000000};

        while (ran(c) < want && host_monotonic_ms() < deadline)
                nanosleep(&ts, NULL);
        assert_int_equal(ran(c), want);
}

static void test_jobs_run_in_due_order(void **state)
{
        struct counter c = {.mutex = PTHREAD_MUTEX_INITIALIZER};
        struct job_queue *q = NULL;

        (void)state;
        assert_int_equal(job_queue_start(1, NULL, &q), 0);
        job_queue_push(q, &make(&c, 3)->base, 60);
        job_queue_push(q, &make(&c, 1)->base, 0);
        job_queue_push(q, &make(&c, 2)->base, 30);
        wait_ran(&c, 3);
        assert_int_equal(c.order[0], 1);
        assert_int_equal(c.order[1], 2);
        assert_int_equal(c.order[2], 3);
        job_queue_stop(q);
}

static void test_stop_drops_waiting_jobs(void **state)
{
        struct counter c = {.mutex = PTHREAD_MUTEX_INITIALIZER};
        struct job_queue *q = NULL;

        (void)state;
        assert_int_equal(job_queue_start(4, NULL, &q), 0);
        for (int i = 0; i < 5; i++)
                job_queue_push(q, &make(&c, i)->base, 60000);
        assert_int_equal(job_queue_waiting(q), 5);
        job_queue_stop(q);
        assert_int_equal(c.ran, 0);
        assert_int_equal(c.dropped, 5);
}

static void test_bad_worker_counts(void **state)
{
        struct job_queue *q = NULL;

        (void)state;
        assert_int_equal(job_queue_start(0, NULL, &q), GS_E_INVAL);
        assert_int_equal(job_queue_start(JOB_QUEUE_WORKERS_MAX + 1, NULL, &q), GS_E_INVAL);
        assert_null(q);
        job_queue_stop(NULL);
}

/* ---- locks ------------------------------------------------------------- */

struct lock_ctx {
        struct session_locks *l;
        int inside;
        int max_inside;
        int total;
        pthread_mutex_t m;
};

static void *locker(void *arg)
{
        struct lock_ctx *c = arg;
        struct timespec ts = {0, 200000};

        for (int i = 0; i < 50; i++) {
                assert_int_equal(session_locks_acquire(c->l, "sess-same"), 0);
                pthread_mutex_lock(&c->m);
                c->inside++;
                if (c->inside > c->max_inside)
                        c->max_inside = c->inside;
                pthread_mutex_unlock(&c->m);
                nanosleep(&ts, NULL);
                pthread_mutex_lock(&c->m);
                c->inside--;
                c->total++;
                pthread_mutex_unlock(&c->m);
                session_locks_release(c->l, "sess-same");
        }
        return NULL;
}

static void test_one_holder_per_session(void **state)
{
        struct lock_ctx c = {.m = PTHREAD_MUTEX_INITIALIZER};
        pthread_t t[4];

        (void)state;
        c.l = session_locks_new();
        assert_non_null(c.l);
        for (int i = 0; i < 4; i++)
                assert_int_equal(pthread_create(&t[i], NULL, locker, &c), 0);
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        assert_int_equal(c.max_inside, 1);
        assert_int_equal(c.total, 200);
        /* Different ids do not block each other. */
        assert_int_equal(session_locks_acquire(c.l, "sess-a"), 0);
        assert_int_equal(session_locks_acquire(c.l, "sess-b"), 0);
        session_locks_release(c.l, "sess-b");
        session_locks_release(c.l, "sess-a");
        assert_int_equal(session_locks_acquire(c.l, NULL), GS_E_INVAL);
        session_locks_free(c.l);
}

static void test_duration_text(void **state)
{
        char buf[DURATION_TEXT_MAX];

        (void)state;
        duration_text_format(600000, buf, sizeof(buf));
        assert_string_equal(buf, "10m");
        duration_text_format(7200000, buf, sizeof(buf));
        assert_string_equal(buf, "2h");
        duration_text_format(30000, buf, sizeof(buf));
        assert_string_equal(buf, "30s");
        duration_text_format(1500, buf, sizeof(buf));
        assert_string_equal(buf, "1500ms");
        duration_text_format(0, buf, sizeof(buf));
        assert_string_equal(buf, "0ms");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_jobs_run_in_due_order),
                cmocka_unit_test(test_stop_drops_waiting_jobs),
                cmocka_unit_test(test_bad_worker_counts),
                cmocka_unit_test(test_one_holder_per_session),
                cmocka_unit_test(test_duration_text),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
