/* The control API under /_sim/: ledger, instances, faults, request counts, config and reset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define CTL_SEG_MAX 4
#define CTL_SEG_LEN 128
#define CTL_UTIL_MAX 16

static const char *const list_shapes[] = {"array", "nested", "attributes"};

struct ctl_path {
        char s[CTL_SEG_MAX][CTL_SEG_LEN];
        int n;
};

static bool split(const char *path, struct ctl_path *out)
{
        const char *p = path;

        out->n = 0;
        while (*p) {
                const char *start;
                size_t len;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                start = p;
                while (*p && *p != '/')
                        p++;
                len = (size_t)(p - start);
                if (out->n == CTL_SEG_MAX || len >= CTL_SEG_LEN)
                        return false;
                memcpy(out->s[out->n], start, len);
                out->s[out->n][len] = '\0';
                out->n++;
        }
        return true;
}

static void ctl_error(struct sim_reply *r, unsigned int status, const char *msg)
{
        sim_reply_json(r, status, json_pack("{s:s}", "error", msg));
}

static json_t *body_object(const struct sim_req *req, struct sim_reply *r, bool allow_empty)
{
        json_error_t jerr;
        json_t *j;

        if (req->body_len == 0 && allow_empty)
                return json_object();
        j = json_loadb(req->body, req->body_len, 0, &jerr);
        if (!j || !json_is_object(j)) {
                json_decref(j);
                ctl_error(r, 400, "body must be a JSON object");
                return NULL;
        }
        return j;
}

static void get_ledger(struct sim_reply *r)
{
        int64_t now = sim_now_ms();
        json_t *arr = json_array();
        uint64_t total = 0;
        size_t i;

        sim_lock();
        for (i = 0; arr && i < sim.n_instances; i++) {
                const struct sim_instance *inst = sim.instances[i];

                total += sim_instance_billed_ms(inst, now) * inst->price_uusd_per_hour / 3600000;
                (void)json_array_append_new(arr, sim_instance_ledger_json(inst, now));
        }
        sim_unlock();
        sim_reply_json(r, 200,
                       json_pack("{s:o?,s:I,s:I}", "instances", arr, "now_ms", (json_int_t)now,
                                 "total_cost_uusd", (json_int_t)total));
}

static void get_instances(struct sim_reply *r)
{
        int64_t now = sim_now_ms();
        json_t *arr = json_array();
        size_t i;

        sim_lock();
        for (i = 0; arr && i < sim.n_instances; i++)
                (void)json_array_append_new(arr, sim_instance_debug_json(sim.instances[i], now));
        sim_unlock();
        sim_reply_json(r, 200, json_pack("{s:o?}", "instances", arr));
}

static void create_foreign(const struct sim_req *req, struct sim_reply *r)
{
        struct sim_instance_spec spec = {.foreign = true, .vast_offer = -1, .td_gpu = -1};
        char err[SIM_ERRTEXT_MAX];
        struct sim_instance *inst;
        json_t *body, *v;
        int p;

        body = body_object(req, r, false);
        if (!body)
                return;
        p = sim_provider_from_name(json_string_value(json_object_get(body, "provider")));
        if (p < 0) {
                json_decref(body);
                ctl_error(r, 400, "'provider' must be vast or td");
                return;
        }
        spec.provider = (enum sim_provider)p;
        spec.label = json_string_value(json_object_get(body, "label"));
        if (spec.label && strlen(spec.label) > SIM_LABEL_MAX) {
                json_decref(body);
                ctl_error(r, 400, "label too long");
                return;
        }
        spec.state = json_string_value(json_object_get(body, "state"));
        v = json_object_get(body, "gpu_count");
        if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= 64)
                spec.gpu_count = (uint32_t)json_integer_value(v);
        v = json_object_get(body, "price_uusd_per_hour");
        if (json_is_integer(v) && json_integer_value(v) > 0)
                spec.price_uusd_per_hour = (uint64_t)json_integer_value(v);
        sim_lock();
        if (sim_instance_create(&spec, &inst, err, sizeof(err)) < 0) {
                sim_unlock();
                json_decref(body);
                ctl_error(r, 500, err);
                return;
        }
        v = sim_instance_debug_json(inst, sim_now_ms());
        sim_unlock();
        json_decref(body);
        sim_reply_json(r, 200, v);
}

static void instance_action(const struct sim_req *req, const char *id, const char *action,
                            struct sim_reply *r)
{
        struct sim_instance *inst;
        json_t *body, *v, *out = NULL;
        pid_t pid = 0;

        body = body_object(req, r, true);
        if (!body)
                return;
        sim_lock();
        inst = sim_instance_find(_SIM_PROVIDER_INVALID, id);
        if (!inst) {
                sim_unlock();
                json_decref(body);
                ctl_error(r, 404, "no such instance");
                return;
        }
        if (strcmp(action, "vanish") == 0) {
                if (inst->phase == SIM_PHASE_DEAD) {
                        sim_unlock();
                        json_decref(body);
                        ctl_error(r, 409, "instance already gone");
                        return;
                }
                sim_instance_end(inst, "vanish", &pid);
        } else if (strcmp(action, "util") == 0) {
                int util[CTL_UTIL_MAX];
                size_t n = 0, i;
                json_t *el;

                v = json_object_get(body, "gpu_util");
                if (json_is_integer(v)) {
                        util[n++] = (int)json_integer_value(v);
                } else if (json_is_array(v)) {
                        json_array_foreach(v, i, el)
                        {
                                if (!json_is_integer(el) || n == CTL_UTIL_MAX)
                                        break;
                                util[n++] = (int)json_integer_value(el);
                        }
                        if (n != json_array_size(v))
                                n = 0;
                }
                for (i = 0; i < n; i++)
                        if (util[i] < 0 || util[i] > 100)
                                n = 0;
                if (n == 0) {
                        sim_unlock();
                        json_decref(body);
                        ctl_error(r, 400,
                                  "'gpu_util' must be an integer 0..100 or a list of "
                                  "them (one per GPU)");
                        return;
                }
                if (sim_instance_set_util(inst, util, n) < 0) {
                        sim_unlock();
                        json_decref(body);
                        ctl_error(r, 500, "cannot write the util file");
                        return;
                }
        } else if (strcmp(action, "state") == 0) {
                v = json_object_get(body, "state");
                if (!json_is_string(v) && !json_is_null(v)) {
                        sim_unlock();
                        json_decref(body);
                        ctl_error(r, 400, "'state' must be a string (or null to clear)");
                        return;
                }
                free(inst->forced_state);
                inst->forced_state = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
        } else {
                sim_unlock();
                json_decref(body);
                ctl_error(r, 404, "unknown instance action (vanish, util, state)");
                return;
        }
        out = sim_instance_debug_json(inst, sim_now_ms());
        sim_unlock();
        json_decref(body);
        sim_sshd_kill(pid);
        sim_reply_json(r, 200, out);
}

static void faults(const struct sim_req *req, const struct ctl_path *p, struct sim_reply *r)
{
        char err[SIM_ERRTEXT_MAX];
        uint64_t id;
        json_t *body, *list;

        if (strcmp(req->method, "GET") == 0 && p->n == 1) {
                sim_lock();
                list = sim_fault_list_json();
                sim_unlock();
                sim_reply_json(r, 200, json_pack("{s:o?}", "faults", list));
        } else if (strcmp(req->method, "POST") == 0 && p->n == 1) {
                body = body_object(req, r, false);
                if (!body)
                        return;
                sim_lock();
                if (sim_fault_add(body, &id, err, sizeof(err)) < 0) {
                        sim_unlock();
                        json_decref(body);
                        ctl_error(r, 400, err);
                        return;
                }
                sim_unlock();
                json_decref(body);
                sim_reply_json(r, 200, json_pack("{s:I}", "id", (json_int_t)id));
        } else if (strcmp(req->method, "DELETE") == 0 && p->n == 1) {
                sim_lock();
                sim_fault_clear();
                sim_ticker_kick();
                sim_unlock();
                sim_reply_text(r, 200, "{\"cleared\":true}");
        } else if (strcmp(req->method, "DELETE") == 0 && p->n == 2) {
                int rc;

                sim_lock();
                rc = sim_fault_remove(strtoull(p->s[1], NULL, 10));
                sim_ticker_kick();
                sim_unlock();
                if (rc < 0)
                        ctl_error(r, 404, "no such fault");
                else
                        sim_reply_text(r, 200, "{\"removed\":true}");
        } else {
                ctl_error(r, 405, "faults: GET, POST or DELETE /_sim/faults[/{id}]");
        }
}

static void requests(const struct sim_req *req, const struct ctl_path *p, struct sim_reply *r)
{
        const char *route = sim_req_arg(req, "route"), *prov = sim_req_arg(req, "provider");
        const char *lim = sim_req_arg(req, "limit");
        json_t *counts, *log;
        uint64_t total = 0;
        int pi, ri;

        if (route && sim_route_from_name(route) < 0) {
                ctl_error(r, 400, "unknown route");
                return;
        }
        if (prov && sim_provider_from_name(prov) < 0) {
                ctl_error(r, 400, "unknown provider");
                return;
        }
        if (p->n == 2 && strcmp(p->s[1], "log") == 0) {
                sim_lock();
                log = sim_reqlog_json(route, prov, lim ? strtoul(lim, NULL, 10) : 0);
                sim_unlock();
                sim_reply_json(r, 200, json_pack("{s:o?}", "requests", log));
                return;
        }
        counts = json_object();
        sim_lock();
        for (pi = 0; counts && pi < _SIM_PROVIDER_MAX; pi++) {
                json_t *per = json_object();

                if (prov && sim_provider_from_name(prov) != pi) {
                        json_decref(per);
                        continue;
                }
                for (ri = 0; per && ri < _SIM_ROUTE_MAX; ri++) {
                        uint64_t c = sim.request_counts[pi][ri];

                        if (route && sim_route_from_name(route) != ri)
                                continue;
                        total += c;
                        (void)json_object_set_new(per, sim_route_name((enum sim_route)ri),
                                                  json_integer((json_int_t)c));
                }
                (void)json_object_set_new(counts, sim_provider_name((enum sim_provider)pi), per);
        }
        sim_unlock();
        sim_reply_json(r, 200,
                       json_pack("{s:o?,s:I}", "counts", counts, "total", (json_int_t)total));
}

static json_t *config_json(void)
{
        return json_pack(
                "{s:I,s:s,s:b,s:I,s:s,s:s}", "ready_after_ms", (json_int_t)sim.ready_after_ms,
                "td_list_shape", list_shapes[sim.td_list_shape], "ssh", sim.with_ssh, "seed",
                (json_int_t)sim.catalog.seed, "state_dir", sim.state_dir, "ssh_user", sim.user);
}

static void config(const struct sim_req *req, struct sim_reply *r)
{
        json_t *body, *v, *out;
        size_t i;

        if (strcmp(req->method, "POST") == 0) {
                body = body_object(req, r, false);
                if (!body)
                        return;
                v = json_object_get(body, "ready_after_ms");
                if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
                          json_integer_value(v) > SIM_HANG_CAP_MS)) {
                        json_decref(body);
                        ctl_error(r, 400, "'ready_after_ms' must be an integer 0..600000");
                        return;
                }
                sim_lock();
                if (v)
                        sim.ready_after_ms = json_integer_value(v);
                v = json_object_get(body, "td_list_shape");
                for (i = 0; json_is_string(v) && i < 3; i++)
                        if (strcmp(json_string_value(v), list_shapes[i]) == 0)
                                sim.td_list_shape = (int)i;
                sim_unlock();
                json_decref(body);
        }
        sim_lock();
        out = config_json();
        sim_unlock();
        sim_reply_json(r, 200, out);
}

static void reset(struct sim_reply *r)
{
        pid_t *pids = NULL;
        size_t n = 0, i;

        sim_lock();
        sim_instance_reset_all(&pids, &n);
        sim_fault_clear();
        sim_reqlog_clear();
        memset(sim.request_counts, 0, sizeof(sim.request_counts));
        sim.ready_after_ms = sim.ready_after_default_ms;
        sim.td_list_shape = 0;
        sim.catalog.rent_gen++;
        sim_ticker_kick();
        sim_unlock();
        for (i = 0; i < n; i++)
                sim_sshd_kill(pids[i]);
        free(pids);
        sim_reply_text(r, 200, "{\"reset\":true}");
}

static void health(struct sim_reply *r)
{
        size_t alive = 0, i;
        json_t *j;

        sim_lock();
        for (i = 0; i < sim.n_instances; i++)
                if (sim.instances[i]->phase != SIM_PHASE_DEAD)
                        alive++;
        j = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "status", "ok", "seed",
                      (json_int_t)sim.catalog.seed, "vast_offers", (json_int_t)sim.catalog.n_vast,
                      "td_offers", (json_int_t)sim.catalog.n_td, "td_locations",
                      (json_int_t)sim.catalog.n_locs, "instances_alive", (json_int_t)alive);
        sim_unlock();
        sim_reply_json(r, 200, j);
}

void sim_control_handle(struct sim_req *req, struct sim_reply *r)
{
        struct ctl_path p;
        const char *m = req->method;

        if (!split(req->path, &p) || p.n == 0) {
                ctl_error(r, 404, "unknown control route");
                return;
        }
        if (strcmp(p.s[0], "ledger") == 0 && p.n == 1 && strcmp(m, "GET") == 0)
                get_ledger(r);
        else if (strcmp(p.s[0], "instances") == 0 && p.n == 1 && strcmp(m, "GET") == 0)
                get_instances(r);
        else if (strcmp(p.s[0], "instances") == 0 && p.n == 1 && strcmp(m, "POST") == 0)
                create_foreign(req, r);
        else if (strcmp(p.s[0], "instances") == 0 && p.n == 3 && strcmp(m, "POST") == 0)
                instance_action(req, p.s[1], p.s[2], r);
        else if (strcmp(p.s[0], "faults") == 0 && p.n <= 2)
                faults(req, &p, r);
        else if (strcmp(p.s[0], "requests") == 0 && strcmp(m, "GET") == 0 && p.n <= 2)
                requests(req, &p, r);
        else if (strcmp(p.s[0], "reset") == 0 && p.n == 1 && strcmp(m, "POST") == 0)
                reset(r);
        else if (strcmp(p.s[0], "config") == 0 && p.n == 1)
                config(req, r);
        else if (strcmp(p.s[0], "health") == 0 && p.n == 1)
                health(r);
        else
                ctl_error(r, 404, "unknown control route");
}
