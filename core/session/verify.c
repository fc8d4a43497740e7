/* verify.c - the verification job: provider status, then real SSH with both keys. */
#include "session/verify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "crash_point.h"
#include "domain/backoff.h"
#include "domain/duration_text.h"
#include "domain/session_extend.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/destroy.h"
#include "session/provider_call.h"
#include "session/session_detail.h"
#include "session/session_store.h"
#include "session/session_transition.h"
#include "ssh/ssh_keys.h"
#include "ssh/ssh_probe.h"

#define COMPONENT "sessions"
/* Login user when neither the provider nor the session names one. */
#define DEFAULT_SSH_USER "root"

enum step { STEP_WAIT, STEP_DONE };

struct verify_job {
        struct job base; /* first: the queue sees a struct job */
        struct session_service *svc;
        char id[SESSION_ID_SIZE];
        char *private_key;   /* secret: wiped when the job ends */
        int64_t deadline_ms; /* host_monotonic_ms() */
        uint32_t polls;
        uint32_t gone;          /* consecutive "not found" answers */
        uint32_t auth_failures; /* consecutive key refusals */
        int64_t last_seen_ms;   /* wall clock of the last answer showing the instance */
        char last_error[SESSION_DETAIL_ERROR_MAX + 1];
};

static void job_free(struct verify_job *j)
{
        ssh_keys_free_secret(j->private_key);
        free(j);
}

static void drop(struct job *job)
{
        job_free((struct verify_job *)(void *)job);
}

/* Remember (and expose to diagnostics) what the last step saw. */
static void note(struct verify_job *j, bool ok, const char *stage, const char *fmt, ...)
        GS_PRINTF(4, 5);
static void note(struct verify_job *j, bool ok, const char *stage, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(j->last_error, sizeof(j->last_error), fmt, ap);
        va_end(ap);
        probe_notes_record(j->svc->probes, j->id, host_now_ms(), ok, stage, j->last_error);
}

/* ------------------------------------------------------------------------ */
/* Transitions.                                                             */

struct stop_ctx {
        const char *reason;
        const char *error;    /* last probe error, stored in detail */
        bool vanished;        /* GHOST: final now ... */
        int64_t last_seen_ms; /* ... billed until the provider last showed it (0 = never) */
};

static int set_probe_detail(struct gs_session_record *rec, bool ok, const char *error,
                            const char *host_key, struct gs_error *err)
{
        json_t *detail = session_detail_parse(rec->detail_json);
        char *text = NULL;
        int r = detail ? 0 : GS_E_NOMEM;

        if (r == 0)
                r = session_detail_set_probe(detail, host_now_ms(), ok, error);
        if (r == 0 && host_key && host_key[0])
                r = session_detail_set(detail, "host_key", json_string(host_key));
        if (r == 0 && !(text = session_detail_dump(detail)))
                r = GS_E_NOMEM;
        if (r == 0)
                r = session_record_set(&rec->detail_json, text);
        free(text);
        json_decref(detail);
        return r < 0 ? gs_error_set(err, r, 0, "out of memory") : 0;
}

static int mutate_stop(struct gs_session_record *rec, int old_status, struct session_change *c,
                       struct gs_error *err)
{
        const struct stop_ctx *s = c->ctx;
        int r;

        (void)old_status;
        r = set_probe_detail(rec, false, s->error, NULL, err);
        if (r == 0 && session_record_set(&rec->status_reason, s->reason) < 0)
                r = gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        if (r < 0 || !s->vanished)
                return r;
        /* Billed until the last sighting; the create itself is the earliest. */
        rec->stopped_at_ms = s->last_seen_ms > rec->instance_created_at_ms
                                     ? s->last_seen_ms
                                     : rec->instance_created_at_ms;
        if (rec->stopped_at_ms <= 0)
                rec->stopped_at_ms = host_now_ms();
        return session_change_bill(c, rec, err);
}

/* End the verification: stopping (then the destroy worker) or, for a vanished
 * instance, failed at once. */
