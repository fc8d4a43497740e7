/* provider_call.c - provider ops with owned copies of what they emit. */
#include "session/provider_call.h"

#include <stdlib.h>
#include <string.h>

#include "plugin/host_api.h"

struct copy_ctx {
        struct instance_state st;
        const char *want_label; /* find-by-label: skip others */
        bool copied;
        bool oom;
};

static char *dup_or_null(const char *s, bool *oom)
{
        char *d;

        if (!s)
                return NULL;
        d = strdup(s);
        if (!d)
                *oom = true;
        return d;
}

static void copy_into(struct instance_state *st, const struct gs_instance_info *info, bool *oom)
{
        st->state = info->state;
        st->ssh_port = info->ssh_port;
        st->price_uusd_per_hour = info->price_uusd_per_hour;
        st->created_at_ms = info->created_at_ms;
        st->instance_id = dup_or_null(info->instance_id, oom);
        st->label = dup_or_null(info->label, oom);
        st->status_raw = dup_or_null(info->status_raw, oom);
        st->ssh_host =
                dup_or_null(info->ssh_host && info->ssh_host[0] ? info->ssh_host : NULL, oom);
        st->ssh_user =
                dup_or_null(info->ssh_user && info->ssh_user[0] ? info->ssh_user : NULL, oom);
}

static int copy_instance(void *ctx, const struct gs_instance_info *info)
{
        struct copy_ctx *c = ctx;

        if (c->copied)
                return 0;
        if (c->want_label && (!info->label || strcmp(info->label, c->want_label) != 0))
                return 0;
        copy_into(&c->st, info, &c->oom);
        c->copied = true;
        return c->oom ? GS_E_NOMEM : 0;
}

/* list_instances sink: append every instance. */
static int append_instance(void *ctx, const struct gs_instance_info *info)
{
        struct instance_list *l = ctx;
        struct instance_state *grown;
        bool oom = false;

        if (l->count == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;

                grown = realloc(l->items, cap * sizeof(*grown));
                if (!grown)
                        return GS_E_NOMEM;
                l->items = grown;
                l->cap = cap;
        }
        memset(&l->items[l->count], 0, sizeof(l->items[0]));
        copy_into(&l->items[l->count], info, &oom);
        l->count++; /* freed by instance_list_done() even when partial */
        return oom ? GS_E_NOMEM : 0;
}

void instance_state_done(struct instance_state *s)
{
        if (!s)
                return;
        free(s->instance_id);
        free(s->label);
        free(s->status_raw);
        free(s->ssh_host);
        free(s->ssh_user);
        memset(s, 0, sizeof(*s));
}

void instance_list_done(struct instance_list *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->count; i++)
                instance_state_done(&l->items[i]);
        free(l->items);
        memset(l, 0, sizeof(*l));
}

bool instance_state_has_ssh(const struct instance_state *s)
{
        return s->ssh_host && s->ssh_host[0] && s->ssh_port > 0;
}

bool provider_call_can_provision(const struct plugin_instance *pi)
{
        const struct gs_provider_ops *ops = pi ? pi->provider : NULL;

        return ops && (ops->caps & GS_PROV_CAP_STATUS) && (ops->caps & GS_PROV_CAP_RECONCILE) &&
               ops->get_instance && ops->list_instances;
}

/* Hand the copy to the caller, or free it on failure. */
static int finish(struct copy_ctx *c, int r, const char *op, struct instance_state *ret_state,
                  struct gs_error *err)
{
        if (r == 0 && c->oom)
                r = gs_error_set(err, GS_E_NOMEM, 0, "%s: out of memory", op);
        if (r == 0 && !c->copied)
                r = gs_error_set(err, GS_E_BADRESPONSE, 0,
                                 "%s: the plugin reported success but described no instance", op);
        if (r < 0) {
                instance_state_done(&c->st);
                return r;
        }
        *ret_state = c->st;
        return 0;
}

int provider_call_create(struct plugin_instance *pi, const struct gs_create_request *req,
                         struct instance_state *ret_state, struct gs_error *err)
{
        struct copy_ctx c = {.copied = false};
        struct gs_instance_sink sink = {.fn = copy_instance, .ctx = &c};
        int r;

        registry_enter(pi);
        r = pi->provider->create_instance(pi->instance, req, &sink, err);
        registry_leave(pi);
        return finish(&c, r, "create_instance", ret_state, err);
}

int provider_call_get(struct plugin_instance *pi, const char *instance_id,
                      struct instance_state *ret_state, struct gs_error *err)
{
        struct copy_ctx c = {.copied = false};
        struct gs_instance_sink sink = {.fn = copy_instance, .ctx = &c};
        int r;

        if (!pi->provider->get_instance)
                return gs_error_set(err, GS_E_NOTSUP, 0, "get_instance: not supported");
        registry_enter(pi);
        r = pi->provider->get_instance(pi->instance, instance_id, &sink, err);
        registry_leave(pi);
        return finish(&c, r, "get_instance", ret_state, err);
}

int provider_call_destroy(struct plugin_instance *pi, const char *instance_id, struct gs_error *err)
{
        int r;

        registry_enter(pi);
        r = pi->provider->destroy_instance(pi->instance, instance_id, err);
        registry_leave(pi);
        return r;
}

int provider_call_find_label(struct plugin_instance *pi, const char *label,
                             struct instance_state *ret_state, struct gs_error *err)
{
        struct copy_ctx c = {.want_label = label};
        struct gs_instance_sink sink = {.fn = copy_instance, .ctx = &c};
        int r;

        if (!pi->provider->list_instances)
                return gs_error_set(err, GS_E_NOTSUP, 0, "list_instances: not supported");
        registry_enter(pi);
        r = pi->provider->list_instances(pi->instance, &sink, err);
        registry_leave(pi);
        if (r == 0 && !c.copied && !c.oom)
                return gs_error_set(err, GS_E_NOTFOUND, 0, "no instance labelled '%s'", label);
        return finish(&c, r, "list_instances", ret_state, err);
}

int provider_call_list(struct plugin_instance *pi, struct instance_list *ret_list,
                       struct gs_error *err)
{
        struct instance_list l;
        struct gs_instance_sink sink = {.fn = append_instance, .ctx = &l};
        int r;

        memset(&l, 0, sizeof(l));
        if (!pi->provider->list_instances)
                return gs_error_set(err, GS_E_NOTSUP, 0, "list_instances: not supported");
        registry_enter(pi);
        r = pi->provider->list_instances(pi->instance, &sink, err);
        registry_leave(pi);
        if (r < 0) {
                instance_list_done(&l);
                return r;
        }
        *ret_list = l;
        return 0;
}
