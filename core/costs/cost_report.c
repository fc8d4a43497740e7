/* cost_report.c - ledger aggregates plus live costs, by window and bucket. */
#include "costs/cost_report.h"

#include <stdlib.h>
#include <string.h>

#include "domain/cost_meter.h"
#include "status.h"

struct sink_ctx {
        struct cost_totals *t;
        int status;
};

static int take_row(void *ctx, const struct gs_cost_row *row)
{
        struct sink_ctx *c = ctx;
        int r;

        r = cost_totals_add(c->t, row->provider, row->gpu_type, row->amount_uusd, row->billed_ms,
                            row->session_count);
        if (r < 0)
                c->status = r;
        return r;
}

/* Ledger rows of one consumer (NULL = all) over w into t. */
static int ledger_one(struct plugin_instance *st, const struct cost_scope *scope,
                      const char *consumer_id, struct cost_window w, struct cost_totals *t,
                      struct gs_error *err)
{
        struct sink_ctx c = {.t = t, .status = 0};
        struct gs_cost_sink sink = {.fn = take_row, .ctx = &c};
        struct gs_cost_query q = {.struct_size = sizeof(q),
                                  .session_id = scope->session_id,
                                  .consumer_id = consumer_id,
                                  .from_ms = w.from_ms,
                                  .to_ms = w.to_ms};
        int r;

        if (w.from_ms <= 0)
                q.from_ms = 0; /* unbounded */
        registry_enter(st);
        r = st->storage->cost_aggregate(st->instance, &q, &sink, err);
        registry_leave(st);
        if (c.status < 0)
                r = gs_error_set(err, c.status, 0, "cost report: %s",
                                 c.status == GS_E_TOOBIG ? "too many (provider, gpu_type) groups"
                                                         : "out of memory");
        return r;
}

/* Ledger rows of the scope over w: one query, or one per consumer of a
 * consumer-role principal asking for no consumer in particular. */
static int ledger_totals(struct plugin_instance *st, const struct cost_scope *scope,
                         struct cost_window w, struct cost_totals *t, struct gs_error *err)
{
        char one[CONSUMER_ID_MAX + 1];
        const char *c;
        int r = 0;

        if (scope->consumer_id || !scope->who || scope->who->role != GS_ROLE_CONSUMER)
                return ledger_one(st, scope, scope->consumer_id, w, t, err);
        for (c = scope->who->consumers; *c && r >= 0;) {
                size_t len = strcspn(c, ",");

                if (len > 0 && len < sizeof(one)) {
                        memcpy(one, c, len);
                        one[len] = '\0';
                        r = ledger_one(st, scope, one, w, t, err);
                }
                c += len;
                if (*c == ',')
                        c++;
        }
        return r;
}

static bool in_scope(const struct cost_scope *scope, const struct cost_live_session *s)
{
        if (scope->session_id && strcmp(scope->session_id, s->id) != 0)
                return false;
        if (scope->consumer_id && strcmp(scope->consumer_id, s->consumer_id) != 0)
                return false;
        return !scope->who || principal_allows_consumer(scope->who, s->consumer_id);
}