static void give_up(struct verify_job *j, int event, const char *reason)
{
        struct stop_ctx s = {.reason = reason,
                             .error = j->last_error,
                             .vanished = event == SESSION_EV_GHOST,
                             .last_seen_ms = j->last_seen_ms};
        struct session_change c;
        struct gs_error e;
        int r;

        gs_error_init(&e);
        session_change_init(&c, event, mutate_stop, &s);
        r = session_transition(j->svc, j->id, &c, NULL, &e);
        if (r == GS_E_CONFLICT || r == GS_E_NOTFOUND)
                return; /* someone else decided first (DELETE, /done) */
        if (r < 0) {
                LOG_ERR(COMPONENT, "%s: cannot record the failed verification: %s", j->id,
                        gs_error_msg(&e));
                return;
        }
        LOG_WARN(COMPONENT, "%s: verification failed: %s", j->id, reason);
        audit_record(session_service_storage(j->svc), SESSION_ACTOR_SERVICE,
                     s.vanished ? "session.failed" : "session.verify_failed", j->id, NULL);
        if (!s.vanished && destroy_start(j->svc, j->id, 0) < 0)
                LOG_ERR(COMPONENT, "%s: cannot schedule the destroy; it resumes at the next start",
                        j->id);
}

struct running_ctx {
        const char *instance_id;
        const struct instance_state *inst;
        const char *user;
        const char *host_key;
};

static int mutate_endpoint(struct gs_session_record *rec, const struct running_ctx *rc,
                           struct gs_error *err)
{
        if (!rec->provider_instance_id || strcmp(rec->provider_instance_id, rc->instance_id) != 0)
                return gs_error_set(err, GS_E_CONFLICT, 0, "the session's instance changed");
        if (session_record_set(&rec->ssh_host, rc->inst->ssh_host) < 0 ||
            session_record_set(&rec->ssh_user, rc->user) < 0)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        rec->ssh_port = rc->inst->ssh_port;
        if (rc->inst->price_uusd_per_hour > 0)
                rec->charged_uusd_per_hour = rc->inst->price_uusd_per_hour;
        return 0;
}

static int mutate_running(struct gs_session_record *rec, int old_status, struct session_change *c,
                          struct gs_error *err)
{
        const struct running_ctx *rc = c->ctx;
        int64_t now = host_now_ms();
        int r;

        (void)old_status;
        r = mutate_endpoint(rec, rc, err);
        if (r == 0)
                r = set_probe_detail(rec, true, NULL, rc->host_key, err);
        if (r < 0)
                return r;
        (void)session_record_set(&rec->status_reason, NULL);
        rec->started_at_ms = now;
        rec->last_activity_ms = now;
        rec->expires_at_ms = session_extend_expiry_ms(now, rec->reservation_hours);
        return 0;
}

static int mutate_update_endpoint(struct gs_session_record *rec, int old_status,
                                  struct session_change *c, struct gs_error *err)
{
        (void)old_status;
        return mutate_endpoint(rec, c->ctx, err);
}

/* ------------------------------------------------------------------------ */
/* One poll.                                                                */

