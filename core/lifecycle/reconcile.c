/* reconcile.c - orphans and ghosts: provider listings against the sessions. */
#include "lifecycle/reconcile.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "domain/duration_text.h"
#include "domain/label.h"
#include "domain/reconcile_rules.h"
#include "domain/rfc3339.h"
#include "domain/session_fsm.h"
#include "lifecycle/session_walk.h"
#include "log.h"
#include "plugin/host_api.h"
#include "session/destroy.h"
#include "session/provider_call.h"
#include "session/session_store.h"
#include "session/session_transition.h"

#define COMPONENT "lifecycle"
#define ACTOR "lifecycle"

/* A provider's creation time comes from another clock and may be whole
 * seconds (TensorDock's RFC 3339 text drops the fraction, so a just-made
 * instance can look up to 999 ms old). An orphan's age is counted this much
 * short so the grace is never cut: destroying late costs seconds of rent,
 * destroying early can race a create. */
#define PROVIDER_CREATED_AT_SLACK_MS 1000

struct orphan_memo {
        char *provider;
        char *instance_id;
        int64_t first_seen_ms;
        uint64_t pass; /* last pass that listed it */
        bool reported;
        bool destroying;
};

struct ghost_memo {
        char id[SESSION_ID_SIZE];
        char *provider;
        char *instance_id;
        int64_t first_missing_ms;
        int64_t last_seen_ms;
};

struct provider_memo {
        int64_t last_ok_ms; /* last successful listing, 0 = none since start */
        bool failing;
};

struct reconcile {
        struct session_service *svc;
        const struct lifecycle_settings *cfg;
        uint64_t pass;
        struct provider_memo providers[REGISTRY_MAX_PROVIDERS];
        struct orphan_memo *orphans;
        size_t n_orphans, cap_orphans;
        struct ghost_memo *ghosts;
        size_t n_ghosts, cap_ghosts;
};

struct reconcile *reconcile_new(struct session_service *svc, const struct lifecycle_settings *cfg)
{
        struct reconcile *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        r->svc = svc;
        r->cfg = cfg;
        return r;
}

static void orphan_free(struct orphan_memo *o)
{
        free(o->provider);
        free(o->instance_id);
}

static void ghost_free(struct ghost_memo *g)
{
        free(g->provider);
        free(g->instance_id);
}

void reconcile_free(struct reconcile *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_orphans; i++)
                orphan_free(&r->orphans[i]);
        for (size_t i = 0; i < r->n_ghosts; i++)
                ghost_free(&r->ghosts[i]);
        free(r->orphans);
        free(r->ghosts);
        free(r);
}

static bool grow(void **items, size_t *cap, size_t count, size_t size)
{
        void *p;
        size_t n;

        if (count < *cap)
                return true;
        n = *cap ? *cap * 2 : 16;
        p = realloc(*items, n * size);
        if (!p)
                return false;
        *items = p;
        *cap = n;
        return true;
}

/* ------------------------------------------------------------------------ */
/* Orphans.                                                                 */

static struct orphan_memo *orphan_find(struct reconcile *r, const char *provider,
                                       const char *instance_id)
{
        for (size_t i = 0; i < r->n_orphans; i++)
                if (strcmp(r->orphans[i].provider, provider) == 0 &&
                    strcmp(r->orphans[i].instance_id, instance_id) == 0)
                        return &r->orphans[i];
        return NULL;
}

static struct orphan_memo *orphan_add(struct reconcile *r, const char *provider,
                                      const char *instance_id, int64_t now_ms)
{
        struct orphan_memo *o;

        if (!grow((void **)&r->orphans, &r->cap_orphans, r->n_orphans, sizeof(*o)))
                return NULL;
        o = &r->orphans[r->n_orphans];
        memset(o, 0, sizeof(*o));
        o->provider = strdup(provider);
        o->instance_id = strdup(instance_id);
        if (!o->provider || !o->instance_id) {
                orphan_free(o);
                return NULL;
        }
        o->first_seen_ms = now_ms;
        r->n_orphans++;
        return o;
}

static void orphan_remove(struct reconcile *r, struct orphan_memo *o)
{
        size_t i = (size_t)(o - r->orphans);

        orphan_free(o);
        r->orphans[i] = r->orphans[--r->n_orphans];
}

/* Forget the orphans of `provider` the latest listing no longer shows. */
static void orphan_prune(struct reconcile *r, const char *provider)
{
        for (size_t i = 0; i < r->n_orphans;) {
                struct orphan_memo *o = &r->orphans[i];

                if (strcmp(o->provider, provider) == 0 && o->pass != r->pass)
                        orphan_remove(r, o);
                else
                        i++;
        }
}