/* Live costs of the in-scope billing sessions, cut to w, into t. */
static int live_totals(const struct cost_scope *scope, const struct cost_live *live,
                       struct cost_window w, int64_t now_ms, struct cost_totals *t)
{
        for (size_t i = 0; i < live->count; i++) {
                const struct cost_live_session *s = &live->items[i];
                struct cost_interval iv;
                int64_t amount, part, ov = 0;
                int r;

                if (!cost_live_is_billing(s) || !in_scope(scope, s))
                        continue;
                amount = cost_live_amount_uusd(s, now_ms);
                iv.start_ms = s->instance_created_at_ms;
                iv.end_ms = s->stopped_at_ms > 0 ? s->stopped_at_ms : now_ms;
                if (iv.end_ms < iv.start_ms)
                        iv.end_ms = iv.start_ms;
                part = cost_meter_prorate_uusd(amount, iv, w.from_ms, w.to_ms, &ov);
                if (ov <= 0)
                        continue;
                r = cost_totals_add(t, s->provider, s->gpu_type, part, ov, 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void parts_done(struct cost_report *r)
{
        cost_totals_done(&r->totals);
        for (size_t i = 0; i < r->bucket_count; i++)
                cost_totals_done(&r->buckets[i].totals);
}

void cost_report_done(struct cost_report *r)
{
        if (!r)
                return;
        parts_done(r);
        free(r->buckets);
        memset(r, 0, sizeof(*r));
}

/* Every bucket of r->period over r->window, with empty totals. */
static int make_buckets(struct cost_report *r, struct gs_error *err)
{
        int64_t n = cost_bucket_count(r->period, r->window);
        int64_t at = r->window.from_ms;

        if (r->period == COST_PERIOD_NONE)
                return 0;
        if (n > COST_REPORT_BUCKETS_MAX)
                return gs_error_set(err, GS_E_TOOBIG, 0, "%lld %s buckets (at most %d)",
                                    (long long)n, cost_period_name(r->period),
                                    COST_REPORT_BUCKETS_MAX);
        r->buckets = calloc((size_t)(n > 0 ? n : 1), sizeof(*r->buckets));
        if (!r->buckets)
                return gs_error_set(err, GS_E_NOMEM, 0, "out of memory");
        for (int64_t i = 0; i < n; i++) {
                struct cost_window b = cost_bucket_of(r->period, at);

                r->buckets[i].window = cost_window_clip(b, r->window);
                cost_totals_init(&r->buckets[i].totals);
                at = b.to_ms;
        }
        r->bucket_count = (size_t)n;
        return 0;
}

/* The ledger part of every total of r. */
static int ledger_parts(struct plugin_instance *st, const struct cost_scope *scope,
                        struct cost_report *r, struct gs_error *err)
{
        int rc = ledger_totals(st, scope, r->window, &r->totals, err);

        for (size_t i = 0; rc >= 0 && i < r->bucket_count; i++)
                rc = ledger_totals(st, scope, r->buckets[i].window, &r->buckets[i].totals, err);
        return rc;
}

static int live_parts(const struct cost_scope *scope, const struct cost_live *live,
                      struct cost_report *r, struct gs_error *err)
{
        int rc = live_totals(scope, live, r->window, r->as_of_ms, &r->totals);

        for (size_t i = 0; rc >= 0 && i < r->bucket_count; i++)
                rc = live_totals(scope, live, r->buckets[i].window, r->as_of_ms,
                                 &r->buckets[i].totals);
        if (rc < 0)
                return gs_error_set(err, rc, 0, "cost report: %s",
                                    rc == GS_E_TOOBIG ? "too many (provider, gpu_type) groups"
                                                      : "out of memory");
        return 0;
}

int cost_report_build(struct plugin_instance *st, const struct cost_scope *scope,
                      struct cost_window window, int period, int64_t now_ms,
                      struct cost_report *ret, struct gs_error *err)
{
        struct cost_report r;
        struct cost_live before = {0}, after = {0};
        const char *live_consumer = scope->consumer_id;
        int rc;

        memset(&r, 0, sizeof(r));
        r.window = window;
        r.period = period;
        r.as_of_ms = now_ms;
        rc = make_buckets(&r, err);
        if (rc < 0)
                goto fail;
        for (int attempt = 1;; attempt++) {
                rc = cost_live_load(st, live_consumer, &before, err);
                if (rc < 0)
                        goto fail;
                rc = ledger_parts(st, scope, &r, err);
                if (rc < 0)
                        goto fail;
                rc = cost_live_load(st, live_consumer, &after, err);
                if (rc < 0)
                        goto fail;
                if (attempt >= COST_REPORT_ATTEMPTS || cost_live_none_finalized(&before, &after))
                        break;
                /* a session moved into the ledger meanwhile: read again */
                parts_done(&r);
                for (size_t i = 0; i < r.bucket_count; i++)
                        cost_totals_init(&r.buckets[i].totals);
                cost_totals_init(&r.totals);
                cost_live_done(&before);
                cost_live_done(&after);
        }
        rc = live_parts(scope, &after, &r, err);
        if (rc < 0)
                goto fail;
        cost_live_done(&before);
        cost_live_done(&after);
        *ret = r;
        return 0;
fail:
        cost_live_done(&before);
        cost_live_done(&after);
        cost_report_done(&r);
        return rc;
}

int cost_report_month_spend(struct plugin_instance *st, const char *consumer_id, int64_t now_ms,
                            int64_t *ret_uusd, struct gs_error *err)
{
        struct cost_scope scope = {.consumer_id = consumer_id};
        struct cost_window month = cost_bucket_of(COST_PERIOD_MONTHLY, now_ms);
        struct cost_report r;
        int rc;

        rc = cost_report_build(st, &scope, month, COST_PERIOD_NONE, now_ms, &r, err);
        if (rc < 0)
                return rc;
        *ret_uusd = r.totals.amount_uusd;
        cost_report_done(&r);
        return 0;
}
