/* event_tally.c - incremental counts of stored events by kind (and a detail member). */
#include "lifecycle/event_tally.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/host_api.h"

/* Events read per storage call (the SQLite plugin's page cap). */
#define PAGE 1000
/* Longest split value kept; longer ones count under "other". */
#define VALUE_MAX 64
#define VALUE_OTHER "other"
/* Distinct split values kept per kind; more count under "other". */
#define VALUES_MAX 64

struct tally_value {
        char name[VALUE_MAX + 1];
        uint64_t count;
};

struct tally_kind {
        char *kind;
        char *key; /* NULL = total only */
        int64_t cursor; /* newest event id counted; 0 = none */
        uint64_t total;
        struct tally_value values[VALUES_MAX];
        size_t n_values;
};

struct event_tally {
        struct plugin_instance *storage;
        pthread_mutex_t lock;
        struct tally_kind kinds[EVENT_TALLY_KINDS_MAX];
        size_t n_kinds;
};

struct page_ctx {
        struct tally_kind *k;
        int64_t cursor;   /* count only ids above it */
        int64_t newest;   /* newest id seen in this refresh */
        int64_t oldest;   /* oldest id of the page, for the next page */
        size_t rows;
        bool reached;     /* met an id already counted: stop paging */
};

struct event_tally *event_tally_new(struct plugin_instance *storage)
{
        struct event_tally *t = calloc(1, sizeof(*t));

        if (!t)
                return NULL;
        t->storage = storage;
        pthread_mutex_init(&t->lock, NULL);
        return t;
}

void event_tally_free(struct event_tally *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n_kinds; i++) {
                free(t->kinds[i].kind);
                free(t->kinds[i].key);
        }
        pthread_mutex_destroy(&t->lock);
        free(t);
}

int event_tally_track(struct event_tally *t, const char *kind, const char *key)
{
        struct tally_kind *k;

        if (t->n_kinds >= EVENT_TALLY_KINDS_MAX)
                return GS_E_TOOBIG;
        k = &t->kinds[t->n_kinds];
        memset(k, 0, sizeof(*k));
        k->kind = strdup(kind);
        k->key = key ? strdup(key) : NULL;
        if (!k->kind || (key && !k->key)) {
                free(k->kind);
                free(k->key);
                return GS_E_NOMEM;
        }
        t->n_kinds++;
        return 0;
}

static struct tally_value *value_slot(struct tally_kind *k, const char *name)
{
        if (!name || !name[0] || strlen(name) > VALUE_MAX)
                name = VALUE_OTHER;
        for (size_t i = 0; i < k->n_values; i++)
                if (strcmp(k->values[i].name, name) == 0)
                        return &k->values[i];
        /* The last slot is kept for "other". */
        if (k->n_values >= VALUES_MAX - 1 && strcmp(name, VALUE_OTHER) != 0)
                return value_slot(k, VALUE_OTHER);
        memcpy(k->values[k->n_values].name, name, strlen(name) + 1);
        k->values[k->n_values].count = 0;
        return &k->values[k->n_values++];
}

static void count_one(struct tally_kind *k, const char *detail_json)
{
        json_t *d = NULL;

        k->total++;
        if (!k->key)
                return;
        if (detail_json)
                d = json_loads(detail_json, 0, NULL);
        value_slot(k, json_string_value(json_object_get(d, k->key)))->count++;
        json_decref(d);
}

static int take_event(void *ctx, const struct gs_event *ev)
{
        struct page_ctx *p = ctx;

        p->rows++;
        if (p->oldest == 0 || ev->id < p->oldest)
                p->oldest = ev->id;
        if (ev->id <= p->cursor) {
                p->reached = true;
                return 0;
        }
        if (ev->id > p->newest)
                p->newest = ev->id;
        count_one(p->k, ev->detail_json);
        return 0;
}

/* Count the new events of one kind, newest first, page by page. */
static int refresh_kind(struct event_tally *t, struct tally_kind *k, struct gs_error *err)
{
        struct plugin_instance *st = t->storage;
        struct page_ctx p = {.k = k, .cursor = k->cursor, .newest = k->cursor};
        struct gs_event_filter f = {.struct_size = sizeof(f), .limit = PAGE, .kind = k->kind};
        struct gs_event_sink sink = {.fn = take_event, .ctx = &p};
        int r = 0;

        for (;;) {
                p.rows = 0;
                p.oldest = 0;
                registry_enter(st);
                r = st->storage->event_list(st->instance, &f, &sink, err);
                registry_leave(st);
                if (r < 0 || p.reached || p.rows < PAGE || p.oldest <= 1)
                        break;
                f.before_id = p.oldest;
        }
        /* A failed page leaves the cursor where the counted events end only
         * if nothing newer was skipped: restart from the old cursor. */
        if (r == 0)
                k->cursor = p.newest;
        return r;
}

int event_tally_refresh(struct event_tally *t, struct gs_error *err)
{
        int r = 0;

        pthread_mutex_lock(&t->lock);
        for (size_t i = 0; i < t->n_kinds && r == 0; i++) {
                struct tally_kind saved = t->kinds[i];

                r = refresh_kind(t, &t->kinds[i], err);
                if (r < 0)
                        t->kinds[i] = saved; /* all or nothing per kind */
        }
        pthread_mutex_unlock(&t->lock);
        return r;
}

static struct tally_kind *find_kind(struct event_tally *t, const char *kind)
{
        for (size_t i = 0; i < t->n_kinds; i++)
                if (strcmp(t->kinds[i].kind, kind) == 0)
                        return &t->kinds[i];
        return NULL;
}

uint64_t event_tally_get(struct event_tally *t, const char *kind, const char *value)
{
        struct tally_kind *k;
        uint64_t n = 0;

        pthread_mutex_lock(&t->lock);
        k = find_kind(t, kind);
        if (k && !value)
                n = k->total;
        for (size_t i = 0; k && value && i < k->n_values; i++)
                if (strcmp(k->values[i].name, value) == 0)
                        n = k->values[i].count;
        pthread_mutex_unlock(&t->lock);
        return n;
}

void event_tally_visit(struct event_tally *t, const char *kind,
                       void (*fn)(void *ctx, const char *value, uint64_t count), void *ctx)
{
        struct tally_kind *k;

        pthread_mutex_lock(&t->lock);
        k = find_kind(t, kind);
        for (size_t i = 0; k && i < k->n_values; i++)
                fn(ctx, k->values[i].name, k->values[i].count);
        pthread_mutex_unlock(&t->lock);
}
