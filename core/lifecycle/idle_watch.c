/* idle_watch.c - per-session idle evidence and the SSH utilization probe job. */
#include "lifecycle/idle_watch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain/session_fsm.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/session_detail.h"
#include "session/session_transition.h"
#include "ssh/ssh_probe.h"

#define COMPONENT "lifecycle"
/* Login user when the session names none. */
#define DEFAULT_SSH_USER "root"

struct watch_entry {
        char id[SESSION_ID_SIZE];
        int64_t probed_at_ms;    /* last probe finished (wall), 0 = never */
        int64_t idle_seen_ms;    /* last probe that saw the GPUs idle, 0 = never/since activity */
        int64_t considered_ms;   /* last time the lifecycle looked at the session */
        uint32_t failures;       /* consecutive failed probes (log throttling) */
        bool in_flight;
};

struct idle_watch {
        pthread_mutex_t lock;
        unsigned refs; /* under lock */
        struct session_service *svc;
        int64_t interval_ms;
        uint32_t threshold_pct;
        struct watch_entry *items;
        size_t count, cap;
};

struct probe_job {
        struct job base; /* first: the queue sees a struct job */
        struct idle_watch *w;
        char id[SESSION_ID_SIZE];
        char *host;
        char *user;
        char *host_key; /* pinned at verification; NULL = accept (trust on first use) */
        uint32_t port;
};

struct idle_watch *idle_watch_new(struct session_service *svc,
                                  const struct lifecycle_settings *cfg)
{
        struct idle_watch *w = calloc(1, sizeof(*w));

        if (!w)
                return NULL;
        pthread_mutex_init(&w->lock, NULL);
        w->refs = 1;
        w->svc = svc;
        w->interval_ms = cfg->idle_probe_interval_ms;
        w->threshold_pct = cfg->idle_util_threshold_pct;
        return w;
}

static void watch_ref(struct idle_watch *w)
{
        pthread_mutex_lock(&w->lock);
        w->refs++;
        pthread_mutex_unlock(&w->lock);
}

void idle_watch_unref(struct idle_watch *w)
{
        unsigned left;

        if (!w)
                return;
        pthread_mutex_lock(&w->lock);
        left = --w->refs;
        pthread_mutex_unlock(&w->lock);
        if (left)
                return;
        free(w->items);
        pthread_mutex_destroy(&w->lock);
        free(w);
}

/* The entry of id, or NULL. Under lock. */
static struct watch_entry *find(struct idle_watch *w, const char *id)
{
        for (size_t i = 0; i < w->count; i++)
                if (strcmp(w->items[i].id, id) == 0)
                        return &w->items[i];
        return NULL;
}

/* The entry of id, added when missing; NULL on OOM or a bad id. Under lock. */
static struct watch_entry *find_or_add(struct idle_watch *w, const char *id)
{
        struct watch_entry *e = find(w, id);

        if (e || strlen(id) >= sizeof(e->id))
                return e;
        if (w->count == w->cap) {
                size_t cap = w->cap ? w->cap * 2 : 16;
                struct watch_entry *grown = realloc(w->items, cap * sizeof(*grown));

                if (!grown)
                        return NULL;
                w->items = grown;
                w->cap = cap;
        }
        e = &w->items[w->count++];
        memset(e, 0, sizeof(*e));
        memcpy(e->id, id, strlen(id) + 1);
        return e;
}

int64_t idle_watch_idle_seen_ms(struct idle_watch *w, const char *id)
{
        struct watch_entry *e;
        int64_t at;

        pthread_mutex_lock(&w->lock);
        e = find(w, id);
        at = e ? e->idle_seen_ms : 0;
        pthread_mutex_unlock(&w->lock);
        return at;
}

void idle_watch_forget_older(struct idle_watch *w, int64_t before_ms)
{
        size_t k = 0;

        pthread_mutex_lock(&w->lock);
        for (size_t i = 0; i < w->count; i++)
                if (w->items[i].in_flight || w->items[i].considered_ms >= before_ms)
                        w->items[k++] = w->items[i];
        w->count = k;
        pthread_mutex_unlock(&w->lock);
}

/* ------------------------------------------------------------------------ */
/* The probe job.                                                           */

static void job_free(struct probe_job *j)
{
        idle_watch_unref(j->w);
        free(j->host);
        free(j->user);
        free(j->host_key);
        free(j);
}

static void drop(struct job *job)
{
        struct probe_job *j = (struct probe_job *)(void *)job;
        struct watch_entry *e;

        pthread_mutex_lock(&j->w->lock);
        e = find(j->w, j->id);
        if (e)
                e->in_flight = false;
        pthread_mutex_unlock(&j->w->lock);
        job_free(j);
}

static int mutate_activity(struct gs_session_record *rec, int old_status,
                           struct session_change *c, struct gs_error *err)
{
        const int64_t *at = c->ctx;

