/* provision.c - two-phase provisioning: durable intent, create, record, verify. */
#include "session/provision.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "crash_point.h"
#include "domain/gpu_name.h"
#include "domain/session_extend.h"
#include "domain/session_flags.h"
#include "domain/session_fsm.h"
#include "log.h"
#include "plugin/host_api.h"
#include "random.h"
#include "session/destroy.h"
#include "session/provider_call.h"
#include "session/session_detail.h"
#include "session/session_store.h"
#include "session/session_transition.h"
#include "session/verify.h"
#include "ssh/ssh_keys.h"

#define COMPONENT "sessions"
/* Keys installed on every instance: the session's and the management key. */
#define INSTANCE_KEY_COUNT 2
/* Bytes of a provider's message kept in a status_reason. */
#define REASON_DETAIL_MAX 300

/* The fields of an inventory offer provisioning needs, copied out of the view. */
struct offer_pick {
        char id[SESSION_OFFER_ID_MAX + 1];
        char provider[SESSION_OFFER_ID_MAX + 1];
        char provider_id[SESSION_OFFER_ID_MAX + 1];
        char gpu_type[GPU_NAME_MODEL_MAX + 1];
        uint32_t gpu_count;
        int64_t price_uusd;
        bool available;
};

/* One provisioning attempt sequence. */
struct attempt {
        struct session_service *svc;
        const struct session_request *req;
        const char *actor;
        const struct provision_admission *admission; /* may be NULL */
        struct gs_session_record rec;                /* as stored */
        struct offer_pick pick;                      /* the offer being tried */
        struct plugin_instance *pi;
        const char *keys[INSTANCE_KEY_COUNT];
        struct provision_error *perr;
};

static void perr_init(struct provision_error *perr)
{
        memset(perr, 0, sizeof(*perr));
        gs_error_init(&perr->err);
        perr->session_status = -1;
}

static int fail(struct provision_error *perr, int failure, int status, const char *fmt, ...)
        GS_PRINTF(4, 5);
static int fail(struct provision_error *perr, int failure, int status, const char *fmt, ...)
{
        va_list ap;

        perr->failure = failure;
        perr->err.status = status;
        va_start(ap, fmt);
        (void)vsnprintf(perr->err.msg, sizeof(perr->err.msg), fmt, ap);
        va_end(ap);
        return status;
}

static void note_session(struct provision_error *perr, const struct gs_session_record *rec)
{
        (void)snprintf(perr->session_id, sizeof(perr->session_id), "%s", rec->id);
        perr->session_status = rec->status;
}

static void note_tried(struct provision_error *perr, const char *offer_id)
{
        if (perr->tried_count < SESSION_RETRY_ATTEMPTS_LIMIT + 1)
                (void)snprintf(perr->tried[perr->tried_count++], sizeof(perr->tried[0]), "%s",
                               offer_id);
}

void provision_result_done(struct provision_result *res)
{
        if (!res)
                return;
        session_record_done(&res->rec);
        ssh_keys_free_secret(res->private_key);
        memset(res, 0, sizeof(*res));
}

/* ------------------------------------------------------------------------ */
/* Offers.                                                                  */

static bool copy_field(char *dst, size_t len, const char *src)
{
        int n = snprintf(dst, len, "%s", src ? src : "");

        return n >= 0 && (size_t)n < len;
}

static bool pick_from(const struct offer *o, struct offer_pick *ret_pick)
{
        struct offer_pick p;

        memset(&p, 0, sizeof(p));
        if (!copy_field(p.id, sizeof(p.id), o->id) ||
            !copy_field(p.provider, sizeof(p.provider), o->provider) ||
            !copy_field(p.provider_id, sizeof(p.provider_id), o->provider_id) ||
            !copy_field(p.gpu_type, sizeof(p.gpu_type), o->gpu_type))
                return false;
        p.gpu_count = o->gpu_count;
        p.price_uusd = o->price_uusd_per_hour;
        p.available = o->available;
        *ret_pick = p;
        return true;
}

/* The offer with this public id in the current view: 0 or GS_E_NOTFOUND. */
static int find_offer(struct session_service *svc, const char *id, struct offer_pick *ret_pick)
{
        struct view *v = inventory_view(svc->inv);
        const struct offer *o = v ? view_find(v, id) : NULL;
        int r = GS_E_NOTFOUND;

        if (o && pick_from(o, ret_pick))
                r = 0;
        view_unref(v);
        return r;
}

