/* budget.c - budget admission, the budget monitor thread and its counters. */
#include "costs/budget.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "costs/cost_live.h"
#include "costs/cost_report.h"
#include "domain/cost_range.h"
#include "domain/units.h"
#include "log.h"
#include "plugin/host_api.h"
#include "status.h"

#define COMPONENT "budget"
#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)
/* "123.456789" plus sign and NUL. */
#define USD_TEXT_MAX 32

struct tracked {
        char consumer_id[CONSUMER_ID_MAX + 1];
        int64_t reported_month_ms; /* month of the last counted crossing; 0 = never */
        uint64_t exceeded_total;
};

struct budget {
        const struct budget_settings *cfg;
        struct plugin_instance *st;
        budget_stop_fn stop;
        void *stop_ctx;
        pthread_mutex_t lock; /* tracked */
        struct tracked *tracked;
        size_t tracked_count;
        pthread_mutex_t wait_lock; /* quit, with wake */
        pthread_cond_t wake;
        bool quit;
        bool thread_started;
        pthread_t thread;
};

const struct budget_settings *budget_settings(const struct budget *b)
{
        return b->cfg;
}

static bool any_limit(const struct budget_settings *cfg)
{
        return cfg->limit_count > 0 || cfg->default_monthly_uusd > 0;
}

static void usd_text(int64_t uusd, char *buf, size_t len)
{
        (void)units_format_usd(uusd, buf, len);
}

int budget_running_uusd_per_hour(struct budget *b, int64_t *ret_uusd, struct gs_error *err)
{
        struct cost_live live = {0};
        int64_t sum = 0;
        int r;

        r = cost_live_load(b->st, NULL, &live, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < live.count; i++)
                if (cost_live_is_committed(&live.items[i]))
                        sum = cost_budget_add(sum, live.items[i].price_uusd_per_hour);
        cost_live_done(&live);
        *ret_uusd = sum;
        return 0;
}

int budget_admit(struct budget *b, const char *consumer_id, int64_t price_uusd_per_hour,
                 uint32_t reservation_hours, int64_t now_ms, struct budget_decision *ret,
                 struct gs_error *err)
{
        struct budget_decision d;
        struct cost_budget_request req = {0};
        int r;

        memset(&d, 0, sizeof(d));
        d.monthly_limit_uusd = budget_settings_monthly_uusd(b->cfg, consumer_id);
        if (d.monthly_limit_uusd > 0) {
                r = cost_report_month_spend(b->st, consumer_id, now_ms, &d.month_spent_uusd, err);
                if (r < 0)
                        return r;
        }
        if (b->cfg->max_running_uusd_per_hour > 0) {
                r = budget_running_uusd_per_hour(b, &d.running_uusd_per_hour, err);
                if (r < 0)
                        return r;
        }
        req.monthly_limit_uusd = d.monthly_limit_uusd;
        req.month_spent_uusd = d.month_spent_uusd;
        req.price_uusd_per_hour = price_uusd_per_hour;
        req.reservation_hours = reservation_hours;
        req.ceiling_uusd_per_hour = b->cfg->max_running_uusd_per_hour;
        req.running_uusd_per_hour = d.running_uusd_per_hour;
        d.verdict = cost_budget_admit(&req, &d.refusal);
        *ret = d;
        return 0;
}

/* The consumer's counter slot, created on first use; NULL when the table is
 * full. Caller holds b->lock. */
static struct tracked *track(struct budget *b, const char *consumer_id)
{
        struct tracked *t;

        for (size_t i = 0; i < b->tracked_count; i++)
                if (strcmp(b->tracked[i].consumer_id, consumer_id) == 0)
                        return &b->tracked[i];
        if (b->tracked_count >= BUDGET_TRACKED_MAX)
                return NULL;
        t = &b->tracked[b->tracked_count++];
        memset(t, 0, sizeof(*t));
        memcpy(t->consumer_id, consumer_id, strnlen(consumer_id, CONSUMER_ID_MAX));
        return t;
}

