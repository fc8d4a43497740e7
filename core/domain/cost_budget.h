/*
 * cost_budget.h - budget rules as pure decisions on numbers.
 *
 * Admission of a new session (cost_budget_admit):
 *  - monthly: month-to-date spend of the consumer (ledger + live costs) plus
 *    the projected cost of the new session (price x reservation hours) must
 *    not exceed the consumer's monthly budget;
 *  - ceiling: the summed $/h of the sessions already billing or about to
 *    (pending, provisioning, running) plus the new price must not exceed the
 *    global ceiling.
 * A limit of 0 means "no limit". Equal to the limit is allowed.
 *
 * Running (cost_budget_is_over): a consumer is over its budget when its
 * month-to-date spend exceeds it; the budget monitor applies the policy to
 * each crossing once per consumer and month (cost_budget_should_report), so
 * an alert neither repeats every check nor stays disarmed forever.
 *
 * All arithmetic saturates at INT64_MAX. Pure, thread-safe.
 */
#ifndef GS_COST_BUDGET_H
#define GS_COST_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

enum cost_budget_policy {
        COST_BUDGET_ALERT = 0, /* log and count */
        COST_BUDGET_STOP,      /* also stop the consumer's running sessions */
};

enum cost_budget_verdict {
        COST_BUDGET_OK = 0,
        COST_BUDGET_MONTHLY, /* the consumer's monthly budget would be exceeded */
        COST_BUDGET_CEILING, /* the global running $/h ceiling would be exceeded */
};

struct cost_budget_request {
        int64_t monthly_limit_uusd;  /* the consumer's budget; 0 = none */
        int64_t month_spent_uusd;    /* month-to-date, live costs included */
        int64_t price_uusd_per_hour; /* of the offer asked for */
        uint32_t reservation_hours;
        int64_t ceiling_uusd_per_hour; /* global; 0 = none */
        int64_t running_uusd_per_hour; /* summed price of billing sessions */
};

/* Why a request was refused, with the numbers for the client. */
struct cost_budget_refusal {
        int verdict;            /* enum cost_budget_verdict */
        int64_t limit_uusd;     /* monthly budget, or ceiling $/h */
        int64_t current_uusd;   /* month-to-date spend, or running $/h */
        int64_t requested_uusd; /* projected cost, or the new price $/h */
        int64_t resulting_uusd; /* current + requested */
};

/* "alert" | "stop". */
int cost_budget_policy_parse(const char *s, int *ret_policy);
const char *cost_budget_policy_name(int policy);
/* "monthly_budget" | "running_ceiling"; NULL for COST_BUDGET_OK. */
const char *cost_budget_verdict_name(int verdict);

/* a + b, saturating at INT64_MAX (both >= 0). */
int64_t cost_budget_add(int64_t a, int64_t b);
/* price x hours, saturating. */
int64_t cost_budget_projected_uusd(int64_t price_uusd_per_hour, uint32_t hours);

/* COST_BUDGET_OK, or the first limit broken (monthly before ceiling) with
 * *ret_refusal filled. ret_refusal is written only on a refusal. */
int cost_budget_admit(const struct cost_budget_request *req,
                      struct cost_budget_refusal *ret_refusal);

/* Spend beyond a set limit. */
bool cost_budget_is_over(int64_t limit_uusd, int64_t spent_uusd);
/* Whether a crossing in the month starting month_ms is new: the consumer was
 * last reported for another month (reported_month_ms, 0 = never). */
bool cost_budget_should_report(int64_t reported_month_ms, int64_t month_ms);
/* Remaining budget (negative when over); 0 for no limit. */
int64_t cost_budget_remaining_uusd(int64_t limit_uusd, int64_t spent_uusd);

#endif /* GS_COST_BUDGET_H */
