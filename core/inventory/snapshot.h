/*
 * snapshot.h - one provider instance's offers as of one listing: immutable
 * once built, reference-counted, shared by the inventory view and by any
 * request still reading it. Offers are normalized (canonical GPU model,
 * derived value metrics, pre-rendered JSON) when the snapshot is built, so
 * requests never normalize.
 *
 * Building: snapshot_builder_new(), snapshot_builder_add() for each offer
 * the plugin emits (it is the offer sink's callback, on the poller thread),
 * then snapshot_finish_take(). A finished snapshot may be read from any
 * thread by whoever holds a reference.
 */
#ifndef GS_SNAPSHOT_H
#define GS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/offer.h"
#include "gpushop/plugin.h"
#include "inventory/arena.h"

struct snapshot {
        unsigned refs;         /* atomic */
        const char *provider;  /* instance name */
        int64_t fetched_at_ms; /* when the listing completed */
        struct offer *offers;  /* sorted by provider_id (strcmp), ids unique */
        size_t count;
        size_t dropped;     /* emitted but not kept: duplicate id, blank GPU name */
        bool truncated;     /* the listing had more than the cap */
        struct arena arena; /* every string and JSON rendering */
};

struct snapshot *snapshot_ref(struct snapshot *s);
/* Drop a reference; the last one frees. NULL-safe; returns NULL. */
struct snapshot *snapshot_unref(struct snapshot *s);
/* The offer with this provider-local id, or NULL. */
const struct offer *snapshot_find(const struct snapshot *s, const char *provider_id);

struct snapshot_builder;

/* A builder for `provider` that keeps at most max_offers offers; NULL = OOM. */
struct snapshot_builder *snapshot_builder_new(const char *provider, size_t max_offers);
/* NULL-safe. */
void snapshot_builder_free(struct snapshot_builder *b);
/*
 * Copy and normalize one offer. Returns 0 (also for an offer that is
 * dropped), GS_E_TOOBIG when the cap is reached (the builder is marked
 * truncated; the plugin stops emitting), GS_E_NOMEM.
 */
int snapshot_builder_add(struct snapshot_builder *b, const struct gs_offer *offer);
bool snapshot_builder_truncated(const struct snapshot_builder *b);
size_t snapshot_builder_count(const struct snapshot_builder *b);
/*
 * Sort, drop duplicate ids (the first emitted wins), stamp fetched_at_ms,
 * render JSON and return the snapshot with one reference. Takes b: it is
 * freed even on failure. 0 or GS_E_NOMEM.
 */
int snapshot_finish_take(struct snapshot_builder *b, int64_t fetched_at_ms,
                         struct snapshot **ret_snapshot);

#endif /* GS_SNAPSHOT_H */