/* Count the crossing once per month; true when it is new. */
static bool note_crossing(struct budget *b, const char *consumer_id, int64_t month_ms)
{
        struct tracked *t;
        bool fresh = false;

        pthread_mutex_lock(&b->lock);
        t = track(b, consumer_id);
        if (t && cost_budget_should_report(t->reported_month_ms, month_ms)) {
                t->reported_month_ms = month_ms;
                t->exceeded_total++;
                fresh = true;
        }
        pthread_mutex_unlock(&b->lock);
        return fresh;
}

static void stop_sessions(struct budget *b, const struct cost_live *live, const char *consumer_id)
{
        for (size_t i = 0; i < live->count; i++) {
                const struct cost_live_session *s = &live->items[i];
                int r;

                if (!cost_live_is_committed(s) || strcmp(s->consumer_id, consumer_id) != 0)
                        continue;
                r = b->stop(b->stop_ctx, s->id, consumer_id);
                if (r < 0)
                        LOG_WARN(COMPONENT,
                                 "%s: cannot stop session %s over budget: %s; "
                                 "retrying at the next check",
                                 consumer_id, s->id, gs_strerror(r));
                else
                        LOG_NOTICE(COMPONENT,
                                   "%s: stopping session %s (monthly budget "
                                   "exhausted)",
                                   consumer_id, s->id);
        }
}

/* Check one consumer: a crossing is counted and logged once per month;
 * the stop policy stops its sessions every time. */
static int check_consumer(struct budget *b, const struct cost_live *live, const char *consumer_id,
                          int64_t now_ms)
{
        int64_t limit = budget_settings_monthly_uusd(b->cfg, consumer_id);
        int64_t spent = 0;
        char s_spent[USD_TEXT_MAX], s_limit[USD_TEXT_MAX];
        struct gs_error err;
        int r;

        if (limit <= 0)
                return 0;
        gs_error_init(&err);
        r = cost_report_month_spend(b->st, consumer_id, now_ms, &spent, &err);
        if (r < 0) {
                LOG_ERR(COMPONENT, "%s: cannot read the month's spend: %s", consumer_id,
                        gs_error_msg(&err));
                return r;
        }
        if (!cost_budget_is_over(limit, spent))
                return 0;
        if (note_crossing(b, consumer_id, cost_month_start_ms(now_ms))) {
                usd_text(spent, s_spent, sizeof(s_spent));
                usd_text(limit, s_limit, sizeof(s_limit));
                LOG_WARN(COMPONENT,
                         "%s: monthly budget exceeded: spent $%s of $%s this month "
                         "(policy %s)",
                         consumer_id, s_spent, s_limit, cost_budget_policy_name(b->cfg->policy));
        }
        if (b->cfg->policy == COST_BUDGET_STOP && b->stop)
                stop_sessions(b, live, consumer_id);
        return 0;
}