        (void)old_status;
        (void)err;
        if (*at > rec->last_activity_ms)
                rec->last_activity_ms = *at;
        return 0;
}

/* Busy GPUs, or a probe that could not tell: the session is active now. */
static void record_activity(struct probe_job *j, int64_t at_ms)
{
        struct session_change c;
        struct gs_error e;

        gs_error_init(&e);
        session_change_init(&c, SESSION_EV_HEARTBEAT, mutate_activity, &at_ms);
        if (session_transition(j->w->svc, j->id, &c, NULL, &e) < 0 && e.status != GS_E_CONFLICT &&
            e.status != GS_E_NOTFOUND)
                LOG_WARN(COMPONENT, "%s: cannot record GPU activity: %s", j->id,
                         gs_error_msg(&e));
}

static void run(struct job *job, void *ctx)
{
        struct probe_job *j = (struct probe_job *)(void *)job;
        struct idle_watch *w = j->w;
        struct ssh_target t = {.host = j->host,
                               .port = j->port,
                               .user = j->user,
                               .key = mgmt_key_ssh_key(w->svc->mgmt),
                               .pinned_host_key = j->host_key};
        struct watch_entry *e;
        struct gs_error err;
        uint32_t util = 0, failures = 0;
        bool idle;
        int64_t now;
        int r;

        (void)ctx;
        gs_error_init(&err);
        r = ssh_probe_gpu_util(&t, w->svc->cfg.ssh_probe_timeout_ms, &util, &err);
        now = host_now_ms();
        idle = r == 0 && util <= w->threshold_pct;
        pthread_mutex_lock(&w->lock);
        e = find(w, j->id);
        if (e) {
                e->in_flight = false;
                e->probed_at_ms = now;
                e->idle_seen_ms = idle ? now : 0;
                e->failures = r < 0 ? e->failures + 1 : 0;
                failures = e->failures;
        }
        pthread_mutex_unlock(&w->lock);
        if (r < 0 && (failures & (failures - 1)) == 0)
                LOG_WARN(COMPONENT,
                         "%s: GPU utilization probe failed (%u in a row): %s; counted as activity "
                         "(the idle rule never fires on a probe that cannot tell)",
                         j->id, failures, gs_error_msg(&err));
        else
                LOG_DEBUG(COMPONENT, "%s: GPU utilization %u%% (%s)", j->id, util,
                          idle ? "idle" : "busy");
        if (!idle)
                record_activity(j, now);
        job_free(j);
}

static char *dup_or_null(const char *s, bool *oom)
{
        char *d = s ? strdup(s) : NULL;

        if (s && !d)
                *oom = true;
        return d;
}

static int start_probe(struct idle_watch *w, const struct gs_session_record *rec)
{
        struct probe_job *j = calloc(1, sizeof(*j));
        json_t *detail;
        bool oom = false;

        if (!j)
                return GS_E_NOMEM;
        detail = session_detail_parse(rec->detail_json);
        j->host = dup_or_null(rec->ssh_host, &oom);
        j->user = dup_or_null(rec->ssh_user ? rec->ssh_user : DEFAULT_SSH_USER, &oom);
        j->host_key = dup_or_null(session_detail_str(detail, "host_key"), &oom);
        json_decref(detail);
        if (oom || !detail) {
                free(j->host);
                free(j->user);
                free(j->host_key);
                free(j);
                return GS_E_NOMEM;
        }
        memcpy(j->id, rec->id, strlen(rec->id) + 1);
        j->port = rec->ssh_port;
        j->w = w;
        watch_ref(w);
        j->base.run = run;
        j->base.drop = drop;
        job_queue_push(w->svc->jobs, &j->base, 0);
        return 0;
}

void idle_watch_consider(struct idle_watch *w, const struct gs_session_record *rec,
                         int64_t idle_deadline_ms, int64_t now_ms)
{
        struct watch_entry *e;
        bool due;

        if (!rec->ssh_host || !rec->ssh_port || !rec->id)
                return;
        pthread_mutex_lock(&w->lock);
        e = find_or_add(w, rec->id);
        if (!e) {
                pthread_mutex_unlock(&w->lock);
                return;
        }
        e->considered_ms = now_ms;
        /* Activity newer than the last idle sighting voids it. */
        if (e->idle_seen_ms && e->idle_seen_ms < rec->last_activity_ms)
                e->idle_seen_ms = 0;
        due = !e->in_flight &&
              (now_ms - e->probed_at_ms >= w->interval_ms ||
               (idle_deadline_ms > 0 && idle_deadline_ms <= now_ms &&
                e->probed_at_ms < idle_deadline_ms));
        if (due)
                e->in_flight = true;
        pthread_mutex_unlock(&w->lock);
        if (due && start_probe(w, rec) < 0) {
                pthread_mutex_lock(&w->lock);
                e = find(w, rec->id);
                if (e)
                        e->in_flight = false;
                pthread_mutex_unlock(&w->lock);
        }
}
