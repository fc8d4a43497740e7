/* Fault injection: the rule table, matching a request to a rule and its JSON form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define FAULT_DELAY_DEFAULT_MS 1000
#define FAULT_DESTROY_STATUS 500

static const char *const kind_names[_SIM_FAULT_KIND_MAX] = {
        "status", "delay", "hang", "malformed", "wrong_types", "huge", "stale", "destroy_fail",
};

static struct sim_fault rules[SIM_FAULTS_MAX];
static size_t n_rules;
static uint64_t next_id = 1;

static int kind_from_name(const char *s)
{
        size_t i;

        for (i = 0; i < _SIM_FAULT_KIND_MAX; i++)
                if (strcmp(kind_names[i], s) == 0)
                        return (int)i;
        return -1;
}

static void drop_rule(size_t i)
{
        free(rules[i].body);
        memmove(&rules[i], &rules[i + 1], (n_rules - i - 1) * sizeof(rules[0]));
        n_rules--;
}

static void prune_exhausted(void)
{
        size_t i = 0;

        while (i < n_rules) {
                if (rules[i].remaining == 0 && rules[i].kind != SIM_FAULT_HANG)
                        drop_rule(i);
                else
                        i++;
        }
}

static bool get_int(json_t *spec, const char *key, json_int_t lo, json_int_t hi, json_int_t *ret,
                    char *errbuf, size_t errlen, bool *bad)
{
        json_t *v = json_object_get(spec, key);

        if (!v || json_is_null(v))
                return false;
        if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
                (void)snprintf(errbuf, errlen, "'%s' must be an integer in [%lld, %lld]", key,
                               (long long)lo, (long long)hi);
                *bad = true;
                return false;
        }
        *ret = json_integer_value(v);
        return true;
}

int sim_fault_add(json_t *spec, uint64_t *ret_id, char *errbuf, size_t errlen)
{
        struct sim_fault f;
        const char *s;
        json_int_t v;
        bool bad = false;
        int k;

        memset(&f, 0, sizeof(f));
        f.provider = -1;
        f.route = -1;
        f.retry_after = -1;
        f.remaining = -1;
        if (!json_is_object(spec)) {
                (void)snprintf(errbuf, errlen, "body must be a JSON object");
                return -1;
        }
        s = json_string_value(json_object_get(spec, "kind"));
        k = s ? kind_from_name(s) : -1;
        if (k < 0) {
                (void)snprintf(errbuf, errlen,
                               "'kind' must be one of status, delay, hang, "
                               "malformed, wrong_types, huge, stale, destroy_fail");
                return -1;
        }
        f.kind = (enum sim_fault_kind)k;
        s = json_string_value(json_object_get(spec, "provider"));
        if (s && strcmp(s, "*") != 0) {
                f.provider = sim_provider_from_name(s);
                if (f.provider < 0) {
                        (void)snprintf(errbuf, errlen, "'provider' must be vast, td or *");
                        return -1;
                }
        }
        s = json_string_value(json_object_get(spec, "route"));
        if (s && strcmp(s, "*") != 0) {
                f.route = sim_route_from_name(s);
                if (f.route < 0) {
                        (void)snprintf(errbuf, errlen, "unknown 'route' %.64s", s);
                        return -1;
                }
        }
        if (f.kind == SIM_FAULT_STALE) {
                if (f.route >= 0 && f.route != ROUTE_CREATE) {
                        (void)snprintf(errbuf, errlen, "stale applies to route create only");
                        return -1;
                }
                f.route = ROUTE_CREATE;
        }
        if (f.kind == SIM_FAULT_DESTROY_FAIL) {
                if (f.route >= 0 && f.route != ROUTE_DESTROY) {
                        (void)snprintf(errbuf, errlen,
                                       "destroy_fail applies to route destroy only");
                        return -1;
                }
                f.route = ROUTE_DESTROY;
                f.status = FAULT_DESTROY_STATUS;
                f.remaining = 1;
                s = json_string_value(json_object_get(spec, "mode"));
                if (s && strcmp(s, "silent") == 0)
                        f.silent = true;
                else if (s && strcmp(s, "error") != 0) {
                        (void)snprintf(errbuf, errlen, "'mode' must be error or silent");
                        return -1;
                }
        }
        if (get_int(spec, "status", 100, 599, &v, errbuf, errlen, &bad))
                f.status = (int)v;
        if (bad)
                return -1;
        if (f.kind == SIM_FAULT_STATUS && f.status == 0) {
                (void)snprintf(errbuf, errlen, "kind status needs 'status'");
                return -1;
        }
        if (get_int(spec, "retry_after", 0, 86400, &v, errbuf, errlen, &bad))
                f.retry_after = (int)v;
        if (bad)
                return -1;
        f.ms = f.kind == SIM_FAULT_HANG ? SIM_HANG_DEFAULT_MS : FAULT_DELAY_DEFAULT_MS;
        if (get_int(spec, "ms", 0, f.kind == SIM_FAULT_HANG ? SIM_HANG_CAP_MS : SIM_DELAY_CAP_MS,
                    &v, errbuf, errlen, &bad))
                f.ms = v;
        if (bad)
                return -1;
        if (get_int(spec, "delay_ms", 0, SIM_DELAY_CAP_MS, &v, errbuf, errlen, &bad))
                f.ms = v;
        if (bad)
                return -1;
        if (get_int(spec, "count", 1, INT64_MAX, &v, errbuf, errlen, &bad))
                f.remaining = v;
        if (bad)
                return -1;
        if (f.kind == SIM_FAULT_DESTROY_FAIL &&
            get_int(spec, "times", 1, INT64_MAX, &v, errbuf, errlen, &bad))
                f.remaining = v;
        if (bad)
                return -1;
        f.bytes = SIM_HUGE_DEFAULT_BYTES;
        if (get_int(spec, "bytes", 1024, SIM_HUGE_MAX_BYTES, &v, errbuf, errlen, &bad))
                f.bytes = (size_t)v;
        if (bad)
                return -1;
        s = json_string_value(json_object_get(spec, "body"));
        if (s) {
                f.body = strdup(s);
                if (!f.body) {
                        (void)snprintf(errbuf, errlen, "out of memory");
                        return -1;
                }
        }
        if (n_rules == SIM_FAULTS_MAX)
                prune_exhausted();
        if (n_rules == SIM_FAULTS_MAX) {
                free(f.body);
                (void)snprintf(errbuf, errlen, "too many fault rules (%d)", SIM_FAULTS_MAX);
                return -1;
        }
        f.id = next_id++;
        rules[n_rules++] = f;
        *ret_id = f.id;
        return 0;
}

static bool in_stage(enum sim_fault_kind k, enum sim_fault_stage stage)
{
        switch (stage) {
        case SIM_STAGE_DELAY:
                return k == SIM_FAULT_DELAY;
        case SIM_STAGE_HANG:
                return k == SIM_FAULT_HANG;
        case SIM_STAGE_RESPONSE:
        default:
                return k != SIM_FAULT_DELAY && k != SIM_FAULT_HANG;
        }
}

bool sim_fault_take(enum sim_provider p, enum sim_route r, enum sim_fault_stage stage,
                    struct sim_fault *ret)
{
        size_t i;

        for (i = 0; i < n_rules; i++) {
                struct sim_fault *f = &rules[i];

                if (!in_stage(f->kind, stage) || f->remaining == 0)
                        continue;
                if (f->provider >= 0 && f->provider != (int)p)
                        continue;
                if (f->route >= 0 && f->route != (int)r)
                        continue;
                if (f->route < 0 && r == ROUTE_OTHER)
                        continue;
                if (f->remaining > 0)
                        f->remaining--;
                f->hits++;
                *ret = *f;
                ret->body = f->body ? strdup(f->body) : NULL;
                return true;
        }
        return false;
}

bool sim_fault_exists(uint64_t id)
{
        size_t i;

        for (i = 0; i < n_rules; i++)
                if (rules[i].id == id)
                        return true;
        return false;
}

int sim_fault_remove(uint64_t id)
{
        size_t i;

        for (i = 0; i < n_rules; i++) {
                if (rules[i].id == id) {
                        drop_rule(i);
                        return 0;
                }
        }
        return -1;
}

void sim_fault_clear(void)
{
        while (n_rules)
                drop_rule(n_rules - 1);
}

json_t *sim_fault_list_json(void)
{
        json_t *arr = json_array();
        size_t i;

        for (i = 0; arr && i < n_rules; i++) {
                const struct sim_fault *f = &rules[i];
                json_t *j = json_object();

                if (!j)
                        break;
                (void)json_object_set_new(j, "id", json_integer((json_int_t)f->id));
                (void)json_object_set_new(
                        j, "provider",
                        f->provider < 0
                                ? json_string("*")
                                : json_string(sim_provider_name((enum sim_provider)f->provider)));
                (void)json_object_set_new(
                        j, "route",
                        f->route < 0 ? json_string("*")
                                     : json_string(sim_route_name((enum sim_route)f->route)));
                (void)json_object_set_new(j, "kind", json_string(kind_names[f->kind]));
                if (f->status)
                        (void)json_object_set_new(j, "status", json_integer(f->status));
                if (f->retry_after >= 0)
                        (void)json_object_set_new(j, "retry_after", json_integer(f->retry_after));
                if (f->kind == SIM_FAULT_DELAY || f->kind == SIM_FAULT_HANG)
                        (void)json_object_set_new(j, "ms", json_integer(f->ms));
                if (f->kind == SIM_FAULT_HUGE)
                        (void)json_object_set_new(j, "bytes", json_integer((json_int_t)f->bytes));
                if (f->kind == SIM_FAULT_DESTROY_FAIL)
                        (void)json_object_set_new(j, "mode",
                                                  json_string(f->silent ? "silent" : "error"));
                (void)json_object_set_new(j, "remaining",
                                          f->remaining < 0 ? json_null()
                                                           : json_integer(f->remaining));
                (void)json_object_set_new(j, "hits", json_integer((json_int_t)f->hits));
                (void)json_array_append_new(arr, j);
        }
        return arr;
}
