/* destroy.c - the verified-destruction job of a stopping session. */
#include "session/destroy.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "crash_point.h"
#include "domain/backoff.h"
#include "domain/duration_text.h"
#include "domain/session_fsm.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/provider_call.h"
#include "session/session_store.h"
#include "session/session_transition.h"

#define COMPONENT "sessions"
/* Longest stop-reason word read from the front of status_reason. */
#define REASON_WORD_MAX 32
/* Bytes of the stop reason kept before the destroy outcome is appended. */
#define REASON_KEEP_MAX 3000
/* Bytes of a provider error quoted in the unverified note. */
#define UNVERIFIED_DETAIL_MAX 300
/* Actor of orphan audit events. */
#define ORPHAN_ACTOR "lifecycle"

struct destroy_job {
        struct job base; /* first: the queue sees a struct job */
        struct session_service *svc;
        char id[SESSION_ID_SIZE];
        char *instance_id;        /* recorded, or found by label; NULL = none known */
        int64_t found_created_ms; /* creation time the provider reported, 0 = unknown */
        bool confirming;          /* a destroy was accepted: observing "gone" */
        uint32_t failures;        /* consecutive failed calls (backoff) */
        uint32_t attempts;        /* destroy calls accepted */
        uint32_t gone;            /* consecutive "gone" observations */
        int64_t destroyed_at_ms;  /* wall clock of the last accepted destroy, 0 = none */
        char *orphan_provider;    /* orphan mode: no session, this provider instance */
        char *orphan_label;       /* orphan mode: the label it carries */
};

static void job_free(struct destroy_job *j)
{
        free(j->instance_id);
        free(j->orphan_provider);
        free(j->orphan_label);
        free(j);
}

static void drop(struct job *job)
{
        job_free((struct destroy_job *)(void *)job);
}

static void again(struct destroy_job *j, int64_t delay_ms)
{
        job_queue_push(j->svc->jobs, &j->base, delay_ms);
}

struct unverified_ctx {
        const char *what;
        const char *msg;
        uint32_t failures;
        int64_t delay_ms;
};

/* status_reason = the stop reason + the current unverified note. */
static int mutate_unverified(struct gs_session_record *rec, int old_status,
                             struct session_change *c, struct gs_error *err)
{
        const struct unverified_ctx *u = c->ctx;
        const char *base = rec->status_reason ? rec->status_reason : "stopping";
        const char *mark = strstr(base, DESTROY_UNVERIFIED_MARK);
        size_t keep = mark ? (size_t)(mark - base) : strlen(base);
        char delay[DURATION_TEXT_MAX];

        (void)old_status;
        (void)duration_text_format(u->delay_ms, delay, sizeof(delay));
        if (session_record_setf(&rec->status_reason,
                                "%.*s%s%s failed %u time%s in a row: %.*s; retrying in %s, and "
                                "until the provider confirms the instance gone]",
                                (int)(keep < REASON_KEEP_MAX ? keep : REASON_KEEP_MAX), base,
                                DESTROY_UNVERIFIED_MARK, u->what, u->failures,
                                u->failures == 1 ? "" : "s", UNVERIFIED_DETAIL_MAX, u->msg,
                                delay) < 0)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        return 0;
}

/* Show the operator why the session is still stopping (best effort). */
static void note_unverified(struct destroy_job *j, const char *what, const struct gs_error *e,
                            int64_t delay_ms)
{
        struct unverified_ctx u = {.what = what,
                                   .msg = e ? gs_error_msg(e) : "?",
                                   .failures = j->failures,
                                   .delay_ms = delay_ms};
        struct session_change c;
        struct gs_error we;

        if (j->orphan_provider)
                return;
        gs_error_init(&we);
        session_change_init(&c, SESSION_EV_DESTROY_RETRY, mutate_unverified, &u);
        if (session_transition(j->svc, j->id, &c, NULL, &we) < 0)
                LOG_DEBUG(COMPONENT, "%s: cannot note the unverified destroy: %s", j->id,
                          gs_error_msg(&we));
}

