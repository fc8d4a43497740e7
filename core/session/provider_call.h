/*
 * provider_call.h - the session service's calls into provider plugins:
 * create, get, destroy and find-by-label, each inside
 * registry_enter()/registry_leave(), with the emitted instance copied into an
 * owned struct instance_state. Thread-safe; fills err, never logs.
 */
#ifndef GS_PROVIDER_CALL_H
#define GS_PROVIDER_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/registry.h"
#include "status.h"

/* An owned copy of struct gs_instance_info. */
struct instance_state {
        uint32_t state; /* GS_INST_* */
        char *instance_id;
        char *label;                 /* may be NULL */
        char *status_raw;            /* may be NULL */
        char *ssh_host;              /* NULL = unknown */
        uint32_t ssh_port;           /* 0 = unknown */
        char *ssh_user;              /* may be NULL */
        int64_t price_uusd_per_hour; /* 0 = not reported */
        int64_t created_at_ms;       /* 0 = not reported */
};

/* Free the strings and zero. NULL-safe. */
void instance_state_done(struct instance_state *s);

/* Owned copies of every instance a listing reported. */
struct instance_list {
        struct instance_state *items;
        size_t count;
        size_t cap;
};

/* Free every item and the array. NULL-safe. */
void instance_list_done(struct instance_list *l);
/* Has a usable SSH endpoint (host and port known). */
bool instance_state_has_ssh(const struct instance_state *s);

/* The provider can be provisioned on: get_instance and list_instances are
 * implemented (the zero-orphan promise needs both). */
bool provider_call_can_provision(const struct plugin_instance *pi);

/* create_instance; 0 and *ret_state (instance_id set). A plugin that returns
 * 0 without emitting is GS_E_BADRESPONSE. */
int provider_call_create(struct plugin_instance *pi, const struct gs_create_request *req,
                         struct instance_state *ret_state, struct gs_error *err);
/* get_instance; 0 and *ret_state, GS_E_NOTFOUND when the provider no longer
 * has it, other failures as the plugin returns them. */
int provider_call_get(struct plugin_instance *pi, const char *instance_id,
                      struct instance_state *ret_state, struct gs_error *err);
/* destroy_instance (0 also when already gone). */
int provider_call_destroy(struct plugin_instance *pi, const char *instance_id,
                          struct gs_error *err);
/* list_instances, looking for `label`: 0 and *ret_state for the first
 * instance carrying it, GS_E_NOTFOUND when none does. */
int provider_call_find_label(struct plugin_instance *pi, const char *label,
                             struct instance_state *ret_state, struct gs_error *err);
/* list_instances: 0 and *ret_list with every instance of the account (ours,
 * other deployments' and unlabelled ones alike), or the plugin's failure. */
int provider_call_list(struct plugin_instance *pi, struct instance_list *ret_list,
                       struct gs_error *err);

#endif /* GS_PROVIDER_CALL_H */
