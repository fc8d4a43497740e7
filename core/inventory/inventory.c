/* inventory.c - the pollers, the snapshots they publish and the current view. */
#include "inventory/inventory.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "status.h"

struct inventory {
        struct registry *reg;
        struct inventory_settings settings;
        size_t n;
        const char *names[OFFER_FILTER_PROVIDERS_MAX];
        struct poller pollers[OFFER_FILTER_PROVIDERS_MAX];
        /* The newest snapshot of each provider; one reference each. Guarded
         * by build_lock, which also serialises view builds. */
        pthread_mutex_t build_lock;
        struct snapshot *snaps[OFFER_FILTER_PROVIDERS_MAX];
        /* The view requests read. Requests take a reference under the read
         * lock (never waiting for each other); a swap takes the write lock
         * for one pointer store. */
        pthread_rwlock_t view_lock;
        struct view *view;
};

static void swap_view(struct inventory *inv, struct view *v)
{
        struct view *old;

        pthread_rwlock_wrlock(&inv->view_lock);
        old = inv->view;
        inv->view = v;
        pthread_rwlock_unlock(&inv->view_lock);
        view_unref(old);
}

/* poller_publish_fn: takes snap. */
static int publish(void *ctx, size_t index, struct snapshot *snap)
{
        struct inventory *inv = ctx;
        struct view *v = NULL;
        int r;

        pthread_mutex_lock(&inv->build_lock);
        snapshot_unref(inv->snaps[index]);
        inv->snaps[index] = snap;
        r = view_build(inv->names, inv->snaps, inv->n, &v);
        pthread_mutex_unlock(&inv->build_lock);
        if (r < 0)
                return r;
        swap_view(inv, v);
        return 0;
}

static void inventory_free(struct inventory *inv)
{
        for (size_t i = 0; i < inv->n; i++)
                poller_request_stop(&inv->pollers[i]);
        for (size_t i = 0; i < inv->n; i++)
                poller_join(&inv->pollers[i]);
        view_unref(inv->view);
        for (size_t i = 0; i < inv->n; i++)
                snapshot_unref(inv->snaps[i]);
        pthread_rwlock_destroy(&inv->view_lock);
        pthread_mutex_destroy(&inv->build_lock);
        free(inv);
}

int inventory_start(struct registry *reg, const struct inventory_settings *settings,
                    struct inventory **ret_inv)
{
        struct inventory *inv;
        int r;

        if (reg->provider_count > OFFER_FILTER_PROVIDERS_MAX) {
                LOG_ERR("inventory", "%zu provider instances configured, at most %d supported",
                        reg->provider_count, OFFER_FILTER_PROVIDERS_MAX);
                return GS_E_CONFIG;
        }
        inv = calloc(1, sizeof(*inv));
        if (!inv)
                return GS_E_NOMEM;
        inv->reg = reg;
        inv->settings = *settings;
        inv->n = reg->provider_count;
        if (pthread_mutex_init(&inv->build_lock, NULL) != 0) {
                free(inv);
                return GS_E_NOMEM;
        }
        if (pthread_rwlock_init(&inv->view_lock, NULL) != 0) {
                pthread_mutex_destroy(&inv->build_lock);
                free(inv);
                return GS_E_NOMEM;
        }
        for (size_t i = 0; i < inv->n; i++)
                inv->names[i] = reg->providers[i]->name;
        r = view_build(inv->names, inv->snaps, inv->n, &inv->view);
        if (r < 0) {
                LOG_ERR("inventory", "cannot build the empty view: %s", gs_strerror(r));
                goto fail;
        }
        for (size_t i = 0; i < inv->n; i++) {
                struct poller *p = &inv->pollers[i];

                p->index = i;
                p->pi = reg->providers[i];
                p->settings = &inv->settings;
                p->publish = publish;
                p->publish_ctx = inv;
                r = poller_start(p);
                if (r < 0)
                        goto fail;
        }
        *ret_inv = inv;
        return 0;
fail:
        inventory_free(inv);
        return r;
}

void inventory_stop(struct inventory *inv)
{
        if (inv)
                inventory_free(inv);
}

struct view *inventory_view(struct inventory *inv)
{
        struct view *v;

        if (!inv)
                return NULL;
        pthread_rwlock_rdlock(&inv->view_lock);
        v = view_ref(inv->view);
        pthread_rwlock_unlock(&inv->view_lock);
        return v;
}

size_t inventory_provider_count(const struct inventory *inv)
{
        return inv ? inv->n : 0;
}

const char *inventory_provider_name(const struct inventory *inv, size_t index)
{
        return inv && index < inv->n ? inv->names[index] : NULL;
}

int inventory_health(struct inventory *inv, size_t index, struct poller_health *ret_health)
{
        if (!inv || index >= inv->n || !ret_health)
                return GS_E_INVAL;
        poller_health(&inv->pollers[index], ret_health);
        return 0;
}

bool inventory_health_is_degraded(const struct poller_health *h)
{
        return h->last_success_ms == 0 || h->consecutive_failures > 0;
}