/* What the job is about, for logs: the session, or the orphan instance. */
static const char *subject(const struct destroy_job *j)
{
        return j->orphan_provider ? j->orphan_label : j->id;
}

/* After a failed call: back off, and say so at 1, 2, 4, 8, ... failures. */
static void retry_later(struct destroy_job *j, const char *what, const struct gs_error *e)
{
        struct backoff_policy p = {.initial_ms = j->svc->cfg.destroy_retry_backoff_ms,
                                   .max_ms = j->svc->cfg.destroy_max_backoff_ms};
        int64_t delay;

        j->failures++;
        j->gone = 0;
        delay = backoff_delay_ms(&p, j->failures, e ? e->retry_after_s : -1);
        if ((j->failures & (j->failures - 1)) == 0) {
                LOG_WARN(COMPONENT, "%s: %s failed (%u in a row): %s, retrying in %lld ms",
                         subject(j), what, j->failures, e ? gs_error_msg(e) : "?",
                         (long long)delay);
                note_unverified(j, what, e, delay);
        }
        again(j, delay);
}

/* The stop reason's word (status_reason up to ':') is a fault: end failed. */
static bool ends_failed(const struct gs_session_record *rec)
{
        char word[REASON_WORD_MAX];
        size_t n;
        int reason;

        if (!rec->status_reason)
                return false;
        n = strcspn(rec->status_reason, ":");
        if (n == 0 || n >= sizeof(word))
                return false;
        memcpy(word, rec->status_reason, n);
        word[n] = '\0';
        return session_fsm_stop_reason_parse(word, &reason) == 0 &&
               session_fsm_stop_reason_is_fault(reason);
}

static int mutate_final(struct gs_session_record *rec, int old_status, struct session_change *c,
                        struct gs_error *err)
{
        const struct destroy_job *j = c->ctx;
        int64_t now = host_now_ms();
        const char *mark;
        int keep;

        (void)old_status;
        if (!rec->provider_instance_id && j->instance_id) {
                /* Found by label after an unclear create: bill it from the
                 * provider's creation time, else from the session's. */
                if (session_record_set(&rec->provider_instance_id, j->instance_id) < 0)
                        return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
                rec->instance_created_at_ms =
                        j->found_created_ms > 0 ? j->found_created_ms : rec->created_at_ms;
        }
        /* The unverified note, if any, is over: drop it. */
        mark = rec->status_reason ? strstr(rec->status_reason, DESTROY_UNVERIFIED_MARK) : NULL;
        keep = mark ? (int)(mark - rec->status_reason) : REASON_KEEP_MAX;
        if (keep > REASON_KEEP_MAX)
                keep = REASON_KEEP_MAX;
        if (session_record_setf(&rec->status_reason, "%.*s; %s", keep,
                                rec->status_reason ? rec->status_reason : "stopped",
                                j->instance_id ? "the instance was destroyed and verified gone"
                                               : "verified that the provider holds no instance "
                                                 "with its label") < 0)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        rec->stopped_at_ms = j->destroyed_at_ms > 0 ? j->destroyed_at_ms : now;
        if (rec->stopped_at_ms < rec->instance_created_at_ms)
                rec->stopped_at_ms = rec->instance_created_at_ms;
        return session_change_bill(c, rec, err);
}

/* An orphan confirmed gone: record it; no session changes. */
static void finalize_orphan(struct destroy_job *j)
{
        json_t *d = json_pack("{ss ss ss si}", "provider", j->orphan_provider, "instance_id",
                              j->instance_id, "label", j->orphan_label, "destroy_calls",
                              (int)j->attempts);
        char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;

        LOG_NOTICE(COMPONENT, "orphan %s at %s (label %s) confirmed gone %u times after %u "
                              "destroy call%s",
                   j->instance_id, j->orphan_provider, j->orphan_label, j->gone, j->attempts,
                   j->attempts == 1 ? "" : "s");
        audit_record(session_service_storage(j->svc), ORPHAN_ACTOR, "orphan.destroyed", NULL,
                     text);
        free(text);
        json_decref(d);
        job_free(j);
}