static bool same_str(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Store the endpoint as soon as the provider reports it, so GET shows it. */
static void store_endpoint(struct verify_job *j, const struct gs_session_record *rec,
                           const struct running_ctx *rc)
{
        struct session_change c;
        struct gs_error e;

        if (same_str(rec->ssh_host, rc->inst->ssh_host) && rec->ssh_port == rc->inst->ssh_port &&
            same_str(rec->ssh_user, rc->user))
                return;
        gs_error_init(&e);
        session_change_init(&c, SESSION_EV_INSTANCE_CREATED, mutate_update_endpoint, (void *)rc);
        if (session_transition(j->svc, j->id, &c, NULL, &e) < 0)
                LOG_DEBUG(COMPONENT, "%s: endpoint not stored yet: %s", j->id, gs_error_msg(&e));
}

/* One SSH login with the session key (mgmt false) or the management key. */
static int probe(struct verify_job *j, const struct instance_state *inst, const char *user,
                 bool mgmt, const char *pinned, char *seen, size_t seen_len, struct gs_error *e)
{
        struct ssh_target t = {.host = inst->ssh_host,
                               .port = inst->ssh_port,
                               .user = user,
                               .pinned_host_key = pinned,
                               .seen_host_key = seen,
                               .seen_host_key_len = seen_len};
        char out[VERIFY_OUTPUT_MAX];

        if (mgmt)
                t.key = mgmt_key_ssh_key(j->svc->mgmt);
        else
                t.private_key_openssh = j->private_key;
        return ssh_probe_run(&t, VERIFY_COMMAND, out, sizeof(out), j->svc->cfg.ssh_probe_timeout_ms,
                             e);
}

/* A failed login: refusals count toward verify_auth_failures; anything else
 * (sshd still starting, a timeout) just waits. */
static enum step login_failed(struct verify_job *j, const char *which, int r,
                              const struct gs_error *e)
{
        char reason[GS_STRING_MAX];

        note(j, false, which, "%s", gs_error_msg(e));
        if (r != GS_E_AUTH) {
                j->auth_failures = 0;
                return STEP_WAIT;
        }
        if (++j->auth_failures < j->svc->cfg.verify_auth_failures)
                return STEP_WAIT;
        (void)snprintf(reason, sizeof(reason),
                       "verify_failed: the instance refused the %s %u times in a row (%s); "
                       "try another offer",
                       which, j->auth_failures, j->last_error);
        give_up(j, SESSION_EV_VERIFY_FAILED, reason);
        return STEP_DONE;
}

static enum step try_ssh(struct verify_job *j, const struct gs_session_record *rec,
                         const struct instance_state *inst)
{
        char seen[SSH_PROBE_FINGERPRINT_MAX] = "";
        char unused[SSH_PROBE_FINGERPRINT_MAX];
        struct running_ctx rc = {.instance_id = rec->provider_instance_id, .inst = inst};
        struct session_change c;
        struct gs_error e;
        int r;

        rc.user = inst->ssh_user  ? inst->ssh_user
                  : rec->ssh_user ? rec->ssh_user
                                  : DEFAULT_SSH_USER;
        store_endpoint(j, rec, &rc);
        gs_error_init(&e);
        r = probe(j, inst, rc.user, false, NULL, seen, sizeof(seen), &e);
        if (r < 0)
                return login_failed(j, "session key", r, &e);
        gs_error_init(&e);
        r = probe(j, inst, rc.user, true, seen[0] ? seen : NULL, unused, sizeof(unused), &e);
        if (r < 0)
                return login_failed(j, "management key", r, &e);
        note(j, true, "verified", "%s", "");
        crash_point("verify.before_running");
        rc.host_key = seen;
        gs_error_init(&e);
        session_change_init(&c, SESSION_EV_VERIFIED, mutate_running, &rc);
        r = session_transition(j->svc, j->id, &c, NULL, &e);
        if (r == GS_E_CONFLICT || r == GS_E_NOTFOUND)
                return STEP_DONE; /* stopped meanwhile */
        if (r < 0) {
                LOG_ERR(COMPONENT, "%s: verified, but cannot record it: %s; retrying", j->id,
                        gs_error_msg(&e));
                return STEP_WAIT;
        }
        LOG_INFO(COMPONENT,
                 "%s: running: %s@%s:%u answered SSH with the session and "
                 "management keys",
                 j->id, rc.user, inst->ssh_host, inst->ssh_port);
        audit_record(session_service_storage(j->svc), SESSION_ACTOR_SERVICE, "session.running",
                     j->id, NULL);
        return STEP_DONE;
}

static enum step check(struct verify_job *j, const struct gs_session_record *rec)
{
        struct plugin_instance *pi = registry_provider(j->svc->reg, rec->provider);
        char reason[GS_STRING_MAX];
        struct instance_state inst;
        struct gs_error e;
        enum step step = STEP_WAIT;
        int r;

        if (!pi || !rec->provider_instance_id) {
                note(j, false, "instance", "no provider '%s' or no instance id",
                     rec->provider ? rec->provider : "?");
                return STEP_WAIT;
        }
        gs_error_init(&e);
        memset(&inst, 0, sizeof(inst));
        r = provider_call_get(pi, rec->provider_instance_id, &inst, &e);
        if (r == GS_E_NOTFOUND) {
                note(j, false, "instance", "%s does not know instance %s", rec->provider,
                     rec->provider_instance_id);
                if (++j->gone < j->svc->cfg.destroy_confirmations)
                        return STEP_WAIT;
                (void)snprintf(reason, sizeof(reason),
                               "instance_vanished: %s no longer has instance %s (confirmed %u "
                               "times) although it never became reachable; nothing is left to "
                               "destroy - try another offer",
                               rec->provider, rec->provider_instance_id, j->gone);
                give_up(j, SESSION_EV_GHOST, reason);
                return STEP_DONE;
        }
        j->gone = 0;
        if (r < 0) {
                note(j, false, "instance", "get_instance: %s", gs_error_msg(&e));
                return STEP_WAIT;
        }
        j->last_seen_ms = host_now_ms();
        if (inst.state == GS_INST_STOPPED || inst.state == GS_INST_DELETING) {
                note(j, false, "instance", "status '%s'", inst.status_raw ? inst.status_raw : "?");
                (void)snprintf(reason, sizeof(reason),
                               "instance_stopped: %s reports instance %s as '%s' before it became "
                               "reachable; try another offer",
                               rec->provider, rec->provider_instance_id,
                               inst.status_raw ? inst.status_raw : "stopped");
                give_up(j, SESSION_EV_VERIFY_FAILED, reason);
                step = STEP_DONE;
        } else if ((inst.state == GS_INST_RUNNING || inst.state == GS_INST_UNKNOWN) &&
                   instance_state_has_ssh(&inst)) {
                step = try_ssh(j, rec, &inst);
        } else {
                note(j, false, "waiting_for_instance", "provider status '%s'%s",
                     inst.status_raw ? inst.status_raw : "?",
                     instance_state_has_ssh(&inst) ? "" : ", no SSH endpoint yet");
        }
        instance_state_done(&inst);
        return step;
}

static enum step timed_out(struct verify_job *j)
{
        char reason[GS_STRING_MAX], limit[DURATION_TEXT_MAX];

        (void)duration_text_format(j->svc->cfg.verify_timeout_ms, limit, sizeof(limit));
        (void)snprintf(reason, sizeof(reason),
                       "verify_timeout: the instance did not accept SSH within %s (verify_timeout; "
                       "last: %s); try another offer",
                       limit, j->last_error[0] ? j->last_error : "no answer");
        give_up(j, SESSION_EV_VERIFY_TIMEOUT, reason);
        return STEP_DONE;
}

static void run(struct job *job, void *ctx)
{
        struct verify_job *j = (struct verify_job *)(void *)job;
        struct backoff_policy policy = {.initial_ms = j->svc->cfg.verify_poll_interval_ms,
                                        .max_ms = j->svc->cfg.verify_poll_max_interval_ms};
        struct gs_session_record rec;
        struct gs_error e;
        enum step step = STEP_WAIT;
        int64_t delay, left;
        int r;

        (void)ctx;
        gs_error_init(&e);
        r = session_store_get(session_service_storage(j->svc), j->id, &rec, &e);
        if (r == GS_E_NOTFOUND)
                step = STEP_DONE;
        else if (r < 0)
                note(j, false, "storage", "%s", gs_error_msg(&e));
        else if (rec.status != GS_SESSION_PROVISIONING)
                step = STEP_DONE; /* stopped by someone else, or already decided */
        else if (host_monotonic_ms() < j->deadline_ms)
                step = check(j, &rec);
        else
                step = timed_out(j);
        if (r == 0)
                session_record_done(&rec);
        if (step == STEP_DONE) {
                probe_notes_forget(j->svc->probes, j->id);
                job_free(j);
                return;
        }
        delay = backoff_delay_ms(&policy, ++j->polls, -1);
        left = j->deadline_ms - host_monotonic_ms();
        job_queue_push(j->svc->jobs, &j->base, delay < left ? delay : left);
}

int verify_start(struct session_service *svc, const char *id, const char *private_key)
{
        struct verify_job *j = calloc(1, sizeof(*j));

        if (!j || strlen(id) >= sizeof(j->id) || !(j->private_key = strdup(private_key))) {
                free(j);
                return GS_E_NOMEM;
        }
        memcpy(j->id, id, strlen(id) + 1);
        j->svc = svc;
        j->base.run = run;
        j->base.drop = drop;
        j->deadline_ms = host_monotonic_ms() + svc->cfg.verify_timeout_ms;
        job_queue_push(svc->jobs, &j->base, svc->cfg.verify_poll_interval_ms);
        return 0;
}
