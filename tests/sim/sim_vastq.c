/* The Vast.ai search filter: parses `q=` JSON and evaluates it against catalogue offers. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define VASTQ_CONDS_MAX 64
#define VASTQ_LIMIT_MAX 1000000

enum field_kind { K_NUM, K_STR, K_BOOL };

enum field_id {
        F_ID,
        F_MACHINE_ID,
        F_HOST_ID,
        F_NUM_GPUS,
        F_GPU_RAM,
        F_GPU_TOTAL_RAM,
        F_DPH_TOTAL,
        F_DPH_BASE,
        F_MIN_BID,
        F_STORAGE_COST,
        F_RELIABILITY,
        F_CUDA,
        F_COMPUTE_CAP,
        F_CPU_CORES,
        F_CPU_CORES_EFF,
        F_CPU_RAM,
        F_DISK_SPACE,
        F_INET_UP,
        F_INET_DOWN,
        F_GPU_FRAC,
        F_DIRECT_PORTS,
        F_RENTABLE,
        F_RENTED,
        F_VERIFIED,
        F_STATIC_IP,
        F_EXTERNAL,
        F_GPU_NAME,
        F_GEOLOCATION,
        F_CPU_NAME,
        F_DRIVER,
        F_GPU_ARCH,
        F_VERIFICATION,
        F_CPU_ARCH,
};

struct field_desc {
        const char *name;
        enum field_id id;
        enum field_kind kind;
};

static const struct field_desc fields[] = {
        {"id", F_ID, K_NUM},
        {"ask_contract_id", F_ID, K_NUM},
        {"bundle_id", F_ID, K_NUM},
        {"machine_id", F_MACHINE_ID, K_NUM},
        {"host_id", F_HOST_ID, K_NUM},
        {"num_gpus", F_NUM_GPUS, K_NUM},
        {"gpu_ram", F_GPU_RAM, K_NUM},
        {"gpu_total_ram", F_GPU_TOTAL_RAM, K_NUM},
        {"dph_total", F_DPH_TOTAL, K_NUM},
        {"dph", F_DPH_TOTAL, K_NUM},
        {"dph_base", F_DPH_BASE, K_NUM},
        {"min_bid", F_MIN_BID, K_NUM},
        {"storage_cost", F_STORAGE_COST, K_NUM},
        {"reliability2", F_RELIABILITY, K_NUM},
        {"reliability", F_RELIABILITY, K_NUM},
        {"cuda_max_good", F_CUDA, K_NUM},
        {"cuda_vers", F_CUDA, K_NUM},
        {"compute_cap", F_COMPUTE_CAP, K_NUM},
        {"cpu_cores", F_CPU_CORES, K_NUM},
        {"cpu_cores_effective", F_CPU_CORES_EFF, K_NUM},
        {"cpu_ram", F_CPU_RAM, K_NUM},
        {"disk_space", F_DISK_SPACE, K_NUM},
        {"inet_up", F_INET_UP, K_NUM},
        {"inet_down", F_INET_DOWN, K_NUM},
        {"gpu_frac", F_GPU_FRAC, K_NUM},
        {"direct_port_count", F_DIRECT_PORTS, K_NUM},
        {"rentable", F_RENTABLE, K_BOOL},
        {"rented", F_RENTED, K_BOOL},
        {"verified", F_VERIFIED, K_BOOL},
        {"static_ip", F_STATIC_IP, K_BOOL},
        {"external", F_EXTERNAL, K_BOOL},
        {"gpu_name", F_GPU_NAME, K_STR},
        {"geolocation", F_GEOLOCATION, K_STR},
        {"cpu_name", F_CPU_NAME, K_STR},
        {"driver_version", F_DRIVER, K_STR},
        {"gpu_arch", F_GPU_ARCH, K_STR},
        {"verification", F_VERIFICATION, K_STR},
        {"cpu_arch", F_CPU_ARCH, K_STR},
};
#define FIELDS_LEN (sizeof(fields) / sizeof(fields[0]))

enum op { OP_EQ, OP_NEQ, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_IN, OP_NOTIN };

static const char *const op_names[] = {"eq", "neq", "gt", "gte", "lt", "lte", "in", "notin"};

struct cond {
        const struct field_desc *field;
        enum op op;
        json_t *value; /* borrowed from root */
};

struct sim_vastq {
        json_t *root;
        struct cond conds[VASTQ_CONDS_MAX];
        size_t n;
        size_t limit;
        bool bid_only; /* type bid/interruptible: offers with interruptible pricing */
};

static const struct field_desc *find_field(const char *name)
{
        size_t i;

        for (i = 0; i < FIELDS_LEN; i++)
                if (strcmp(fields[i].name, name) == 0)
                        return &fields[i];
        return NULL;
}