/* The cheapest comparable offer not tried yet on a provider we can provision
 * on: 0 and *ret_pick, or GS_E_NOTFOUND. */
static int find_comparable(struct session_service *svc, const struct offer_pick *orig,
                           const struct provision_error *perr, struct offer_pick *ret_pick)
{
        struct session_retry_want want = {
                .gpu_type = orig->gpu_type,
                .min_gpu_count = orig->gpu_count,
                .max_price_uusd = session_retry_price_cap(orig->price_uusd,
                                                          svc->cfg.auto_retry_max_price_pct),
        };
        const char *tried[SESSION_RETRY_ATTEMPTS_LIMIT + 1];
        struct view *v = inventory_view(svc->inv);
        const struct offer_key *keys;
        int r = GS_E_NOTFOUND;

        for (size_t i = 0; i < perr->tried_count; i++)
                tried[i] = perr->tried[i];
        keys = v ? v->keys[OFFER_SORT_PRICE] : NULL;
        for (size_t i = 0; keys && i < v->n_keys; i++) {
                const struct offer *o = keys[i].offer;

                if (o->price_uusd_per_hour > want.max_price_uusd)
                        break; /* sorted by price: nothing further qualifies */
                if (!session_retry_is_comparable(&want, o) ||
                    session_retry_was_tried(tried, perr->tried_count, o->id) ||
                    !provider_call_can_provision(registry_provider(svc->reg, o->provider)))
                        continue;
                if (pick_from(o, ret_pick)) {
                        r = 0;
                        break;
                }
        }
        view_unref(v);
        return r;
}

/* ------------------------------------------------------------------------ */
/* Idempotency and admission.                                               */

static int replay(const struct session_request *req, struct gs_session_record *rec,
                  struct provision_result *ret, struct provision_error *perr)
{
        json_t *detail = session_detail_parse(rec->detail_json);
        const char *asked = session_detail_str(detail, "requested_offer_id");
        bool same = asked ? strcmp(asked, req->offer_id) == 0
                          : rec->offer_id && strcmp(rec->offer_id, req->offer_id) == 0;

        json_decref(detail);
        if (!same) {
                note_session(perr, rec);
                session_record_done(rec);
                return fail(perr, PROVISION_FAIL_IDEMPOTENCY, GS_E_EXISTS,
                            "this Idempotency-Key was already used by consumer '%s' for "
                            "session %s with another offer; use a new key for a new request",
                            req->consumer_id, perr->session_id);
        }
        memset(ret, 0, sizeof(*ret));
        ret->outcome = PROVISION_REPLAYED;
        ret->rec = *rec;
        return 0;
}

/* Count the consumer's live sessions (everything not terminal). */
static int check_admission(struct session_service *svc, const char *consumer_id,
                           struct provision_error *perr)
{
        struct gs_session_filter f = {
                .struct_size = sizeof(f),
                .status_mask = (1u << GS_SESSION_PENDING) | (1u << GS_SESSION_PROVISIONING) |
                               (1u << GS_SESSION_RUNNING) | (1u << GS_SESSION_STOPPING),
                .consumer_id = consumer_id,
                .limit = 1,
        };
        struct session_list l;
        struct gs_error e;
        int r;

        gs_error_init(&e);
        r = session_store_list(session_service_storage(svc), &f, &l, &e);
        if (r < 0) {
                LOG_ERR(COMPONENT, "cannot count the sessions of '%s': %s", consumer_id,
                        gs_error_msg(&e));
                return fail(perr, PROVISION_FAIL_INTERNAL, GS_E_STORAGE,
                            "storage is unavailable: %s", gs_error_msg(&e));
        }
        if (l.total >= svc->cfg.max_active_per_consumer)
                r = fail(perr, PROVISION_FAIL_LIMIT, GS_E_TOOBIG,
                         "consumer '%s' already has %llu live sessions (limit %u, [sessions] "
                         "max_active_per_consumer); stop one first",
                         consumer_id, (unsigned long long)l.total,
                         svc->cfg.max_active_per_consumer);
        session_list_done(&l);
        return r;
}

