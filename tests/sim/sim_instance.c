/* Instances: creation from offers, the reported state, SSH keys, utilisation and the ledger. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sim.h"

#define VAST_FOREIGN_PRICE_UUSD 500000
#define UTIL_TEXT_MAX (16 * 64)

static int write_instance_files(struct sim_instance *inst)
{
        char num[32];
        int r = 0;

        r |= sim_sshd_write_file(inst->dir, "authorized_keys", inst->keys ? inst->keys : "");
        (void)snprintf(num, sizeof(num), "%u\n", inst->gpu_count);
        r |= sim_sshd_write_file(inst->dir, "gpus", num);
        (void)snprintf(num, sizeof(num), "%u\n", inst->gpu_ram_mb);
        r |= sim_sshd_write_file(inst->dir, "vram_mb", num);
        r |= sim_sshd_write_file(inst->dir, "gpu_name", inst->gpu_name);
        r |= sim_sshd_write_file(inst->dir, "util", "0\n");
        return r ? -1 : 0;
}

static void instance_free(struct sim_instance *inst)
{
        if (!inst)
                return;
        free(inst->label);
        free(inst->keys);
        free(inst->image);
        free(inst->forced_state);
        free(inst);
}

static void fill_from_vast(struct sim_instance *inst, struct sim_vast_offer *o)
{
        inst->gpu_count = o->num_gpus;
        inst->gpu_name = o->gpu_name;
        inst->gpu_ram_mb = o->gpu_ram_mb;
        inst->price_uusd_per_hour = o->dph_total_uusd;
        inst->rate_uusd_per_hour = o->dph_total_uusd;
        inst->machine_id = o->machine_id;
        inst->geolocation = o->geo->geolocation;
        (void)snprintf(inst->offer_id, sizeof(inst->offer_id), "%llu", (unsigned long long)o->id);
        (void)snprintf(inst->shopper_offer_id, sizeof(inst->shopper_offer_id), "vastai-%llu",
                       (unsigned long long)o->id);
        o->rented_by = inst;
}

static void fill_from_td(struct sim_instance *inst, struct sim_td_gpu *g, uint32_t count)
{
        const struct sim_td_location *l = &sim.catalog.locs[g->location];

        inst->gpu_count = count ? count : 1;
        inst->gpu_name = g->display_name;
        inst->gpu_ram_mb = g->model->vram_mb;
        inst->price_uusd_per_hour = g->price_uusd * inst->gpu_count;
        inst->rate_uusd_per_hour = inst->price_uusd_per_hour + inst->vcpus * l->per_vcpu_uusd +
                                   inst->ram_gb * l->per_gb_ram_uusd +
                                   inst->storage_gb * l->per_gb_storage_uusd_e3 / 1000;
        (void)snprintf(inst->location_id, sizeof(inst->location_id), "%s", l->id);
        inst->geolocation = l->city->city;
        (void)snprintf(inst->offer_id, sizeof(inst->offer_id), "%s-%s", l->id, g->model->td_v0name);
        (void)snprintf(inst->shopper_offer_id, sizeof(inst->shopper_offer_id), "tensordock-%s-%s",
                       l->id, g->model->td_v0name);
        g->rented_by = inst;
}

int sim_instance_create(const struct sim_instance_spec *spec, struct sim_instance **ret,
                        char *errbuf, size_t errlen)
{
        struct sim_instance *inst = NULL;

        if (sim.n_instances >= SIM_INSTANCES_MAX) {
                (void)snprintf(errbuf, errlen, "instance limit (%d) reached", SIM_INSTANCES_MAX);
                return -1;
        }
        if (sim.n_instances == sim.cap_instances) {
                size_t cap = sim.cap_instances ? sim.cap_instances * 2 : 64;
                struct sim_instance **p = realloc(sim.instances, cap * sizeof(*p));

                if (!p)
                        goto oom;
                sim.instances = p;
                sim.cap_instances = cap;
        }
        inst = calloc(1, sizeof(*inst));
        if (!inst)
                goto oom;
        inst->provider = spec->provider;
        inst->seq = ++sim.next_seq;
        inst->foreign = spec->foreign;
        inst->vast_offer = spec->vast_offer;
        inst->td_gpu = spec->td_gpu;
        inst->destroyed_ms = -1;
        inst->running_ms = -1;
        inst->ready_at_mono = sim_mono_ms() + sim.ready_after_ms;
        inst->phase = SIM_PHASE_LOADING;
        inst->vcpus = spec->vcpus;
        inst->ram_gb = spec->ram_gb;
        inst->storage_gb = spec->storage_gb;
        inst->disk_gb = spec->disk_gb;
        inst->label = strdup(spec->label ? spec->label : "");
        inst->keys = strdup(spec->keys ? spec->keys : "");
        inst->image = strdup(spec->image ? spec->image : "");
        if (!inst->label || !inst->keys || !inst->image)
                goto oom;
        if (spec->provider == SIM_VAST)
                (void)snprintf(inst->id, sizeof(inst->id), "%llu",
                               (unsigned long long)sim.next_vast_contract++);
        else
                sim_rng_uuid(&sim.id_rng, inst->id);
        if (spec->foreign) {
                inst->gpu_count = spec->gpu_count ? spec->gpu_count : 1;
                inst->gpu_name = spec->provider == SIM_VAST ? "RTX 4090"
                                                            : "NVIDIA GeForce RTX 4090 PCIe 24GB";
                inst->gpu_ram_mb = 24564;
                inst->price_uusd_per_hour = spec->price_uusd_per_hour
                                                    ? spec->price_uusd_per_hour
                                                    : VAST_FOREIGN_PRICE_UUSD * inst->gpu_count;
                inst->rate_uusd_per_hour = inst->price_uusd_per_hour;
                inst->geolocation = "";
                inst->phase = SIM_PHASE_RUNNING;
                inst->running_ms = 0; /* = created_ms, set below */
                if (spec->state && spec->state[0]) {
                        inst->forced_state = strdup(spec->state);
                        if (!inst->forced_state)
                                goto oom;
                }
        } else if (spec->provider == SIM_VAST) {
                fill_from_vast(inst, &sim.catalog.vast[spec->vast_offer]);
        } else {
                fill_from_td(inst, &sim.catalog.td[spec->td_gpu], spec->gpu_count);
        }
        if ((size_t)snprintf(inst->dir, sizeof(inst->dir), "%s/inst-%llu", sim.state_dir,
                             (unsigned long long)inst->seq) >= sizeof(inst->dir) ||
            (mkdir(inst->dir, 0700) < 0 && errno != EEXIST) || write_instance_files(inst) < 0) {
                (void)snprintf(errbuf, errlen, "cannot prepare %s", inst->dir);
                if (!spec->foreign) {
                        if (spec->provider == SIM_VAST)
                                sim.catalog.vast[spec->vast_offer].rented_by = NULL;
                        else
                                sim.catalog.td[spec->td_gpu].rented_by = NULL;
                }
                instance_free(inst);
                return -1;
        }
        /* Billing starts once the contract is recorded and its files exist,
         * just before the create is answered - not before the disk writes. */
        inst->created_ms = sim_now_ms();
        if (inst->running_ms == 0)
                inst->running_ms = inst->created_ms;
        if (!spec->foreign)
                sim.catalog.rent_gen++;
        sim.instances[sim.n_instances++] = inst;
        sim_ticker_kick();
        *ret = inst;
        return 0;