/* Confirmed gone: stopped (or failed after a fault), final cost. */
static void finalize(struct destroy_job *j, const struct gs_session_record *rec)
{
        bool failed;
        struct session_change c;
        struct gs_session_record out;
        struct gs_error e;
        int r;

        if (j->orphan_provider) {
                finalize_orphan(j);
                return;
        }
        crash_point("destroy.before_final");
        failed = ends_failed(rec);
        gs_error_init(&e);
        session_change_init(
                &c, failed ? SESSION_EV_DESTROY_VERIFIED_AFTER_FAULT : SESSION_EV_DESTROY_VERIFIED,
                mutate_final, j);
        r = session_transition(j->svc, j->id, &c, &out, &e);
        if (r == GS_E_CONFLICT || r == GS_E_NOTFOUND) {
                job_free(j);
                return;
        }
        if (r < 0) {
                retry_later(j, "recording the verified destroy", &e);
                return;
        }
        LOG_INFO(COMPONENT,
                 "%s: %s: instance %s at %s confirmed gone %u times after %u destroy "
                 "call%s; cost %lld uUSD",
                 j->id, failed ? "failed" : "stopped", j->instance_id ? j->instance_id : "(none)",
                 out.provider ? out.provider : "?", j->gone, j->attempts,
                 j->attempts == 1 ? "" : "s", (long long)out.cost_uusd);
        audit_record(session_service_storage(j->svc), SESSION_ACTOR_SERVICE,
                     failed ? "session.failed" : "session.stopped", j->id, NULL);
        session_record_done(&out);
        job_free(j);
}

/* One more "gone" observation; enough of them finalizes. */
static void observed_gone(struct destroy_job *j, const struct gs_session_record *rec)
{
        j->failures = 0;
        if (++j->gone >= j->svc->cfg.destroy_confirmations) {
                finalize(j, rec);
                return;
        }
        again(j, j->svc->cfg.destroy_confirm_interval_ms);
}

/* No instance id recorded: whatever carries the session's label. */
static void step_find(struct destroy_job *j, struct plugin_instance *pi,
                      const struct gs_session_record *rec)
{
        struct instance_state inst;
        struct gs_error e;
        int r;

        if (!rec->label) {
                observed_gone(j, rec);
                return;
        }
        gs_error_init(&e);
        memset(&inst, 0, sizeof(inst));
        r = provider_call_find_label(pi, rec->label, &inst, &e);
        if (r == GS_E_NOTFOUND) {
                observed_gone(j, rec);
                return;
        }
        if (r < 0) {
                retry_later(j, "list_instances", &e);
                return;
        }
        LOG_WARN(COMPONENT, "%s: found instance %s at %s by its label %s; destroying it", j->id,
                 inst.instance_id, rec->provider, rec->label);
        j->instance_id = inst.instance_id;
        j->found_created_ms = inst.created_at_ms;
        inst.instance_id = NULL;
        instance_state_done(&inst);
        j->gone = 0;
        again(j, 0);
}

static void step_destroy(struct destroy_job *j, struct plugin_instance *pi)
{
        struct gs_error e;

        gs_error_init(&e);
        crash_point("destroy.before_call");
        if (provider_call_destroy(pi, j->instance_id, &e) < 0) {
                __atomic_add_fetch(&j->svc->destroy_failed, 1, __ATOMIC_RELAXED);
                retry_later(j, "destroy_instance", &e);
                return;
        }
        __atomic_add_fetch(&j->svc->destroy_accepted, 1, __ATOMIC_RELAXED);
        crash_point("destroy.after_call");
        j->attempts++;
        j->failures = 0;
        j->gone = 0;
        j->confirming = true;
        j->destroyed_at_ms = host_now_ms();
        again(j, j->svc->cfg.destroy_confirm_interval_ms);
}