static void orphan_act(struct reconcile *r, struct orphan_memo *o, const char *label,
                       int64_t age_ms, const struct gs_session_record *rec)
{
        char age[DURATION_TEXT_MAX];
        json_t *d;
        char *text;
        int rc;

        if (!o->reported) {
                o->reported = true;
                (void)duration_text_format(age_ms - age_ms % 1000, age, sizeof(age));
                LOG_WARN(COMPONENT,
                         "orphan: instance %s at %s carries our label %s but %s (age %s); %s",
                         o->instance_id, o->provider, label,
                         !rec ? "no session of ours has that id"
                         : rec->provider_instance_id && strcmp(rec->provider_instance_id,
                                                               o->instance_id) != 0
                                 ? "its session owns another instance"
                                 : "its session is over",
                         age, r->cfg->orphan_destroy ? "destroying it (orphan_policy = destroy)"
                                                     : "leaving it (orphan_policy = alert)");
                d = json_pack("{ss ss ss sI ss ss}", "provider", o->provider, "instance_id",
                              o->instance_id, "label", label, "age_ms", (json_int_t)age_ms,
                              "policy", r->cfg->orphan_destroy ? "destroy" : "alert",
                              "session_status",
                              rec ? session_fsm_status_name(rec->status) : "none");
                text = d ? json_dumps(d, JSON_COMPACT) : NULL;
                audit_record(session_service_storage(r->svc), ACTOR, "orphan.detected",
                             rec ? rec->id : NULL, text);
                free(text);
                json_decref(d);
        }
        if (!r->cfg->orphan_destroy || o->destroying)
                return;
        rc = destroy_orphan_start(r->svc, o->provider, o->instance_id, label);
        if (rc < 0) {
                LOG_ERR(COMPONENT, "orphan %s at %s: cannot start its destroy (out of memory); "
                                   "retrying at the next pass",
                        o->instance_id, o->provider);
                return;
        }
        o->destroying = true;
}

static void check_instance(struct reconcile *r, const char *provider,
                           const struct instance_state *inst, int64_t listed_at_ms)
{
        char dep[LABEL_DEPLOYMENT_MAX + 1], sid[LABEL_SESSION_MAX + 1];
        struct orphan_facts f = {.provider = provider, .instance_id = inst->instance_id};
        struct gs_session_record rec;
        struct orphan_memo *o;
        struct gs_error e;
        int verdict, got;

        if (!inst->instance_id || !inst->label ||
            !label_is_ours(inst->label, r->svc->deployment_id) ||
            !label_parse(inst->label, dep, sizeof(dep), sid, sizeof(sid)))
                return; /* not ours: never touched */
        f.ours = true;
        gs_error_init(&e);
        memset(&rec, 0, sizeof(rec));
        got = session_store_get(session_service_storage(r->svc), sid, &rec, &e);
        if (got < 0 && got != GS_E_NOTFOUND) {
                LOG_WARN(COMPONENT, "instance %s at %s (label %s): cannot read its session: %s",
                         inst->instance_id, provider, inst->label, gs_error_msg(&e));
                return;
        }
        f.session_found = got == 0;
        if (f.session_found) {
                f.session_status = rec.status;
                f.session_provider = rec.provider;
                f.session_instance_id = rec.provider_instance_id;
        }
        o = orphan_find(r, provider, inst->instance_id);
        if (inst->created_at_ms > 0)
                f.age_ms = listed_at_ms - inst->created_at_ms - PROVIDER_CREATED_AT_SLACK_MS;
        else
                f.age_ms = listed_at_ms - (o ? o->first_seen_ms : listed_at_ms);
        f.grace_ms = r->cfg->orphan_grace_ms;
        verdict = orphan_classify(&f);
        if (verdict == ORPHAN_YOUNG || verdict == ORPHAN_YES) {
                if (!o)
                        o = orphan_add(r, provider, inst->instance_id, listed_at_ms);
                if (o) {
                        o->pass = r->pass;
                        if (verdict == ORPHAN_YES)
                                orphan_act(r, o, inst->label, f.age_ms,
                                           f.session_found ? &rec : NULL);
                }
        } else if (o) {
                orphan_remove(r, o);
        }
        if (f.session_found)
                session_record_done(&rec);
}

/* ------------------------------------------------------------------------ */
/* Ghosts.                                                                  */

static struct ghost_memo *ghost_find(struct reconcile *r, const char *id)
{
        for (size_t i = 0; i < r->n_ghosts; i++)
                if (strcmp(r->ghosts[i].id, id) == 0)
                        return &r->ghosts[i];
        return NULL;
}

