/*
 * inventory.h - the inventory service: one poller per provider instance and
 * the current merged view that requests read (stale-while-revalidate: a
 * request takes a reference on the current view under a short lock and
 * never waits for a provider).
 *
 * inventory_start/inventory_stop run on the main thread: start after the
 * plugins' init() and before the HTTP server; stop after the HTTP server and
 * before registry_free(). Everything else is thread-safe.
 */
#ifndef GS_INVENTORY_H
#define GS_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/poller.h"
#include "inventory/view.h"
#include "plugin/registry.h"
#include "settings.h"

struct inventory;

/* Start one poller per provider of reg (the registry must outlive the
 * service). 0 with *ret_inv, or a GS_E_* (logged; nothing left running). */
int inventory_start(struct registry *reg, const struct inventory_settings *settings,
                    struct inventory **ret_inv);
/* Stop every poller (each finishes a provider call in flight), join them and
 * free everything. NULL-safe. */
void inventory_stop(struct inventory *inv);

/* A reference on the current view (never NULL for a started service; NULL
 * when inv is NULL). Release it with view_unref(). */
struct view *inventory_view(struct inventory *inv);

size_t inventory_provider_count(const struct inventory *inv);
/* Instance name of provider `index`, NULL when out of range. */
const char *inventory_provider_name(const struct inventory *inv, size_t index);
/* Copy provider `index`'s health; GS_E_INVAL when out of range. */
int inventory_health(struct inventory *inv, size_t index, struct poller_health *ret_health);
/* Failing now, or never listed successfully. */
bool inventory_health_is_degraded(const struct poller_health *h);

#endif /* GS_INVENTORY_H */