/* ------------------------------------------------------------------------ */
/* The session row.                                                         */

static int build_record(struct attempt *a, const char *id, const char *label,
                        const char *public_line, const char *idempotency_key)
{
        const struct session_request *req = a->req;
        struct gs_session_record *rec = &a->rec;
        int64_t now = host_now_ms();
        json_t *detail = json_object();
        char *detail_text = NULL;
        int r = GS_E_NOMEM;

        memset(rec, 0, sizeof(*rec));
        rec->struct_size = sizeof(*rec);
        rec->status = GS_SESSION_PENDING;
        rec->gpu_count = a->pick.gpu_count;
        rec->reservation_hours = (uint32_t)req->reservation_hours;
        rec->idle_threshold_minutes = (uint32_t)req->idle_threshold_minutes;
        rec->disk_gb = (uint32_t)req->disk_gb;
        rec->flags = req->auto_retry ? SESSION_FLAG_AUTO_RETRY : 0;
        rec->price_uusd_per_hour = a->pick.price_uusd;
        rec->created_at_ms = now;
        /* Provisional: recomputed from started_at when verification passes. */
        rec->expires_at_ms = session_extend_expiry_ms(now, rec->reservation_hours);
        if (!detail ||
            session_detail_set(detail, "requested_offer_id", json_string(req->offer_id)) < 0 ||
            session_detail_add_tried(detail, a->pick.id) < 0 ||
            !(detail_text = session_detail_dump(detail)))
                goto done;
        if (session_record_set(&rec->id, id) < 0 ||
            session_record_set(&rec->consumer_id, req->consumer_id) < 0 ||
            session_record_set(&rec->offer_id, a->pick.id) < 0 ||
            session_record_set(&rec->provider, a->pick.provider) < 0 ||
            session_record_set(&rec->label, label) < 0 ||
            session_record_set(&rec->gpu_type, a->pick.gpu_type) < 0 ||
            session_record_set(&rec->ssh_public_key, public_line) < 0 ||
            session_record_set(&rec->workload_type, req->workload_type) < 0 ||
            session_record_set(&rec->storage_policy, req->storage_policy) < 0 ||
            session_record_set(&rec->template_hash_id, req->template_hash_id) < 0 ||
            session_record_set(&rec->idempotency_key, idempotency_key) < 0 ||
            session_record_set(&rec->detail_json, detail_text) < 0)
                goto done;
        r = 0;
done:
        json_decref(detail);
        free(detail_text);
        return r;
}

/* Mutate: copy an owned record's fields into the stored one (status kept). */
static int take_fields(struct gs_session_record *rec, int old_status, struct session_change *change,
                       struct gs_error *err)
{
        const struct gs_session_record *src = change->ctx;
        struct gs_session_record copy;
        int status = rec->status;

        (void)old_status;
        if (session_record_copy(&copy, src) < 0)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        session_record_done(rec);
        *rec = copy;
        rec->status = status;
        return 0;
}

/* Apply `event` writing a's record fields; on success a->rec is what was
 * stored. The caller holds the session lock. */
static int write_record(struct attempt *a, int event, struct gs_error *err)
{
        struct session_change c;
        struct gs_session_record out;
        int r;

        session_change_init(&c, event, take_fields, &a->rec);
        r = session_transition_locked(a->svc, a->rec.id, &c, &out, err);
        if (r < 0)
                return r;
        session_record_done(&a->rec);
        a->rec = out;
        return 0;
}

/* ------------------------------------------------------------------------ */
/* Outcomes.                                                                */

/* The provider created nothing: failed now, no cost. */
static void fail_nothing_created(struct attempt *a, const char *reason)
{
        struct gs_error e;

        gs_error_init(&e);
        (void)session_record_set(&a->rec.status_reason, reason);
        a->rec.stopped_at_ms = host_now_ms();
        a->rec.cost_uusd = 0;
        if (write_record(a, SESSION_EV_CREATE_FAILED, &e) < 0) {
                LOG_ERR(COMPONENT, "%s: cannot record the failed provisioning: %s", a->rec.id,
                        gs_error_msg(&e));
                return;
        }
        audit_record(session_service_storage(a->svc), SESSION_ACTOR_SERVICE, "session.failed",
                     a->rec.id, NULL);
}