static void ghost_remove(struct reconcile *r, struct ghost_memo *g)
{
        size_t i = (size_t)(g - r->ghosts);

        ghost_free(g);
        r->ghosts[i] = r->ghosts[--r->n_ghosts];
}

static void ghost_add(struct reconcile *r, const struct gs_session_record *rec,
                      const char *provider, int64_t first_missing_ms, int64_t prev_listing_ms)
{
        struct ghost_memo *g;
        char wait[DURATION_TEXT_MAX];

        if (strlen(rec->id) >= sizeof(g->id) ||
            !grow((void **)&r->ghosts, &r->cap_ghosts, r->n_ghosts, sizeof(*g)))
                return;
        g = &r->ghosts[r->n_ghosts];
        memset(g, 0, sizeof(*g));
        memcpy(g->id, rec->id, strlen(rec->id) + 1);
        g->provider = strdup(provider);
        g->instance_id = strdup(rec->provider_instance_id);
        if (!g->provider || !g->instance_id) {
                ghost_free(g);
                return;
        }
        g->first_missing_ms = first_missing_ms;
        g->last_seen_ms = ghost_last_seen_ms(prev_listing_ms, rec->started_at_ms,
                                             rec->last_activity_ms, first_missing_ms);
        r->n_ghosts++;
        (void)duration_text_format(r->cfg->ghost_confirm_interval_ms, wait, sizeof(wait));
        LOG_NOTICE(COMPONENT, "%s: instance %s is missing from %s's listing; checking again in %s",
                   rec->id, rec->provider_instance_id, provider, wait);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Running sessions of `provider` whose instance the listing lacks. */
static void ghost_scan(struct reconcile *r, const char *provider, const struct instance_list *l,
                       int64_t listed_at_ms, int64_t prev_listing_ms)
{
        const char **ids = calloc(l->count ? l->count : 1, sizeof(*ids));
        struct session_list running;
        struct gs_error e;
        size_t n = 0;

        gs_error_init(&e);
        if (!ids)
                return;
        for (size_t i = 0; i < l->count; i++)
                if (l->items[i].instance_id)
                        ids[n++] = l->items[i].instance_id;
        qsort(ids, n, sizeof(*ids), cmp_str);
        if (session_walk(r->svc, 1u << GS_SESSION_RUNNING, provider, &running, &e) < 0) {
                LOG_WARN(COMPONENT, "cannot read the running sessions of %s: %s", provider,
                         gs_error_msg(&e));
                free(ids);
                return;
        }
        for (size_t i = 0; i < running.count; i++) {
                const struct gs_session_record *rec = &running.items[i];
                const char *key = rec->provider_instance_id;
                struct ghost_memo *g = ghost_find(r, rec->id);
                bool listed = key && bsearch(&key, ids, n, sizeof(*ids), cmp_str);

                if (!key)
                        continue;
                if (listed && g)
                        ghost_remove(r, g);
                else if (!listed && !g)
                        ghost_add(r, rec, provider, listed_at_ms, prev_listing_ms);
        }
        session_list_done(&running);
        free(ids);
}

struct ghost_ctx {
        const struct ghost_memo *g;
        int64_t confirmed_at_ms;
};

static int mutate_ghost(struct gs_session_record *rec, int old_status, struct session_change *c,
                        struct gs_error *err)
{
        const struct ghost_ctx *x = c->ctx;
        char seen[RFC3339_TEXT_MAX] = "?", missing[RFC3339_TEXT_MAX] = "?",
             again[RFC3339_TEXT_MAX] = "?";

        (void)old_status;
        if (!rec->provider_instance_id || strcmp(rec->provider_instance_id, x->g->instance_id))
                return gs_error_set(err, GS_E_CONFLICT, 0, "the session's instance changed");
        rec->stopped_at_ms = x->g->last_seen_ms > rec->instance_created_at_ms
                                     ? x->g->last_seen_ms
                                     : rec->instance_created_at_ms;
        if (rec->stopped_at_ms <= 0)
                rec->stopped_at_ms = x->g->first_missing_ms;
        (void)rfc3339_format_ms(rec->stopped_at_ms, seen, sizeof(seen));
        (void)rfc3339_format_ms(x->g->first_missing_ms, missing, sizeof(missing));
        (void)rfc3339_format_ms(x->confirmed_at_ms, again, sizeof(again));
        if (session_record_setf(&rec->status_reason,
                                "ghost: %s no longer has instance %s (missing from its listing at "
                                "%s and still not found at %s); nothing is left to destroy; "
                                "billed until it was last seen, %s",
                                rec->provider, rec->provider_instance_id, missing, again,
                                seen) < 0)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        return session_change_bill(c, rec, err);
}

static void declare_ghost(struct reconcile *r, const struct ghost_memo *g, int64_t now_ms)
{
        struct ghost_ctx x = {.g = g, .confirmed_at_ms = now_ms};
        struct session_change c;
        struct gs_session_record out;
        struct gs_error e;
        char detail[256];
        int rc;

        gs_error_init(&e);
        session_change_init(&c, SESSION_EV_GHOST, mutate_ghost, &x);
        rc = session_transition(r->svc, g->id, &c, &out, &e);
        if (rc == GS_E_CONFLICT || rc == GS_E_NOTFOUND)
                return; /* stopped meanwhile, or another instance now */
        if (rc < 0) {
                LOG_ERR(COMPONENT, "%s: cannot record the ghost: %s", g->id, gs_error_msg(&e));
                return;
        }
        LOG_WARN(COMPONENT, "%s: ghost: %s no longer has instance %s; stopped, cost %lld uUSD",
                 g->id, g->provider, g->instance_id, (long long)out.cost_uusd);
        (void)snprintf(detail, sizeof(detail),
                       "{\"provider\":\"%s\",\"instance_id\":\"%.100s\",\"last_seen_ms\":%lld}",
                       g->provider, g->instance_id, (long long)g->last_seen_ms);
        audit_record(session_service_storage(r->svc), ACTOR, "session.ghost", g->id, detail);
        session_record_done(&out);
}

void reconcile_confirm(struct reconcile *r)
{
        int64_t now = host_now_ms();

        for (size_t i = 0; i < r->n_ghosts;) {
                struct ghost_memo *g = &r->ghosts[i];
                struct plugin_instance *pi = registry_provider(r->svc->reg, g->provider);
                struct instance_state inst;
                struct gs_error e;
                int rc;

                if (now - g->first_missing_ms < r->cfg->ghost_confirm_interval_ms || !pi) {
                        i++;
                        continue;
                }
                gs_error_init(&e);
                memset(&inst, 0, sizeof(inst));
                rc = provider_call_get(pi, g->instance_id, &inst, &e);
                if (rc == GS_E_NOTFOUND) {
                        declare_ghost(r, g, host_now_ms());
                        ghost_remove(r, g);
                } else if (rc == 0) {
                        LOG_INFO(COMPONENT, "%s: instance %s is there after all ('%s')", g->id,
                                 g->instance_id, inst.status_raw ? inst.status_raw : "?");
                        instance_state_done(&inst);
                        ghost_remove(r, g);
                } else {
                        LOG_INFO(COMPONENT, "%s: cannot confirm instance %s gone yet: %s",
                                 g->id, g->instance_id, gs_error_msg(&e));
                        i++;
                }
        }
}

/* ------------------------------------------------------------------------ */

static void pass_provider(struct reconcile *r, size_t idx)
{
        const char *name = r->svc->reg->providers[idx]->name;
        struct plugin_instance *pi = registry_provider(r->svc->reg, name);
        struct provider_memo *pm = &r->providers[idx];
        struct instance_list l;
        struct gs_error e;
        int64_t listed_at;
        int rc;

        if (!pi || !pi->initialised || !pi->provider->list_instances ||
            !(pi->provider->caps & GS_PROV_CAP_RECONCILE))
                return;
        gs_error_init(&e);
        rc = provider_call_list(pi, &l, &e);
        if (rc < 0) {
                if (!pm->failing)
                        LOG_WARN(COMPONENT,
                                 "cannot list the instances of %s: %s; its orphans and ghosts are "
                                 "not checked until it answers",
                                 name, gs_error_msg(&e));
                pm->failing = true;
                return;
        }
        if (pm->failing)
                LOG_NOTICE(COMPONENT, "listing the instances of %s works again", name);
        pm->failing = false;
        listed_at = host_now_ms();
        for (size_t i = 0; i < l.count; i++)
                check_instance(r, name, &l.items[i], listed_at);
        orphan_prune(r, name);
        ghost_scan(r, name, &l, listed_at, pm->last_ok_ms);
        pm->last_ok_ms = listed_at;
        instance_list_done(&l);
}

void reconcile_pass(struct reconcile *r, bool (*stop)(void *ctx), void *ctx)
{
        r->pass++;
        for (size_t i = 0; i < r->svc->reg->provider_count; i++) {
                if (stop && stop(ctx))
                        return;
                pass_provider(r, i);
        }
}