static int add_cond(struct sim_vastq *q, const struct field_desc *f, enum op op, json_t *v,
                    char *errbuf, size_t errlen)
{
        if (q->n >= VASTQ_CONDS_MAX) {
                (void)snprintf(errbuf, errlen, "too many query conditions");
                return -1;
        }
        if ((op == OP_IN || op == OP_NOTIN) && !json_is_array(v)) {
                (void)snprintf(errbuf, errlen, "operator %s on %s needs a list", op_names[op],
                               f->name);
                return -1;
        }
        q->conds[q->n].field = f;
        q->conds[q->n].op = op;
        q->conds[q->n].value = v;
        q->n++;
        return 0;
}

int sim_vastq_parse(const char *text, size_t len, struct sim_vastq **ret, char *errbuf,
                    size_t errlen)
{
        struct sim_vastq *q;
        json_error_t jerr;
        const char *key;
        json_t *val;

        q = calloc(1, sizeof(*q));
        if (!q) {
                (void)snprintf(errbuf, errlen, "out of memory");
                return -1;
        }
        q->root = json_loadb(text, len, 0, &jerr);
        if (!q->root || !json_is_object(q->root)) {
                (void)snprintf(errbuf, errlen, "q is not a JSON object: %s",
                               q->root ? "wrong type" : jerr.text);
                goto fail;
        }
        json_object_foreach(q->root, key, val)
        {
                const struct field_desc *f;
                const char *opname;
                json_t *opval;

                if (strcmp(key, "type") == 0) {
                        const char *t = json_is_object(val)
                                                ? json_string_value(json_object_get(val, "eq"))
                                                : json_string_value(val);

                        if (!t || (strcmp(t, "on-demand") != 0 && strcmp(t, "ask") != 0 &&
                                   strcmp(t, "reserved") != 0 && strcmp(t, "bid") != 0 &&
                                   strcmp(t, "interruptible") != 0)) {
                                (void)snprintf(errbuf, errlen,
                                               "unknown offer type; use "
                                               "on-demand, reserved or bid");
                                goto fail;
                        }
                        q->bid_only = strcmp(t, "bid") == 0 || strcmp(t, "interruptible") == 0;
                        continue;
                }
                if (strcmp(key, "limit") == 0) {
                        if (json_is_integer(val) && json_integer_value(val) > 0)
                                q->limit = json_integer_value(val) > VASTQ_LIMIT_MAX
                                                   ? VASTQ_LIMIT_MAX
                                                   : (size_t)json_integer_value(val);
                        continue;
                }
                f = find_field(key);
                if (!f)
                        continue; /* order, allocated_storage, unknown keys */
                if (!json_is_object(val)) {
                        if (add_cond(q, f, OP_EQ, val, errbuf, errlen) < 0)
                                goto fail;
                        continue;
                }
                json_object_foreach(val, opname, opval)
                {
                        size_t o;

                        for (o = 0; o < sizeof(op_names) / sizeof(op_names[0]); o++)
                                if (strcmp(opname, op_names[o]) == 0)
                                        break;
                        if (o == sizeof(op_names) / sizeof(op_names[0])) {
                                (void)snprintf(errbuf, errlen, "unknown operator '%.32s' on %s",
                                               opname, f->name);
                                goto fail;
                        }
                        if (add_cond(q, f, (enum op)o, opval, errbuf, errlen) < 0)
                                goto fail;
                }
        }
        *ret = q;
        return 0;
fail:
        sim_vastq_free(q);
        return -1;
}

void sim_vastq_free(struct sim_vastq *q)
{
        if (!q)
                return;
        json_decref(q->root);
        free(q);
}

size_t sim_vastq_limit(const struct sim_vastq *q)
{
        return q ? q->limit : 0;
}

static double num_of(const struct sim_vast_offer *o, enum field_id id)
{
        switch (id) {
        case F_ID:
                return (double)o->id;
        case F_MACHINE_ID:
                return o->machine_id;
        case F_HOST_ID:
                return o->host_id;
        case F_NUM_GPUS:
                return o->num_gpus;
        case F_GPU_RAM:
                return o->gpu_ram_mb;
        case F_GPU_TOTAL_RAM:
                return (double)o->gpu_ram_mb * o->num_gpus;
        case F_DPH_TOTAL:
                return (double)((o->dph_total_uusd + 50) / 100) / 10000.0;
        case F_DPH_BASE:
                return (double)((o->dph_base_uusd + 50) / 100) / 10000.0;
        case F_MIN_BID:
                return (double)((o->min_bid_uusd + 50) / 100) / 10000.0;
        case F_STORAGE_COST:
                return (double)((o->storage_cost_uusd + 50) / 100) / 10000.0;
        case F_RELIABILITY:
                return o->reliability_e7 / 1e7;
        case F_CUDA:
                return o->cuda_x10 / 10.0;
        case F_COMPUTE_CAP:
                return o->model->compute_cap;
        case F_CPU_CORES:
                return o->cpu_cores;
        case F_CPU_CORES_EFF:
                return o->cpu_cores < 8 * o->num_gpus ? o->cpu_cores : 8 * o->num_gpus;
        case F_CPU_RAM:
                return o->cpu_ram_mb;
        case F_DISK_SPACE:
                return o->disk_space_gb;
        case F_INET_UP:
                return o->inet_up;
        case F_INET_DOWN:
                return o->inet_down;
        case F_GPU_FRAC:
                return 1.0;
        case F_DIRECT_PORTS:
                return o->static_ip ? 64 : 16;
        case F_RENTABLE:
                return 1;
        case F_RENTED:
                return o->rented_by ? 1 : 0;
        case F_VERIFIED:
                return o->verified;
        case F_STATIC_IP:
                return o->static_ip;
        case F_EXTERNAL:
                return 0;
        default:
                return 0;
        }
}