/* The provider may have created something: stopping, and the destroy worker
 * looks for the label until it is sure nothing is left. */
static void fail_unsure(struct attempt *a, const char *reason)
{
        struct gs_error e;

        gs_error_init(&e);
        (void)session_record_set(&a->rec.status_reason, reason);
        if (write_record(a, SESSION_EV_VERIFY_FAILED, &e) < 0) {
                LOG_ERR(COMPONENT, "%s: cannot record the failed provisioning: %s", a->rec.id,
                        gs_error_msg(&e));
                return;
        }
        if (destroy_start(a->svc, a->rec.id, 0) < 0)
                LOG_ERR(COMPONENT,
                        "%s: cannot schedule the clean-up; it resumes at the next "
                        "start",
                        a->rec.id);
}

/* A create error is certain to have created nothing. */
static bool created_nothing(int status)
{
        return status == GS_E_UNAVAILABLE || status == GS_E_AUTH || status == GS_E_RATELIMIT ||
               status == GS_E_INVAL || status == GS_E_NOTFOUND || status == GS_E_NOTSUP ||
               status == GS_E_CONFIG;
}

/* Switch the stored session to the next comparable offer before calling the
 * provider with it. 0, or GS_E_NOTFOUND when no offer qualifies. */
static int switch_offer(struct attempt *a, struct gs_error *err)
{
        struct offer_pick next;
        json_t *detail;
        char *text;
        int r;

        r = find_comparable(a->svc, &a->pick, a->perr, &next);
        if (r < 0)
                return r;
        detail = session_detail_parse(a->rec.detail_json);
        r = detail ? session_detail_add_tried(detail, next.id) : GS_E_NOMEM;
        text = r == 0 ? session_detail_dump(detail) : NULL;
        json_decref(detail);
        if (!text)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        r = session_record_set(&a->rec.detail_json, text);
        free(text);
        if (r < 0 || session_record_set(&a->rec.offer_id, next.id) < 0 ||
            session_record_set(&a->rec.provider, next.provider) < 0 ||
            session_record_set(&a->rec.gpu_type, next.gpu_type) < 0)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        a->rec.gpu_count = next.gpu_count;
        a->rec.price_uusd_per_hour = next.price_uusd;
        /* provisioning -> provisioning: the fields change, the status does not. */
        r = write_record(a, SESSION_EV_INSTANCE_CREATED, err);
        if (r < 0)
                return r;
        LOG_INFO(COMPONENT, "%s: offer %s is gone, auto_retry falls back to %s", a->rec.id,
                 a->pick.id, next.id);
        a->pick = next;
        a->pi = registry_provider(a->svc->reg, next.provider);
        note_tried(a->perr, next.id);
        return 0;
}

/* The instance exists: store its id and endpoint. On a storage failure the
 * instance is destroyed at once (it could not be tracked). */
static int record_instance(struct attempt *a, const struct instance_state *inst, int64_t at_ms)
{
        struct gs_error e, de;
        int r;

        gs_error_init(&e);
        gs_error_init(&de);
        a->rec.instance_created_at_ms = at_ms;
        if (inst->price_uusd_per_hour > 0)
                a->rec.charged_uusd_per_hour = inst->price_uusd_per_hour;
        if (inst->ssh_port)
                a->rec.ssh_port = inst->ssh_port;
        r = session_record_set(&a->rec.provider_instance_id, inst->instance_id);
        if (r == 0 && inst->ssh_host)
                r = session_record_set(&a->rec.ssh_host, inst->ssh_host);
        if (r == 0 && inst->ssh_user)
                r = session_record_set(&a->rec.ssh_user, inst->ssh_user);
        if (r == 0)
                r = write_record(a, SESSION_EV_INSTANCE_CREATED, &e);
        else
                (void)gs_error_set(&e, r, 0, "out of memory");
        if (r == 0)
                return 0;
        LOG_ERR(COMPONENT, "%s: cannot store instance %s of %s (%s); destroying it now", a->rec.id,
                inst->instance_id, a->pick.provider, gs_error_msg(&e));
        if (provider_call_destroy(a->pi, inst->instance_id, &de) < 0)
                LOG_ERR(COMPONENT,
                        "%s: destroying untracked instance %s at %s failed: %s; "
                        "reconciliation will find it by its label %s",
                        a->rec.id, inst->instance_id, a->pick.provider, gs_error_msg(&de),
                        a->rec.label);
        return fail(a->perr, PROVISION_FAIL_INTERNAL, GS_E_STORAGE,
                    "the instance was created but could not be recorded (%s); it was "
                    "destroyed, nothing is billed",
                    gs_error_msg(&e));
}