static int str_cmp(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int budget_check_tick(struct budget *b, int64_t now_ms)
{
        struct cost_live live = {0};
        const char **consumers;
        struct gs_error err;
        int first = 0;
        int r;

        if (!b || !any_limit(b->cfg))
                return 0;
        gs_error_init(&err);
        r = cost_live_load(b->st, NULL, &live, &err);
        if (r < 0) {
                LOG_ERR(COMPONENT, "cannot list active sessions: %s", gs_error_msg(&err));
                return r;
        }
        /* Each consumer once, in order. */
        consumers = live.count ? calloc(live.count, sizeof(*consumers)) : NULL;
        if (live.count && !consumers) {
                LOG_ERR(COMPONENT, "out of memory checking budgets");
                cost_live_done(&live);
                return GS_E_NOMEM;
        }
        for (size_t i = 0; i < live.count; i++)
                consumers[i] = live.items[i].consumer_id;
        if (live.count > 1)
                qsort(consumers, live.count, sizeof(*consumers), str_cmp);
        for (size_t i = 0; i < live.count; i++) {
                if (i > 0 && strcmp(consumers[i - 1], consumers[i]) == 0)
                        continue;
                r = check_consumer(b, &live, consumers[i], now_ms);
                if (r < 0 && first == 0)
                        first = r;
        }
        free(consumers);
        cost_live_done(&live);
        return first;
}

static void *monitor(void *arg)
{
        struct budget *b = arg;
        struct timespec at;

        pthread_mutex_lock(&b->wait_lock);
        while (!b->quit) {
                int64_t ns;

                (void)clock_gettime(CLOCK_MONOTONIC, &at);
                ns = (int64_t)at.tv_nsec + b->cfg->check_interval_ms * NS_PER_MS;
                at.tv_sec += (time_t)(ns / NS_PER_S);
                at.tv_nsec = (long)(ns % NS_PER_S);
                while (!b->quit && pthread_cond_timedwait(&b->wake, &b->wait_lock, &at) == 0)
                        ;
                if (b->quit)
                        break;
                pthread_mutex_unlock(&b->wait_lock);
                (void)budget_check_tick(b, host_now_ms());
                pthread_mutex_lock(&b->wait_lock);
        }
        pthread_mutex_unlock(&b->wait_lock);
        return NULL;
}

int budget_start(const struct budget_settings *cfg, struct plugin_instance *st, budget_stop_fn stop,
                 void *stop_ctx, struct budget **ret_budget)
{
        struct budget *b = calloc(1, sizeof(*b));
        pthread_condattr_t ca;
        int r;

        if (!b)
                return GS_E_NOMEM;
        b->cfg = cfg;
        b->st = st;
        b->stop = stop;
        b->stop_ctx = stop_ctx;
        b->tracked = calloc(BUDGET_TRACKED_MAX, sizeof(*b->tracked));
        if (!b->tracked) {
                free(b);
                return GS_E_NOMEM;
        }
        pthread_mutex_init(&b->lock, NULL);
        pthread_mutex_init(&b->wait_lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&b->wake, &ca);
        pthread_condattr_destroy(&ca);
        if (any_limit(cfg)) {
                r = pthread_create(&b->thread, NULL, monitor, b);
                if (r != 0) {
                        LOG_ERR(COMPONENT, "cannot start the budget monitor: %s", strerror(r));
                        budget_stop(b);
                        return GS_E_NOMEM;
                }
                b->thread_started = true;
                if (cfg->policy == COST_BUDGET_STOP && !stop)
                        LOG_WARN(COMPONENT, "policy = stop without a session service: budgets "
                                            "only alert");
        }
        *ret_budget = b;
        return 0;
}

void budget_stop(struct budget *b)
{
        if (!b)
                return;
        if (b->thread_started) {
                pthread_mutex_lock(&b->wait_lock);
                b->quit = true;
                pthread_cond_broadcast(&b->wake);
                pthread_mutex_unlock(&b->wait_lock);
                (void)pthread_join(b->thread, NULL);
        }
        pthread_cond_destroy(&b->wake);
        pthread_mutex_destroy(&b->wait_lock);
        pthread_mutex_destroy(&b->lock);
        free(b->tracked);
        free(b);
}

void budget_metrics(struct budget *b, struct strbuf *sb)
{
        strbuf_puts(sb, "# HELP gs_budget_exceeded_total Monthly budget crossings by consumer "
                        "(once per consumer and month).\n"
                        "# TYPE gs_budget_exceeded_total counter\n");
        if (!b)
                return;
        pthread_mutex_lock(&b->lock);
        for (size_t i = 0; i < b->tracked_count; i++)
                strbuf_printf(sb, "gs_budget_exceeded_total{consumer=\"%s\"} %" PRIu64 "\n",
                              b->tracked[i].consumer_id, b->tracked[i].exceeded_total);
        pthread_mutex_unlock(&b->lock);
}
