/*
 * budget.h - enforced budgets: admission of new sessions against each
 * consumer's monthly budget and the global running $/h ceiling
 * (domain/cost_budget.h rules on numbers read from storage), and the budget
 * monitor that applies the policy when a consumer crosses its budget while
 * sessions run:
 *  - alert: log a warning and count gs_budget_exceeded_total{consumer},
 *    once per consumer and month;
 *  - stop: the same, and ask the stop function to stop each of the
 *    consumer's pending/provisioning/running sessions (every check while the
 *    consumer stays over, so a failed request is retried).
 *
 * The monitor is a thread calling budget_check_tick() every
 * [budget] check_interval. budget_start/budget_stop run on the main thread
 * (start after storage, before HTTP; stop after HTTP, before the session
 * service); everything else is thread-safe.
 *
 * The monthly rule counts other sessions' spend so far, not what they may
 * still spend: sessions admitted one after the other may together pass the
 * budget later, which the monitor then catches. (session_provision calls
 * budget_admit under the lock that also covers the insert, so the ceiling
 * sees every session admitted before.)
 */
#ifndef GS_BUDGET_H
#define GS_BUDGET_H

#include <stdint.h>

#include "costs/budget_settings.h"
#include "domain/cost_budget.h"
#include "plugin/registry.h"
#include "strbuf.h"

/* Consumers whose crossings are counted (the metric's label set). */
#define BUDGET_TRACKED_MAX 1024
/* Actor recorded for stops the monitor asks for. */
#define BUDGET_ACTOR "budget"

/* Stop one session because its consumer's budget is exhausted. Return 0
 * (also when it was already stopping) or a GS_E_* (logged by the monitor). */
typedef int (*budget_stop_fn)(void *ctx, const char *session_id, const char *consumer_id);

struct budget;

/* cfg and st must outlive the budget; stop may be NULL (policy stop then
 * only alerts, with a warning at start). 0 and *ret_budget, or GS_E_*. */
int budget_start(const struct budget_settings *cfg, struct plugin_instance *st, budget_stop_fn stop,
                 void *stop_ctx, struct budget **ret_budget);
/* Stop the monitor and free. NULL-safe. */
void budget_stop(struct budget *b);

/* The decision on one provision request. */
struct budget_decision {
        int verdict;                        /* enum cost_budget_verdict */
        struct cost_budget_refusal refusal; /* set when verdict != COST_BUDGET_OK */
        int64_t monthly_limit_uusd;         /* the consumer's budget, 0 = none */
        int64_t month_spent_uusd;
        int64_t running_uusd_per_hour;
};

/*
 * Decide whether consumer_id may start a session at price_uusd_per_hour for
 * reservation_hours at now_ms. 0 with *ret filled (admitted or refused), or
 * a storage/memory error (err filled, nothing logged) when no decision could
 * be made.
 */
int budget_admit(struct budget *b, const char *consumer_id, int64_t price_uusd_per_hour,
                 uint32_t reservation_hours, int64_t now_ms, struct budget_decision *ret,
                 struct gs_error *err);

/* One check of every consumer with active sessions at now_ms (what the
 * monitor thread runs). 0, or the first storage error (logged here). */
int budget_check_tick(struct budget *b, int64_t now_ms);

/* Summed price of the pending, provisioning and running sessions. */
int budget_running_uusd_per_hour(struct budget *b, int64_t *ret_uusd, struct gs_error *err);

const struct budget_settings *budget_settings(const struct budget *b);
/* Append the Prometheus series gs_budget_exceeded_total{consumer} (with
 * HELP/TYPE) to sb. NULL-safe (then only HELP/TYPE). */
void budget_metrics(struct budget *b, struct strbuf *sb);

#endif /* GS_BUDGET_H */
