/* cost_live.c - snapshot of the active sessions for live costs and budgets. */
#include "costs/cost_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cost_meter.h"
#include "status.h"

#define LIVE_INITIAL 16
#define ACTIVE_MASK                                                                                \
        ((1u << GS_SESSION_PENDING) | (1u << GS_SESSION_PROVISIONING) |                            \
         (1u << GS_SESSION_RUNNING) | (1u << GS_SESSION_STOPPING))

struct load_ctx {
        struct cost_live *l;
        int status;
};

static void entry_free(struct cost_live_session *s)
{
        free(s->provider);
        free(s->gpu_type);
}

void cost_live_done(struct cost_live *l)
{
        for (size_t i = 0; i < l->count; i++)
                entry_free(&l->items[i]);
        free(l->items);
        memset(l, 0, sizeof(*l));
}

static int add_session(void *ctx, const struct gs_session_record *rec)
{
        struct load_ctx *c = ctx;
        struct cost_live *l = c->l;
        struct cost_live_session s = {0};

        if (l->count >= COST_LIVE_MAX) {
                c->status = GS_E_TOOBIG;
                return GS_E_TOOBIG;
        }
        if (l->count == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : LIVE_INITIAL;
                struct cost_live_session *n = realloc(l->items, cap * sizeof(*n));

                if (!n)
                        goto nomem;
                l->items = n;
                l->cap = cap;
        }
        (void)snprintf(s.id, sizeof(s.id), "%s", rec->id ? rec->id : "");
        (void)snprintf(s.consumer_id, sizeof(s.consumer_id), "%s",
                       rec->consumer_id ? rec->consumer_id : "");
        s.provider = strdup(rec->provider ? rec->provider : "");
        s.gpu_type = strdup(rec->gpu_type ? rec->gpu_type : "");
        if (!s.provider || !s.gpu_type)
                goto nomem;
        s.status = rec->status;
        s.price_uusd_per_hour = cost_meter_price_uusd(rec);
        s.instance_created_at_ms = rec->instance_created_at_ms;
        s.stopped_at_ms = rec->stopped_at_ms;
        l->items[l->count++] = s;
        return 0;
nomem:
        entry_free(&s);
        c->status = GS_E_NOMEM;
        return GS_E_NOMEM;
}

static int id_cmp(const void *a, const void *b)
{
        return strcmp(((const struct cost_live_session *)a)->id,
                      ((const struct cost_live_session *)b)->id);
}

int cost_live_load(struct plugin_instance *st, const char *consumer_id, struct cost_live *ret,
                   struct gs_error *err)
{
        struct cost_live l = {0};
        struct load_ctx c = {.l = &l, .status = 0};
        struct gs_session_sink sink = {.fn = add_session, .ctx = &c};
        struct gs_session_filter f = {.struct_size = sizeof(f),
                                      .status_mask = ACTIVE_MASK,
                                      .consumer_id = consumer_id,
                                      .limit = COST_LIVE_MAX + 1};
        int r;

        /* One call: the storage reads the whole list in one transaction. */
        registry_enter(st);
        r = st->storage->session_list(st->instance, &f, &sink, NULL, err);
        registry_leave(st);
        if (c.status < 0)
                r = gs_error_set(err, c.status, 0,
                                 c.status == GS_E_TOOBIG
                                         ? "more than %d active sessions"
                                         : "out of memory listing %d active sessions",
                                 COST_LIVE_MAX);
        if (r < 0) {
                cost_live_done(&l);
                return r;
        }
        if (l.count > 1)
                qsort(l.items, l.count, sizeof(*l.items), id_cmp);
        *ret = l;
        return 0;
}

bool cost_live_is_billing(const struct cost_live_session *s)
{
        return s->instance_created_at_ms > 0 &&
               (s->status == GS_SESSION_PROVISIONING || s->status == GS_SESSION_RUNNING ||
                s->status == GS_SESSION_STOPPING);
}

bool cost_live_is_committed(const struct cost_live_session *s)
{
        return s->status == GS_SESSION_PENDING || s->status == GS_SESSION_PROVISIONING ||
               s->status == GS_SESSION_RUNNING;
}

bool cost_live_none_finalized(const struct cost_live *before, const struct cost_live *after)
{
        for (size_t i = 0; i < before->count; i++) {
                const struct cost_live_session *b = &before->items[i];
                const struct cost_live_session *a;

                if (!cost_live_is_billing(b))
                        continue;
                a = after->count ? bsearch(b, after->items, after->count, sizeof(*b), id_cmp)
                                 : NULL;
                if (!a || !cost_live_is_billing(a))
                        return false;
        }
        return true;
}

int64_t cost_live_amount_uusd(const struct cost_live_session *s, int64_t now_ms)
{
        struct cost_interval iv;

        if (!cost_live_is_billing(s))
                return 0;
        iv.start_ms = s->instance_created_at_ms;
        iv.end_ms = s->stopped_at_ms > 0 ? s->stopped_at_ms : now_ms;
        if (iv.end_ms < iv.start_ms)
                iv.end_ms = iv.start_ms;
        return cost_meter_amount_uusd(s->price_uusd_per_hour, iv);
}