/* Create on the current offer, falling back while auto_retry allows. */
static int create_instance(struct attempt *a, struct instance_state *ret_inst)
{
        char reason[GS_STRING_MAX];
        struct gs_create_request creq;
        struct instance_state inst;
        struct gs_error e;
        uint32_t fallbacks = 0;
        int r;

        for (;;) {
                memset(&creq, 0, sizeof(creq));
                creq.struct_size = sizeof(creq);
                creq.disk_gb = a->rec.disk_gb;
                creq.offer_id = a->pick.provider_id;
                creq.label = a->rec.label;
                creq.ssh_public_keys = a->keys;
                creq.ssh_public_key_count = INSTANCE_KEY_COUNT;
                creq.template_id = a->rec.template_hash_id;
                creq.workload_type = a->rec.workload_type;
                creq.expected_price_uusd_per_hour = a->pick.price_uusd;
                memset(&inst, 0, sizeof(inst));
                gs_error_init(&e);
                r = provider_call_create(a->pi, &creq, &inst, &e);
                if (r == 0) {
                        *ret_inst = inst;
                        return 0;
                }
                (void)snprintf(a->perr->offer_id, sizeof(a->perr->offer_id), "%s", a->pick.id);
                (void)snprintf(a->perr->provider, sizeof(a->perr->provider), "%s",
                               a->pick.provider);
                if (r == GS_E_UNAVAILABLE && (a->rec.flags & SESSION_FLAG_AUTO_RETRY) &&
                    fallbacks < a->svc->cfg.auto_retry_max_attempts) {
                        struct gs_error se;

                        gs_error_init(&se);
                        fallbacks++;
                        if (switch_offer(a, &se) == 0)
                                continue;
                        if (se.status != 0 && se.status != GS_E_NOTFOUND)
                                LOG_WARN(COMPONENT, "%s: auto_retry cannot switch offers: %s",
                                         a->rec.id, gs_error_msg(&se));
                }
                break;
        }
        if (r == GS_E_UNAVAILABLE) {
                (void)snprintf(reason, sizeof(reason),
                               "provision_failed: offer %s is no longer available at %s (%.*s); "
                               "refresh the inventory and choose another offer%s",
                               a->pick.id, a->pick.provider, REASON_DETAIL_MAX, gs_error_msg(&e),
                               (a->rec.flags & SESSION_FLAG_AUTO_RETRY)
                                       ? " (auto_retry found no other comparable offer)"
                                       : "");
                fail_nothing_created(a, reason);
                return fail(a->perr, PROVISION_FAIL_STALE, GS_E_UNAVAILABLE,
                            "offer %s from %s is no longer available (stale inventory): %.*s",
                            a->pick.id, a->pick.provider, REASON_DETAIL_MAX, gs_error_msg(&e));
        }
        if (created_nothing(r)) {
                (void)snprintf(reason, sizeof(reason),
                               "provision_failed: %s refused to create the instance: %.*s (%s)",
                               a->pick.provider, REASON_DETAIL_MAX, gs_error_msg(&e),
                               gs_status_name(r));
                fail_nothing_created(a, reason);
        } else {
                (void)snprintf(reason, sizeof(reason),
                               "provision_failed: creating the instance at %s failed: %.*s (%s)",
                               a->pick.provider, REASON_DETAIL_MAX, gs_error_msg(&e),
                               gs_status_name(r));
                fail_unsure(a, reason);
        }
        LOG_WARN(COMPONENT, "%s: create_instance at %s for offer %s failed: %s (%s)", a->rec.id,
                 a->pick.provider, a->pick.id, gs_error_msg(&e), gs_status_name(r));
        if (e.retry_after_s >= 0)
                a->perr->err.retry_after_s = e.retry_after_s;
        return fail(a->perr, PROVISION_FAIL_PROVIDER, r, "%s could not create the instance: %.*s",
                    a->pick.provider, REASON_DETAIL_MAX, gs_error_msg(&e));
}