oom:
        instance_free(inst);
        (void)snprintf(errbuf, errlen, "out of memory");
        return -1;
}

struct sim_instance *sim_instance_find(enum sim_provider p, const char *id)
{
        size_t i;

        if (!id || !id[0])
                return NULL;
        for (i = sim.n_instances; i-- > 0;) {
                struct sim_instance *inst = sim.instances[i];

                if ((p == _SIM_PROVIDER_INVALID || inst->provider == p) &&
                    strcasecmp(inst->id, id) == 0)
                        return inst;
        }
        return NULL;
}

void sim_instance_end(struct sim_instance *inst, const char *reason, pid_t *ret_pid)
{
        *ret_pid = 0;
        if (inst->phase == SIM_PHASE_DEAD)
                return;
        inst->phase = SIM_PHASE_DEAD;
        inst->destroyed_ms = sim_now_ms();
        inst->end_reason = reason;
        if (inst->vast_offer >= 0 && sim.catalog.vast[inst->vast_offer].rented_by == inst) {
                sim.catalog.vast[inst->vast_offer].rented_by = NULL;
                sim.catalog.rent_gen++;
        }
        if (inst->td_gpu >= 0 && sim.catalog.td[inst->td_gpu].rented_by == inst) {
                sim.catalog.td[inst->td_gpu].rented_by = NULL;
                sim.catalog.rent_gen++;
        }
        *ret_pid = inst->sshd_pid;
        inst->sshd_pid = 0;
}

const char *sim_instance_state(const struct sim_instance *inst)
{
        if (inst->forced_state)
                return inst->forced_state;
        switch (inst->phase) {
        case SIM_PHASE_LOADING:
        case SIM_PHASE_SPAWNING:
                return inst->provider == SIM_VAST ? "loading" : "starting";
        case SIM_PHASE_RUNNING:
                return "running";
        case SIM_PHASE_DEAD:
        default:
                return inst->provider == SIM_VAST ? "exited" : "deleted";
        }
}

int sim_instance_add_keys(struct sim_instance *inst, const char *text)
{
        struct sim_buf b;
        int added;
        char *keys;

        sim_buf_init(&b);
        (void)sim_buf_puts(&b, inst->keys ? inst->keys : "");
        added = sim_keys_extract(&b, text, false);
        keys = sim_buf_steal(&b, NULL);
        if (!keys)
                return -1;
        free(inst->keys);
        inst->keys = keys;
        if (sim_sshd_write_file(inst->dir, "authorized_keys", inst->keys) < 0)
                return -1;
        return added;
}

