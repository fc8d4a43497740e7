/* Request handling shared by the provider dialects (sim_vast.c, sim_td.c). */
#include <string.h>
#include <strings.h>

#include "sim.h"

void sim_route_handle(const struct sim_dialect *d, struct sim_req *req, struct sim_reply *r)
{
        sim_route_fn fn = NULL;

        if (req->route >= 0 && req->route < _SIM_ROUTE_MAX)
                fn = d->handlers[req->route];
        if (!fn)
                fn = d->handlers[ROUTE_OTHER];
        fn(req, r);
}

bool sim_route_bearer_ok(const struct sim_req *req, const char *token)
{
        const char *h = sim_req_header(req, "Authorization");

        return h && strncasecmp(h, "Bearer ", 7) == 0 && strcmp(h + 7, token) == 0;
}

void sim_route_listing(struct sim_reply *r, const struct sim_dialect *d,
                       struct sim_blob *(*listing)(struct sim_catalog *cat))
{
        sim_lock();
        sim_reply_blob(r, 200, listing(&sim.catalog));
        sim_unlock();
        if (!r->blob)
                d->error(r, 500, "out of memory");
}

struct sim_instance *sim_route_lock_live(const struct sim_req *req, struct sim_reply *r)
{
        const struct sim_dialect *d = sim_dialect_of(req->provider);
        struct sim_instance *inst;

        sim_lock();
        inst = sim_instance_find(req->provider, req->param);
        if (!inst || inst->phase == SIM_PHASE_DEAD) {
                sim_unlock();
                d->error(r, 404, d->instance_not_found);
                return NULL;
        }
        return inst;
}

json_t *sim_route_collect(enum sim_provider p, json_t *(*to_json)(const struct sim_instance *inst))
{
        json_t *arr = json_array();
        size_t i;

        for (i = 0; arr && i < sim.n_instances; i++) {
                const struct sim_instance *inst = sim.instances[i];

                if (inst->provider == p && inst->phase != SIM_PHASE_DEAD)
                        (void)json_array_append_new(arr, to_json(inst));
        }
        return arr;
}

struct sim_instance *sim_route_rent(const struct sim_req *req, struct sim_reply *r,
                                    const struct sim_instance_spec *spec)
{
        const struct sim_dialect *d = sim_dialect_of(req->provider);
        long offer = spec->provider == SIM_VAST ? spec->vast_offer : spec->td_gpu;
        char err[SIM_ERRTEXT_MAX];
        struct sim_instance *inst;

        if (offer < 0) {
                sim_unlock();
                d->stale(r, req);
                return NULL;
        }
        if (sim_instance_create(spec, &inst, err, sizeof(err)) < 0) {
                sim_unlock();
                d->error(r, 500, err);
                return NULL;
        }
        return inst;
}

void sim_route_destroy(struct sim_req *req, struct sim_reply *r)
{
        struct sim_instance *inst;
        char id[sizeof(inst->id)];
        pid_t pid = 0;

        inst = sim_route_lock_live(req, r);
        if (!inst)
                return;
        sim_instance_end(inst, "destroy", &pid);
        memcpy(id, inst->id, sizeof(id));
        sim_unlock();
        sim_sshd_kill(pid);
        /* Billing ends when the destroy is answered, not before the wait for
         * the instance's sshd (it polls every 10 ms); a control reset may
         * have dropped the instance meanwhile, hence the lookup. */
        sim_lock();
        inst = sim_instance_find(req->provider, id);
        if (inst && inst->end_reason && strcmp(inst->end_reason, "destroy") == 0)
                inst->destroyed_ms = sim_now_ms();
        sim_unlock();
        sim_reply_text(r, 200, sim_dialect_of(req->provider)->canned(ROUTE_DESTROY));
}