/* Everything after the insert, under the session lock. */
static int run(struct attempt *a)
{
        struct instance_state inst;
        struct gs_error e;
        int64_t created_at;
        int r;

        gs_error_init(&e);
        r = write_record(a, SESSION_EV_PROVISION_START, &e);
        if (r < 0) {
                LOG_ERR(COMPONENT, "%s: cannot mark the session provisioning: %s", a->rec.id,
                        gs_error_msg(&e));
                return fail(a->perr, PROVISION_FAIL_INTERNAL, r, "storage is unavailable: %s",
                            gs_error_msg(&e));
        }
        memset(&inst, 0, sizeof(inst));
        crash_point("provision.before_create");
        r = create_instance(a, &inst);
        if (r < 0)
                return r;
        created_at = host_now_ms();
        LOG_INFO(COMPONENT, "%s: %s created instance %s for offer %s (label %s)", a->rec.id,
                 a->pick.provider, inst.instance_id, a->pick.id, a->rec.label);
        crash_point("provision.after_create");
        r = record_instance(a, &inst, created_at);
        instance_state_done(&inst);
        if (r == 0)
                crash_point("provision.after_record");
        return r;
}

/* ------------------------------------------------------------------------ */

static int make_label(const char *deployment_id, const char *id, char *out, size_t len)
{
        int n = snprintf(out, len, "gs-%s-%s", deployment_id, id);

        return n > 0 && (size_t)n < len ? 0 : GS_E_INVAL;
}

/* The admission hook on the chosen offer: 0 to go on, else perr is filled. */
static int admit(struct attempt *a, struct provision_error *perr)
{
        struct gs_error e;
        int r;

        if (!a->admission || !a->admission->fn)
                return 0;
        gs_error_init(&e);
        r = a->admission->fn(a->admission->ctx, a->req->consumer_id, a->pick.price_uusd,
                             (uint32_t)a->req->reservation_hours, &e);
        if (r == GS_E_TOOBIG)
                return fail(perr, PROVISION_FAIL_ADMISSION, r, "refused by admission control");
        if (r < 0) {
                LOG_ERR(COMPONENT, "admission check for '%s' failed: %s", a->req->consumer_id,
                        gs_error_msg(&e));
                return fail(perr, PROVISION_FAIL_INTERNAL, r == GS_E_NOMEM ? r : GS_E_STORAGE,
                            "cannot check the budget: %s", gs_error_msg(&e));
        }
        return 0;
}

static int insert(struct attempt *a, struct provision_error *perr)
{
        struct gs_error e;
        int r;

        gs_error_init(&e);
        pthread_mutex_lock(&a->svc->admit);
        r = check_admission(a->svc, a->req->consumer_id, perr);
        if (r == 0)
                r = admit(a, perr);
        if (r == 0) {
                r = session_store_insert(session_service_storage(a->svc), &a->rec, &e);
                if (r < 0 && r != GS_E_EXISTS) {
                        LOG_ERR(COMPONENT, "%s: cannot store the new session: %s", a->rec.id,
                                gs_error_msg(&e));
                        r = fail(perr, PROVISION_FAIL_INTERNAL, r, "storage is unavailable: %s",
                                 gs_error_msg(&e));
                }
        }
        pthread_mutex_unlock(&a->svc->admit);
        return r;
}

int session_provision(struct session_service *svc, const struct session_request *req,
                      const char *idempotency_key, const char *actor,
                      const struct provision_admission *admission, struct provision_result *ret,
                      struct provision_error *perr)
{
        struct plugin_instance *st = session_service_storage(svc);
        struct attempt a;
        struct ssh_keypair *kp = NULL;
        struct gs_session_record found;
        char id[SESSION_ID_SIZE], label[SESSION_LABEL_MAX];
        struct gs_error e;
        bool locked = false;
        int r;