int sim_instance_set_util(struct sim_instance *inst, const int *util, size_t n)
{
        char text[UTIL_TEXT_MAX];
        size_t i, off = 0;

        if (n == 0 || n > 16)
                return -1;
        for (i = 0; i < n; i++) {
                int w = snprintf(text + off, sizeof(text) - off, "%d\n", util[i]);

                if (w < 0 || (size_t)w >= sizeof(text) - off)
                        return -1;
                off += (size_t)w;
        }
        inst->gpu_util = util[0];
        return sim_sshd_write_file(inst->dir, "util", text);
}

uint64_t sim_instance_billed_ms(const struct sim_instance *inst, int64_t now_ms)
{
        int64_t end = inst->destroyed_ms >= 0 ? inst->destroyed_ms : now_ms;

        return end > inst->created_ms ? (uint64_t)(end - inst->created_ms) : 0;
}

json_t *sim_instance_ledger_json(const struct sim_instance *inst, int64_t now_ms)
{
        uint64_t billed = sim_instance_billed_ms(inst, now_ms);
        json_t *j = json_object();

        if (!j)
                return NULL;
        (void)json_object_set_new(j, "provider", json_string(sim_provider_name(inst->provider)));
        (void)json_object_set_new(j, "instance_id", json_string(inst->id));
        (void)json_object_set_new(j, "offer_id",
                                  inst->foreign ? json_null() : json_string(inst->offer_id));
        (void)json_object_set_new(j, "shopper_offer_id",
                                  inst->foreign ? json_null()
                                                : json_string(inst->shopper_offer_id));
        (void)json_object_set_new(j, "label", json_string(inst->label));
        (void)json_object_set_new(j, "foreign", json_boolean(inst->foreign));
        (void)json_object_set_new(j, "gpu_name", json_string(inst->gpu_name));
        (void)json_object_set_new(j, "gpu_count", json_integer(inst->gpu_count));
        (void)json_object_set_new(j, "created_at_ms", json_integer(inst->created_ms));
        (void)json_object_set_new(j, "destroyed_at_ms",
                                  inst->destroyed_ms >= 0 ? json_integer(inst->destroyed_ms)
                                                          : json_null());
        (void)json_object_set_new(j, "end_reason",
                                  inst->end_reason ? json_string(inst->end_reason) : json_null());
        (void)json_object_set_new(j, "price_uusd_per_hour",
                                  json_integer((json_int_t)inst->price_uusd_per_hour));
        (void)json_object_set_new(j, "rate_uusd_per_hour",
                                  json_integer((json_int_t)inst->rate_uusd_per_hour));
        (void)json_object_set_new(j, "billed_ms", json_integer((json_int_t)billed));
        (void)json_object_set_new(
                j, "cost_uusd",
                json_integer((json_int_t)(billed * inst->price_uusd_per_hour / 3600000)));
        return j;
}

json_t *sim_instance_debug_json(const struct sim_instance *inst, int64_t now_ms)
{
        static const char *const phases[] = {"loading", "spawning", "running", "dead"};
        json_t *j = sim_instance_ledger_json(inst, now_ms), *keys;
        const char *p;

        if (!j)
                return NULL;
        (void)json_object_set_new(j, "state", json_string(sim_instance_state(inst)));
        (void)json_object_set_new(j, "phase", json_string(phases[inst->phase]));
        (void)json_object_set_new(j, "forced_state",
                                  inst->forced_state ? json_string(inst->forced_state)
                                                     : json_null());
        (void)json_object_set_new(j, "running_at_ms",
                                  inst->running_ms >= 0 ? json_integer(inst->running_ms)
                                                        : json_null());
        (void)json_object_set_new(j, "ssh_host", json_string("127.0.0.1"));
        (void)json_object_set_new(j, "ssh_port", json_integer(inst->ssh_port));
        (void)json_object_set_new(j, "ssh_user", json_string(sim.user));
        (void)json_object_set_new(j, "sshd_pid", json_integer(inst->sshd_pid));
        (void)json_object_set_new(j, "dir", json_string(inst->dir));
        (void)json_object_set_new(j, "gpu_util", json_integer(inst->gpu_util));
        (void)json_object_set_new(j, "image", json_string(inst->image));
        keys = json_array();
        for (p = inst->keys; keys && p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);

                (void)json_array_append_new(keys, json_stringn(p, len));
                p = nl ? nl + 1 : NULL;
        }
        (void)json_object_set_new(j, "keys", keys ? keys : json_null());
        return j;
}

void sim_instance_reset_all(pid_t **ret_pids, size_t *ret_n)
{
        pid_t *pids = calloc(sim.n_instances ? sim.n_instances : 1, sizeof(*pids));
        size_t i, n = 0;

        for (i = 0; i < sim.n_instances; i++) {
                pid_t pid;

                sim_instance_end(sim.instances[i], "reset", &pid);
                if (pid > 0 && pids)
                        pids[n++] = pid;
                instance_free(sim.instances[i]);
        }
        sim.n_instances = 0;
        *ret_pids = pids;
        *ret_n = n;
}

void sim_instance_free_all(void)
{
        size_t i;

        for (i = 0; i < sim.n_instances; i++)
                instance_free(sim.instances[i]);
        free(sim.instances);
        sim.instances = NULL;
        sim.n_instances = 0;
        sim.cap_instances = 0;
}