static void step_confirm(struct destroy_job *j, struct plugin_instance *pi,
                         const struct gs_session_record *rec)
{
        struct instance_state inst;
        struct gs_error e;
        int r;

        gs_error_init(&e);
        memset(&inst, 0, sizeof(inst));
        r = provider_call_get(pi, j->instance_id, &inst, &e);
        if (r == GS_E_NOTFOUND) {
                observed_gone(j, rec);
                return;
        }
        if (r < 0) {
                retry_later(j, "get_instance", &e);
                return;
        }
        j->gone = 0;
        if (inst.state == GS_INST_DELETING) {
                again(j, j->svc->cfg.destroy_confirm_interval_ms);
        } else {
                /* Accepted, yet still there: destroy again. */
                (void)gs_error_set(&e, GS_E_UPSTREAM, 0,
                                   "instance %s is still '%s' after the destroy was accepted",
                                   j->instance_id, inst.status_raw ? inst.status_raw : "?");
                j->confirming = false;
                retry_later(j, "verifying the destroy", &e);
        }
        instance_state_done(&inst);
}

/* Orphan mode: destroy and confirm, no session to read or change. */
static void run_orphan(struct destroy_job *j)
{
        struct plugin_instance *pi = registry_provider(j->svc->reg, j->orphan_provider);
        struct gs_error e;

        if (!pi) {
                gs_error_init(&e);
                (void)gs_error_set(&e, GS_E_CONFIG, 0, "provider '%s' is not configured",
                                   j->orphan_provider);
                retry_later(j, "finding the provider", &e);
        } else if (!j->confirming) {
                step_destroy(j, pi);
        } else {
                step_confirm(j, pi, NULL);
        }
}

static void run(struct job *job, void *ctx)
{
        struct destroy_job *j = (struct destroy_job *)(void *)job;
        struct plugin_instance *pi;
        struct gs_session_record rec;
        struct gs_error e;
        int r;

        (void)ctx;
        if (j->orphan_provider) {
                run_orphan(j);
                return;
        }
        gs_error_init(&e);
        r = session_store_get(session_service_storage(j->svc), j->id, &rec, &e);
        if (r == GS_E_NOTFOUND) {
                job_free(j);
                return;
        }
        if (r < 0) {
                retry_later(j, "reading the session", &e);
                return;
        }
        if (rec.status != GS_SESSION_STOPPING) {
                job_free(j); /* finished by another replica */
                goto done;
        }
        pi = registry_provider(j->svc->reg, rec.provider);
        if (!pi) {
                (void)gs_error_set(&e, GS_E_CONFIG, 0, "provider '%s' is not configured",
                                   rec.provider ? rec.provider : "?");
                retry_later(j, "finding the provider", &e);
                goto done;
        }
        if (!j->instance_id && rec.provider_instance_id) {
                j->instance_id = strdup(rec.provider_instance_id);
                if (!j->instance_id) {
                        retry_later(j, "copying the instance id", NULL);
                        goto done;
                }
        }
        if (!j->instance_id)
                step_find(j, pi, &rec);
        else if (!j->confirming)
                step_destroy(j, pi);
        else
                step_confirm(j, pi, &rec);
done:
        session_record_done(&rec);
}

int destroy_start(struct session_service *svc, const char *id, int64_t delay_ms)
{
        struct destroy_job *j = calloc(1, sizeof(*j));

        if (!j || strlen(id) >= sizeof(j->id)) {
                free(j);
                return GS_E_NOMEM;
        }
        memcpy(j->id, id, strlen(id) + 1);
        j->svc = svc;
        j->base.run = run;
        j->base.drop = drop;
        again(j, delay_ms);
        return 0;
}

int destroy_orphan_start(struct session_service *svc, const char *provider,
                         const char *instance_id, const char *label)
{
        struct destroy_job *j = calloc(1, sizeof(*j));

        if (!j)
                return GS_E_NOMEM;
        j->orphan_provider = strdup(provider);
        j->orphan_label = strdup(label ? label : "");
        j->instance_id = strdup(instance_id);
        if (!j->orphan_provider || !j->orphan_label || !j->instance_id) {
                job_free(j);
                return GS_E_NOMEM;
        }
        (void)snprintf(j->id, sizeof(j->id), "%s", "orphan");
        j->svc = svc;
        j->base.run = run;
        j->base.drop = drop;
        again(j, 0);
        return 0;
}