        perr_init(perr);
        gs_error_init(&e);
        memset(&a, 0, sizeof(a));
        a.svc = svc;
        a.req = req;
        a.actor = actor;
        a.admission = admission;
        a.perr = perr;
        if (idempotency_key) {
                r = session_store_find_idempotent(st, req->consumer_id, idempotency_key, &found,
                                                  &e);
                if (r == 0)
                        return replay(req, &found, ret, perr);
                if (r != GS_E_NOTFOUND) {
                        LOG_ERR(COMPONENT, "idempotency lookup failed: %s", gs_error_msg(&e));
                        return fail(perr, PROVISION_FAIL_INTERNAL, r, "storage is unavailable: %s",
                                    gs_error_msg(&e));
                }
        }
        if (find_offer(svc, req->offer_id, &a.pick) < 0)
                return fail(perr, PROVISION_FAIL_OFFER_UNKNOWN, GS_E_NOTFOUND,
                            "offer not found: %s (list offers with GET /api/v1/inventory)",
                            req->offer_id);
        (void)snprintf(perr->offer_id, sizeof(perr->offer_id), "%s", a.pick.id);
        (void)snprintf(perr->provider, sizeof(perr->provider), "%s", a.pick.provider);
        if (!a.pick.available)
                return fail(perr, PROVISION_FAIL_STALE, GS_E_UNAVAILABLE,
                            "offer %s from %s is no longer available (stale inventory)", a.pick.id,
                            a.pick.provider);
        a.pi = registry_provider(svc->reg, a.pick.provider);
        if (!provider_call_can_provision(a.pi))
                return fail(perr, PROVISION_FAIL_UNSUPPORTED, GS_E_NOTSUP,
                            "provider %s cannot be provisioned on: its plugin does not report "
                            "instance status and list instances, so an instance could be "
                            "orphaned",
                            a.pick.provider);
        note_tried(perr, a.pick.id);

        r = random_id(SESSION_ID_PREFIX, SESSION_ID_RANDOM_CHARS, id, sizeof(id));
        if (r == 0)
                r = make_label(svc->deployment_id, id, label, sizeof(label));
        if (r == 0)
                r = ssh_keypair_generate(&kp, &e);
        if (r < 0) {
                LOG_ERR(COMPONENT, "cannot create a session id or key pair: %s", gs_error_msg(&e));
                return fail(perr, PROVISION_FAIL_INTERNAL, r, "cannot generate the session key");
        }
        a.keys[0] = kp->public_line;
        a.keys[1] = mgmt_key_public_line(svc->mgmt);
        r = build_record(&a, id, label, kp->public_line, idempotency_key);
        if (r < 0) {
                r = fail(perr, PROVISION_FAIL_INTERNAL, r, "out of memory");
                goto done;
        }
        r = session_locks_acquire(svc->locks, id);
        if (r < 0) {
                r = fail(perr, PROVISION_FAIL_INTERNAL, r, "out of memory");
                goto done;
        }
        locked = true;
        r = insert(&a, perr);
        if (r == GS_E_EXISTS) {
                /* A concurrent request with the same key won the insert. */
                session_locks_release(svc->locks, id);
                locked = false;
                r = session_store_find_idempotent(st, req->consumer_id, idempotency_key, &found,
                                                  &e);
                if (r == 0)
                        r = replay(req, &found, ret, perr);
                else
                        r = fail(perr, PROVISION_FAIL_INTERNAL, r, "storage is unavailable: %s",
                                 gs_error_msg(&e));
                goto done;
        }
        if (r < 0)
                goto done;
        audit_record(st, actor, "session.create", id, NULL);
        r = run(&a);
        note_session(perr, &a.rec);
        if (r < 0)
                goto done;
        session_locks_release(svc->locks, id);
        locked = false;
        if (verify_start(svc, id, kp->private_openssh) < 0)
                LOG_ERR(COMPONENT,
                        "%s: cannot start verification (out of memory); the "
                        "session stays provisioning",
                        id);
        memset(ret, 0, sizeof(*ret));
        ret->outcome = PROVISION_CREATED;
        ret->private_key = kp->private_openssh;
        kp->private_openssh = NULL; /* moved: wiped by provision_result_done() */
        ret->rec = a.rec;
        memset(&a.rec, 0, sizeof(a.rec));
done:
        if (locked)
                session_locks_release(svc->locks, id);
        session_record_done(&a.rec);
        ssh_keypair_free(kp);
        return r;
}