static const char *str_of(const struct sim_vast_offer *o, enum field_id id)
{
        switch (id) {
        case F_GPU_NAME:
                return o->gpu_name;
        case F_GEOLOCATION:
                return o->geo->geolocation;
        case F_CPU_NAME:
                return o->cpu_name;
        case F_DRIVER:
                return o->driver_version;
        case F_GPU_ARCH:
                return "nvidia";
        case F_VERIFICATION:
                return o->verified ? "verified" : "unverified";
        case F_CPU_ARCH:
                return "amd64";
        default:
                return "";
        }
}

/* gpu_name: case-insensitive with '_' == ' ' (what the Vast CLI does to its input). */
static bool gpu_name_eq(const char *a, const char *b)
{
        for (;; a++, b++) {
                int ca = *a == '_' ? ' ' : tolower((unsigned char)*a);
                int cb = *b == '_' ? ' ' : tolower((unsigned char)*b);

                if (ca != cb)
                        return false;
                if (!ca)
                        return true;
        }
}

static bool str_eq(const struct sim_vast_offer *o, enum field_id id, const char *want)
{
        if (id == F_GPU_NAME)
                return gpu_name_eq(o->gpu_name, want);
        if (id == F_GEOLOCATION)
                return strcasecmp(o->geo->geolocation, want) == 0 ||
                       (o->geo->country[0] && strcasecmp(o->geo->country, want) == 0);
        return strcasecmp(str_of(o, id), want) == 0;
}

static bool json_num(const json_t *v, double *ret)
{
        if (json_is_number(v)) {
                *ret = json_number_value(v);
                return true;
        }
        if (json_is_boolean(v)) {
                *ret = json_is_true(v) ? 1 : 0;
                return true;
        }
        if (json_is_string(v)) {
                char *end;
                double d = strtod(json_string_value(v), &end);

                if (end != json_string_value(v) && *end == '\0') {
                        *ret = d;
                        return true;
                }
        }
        return false;
}

/* Scalar equality of an offer field with one JSON value; *ok false when not comparable. */
static bool scalar_eq(const struct sim_vast_offer *o, const struct field_desc *f, const json_t *v)
{
        double want, have;

        if (f->kind == K_STR)
                return json_is_string(v) && str_eq(o, f->id, json_string_value(v));
        if (f->kind == K_BOOL && json_is_string(v))
                return (strcasecmp(json_string_value(v), "true") == 0) == (num_of(o, f->id) != 0);
        if (!json_num(v, &want))
                return false;
        have = num_of(o, f->id);
        return fabs(have - want) <= 1e-9 * (fabs(want) > 1 ? fabs(want) : 1);
}

static bool cond_match(const struct sim_vast_offer *o, const struct cond *c)
{
        double want, have;
        size_t i;
        json_t *el;

        switch (c->op) {
        case OP_EQ:
                return scalar_eq(o, c->field, c->value);
        case OP_NEQ:
                return !scalar_eq(o, c->field, c->value);
        case OP_IN:
        case OP_NOTIN:
                json_array_foreach(c->value, i, el)
                {
                        if (scalar_eq(o, c->field, el))
                                return c->op == OP_IN;
                }
                return c->op == OP_NOTIN;
        default:
                break;
        }
        if (c->field->kind == K_STR || !json_num(c->value, &want))
                return true; /* ordering on strings / non-numbers: ignored */
        have = num_of(o, c->field->id);
        switch (c->op) {
        case OP_GT:
                return have > want;
        case OP_GTE:
                return have >= want;
        case OP_LT:
                return have < want;
        case OP_LTE:
                return have <= want;
        default:
                return true;
        }
}

bool sim_vastq_match(const struct sim_vastq *q, const struct sim_vast_offer *o)
{
        size_t i;

        if (!q)
                return true;
        if (q->bid_only && o->min_bid_uusd == 0)
                return false;
        for (i = 0; i < q->n; i++)
                if (!cond_match(o, &q->conds[i]))
                        return false;
        return true;
}
